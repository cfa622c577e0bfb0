"""Server-Sent Events throughput: Bolt vs Starlette (sse-starlette) vs Litestar on Granian.

    python bench/sse.py                    # 200000 events per stream, 3 rounds
    python bench/sse.py -n 500000 -r 5
    PEERS=/path/to/site-packages python bench/sse.py   # where starlette & co are installed

Each app streams ``-n`` events ``data: {"n": i}`` as fast as its generator can yield (no
sleep, keep-alive pings left at their defaults) to one client reading a raw socket; the
number is events received per second. Granian runs one worker pinned to CPU 0, the client
on CPU 1. A peer whose packages are missing is left out. Not a pytest test.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
N_DEFAULT = 200_000


def _count() -> int:
    return int(os.environ.get("SSE_EVENTS", N_DEFAULT))


def _bolt() -> Any:
    from bolt import BoltAPI, EventSourceResponse

    api = BoltAPI(plugins=[])

    @api.get("/hello")
    async def hello() -> dict[str, str]:
        return {"ok": "yes"}

    @api.get("/events")
    async def events() -> EventSourceResponse:
        n = _count()

        async def gen() -> Any:
            for i in range(n):
                yield {"n": i}

        return EventSourceResponse(gen())

    return api


def _starlette() -> Any:
    import json

    from sse_starlette.sse import EventSourceResponse
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(request: Any) -> JSONResponse:
        return JSONResponse({"ok": "yes"})

    async def events(request: Any) -> EventSourceResponse:
        n = _count()

        async def gen() -> Any:
            for i in range(n):
                yield {"data": json.dumps({"n": i}, separators=(",", ":"))}

        return EventSourceResponse(gen())

    return Starlette(routes=[Route("/hello", hello), Route("/events", events)])


def _litestar() -> Any:
    import msgspec
    from litestar import Litestar, get
    from litestar.response import ServerSentEvent

    @get("/hello")
    async def hello() -> dict[str, str]:
        return {"ok": "yes"}

    @get("/events")
    async def events() -> ServerSentEvent:
        n = _count()

        async def gen() -> Any:
            for i in range(n):
                yield msgspec.json.encode({"n": i}).decode()

        return ServerSentEvent(gen())

    return Litestar([hello, events])


APPS = {"bolt": "_bolt", "starlette": "_starlette", "litestar": "_litestar"}


def __getattr__(name: str) -> Any:  # ``bench.sse:bolt`` etc. for the granian command line
    if name in APPS:
        return globals()[APPS[name]]()
    raise AttributeError(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(name: str, n: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = dict(
        os.environ,
        SSE_EVENTS=str(n),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PEERS", "")) if p),
    )
    granian = Path(sys.executable).with_name("granian")
    cmd = [
        "taskset",
        "-c",
        "0",
        str(granian),
        "--interface",
        "asgi",
        "--workers",
        "1",
        "--port",
        str(port),
        f"bench.sse:{name}",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if b" 200 " in sock.recv(1024):
                    return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{name} did not start")


def measure(port: int, n: int) -> float:
    """Events per second received by one client reading the whole stream."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.perf_counter()
        sock.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        seen = 0
        tail = b""
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            seen += data.count(b"data: ")
            tail = data[-6:]
            seen -= tail.count(b"data: ")
        seen += tail.count(b"data: ")
        elapsed = time.perf_counter() - started
    if seen < n:
        raise RuntimeError(f"only {seen} of {n} events arrived")
    return n / elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("-n", type=int, default=N_DEFAULT, help="events per stream")
    parser.add_argument("-r", "--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    os.sched_setaffinity(0, {1})
    results: dict[str, list[float]] = {}
    for name in APPS:
        try:
            proc, port = serve(name, args.n)
        except RuntimeError as exc:
            print(f"{name}: skipped ({exc})")
            continue
        try:
            measure(port, min(args.n, 1000))  # warm-up
            results[name] = [measure(port, args.n) for _ in range(args.rounds)]
        finally:
            proc.terminate()
            proc.wait(10)
    base = statistics.median(results["bolt"]) if "bolt" in results else None
    for name, rates in results.items():
        median = statistics.median(rates)
        ratio = f"  ({median / base:.2f}x Bolt)" if base else ""
        print(f"{name:10s} {median:12,.0f} events/s{ratio}")


if __name__ == "__main__":
    main()
