"""``bolt.request.Request``: the mapping interface, lazily parsed query, headers and cookies,
and the 400s a malformed query string gets, through HTTP."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from bolt import BoltAPI, Middleware, hookimpl
from bolt.params import Form, UploadFile
from bolt.request import Request
from bolt.responses import Response
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


# --- request.data: the DRF habit, the body parsed by its media type -----------------------


class Item(msgspec.Struct):
    title: str


def _data_routes(api: BoltAPI) -> list[int]:
    """Routes that answer ``request.data``; the list counts handler runs."""
    runs: list[int] = []

    @api.post("/data")
    async def post_data(request: Request) -> dict:
        runs.append(1)
        data = request.data
        return {"data": _plain(data), "same": data is request.data}

    @api.get("/data")
    def get_data(request: Request) -> dict:  # sync handler: a worker thread
        return {"data": request.data}

    @api.post("/untouched")
    async def untouched(request: Request) -> dict:
        return {"bytes": len(request.body)}

    return runs


def _plain(data: Any) -> Any:
    """Uploaded files as their name and content, so the answer is JSON."""
    if isinstance(data, dict):
        return {
            k: {"file": v.filename, "content": v.file.getvalue().decode()}
            if isinstance(v, UploadFile)
            else v
            for k, v in data.items()
        }
    return data


def test_request_data_is_the_json_object_or_array(api: BoltAPI, client: TestClient) -> None:
    _data_routes(api)
    r = client.post("/data", json={"title": "new", "tags": ["a"]})
    assert r.status_code == 200, r.text
    assert r.json() == {"data": {"title": "new", "tags": ["a"]}, "same": True}
    assert client.post("/data", json=[1, {"a": None}]).json()["data"] == [1, {"a": None}]
    vendor = client.post(
        "/data", content=b'{"x": 1}', headers={"content-type": "application/vnd.api+json"}
    )
    assert vendor.json()["data"] == {"x": 1}


def test_request_data_is_a_dict_of_form_fields(api: BoltAPI, client: TestClient) -> None:
    """urlencoded and multipart alike; a repeated name gives its last value, as a repeated
    query parameter does; files are ``UploadFile``s."""
    _data_routes(api)
    r = client.post("/data", data={"title": "t", "tag": ["a", "b"]})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"title": "t", "tag": "b"}
    r = client.post("/data", data={"title": "t"}, files={"doc": ("a.txt", b"hello", "text/plain")})
    assert r.status_code == 200, r.text
    assert r.json()["data"] == {"title": "t", "doc": {"file": "a.txt", "content": "hello"}}


def test_request_data_without_a_body_is_empty(api: BoltAPI, client: TestClient) -> None:
    """A GET (whose body Bolt never reads, even when one is sent) and an empty POST give
    ``{}``: nothing to parse, so no Content-Type is needed."""
    _data_routes(api)
    assert client.get("/data").json() == {"data": {}}
    sent = client.request("GET", "/data", content=b"{not json", headers={"content-type": "x/y"})
    assert sent.status_code == 200
    assert sent.json() == {"data": {}}
    assert client.post("/data").json() == {"data": {}, "same": True}


def test_malformed_request_data_is_400(api: BoltAPI, client: TestClient) -> None:
    runs = _data_routes(api)
    for body in (b"{not json", b'{"a": 1', b"\xff\xfe"):
        r = client.post("/data", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 400, (body, r.text)
        assert r.headers["content-type"] == "application/json"
        assert r.json()["detail"].startswith("Malformed JSON body")
    deep = b"[" * 100_000
    r = client.post("/data", content=deep, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("Malformed JSON body")
    # A JSON scalar is no DRF-style data: request.data["x"] on it would be a 500.
    r = client.post("/data", content=b'"text"', headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json() == {"detail": "JSON body must be an object or an array"}
    r = client.post(
        "/data",
        content=b"--b\r\nno disposition\r\n\r\nx\r\n--b--\r\n",
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert r.status_code == 400
    assert r.json()["detail"].startswith("Malformed multipart")
    r = client.post(
        "/data", content=b"a=%ff", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 400
    assert r.json() == {"detail": "Form body is not valid UTF-8"}
    assert len(runs) == 7  # every one reached the handler: the 400 is request.data's


def test_request_data_of_another_media_type_is_415(api: BoltAPI, client: TestClient) -> None:
    _data_routes(api)
    r = client.post("/data", content=b"hello", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    assert r.json() == {"detail": "Unsupported Content-Type 'text/plain'; expected JSON or a form"}
    r = client.post("/data", content=b'{"a": 1}')
    assert r.status_code == 415
    assert r.json() == {"detail": "Missing Content-Type; request.data expects JSON or a form"}


def test_request_data_keeps_the_form_bounds(api: BoltAPI, client: TestClient) -> None:
    """The form parser's bounds (BOLT_MAX_FORM_FIELDS, ...) hold for request.data too."""
    _data_routes(api)
    many = "&".join(f"f{i}=v" for i in range(1001))
    r = client.post(
        "/data", content=many, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 413
    assert r.json() == {"detail": "Form has more than 1000 fields"}


def test_request_data_is_parsed_only_when_asked(api: BoltAPI, client: TestClient) -> None:
    """A route that never reads request.data never parses: a body that would be a 400 or a
    415 there passes untouched."""
    _data_routes(api)
    for headers in ({"content-type": "application/json"}, {"content-type": "text/plain"}, {}):
        r = client.post("/untouched", content=b"{not json", headers=headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"bytes": 9}


def test_request_data_beside_typed_parameters(api: BoltAPI, client: TestClient) -> None:
    """A handler with a typed body or form parameter may read request.data as well."""

    @api.post("/typed")
    async def typed(request: Request, item: Item) -> dict:
        return {"title": item.title, "data": request.data}

    @api.post("/form")
    async def form(request: Request, title: Annotated[str, Form()]) -> dict:
        return {"title": title, "data": request.data}

    r = client.post("/typed", json={"title": "x", "extra": 1})
    assert r.json() == {"title": "x", "data": {"title": "x", "extra": 1}}
    r = client.post("/form", data={"title": "y", "more": "z"})
    assert r.json() == {"title": "y", "data": {"title": "y", "more": "z"}}


def test_middleware_reads_request_data_after_the_handler() -> None:
    """Before ``next_handler`` the body is not read yet: request.data says so rather than
    giving a silent ``{}`` (and caching it); after ``next_handler`` it is the body's."""
    seen: dict[str, Any] = {}

    def wrap(nxt: Any) -> Any:
        async def handler(request: Request) -> Response:
            try:
                request.data  # noqa: B018
            except RuntimeError as exc:
                seen["before"] = str(exc)
            response: Response = await nxt(request)
            seen["after"] = request.data
            return response

        return handler

    class Step:
        @hookimpl
        def bolt_route_middleware(self, api: BoltAPI, route: Any) -> Any:
            return [Middleware(50, wrap=wrap, name="peek")]

    api = BoltAPI(plugins=["-viewsets", "-crud", "-auth", "-guards", "-ratelimit", Step()])

    @api.post("/p")
    async def p() -> dict:
        return {}

    with TestClient(api) as client:
        assert client.post("/p", json={"a": 1}).status_code == 200
    assert "after next_handler returns" in seen["before"]
    assert seen["after"] == {"a": 1}
