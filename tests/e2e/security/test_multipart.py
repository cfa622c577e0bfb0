"""Multipart attacks on a real Granian server (``multipart_app.py``).

The attacker floods a form route with a 10 MiB body of tiny parts, sends hostile framing
(junk, no boundary, huge part headers, unterminated bodies, nameless parts, non-UTF-8
fields), crosses each limit, and sends path-like file names. The worker's memory stays
within about twice the body, every answer is a clean JSON 400 or 413, the event loop keeps
answering while a big form is parsed, and file names come back as bare base names.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.e2e.reliability.helpers import assert_clean_error

pytestmark = [pytest.mark.e2e]

MiB = 1024 * 1024
CTYPE = "multipart/form-data; boundary=XB"
TINY = b'--XB\r\nContent-Disposition: form-data; name="tags"\r\n\r\nx\r\n'


def field(name: str, value: bytes) -> bytes:
    return f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value


def file(name: str, filename: str, content: bytes) -> bytes:
    head = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n\r\n'
    return head.encode() + content


def multipart(*parts: bytes, closed: bool = True) -> bytes:
    body = b"".join(b"--XB\r\n" + part + b"\r\n" for part in parts)
    return body + (b"--XB--\r\n" if closed else b"")


def tiny_parts(size: int) -> bytes:
    return multipart(field("title", b"t"), closed=False) + TINY * (size // len(TINY)) + b"--XB--"


def post(client: httpx.Client, body: bytes, ctype: str = CTYPE) -> httpx.Response:
    return client.post("/api/upload", content=body, headers={"content-type": ctype})


@pytest.fixture(scope="module")
def server(serve_app: Any) -> Server:
    return serve_app("tests.e2e.security.multipart_app:api")


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        yield c


def workers(server: Server) -> list[int]:
    """Every process below the server's main process (Granian's workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, frontier = [], [server.proc.pid]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        found.extend(children)
        frontier.extend(children)
    return found


def memory_kib(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0])
    return out


def reset_peak(pid: int) -> bool:
    """Make VmHWM start again from the current RSS (Linux ``clear_refs`` 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def test_a_flood_of_tiny_parts_keeps_worker_memory_bounded(
    client: httpx.Client, server: Server
) -> None:
    ok = post(client, multipart(field("title", b"warm"), file("doc", "w.txt", b"warm")))
    assert ok.status_code == 200, ok.text
    pids = workers(server)
    assert pids, "no Granian worker process found"
    before = {}
    for pid in pids:
        reset_peak(pid)
        before[pid] = memory_kib(pid)
    body = tiny_parts(10 * MiB)
    assert len(body) > 10 * MiB
    response = post(client, body)
    assert_clean_error(response, 413)
    assert response.json() == {"detail": "Multipart body has more than 1000 parts"}
    growth = max(memory_kib(pid)["VmHWM"] - before[pid]["VmHWM"] for pid in pids) * 1024
    # The body is read (Granian's chunks and their join: 2x), then parsing adds almost
    # nothing before the part limit refuses it (about 2.1x measured). Splitting every part
    # out before counting them cost about 3x.
    assert growth < 2.6 * len(body), f"worker peak grew by {growth / MiB:.1f} MiB"
    # And it stays usable.
    assert post(client, multipart(field("title", b"after"))).json()["title"] == "after"


def test_a_big_file_costs_one_copy(client: httpx.Client, server: Server) -> None:
    content = os.urandom(10 * MiB)
    pids = workers(server)
    before = {}
    for pid in pids:
        reset_peak(pid)
        before[pid] = memory_kib(pid)
    response = post(client, multipart(field("title", b"big"), file("doc", "big.bin", content)))
    assert response.status_code == 200, response.text
    assert response.json()["size"] == 10 * MiB
    growth = max(memory_kib(pid)["VmHWM"] - before[pid]["VmHWM"] for pid in pids) * 1024
    # Reading the body costs 2x (Granian's chunks, then their join) and the file's one copy
    # out of the body 1x more: 2.2x measured on a fresh worker, 3x after the flood above
    # (memory the allocator kept). Copying the body, then each part out of it, then each
    # part's content out of that cost 4.1x to 4.9x.
    assert growth < 3.6 * len(content), f"worker peak grew by {growth / MiB:.1f} MiB"


BAD_400 = {
    "junk-before-boundary": (CTYPE, b"junk" + multipart(field("title", b"t"))),
    "no-boundary-in-body": (CTYPE, b"no boundary here at all"),
    "missing-boundary-param": ("multipart/form-data", multipart(field("title", b"t"))),
    "huge-part-header": (
        CTYPE,
        multipart(b"X-Pad: " + b"a" * 40_000 + b"\r\n" + field("title", b"t")),
    ),
    "unterminated-body": (CTYPE, multipart(field("title", b"t"), closed=False)),
    "part-without-name": (CTYPE, multipart(b"Content-Disposition: form-data\r\n\r\nx")),
    "non-utf8-field": (CTYPE, multipart(field("title", b"caf\xe9 \xff"))),
    "header-without-colon": (CTYPE, multipart(b"garbage\r\n\r\nx")),
}


@pytest.mark.parametrize(("ctype", "body"), list(BAD_400.values()), ids=list(BAD_400))
def test_malformed_bodies_are_clean_400s(client: httpx.Client, ctype: str, body: bytes) -> None:
    assert_clean_error(post(client, body, ctype), 400)


BAD_413 = {
    "too-many-parts": (multipart(*[field("tags", b"x")] * 1001), "more than 1000 parts"),
    "field-over-1-KiB": (multipart(field("title", b"x" * 1025)), "exceeds 1024 bytes"),
    "file-over-12-MiB": (
        multipart(field("title", b"t"), file("doc", "f.bin", b"\0" * (12 * MiB + 1))),
        "exceeds 12582912 bytes",
    ),
    "body-over-16-MiB": (multipart(file("doc", "f.bin", b"\0" * (16 * MiB))), "exceeds"),
}


@pytest.mark.parametrize(("body", "detail"), list(BAD_413.values()), ids=list(BAD_413))
def test_bodies_over_a_limit_are_clean_413s(client: httpx.Client, body: bytes, detail: str) -> None:
    data = assert_clean_error(post(client, body), 413)
    assert detail in data["detail"]


def test_file_names_are_base_names(client: httpx.Client) -> None:
    for raw, clean in [
        ("../../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("a\x00b.txt", "ab.txt"),
        ("..", ""),
    ]:
        response = post(client, multipart(field("title", b"t"), file("doc", raw, b"x")))
        assert response.status_code == 200, response.text
        assert response.json()["filename"] == clean
        assert response.json()["raw_filename"] == raw


def test_the_event_loop_answers_while_a_big_form_is_parsed(serve_app: Any) -> None:
    lax = serve_app(
        "tests.e2e.security.multipart_app:api",
        MULTIPART_APP_PARTS="10000000",
        MULTIPART_APP_FIELDS="10000000",
    )
    body = tiny_parts(10 * MiB)
    with httpx.Client(base_url=lax.base_url, timeout=60) as client:
        started = time.monotonic()
        assert post(client, body).json()["tags"] > 100_000
        took = time.monotonic() - started
        assert took > 0.5, f"parsed in {took:.2f} s: too quick for this test to mean much"

        finished: list[float] = []

        def upload() -> None:
            with httpx.Client(base_url=lax.base_url, timeout=60) as other:
                assert post(other, body).status_code == 200
            finished.append(time.monotonic())

        thread = threading.Thread(target=upload)
        thread.start()
        time.sleep(took / 3)
        latencies = []
        for _ in range(3):
            sent = time.monotonic()
            assert client.get("/api/hello").status_code == 200
            latencies.append(time.monotonic() - sent)
        answered = time.monotonic()
        thread.join()
    assert answered < finished[0], "the pings waited for the parse to end"
    assert max(latencies) < took / 3, latencies
