"""APIKeyAuthentication: exact, constant-time matching; keys never echoed."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bolt import WebSocket
from bolt.auth import APIKeyAuthentication, HasPermission, IsAuthenticated
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import WebSocketDenied

KEY = "bolt_live_0123456789abcdef"
CALLS: list[int] = []


@pytest.fixture
def client(make_api: Any, client_for: Any) -> Any:
    api = make_api()
    CALLS.clear()
    backend = APIKeyAuthentication(
        api_keys={KEY: "billing-service", "bolt_live_ffff": {"user_id": 9, "is_staff": True}},
        permissions={KEY: ["billing.charge"]},
    )

    @api.post("/charge", auth=[backend], guards=[HasPermission("billing.charge")])
    async def charge(request) -> dict:
        CALLS.append(1)
        return request.get("auth", {})

    @api.get("/who", auth=[backend], guards=[IsAuthenticated()])
    async def who(request) -> dict:
        return request.get("auth", {})

    return client_for(api)


def test_valid_key_gives_identity_and_permissions(client: Any) -> None:
    r = client.post("/charge", headers={"X-API-Key": KEY})
    assert r.status_code == 200
    auth = r.json()
    assert auth["user_id"] == "billing-service"
    assert auth["username"] == "billing-service"
    assert auth["permissions"] == ["billing.charge"]
    assert auth["backend"] == "api_key"
    assert CALLS == [1]


def test_identity_mapping(client: Any) -> None:
    r = client.get("/who", headers={"X-API-Key": "bolt_live_ffff"})
    assert r.status_code == 200
    assert r.json()["user_id"] == 9
    assert r.json()["is_staff"] is True


def test_key_without_permission_is_403(client: Any) -> None:
    r = client.post("/charge", headers={"X-API-Key": "bolt_live_ffff"})
    assert r.status_code == 403
    assert CALLS == []


@pytest.mark.parametrize(
    "presented",
    [
        "wrong",
        KEY[:-1],  # a prefix of a valid key
        KEY + "0",  # a valid key plus more
        KEY[:-1] + "X",  # same prefix, different key
        f" {KEY}",
        f"{KEY} ",
        KEY.upper(),
        "",
    ],
)
def test_bad_keys_are_401(client: Any, presented: str, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    r = client.post("/charge", headers={"X-API-Key": presented})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'APIKey header="x-api-key"'
    assert r.json() == {"detail": "Invalid API key"}
    assert CALLS == []
    assert KEY not in caplog.text


def test_key_in_query_string_is_ignored(client: Any) -> None:
    for name in ("api_key", "x-api-key", "apikey", "key"):
        r = client.post(f"/charge?{name}={KEY}")
        assert r.status_code == 401
        assert r.json() == {"detail": "Authentication credentials were not provided."}
    assert CALLS == []


def test_key_in_authorization_header_is_ignored(client: Any) -> None:
    r = client.post("/charge", headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 401


def test_custom_header(make_api: Any, client_for: Any) -> None:
    api = make_api()

    @api.get(
        "/x",
        auth=[APIKeyAuthentication({"k" * 20: "svc"}, header="X-Service-Key")],
        guards=[IsAuthenticated()],
    )
    async def x() -> dict:
        return {"ok": True}

    c = client_for(api)
    assert c.get("/x", headers={"X-Service-Key": "k" * 20}).status_code == 200
    assert c.get("/x", headers={"X-API-Key": "k" * 20}).status_code == 401


def test_configuration_errors_do_not_reveal_keys() -> None:
    with pytest.raises(ImproperlyConfigured):
        APIKeyAuthentication({})
    with pytest.raises(ImproperlyConfigured) as info:
        APIKeyAuthentication({" padded-secret ": "x"})
    assert "padded-secret" not in str(info.value)
    with pytest.raises(ImproperlyConfigured) as info:
        APIKeyAuthentication({"real-key": "x"}, permissions={"other-secret": ["a.b"]})
    assert "other-secret" not in str(info.value)
    assert "real-key" not in repr(APIKeyAuthentication({"real-key": "x"}))


def test_context_is_fresh_per_request(make_api: Any, client_for: Any) -> None:
    """A handler mutating its context must not leak into the next request."""
    api = make_api()
    shared = APIKeyAuthentication({KEY: "svc"})

    @api.get("/mut", auth=[shared], guards=[IsAuthenticated()])
    async def mut(request) -> dict:
        auth = request.get("auth", {})
        auth["permissions"].append("evil.grant")
        auth["is_admin"] = True
        return {"ok": True}

    @api.get("/read", auth=[shared], guards=[IsAuthenticated()])
    async def read(request) -> dict:
        return request.get("auth", {})

    c = client_for(api)
    c.get("/mut", headers={"X-API-Key": KEY})
    auth = c.get("/read", headers={"X-API-Key": KEY}).json()
    assert auth["permissions"] == []
    assert auth["is_admin"] is False


def test_every_key_is_compared_whatever_matches(monkeypatch: Any) -> None:
    """No early exit: a right key, a wrong key and a near miss do the same work."""
    from bolt_plugins.auth import apikey

    keys = {f"key-number-{i:02d}-abcdefgh": f"svc{i}" for i in range(5)}
    backend = APIKeyAuthentication(keys)
    calls: list[int] = []
    real = apikey.hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(apikey.hmac, "compare_digest", counting)

    class FakeRequest:
        def __init__(self, value: str) -> None:
            self.scope = {"headers": [(b"x-api-key", value.encode())]}

    counts = []
    for presented in ("key-number-00-abcdefgh", "key-number-04-abcdefgh", "key-number-0", "zzz"):
        calls.clear()
        try:
            backend.authenticate(FakeRequest(presented))
        except Exception:
            pass
        counts.append(len(calls))
    assert counts == [5, 5, 5, 5]


def test_a_set_of_keys(make_api: Any, client_for: Any) -> None:
    """``api_keys`` may be a set: each key authenticates, its identity is derived from its
    digest (never the key), and other keys are refused."""
    api = make_api()
    backend = APIKeyAuthentication(api_keys={"set-key-one", "set-key-two"})

    @api.get("/who", auth=[backend], guards=[IsAuthenticated()])
    async def who(request) -> dict:
        return request.get("auth", {})

    client = client_for(api)
    one = client.get("/who", headers={"X-API-Key": "set-key-one"}).json()
    two = client.get("/who", headers={"X-API-Key": "set-key-two"}).json()
    assert one["user_id"].startswith("api_key:")
    assert one["user_id"] != two["user_id"]
    assert "set-key" not in str(one) + str(two)
    refused = client.get("/who", headers={"X-API-Key": "set-key-three"})
    assert refused.status_code == 401
    assert "set-key" not in refused.text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"api_keys": "just-one-key"}, "api_keys is a string"),
        ({"api_keys": {"k1"}, "django_user": True}, "needs api_keys as a mapping"),
    ],
)
def test_set_of_keys_misuse_fails_at_startup(kwargs: dict, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        APIKeyAuthentication(**kwargs)


def test_api_key_authenticates_a_websocket_handshake(make_api: Any, client_for: Any) -> None:
    # The key backend records which key matched in request.state during the handshake; the
    # WebSocket's own connection state must not take that name's place (it answered 500).
    api = make_api()
    backend = APIKeyAuthentication(api_keys={KEY: "billing-service"})

    @api.websocket("/ws", auth=[backend])
    async def feed(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json(websocket.get("auth", {}).get("user_id"))
        await websocket.close()

    client = client_for(api)
    with client.websocket_connect("/ws", headers={"X-API-Key": KEY}) as ws:
        assert ws.receive_json() == "billing-service"
    with (
        pytest.raises(WebSocketDenied) as denied,
        client.websocket_connect("/ws", headers={"X-API-Key": "not-a-key"}),
    ):
        pass
    assert denied.value.status_code == 401
    assert denied.value.json() == {"detail": "Invalid API key"}
