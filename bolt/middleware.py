"""Public facade: route middleware and the decorators that shape a route's pipeline.

``from bolt.middleware import Middleware, skip_middleware, cors, rate_limit``. The kernel's
names live in ``bolt.pipeline`` (``Middleware``, ``Handler``, ``Before`` and the phase bands
plugins choose their phases from) and ``bolt.route_options`` (``route_option``,
``get_route_options``, ``skip_middleware``); ``cors`` and ``rate_limit`` belong to their
plugins, imported on first use so the kernel does not depend on them.
"""

from bolt._facade import lazy_exports as _lazy_exports
from bolt.pipeline import (
    FIRST_PARTY_PHASES,
    PHASE_AUTH,
    PHASE_CORS,
    PHASE_GUARDS,
    PHASE_RATE_LIMIT,
    PHASE_RATE_LIMIT_EARLY,
    RESERVED_PHASES,
    THIRD_PARTY_INNER_PHASES,
    THIRD_PARTY_OUTER_PHASES,
    Before,
    Handler,
    Middleware,
)
from bolt.route_options import get_route_options, route_option, skip_middleware

_PLUGIN_EXPORTS = {
    "cors": "bolt_plugins.cors",
    "rate_limit": "bolt_plugins.ratelimit",
}

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
    "get_route_options",
    "route_option",
    "skip_middleware",
    *_PLUGIN_EXPORTS,
]
__getattr__, __dir__ = _lazy_exports(__name__, _PLUGIN_EXPORTS)
