"""The auth plugin: who is calling. JWT, API key and Django session backends.

Each route's backends are resolved from the nearest level that sets ``auth`` (route,
then ``BoltAPI(auth=...)``, then ``BOLT_AUTHENTICATION_CLASSES``) and compiled into one
middleware in the authentication phase (200). A route with no backends gets no
middleware and pays nothing. The result is ``request.auth``, the context dict handlers
read with ``request.get("auth", {})``, plus ``request.user`` / ``await request.auser()``.
Whether a caller may proceed is the guards plugin's job (phase 400).
"""

from __future__ import annotations

from typing import Any

from bolt.hookspecs import hookimpl

from .apikey import APIKeyAuthentication
from .base import BaseAuthentication, DjangoUserLoader, check_backend, make_context
from .jwt_backend import JWTAuthentication, acreate_jwt_for_user, create_jwt_for_user
from .layers import layered_items
from .middleware import auth_middleware
from .session import SessionAuthentication

__all__ = [
    "APIKeyAuthentication",
    "BaseAuthentication",
    "DjangoUserLoader",
    "JWTAuthentication",
    "SessionAuthentication",
    "acreate_jwt_for_user",
    "create_jwt_for_user",
    "make_context",
]


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    api.register_middleware_name("auth")


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Any) -> Any:
    backends = layered_items(api, route, "auth", "AUTHENTICATION_CLASSES", check_backend)
    if not backends:
        return None
    return auth_middleware(api, route, backends)
