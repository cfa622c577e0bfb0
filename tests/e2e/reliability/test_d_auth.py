"""Catalogue D (cases 35-44): authentication and guards; no data changes on any refusal.

Spaces and tabs around a header value are not part of it (RFC 9110 "OWS"; Granian strips
them), so " <key>" on the wire *is* the key; keys with whitespace inside are refused.
Handlers behind guards write an ``Event`` row when they run, so "the handler never ran" is
read from the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.e2e.conftest import Server
from tests.e2e.reliability.common import (
    API_KEY,
    API_KEY_SAME_PREFIX,
    JWT_SECRET,
    REVOKED_JTI,
    STAFF_API_KEY,
)
from tests.e2e.reliability.helpers import (
    assert_clean_error,
    bearer,
    db_state,
    events,
    raw_exchange,
    request_bytes,
    token,
)

pytestmark = pytest.mark.e2e


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(header: dict[str, Any], payload: dict[str, Any], key: bytes) -> str:
    signing = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(key, signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{b64(signature)}"


def claims(user_id: int, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": str(user_id), "iat": now, "exp": now + 600, **extra}


def assert_401(response: httpx.Response) -> None:
    assert_clean_error(response, 401)
    assert "www-authenticate" in response.headers


@pytest.fixture
def unchanged(db: Path):  # type: ignore[no-untyped-def]
    before = db_state(db)
    yield
    assert db_state(db) == before


@pytest.mark.usefixtures("unchanged")
def test_case35_no_credentials_is_401_with_bearer_challenge(client: httpx.Client) -> None:
    for path in ("/api/me", "/api/admin", "/api/notes"):
        response = client.get(path)
        assert_401(response)
        assert "Bearer" in response.headers["www-authenticate"]
    assert_401(client.post("/api/admin/items", json={"name": "x"}))


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "value",
    ["Bearer", "Token abc", "Bearer  " + "a.b.c", "Bearer a.b.c d",
     "Bearer " + "A" * 300_000, "Bearer !!!.@@@.###", "Bearer e30.e30.", "Bearer ....",
     "bearer", "Bearer\tabc", "Bearer eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.c2ln"],
)  # fmt: skip
def test_case36_malformed_authorization_is_401_never_500(client: httpx.Client, value: str) -> None:
    response = client.get("/api/me", headers={"authorization": value})
    assert response.status_code == 401, (value[:40], response.text[:300])
    assert_401(response)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.usefixtures("unchanged")
def test_case36_empty_bearer_on_the_wire_is_401(server: Server) -> None:
    for value in ("Bearer ", "Bearer   ", "  Bearer", "Bearer \t "):
        response = raw_exchange(
            server.port, request_bytes("GET", "/api/me", [("Authorization", value)])
        )
        assert_clean_error(response, 401)
        assert "www-authenticate" in response.headers


@pytest.mark.usefixtures("unchanged")
def test_case37_alg_none_is_401(client: httpx.Client, seeded: dict[str, Any]) -> None:
    payload = claims(seeded["admin"])
    for alg in ("none", "None", "NONE", "nOnE"):
        forged = f"{b64(json.dumps({'alg': alg, 'typ': 'JWT'}).encode())}."
        forged += f"{b64(json.dumps(payload).encode())}."
        assert_401(client.get("/api/admin", headers=bearer(forged)))


@pytest.mark.usefixtures("unchanged")
def test_case38_hs256_signed_with_a_public_key_is_401(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forged = hs256({"alg": "HS256", "typ": "JWT"}, claims(seeded["admin"]), pem)
    assert_401(client.get("/api/admin", headers=bearer(forged)))
    rs = hs256({"alg": "RS256", "typ": "JWT"}, claims(seeded["admin"]), pem)
    assert_401(client.get("/api/admin", headers=bearer(rs)))


@pytest.mark.usefixtures("unchanged")
def test_case39_tampered_payload_or_signature_is_401(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    good = token(seeded["alice"])
    assert client.get("/api/me", headers=bearer(good)).status_code == 200
    head, payload, signature = good.split(".")
    promoted = json.loads(base64.urlsafe_b64decode(payload + "=="))
    promoted["sub"] = str(seeded["admin"])
    tampered = f"{head}.{b64(json.dumps(promoted).encode())}.{signature}"
    assert_401(client.get("/api/admin", headers=bearer(tampered)))
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert_401(client.get("/api/me", headers=bearer(f"{head}.{payload}.{flipped}")))
    assert_401(client.get("/api/me", headers=bearer(f"{head}.{payload}.")))
    assert_401(client.get("/api/me", headers=bearer(f"{head}.{payload}")))


@pytest.mark.usefixtures("unchanged")
def test_case40_bad_claims_are_401(client: httpx.Client, seeded: dict[str, Any]) -> None:
    uid = seeded["alice"]
    now = int(time.time())
    bad = {
        "expired": token(uid, expires_in=-60),
        "missing-exp": token(uid, expires_in=None),
        "string-exp": token(uid, expires_in=None, exp=str(now + 600)),
        "nbf-future": token(uid, nbf=now + 3600),
        "iat-future": token(uid, iat=now + 3600),
        "missing-sub": token(uid, sub=None),
        "wrong-secret": token(uid, secret="another-secret-of-sufficient-length-0123456789ab"),
        "crit": token(uid, headers={"crit": ["x-unknown"], "x-unknown": 1}),
        "kid-traversal": hs256(
            {"alg": "HS256", "typ": "JWT", "kid": "../../dev/null"}, claims(uid), b""
        ),
        "kid-sql": hs256(
            {"alg": "HS256", "kid": "x' UNION SELECT 'k"}, claims(uid), b"x' OR '1'='1"
        ),
        "hs512": token(uid, algorithm="HS512", secret=JWT_SECRET * 2),
        "deleted-user": token(999_999),
        "non-numeric-sub": token("admin"),
    }
    for name, tok in bad.items():
        response = client.get("/api/me", headers=bearer(tok))
        assert response.status_code == 401, (name, response.text)
        assert_401(response)
    # A kid on an otherwise valid token selects nothing: it is simply ignored.
    ok = token(uid, headers={"kid": "../../dev/null"})
    assert client.get("/api/me", headers=bearer(ok)).status_code == 200


@pytest.mark.usefixtures("unchanged")
def test_case41_inactive_deleted_or_revoked_is_401(
    client: httpx.Client, seeded: dict[str, Any]
) -> None:
    assert_401(client.get("/api/me", headers=bearer(token(seeded["inactive"]))))
    assert_401(client.get("/api/me", headers=bearer(token(424242))))
    assert_401(client.get("/api/me", headers=bearer(token(seeded["alice"], jti=REVOKED_JTI))))
    assert client.get("/api/me", headers=bearer(token(seeded["alice"]))).status_code == 200


def test_case41_user_deleted_or_deactivated_after_issue_is_401(
    client: httpx.Client, seeded: dict[str, Any], db: Path
) -> None:
    """The same token, already verified (and cached), stops working at once."""
    doomed = bearer(token(seeded["doomed"]))
    fading = bearer(token(seeded["fading"]))
    assert client.get("/api/me", headers=doomed).status_code == 200
    assert client.get("/api/me", headers=fading).status_code == 200
    conn = sqlite3.connect(db, timeout=5)
    with conn:
        conn.execute("DELETE FROM auth_user WHERE id = ?", (seeded["doomed"],))
        conn.execute("UPDATE auth_user SET is_active = 0 WHERE id = ?", (seeded["fading"],))
    conn.close()
    assert_401(client.get("/api/me", headers=doomed))
    assert_401(client.get("/api/me", headers=fading))


def test_case42_missing_permission_is_403_and_handler_never_ran(
    client: httpx.Client, seeded: dict[str, Any], db: Path
) -> None:
    before = db_state(db)
    alice = bearer(token(seeded["alice"]))
    response = client.get("/api/admin", headers=alice)
    assert_clean_error(response, 403)
    assert_clean_error(client.post("/api/admin/items", json={"name": "nope"}, headers=alice), 403)
    staff_key = client.get("/api/admin", headers={"x-api-key": STAFF_API_KEY})
    assert_clean_error(staff_key, 403)  # staff, not superuser
    assert db_state(db) == before
    assert events(db, "admin") == 0
    allowed = client.post(
        "/api/admin/items",
        json={"name": "by-writer"},
        headers=bearer(token(seeded["writer"], permissions=["relapp.add_item"])),
    )
    assert allowed.status_code == 201, allowed.text
    assert events(db, "admin_create") == 1
    client.delete(f"/api/items/{allowed.json()['id']}")


def test_case43_other_users_objects_are_404_and_unchanged(
    client: httpx.Client, seeded: dict[str, Any], db: Path
) -> None:
    note = seeded["bob_note"]
    bob = bearer(token(seeded["bob"]))
    alice = bearer(token(seeded["alice"]))
    assert client.get(f"/api/notes/{note}", headers=bob).status_code == 200
    before = db_state(db)
    for method, body in (("GET", None), ("PATCH", {"text": "pwned"}), ("PUT", {"text": "pwned"}),
                         ("DELETE", None)):  # fmt: skip
        response = client.request(method, f"/api/notes/{note}", json=body, headers=alice)
        assert_clean_error(response, 404)
    assert client.get("/api/notes", headers=alice).json() == []
    # Nor can a note be created on someone else's behalf.
    assert_clean_error(
        client.post("/api/notes", json={"text": "x", "owner": seeded["bob"]}, headers=alice),
        422,
    )
    assert db_state(db) == before
    assert client.get(f"/api/notes/{note}", headers=bob).json()["text"] == "bob's secret note"


@pytest.mark.usefixtures("unchanged")
def test_case44_api_key_variants_are_401(client: httpx.Client) -> None:
    assert client.get("/api/keyed", headers={"x-api-key": API_KEY}).status_code == 200
    for value in ("wrong", API_KEY_SAME_PREFIX, API_KEY[:-1], API_KEY + "x", API_KEY.upper(),
                  f"{API_KEY}\t{API_KEY}", f"{API_KEY},{API_KEY}", ""):  # fmt: skip
        response = client.get("/api/keyed", headers={"x-api-key": value})
        assert_401(response)
    assert_401(client.get("/api/keyed", params={"api_key": API_KEY, "x-api-key": API_KEY}))
    assert_401(client.get("/api/keyed", headers={"authorization": f"Bearer {API_KEY}"}))


def test_case44_key_comparison_shows_no_timing_difference(client: httpx.Client) -> None:
    """A key sharing the public prefix costs the same as a key sharing nothing (both 401)."""
    variants = {"prefix": API_KEY_SAME_PREFIX, "other": "zz" * 20, "valid": API_KEY}
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(40):
        for name, key in variants.items():
            started = time.perf_counter()
            client.get("/api/keyed", headers={"x-api-key": key})
            samples[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    assert abs(medians["prefix"] - medians["other"]) < 0.003, medians
    assert abs(medians["valid"] - medians["other"]) < 0.005, medians
