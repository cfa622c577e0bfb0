"""A JWT-protected route with ``IsAuthenticated`` beside the same route left public.

The server's ``SECRET_KEY`` comes from ``DJANGO_SECRET_KEY`` (set by the bench), which is the
key ``JWTAuthentication`` verifies with by default.
"""

from __future__ import annotations

from bolt import BoltAPI
from bolt.auth import IsAuthenticated, JWTAuthentication

api = BoltAPI(plugins=["auth", "guards"])


@api.get("/public")
async def public() -> dict:
    return {"message": "Hello, World!"}


@api.get("/protected", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
async def protected(request) -> dict:
    return {"message": "Hello, World!", "user_id": request.auth["user_id"]}
