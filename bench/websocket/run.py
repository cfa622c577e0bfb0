"""WebSocket echo throughput and memory per idle connection, one Granian worker each.

``python -m bench.websocket.run`` prints messages/s (C clients, each sending and awaiting
its echo in turn, for D seconds) and the RSS growth per idle connection (N connections).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[2]
APPS = {"bolt": "bolt_app", "starlette": "starlette_app", "litestar": "litestar_app"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(app: str, port: int) -> subprocess.Popen[bytes]:
    granian = str(Path(sys.executable).with_name("granian"))
    args = [granian, "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", "1", "--log-level", "warning", f"bench.websocket.apps:{APPS[app]}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(args, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            time.sleep(0.5)
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{app} did not start")


def worker_rss_kib(main_pid: int) -> int:
    """RSS of the worker (the child of Granian's main process)."""
    out = subprocess.run(["ps", "-o", "pid=,ppid=,rss="], capture_output=True, text=True).stdout
    return sum(
        int(r) for p, pp, r in (line.split() for line in out.splitlines()) if int(pp) == main_pid
    )


async def echo_rate(url: str, clients: int, seconds: float) -> float:
    count = 0
    stop = time.monotonic() + seconds

    async def one() -> None:
        nonlocal count
        async with connect(url, compression=None) as ws:
            while time.monotonic() < stop:
                await ws.send("hello, echo")
                await ws.recv()
                count += 1

    await asyncio.gather(*(one() for _ in range(clients)))
    return count / seconds


async def idle_memory(url: str, n: int, main_pid: int) -> float:
    before = worker_rss_kib(main_pid)
    sockets = []
    for i in range(0, n, 100):
        sockets += await asyncio.gather(
            *(connect(url, compression=None, ping_interval=None) for _ in range(min(100, n - i)))
        )
    await asyncio.sleep(2)
    after = worker_rss_kib(main_pid)
    await asyncio.gather(*(ws.close() for ws in sockets))
    return (after - before) * 1024 / n


def main() -> None:
    clients, seconds, idle = 32, 8.0, 2000
    for app in sys.argv[1:] or list(APPS):
        port = free_port()
        proc = start(app, port)
        try:
            url = f"ws://127.0.0.1:{port}/ws"
            asyncio.run(echo_rate(url, clients, 2))  # warm-up
            rate = asyncio.run(echo_rate(url, clients, seconds))
            per_conn = asyncio.run(idle_memory(url, idle, proc.pid))
            print(f"{app:10s} echo {rate:9.0f} msg/s   idle {per_conn / 1024:6.1f} KiB/conn")
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(10)


if __name__ == "__main__":
    main()
