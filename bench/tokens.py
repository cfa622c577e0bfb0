"""A bearer token for the auth section, minted with pyjwt and the bench server's secret.

The claims are the ones ``create_jwt_for_user`` writes, for user 1, valid for ten years, so a
run never meets an expired token and the server never touches the database.
"""

from __future__ import annotations

import time

import jwt


def bearer(secret: str) -> str:
    now = int(time.time())
    claims = {
        "sub": "1",
        "iat": now,
        "exp": now + 10 * 365 * 24 * 3600,
        "jti": "bench",
        "username": "bench",
        "is_staff": False,
        "is_superuser": False,
        "permissions": [],
    }
    return "Bearer " + jwt.encode(claims, secret, algorithm="HS256")
