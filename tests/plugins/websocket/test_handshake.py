"""The HTTP plugins on the WebSocket handshake: auth, guards, rate limits, origin checks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from django.conf import settings

from bolt import BoltAPI, WebSocket, WebSocketDisconnect
from bolt.middleware import rate_limit
from bolt.testing import TestClient, WebSocketDenied
from bolt_plugins.auth import JWTAuthentication
from bolt_plugins.guards import IsAuthenticated

SECRET = settings.SECRET_KEY


def token(user_id: int = 7) -> str:
    now = int(time.time())
    return jwt.encode(
        {"sub": str(user_id), "iat": now, "exp": now + 600}, SECRET, algorithm="HS256"
    )


def build() -> BoltAPI:
    api = BoltAPI(plugins=["auth", "guards", "ratelimit"])
    guarded = {"auth": [JWTAuthentication()], "guards": [IsAuthenticated()]}

    @api.websocket("/ws/me", **guarded)
    async def me(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_json({"user_id": ws.auth["user_id"], "proto": ws.accepted_subprotocol})

    @api.websocket("/ws/proto", ws_auth_subprotocol=True, **guarded)
    async def proto(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_json(
            {
                "user_id": ws.auth["user_id"],
                "offered": ws.subprotocols,
                "proto": ws.accepted_subprotocol,
            }
        )

    @api.websocket("/ws/query", ws_auth_query="token", **guarded)
    async def query(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_json({"user_id": ws.auth["user_id"]})

    @api.websocket(
        "/ws/cookie", auth=[JWTAuthentication(cookie="access")], guards=[IsAuthenticated()]
    )
    async def cookie(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_json({"user_id": ws.auth["user_id"]})

    @api.websocket("/ws/partner", ws_origins=["https://partner.example"])
    async def partner(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("hello partner")

    @api.websocket("/ws/limited")
    @rate_limit(rps=0.001, burst=2)
    async def limited(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("in")

    return api


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build()) as c:
        yield c


def refused(client: TestClient, path: str, **kwargs: Any) -> WebSocketDenied:
    with pytest.raises(WebSocketDenied) as denied, client.websocket_connect(path, **kwargs):
        pass
    return denied.value


def test_jwt_in_the_authorization_header(client: TestClient) -> None:
    with client.websocket_connect("/ws/me", headers={"Authorization": f"Bearer {token(7)}"}) as ws:
        assert ws.receive_json() == {"user_id": 7, "proto": None}


def test_no_credentials_is_401_before_the_handler(client: TestClient) -> None:
    denied = refused(client, "/ws/me")
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"].startswith("Bearer")
    assert denied.json() == {"detail": "Authentication credentials were not provided."}


def test_a_forged_token_is_401(client: TestClient) -> None:
    bad = jwt.encode({"sub": "1", "exp": int(time.time()) + 60}, "wrong-key" * 8, algorithm="HS256")
    denied = refused(client, "/ws/me", headers={"Authorization": f"Bearer {bad}"})
    assert denied.status_code == 401


def test_token_in_subprotocol_only_where_enabled(client: TestClient) -> None:
    offered = ["bearer", token(9)]
    # Not enabled on /ws/me: the subprotocol is not read as a credential.
    assert refused(client, "/ws/me", subprotocols=offered).status_code == 401
    with client.websocket_connect("/ws/proto", subprotocols=offered) as ws:
        # "bearer" is echoed (clients offering it expect it); the token never is.
        assert ws.accepted_subprotocol == "bearer"
        assert ws.receive_json() == {"user_id": 9, "offered": ["bearer"], "proto": "bearer"}
    denied = refused(client, "/ws/proto", subprotocols=["bearer", "not-a-token"])
    assert denied.status_code == 401


def test_token_in_query_only_where_enabled(client: TestClient) -> None:
    assert refused(client, f"/ws/me?token={token(3)}").status_code == 401
    with client.websocket_connect(f"/ws/query?token={token(3)}") as ws:
        assert ws.receive_json() == {"user_id": 3}


def test_cross_site_websocket_hijacking_is_refused(client: TestClient) -> None:
    """CSWSH: a page on another site opens a WebSocket; the browser adds the victim's
    cookies. Same origin passes, a foreign Origin is 403 before authentication runs."""
    cookie = {"Cookie": f"access={token(5)}"}
    with client.websocket_connect(
        "/ws/cookie", headers={**cookie, "Origin": "http://testserver"}
    ) as ws:
        assert ws.receive_json() == {"user_id": 5}
    denied = refused(client, "/ws/cookie", headers={**cookie, "Origin": "https://evil.example"})
    assert denied.status_code == 403
    assert denied.json() == {"detail": "WebSocket origin not allowed"}
    # A sandboxed frame or file:// page sends "null"; a port differs; a look-alike host.
    # The scheme counts too (an attack run found any scheme accepted): the test client
    # connects over ws://, so an https:// page is another origin, and non-web schemes never
    # match.
    for origin in (
        "null",
        "http://testserver:8080",
        "http://testserver.evil.example",
        "https://testserver",
        "foo://testserver",
        "ws://testserver",
    ):
        assert (
            refused(client, "/ws/cookie", headers={**cookie, "Origin": origin}).status_code == 403
        )


def test_origin_allow_list(client: TestClient) -> None:
    with client.websocket_connect(
        "/ws/partner", headers={"Origin": "https://partner.example"}
    ) as ws:
        assert ws.receive_text() == "hello partner"
    assert (
        refused(client, "/ws/partner", headers={"Origin": "http://partner.example"}).status_code
        == 403
    )
    # Same origin stays allowed beside the list; no Origin (not a browser) too.
    with client.websocket_connect("/ws/partner", headers={"Origin": "http://testserver"}) as ws:
        ws.receive_text()
    with client.websocket_connect("/ws/partner") as ws:
        ws.receive_text()


def test_origin_setting_and_api_option() -> None:
    api = BoltAPI(plugins=[], ws_origins=["*"])

    @api.websocket("/ws")
    async def anyone(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("ok")

    with (
        TestClient(api) as client,
        client.websocket_connect("/ws", headers={"Origin": "https://elsewhere.example"}) as ws,
    ):
        assert ws.receive_text() == "ok"


def test_connect_rate_limit_uses_the_ratelimit_step(client: TestClient) -> None:
    for _ in range(2):
        with client.websocket_connect("/ws/limited") as ws:
            assert ws.receive_text() == "in"
    denied = refused(client, "/ws/limited")
    assert denied.status_code == 429
    assert "retry-after" in denied.headers


def test_force_authenticate_reaches_websocket_routes() -> None:
    from django.contrib.auth.models import User

    api = build()
    user = User(id=42, username="forced")
    with TestClient(api) as client:
        client.force_authenticate(user)
        with client.websocket_connect("/ws/me") as ws:
            assert ws.receive_json()["user_id"] == 42


def test_guard_failing_after_accept_closes_4403() -> None:
    from bolt.exceptions import Forbidden

    api = BoltAPI(plugins=["auth", "guards"])

    @api.websocket("/ws/admin", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def admin(ws: WebSocket) -> None:
        await ws.accept()
        command = await ws.receive_text()
        if command == "drop tables":
            raise Forbidden(detail="Admins only")

    with (
        TestClient(api) as client,
        client.websocket_connect("/ws/admin", headers={"Authorization": f"Bearer {token()}"}) as ws,
    ):
        ws.send_text("drop tables")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive()
    assert closed.value.code == 4403
