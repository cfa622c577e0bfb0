"""Database connection hygiene for handlers that use the ORM themselves.

Django closes stale connections (``close_old_connections``) when each of its requests starts
and ends, in the thread that served it. Bolt does not route requests through Django's handler,
so the CRUD plugin does the same at the two places where user code touches the ORM:

- **sync handlers** run in a worker thread; their endpoint is wrapped once, at registration,
  so ``close_old_connections()`` runs before and after the call *in that thread*;
- **async handlers of ORM views** (a ViewSet with ``queryset``/``model``/a serializer) call
  Django's async ORM, which runs in Django's shared ORM thread; an ``"orm"`` middleware runs
  ``close_old_connections()`` there after the handler. The CRUD mixins' own actions skip it:
  their ORM runner already does it around each unit of work.

So ``CONN_MAX_AGE = 0`` means no connection outlives a request, a positive value keeps
connections that long, and a connection broken by a database restart is dropped and
reconnected on the next request. Async plain-function routes that use the ORM directly are
left alone (wrapping every async route would cost a thread hop per request); set
``CONN_MAX_AGE`` / ``CONN_HEALTH_CHECKS`` or use ``runner_for(alias).read(...)`` there.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async

from bolt.pipeline import Handler, Middleware
from bolt.request import Request
from bolt.responses import Response
from bolt.route import Route
from bolt_plugins.crud.db import close_stale

__all__ = ["PHASE_ORM", "orm_middleware", "wrap_sync_endpoints"]

PHASE_ORM = 900  # innermost: after auth, rate limits and guards decided to run the handler
ORM_ATTRS = ("queryset", "model", "serializer_class", "list_serializer_class")
_WRAPPED = "__bolt_orm_hygiene__"


def _hygienic(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        # hot path (in the handler's worker thread)
        close_stale()
        try:
            return func(*args, **kwargs)
        finally:
            close_stale()

    setattr(call, _WRAPPED, True)
    return call


def wrap_sync_endpoints(routes: list[Route] | None) -> list[Route] | None:
    """Give every sync endpoint Django's per-request connection hygiene."""
    for route in routes or ():
        endpoint = route.endpoint
        if inspect.iscoroutinefunction(endpoint) or getattr(endpoint, _WRAPPED, False):
            continue
        if not inspect.isfunction(endpoint) and not inspect.ismethod(endpoint):
            continue
        if route.signature is None:
            route.signature = inspect.signature(endpoint)
        route.endpoint = _hygienic(endpoint)
    return routes


def _is_orm_view(view: type | None) -> bool:
    return view is not None and any(getattr(view, n, None) is not None for n in ORM_ATTRS)


def crud_default(route: Route) -> bool:
    """True when the route runs one of the CRUD mixins' own actions."""
    target = getattr(route.endpoint, "__wrapped__", route.endpoint)
    return getattr(target, "__module__", None) == "bolt_plugins.crud.mixins"


def orm_middleware(route: Route) -> Middleware | None:
    """The ``"orm"`` middleware for async handlers of ORM views, else ``None``."""
    if not _is_orm_view(route.view_class) or not inspect.iscoroutinefunction(route.endpoint):
        return None
    if crud_default(route):
        return None
    cleanup = sync_to_async(close_stale, thread_sensitive=True)

    def wrap(next_handler: Handler) -> Handler:
        async def handle(request: Request) -> Response:
            # hot path
            try:
                return await next_handler(request)
            finally:
                await cleanup()

        return handle

    return Middleware(phase=PHASE_ORM, wrap=wrap, name="orm")
