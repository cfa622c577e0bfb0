"""Route compilation: the only place that calls route hooks.

``compile_route`` turns a ``Route`` specification into a prepared ``route.handler``:
parameter extractors (via ``bolt_resolve_param``), a response shaper (via
``bolt_response_encoder``) and the middleware chain (via ``bolt_route_middleware``), folded
once. The per-request code built here only iterates prepared lists.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async

from bolt.binding import _eval_annotation, plan_params
from bolt.bodies import read_body
from bolt.django_middleware import django_middleware_for
from bolt.exceptions import ImproperlyConfigured, RequestValidationError
from bolt.layers import option_error
from bolt.params import Depends, Param
from bolt.pipeline import Handler, Middleware
from bolt.request import Request
from bolt.responses import Response, _json_response
from bolt.route import KERNEL_OPTIONS, Route
from bolt.routing import parse_path

__all__ = ["compile_route", "fold_middleware", "make_call"]

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Extractor = tuple[str, Callable[[Request], Any], bool]

# Options of WebSocket routes (bolt.websocket), which the kernel implements. Given on a
# router or API they apply to its WebSocket routes; HTTP routes below them claim them here.
WS_OPTIONS = (
    "ws_origins",
    "ws_message_rate",
    "ws_max_message_size",
    "ws_idle_timeout",
    "ws_auth_subprotocol",
    "ws_auth_query",
)


def make_call(func: Callable[..., Any]) -> Callable[..., Any]:
    """An awaitable-returning caller: async functions as they are, sync ones in a thread."""
    if inspect.iscoroutinefunction(func):
        return func
    return sync_to_async(func, thread_sensitive=False)


def _resolve(api: Any, route: Route, params: list[Param]) -> list[Extractor]:
    out: list[Extractor] = []
    for param in params:
        extractor = api.pm.hook.bolt_resolve_param(api=api, route=route, param=param)
        if extractor is None:
            raise ImproperlyConfigured(
                f"{route!r}: no plugin can supply parameter {param.name!r} "
                f"(source {param.source!r})"
            )
        out.append((param.name, extractor, inspect.iscoroutinefunction(extractor)))
    return out


async def _gather(request: Request, extractors: list[Extractor]) -> dict[str, Any]:
    # hot path
    kwargs: dict[str, Any] = {}
    errors: list[Any] | None = None
    for name, extract, is_async in extractors:
        try:
            value = extract(request)
            if is_async:
                value = await value
        except RequestValidationError as exc:
            if errors is None:
                errors = []
            errors.extend(exc.errors)
            continue
        kwargs[name] = value
    if errors:
        raise RequestValidationError(errors)
    return kwargs


def _sync_gatherer(extractors: list[Extractor]) -> Callable[[Request], dict[str, Any]]:
    """A gatherer for routes whose extractors are all synchronous (most routes), unrolled
    for the common one- and two-parameter cases."""
    if len(extractors) == 1:
        ((n1, e1, _),) = extractors

        def gather_one(request: Request) -> dict[str, Any]:
            # hot path
            try:
                return {n1: e1(request)}
            except RequestValidationError:
                return _gather_sync(request, extractors)

        return gather_one
    if len(extractors) == 2:
        (n1, e1, _), (n2, e2, _) = extractors

        def gather_two(request: Request) -> dict[str, Any]:
            # hot path
            try:
                return {n1: e1(request), n2: e2(request)}
            except RequestValidationError:
                return _gather_sync(request, extractors)

        return gather_two
    return lambda request: _gather_sync(request, extractors)


def _gather_sync(request: Request, extractors: list[Extractor]) -> dict[str, Any]:
    """``_gather`` for routes whose extractors are all synchronous."""
    # hot path
    try:
        return {name: extract(request) for name, extract, _ in extractors}
    except RequestValidationError:
        pass
    # Something failed: run them one by one to report every error at once.
    kwargs: dict[str, Any] = {}
    errors: list[Any] = []
    for name, extract, _ in extractors:
        try:
            kwargs[name] = extract(request)
        except RequestValidationError as exc:
            errors.extend(exc.errors)
    raise RequestValidationError(errors)


def depends_extractor(api: Any, route: Route, param: Param, depth: int = 0) -> Any:
    """Extractor for ``Depends(fn)``: plans ``fn``'s own parameters once, like a handler's.

    A parameter of ``fn`` that no plugin can supply stops startup, as it does for a handler.
    """
    marker = param.marker
    assert isinstance(marker, Depends)
    fn = marker.dependency
    if depth > 32:
        raise ImproperlyConfigured(f"{route!r}: dependency chain too deep (cycle?) at {fn!r}")
    path_names = {name for _, name, _ in parse_path(route.path) if name}
    sub = plan_params(fn, inspect.signature(fn), path_names, owner=f"dependency {fn!r}")
    sub_extractors: list[Extractor] = []
    for p in sub:
        if p.source == "depends":
            ext: Any = depends_extractor(api, route, p, depth + 1)
        else:
            ext = api.pm.hook.bolt_resolve_param(api=api, route=route, param=p)
        if ext is None:
            # Refused here, at startup: the dependency would otherwise fail every request.
            raise ImproperlyConfigured(
                f"{route!r}: dependency {getattr(fn, '__qualname__', fn)!r}: no plugin can "
                f"supply its parameter {p.name!r} (source {p.source!r})"
            )
        sub_extractors.append((p.name, ext, inspect.iscoroutinefunction(ext)))
    use_cache = marker.use_cache
    is_agen = inspect.isasyncgenfunction(fn)
    is_gen = inspect.isgeneratorfunction(fn)
    call = None if (is_agen or is_gen) else make_call(fn)

    async def extract(request: Request) -> Any:
        cache = request._dep_cache
        if use_cache and cache is not None and fn in cache:
            return cache[fn]
        kwargs = await _gather(request, sub_extractors) if sub_extractors else {}
        if is_agen:
            gen = fn(**kwargs)
            value = await gen.__anext__()
            request.add_cleanup(gen)
        elif is_gen:
            gen = fn(**kwargs)
            value = await sync_to_async(next, thread_sensitive=False)(gen)
            request.add_cleanup(gen)
        else:
            value = await call(**kwargs)  # type: ignore[misc]
        if use_cache:
            if request._dep_cache is None:
                request._dep_cache = {}
            request._dep_cache[fn] = value
        return value

    return extract


def _return_type(route: Route, func: Callable[..., Any]) -> Any:
    if route.response_model is not None:
        return route.response_model
    annotation = route.signature.return_annotation if route.signature else inspect._empty
    if annotation is inspect._empty:
        return None
    if isinstance(annotation, str):
        try:
            annotation = typing.get_type_hints(func).get("return", annotation)
        except Exception:
            annotation = _eval_annotation(func, "return", annotation, repr(route))
    if annotation is None or annotation is type(None):
        return None
    if isinstance(annotation, type) and issubclass(annotation, Response):
        return None
    return annotation


def _as_response(result: Any, status: int) -> Response:
    """A shaped (or unshaped) non-tuple return value as a response."""
    if result is None:
        return Response(b"", 204)
    if isinstance(result, Response):
        return result
    kind = type(result)
    if kind is str:
        return Response(result, status, media_type="text/plain")
    if kind is bytes:
        return Response(result, status, media_type="application/octet-stream")
    return _json_response(result, status)


def _responder(route: Route, shape: Any) -> tuple[Callable[[Any], Any], bool]:
    """``(respond, is_async)``: turns a handler's return value into a ``Response``.

    Synchronous unless the route's shaper is async, so most routes pay no extra coroutine.
    """
    status = route.status_code or 200

    def status_tuple(result: tuple[Any, ...]) -> tuple[int, Any, Any] | None:
        if 2 <= len(result) <= 3 and type(result[0]) is int:
            return result[0], result[1], (result[2] if len(result) == 3 else None)
        return None

    def with_status(code: int, body: Any, headers: Any) -> Response:
        if isinstance(body, Response):
            body.status_code = code
            return body
        return Response(body, code, headers)

    if shape is None:

        def respond(result: Any) -> Response:
            # hot path
            kind = type(result)
            if kind is dict or kind is list:
                return _json_response(result, status)
            if kind is tuple:
                parts = status_tuple(result)
                if parts is not None:
                    return with_status(*parts)
            return _as_response(result, status)

        return respond, False

    if not inspect.iscoroutinefunction(shape):

        def respond_shaped(result: Any) -> Response:
            # hot path
            if type(result) is tuple:
                parts = status_tuple(result)
                if parts is not None:
                    code, body, headers = parts
                    if body is not None and not isinstance(body, Response):
                        body = shape(body)
                    return with_status(code, body, headers)
            if result is None or isinstance(result, Response):
                return _as_response(result, status)
            return _as_response(shape(result), status)

        return respond_shaped, False

    async def respond_async(result: Any) -> Response:
        # hot path
        if type(result) is tuple:
            parts = status_tuple(result)
            if parts is not None:
                code, body, headers = parts
                if body is not None and not isinstance(body, Response):
                    body = await shape(body)
                return with_status(code, body, headers)
        if result is None or isinstance(result, Response):
            return _as_response(result, status)
        return _as_response(await shape(result), status)

    return respond_async, True


BeforeChecks = tuple[Callable[[Request], Any], ...]


def _before_checks(befores: list[Callable[[Request], Any]]) -> BeforeChecks:
    """``before`` steps in run order. Whether one is a coroutine function need not be known:
    what it returns is either ``None``, a ``Response`` or something to await (its coroutine
    included), and telling those apart is the same two tests either way."""
    return tuple(befores)


def _with_befores(handler: Handler, befores: list[Callable[[Request], Any]]) -> Handler:
    """One coroutine that runs consecutive ``before`` steps, then ``handler``."""
    if not befores:
        return handler
    checks = _before_checks(befores)

    async def checked(request: Request) -> Response:
        # hot path
        for check in checks:
            answer = check(request)
            if answer is not None:
                if not isinstance(answer, Response):
                    answer = await answer
                if answer is not None:
                    return answer  # type: ignore[no-any-return]
        return await handler(request)

    return checked


def split_middleware(middleware: list[Middleware]) -> tuple[list[Middleware], BeforeChecks]:
    """``(outer, checks)``: the innermost run of ``before`` steps is returned as checks for
    the route's own handler to run (no coroutine of their own); the rest is folded."""
    ordered = sorted(middleware, key=lambda m: m.phase)
    cut = len(ordered)
    while cut and ordered[cut - 1].before is not None:
        cut -= 1
    tail = [m.before for m in ordered[cut:] if m.before is not None]
    return ordered[:cut], _before_checks(tail)


def fold_middleware(middleware: list[Middleware], inner: Handler) -> Handler:
    """Wrap ``inner`` so the lowest phase runs first (outermost).

    Consecutive ``before`` steps share one coroutine; each ``wrap`` step adds its own.
    """
    handler = inner
    pending: list[Callable[[Request], Any]] = []  # before steps, in run order
    # Ascending and stable, walked from the inside out: steps of equal phase run in the
    # order plugins gave them, as split_middleware runs them.
    ordered = sorted(middleware, key=lambda m: m.phase)
    for mw in ordered[::-1]:
        if mw.before is not None:
            pending.insert(0, mw.before)
            continue
        handler = _with_befores(handler, pending)
        pending = []
        assert mw.wrap is not None
        handler = mw.wrap(handler)
    return _with_befores(handler, pending)


def collect_middleware(api: Any, route: Route) -> list[Middleware]:
    """Ask plugins for the route's middleware, then apply ``skip_middleware``."""
    found: list[Middleware] = []
    # Plugin by plugin in load order, so the stable sort by phase puts the plugin loaded
    # first outermost on equal phases (pluggy's own call order is the reverse).
    for _, result in api.pm.call_each("bolt_route_middleware", api=api, route=route):
        found.extend(result if isinstance(result, list | tuple) else [result])
    skip = route.options.get("skip_middleware")
    if skip:
        unknown = set(skip) - api.middleware_names - {"*"}
        if unknown:
            raise ImproperlyConfigured(
                f"{route!r}: skip_middleware names unknown middleware "
                f"{', '.join(sorted(unknown))}; known: {', '.join(sorted(api.middleware_names))}"
            )
        found = [m for m in found if m.name not in skip and not ("*" in skip and m.optional)]
    return found


def check_claims(api: Any, route: Route) -> None:
    """Fail closed: every option of every layer must have been claimed by a plugin."""
    unclaimed = sorted(set(route.options) - KERNEL_OPTIONS - route.claimed)
    if unclaimed:
        name = unclaimed[0]
        layer = route.option_layer(name)
        where = f"{route!r} ({name}= from {layer.where if layer else 'a plugin'})"
        owner = api.known_options.get(name)
        if owner is not None:
            raise ImproperlyConfigured(
                f"{where}: plugin {owner!r} declares option {name!r} but did not apply it to "
                "this route; refusing to serve it with the option ignored"
            )
        raise option_error(name, where, {*KERNEL_OPTIONS, *api.known_options})


def compile_route(api: Any, route: Route) -> None:
    """Fill in ``route.params``, ``route.return_type``, ``route.handler``."""
    route.merge_options()
    endpoint = route.endpoint
    signature = route.signature or inspect.signature(endpoint)
    route.signature = signature
    path_names = {name for _, name, _ in parse_path(route.path) if name}
    params = plan_params(endpoint, signature, path_names, owner=repr(route))
    route.params = params
    route.body_params = sum(1 for p in params if p.source == "body")

    extractors = _resolve(api, route, params)
    route.return_type = _return_type(route, endpoint)
    shape = api.pm.hook.bolt_response_encoder(api=api, route=route, return_type=route.return_type)
    respond, respond_async = _responder(route, shape)
    status = route.status_code or 200
    call = make_call(endpoint)
    # Routes that opt in to Django's MIDDLEWARE: its wrapper reads the body first.
    with_django = django_middleware_for(api, route)
    reads_body = route.method in BODY_METHODS and with_django is None
    limit = api.settings.MAX_BODY_SIZE

    all_sync = not any(is_async for _, _, is_async in extractors)
    gather_sync = _sync_gatherer(extractors)
    middleware = collect_middleware(api, route)
    outer, checks = split_middleware(middleware)

    async def inner(request: Request) -> Response:
        # hot path
        if checks:  # the loop of ``_with_befores``, written out: no coroutine of its own
            for check in checks:
                answer = check(request)
                if answer is not None:
                    if not isinstance(answer, Response):
                        answer = await answer
                    if answer is not None:
                        return answer  # type: ignore[no-any-return]
        if reads_body:
            await read_body(request, limit)
        if not extractors:
            result = await call()
        elif all_sync:
            result = await call(**gather_sync(request))
        else:
            result = await call(**(await _gather(request, extractors)))
        if respond_async:
            if type(result) is tuple or result is None or isinstance(result, Response):
                response: Response = await respond(result)
                return response
            # The common case awaits the shaper itself: one coroutine less than ``respond``.
            return _as_response(await shape(result), status)
        return respond(result)  # type: ignore[no-any-return]

    route.claim("skip_middleware")
    # WebSocket options from a router or the API are not this HTTP route's business; on the
    # route itself they are a mistake, left unclaimed so startup stops.
    route.claim(*(n for n in WS_OPTIONS if n in route.options and n not in route.layers[0].options))
    check_claims(api, route)
    route.handler = fold_middleware(outer, inner)
    if with_django is not None:
        route.handler = with_django(route.handler)
    route.middleware_names = tuple(m.name for m in sorted(middleware, key=lambda m: m.phase))
    route.preflight_middleware = [m for m in middleware if m.preflight]
