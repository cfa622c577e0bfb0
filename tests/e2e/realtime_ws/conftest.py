"""Serve ``ws_app`` on a real Granian (one or more workers), and a Redis of the test's own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Server, free_port, granian_cli
from tests.kernel.test_channels import RedisServer

TARGET = "tests.e2e.realtime_ws.ws_app:api"


@pytest.fixture
def serve_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """``serve_ws(*granian_flags, **env)`` -> a ready Granian serving ``ws_app``."""
    started: list[Server] = []

    def serve(*flags: str, **env: str) -> Server:
        port = free_port()
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("BOLT_", "DJANGO_"))}
        environ.update(PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **env)
        args = [*granian_cli(), "--interface", "asgi", "--host", "127.0.0.1"]
        args += ["--port", str(port), *flags, TARGET]
        log = tmp_path_factory.mktemp("ws-server") / "server.log"
        server = Server(args, environ, port, log)
        started.append(server)
        server.wait_ready()
        return server

    yield serve
    for server in started:
        server.stop()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is needed for the channel tests in CI")
        pytest.skip("redis-server is not installed")
    server = RedisServer(str(tmp_path))
    server.start()
    yield server.url
    server.stop()
