"""The guards plugin: may this caller run this route?

Each route's guards come from the most specific layer that sets ``guards`` (route, view
class, registration, router, ``BoltAPI(guards=...)``, ``BOLT_DEFAULT_PERMISSION_CLASSES``;
see ``bolt.layers``) and are compiled into one
middleware in the guard phase (400), after authentication (200) and rate limiting (300).
A refusal is a 401 when the request carried no credentials and a 403 otherwise; the
handler never runs. Routes without guards (or with only ``AllowAny``) pay nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bolt.conf import PluginSettings
from bolt.hookspecs import hookimpl
from bolt.layers import resolve_items

from .builtins import (
    AllOf,
    AllowAny,
    AnyOf,
    BaseGuard,
    HasAllPermissions,
    HasAnyPermission,
    HasPermission,
    IsAdminUser,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
    IsStaff,
)
from .runner import check_guard, check_object_permissions, guards_middleware

__all__ = [
    "AllOf",
    "AllowAny",
    "AnyOf",
    "BaseGuard",
    "HasAllPermissions",
    "HasAnyPermission",
    "HasPermission",
    "IsAdminUser",
    "IsAuthenticated",
    "IsAuthenticatedOrReadOnly",
    "IsStaff",
    "check_object_permissions",
]


class GuardsSettings(PluginSettings):
    """``BOLT_DEFAULT_PERMISSION_CLASSES``: the guards of every route that names none."""

    DEFAULT_PERMISSION_CLASSES: list[Any] | None = Field(
        default=None, description="Project-wide guards (the 'guards' option)."
    )


@hookimpl
def bolt_settings_model() -> type[GuardsSettings]:
    return GuardsSettings


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    api.register_middleware_name("guards")
    api.register_option("guards", "guards")


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Any) -> Any:
    guards = resolve_items(route, "guards", check_guard)
    return guards_middleware(api, route, guards)


# ``trylast``: it removes the anonymous alternative the auth plugin's contribution adds.
@hookimpl(trylast=True)
def bolt_openapi_operation(api: Any, route: Any, operation: dict[str, Any], doc: Any) -> None:
    from .openapi import document_guards

    document_guards(route, operation, doc)
