"""The guide's "ModelViewSet Automatic CRUD" chapter, through HTTP."""

from __future__ import annotations

import msgspec
import pytest

from bolt import BoltAPI, ModelViewSet
from bolt.testing import TestClient
from tests.plugins.crud.schemas import ArticleCreateSchema, ArticleSchema
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


def make_api() -> BoltAPI:
    api = BoltAPI()

    @api.viewset("/articles")
    class ArticleViewSet(ModelViewSet):
        queryset = Article.objects.all()
        serializer_class = ArticleSchema
        create_serializer_class = ArticleCreateSchema
        update_serializer_class = ArticleCreateSchema
        lookup_field = "id"

    return api


@pytest.fixture
def client() -> TestClient:
    return TestClient(make_api())


def test_zero_boilerplate_crud(client: TestClient) -> None:
    created = client.post("/articles", json={"title": "Hello", "content": "World", "author": "ann"})
    assert created.status_code == 201
    body = created.json()
    assert body["title"] == "Hello"
    assert body["status"] == "draft"
    assert body["created_at"]
    pk = body["id"]
    assert Article.objects.filter(pk=pk, title="Hello").exists()

    listed = client.get("/articles")
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()] == [pk]

    got = client.get(f"/articles/{pk}")
    assert got.status_code == 200
    assert got.json() == body

    put = client.put(
        f"/articles/{pk}",
        json={"title": "Hi", "content": "There", "author": "bob", "status": "published"},
    )
    assert put.status_code == 200
    assert put.json()["title"] == "Hi"
    assert put.json()["status"] == "published"

    patched = client.patch(f"/articles/{pk}", json={"content": "Only this"})
    assert patched.status_code == 200
    assert patched.json()["content"] == "Only this"
    assert patched.json()["title"] == "Hi"
    row = Article.objects.get(pk=pk)
    assert (row.title, row.content, row.author) == ("Hi", "Only this", "bob")

    deleted = client.delete(f"/articles/{pk}")
    assert deleted.status_code == 200
    assert deleted.json() == {"deleted": True}
    assert not Article.objects.filter(pk=pk).exists()


def test_double_delete_is_200_then_404(client: TestClient) -> None:
    pk = Article.objects.create(title="x").pk
    assert client.delete(f"/articles/{pk}").status_code == 200
    second = client.delete(f"/articles/{pk}")
    assert second.status_code == 404
    assert second.json() == {"detail": "Article not found"}


def test_missing_objects_are_404(client: TestClient) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        body = {"title": "t", "content": "x", "author": "a"}
        response = client.request(method, "/articles/424242", json=body)
        assert response.status_code == 404, method
        assert response.json() == {"detail": "Article not found"}
    assert client.get("/articles/99999999999999999999").status_code in (404, 422)
    assert client.get("/articles/abc").status_code == 422
    assert Article.objects.count() == 0


def test_patch_changes_only_present_fields_and_null_is_not_absent(client: TestClient) -> None:
    row = Article.objects.create(title="T", content="C", author="A")
    assert client.patch(f"/articles/{row.pk}", json={}).status_code == 200
    row.refresh_from_db()
    assert (row.title, row.content, row.author) == ("T", "C", "A")
    # null for a non-nullable column is refused, not treated as "absent"
    response = client.patch(f"/articles/{row.pk}", json={"title": None})
    assert response.status_code == 422
    row.refresh_from_db()
    assert row.title == "T"


def test_body_validation_happens_before_any_write(client: TestClient) -> None:
    missing = client.post("/articles", json={"title": "no content"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "content"]
    wrong_type = client.post("/articles", json={"title": 1, "content": "c", "author": "a"})
    assert wrong_type.status_code == 422
    unknown = client.post("/articles", json={"title": "t", "content": "c", "author": "a", "id": 77})
    assert unknown.status_code == 422
    too_long = client.post("/articles", json={"title": "x" * 201, "content": "c", "author": "a"})
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["body", "title"]
    nul = client.post("/articles", json={"title": "a\u0000b", "content": "c", "author": "a"})
    assert nul.status_code == 422
    assert Article.objects.count() == 0


def test_id_in_body_is_never_written(client: TestClient) -> None:
    row = Article.objects.create(title="T", content="C", author="A")
    response = client.put(
        f"/articles/{row.pk}",
        json={"id": row.pk + 100, "title": "T2", "content": "C", "author": "A"},
    )
    assert response.status_code == 422
    assert Article.objects.get(pk=row.pk).title == "T"
    assert not Article.objects.filter(pk=row.pk + 100).exists()


def test_model_derived_write_schema_never_writes_account_flags() -> None:
    """``queryset = User.objects.all()`` and no serializer: the body may not set
    ``is_staff``/``is_superuser``/``last_login`` (only a declared write schema can)."""
    from django.contrib.auth.models import User

    class UserViewSet(ModelViewSet):
        queryset = User.objects.all()

    class StaffIn(msgspec.Struct):
        username: str
        is_staff: bool = False

    class StaffViewSet(ModelViewSet):
        queryset = User.objects.all()
        create_serializer_class = StaffIn

    api = BoltAPI()
    api.viewset("/users")(UserViewSet)
    api.viewset("/staff")(StaffViewSet)
    client = TestClient(api)
    for flag in ("is_superuser", "is_staff", "last_login"):
        value = "2020-01-01T00:00:00Z" if flag == "last_login" else True
        refused = client.post("/users", json={"username": "eve", flag: value})
        assert refused.status_code == 422, flag
        assert refused.json()["detail"][0]["msg"] == f"Object contains unknown field `{flag}`"
    assert not User.objects.exists()
    created = client.post("/users", json={"username": "eve"})
    assert created.status_code == 201
    assert created.json()["is_superuser"] is False
    pk = created.json()["id"]
    assert client.patch(f"/users/{pk}", json={"is_superuser": True}).status_code == 422
    assert client.put(f"/users/{pk}", json={"username": "eve", "is_staff": True}).status_code == 422
    assert (
        User.objects.filter(is_staff=True).count()
        == User.objects.filter(is_superuser=True).count()
        == 0
    )
    # a write schema that names the flag is the explicit way to allow it
    staff = client.post("/staff", json={"username": "root", "is_staff": True})
    assert staff.status_code == 201
    assert User.objects.get(username="root").is_staff is True
