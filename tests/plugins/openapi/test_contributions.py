"""What each first-party plugin contributes to an operation, through the public hook.

Every test builds an API, reads its document over HTTP, and then calls the routes to check
that the answers have the documented statuses and shapes (validated with the document's own
schemas): the document is derived from the routes that serve, so it cannot drift from them.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bolt import ModelViewSet, hookimpl
from bolt.auth import IsAuthenticatedOrReadOnly, JWTAuthentication
from bolt.middleware import rate_limit
from bolt.pagination import LimitOffsetPagination, PageNumberPagination
from bolt.params import File, Form, UploadFile
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]
SECRET = "a-test-secret-that-is-long-enough-for-hs256-xyz"


def check_answer(doc: dict[str, Any], path: str, method: str, response: Any) -> None:
    """The response's status is documented for the operation and its body matches."""
    op = doc["paths"][path][method]
    status = str(response.status_code)
    assert status in op["responses"], (method, path, status, sorted(op["responses"]))
    content = op["responses"][status].get("content")
    if not content or not response.content:
        return
    schema = content["application/json"]["schema"]
    registry = Registry().with_resource("urn:doc", Resource.from_contents(doc, DRAFT202012))
    Draft202012Validator(_rebase(schema), registry=registry).validate(response.json())


def _rebase(schema: Any) -> Any:
    """Point ``#/components/...`` references at the stored document."""
    if isinstance(schema, dict):
        return {
            k: ("urn:doc" + v if k == "$ref" and v.startswith("#/") else _rebase(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


class Point(msgspec.Struct):
    x: int
    y: int


class ArticleOut(msgspec.Struct):
    id: int
    title: str
    status: str
    slug: str | None = None


class ArticleIn(msgspec.Struct):
    title: str
    slug: str | None = None


class ArticleViewSet(ModelViewSet):
    queryset = Article.objects.all()
    serializer_class = ArticleOut
    create_serializer_class = ArticleIn
    pagination_class = PageNumberPagination
    filterset_fields = {"status": ["exact", "in"], "title": ["icontains"]}
    search_fields = ["title"]
    ordering_fields = ["title", "created_at"]


def test_writes_document_the_read_schema_they_answer(make_api, fetch_doc, client_for) -> None:
    api = make_api("viewsets", "crud")
    api.viewset("/articles", ArticleViewSet)
    doc = fetch_doc(api)
    out_ref = {"$ref": "#/components/schemas/ArticleOut"}
    post = doc["paths"]["/articles"]["post"]
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == out_ref
    body_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body_ref.startswith("#/components/schemas/ArticleIn")
    for method in ("put", "patch"):
        op = doc["paths"]["/articles/{pk}"][method]
        assert op["responses"]["200"]["content"]["application/json"]["schema"] == out_ref
    client = client_for(api)
    created = client.post("/articles", json={"title": "Hello", "slug": "hello"})
    check_answer(doc, "/articles", "post", created)
    assert set(created.json()) == {"id", "title", "status", "slug"}
    pk = created.json()["id"]
    check_answer(doc, "/articles/{pk}", "patch", client.patch(f"/articles/{pk}", json={}))
    check_answer(doc, "/articles/{pk}", "get", client.get(f"/articles/{pk}"))
    # the CRUD plugin's error statuses are documented with the error shapes
    dup = client.post("/articles", json={"title": "Again", "slug": "hello"})
    assert dup.status_code == 409
    check_answer(doc, "/articles", "post", dup)
    missing = client.get("/articles/999999")
    assert missing.status_code == 404
    check_answer(doc, "/articles/{pk}", "get", missing)
    bad = client.post("/articles", json={"title": 5})
    assert bad.status_code == 422
    check_answer(doc, "/articles", "post", bad)
    check_answer(doc, "/articles", "post", client.post("/articles", content=b"{"))
    check_answer(
        doc,
        "/articles",
        "post",
        client.post("/articles", content=b"x", headers={"content-type": "text/plain"}),
    )


def test_list_documents_filters_search_ordering_and_the_page(make_api, fetch_doc, client_for):
    api = make_api("viewsets", "crud")
    api.viewset("/articles", ArticleViewSet)
    doc = fetch_doc(api)
    listing = doc["paths"]["/articles"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert set(params) == {
        "status",
        "status__in",
        "title__icontains",
        "search",
        "ordering",
        "page",
        "page_size",
    }
    assert all(p["in"] == "query" and not p["required"] for p in params.values())
    assert params["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000000}
    assert params["page_size"]["schema"]["maximum"] == 100
    assert set(params["ordering"]["schema"]["enum"]) == {
        "title",
        "-title",
        "created_at",
        "-created_at",
    }
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(page["required"]) == {
        "count",
        "page",
        "page_size",
        "total_pages",
        "next",
        "previous",
        "results",
    }
    assert {"400", "422"} <= set(listing["responses"])
    client = client_for(api)
    client.post("/articles", json={"title": "Hello"})
    answer = client.get("/articles", params={"status": "draft", "ordering": "-title"})
    assert answer.status_code == 200
    check_answer(doc, "/articles", "get", answer)
    check_answer(doc, "/articles", "get", client.get("/articles", params={"page": "x"}))
    unknown = client.get("/articles", params={"colour": "red"})
    assert unknown.status_code == 400
    check_answer(doc, "/articles", "get", unknown)


class LimitViewSet(ModelViewSet):
    queryset = Article.objects.all()
    pagination_class = LimitOffsetPagination


def test_limit_offset_envelope(make_api, fetch_doc, client_for) -> None:
    api = make_api("viewsets", "crud")
    api.viewset("/articles", LimitViewSet)
    doc = fetch_doc(api)
    listing = doc["paths"]["/articles"]["get"]
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(page["required"]) == {"count", "limit", "offset", "results"}
    check_answer(doc, "/articles", "get", client_for(api).get("/articles"))


class PublicReads(ModelViewSet):
    queryset = Article.objects.all()
    serializer_class = ArticleOut
    auth = [JWTAuthentication(secret=SECRET)]
    guards = [IsAuthenticatedOrReadOnly()]


def test_jwt_viewset_reads_are_public_writes_are_secured(make_api, fetch_doc, client_for):
    api = make_api("viewsets", "crud", "auth", "guards")
    api.viewset("/articles", PublicReads)
    doc = fetch_doc(api)
    paths = doc["paths"]
    for op in (paths["/articles"]["get"], paths["/articles/{pk}"]["get"]):
        assert {} in op["security"], op["security"]
        assert "403" not in op["responses"]
    for op in (
        paths["/articles"]["post"],
        paths["/articles/{pk}"]["put"],
        paths["/articles/{pk}"]["patch"],
        paths["/articles/{pk}"]["delete"],
    ):
        assert op["security"] == [{"jwtAuth": []}]
        assert {"401", "403"} <= set(op["responses"])
    client = client_for(api)
    check_answer(doc, "/articles", "get", client.get("/articles"))
    refused = client.post("/articles", json={"title": "x"})
    assert refused.status_code == 401
    check_answer(doc, "/articles", "post", refused)
    # a bad token is refused on reads too: 401 is documented there as well
    bad = client.get("/articles", headers={"authorization": "Bearer nope"})
    assert bad.status_code == 401
    check_answer(doc, "/articles", "get", bad)


def test_public_route_says_security_is_empty(make_api, fetch_doc) -> None:
    api = make_api("auth", "guards")

    @api.get("/open", auth=[])
    async def open_() -> dict:
        return {}

    doc = fetch_doc(api)
    assert doc["paths"]["/open"]["get"]["security"] == []


def test_rate_limited_route_documents_429_with_retry_after(make_api, fetch_doc, client_for):
    api = make_api("ratelimit")

    @api.get("/slow")
    @rate_limit(rps=0.01, burst=1)
    async def slow() -> dict[str, int]:
        return {"n": 1}

    doc = fetch_doc(api)
    limited = doc["paths"]["/slow"]["get"]["responses"]["429"]
    assert "retry-after" in {k.lower() for k in limited["headers"]}
    client = client_for(api)
    check_answer(doc, "/slow", "get", client.get("/slow"))
    second = client.get("/slow")
    assert second.status_code == 429
    check_answer(doc, "/slow", "get", second)


def test_cors_contributes_nothing(make_api, fetch_doc) -> None:
    def build(*names: str) -> dict[str, Any]:
        api = make_api(*names)

        @api.get("/x")
        async def x() -> dict[str, int]:
            return {"x": 1}

        return fetch_doc(api)["paths"]["/x"]

    assert build("cors") == build()


class ETagPlugin:
    """A third-party conditional-GET plugin that documents its 304 through the hook."""

    @hookimpl
    def bolt_openapi_operation(self, api: Any, route: Any, operation: dict, doc: Any) -> None:
        if route.method == "GET" and route.options.get("etag"):
            operation.setdefault("parameters", []).append(
                {
                    "name": "If-None-Match",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                }
            )
            operation["responses"]["304"] = {"description": "Not Modified"}

    @hookimpl
    def bolt_configure(self, api: Any) -> None:
        api.register_option("etag", "etag")

    @hookimpl
    def bolt_route_middleware(self, api: Any, route: Any) -> None:
        if "etag" in route.options:
            route.claim("etag")


def test_third_party_plugin_documents_its_304(fetch_doc) -> None:
    from bolt import BoltAPI

    api = BoltAPI(plugins=["openapi", ETagPlugin()])

    @api.get("/thing", etag=True)
    async def thing() -> dict[str, int]:
        return {"v": 1}

    @api.get("/other")
    async def other() -> dict[str, int]:
        return {"v": 2}

    doc = fetch_doc(api)
    op = doc["paths"]["/thing"]["get"]
    assert "304" in op["responses"]
    assert {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
    } in op["parameters"]
    assert "304" not in doc["paths"]["/other"]["get"]["responses"]


def test_docstring_summary_and_examples(make_api, fetch_doc) -> None:
    api = make_api()

    @api.post("/points", status_code=201)
    async def make_point(data: Point) -> Point:
        """Create a point.

        Both coordinates are integers."""
        return data

    doc = fetch_doc(api)
    op = doc["paths"]["/points"]["post"]
    assert op["summary"] == "Create a point."
    assert op["description"] == "Both coordinates are integers."
    assert {"400", "413", "415", "422"} <= set(op["responses"])
    example = op["requestBody"]["content"]["application/json"]["example"]
    assert example == {"x": 0, "y": 0}


def test_multipart_file_fields_are_binary(make_api, fetch_doc) -> None:

    api = make_api()

    @api.post("/upload")
    async def upload(name: Annotated[str, Form()], doc: Annotated[UploadFile, File()]) -> dict:
        return {}

    schema = fetch_doc(api)["paths"]["/upload"]["post"]["requestBody"]["content"][
        "multipart/form-data"
    ]["schema"]
    assert schema["properties"]["doc"] == {"type": "string", "format": "binary"}
    assert schema["properties"]["name"] == {"type": "string"}


def test_responses_option_documents_what_a_handler_raises(make_api, fetch_doc, client_for):
    from bolt.exceptions import NotFound

    api = make_api()

    @api.get("/things/{n}", responses={404: "No such thing", 200: Point})
    async def thing(n: int) -> dict:
        if n != 1:
            raise NotFound(detail="No such thing")
        return {"x": 1, "y": 2}

    doc = fetch_doc(api)
    op = doc["paths"]["/things/{n}"]["get"]
    assert op["responses"]["404"]["description"] == "No such thing"
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Point"
    }
    client = client_for(api)
    check_answer(doc, "/things/{n}", "get", client.get("/things/1"))
    check_answer(doc, "/things/{n}", "get", client.get("/things/2"))


def test_responses_option_must_be_statuses(make_api) -> None:
    from bolt.exceptions import ImproperlyConfigured

    api = make_api()

    @api.get("/bad", responses={"404": "text"})
    async def bad() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="responses= must be a dict of HTTP status"):
        api.compile()
