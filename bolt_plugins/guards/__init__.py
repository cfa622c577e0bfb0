"""The guards plugin: may this caller run this route?

Each route's guards are resolved from the nearest level that sets ``guards`` (route, then
``BoltAPI(guards=...)``, then ``BOLT_DEFAULT_PERMISSION_CLASSES``) and compiled into one
middleware in the guard phase (400), after authentication (200) and rate limiting (300).
A refusal is a 401 when the request carried no credentials and a 403 otherwise; the
handler never runs. Routes without guards (or with only ``AllowAny``) pay nothing.
"""

from __future__ import annotations

from typing import Any

from bolt.hookspecs import hookimpl
from bolt_plugins.auth.layers import layered_items

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
    "IsStaff",
    "check_object_permissions",
]


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    api.register_middleware_name("guards")


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Any) -> Any:
    guards = layered_items(api, route, "guards", "DEFAULT_PERMISSION_CLASSES", check_guard)
    return guards_middleware(api, route, guards)
