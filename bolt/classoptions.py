"""Options a class declares as attributes: the ``class`` layer of ``bolt.layers``.

View classes (the viewsets plugin) and WebSocket consumers (the kernel) declare route options
as class attributes: ``auth``, ``guards``, ``status_code``, ``tags``, and every option a
plugin registered (``rate_limit``, ``cors``, ...). They are read along the MRO past Bolt's own
base classes, so a user mixin listed after ``APIView`` still counts. Attributes that look
like options but are not (DRF's ``permission_classes``, ``get_permissions()``, a misspelt
``Guards``) stop startup instead of being ignored: an ignored permission is an open endpoint.
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
    "ROUTED_ATTR",
    "check_foreign",
    "class_layer",
    "declared",
]

# Set on a method that a route decorator in its class body made a route of.
ROUTED_ATTR = "__bolt_class_routes_bound__"

CLASS_OPTIONS = ("auth", "guards", "status_code", "tags")
# Class attributes a newcomer brings from DRF (or misspells), and what Bolt uses instead.
# Each is a startup error: an ignored ``permission_classes`` is an open endpoint.
FOREIGN_ATTRIBUTES = {
    "permission_classes": "`guards = [IsAuthenticated(), ...]` (bolt.auth)",
    "authentication_classes": "`auth = [JWTAuthentication(), ...]` (bolt.auth)",
    "throttle_classes": '`rate_limit = "100/minute"` on the class or `@rate_limit(...)`',
    "throttle_scope": '`rate_limit = "100/minute"` on the class or `@rate_limit(...)`',
    "filter_backends": "`filterset_fields`, `search_fields` and `ordering_fields`",
    "filterset_class": "`filterset_fields` (or override `filter_queryset()`)",
    # Bolt names the detail path parameter after ``lookup_field``; an ignored
    # ``lookup_url_kwarg`` would leave the URL at ``{pk}`` while the user documents another.
    "lookup_url_kwarg": '`lookup_field = "..."` (it names both the model field and the '
    "path parameter), or the detail handlers' own parameter name (`retrieve(self, request, "
    "post_id: int)`) with `get_object(pk=post_id)`",
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
# DRF hooks whose Bolt counterpart takes the model instance, not a serializer: a DRF body
# (``serializer.save(owner=...)``) would fail on every request, so the DRF signature stops
# startup. ``perform_destroy`` takes the instance in both frameworks.
_INSTANCE_HOOKS = ("perform_create", "perform_update")
# Near misses of these names (any case, a letter off) are refused as well.
_GUARDED_NAMES = ("guards", "auth", "permission_classes", "authentication_classes")
_FRAMEWORK_MODULES = ("bolt.", "bolt_plugins.")


def _plain_method(value: Any) -> bool:
    """A method the class defines for itself, not a route (``@action`` or a class-body
    route decorator mark their functions)."""
    return inspect.isfunction(value) and not vars(value).get(ROUTED_ATTR)


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


def _first_argument(function: Any) -> str | None:
    """The name of the parameter after ``self``, if the function has one."""
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return None
    return names[1] if len(names) > 1 else None


def _check_instance_hooks(klass: type) -> None:
    for name in _INSTANCE_HOOKS:
        value = vars(klass).get(name)
        if _plain_method(value) and _first_argument(value) == "serializer":
            raise ImproperlyConfigured(
                f"{klass.__qualname__}.{name}(self, serializer) is DRF's signature; Bolt calls "
                f"{name}(self, instance) with the model instance the body was written to "
                f"(not yet saved): set the values the view decides "
                f'(`instance.owner_id = self.request.auth["user_id"]`), then call '
                f"instance.save()"
            )


def check_foreign(cls: type) -> None:
    """Refuse attributes of the user's classes that Bolt would silently ignore."""
    for klass in cls.__mro__:
        if _is_framework(klass):
            continue
        _check_instance_hooks(klass)
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
            # letters swapped (``gaurds``): same letters, same length
            swapped = [n for n in _GUARDED_NAMES if len(n) > 3 and sorted(n) == sorted(lowered)]
            if lowered in _GUARDED_NAMES or close or swapped:
                wanted = lowered if lowered in _GUARDED_NAMES else (close or swapped)[0]
                raise ImproperlyConfigured(
                    f"{klass.__qualname__}.{attr} looks like {wanted!r} but is not an option "
                    f"Bolt reads; rename it (`guards`, `auth`) or it would be ignored"
                )


def class_layer(
    cls: type, plugin_options: list[str] | tuple[str, ...] = (), extra: tuple[str, ...] = ()
) -> Layer:
    """The options ``cls`` declares as attributes: ``auth``/``guards``/``status_code``/
    ``tags``, the first-party plugin options (``rate_limit``, ``cors``: read even when their
    plugin is off, so they fail closed instead of being ignored), the options installed
    third-party plugins declare in entry-point group ``bolt.options`` (for the same reason)
    and each option an enabled plugin registered."""
    from bolt.plugins import installed_plugin_options

    check_foreign(cls)
    options: dict[str, Any] = {}
    # Options of installed third-party plugins are read too, enabled or not (fail closed).
    third_party = installed_plugin_options()
    names = (*CLASS_OPTIONS, *PLUGIN_FOR_OPTION, *third_party, *plugin_options, *extra)
    for name in dict.fromkeys(names):
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
