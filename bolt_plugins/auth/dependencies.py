"""Dependencies for handlers, used as ``Depends(get_current_user)``."""

from __future__ import annotations

from typing import Any

from bolt.request import Request

__all__ = ["get_current_user"]


async def get_current_user(request: Request) -> Any:
    """The request's Django user, for ``Depends(get_current_user)``: the authenticated user,
    or ``AnonymousUser`` when the request carries no credentials (pair the route with
    ``IsAuthenticated()`` to require one). Loaded once per request."""
    return await request.auser()
