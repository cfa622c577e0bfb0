"""Fixtures for the CORS plugin tests: APIs with only the plugins under test enabled."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bolt import BoltAPI, hookimpl
from bolt.exceptions import Unauthorized
from bolt.middleware import PHASE_AUTH, Middleware
from bolt.testing import TestClient

GOOD = "https://good.com"


class RequireToken:
    """A stand-in authentication step (phase 200) for routes with the option
    ``needs_token=True``: it answers 401 unless ``Authorization: Bearer ok`` is sent. It
    lets these tests show the CORS step's position in the chain without the auth plugin."""

    __name__ = "require_token"

    @hookimpl
    def bolt_configure(self, api: Any, settings: Any) -> None:
        api.register_middleware_name("require_token")

    @hookimpl
    def bolt_route_middleware(self, api: Any, route: Any) -> Middleware | None:
        if not route.options.get("needs_token"):
            return None
        route.claim("needs_token")

        def wrap(next_handler: Any) -> Any:
            async def check(request: Any) -> Any:
                if request.headers.get("authorization") != "Bearer ok":
                    raise Unauthorized(headers={"WWW-Authenticate": "Bearer"})
                return await next_handler(request)

            return check

        return Middleware(PHASE_AUTH, wrap, "require_token", optional=False)


@pytest.fixture
def make_api() -> Callable[..., BoltAPI]:
    """Build an API with the CORS and rate-limit plugins plus the stand-in auth step."""

    def build(*names: str) -> BoltAPI:
        return BoltAPI(plugins=[*(names or ("cors", "ratelimit")), RequireToken()])

    return build


@pytest.fixture
def api(make_api: Callable[..., BoltAPI]) -> BoltAPI:
    return make_api()


@pytest.fixture
def client(api: BoltAPI) -> Iterator[TestClient]:
    c = TestClient(api)
    yield c
    c.close()
