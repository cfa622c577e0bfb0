"""Fixtures for kernel tests: a fresh API with only the kernel (no plugins) by default."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bolt import BoltAPI
from bolt.testing import TestClient


@pytest.fixture
def api() -> BoltAPI:
    """An API with no plugins, so kernel behaviour is tested alone."""
    return BoltAPI(
        plugins=[
            "-viewsets",
            "-crud",
            "-auth",
            "-guards",
            "-cors",
            "-ratelimit",
            "-openapi",
            "-compression",
            "-etag",
        ]
    )


@pytest.fixture
def client(api: BoltAPI) -> Iterator[TestClient]:
    c = TestClient(api)
    yield c
    c.close()
