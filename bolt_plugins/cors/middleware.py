"""The CORS step: answers preflights and decorates every response of a route.

It is a ``before`` step in phase 100, so a preflight is answered before authentication.
For other requests it only records the headers the origin earns in
``request.response_headers``; the kernel puts them on the response the request ends with,
so 401 from auth, 429 from the rate limiter and a 500 from the handler carry them too.
``preflight=True`` makes the kernel run the same step in front of its automatic ``OPTIONS``
answer.
"""

from __future__ import annotations

from collections.abc import Callable

from bolt.request import Request
from bolt.responses import JSONResponse, Response
from bolt_plugins.cors.policy import TOKEN_RE, CorsPolicy

__all__ = ["make_cors_before"]

_PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def _allowed_text(origin: bytes, allows: Callable[[str], bool]) -> bool:
    """A regex or ``*`` policy: the origin is echoed as sent, so only a printable one
    (no control characters a pattern's ``.`` would accept) can be allowed."""
    text = origin.decode("latin-1")
    return text.isprintable() and allows(text)


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
        if not origin.isprintable() or not allows(origin):
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


def make_cors_before(policy: CorsPolicy) -> Callable[[Request], Response | None]:
    """The ``before`` step for a route governed by ``policy``.

    A preflight is answered here. Any other request continues, and the headers its origin
    earns go into ``request.response_headers``, so the kernel puts them on whatever response
    follows: the handler's, or a 401/403/404/422/429/500 from a later step or the handler.
    The origin stays in bytes: an allowed one is echoed exactly as it came.
    """
    preflight = make_preflight(policy)
    allows = policy.allows
    # What a request from no or a refused origin gets: ``Vary`` only, when the answer
    # depends on the origin.
    refused: tuple[tuple[bytes, bytes], ...] = ((b"vary", b"Origin"),) if policy.varies else ()
    fixed: list[tuple[bytes, bytes]] = list(refused)
    if policy.credentials:
        fixed.append((b"access-control-allow-credentials", b"true"))
    if policy.expose_value is not None:
        fixed.append((b"access-control-expose-headers", policy.expose_value.encode("latin-1")))
    allow_all = policy.allow_all
    # A plain origin list (the common case): each allowed origin's headers, built once and
    # found by the raw bytes the client sent.
    plain: dict[bytes, tuple[tuple[bytes, bytes], ...]] | None = None
    if not allow_all and not policy.regexes:
        plain = {}
        for text in policy.origins:
            origin = text.encode("latin-1")
            plain[origin] = ((b"access-control-allow-origin", origin), *fixed)

    def cors_step(request: Request) -> Response | None:
        # hot path
        scope = request.scope
        origin = None
        # The raw ``Origin`` straight from the scope, looked for here (no call, no header
        # dict): most routes never need the parsed headers.
        for name, value in scope["headers"]:
            # Servers send lower-case names (ASGI asks for it); lower() keeps others right.
            if len(name) == 6 and (name == b"origin" or name.lower() == b"origin"):
                origin = value
                break
        answer = refused
        if origin is not None:
            if scope["method"] == "OPTIONS":
                headers = request.headers
                if "access-control-request-method" in headers:
                    return preflight(origin.decode("latin-1"), headers)
            if plain is not None:
                answer = plain.get(origin, refused)
            elif _allowed_text(origin, allows):
                answer = ((b"access-control-allow-origin", b"*" if allow_all else origin), *fixed)
        if answer:
            current = request.response_headers
            if current is None:
                request.response_headers = list(answer)
            else:
                current += answer
        return None

    return cors_step
