"""Conditional GET through HTTP: weak ETags, If-None-Match (lists, ``*``, weak/strong),
304 without a body, opt-in per route or per API, never for streams, bounded input."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bolt import BoltAPI, Router
from bolt.exceptions import Forbidden, ImproperlyConfigured
from bolt.responses import JSONResponse, Response, StreamingResponse
from bolt.testing import TestClient
from bolt_plugins.etag import etag

CALLS: list[str] = []


def make_api(**options: Any) -> BoltAPI:
    api = BoltAPI(plugins=["etag", "compression"], **options)

    @api.get("/items")
    @etag
    async def items() -> dict[str, Any]:
        CALLS.append("items")
        return {"items": list(range(300))}

    @api.get("/plain")
    async def plain() -> dict[str, str]:
        return {"tagged": "only with BoltAPI(etag=True)"}

    @api.get("/own", etag=True)
    async def own() -> JSONResponse:
        return JSONResponse({"a": 1}, headers={"ETag": '"v7"', "Cache-Control": "max-age=60"})

    @api.get("/created", etag=True)
    async def created() -> Response:
        return Response({"a": 1}, status_code=201)

    @api.get("/stream", etag=True)
    async def stream() -> StreamingResponse:
        async def gen() -> AsyncIterator[str]:
            yield "chunk"

        return StreamingResponse(gen(), media_type="text/plain")

    @api.get("/secret", etag=True)
    async def secret(request: Any) -> dict[str, str]:
        if request.headers.get("x-allowed") != "yes":
            raise Forbidden(detail="Not allowed")
        return {"secret": "s"}

    @api.post("/items", etag=True)
    async def create() -> dict[str, str]:
        return {"created": "yes"}

    @api.get("/opted-out")
    @etag(enabled=False)
    async def opted_out() -> dict[str, str]:
        return {"x": "y"}

    return api


@pytest.fixture
def client() -> Iterator[TestClient]:
    c = TestClient(make_api())
    yield c
    c.close()


def test_weak_etag_and_304_for_a_match(client: TestClient) -> None:
    first = client.get("/items")
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('W/"')
    assert tag.endswith('"')
    assert len(tag) > 10
    assert client.get("/items").headers["etag"] == tag  # same body, same tag

    again = client.get("/items", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert "content-length" not in again.headers
    assert "content-type" not in again.headers


@pytest.mark.parametrize(
    "header",
    [
        "{tag}",
        '"nope", {tag}',
        '"nope",{tag} , "other"',
        "*",
        "{strong}",  # If-None-Match compares weakly
    ],
)
def test_if_none_match_lists_star_and_weak_comparison(client: TestClient, header: str) -> None:
    tag = client.get("/items").headers["etag"]
    value = header.format(tag=tag, strong=tag[2:])
    assert client.get("/items", headers={"If-None-Match": value}).status_code == 304


@pytest.mark.parametrize("header", ['"nope"', 'W/"nope", "also-nope"', "", ",,,", "W/", '"'])
def test_no_match_is_a_full_200(client: TestClient, header: str) -> None:
    response = client.get("/items", headers={"If-None-Match": header})
    assert response.status_code == 200
    assert response.json()["items"][:3] == [0, 1, 2]


def test_huge_if_none_match_is_ignored(client: TestClient) -> None:
    tag = client.get("/items").headers["etag"]
    header = ", ".join(['"x"'] * 4000 + [tag])
    response = client.get("/items", headers={"If-None-Match": header})
    assert response.status_code == 200
    assert response.headers["etag"] == tag


def test_head_gets_the_tag_and_a_304(client: TestClient) -> None:
    tag = client.get("/items").headers["etag"]
    head = client.head("/items")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == tag
    assert client.head("/items", headers={"If-None-Match": tag}).status_code == 304


def test_handler_tag_and_cache_headers_are_kept(client: TestClient) -> None:
    response = client.get("/own")
    assert response.headers["etag"] == '"v7"'
    not_modified = client.get("/own", headers={"If-None-Match": 'W/"v7"'})
    assert not_modified.status_code == 304
    assert not_modified.headers["etag"] == '"v7"'
    assert not_modified.headers["cache-control"] == "max-age=60"


def test_only_200_in_memory_get_responses(client: TestClient) -> None:
    assert "etag" not in client.get("/created").headers
    assert client.get("/created", headers={"If-None-Match": "*"}).status_code == 201
    stream = client.get("/stream", headers={"If-None-Match": "*"})
    assert stream.status_code == 200
    assert stream.text == "chunk"
    assert "etag" not in stream.headers
    post = client.post("/items", headers={"If-None-Match": "*"})
    assert post.status_code == 200
    assert "etag" not in post.headers


def test_a_refused_request_never_gets_a_304(client: TestClient) -> None:
    tag = client.get("/secret", headers={"x-allowed": "yes"}).headers["etag"]
    refused = client.get("/secret", headers={"If-None-Match": tag})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Not allowed"}


def test_opt_in_per_route_per_api_and_per_router() -> None:
    client = TestClient(make_api())
    assert "etag" not in client.get("/plain").headers
    client = TestClient(make_api(etag=True))
    assert client.get("/plain").headers["etag"].startswith('W/"')
    assert "etag" not in client.get("/opted-out").headers

    api = BoltAPI(plugins=["etag"])
    router = Router(etag=True)

    @router.get("/r")
    async def r() -> dict[str, int]:
        return {"r": 1}

    api.include_router(router)
    assert TestClient(api).get("/r").headers["etag"].startswith('W/"')


def test_etag_survives_compression() -> None:
    client = TestClient(make_api(compression=True))  # compression is opt-in
    plain = client.get("/items", headers={"Accept-Encoding": "identity"})
    gzipped = client.get("/items", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.headers["etag"] == plain.headers["etag"]
    tag = gzipped.headers["etag"]
    not_modified = client.get("/items", headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert not_modified.status_code == 304
    assert "content-encoding" not in not_modified.headers


def test_bad_option_value_stops_startup() -> None:
    api = BoltAPI(plugins=["etag"])

    @api.get("/x", etag="sometimes")
    async def x() -> dict[str, str]:
        return {}

    with pytest.raises(ImproperlyConfigured, match="etag="):
        api.compile()


def test_unknown_option_without_the_plugin_stops_startup() -> None:
    api = BoltAPI(plugins=["-etag"])

    @api.get("/x", etag=True)
    async def x() -> dict[str, str]:
        return {}

    with pytest.raises(ImproperlyConfigured, match="etag"):
        api.compile()
