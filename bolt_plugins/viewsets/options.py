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

from typing import Any

from bolt.exceptions import ImproperlyConfigured
from bolt.layers import PLUGIN_FOR_OPTION, Layer

__all__ = [
    "CLASS_OPTIONS",
    "FOREIGN_ATTRIBUTES",
    "action_layer",
    "class_layer",
    "registration_layer",
]

CLASS_OPTIONS = ("auth", "guards", "status_code", "tags")
# Keys of a registration call that describe the registration, not the routes.
_NOT_ROUTE_OPTIONS = frozenset({"kind", "methods", "basename"})

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
}


def class_layer(cls: type, plugin_options: list[str] | tuple[str, ...] = ()) -> Layer:
    """The options ``cls`` declares as attributes: ``auth``/``guards``/``status_code``/
    ``tags``, the first-party plugin options (``rate_limit``, ``cors``: read even when their
    plugin is off, so they fail closed instead of being ignored) and each option an enabled
    plugin registered."""
    for name, instead in FOREIGN_ATTRIBUTES.items():
        if getattr(cls, name, None) is not None:
            raise ImproperlyConfigured(
                f"{cls.__qualname__}.{name} is not a Bolt option and would be ignored; use "
                f"{instead} instead"
            )
    options: dict[str, Any] = {}
    for name in dict.fromkeys((*CLASS_OPTIONS, *PLUGIN_FOR_OPTION, *plugin_options)):
        value = getattr(cls, name, None)
        if value is not None and not callable(value):
            options[name] = value
    return Layer("class", f"class {cls.__qualname__}", options)


def registration_layer(kind: str, path: str, cls: type, registration: dict[str, Any]) -> Layer:
    """The keywords of ``api.view()``/``api.viewset()``: above the class's own attributes."""
    options = {k: v for k, v in registration.items() if k not in _NOT_ROUTE_OPTIONS}
    return Layer("registration", f"api.{kind}({path!r}, {cls.__qualname__})", options)


def action_layer(cls: type, action: str, defaults: dict[str, Any]) -> Layer:
    """What an action implies unless something above says otherwise (name, status)."""
    return Layer("action", f"{cls.__qualname__}.{action}", defaults)
