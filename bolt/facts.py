"""Route facts that one plugin records and another reads (see ``bolt.stash``).

They live in the kernel so neither plugin imports the other: the auth plugin records the
``WWW-Authenticate`` challenge of a route's backends, the guards plugin answers 401 with it.
"""

from __future__ import annotations

from bolt.stash import RouteKey

__all__ = ["AUTH_CHALLENGE"]

# The ``WWW-Authenticate`` value of the route's authentication backends (auth → guards).
AUTH_CHALLENGE: RouteKey[str] = RouteKey("auth_challenge")
