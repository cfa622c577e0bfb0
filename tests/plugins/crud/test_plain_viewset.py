"""A plain ``ViewSet`` (``bolt.views.ViewSet``: the routing ViewSet plus the CRUD plugin's
``GenericView``) with handlers of its own.

Its handlers keep what they were written against: an untyped ``data`` is the JSON body as
sent, its own query parameters are its own, and the OpenAPI document does not claim an
answer the handler never promised. What protects data still holds for it: the write helpers
refuse fields outside the schema, bad lookups are 404s, and the CRUD mixins behave the same
whichever side of the bases they are written on. An overridden ``check_object_permissions``
runs on every read of one object.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from bolt import BoltAPI
from bolt.exceptions import Forbidden, ImproperlyConfigured
from bolt.params import Body
from bolt.testing import TestClient
from bolt.views import (
    APIView,
    CreateMixin,
    ListMixin,
    ReadOnlyModelViewSet,
    RetrieveMixin,
    UpdateMixin,
    ViewSet,
)
from bolt_plugins.viewsets import ViewSet as RoutingViewSet
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class Pub(msgspec.Struct):
    id: int
    title: str


class Notes(ViewSet):
    """The guide's shape: a queryset, and handlers that build their own answers."""

    queryset = Article.objects.all()

    async def list(self, request: Any, ordering: str = "-id"):
        queryset = await self.filter_queryset(await self.get_queryset())
        order = "title" if ordering == "title" else "-id"
        return [{"id": a.id, "name": a.title} async for a in queryset.order_by(order)]

    async def create(self, request: Any, data):
        row = await Article.objects.acreate(title=data["title"])
        return {"id": row.id, "tags": data.get("tags", [])}

    async def partial_update(self, request: Any, pk: int, data):
        row = await self.get_object(pk)
        row.title = data["title"]
        await row.asave()
        return {"id": row.id, "name": row.title}

    async def retrieve(self, request: Any, pk):
        row = await self.get_object(pk)
        return {"id": row.id, "name": row.title}


@pytest.fixture
def notes() -> TestClient:
    api = BoltAPI()
    api.viewset("/notes")(Notes)
    return TestClient(api)


def test_untyped_data_of_a_plain_viewset_handler_is_the_json_body(notes: TestClient) -> None:
    """Not the model's write Struct: ``data["title"]`` works and keys the model lacks arrive."""
    made = notes.post("/notes", json={"title": "hello", "tags": ["a"]})
    assert made.status_code == 201, made.text
    pk = made.json()["id"]
    assert made.json() == {"id": pk, "tags": ["a"]}
    changed = notes.patch(f"/notes/{pk}", json={"title": "bye"})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"id": pk, "name": "bye"}


def test_a_plain_viewset_handler_owns_its_query_parameters(notes: TestClient) -> None:
    """No whitelist declared: ``filter_queryset`` leaves the query string to the handler."""
    for title in ("a", "b"):
        Article.objects.create(title=title)
    listed = notes.get("/notes?ordering=title")
    assert listed.status_code == 200, listed.text
    assert [row["name"] for row in listed.json()] == ["a", "b"]
    other = notes.get("/notes?ordering=password&search=zzz&status=x")
    assert other.status_code == 200, other.text
    assert [row["name"] for row in other.json()] == ["b", "a"]


def test_declared_whitelists_still_apply_to_a_plain_viewset() -> None:
    """Declaring ``ordering_fields`` (or a default ``ordering``) opts the handler in."""

    class Ordered(ViewSet):
        queryset = Article.objects.all()
        ordering_fields = ["title"]
        ordering = "-title"

        async def list(self, request: Any):
            queryset = await self.filter_queryset(await self.get_queryset())
            return [a.title async for a in queryset]

    for title in ("b", "a", "c"):
        Article.objects.create(title=title)
    api = BoltAPI()
    api.viewset("/ordered")(Ordered)
    client = TestClient(api)
    assert client.get("/ordered").json() == ["c", "b", "a"]
    assert client.get("/ordered?ordering=title").json() == ["a", "b", "c"]
    refused = client.get("/ordered?ordering=password")
    assert refused.status_code == 400
    assert refused.json() == {"detail": "Cannot order by 'password'; allowed: title"}


def test_plain_viewset_writes_through_the_helpers_refuse_fields_outside_the_schema() -> None:
    """An untyped ``data`` handed to ``create_object``/``update_object`` is checked against
    the write schema: nothing is written when it names another field."""

    class Edit(msgspec.Struct):
        title: str

    class Guarded(ViewSet):
        queryset = Article.objects.all()
        serializer_class = Pub
        create_serializer_class = Edit

        async def create(self, request: Any, data):
            return await self.create_object(data)

        async def partial_update(self, request: Any, pk: int, data):
            return await self.update_object(await self.get_object(pk), data, partial=True)

    api = BoltAPI()
    api.viewset("/guarded")(Guarded)
    client = TestClient(api)
    refused = client.post("/guarded", json={"title": "x", "status": "published"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == "Object contains unknown field `status`"
    assert not Article.objects.exists()
    made = client.post("/guarded", json={"title": "x"})
    assert made.status_code == 201, made.text
    pk = made.json()["id"]
    assert client.patch(f"/guarded/{pk}", json={"author": "eve"}).status_code == 422
    assert Article.objects.get(pk=pk).author == ""


def test_plain_viewset_bad_input_is_a_clean_error(notes: TestClient) -> None:
    pk = Article.objects.create(title="t").pk
    for bad in ("abc", "9" * 30, "-1", "1.5", "1e3"):
        missing = notes.get(f"/notes/{bad}")
        assert missing.status_code == 404, (bad, missing.text)
        assert missing.json() == {"detail": "Article not found"}
    assert notes.get(f"/notes/{pk}").json() == {"id": pk, "name": "t"}
    assert (
        notes.post("/notes", content=b"{", headers={"content-type": "application/json"}).status_code
        == 400
    )


def test_plain_viewset_openapi_documents_what_its_handlers_declare(notes: TestClient) -> None:
    """Handlers with no return annotation and an untyped body: the document does not claim
    the model's schema (every field of the model) for them."""
    doc = notes.get("/openapi.json").json()
    listed = doc["paths"]["/notes"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"] == {}
    created = doc["paths"]["/notes"]["post"]
    assert created["requestBody"]["content"]["application/json"]["schema"] == {}
    assert created["responses"]["201"]["content"]["application/json"]["schema"] == {}
    assert "ArticleSchema" not in doc.get("components", {}).get("schemas", {})
    assert "ArticleSchemaWrite" not in doc.get("components", {}).get("schemas", {})
    params = {p["name"] for p in doc["paths"]["/notes"]["get"].get("parameters", [])}
    assert params == {"ordering"}


class Secretive(ReadOnlyModelViewSet):
    """DRF's way: object permissions in an overridden ``check_object_permissions``."""

    queryset = Article.objects.all()
    serializer_class = Pub

    async def check_object_permissions(self, obj: Any) -> None:
        if obj.status == "secret":
            raise Forbidden(detail="Not yours")
        await super().check_object_permissions(obj)


def test_an_overridden_check_object_permissions_runs_on_every_retrieve() -> None:
    """The prepared (compiled SQL) retrieve never loads a model instance, so it cannot run
    the class's own check: a class that overrides it reads the ordinary way."""
    secret = Article.objects.create(title="s", status="secret").pk
    public = Article.objects.create(title="p").pk
    api = BoltAPI()
    api.viewset("/secretive")(Secretive)
    client = TestClient(api)
    for _ in range(3):  # the prepared path takes over after the first reads
        refused = client.get(f"/secretive/{secret}")
        assert refused.status_code == 403, refused.text
        assert refused.json() == {"detail": "Not yours"}
        assert client.get(f"/secretive/{public}").json() == {"id": public, "title": "p"}


BASES = [
    pytest.param((ViewSet, ListMixin, RetrieveMixin, CreateMixin, UpdateMixin), id="viewset-first"),
    pytest.param((ListMixin, RetrieveMixin, CreateMixin, UpdateMixin, ViewSet), id="mixins-first"),
    pytest.param(
        (RoutingViewSet, ListMixin, RetrieveMixin, CreateMixin, UpdateMixin), id="routing-first"
    ),
]


@pytest.mark.parametrize("bases", BASES)
def test_mixins_behave_alike_whatever_the_order_of_the_bases(bases: tuple[type, ...]) -> None:
    attrs = {"queryset": Article.objects.all(), "serializer_class": Pub, "__module__": __name__}
    view = type("Articles", bases, attrs)
    api = BoltAPI()
    api.viewset("/articles")(view)
    client = TestClient(api)
    pk = Article.objects.create(title="t", status="secret").pk
    assert client.get("/articles").json() == [{"id": pk, "title": "t"}]
    assert client.get(f"/articles/{pk}").json() == {"id": pk, "title": "t"}
    assert client.get("/articles/abc").status_code == 422
    assert client.get("/articles/999999").json() == {"detail": "Article not found"}
    refused = client.post("/articles", json={"title": "n", "status": "published"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == "Object contains unknown field `status`"
    made = client.post("/articles", json={"title": "n"})
    assert made.status_code == 201
    assert made.json() == {"id": made.json()["id"], "title": "n"}
    assert client.put(f"/articles/{pk}", json={"title": "u"}).json() == {"id": pk, "title": "u"}
    assert client.put(f"/articles/{pk}", json={"title": "u", "author": "x"}).status_code == 422
    assert Article.objects.get(pk=pk).author == ""
    doc = client.get("/openapi.json").json()
    body = doc["paths"]["/articles"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] != {}


@pytest.mark.parametrize(
    "bases", [(APIView, ListMixin, CreateMixin), (ListMixin, CreateMixin, APIView)]
)
def test_apiview_with_mixins_lists_and_creates_through_the_write_schema(
    bases: tuple[type, ...],
) -> None:
    attrs = {"queryset": Article.objects.all(), "serializer_class": Pub, "__module__": __name__}
    view = type("Articles", bases, attrs)
    api = BoltAPI()
    api.view("/articles")(view)
    client = TestClient(api)
    refused = client.post("/articles", json={"title": "n", "status": "published"})
    assert refused.status_code == 422
    made = client.post("/articles", json={"title": "n"})
    assert made.status_code == 201, made.text
    assert client.get("/articles").json() == [made.json()]


@pytest.mark.parametrize("ordering", ["-nope", ["title", "author__name"]])
def test_a_default_ordering_naming_a_missing_field_fails_at_startup(ordering: Any) -> None:
    """Not a 500 on every list request once filtering applies (to a plain ViewSet too)."""

    class Broken(ViewSet):
        queryset = Article.objects.all()

        async def list(self, request: Any):
            return [a.id async for a in await self.filter_queryset(await self.get_queryset())]

    Broken.ordering = ordering
    api = BoltAPI()
    api.viewset("/broken")(Broken)
    with pytest.raises(ImproperlyConfigured, match=r"nope|author__name"):
        api.compile()


def test_a_default_ordering_may_be_random_or_by_pk() -> None:
    class Shuffled(ViewSet):
        queryset = Article.objects.all()
        ordering = ["?", "-pk"]

        async def list(self, request: Any):
            return [a.id async for a in await self.filter_queryset(await self.get_queryset())]

    pk = Article.objects.create(title="t").pk
    api = BoltAPI()
    api.viewset("/shuffled")(Shuffled)
    assert TestClient(api).get("/shuffled").json() == [pk]


def test_values_of_a_dict_written_through_the_helpers_are_type_checked() -> None:
    """A dict handed to ``create_object``/``update_object`` has its values checked against the
    write schema's types, as a decoded body is: a list for a text field is a 422 naming it,
    never stored as its string form."""

    class Edit(msgspec.Struct):
        title: str
        content: str = ""

    class Loose(ViewSet):
        queryset = Article.objects.all()
        serializer_class = Pub
        create_serializer_class = Edit

        async def create(self, request: Any, data):
            return await self.create_object(data)

        async def partial_update(self, request: Any, pk: int, data):
            return await self.update_object(await self.get_object(pk), data, partial=True)

    api = BoltAPI()
    api.viewset("/loose")(Loose)
    client = TestClient(api)
    refused = client.post("/loose", json={"title": ["a", "b"], "content": {"x": 1}})
    assert refused.status_code == 422, refused.text
    assert [e["loc"] for e in refused.json()["detail"]] == [["body", "title"], ["body", "content"]]
    assert not Article.objects.exists()
    made = client.post("/loose", json={"title": "x"})
    assert made.status_code == 201, made.text
    pk = made.json()["id"]
    patched = client.patch(f"/loose/{pk}", json={"title": 5})
    assert patched.status_code == 422, patched.text
    assert patched.json()["detail"][0]["loc"] == ["body", "title"]
    assert Article.objects.get(pk=pk).title == "x"
    assert client.patch(f"/loose/{pk}", json={"title": "y"}).json()["title"] == "y"


def test_a_dict_with_unset_values_writes_only_what_was_sent() -> None:
    """A dict built from a partial Struct (``msgspec.structs.asdict``) carries ``UNSET`` for the
    fields not sent: they are neither checked nor written."""

    class Edit(msgspec.Struct):
        title: str
        content: str = ""

    class AsDict(ViewSet):
        queryset = Article.objects.all()
        serializer_class = Pub
        update_serializer_class = Edit

        async def partial_update(self, request: Any, pk: int, data: Any = Body()):
            obj = await self.get_object(pk)
            sent = {"title": msgspec.UNSET, "content": msgspec.UNSET, **data}  # as asdict() gives
            return await self.update_object(obj, sent, partial=True)

    pk = Article.objects.create(title="a", content="keep").pk
    api = BoltAPI()
    api.viewset("/asdict")(AsDict)
    with TestClient(api) as client:
        r = client.patch(f"/asdict/{pk}", json={"title": "b"})
    assert r.status_code == 200, r.text
    assert (Article.objects.get(pk=pk).title, Article.objects.get(pk=pk).content) == ("b", "keep")
