"""A route's request pipeline: ``Middleware``, the step plugins use to act on requests, and its
phases.

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

The public import path of these names is ``bolt.middleware`` (a facade, with the decorators
of ``bolt.route_options`` and the ``cors``/``rate_limit`` decorators of their plugins).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
]

Handler = Callable[["Request"], Awaitable["Response"]]

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
