"""ModelViewSet routes: schemas from the CRUD plugin's serializers, list query parameters."""

from __future__ import annotations

import pytest

from bolt import ModelViewSet
from bolt.pagination import PageNumberPagination
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class ArticleViewSet(ModelViewSet):
    queryset = Article.objects.all()
    pagination_class = PageNumberPagination
    search_fields = ["title"]
    ordering_fields = ["title"]


def test_model_viewset_schemas_match_the_answers(make_api, fetch_doc, client_for) -> None:
    api = make_api("viewsets", "crud")
    api.viewset("/articles", ArticleViewSet)
    doc = fetch_doc(api)
    paths = doc["paths"]
    listing = paths["/articles"]["get"]
    params = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert params == {
        "ordering": {"type": "string", "enum": ["title", "-title"]},
        "page": {"type": "integer", "minimum": 1, "maximum": 1000000},
        "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
        "search": {"type": "string", "maxLength": 200},
    }
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/ArticleSchema"}
    article = doc["components"]["schemas"]["ArticleSchema"]
    assert {"id", "title", "status"} <= set(article["properties"])
    create = paths["/articles"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].startswith(
        "#/components/schemas/ArticleSchema"
    )
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ArticleSchema"
    }
    assert "parameters" not in create  # list-only query parameters stay on the list
    destroy = paths["/articles/{pk}"]["delete"]["responses"]["200"]
    assert destroy["content"]["application/json"]["schema"]["properties"] == {
        "deleted": {"type": "boolean"}
    }
    # the answers have the documented shapes
    client = client_for(api)
    created = client.post("/articles", json={"title": "Hello"})
    assert created.status_code == 201
    assert set(created.json()) <= set(article["properties"])
    body = client.get("/articles", params={"search": "Hell", "page": 1}).json()
    assert [a["title"] for a in body["results"]] == ["Hello"]
    assert client.delete(f"/articles/{created.json()['id']}").json() == {"deleted": True}
