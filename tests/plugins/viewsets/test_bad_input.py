"""Bad input on ViewSet routes: wrong-typed lookups, unknown action paths, methods that are
not implemented, odd path values. Every answer is JSON ``{"detail": ...}`` and never a 500."""

import pytest

from bolt import ViewSet, action


@pytest.fixture
def client(api, client_for):
    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        async def list(self, request):
            return []

        async def retrieve(self, request, id: int):
            return {"id": id}

        async def destroy(self, request, id: int):
            return None

        @action(methods=["GET"], detail=False)
        async def published(self, request):
            return ["published"]

        @action(methods=["POST"], detail=True)
        async def publish(self, request, id: int):
            return {"published": id}

    return client_for(api)


@pytest.mark.parametrize("value", ["abc", "1.5", "-", "0x10", "%20"])
def test_wrong_typed_lookup_is_422(client, value):
    response = client.get(f"/articles/{value}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "id"]
    assert response.headers["content-type"].startswith("application/json")


def test_wrong_typed_lookup_on_detail_action_is_422(client):
    response = client.post("/articles/abc/publish")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "id"]


def test_huge_lookup_is_not_a_500(client):
    # An int path parameter is a signed 64-bit integer: beyond it, 422 before the handler.
    response = client.get("/articles/99999999999999999999")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["path", "id"],
            "msg": "Expected `int` <= 9223372036854775807",
            "type": "value_error",
        }
    ]
    assert client.get("/articles/9223372036854775807").json() == {"id": 9223372036854775807}


@pytest.mark.parametrize(
    "path",
    [
        "/articles/1/unknown",
        "/articles/1/publish/extra",
        "/articles/published/1",
        "/articles/1/2",
        "/articlesx",
        "/articles/%2e%2e/1",
        "/articles/1%2fpublish",
    ],
)
def test_unknown_action_paths_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/articles", "GET, HEAD, OPTIONS"),
        ("PUT", "/articles/1", "DELETE, GET, HEAD, OPTIONS"),
        ("PATCH", "/articles/1", "DELETE, GET, HEAD, OPTIONS"),
        ("GET", "/articles/1/publish", "OPTIONS, POST"),
        ("POST", "/articles/published", "GET, HEAD, OPTIONS"),
        ("TRACE", "/articles", "GET, HEAD, OPTIONS"),
    ],
)
def test_unimplemented_methods_are_405_with_allow(client, method, path, allow):
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json() == {"detail": "Method Not Allowed"}


def test_trailing_slash_reaches_the_same_route(client):
    assert client.get("/articles/3/").json() == {"id": 3}
    assert client.get("/articles/published/").json() == ["published"]


def test_handler_error_is_a_generic_500(api, client_for):
    @api.viewset("/boom")
    class Boom(ViewSet):
        async def list(self, request):
            raise RuntimeError("secret database password in message")

    response = client_for(api).get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert "secret" not in response.text
