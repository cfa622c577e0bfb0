"""Guide chapter "Advanced Patterns" for class-based views: dependency injection, request and
response validation, streaming, error handling and "Combining Everything" with the real
auth, guards, CORS and rate-limit plugins."""

import msgspec
import pytest
from django.contrib.auth.models import Permission, User

from bolt.auth import HasPermission, IsAuthenticated, JWTAuthentication, create_jwt_for_user
from bolt.exceptions import Forbidden, HTTPException, NotFound
from bolt.middleware import cors, rate_limit
from bolt.params import Depends
from bolt.responses import StreamingResponse
from bolt.views import ViewSet


async def get_current_user(request: dict):
    auth = request.get("auth", {})
    return {"id": auth.get("user_id"), "is_admin": auth.get("is_admin", False)}


class ArticleRequest(msgspec.Struct):
    title: str
    content: str
    tags: list[str] = []


class ArticleResponse(msgspec.Struct):
    id: int
    title: str
    content: str
    author_id: int | None
    tags: list[str]


class UserResponse(msgspec.Struct):
    id: int
    username: str
    email: str


def test_dependency_injection_in_view_and_class_body(api, client_for):
    async def current(request: dict):
        return {"id": 7, "path": request.path}

    @api.view("/profile")
    class ProfileViewSet(ViewSet):
        async def get(self, request, current_user: dict = Depends(current)):
            return {"profile": current_user, "settings": {}}

        @api.put("/profile/settings")
        async def update_settings(self, request, current_user: dict = Depends(current)):
            return {"user_id": current_user["id"], "settings_updated": True}

    client = client_for(api)
    assert client.get("/profile").json() == {
        "profile": {"id": 7, "path": "/profile"},
        "settings": {},
    }
    assert client.put("/profile/settings").json() == {"user_id": 7, "settings_updated": True}


def test_request_and_response_validation(api, client_for):
    @api.view("/users/{user_id}")
    class UserViewSet(ViewSet):
        async def get(self, request, user_id: int) -> UserResponse:
            return {"id": user_id, "username": "johndoe", "email": "j@e.com", "password": "x"}

        async def patch(self, request, user_id: int, data: ArticleRequest):
            return {"id": user_id, "updated_fields": sorted(k for k in data.__struct_fields__)}

    client = client_for(api)
    assert client.get("/users/1").json() == {"id": 1, "username": "johndoe", "email": "j@e.com"}
    bad = client.patch("/users/1", json={"title": 1, "content": "c"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "title"]


def test_streaming_from_view_and_class_body(api, client_for):
    @api.view("/data")
    class DataViewSet(ViewSet):
        async def get(self, request):
            async def stream_data():
                for i in range(3):
                    yield f"data: {i}\n"

            return StreamingResponse(stream_data(), media_type="text/event-stream")

        @api.get("/data/export")
        async def export(self, request):
            async def export_csv():
                yield "id,name\n"
                for i in range(2):
                    yield f"{i},user{i}\n"

            return StreamingResponse(
                export_csv(),
                media_type="text/csv",
                headers={"Content-Disposition": "attachment; filename=users.csv"},
            )

    client = client_for(api)
    streamed = client.get("/data")
    assert streamed.text == "data: 0\ndata: 1\ndata: 2\n"
    assert streamed.headers["content-type"].startswith("text/event-stream")
    exported = client.get("/data/export")
    assert exported.text == "id,name\n0,user0\n1,user1\n"
    assert exported.headers["content-disposition"] == "attachment; filename=users.csv"


def test_error_handling(api, client_for):
    @api.view("/articles/{article_id}")
    class ArticleViewSet(ViewSet):
        async def get(self, request, article_id: int):
            if article_id > 1000:
                raise NotFound(detail=f"Article {article_id} not found")
            auth = request.get("auth", {})
            if not auth.get("can_read"):
                raise Forbidden(detail="You don't have permission to read this article")
            return {"id": article_id}

        @api.post("/articles/{article_id}/publish")
        async def publish(self, request, article_id: int):
            if article_id < 1:
                raise HTTPException(
                    status_code=422,
                    detail="Invalid article ID",
                    headers={"X-Error-Code": "INVALID_ID"},
                )
            return {"id": article_id, "published": True}

    client = client_for(api)
    assert client.get("/articles/2000").json() == {"detail": "Article 2000 not found"}
    forbidden = client.get("/articles/3")
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "You don't have permission to read this article"}
    invalid = client.post("/articles/0/publish")
    assert invalid.status_code == 422
    assert invalid.headers["x-error-code"] == "INVALID_ID"
    assert client.post("/articles/4/publish").json() == {"id": 4, "published": True}


@pytest.mark.django_db(transaction=True)
def test_combining_everything(make_api, client_for):
    api = make_api("auth", "guards", "cors", "ratelimit")

    @api.view("/articles/{article_id}", name="article")
    @api.view("/articles", name="articles")
    class ArticleViewSet(ViewSet):
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        @rate_limit(rps=100)
        async def get(
            self, request, article_id: int, current_user: dict = Depends(get_current_user)
        ) -> ArticleResponse:
            if article_id > 1000:
                raise NotFound(detail=f"Article {article_id} not found")
            return ArticleResponse(
                id=article_id,
                title="My Article",
                content="Content here",
                author_id=current_user["id"],
                tags=["python", "django"],
            )

        @cors(origins=["*"])
        @rate_limit(rps=50)
        async def post(
            self, request, data: ArticleRequest, current_user: dict = Depends(get_current_user)
        ) -> ArticleResponse:
            return ArticleResponse(
                id=123,
                title=data.title,
                content=data.content,
                author_id=current_user["id"],
                tags=data.tags,
            )

        @api.post("/articles/{article_id}/publish", guards=[HasPermission("auth.change_user")])
        @rate_limit(rps=10)
        async def publish(
            self, request, article_id: int, current_user: dict = Depends(get_current_user)
        ):
            if not current_user["is_admin"]:
                raise Forbidden(detail="Only admins can publish articles")
            return {"id": article_id, "published": True, "published_by": current_user["id"]}

        @api.get("/articles/{article_id}/export")
        @rate_limit(rps=5)
        async def export(self, request, article_id: int):
            async def generate_markdown():
                yield f"# Article {article_id}\n\n"
                yield "Content goes here...\n"

            return StreamingResponse(generate_markdown(), media_type="text/markdown")

    # GET /articles has no {article_id}: the handler's required article_id is a query value
    client = client_for(api)
    user = User.objects.create_user("writer", password="pw-123456")
    editor = User.objects.create_user("editor", password="pw-123456")
    editor.user_permissions.add(Permission.objects.get(codename="change_user"))
    admin = User.objects.create_superuser("boss", password="pw-123456")
    auth = lambda u: {"Authorization": f"Bearer {create_jwt_for_user(u)}"}  # noqa: E731

    assert client.get("/articles/5").status_code == 401
    got = client.get("/articles/5", headers=auth(user))
    assert got.json() == {
        "id": 5,
        "title": "My Article",
        "content": "Content here",
        "author_id": user.id,
        "tags": ["python", "django"],
    }
    assert client.get("/articles/5000", headers=auth(user)).status_code == 404
    posted = client.post(
        "/articles",
        json={"title": "T", "content": "C"},
        headers={**auth(user), "Origin": "http://anywhere.test"},
    )
    assert posted.status_code == 200
    assert posted.json()["author_id"] == user.id
    assert posted.headers["access-control-allow-origin"] == "*"
    assert client.post("/articles/5/publish", headers=auth(user)).status_code == 403
    assert client.post("/articles/5/publish", headers=auth(editor)).json() == {
        "detail": "Only admins can publish articles"
    }
    assert client.post("/articles/5/publish", headers=auth(admin)).json() == {
        "id": 5,
        "published": True,
        "published_by": admin.id,
    }
    exported = client.get("/articles/5/export", headers=auth(user))
    assert exported.text == "# Article 5\n\nContent goes here...\n"
    assert client.get("/articles/5/export").status_code == 401
    plugins = {(r.method, r.path): list(r.middleware_names) for r in api.iter_routes()}
    # IP-keyed rate limits run before authentication (so failed logins are counted too)
    assert plugins[("POST", "/articles")] == ["cors", "rate_limit", "auth", "guards"]
    assert plugins[("POST", "/articles/{article_id}/publish")] == [
        "rate_limit",
        "auth",
        "guards",
    ]
