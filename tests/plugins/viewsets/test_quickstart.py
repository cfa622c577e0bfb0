"""Guide chapter "Quick Start": an APIView and a ViewSet with a custom lookup and an action."""

import pytest

from bolt import BoltAPI, action
from bolt.views import APIView, ViewSet


@pytest.fixture
def quickstart_api(api: BoltAPI) -> BoltAPI:
    @api.view("/hello")
    class HelloView(APIView):
        async def get(self, request):
            return {"message": "Hello, World!"}

    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        lookup_field = "article_id"

        async def list(self, request):
            """GET /articles - List all articles"""
            return [{"id": 1, "title": "Article 1"}]

        async def retrieve(self, request, article_id: int):
            return {"id": article_id, "title": "My Article"}

        async def create(self, request, data: dict):
            return {"id": 1, "created": True}

        async def update(self, request, article_id: int, data: dict):
            return {"id": article_id, "updated": True}

        async def destroy(self, request, article_id: int):
            return {"id": article_id, "deleted": True}

        @action(methods=["POST"], detail=True)
        async def publish(self, request, article_id: int):
            return {"id": article_id, "published": True}

    return api


def test_hello_view(quickstart_api, client_for):
    response = client_for(quickstart_api).get("/hello")
    assert response.status_code == 200
    assert response.json() == {"message": "Hello, World!"}
    assert response.headers["content-type"].startswith("application/json")


def test_article_list_and_create(quickstart_api, client_for):
    client = client_for(quickstart_api)
    assert client.get("/articles").json() == [{"id": 1, "title": "Article 1"}]
    created = client.post("/articles", json={"title": "x"})
    assert created.status_code == 201
    assert created.json() == {"id": 1, "created": True}


def test_article_detail_routes_use_lookup_field(quickstart_api, client_for):
    client = client_for(quickstart_api)
    assert client.get("/articles/7").json() == {"id": 7, "title": "My Article"}
    assert client.put("/articles/7", json={"title": "y"}).json() == {"id": 7, "updated": True}
    deleted = client.delete("/articles/7")
    assert deleted.status_code == 200
    assert deleted.json() == {"id": 7, "deleted": True}
    paths = {(r.method, r.path) for r in quickstart_api.iter_routes()}
    assert ("GET", "/articles/{article_id}") in paths


def test_publish_action(quickstart_api, client_for):
    response = client_for(quickstart_api).post("/articles/3/publish")
    assert response.status_code == 200
    assert response.json() == {"id": 3, "published": True}


def test_not_implemented_partial_update_is_405(quickstart_api, client_for):
    response = client_for(quickstart_api).patch("/articles/3", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    assert response.json() == {"detail": "Method Not Allowed"}


def test_imports_from_bolt_root():
    import bolt

    assert bolt.ViewSet is ViewSet
    assert bolt.APIView is APIView
    assert bolt.action is action
