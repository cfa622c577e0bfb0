"""``bolt.compile``: dependencies (``Depends``), sync handlers in threads, and how a
handler's return value becomes a response, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI
from bolt.params import Depends
from bolt.responses import JSONResponse, Response, _json_response
from bolt.testing import TestClient


def test_depends_sync_async_nested_cached(api: BoltAPI, client: TestClient) -> None:
    calls: list[str] = []

    async def get_current_user(request: dict) -> dict:
        calls.append("user")
        auth = request.get("auth", {})
        return {"id": auth.get("user_id"), "username": auth.get("username")}

    def get_settings(user: dict = Depends(get_current_user), verbose: bool = False) -> dict:
        calls.append("settings")
        return {"user": user["id"], "verbose": verbose}

    @api.get("/profile")
    async def profile(
        request,  # type: ignore[no-untyped-def]
        current_user: dict = Depends(get_current_user),
        prefs: dict = Depends(get_settings),
    ) -> dict:
        return {"profile": current_user, "prefs": prefs}

    r = client.get("/profile?verbose=1")
    assert r.json() == {
        "profile": {"id": None, "username": None},
        "prefs": {"user": None, "verbose": True},
    }
    assert calls == ["user", "settings"]  # get_current_user ran once per request
    client.get("/profile")
    assert calls == ["user", "settings", "user", "settings"]


def test_depends_without_cache_runs_each_time(api: BoltAPI, client: TestClient) -> None:
    count = {"n": 0}

    async def counter() -> int:
        count["n"] += 1
        return count["n"]

    @api.get("/twice")
    async def twice(
        a: int = Depends(counter, use_cache=False), b: int = Depends(counter, use_cache=False)
    ) -> dict:
        return {"a": a, "b": b}

    assert client.get("/twice").json() == {"a": 1, "b": 2}


def test_generator_dependency_cleanup_runs_after_response(api: BoltAPI, client: TestClient) -> None:
    events: list[str] = []

    async def resource():  # type: ignore[no-untyped-def]
        events.append("open")
        yield "conn"
        events.append("close")

    def sync_resource():  # type: ignore[no-untyped-def]
        events.append("sync-open")
        yield "sync"
        events.append("sync-close")

    @api.get("/use")
    async def use(conn: str = Depends(resource), other: str = Depends(sync_resource)) -> dict:
        return {"conn": conn, "other": other, "events": list(events)}

    r = client.get("/use")
    assert r.json() == {"conn": "conn", "other": "sync", "events": ["open", "sync-open"]}
    assert events == ["open", "sync-open", "sync-close", "close"]


def test_dependency_errors_are_422(api: BoltAPI, client: TestClient) -> None:
    async def paging(page: int = 1) -> int:
        return page

    @api.get("/paged")
    async def paged(page: int = Depends(paging)) -> dict:
        return {"page": page}

    r = client.get("/paged?page=x")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "page"]


def test_sync_handler_runs_in_thread(api: BoltAPI, client: TestClient) -> None:
    import threading

    main = threading.get_ident()

    @api.get("/sync")
    def sync_view(n: int) -> dict:
        return {"n": n, "same_thread": threading.get_ident() == main}

    assert client.get("/sync?n=2").json() == {"n": 2, "same_thread": False}


def test_return_values_become_responses(api: BoltAPI, client: TestClient) -> None:
    values: dict[str, Any] = {
        "dict": {"a": 1},
        "list": [1, "x"],
        "none": None,
        "str": "hi",
        "bytes": b"\x00\x01",
        "created": (201, {"id": 1}),
        "headed": (202, {"ok": True}, {"X-Thing": "1"}),
        "response": Response(b"raw", 203, {"x-own": "y"}, media_type="text/csv"),
        "int": 5,
    }

    @api.get("/v/{kind}")
    async def value(kind: str) -> Any:
        return values[kind]

    def got(kind: str) -> tuple[int, str | None, bytes]:
        r = client.get(f"/v/{kind}")
        return r.status_code, r.headers.get("content-type"), r.content

    assert got("dict") == (200, "application/json", b'{"a":1}')
    assert got("list") == (200, "application/json", b'[1,"x"]')
    assert got("none") == (204, None, b"")
    assert got("str")[:2] == (200, "text/plain; charset=utf-8")
    assert got("str")[2] == b"hi"
    assert got("bytes") == (200, "application/octet-stream", b"\x00\x01")
    assert got("created") == (201, "application/json", b'{"id":1}')
    assert got("headed") == (202, "application/json", b'{"ok":true}')
    assert client.get("/v/headed").headers["x-thing"] == "1"
    assert got("response") == (203, "text/csv; charset=utf-8", b"raw")
    assert client.get("/v/response").headers["x-own"] == "y"
    assert got("int") == (200, "application/json", b"5")


def test_route_status_code_applies_to_plain_returns(api: BoltAPI, client: TestClient) -> None:
    @api.post("/made", status_code=201)
    async def made() -> dict:
        return {"made": True}

    r = client.post("/made")
    assert (r.status_code, r.json()) == (201, {"made": True})
    assert r.headers["content-length"] == str(len(r.content))


def test_head_of_a_json_route_has_headers_and_no_body(api: BoltAPI, client: TestClient) -> None:
    @api.get("/doc")
    async def doc() -> dict:
        return {"text": "x" * 10}

    r = client.head("/doc")
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["content-type"] == "application/json"
    assert r.headers["content-length"] == str(len(client.get("/doc").content))


@pytest.mark.parametrize("content", [{"a": [1, 2]}, [], {"when": "2024-01-01"}])
def test_fast_json_response_is_a_json_response(content: Any) -> None:
    """The kernel's constructor for dict and list returns sets every slot as
    ``JSONResponse(content, status)`` does (a slot it forgot would raise here)."""
    fast = _json_response(content, 201)
    slow = JSONResponse(content, 201)
    assert type(fast) is JSONResponse
    for slot in Response.__slots__:
        assert getattr(fast, slot) == getattr(slow, slot), slot
