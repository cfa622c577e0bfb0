"""``bolt.request.Request``: the mapping interface, lazily parsed query, headers and cookies,
and the 400s a malformed query string gets, through HTTP."""

from __future__ import annotations

from bolt import BoltAPI
from bolt.request import Request
from bolt.testing import TestClient


def test_repeated_scalar_query_takes_last_value(api: BoltAPI, client: TestClient) -> None:
    @api.get("/limit")
    async def limit(limit: int = 10) -> dict:
        return {"limit": limit}

    assert client.get("/limit?limit=1&limit=2").json() == {"limit": 2}


def _echo(api: BoltAPI) -> None:
    @api.get("/q")
    async def q(request: Request, name: str = "") -> dict:
        return {"query": request.query, "list": request.query_list(name) if name else []}


def test_query_plain_and_escaped_forms_parse_alike(api: BoltAPI, client: TestClient) -> None:
    """Plain ASCII query strings take a shortcut; escaped ones go through ``parse_qsl``:
    the two give the same values."""
    _echo(api)
    plain = client.get("/q?a=1&b=x&a=2&empty=&flag&name=a").json()
    escaped = client.get("/q?a=%31&b=x&a=2&empty=&flag&name=%61").json()
    assert (
        plain
        == escaped
        == {
            "query": {"a": "2", "b": "x", "empty": "", "flag": "", "name": "a"},
            "list": ["1", "2"],
        }
    )
    assert client.get("/q").json() == {"query": {}, "list": []}
    assert client.get("/q?x=a+b&name=x").json() == {
        "query": {"x": "a b", "name": "x"},
        "list": ["a b"],
    }


def test_malformed_query_string_is_400(api: BoltAPI, client: TestClient) -> None:
    _echo(api)
    r = client.get("/q?a=%ff%fe")
    assert r.status_code == 400
    assert r.json() == {"detail": "Malformed query string"}
    assert r.headers["content-type"] == "application/json"


def test_too_many_query_parameters_is_400(api: BoltAPI, client: TestClient) -> None:
    _echo(api)
    many = "&".join(f"k{i}=v" for i in range(2500))
    r = client.get(f"/q?{many}&name=k1")
    assert r.status_code == 400
    assert r.json() == {"detail": "Too many query parameters"}
    escaped = "&".join(f"k{i}=%76" for i in range(2500))
    assert client.get(f"/q?{escaped}").status_code == 400


def test_mapping_interface_and_scope_properties(api: BoltAPI, client: TestClient) -> None:
    @api.get("/r")
    async def r(request: Request) -> dict:
        return {
            "keys": sorted(request),
            "method": request["method"],
            "path": request.path,
            "scheme": request.scheme,
            "client": list(request.client or ()),
            "qs": request.query_string.decode(),
            "auth": request.get("auth", "anonymous"),
            "context": request.get("context"),
            "unknown": request.get("nope", "dflt"),
            "in": ["path" in request, "nope" in request],
            "len": len(request),
        }

    body = client.get("/r?x=1").json()
    assert body["method"] == "GET"
    assert body["path"] == "/r"
    assert body["qs"] == "x=1"
    assert body["scheme"] == "http"
    assert len(body["client"]) == 2
    assert body["auth"] == "anonymous"
    assert body["context"] is None
    assert body["unknown"] == "dflt"
    assert body["in"] == [True, False]
    assert body["len"] == len(body["keys"])
    assert "query" in body["keys"]


def test_headers_header_list_and_cookies(api: BoltAPI, client: TestClient) -> None:
    @api.get("/h")
    async def h(request: Request) -> dict:
        return {
            "ua": request.headers.get("user-agent"),
            "accept": request.header_list("Accept"),
            "cookies": request.cookies,
        }

    r = client.get(
        "/h",
        headers=[
            ("User-Agent", "t/1"),
            ("accept", "text/html"),
            ("Accept", "application/json"),
            ("cookie", "a=1; b=two"),
        ],
    )
    assert r.json() == {
        "ua": "t/1",
        "accept": ["text/html", "application/json"],
        "cookies": {"a": "1", "b": "two"},
    }
