"""Parameters: path, query, header, cookie, JSON body, forms, files, markers, Depends."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest

from bolt import BoltAPI
from bolt.exceptions import ImproperlyConfigured
from bolt.params import Body, Cookie, Depends, File, Form, Header, Path, Query, UploadFile
from bolt.request import Request
from bolt.testing import TestClient


class ItemIn(msgspec.Struct):
    name: str
    price: float


class Login(msgspec.Struct):
    username: str
    remember: bool = False


class Filters(msgspec.Struct):
    status: str = "open"
    tags: list[str] = []
    page: int = 1


def test_issue_example_read_and_create(api: BoltAPI, client: TestClient) -> None:
    @api.get("/items/{item_id}")
    async def read_item(request, item_id: int, q: str | None = None) -> dict:  # type: ignore[no-untyped-def]
        return {"item_id": item_id, "q": q, "method": request["method"]}

    @api.post("/items", status_code=201)
    async def create_item(request, data: ItemIn) -> ItemIn:  # type: ignore[no-untyped-def]
        return data

    assert client.get("/items/5?q=x").json() == {"item_id": 5, "q": "x", "method": "GET"}
    assert client.get("/items/5").json() == {"item_id": 5, "q": None, "method": "GET"}
    r = client.post("/items", json={"name": "pen", "price": 1.5})
    assert r.status_code == 201
    assert r.json() == {"name": "pen", "price": 1.5}


def test_query_scalars_lists_and_constraints(api: BoltAPI, client: TestClient) -> None:
    @api.get("/search")
    async def search(
        query: str,
        page: int = 1,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        active: bool | None = None,
        tag: list[str] = [],  # noqa: B006 - defaults are never mutated
    ) -> dict:
        return {"query": query, "page": page, "limit": limit, "active": active, "tag": tag}

    r = client.get("/search?query=django&page=2&limit=20&active=true&tag=a&tag=b")
    assert r.json() == {
        "query": "django",
        "page": 2,
        "limit": 20,
        "active": True,
        "tag": ["a", "b"],
    }
    assert client.get("/search?query=x").json()["limit"] == 10

    r = client.get("/search")
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"loc": ["query", "query"], "msg": "Field required", "type": "missing"}
    ]

    r = client.get("/search?query=x&limit=0&page=abc")
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["detail"]]
    assert ["query", "page"] in locs
    assert ["query", "limit"] in locs
    limit_error = next(e for e in r.json()["detail"] if e["loc"] == ["query", "limit"])
    assert limit_error["type"] == "value_error"
    assert ">= 1" in limit_error["msg"]


def test_query_marker_as_default_with_alias(api: BoltAPI, client: TestClient) -> None:
    @api.get("/aliased")
    async def aliased(page_size: int = Query(25, alias="page-size", le=50)) -> dict:
        return {"page_size": page_size}

    assert client.get("/aliased?page-size=30").json() == {"page_size": 30}
    assert client.get("/aliased").json() == {"page_size": 25}
    r = client.get("/aliased?page-size=99")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "page-size"]


def test_query_struct_collects_fields(api: BoltAPI, client: TestClient) -> None:
    @api.get("/issues")
    async def issues(filters: Annotated[Filters, Query()]) -> dict:
        return msgspec.structs.asdict(filters)

    assert client.get("/issues?status=closed&tags=a&tags=b&page=3").json() == {
        "status": "closed",
        "tags": ["a", "b"],
        "page": 3,
    }
    r = client.get("/issues?page=x")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "page"]


def test_repeated_scalar_query_takes_last_value(api: BoltAPI, client: TestClient) -> None:
    @api.get("/limit")
    async def limit(limit: int = 10) -> dict:
        return {"limit": limit}

    assert client.get("/limit?limit=1&limit=2").json() == {"limit": 2}


def test_headers_and_cookies(api: BoltAPI, client: TestClient) -> None:
    @api.get("/meta")
    async def meta(
        x_request_id: str = Header(),
        user_agent: str = Header(""),
        retries: Annotated[int, Header(alias="X-Retries")] = 0,
        session: str | None = Cookie(None),
    ) -> dict:
        return {"rid": x_request_id, "ua": user_agent, "retries": retries, "session": session}

    r = client.get(
        "/meta",
        headers={
            "X-Request-ID": "abc",
            "User-Agent": "t/1",
            "x-retries": "3",
            "cookie": "session=s1",
        },
    )
    assert r.json() == {"rid": "abc", "ua": "t/1", "retries": 3, "session": "s1"}
    r = client.get("/meta", headers={"x-retries": "many"})
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["detail"]]
    assert locs == [["header", "x-request-id"], ["header", "x-retries"]]


def test_path_marker_with_constraints(api: BoltAPI, client: TestClient) -> None:
    @api.get("/pages/{number}")
    async def page(number: Annotated[int, Path(ge=1)]) -> dict:
        return {"number": number}

    assert client.get("/pages/3").json() == {"number": 3}
    r = client.get("/pages/0")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["path", "number"]


def test_path_marker_without_placeholder_is_startup_error(api: BoltAPI) -> None:
    @api.get("/x")
    async def handler(number: int = Path()) -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="has no"):
        api.compile()


def test_json_body_kinds(api: BoltAPI, client: TestClient) -> None:
    @api.post("/dict")
    async def as_dict(data: dict) -> dict:
        return {"keys": sorted(data)}

    @api.post("/list")
    async def as_list(data: list[ItemIn]) -> dict:
        return {"count": len(data)}

    @api.post("/optional")
    async def optional(data: dict | None = None) -> dict:
        return {"data": data}

    assert client.post("/dict", json={"b": 1, "a": 2}).json() == {"keys": ["a", "b"]}
    assert client.post("/list", json=[{"name": "a", "price": 1}]).json() == {"count": 1}
    r = client.post("/list", json=[{"name": "a", "price": "x"}])
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", 0, "price"]
    assert client.post("/optional").json() == {"data": None}
    assert client.post("/optional", json={"a": 1}).json() == {"data": {"a": 1}}


def test_embedded_bodies(api: BoltAPI, client: TestClient) -> None:
    @api.post("/embed")
    async def embed(item: ItemIn, quantity: int = Body(1)) -> dict:
        return {"item": item.name, "quantity": quantity}

    assert client.post(
        "/embed", json={"item": {"name": "a", "price": 2}, "quantity": 3}
    ).json() == {
        "item": "a",
        "quantity": 3,
    }
    assert client.post("/embed", json={"item": {"name": "a", "price": 2}}).json()["quantity"] == 1
    r = client.post("/embed", json={"quantity": "x"})
    assert r.status_code == 422
    assert sorted(e["loc"] for e in r.json()["detail"]) == [["body", "item"], ["body", "quantity"]]


def test_form_urlencoded_and_struct(api: BoltAPI, client: TestClient) -> None:
    @api.post("/login")
    async def login(form: Annotated[Login, Form()]) -> dict:
        return {"username": form.username, "remember": form.remember}

    @api.post("/field")
    async def field(age: int = Form()) -> dict:
        return {"age": age}

    r = client.post("/login", data={"username": "ann", "remember": "true"})
    assert r.json() == {"username": "ann", "remember": True}
    assert client.post("/field", data={"age": "7"}).json() == {"age": 7}
    r = client.post("/field", data={"age": "old"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["form", "age"]
    r = client.post("/field", json={"age": 7})
    assert r.status_code == 415


def test_multipart_files(api: BoltAPI, client: TestClient) -> None:
    @api.post("/upload")
    async def upload(title: str = Form(), doc: UploadFile = File()) -> dict:
        content = await doc.read()
        return {
            "title": title,
            "filename": doc.filename,
            "type": doc.content_type,
            "size": len(content),
        }

    @api.post("/many")
    async def many(docs: list[UploadFile] = File()) -> dict:
        return {"names": [d.filename for d in docs]}

    @api.post("/raw")
    async def raw(doc: bytes = File()) -> dict:
        return {"len": len(doc)}

    r = client.post(
        "/upload", data={"title": "t"}, files={"doc": ("a.txt", b"hello", "text/plain")}
    )
    assert r.json() == {"title": "t", "filename": "a.txt", "type": "text/plain", "size": 5}
    r = client.post("/many", files=[("docs", ("1.txt", b"1")), ("docs", ("2.txt", b"2"))])
    assert r.json() == {"names": ["1.txt", "2.txt"]}
    assert client.post("/raw", files={"doc": ("b.bin", b"\x00\x01")}).json() == {"len": 2}
    r = client.post("/upload", data={"title": "t"}, files={"other": ("a.txt", b"x")})
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"loc": ["file", "doc"], "msg": "Field required", "type": "missing"}
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"junk-before-boundary",
        b"--XB\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XB--\r\n",
        b"--XB\r\n" + b"X-Big: " + b"a" * 20000 + b"\r\n\r\nv\r\n--XB--\r\n",
        b"--XB\r\nno-colon-header\r\n\r\nv\r\n--XB--\r\n",
    ],
)
def test_malformed_multipart_is_400(api: BoltAPI, client: TestClient, body: bytes) -> None:
    @api.post("/upload")
    async def upload(name: str = Form()) -> dict:
        return {}

    r = client.post(
        "/upload", content=body, headers={"content-type": "multipart/form-data; boundary=XB"}
    )
    assert r.status_code == 400
    assert "detail" in r.json()


def test_too_many_form_fields_is_413(api: BoltAPI, client: TestClient) -> None:
    @api.post("/form")
    async def form(a: str = Form("")) -> dict:
        return {}

    body = "&".join(f"f{i}=1" for i in range(5000)).encode()
    r = client.post(
        "/form", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 413


def test_request_parameter_by_name_and_type(api: BoltAPI, client: TestClient) -> None:
    @api.get("/by-name")
    async def by_name(request) -> dict:  # type: ignore[no-untyped-def]
        return {"path": request.path, "q": request.get("query", {})}

    @api.get("/by-type")
    async def by_type(req: Request) -> dict:
        return {"path": req["path"], "auth": req.get("auth", {})}

    assert client.get("/by-name?a=1").json() == {"path": "/by-name", "q": {"a": "1"}}
    assert client.get("/by-type").json() == {"path": "/by-type", "auth": {}}


def test_depends_sync_async_nested_cached(api: BoltAPI, client: TestClient) -> None:
    calls: list[str] = []

    async def get_current_user(request: dict) -> dict:
        calls.append("user")
        auth = request.get("auth", {})
        return {"id": auth.get("user_id"), "username": auth.get("username")}

    def get_settings(user: dict = Depends(get_current_user), verbose: bool = False) -> dict:
        calls.append("settings")
        return {"user": user["id"], "verbose": verbose}

    @api.get("/profile")
    async def profile(
        request,  # type: ignore[no-untyped-def]
        current_user: dict = Depends(get_current_user),
        prefs: dict = Depends(get_settings),
    ) -> dict:
        return {"profile": current_user, "prefs": prefs}

    r = client.get("/profile?verbose=1")
    assert r.json() == {
        "profile": {"id": None, "username": None},
        "prefs": {"user": None, "verbose": True},
    }
    assert calls == ["user", "settings"]  # get_current_user ran once per request
    client.get("/profile")
    assert calls == ["user", "settings", "user", "settings"]


def test_depends_without_cache_runs_each_time(api: BoltAPI, client: TestClient) -> None:
    count = {"n": 0}

    async def counter() -> int:
        count["n"] += 1
        return count["n"]

    @api.get("/twice")
    async def twice(
        a: int = Depends(counter, use_cache=False), b: int = Depends(counter, use_cache=False)
    ) -> dict:
        return {"a": a, "b": b}

    assert client.get("/twice").json() == {"a": 1, "b": 2}


def test_generator_dependency_cleanup_runs_after_response(api: BoltAPI, client: TestClient) -> None:
    events: list[str] = []

    async def resource():  # type: ignore[no-untyped-def]
        events.append("open")
        yield "conn"
        events.append("close")

    def sync_resource():  # type: ignore[no-untyped-def]
        events.append("sync-open")
        yield "sync"
        events.append("sync-close")

    @api.get("/use")
    async def use(conn: str = Depends(resource), other: str = Depends(sync_resource)) -> dict:
        return {"conn": conn, "other": other, "events": list(events)}

    r = client.get("/use")
    assert r.json() == {"conn": "conn", "other": "sync", "events": ["open", "sync-open"]}
    assert events == ["open", "sync-open", "sync-close", "close"]


def test_dependency_errors_are_422(api: BoltAPI, client: TestClient) -> None:
    async def paging(page: int = 1) -> int:
        return page

    @api.get("/paged")
    async def paged(page: int = Depends(paging)) -> dict:
        return {"page": page}

    r = client.get("/paged?page=x")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "page"]


def test_sync_handler_runs_in_thread(api: BoltAPI, client: TestClient) -> None:
    import threading

    main = threading.get_ident()

    @api.get("/sync")
    def sync_view(n: int) -> dict:
        return {"n": n, "same_thread": threading.get_ident() == main}

    assert client.get("/sync?n=2").json() == {"n": 2, "same_thread": False}


def test_var_args_are_startup_errors(api: BoltAPI) -> None:
    @api.get("/x")
    async def handler(*args) -> dict:  # type: ignore[no-untyped-def]
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"\*args"):
        api.compile()


@pytest.mark.parametrize("value", ["1e3", "5.0", "١٢", "+5", " 5", "0x10", "1_000", ""])
def test_int_parameters_accept_only_plain_integers(
    api: BoltAPI, client: TestClient, value: str
) -> None:
    @api.get("/n")
    async def n(number: int) -> dict:
        return {"number": number}

    r = client.get("/n", params={"number": value})
    assert r.status_code == 422, value
    assert r.json()["detail"][0]["loc"] == ["query", "number"]
    assert client.get("/n", params={"number": "-12"}).json() == {"number": -12}


def test_required_body_on_get_is_startup_error(api: BoltAPI) -> None:
    @api.get("/search")
    async def search(data: ItemIn) -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="GET requests carry no body"):
        api.compile()


def test_optional_body_on_get_and_post_action(api: BoltAPI, client: TestClient) -> None:
    @api.route("/prefs", ["GET", "POST"])
    async def prefs(request: object, data: dict | None = None) -> dict:
        return {"method": request["method"], "data": data}  # type: ignore[index]

    assert client.get("/prefs").json() == {"method": "GET", "data": None}
    assert client.post("/prefs", json={"a": 1}).json() == {"method": "POST", "data": {"a": 1}}


def test_unannotated_data_is_the_body(api: BoltAPI, client: TestClient) -> None:
    @api.post("/raw")
    async def raw(request, data) -> dict:  # type: ignore[no-untyped-def]
        return {"got": data}

    assert client.post("/raw", json={"a": [1, 2]}).json() == {"got": {"a": [1, 2]}}
    assert (
        client.post("/raw", content=b"{", headers={"content-type": "application/json"}).status_code
        == 400
    )
