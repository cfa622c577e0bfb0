"""A real-server app for the authentication attacks (``test_auth.py``).

Two JWT backends over the same tokens: ``STRICT`` (``verify_user=True``: every request
reads the user's row, so rights are today's) and ``TRUSTING`` (stateless: the token's claims
are believed until it expires). Every first-party plugin is on, so the ORM plugin's
``DoesNotExist`` -> 404 mapping is installed and a dead account must still be a 401.
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

from bolt import BoltAPI  # noqa: E402
from bolt.auth import (  # noqa: E402
    HasPermission,
    IsAdminUser,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
    JWTAuthentication,
)
from bolt.request import Request  # noqa: E402

STRICT = JWTAuthentication(verify_user=True)
TRUSTING = JWTAuthentication()
api = BoltAPI(prefix="/api", title="Auth security")


@api.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}


@api.get("/admin/strict", auth=[STRICT], guards=[IsAdminUser()])
async def admin_strict(request: Request) -> dict[str, bool]:
    return {"admin": request.get("auth", {})["is_admin"]}


@api.get("/admin/trusting", auth=[TRUSTING], guards=[IsAdminUser()])
async def admin_trusting(request: Request) -> dict[str, bool]:
    return {"admin": request.get("auth", {})["is_admin"]}


@api.get("/me", auth=[TRUSTING], guards=[IsAuthenticated()])
async def me(request: Request) -> dict[str, str]:
    return {"username": (await request.auser()).username}


@api.get("/me/sync", auth=[TRUSTING], guards=[IsAuthenticated()])
def me_sync(request: Request) -> dict[str, str]:
    return {"username": request.user.username}


@api.get("/me/strict", auth=[STRICT], guards=[IsAuthenticated()])
async def me_strict(request: Request) -> dict[str, str]:
    return {"username": request.get("auth", {})["username"]}


@api.get("/items/can-add", auth=[STRICT], guards=[HasPermission("relapp.add_item")])
async def can_add(request: Request) -> dict[str, list[str]]:
    return {"permissions": list(request.get("auth", {})["permissions"])}


@api.get("/board", auth=[TRUSTING], guards=[IsAuthenticatedOrReadOnly()])
async def read_board() -> dict[str, list[str]]:
    return {"posts": []}


@api.post("/board", auth=[TRUSTING], guards=[IsAuthenticatedOrReadOnly()])
async def post_board(request: Request) -> dict[str, object]:
    return {"posted_by": request.get("auth", {})["user_id"]}
