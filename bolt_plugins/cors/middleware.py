"""The CORS middleware: answers preflights and decorates every response of a route.

It runs first (phase 100) so a preflight is answered before authentication, and so the
CORS headers reach error responses too: any exception from inner steps (401 from auth, 429
from the rate limiter, a 500 from the handler) is turned into its response here and then
decorated. ``preflight=True`` makes the kernel wrap its automatic ``OPTIONS`` answer with the
same step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bolt.bodies import ClientDisconnected
from bolt.middleware import Handler
from bolt.request import Request
from bolt.responses import JSONResponse, Response
from bolt_plugins.cors.policy import TOKEN_RE, CorsPolicy

__all__ = ["add_vary", "make_cors_wrap"]

_PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def add_vary(headers: dict[str, str], name: str) -> None:
    """Add ``name`` to the response's ``Vary`` header unless it is already listed."""
    current = headers.get("vary")
    if current is None:
        headers["vary"] = name
        return
    wanted = name.lower()
    if any(part.strip().lower() in (wanted, "*") for part in current.split(",")):
        return
    headers["vary"] = f"{current}, {name}"


def _origin_of(raw_headers: list[tuple[bytes, bytes]]) -> str | None:
    """The ``Origin`` header straight from the ASGI scope: cheaper than building the whole
    lower-cased header dict when nothing else on the route needs it."""
    # hot path
    for name, value in raw_headers:
        if len(name) == 6 and name.lower() == b"origin":
            return value.decode("latin-1")
    return None


def _refuse(reason: str) -> Response:
    return JSONResponse(
        {"detail": f"CORS preflight refused: {reason}"}, 403, {"vary": _PREFLIGHT_VARY}
    )


def make_preflight(policy: CorsPolicy) -> Callable[[str, dict[str, str]], Response]:
    """Build the preflight answer for ``policy`` (origin, method and headers checked)."""
    allows = policy.allows
    methods = policy.methods
    allowed_headers = policy.headers
    any_header = policy.any_header
    base: dict[str, str] = {
        "vary": _PREFLIGHT_VARY,
        "access-control-allow-methods": policy.allow_methods_value,
        "access-control-max-age": str(policy.max_age),
    }
    if policy.credentials:
        base["access-control-allow-credentials"] = "true"
    if not any_header and policy.allow_headers_value:
        base["access-control-allow-headers"] = policy.allow_headers_value
    fixed_origin = "*" if policy.allow_all else None

    def preflight(origin: str, headers: dict[str, str]) -> Response:
        # hot path
        if not allows(origin):
            return _refuse("origin not allowed")
        method = headers["access-control-request-method"].strip().upper()
        if method not in methods:
            return _refuse(f"method {method[:32]!r} not allowed")
        answer = dict(base)
        requested = headers.get("access-control-request-headers")
        if requested:
            names = [n.strip().lower() for n in requested.split(",") if n.strip()]
            for name in names:
                if not TOKEN_RE.match(name):
                    return _refuse("malformed Access-Control-Request-Headers")
                if not any_header and name not in allowed_headers:
                    return _refuse(f"header {name[:64]!r} not allowed")
            if any_header and names:
                answer["access-control-allow-headers"] = ", ".join(names)
        answer["access-control-allow-origin"] = fixed_origin or origin
        return Response(b"", 204, answer)

    return preflight


def make_cors_wrap(api: Any, policy: CorsPolicy) -> Any:
    """``wrap(next_handler)`` for a route governed by ``policy``."""
    error_response = api.error_response
    preflight = make_preflight(policy)
    # Plain origin lists (the common case) need only a set lookup, not a method call.
    allows = policy.allows if policy.allow_all or policy.regexes else policy.origins.__contains__
    varies = policy.varies
    allow_all = policy.allow_all
    credentials = policy.credentials
    expose = policy.expose_value

    def decorate(response: Response, origin: str | None) -> None:
        # hot path
        headers = response.headers
        if varies:
            if "vary" in headers:
                add_vary(headers, "Origin")
            else:
                headers["vary"] = "Origin"
        if origin is None or not allows(origin):
            return
        headers["access-control-allow-origin"] = "*" if allow_all else origin
        if credentials:
            headers["access-control-allow-credentials"] = "true"
        if expose is not None:
            headers["access-control-expose-headers"] = expose

    def wrap(next_handler: Handler) -> Handler:
        async def cors_step(request: Request) -> Response:
            # hot path
            origin = _origin_of(request.scope["headers"])
            if origin is not None and request.method == "OPTIONS":
                headers = request.headers
                if "access-control-request-method" in headers:
                    return preflight(origin, headers)
            try:
                response = await next_handler(request)
            except ClientDisconnected:
                raise
            except Exception as exc:
                response = error_response(request, exc)
            decorate(response, origin)
            return response

        return cors_step

    return wrap
