"""Django's ``MIDDLEWARE`` around Bolt routes that opt in with ``django_middleware=``.

Sessions and authentication give ``request.user``; a middleware's own response stops the
handler; async middleware, response headers and cookies, locale, lists of dotted paths and
option layering (API on, route off) all behave as under Django's own handler. Routes that
do not opt in are untouched.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from bolt import BoltAPI
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient
from bolt.websocket import WebSocket
from tests.django_native import middleware_app
from tests.django_native.middleware_app import all_api, api, teapot_api


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(api) as c:
        yield c


def _login(client: TestClient, username: str = "alice") -> None:
    user = get_user_model().objects.create_user(username, password="pw-123456")
    django_client = Client()
    django_client.force_login(user)
    client.cookies.set("sessionid", django_client.cookies["sessionid"].value)


@pytest.mark.orm
@pytest.mark.django_db
def test_session_and_authentication_give_request_user(client: TestClient) -> None:
    anonymous = client.get("/me")
    assert anonymous.status_code == 200, anonymous.text
    assert anonymous.json() == {"authenticated": False, "username": ""}
    _login(client)
    response = client.get("/me")
    assert response.status_code == 200, response.text
    assert response.json() == {"authenticated": True, "username": "alice"}


@pytest.mark.orm
@pytest.mark.django_db
def test_async_handler_gets_the_user_with_auser(client: TestClient) -> None:
    _login(client, "bob")
    response = client.get("/ame")
    assert response.status_code == 200, response.text
    assert response.json() == {"authenticated": True, "username": "bob"}


@pytest.mark.orm
@pytest.mark.django_db
def test_session_is_saved_and_its_cookie_sent(client: TestClient) -> None:
    first = client.get("/session-count")
    assert first.status_code == 200, first.text
    assert first.json() == {"count": 1}
    assert "sessionid" in first.headers["set-cookie"]
    second = client.get("/session-count")
    assert second.json() == {"count": 2}


def test_short_circuit_response_stops_the_handler(client: TestClient) -> None:
    middleware_app.calls["blocked"] = 0
    response = client.get("/blocked")
    assert response.status_code == 403
    assert response.text == "blocked by middleware"
    assert middleware_app.calls["blocked"] == 0
    allowed = client.get("/blocked", headers={"X-Let-In": "yes"})
    assert allowed.status_code == 200
    assert allowed.json() == {"reached": "handler"}
    assert middleware_app.calls["blocked"] == 1


def test_body_reaches_the_handler_through_the_middleware(client: TestClient) -> None:
    response = client.post("/blocked-post", json={"a": 1}, headers={"X-Let-In": "yes"})
    assert response.status_code == 200, response.text
    assert response.json() == {"echo": {"a": 1}}
    assert client.post("/blocked-post", json={"a": 1}).status_code == 403


def test_async_middleware(client: TestClient) -> None:
    response = client.get("/async")
    assert response.status_code == 200, response.text
    assert response.json() == {"stamped": "async"}
    assert response.headers["x-async-stamp"] == "done"


def test_middleware_sets_response_header_and_cookie(client: TestClient) -> None:
    response = client.get("/decorated")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-frame-note"] == "from-middleware"
    assert "mw_cookie=yum" in response.headers["set-cookie"]
    assert "HttpOnly" in response.headers["set-cookie"]


def test_streaming_response_passes_through_middleware(client: TestClient) -> None:
    response = client.get("/stream")
    assert response.status_code == 200
    assert response.text == "abc"
    assert response.headers["x-frame-note"] == "from-middleware"
    assert response.headers["content-type"].startswith("text/plain")


def test_locale_middleware_activates_accept_language(client: TestClient) -> None:
    response = client.get("/locale", headers={"Accept-Language": "de"})
    assert response.status_code == 200, response.text
    assert response.json() == {"language": "de", "active": "de"}
    assert response.headers["content-language"] == "de"
    assert "accept-language" in response.headers["vary"].lower()
    french = client.get("/locale", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert french.json()["language"] == "fr"


def test_middleware_exception_is_a_json_error(client: TestClient) -> None:
    response = client.get("/raises")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    assert "detail" in response.json()


def test_route_without_the_option_is_untouched(client: TestClient) -> None:
    response = client.get("/plain")
    assert response.status_code == 200
    assert response.json() == {"django_request": False}
    assert "set-cookie" not in response.headers
    route = next(r for r in api.routes if r.path == "/plain")
    assert route.handler.__name__ != "with_django_middleware"


def test_layering_api_on_route_off() -> None:
    with TestClient(teapot_api) as c:
        on = c.get("/on")
        assert on.status_code == 418
        assert on.text == "teapot"
        off = c.get("/off")
        assert off.status_code == 200
        assert off.json() == {"reached": "handler"}
        # a router's value, and a route's own list replacing it
        assert c.get("/r/on").status_code == 418
        own = c.get("/r/own")
        assert own.status_code == 200
        assert own.headers["x-frame-note"] == "from-middleware"


@pytest.mark.orm
@pytest.mark.django_db
def test_true_runs_all_of_settings_middleware() -> None:
    with TestClient(all_api) as c:
        response = c.get("/me")
        assert response.status_code == 200, response.text
        assert response.json() == {"authenticated": False}
        # CsrfViewMiddleware is in the test settings: a cookie-less POST is refused, as by
        # Django itself, and the answer is not the handler's
        refused = c.post("/write")
        assert refused.status_code == 403
        assert "written" not in refused.text
        # csrf_exempt on the route's function is seen by CSRF's process_view
        exempt = c.post("/exempt")
        assert exempt.status_code == 200, exempt.text
        assert exempt.json() == {"written": True}


def test_unknown_middleware_path_stops_startup() -> None:
    bad = BoltAPI()

    @bad.get("/x", django_middleware=["tests.django_native.middleware_app.Nope"])
    def x() -> dict[str, bool]:
        return {"ok": True}

    with pytest.raises(ImproperlyConfigured, match="cannot import middleware"):
        bad.compile()


def test_option_of_wrong_type_stops_startup() -> None:
    bad = BoltAPI()

    @bad.get("/x", django_middleware="django.contrib.sessions.middleware.SessionMiddleware")
    def x() -> dict[str, bool]:
        return {"ok": True}

    with pytest.raises(ImproperlyConfigured, match="list of middleware dotted paths"):
        bad.compile()


def test_api_wide_option_leaves_websocket_routes_alone() -> None:
    """The option is about HTTP requests: given on the API it does not stop a WebSocket
    route from compiling; given on the WebSocket route itself it is a startup error."""
    wide = BoltAPI(django_middleware=[f"{middleware_app.HERE}.Teapot"])

    @wide.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        return None

    @wide.get("/x")
    def x() -> dict[str, bool]:
        return {"ok": True}

    with TestClient(wide) as c:
        assert c.get("/x").status_code == 418

    own = BoltAPI()

    @own.websocket("/ws", django_middleware=True)
    async def ws_own(websocket: WebSocket) -> None:
        return None

    with pytest.raises(ImproperlyConfigured, match="django_middleware"):
        own.compile()


def test_view_class_attribute_opts_in() -> None:
    from bolt import APIView

    class Teapots(APIView):
        django_middleware = [f"{middleware_app.HERE}.Teapot"]

        async def get(self, request: object) -> dict[str, bool]:
            return {"ok": True}

    capi = BoltAPI()
    capi.view("/teapots")(Teapots)
    with TestClient(capi) as c:
        response = c.get("/teapots")
        assert response.status_code == 418
        assert response.text == "teapot"
