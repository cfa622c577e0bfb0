"""Serving one app on Granian and loading it with wrk, both pinned to their own core.

The runner owns the processes it starts: each server runs in its own session so it can be
stopped by its process-group id, and nothing else is ever signalled.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GRANIAN = str(Path(sys.executable).with_name("granian"))


@dataclass(frozen=True)
class Endpoint:
    """One request shape: what wrk sends and what a correct answer looks like."""

    key: str
    method: str
    path: str
    status: int
    expect: Any
    body: bytes | None = None
    script: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Response headers that prove the feature under test ran (e.g. CORS, rate-limit).
    want_headers: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class App:
    """A served application: a Granian target plus the environment it needs."""

    name: str
    target: str
    endpoints: tuple[str, ...]
    interface: str = "asgi"
    env: dict[str, str] = field(default_factory=dict)
    granian_args: tuple[str, ...] = ()
    # A server other than Granian (django-bolt's own): its command, ``{port}`` filled in.
    command: tuple[str, ...] = ()
    python: str = sys.executable


@dataclass
class Settings:
    duration: float = 5.0
    warmup: float = 1.0
    rounds: int = 3
    connections: int = 64
    threads: int = 1
    server_cpu: str = "0"
    client_cpu: str = "1"
    startup_timeout: float = 30.0
    # "batch": the server runs under SCHED_BATCH (see docs/performance.md, "Method").
    sched: str = "batch"
    # Each endpoint's ``duration`` is measured in slices of this many whole seconds, the
    # app's endpoints taking turns (0: one piece per endpoint, one after another).
    slice: int = 1


class ServerError(RuntimeError):
    """The server did not start or answered wrongly; the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment for servers and checks: the repo on the path, no inherited Django
    settings module unless the app names one."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def request(
    port: int, ep: Endpoint, timeout: float = 5.0
) -> tuple[int, bytes, http.client.HTTPMessage]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = dict(ep.headers)
        if ep.body is not None:
            headers.setdefault("content-type", "application/json")
        conn.request(ep.method, ep.path, body=ep.body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), response.headers
    finally:
        conn.close()


def check(port: int, ep: Endpoint) -> None:
    """Fail unless the endpoint answers the expected status and JSON body."""
    status, raw, headers = request(port, ep)
    try:
        body = json.loads(raw)
    except ValueError:
        body = raw[:200]
    if callable(ep.expect):
        ok = status == ep.status and bool(ep.expect(body))
    else:
        ok = status == ep.status and (ep.expect is None or body == ep.expect)
    missing = [name for name in ep.want_headers if name not in headers]
    if missing:
        raise ServerError(f"{ep.label} answered without the header(s) {', '.join(missing)}")
    if not ok:
        raise ServerError(
            f"{ep.label} answered {status} {body!r}; expected {ep.status} {ep.expect!r}"
        )


class Server:
    """One Granian process serving ``app`` on a free loopback port, pinned to one core."""

    def __init__(self, app: App, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = ROOT / "bench" / "results" / f"server-{app.name}.log"

    def command(self) -> list[str]:
        pin = ["taskset", "-c", self.settings.server_cpu]
        if self.settings.sched == "batch":
            # Granian's I/O thread and its Python thread share the pinned core; under the
            # default policy each wake-up may preempt the running thread, and how often
            # grows with the Python work per request. SCHED_BATCH turns that off for all
            # apps alike, so per-request costs add up instead of being amplified.
            pin = ["chrt", "--batch", "0", *pin]
        if self.app.command:
            return pin + [part.replace("{port}", str(self.port)) for part in self.app.command]
        return [
            *pin,
            GRANIAN,
            "--interface",
            self.app.interface,
            "--workers",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            *self.app.granian_args,
            self.app.target,
        ]

    def start(self, probe: Endpoint) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=base_env(self.app.env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        deadline = time.monotonic() + self.settings.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"{self.app.name} exited at startup:\n{self.tail()}")
            try:
                request(self.port, probe, timeout=1.0)
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise ServerError(f"{self.app.name} did not answer within the startup timeout")

    def tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    @property
    def pgid(self) -> int | None:
        """The server's process group (its own session, so its pid)."""
        return self.proc.pid if self.proc is not None else None

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        # The server leads its own session; signal exactly that group (ours, by id).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


_TICK = os.sysconf("SC_CLK_TCK")


def _group_stats(pgid: int) -> Iterator[tuple[str, list[bytes]]]:
    """``(pid, fields after the command name)`` of ``/proc/<pid>/stat`` for every process
    in process group ``pgid``."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                raw = fh.read()
        except OSError:
            continue
        fields = raw[raw.rfind(b")") + 2 :].split()
        if int(fields[2]) == pgid:
            yield entry.name, fields


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of every process in process group ``pgid`` (the server and
    its Granian worker). Noise-resistant: a busy neighbour lowers requests/second but not
    the CPU each request costs."""
    total = sum(int(fields[11]) + int(fields[12]) for _, fields in _group_stats(pgid))
    return total / _TICK


def group_context_switches(pgid: int) -> int:
    """Voluntary + involuntary context switches of every thread in process group ``pgid``."""
    total = 0
    for pid, _ in _group_stats(pgid):
        try:
            for task in os.scandir(f"/proc/{pid}/task"):
                with open(f"{task.path}/status", "rb") as fh:
                    for line in fh:
                        if line.startswith((b"voluntary_ctxt", b"nonvoluntary_ctxt")):
                            total += int(line.split()[1])
        except OSError:
            continue
    return total


_REQUESTS = re.compile(r"(\d+) requests in")
_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_PERCENTILE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def combine(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One measurement from slices of equal length: requests and CPU summed (so CPU per
    request is total over total), requests/second averaged, latencies the slices' median."""
    requests = sum(p["requests"] for p in parts)

    def per_request(metric: str) -> float | None:
        if not requests or any(p[metric] is None for p in parts):
            return None
        return sum(p[metric] * p["requests"] for p in parts) / requests

    def middle(metric: str) -> float | None:
        values = [p[metric] for p in parts if p[metric] is not None]
        return statistics.median(values) if values else None

    return {
        "requests": requests,
        "cpu_us": per_request("cpu_us"),
        "switches_per_request": per_request("switches_per_request"),
        "rps": sum(p["rps"] for p in parts) / len(parts),
        "non2xx": sum(p["non2xx"] for p in parts),
        "socket_errors": sum(p["socket_errors"] for p in parts),
        "p50_ms": middle("p50_ms"),
        "p99_ms": middle("p99_ms"),
        "slices_rps": [round(p["rps"]) for p in parts],
    }


def wrk(
    port: int, ep: Endpoint, seconds: float, settings: Settings, pgid: int | None = None
) -> dict[str, Any]:
    """Run wrk against one endpoint; requests/second, error counts, latencies and, with the
    server's process group, the server CPU time per request."""
    cmd = [
        "taskset",
        "-c",
        settings.client_cpu,
        "wrk",
        "-t",
        str(settings.threads),
        "-c",
        str(settings.connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--latency",
    ]
    if ep.script:
        cmd += ["-s", str(ROOT / "bench" / ep.script)]
    for name, value in ep.headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{port}{ep.path}")
    cpu_before = group_cpu_seconds(pgid) if pgid else 0.0
    cs_before = group_context_switches(pgid) if pgid else 0
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=seconds + 30)
    cpu = group_cpu_seconds(pgid) - cpu_before if pgid else None
    switches = group_context_switches(pgid) - cs_before if pgid else None
    text = out.stdout
    match = _RPS.search(text)
    if out.returncode != 0 or match is None:
        raise ServerError(f"wrk failed on {ep.label}: {out.stderr.strip() or text.strip()}")
    non2xx = _NON2XX.search(text)
    errors = _ERRORS.search(text)
    lat = {p: float(v) * _UNIT[u] for p, v, u in _PERCENTILE.findall(text)}
    count = _REQUESTS.search(text)
    requests = int(count.group(1)) if count else 0
    return {
        "requests": requests,
        "cpu_us": cpu / requests * 1e6 if cpu is not None and requests else None,
        "switches_per_request": switches / requests if switches is not None and requests else None,
        "rps": float(match.group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
        "p50_ms": lat.get("50"),
        "p99_ms": lat.get("99"),
    }
