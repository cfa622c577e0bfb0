"""Cursors are signed: a client can follow the ``next``/``previous`` it was given, but a
cursor it made up (ordering values of its choosing, ``null``, wrong types) or altered is a
400 ``{"detail": "Invalid pagination cursor"}``, never a 500 and never a query."""

from __future__ import annotations

import base64
import json

import pytest
from django.db.models import QuerySet

from bolt import BoltAPI
from bolt.pagination import CursorPagination, paginate
from bolt.testing import TestClient
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class ByPk(CursorPagination):
    page_size = 2
    ordering = "pk"


class NewestFirst(CursorPagination):
    page_size = 2
    ordering = "-created_at"


def client() -> TestClient:
    api = BoltAPI()

    @api.get("/pk")
    @paginate(ByPk)
    async def by_pk() -> QuerySet:
        return Article.objects.all()

    @api.get("/newest")
    @paginate(NewestFirst)
    async def newest() -> QuerySet:
        return Article.objects.all()

    return TestClient(api)


def forged(values: list, backwards: bool = False) -> str:
    raw = json.dumps({"v": values, "b": backwards}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture
def five() -> list[int]:
    return [Article.objects.create(title=f"a{i}").pk for i in range(5)]


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("/pk", [None]),
        ("/pk", [1]),
        ("/pk", [10**30]),
        ("/pk", [-(10**30)]),
        ("/pk", [1.5]),
        ("/pk", [True]),
        ("/pk", ["١٢"]),
        ("/pk", [{"a": 1}]),
        ("/newest", [None, None]),
        ("/newest", ["2020-01-01T00:00:00+00:00", None]),
        ("/newest", ["2020-01-01T00:00:00+00:00", 1]),
    ],
)
def test_made_up_cursors_are_400(five: list[int], path: str, values: list) -> None:
    with client() as c:
        for cursor in (forged(values), forged(values, True)):
            response = c.get(path, params={"cursor": cursor})
            assert response.status_code == 400, (values, response.text)
            assert response.headers["content-type"].startswith("application/json")
            assert response.json() == {"detail": "Invalid pagination cursor"}


def test_an_altered_cursor_is_400_and_issued_ones_work(five: list[int]) -> None:
    with client() as c:
        first = c.get("/pk").json()
        issued = first["next"]
        second = c.get("/pk", params={"cursor": issued})
        assert second.status_code == 200
        assert [r["title"] for r in second.json()["results"]] == ["a2", "a3"]
        back = c.get("/pk", params={"cursor": second.json()["previous"]})
        assert [r["title"] for r in back.json()["results"]] == ["a0", "a1"]
        payload, _, signature = issued.partition(".")
        assert signature, issued
        # the payload of another position with the signature of this one
        other = c.get("/pk", params={"cursor": second.json()["next"]})
        assert other.status_code == 200
        swapped = second.json()["next"].partition(".")[0] + "." + signature
        for bad in (swapped, payload, payload + ".", issued[:-1], issued + "A", "." + signature):
            response = c.get("/pk", params={"cursor": bad})
            assert response.status_code == 400, (bad, response.text)
            assert response.json() == {"detail": "Invalid pagination cursor"}
