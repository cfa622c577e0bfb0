"""401 answers a client can act on (RFC 6750 §3): the ``WWW-Authenticate`` error and
description say whether to refresh the token or give up, and never repeat attacker data.

Expiry is only reported for a token whose signature verified: a forged token is a bad
signature whatever its ``exp`` says, so the answers are no oracle for forgers.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from bolt.auth import IsAuthenticated, JWTAuthentication

from .conftest import SECRET, b64, claims_for, forge

CHALLENGE = 'Bearer realm="api", error="invalid_token", error_description="{}"'
EXPIRED = "The token has expired"
SIGNATURE = "The token signature is invalid"
MALFORMED = "The token is malformed"
NOT_YET = "The token is not yet valid"
CLAIMS = "The token claims are not accepted"
REVOKED = "The token has been revoked"
DESCRIPTIONS = {EXPIRED, SIGNATURE, MALFORMED, NOT_YET, CLAIMS, REVOKED}
CALLS: list[int] = []


@pytest.fixture
def client(make_api: Any, client_for: Any) -> Any:
    api = make_api()
    CALLS.clear()

    @api.get("/me", auth=[JWTAuthentication(audience="bolt")], guards=[IsAuthenticated()])
    async def me(request) -> dict:
        CALLS.append(1)
        return {"user_id": request.get("auth", {})["user_id"]}

    @api.get(
        "/revocable",
        auth=[JWTAuthentication(is_revoked=lambda claims: claims.get("jti") == "gone")],
        guards=[IsAuthenticated()],
    )
    async def revocable(request) -> dict:
        CALLS.append(1)
        return {}

    return client_for(api)


def sign(claims: dict[str, Any], key: str = SECRET, **header: Any) -> str:
    return jwt.encode(claims, key, algorithm="HS256", headers=header or None)


def ok_claims(**extra: Any) -> dict[str, Any]:
    return claims_for(7, aud="bolt", **extra)


def refused(client: Any, token: str, description: str, path: str = "/me") -> None:
    r = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == CHALLENGE.format(description)
    assert r.json() == {"detail": description}
    assert CALLS == [], "the handler must not run"


def test_valid_token(client: Any) -> None:
    r = client.get("/me", headers={"Authorization": f"Bearer {sign(ok_claims())}"})
    assert r.json() == {"user_id": 7}


def test_expired(client: Any) -> None:
    now = int(time.time())
    refused(client, sign(ok_claims(iat=now - 100, exp=now - 10)), EXPIRED)


def test_expired_while_cached(make_api: Any, client_for: Any, monkeypatch: Any) -> None:
    """A token verified earlier and then outliving ``exp`` says so too."""
    from bolt_plugins.auth import jwt_backend

    api = make_api()

    @api.get("/c", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def c() -> dict:
        return {}

    client = client_for(api)
    now = int(time.time())
    headers = {"Authorization": f"Bearer {sign(claims_for(exp=now + 100))}"}
    assert client.get("/c", headers=headers).status_code == 200
    monkeypatch.setattr(jwt_backend, "_now", lambda: now + 101)
    r = client.get("/c", headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == CHALLENGE.format(EXPIRED)
    assert r.json() == {"detail": EXPIRED}


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: sign(ok_claims(), key=SECRET + "-other"), id="wrong-key"),
        pytest.param(
            lambda: sign(ok_claims(exp=int(time.time()) - 10), key=SECRET + "-other"),
            id="forged-and-expired",
        ),
        pytest.param(
            lambda: sign(ok_claims()).rsplit(".", 1)[0] + "." + b64(b"\0" * 32),
            id="tampered-signature",
        ),
        pytest.param(
            lambda: ".".join(
                [
                    sign(ok_claims()).split(".")[0],
                    b64(b'{"sub":"1","aud":"bolt","exp":9999999999,"is_superuser":true}'),
                    sign(ok_claims()).split(".")[2],
                ]
            ),
            id="tampered-payload",
        ),
        pytest.param(lambda: forge({"alg": "none", "typ": "JWT"}, ok_claims(), None), id="none"),
    ],
)
def test_bad_signature(client: Any, make: Any) -> None:
    refused(client, make(), SIGNATURE)


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "a.b",
        "a.b.c",
        "!!!.???.***",
        b64(b"not json") + "." + b64(b"{}") + ".sig",
        "e30." + "x" * 9000 + ".e30",
    ],
)
def test_malformed(client: Any, token: str) -> None:
    refused(client, token, MALFORMED)


@pytest.mark.parametrize("value", ["Bearer ", "Bearer  abc", "Bearer a b"])
def test_malformed_header(client: Any, value: str) -> None:
    r = client.get("/me", headers={"Authorization": value})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == CHALLENGE.format(MALFORMED)
    assert r.json() == {"detail": MALFORMED}


def test_not_yet_valid(client: Any) -> None:
    refused(client, sign(ok_claims(nbf=int(time.time()) + 600)), NOT_YET)


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"sub": "1", "aud": "bolt"}, id="no-exp"),
        pytest.param({"exp": int(time.time()) + 600, "aud": "bolt"}, id="no-sub"),
        pytest.param(claims_for(7, aud="elsewhere"), id="wrong-aud"),
        pytest.param(claims_for(7), id="no-aud"),
        pytest.param(claims_for("not-a-pk", aud="bolt"), id="sub-not-a-pk"),
    ],
)
def test_claims_not_accepted(client: Any, claims: dict[str, Any]) -> None:
    refused(client, sign(claims), CLAIMS)


def test_revoked(client: Any) -> None:
    refused(client, sign(claims_for(7, jti="gone")), REVOKED, path="/revocable")


@pytest.mark.parametrize(
    "token",
    [
        sign(ok_claims(), key=SECRET + "-other", kid='x", error="none'),
        sign(ok_claims(exp=int(time.time()) - 5), kid='x", error="none'),
        forge({"alg": "HS256", "typ": 'JWT"\\'}, ok_claims(sub='1", evil="1'), b"k" * 32),
        'abc"def',
        "a\\b.c",
    ],
)
def test_attacker_data_is_never_echoed(client: Any, token: str) -> None:
    r = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    header = r.headers["www-authenticate"]
    assert header in {CHALLENGE.format(d) for d in DESCRIPTIONS}
    assert "evil" not in header
    assert 'error="none"' not in header
    assert token not in r.text


def test_no_credentials_has_no_error_code(client: Any) -> None:
    """RFC 6750 §3.1: a request without credentials gets the bare challenge."""
    r = client.get("/me")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="api"'
    assert r.json() == {"detail": "Authentication credentials were not provided."}
