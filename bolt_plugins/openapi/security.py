"""Security schemes from the authentication a route really runs.

The auth plugin resolves each route's backends (route option, then ``BoltAPI(auth=...)``,
then ``BOLT_AUTHENTICATION_CLASSES``) while the route compiles and records them in
``route.meta["auth_backends"]``; this module reads that record instead of resolving again,
so the document cannot disagree with what the server enforces. A backend skipped with
``skip_middleware("auth")`` is absent from ``route.meta["middleware"]`` and is not shown.

A third-party backend describes itself with an ``openapi_scheme`` attribute (an OpenAPI
Security Scheme object) and, optionally, ``openapi_scheme_name``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SchemeRegistry", "guarded", "route_security"]


def _scheme_of(backend: Any) -> tuple[str, dict[str, Any]] | None:
    """``(name, Security Scheme object)`` for one backend, or ``None`` when unknown."""
    custom = getattr(backend, "openapi_scheme", None)
    if isinstance(custom, dict):
        name = getattr(backend, "openapi_scheme_name", None) or type(backend).__name__
        return name, dict(custom)
    kind = getattr(backend, "name", None)
    if kind == "jwt":
        header = getattr(backend, "header", "authorization")
        if header == "authorization":
            scheme = str(getattr(backend, "scheme", "Bearer")).lower()
            return "jwtAuth", {"type": "http", "scheme": scheme, "bearerFormat": "JWT"}
        return "jwtAuth", {"type": "apiKey", "in": "header", "name": header}
    if kind == "api_key":
        return "apiKeyAuth", {
            "type": "apiKey",
            "in": "header",
            "name": getattr(backend, "header", "x-api-key"),
        }
    if kind == "session":
        from django.conf import settings

        return "sessionAuth", {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
        }
    return None


def _jwt_cookie(backend: Any) -> tuple[str, dict[str, Any]] | None:
    cookie = getattr(backend, "cookie", None)
    if getattr(backend, "name", None) == "jwt" and cookie:
        return "jwtCookieAuth", {"type": "apiKey", "in": "cookie", "name": cookie}
    return None


class SchemeRegistry:
    """The document's ``securitySchemes``: equal schemes share a name, different ones don't."""

    def __init__(self) -> None:
        self.schemes: dict[str, dict[str, Any]] = {}

    def add(self, name: str, scheme: dict[str, Any]) -> str:
        candidate, n = name, 1
        while candidate in self.schemes and self.schemes[candidate] != scheme:
            n += 1
            candidate = f"{name}{n}"
        self.schemes[candidate] = scheme
        return candidate


def guarded(route: Any) -> bool:
    """True when the route runs a guard that may refuse (anything but ``AllowAny``)."""
    # The guards plugin adds its step only when a guard may refuse (``AllowAny`` alone adds
    # none), so the route's middleware names say it without looking at guard classes.
    return "guards" in route.meta.get("middleware", ())


def route_security(route: Any, registry: SchemeRegistry) -> list[dict[str, list[str]]] | None:
    """The operation's ``security`` requirement, or ``None`` for a route without auth.

    Each backend is an alternative (the first that recognises credentials wins). Without a
    refusing guard, anonymous calls also pass, which OpenAPI spells ``{}``.
    """
    if "auth" not in route.meta.get("middleware", ()):
        return None
    requirement: list[dict[str, list[str]]] = []
    for backend in route.meta.get("auth_backends") or ():
        for found in (_scheme_of(backend), _jwt_cookie(backend)):
            if found is not None:
                entry: dict[str, list[str]] = {registry.add(*found): []}
                if entry not in requirement:
                    requirement.append(entry)
    if not requirement:
        return None
    if not guarded(route):
        requirement.append({})
    return requirement
