"""Authentication backends and guards, re-exported from the auth and guards plugins."""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIKeyAuthentication",
    "AllowAny",
    "HasAllPermissions",
    "HasAnyPermission",
    "HasPermission",
    "IsAdminUser",
    "IsAuthenticated",
    "IsAuthenticatedOrReadOnly",
    "IsStaff",
    "JWTAuthentication",
    "SessionAuthentication",
    "create_jwt_for_user",
    "get_current_user",
]

_AUTH = {
    "APIKeyAuthentication",
    "JWTAuthentication",
    "SessionAuthentication",
    "create_jwt_for_user",
}


async def get_current_user(request: Any) -> Any:
    """The request's Django user, for ``Depends(get_current_user)``: the authenticated user,
    or ``AnonymousUser`` when the request carries no credentials (pair the route with
    ``IsAuthenticated()`` to require one). Loaded once per request."""
    return await request.auser()


def __getattr__(name: str) -> Any:
    if name in _AUTH:
        import bolt_plugins.auth as auth

        return getattr(auth, name)
    if name in __all__:
        import bolt_plugins.guards as guards

        return getattr(guards, name)
    raise AttributeError(f"module 'bolt.auth' has no attribute {name!r}")
