"""The verified-token cache never lets through a token a fresh check would refuse."""

from __future__ import annotations

import time
from typing import Any

import jwt

from bolt.auth import IsAuthenticated, JWTAuthentication

from .conftest import SECRET, claims_for, forge

OTHER_SECRET = "another-secret-that-is-long-enough-for-hs256-signing-xyz"


def guarded_api(make_api: Any, backend: Any) -> Any:
    api = make_api()

    @api.get("/me", auth=[backend], guards=[IsAuthenticated()])
    async def me(request) -> dict:
        return {"user_id": request.auth["user_id"]}

    return api


def bearer_for(secret: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode(claims_for(**claims), secret, "HS256")}


def test_one_instance_under_two_settings_keeps_each_apis_key(
    make_api: Any, client_for: Any, settings: Any
) -> None:
    """One module-level backend used by two APIs built under different settings.

    Each API must verify with the key of its own settings, and a token one API verified
    (and cached) must not pass the other.
    """
    shared = JWTAuthentication()
    first = client_for(guarded_api(make_api, shared))
    mine = bearer_for(SECRET)
    assert first.get("/me", headers=mine).status_code == 200  # verified and cached

    settings.BOLT_JWT_SECRET = OTHER_SECRET
    second = client_for(guarded_api(make_api, shared))
    theirs = bearer_for(OTHER_SECRET)
    assert second.get("/me", headers=theirs).status_code == 200
    # The token signed with the first API's key is not valid for the second one, cached or not.
    assert second.get("/me", headers=mine).status_code == 401
    # The first API still verifies with its own key.
    assert first.get("/me", headers=bearer_for(SECRET, user_id=2)).status_code == 200
    assert first.get("/me", headers=theirs).status_code == 401


def test_one_instance_under_two_algorithm_settings(
    make_api: Any, client_for: Any, settings: Any
) -> None:
    long_key = "k" * 64
    shared = JWTAuthentication(secret=long_key)
    settings.BOLT_JWT_ALGORITHMS = ["HS512"]
    strict = client_for(guarded_api(make_api, shared))
    settings.BOLT_JWT_ALGORITHMS = ["HS256", "HS512"]
    lax = client_for(guarded_api(make_api, shared))
    hs256 = {"Authorization": "Bearer " + jwt.encode(claims_for(), long_key, "HS256")}
    assert lax.get("/me", headers=hs256).status_code == 200
    assert strict.get("/me", headers=hs256).status_code == 401


def test_cached_token_expiry_honours_leeway(
    make_api: Any, client_for: Any, monkeypatch: Any
) -> None:
    from bolt_plugins.auth import jwt_backend

    client = client_for(guarded_api(make_api, JWTAuthentication(leeway=10)))
    now = int(time.time())
    headers = bearer_for(SECRET, exp=now + 100)
    assert client.get("/me", headers=headers).status_code == 200
    monkeypatch.setattr(jwt_backend, "_now", lambda: now + 105)
    assert client.get("/me", headers=headers).status_code == 200  # within leeway
    monkeypatch.setattr(jwt_backend, "_now", lambda: now + 111)
    assert client.get("/me", headers=headers).status_code == 401


def test_valid_token_with_an_enormous_exp_is_not_a_500(make_api: Any, client_for: Any) -> None:
    client = client_for(guarded_api(make_api, JWTAuthentication()))
    token = forge({"alg": "HS256", "typ": "JWT"}, claims_for(exp=10**400))
    r = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code in (200, 401), r.text
    assert "Traceback" not in r.text


def test_nested_claims_changed_by_a_handler_do_not_reach_the_next_request(
    make_api: Any, client_for: Any
) -> None:
    """docs/auth.md: "Each request gets its own dict; changing it affects only that request"
    — nested claim values included, or a cached token would carry one request's edits."""
    api = make_api(auth=[JWTAuthentication()], guards=[IsAuthenticated()])

    @api.get("/mutate")
    async def mutate(request) -> dict:
        request.auth["claims"]["roles"].append("admin")
        request.auth["claims"]["org"]["tier"] = "gold"
        return {}

    @api.get("/read")
    async def read(request) -> dict:
        return request.auth["claims"]

    client = client_for(api)
    headers = bearer_for(SECRET, roles=["reader"], org={"tier": "free"})
    assert client.get("/mutate", headers=headers).status_code == 200
    claims = client.get("/read", headers=headers).json()
    assert claims["roles"] == ["reader"]
    assert claims["org"] == {"tier": "free"}
