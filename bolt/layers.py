"""Where a route option comes from: one layering mechanism for every option.

A route's options are declared at several places. Each place is a ``Layer``; a route holds
its layers from the most specific to the least specific:

=============  ==========================================================================
level          where it is written
=============  ==========================================================================
route          keywords of ``@api.get(...)``, ``@action(...)`` or a class-body route
               decorator, and options that decorators (``@cors``, ``@rate_limit``,
               ``skip_middleware``, ``route_option``) store on the handler
registration   keywords of ``api.view(path, View, ...)`` / ``api.viewset(...)``: they name
               one class at one path, so they are as specific as a route's own keywords
               for everything that class serves there
class          attributes of the view class (``auth``, ``guards``, ``status_code``,
               ``tags`` and every plugin option, e.g. ``rate_limit``)
action         what the viewsets plugin derives per action (route names, ``create`` → 201)
router         ``Router(...)`` and ``include_router(router, ...)`` keywords, innermost first
api            ``BoltAPI(...)`` keywords
settings       the project setting that gives an option its default
               (``BOLT_AUTHENTICATION_CLASSES``, ``BOLT_DEFAULT_PERMISSION_CLASSES``)
=============  ==========================================================================

The most specific layer that gives an option wins outright: values replace, they never
merge, and ``[]`` is a value ("none here", e.g. a public route). A class is more specific
than the router or API it is mounted under, so a router or API default never loosens what
the class itself declares.

Every option in every layer must be claimed by an enabled plugin when the route compiles
(``bolt.compile.check_claims``); names are also checked where they are given, when a plugin
registered the names it owns (``BoltAPI.register_option``), so a misspelt keyword stops
startup at once.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bolt.exceptions import ImproperlyConfigured

__all__ = [
    "LEVELS",
    "OPTION_SETTINGS",
    "PLUGIN_FOR_OPTION",
    "Layer",
    "import_item",
    "option_error",
    "resolve_items",
]

LEVELS = ("route", "registration", "class", "action", "router", "api", "settings")

# First-party options and the plugin that implements each, for error messages that say which
# plugin to enable when the option is given while that plugin is off.
PLUGIN_FOR_OPTION = {
    "auth": "auth",
    "guards": "guards",
    "cors": "cors",
    "rate_limit": "ratelimit",
}

# Options whose project-wide default is a ``BOLT_*`` setting (field of ``BoltSettings``).
OPTION_SETTINGS = {
    "auth": "AUTHENTICATION_CLASSES",
    "guards": "DEFAULT_PERMISSION_CLASSES",
}


class Layer:
    """One place where options are declared, shared by every route it applies to.

    ``where`` names the place for error messages (``"class ArticleViewSet"``,
    ``"Router('/admin')"``). ``cache`` lets a plugin build something from an option once
    per layer rather than once per route (the instances behind dotted paths, for example).
    """

    __slots__ = ("cache", "level", "options", "where")

    def __init__(self, level: str, where: str, options: Mapping[str, Any]) -> None:
        if level not in LEVELS:
            raise ValueError(f"unknown option layer {level!r}; one of {', '.join(LEVELS)}")
        self.level = level
        self.where = where
        self.options = {k: v for k, v in options.items() if v is not None}
        self.cache: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<Layer {self.level} {self.where}: {sorted(self.options)}>"


def option_error(name: str, where: str, known: Iterable[str]) -> ImproperlyConfigured:
    """The startup error for an option nobody owns: which plugin to enable, or the nearest
    known name."""
    plugin = PLUGIN_FOR_OPTION.get(name)
    if plugin is None:
        from bolt.plugins import installed_plugin_options  # (importing bolt imports us)

        plugin = installed_plugin_options().get(name)
    if plugin is not None:
        hint = f"enable plugin {plugin!r} in BOLT_PLUGINS or remove the option"
    else:
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "no enabled plugin handles it"
    return ImproperlyConfigured(
        f"{where}: no enabled plugin handles option {name!r} ({hint}); refusing to start "
        "rather than ignore an option that may protect or shape the route"
    )


def import_item(item: Any, where: str) -> Any:
    """One configured entry as an instance: an instance, a class (created without
    arguments) or a dotted path to either. Errors name ``where``."""
    if isinstance(item, str):
        module_name, _, attr = item.rpartition(".")
        if not module_name:
            raise ImproperlyConfigured(f"{where}: {item!r} is not a dotted path 'module.Name'")
        try:
            item = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise ImproperlyConfigured(f"{where}: cannot import {item!r} ({exc})") from None
    if isinstance(item, type):
        try:
            item = item()
        except TypeError as exc:
            raise ImproperlyConfigured(
                f"{where}: {item.__name__} needs arguments ({exc}); configure an instance"
            ) from None
    return item


def resolve_items(route: Any, option: str, check: Callable[[Any, str], None]) -> list[Any]:
    """The instances configured for a list-valued option (``auth``, ``guards``) on ``route``.

    Reads the most specific layer that gives the option, claims it, imports dotted paths and
    classes once per layer, and validates each entry with ``check(item, where)``. ``[]``
    when no layer gives it.
    """
    layer = route.option_layer(option)
    if layer is None:
        return []
    route.claim(option)
    where = f"{route!r}: {option}= from {layer.where}"
    items: list[Any] | None = layer.cache.get(option)
    if items is None:
        value = layer.options[option]
        entries = list(value) if isinstance(value, list | tuple) else [value]
        items = [import_item(entry, where) for entry in entries]
        for item in items:
            check(item, where)
        layer.cache[option] = items
    return items
