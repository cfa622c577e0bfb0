"""``TestClient.post(url, data, format=...)``: DRF ``APIClient``'s spelling of a body, and
what the API receives for each format, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI
from bolt.params import UploadFile
from bolt.request import Request
from bolt.testing import AsyncTestClient, TestClient


def _echo(api: BoltAPI) -> None:
    for method in ("post", "put", "patch", "delete"):

        async def echo(request: Request) -> dict:
            data = request.data
            if isinstance(data, dict):
                data = {
                    k: f"file:{v.filename}" if isinstance(v, UploadFile) else v
                    for k, v in data.items()
                }
            return {
                "method": request.method,
                "type": request.headers.get("content-type", "").split(";")[0],
                "data": data,
            }

        getattr(api, method)("/echo")(echo)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_format_json_sends_the_data_as_json(api: BoltAPI, client: TestClient, method: str) -> None:
    _echo(api)
    payload: Any = {"title": "t", "n": 1, "tags": ["a"], "none": None}
    r = getattr(client, method)("/echo", payload, format="json")
    assert r.status_code == 200, r.text
    assert r.json() == {"method": method.upper(), "type": "application/json", "data": payload}
    r = getattr(client, method)("/echo", data=[1, 2], format="json")
    assert r.json()["data"] == [1, 2]


def test_format_multipart_sends_a_multipart_form(api: BoltAPI, client: TestClient) -> None:
    _echo(api)
    r = client.post("/echo", {"title": "t", "n": 1, "ok": True}, format="multipart")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "method": "POST",
        "type": "multipart/form-data",
        "data": {"title": "t", "n": "1", "ok": "true"},
    }
    r = client.post(
        "/echo", {"title": "t"}, format="multipart", files={"doc": ("a.txt", b"x", "text/plain")}
    )
    assert r.json()["data"] == {"title": "t", "doc": "file:a.txt"}


def test_without_format_data_is_a_form_as_in_httpx(api: BoltAPI, client: TestClient) -> None:
    _echo(api)
    r = client.post("/echo", {"title": "t"})
    assert r.json()["type"] == "application/x-www-form-urlencoded"
    assert r.json()["data"] == {"title": "t"}
    assert client.post("/echo", json={"a": 1}).json()["data"] == {"a": 1}
    assert (
        client.patch("/echo", content=b"{}", headers={"content-type": "application/json"}).json()[
            "data"
        ]
        == {}
    )


def test_format_mistakes_are_clear(api: BoltAPI, client: TestClient) -> None:
    _echo(api)
    with pytest.raises(ValueError, match="format='yaml'"):
        client.post("/echo", {"a": 1}, format="yaml")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="json="):
        client.post("/echo", {"a": 1}, format="json", json={"b": 2})
    with pytest.raises(TypeError, match="files="):
        client.post("/echo", {"a": 1}, format="json", files={"f": ("a", b"x")})


@pytest.mark.anyio
async def test_async_client_takes_format_too(api: BoltAPI) -> None:
    _echo(api)
    async with AsyncTestClient(api) as client:
        r = await client.post("/echo", {"title": "t"}, format="json")
    assert r.json()["data"] == {"title": "t"}
    assert r.json()["type"] == "application/json"
