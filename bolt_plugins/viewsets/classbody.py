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

from bolt.classoptions import ROUTED_ATTR
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
BOUND_ATTR = ROUTED_ATTR
OWNER_ATTR = "__bolt_view_owner__"
# api.state key: functions registered from a class body and not yet bound to their class.
UNBOUND_STATE = "viewsets.unbound"
# Class attributes (in the class's own __dict__): the layers of the class's registration
# (api.view/api.viewset keywords and the routers it was included through), and the
# class-body routes made so far, which take those layers too.
MOUNT_ATTR = "_bolt_mount_layers"
ROUTES_ATTR = "_bolt_class_body_routes"


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
    from bolt_plugins.viewsets.discovery import allowed_methods, build_route

    allowed = allowed_methods(cls)
    refused = [m for m in options["methods"] if m not in allowed]
    if refused:
        raise ImproperlyConfigured(
            f"{func.__qualname__} is routed for {', '.join(refused)}, which "
            f"{cls.__qualname__}.http_method_names does not allow; remove the route or the "
            "restriction"
        )
    explicit = {k: v for k, v in options.items() if k not in ("kind", "methods")}
    layers = [class_layer(cls, api.plugin_options), *cls.__dict__.get(MOUNT_ATTR, ())]
    func.__dict__[BOUND_ATTR] = True
    routes = [
        build_route(cls, func, method, path, func.__name__, explicit, layers=layers)
        for method in options["methods"]
    ]
    if ROUTES_ATTR not in cls.__dict__:
        setattr(cls, ROUTES_ATTR, [])
    cls.__dict__[ROUTES_ATTR].extend(routes)
    return routes


def attach_mount(cls: type, layers: list[Any]) -> None:
    """Record the layers of ``cls``'s registration and give them to its class-body routes,
    made before or after it: registration keywords and router defaults reach every route
    of the class. A class with class-body routes can be registered once only (two mounts
    would give those routes two different sets of defaults)."""
    body_routes = cls.__dict__.get(ROUTES_ATTR, [])
    previous = cls.__dict__.get(MOUNT_ATTR)
    has_body_routes = body_routes or cls.__dict__.get("_bolt_has_class_routes")
    if previous is not None and has_body_routes and _effect(previous) != _effect(layers):
        raise ImproperlyConfigured(
            f"{cls.__qualname__} has route decorators in its body and is registered twice "
            "with different options; its class-body routes could not tell which "
            "registration's options apply. Register a subclass for the second path, or "
            "put the options on the class."
        )
    setattr(cls, MOUNT_ATTR, tuple(layers))
    for route in body_routes:
        route.add_layers(*layers)


# Options that describe a route rather than change what it does or who may call it.
_DESCRIPTIVE = frozenset({"name", "tags", "summary", "description", "operation_id", "deprecated"})


def _effect(layers: Any) -> dict[str, Any]:
    """What a registration's layers change for the routes they reach."""
    merged: dict[str, Any] = {}
    for layer in reversed(list(layers)):
        merged.update(layer.options)
    return {k: v for k, v in merged.items() if k not in _DESCRIPTIVE}


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
