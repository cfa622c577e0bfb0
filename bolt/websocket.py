"""WebSocket routes: the handshake runs the route's HTTP plugins, then the handler talks.

A WebSocket route is planned once, like an HTTP route (``bolt.compile``): typed path and
query parameters get the same extractors, the route's option layers are merged, and the
middleware plugins return from ``bolt_route_middleware`` (CORS, rate limits,
authentication, guards) is folded once. Those steps run on the *handshake*: the
``WebSocket`` object is a ``Request`` (method ``"GET"``, headers, path, query, client,
scope), so the same ``before`` steps authenticate and refuse it. A refused handshake never
reaches the handler and is answered with an HTTP response (``websocket.http.response``
where the server supports it, else a close before accept, which clients see as 403).

After ``accept()`` no hook and no middleware runs per message: the per-connection limits
(message size, message rate, idle time) are prepared when the route compiles and checked
inline in ``receive``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import time
import typing
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec
from pydantic import Field

from bolt.binding import _eval_annotation, plan_params
from bolt.classoptions import class_layer
from bolt.compile import (
    WS_OPTIONS,
    _gather,
    _resolve,
    check_claims,
    collect_middleware,
    fold_middleware,
)
from bolt.conf import PluginSettings
from bolt.exceptions import HTTPException, ImproperlyConfigured
from bolt.request import Request
from bolt.responses import JSONResponse, Response, json_encode
from bolt.route import Route
from bolt.routing import parse_path

__all__ = [
    "WS_OPTIONS",
    "WebSocket",
    "WebSocketConsumer",
    "WebSocketDisconnect",
    "WebSocketSettings",
    "compile_websocket_route",
    "handle_websocket",
    "websocket_route",
]

log = logging.getLogger("bolt")

CONNECTING, OPEN, CLOSED = 0, 1, 2
WEBSOCKET_METHOD = "WEBSOCKET"  # ``Route.method`` of WebSocket routes (the handshake is a GET)

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|sec|s|minute|min|m|hour|h)\s*$")
_PERIODS = {
    "second": 1,
    "sec": 1,
    "s": 1,
    "minute": 60,
    "min": 60,
    "m": 60,
    "hour": 3600,
    "h": 3600,
}


class WebSocketSettings(PluginSettings):
    """Kernel settings for WebSocket routes and broadcast channels (route options of the
    same name, lower-case, override them per route, router or API)."""

    WS_ORIGINS: list[str] | None = Field(
        default=None,
        description="Origins allowed to open WebSockets besides the same origin ('*': any).",
    )
    WS_MAX_MESSAGE_SIZE: int = Field(default=1024 * 1024, ge=1)
    WS_IDLE_TIMEOUT: float | None = Field(default=None, gt=0)
    WS_MESSAGE_RATE: str | None = None
    CHANNELS_BACKEND: str = Field(
        default="memory", description="'memory' (one process) or a redis:// URL."
    )


class WebSocketDisconnect(Exception):
    """The connection is over: the client left, or Bolt closed it (``code`` says why).

    Raised by ``receive*`` and ``send*``; ``async for message in ws`` ends quietly instead.
    A handler that lets it propagate ends the session without any log entry.
    """

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class _Policy:
    """What a route allows, prepared once when it compiles."""

    __slots__ = (
        "any_origin",
        "auth_query",
        "auth_subprotocol",
        "burst",
        "idle",
        "interval",
        "max_size",
        "origins",
    )

    def __init__(self, route: Route, settings: Any) -> None:
        opts = route.options
        origins = opts.get("ws_origins", _setting(settings, "WS_ORIGINS"))
        origins = list(origins or [])
        self.any_origin = "*" in origins
        self.origins = frozenset(_normal_origin(o) for o in origins if o != "*")
        size = opts.get("ws_max_message_size", _setting(settings, "WS_MAX_MESSAGE_SIZE"))
        idle = opts.get("ws_idle_timeout", _setting(settings, "WS_IDLE_TIMEOUT"))
        # 0 would silently mean "the default" or "no timeout": refuse it, like any value
        # that is not a positive number.
        for option, value in (("ws_max_message_size", size), ("ws_idle_timeout", idle)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
            ):
                raise ImproperlyConfigured(
                    f"{route!r}: {option}={value!r} must be a positive number of "
                    f"{'bytes' if option == 'ws_max_message_size' else 'seconds'}"
                    f"{'' if option == 'ws_max_message_size' else ', or None for no timeout'}"
                )
        if size is None:
            raise ImproperlyConfigured(f"{route!r}: ws_max_message_size must be set")
        self.max_size: int = int(size)
        self.idle: float | None = float(idle) if idle is not None else None
        rate = opts.get("ws_message_rate", _setting(settings, "WS_MESSAGE_RATE"))
        self.interval, self.burst = _parse_rate(rate, repr(route)) if rate else (0.0, 0)
        self.auth_subprotocol = bool(opts.get("ws_auth_subprotocol", False))
        query = opts.get("ws_auth_query")
        if query is True:
            query = "token"
        self.auth_query: str | None = query or None


def _setting(settings: Any, name: str) -> Any:
    try:
        return getattr(settings, name)
    except AttributeError:
        return WebSocketSettings.model_fields[name].default


def _parse_rate(value: Any, where: str) -> tuple[float, int]:
    """``"10/second"`` → (seconds between messages, burst)."""
    match = _RATE.match(str(value))
    if not match or int(match.group(1)) < 1:
        raise ImproperlyConfigured(
            f"{where}: ws_message_rate={value!r} must look like '10/second', '100/minute' "
            "or '1000/hour'"
        )
    count = int(match.group(1))
    return _PERIODS[match.group(2)] / count, count


def _normal_origin(origin: str) -> str:
    parts = urlsplit(origin.strip().lower())
    if not parts.scheme or not parts.netloc:
        raise ImproperlyConfigured(
            f"ws_origins entry {origin!r} must be a full origin such as 'https://app.example.com'"
        )
    return f"{parts.scheme}://{parts.netloc}"


class WebSocket(Request):
    """One WebSocket connection; during the handshake it is also the request the route's
    plugins check (``method`` is ``"GET"``).

    ``headers``, ``query``, ``cookies``, ``path_params``, ``client``, ``auth`` and ``user``
    read like a ``Request``'s. ``accept()`` completes the handshake; ``receive_text()``,
    ``receive_bytes()`` and ``receive_json(type=...)`` wait for a message (the route's size,
    rate and idle limits apply there); ``async for message in ws`` yields ``str``/``bytes``
    messages until the client leaves.
    """

    # CONNECTING, OPEN or CLOSED. Not ``state``: that is the Request's per-request scratch
    # dict, which the route's plugin steps use during the handshake as on any request.
    connection_state: int = CONNECTING
    close_code: int | None = None
    accepted_subprotocol: str | None = None
    _token_subprotocol: bool = False
    _policy: _Policy | None = None
    _tat: float = 0.0
    _connect_consumed: bool = False

    def __init__(
        self, scope: dict[str, Any], receive: Any, send: Any, params: dict[str, Any]
    ) -> None:
        super().__init__(scope, receive, params)
        self._asgi_send = send

    @property
    def method(self) -> str:
        return "GET"

    @property
    def path_params(self) -> dict[str, Any]:
        return self.params

    @property
    def subprotocols(self) -> list[str]:
        """The subprotocols the client offered (a bearer token offered as one is left out)."""
        return list(self.scope.get("subprotocols") or [])

    # --- handshake --------------------------------------------------------------------
    async def _consume_connect(self) -> None:
        if not self._connect_consumed:
            self._connect_consumed = True
            message = await self.receive()  # the ASGI ``websocket.connect``
            if message["type"] == "websocket.disconnect":
                self.connection_state = CLOSED
                raise WebSocketDisconnect(message.get("code", 1006))

    async def accept(
        self, subprotocol: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        """Complete the handshake, choosing ``subprotocol`` (one the client offered)."""
        if self.connection_state != CONNECTING:
            raise RuntimeError("accept() called twice or after close()")
        await self._consume_connect()
        if subprotocol is None and self._token_subprotocol:
            subprotocol = "bearer"  # a client offering "bearer, <token>" expects the echo
        offered = subprotocol is None or subprotocol in self.subprotocols
        if not offered and not (self._token_subprotocol and subprotocol == "bearer"):
            raise ValueError(f"subprotocol {subprotocol!r} was not offered by the client")
        message: dict[str, Any] = {"type": "websocket.accept", "subprotocol": subprotocol}
        if headers:
            message["headers"] = [
                (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
            ]
        await self._send(message)
        self.connection_state = OPEN
        self.accepted_subprotocol = subprotocol
        self._tat = time.monotonic()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (before ``accept()``: refuse the handshake, seen as 403)."""
        if self.connection_state == CLOSED:
            return
        if self.connection_state == CONNECTING:
            await self._consume_connect()
        self.connection_state = CLOSED
        self.close_code = code
        reason = reason.encode("utf-8")[:123].decode("utf-8", "ignore")
        try:
            await self._asgi_send({"type": "websocket.close", "code": code, "reason": reason})
        except Exception:
            log.debug("WebSocket %s: client gone before the close frame", self.path)

    # --- sending ------------------------------------------------------------------------
    async def _send(self, message: dict[str, Any]) -> None:
        try:
            await self._asgi_send(message)
        except Exception:
            # The client vanished mid-send: not an error of the application.
            self.connection_state = CLOSED
            log.debug("WebSocket %s: client gone while sending", self.path)
            raise WebSocketDisconnect(1006) from None

    async def send_text(self, data: str) -> None:
        if self.connection_state != OPEN:
            raise WebSocketDisconnect(self.close_code or 1006)
        await self._send({"type": "websocket.send", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        if self.connection_state != OPEN:
            raise WebSocketDisconnect(self.close_code or 1006)
        await self._send({"type": "websocket.send", "bytes": bytes(data)})

    async def send_json(self, data: Any) -> None:
        """Send ``data`` encoded as JSON text (msgspec: Structs, dataclasses, datetimes...)."""
        await self.send_text(json_encode(data).decode("utf-8"))

    # --- receiving ----------------------------------------------------------------------
    async def receive_message(self) -> str | bytes:
        """The next text (``str``) or binary (``bytes``) message, after the route's limits."""
        if self.connection_state != OPEN:
            raise WebSocketDisconnect(self.close_code or 1006)
        policy = self._policy
        if policy is not None and policy.idle is not None:
            try:
                async with asyncio.timeout(policy.idle):
                    message = await self.receive()
            except TimeoutError:
                await self.close(1001, "idle timeout")
                raise WebSocketDisconnect(1001, "idle timeout") from None
        else:
            message = await self.receive()
        if message["type"] == "websocket.disconnect":
            self.connection_state = CLOSED
            self.close_code = message.get("code", 1005)
            raise WebSocketDisconnect(self.close_code)
        text = message.get("text")
        data: str | bytes = text if text is not None else (message.get("bytes") or b"")
        if policy is not None:
            size = len(data)
            if type(data) is str and size * 4 > policy.max_size:
                size = len(data.encode("utf-8"))  # characters may be up to four bytes
            if size > policy.max_size:
                await self.close(1009, "message too big")
                raise WebSocketDisconnect(1009, "message too big")
            if policy.burst:
                # GCRA per connection: one float, no lock, no store.
                now = time.monotonic()
                tat = max(self._tat, now) + policy.interval
                if tat - now > policy.burst * policy.interval:
                    await self.close(1008, "message rate exceeded")
                    raise WebSocketDisconnect(1008, "message rate exceeded")
                self._tat = tat
        return data

    async def receive_text(self) -> str:
        data = await self.receive_message()
        if type(data) is not str:
            await self.close(1003, "expected a text message")
            raise WebSocketDisconnect(1003, "expected a text message")
        return data

    async def receive_bytes(self) -> bytes:
        data = await self.receive_message()
        if type(data) is not bytes:
            await self.close(1003, "expected a binary message")
            raise WebSocketDisconnect(1003, "expected a binary message")
        return data

    async def receive_json(self, type: Any = Any) -> Any:
        """The next message decoded as JSON into ``type`` (a Struct, dataclass, ``dict``...).

        A message that is not valid JSON or does not fit ``type`` closes the connection
        with 1003 (unsupported data; the reason names the problem) and raises
        ``WebSocketDisconnect``: a client sending garbage is not worth a conversation.
        """
        data = await self.receive_message()
        try:
            return _decoder(type).decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            reason = f"invalid message: {exc}"
            await self.close(1003, reason)
            raise WebSocketDisconnect(1003, reason) from None

    async def relay(
        self, subscription: Any, on_message: Callable[[str | bytes], Any] | None = None
    ) -> None:
        """Send each message of a channel ``subscription`` as JSON until the client
        leaves, while ``on_message`` (``async``) handles what the client sends (ignored
        without it). A handler that only waited on the subscription would never see the
        client go, so the connection would hang on until the next broadcast failed."""

        async def forward() -> None:
            async for message in subscription:
                await self.send_json(message)

        task = asyncio.get_running_loop().create_task(forward())
        receiving: asyncio.Future[str | bytes] | None = None
        try:
            while not task.done():
                receiving = asyncio.ensure_future(self.receive_message())
                await asyncio.wait((receiving, task), return_when=asyncio.FIRST_COMPLETED)
                if not receiving.done():
                    break
                try:
                    message = receiving.result()
                except WebSocketDisconnect:
                    return
                receiving = None
                if on_message is not None:
                    await on_message(message)
            if task.done() and not task.cancelled():
                task.result()  # a send that failed: the client is gone
        finally:
            # However relay ends (returned, raised, or cancelled itself), neither the
            # forwarder nor a pending receive outlives it: a stray receive would swallow the
            # next message (the disconnect included), and the subscription's exit (a Redis
            # unsubscribe) runs before relay returns.
            pending = [f for f in (task, receiving) if f is not None and not f.done()]
            for future in pending:
                future.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    def __aiter__(self) -> AsyncIterator[str | bytes]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[str | bytes]:
        while True:
            try:
                message = await self.receive_message()
            except WebSocketDisconnect:
                return
            yield message

    def __repr__(self) -> str:
        return f"<WebSocket {self.path}>"


_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def _decoder(tp: Any) -> msgspec.json.Decoder[Any]:
    decoder = _decoders.get(tp)
    if decoder is None:
        decoder = _decoders[tp] = msgspec.json.Decoder(tp)
    return decoder


class WebSocketConsumer:
    """A class-based WebSocket handler: ``api.websocket(path)(Chat)``.

    One instance per connection. ``on_connect(websocket, ...)`` receives the typed path and
    query parameters its signature names and accepts by default; ``on_receive(websocket,
    message)`` runs for each message (decoded into ``message_type`` when set, else ``str``
    or ``bytes``); ``on_disconnect(websocket, code)`` runs once at the end, however the
    connection ended.
    """

    message_type: Any = None

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()

    async def on_receive(self, websocket: WebSocket, message: Any) -> None:
        """Handle one message (the default ignores it)."""

    async def on_disconnect(self, websocket: WebSocket, code: int) -> None:
        """Clean up (the default does nothing)."""


def _consumer_endpoint(cls: type[WebSocketConsumer]) -> Callable[..., Any]:
    """An ``async`` function whose signature is ``on_connect``'s without ``self``."""
    on_connect = cls.on_connect
    signature = inspect.signature(on_connect)
    params = list(signature.parameters.values())[1:]
    if not params:
        raise ImproperlyConfigured(
            f"{cls.__qualname__}.on_connect must take the WebSocket as its first parameter"
        )
    try:
        hints = typing.get_type_hints(on_connect)
    except Exception:
        hints = {}
    resolved = []
    for p in params[1:]:
        annotation = hints.get(p.name, p.annotation)
        if isinstance(annotation, str):
            annotation = _eval_annotation(on_connect, p.name, annotation, cls.__qualname__)
        resolved.append(p.replace(annotation=annotation))
    ws_name = params[0].name
    message_type = cls.message_type

    async def endpoint(**kwargs: Any) -> None:
        websocket: WebSocket = kwargs[ws_name]
        consumer = cls()
        await consumer.on_connect(**kwargs)
        if websocket.connection_state != OPEN:
            return
        code = 1000
        try:
            while True:
                if message_type is None:
                    message: Any = await websocket.receive_message()
                else:
                    message = await websocket.receive_json(type=message_type)
                await consumer.on_receive(websocket, message)
        except WebSocketDisconnect as exc:
            code = exc.code
        finally:
            await consumer.on_disconnect(websocket, code)

    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[params[0].replace(annotation=WebSocket), *resolved], return_annotation=None
    )
    endpoint.__qualname__ = cls.__qualname__
    endpoint.__module__ = cls.__module__
    endpoint.__name__ = cls.__name__
    return endpoint


def websocket_route(
    obj: Any, path: str, options: dict[str, Any], plugin_options: tuple[str, ...] = ()
) -> Route:
    """The ``Route`` for ``api.websocket(path)(obj)`` (a coroutine function or a consumer).

    A consumer's class attributes (``auth``, ``guards``, ``rate_limit``, ``ws_*``, ...) are
    its ``class`` option layer, as for view classes; DRF names and near misses stop startup.
    """
    route_options = {k: v for k, v in options.items() if k not in ("kind", "methods")}
    if isinstance(obj, type) and issubclass(obj, WebSocketConsumer):
        endpoint = _consumer_endpoint(obj)
        return Route(
            WEBSOCKET_METHOD,
            path,
            endpoint,
            options=route_options,
            layers=[class_layer(obj, plugin_options, extra=WS_OPTIONS)],
            signature=inspect.signature(endpoint),
            source=obj,
        )
    if not inspect.iscoroutinefunction(obj):
        raise ImproperlyConfigured(
            f"@websocket({path!r}) needs an 'async def' function or a WebSocketConsumer "
            f"subclass, not {obj!r}"
        )
    return Route(WEBSOCKET_METHOD, path, obj, options=route_options)


class _Done(Response):
    """What the innermost step returns when the session ran (not a refusal): a new one per
    connection, since a plugin's ``wrap`` step may write headers on it."""


def compile_websocket_route(api: Any, route: Route) -> None:
    """Plan a WebSocket route like an HTTP route and prepare its session handler."""
    route.merge_options()
    endpoint = route.endpoint
    signature = route.signature or inspect.signature(endpoint)
    route.signature = signature
    path_names = {name for _, name, _ in parse_path(route.path) if name}
    params = plan_params(endpoint, signature, path_names, owner=repr(route))
    for p in params:
        if p.source == "query" and p.annotation is Any and p.name in ("ws", "websocket"):
            p.source = "request"
        if p.source in ("body", "form", "file"):
            raise ImproperlyConfigured(
                f"{route!r}: parameter {p.name!r} would be read from a request body, and a "
                "WebSocket handshake has none; read messages with ws.receive_json(type=...)"
            )
    route.params = params
    extractors = _resolve(api, route, params)
    call = endpoint
    route.return_type = None
    policy = _Policy(route, api.settings)

    async def inner(request: Request) -> Response:
        kwargs = await _gather(request, extractors) if extractors else {}
        await call(**kwargs)
        return _Done(b"", 200)

    middleware = collect_middleware(api, route)
    route.claim("skip_middleware", *WS_OPTIONS)
    # Django's MIDDLEWARE is for HTTP routes: from a router or the API it does not apply
    # here; on the WebSocket route itself it stays unclaimed, so startup stops.
    if "django_middleware" not in route.layers[0].options:
        route.claim("django_middleware")
    check_claims(api, route)
    chain = fold_middleware(middleware, inner)
    route.middleware_names = tuple(m.name for m in sorted(middleware, key=lambda m: m.phase))
    route.handler = _session(api, chain, policy)  # type: ignore[assignment]


def _origin_allowed(ws: WebSocket, policy: _Policy) -> bool:
    """Same origin (Origin's scheme and host match the connection's: ``https`` for ``wss``,
    ``http`` for ``ws``), an allowed origin, or no Origin at all (not a browser: it could
    send any Origin it likes, so refusing it protects nothing)."""
    origin = None
    host = None
    for name, value in ws.scope["headers"]:
        if name == b"origin":
            origin = value
        elif name == b"host":
            host = value
    if origin is None or policy.any_origin:
        return True
    text: str = origin.decode("latin-1").strip().lower()
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return False  # "null" (sandboxed frames, file://) and garbage
    if parts.scheme not in ("http", "https"):
        return False  # only a web page's origin can be same-origin or listed
    if host is not None and parts.netloc == host.decode("latin-1").strip().lower():
        # Same origin includes the scheme: a wss:// connection from an http:// page (one a
        # man in the middle may have written) is not the same origin as the https:// site.
        secure = ws.scope.get("scheme") == "wss"
        return (parts.scheme == "https") == secure
    return f"{parts.scheme}://{parts.netloc}" in policy.origins


def _with_token(ws: WebSocket, policy: _Policy) -> None:
    """Present a token sent as a subprotocol or query parameter (when the route allows
    it) as ``Authorization: Bearer <token>``, so the auth plugin's backends read it
    unchanged. A real Authorization header wins."""
    scope = ws.scope
    headers = scope["headers"]
    if any(name == b"authorization" for name, _ in headers):
        return
    token = None
    if policy.auth_subprotocol:
        offered = list(scope.get("subprotocols") or [])
        if "bearer" in offered:
            index = offered.index("bearer")
            if index + 1 < len(offered):
                token = offered[index + 1]
                del offered[index + 1]
                ws._token_subprotocol = True
                scope = ws.scope = {**scope, "subprotocols": offered}
    if token is None and policy.auth_query:
        token = ws.query.get(policy.auth_query)
    if token:
        ws.scope = {**scope, "headers": [*headers, (b"authorization", b"Bearer " + token.encode())]}
        ws._headers = None


def _close_code(exc: BaseException) -> int:
    if isinstance(exc, HTTPException):
        if exc.status_code == 401:
            return 4401
        if exc.status_code == 403:
            return 4403
        if 400 <= exc.status_code < 600:
            return 4000 + exc.status_code
    return 1011


def _session(api: Any, chain: Any, policy: _Policy) -> Callable[[WebSocket], Any]:
    """The route's handler: origin check, the plugins' handshake steps, the user's code,
    and the ending (refusal, close code, or nothing when the client left)."""
    rewrite = policy.auth_subprotocol or policy.auth_query is not None

    async def serve(ws: WebSocket) -> None:
        ws._policy = policy
        try:
            if not _origin_allowed(ws, policy):
                await deny(ws, JSONResponse({"detail": "WebSocket origin not allowed"}, 403))
                return
            if rewrite:
                _with_token(ws, policy)
            try:
                answer = await chain(ws)
            except WebSocketDisconnect:
                return
            except Exception as exc:
                if ws.connection_state == CONNECTING:
                    answer = api.error_response(ws, exc)
                elif ws.connection_state == OPEN:
                    code = _close_code(exc)
                    if code == 1011:
                        log.error("Unhandled error in WebSocket %s", ws.path, exc_info=exc)
                    await ws.close(code, _reason(exc))
                    return
                else:
                    if not isinstance(exc, HTTPException):
                        log.error("Unhandled error in WebSocket %s", ws.path, exc_info=exc)
                    return
            if ws.connection_state == CONNECTING:
                if isinstance(answer, _Done) or answer.status_code < 400:  # (or a wrap step's)
                    answer = JSONResponse({"detail": "WebSocket connection not accepted"}, 403)
                await deny(ws, answer)
            elif ws.connection_state == OPEN:
                await ws.close(1000)
        finally:
            if ws._cleanups is not None:
                from bolt.asgi import run_cleanups

                await run_cleanups(ws._cleanups)

    return serve


def _reason(exc: BaseException) -> str:
    if isinstance(exc, HTTPException):
        detail = exc.body().get("detail")
        return detail if isinstance(detail, str) else ""
    return "internal error"


async def deny(ws: WebSocket, response: Response) -> None:
    """Refuse the handshake with ``response`` (as HTTP where the server supports the
    ``websocket.http.response`` extension; otherwise a close before accept, i.e. 403)."""
    try:
        await ws._consume_connect()
    except WebSocketDisconnect:
        return
    ws.connection_state = CLOSED
    try:
        if (
            "websocket.http.response" in (ws.scope.get("extensions") or {})
            and type(response).__call__ is Response.__call__
        ):
            start, body = response.messages("GET", ws.response_headers)
            start["type"] = "websocket.http.response.start"
            body["type"] = "websocket.http.response.body"
            await ws._asgi_send(start)
            await ws._asgi_send(body)
        else:
            await ws._asgi_send({"type": "websocket.close", "code": 1008, "reason": ""})
    except Exception:
        log.debug("WebSocket %s: client gone before the refusal", ws.path)


async def handle_websocket(api: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Route one WebSocket connection (``scope["type"] == "websocket"``)."""
    if not api.compiled:
        api.compile()
    check = api._host_check
    if check is not None:
        host = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value if host is None else b""
        if not host or not (check.known.get(host) or check(host)):
            ws = WebSocket(scope, receive, send, {})
            await deny(ws, JSONResponse({"detail": "Invalid or missing Host header"}, 400))
            return
    match = api.ws_router.match(scope["path"], scope.get("raw_path"))
    if match is None:
        nxt = api.fallback
        if nxt is not None and hasattr(nxt, "ws_router"):
            await nxt(scope, receive, send)  # the next Bolt API of the project
            return
        ws = WebSocket(scope, receive, send, {})
        await deny(ws, JSONResponse({"detail": "Not Found"}, 404))
        return
    route, params = match
    # The handshake is a GET to the plugins' steps, which may read the scope's method.
    ws = WebSocket({**scope, "method": "GET"}, receive, send, params)
    ws.route = route
    await route.handler(ws)
