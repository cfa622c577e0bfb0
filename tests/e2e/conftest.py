"""Start real Granian servers for the end-to-end tests.

Each server runs the quick-start project (``examples/quickstart``) in its own process group
with its own SQLite file, bound to 127.0.0.1 on a free port. A server counts as ready when
``GET /api/hello`` answers 200; it is stopped by signalling its own process group, so no
worker outlives the test.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(db_path: Path) -> dict[str, str]:
    """The environment of a quick-start server: its own settings, database and no debug."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOLT_")}
    env.update(
        DJANGO_SETTINGS_MODULE="quickstart.settings",
        DJANGO_DEBUG="0",
        QUICKSTART_DB=str(db_path),
        PYTHONPATH=os.pathsep.join(
            p for p in (str(QUICKSTART), str(ROOT), os.environ.get("PYTHONPATH")) if p
        ),
        PYTHONUNBUFFERED="1",
    )
    return env


def granian_cli() -> list[str]:
    """The ``granian`` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("granian")
    return [str(script)] if script.exists() else [sys.executable, "-m", "granian"]


class Server:
    """One running server process (and its workers) in a process group of its own."""

    def __init__(
        self, args: list[str], env: dict[str, str], port: int, log: Path, cwd: Path = QUICKSTART
    ) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        """Poll until the API answers; fail with the server's output if it never does."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode}:\n{self.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + "/api/hello", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"server not ready after {READY_TIMEOUT} s:\n{self.output()}")

    def signal(self, sig: int) -> None:
        """Signal the main process only, as Ctrl-C or a process manager would."""
        self.proc.send_signal(sig)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        return self.proc.wait(timeout=timeout)

    def group_alive(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        """Terminate the whole process group, then kill whatever is left."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)
        # Workers of a stopped main process must not linger either.
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.group_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.group_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()


def command(kind: str, port: int, *flags: str) -> list[str]:
    """The command line that serves the quick start: ``runbolt`` or the ``granian`` CLI."""
    if kind == "runbolt":
        return [sys.executable, "manage.py", "runbolt", "--port", str(port), *flags]
    return [
        *granian_cli(),
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *flags,
        "quickstart.asgi:application",
    ]


@pytest.fixture(scope="session")
def quickstart_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database for the quick start, private to this test worker."""
    db = tmp_path_factory.mktemp("quickstart") / "db.sqlite3"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=QUICKSTART,
        env=server_env(db),
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    return db


@pytest.fixture
def start_server(
    quickstart_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Server]]:
    """A factory: ``start_server(kind, *flags)`` starts ``runbolt`` or the ``granian`` CLI
    and returns the ready ``Server``; every server is stopped when the test ends."""
    started: list[Server] = []

    def start(kind: str, *flags: str) -> Server:
        port = free_port()
        log = tmp_path_factory.mktemp("server") / "server.log"
        server = Server(command(kind, port, *flags), server_env(quickstart_db), port, log)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module", params=["granian-cli", "runbolt"])
def server(
    request: pytest.FixtureRequest,
    quickstart_db: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """The quick start served once by the ``granian`` CLI and once by ``runbolt``."""
    port = free_port()
    log = tmp_path_factory.mktemp(request.param) / "server.log"
    srv = Server(command(request.param, port), server_env(quickstart_db), port, log)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()
