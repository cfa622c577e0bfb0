"""Conditional GET with headers a handler wrote itself, in any letter case and more than
once, and with ``If-None-Match`` sent on several lines: the handler's ``ETag`` is the one
sent and matched, and the 304 carries the handler's caching headers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.responses import JSONResponse
from bolt.testing import TestClient


def make_api(etag_name: str) -> BoltAPI:
    api = BoltAPI(plugins=["etag"], etag=True)

    @api.get("/doc")
    async def doc() -> JSONResponse:
        response = JSONResponse({"doc": 1})
        # Set after construction: ``headers`` is a plain dict, the name is kept as written.
        response.headers[etag_name] = '"v9"'
        response.headers["Cache-Control"] = "max-age=5"
        response.headers["Expires"] = "Thu, 01 Jan 2099 00:00:00 GMT"
        return response

    @api.get("/twice")
    async def twice() -> JSONResponse:
        response = JSONResponse({"twice": 1}, headers={"cache-control": "private"})
        response.headers["Cache-Control"] = "max-age=5"
        response.headers["Vary"] = "Accept"
        response.headers["vary"] = "Cookie"
        return response

    @api.get("/computed")
    async def computed() -> dict[str, Any]:
        return {"computed": True}

    return api


@pytest.fixture(params=["ETag", "etag", "ETAG", "Etag"])
def client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    c = TestClient(make_api(request.param))
    yield c
    c.close()


def test_handler_etag_in_any_case_is_the_only_tag_sent(client: TestClient) -> None:
    response = client.get("/doc")
    assert response.status_code == 200
    assert response.headers.get_list("etag") == ['"v9"']
    assert response.json() == {"doc": 1}


def test_handler_etag_in_any_case_answers_304(client: TestClient) -> None:
    not_modified = client.get("/doc", headers={"If-None-Match": '"v9"'})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers.get_list("etag") == ['"v9"']
    assert not_modified.headers.get_list("cache-control") == ["max-age=5"]
    assert not_modified.headers["expires"] == "Thu, 01 Jan 2099 00:00:00 GMT"


def test_the_computed_tag_does_not_match_a_handler_tag(client: TestClient) -> None:
    computed = client.get("/computed").headers["etag"]
    response = client.get("/doc", headers={"If-None-Match": computed})
    assert response.status_code == 200
    assert response.headers.get_list("etag") == ['"v9"']


def test_a_header_written_in_two_cases_reaches_the_304_whole(client: TestClient) -> None:
    tag = client.get("/twice").headers["etag"]
    not_modified = client.get("/twice", headers={"If-None-Match": tag})
    assert not_modified.status_code == 304
    cache_control = ", ".join(not_modified.headers.get_list("cache-control"))
    assert {part.strip() for part in cache_control.split(",")} == {"private", "max-age=5"}
    vary = ", ".join(not_modified.headers.get_list("vary"))
    assert {part.strip() for part in vary.split(",")} == {"Accept", "Cookie"}


def test_if_none_match_on_several_lines(client: TestClient) -> None:
    tag = client.get("/computed").headers["etag"]
    lines = [("If-None-Match", '"stale"'), ("If-None-Match", tag)]
    assert client.get("/computed", headers=lines).status_code == 304
    assert (
        client.get(
            "/doc", headers=[("If-None-Match", '"x"'), ("If-None-Match", '"v9"')]
        ).status_code
        == 304
    )
    assert (
        client.get("/doc", headers=[("If-None-Match", '"x"'), ("If-None-Match", '"y"')]).status_code
        == 200
    )
