"""An API whose routes authenticate with each first-party backend, for force_authenticate."""

from __future__ import annotations

from typing import Any

from bolt import BoltAPI
from bolt.auth import (
    APIKeyAuthentication,
    IsAdminUser,
    IsAuthenticated,
    JWTAuthentication,
    SessionAuthentication,
)

api = BoltAPI()


def _who(request: Any) -> dict[str, Any]:
    auth = request.get("auth", {})
    return {"username": auth.get("username"), "backend": auth.get("backend")}


@api.get("/jwt", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
async def jwt_route(request: Any) -> dict[str, Any]:
    user = await request.auser()
    return {**_who(request), "user": user.get_username()}


@api.get("/key", auth=[APIKeyAuthentication(api_keys={"k1"})], guards=[IsAuthenticated()])
def key_route(request: Any) -> dict[str, Any]:
    return {**_who(request), "user": request.user.get_username()}


@api.get("/session", auth=[SessionAuthentication()], guards=[IsAuthenticated()])
async def session_route(request: Any) -> dict[str, Any]:
    return _who(request)


@api.get("/admin", auth=[JWTAuthentication(), SessionAuthentication()], guards=[IsAdminUser()])
async def admin_route(request: Any) -> dict[str, Any]:
    return _who(request)
