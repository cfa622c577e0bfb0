"""The guide's "ViewSet Hooks and Methods" and "Different Serializers Per Action" chapters,
through HTTP, with an authentication context set by a small test plugin."""

from __future__ import annotations

import msgspec
import pytest
from django.contrib.auth.models import User
from django.db.models import Q

from bolt import BoltAPI, hookimpl
from bolt.exceptions import HTTPException
from bolt.middleware import Middleware
from bolt.testing import TestClient
from bolt.views import ModelViewSet, ViewSet
from tests.guide_examples import (
    UserCreateSchema,
    UserFullSchema,
    UserMiniSchema,
    UserUpdateSchema,
)
from tests.testapp.models import Post

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class HeaderAuth:
    """Test plugin: ``X-User: <id>`` becomes ``request.auth = {"user_id": id, ...}``."""

    @hookimpl
    def bolt_route_middleware(self, api, route):
        def wrap(next_handler):
            async def handle(request):
                user = request.headers.get("x-user")
                if user:
                    admin = request.headers.get("x-admin") == "yes"
                    request.auth = {"user_id": int(user), "is_admin": admin}
                return await next_handler(request)

            return handle

        return Middleware(phase=200, wrap=wrap, name="header-auth")


class PostSchema(msgspec.Struct):
    id: int
    title: str
    slug: str
    status: str
    author_id: int


class PostMini(msgspec.Struct):
    id: int
    title: str


class PostCreate(msgspec.Struct):
    title: str
    slug: str
    author: int
    content: str = ""


class PostUpdate(msgspec.Struct):
    title: str | None = None
    content: str | None = None
    status: str | None = None


@pytest.fixture
def people() -> dict[str, object]:
    ann = User.objects.create(username="ann")
    bob = User.objects.create(username="bob")
    Post.objects.create(title="ann draft", slug="ann-draft", author=ann)
    Post.objects.create(title="ann live", slug="ann-live", author=ann, status="published")
    Post.objects.create(title="bob draft", slug="bob-draft", author=bob)
    return {"ann": {"x-user": str(ann.pk)}, "bob": {"x-user": str(bob.pk)}, "ids": (ann.pk, bob.pk)}


def make_client(*viewsets: tuple[str, type]) -> TestClient:
    api = BoltAPI(plugins=[HeaderAuth()])
    for path, cls in viewsets:
        api.viewset(path)(cls)
    return TestClient(api)


def test_get_queryset_override_with_super_and_filter_queryset(people) -> None:
    class ArticleViewSet(ViewSet):
        queryset = Post.objects.all()
        serializer_class = PostSchema

        async def get_queryset(self):
            base_qs = await super().get_queryset()
            auth = self.request.get("auth", {})
            user_id = auth.get("user_id")
            if user_id:
                base_qs = base_qs.filter(Q(author_id=user_id) | Q(status="published"))
            else:
                base_qs = base_qs.filter(status="published")
            return base_qs.order_by("-created_at").select_related("author")

        async def filter_queryset(self, queryset):
            query_params = self.request.get("query", {})
            status = query_params.get("status")
            if status:
                queryset = queryset.filter(status=status)
            search = query_params.get("search")
            if search:
                queryset = queryset.filter(
                    Q(title__icontains=search) | Q(author__username__icontains=search)
                )
            ordering = query_params.get("ordering", "-created_at")
            if ordering:
                queryset = queryset.order_by(*[f.strip() for f in ordering.split(",")])
            return queryset

        async def list(self, request):
            qs = await self.get_queryset()
            qs = await self.filter_queryset(qs)
            results = []
            async for article in qs[:100]:
                results.append(PostSchema.from_model(article))
            return results

    client = make_client(("/articles", ArticleViewSet))
    titles = lambda r: [a["title"] for a in r.json()]  # noqa: E731
    assert titles(client.get("/articles")) == ["ann live"]
    assert titles(client.get("/articles?ordering=title", headers=people["ann"])) == [
        "ann draft",
        "ann live",
    ]
    assert titles(client.get("/articles", headers=people["bob"])) == ["bob draft", "ann live"]
    assert titles(client.get("/articles?search=bob", headers=people["bob"])) == ["bob draft"]
    assert titles(client.get("/articles?status=draft", headers=people["bob"])) == ["bob draft"]


def test_get_object_override_with_permission_check(people) -> None:
    class ArticleViewSet(ViewSet):
        queryset = Post.objects.all()
        serializer_class = PostSchema
        lookup_field = "slug"

        async def get_object(self, slug: str | None = None, **lookup_kwargs):
            queryset = await self.get_queryset()
            if slug:
                lookup_kwargs = {"slug": slug}
            try:
                obj = await queryset.aget(**lookup_kwargs)
                user_id = self.request.get("auth", {}).get("user_id")
                if obj.status == "draft" and obj.author_id != user_id:
                    raise HTTPException(
                        status_code=403, detail="You don't have permission to view this draft"
                    )
                return obj
            except Post.DoesNotExist:
                raise HTTPException(
                    status_code=404, detail=f"Article with slug '{slug}' not found"
                ) from None

        async def retrieve(self, request, slug: str):
            article = await self.get_object(slug=slug)
            return PostSchema.from_model(article)

    client = make_client(("/articles", ArticleViewSet))
    assert client.get("/articles/ann-live").json()["title"] == "ann live"
    assert client.get("/articles/ann-draft").status_code == 403
    assert client.get("/articles/ann-draft", headers=people["ann"]).status_code == 200
    missing = client.get("/articles/none")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Article with slug 'none' not found"}


def test_model_viewset_object_permissions_on_writes(people) -> None:
    """The chapter's ``get_object`` override calling ``super()``: only owners modify."""

    class ArticleViewSet(ModelViewSet):
        queryset = Post.objects.all()
        serializer_class = PostSchema
        create_serializer_class = PostCreate
        update_serializer_class = PostUpdate

        async def get_queryset(self):
            base_qs = await super().get_queryset()
            user_id = self.request.get("auth", {}).get("user_id")
            if user_id:
                return base_qs.filter(Q(author_id=user_id) | Q(status="published"))
            return base_qs.filter(status="published")

        async def get_object(self, id: int | None = None, **lookup_kwargs):
            article = await super().get_object(id=id, **lookup_kwargs)
            user_id = self.request.get("auth", {}).get("user_id")
            if self.action in ("update", "partial_update", "destroy") and (
                article.author_id != user_id
            ):
                raise HTTPException(status_code=403, detail="You can only modify your own articles")
            return article

    client = make_client(("/articles", ArticleViewSet))
    live = Post.objects.get(slug="ann-live")
    bob = people["bob"]
    assert client.get(f"/articles/{live.pk}", headers=bob).status_code == 200
    denied = client.patch(f"/articles/{live.pk}", json={"title": "hacked"}, headers=bob)
    assert denied.status_code == 403
    assert client.delete(f"/articles/{live.pk}", headers=bob).status_code == 403
    assert Post.objects.get(pk=live.pk).title == "ann live"
    ann_draft = Post.objects.get(slug="ann-draft")
    assert client.get(f"/articles/{ann_draft.pk}", headers=bob).status_code == 404
    ok = client.patch(f"/articles/{live.pk}", json={"title": "mine"}, headers=people["ann"])
    assert (ok.status_code, ok.json()["title"]) == (200, "mine")


def test_serializers_per_action_class_attributes(people) -> None:
    class UserViewSet(ModelViewSet):
        queryset = User.objects.order_by("id")
        serializer_class = UserFullSchema
        list_serializer_class = UserMiniSchema
        create_serializer_class = UserCreateSchema
        update_serializer_class = UserUpdateSchema

    client = make_client(("/users", UserViewSet))
    ann_id, bob_id = people["ids"]
    assert client.get("/users").json() == [
        {"id": ann_id, "username": "ann"},
        {"id": bob_id, "username": "bob"},
    ]
    full = client.get(f"/users/{ann_id}").json()
    assert set(full) == set(UserFullSchema.__struct_fields__)
    created = client.post(
        "/users", json={"username": "cy", "email": "cy@example.com", "password": "s3cret!"}
    )
    assert created.status_code == 201
    assert "password" not in created.json()
    cy = User.objects.get(username="cy")
    assert cy.check_password("s3cret!")
    assert cy.password != "s3cret!"
    # the update schema has no username: sending one is refused, nothing changes
    refused = client.patch(f"/users/{cy.pk}", json={"username": "root"})
    assert refused.status_code == 422
    staff = client.patch(f"/users/{cy.pk}", json={"is_staff": True})
    assert staff.status_code == 422
    changed = client.put(f"/users/{cy.pk}", json={"first_name": "Cy"})
    assert changed.json()["first_name"] == "Cy"
    cy.refresh_from_db()
    assert (cy.username, cy.email, cy.is_staff) == ("cy", "cy@example.com", False)


def test_get_serializer_class_override_dynamic(people) -> None:
    class Mini(msgspec.Struct):
        id: int
        title: str

    class Admin(msgspec.Struct):
        id: int
        title: str
        status: str
        author_id: int

    class ArticleViewSet(ModelViewSet):
        queryset = Post.objects.order_by("id")
        serializer_class = PostSchema

        def get_serializer_class(self, action: str | None = None):
            if action is None:
                action = self.action
            is_admin = self.request.get("auth", {}).get("is_admin", False)
            if action == "list":
                return Admin if is_admin else Mini
            if action == "create":
                return PostCreate
            if action in ("update", "partial_update"):
                return PostUpdate
            return self.serializer_class

    client = make_client(("/articles", ArticleViewSet))
    assert set(client.get("/articles").json()[0]) == {"id", "title"}
    admin = {**people["ann"], "x-admin": "yes"}
    assert set(client.get("/articles", headers=admin).json()[0]) == {
        "id",
        "title",
        "status",
        "author_id",
    }
    bob_id = people["ids"][1]
    created = client.post("/articles", json={"title": "n", "slug": "n", "author": bob_id})
    assert created.status_code == 201
    assert created.json()["author_id"] == bob_id


def test_override_create_and_list_keeping_the_rest(people) -> None:
    class ArticleViewSet(ModelViewSet):
        queryset = Post.objects.all()
        serializer_class = PostSchema
        create_serializer_class = PostCreate

        async def list(self, request, status: str | None = None):
            qs = await self.get_queryset()
            if status:
                qs = qs.filter(status=status)
            qs = await self.filter_queryset(qs)
            results = []
            async for article in qs.order_by("id")[:50]:
                results.append(PostSchema.from_model(article))
            return {"count": len(results), "results": results}

        async def create(self, request, data: PostCreate):
            if len(data.title) < 10:
                raise HTTPException(status_code=400, detail="Title must be at least 10 characters")
            return await super().create(request, data)

    client = make_client(("/articles", ArticleViewSet))
    assert client.get("/articles?status=published").json()["count"] == 1
    short = client.post(
        "/articles", json={"title": "short", "slug": "s", "author": people["ids"][0]}
    )
    assert short.status_code == 400
    ok = client.post(
        "/articles", json={"title": "long enough", "slug": "s", "author": people["ids"][0]}
    )
    assert ok.status_code == 201
    pk = ok.json()["id"]
    assert client.get(f"/articles/{pk}").json()["title"] == "long enough"
    assert client.delete(f"/articles/{pk}").json() == {"deleted": True}
