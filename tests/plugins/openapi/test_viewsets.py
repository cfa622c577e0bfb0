"""Class-based routes in the document: standard actions, @action, APIView handlers."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from bolt import APIView, ViewSet, action
from bolt.params import Query


class Article(msgspec.Struct):
    id: int
    title: str


class ArticleIn(msgspec.Struct):
    title: str


class ArticleViewSet(ViewSet):
    """Articles of the blog."""

    lookup_field = "article_id"

    async def list(self, request, page: Annotated[int, Query(ge=1)] = 1) -> list[Article]:
        """List articles."""
        return []

    async def create(self, request, data: ArticleIn) -> Article:
        return Article(1, data.title)

    async def retrieve(self, request, article_id: int) -> Article:
        return Article(article_id, "t")

    async def destroy(self, request, article_id: int) -> None:
        return None

    @action(methods=["POST"], detail=True)
    async def publish(self, request, article_id: int) -> Article:
        """Publish the article now."""
        return Article(article_id, "t")

    @action(methods=["GET", "PUT"], detail=False, path="bulk-state")
    async def bulk_state(self, request) -> dict:
        return {}


class HealthView(APIView):
    tags = ["ops"]

    async def get(self, request) -> dict:
        """Health check."""
        return {"ok": True}


def test_viewset_actions(make_api, fetch_doc, client_for) -> None:
    api = make_api("viewsets")
    api.viewset("/articles", ArticleViewSet)
    api.view("/health", HealthView)
    doc = fetch_doc(api)
    paths = doc["paths"]
    assert set(paths) == {
        "/articles",
        "/articles/{article_id}",
        "/articles/{article_id}/publish",
        "/articles/bulk-state",
        "/health",
    }
    assert set(paths["/articles"]) == {"get", "post"}
    assert set(paths["/articles/{article_id}"]) == {"get", "delete"}
    listing = paths["/articles"]["get"]
    assert listing["operationId"] == "ArticleViewSet_list"
    assert listing["tags"] == ["ArticleViewSet"]
    assert listing["summary"] == "List articles."
    assert [p["name"] for p in listing["parameters"]] == ["page"]  # no hidden request param
    assert listing["parameters"][0]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**63 - 1,
        "default": 1,
    }
    create = paths["/articles"]["post"]
    # create answers 201; a body that does not parse, is too big or of another type is refused
    assert set(create["responses"]) == {"201", "400", "413", "415", "422"}
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ArticleIn"
    }
    assert create["summary"] == "Create"
    retrieve = paths["/articles/{article_id}"]["get"]
    assert retrieve["parameters"] == [
        {
            "name": "article_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1},
        }
    ]
    assert retrieve["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Article"
    }
    assert set(paths["/articles/{article_id}"]["delete"]["responses"]) == {"204", "422"}
    publish = paths["/articles/{article_id}/publish"]["post"]
    assert publish["operationId"] == "ArticleViewSet_publish"
    assert publish["summary"] == "Publish the article now."
    bulk = paths["/articles/bulk-state"]
    assert {bulk["get"]["operationId"], bulk["put"]["operationId"]} == {
        "ArticleViewSet_bulk_state_get",
        "ArticleViewSet_bulk_state_put",
    }
    health = paths["/health"]["get"]
    assert (health["operationId"], health["tags"], health["summary"]) == (
        "HealthView_get",
        ["ops"],
        "Health check.",
    )
    # the routes documented are the routes served
    client = client_for(api)
    assert client.post("/articles", json={"title": "x"}).status_code == 201
    assert client.post("/articles/3/publish").json() == {"id": 3, "title": "t"}
    assert client.delete("/articles/3").status_code == 204


def test_route_attributes_drive_the_names(make_api) -> None:
    """The document reads ``view_class``/``action``/``name`` from the compiled routes."""
    from bolt_plugins.openapi import openapi_document

    api = make_api("viewsets")
    api.viewset("/articles", ArticleViewSet)
    doc: dict[str, Any] = openapi_document(api)
    by_id = {
        op["operationId"]: (method, path)
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    for route in api.routes:
        if route.view_class is ArticleViewSet and route.action == "retrieve":
            assert by_id[f"ArticleViewSet_{route.action}"] == ("get", route.path)
