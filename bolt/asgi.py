"""The per-request hot path, the lifespan protocol, and the project's ASGI application."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
from typing import Any

from bolt.bodies import ClientDisconnected
from bolt.request import Request
from bolt.responses import JSONResponse, Response, add_response_headers
from bolt.routing import has_dot_segment

__all__ = ["get_asgi_application", "handle_http", "handle_lifespan"]

log = logging.getLogger("bolt")
_plain_call = Response.__call__


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail}, status, headers)


async def handle_http(api: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Route one request, run its prepared handler and send the response.

    This is ``BoltAPI.__call__`` itself (one coroutine less per request): scopes other than
    ``http`` are handed to ``api.handle_other``.
    """
    # hot path
    if scope["type"] != "http":
        await api.handle_other(scope, receive, send)
        return
    if not api.compiled:
        api.compile()
    check = api._host_check
    if check is not None:
        host = None
        for name, value in scope["headers"]:
            if name == b"host":
                # a second Host header makes the request invalid
                host = value if host is None else b""
        if not host or not (check.known.get(host) or check(host)):
            await _error(400, "Invalid or missing Host header")(scope, receive, send)
            return
    match = api.router.match(scope["path"], scope.get("raw_path"))
    if match is None:
        app, scope = _unrouted_app(api, scope)
        await app(scope, receive, send)
        return
    entry, params = match
    method = scope["method"]
    route = entry.methods.get(method)
    request = Request(scope, receive, params)
    if route is not None:
        request.route = route
        handler = route.handler
    elif method == "OPTIONS":
        handler = _preflight(entry, request)
    else:
        await _error(405, "Method Not Allowed", {"allow": entry.allow})(scope, receive, send)
        return
    try:
        response = await handler(request)
    except ClientDisconnected:
        await _answer_incomplete_body(scope, receive, send)
        return
    except Exception as exc:
        response = api.error_response(request, exc)
    extra = request.response_headers
    try:
        if type(response).__call__ is _plain_call:
            # A response held in memory: send its two messages here (one coroutine less).
            if extra is not None and (response.headers or request._exact_headers):
                add_response_headers(response, extra)  # names may clash: merge exactly
                extra = None
            start, body = response.messages(method, extra)
            await send(start)
            await send(body)
        else:
            if extra is not None:
                add_response_headers(response, extra)
            await response(scope, receive, send)
    finally:
        if request._cleanups is not None:
            await run_cleanups(request._cleanups)


def _unrouted_app(api: Any, scope: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """``(app, scope)`` for a path none of ``api``'s routes matches: a mounted app with the
    mount's prefix moved to ``root_path``, the next app of the project, or a JSON 404."""
    path = scope["path"]
    # Dot segments never reach a route, a mount or the next app either: ``path`` is decoded,
    # so "%2e%2e" counts too.
    if "/." in path and has_dot_segment(path):
        return _error(404, "Not Found"), scope
    for prefix, app in api.mounts:
        if path == prefix or path.startswith(prefix + "/"):
            child = dict(scope)
            child["root_path"] = scope.get("root_path", "") + prefix
            child["path"] = path[len(prefix) :] or "/"
            raw = scope.get("raw_path")
            if raw is not None:
                child["raw_path"] = raw[len(prefix) :] or b"/"
            return app, child
    if api.fallback is not None:
        return api.fallback, scope
    return _error(404, "Not Found"), scope


async def _answer_incomplete_body(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Granian reports a malformed chunked body as ``http.disconnect`` although the client is
    still there: answer 400. If the client did leave, the server drops the send."""
    with contextlib.suppress(Exception):
        await _error(400, "Request body is incomplete or malformed")(scope, receive, send)


def _preflight(entry: Any, request: Request) -> Any:
    """The automatic OPTIONS answer, wrapped by the target route's preflight middleware."""
    wanted = request.headers.get("access-control-request-method")
    route = entry.methods.get(wanted.upper()) if wanted else None
    if route is None:
        route = next(iter(entry.methods.values()))
    request.route = route
    return route.preflight_handler


async def run_cleanups(cleanups: list[Any]) -> None:
    """Finish generator dependencies (code after ``yield``) and cleanup callables, in
    reverse order. Errors are logged, never sent: the response is already out."""
    from asgiref.sync import sync_to_async

    for item in reversed(cleanups):
        try:
            if inspect.isasyncgen(item):
                with contextlib.suppress(StopAsyncIteration):
                    await item.__anext__()
            elif inspect.isgenerator(item):
                await sync_to_async(_finish_generator, thread_sensitive=False)(item)
            else:
                result = item()
                if inspect.isawaitable(result):
                    await result
        except Exception:
            log.exception("Error while cleaning up after a request")


def _finish_generator(gen: Any) -> None:
    with contextlib.suppress(StopIteration):
        next(gen)


async def handle_lifespan(apis: list[Any], receive: Any, send: Any) -> None:
    """ASGI lifespan: compile and start every API, then stop them on shutdown."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                for api in apis:
                    await api.startup()
            except Exception as exc:
                log.exception("Startup failed")
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            for api in apis:
                try:
                    await api.shutdown()
                except Exception:
                    log.exception("Shutdown failed")
            await send({"type": "lifespan.shutdown.complete"})
            return


def _load_api(dotted: str) -> Any:
    module, sep, attr = dotted.partition(":")
    if not sep:
        module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def discover_apis() -> list[Any]:
    """The APIs named in ``BOLT_API``, else every ``BoltAPI`` in each installed app's
    ``api.py``."""
    from django.apps import apps

    from bolt.api import BoltAPI
    from bolt.conf import get_settings

    names = get_settings().API
    if names:
        return [_load_api(name) for name in names]
    found: list[Any] = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        found.extend(v for v in vars(module).values() if isinstance(v, BoltAPI))
    return list({id(a): a for a in found}.values())


class JSONNotFoundUnder:
    """Django's handler behind the APIs, except for paths under an API's prefix: those
    answer JSON ``{"detail": "Not Found"}`` (404) instead of Django's HTML page, since
    clients of an API expect JSON errors everywhere under it. ``quiet`` paths (a
    ``/favicon.ico`` that Django has no URL for) answer 404 without reaching Django, whose
    "Not Found" warning for every browser visit is only noise. It runs only when no API
    matched, so matched routes pay nothing."""

    __slots__ = ("app", "prefixes", "quiet")

    def __init__(self, app: Any, prefixes: list[str], quiet: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.prefixes = tuple(prefixes)
        self.quiet = quiet

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path in self.quiet:
                await _error(404, "Not Found")(scope, receive, send)
                return
            for prefix in self.prefixes:
                if path == prefix or path.startswith(prefix + "/"):
                    await _error(404, "Not Found")(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _json_404_enabled() -> bool:
    from bolt.conf import get_settings

    return get_settings().JSON_404_UNDER_PREFIX


def _unrouted(paths: tuple[str, ...]) -> frozenset[str]:
    """The paths Django's URLconf does not resolve (checked once, at startup)."""
    from django.urls import Resolver404, resolve

    out = set()
    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            out.add(path)
    return frozenset(out)


class ProjectApplication:
    """All Bolt APIs of the project in front of Django's own ASGI handler.

    Unmatched paths under an API's ``prefix`` answer a JSON 404 rather than reaching
    Django (``BOLT_JSON_404_UNDER_PREFIX = False`` hands them to Django as before).
    """

    def __init__(self, apis: list[Any], django_app: Any) -> None:
        self.apis = apis
        prefixes = sorted({"/" + a.prefix.strip("/") for a in apis if a.prefix.strip("/")})
        if not _json_404_enabled():
            prefixes = []
        quiet = _unrouted(("/favicon.ico",))
        if prefixes or quiet:
            django_app = JSONNotFoundUnder(django_app, prefixes, quiet)
        self.django_app = django_app
        # Chain: each API falls back to the next, the last one to Django.
        for api, nxt in zip(apis, [*apis[1:], django_app], strict=True):
            api.fallback = nxt
        self.entry = apis[0] if apis else django_app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await handle_lifespan(self.apis, receive, send)
            return
        await self.entry(scope, receive, send)


def get_asgi_application() -> ProjectApplication:
    """The project's ASGI app: Bolt routes first, every other path to Django."""
    from bolt._django import ensure_django

    ensure_django()
    from django.core.asgi import get_asgi_application as django_asgi

    django_app = django_asgi()
    apis = discover_apis()
    for api in apis:
        api.compile()
    return ProjectApplication(apis, django_app)
