"""Turning a view method into a route endpoint, once per route.

A method ``(self, request, id: int, data: Body)`` becomes an endpoint the kernel can plan:
its signature loses ``self``, has its annotations resolved in the method's own module, and
gets a hidden request parameter when the method takes none (the view needs
``self.request``). The endpoint builds a fresh view per request, fills in ``request``,
``action`` and ``kwargs``, and calls the method; everything else is decided here, before
the first request.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from bolt.binding import is_request_param
from bolt.exceptions import ImproperlyConfigured
from bolt.request import Request
from bolt.routing import parse_path

__all__ = ["REQUEST_KW", "make_endpoint", "method_signature", "resolve_hints"]

# The name of the parameter added when a method takes no request of its own. A valid
# identifier users will not pick, so it never shadows a query or path parameter.
REQUEST_KW = "_bolt_view_request_"

_KW = inspect.Parameter.KEYWORD_ONLY
_INTERNAL = "_bv_"
_VAR = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


def resolve_hints(func: Callable[..., Any]) -> dict[str, Any]:
    """The function's annotations with strings evaluated in its module, one by one.

    ``typing.get_type_hints`` fails as a whole when one name cannot be resolved; resolving
    each annotation separately keeps the ones that work (the kernel reports the others).
    """
    try:
        return typing.get_type_hints(func, include_extras=True)
    except Exception:
        pass
    raw = dict(getattr(func, "__annotations__", {}) or {})
    namespace = {"Request": Request, **getattr(inspect.unwrap(func), "__globals__", {})}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            try:
                value = eval(value, namespace)
            except Exception:
                pass
        out[name] = value
    return out


def method_signature(
    func: Callable[..., Any], *, lookup: str | None, lookup_annotation: Any = str
) -> inspect.Signature:
    """The signature the kernel plans for ``func``: no ``self``, resolved annotations.

    Every parameter becomes keyword-only (the endpoint is called with keywords). ``*args``
    is dropped; ``**kwargs`` becomes the ``lookup`` path parameter when ``lookup`` is given
    (detail routes of generic handlers) and is dropped otherwise.
    """
    owner = getattr(func, "__qualname__", repr(func))
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{owner}: cannot read its signature ({exc})") from None
    params = list(signature.parameters.values())
    if not params or params[0].kind in (*_VAR, _KW):
        raise ImproperlyConfigured(f"{owner}: a view method must take `self` first")
    hints = resolve_hints(func)
    names = {p.name for p in params[1:]}
    out: list[inspect.Parameter] = []
    for p in params[1:]:
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            if lookup is not None and lookup not in names:
                out.append(inspect.Parameter(lookup, _KW, annotation=lookup_annotation))
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        out.append(p.replace(kind=_KW, annotation=hints.get(p.name, p.annotation)))
    return_annotation = hints.get("return", signature.return_annotation)
    return inspect.Signature(out, return_annotation=return_annotation)


def _base_init() -> Any:
    from bolt_plugins.viewsets.views import APIView

    return APIView.__init__


def _generate(
    cls: type,
    func: Callable[..., Any],
    action: str,
    signature: inspect.Signature,
    request_name: str,
    hidden: bool,
    bound: tuple[str, ...],
) -> Callable[..., Any]:
    """Write the endpoint as source with the handler's own parameter names.

    A generic ``endpoint(**kwargs)`` forwarding ``func(view, **kwargs)`` packs and unpacks
    the arguments twice per request; spelling the names out keeps the view route within a
    few hundred nanoseconds of a function route. Names are identifiers taken from a real
    signature; the endpoint's own locals use a prefix no handler parameter may start with.
    """
    names = list(signature.parameters)
    clash = [n for n in names if n.startswith(_INTERNAL)]
    if clash:
        raise ImproperlyConfigured(
            f"{func.__qualname__}: parameter names starting with {_INTERNAL!r} are reserved"
        )
    try:
        original = list(inspect.signature(func).parameters.values())[1:]
    except (TypeError, ValueError):
        original = []
    positional = [p.name for p in original if p.kind is inspect.Parameter.POSITIONAL_ONLY]
    passed = [n for n in names if not (hidden and n == request_name)]
    args = [f"{_INTERNAL}view", *positional, *(f"{n}={n}" for n in passed if n not in positional)]
    is_async = inspect.iscoroutinefunction(func)
    plain_init = cls.__init__ is _base_init()  # type: ignore[misc]
    if not plain_init:
        _check_init(cls)
    lines = [
        f"{'async ' if is_async else ''}def endpoint(*, {', '.join(names)}):",
        "    # hot path (sync endpoints run in a worker thread: the kernel wraps them)",
        f"    _bv_view = {'_bv_new(_bv_cls)' if plain_init else '_bv_cls()'}",
        f"    _bv_view.request = {request_name}",
        "    _bv_view.action = _bv_action",
        f"    _bv_params = {request_name}.params",
        # the handler's typed values replace the raw strings (self.kwargs["id"] is an int)
        *(f"    _bv_params[{n!r}] = {n}" for n in bound),
        "    _bv_view.kwargs = _bv_params",
        f"    return {'await ' if is_async else ''}_bv_func({', '.join(args)})",
    ]
    namespace: dict[str, Any] = {
        "_bv_new": object.__new__,
        "_bv_cls": cls,
        "_bv_action": action,
        "_bv_func": func,
    }
    exec(compile("\n".join(lines), f"<bolt view endpoint {func.__qualname__}>", "exec"), namespace)
    endpoint: Callable[..., Any] = namespace["endpoint"]
    return endpoint


def _check_init(cls: type) -> None:
    """A view is created per request without arguments; say so at startup, not per 500."""
    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return
    required = [
        p.name
        for p in params
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if required:
        raise ImproperlyConfigured(
            f"{cls.__qualname__}.__init__ requires {', '.join(required)}; a view is created "
            "per request with no arguments, so give them defaults (or set them in the handler)"
        )


def _request_name(signature: inspect.Signature) -> str | None:
    for p in signature.parameters.values():
        if is_request_param(p, p.annotation):
            return p.name
    return None


def make_endpoint(
    cls: type,
    func: Callable[..., Any],
    action: str,
    path: str,
    signature: inspect.Signature,
) -> tuple[Callable[..., Any], inspect.Signature]:
    """Build the per-request endpoint for ``cls.func`` and the signature to plan it by."""
    request_name = _request_name(signature)
    hidden = request_name is None
    if hidden:
        request_name = REQUEST_KW
        hidden_param = inspect.Parameter(REQUEST_KW, _KW, annotation=Request)
        signature = signature.replace(parameters=[*signature.parameters.values(), hidden_param])
    path_names = {name for _, name, _ in parse_path(path) if name}
    bound = tuple(name for name in signature.parameters if name in path_names)
    endpoint = _generate(cls, func, action, signature, request_name, hidden, bound)  # type: ignore[arg-type]
    functools.update_wrapper(endpoint, func, updated=())
    # The kernel reads type hints from the endpoint; give it the resolved ones of the
    # final signature (not the method's raw annotations, which still name ``self``).
    annotations = {
        p.name: p.annotation
        for p in signature.parameters.values()
        if p.annotation is not inspect.Parameter.empty
    }
    if signature.return_annotation is not inspect.Signature.empty:
        annotations["return"] = signature.return_annotation
    endpoint.__annotations__ = annotations
    return endpoint, signature
