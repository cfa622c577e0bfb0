"""Fixtures for the viewsets plugin: small APIs with only the plugins a test names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bolt import BoltAPI, hookimpl
from bolt.middleware import Middleware
from bolt.testing import TestClient
from tests.plugins.auth.conftest import staff, user  # noqa: F401  (user fixtures)


class OptionRecorder:
    """A stand-in security plugin: claims ``auth``/``guards`` and echoes them in headers.

    It lets tests see, through HTTP, which auth/guards a route ended up with without
    depending on the real auth and guards plugins.
    """

    __name__ = "option_recorder"

    @hookimpl
    def bolt_route_middleware(self, api: Any, route: Any) -> Any:
        found = {k: route.options[k] for k in ("auth", "guards") if k in route.options}
        route.claim("auth", "guards")
        headers = {
            f"x-{k}": ",".join(type(v).__name__ for v in vals) or "none"
            for k, vals in found.items()
        }

        def wrap(nxt: Any) -> Any:
            async def handler(request: Any) -> Any:
                response = await nxt(request)
                response.headers.update(headers)
                return response

            return handler

        return Middleware(phase=250, wrap=wrap, name="recorder")


@pytest.fixture
def make_api() -> Callable[..., BoltAPI]:
    """``make_api("cors", recorder=True)``: an API with viewsets plus the named plugins."""

    def make(*names: str, recorder: bool = False, **options: Any) -> BoltAPI:
        extra: list[Any] = [OptionRecorder()] if recorder else []
        return BoltAPI(plugins=["viewsets", *names, *extra], **options)

    return make


@pytest.fixture
def api(make_api: Callable[..., BoltAPI]) -> BoltAPI:
    return make_api()


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
    """Close connections Django's shared async-ORM thread opened for handlers that use the
    async ORM (``await User.objects.aget(...)``), so PostgreSQL can drop the test database."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
