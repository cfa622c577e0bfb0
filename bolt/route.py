"""``Route``: one HTTP method + path + handler, as plugins see it while routes compile.

A ``Route`` starts as a specification (what the user registered) and is filled in by
``bolt.compile``: parameter plan, response shaping, middleware chain and the final
``handler``. After compilation it is frozen; nothing on it changes per request.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from bolt.layers import LEVELS, Layer
from bolt.pipeline import Handler
from bolt.route_options import get_route_options
from bolt.stash import Stash

__all__ = ["KERNEL_OPTIONS", "Route"]

# Options the kernel itself understands; everything else must be claimed by a plugin.
KERNEL_OPTIONS = frozenset(
    {
        "status_code",
        "response_model",
        "name",
        "tags",
        "summary",
        "description",
        "include_in_schema",
        "skip_middleware",
        "methods",
        "kind",
        "operation_id",
        "deprecated",
    }
)


class Route:
    """A route specification and, once compiled, its prepared handler.

    Plugins read ``method``, ``path``, ``endpoint``, ``signature``, ``options``,
    ``view_class``/``action`` (set by the viewsets plugin) and call ``claim(option)`` for
    the options they implement.

    Public for plugins (stable API): ``method``, ``path``, ``endpoint``, ``options``,
    ``option_layer()``, ``claim()``, ``meta`` (per-route space for plugins, keyed by the
    ``bolt.stash.RouteKey`` each plugin exports), ``name``, ``tags``, ``status_code``,
    ``view_class``, ``action``, ``params``, ``return_type`` and ``middleware_names`` (the
    steps the route runs, in run order) after compilation, and ``serves_head``. ``method``
    is ``"WEBSOCKET"`` for a WebSocket route, which ``bolt_route_middleware`` sees too.
    Plugins document routes in OpenAPI with the ``bolt_openapi_operation`` hook.
    """

    __slots__ = (
        "action",
        "body_params",
        "claimed",
        "description",
        "endpoint",
        "explicit_options",
        "handler",
        "include_in_schema",
        "layers",
        "meta",
        "method",
        "middleware_names",
        "name",
        "object_checks",
        "options",
        "params",
        "path",
        "preflight_handler",
        "preflight_middleware",
        "response_model",
        "return_type",
        "signature",
        "source",
        "status_code",
        "summary",
        "tags",
        "view_class",
    )

    def __init__(
        self,
        method: str,
        path: str,
        endpoint: Callable[..., Any],
        *,
        options: dict[str, Any] | None = None,
        layers: list[Layer] | None = None,
        signature: inspect.Signature | None = None,
        view_class: type | None = None,
        action: str | None = None,
        source: Any = None,
    ) -> None:
        self.method = method.upper()
        self.path = path
        self.endpoint = endpoint
        self.signature = signature
        self.view_class = view_class
        self.action = action
        self.source = source if source is not None else endpoint
        self.explicit_options = {k: v for k, v in (options or {}).items() if v is not None}
        # Most specific first; index 0 is the route's own layer (rebuilt by merge_options).
        self.layers: list[Layer] = [Layer("route", "the route", {}), *(layers or [])]
        self.claimed: set[str] = set()
        # Facts plugins leave on the route, under the RouteKeys they export (bolt.stash).
        self.meta: Stash = Stash()
        # Kernel facts, filled in when the route compiles: how many parameters come from the
        # body, the names of the middleware the route really runs (in run order), and the
        # steps that also wrap its automatic OPTIONS answer.
        self.body_params = 0
        self.middleware_names: tuple[str, ...] = ()
        self.preflight_middleware: list[Any] = []
        self.params: list[Any] = []
        self.return_type: Any = None
        self.handler: Handler | None = None
        self.preflight_handler: Handler | None = None
        # Per-object permission checks ``async (request, obj) -> None`` (raise to refuse),
        # added while the route compiles by plugins that own object rules (guards). Code that
        # loads "the object" of a request (a ViewSet's ``get_object``) runs them all, so
        # object rules reach every view without that code knowing which plugin set them.
        self.object_checks: list[Callable[[Any, Any], Any]] = []
        self.options: dict[str, Any] = {}
        self.merge_options()

    def add_layers(self, *layers: Layer) -> None:
        """Add layers (once each), keeping the list ordered from most to least specific:
        by level (``bolt.layers.LEVELS``), and in the order given within a level."""
        for layer in layers:
            if not any(existing is layer for existing in self.layers):
                self.layers.append(layer)
        self.layers.sort(key=lambda layer: LEVELS.index(layer.level))  # stable
        self.merge_options()

    def option_layer(self, name: str) -> Layer | None:
        """The most specific layer that gives option ``name`` (``None`` when none does)."""
        for layer in self.layers:
            if name in layer.options:
                return layer
        return None

    def merge_options(self) -> None:
        """Rebuild ``options`` from the layers: the most specific layer giving a value wins.

        Called at construction, when layers are added and when the route compiles, so
        decorators applied after registration (``@cors`` above ``@api.get``) still count.
        """
        own = get_route_options(self.source)
        own.update(self.explicit_options)
        own.pop("methods", None)
        own.pop("kind", None)
        self.layers[0] = Layer("route", "the route", own)
        merged: dict[str, Any] = {}
        for layer in reversed(self.layers):
            merged.update(layer.options)
        merged.pop("methods", None)
        merged.pop("kind", None)
        # Keep what plugins put into ``options`` after construction.
        for key, value in self.options.items():
            merged.setdefault(key, value)
        self.options = merged
        self.status_code: int | None = merged.get("status_code")
        self.response_model: Any = merged.get("response_model")
        self.name: str | None = merged.get("name")
        self.tags: list[str] = list(merged.get("tags") or [])
        self.summary: str | None = merged.get("summary")
        self.description: str | None = merged.get("description")
        self.include_in_schema: bool = merged.get("include_in_schema", True)

    def claim(self, *names: str) -> None:
        """Mark options as handled by the calling plugin (see fail-closed in the docs)."""
        self.claimed.update(names)

    @property
    def serves_head(self) -> bool:
        """Whether HEAD requests run this route's chain: a GET route answers HEAD unless a
        HEAD route is registered at its path (the kernel then drops the body on send)."""
        return self.method in ("GET", "HEAD")

    @property
    def handler_name(self) -> str:
        """A readable ``module.qualname`` for listings and errors."""
        fn = self.endpoint
        target = getattr(fn, "__wrapped__", fn)
        return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', target)}"

    def __repr__(self) -> str:
        return f"<Route {self.method} {self.path} -> {self.handler_name}>"
