"""Bolt requests inside Django's ``TestCase`` and ``TransactionTestCase``.

A request's ORM work runs on the test's own connection: it sees the test's rows, and what it
writes is rolled back with the test.
"""

from __future__ import annotations

import pytest
from django.test import TestCase, TransactionTestCase

from bolt.testing import TestClient
from tests.django_native.api_app import api
from tests.testapp.models import Article

pytestmark = pytest.mark.orm


class ArticleApiTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.first = Article.objects.create(title="first", slug="first")

    def setUp(self) -> None:
        self.client = TestClient(api)
        self.addCleanup(self.client.close)

    def test_1_viewset_sees_test_data(self) -> None:
        response = self.client.get("/articles")
        assert response.status_code == 200, response.text
        assert response.json() == [{"id": self.first.pk, "title": "first", "slug": "first"}]
        assert self.client.get(f"/articles/{self.first.pk}").json()["title"] == "first"

    def test_2_create_is_visible_to_the_test(self) -> None:
        response = self.client.post("/articles", json={"title": "second", "slug": "second"})
        assert response.status_code == 201, response.text
        assert Article.objects.filter(title="second").exists()
        assert self.client.get("/sync-titles").json() == ["first", "second"]
        assert self.client.get("/async-count").json() == {"count": 2}

    def test_3_writes_were_rolled_back(self) -> None:
        assert Article.objects.count() == 1
        assert self.client.get("/async-count").json() == {"count": 1}

    def test_4_conflict_keeps_the_test_transaction_usable(self) -> None:
        response = self.client.post("/articles", json={"title": "dup", "slug": "first"})
        assert response.status_code == 409, response.text
        assert response.json() == {"detail": "slug: a record with this value already exists"} or (
            "detail" in response.json()
        )
        assert self.client.post("/sync-create?title=ok").status_code == 200
        assert Article.objects.count() == 2

    def test_5_sync_route_writes_in_the_test_transaction(self) -> None:
        created = self.client.post("/sync-create?title=mine").json()["id"]
        assert Article.objects.get(pk=created).title == "mine"
        update = self.client.patch(f"/articles/{created}", json={"title": "renamed"})
        assert update.status_code == 200, update.text
        assert Article.objects.get(pk=created).title == "renamed"
        assert self.client.delete(f"/articles/{created}").json() == {"deleted": True}
        assert not Article.objects.filter(pk=created).exists()

    def test_6_lifespan_client(self) -> None:
        with TestClient(api) as client:
            assert client.get("/sync-titles").json() == ["first"]


class ArticleApiTransactionTests(TransactionTestCase):
    def test_requests_see_and_write_committed_rows(self) -> None:
        Article.objects.create(title="tx", slug="tx")
        with TestClient(api) as client:
            assert client.get("/sync-titles").json() == ["tx"]
            response = client.post("/articles", json={"title": "tx2", "slug": "tx2"})
            assert response.status_code == 201, response.text
            assert client.post("/articles", json={"title": "x", "slug": "tx"}).status_code == 409
        assert sorted(Article.objects.values_list("title", flat=True)) == ["tx", "tx2"]

    def test_flushed_between_tests(self) -> None:
        assert Article.objects.count() == 0
