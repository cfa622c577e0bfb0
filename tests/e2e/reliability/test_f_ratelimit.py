"""Catalogue F (cases 50-54): rate limiting on real Granian.

Case 53 (100k distinct keys, memory bounded) is not run black-box: every request of the
harness comes from 127.0.0.1, so distinct buckets would need 100k requests through a trusted
proxy, far over the time budget; the memory store's LRU bound (``BOLT_RATELIMIT_MAX_KEYS``)
is tested in ``tests/plugins/ratelimit``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server, free_port
from tests.e2e.reliability.common import RATE_BURST, XFF_BURST
from tests.e2e.reliability.helpers import assert_clean_error, events

pytestmark = pytest.mark.e2e


def test_case50_burst_plus_one_is_429_and_handler_did_not_run(
    client: httpx.Client, db: Path
) -> None:
    before = events(db, "limited")
    answers = [client.post("/api/limited") for _ in range(RATE_BURST + 1)]
    passed = [r for r in answers if r.status_code == 201]
    refused = [r for r in answers if r.status_code == 429]
    assert len(passed) + len(refused) == len(answers), [r.status_code for r in answers]
    assert 1 <= len(passed) <= RATE_BURST
    assert answers[-1].status_code == 429
    for response in refused:
        body = assert_clean_error(response, 429)
        assert int(response.headers["retry-after"]) >= 1
        assert body["retry_after"] >= 1
    assert events(db, "limited") == before + len(passed)


def test_case51_rotating_spoofed_forwarded_for_is_still_limited(client: httpx.Client) -> None:
    statuses = []
    for i in range(XFF_BURST + 8):
        spoof = {
            "x-forwarded-for": f"203.0.113.{i}",
            "forwarded": f"for=198.51.100.{i}",
            "x-real-ip": f"192.0.2.{i}",
        }
        statuses.append(client.get("/api/limited-xff", headers=spoof).status_code)
    assert statuses.count(200) <= XFF_BURST, statuses
    assert statuses[-5:] == [429] * 5, statuses


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A private redis-server on a free port, in its own process group."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            break
        time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def test_case52_four_workers_share_one_limit_through_redis(
    start_server: Callable[..., Server], seeded: dict[str, Any], redis_url: str
) -> None:
    server = start_server(seeded["db"], "--workers", "4", BOLT_RATELIMIT_STORE=redis_url)
    started = time.monotonic()
    statuses = []
    for _ in range(40):
        # a fresh connection each time, so requests spread over the workers
        statuses.append(httpx.get(server.base_url + "/api/limited-xff", timeout=5).status_code)
    elapsed = time.monotonic() - started
    allowed = statuses.count(200)
    assert set(statuses) <= {200, 429}, statuses
    assert 1 <= allowed <= XFF_BURST + 0.2 * elapsed + 1, (allowed, elapsed)


def test_case54_limiter_store_down_is_503_never_500(
    start_server: Callable[..., Server], seeded: dict[str, Any]
) -> None:
    dead = f"redis://:hunter2-store-password@127.0.0.1:{free_port()}/0"
    closed = start_server(seeded["db"], BOLT_RATELIMIT_STORE=dead)
    for _ in range(3):
        response = httpx.get(closed.base_url + "/api/limited-xff", timeout=5)
        assert_clean_error(response, 503)
        assert int(response.headers["retry-after"]) >= 1
        assert "hunter2" not in response.text
        assert "redis" not in response.text.lower()
    assert httpx.get(closed.base_url + "/api/hello", timeout=5).status_code == 200
    assert "hunter2" not in closed.output()
    fail_open = start_server(
        seeded["db"], BOLT_RATELIMIT_STORE=dead, BOLT_RATELIMIT_FAIL_OPEN="true"
    )
    statuses = [
        httpx.get(fail_open.base_url + "/api/limited-xff", timeout=5).status_code
        for _ in range(XFF_BURST + 3)
    ]
    assert statuses == [200] * (XFF_BURST + 3)


def test_case51_behind_a_trusted_proxy_the_rightmost_address_counts(
    start_server: Callable[..., Server], seeded: dict[str, Any]
) -> None:
    """The proxy (127.0.0.1) appends the client it saw; what the client wrote on the left
    changes nothing, and a different real client still has its own bucket."""
    server = start_server(seeded["db"], BOLT_TRUSTED_PROXIES='["127.0.0.1"]')
    url = server.base_url + "/api/limited-xff"
    statuses = [
        httpx.get(url, headers={"x-forwarded-for": f"10.9.{i}.1, 198.51.100.7"}).status_code
        for i in range(XFF_BURST + 5)
    ]
    assert statuses.count(200) == XFF_BURST, statuses
    assert statuses[-5:] == [429] * 5
    spoofed_last = httpx.get(url, headers={"x-forwarded-for": "198.51.100.7, 127.0.0.1"})
    assert spoofed_last.status_code == 429  # a trusted hop is skipped, not trusted as client
    other = httpx.get(url, headers={"x-forwarded-for": "198.51.100.7, 198.51.100.8"})
    assert other.status_code == 200
    junk = httpx.get(url, headers={"x-forwarded-for": "not-an-ip, ::::, 999.1.1.1"})
    assert junk.status_code in (200, 429)
    assert junk.headers["content-type"].startswith("application/json")
