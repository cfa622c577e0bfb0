"""Attacks on ``request.data`` and on the headers of a handler's own errors."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from bolt import BoltAPI
from bolt.exceptions import HTTPException, Throttled
from bolt.request import Request
from bolt.testing import TestClient


class Item(msgspec.Struct):
    title: str


def data_api(api: BoltAPI) -> BoltAPI:
    @api.post("/data")
    async def echo(request: Request) -> dict[str, Any]:
        return {"data": request.data}

    @api.post("/typed")
    async def typed(request: Request, item: Item) -> dict[str, Any]:
        return {"title": item.title, "data": request.data}

    return api


@pytest.mark.parametrize(
    "framing",
    [{"transfer-encoding": "chunked"}, {"content-length": "00"}, {"content-length": " 0 "}],
    ids=["empty-chunked", "content-length-00", "content-length-spaced"],
)
def test_an_empty_body_read_by_the_kernel_is_empty_data(
    api: BoltAPI, framing: dict[str, str]
) -> None:
    """The kernel read the body and it was empty: ``{}``, not the "read before the body"
    error (a 500 any client could cause with an empty chunked body)."""
    with TestClient(data_api(api)) as c:
        r = c.post("/data", content=b"", headers={**framing, "content-type": "application/json"})
        assert r.status_code == 200, r.text
        assert r.json() == {"data": {}}


def test_deeply_nested_json_is_a_400(api: BoltAPI) -> None:
    with TestClient(data_api(api)) as c:
        r = c.post("/data", content=b"[" * 100_000, headers={"content-type": "application/json"})
        assert r.status_code == 400, r.text
        assert "detail" in r.json()


def test_duplicate_keys_read_the_same_in_request_data_and_the_typed_body(
    api: BoltAPI,
) -> None:
    """One JSON parser answers both: a duplicated key cannot validate one value and hand
    the handler another through ``request.data``."""
    with TestClient(data_api(api)) as c:
        r = c.post(
            "/typed",
            content=b'{"title": "checked", "title": "other"}',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["title"] == r.json()["data"]["title"]


def test_a_form_body_cannot_stand_in_for_a_typed_json_body(api: BoltAPI) -> None:
    with TestClient(data_api(api)) as c:
        r = c.post(
            "/typed",
            content=b"title=x",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code in (415, 422), r.text


def test_crlf_in_a_401_header_or_detail_injects_no_header(api: BoltAPI) -> None:
    """A handler's 401 carrying a value from the request: CR/LF never split a header."""

    @api.get("/who")
    async def who(name: str) -> None:
        raise HTTPException(
            401, detail=name, headers={"WWW-Authenticate": f'Bearer error_description="{name}"'}
        )

    with TestClient(api) as c:
        r = c.get("/who", params={"name": "x\r\nSet-Cookie: session=evil"})
        assert r.status_code == 401
        assert "set-cookie" not in r.headers
        assert "\n" not in r.headers["www-authenticate"]
        assert r.json() == {"detail": "x\r\nSet-Cookie: session=evil"}


@pytest.mark.parametrize("wait", [0.2, 3.5, -5])
def test_throttled_sends_a_whole_retry_after(api: BoltAPI, wait: float) -> None:
    @api.get("/slow")
    async def slow() -> None:
        raise Throttled(wait=wait)

    with TestClient(api) as c:
        r = c.get("/slow")
        assert r.status_code == 429
        assert r.headers["retry-after"].isdigit()
        assert int(r.headers["retry-after"]) >= 1
