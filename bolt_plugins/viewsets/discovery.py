"""Route discovery: what routes ``api.view()`` and ``api.viewset()`` make from a class.

All of it runs at registration: which handlers exist, the lookup parameter, paths, names,
options and signatures. The result is a list of kernel ``Route`` objects.
"""

from __future__ import annotations

import inspect
import logging
import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any, get_args, get_origin

from bolt.binding import is_request_param
from bolt.exceptions import ImproperlyConfigured
from bolt.layers import Layer
from bolt.params import Depends, ParamMarker, Path
from bolt.route import Route
from bolt.routing import parse_path
from bolt_plugins.viewsets.actions import HTTP_METHODS, ActionHandler
from bolt_plugins.viewsets.classbody import BOUND_ATTR, attach_mount
from bolt_plugins.viewsets.endpoints import make_endpoint, method_signature, resolve_hints
from bolt_plugins.viewsets.options import (
    action_layer,
    class_layer,
    declared,
    registration_layer,
)
from bolt_plugins.viewsets.views import STANDARD_ACTIONS, VIEW_ACTIONS, APIView, ViewSet

__all__ = [
    "build_route",
    "find_actions",
    "resolve_lookup_field",
    "view_routes",
    "viewset_routes",
]

log = logging.getLogger("bolt")
_BASES = (APIView, ViewSet)
_PATH_TYPES = (str, int, uuid.UUID)


def _is_base(klass: type) -> bool:
    return klass in _BASES or klass is object


def build_route(
    cls: type,
    func: Callable[..., Any],
    method: str,
    path: str,
    action: str,
    options: dict[str, Any],
    *,
    layers: list[Layer] | None = None,
    lookup: str | None = None,
    source: Any = None,
) -> Route:
    """One kernel ``Route`` whose endpoint instantiates ``cls`` per request."""
    # ViewSets, and APIViews with the CRUD mixins, type the lookup and the write body.
    lookup_annotation = getattr(cls, "get_lookup_annotation", None)
    annotation = lookup_annotation() if lookup_annotation is not None else str
    signature = method_signature(func, lookup=lookup, lookup_annotation=annotation)
    adjust = getattr(cls, "handler_signature", None)
    if adjust is not None:
        signature = adjust(action, signature)
    endpoint, signature = make_endpoint(cls, func, action, path, signature)
    return Route(
        method,
        path,
        endpoint,
        options=options,
        layers=layers,
        signature=signature,
        view_class=cls,
        action=action,
        source=source if source is not None else func,
    )


# --- api.view() -----------------------------------------------------------------------
def view_routes(api: Any, cls: Any, path: str, registration: dict[str, Any]) -> list[Route]:
    """Routes for the HTTP-method handlers (``get``, ``post``, …) of an ``APIView``."""
    _check_view_class(cls, "view")
    actions = find_actions(cls)
    if actions:
        names = ", ".join(sorted(actions))
        raise ImproperlyConfigured(
            f"{cls.__qualname__} has @action method(s) ({names}) but is registered with "
            f"api.view({path!r}); @action routes need api.viewset({path!r}) (or use "
            "@api.post(...) route decorators in the class body)"
        )
    mount = [registration_layer("view", path, cls, registration), *registration.get("layers", ())]
    attach_mount(cls, mount)
    base = [mount[0], class_layer(cls, api.plugin_options)]
    routes: list[Route] = []
    allowed = allowed_methods(cls)
    mapped = _mapped_actions(cls, path) if _has_crud_actions(cls) else {}
    for method in HTTP_METHODS:
        func = _handler(cls, method.lower())
        if method not in allowed:
            continue
        if func is not None:
            routes.append(build_route(cls, func, method, path, method.lower(), {}, layers=base))
        elif method in mapped:
            action, func, lookup = mapped[method]
            defaults: dict[str, Any] = {"status_code": 201} if action == "create" else {}
            layers = [*base, action_layer(cls, action, defaults)]
            routes.append(
                build_route(cls, func, method, path, action, {}, layers=layers, lookup=lookup)
            )
    if not routes:
        raise ImproperlyConfigured(
            f"api.view({path!r}): {cls.__qualname__} defines none of "
            f"{', '.join(m.lower() for m in HTTP_METHODS)}; add a handler method (or use "
            "api.viewset() for list/retrieve/... actions)"
        )
    return routes


def _has_crud_actions(cls: type) -> bool:
    """Whether ``cls`` has the CRUD mixins (they give it ``get_model``), whose ``list``,
    ``retrieve``, ... actions serve HTTP methods under ``api.view()``. A plain APIView's
    methods of those names are its own helpers, never routed."""
    return not issubclass(cls, ViewSet) and callable(getattr(cls, "get_model", None))


def _mapped_actions(cls: type, path: str) -> dict[str, tuple[str, Callable[..., Any], str | None]]:
    """HTTP method -> (standard action, its handler, lookup parameter) for ``api.view()``.

    Actions on one object (retrieve, update, destroy) need a path parameter: ``lookup_field``
    when the class declares one, else ``pk``, else the path's last parameter."""
    names = [name for _, name, _ in parse_path(path) if name]
    lookup: str | None = None
    if names:
        wanted = declared(cls, "lookup_field")
        if wanted is not None and wanted not in names:
            raise ImproperlyConfigured(
                f"api.view({path!r}): {cls.__qualname__}.lookup_field is {wanted!r}, which is "
                "not a parameter of the path"
            )
        lookup = wanted or ("pk" if "pk" in names else names[-1])
    out: dict[str, tuple[str, Callable[..., Any], str | None]] = {}
    skipped: list[str] = []
    for method, choices in VIEW_ACTIONS.items():
        for action, detail in choices:
            func = _handler(cls, action)
            if func is None:
                continue
            if detail and lookup is None:
                skipped.append(action)
                continue
            # PATCH served by ``update`` is still a partial update (all fields optional).
            name = "partial_update" if method == "PATCH" else action
            out[method] = (name, func, lookup if detail else None)
            break
    if skipped and not out:
        raise ImproperlyConfigured(
            f"api.view({path!r}): {cls.__qualname__}'s {', '.join(sorted(set(skipped)))} "
            "act on one object and need a path parameter naming it, such as "
            f"api.view({path.rstrip('/') + '/{pk}'!r}, {cls.__qualname__})"
        )
    if lookup is not None and any(lookup == entry[2] for entry in out.values()):
        _remember_lookup(cls, lookup, path)
    return out


def _remember_lookup(cls: Any, lookup: str, path: str) -> None:
    """Record the lookup parameter ``get_object()`` reads. It is the class's, so a second
    registration of the class with another lookup would make the first path read the wrong
    parameter: refused (register a subclass for the second path)."""
    first = cls.__dict__.get("_bolt_lookup_registered")
    if first is not None and first[0] != lookup:
        raise ImproperlyConfigured(
            f"{cls.__qualname__} is registered at {first[1]!r} with lookup {{{first[0]}}} and "
            f"at {path!r} with lookup {{{lookup}}}; get_object() reads one lookup per class. "
            "Use the same parameter name, or register a subclass for the second path."
        )
    cls._bolt_lookup_registered = (lookup, path)
    cls._bolt_lookup_field = lookup


# --- api.viewset() --------------------------------------------------------------------
def viewset_routes(api: Any, cls: Any, path: str, registration: dict[str, Any]) -> list[Route]:
    """Routes for the standard actions and ``@action`` handlers of a ``ViewSet``."""
    _check_view_class(cls, "viewset")
    if not issubclass(cls, ViewSet):
        raise ImproperlyConfigured(
            f"api.viewset({path!r}) needs a ViewSet subclass; {cls.__qualname__} is an "
            "APIView (register it with api.view())"
        )
    registration = dict(registration)
    given_basename = registration.pop("basename", None)
    given_name = registration.pop("name", None)  # a viewset's routes are named per action
    basename = given_basename or given_name or _basename(cls)
    mount = [
        registration_layer("viewset", path, cls, registration),
        *registration.get("layers", ()),
    ]
    attach_mount(cls, mount)
    base = [mount[0], class_layer(cls, api.plugin_options)]
    in_path = frozenset(name for _, name, _ in parse_path(path) if name)
    lookup = resolve_lookup_field(cls, in_path)
    if lookup in in_path:
        raise ImproperlyConfigured(
            f"api.viewset({path!r}): the lookup parameter {{{lookup}}} of {cls.__qualname__} "
            "is already a parameter of the base path; set a different `lookup_field`"
        )
    # get_object() reads the lookup of the registered path (nested paths exclude theirs)
    _remember_lookup(cls, lookup, path)
    collection = path
    detail = f"{path.rstrip('/')}/{{{lookup}}}"
    routes: list[Route] = []
    allowed = allowed_methods(cls)
    for action, (method, is_detail) in STANDARD_ACTIONS.items():
        func = _handler(cls, action)
        if func is None or method not in allowed:
            continue
        defaults: dict[str, Any] = {"name": f"{basename}-{'detail' if is_detail else 'list'}"}
        if action == "create":
            defaults["status_code"] = 201
        layers = [*base, action_layer(cls, action, defaults)]
        route_path = detail if is_detail else collection
        routes.append(
            build_route(
                cls,
                func,
                method,
                route_path,
                action,
                {},
                layers=layers,
                lookup=lookup if is_detail else None,
            )
        )
    for attr, handler in find_actions(cls).items():
        prefix = detail if handler.detail else collection.rstrip("/")
        route_path = f"{prefix}/{handler.path}"
        defaults = {"name": f"{basename}-{handler.path}"}
        layers = [*base, action_layer(cls, attr, defaults)]
        for method in (m for m in handler.methods if m in allowed):
            routes.append(
                build_route(
                    cls,
                    handler.fn,
                    method,
                    route_path,
                    attr,
                    handler.options,
                    layers=layers,
                    lookup=lookup if handler.detail else None,
                    source=handler.fn,
                )
            )
    if not routes and not cls.__dict__.get("_bolt_has_class_routes"):
        verbs = [m.lower() for m in HTTP_METHODS if _handler(cls, m.lower()) is not None]
        if verbs:
            # get/post/... handlers would be silently dropped: that is a mistake to report.
            raise ImproperlyConfigured(
                f"api.viewset({path!r}): {cls.__qualname__} implements none of "
                f"{', '.join(STANDARD_ACTIONS)} and has no @action, only {', '.join(verbs)}; "
                "a class with get/post/... handlers is registered with api.view()"
            )
        # A ViewSet that only configures (serializers, hooks; the guide's
        # get_serializer_class examples) routes nothing: its paths answer 404.
        log.warning(
            "api.viewset(%r): %s implements no action yet; no routes registered",
            path,
            cls.__qualname__,
        )
    return routes


def find_actions(cls: type) -> dict[str, ActionHandler]:
    """``@action`` handlers of ``cls`` and its bases, in definition order (bases first)."""
    found: dict[str, ActionHandler] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, ActionHandler):
                found[attr] = value
            elif attr in found:
                del found[attr]  # overridden by a plain attribute in a subclass
    return found


def allowed_methods(cls: type) -> frozenset[str]:
    """The HTTP methods ``http_method_names`` lets the class serve (all when unset), as
    DRF and django-bolt read it; HEAD follows GET unless listed on its own."""
    names = declared(cls, "http_method_names")
    if names is None:
        return frozenset(HTTP_METHODS)
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ImproperlyConfigured(
            f"{cls.__qualname__}.http_method_names must be a list of method names such as "
            f"['get', 'post'], got {names!r}"
        )
    upper = frozenset(n.upper() for n in names)
    unknown = upper - set(HTTP_METHODS)
    if unknown:
        raise ImproperlyConfigured(
            f"{cls.__qualname__}.http_method_names names unknown method(s) "
            f"{', '.join(sorted(unknown))}; use any of {', '.join(HTTP_METHODS).lower()}"
        )
    return upper


def _handler(cls: type, name: str) -> Callable[..., Any] | None:
    func: Callable[..., Any] | None = getattr(cls, name, None)
    if func is None or isinstance(func, ActionHandler) or not callable(func):
        return None
    if getattr(func, BOUND_ATTR, False):
        return None
    if isinstance(inspect.getattr_static(cls, name), staticmethod | classmethod):
        raise ImproperlyConfigured(
            f"{cls.__qualname__}.{name} must be a plain method (it is a static/class method)"
        )
    return func


def _check_view_class(cls: Any, kind: str) -> None:
    if not (isinstance(cls, type) and issubclass(cls, APIView)):
        raise ImproperlyConfigured(
            f"api.{kind}() needs a subclass of bolt.views.APIView/ViewSet, got {cls!r}"
        )


def _basename(cls: type) -> str:
    explicit = getattr(cls, "basename", None)
    if explicit:
        return str(explicit)
    model = getattr(getattr(cls, "queryset", None), "model", None) or getattr(cls, "model", None)
    meta = getattr(model, "_meta", None)
    if meta is not None:
        return str(meta.model_name)
    name = re.sub(r"(ViewSet|APIView|View)$", "", cls.__name__) or cls.__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# --- lookup field ---------------------------------------------------------------------
def resolve_lookup_field(cls: type, in_path: frozenset[str] = frozenset()) -> str:
    """``lookup_field`` if a non-base class sets it; else what detail handlers ask for;
    else ``"pk"``. Handlers that ask for different names are a startup error. Names in
    ``in_path`` (parameters of a nested base path such as ``/posts/{post_id}/comments``)
    are skipped when looking at what handlers ask for."""
    for klass in cls.__mro__:
        if "lookup_field" in vars(klass):
            if not _is_base(klass):
                return str(vars(klass)["lookup_field"])
            break
    asked: dict[str, list[str]] = {}
    handlers: list[tuple[str, Callable[..., Any]]] = []
    for action, (_, is_detail) in STANDARD_ACTIONS.items():
        func = _handler(cls, action) if is_detail else None
        if func is not None:
            handlers.append((action, func))
    handlers += [(a, h.fn) for a, h in find_actions(cls).items() if h.detail]
    for action, func in handlers:
        name = _lookup_candidate(func, in_path)
        if name is not None:
            asked.setdefault(name, []).append(action)
    if len(asked) > 1:
        detail = "; ".join(f"{name!r} by {', '.join(acts)}" for name, acts in asked.items())
        raise ImproperlyConfigured(
            f"{cls.__qualname__}: detail handlers ask for different lookup parameters "
            f"({detail}); set `lookup_field` on the class or use one name"
        )
    return next(iter(asked), "pk")


def _lookup_candidate(func: Callable[..., Any], in_path: frozenset[str]) -> str | None:
    """The first parameter after ``self``/``request`` that can be a path value."""
    try:
        params = list(inspect.signature(func).parameters.values())[1:]
    except (TypeError, ValueError):
        return None
    hints = resolve_hints(func)
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        annotation = hints.get(p.name, p.annotation)
        if p.name in in_path or is_request_param(p, annotation):
            continue
        marker = p.default if isinstance(p.default, ParamMarker | Depends) else None
        if get_origin(annotation) is Annotated:
            args = get_args(annotation)
            annotation = args[0]
            marker = next((a for a in args[1:] if isinstance(a, ParamMarker | Depends)), marker)
        if isinstance(marker, Path):
            return p.name
        if marker is not None or p.default is not inspect.Parameter.empty:
            continue
        if annotation is inspect.Parameter.empty or annotation in _PATH_TYPES:
            return p.name
        return None
    return None
