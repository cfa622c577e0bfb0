"""``bolt.binding``: how a handler's signature becomes parameters (sources, aliases,
constraints, startup errors) and the path, query, header and cookie extractors, through HTTP."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import pytest

from bolt import BoltAPI
from bolt.exceptions import ImproperlyConfigured
from bolt.params import Cookie, Depends, Header, ParamMarker, Path, Query
from bolt.request import Request
from bolt.testing import TestClient


class Filters(msgspec.Struct):
    status: str = "open"
    tags: list[str] = []
    page: int = 1


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


def test_var_args_are_startup_errors(api: BoltAPI) -> None:
    @api.get("/x")
    async def handler(*args) -> dict:  # type: ignore[no-untyped-def]
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"\*args"):
        api.compile()


def test_request_parameter_by_name_and_type(api: BoltAPI, client: TestClient) -> None:
    @api.get("/by-name")
    async def by_name(request) -> dict:  # type: ignore[no-untyped-def]
        return {"path": request.path, "q": request.get("query", {})}

    @api.get("/by-type")
    async def by_type(req: Request) -> dict:
        return {"path": req["path"], "auth": req.get("auth", {})}

    assert client.get("/by-name?a=1").json() == {"path": "/by-name", "q": {"a": "1"}}
    assert client.get("/by-type").json() == {"path": "/by-type", "auth": {}}


def test_query_values_are_percent_decoded_once(api: BoltAPI, client: TestClient) -> None:
    @api.get("/echo")
    async def echo(q: str, tag: list[str] = []) -> dict:  # noqa: B006 - never mutated
        return {"q": q, "tag": tag}

    r = client.get("/echo?q=caf%C3%A9+au+lait&tag=%2541&tag=b")
    assert r.json() == {"q": "café au lait", "tag": ["%41", "b"]}
    assert client.get("/echo?q=a%26b").json() == {"q": "a&b", "tag": []}


def test_query_parameter_and_request_query_agree(api: BoltAPI, client: TestClient) -> None:
    """The extractor and ``request.query`` read the same parse (last value wins in both)."""

    @api.get("/both")
    async def both(request: Request, q: str, n: int = 0) -> dict:
        return {"q": q, "n": n, "query": request.query}

    for qs in ("q=a&n=1&q=b", "q=a&n=1&q=%62"):
        assert client.get(f"/both?{qs}").json() == {"q": "b", "n": 1, "query": {"q": "b", "n": "1"}}


def test_optional_scalars_absent_empty_and_invalid(api: BoltAPI, client: TestClient) -> None:
    @api.get("/opt")
    async def opt(n: int | None = None, flag: bool = False, name: str = "anon") -> dict:
        return {"n": n, "flag": flag, "name": name}

    assert client.get("/opt").json() == {"n": None, "flag": False, "name": "anon"}
    assert client.get("/opt?flag=true&name=").json() == {"n": None, "flag": True, "name": ""}
    r = client.get("/opt?flag=maybe")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "flag"]


def test_path_int_out_of_range_is_422_not_500(api: BoltAPI, client: TestClient) -> None:
    @api.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict:
        return {"id": thing_id}

    assert client.get("/things/7").json() == {"id": 7}
    r = client.get("/things/" + "9" * 5000)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["path", "thing_id"]


class _Session(ParamMarker):
    """A parameter source no enabled plugin supplies."""

    source = "session"


def _session_user(user_id: Annotated[str, _Session()]) -> str:
    return user_id


def _current_account(user: Annotated[str, Depends(_session_user)]) -> str:
    return user


@pytest.mark.parametrize("dependency", [_session_user, _current_account])
def test_dependency_parameter_nobody_supplies_stops_startup(api: BoltAPI, dependency: Any) -> None:
    """A dependency's own parameter without an extractor is a startup error naming the
    dependency and the parameter (it used to compile and then fail every request with a
    500), also when it sits in a dependency of a dependency."""

    @api.get("/me")
    async def me(user: str = Depends(dependency)) -> dict:
        return {"user": user}

    with pytest.raises(ImproperlyConfigured) as caught:
        api.compile()
    message = str(caught.value)
    assert "_session_user" in message
    assert "'user_id'" in message
    assert "session" in message
    assert "GET /me" in message or "/me" in message
