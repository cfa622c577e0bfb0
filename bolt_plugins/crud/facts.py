"""The crud plugin's facts about a route (``route.meta[KNOWN_QUERY]``; see ``bolt.stash``)."""

from __future__ import annotations

from bolt.stash import RouteKey

__all__ = ["KNOWN_QUERY"]

# Query parameter names the route's filters, search, ordering and pagination understand; any
# other name on a list request is refused.
KNOWN_QUERY: RouteKey[frozenset[str]] = RouteKey("crud_known_query")
