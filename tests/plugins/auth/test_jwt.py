"""JWTAuthentication: the happy path, the context, and the attack catalogue (all 401)."""

from __future__ import annotations

import time
import warnings
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bolt.auth import IsAuthenticated, JWTAuthentication, create_jwt_for_user
from bolt.exceptions import ImproperlyConfigured

from .conftest import SECRET, b64, claims_for, forge

CALLS: list[int] = []


@pytest.fixture
def api(make_api: Any) -> Any:
    api = make_api()
    CALLS.clear()

    @api.get("/me", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def me(request) -> dict:
        CALLS.append(1)
        return request.get("auth", {})

    return api


@pytest.fixture
def client(api: Any, client_for: Any) -> Any:
    return client_for(api)


def assert_401(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert set(body) == {"detail"}
    assert "Traceback" not in response.text
    assert CALLS == [], "the handler must not run"


def test_valid_token_gives_typed_context(client: Any) -> None:
    token = jwt.encode(claims_for(7, username="bob", is_staff=True), SECRET, algorithm="HS256")
    r = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    auth = r.json()
    assert auth["user_id"] == 7  # an int, like BigAutoField's pk
    assert auth["username"] == "bob"
    assert auth["is_staff"] is True
    assert auth["is_admin"] is False
    assert auth["permissions"] == []
    assert auth["backend"] == "jwt"
    assert auth["claims"]["sub"] == "7"


def test_scheme_is_case_insensitive(client: Any) -> None:
    token = jwt.encode(claims_for(), SECRET, algorithm="HS256")
    assert client.get("/me", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_no_credentials(client: Any) -> None:
    r = client.get("/me")
    assert_401(r)
    assert r.json()["detail"] == "Authentication credentials were not provided."


def test_alg_none(client: Any) -> None:
    assert_401(
        client.get(
            "/me",
            headers={
                "Authorization": "Bearer "
                + forge({"alg": "none", "typ": "JWT"}, claims_for(), key=None)
            },
        )
    )


def test_alg_none_with_signature_of_secret(client: Any) -> None:
    token = forge({"alg": "none"}, claims_for())
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {token}"}))


def _rsa_pair() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def test_hs_rs_confusion(make_api: Any, client_for: Any) -> None:
    """An HS256 token 'signed' with the server's RSA public key must not pass."""
    private, public = _rsa_pair()
    api = make_api()

    @api.get(
        "/rs",
        auth=[JWTAuthentication(secret=public, algorithms=["RS256"])],
        guards=[IsAuthenticated()],
    )
    async def rs(request) -> dict:
        return {"ok": True}

    client = client_for(api)
    good = jwt.encode(claims_for(), private, algorithm="RS256")
    assert client.get("/rs", headers={"Authorization": f"Bearer {good}"}).status_code == 200
    forged = forge({"alg": "HS256", "typ": "JWT"}, claims_for(), key=public)
    r = client.get("/rs", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401
    assert "www-authenticate" in r.headers


def test_rs_token_on_hs_route(client: Any) -> None:
    private, _ = _rsa_pair()
    token = jwt.encode(claims_for(), private, algorithm="RS256")
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {token}"}))


def test_mixing_hmac_and_rsa_is_a_startup_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="never mix"):
        JWTAuthentication(algorithms=["HS256", "RS256"])


def test_none_algorithm_cannot_be_configured() -> None:
    with pytest.raises(ImproperlyConfigured, match="unsupported"):
        JWTAuthentication(algorithms=["none"])


def test_missing_exp(client: Any) -> None:
    claims = claims_for()
    del claims["exp"]
    assert_401(
        client.get("/me", headers={"Authorization": "Bearer " + forge({"alg": "HS256"}, claims)})
    )


def test_string_exp(client: Any) -> None:
    claims = claims_for(exp="9999999999")
    assert_401(
        client.get("/me", headers={"Authorization": "Bearer " + forge({"alg": "HS256"}, claims)})
    )


def test_missing_sub(client: Any) -> None:
    claims = claims_for()
    del claims["sub"]
    assert_401(
        client.get("/me", headers={"Authorization": "Bearer " + forge({"alg": "HS256"}, claims)})
    )


def test_sub_not_a_pk(client: Any) -> None:
    token = forge({"alg": "HS256"}, claims_for("not-a-number"))
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {token}"}))


def test_expired(client: Any) -> None:
    claims = claims_for(exp=int(time.time()) - 5)
    assert_401(
        client.get("/me", headers={"Authorization": "Bearer " + forge({"alg": "HS256"}, claims)})
    )


def test_future_nbf(client: Any) -> None:
    claims = claims_for(nbf=int(time.time()) + 3600)
    assert_401(
        client.get("/me", headers={"Authorization": "Bearer " + forge({"alg": "HS256"}, claims)})
    )


def test_future_iat(client: Any) -> None:
    claims = claims_for(iat=int(time.time()) + 3600)
    assert_401(
        client.get("/me", headers={"Authorization": "Bearer " + forge({"alg": "HS256"}, claims)})
    )


def test_tampered_payload(client: Any) -> None:
    token = jwt.encode(claims_for(1), SECRET, algorithm="HS256")
    header, _, sig = token.split(".")
    evil = b64(b'{"sub": "1", "exp": 9999999999, "is_superuser": true}')
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {header}.{evil}.{sig}"}))


def test_tampered_signature(client: Any) -> None:
    token = jwt.encode(claims_for(1), SECRET, algorithm="HS256")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {flipped}"}))


def test_wrong_secret(client: Any) -> None:
    token = jwt.encode(claims_for(), "another-secret-that-is-long-enough-32b!", algorithm="HS256")
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {token}"}))


def test_huge_token(client: Any) -> None:
    token = "a" * (300 * 1024)
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {token}"}))


def test_deeply_nested_payload(client: Any) -> None:
    """JSON that makes the parser recurse deeply is still only a 401."""
    header = b64(b'{"alg":"HS256"}')
    payload = b64(b"[" * 3000)
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {header}.{payload}.sig"}))


@pytest.mark.parametrize(
    "value",
    [
        "Bearer !!!.@@@.###",
        "Bearer not-a-jwt",
        "Bearer a.b",
        "Bearer ....",
        "Bearer",
        "Bearer ",
        "Bearer  two-spaces",
        "Bearer a b c",
    ],
)
def test_malformed_header(client: Any, value: str) -> None:
    assert_401(client.get("/me", headers={"Authorization": value}))


@pytest.mark.parametrize("scheme", ["Basic", "Token", "JWT"])
def test_wrong_scheme(client: Any, scheme: str) -> None:
    token = jwt.encode(claims_for(), SECRET, algorithm="HS256")
    assert_401(client.get("/me", headers={"Authorization": f"{scheme} {token}"}))


def test_wrong_audience_and_issuer(make_api: Any, client_for: Any) -> None:
    api = make_api()
    backend = JWTAuthentication(audience="bolt-api", issuer="https://issuer.example")

    @api.get("/aud", auth=[backend], guards=[IsAuthenticated()])
    async def aud(request) -> dict:
        return {"ok": True}

    client = client_for(api)

    def call(**extra: Any) -> int:
        token = jwt.encode(claims_for(**extra), SECRET, algorithm="HS256")
        return client.get("/aud", headers={"Authorization": f"Bearer {token}"}).status_code

    assert call(aud="bolt-api", iss="https://issuer.example") == 200
    assert call(aud="other", iss="https://issuer.example") == 401
    assert call(iss="https://issuer.example") == 401  # aud missing
    assert call(aud="bolt-api", iss="https://evil.example") == 401
    assert call(aud="bolt-api") == 401  # iss missing


def test_token_with_aud_on_route_without_audience(client: Any) -> None:
    token = jwt.encode(claims_for(aud="someone-else"), SECRET, algorithm="HS256")
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {token}"}))


def test_unknown_crit(client: Any) -> None:
    token = forge({"alg": "HS256", "crit": ["x-bolt-unknown"], "x-bolt-unknown": 1}, claims_for())
    assert_401(client.get("/me", headers={"Authorization": f"Bearer {token}"}))


@pytest.mark.parametrize("kid", ["../../dev/null", "/dev/null", "x' UNION SELECT 'key' --"])
def test_kid_is_never_a_key_source(client: Any, kid: str) -> None:
    """Signed with an empty key (what /dev/null would give) or the injected string."""
    for key in (b"", kid.encode(), b"key"):
        token = forge({"alg": "HS256", "kid": kid}, claims_for(), key=key)
        assert_401(client.get("/me", headers={"Authorization": f"Bearer {token}"}))


def test_kid_is_ignored_on_a_valid_token(client: Any) -> None:
    token = forge({"alg": "HS256", "kid": "../../etc/passwd"}, claims_for())
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_leeway_accepts_recently_expired(make_api: Any, client_for: Any) -> None:
    api = make_api()

    @api.get("/lee", auth=[JWTAuthentication(leeway=30)], guards=[IsAuthenticated()])
    async def lee(request) -> dict:
        return {}

    client = client_for(api)
    token = jwt.encode(claims_for(exp=int(time.time()) - 10), SECRET, algorithm="HS256")
    assert client.get("/lee", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    token = jwt.encode(claims_for(exp=int(time.time()) - 60), SECRET, algorithm="HS256")
    assert client.get("/lee", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_large_leeway_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="leeway"):
        JWTAuthentication(leeway=300)


def test_short_explicit_secret_fails_at_construction() -> None:
    with pytest.raises(ImproperlyConfigured, match="at least 32 bytes"):
        JWTAuthentication(secret="short", algorithms=["HS256"])


def test_short_default_secret_fails_at_startup(make_api: Any, settings: Any) -> None:
    settings.BOLT_JWT_SECRET = "too-short"
    api = make_api()

    @api.get("/x", auth=[JWTAuthentication()])
    async def x() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="BOLT_JWT_SECRET"):
        api.compile()


def test_hs512_needs_64_bytes(make_api: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="64 bytes"):
        JWTAuthentication(secret="x" * 40, algorithms=["HS512"])


def test_bolt_jwt_secret_setting_is_used(make_api: Any, client_for: Any, settings: Any) -> None:
    settings.BOLT_JWT_SECRET = "s" * 48
    api = make_api()

    @api.get("/x", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def x() -> dict:
        return {}

    client = client_for(api)
    signed_by_setting = jwt.encode(claims_for(), "s" * 48, algorithm="HS256")
    signed_by_secret_key = jwt.encode(claims_for(), SECRET, algorithm="HS256")
    assert (
        client.get("/x", headers={"Authorization": f"Bearer {signed_by_setting}"}).status_code
        == 200
    )
    assert (
        client.get("/x", headers={"Authorization": f"Bearer {signed_by_secret_key}"}).status_code
        == 401
    )


def test_custom_header_and_scheme(make_api: Any, client_for: Any) -> None:
    api = make_api()

    @api.get(
        "/x", auth=[JWTAuthentication(header="x-token", scheme="JWT")], guards=[IsAuthenticated()]
    )
    async def x() -> dict:
        return {}

    client = client_for(api)
    token = jwt.encode(claims_for(), SECRET, algorithm="HS256")
    assert client.get("/x", headers={"X-Token": f"JWT {token}"}).status_code == 200
    assert client.get("/x", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_create_jwt_for_user_round_trip(client: Any) -> None:
    class FakeUser:
        pk = 42
        is_staff = False
        is_superuser = True

        def get_username(self) -> str:
            return "root"

    token = create_jwt_for_user(FakeUser(), expires_in=60, extra_claims={"tenant": "t1"})
    r = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    auth = r.json()
    assert auth["user_id"] == 42
    assert auth["is_admin"] is True
    assert auth["claims"]["tenant"] == "t1"
    assert auth["claims"]["exp"] - auth["claims"]["iat"] == 60


def test_create_jwt_refuses_short_secret() -> None:
    class FakeUser:
        pk = 1
        is_superuser = True

        def get_username(self) -> str:
            return "x"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ImproperlyConfigured):
            create_jwt_for_user(FakeUser(), secret="short")


def test_cached_token_still_expires(make_api: Any, client_for: Any, monkeypatch: Any) -> None:
    from bolt_plugins.auth import jwt_backend

    api = make_api()

    @api.get("/c", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def c() -> dict:
        return {}

    client = client_for(api)
    now = int(time.time())
    token = jwt.encode(claims_for(exp=now + 100), SECRET, algorithm="HS256")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/c", headers=headers).status_code == 200
    assert client.get("/c", headers=headers).status_code == 200  # served from the cache
    monkeypatch.setattr(jwt_backend, "_now", lambda: now + 101)
    r = client.get("/c", headers=headers)
    assert r.status_code == 401
    assert "invalid_token" in r.headers["www-authenticate"]


def test_cache_is_bounded_and_holds_only_valid_tokens(make_api: Any, client_for: Any) -> None:
    backend = JWTAuthentication(cache_size=2)
    api = make_api()

    @api.get("/c", auth=[backend], guards=[IsAuthenticated()])
    async def c(request) -> dict:
        return {"user_id": request.auth["user_id"]}

    client = client_for(api)
    for user_id in (1, 2, 3, 1):
        token = jwt.encode(claims_for(user_id), SECRET, algorithm="HS256")
        r = client.get("/c", headers={"Authorization": f"Bearer {token}"})
        assert r.json() == {"user_id": user_id}
    for bad in ("junk", forge({"alg": "none"}, claims_for(), key=None)):
        assert client.get("/c", headers={"Authorization": f"Bearer {bad}"}).status_code == 401
    (prepared,) = backend._prepared.values()  # the copy bound to this API's settings
    assert len(prepared._cache) == 2


def test_cached_context_is_fresh_per_request(make_api: Any, client_for: Any) -> None:
    api = make_api(auth=[JWTAuthentication()], guards=[IsAuthenticated()])

    @api.get("/mutate")
    async def mutate(request) -> dict:
        auth = request.get("auth", {})
        auth["is_admin"] = True
        auth["permissions"].append("x.y")
        auth["claims"]["sub"] = "999"
        return {}

    @api.get("/read")
    async def read(request) -> dict:
        return request.get("auth", {})

    client = client_for(api)
    headers = {"Authorization": "Bearer " + jwt.encode(claims_for(4), SECRET, algorithm="HS256")}
    client.get("/mutate", headers=headers)
    client.get("/mutate", headers=headers)
    auth = client.get("/read", headers=headers).json()
    assert auth["is_admin"] is False
    assert auth["permissions"] == []
    assert auth["claims"]["sub"] == "4"
