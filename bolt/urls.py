"""``reverse("route-name", **params)``: the path of a named route, as Django's ``reverse``.

Routes are named with ``name=`` (``@api.get("/articles/{pk:int}", name="article")``); a
ViewSet's routes are ``<basename>-list``, ``<basename>-detail`` and ``<basename>-<action
path>``. Each path parameter is checked against its converter (``int``, ``slug``, ``uuid``,
``str``, ``path``) and percent-encoded, so the path built is one the route matches; a value
the route would not match, a missing or extra parameter, or an unknown name raises
``NoReverseMatch`` (a ``ValueError``, and Django's own ``NoReverseMatch``, so code that
catches either keeps working).
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from django.urls import NoReverseMatch as DjangoNoReverseMatch

from bolt.routing import CONVERTERS, parse_path

__all__ = ["NoReverseMatch", "build_path", "reverse"]


class NoReverseMatch(DjangoNoReverseMatch, ValueError):
    """No route has that name, or the parameters do not fit its path."""


def _text(name: str, converter: str | None, value: Any) -> str:
    if value is None or isinstance(value, bool):
        raise NoReverseMatch(f"parameter {name!r} cannot be {value!r}")
    if isinstance(value, uuid.UUID | int | str):
        text = str(value)
    else:
        raise NoReverseMatch(
            f"parameter {name!r} must be a str, int or UUID, not {type(value).__name__}"
        )
    try:
        CONVERTERS[converter or "str"](text)
    except ValueError:
        raise NoReverseMatch(
            f"parameter {name!r}: {value!r} does not fit the {converter or 'str'} converter"
        ) from None
    if converter == "path":
        if any(part in ("", ".", "..") for part in text.split("/")):
            raise NoReverseMatch(f"parameter {name!r}: {value!r} has an empty or dot segment")
    elif "/" in text or text in (".", ".."):
        raise NoReverseMatch(f"parameter {name!r}: {value!r} is not one path segment")
    return quote(text, safe="/" if converter == "path" else "")


def build_path(template: str, params: Mapping[str, Any]) -> str:
    """``template`` (``/articles/{pk:int}``) with ``params`` substituted and encoded.

    Every parameter of the template is required and no other is accepted."""
    segments = parse_path(template)
    names = [name for _, name, _ in segments if name]
    missing = [n for n in names if n not in params]
    extra = sorted(set(params) - set(names))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"unknown {', '.join(extra)}")
        raise NoReverseMatch(f"{template!r} takes {names or 'no parameters'}: {'; '.join(parts)}")
    out = []
    for static, name, converter in segments:
        out.append(static if name is None else _text(name, converter, params[name]))
    path = "/" + "/".join(out)
    if template.endswith("/") and path != "/":
        path += "/"
    return path


_tables: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def find_route(apis: Iterable[Any], name: str) -> Any:
    """The first route named ``name`` in ``apis`` (registration order), else ``None``.

    A compiled API's names are indexed once (its routes no longer change)."""
    for api in apis:
        table = _tables.get(api)
        if table is None:
            table = {}
            for route in api.routes:
                if route.name is not None:
                    table.setdefault(route.name, route)
            if api.compiled:
                _tables[api] = table
        route = table.get(name)
        if route is not None:
            return route
    return None


def reverse_in(apis: Iterable[Any], name: str, params: Mapping[str, Any]) -> str:
    apis = list(apis)
    route = find_route(apis, name)
    if route is None:
        raise NoReverseMatch(f"No route is named {name!r}")
    try:
        return build_path(route.path, params)
    except NoReverseMatch as exc:
        raise NoReverseMatch(f"reverse({name!r}): {exc}") from None


_project: tuple[Any, list[Any]] | None = None


def reverse(name: str, /, **params: Any) -> str:
    """The path of the route named ``name`` in the project's APIs (``BOLT_API``, else each
    installed app's ``api.py``), with ``params`` in its path parameters.

    ``api.reverse(name, **params)`` looks in one API only. The APIs are found once per
    settings object (tests that change ``BOLT_API`` get a fresh lookup)."""
    global _project
    from bolt.asgi import discover_apis
    from bolt.conf import get_settings

    settings = get_settings()
    if _project is None or _project[0] is not settings:
        _project = (settings, discover_apis())
    return reverse_in(_project[1], name, params)
