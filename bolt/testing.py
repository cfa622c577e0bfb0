"""Test clients that talk to an API through its ASGI interface.

``TestClient(api)`` is an ``httpx.Client``; the app runs on an event loop in a background
thread, so streaming responses, disconnects and lifespan behave as under a real server.
Use it as a context manager to run the lifespan (``bolt_startup`` / ``bolt_shutdown``).
``AsyncTestClient(api)`` is the ``httpx.AsyncClient`` counterpart for async tests.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

import httpx

__all__ = ["AsyncTestClient", "TestClient"]


def _scope_for(request: httpx.Request, root_path: str = "") -> dict[str, Any]:
    url = request.url
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": url.scheme,
        "path": _unquote_path(url.raw_path.split(b"?", 1)[0]),
        "raw_path": url.raw_path.split(b"?", 1)[0],
        "query_string": url.query,
        "root_path": root_path,
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "client": ("127.0.0.1", 50000),
        "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
    }


def _unquote_path(raw: bytes) -> str:
    from urllib.parse import unquote

    return unquote(raw.decode("latin-1"))


class _Portal:
    """An event loop in a daemon thread that runs the app's coroutines."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


class _SyncTransport(httpx.BaseTransport):
    def __init__(self, app: Any, portal: _Portal) -> None:
        self.app = app
        self.portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        scope = _scope_for(request)
        status: Future[tuple[int, list[tuple[bytes, bytes]]]] = Future()
        chunks: list[bytes] = []

        async def run() -> None:
            sent = False
            done = asyncio.Event()

            async def receive() -> dict[str, Any]:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}
                await done.wait()
                return {"type": "http.disconnect"}

            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    status.set_result((message["status"], message.get("headers", [])))
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        done.set()

            try:
                await self.app(scope, receive, send)
            finally:
                done.set()

        self.portal.run(run())
        if not status.done():
            raise RuntimeError("The app finished without sending a response")
        code, headers = status.result()
        return httpx.Response(
            code,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
            stream=httpx.ByteStream(b"".join(chunks)),
            request=request,
        )


class TestClient(httpx.Client):
    """A synchronous HTTP client for a Bolt API (or any ASGI app)."""

    __test__ = False  # not a pytest test class

    def __init__(self, app: Any, base_url: str = "http://testserver", **kwargs: Any) -> None:
        self.app = app
        self._portal = _Portal()
        self._lifespan: Any = None
        super().__init__(transport=_SyncTransport(app, self._portal), base_url=base_url, **kwargs)

    def __enter__(self) -> TestClient:
        super().__enter__()
        self._lifespan = _Lifespan(self.app)
        self._portal.run(self._lifespan.start())
        return self

    def __exit__(self, *args: Any) -> None:
        if self._lifespan is not None:
            self._portal.run(self._lifespan.stop())
            self._lifespan = None
        super().__exit__(*args)
        self._portal.close()

    def close(self) -> None:
        super().close()
        if self._portal.thread.is_alive():
            self._portal.close()


class _Lifespan:
    """Drives the ASGI lifespan protocol of an app from a test client."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async def receive() -> dict[str, Any]:
            return await self.queue.get()

        async def send(message: dict[str, Any]) -> None:
            await self.events.put(message)

        self.task = asyncio.ensure_future(self.app({"type": "lifespan"}, receive, send))
        await self.queue.put({"type": "lifespan.startup"})
        message = await self.events.get()
        if message["type"] == "lifespan.startup.failed":
            raise RuntimeError(f"Lifespan startup failed: {message.get('message')}")

    async def stop(self) -> None:
        await self.queue.put({"type": "lifespan.shutdown"})
        await self.events.get()
        if self.task is not None:
            await self.task


class AsyncTestClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` for a Bolt API; ``async with`` runs the lifespan."""

    __test__ = False

    def __init__(self, app: Any, base_url: str = "http://testserver", **kwargs: Any) -> None:
        self.app = app
        self._lifespan: _Lifespan | None = None
        super().__init__(transport=httpx.ASGITransport(app=app), base_url=base_url, **kwargs)

    async def __aenter__(self) -> AsyncTestClient:
        await super().__aenter__()
        self._lifespan = _Lifespan(self.app)
        await self._lifespan.start()
        return self

    async def __aexit__(self, *args: Any) -> None:
        if self._lifespan is not None:
            await self._lifespan.stop()
        await super().__aexit__(*args)
