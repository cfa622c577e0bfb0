"""The quick start's inputs come from its model: a price its ``DecimalField(max_digits=10,
decimal_places=2)`` cannot hold is a 422 with every failing field, never a stored row that
makes every later ``GET /api/items`` a 500. On real Granian, over TCP."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e


def test_out_of_range_price_is_a_422_and_the_list_stays_readable(
    start_server: Callable[..., Server],
) -> None:
    server = start_server("granian-cli")
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        refused = client.post("/api/items", json={"name": "Yacht", "price": 344791669.62})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "price"]
        refused = client.post("/api/items", json={"name": "", "price": "-1.234"})
        assert refused.status_code == 422
        assert {tuple(e["loc"]) for e in refused.json()["detail"]} == {
            ("body", "name"),
            ("body", "price"),
        }
        created = client.post("/api/items", json={"name": "Lamp", "price": 99999999.99})
        assert created.status_code == 201, created.text
        listing = client.get("/api/items", params={"limit": 100})
        assert listing.status_code == 200
        assert any(item["name"] == "Lamp" for item in listing.json())
        assert all(item["name"] != "Yacht" for item in listing.json())
