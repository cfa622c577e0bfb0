"""Serve ``realtime_app.py`` on a real Granian process for the SSE, compression and
conditional GET tests. The app writes side-channel files into ``REALTIME_DIR`` (when an
event stream's ``finally`` ran), so a test can tell what the server did after a client left.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Server, free_port, granian_cli


@pytest.fixture(scope="module")
def realtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """``(server, side-channel directory)``; one Granian worker, stopped after the module."""
    workdir = tmp_path_factory.mktemp("realtime")
    channel = workdir / "channel"
    channel.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOLT_", "DJANGO_"))}
    env.update(
        REALTIME_DIR=str(channel),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        PYTHONUNBUFFERED="1",
    )
    args = [
        *granian_cli(),
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "tests.e2e.realtime.realtime_app:api",
    ]
    server = Server(args, env, port, workdir / "log")
    server.wait_ready()
    yield server, channel
    server.stop()
