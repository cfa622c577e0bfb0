"""Test clients that talk to an API through its ASGI interface.

``TestClient(api)`` is an ``httpx.Client``; the app runs on an event loop in a background
thread, so streaming responses, disconnects and lifespan behave as under a real server.
Use it as a context manager to run the lifespan (``bolt_startup`` / ``bolt_shutdown``).
``AsyncTestClient(api)`` is the ``httpx.AsyncClient`` counterpart for async tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Literal

try:
    import httpx
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "bolt.testing needs httpx, which a plain install of Bolt does not include: "
        "pip install 'bolt-framework[testing]' (or pip install httpx)"
    ) from exc
from asgiref.current_thread_executor import CurrentThreadExecutor
from asgiref.sync import AsyncToSync, SyncToAsync

from bolt.forced_auth import FORCED, switch_on

__all__ = ["AsyncTestClient", "TestClient", "TestResponse", "assert_no_hook_calls"]

#: ``format=`` of the request methods, as DRF's ``APIClient`` spells it.
BodyFormat = Literal["json", "multipart"]


def _primitive(value: Any) -> str:
    """A form value as text, as httpx writes ``data=`` values."""
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)


def _body(data: Any, format: str | None, json: Any, files: Any, content: Any) -> dict[str, Any]:
    """httpx's body arguments for DRF ``APIClient``'s ``(data, format=...)``.

    Without ``format`` everything is httpx's (``data`` a form, ``json=``, ``files=``,
    ``content=``), so existing tests keep their meaning. ``format="json"`` sends ``data``
    as JSON; ``format="multipart"`` sends it as a multipart form (with ``files`` beside it),
    which httpx only does when files are given.
    """
    body = {"data": data, "json": json, "files": files, "content": content}
    if format is None:
        return {k: v for k, v in body.items() if v is not None}
    if format not in ("json", "multipart"):
        raise ValueError(
            f"format={format!r}: the test clients send format='json' or format='multipart' "
            "(or use json=, data=, files= or content=)"
        )
    if json is not None or content is not None:
        raise TypeError(
            f"format={format!r} sends data; give the body once: data with format=, "
            "or json= / content= without it"
        )
    if format == "json":
        if files is not None:
            raise TypeError("format='json' cannot send files=; use format='multipart'")
        return {} if data is None else {"json": data}
    if files:
        return {"data": data, "files": files}
    # No file: every field as a part without a file name (a plain form field).
    parts: list[tuple[str, tuple[None, str]]] = []
    for key, value in (data or {}).items():
        for item in value if isinstance(value, list | tuple) else [value]:
            parts.append((key, (None, _primitive(item))))
    return {"files": parts} if parts else {}


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
        return super().submit(_then_close_stale, fn, *args, **kwargs)


def _then_close_stale(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    """``fn`` on a pool thread, then Django's end-of-request connection hygiene there: with
    ``CONN_MAX_AGE = 0`` no connection outlives the work, so none is left open on a thread
    the test cannot reach (a test database would then refuse to be dropped)."""
    try:
        return fn(*args, **kwargs)
    finally:
        _close_stale()


def _close_stale() -> None:
    if "django.db" not in sys.modules:
        return
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        # Never a connection inside a transaction, nor one shared between threads (a test's
        # in-memory SQLite database lives as long as its connection).
        if conn.connection is None or conn.in_atomic_block or conn.allow_thread_sharing:
            continue
        try:
            conn.close_if_unusable_or_obsolete()
        except Exception:  # hygiene must not fail the test (pytest-django may block access)
            pass


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
            try:
                return asyncio.run_coroutine_threadsafe(coro, self.loop).result()
            finally:
                _close_django_thread()
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


def _close_django_thread() -> None:
    """Connection hygiene on the thread Django's own async ORM calls use
    (``sync_to_async(thread_sensitive=True)`` outside any ``async_to_sync``: asgiref's one
    process-wide thread), after a request: ``aauthenticate()`` or ``await Model.objects.aget()``
    in a handler opened a connection there that nothing else would close."""
    if "django.db" not in sys.modules:
        return
    SyncToAsync.single_thread_executor.submit(_close_stale).result(timeout=10)


def _force(forced: tuple[Any, dict[str, Any] | None]) -> None:
    """Make the current task's request carry the forced identity (see
    ``TestClient.force_authenticate``); the task's context is a copy, so nothing else does."""
    FORCED.set(forced)


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
        if request.extensions.get(_STREAM):
            return self.handle_stream(request)
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
                _force(self.forced)  # this request's task only: its context is a copy
            try:
                await self.app(scope, receive, send)
            finally:
                done.set()

        self.portal.run(run())
        if not status.done():
            raise RuntimeError("The app finished without sending a response")
        code, headers = status.result()
        return TestResponse(
            code,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
            stream=httpx.ByteStream(b"".join(chunks)),
            request=request,
        )

    def handle_stream(self, request: httpx.Request) -> httpx.Response:
        """Start the app and return as soon as it sent the status line: the body arrives
        while the test reads it, and closing the response is the client's disconnect.

        The app runs on pool threads here even inside a transaction (the test thread is
        busy reading), so a stream's ORM work does not see a ``TestCase``'s rows.
        """
        body = request.read()
        scope = _scope_for(request)
        status: Future[tuple[int, list[tuple[bytes, bytes]]]] = Future()
        chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        gone = asyncio.Event()
        forced = self.forced

        async def run() -> None:
            sent = False

            async def receive() -> dict[str, Any]:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": body, "more_body": False}
                await gone.wait()
                return {"type": "http.disconnect"}

            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    status.set_result((message["status"], message.get("headers", [])))
                elif message["type"] == "http.response.body" and not gone.is_set():
                    chunks.put(message.get("body", b""))
                    if not message.get("more_body", False):
                        gone.set()
                        chunks.put(None)

            if forced is not None:
                _force(forced)
            try:
                await self.app(scope, receive, send)
            except BaseException as exc:
                if not status.done():
                    status.set_exception(exc)
                raise
            finally:
                if not status.done():
                    status.set_exception(
                        RuntimeError("The app finished without sending a response")
                    )
                chunks.put(None)

        loop = self.portal.loop
        task = asyncio.run_coroutine_threadsafe(run(), loop)
        timeout = (request.extensions.get("timeout") or {}).get("read")
        code, headers = status.result()
        return TestResponse(
            code,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
            stream=_QueueStream(chunks, lambda: loop.call_soon_threadsafe(gone.set), task, timeout),
            request=request,
        )


class _QueueStream(httpx.SyncByteStream):
    """The body of a streamed test response, chunk by chunk as the app sends them."""

    def __init__(
        self,
        chunks: queue.SimpleQueue[bytes | None],
        disconnect: Any,
        task: Future[None],
        timeout: float | None,
    ) -> None:
        self.chunks = chunks
        self.disconnect = disconnect
        self.task = task
        self.timeout = timeout

    def __iter__(self) -> Iterator[bytes]:
        while True:
            try:
                chunk = self.chunks.get(timeout=self.timeout)
            except queue.Empty:
                raise httpx.ReadTimeout(
                    f"the app sent nothing for {self.timeout} s (the client's read timeout)"
                ) from None
            if chunk is None:
                return
            if chunk:
                yield chunk

    def close(self) -> None:
        """Disconnect, then wait (up to 5 s) until the app has finished with the request,
        so a test can check at once what a disconnect cleaned up."""
        self.disconnect()
        with contextlib.suppress(Exception):
            self.task.result(timeout=5)


class TestResponse(httpx.Response):
    """An ``httpx.Response`` that can also read a Server-Sent Events body."""

    def iter_events(self) -> Iterator[Any]:
        """Parse the body as an event stream: one ``ServerSentEvent`` per event, ``data``
        as text (``event.json()`` decodes it). Blocks holding only comments (keep-alive
        pings) are yielded too, with ``comment`` set and ``data`` ``None``, so a test can
        see them; a browser ignores them."""
        from bolt.sse import ServerSentEvent

        fields: dict[str, Any] = {}
        data: list[str] = []
        comments: list[str] = []
        for line in self.iter_lines():
            if not line:
                if data or fields or comments:
                    event = ServerSentEvent.__new__(ServerSentEvent)
                    event.data = "\n".join(data) if data else None
                    event.event = fields.get("event")
                    event.id = fields.get("id")
                    event.retry = fields.get("retry")
                    event.comment = "\n".join(comments) if comments else None
                    yield event
                fields, data, comments = {}, [], []
                continue
            name, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if name == "":
                comments.append(value)
            elif name == "data":
                data.append(value)
            elif name == "retry" and value.isdigit():
                fields["retry"] = int(value)
            elif name in ("event", "id"):
                fields[name] = value


_STREAM = "bolt_stream"


class _BodyVerbs:
    """``post``/``put``/``patch``/``delete`` of both test clients, with DRF ``APIClient``'s
    habit: ``client.post(url, data, format="json")``. ``data`` may come second;
    ``format="json"`` sends it as JSON, ``format="multipart"`` as a multipart form; without
    ``format`` the arguments are httpx's. The sync client answers a response, the async one
    an awaitable of it (its ``request``)."""

    request: Callable[..., Any]

    def _send(
        self,
        method: str,
        url: httpx.URL | str,
        data: Any,
        format: BodyFormat | None,
        json: Any,
        files: Any,
        content: Any,
        kwargs: dict[str, Any],
    ) -> Any:
        return self.request(method, url, **_body(data, format, json, files, content), **kwargs)

    def post(
        self,
        url: httpx.URL | str,
        data: Any = None,
        *,
        format: BodyFormat | None = None,
        json: Any = None,
        files: Any = None,
        content: Any = None,
        **kwargs: Any,
    ) -> Any:
        return self._send("POST", url, data, format, json, files, content, kwargs)

    def put(
        self,
        url: httpx.URL | str,
        data: Any = None,
        *,
        format: BodyFormat | None = None,
        json: Any = None,
        files: Any = None,
        content: Any = None,
        **kwargs: Any,
    ) -> Any:
        return self._send("PUT", url, data, format, json, files, content, kwargs)

    def patch(
        self,
        url: httpx.URL | str,
        data: Any = None,
        *,
        format: BodyFormat | None = None,
        json: Any = None,
        files: Any = None,
        content: Any = None,
        **kwargs: Any,
    ) -> Any:
        return self._send("PATCH", url, data, format, json, files, content, kwargs)

    def delete(
        self,
        url: httpx.URL | str,
        data: Any = None,
        *,
        format: BodyFormat | None = None,
        json: Any = None,
        files: Any = None,
        content: Any = None,
        **kwargs: Any,
    ) -> Any:
        """DELETE may carry a body here, as in DRF's client."""
        return self._send("DELETE", url, data, format, json, files, content, kwargs)


class TestClient(_BodyVerbs, httpx.Client):
    """A synchronous HTTP client for a Bolt API (or any ASGI app)."""

    __test__ = False  # not a pytest test class

    def __init__(self, app: Any, base_url: str = "http://testserver", **kwargs: Any) -> None:
        self.app = app
        self._portal = _Portal()
        self._lifespan: Any = None
        self._bolt_transport = _SyncTransport(app, self._portal)
        super().__init__(transport=self._bolt_transport, base_url=base_url, **kwargs)

    def send(self, request: httpx.Request, *, stream: bool = False, **kwargs: Any) -> Any:
        """As httpx's ``send``; with ``stream=True`` (what ``client.stream(...)`` uses) the
        app's body arrives as it is sent: ``iter_lines()``, ``iter_bytes()`` and
        ``iter_events()`` (Server-Sent Events) read it, and leaving the ``with`` block is
        the client's disconnect."""
        if stream:
            request.extensions[_STREAM] = True
        return super().send(request, stream=stream, **kwargs)

    def force_authenticate(
        self, user: Any = None, *, context: dict[str, Any] | None = None
    ) -> None:
        """Send every following request as ``user``, without credentials.

        Each route that authenticates (whatever its backends: JWT, API key, session, your
        own) takes this auth context instead of running its backends, so guards,
        ``request.auth`` and ``request.user`` see ``user``. ``context`` replaces the
        context built from the user (for backends whose context is not a Django user's);
        ``force_authenticate(None)`` goes back to real authentication. Routes without
        authentication are not affected, and neither are other clients.

        The first call in a process switches forced authentication on
        (``bolt.forced_auth``), for routes compiled before or after; until then no route
        looks for it, and nothing a request carries can set it.
        """
        if user is None and context is None:
            self._bolt_transport.forced = None
        else:
            switch_on()
            self._bolt_transport.forced = (user, context)

    def websocket_connect(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        subprotocols: list[str] | None = None,
        *,
        http_response: bool = True,
    ) -> WebSocketTestSession:
        """Open a WebSocket to ``path`` (use as a context manager).

        A refused handshake raises ``WebSocketDenied`` (its ``status_code``, ``headers`` and
        ``json()``). ``http_response=False`` leaves out the ``websocket.http.response``
        extension, as a server without it: refusals are then a 403 without a body.
        """
        return WebSocketTestSession(self, path, headers or {}, subprotocols or [], http_response)

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


class AsyncTestClient(_BodyVerbs, httpx.AsyncClient):
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


class WebSocketDenied(Exception):
    """The app refused a WebSocket handshake with an HTTP answer (``status_code``)."""

    def __init__(self, status_code: int, headers: dict[str, str], body: bytes) -> None:
        super().__init__(f"WebSocket handshake refused with {status_code}: {body[:200]!r}")
        self.status_code = status_code
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class WebSocketTestSession:
    """One WebSocket from ``TestClient.websocket_connect``: the app runs on the client's
    event loop; messages cross threads through queues. Receives time out after
    ``timeout`` seconds (a test never hangs on a silent app)."""

    __test__ = False

    def __init__(
        self,
        client: TestClient,
        path: str,
        headers: dict[str, str],
        subprotocols: list[str],
        http_response: bool,
        timeout: float = 5.0,
    ) -> None:
        import queue

        self.client = client
        self.timeout = timeout
        self.accepted_subprotocol: str | None = None
        self.accept_headers: dict[str, str] = {}
        self.close_code: int | None = None
        self.close_reason = ""
        self._outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self._inbox: asyncio.Queue[dict[str, Any]] | None = None
        self._future: Any = None
        url = httpx.URL(str(client.base_url).rstrip("/") + "/" + path.lstrip("/"))
        raw_headers = [(b"host", (url.netloc or b"testserver"))]
        raw_headers += [(b"connection", b"Upgrade"), (b"upgrade", b"websocket")]
        raw_headers += [(b"sec-websocket-version", b"13"), (b"sec-websocket-key", b"dGVzdA==")]
        for name, value in headers.items():
            raw_headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
        if subprotocols:
            raw_headers.append((b"sec-websocket-protocol", ", ".join(subprotocols).encode()))
        raw_path = url.raw_path.split(b"?", 1)[0]
        self.scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "scheme": "ws",
            "path": _unquote_path(raw_path),
            "raw_path": raw_path,
            "query_string": url.query,
            "root_path": "",
            "headers": raw_headers,
            "client": ("127.0.0.1", 50000),
            "server": (url.host, url.port or 80),
            "subprotocols": list(subprotocols),
            "extensions": {"websocket.http.response": {}} if http_response else {},
        }

    def __enter__(self) -> WebSocketTestSession:
        portal = self.client._portal
        forced = self.client._bolt_transport.forced
        ready: Future[None] = Future()

        async def run() -> None:
            self._inbox = asyncio.Queue()
            await self._inbox.put({"type": "websocket.connect"})
            ready.set_result(None)
            inbox = self._inbox

            async def receive() -> dict[str, Any]:
                return await inbox.get()

            async def send(message: dict[str, Any]) -> None:
                self._outbox.put(message)

            if forced is not None:
                _force(forced)
            try:
                await self.client.app(self.scope, receive, send)
            finally:
                self._outbox.put({"type": "bolt.testing.app_finished"})

        self._future = asyncio.run_coroutine_threadsafe(run(), portal.loop)
        ready.result(self.timeout)
        first = self._next()
        kind = first["type"]
        if kind == "websocket.accept":
            self.accepted_subprotocol = first.get("subprotocol")
            self.accept_headers = {
                k.decode("latin-1"): v.decode("latin-1") for k, v in first.get("headers") or []
            }
            return self
        if kind == "websocket.http.response.start":
            chunks = []
            while True:
                message = self._next()
                if message["type"] != "websocket.http.response.body":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            headers = {
                k.decode("latin-1"): v.decode("latin-1") for k, v in first.get("headers") or []
            }
            self._finish()
            raise WebSocketDenied(first["status"], headers, b"".join(chunks))
        self._finish()
        if kind == "websocket.close" or kind == "bolt.testing.app_finished":
            raise WebSocketDenied(403, {}, b"")
        raise RuntimeError(f"Unexpected first message from the app: {first!r}")

    def __exit__(self, *args: Any) -> None:
        if self.close_code is None:
            self._deliver({"type": "websocket.disconnect", "code": 1000})
        self._finish()

    def _finish(self) -> None:
        if self._future is not None:
            try:
                self._future.result(self.timeout)
            except TimeoutError:
                self._future.cancel()

    def _deliver(self, message: dict[str, Any]) -> None:
        inbox = self._inbox
        if inbox is not None and self._future is not None and not self._future.done():
            self.client._portal.loop.call_soon_threadsafe(inbox.put_nowait, message)

    def _next(self) -> dict[str, Any]:
        import queue

        try:
            return self._outbox.get(timeout=self.timeout)
        except queue.Empty:
            raise TimeoutError(f"no message from the app within {self.timeout}s") from None

    # --- the client's side ----------------------------------------------------------------
    def send_text(self, data: str) -> None:
        self._deliver({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        self._deliver({"type": "websocket.receive", "bytes": data})

    def send_json(self, data: Any) -> None:
        import json

        self.send_text(json.dumps(data))

    def close(self, code: int = 1000) -> None:
        """Close from the client's side (the app's next receive raises a disconnect)."""
        self._deliver({"type": "websocket.disconnect", "code": code})
        self.close_code = code

    def receive(self) -> dict[str, Any]:
        """The next ASGI message the app sent; a close raises ``WebSocketDisconnect``."""
        from bolt.websocket import WebSocketDisconnect

        message = self._next()
        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            self.close_reason = message.get("reason") or ""
            raise WebSocketDisconnect(self.close_code, self.close_reason)
        if message["type"] == "bolt.testing.app_finished":
            self._outbox.put(message)
            raise WebSocketDisconnect(1006, "the app ended without a close frame")
        return message

    def receive_text(self) -> str:
        message = self.receive()
        text: str = message["text"]
        return text

    def receive_bytes(self) -> bytes:
        data: bytes = self.receive()["bytes"]
        return data

    def receive_json(self) -> Any:
        import json

        message = self.receive()
        text = message.get("text")
        return json.loads(text if text is not None else message["bytes"])
