"""``pagination_class`` on a ModelViewSet: the three paginators and their limits."""

from __future__ import annotations

import msgspec
import pytest

from bolt import BoltAPI, ModelViewSet
from bolt.pagination import CursorPagination, LimitOffsetPagination, PageNumberPagination
from bolt.testing import TestClient
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class Mini(msgspec.Struct):
    id: int
    title: str


class SmallPages(PageNumberPagination):
    page_size = 2
    max_page_size = 3


class SmallLimits(LimitOffsetPagination):
    default_limit = 2
    max_limit = 3


class NewestFirst(CursorPagination):
    page_size = 2
    ordering = "-created_at"


def make_client(paginator: type) -> TestClient:
    class ArticleViewSet(ModelViewSet):
        queryset = Article.objects.order_by("id")
        serializer_class = Mini
        pagination_class = paginator

    api = BoltAPI()
    api.viewset("/articles")(ArticleViewSet)
    return TestClient(api)


@pytest.fixture
def five() -> list[int]:
    return [Article.objects.create(title=f"a{i}").pk for i in range(5)]


def titles(body: dict) -> list[str]:
    return [row["title"] for row in body["results"]]


def test_page_number_envelope(five: list[int]) -> None:
    client = make_client(SmallPages)
    first = client.get("/articles").json()
    assert first == {
        "count": 5,
        "page": 1,
        "page_size": 2,
        "total_pages": 3,
        "next": 2,
        "previous": None,
        "results": [{"id": five[0], "title": "a0"}, {"id": five[1], "title": "a1"}],
    }
    last = client.get("/articles?page=3").json()
    assert (titles(last), last["next"], last["previous"]) == (["a4"], None, 2)
    assert titles(client.get("/articles?page=9").json()) == []
    assert titles(client.get("/articles?page=2&page_size=3").json()) == ["a3", "a4"]


@pytest.mark.parametrize(
    "query", ["page=0", "page=-1", "page=x", "page_size=4", "page_size=0", "page=1&page=2"]
)
def test_page_number_rejects_bad_values(five: list[int], query: str) -> None:
    response = make_client(SmallPages).get(f"/articles?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_limit_offset(five: list[int]) -> None:
    client = make_client(SmallLimits)
    body = client.get("/articles?offset=1").json()
    assert (body["count"], body["limit"], body["offset"], titles(body)) == (5, 2, 1, ["a1", "a2"])
    assert titles(client.get("/articles?limit=3&offset=3").json()) == ["a3", "a4"]
    for bad in ("limit=4", "limit=-1", "offset=-5", "offset=99999999999", "limit=abc"):
        assert client.get(f"/articles?{bad}").status_code == 422, bad


def test_cursor_pages_forward_and_back_without_skips(five: list[int]) -> None:
    client = make_client(NewestFirst)
    page1 = client.get("/articles").json()
    assert titles(page1) == ["a4", "a3"]
    assert page1["previous"] is None
    # a row inserted while paging does not shift the next pages
    Article.objects.create(title="late")
    page2 = client.get(f"/articles?cursor={page1['next']}").json()
    assert titles(page2) == ["a2", "a1"]
    page3 = client.get(f"/articles?cursor={page2['next']}").json()
    assert titles(page3) == ["a0"]
    assert page3["next"] is None
    back = client.get(f"/articles?cursor={page3['previous']}").json()
    assert titles(back) == ["a2", "a1"]
    again = client.get(f"/articles?cursor={back['previous']}").json()
    assert titles(again) == ["a4", "a3"]
    assert again["previous"] is not None  # "late" is before them now
    assert titles(client.get(f"/articles?cursor={again['previous']}").json()) == ["late"]


@pytest.mark.parametrize("cursor", ["garbage", "e30", "eyJ2IjpbMV0sImIiOmZhbHNlfQ", "x" * 2000])
def test_cursor_rejects_tampered_values(five: list[int], cursor: str) -> None:
    response = make_client(NewestFirst).get(f"/articles?cursor={cursor}")
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid pagination cursor"}
