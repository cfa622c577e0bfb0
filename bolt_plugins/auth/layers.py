"""Where a route's ``auth`` / ``guards`` come from: the nearest level that sets them.

Levels, nearest first: the route option (decorator keyword, ``@action`` keyword, or a
class attribute the viewsets plugin copied into ``route.options``), the API default
(``BoltAPI(auth=..., guards=...)``), then the project setting
(``BOLT_AUTHENTICATION_CLASSES`` / ``BOLT_DEFAULT_PERMISSION_CLASSES``). The nearest level
that says anything wins outright: values replace, never merge, and ``[]`` means "nothing
here" (a public route). Resolution happens once per route, when it compiles.

The guards plugin imports this module too, so both plugins read the levels the same way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from bolt.exceptions import ImproperlyConfigured

__all__ = ["api_defaults", "import_item", "layered_items"]


def api_defaults(api: Any) -> dict[str, Any]:
    """The API-wide options given to ``BoltAPI(...)`` (``auth``, ``guards``, ...)."""
    for name in ("defaults", "options"):
        value = vars(api).get(name)
        if isinstance(value, dict):
            return value
    return {}


def import_item(item: Any, where: str) -> Any:
    """Turn one configured entry into an instance.

    Accepts an instance, a class (instantiated without arguments) or a dotted path to
    either. Errors name ``where`` so the user can find the bad entry.
    """
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


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def layered_items(
    api: Any,
    route: Any,
    option: str,
    setting: str,
    check: Callable[[Any, str], None],
) -> list[Any]:
    """The instances configured for ``option`` on ``route`` (possibly ``[]``).

    Claims the route option when present. ``check(item, where)`` validates each entry and
    raises ``ImproperlyConfigured``. The project setting is imported once per API and its
    instances are shared by every route that falls back to it.
    """
    if option in route.options:
        route.claim(option)
        where = f"{route!r} option {option}="
        items = [import_item(i, where) for i in _as_list(route.options[option])]
    else:
        defaults = api_defaults(api)
        if option in defaults:
            where = f"BoltAPI({option}=...)"
            cache_key = f"bolt.layers.api.{option}"
            items = api.state.get(cache_key)
            if items is None:
                items = [import_item(i, where) for i in _as_list(defaults[option])]
                api.state[cache_key] = items
        else:
            where = f"BOLT_{setting}"
            cache_key = f"bolt.layers.settings.{setting}"
            items = api.state.get(cache_key)
            if items is None:
                configured = getattr(api.settings, setting, None)
                items = [import_item(i, where) for i in _as_list(configured or [])]
                api.state[cache_key] = items
    for item in items:
        check(item, where)
    return items
