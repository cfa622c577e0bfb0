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
    key: str = request_name  # type: ignore[assignment]

    def setup(kwargs: dict[str, Any]) -> Any:
        # hot path
        request = kwargs.pop(key) if hidden else kwargs[key]
        view = cls()
        view.request = request
        view.action = action
        if bound:
            values = dict(request.params)
            for name in bound:
                values[name] = kwargs[name]
            view.kwargs = values
        else:
            view.kwargs = request.params
        return view

    endpoint: Callable[..., Any]
    if inspect.iscoroutinefunction(func):

        async def endpoint(**kwargs: Any) -> Any:
            # hot path
            return await func(setup(kwargs), **kwargs)

    else:

        def endpoint(**kwargs: Any) -> Any:
            # hot path (runs in a worker thread: the kernel wraps sync endpoints)
            return func(setup(kwargs), **kwargs)

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
