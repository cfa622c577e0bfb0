"""The auth plugin: who is calling. JWT, API key and Django session backends.

Each route's backends come from the most specific layer that sets ``auth`` (route, view
class, registration, router, ``BoltAPI(auth=...)``, ``BOLT_AUTHENTICATION_CLASSES``; see
``bolt.layers``) and are compiled into one
middleware in the authentication phase (200). A route with no backends gets no
middleware and pays nothing. The result is ``request.auth``, the context dict handlers
read with ``request.get("auth", {})``, plus ``request.user`` / ``await request.auser()``.
Whether a caller may proceed is the guards plugin's job (phase 400).
"""

from __future__ import annotations

from typing import Any

from bolt.hookspecs import hookimpl
from bolt.layers import resolve_items

from .apikey import APIKeyAuthentication
from .base import BaseAuthentication, DjangoUserLoader, check_backend, make_context
from .dependencies import get_current_user
from .jwt_backend import JWTAuthentication, acreate_jwt_for_user, create_jwt_for_user
from .middleware import auth_middleware
from .session import SessionAuthentication
from .settings import AuthSettings

__all__ = [
    "APIKeyAuthentication",
    "BaseAuthentication",
    "DjangoUserLoader",
    "JWTAuthentication",
    "SessionAuthentication",
    "acreate_jwt_for_user",
    "create_jwt_for_user",
    "get_current_user",
    "make_context",
]


@hookimpl
def bolt_settings_model() -> type[AuthSettings]:
    return AuthSettings


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    api.register_middleware_name("auth")
    api.register_option("auth", "auth")


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Any) -> Any:
    backends = resolve_items(route, "auth", check_backend)
    if not backends:
        return None
    return auth_middleware(api, route, backends)


# ``tryfirst``: the guards plugin's contribution narrows the ``security`` set here.
@hookimpl(tryfirst=True)
def bolt_openapi_operation(api: Any, route: Any, operation: dict[str, Any], doc: Any) -> None:
    from .openapi import document_auth

    document_auth(route, operation, doc)
