"""Server-Sent Events, compression and conditional GET on a real Granian server.

Granian keeps accepting ``send()`` after a client has gone, so only the response listening
for ``http.disconnect`` can stop a stream: these tests disconnect real sockets and read the
side-channel file the generator's ``finally`` block writes.
"""

from __future__ import annotations

import gzip
import re
import socket
import time
from pathlib import Path

import brotli
import httpx
import pytest
import zstandard

from tests.e2e.conftest import Server

pytestmark = [pytest.mark.e2e]


def open_stream(server: Server, path: str, *headers: str) -> tuple[socket.socket, bytes]:
    """A raw connection that sent ``GET path`` and read up to the first event."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    sock.sendall("\r\n".join(lines).encode())
    data = b""
    while not re.search(rb"data: [^\n]*\n\n", data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return sock, data


def wait_for(path: Path, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return float(path.read_text())
        time.sleep(0.02)
    return None


def test_event_stream_headers_events_and_pings(realtime: tuple[Server, Path]) -> None:
    server, _ = realtime
    with (
        httpx.Client(base_url=server.base_url, timeout=5) as client,
        client.stream("GET", "/events/headers", headers={"Last-Event-ID": "41"}) as r,
    ):
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert r.headers["cache-control"] == "no-cache"
        assert r.headers["x-accel-buffering"] == "no"
        assert "content-encoding" not in r.headers
        seen: list[str] = []
        for line in r.iter_lines():
            seen.append(line)
            if line == 'data: {"n":43}':
                break
    assert seen[:3] == ["id: 42", 'data: {"n":42}', ""]
    assert ": ping" in seen  # 0.5 s between events, a ping every 0.2 s


@pytest.mark.parametrize("path", ["/events/async-gone", "/sync-events/sync-gone"])
def test_disconnect_runs_the_generator_finally_within_a_second(
    realtime: tuple[Server, Path], path: str
) -> None:
    server, channel = realtime
    marker = channel / path.rsplit("/", 1)[1]
    sock, data = open_stream(server, path)
    assert b" 200 " in data.split(b"\r\n", 1)[0]
    assert b'data: {"n":1}' in data
    assert not marker.exists()
    sock.close()
    closed_at = time.time()
    ran_at = wait_for(marker, 3.0)
    assert ran_at is not None, "the generator's finally block never ran"
    assert ran_at - closed_at < 1.0
    assert httpx.get(server.base_url + "/api/hello", timeout=5).status_code == 200


def test_many_abandoned_streams_leave_the_worker_responsive(
    realtime: tuple[Server, Path],
) -> None:
    server, channel = realtime
    socks = [open_stream(server, f"/events/many-{i}")[0] for i in range(20)]
    for sock in socks:
        sock.close()
    for i in range(20):
        assert wait_for(channel / f"many-{i}", 3.0) is not None, i
    started = time.monotonic()
    assert httpx.get(server.base_url + "/big", timeout=5).status_code == 200
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    ("accept", "coding"), [("gzip", "gzip"), ("br", "br"), ("zstd", "zstd"), ("identity", None)]
)
def test_compressed_bodies(realtime: tuple[Server, Path], accept: str, coding: str | None) -> None:
    server, _ = realtime
    identity = httpx.get(server.base_url + "/big", headers={"Accept-Encoding": "identity"})
    with httpx.stream(
        "GET", server.base_url + "/big", headers={"Accept-Encoding": accept}, timeout=5
    ) as r:
        body = b"".join(r.iter_raw())
        assert r.headers.get("content-encoding") == coding
        assert r.headers["vary"] == "Accept-Encoding"
        assert int(r.headers["content-length"]) == len(body)
    decoded = {
        "gzip": gzip.decompress,
        "br": brotli.decompress,
        "zstd": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b),
        None: lambda b: b,
    }[coding](body)
    assert decoded == identity.content


@pytest.mark.parametrize(
    "accept", ["gzip;q=banana", "*;q=0", ";;;", "br;q=1e999", "gzip, " + "x;q=0.5, " * 2000 + "br"]
)
def test_malformed_accept_encoding_is_identity(realtime: tuple[Server, Path], accept: str) -> None:
    server, _ = realtime
    r = httpx.get(server.base_url + "/big", headers={"Accept-Encoding": accept}, timeout=5)
    assert r.status_code == 200
    assert "content-encoding" not in r.headers
    assert r.json()["items"][0] == {"id": 0, "name": "item 0"}


def test_conditional_get(realtime: tuple[Server, Path]) -> None:
    server, _ = realtime
    first = httpx.get(server.base_url + "/tagged", timeout=5)
    tag = first.headers["etag"]
    assert tag.startswith('W/"')
    again = httpx.get(server.base_url + "/tagged", headers={"If-None-Match": tag}, timeout=5)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    huge = ", ".join(['"x"'] * 3000)
    r = httpx.get(server.base_url + "/tagged", headers={"If-None-Match": huge}, timeout=5)
    assert r.status_code == 200
