"""Bolt requests in pytest-django's ``django_db`` tests, transactional or not."""

from __future__ import annotations

import pytest

from bolt.testing import TestClient
from tests.django_native.api_app import api
from tests.testapp.models import Article

pytestmark = pytest.mark.orm


@pytest.fixture
def client():
    with TestClient(api) as c:
        yield c


@pytest.mark.django_db
def test_plain_django_db_sees_fixture_rows(client: TestClient) -> None:
    Article.objects.create(title="a", slug="a")
    assert client.get("/sync-titles").json() == ["a"]
    assert client.get("/async-count").json() == {"count": 1}
    listed = client.get("/articles")
    assert listed.status_code == 200, listed.text
    assert [row["title"] for row in listed.json()] == ["a"]


@pytest.mark.django_db
def test_plain_django_db_write_then_read_in_test(client: TestClient) -> None:
    response = client.post("/articles", json={"title": "b", "slug": "b"})
    assert response.status_code == 201, response.text
    assert Article.objects.get(slug="b").title == "b"
    assert client.post("/articles", json={"title": "c", "slug": "b"}).status_code == 409
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_plain_django_db_rolled_back(client: TestClient) -> None:
    assert Article.objects.count() == 0
    assert client.get("/async-count").json() == {"count": 0}


@pytest.mark.django_db(transaction=True)
def test_transactional_django_db(client: TestClient) -> None:
    Article.objects.create(title="t", slug="t")
    assert client.get("/sync-titles").json() == ["t"]
    assert client.post("/sync-create?title=u").status_code == 200
    assert Article.objects.count() == 2
