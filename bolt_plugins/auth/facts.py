"""The auth plugin's facts about a route (``route.meta[AUTH_BACKENDS]``; see ``bolt.stash``)."""

from __future__ import annotations

from typing import Any

from bolt.stash import RouteKey

__all__ = ["AUTH_BACKENDS"]

# The backends the route's authentication step runs, prepared for its API, in order.
AUTH_BACKENDS: RouteKey[list[Any]] = RouteKey("auth_backends")
