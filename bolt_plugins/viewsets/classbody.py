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
from bolt.layers import LEVELS, Layer
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
# Class attributes (in the class's own __dict__): the layers of each registration of the
# class (api.view/api.viewset keywords and the routers it was included through), and the
# class-body routes made so far, which take the first registration's layers too.
MOUNTS_ATTR = "_bolt_mounts"
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
    mounts: list[tuple[Layer, ...]] = cls.__dict__.get(MOUNTS_ATTR, [])
    layers = [class_layer(cls, api.plugin_options), *(mounts[0] if mounts else ())]
    func.__dict__[BOUND_ATTR] = True
    routes = [
        build_route(cls, func, method, path, func.__name__, explicit, layers=layers)
        for method in options["methods"]
    ]
    for route in routes:
        _check_mounts(cls, route, mounts)
    if ROUTES_ATTR not in cls.__dict__:
        setattr(cls, ROUTES_ATTR, [])
    cls.__dict__[ROUTES_ATTR].extend(routes)
    return routes


def attach_mount(cls: type, layers: list[Layer]) -> None:
    """Record one registration of ``cls`` (its ``api.view``/``api.viewset`` keywords and
    the routers it was included through) for the class-body routes of ``cls``.

    The registration's own routes get these layers from discovery; a class-body route is
    one route at one path, whatever the number of registrations, so it takes the layers of
    the first registration, and every further registration must give it the same options
    (checked here and when a class-body route is made later, from a router included after
    the registrations). Registrations that would give it different options stop startup:
    stacking both sets of layers would serve it with a mixture, and keeping one would
    silently drop the other's guards. Registrations that differ only where the route's own
    options (or descriptive ones such as ``tags``) decide are fine.
    """
    mount = tuple(layers)
    mounts: list[tuple[Layer, ...]] | None = cls.__dict__.get(MOUNTS_ATTR)
    if mounts is None:
        mounts = []
        setattr(cls, MOUNTS_ATTR, mounts)
    mounts.append(mount)
    body_routes: list[Route] = cls.__dict__.get(ROUTES_ATTR, [])
    for route in body_routes:
        _check_mounts(cls, route, mounts)
    if len(mounts) == 1:
        for route in body_routes:
            route.add_layers(*mount)


# Options that describe a route rather than change what it does or who may call it.
_DESCRIPTIVE = frozenset({"name", "tags", "summary", "description", "operation_id", "deprecated"})
# The layers a class-body route has besides its registration's: its own and its class's.
# (Router and API layers added around it later are the same whichever registration counts.)
_OWN_LEVELS = ("route", "class")


def _check_mounts(cls: type, route: Route, mounts: list[tuple[Layer, ...]]) -> None:
    """Refuse registrations of ``cls`` that would give class-body ``route`` different
    options than its first registration does."""
    if len(mounts) < 2:
        return
    first = _effect(route, mounts[0])
    for mount in mounts[1:]:
        other = _effect(route, mount)
        differ = sorted(
            key
            for key in first.keys() | other.keys()
            if key not in first or key not in other or not _same(first[key], other[key])
        )
        if differ:
            raise ImproperlyConfigured(
                f"{cls.__qualname__} is registered twice, {_where(mounts[0])} and "
                f"{_where(mount)}, and the two would give its class-body route {route!r} "
                f"different {', '.join(differ)}; that route has one path and cannot follow "
                f"both. Give the route its own {differ[0]}= in its route decorator, put the "
                "option on the class, or register a subclass for the second path."
            )


def _effect(route: Route, mount: tuple[Layer, ...]) -> dict[str, Any]:
    """The options ``route`` gets under one registration, most specific level first (a
    registration's keywords are above the class, a router's below it), without the
    descriptive ones."""
    layers = [layer for layer in route.layers if layer.level in _OWN_LEVELS]
    layers.extend(mount)
    layers.sort(key=lambda layer: LEVELS.index(layer.level))  # stable
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        merged.update(layer.options)
    return {k: v for k, v in merged.items() if k not in _DESCRIPTIVE}


def _same(a: Any, b: Any) -> bool:
    """Equal option values, where two instances of one class holding the same attributes
    count as equal (``guards=[IsAdminUser()]`` written in two registrations)."""
    if a is b or a == b:
        return True
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b) or isinstance(a, type):
        return False
    state_a, state_b = getattr(a, "__dict__", None), getattr(b, "__dict__", None)
    return state_a is not None and state_a == state_b


def _where(mount: tuple[Layer, ...]) -> str:
    where = mount[0].where
    if len(mount) > 1:
        where += " under " + ", ".join(layer.where for layer in mount[1:])
    return where


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
