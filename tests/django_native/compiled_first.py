"""Run as ``python -m tests.django_native.compiled_first``: an API compiles and serves a plain
client before ``bolt.testing`` is imported, then a ``TestClient`` forces authentication.

Nothing has imported ``bolt.testing`` when the routes compile (no pytest plugin here, as under
Django's own ``manage.py test`` runner). Prints one JSON object of what each request got; the
test in ``test_force_authenticate.py`` asserts on it.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from bolt._django import ensure_django

ensure_django()

import httpx  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402

from bolt import BoltAPI, WebSocket  # noqa: E402
from bolt.auth import (  # noqa: E402
    APIKeyAuthentication,
    IsAdminUser,
    IsAuthenticated,
    JWTAuthentication,
    SessionAuthentication,
)

api = BoltAPI(plugins=["auth", "guards"])


def who(request: Any) -> dict[str, Any]:
    auth = request.get("auth", {})
    return {"username": auth.get("username"), "backend": auth.get("backend")}


@api.get("/key", auth=[APIKeyAuthentication(api_keys={"k1"})], guards=[IsAuthenticated()])
def key_route(request: Any) -> dict[str, Any]:
    # One synchronous backend: the auth step's single-backend form.
    return {**who(request), "user": request.user.get_username()}


@api.get("/session", auth=[SessionAuthentication()], guards=[IsAuthenticated()])
async def session_route(request: Any) -> dict[str, Any]:
    # One asynchronous backend: the auth step's loop.
    user = await request.auser()
    return {**who(request), "user": user.get_username()}


@api.get("/admin", auth=[JWTAuthentication(), SessionAuthentication()], guards=[IsAdminUser()])
async def admin_route(request: Any) -> dict[str, Any]:
    user = await request.auser()
    return {**who(request), "authenticated": user.is_authenticated}


@api.websocket("/ws", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
async def ws_route(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_json({"username": ws.auth["username"], "backend": ws.auth["backend"]})


async def plain_requests(identity: Any = None) -> list[int]:
    if identity is not None:
        # In-process code sets the forced identity (httpx's ASGI transport runs the app in
        # this task): routes ignore it while no test client has switched forcing on.
        from bolt.forced_auth import FORCED

        FORCED.set((identity, None))
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return [(await client.get(path)).status_code for path in ("/key", "/session", "/admin")]


def later_api() -> BoltAPI:
    """An API compiled after forcing was switched on."""
    later = BoltAPI(plugins=["auth", "guards"])

    @later.get("/later", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def later_route(request: Any) -> dict[str, Any]:
        return who(request)

    return later


def main() -> dict[str, Any]:
    from bolt import forced_auth

    out: dict[str, Any] = {"plain": asyncio.run(plain_requests())}
    out["compiled_before_bolt_testing"] = api.compiled and "bolt.testing" not in sys.modules
    out["identity_while_off"] = asyncio.run(plain_requests(User(id=9, username="eve")))
    out["switched_on_before"] = forced_auth.is_switched_on()

    from bolt.testing import TestClient, WebSocketDenied

    ada = User(id=7, username="ada")
    root = User(id=8, username="root", is_superuser=True, is_staff=True)
    with TestClient(api) as forced, TestClient(api) as other:
        forced.force_authenticate(ada)
        out["forced"] = {p: forced.get(p).json() for p in ("/key", "/session", "/admin")}
        out["other"] = [other.get(p).status_code for p in ("/key", "/session", "/admin")]
        with forced.websocket_connect("/ws") as ws:
            out["ws"] = ws.receive_json()
        try:
            with other.websocket_connect("/ws"):
                out["ws_other"] = "accepted"
        except WebSocketDenied as denied:
            out["ws_other"] = denied.status_code
        forced.force_authenticate(root)
        out["admin"] = forced.get("/admin").json()
        forced.force_authenticate(context={"user_id": "svc", "username": "svc", "is_admin": True})
        out["context_only"] = forced.get("/admin").json()
        forced.force_authenticate(None)
        out["unforced"] = [forced.get(p).status_code for p in ("/key", "/session", "/admin")]
    with TestClient(later_api()) as client:
        assert client.get("/later").status_code == 401
        client.force_authenticate(ada)
        out["later"] = client.get("/later").json()
    return out


if __name__ == "__main__":
    print(json.dumps(main()))
