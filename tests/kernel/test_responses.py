"""Responses: plain return values, response classes, response_model, streams and files."""

from __future__ import annotations

import asyncio
import datetime
import os
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from bolt import BoltAPI
from bolt.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from bolt.testing import TestClient


class UserOut(msgspec.Struct):
    id: int
    username: str


class Record:
    """A plain object with attributes (stands in for a model instance)."""

    def __init__(self, id: int, username: str, password: str) -> None:
        self.id, self.username, self.password = id, username, password


def test_plain_values(api: BoltAPI, client: TestClient) -> None:
    @api.get("/dict")
    async def as_dict() -> dict:
        return {"when": datetime.date(2024, 1, 2), "id": uuid.UUID(int=1), "price": Decimal("1.50")}

    @api.get("/list")
    async def as_list() -> list:
        return [1, "a", None]

    @api.get("/struct")
    async def as_struct() -> UserOut:
        return UserOut(id=1, username="ann")

    @api.get("/text")
    async def as_text() -> str:
        return "hello"

    @api.get("/bytes")
    async def as_bytes() -> bytes:
        return b"\x00\x01"

    @api.get("/none")
    async def as_none() -> None:
        return None

    r = client.get("/dict")
    assert r.json() == {
        "when": "2024-01-02",
        "id": "00000000-0000-0000-0000-000000000001",
        "price": 1.5,
    }
    assert client.get("/list").json() == [1, "a", None]
    assert client.get("/struct").json() == {"id": 1, "username": "ann"}
    r = client.get("/text")
    assert (r.text, r.headers["content-type"]) == ("hello", "text/plain; charset=utf-8")
    r = client.get("/bytes")
    assert (r.content, r.headers["content-type"]) == (b"\x00\x01", "application/octet-stream")
    r = client.get("/none")
    assert r.status_code == 204
    assert r.content == b""
    assert "content-length" not in r.headers


def test_status_tuples(api: BoltAPI, client: TestClient) -> None:
    @api.post("/created")
    async def created() -> Any:
        return 201, {"ok": True}

    @api.post("/accepted")
    async def accepted() -> Any:
        return 202, {"queued": True}, {"Location": "/jobs/1"}

    r = client.post("/created")
    assert (r.status_code, r.json()) == (201, {"ok": True})
    r = client.post("/accepted")
    assert (r.status_code, r.json(), r.headers["location"]) == (202, {"queued": True}, "/jobs/1")


def test_status_code_option(api: BoltAPI, client: TestClient) -> None:
    @api.post("/things", status_code=201)
    async def make() -> dict:
        return {"id": 1}

    assert client.post("/things").status_code == 201


def test_response_classes(api: BoltAPI, client: TestClient) -> None:
    @api.get("/json")
    async def json_view() -> JSONResponse:
        return JSONResponse({"a": 1}, status_code=202, headers={"X-Extra": "1"})

    @api.get("/plain")
    async def plain() -> PlainTextResponse:
        return PlainTextResponse("hi")

    @api.get("/html")
    async def html() -> HTMLResponse:
        return HTMLResponse("<p>hi</p>")

    @api.get("/redirect")
    async def redirect() -> RedirectResponse:
        return RedirectResponse("/json")

    @api.get("/cookie")
    async def cookie() -> Response:
        response = Response({"ok": True})
        response.set_cookie("sid", "a b", max_age=60)
        return response

    r = client.get("/json")
    assert (r.status_code, r.json(), r.headers["x-extra"]) == (202, {"a": 1}, "1")
    assert client.get("/plain").headers["content-type"] == "text/plain; charset=utf-8"
    assert client.get("/html").headers["content-type"] == "text/html; charset=utf-8"
    r = client.get("/redirect", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (307, "/json")
    r = client.get("/cookie")
    assert r.json() == {"ok": True}
    assert r.headers["set-cookie"] == "sid=a%20b; Path=/; Max-Age=60; HttpOnly; SameSite=lax"


def test_header_injection_is_neutralised(api: BoltAPI, client: TestClient) -> None:
    @api.get("/inject")
    async def inject(name: str) -> Response:
        return Response(b"", 200, {"X-Name": name})

    r = client.get("/inject", params={"name": "a\r\nSet-Cookie: evil=1"})
    assert r.status_code == 200
    assert r.headers["x-name"] == "a  Set-Cookie: evil=1"
    assert "set-cookie" not in r.headers


def test_response_model_shapes_and_validates(api: BoltAPI, client: TestClient) -> None:
    @api.get("/user", response_model=UserOut)
    async def user() -> dict:
        return {"id": 1, "username": "ann", "password": "secret"}

    @api.get("/record")
    async def record() -> UserOut:
        return Record(2, "bob", "hunter2")  # type: ignore[return-value]

    @api.get("/records")
    async def records() -> list[UserOut]:
        return [Record(1, "a", "x"), Record(2, "b", "y")]  # type: ignore[list-item]

    @api.get("/broken", response_model=UserOut)
    async def broken() -> dict:
        return {"id": "not-a-number"}

    assert client.get("/user").json() == {"id": 1, "username": "ann"}
    assert client.get("/record").json() == {"id": 2, "username": "bob"}
    assert client.get("/records").json() == [{"id": 1, "username": "a"}, {"id": 2, "username": "b"}]
    r = client.get("/broken")
    assert r.status_code == 500
    assert r.json() == {"detail": "Internal Server Error"}


def test_streaming_async_and_sync(api: BoltAPI, client: TestClient) -> None:
    @api.get("/events")
    async def events() -> StreamingResponse:
        async def stream_data():  # type: ignore[no-untyped-def]
            for i in range(3):
                yield f"data: {i}\n"

        return StreamingResponse(stream_data(), media_type="text/event-stream")

    @api.get("/export")
    async def export() -> StreamingResponse:
        def rows():  # type: ignore[no-untyped-def]
            yield "id,name\n"
            for i in range(2):
                yield f"{i},user{i}\n".encode()

        return StreamingResponse(
            rows(),
            media_type="text/csv",
            headers={"Content-Disposition": "attachment; filename=users.csv"},
        )

    r = client.get("/events")
    assert r.text == "data: 0\ndata: 1\ndata: 2\n"
    assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert "content-length" not in r.headers
    r = client.get("/export")
    assert r.text == "id,name\n0,user0\n1,user1\n"
    assert r.headers["content-disposition"] == "attachment; filename=users.csv"
    head = client.head("/events")
    assert (head.status_code, head.content) == (200, b"")


def test_stream_stops_when_client_disconnects(api: BoltAPI) -> None:
    produced: list[int] = []
    closed = asyncio.Event()

    @api.get("/forever")
    async def forever() -> StreamingResponse:
        async def gen():  # type: ignore[no-untyped-def]
            try:
                for i in range(1000):
                    produced.append(i)
                    yield f"{i}\n"
                    await asyncio.sleep(0.01)
            finally:
                closed.set()

        return StreamingResponse(gen())

    async def run() -> float:
        sent: list[dict[str, Any]] = []
        first_chunk = asyncio.Event()
        calls = 0

        async def receive() -> dict[str, Any]:
            nonlocal calls
            calls += 1
            if calls == 1:
                return {"type": "http.request", "body": b"", "more_body": False}
            await first_chunk.wait()
            await asyncio.sleep(0.05)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message.get("body"):
                first_chunk.set()

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/forever",
            "raw_path": b"/forever",
            "query_string": b"",
            "headers": [(b"host", b"testserver")],
        }
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.wait_for(api(scope, receive, send), timeout=5)
        await asyncio.wait_for(closed.wait(), timeout=1)
        return loop.time() - start

    elapsed = asyncio.run(run())
    assert closed.is_set()
    assert len(produced) < 100  # stopped long before the generator's 1000 chunks
    assert elapsed < 2


@pytest.fixture
def files_dir(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "files"
    root.mkdir()
    (root / "report.pdf").write_bytes(b"%PDF-" + b"x" * 200_000)
    (root / "notes.txt").write_text("0123456789")
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", root / "escape.txt")
    settings.BOLT_ALLOWED_FILE_PATHS = [str(root)]
    settings.BOLT_FILE_CHUNK_SIZE = 65536
    return root


def test_file_response_streams_allowed_file(
    api: BoltAPI, client: TestClient, files_dir: Path
) -> None:
    @api.get("/download/{name}")
    async def download(name: str) -> FileResponse:
        return FileResponse(files_dir / name, filename="document.pdf")

    @api.get("/preview")
    async def preview() -> FileResponse:
        return FileResponse(
            str(files_dir / "report.pdf"),
            media_type="application/pdf",
            headers={"Content-Disposition": "inline"},
        )

    r = client.get("/download/report.pdf")
    assert r.status_code == 200
    assert r.content == (files_dir / "report.pdf").read_bytes()
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-length"] == str(len(r.content))
    assert r.headers["content-disposition"] == 'attachment; filename="document.pdf"'
    r = client.get("/preview")
    assert r.headers["content-disposition"] == "inline"


@pytest.mark.parametrize(
    "name",
    ["../secret.txt", "%2e%2e/secret.txt", "..%2fsecret.txt", "escape.txt", "missing.txt"],
)
def test_file_response_refuses_escapes(
    api: BoltAPI, client: TestClient, files_dir: Path, name: str
) -> None:
    @api.get("/get")
    async def get_file(name: str) -> FileResponse:
        return FileResponse(os.path.join(str(files_dir), name))

    r = client.get("/get", params={"name": name})
    assert r.status_code == 404
    assert r.json() == {"detail": "File not found"}


def test_file_response_refuses_absolute_and_nul(
    api: BoltAPI, client: TestClient, files_dir: Path
) -> None:
    @api.get("/abs")
    async def absolute(path: str) -> FileResponse:
        return FileResponse(path)

    assert client.get("/abs", params={"path": "/etc/passwd"}).status_code == 404
    assert client.get("/abs", params={"path": str(files_dir) + "/notes.txt\x00"}).status_code == 404
    assert client.get("/abs", params={"path": str(files_dir / "notes.txt")}).status_code == 200


def test_file_response_without_allowed_paths_is_refused(
    api: BoltAPI, client: TestClient, tmp_path: Path
) -> None:
    target = tmp_path / "a.txt"
    target.write_text("x")

    @api.get("/f")
    async def f() -> FileResponse:
        return FileResponse(target)

    assert client.get("/f").status_code == 404


def test_file_response_ranges_and_unsafe_filenames(
    api: BoltAPI, client: TestClient, files_dir: Path
) -> None:
    @api.get("/notes")
    async def notes(filename: str = "notes.txt") -> FileResponse:
        return FileResponse(files_dir / "notes.txt", filename=filename)

    r = client.get("/notes", headers={"Range": "bytes=2-4"})
    assert (r.status_code, r.content, r.headers["content-range"]) == (206, b"234", "bytes 2-4/10")
    r = client.get("/notes", headers={"Range": "bytes=-3"})
    assert (r.status_code, r.content) == (206, b"789")
    r = client.get("/notes", headers={"Range": "bytes=50-60"})
    assert (r.status_code, r.headers["content-range"]) == (416, "bytes */10")
    r = client.get("/notes", headers={"Range": ",".join(["bytes=0-0"] + ["1-1"] * 5000)})
    assert (r.status_code, r.content) == (200, b"0123456789")
    r = client.get("/notes", params={"filename": 'évil\r\n"name.txt'})
    assert r.status_code == 200
    disposition = r.headers["content-disposition"]
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert "filename*=UTF-8''" in disposition
    head = client.head("/notes")
    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", "10")


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y


def test_register_json_type_teaches_the_encoder(api: BoltAPI, client: TestClient) -> None:
    from bolt.responses import register_json_type

    register_json_type(Point, lambda p: [p.x, p.y])

    @api.get("/points")
    async def points() -> dict:
        return {"points": [Point(1, 2), Point(3, 4)]}

    @api.get("/unknown")
    async def unknown() -> dict:
        return {"value": object()}

    assert client.get("/points").json() == {"points": [[1, 2], [3, 4]]}
    r = client.get("/unknown")
    assert (r.status_code, r.json()) == (500, {"detail": "Internal Server Error"})
