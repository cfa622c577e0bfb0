"""What the auth plugin tells the OpenAPI document: Security Schemes and a 401.

The plugin records each route's prepared backends in ``route.meta[AUTH_BACKENDS]`` while
the route compiles; this module reads that record instead of resolving the options again,
so the document cannot disagree with what the server runs. A backend skipped with
``skip_middleware("auth")`` leaves ``"auth"`` out of ``route.middleware_names`` and is
not shown. A route that runs no authentication says ``security: []``.

Each backend is an alternative (the first that recognises credentials wins) and anonymous
calls pass authentication, which OpenAPI spells ``{}``; a guard that refuses anonymous
callers on this method removes that ``{}`` (the guards plugin's contribution). Credentials
that are given but wrong are refused with 401 on every route that runs authentication.

A third-party backend describes itself with an ``openapi_scheme`` attribute (an OpenAPI
Security Scheme object) and, optionally, ``openapi_scheme_name``.
"""

from __future__ import annotations

from typing import Any

from .facts import AUTH_BACKENDS

__all__ = ["document_auth", "scheme_of"]


def scheme_of(backend: Any) -> list[tuple[str, dict[str, Any]]]:
    """``[(name, Security Scheme object)]`` for one backend (empty when unknown)."""
    custom = getattr(backend, "openapi_scheme", None)
    if isinstance(custom, dict):
        name = getattr(backend, "openapi_scheme_name", None) or type(backend).__name__
        return [(name, dict(custom))]
    kind = getattr(backend, "name", None)
    out: list[tuple[str, dict[str, Any]]] = []
    if kind == "jwt":
        header = getattr(backend, "header", "authorization")
        if header == "authorization":
            scheme = str(getattr(backend, "scheme", "Bearer")).lower()
            out.append(("jwtAuth", {"type": "http", "scheme": scheme, "bearerFormat": "JWT"}))
        else:
            out.append(("jwtAuth", {"type": "apiKey", "in": "header", "name": header}))
        cookie = getattr(backend, "cookie", None)
        if cookie:
            out.append(("jwtCookieAuth", {"type": "apiKey", "in": "cookie", "name": cookie}))
    elif kind == "api_key":
        name = getattr(backend, "header", "x-api-key")
        out.append(("apiKeyAuth", {"type": "apiKey", "in": "header", "name": name}))
    elif kind == "session":
        from django.conf import settings

        cookie = settings.SESSION_COOKIE_NAME
        out.append(("sessionAuth", {"type": "apiKey", "in": "cookie", "name": cookie}))
    return out


def document_auth(route: Any, operation: dict[str, Any], doc: Any) -> None:
    """Set ``security`` from the backends ``route`` runs and document their 401."""
    if "auth" not in route.middleware_names:
        operation["security"] = []
        return
    requirement: list[dict[str, list[str]]] = []
    for backend in route.meta.get(AUTH_BACKENDS) or ():
        for name, scheme in scheme_of(backend):
            entry: dict[str, list[str]] = {doc.security_scheme(name, scheme): []}
            if entry not in requirement:
                requirement.append(entry)
    requirement.append({})
    operation["security"] = requirement
    responses = operation["responses"]
    responses.setdefault("401", doc.error(401, "Credentials were given but refused"))
    unsafe = route.method not in ("GET", "HEAD", "OPTIONS")
    if unsafe and any(
        getattr(b, "name", None) == "session" and getattr(b, "csrf", True)
        for b in route.meta.get(AUTH_BACKENDS) or ()
    ):
        responses.setdefault("403", doc.error(403, "The session's CSRF check failed"))
