"""The option layers a view class contributes to its routes (see ``bolt.layers``).

From most to least specific: the route's own options (``@action(...)`` keywords, a class-body
decorator's keywords, decorators such as ``@rate_limit`` on the method) → the keywords of
``api.view()``/``api.viewset()`` (they name this class at this path) → the class's attributes
(``auth``, ``guards``, ``status_code``, ``tags`` and every plugin option such as
``rate_limit`` or ``cors``) → what the action implies (route names, ``create`` answers 201)
→ routers, the API and settings (added by the kernel). A class is more specific than the
router or API it is mounted under, so no router or API default can loosen what the class
declares.

Attributes that mean something in DRF but not here (``permission_classes``, ...) stop
startup with the Bolt equivalent, instead of being silently ignored.
"""

from __future__ import annotations

import difflib
import inspect
from typing import Any

from bolt.exceptions import ImproperlyConfigured
from bolt.layers import PLUGIN_FOR_OPTION, Layer

__all__ = [
    "CLASS_OPTIONS",
    "FOREIGN_ATTRIBUTES",
    "action_layer",
    "class_layer",
    "declared",
    "registration_layer",
]

CLASS_OPTIONS = ("auth", "guards", "status_code", "tags")
# Keys of a registration call that describe the registration, not the routes.
_NOT_ROUTE_OPTIONS = frozenset({"kind", "methods", "basename", "layers"})

# Class attributes a newcomer brings from DRF (or misspells), and what Bolt uses instead.
# Each is a startup error: an ignored ``permission_classes`` is an open endpoint.
FOREIGN_ATTRIBUTES = {
    "permission_classes": "`guards = [IsAuthenticated(), ...]` (bolt.auth)",
    "authentication_classes": "`auth = [JWTAuthentication(), ...]` (bolt.auth)",
    "throttle_classes": '`rate_limit = "100/minute"` on the class or `@rate_limit(...)`',
    "throttle_scope": '`rate_limit = "100/minute"` on the class or `@rate_limit(...)`',
    "filter_backends": "`filterset_fields`, `search_fields` and `ordering_fields`",
    "filterset_class": "`filterset_fields` (or override `filter_queryset()`)",
    "renderer_classes": "a Response class returned by the handler (bolt.responses)",
    "parser_classes": "a typed body parameter (msgspec Struct, Form(), File())",
    "content_negotiation_class": "a Response class returned by the handler (bolt.responses)",
    "versioning_class": "one Router per version (`Router('/v1')`)",
    "metadata_class": "nothing: OPTIONS is answered automatically with `Allow`",
    "guard": "`guards = [...]`",
    "authentication": "`auth = [...]`",
    "permissions": "`guards = [HasPermission(...)]`",
    "ratelimit": "`rate_limit = ...`",
    "throttle": "`rate_limit = ...`",
    "permission_class": "`guards = [IsAuthenticated(), ...]` (bolt.auth)",
    "authentication_class": "`auth = [JWTAuthentication(), ...]` (bolt.auth)",
    "guard_classes": "`guards = [...]` (instances)",
    "auth_classes": "`auth = [...]` (instances)",
    # DRF's permission hooks on the view: Bolt never calls them.
    "get_permissions": "`guards = [...]`, or per action `@action(..., guards=[...])`; "
    "a guard's has_permission(request) may look at request.route.action",
    "check_permissions": "a guard with has_permission(request) in `guards = [...]`",
    "has_permission": "a guard with has_permission(request) in `guards = [...]`",
    "get_authenticators": "`auth = [...]`",
    "get_throttles": "`rate_limit = ...` or `@rate_limit(...)` per method",
    "has_object_permission": "a guard with has_object_permission(request, obj) in "
    "`guards = [...]` (get_object() runs it)",
}
_DRF_HOOKS = frozenset(
    {
        "get_permissions",
        "check_permissions",
        "has_permission",
        "get_authenticators",
        "get_throttles",
        "has_object_permission",
    }
)
# Near misses of these names (any case, a letter off) are refused as well.
_GUARDED_NAMES = ("guards", "auth", "permission_classes", "authentication_classes")
_FRAMEWORK_MODULES = ("bolt.", "bolt_plugins.")


def _plain_method(value: Any) -> bool:
    """A method the class defines for itself, not a route (``@action`` or a class-body
    route decorator mark their functions)."""
    from bolt_plugins.viewsets.classbody import BOUND_ATTR

    return inspect.isfunction(value) and not vars(value).get(BOUND_ATTR)


def _is_framework(klass: type) -> bool:
    return klass is object or klass.__module__.startswith(_FRAMEWORK_MODULES)


def declared(cls: type, name: str, default: Any = None) -> Any:
    """The value of a class option as the user declared it.

    Looks along the MRO but skips Bolt's own base classes, whose ``None``/empty defaults
    would otherwise hide a user mixin listed after them (``class V(APIView, AdminOnly)``).
    Falls back to the attribute as Python finds it (a framework default), then ``default``.
    """
    for klass in cls.__mro__:
        if not _is_framework(klass) and name in vars(klass):
            return vars(klass)[name]
    return getattr(cls, name, default)


def _check_foreign(cls: type) -> None:
    """Refuse attributes of the user's classes that Bolt would silently ignore."""
    for klass in cls.__mro__:
        if _is_framework(klass):
            continue
        for name, instead in FOREIGN_ATTRIBUTES.items():
            value = vars(klass).get(name)
            if value is None or (name in _DRF_HOOKS and not _plain_method(value)):
                continue  # an @action or class-body route may take a DRF hook's name
            raise ImproperlyConfigured(
                f"{klass.__qualname__}.{name} is not a Bolt option and would be ignored; "
                f"use {instead} instead"
            )
        for attr in vars(klass):
            if attr.startswith("__") or attr in _GUARDED_NAMES:
                continue
            lowered = attr.lower()
            close = difflib.get_close_matches(lowered, _GUARDED_NAMES, n=1, cutoff=0.85)
            if lowered in _GUARDED_NAMES or close:
                wanted = lowered if lowered in _GUARDED_NAMES else close[0]
                raise ImproperlyConfigured(
                    f"{klass.__qualname__}.{attr} looks like {wanted!r} but is not an option "
                    f"Bolt reads; rename it (`guards`, `auth`) or it would be ignored"
                )


def class_layer(cls: type, plugin_options: list[str] | tuple[str, ...] = ()) -> Layer:
    """The options ``cls`` declares as attributes: ``auth``/``guards``/``status_code``/
    ``tags``, the first-party plugin options (``rate_limit``, ``cors``: read even when their
    plugin is off, so they fail closed instead of being ignored) and each option an enabled
    plugin registered."""
    _check_foreign(cls)
    options: dict[str, Any] = {}
    for name in dict.fromkeys((*CLASS_OPTIONS, *PLUGIN_FOR_OPTION, *plugin_options)):
        value = declared(cls, name)
        if value is None:
            continue
        if inspect.isroutine(value) or isinstance(value, staticmethod | classmethod | property):
            raise ImproperlyConfigured(
                f"{cls.__qualname__}.{name} is a method or property; class options are values "
                f"read once at startup (for example `{name} = [...]`)"
            )
        options[name] = value
    return Layer("class", f"class {cls.__qualname__}", options)


def registration_layer(kind: str, path: str, cls: type, registration: dict[str, Any]) -> Layer:
    """The keywords of ``api.view()``/``api.viewset()``: above the class's own attributes."""
    options = {k: v for k, v in registration.items() if k not in _NOT_ROUTE_OPTIONS}
    return Layer("registration", f"api.{kind}({path!r}, {cls.__qualname__})", options)


def action_layer(cls: type, action: str, defaults: dict[str, Any]) -> Layer:
    """What an action implies unless something above says otherwise (name, status)."""
    return Layer("action", f"{cls.__qualname__}.{action}", defaults)
