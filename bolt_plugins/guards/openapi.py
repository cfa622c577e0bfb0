"""What the guards plugin tells the OpenAPI document: who may call, per method.

The guards a route really runs are recorded in ``route.meta[GUARDS]`` when it compiles.
A guard that may refuse on this route's method makes the call need credentials (the
``{}`` "anonymous" alternative leaves ``security``) and documents 401 (no credentials) and
403 (credentials without the right). ``AllowAny`` never refuses, and
``IsAuthenticatedOrReadOnly`` does not on ``GET``/``HEAD``/``OPTIONS``, so a ViewSet
whose reads are public documents them as public. A third-party guard may say the same
with ``openapi_public_methods`` (a set of methods on which it allows anyone).
"""

from __future__ import annotations

from typing import Any

from .builtins import SAFE_METHODS, AllOf, AllowAny, AnyOf, IsAuthenticatedOrReadOnly
from .facts import GUARDS

__all__ = ["document_guards", "may_refuse"]


def may_refuse(guard: Any, method: str) -> bool:
    """Whether ``guard`` can refuse a call made with ``method``."""
    if isinstance(guard, AllowAny):
        return False
    if isinstance(guard, IsAuthenticatedOrReadOnly):
        return method not in SAFE_METHODS
    if isinstance(guard, AnyOf):
        return all(may_refuse(g, method) for g in guard.guards)
    if isinstance(guard, AllOf):
        return any(may_refuse(g, method) for g in guard.guards)
    public = getattr(guard, "openapi_public_methods", None)
    return not (public and method in public)


def document_guards(route: Any, operation: dict[str, Any], doc: Any) -> None:
    """Drop anonymous access and add 401/403 when a guard may refuse this method."""
    if "guards" not in route.middleware_names:
        return
    if not any(may_refuse(g, route.method) for g in route.meta.get(GUARDS) or ()):
        return
    security = operation.get("security")
    if security:
        operation["security"] = [entry for entry in security if entry]
    responses = operation["responses"]
    responses.setdefault("401", doc.error(401, "Authentication credentials were not provided"))
    responses["403"] = doc.error(403, "The caller may not perform this action")
