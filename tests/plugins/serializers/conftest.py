"""Fixtures for the serializer tests: an API with the usual plugins and closing clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bolt import BoltAPI
from bolt.testing import TestClient


@pytest.fixture
def client_for() -> Iterator[Callable[[BoltAPI], TestClient]]:
    clients: list[TestClient] = []

    def make(api: BoltAPI) -> TestClient:
        client = TestClient(api)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(autouse=True)
def _close_orm_thread_connections() -> Iterator[None]:
    """Close connections Django's shared async-ORM thread opened (PostgreSQL drops the
    test database only when none is left)."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
