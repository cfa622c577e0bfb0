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
]

_AUTH = {
    "APIKeyAuthentication",
    "JWTAuthentication",
    "SessionAuthentication",
    "create_jwt_for_user",
}


def __getattr__(name: str) -> Any:
    if name in _AUTH:
        import bolt_plugins.auth as auth

        return getattr(auth, name)
    if name in __all__:
        import bolt_plugins.guards as guards

        return getattr(guards, name)
    raise AttributeError(f"module 'bolt.auth' has no attribute {name!r}")
