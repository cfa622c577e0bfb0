"""Writes follow the schema ``get_serializer_class()`` chooses for THIS request.

The DRF idiom ``StaffSchema if self.request.user.is_staff else PublicSchema`` cannot be
answered when the routes are registered (there is no request then), so the body of a write
is decoded per request with the schema the class chooses for that caller and action. The
attacker is a plain (non-staff) user who sends the staff-only fields: a 422 naming the field,
and the row read back unchanged.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from bolt import BoltAPI, action
from bolt.auth import IsAuthenticated, JWTAuthentication, create_jwt_for_user
from bolt.exceptions import ImproperlyConfigured
from bolt.params import Body
from bolt.testing import TestClient
from bolt.views import ModelViewSet, ViewSet
from tests.testapp.models import Article, Post

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class PublicArticle(msgspec.Struct, kw_only=True):
    id: int
    title: str
    content: str = ""


class StaffArticle(msgspec.Struct, kw_only=True):
    id: int
    title: str
    content: str = ""
    status: str = "draft"
    author: str = ""


class StaffEdit(msgspec.Struct, kw_only=True):
    """A wide body type a custom action declares for itself."""

    title: str
    content: str = ""
    status: str = "draft"
    author: str = ""


class ByUser(ModelViewSet):
    """The DRF idiom: the Django user decides (``request.user`` loads it from the database)."""

    queryset = Article.objects.all()
    auth = [JWTAuthentication()]
    guards = [IsAuthenticated()]

    def get_serializer_class(self, action: str | None = None) -> Any:
        return StaffArticle if self.request.user.is_staff else PublicArticle


class ByAuth(ModelViewSet):
    """The token's claims decide; an anonymous probe would have chosen the public schema."""

    queryset = Article.objects.all()
    serializer_class = StaffArticle
    auth = [JWTAuthentication()]
    guards = [IsAuthenticated()]

    def get_serializer_class(self, action: str | None = None) -> Any:
        auth = self.request.auth
        return StaffArticle if auth is not None and auth.get("is_staff") else PublicArticle


class ByClaim(ModelViewSet):
    """Fails without a request (``None["is_staff"]``): the old fallback was the widest schema."""

    queryset = Article.objects.all()
    serializer_class = StaffArticle
    auth = [JWTAuthentication()]
    guards = [IsAuthenticated()]

    def get_serializer_class(self, action: str | None = None) -> Any:
        return StaffArticle if self.request.auth["is_staff"] else PublicArticle

    @action(methods=["POST"], detail=True)
    async def retitle(self, request: Any, pk: int, data: Any = Body()) -> Any:
        """A custom action handing a free-form body to the mixins' write helper."""
        instance = await self.get_object()
        return await self.update_object(instance, data, partial=True)

    @action(methods=["GET"], detail=True)
    async def peek(self, request: Any, pk: int):  # no declared schema: the caller's is used
        return await self.get_object()

    @action(methods=["GET"], detail=False)
    def everything(self, request: Any):  # a sync handler returning a queryset
        return Article.objects.order_by("pk")

    @action(methods=["POST"], detail=True, path="edit")
    async def edit(self, request: Any, pk: int, data: StaffEdit) -> Any:
        """A custom action whose body type is the wide schema, declared statically."""
        instance = await self.get_object()
        return await self.update_object(instance, data, partial=False)


PATHS = ("/by-user", "/by-auth", "/by-claim")


@pytest.fixture
def client() -> Any:
    api = BoltAPI()
    api.viewset("/by-user")(ByUser)
    api.viewset("/by-auth")(ByAuth)
    api.viewset("/by-claim")(ByClaim)
    c = TestClient(api)
    yield c
    c.close()


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", password="pw-alice-123")


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("sam", password="pw", is_staff=True)


@pytest.fixture
def plain(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_jwt_for_user(user)}"}


@pytest.fixture
def staffer(staff: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_jwt_for_user(staff)}"}


def unknown(field: str) -> dict[str, Any]:
    return {
        "loc": ["body"],
        "msg": f"Object contains unknown field `{field}`",
        "type": "value_error",
    }


def snapshot(pk: int) -> tuple[Any, ...]:
    row = Article.objects.get(pk=pk)
    return (row.title, row.content, row.status, row.author, row.slug)


@pytest.mark.parametrize("path", PATHS)
def test_plain_user_cannot_create_with_staff_fields(client: Any, plain: Any, path: str) -> None:
    for field, value in (("status", "published"), ("author", "someone-else")):
        r = client.post(path, json={"title": "t", field: value}, headers=plain)
        assert r.status_code == 422, (path, field, r.text)
        assert r.json() == {"detail": [unknown(field)]}
    assert not Article.objects.exists()
    made = client.post(path, json={"title": "t", "content": "c"}, headers=plain)
    assert made.status_code == 201, made.text
    assert made.json() == {"id": made.json()["id"], "title": "t", "content": "c"}
    assert snapshot(made.json()["id"]) == ("t", "c", "draft", "", None)


@pytest.mark.parametrize("path", PATHS)
def test_plain_user_cannot_put_or_patch_staff_fields(client: Any, plain: Any, path: str) -> None:
    pk = Article.objects.create(title="T", content="C", status="draft", author="ann").pk
    before = snapshot(pk)
    put = client.put(f"{path}/{pk}", json={"title": "x", "status": "published"}, headers=plain)
    assert put.status_code == 422, put.text
    assert put.json() == {"detail": [unknown("status")]}
    patch = client.patch(f"{path}/{pk}", json={"author": "mallory"}, headers=plain)
    assert patch.status_code == 422, patch.text
    assert patch.json() == {"detail": [unknown("author")]}
    assert snapshot(pk) == before
    ok = client.patch(f"{path}/{pk}", json={"title": "New"}, headers=plain)
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"id": pk, "title": "New", "content": "C"}
    assert snapshot(pk) == ("New", "C", "draft", "ann", None)


@pytest.mark.parametrize("path", PATHS)
def test_staff_writes_and_reads_the_staff_schema(client: Any, staffer: Any, path: str) -> None:
    made = client.post(path, json={"title": "t", "status": "published"}, headers=staffer)
    assert made.status_code == 201, made.text
    pk = made.json()["id"]
    assert made.json() == {"id": pk, "title": "t", "content": "", "status": "published",
                           "author": ""}  # fmt: skip
    patched = client.patch(f"{path}/{pk}", json={"author": "sam"}, headers=staffer)
    assert patched.status_code == 200, patched.text
    assert snapshot(pk) == ("t", "", "published", "sam", None)
    assert set(client.get(f"{path}/{pk}", headers=staffer).json()) == set(
        StaffArticle.__struct_fields__
    )
    assert set(client.get(path, headers=staffer).json()[0]) == set(StaffArticle.__struct_fields__)


@pytest.mark.parametrize("path", PATHS)
def test_reads_use_the_callers_schema(client: Any, plain: Any, path: str) -> None:
    pk = Article.objects.create(title="T", status="secret-status").pk
    for url in (path, f"{path}/{pk}"):
        r = client.get(url, headers=plain)
        assert r.status_code == 200, (url, r.text)
        row = r.json()[0] if url == path else r.json()
        assert row == {"id": pk, "title": "T", "content": ""}


@pytest.mark.parametrize("path", PATHS)
def test_id_in_the_body_never_moves_the_row(
    client: Any, plain: Any, staffer: Any, path: str
) -> None:
    a = Article.objects.create(title="A").pk
    b = Article.objects.create(title="B").pk
    for headers in (plain, staffer):
        for method in ("PUT", "PATCH"):
            r = client.request(method, f"{path}/{a}", json={"id": b, "title": "X"},
                               headers=headers)  # fmt: skip
            assert r.status_code == 422, (method, r.text)
            assert r.json() == {"detail": [unknown("id")]}
    assert Article.objects.get(pk=a).title == "A"
    assert Article.objects.get(pk=b).title == "B"
    assert Article.objects.count() == 2


def test_custom_action_writes_only_the_chosen_schema(client: Any, plain: Any, staffer: Any) -> None:
    pk = Article.objects.create(title="T", status="draft").pk
    r = client.post(f"/by-claim/{pk}/retitle", json={"title": "x", "status": "live"},
                    headers=plain)  # fmt: skip
    assert r.status_code == 422, r.text
    assert r.json() == {"detail": [unknown("status")]}
    wide = client.post(f"/by-claim/{pk}/edit", json={"title": "y", "status": "live"},
                       headers=plain)  # fmt: skip
    assert wide.status_code == 422, wide.text
    assert wide.json() == {"detail": [unknown("status")]}
    assert snapshot(pk) == ("T", "", "draft", "", None)
    # the statically wide body type still writes nothing the caller's schema lacks: its
    # defaults (status="draft", author="") are not sent, so they are not written either
    Article.objects.filter(pk=pk).update(author="kept")
    ok = client.post(f"/by-claim/{pk}/edit", json={"title": "y"}, headers=plain)
    assert ok.status_code == 200, ok.text
    assert snapshot(pk) == ("y", "", "draft", "kept", None)
    staff_ok = client.post(f"/by-claim/{pk}/retitle", json={"status": "live"}, headers=staffer)
    assert staff_ok.status_code == 200, staff_ok.text
    assert snapshot(pk)[2] == "live"


def test_write_schema_decoders_are_built_once_per_schema(client: Any, plain: Any) -> None:
    """Per-request choice, per-schema work: the second request builds nothing new."""
    from bolt_plugins.crud import generics as mixins

    client.post("/by-auth", json={"title": "a"}, headers=plain)
    built = set(mixins.BODY_DECODERS)
    assert built
    for _ in range(3):
        assert client.post("/by-auth", json={"title": "a"}, headers=plain).status_code == 201
    assert set(mixins.BODY_DECODERS) == built


class PostOut(msgspec.Struct):
    id: int
    title: str
    slug: str
    author_id: int


class PostIn(msgspec.Struct):
    title: str
    slug: str
    author: int = 0


def test_read_only_fields_are_refused_in_bodies(user: Any, staff: Any, plain: Any) -> None:
    """``read_only_fields = ("author",)``: the owner comes from the request, never the body."""

    class Posts(ModelViewSet):
        queryset = Post.objects.all()
        serializer_class = PostOut
        create_serializer_class = PostIn
        read_only_fields = ("author",)
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        def perform_create(self, instance: Any) -> None:
            instance.author_id = self.request.auth["user_id"]
            instance.save(force_insert=True)

    api = BoltAPI()
    api.viewset("/posts")(Posts)
    with TestClient(api) as c:
        r = c.post("/posts", json={"title": "t", "slug": "s", "author": staff.pk}, headers=plain)
        assert r.status_code == 422, r.text
        assert r.json() == {"detail": [unknown("author")]}
        assert not Post.objects.exists()
        made = c.post("/posts", json={"title": "t", "slug": "s"}, headers=plain)
        assert made.status_code == 201, made.text
        pk = made.json()["id"]
        moved = c.patch(f"/posts/{pk}", json={"author": staff.pk}, headers=plain)
        assert moved.status_code == 422, moved.text
        assert Post.objects.get(pk=pk).author_id == user.pk


def test_read_only_fields_must_name_model_fields() -> None:
    class Typo(ModelViewSet):
        queryset = Post.objects.all()
        read_only_fields = ("auther",)

    api = BoltAPI()
    with pytest.raises(ImproperlyConfigured, match=r"read_only_fields names 'auther'"):
        api.viewset("/posts")(Typo)


def test_async_get_serializer_class_is_refused_at_startup() -> None:
    """It is called from plain code on every request: a coroutine would be a schema nobody
    checked, so the class is refused with what to do instead."""

    class Async(ModelViewSet):
        queryset = Article.objects.all()

        async def get_serializer_class(self, action: str | None = None) -> Any:
            return PublicArticle

    api = BoltAPI()
    with pytest.raises(ImproperlyConfigured, match=r"get_serializer_class\(\) is `async def`"):
        api.viewset("/articles")(Async)


def test_openapi_documents_a_per_request_view(client: Any) -> None:
    doc = client.get("/openapi.json")
    assert doc.status_code == 200, doc.text
    assert "/by-user" in doc.json()["paths"]
    assert "post" in doc.json()["paths"]["/by-claim"]


def test_custom_handlers_returning_models_answer_with_the_callers_schema(
    client: Any, plain: Any, staffer: Any
) -> None:
    pk = Article.objects.create(title="T", status="secret", author="ann").pk
    peek = client.get(f"/by-claim/{pk}/peek", headers=plain)
    assert peek.status_code == 200, peek.text
    assert peek.json() == {"id": pk, "title": "T", "content": ""}
    listed = client.get("/by-claim/everything", headers=plain)
    assert listed.json() == [{"id": pk, "title": "T", "content": ""}]
    staff_peek = client.get(f"/by-claim/{pk}/peek", headers=staffer).json()
    assert (staff_peek["status"], staff_peek["author"]) == ("secret", "ann")


class PlainByUser(ViewSet):
    """A plain ``ViewSet`` (no CRUD mixins) with the same per-request choice: its own
    handlers return models and querysets and declare no schema."""

    queryset = Article.objects.all()
    auth = [JWTAuthentication()]
    guards = [IsAuthenticated()]

    def get_serializer_class(self, action: str | None = None) -> Any:
        return StaffArticle if self.request.user.is_staff else PublicArticle

    async def list(self, request: Any):
        return await self.filter_queryset(await self.get_queryset())

    async def retrieve(self, request: Any, pk: int):
        return await self.get_object(pk)


def test_plain_viewset_handlers_answer_with_the_callers_schema(plain: Any, staffer: Any) -> None:
    """The widest schema (what the class answers without a request) never reaches a plain
    user through a plain ViewSet's own handlers either."""
    pk = Article.objects.create(title="T", status="secret", author="ann").pk
    api = BoltAPI()
    api.viewset("/plain")(PlainByUser)
    with TestClient(api) as c:
        public = {"id": pk, "title": "T", "content": ""}
        assert c.get(f"/plain/{pk}", headers=plain).json() == public
        assert c.get("/plain", headers=plain).json() == [public]
        staff = c.get(f"/plain/{pk}", headers=staffer).json()
        assert (staff["status"], staff["author"]) == ("secret", "ann")
        assert c.get("/plain/999999", headers=plain).json() == {"detail": "Article not found"}


def test_a_write_asks_for_its_schema_once(plain: Any, user: Any) -> None:
    """The schema chosen to decode the body is the one the write helpers check against:
    ``get_serializer_class()`` is asked once for the write action (and once for the answer)."""
    asked: list[str | None] = []

    class Counting(ModelViewSet):
        queryset = Article.objects.all()
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        def get_serializer_class(self, action: str | None = None) -> Any:
            asked.append(action)
            return PublicArticle if self.request.auth is not None else StaffArticle

    api = BoltAPI()
    api.viewset("/counting")(Counting)
    with TestClient(api) as c:
        c.get("/counting", headers=plain)  # compile and warm up
        asked.clear()
        made = c.post("/counting", json={"title": "t"}, headers=plain)
        assert made.status_code == 201, made.text
        assert asked.count("create") == 1, asked
        asked.clear()
        pk = made.json()["id"]
        assert c.patch(f"/counting/{pk}", json={"title": "u"}, headers=plain).status_code == 200
        assert asked.count("partial_update") == 1, asked
