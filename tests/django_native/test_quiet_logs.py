"""Expected outcomes stay out of the warning log: a 409 on a unique field, a 404."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bolt.testing import TestClient
from tests.django_native.api_app import api
from tests.testapp.models import Article

pytestmark = [pytest.mark.orm, pytest.mark.django_db]


def loud(caplog: Any) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_conflict_and_not_found_log_no_warning(caplog: Any) -> None:
    Article.objects.create(title="a", slug="taken")
    with TestClient(api) as client, caplog.at_level(logging.DEBUG):
        r = client.post("/articles", json={"title": "b", "slug": "taken"})
        assert r.status_code == 409
        assert client.get("/articles/999999").status_code == 404
    assert loud(caplog) == []
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "UNIQUE constraint" not in text
    assert "duplicate key" not in text
    # The outcome is still recorded, quietly, with the field it concerned.
    assert any("slug" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO)
