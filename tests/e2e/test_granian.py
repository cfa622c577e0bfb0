"""The quick start on real Granian, over TCP: started by the ``granian`` CLI and by ``runbolt``.

Every test in the first group runs against both servers (the ``server`` fixture is
parametrised); the second group starts its own ``runbolt`` to check flags and clean stops.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import QUICKSTART, Server, server_env

pytestmark = pytest.mark.e2e


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield http


def test_get_answers_json(client: httpx.Client) -> None:
    response = client.get("/api/hello")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"message": "Hello, World!"}


def test_post_json_body_then_get_with_path_and_query(client: httpx.Client) -> None:
    created = client.post("/api/items", json={"name": "Lamp", "price": 19.5})
    assert created.status_code == 201
    item = created.json()
    assert item["name"] == "Lamp"
    assert item["price"] == 19.5
    assert isinstance(item["id"], int)

    fetched = client.get(f"/api/items/{item['id']}", params={"q": "bright"})
    assert fetched.status_code == 200
    assert fetched.json() == {"item": item, "q": "bright"}
    listed = client.get("/api/items", params={"limit": 100})
    assert item in listed.json()


def test_missing_item_is_json_404(client: httpx.Client) -> None:
    response = client.get("/api/items/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Item 999999 not found"}


def test_stream_arrives_in_pieces(client: httpx.Client) -> None:
    """50 lines, 10 ms apart: chunked, and the first piece arrives before the last is made."""
    chunks: list[bytes] = []
    with client.stream("GET", "/api/count/50") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert response.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.headers
        chunks.extend(response.iter_raw())
    assert b"".join(chunks) == b"".join(f"{i}\n".encode() for i in range(50))
    assert chunks[0] != b"".join(chunks)


def test_file_is_served_as_download(client: httpx.Client) -> None:
    response = client.get("/api/files/hello")
    assert response.status_code == 200
    assert response.text == "Hello from a file served by Bolt's FileResponse.\n"
    assert response.headers["content-disposition"] == 'attachment; filename="hello.txt"'
    assert response.headers["content-length"] == str(len(response.content))

    partial = client.get("/api/files/hello", headers={"range": "bytes=0-4"})
    assert partial.status_code == 206
    assert partial.content == b"Hello"


def test_invalid_body_is_422_with_location(client: httpx.Client) -> None:
    response = client.post("/api/items", json={"name": "Lamp", "price": "cheap"})
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert errors[0]["loc"] == ["body", "price"]
    assert errors[0]["msg"]
    assert errors[0]["type"]


def test_invalid_query_is_422(client: httpx.Client) -> None:
    response = client.get("/api/items", params={"limit": "0"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


def test_malformed_json_is_400(client: httpx.Client) -> None:
    response = client.post(
        "/api/items", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_wrong_method_is_405_with_allow(client: httpx.Client) -> None:
    response = client.delete("/api/hello")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_head_is_answered_without_body(client: httpx.Client) -> None:
    response = client.head("/api/hello")
    assert response.status_code == 200
    assert response.content == b""


def test_class_based_view(client: httpx.Client) -> None:
    response = client.get("/api/status")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert isinstance(body["items"], int)
    assert client.post("/api/status").status_code == 405


def test_other_paths_reach_django(client: httpx.Client) -> None:
    about = client.get("/about/")
    assert about.status_code == 200
    assert about.text == "Bolt quick start: the API lives under /api/"

    login = client.get("/admin/login/")
    assert login.status_code == 200
    assert login.headers["content-type"].startswith("text/html")
    assert "csrfmiddlewaretoken" in login.text

    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin.headers["location"].startswith("/admin/login/")


# --- runbolt: flags and clean stops --------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_runbolt_stops_cleanly_on_signal(
    start_server: Callable[..., Server], sig: signal.Signals
) -> None:
    # A worker that does not stop within 10 s is killed (a stop bounded within the wait).
    server = start_server(
        "runbolt", "--workers", "2", "--log-level", "info", "--shutdown-timeout", "10"
    )
    for _ in range(4):
        assert httpx.get(server.base_url + "/api/hello", timeout=5).status_code == 200
    server.signal(sig)
    assert server.wait() == 0
    output = server.output()
    assert "2 worker(s)" in output
    assert "Granian shutdown completed" in output
    assert "Bolt server stopped." in output
    assert "Traceback" not in output
    deadline = time.monotonic() + 10
    while server.group_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server.group_alive(), "a worker outlived the server"


def test_runbolt_kills_a_worker_stuck_in_shutdown(start_server: Callable[..., Server]) -> None:
    """A worker whose lifespan shutdown never ends is killed after ``--shutdown-timeout``
    seconds: a stuck worker does not keep the server (and a deploy) from stopping."""
    server = start_server(
        "runbolt", "--app", "tests.e2e.hanging_shutdown_app:app", "--shutdown-timeout", "1"
    )
    assert httpx.get(server.base_url + "/", timeout=5).text == "ok"
    began = time.monotonic()
    server.signal(signal.SIGTERM)
    server.wait()
    assert time.monotonic() - began < 10
    assert "refused to gracefully stop" in server.output()
    deadline = time.monotonic() + 10
    while server.group_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server.group_alive(), "a worker outlived the server"


def test_runbolt_reload_serves(start_server: Callable[..., Server]) -> None:
    server = start_server("runbolt", "--reload", "--threads", "2")
    assert httpx.get(server.base_url + "/api/hello", timeout=5).json() == {
        "message": "Hello, World!"
    }
    server.signal(signal.SIGTERM)
    assert server.wait() == 0


def test_runbolt_rejects_bad_flags(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "runbolt", "--workers", "0"],
        cwd=QUICKSTART,
        env=server_env(tmp_path / "db.sqlite3"),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert "--workers: must be at least 1, got 0" in result.stderr
