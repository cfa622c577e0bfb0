"""Test clients that talk to an API through its ASGI interface.

``TestClient(api)`` is an ``httpx.Client``; the app runs on an event loop in a background
thread, so streaming responses, disconnects and lifespan behave as under a real server.
Use it as a context manager to run the lifespan (``bolt_startup`` / ``bolt_shutdown``).
``AsyncTestClient(api)`` is the ``httpx.AsyncClient`` counterpart for async tests.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

try:
    import httpx
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "bolt.testing needs httpx, which a plain install of Bolt does not include: "
        "pip install 'bolt-framework[testing]' (or pip install httpx)"
    ) from exc
from asgiref.current_thread_executor import CurrentThreadExecutor
from asgiref.sync import AsyncToSync

__all__ = ["AsyncTestClient", "TestClient", "assert_no_hook_calls"]


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


class _CallerPool(ThreadPoolExecutor):
    """The portal loop's default executor: while a test thread waits for a request, sync
    work (sync handlers, ORM units) runs on that thread, else on an ordinary pool thread.

    asyncio only takes a ``ThreadPoolExecutor`` as the default executor, hence the subclass.
    """

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="bolt-testclient")
        self.caller: CurrentThreadExecutor | None = None

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        caller = self.caller
        if caller is not None:
            # A sync function that called ``async_to_sync`` has its own executor on the same
            # thread; work submitted below it must go there, or the thread would wait on
            # itself.
            target = getattr(AsyncToSync.executors, "current", None) or caller
            try:
                return target.submit(fn, *args, **kwargs)
            except RuntimeError:  # the caller stopped waiting: run it on the pool
                pass
        return super().submit(fn, *args, **kwargs)


class _Portal:
    """An event loop in a daemon thread that runs the app's coroutines.

    When the calling thread holds an open transaction (a ``TestCase``, a non-transactional
    ``django_db`` test, a caller's ``atomic`` block), it does not just block while a
    coroutine runs: it serves the loop's sync work (``sync_to_async``, thread-sensitive or
    not, and ``run_in_executor``), as asgiref's ``async_to_sync`` does for thread-sensitive
    calls. The ORM work of a request then runs on the test's connection, sees the test's
    rows and rolls back with the test; on any other connection it would not see them (and
    SQLite's shared in-memory test database answers "table is locked"). Otherwise sync work
    runs on pool threads, as under a real server.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.pool = _CallerPool()
        self.loop.set_default_executor(self.pool)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any) -> Any:
        if not _in_transaction():
            return asyncio.run_coroutine_threadsafe(coro, self.loop).result()
        caller = CurrentThreadExecutor(getattr(AsyncToSync.executors, "current", None))
        previous = self.pool.caller
        self.pool.caller = caller
        AsyncToSync.loop_thread_executors[self.loop] = caller
        try:
            future = asyncio.run_coroutine_threadsafe(coro, self.loop)
            caller.run_until_future(future)
        finally:
            self.pool.caller = previous
            if previous is None:
                AsyncToSync.loop_thread_executors.pop(self.loop, None)
            else:
                AsyncToSync.loop_thread_executors[self.loop] = previous
        return future.result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()
        self.pool.shutdown(wait=False)


def _force(user: Any, context: dict[str, Any] | None) -> None:
    """Make the current task's requests carry ``user``'s auth context (see
    ``TestClient.force_authenticate``)."""
    from bolt_plugins.auth.base import PreloadedUser, user_context
    from bolt_plugins.auth.middleware import FORCED_AUTH

    if context is None:
        context = user_context(user, backend="force_authenticate")
    FORCED_AUTH.set((context, PreloadedUser(user) if user is not None else None))


def _in_transaction() -> bool:
    """Whether this thread's Django connections hold an open ``atomic`` block."""
    if "django.db" not in sys.modules:
        return False
    from django.db import connections

    return any(conn.in_atomic_block for conn in connections.all(initialized_only=True))


class _SyncTransport(httpx.BaseTransport):
    def __init__(self, app: Any, portal: _Portal) -> None:
        self.app = app
        self.portal = portal
        self.forced: tuple[Any, dict[str, Any] | None] | None = None

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

            if self.forced is not None:
                _force(*self.forced)  # this request's task only: its context is a copy
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
        self._bolt_transport = _SyncTransport(app, self._portal)
        super().__init__(transport=self._bolt_transport, base_url=base_url, **kwargs)

    def force_authenticate(
        self, user: Any = None, *, context: dict[str, Any] | None = None
    ) -> None:
        """Send every following request as ``user``, without credentials.

        Each route that authenticates (whatever its backends: JWT, API key, session, your
        own) takes this auth context instead of running its backends, so guards,
        ``request.auth`` and ``request.user`` see ``user``. ``context`` replaces the
        context built from the user (for backends whose context is not a Django user's);
        ``force_authenticate(None)`` goes back to real authentication. Routes without
        authentication are not affected. Only a test client can do this: routes compiled in
        a process that never imported ``bolt.testing`` have no such check.
        """
        if user is None and context is None:
            self._bolt_transport.forced = None
        else:
            self._bolt_transport.forced = (user, context)

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


@contextmanager
def assert_no_hook_calls(*apis: Any) -> Iterator[list[str]]:
    """Fail if any plugin hook of ``apis`` is called inside the ``with`` block.

    Hooks belong to build and compile time; a hook call while requests are served is a
    per-request cost the kernel promises not to have. Compile first (``api.compile()``, or
    one request outside the block), then serve requests inside it::

        api.compile()
        with assert_no_hook_calls(api):
            client.get("/items/1")

    Yields the list of hook names called so far (empty unless the block failed).
    """
    calls: list[str] = []
    undo = [
        api.pm.add_hookcall_monitoring(
            lambda name, impls, kwargs: calls.append(name), lambda *args: None
        )
        for api in apis
    ]
    try:
        yield calls
    finally:
        for stop in undo:
            stop()
    if calls:
        raise AssertionError(f"plugin hooks called while serving requests: {calls}")
