"""Per-request cost without a server: call an app's ASGI entry point in a loop.

    python bench/hotpath.py                        # µs per request, every core app/endpoint
    python bench/hotpath.py --cprofile bolt item   # cProfile of Bolt on GET /items/42?q=x
    python bench/hotpath.py --section middleware   # a plugin section's apps

The loop replays a prepared scope with a receive/send pair that do no I/O, so the numbers are
the framework's own Python work per request (what a server's core spends beyond HTTP parsing).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runner import App, Endpoint
from bench.sections import SECTIONS


def load(app: App) -> Any:
    os.environ.update(app.env)
    module, _, attr = app.target.partition(":")
    return getattr(importlib.import_module(module), attr)


def scope_for(ep: Endpoint) -> dict[str, Any]:
    path, _, query = ep.path.partition("?")
    headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench")]
    headers += [(k.encode(), v.encode()) for k, v in ep.headers.items()]
    if ep.body is not None:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(ep.body)).encode()),
        ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": ep.method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def loop(app: Any, ep: Endpoint, n: int) -> float:
    """Seconds per request over ``n`` calls (after lifespan startup)."""
    body = ep.body or b""
    sent: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent.append(message["status"])

    startup = getattr(app, "startup", None)
    if startup is not None:
        await startup()
    scope = scope_for(ep)
    await app(dict(scope), receive, send)
    if sent[-1] != ep.status:
        raise SystemExit(f"{ep.label} answered {sent[-1]}, expected {ep.status}")
    start = time.perf_counter()
    for _ in range(n):
        await app(dict(scope), receive, send)
    return (time.perf_counter() - start) / n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("-n", type=int, default=20000, help="requests per measurement")
    p.add_argument("--section", default="core", choices=sorted(SECTIONS))
    p.add_argument("--apps", default="", help="comma-separated app names (default: all)")
    p.add_argument("--cprofile", nargs=2, metavar=("APP", "ENDPOINT"))
    p.add_argument("--sort", default="tottime")
    p.add_argument("--repeat", type=int, default=3, help="report the fastest of N loops")
    args = p.parse_args(argv)
    section = SECTIONS[args.section]()
    eps = section.endpoints
    apps = {a.name: a for a in section.apps}
    if args.cprofile:
        app_name, key = args.cprofile
        app = load(apps[app_name])
        profiler = cProfile.Profile()
        asyncio.run(loop(app, eps[key], 200))
        profiler.enable()
        asyncio.run(loop(app, eps[key], args.n))
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(30)
        print(out.getvalue())
        return 0
    names = [n for n in args.apps.split(",") if n] or list(apps)
    per: dict[str, dict[str, float]] = {}
    for name in names:
        app = load(apps[name])
        per[name] = {
            k: min(asyncio.run(loop(app, eps[k], args.n)) for _ in range(args.repeat)) * 1e6
            for k in apps[name].endpoints
        }
    print(f"{'µs/request':<14}" + "".join(f"{n:>16}" for n in names))
    for key in eps:
        cells = [per[n].get(key) for n in names]
        print(f"{key:<14}" + "".join("" if c is None else f"{c:>16.2f}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
