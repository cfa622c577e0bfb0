"""Guide chapter "ViewSet": HTTP-method handlers (complete CRUD example), path parameters
and query parameters, registered with ``api.view()``."""

import msgspec

from bolt.views import ViewSet


class CreateArticleRequest(msgspec.Struct):
    title: str
    content: str
    author: str


class UpdateArticleRequest(msgspec.Struct):
    title: str = None
    content: str = None


class ArticleViewSet(ViewSet):
    async def get(self, request, article_id: int):
        return {"id": article_id, "title": "Django-Bolt Guide", "content": "...", "author": "J"}

    async def post(self, request, data: CreateArticleRequest):
        return {
            "id": 123,
            "title": data.title,
            "content": data.content,
            "author": data.author,
            "created": True,
        }

    async def put(self, request, article_id: int, data: UpdateArticleRequest):
        return {"id": article_id, "title": data.title, "updated": True}

    async def patch(self, request, article_id: int, data: UpdateArticleRequest):
        return {"id": article_id, "updated": True}

    async def delete(self, request, article_id: int):
        return {"id": article_id, "deleted": True}


def test_complete_crud_example(api, client_for):
    api.view("/articles/{article_id}", ArticleViewSet)
    api.view("/articles", ArticleViewSet)
    client = client_for(api)
    assert client.get("/articles/5").json()["id"] == 5
    created = client.post("/articles", json={"title": "T", "content": "C", "author": "A"})
    assert created.status_code == 200
    assert created.json() == {
        "id": 123,
        "title": "T",
        "content": "C",
        "author": "A",
        "created": True,
    }
    assert client.put("/articles/5", json={"title": "New"}).json() == {
        "id": 5,
        "title": "New",
        "updated": True,
    }
    assert client.patch("/articles/5", json={}).json() == {"id": 5, "updated": True}
    assert client.delete("/articles/5").json() == {"id": 5, "deleted": True}


def test_crud_example_validation_errors(api, client_for):
    api.view("/articles", ArticleViewSet)
    client = client_for(api)
    missing = client.post("/articles", json={"title": "T"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "content"]
    wrong_type = client.post("/articles", content=b"{}", headers={"content-type": "text/plain"})
    assert wrong_type.status_code == 415


def test_nested_path_parameters(api, client_for):
    @api.view("/posts/{post_id}/comments/{comment_id}")
    class CommentViewSet(ViewSet):
        async def get(self, request, post_id: int, comment_id: int):
            return {"post_id": post_id, "comment_id": comment_id, "text": "Great post!"}

    response = client_for(api).get("/posts/3/comments/9")
    assert response.json() == {"post_id": 3, "comment_id": 9, "text": "Great post!"}
    bad = client_for(api).get("/posts/3/comments/x")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["path", "comment_id"]


def test_query_parameters(api, client_for):
    @api.view("/search")
    class SearchViewSet(ViewSet):
        async def get(self, request, query: str, page: int = 1, limit: int = 10):
            return {"query": query, "page": page, "limit": limit, "results": []}

    client = client_for(api)
    assert client.get("/search", params={"query": "django", "page": 2, "limit": 20}).json() == {
        "query": "django",
        "page": 2,
        "limit": 20,
        "results": [],
    }
    assert client.get("/search", params={"query": "x"}).json()["page"] == 1
    missing = client.get("/search")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["query", "query"]


def test_head_and_options_handlers(api, client_for):
    @api.view("/meta")
    class MetaView(ViewSet):
        async def get(self, request):
            return {"x": 1}

        async def head(self, request):
            from bolt.responses import Response

            return Response(b"", 200, {"x-head": "custom"})

        async def options(self, request):
            return {"methods": ["GET", "HEAD", "OPTIONS"]}

    client = client_for(api)
    assert client.head("/meta").headers["x-head"] == "custom"
    assert client.options("/meta").json() == {"methods": ["GET", "HEAD", "OPTIONS"]}
