"""Fixtures for the CRUD plugin tests: every module here uses the ORM over HTTP."""

from __future__ import annotations

import decimal

import pytest

from tests.testapp.models import Category, Product


@pytest.fixture
def catalog() -> dict[str, object]:
    """Two categories and three products."""
    books = Category.objects.create(name="books")
    games = Category.objects.create(name="games")
    items = [
        Product.objects.create(name="Dune", price=decimal.Decimal("9.90"), stock=3, category=books),
        Product.objects.create(name="Emma", price=decimal.Decimal("4.50"), category=books),
        Product.objects.create(name="Go", price=decimal.Decimal("30.00"), category=games),
    ]
    return {"books": books, "games": games, "products": items}


@pytest.fixture(autouse=True)
def _close_orm_thread_connections():
    """Close connections Django's shared async-ORM thread opened for handlers that call the
    async ORM directly (plain routes), so PostgreSQL can drop the test database."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
