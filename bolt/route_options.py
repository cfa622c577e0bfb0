"""Route options attached by decorators: ``route_option`` (how any decorator, first or
third party, configures a route) and the kernel's own ``skip_middleware``.

Options are stored on the handler function and read when routes compile (``Route`` makes
them its most specific layer, ``"route"``), so decorator order does not matter and a request
never looks at them. ``skip_middleware`` belongs to the kernel because removing a
step from a route's chain happens at compile time (``bolt.compile``).

The public import path of these names is ``bolt.middleware``.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from types import FunctionType
from typing import Any, TypeVar

__all__ = ["OPTIONS_ATTR", "get_route_options", "route_option", "skip_middleware"]

F = TypeVar("F", bound=Callable[..., Any])

# Where decorators store their options on a handler function.
OPTIONS_ATTR = "__bolt_route_options__"


def route_option(func: F, name: str, value: Any) -> F:
    """Attach a route option to a handler function; the way decorators configure routes.

    Options are read when routes compile, so decorator order does not matter. Third-party
    decorators use this too; their plugin then claims the option.

    If ``func`` is a method of a class that already exists (``list =
    skip_middleware("guards")(ModelViewSet.list)`` in another class's body), the option goes on
    a copy of the function: the original is shared by every class that inherits it, and an
    option stored on it would change all of them.
    """
    if _owned_by_existing_class(func):
        func = _copy_handler(func)
    target = getattr(func, "fn", func)  # an @action wrapper stores options on its function
    options = target.__dict__.get(OPTIONS_ATTR)
    if options is None:
        options = {}
        setattr(target, OPTIONS_ATTR, options)
    options[name] = value
    return func


def _owned_by_existing_class(func: Any) -> bool:
    """True for a function (or a handler object wrapping one in ``fn``, as ``@action``
    makes) defined in the body of a class that has been created."""
    if not isinstance(getattr(func, "fn", func), FunctionType):
        return False
    path = str(getattr(func, "__qualname__", "")).split(".")
    if len(path) < 2 or "<locals>" in path:
        return False
    owner: Any = sys.modules.get(func.__module__)
    for part in path[:-1]:
        owner = getattr(owner, part, None)
        if not isinstance(owner, type):
            return False
    return owner.__dict__.get(path[-1]) is func


def _copy_handler(func: F) -> F:
    """A copy of a function, or of a handler object with its ``fn`` copied."""
    if isinstance(func, FunctionType):
        return _copy_function(func)  # type: ignore[return-value]
    handler = copy.copy(func)
    handler.fn = _copy_function(func.fn)  # type: ignore[attr-defined]
    return handler


def _copy_function(func: FunctionType) -> FunctionType:
    """A new function object sharing ``func``'s code, closure (``super()`` keeps working)
    and attributes, with its own copy of the stored route options."""
    copy = FunctionType(
        func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__
    )
    copy.__kwdefaults__ = dict(func.__kwdefaults__) if func.__kwdefaults__ else None
    copy.__dict__.update(func.__dict__)
    copy.__qualname__ = func.__qualname__
    copy.__module__ = func.__module__
    copy.__doc__ = func.__doc__
    copy.__annotations__ = dict(func.__annotations__)
    options = func.__dict__.get(OPTIONS_ATTR)
    if options is not None:
        copy.__dict__[OPTIONS_ATTR] = dict(options)
    return copy


def get_route_options(func: Any) -> dict[str, Any]:
    """The options decorators attached to ``func`` (empty when none)."""
    target = getattr(func, "fn", func)
    return dict(getattr(target, OPTIONS_ATTR, None) or {})


def skip_middleware(*names: str) -> Callable[[F], F]:
    """Remove the named middleware from this route when it compiles.

    ``"*"`` removes every optional middleware (CORS, rate limits); security middleware
    (auth, guards) must be named explicitly. An unknown name stops startup.
    """
    if not names:
        raise ValueError("skip_middleware() needs at least one middleware name")

    def decorate(func: F) -> F:
        return route_option(func, "skip_middleware", frozenset(names))

    return decorate
