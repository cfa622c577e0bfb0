"""Fixtures for the rate-limit tests: small APIs, clients with chosen peer addresses, Redis.

Redis tests read ``BOLT_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``). When that
server is unreachable they are skipped locally but fail when ``CI=true``, so CI never passes
by silently skipping them. Tests that need a server they can stop start their own
``redis-server`` on a free port.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bolt import BoltAPI, hookimpl
from bolt.conf import env_flag
from bolt.middleware import PHASE_AUTH, Middleware
from bolt.testing import TestClient

REDIS_URL = os.environ.get("BOLT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FakeAuth:
    """A stand-in authentication step (phase 200): ``X-Test-User: <id>`` authenticates as
    that user id and ``X-Api-Key: <key>`` as an API key; it only sets ``request.auth``, so
    these tests can exercise ``key="user"`` / ``key="api_key"`` without the auth plugin."""

    __name__ = "fake_auth"

    @hookimpl
    def bolt_route_middleware(self, api: Any, route: Any) -> Middleware:
        def wrap(next_handler: Any) -> Any:
            async def authenticate(request: Any) -> Any:
                user = request.headers.get("x-test-user")
                key = request.headers.get("x-api-key")
                if user:
                    request.auth = {"user_id": int(user), "backend": "test"}
                elif key and key.startswith("valid-"):
                    request.auth = {"user_id": None, "backend": "api_key"}
                    request.state["auth.credential_id"] = key  # as a key backend does
                return await next_handler(request)

            return authenticate

        return Middleware(PHASE_AUTH, wrap, "fake_auth", optional=False)


def with_peer(app: Any, host: str) -> Any:
    """The ASGI app as seen from socket peer ``host`` (the test client's is 127.0.0.1)."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": (host, 40000)}
        await app(scope, receive, send)

    return asgi


def freeze_clock(api: BoltAPI) -> None:
    """Give ``api`` a memory store whose clock stands still, so "burst, then 429" holds
    however slowly the test machine sends requests (no refill between them)."""
    from bolt_plugins.ratelimit import MemoryStore

    api.state["ratelimit"].store = MemoryStore(1000, clock=lambda: 1_000_000_000)


@pytest.fixture
def make_api() -> Callable[..., BoltAPI]:
    def build(*names: str) -> BoltAPI:
        return BoltAPI(plugins=[*(names or ("cors", "ratelimit")), FakeAuth()])

    return build


@pytest.fixture
def api(make_api: Callable[..., BoltAPI]) -> BoltAPI:
    return make_api()


@pytest.fixture
def client(api: BoltAPI) -> Iterator[TestClient]:
    c = TestClient(api)
    yield c
    c.close()


@pytest.fixture
def peer_client(api: BoltAPI) -> Iterator[Callable[[str], TestClient]]:
    """``peer_client("10.0.0.1")``: a client whose requests come from that socket peer."""
    made: list[TestClient] = []

    def make(host: str) -> TestClient:
        c = TestClient(with_peer(api, host))
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a CI run must never pass by skipping Redis tests."""
    if env_flag("CI"):
        pytest.fail(f"{reason} (CI=true: Redis tests must run in CI)")
    pytest.skip(reason)


def flush_limiter_keys(url: str, pattern: str) -> None:
    """Delete the limiter keys matching ``pattern`` (only a test's own: others may be
    running against the same Redis in parallel)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def redis_url() -> str:
    """The URL of the shared test Redis (tests keep to keys of their own)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:
        unavailable(f"Redis at {REDIS_URL} is unreachable ({exc}); set BOLT_TEST_REDIS_URL")
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OwnRedis:
    """A ``redis-server`` this test owns, so it can stop and restart it."""

    def __init__(self, binary: str, port: int) -> None:
        self.binary = binary
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except Exception:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )
    if binary is None:
        unavailable("redis-server is not installed (apt-get install -y redis-server)")
    server = OwnRedis(binary, free_port())  # type: ignore[arg-type]
    server.start()
    yield server
    server.stop()
