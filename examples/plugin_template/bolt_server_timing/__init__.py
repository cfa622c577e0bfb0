"""A ``Server-Timing`` header on every response: how long the API took to answer.

Enable it with ``BOLT_PLUGINS = ["+server_timing"]`` (the defaults plus this plugin) once
the distribution is installed (its entry point in group ``bolt`` is named
``server_timing``). Settings:

=============================  ==============================================================
``BOLT_SERVER_TIMING_METRIC``  the metric name in the header (default ``"app"``)
``BOLT_SERVER_TIMING_ROUTES``  ``"all"`` (default) or ``"marked"``: only routes decorated
                               with ``@timed``
=============================  ==============================================================

Route option ``server_timing`` (declared with ``api.register_option``, so it can be written
on a route, ``@timed``, a ``Router(...)``, the ``BoltAPI(...)`` or as a view class
attribute ``server_timing = True``): ``True`` times the route when only marked routes are
timed, ``False`` opts a route out. A route also opts out with
``@skip_middleware("server_timing")``. WebSocket routes are never timed.

The step runs in phase 50, in the band Bolt reserves for third parties outside every
first-party step, so the time includes CORS, compression, authentication, rate limits and
guards, and refusals are timed too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import Field

from bolt import Middleware, hookimpl
from bolt.conf import PluginSettings
from bolt.middleware import route_option

__all__ = ["PHASE", "ServerTimingSettings", "timed"]

F = TypeVar("F", bound=Callable[..., Any])
PHASE = 50  # third-party outer band (0-99): outside CORS (100) and everything after it
OPTION = "server_timing"
STATE_KEY = "server_timing"


class ServerTimingSettings(PluginSettings):
    """Field ``X`` is the setting ``BOLT_X`` (Django settings first, then the environment)."""

    SERVER_TIMING_METRIC: str = Field(default="app", pattern=r"^[A-Za-z0-9_.-]+$")
    SERVER_TIMING_ROUTES: Literal["all", "marked"] = "all"


def timed(func: F) -> F:
    """Mark a route for timing (needed when ``BOLT_SERVER_TIMING_ROUTES = "marked"``)."""
    return route_option(func, OPTION, True)


@hookimpl
def bolt_settings_model() -> type[ServerTimingSettings]:
    return ServerTimingSettings


@hookimpl
def bolt_configure(api: Any, settings: Any) -> None:
    # Once per API: declare what we own and keep what the routes need. ``settings`` has
    # the kernel's settings and every enabled plugin's, validated (ours included).
    api.register_middleware_name("server_timing")
    api.register_option(OPTION, "server_timing")
    api.state[STATE_KEY] = (settings.SERVER_TIMING_METRIC, settings.SERVER_TIMING_ROUTES)


@hookimpl
def bolt_route_middleware(api: Any, route: Any) -> Middleware | None:
    metric, which = api.state[STATE_KEY]
    marked = route.options.get(OPTION)
    if marked is not None:
        route.claim(OPTION)  # an option nobody claims stops startup
    if route.method == "WEBSOCKET":
        return None  # an HTTP response step: a wrap here would wrap the whole session
    if marked is False or (which == "marked" and not marked):
        return None  # routes without the step pay nothing
    prefix = f"{metric};dur="

    def wrap(next_handler: Any) -> Any:
        async def handler(request: Any) -> Any:
            # hot path: no hook calls, only public Request/Response attributes
            start = time.perf_counter()
            try:
                response = await next_handler(request)
            except Exception as exc:  # time refusals and errors too
                response = api.error_response(request, exc)
            took = (time.perf_counter() - start) * 1000
            response.headers["server-timing"] = f"{prefix}{took:.3f}"
            return response

        return handler

    return Middleware(PHASE, wrap=wrap, name="server_timing")
