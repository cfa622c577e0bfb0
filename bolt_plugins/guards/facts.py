"""The guards plugin's facts about a route (``route.meta[GUARDS]``; see ``bolt.stash``)."""

from __future__ import annotations

from typing import Any

from bolt.stash import RouteKey

__all__ = ["GUARDS"]

# The guards the route runs (instances, after layering), in order.
GUARDS: RouteKey[list[Any]] = RouteKey("guards")
