"""Catalogue G (cases 55-65): ORM faults over SQLite on real Granian.

Case 60: the CRUD plugin's PATCH writes the value the client sends (last writer wins, as
HTTP PATCH of a field does); an atomic ``qty += 1`` is a custom ``@action`` with ``F()``,
which is what is tested. ETags / ``If-Match`` are not supported by Bolt, so the 412 part
does not apply. Case 62 takes SQLite's write lock from the test process; deadlocks and
serialization failures are PostgreSQL-only and map to the same 503.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.e2e.reliability.helpers import (
    assert_clean_error,
    assert_validation,
    db_state,
    events,
)

pytestmark = pytest.mark.e2e


def count(db: Path, table: str = "relapp_item") -> int:
    return db_state(db)[table][0]


async def concurrently(base_url: str, requests: list[tuple[str, str, Any]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(requests))
    async with httpx.AsyncClient(base_url=base_url, timeout=20, limits=limits) as http:
        return await asyncio.gather(
            *(http.request(method, path, json=body) for method, path, body in requests)
        )


def test_case55_duplicate_unique_is_409_naming_the_field(client: httpx.Client, db: Path) -> None:
    before = db_state(db)
    response = client.post("/api/items", json={"name": "hammer"})
    body = assert_clean_error(response, 409)
    assert "name" in body["detail"]
    assert "hammer" not in body["detail"]  # the offending value is not echoed
    other = client.post("/api/items", json={"name": "dup-target"}).json()
    clash = client.patch(f"/api/items/{other['id']}", json={"name": "hammer"})
    assert_clean_error(clash, 409)
    client.delete(f"/api/items/{other['id']}")
    assert db_state(db)["relapp_item"][0] == before["relapp_item"][0]


def test_case56_twenty_concurrent_creates_one_wins(server: Server, db: Path) -> None:
    before = count(db)
    answers = asyncio.run(
        concurrently(server.base_url, [("POST", "/api/items", {"name": "race"})] * 20)
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] + [409] * 19, statuses
    for response in answers:
        if response.status_code == 409:
            assert_clean_error(response)
    assert count(db) == before + 1
    winner = next(r for r in answers if r.status_code == 201).json()["id"]
    assert httpx.delete(f"{server.base_url}/api/items/{winner}").status_code in (200, 204)


def test_case57_foreign_key_to_missing_row_is_422(client: httpx.Client, db: Path) -> None:
    before = db_state(db)
    for category in (987654, 2**62):
        errors = assert_validation(
            client.post("/api/items", json={"name": "orphan", "category": category})
        )
        assert errors[0]["loc"][:2] == ["body", "category"], errors
        assert_validation(client.patch("/api/items/1", json={"category": category}))
    assert db_state(db) == before


def test_case58_delete_missing_and_twice(client: httpx.Client, db: Path) -> None:
    assert_clean_error(client.delete("/api/items/987654"), 404)
    created = client.post("/api/items", json={"name": "to-delete"}).json()
    before = count(db)
    first = client.delete(f"/api/items/{created['id']}")
    assert first.status_code in (200, 204)
    assert_clean_error(client.delete(f"/api/items/{created['id']}"), 404)
    assert count(db) == before - 1


def test_case59_put_patch_missing_and_foreign_id(client: httpx.Client, db: Path) -> None:
    before = db_state(db)
    assert_clean_error(client.patch("/api/items/987654", json={"qty": 1}), 404)
    assert_clean_error(client.put("/api/items/987654", json={"name": "ghost"}), 404)
    assert_validation(client.patch("/api/items/1", json={"id": 2, "qty": 5}))
    assert_validation(client.put("/api/items/1", json={"id": 2, "name": "hammer"}))
    assert db_state(db) == before


def test_case60_fifty_concurrent_increments(server: Server, client: httpx.Client) -> None:
    item = client.post("/api/items", json={"name": "counter", "qty": 7}).json()
    path = f"/api/items/{item['id']}/bump"
    answers = asyncio.run(concurrently(server.base_url, [("POST", path, None)] * 50))
    assert [r.status_code for r in answers] == [200] * 50
    assert client.get(f"/api/items/{item['id']}").json()["qty"] == 57
    assert_clean_error(client.post("/api/items/987654/bump"), 404)
    client.delete(f"/api/items/{item['id']}")


def test_case61_database_unavailable_is_503_and_recovers(
    start_server: Callable[..., Server], seeded: dict[str, Any], tmp_path: Path
) -> None:
    missing = tmp_path / "not-yet" / "db.sqlite3"
    server = start_server(missing)
    for path in ("/api/items", "/api/items/1"):
        response = httpx.get(server.base_url + path, timeout=5)
        assert_clean_error(response, 503)
        assert int(response.headers["retry-after"]) >= 1
        assert str(missing) not in response.text
        assert "not-yet" not in response.text
    assert_clean_error(httpx.post(server.base_url + "/api/items", json={"name": "x"}), 503)
    # The database comes back: the same process serves it, no restart.
    missing.parent.mkdir()
    source = sqlite3.connect(seeded["db"])
    target = sqlite3.connect(missing)
    with target:
        source.backup(target)
    source.close()
    target.close()
    recovered = httpx.get(server.base_url + "/api/items/1", timeout=5)
    assert recovered.status_code == 200, recovered.text
    assert recovered.json()["name"] == "hammer"


def test_case62_locked_database_is_503_without_partial_write(
    client: httpx.Client, db: Path
) -> None:
    before = db_state(db)
    lock = sqlite3.connect(db, timeout=5, isolation_level=None)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        response = client.post("/api/items", json={"name": "while-locked"})
        assert_clean_error(response, 503)
        assert int(response.headers["retry-after"]) >= 1
        assert time.monotonic() - started < 5
        assert_clean_error(client.post("/api/items/1/bump"), 503)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert db_state(db) == before
    created = client.post("/api/items", json={"name": "after-lock"})
    assert created.status_code == 201
    client.delete(f"/api/items/{created.json()['id']}")


def test_case63_handler_raising_after_write_rolls_back(client: httpx.Client, db: Path) -> None:
    before = db_state(db)
    response = client.post("/api/flaky", json={"name": "half-written"})
    body = assert_clean_error(response, 500)
    assert body == {"detail": "Internal Server Error"}
    assert db_state(db) == before
    assert events(db, "flaky") == 0


def test_case64_disconnect_during_upload_creates_nothing(server: Server, db: Path) -> None:
    before = db_state(db)
    for sent in (b"", b'{"name": "half', b'{"name": "complete-but-short"}'):
        head = (
            b"POST /api/slow-upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(head + sent)
            time.sleep(0.2)
        time.sleep(0.2)
    assert db_state(db) == before
    ok = httpx.post(server.base_url + "/api/slow-upload", json={"name": "uploaded"}, timeout=5)
    assert ok.status_code == 201
    httpx.delete(f"{server.base_url}/api/items/{ok.json()['id']}", timeout=5)


def worker_fds(server: Server, needle: str) -> int:
    """How many open file descriptors of the server's processes point at ``needle``."""
    found = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) != server.proc.pid:
                continue
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if needle in os.readlink(f"/proc/{pid}/fd/{fd}"):
                    found += 1
        except OSError:
            continue
    return found


@pytest.mark.parametrize("path", ["/api/stream", "/api/stream-sync"])
def test_case65_disconnect_mid_stream_cancels_the_generator(
    server: Server, client: httpx.Client, path: str
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        received = b""
        while len(received) < 5 * 1024:
            received += sock.recv(65536)
        left_at = time.time()
    deadline = time.monotonic() + 3
    state = client.get("/api/stream-state").json()
    while state["closed_at"] is None and time.monotonic() < deadline:
        time.sleep(0.02)
        state = client.get("/api/stream-state").json()
    assert state["closed_at"] is not None, state
    assert state["finished"] is False
    assert state["closed_at"] - left_at < 0.5, state
    assert state["sent"] < 100, state


def test_case65_disconnect_mid_file_closes_it(server: Server, files_root: Path) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /api/files/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = sock.recv(4096)
        assert b"200 OK" in first
        time.sleep(0.3)
        assert worker_fds(server, "big.bin") >= 1  # the file is open while streaming
    deadline = time.monotonic() + 3
    while worker_fds(server, "big.bin") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker_fds(server, "big.bin") == 0
    started = time.monotonic()
    assert httpx.get(server.base_url + "/api/hello", timeout=5).status_code == 200
    assert time.monotonic() - started < 1
