"""WebSocket consumers take options from their class attributes, like view classes, and a
read-only guard does not let anonymous callers open a WebSocket (found by an attack run)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from django.conf import settings

from bolt import BoltAPI, WebSocket, WebSocketConsumer
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient, WebSocketDenied
from bolt_plugins.auth import JWTAuthentication
from bolt_plugins.guards import IsAdminUser, IsAuthenticated, IsAuthenticatedOrReadOnly


def bearer(**claims: Any) -> dict[str, str]:
    now = int(time.time())
    token = jwt.encode(
        {"sub": "7", "iat": now, "exp": now + 600, **claims}, settings.SECRET_KEY, "HS256"
    )
    return {"Authorization": f"Bearer {token}"}


def refused(client: TestClient, path: str, **kwargs: Any) -> WebSocketDenied:
    with pytest.raises(WebSocketDenied) as denied, client.websocket_connect(path, **kwargs):
        pass
    return denied.value


class AdminStream(WebSocketConsumer):
    auth = [JWTAuthentication()]
    guards = [IsAdminUser()]

    async def on_connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("secret admin stream")


@pytest.fixture
def client() -> Iterator[TestClient]:
    api = BoltAPI(plugins=["auth", "guards", "ratelimit"])
    api.websocket("/ws/admin")(AdminStream)

    @api.websocket("/ws/chat", auth=[JWTAuthentication()], guards=[IsAuthenticatedOrReadOnly()])
    async def chat(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("posting allowed")

    with TestClient(api) as c:
        yield c


def test_consumer_class_guards_apply(client: TestClient) -> None:
    assert refused(client, "/ws/admin").status_code == 401
    assert refused(client, "/ws/admin", headers=bearer()).status_code == 403
    with client.websocket_connect("/ws/admin", headers=bearer(is_superuser=True)) as ws:
        assert ws.receive_text() == "secret admin stream"


def test_read_only_guard_treats_a_websocket_as_a_write(client: TestClient) -> None:
    assert refused(client, "/ws/chat").status_code == 401
    with client.websocket_connect("/ws/chat", headers=bearer()) as ws:
        assert ws.receive_text() == "posting allowed"


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("permission_classes", [IsAuthenticated]), ("gaurds", [IsAdminUser()])],
)
def test_consumer_drf_names_and_typos_stop_startup(attribute: str, value: Any) -> None:
    consumer = type("Sloppy", (WebSocketConsumer,), {attribute: value})
    api = BoltAPI(plugins=["auth", "guards"])
    with pytest.raises(ImproperlyConfigured, match=attribute):
        api.websocket("/ws/x")(consumer)


def test_consumer_rate_limit_attribute_applies() -> None:
    class Limited(WebSocketConsumer):
        rate_limit = "1/hour"

        async def on_connect(self, websocket: WebSocket) -> None:
            await websocket.accept()
            await websocket.send_text("in")

    api = BoltAPI(plugins=["ratelimit"])
    api.websocket("/ws/limited")(Limited)
    with TestClient(api) as client:
        with client.websocket_connect("/ws/limited") as ws:
            assert ws.receive_text() == "in"
        assert refused(client, "/ws/limited").status_code == 429
