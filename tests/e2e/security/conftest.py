"""Serve a test app module of this package on a real Granian process.

Each security module defines its own ``api`` (a ``BoltAPI`` with a ``/api/hello`` route, which
the readiness check polls) in ``tests/e2e/security/<name>_app.py`` and starts it with the
``serve_app`` fixture. The database is the reliability harness's seeded SQLite file (users
``admin``, ``alice``, ``bob``, ... and the ``relapp`` tables), copied per server so a test may
change rows freely.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server, free_port, granian_cli
from tests.e2e.reliability.conftest import (  # noqa: F401  (fixtures used by this package)
    files_root,
    reliability_env,
    seeded,
)


@pytest.fixture(scope="module")
def serve_app(
    seeded: dict[str, Any],  # noqa: F811
    files_root: Path,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Server]]:
    """``serve_app("tests.e2e.security.auth_app:api", **env)`` -> a ready ``Server`` on
    127.0.0.1 with its own copy of the seeded database; stopped at the end of the module."""
    started: list[Server] = []

    def serve(target: str, *flags: str, **env: str) -> Server:
        workdir = tmp_path_factory.mktemp("security-server")
        db = workdir / "db.sqlite3"
        shutil.copyfile(seeded["db"], db)
        port = free_port()
        args = [
            *granian_cli(),
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *flags,
            target,
        ]
        server = Server(args, reliability_env(db, files_root, **env), port, workdir / "log")
        server.db = db  # type: ignore[attr-defined]
        started.append(server)
        server.wait_ready()
        return server

    yield serve
    for server in started:
        server.stop()
