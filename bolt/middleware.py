"""Route middleware: the unit plugins use to act on requests, and the route-option decorators.

A plugin returns ``Middleware(phase, wrap, name)`` from ``bolt_route_middleware``;
``wrap(next_handler)`` returns a handler ``async (request) -> Response``. A step that only
checks the request and perhaps adds response headers says ``Middleware(phase,
before=check, name=...)`` instead and costs no coroutine of its own. The kernel sorts a
route's middleware by phase (lower runs first, outermost) and folds the chain once when the
route compiles, so a request only walks a prepared stack of closures.

Phase bands (``Middleware.phase``; lower runs first, outermost):

========  ===============================================================================
0-99      third parties, outside everything: timing, request ids, tracing (see the whole
          request, refusals included)
100-499   first-party steps: CORS 100, client-keyed rate limits 150, authentication 200,
          identity-keyed rate limits 300, guards 400
500-899   third parties, after the guards: the caller is known and allowed (audit,
          conditional GET, caching)
900+      reserved for Bolt
========  ===============================================================================

Equal phases are ordered by plugin load order (``BOLT_PLUGINS`` order, plugin objects of
``BoltAPI(plugins=[...])`` last): the plugin loaded first runs first, outermost; steps one
plugin returns keep their list order. The kernel does not enforce the bands; they are the
contract that lets independent plugins pick phases without knowing each other.

``cors``, ``rate_limit`` are re-exported from their plugins so user code imports them from
here; ``skip_middleware`` belongs to the kernel because removal happens at compile time.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import FunctionType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bolt.request import Request
    from bolt.responses import Response

__all__ = [
    "FIRST_PARTY_PHASES",
    "PHASE_AUTH",
    "PHASE_CORS",
    "PHASE_GUARDS",
    "PHASE_RATE_LIMIT",
    "PHASE_RATE_LIMIT_EARLY",
    "RESERVED_PHASES",
    "THIRD_PARTY_INNER_PHASES",
    "THIRD_PARTY_OUTER_PHASES",
    "Before",
    "Handler",
    "Middleware",
    "cors",
    "get_route_options",
    "rate_limit",
    "route_option",
    "skip_middleware",
]

Handler = Callable[["Request"], Awaitable["Response"]]
F = TypeVar("F", bound=Callable[..., Any])

# The bands of the module docstring.
THIRD_PARTY_OUTER_PHASES = range(100)
FIRST_PARTY_PHASES = range(100, 500)
THIRD_PARTY_INNER_PHASES = range(500, 900)
RESERVED_PHASES = range(900, 1000)

PHASE_CORS = 100
# Limits keyed by something the client sends (its IP, a header) run before authentication,
# so failed logins are counted too; limits keyed by identity need authentication first.
PHASE_RATE_LIMIT_EARLY = 150
PHASE_AUTH = 200
PHASE_RATE_LIMIT = 300
PHASE_GUARDS = 400

OPTIONS_ATTR = "__bolt_route_options__"


Before = Callable[["Request"], Any]


@dataclass(frozen=True, slots=True)
class Middleware:
    """One step of a route's request pipeline, in one of two shapes.

    - ``phase``: position in the chain; lower is outer (runs first). Third parties use
      0-99 or 500-899 (see the module docstring); equal phases run in plugin load order.
    - ``wrap``: ``wrap(next_handler) -> handler``; called once at compile time. The step owns
      the call: it can act before and after the inner steps, catch their exceptions, or
      replace the response.
    - ``before``: ``before(request) -> None | Response`` (sync or async), for steps that only
      check and annotate (CORS, authentication, rate limits, guards). ``None`` continues,
      a ``Response`` answers at once, an exception becomes its error response, and an
      awaitable return is awaited first (a sync step that sometimes needs to wait). Headers
      a step puts in ``request.response_headers`` reach whatever response the request gets,
      error responses included. The kernel runs consecutive ``before`` steps in one loop
      without a coroutine per step, which is why the shape exists: the fold of ``wrap``
      steps costs a coroutine per step per request.
    - ``name``: what ``skip_middleware(name)`` removes.
    - ``optional``: whether ``skip_middleware("*")`` removes it (security steps say False).
    - ``preflight``: also wrap the automatic OPTIONS answer of the route's path (CORS).

    Exactly one of ``wrap`` and ``before`` is given.
    """

    phase: int
    wrap: Callable[[Handler], Handler] | None = None
    name: str = ""
    optional: bool = True
    preflight: bool = False
    before: Before | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise TypeError("Middleware needs a name (what skip_middleware() removes)")
        if (self.wrap is None) == (self.before is None):
            raise TypeError(f"Middleware {self.name!r}: give exactly one of wrap= and before=")


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


def __getattr__(name: str) -> Any:
    # cors and rate_limit live in their plugins; import lazily so the kernel does not
    # depend on them.
    if name == "cors":
        from bolt_plugins.cors import cors

        return cors
    if name == "rate_limit":
        from bolt_plugins.ratelimit import rate_limit

        return rate_limit
    raise AttributeError(f"module 'bolt.middleware' has no attribute {name!r}")
