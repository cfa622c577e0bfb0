"""Fixtures of the reliability harness: a seeded SQLite file, a file root with traps, and a
real Granian server in its own process group (reusing ``tests.e2e.conftest.Server``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ROOT, Server, free_port, granian_cli

HEADER_READ_TIMEOUT_MS = 2000


def reliability_env(db: Path, files: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOLT_", "RELIABILITY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.e2e.reliability.settings",
        RELIABILITY_DB=str(db),
        RELIABILITY_FILES=str(files),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def seed(db: Path, files: Path) -> dict[str, Any]:
    """Create tables and rows in ``db``; return the ids of the seeded rows."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.e2e.reliability.seed"],
        cwd=ROOT,
        env=reliability_env(db, files),
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def start(db: Path, files: Path, log: Path, *flags: str, **env: str) -> Server:
    port = free_port()
    args = [
        *granian_cli(),
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--http1-header-read-timeout",
        str(HEADER_READ_TIMEOUT_MS),
        *flags,
        "tests.e2e.reliability.app:api",
    ]
    return Server(args, reliability_env(db, files, **env), port, log)


@pytest.fixture(scope="session")
def files_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The only directory FileResponse may serve, plus traps around it."""
    base = tmp_path_factory.mktemp("reliability-files")
    root = base / "public"
    root.mkdir()
    (root / "data.bin").write_bytes(bytes(range(256)) * 4)
    with (root / "big.bin").open("wb") as big:  # sparse: 256 MB on disk costs nothing
        big.truncate(256 * 1024 * 1024)
    (root / "sub").mkdir()
    (root / "sub" / "inner.txt").write_text("inner")
    (base / "secret.txt").write_text("outside the root")
    (root / "escape").symlink_to(base / "secret.txt")
    return root


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, files_root: Path) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("reliability-db") / "db.sqlite3"
    ids = seed(db, files_root)
    ids["db"] = db
    return ids


@pytest.fixture(scope="session")
def server(
    seeded: dict[str, Any], files_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("reliability-log") / "server.log"
    srv = start(seeded["db"], files_root, log)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def start_server(
    files_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Server]]:
    """Start another server (own database path, flags and environment); stopped after."""
    started: list[Server] = []

    def run(db: Path, *flags: str, ready: bool = True, **env: str) -> Server:
        log = tmp_path_factory.mktemp("reliability-extra") / "server.log"
        srv = start(db, files_root, log, *flags, **env)
        started.append(srv)
        if ready:
            srv.wait_ready()
        return srv

    yield run
    for srv in started:
        srv.stop()


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield http


@pytest.fixture
def db(seeded: dict[str, Any]) -> Path:
    path: Path = seeded["db"]
    return path
