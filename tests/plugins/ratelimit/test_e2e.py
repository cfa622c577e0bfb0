"""End to end: real Granian with two workers and a real Redis; the limit holds globally.

With per-process buckets two workers would let through twice the burst. With the Redis
store the total allowed over the window ``t`` must stay at most ``burst + rps * t`` while
both workers serve requests — and a client rotating a spoofed ``X-Forwarded-For`` (the
socket peer, 127.0.0.1, is not a trusted proxy) gains nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.plugins.ratelimit.conftest import flush_limiter_keys, free_port

ROOT = Path(__file__).resolve().parents[3]
RPS = 5.0
BURST = 10
WINDOW = 3.0


class GranianServer:
    """``granian --workers 2`` serving ``e2e_app``, in a process group of its own."""

    def __init__(self, redis_url: str, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        script = Path(sys.executable).with_name("granian")
        cli = [str(script)] if script.exists() else [sys.executable, "-m", "granian"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOLT_")}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.settings",
            BOLT_RATELIMIT_STORE=redis_url,
            E2E_RPS=str(RPS),
            E2E_BURST=str(BURST),
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
        )
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [
                *cli,
                *("--interface", "asgi", "tests.plugins.ratelimit.e2e_app:api"),
                *("--host", "127.0.0.1", "--port", str(self.port), "--workers", "2"),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"granian exited early:\n{self.output()}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"granian did not become ready:\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the group of this server only
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        self._log.close()


@pytest.fixture
def server(redis_url: str, tmp_path: Path) -> Iterator[GranianServer]:
    flush_limiter_keys(redis_url, "bolt:rl:GET /limited:*")  # a previous run's buckets
    srv = GranianServer(redis_url, tmp_path / "granian.log")
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def serving_pids(url: str, timeout: float = 30.0) -> set[int]:
    """Worker pids seen over fresh connections, until both workers answered (the second
    one may still be starting when the first already serves)."""
    pids: set[int] = set()
    deadline = time.monotonic() + timeout
    with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=5) as c:
        while len(pids) < 2 and time.monotonic() < deadline:
            pids.add(c.get(url + "/health").json()["pid"])
            time.sleep(0.01)
    return pids


@pytest.mark.e2e
@pytest.mark.redis
def test_limit_holds_across_two_granian_workers(server: GranianServer) -> None:
    assert len(serving_pids(server.url)) == 2, "both workers should be serving"

    def flood(lane: int, deadline: float) -> list[tuple[int, str]]:
        seen: list[tuple[int, str]] = []
        limits = httpx.Limits(max_keepalive_connections=0)  # new connection each time
        with httpx.Client(limits=limits, timeout=5) as c:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                spoof = {"X-Forwarded-For": f"10.{lane}.{n // 250}.{n % 250}"}
                r = c.get(server.url + "/limited", headers=spoof)
                seen.append((r.status_code, r.headers["x-worker-pid"]))
        return seen

    start = time.monotonic()
    deadline = start + WINDOW
    with ThreadPoolExecutor(6) as pool:
        lanes = list(pool.map(lambda lane: flood(lane, deadline), range(6)))
    elapsed = time.monotonic() - start
    results = [item for lane in lanes for item in lane]
    allowed = [pid for status, pid in results if status == 200]
    refused = [pid for status, pid in results if status == 429]
    assert {status for status, _ in results} <= {200, 429}, server.output()
    # Both workers answered during the window, each with its own process...
    assert len({pid for _, pid in results}) == 2, "both workers should have served"
    # ...and together they let through no more than one bucket allows.
    assert len(allowed) <= BURST + RPS * elapsed, (len(allowed), elapsed)
    assert len(allowed) >= BURST
    assert refused, "the offered load should exceed the limit"
