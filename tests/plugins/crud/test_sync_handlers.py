"""``GenericView``'s hooks from DRF-style sync handlers, and ``get_serializer``.

A sync handler runs in a worker thread: there ``self.get_object()``, ``self.get_queryset()``
and ``self.filter_queryset(qs)`` answer at once (object permissions still checked); in an
``async`` handler they are awaited as before. Overrides, sync or async, keep working.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bolt import BoltAPI, action
from bolt.auth import IsAuthenticated, JWTAuthentication, create_jwt_for_user
from bolt.testing import TestClient
from bolt.views import ModelViewSet
from bolt_plugins.guards import BaseGuard
from tests.testapp.models import Article, Post

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


def articles_api(**attrs: Any) -> BoltAPI:
    api = BoltAPI()

    class ArticleViewSet(ModelViewSet):
        queryset = Article.objects.all()
        ordering = ("title",)

        @action(detail=True, methods=["post"])
        def publish(self, request: Any, pk: int) -> dict:
            obj = self.get_object()
            obj.status = "published"
            obj.save()
            return {"status": obj.status}

        @action(detail=False, methods=["get"])
        def titles(self, request: Any) -> list:
            queryset = self.filter_queryset(self.get_queryset())
            return [a.title for a in queryset]

        @action(detail=True, methods=["get"])
        def preview(self, request: Any, pk: int) -> Any:
            return self.get_serializer(self.get_object())

        @action(detail=False, methods=["get"])
        def everything(self, request: Any) -> Any:
            return self.get_serializer(self.get_queryset(), many=True)

        @action(detail=True, methods=["get"])
        async def apreview(self, request: Any, pk: int) -> Any:
            return self.get_serializer(await self.get_object())

        @action(detail=False, methods=["get"])
        async def aeverything(self, request: Any) -> Any:
            return await self.aget_serializer(await self.get_queryset(), many=True)

    for name, value in attrs.items():
        setattr(ArticleViewSet, name, value)
    api.viewset("/articles")(ArticleViewSet)
    return api


def test_sync_action_get_object_and_save() -> None:
    article = Article.objects.create(title="t")
    with TestClient(articles_api()) as c:
        r = c.post(f"/articles/{article.pk}/publish")
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "published"}
        missing = c.post("/articles/999999/publish")
        assert missing.status_code == 404
        assert missing.json() == {"detail": "Article not found"}
        assert c.post("/articles/abc/publish").status_code == 422
    article.refresh_from_db()
    assert article.status == "published"


def test_sync_action_get_queryset_and_filter_queryset() -> None:
    for title in ("b", "a", "c"):
        Article.objects.create(title=title)
    with TestClient(articles_api(search_fields=("title",))) as c:
        assert c.get("/articles/titles").json() == ["a", "b", "c"]
        assert c.get("/articles/titles?search=b").json() == ["b"]


def test_async_override_of_get_queryset_calling_super_from_sync_and_async_handlers() -> None:
    async def get_queryset(self: Any) -> Any:
        queryset = await super(type(self), self).get_queryset()
        return queryset.exclude(status="hidden")

    shown = Article.objects.create(title="shown")
    hidden = Article.objects.create(title="hidden", status="hidden")
    with TestClient(articles_api(get_queryset=get_queryset)) as c:
        assert c.post(f"/articles/{hidden.pk}/publish").status_code == 404
        assert c.post(f"/articles/{shown.pk}/publish").status_code == 200
        assert c.get(f"/articles/{hidden.pk}").status_code == 404
        assert [a["title"] for a in c.get("/articles").json()] == ["shown"]
        assert c.get("/articles/titles").json() == ["shown"]


def test_drf_sync_override_of_get_queryset_calling_super() -> None:
    """DRF's ``return super().get_queryset().filter(...)``, on the async CRUD actions and
    from a sync handler."""

    def get_queryset(self: Any) -> Any:
        return super(type(self), self).get_queryset().exclude(status="hidden")

    shown = Article.objects.create(title="shown")
    hidden = Article.objects.create(title="hidden", status="hidden")
    with TestClient(articles_api(get_queryset=get_queryset)) as c:
        assert [a["title"] for a in c.get("/articles").json()] == ["shown"]
        assert c.get(f"/articles/{hidden.pk}").status_code == 404
        assert c.get(f"/articles/{shown.pk}").json()["title"] == "shown"
        r = c.patch(f"/articles/{hidden.pk}", json={"title": "x"})
        assert r.status_code == 404, r.text
        assert c.post(f"/articles/{hidden.pk}/publish").status_code == 404
        assert c.get("/articles/titles").json() == ["shown"]
    hidden.refresh_from_db()
    assert hidden.title == "hidden"


def test_drf_sync_override_of_get_object_calling_super() -> None:
    def get_object(self: Any) -> Any:
        obj = super(type(self), self).get_object()
        if obj.status == "locked":
            from bolt.exceptions import NotFound

            raise NotFound(detail="locked")
        return obj

    free = Article.objects.create(title="free")
    locked = Article.objects.create(title="locked", status="locked")
    with TestClient(articles_api(get_object=get_object)) as c:
        assert c.get(f"/articles/{free.pk}").json()["title"] == "free"
        assert c.get(f"/articles/{locked.pk}").json() == {"detail": "locked"}
        assert c.patch(f"/articles/{locked.pk}", json={"title": "x"}).status_code == 404
        assert c.delete(f"/articles/{locked.pk}").status_code == 404
        assert c.post(f"/articles/{locked.pk}/publish").status_code == 404
        assert c.patch(f"/articles/{free.pk}", json={"title": "y"}).status_code == 200
    assert sorted(Article.objects.values_list("title", flat=True)) == ["locked", "y"]


# --- object permissions still run from a sync handler --------------------------------------
class IsAuthor(BaseGuard):
    message = "Only the author may do that."

    def has_object_permission(self, request: Any, obj: Any) -> bool:
        return bool(obj.author_id == request.auth["user_id"])


def test_sync_get_object_runs_object_permissions(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("alice", password="pw-alice-123")
    staff = django_user_model.objects.create_user("sam", password="pw-sam-123")
    api = BoltAPI()

    @api.viewset("/posts")
    class PostViewSet(ModelViewSet):
        queryset = Post.objects.all()
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated(), IsAuthor()]

        @action(detail=True, methods=["post"])
        def publish(self, request: Any, pk: int) -> dict:
            post = self.get_object()
            post.status = "published"
            post.save()
            return {"status": post.status}

    post = Post.objects.create(title="t", slug="t", author=user)
    theirs = {"Authorization": f"Bearer {create_jwt_for_user(staff)}"}
    mine = {"Authorization": f"Bearer {create_jwt_for_user(user)}"}
    with TestClient(api) as c:
        assert c.post(f"/posts/{post.pk}/publish").status_code == 401
        refused = c.post(f"/posts/{post.pk}/publish", headers=theirs)
        assert refused.status_code == 403, refused.text
        assert refused.json() == {"detail": "Only the author may do that."}
        post.refresh_from_db()
        assert post.status == "draft"
        assert c.post(f"/posts/{post.pk}/publish", headers=mine).json() == {"status": "published"}


# --- get_serializer ----------------------------------------------------------------------
def test_get_serializer_answers_with_the_actions_schema() -> None:
    a = Article.objects.create(title="a")
    Article.objects.create(title="b")
    with TestClient(articles_api()) as c:
        one = c.get(f"/articles/{a.pk}/preview")
        assert one.status_code == 200, one.text
        assert one.json()["title"] == "a"
        assert one.json()["id"] == a.pk
        assert c.get(f"/articles/{a.pk}/apreview").json() == one.json()
        many = c.get("/articles/everything")
        assert many.status_code == 200, many.text
        assert [x["title"] for x in many.json()] == ["a", "b"]
        assert c.get("/articles/aeverything").json() == many.json()


def test_get_serializer_uses_the_serializer_class() -> None:
    import msgspec

    class Title(msgspec.Struct):
        title: str

    a = Article.objects.create(title="a", content="secret")
    with TestClient(articles_api(serializer_class=Title)) as c:
        assert c.get(f"/articles/{a.pk}/preview").json() == {"title": "a"}
        assert c.get("/articles/everything").json() == [{"title": "a"}]


def test_get_serializer_with_data_explains_itself(caplog: Any) -> None:
    """DRF's ``get_serializer(data=...)`` validation has no Bolt equivalent: the body
    arrives validated as ``data``. The error says so (server log), never an AttributeError."""

    @action(detail=False, methods=["post"])
    def make(self: Any, request: Any) -> Any:
        serializer = self.get_serializer(data={"title": "x"})
        return serializer.data

    with TestClient(articles_api(make=make)) as c, caplog.at_level(logging.ERROR):
        r = c.post("/articles/make", json={})
    assert r.status_code == 500
    assert "get_serializer(data=...)" in caplog.text
    assert "create_object" in caplog.text
    assert not Article.objects.exists()


def test_async_handlers_await_drf_style_sync_overrides() -> None:
    """``await self.get_queryset()`` / ``await self.get_object()`` in an ``async`` handler
    of a class whose overrides are DRF-style sync methods calling ``super()``: the override
    runs (its ``super()`` answering plainly) and the handler gets its answer, never a 500."""
    api = BoltAPI()

    @api.viewset("/drafts")
    class Drafts(ModelViewSet):
        queryset = Article.objects.all()

        def get_queryset(self):  # DRF style
            return super().get_queryset().filter(status="draft").order_by("title")

        def filter_queryset(self, queryset):
            return super().filter_queryset(queryset).exclude(title="hidden")

        def get_object(self):  # DRF style: reads self.kwargs
            obj = super().get_object()
            obj.title = obj.title.upper()
            return obj

        @action(detail=False, methods=["get"])
        async def titles(self, request: Any) -> list:
            queryset = await self.filter_queryset(await self.get_queryset())
            return [a.title async for a in queryset]

        @action(detail=True, methods=["get"])
        async def shout(self, request: Any, pk: int) -> dict:
            return {"title": (await self.get_object()).title}

    for title, status in (("b", "draft"), ("a", "draft"), ("hidden", "draft"), ("c", "live")):
        Article.objects.create(title=title, status=status)
    pk = Article.objects.get(title="a").pk
    live = Article.objects.get(title="c").pk
    with TestClient(api) as client:
        titles = client.get("/drafts/titles")
        assert (titles.status_code, titles.json()) == (200, ["a", "b"]), titles.text
        shout = client.get(f"/drafts/{pk}/shout")
        assert (shout.status_code, shout.json()) == (200, {"title": "A"}), shout.text
        assert client.get(f"/drafts/{live}/shout").status_code == 404
        assert client.get(f"/drafts/{pk}").json()["title"] == "A"
        assert [a["title"] for a in client.get("/drafts").json()] == ["a", "b"]


class DraftsOnly:
    """A plain DRF-style mixin (not a view class) with a sync override calling super()."""

    def get_queryset(self):
        return super().get_queryset().filter(status="draft").order_by("title")  # type: ignore[misc]


def test_a_sync_override_from_a_plain_mixin_is_awaitable_too() -> None:
    api = BoltAPI()

    @api.viewset("/mixed")
    class Mixed(DraftsOnly, ModelViewSet):
        queryset = Article.objects.all()

        @action(detail=False, methods=["get"])
        async def titles(self, request: Any) -> list:
            return [a.title async for a in await self.get_queryset()]

    for title, status in (("b", "draft"), ("a", "draft"), ("c", "live")):
        Article.objects.create(title=title, status=status)
    with TestClient(api) as client:
        titles = client.get("/mixed/titles")
        assert (titles.status_code, titles.json()) == (200, ["a", "b"]), titles.text
        assert [a["title"] for a in client.get("/mixed").json()] == ["a", "b"]


def test_aget_serializer_with_a_chooser_reading_the_user(django_user_model: Any) -> None:
    """``get_serializer_class()`` reading ``self.request.user`` in an ``async`` action that
    answers with ``aget_serializer``: the user is loaded for it, never a 500."""
    import msgspec

    class Public(msgspec.Struct):
        id: int
        title: str

    class Staff(msgspec.Struct):
        id: int
        title: str
        status: str

    api = BoltAPI(auth=[JWTAuthentication()])

    @api.viewset("/chosen")
    class Chosen(ModelViewSet):
        queryset = Article.objects.all()
        guards = [IsAuthenticated()]

        def get_serializer_class(self, action: str | None = None) -> Any:
            return Staff if self.request.user.is_staff else Public

        @action(detail=False, methods=["get"])
        async def everything(self, request: Any) -> Any:
            return await self.aget_serializer(await self.get_queryset(), many=True)

    row = Article.objects.create(title="t", status="secret")
    user = django_user_model.objects.create_user("ann", password="pw-ann-123")
    headers = {"Authorization": f"Bearer {create_jwt_for_user(user)}"}
    with TestClient(api) as client:
        r = client.get("/chosen/everything", headers=headers)
    assert (r.status_code, r.json()) == (200, [{"id": row.pk, "title": "t"}]), r.text
