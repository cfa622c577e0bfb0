"""The guide's "Mixins" and "ModelViewSet" chapters, through HTTP."""

from __future__ import annotations

import pytest

from bolt import BoltAPI
from bolt.testing import TestClient
from bolt.views import (
    CreateMixin,
    DestroyMixin,
    ListMixin,
    ModelViewSet,
    PartialUpdateMixin,
    ReadOnlyModelViewSet,
    RetrieveMixin,
    UpdateMixin,
    ViewSet,
)
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


def test_mixins_over_plain_data() -> None:
    """The chapter's example: mixins with overridden hooks that return plain data."""

    class ArticleViewSet(ViewSet, ListMixin, RetrieveMixin, CreateMixin):
        queryset = None  # Set to Django QuerySet for automatic ORM integration
        lookup_field = "article_id"

        async def get_queryset(self):
            return [
                {"id": 1, "title": "First Article"},
                {"id": 2, "title": "Second Article"},
            ]

        async def get_object(self, **kwargs):
            article_id = kwargs.get("article_id")
            return {"id": article_id, "title": "Article"}

        async def create_object(self, data):
            return {"id": 123, **data}

    api = BoltAPI()
    api.viewset("/articles")(ArticleViewSet)
    client = TestClient(api)
    assert client.get("/articles").json() == [
        {"id": 1, "title": "First Article"},
        {"id": 2, "title": "Second Article"},
    ]
    assert client.get("/articles/7").json() == {"id": "7", "title": "Article"}
    created = client.post("/articles", json={"title": "New"})
    assert (created.status_code, created.json()) == (201, {"id": 123, "title": "New"})
    assert client.delete("/articles/7").status_code == 405


def test_each_mixin_adds_only_its_route() -> None:
    class Schema:  # placeholder so the class has a serializer
        pass

    import msgspec

    class Out(msgspec.Struct):
        id: int
        title: str

    class ListOnly(ListMixin, ViewSet):
        queryset = Article.objects.all()
        serializer_class = Out

    class Writer(CreateMixin, UpdateMixin, PartialUpdateMixin, DestroyMixin, ViewSet):
        queryset = Article.objects.all()
        serializer_class = Out

    api = BoltAPI()
    api.viewset("/list")(ListOnly)
    api.viewset("/write")(Writer)
    client = TestClient(api)
    Article.objects.create(title="a")
    assert client.get("/list").json()[0]["title"] == "a"
    assert client.post("/list", json={}).status_code == 405
    assert client.get("/write").status_code == 405
    created = client.post("/write", json={"title": "b"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert client.get(f"/write/{pk}").status_code == 405
    assert client.put(f"/write/{pk}", json={"title": "c"}).json()["title"] == "c"
    assert client.patch(f"/write/{pk}", json={"title": "d"}).json()["title"] == "d"
    assert client.delete(f"/write/{pk}").json() == {"deleted": True}


def test_model_viewset_basic_usage_with_model_only() -> None:
    """``model = Article`` and nothing else: a schema of the model's fields."""

    class ArticleViewSet(ModelViewSet):
        model = Article
        lookup_field = "id"

    api = BoltAPI()
    api.viewset("/articles")(ArticleViewSet)
    client = TestClient(api)
    created = client.post("/articles", json={"title": "T", "content": "C", "author": "A"})
    assert created.status_code == 201
    body = created.json()
    assert body["title"] == "T"
    assert body["status"] == "draft"
    assert set(body) == {"id", "title", "slug", "content", "author", "status", "created_at"}
    assert client.get(f"/articles/{body['id']}").json() == body
    assert client.post("/articles", json={"created_at": "2020-01-01"}).status_code == 422


def test_custom_queryset_sync_get_queryset() -> None:
    class PublishedArticleViewSet(ModelViewSet):
        model = Article

        def get_queryset(self):
            """Filter to only published articles."""
            return Article.objects.filter(status="published")

    api = BoltAPI()
    api.viewset("/published")(PublishedArticleViewSet)
    client = TestClient(api)
    draft = Article.objects.create(title="draft")
    live = Article.objects.create(title="live", status="published")
    assert [a["title"] for a in client.get("/published").json()] == ["live"]
    assert client.get(f"/published/{draft.pk}").status_code == 404
    assert client.get(f"/published/{live.pk}").status_code == 200
    assert client.delete(f"/published/{draft.pk}").status_code == 404
    assert Article.objects.filter(pk=draft.pk).exists()


def test_custom_lookup_field_slug() -> None:
    class ArticleViewSet(ModelViewSet):
        model = Article
        lookup_field = "slug"  # Use slug instead of id

    api = BoltAPI()
    api.viewset("/articles")(ArticleViewSet)
    client = TestClient(api)
    Article.objects.create(title="Hello", slug="hello-world")
    assert client.get("/articles/hello-world").json()["title"] == "Hello"
    assert client.get("/articles/nope").status_code == 404
    assert client.patch("/articles/hello-world", json={"title": "Hi"}).json()["title"] == "Hi"


def test_async_orm_operations_in_overridden_methods() -> None:
    """The chapter's ``get``/``post`` handlers with Django's async ORM (``api.view``)."""

    class ArticleViewSet(ModelViewSet):
        model = Article

        async def get(self, request, article_id: int):
            article = await Article.objects.aget(id=article_id)
            return {"id": article.id, "title": article.title, "content": article.content}

        async def post(self, request, data):
            """Custom create with async ORM (as written in the guide: ``data`` unannotated)."""
            article = await Article.objects.acreate(
                title=data.title, content=data.content, author=data.author
            )
            return {"id": article.id, "created": True}

    api = BoltAPI()
    api.view("/articles/{article_id}", ArticleViewSet)
    api.view("/articles", ArticleViewSet)
    client = TestClient(api)
    created = client.post("/articles", json={"title": "T", "content": "C", "author": "A"})
    assert created.json()["created"] is True
    pk = created.json()["id"]
    assert client.get(f"/articles/{pk}").json() == {"id": pk, "title": "T", "content": "C"}
    assert client.get("/articles/999").status_code == 404
    # the unannotated body was validated with the model's write schema
    bad = client.post("/articles", json={"title": 3})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][:2] == ["body", "title"]
    assert Article.objects.count() == 1


def test_read_only_model_viewset() -> None:
    class ArticleViewSet(ReadOnlyModelViewSet):
        model = Article

    api = BoltAPI()
    api.viewset("/articles")(ArticleViewSet)
    client = TestClient(api)
    row = Article.objects.create(title="R")
    assert [a["title"] for a in client.get("/articles").json()] == ["R"]
    assert client.get(f"/articles/{row.pk}").json()["title"] == "R"
    assert client.post("/articles", json={"title": "x"}).status_code == 405
    assert client.put(f"/articles/{row.pk}", json={"title": "x"}).status_code == 405
    assert client.patch(f"/articles/{row.pk}", json={"title": "x"}).status_code == 405
    assert client.delete(f"/articles/{row.pk}").status_code == 405
    assert Article.objects.get(pk=row.pk).title == "R"


def test_model_viewset_without_model_or_queryset_fails_at_startup() -> None:
    from bolt.exceptions import ImproperlyConfigured

    class Nothing(ModelViewSet):
        pass

    api = BoltAPI()
    with pytest.raises(ImproperlyConfigured, match="needs `queryset"):
        api.viewset("/nothing")(Nothing)  # refused at registration, before any request


def test_mixins_after_viewset_in_the_bases_still_validate_bodies() -> None:
    """The guide writes `class V(ViewSet, ListMixin, ...)`: the mixins must still type the
    request body with the model's schema and the lookup with the model's key type."""

    class ArticleViewSet(ViewSet, ListMixin, RetrieveMixin, CreateMixin):
        queryset = Article.objects.all()

    api = BoltAPI()
    api.viewset("/articles")(ArticleViewSet)
    client = TestClient(api)
    created = client.post("/articles", json={"title": "Ordered"})
    assert created.status_code == 201
    assert created.json()["title"] == "Ordered"
    bad = client.post("/articles", json={"title": 5})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][:2] == ["body", "title"]
    assert client.post("/articles", json={"id": 99, "title": "x"}).status_code == 422
    assert client.get("/articles/abc").status_code == 422
    assert Article.objects.count() == 1
