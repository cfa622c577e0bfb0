"""Route decorators written inside a class body (``@api.post("/users/{id}/activate")``).

When the decorator runs, the class does not exist yet: the kernel hands the plugin a plain
function whose ``__qualname__`` places it in a class body. The plugin answers ``[]`` and
records the registration on the function. When the class is created
(``APIView.__init_subclass__``) the recorded registrations become routes bound to the class
(fresh instance per request, class-level ``auth``/``guards``/... inherited) and are added
with ``api.add_routes``. A decorator that runs after the class exists (``Router`` routes
included later) finds the owner recorded on the function and gets its routes at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from bolt.defaults import looks_like_method
from bolt.exceptions import ImproperlyConfigured
from bolt.route import Route
from bolt_plugins.viewsets.options import class_layer

__all__ = [
    "BOUND_ATTR",
    "UNBOUND_STATE",
    "bind_class_body_routes",
    "check_unbound",
    "collect_class_body_route",
]

PENDING_ATTR = "__bolt_pending_routes__"
# Set on a function that a class-body decorator made a route of, so that discovery
# (api.view()/api.viewset()) does not make a second route from it.
BOUND_ATTR = "__bolt_class_routes_bound__"
OWNER_ATTR = "__bolt_view_owner__"
# api.state key: functions registered from a class body and not yet bound to their class.
UNBOUND_STATE = "viewsets.unbound"


def collect_class_body_route(
    api: Any, func: Any, path: str, options: dict[str, Any]
) -> list[Route] | None:
    """The hook's answer for ``kind == "route"``: ``None`` for plain functions."""
    from bolt_plugins.viewsets.actions import ActionHandler

    if isinstance(func, ActionHandler):
        raise ImproperlyConfigured(
            f"{func.__qualname__}: a route decorator (@api.get/...) cannot wrap an @action; "
            "use one or the other"
        )
    if not inspect.isfunction(func) or not looks_like_method(func):
        return None
    owner = func.__dict__.get(OWNER_ATTR)
    if owner is not None:
        return _routes(api, owner, func, path, options)
    func.__dict__.setdefault(PENDING_ATTR, []).append((api, path, dict(options)))
    api.state.setdefault(UNBOUND_STATE, {})[func] = path
    return []


def bind_class_body_routes(cls: type) -> None:
    """Bind the class-body registrations of the functions defined in ``cls`` (once)."""
    for value in list(vars(cls).values()):
        func = value
        if not inspect.isfunction(func) or OWNER_ATTR in func.__dict__:
            continue
        if func.__qualname__.rpartition(".")[0] != cls.__qualname__:
            continue  # a function defined elsewhere and assigned here
        func.__dict__[OWNER_ATTR] = cls
        pending = func.__dict__.pop(PENDING_ATTR, None)
        if not pending:
            continue
        cls._bolt_has_class_routes = True  # type: ignore[attr-defined]
        for api, path, options in pending:
            api.add_routes(_routes(api, cls, func, path, options))
            api.state.get(UNBOUND_STATE, {}).pop(func, None)


def _routes(
    api: Any, cls: type, func: Callable[..., Any], path: str, options: dict[str, Any]
) -> list[Route]:
    from bolt_plugins.viewsets.discovery import build_route

    explicit = {k: v for k, v in options.items() if k not in ("kind", "methods")}
    layers = [class_layer(cls, api.plugin_options)]
    func.__dict__[BOUND_ATTR] = True
    return [
        build_route(cls, func, method, path, func.__name__, explicit, layers=layers)
        for method in options["methods"]
    ]


def check_unbound(api: Any) -> None:
    """Fail at compile time for class-body routes whose class never became a view class."""
    unbound = api.state.get(UNBOUND_STATE)
    if not unbound:
        return
    names = ", ".join(f"{f.__qualname__} ({p})" for f, p in unbound.items())
    raise ImproperlyConfigured(
        f"Route decorators inside a class body need the class to subclass "
        f"bolt.views.APIView or ViewSet, so each request gets a view instance; not bound: "
        f"{names}"
    )
