"""Layered route options for class-based views, merged once per route.

From least to most specific: action defaults (``create`` answers 201) → class attributes
(``auth``, ``guards``, ``status_code``, ``tags``) → keyword options given to
``api.view()``/``api.viewset()`` → options stored on the method by decorators (``@cors``,
``@rate_limit``, ``skip_middleware``, third-party ``route_option``) → options given to
``@action(...)`` or to a route decorator in the class body. A layer that gives a value
replaces the one below; ``None`` means "not given"; ``[]`` is a value (none, e.g. public).
"""

from __future__ import annotations

from typing import Any

from bolt.middleware import get_route_options

__all__ = ["CLASS_OPTIONS", "class_options", "merge_options"]

CLASS_OPTIONS = ("auth", "guards", "status_code", "tags")
# Keys of a registration call that describe the registration, not the routes.
_NOT_ROUTE_OPTIONS = frozenset({"kind", "methods", "basename"})


def class_options(cls: type, registration: dict[str, Any] | None = None) -> dict[str, Any]:
    """Options every route of ``cls`` starts from (class attributes, then registration)."""
    out: dict[str, Any] = {}
    for name in CLASS_OPTIONS:
        value = getattr(cls, name, None)
        if value is not None:
            out[name] = value
    for name, value in (registration or {}).items():
        if value is not None and name not in _NOT_ROUTE_OPTIONS:
            out[name] = value
    return out


def merge_options(
    defaults: dict[str, Any], base: dict[str, Any], source: Any, explicit: dict[str, Any]
) -> dict[str, Any]:
    """``defaults`` < ``base`` < decorator options on ``source`` < ``explicit``."""
    merged = dict(defaults)
    merged.update(base)
    merged.update(get_route_options(source))
    merged.update({k: v for k, v in explicit.items() if v is not None})
    merged.pop("kind", None)
    merged.pop("methods", None)
    return merged
