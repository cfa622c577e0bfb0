"""Django's ``MIDDLEWARE`` around a Bolt route, for routes that opt in.

Bolt routes do not pass through Django's handler, so the project's middleware (sessions,
authentication, locale, messages, tenants) does not run for them. A route, router, view class
or API that says ``django_middleware=True`` gets all of ``settings.MIDDLEWARE``;
``django_middleware=["dotted.Path", ...]`` gets those only, in that order;
``django_middleware=False`` (or ``[]``) turns it off where a wider layer turned it on.

The chain is built once per route when it compiles, the way Django's
``BaseHandler.load_middleware`` builds its own: each middleware is created with the next
one as its ``get_response``, sync and async middleware are adapted with asgiref, and
``process_view`` / ``process_exception`` methods are collected. The innermost
``get_response`` turns the Django request back into the Bolt request and runs the route's
whole Bolt chain (CORS, authentication, guards, the handler), then converts the Bolt
response into a Django one for the middleware to see. The final Django response is turned
back into a Bolt response. The chain wraps the Bolt chain because Django middleware sets up
what the rest of the request relies on (a tenant's schema, the active language, the session).

Per request, an opted-in route reads its body first (as Django's own ASGI handler does, so
middleware may read ``request.POST``), builds one ``ASGIRequest`` and converts the response
twice. Routes that do not opt in are compiled exactly as before and pay nothing.

Responses: in-memory responses become ``HttpResponse``; ``StreamingResponse`` becomes a
``StreamingHttpResponse`` over the same chunks (so middleware that rewrites streams, like
``GZipMiddleware``, applies) and comes back as a ``StreamingResponse``. A ``FileResponse``
passes through: middleware sees a streaming stand-in with its status and headers, and what it
sets there (status, headers, cookies) is applied to the file response, except headers that
describe a rewritten body (``Content-Encoding``, ``Content-Length``), since the file is sent
as it is.

Exceptions escaping a middleware become JSON ``{"detail": ...}`` error responses (Django's
``Http404`` a 404, ``PermissionDenied`` a 403, ``SuspiciousOperation`` and ``BadRequest`` a
400, anything else the API's usual 500), never Django's HTML error pages.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async

from bolt.bodies import read_body
from bolt.exceptions import BadRequest, Forbidden, ImproperlyConfigured, NotFound
from bolt.pipeline import Handler
from bolt.request import Request
from bolt.responses import Response, StreamingResponse

__all__ = ["OPTION", "django_middleware_for", "middleware_paths"]

OPTION = "django_middleware"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Headers of a passed-through file response that describe a body middleware meant to
# rewrite; the file is sent unchanged, so they are not copied onto it.
_BODY_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def middleware_paths(route: Any) -> list[Any] | None:
    """The middleware entries the route runs (``None`` when it does not opt in).

    Claims the option: the kernel owns it."""
    route.claim(OPTION)
    value = route.options.get(OPTION)
    if value is None or value is False:
        return None
    layer = route.option_layer(OPTION)
    where = f"{route!r}: {OPTION}= from {layer.where if layer else 'a layer'}"
    if value is True:
        from django.conf import settings

        return list(settings.MIDDLEWARE) or None
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ImproperlyConfigured(
            f"{where}: expected True, False or a list of middleware dotted paths, got {value!r}"
        )
    return list(value) or None


def _import(entry: Any, where: str) -> Any:
    if not isinstance(entry, str):
        return entry  # a middleware class or factory given directly
    from django.utils.module_loading import import_string

    try:
        return import_string(entry)
    except ImportError as exc:
        raise ImproperlyConfigured(f"{where}: cannot import middleware {entry!r} ({exc})") from None


def _adapt(is_async: bool, method: Callable[..., Any], method_is_async: bool | None = None) -> Any:
    """``method`` in the requested mode (Django's ``BaseHandler.adapt_method_mode``)."""
    if method_is_async is None:
        method_is_async = inspect.iscoroutinefunction(method)
    if is_async and not method_is_async:
        return sync_to_async(method, thread_sensitive=True)
    if not is_async and method_is_async:
        return async_to_sync(method)
    return method


def _django_error(api: Any, exc: BaseException, django_request: Any) -> Any:
    """An exception a middleware raised, as a JSON error in a Django response."""
    from django.core import exceptions as dj
    from django.http import Http404

    if isinstance(exc, Http404):
        exc = NotFound()
    elif isinstance(exc, dj.PermissionDenied):
        exc = Forbidden()
    elif isinstance(exc, dj.SuspiciousOperation | dj.BadRequest):
        exc = BadRequest()
    bolt_request = getattr(django_request, "_bolt_request", None)
    return to_django(api.error_response(bolt_request, exc))


def _guarded(api: Any, handler: Any, is_async: bool) -> Any:
    """``handler`` with exceptions turned into responses, so every middleware sees a
    response (Django's ``convert_exception_to_response``, with JSON errors)."""
    if is_async:

        async def guarded_async(request: Any) -> Any:
            try:
                return await handler(request)
            except Exception as exc:
                return _django_error(api, exc, request)

        return guarded_async

    def guarded(request: Any) -> Any:
        try:
            return handler(request)
        except Exception as exc:
            return _django_error(api, exc, request)

    return guarded


def build_chain(api: Any, route: Any, entries: list[Any], bolt_handler: Handler) -> Any:
    """The Django middleware chain for one route: ``async (HttpRequest) -> HttpResponse``."""
    from django.core.exceptions import MiddlewareNotUsed

    where = f"{route!r}: {OPTION}="
    view_middleware: list[Any] = []
    exception_middleware: list[Any] = []
    # The view ``process_view`` sees: what the user registered (``csrf_exempt`` is read from
    # it), not a plugin's wrapper of it.
    endpoint = route.source

    async def get_response(django_request: Any) -> Any:
        bolt_request: Request = django_request._bolt_request
        bolt_request.django_request = django_request
        for process_view in view_middleware:
            answer = await process_view(django_request, endpoint, (), dict(bolt_request.params))
            if answer is not None:
                return answer
        try:
            response = await bolt_handler(bolt_request)
        except Exception as exc:
            for process_exception in exception_middleware:
                answer = await process_exception(django_request, exc)
                if answer is not None:
                    return answer
            response = api.error_response(bolt_request, exc)
        return to_django(response)

    handler: Any = _guarded(api, get_response, True)
    handler_is_async = True
    for entry in reversed(entries):
        factory = _import(entry, where)
        can_sync = getattr(factory, "sync_capable", True)
        can_async = getattr(factory, "async_capable", False)
        if not can_sync and not can_async:
            raise ImproperlyConfigured(
                f"{where}: middleware {entry!r} must have at least one of "
                "sync_capable/async_capable set to True"
            )
        mw_is_async = can_async if (handler_is_async or not can_sync) else False
        adapted = _adapt(mw_is_async, handler, handler_is_async)
        try:
            instance = factory(adapted)
        except MiddlewareNotUsed:
            continue
        if instance is None:
            raise ImproperlyConfigured(f"{where}: middleware factory {entry!r} returned None")
        if hasattr(instance, "process_view"):
            view_middleware.insert(0, _adapt(True, instance.process_view))
        if hasattr(instance, "process_exception"):
            exception_middleware.append(_adapt(True, instance.process_exception))
        handler = _guarded(api, instance, mw_is_async)
        handler_is_async = mw_is_async
    return _adapt(True, handler, handler_is_async)


def django_middleware_for(api: Any, route: Any) -> Callable[[Handler], Handler] | None:
    """``wrap(handler) -> handler`` running the route's Django middleware around its Bolt
    chain, or ``None`` when the route does not opt in (then nothing changes for it). The
    returned wrapper reads the body itself, so the route's handler must not read it again."""
    entries = middleware_paths(route)
    if entries is None:
        return None
    reads_body = route.method in BODY_METHODS
    limit = api.settings.MAX_BODY_SIZE

    def wrap(bolt_handler: Handler) -> Handler:
        from django.core.handlers.asgi import ASGIRequest

        chain = build_chain(api, route, entries, bolt_handler)

        async def with_django_middleware(request: Request) -> Response:
            if reads_body:
                await read_body(request, limit)
            body = request.body
            django_request = ASGIRequest(request.scope, io.BytesIO(bytes(body)))
            django_request._bolt_request = request
            request.django_request = django_request
            return to_bolt(await chain(django_request))

        return with_django_middleware

    return wrap


# --- responses ---------------------------------------------------------------------------


async def _encoded_chunks(response: StreamingResponse) -> Any:
    from bolt.responses import json_encode

    async for chunk in response._chunks():
        if isinstance(chunk, str):
            yield chunk.encode()
        elif isinstance(chunk, bytes | bytearray | memoryview):
            yield bytes(chunk)
        else:
            yield json_encode(chunk)


def to_django(response: Response) -> Any:
    """A Bolt response as a Django response (status, headers, cookies, body)."""
    from django.http import HttpResponse, StreamingHttpResponse

    raw = response.raw_headers(None)
    if response.in_memory:
        out: Any = HttpResponse(response.body, status=response.status_code)
    elif isinstance(response, StreamingResponse) and type(response).__call__ is (
        StreamingResponse.__call__
    ):
        out = StreamingHttpResponse(_encoded_chunks(response), status=response.status_code)
    else:
        out = StreamingHttpResponse((), status=response.status_code)
        out._bolt_response = response
    if not any(name == b"content-type" for name, _ in raw):
        del out["Content-Type"]
    cookies: list[str] = []
    for name, value in raw:
        if name == b"set-cookie":
            cookies.append(value.decode("latin-1"))
        else:
            out[name.decode("latin-1")] = value.decode("latin-1")
    out._bolt_cookies = cookies
    return out


def _cookie_lines(django_response: Any) -> list[str]:
    lines: list[str] = list(getattr(django_response, "_bolt_cookies", ()))
    lines.extend(morsel.OutputString() for morsel in django_response.cookies.values())
    return lines


def to_bolt(django_response: Any) -> Response:
    """The final Django response as a Bolt response."""
    headers = {
        name.lower(): value
        for name, value in django_response.items()
        if name.lower() != "content-length"
    }
    original = getattr(django_response, "_bolt_response", None)
    if original is not None:
        original.status_code = django_response.status_code
        original.headers = {k: v for k, v in headers.items() if k not in _BODY_HEADERS}
        original.cookies = _cookie_lines(django_response) or None
        return original  # type: ignore[no-any-return]
    if django_response.streaming:
        out: Response = StreamingResponse(
            django_response.streaming_content, django_response.status_code, headers
        )
    else:
        out = Response(django_response.content, django_response.status_code, headers)
    if "content-type" not in headers:
        out.media_type = None
    out.cookies = _cookie_lines(django_response) or None
    return out
