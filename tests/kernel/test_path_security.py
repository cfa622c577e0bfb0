"""Path security on the test client: dot segments, path variants of guarded routes, and
integers beyond 64 bits in path and query parameters.

httpx resolves ``.`` and ``..`` segments before sending (as browsers and curl do), so
``send_raw`` puts the literal target back into the request, the way a hostile client or a
raw socket sends it.
"""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import jwt
import pytest

from bolt import BoltAPI
from bolt.auth import IsAdminUser, JWTAuthentication
from bolt.params import Header, Path, Query
from bolt.testing import TestClient
from tests.plugins.auth.conftest import SECRET, claims_for

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
NOT_FOUND = {"detail": "Not Found"}


def send_raw(client: TestClient, target: str, method: str = "GET", **kwargs: Any) -> httpx.Response:
    """Send ``target`` exactly as written (no dot-segment resolution by httpx)."""
    path, _, query = target.partition("?")
    request = client.build_request(method, "/", **kwargs)
    ref = request.url._uri_reference
    request.url._uri_reference = ref._replace(path=path, query=query or None)
    assert request.url.raw_path == target.encode(), "the client changed the target"
    return client.send(request)


# --- dot segments -------------------------------------------------------------------------
@pytest.fixture
def ran() -> list[Any]:
    return []


@pytest.fixture
def files_api(api: BoltAPI, ran: list[Any]) -> BoltAPI:
    @api.get("/files/{name}")
    async def file(name: str) -> dict:
        ran.append(name)
        return {"name": name}

    @api.get("/dl/{rest:path}")
    async def download(rest: str) -> dict:
        ran.append(rest)
        return {"rest": rest}

    @api.get("/a/{x}/{y}")
    async def two(x: str, y: str) -> dict:
        ran.append((x, y))
        return {"x": x, "y": y}

    return api


@pytest.mark.parametrize(
    "target",
    [
        # literal dot segments
        "/files/..",
        "/files/.",
        "/files/../",
        "/files/./",
        "/dl/../../etc/passwd",
        "/dl/a/../../etc/passwd",
        "/dl/a/./b",
        "/dl/a/b/..",
        "/dl/.",
        "/a/./b",
        "/a/../b",
        "/a/x/..",
        "/a/../../etc",
        # percent-encoded dots, any case, and mixed with literal dots
        "/files/%2e%2e",
        "/files/%2E%2E",
        "/files/%2E%2e",
        "/files/.%2e",
        "/files/%2e.",
        "/files/%2e",
        "/files/%2E",
        "/dl/%2e%2e/%2e%2e/etc/passwd",
        "/dl/a/%2E%2e/%2e%2E/etc/passwd",
        "/dl/..%2f..%2fetc%2fpasswd",
        "/dl/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/a/%2e/b",
        "/a/x/%2E%2E",
        # separators and NUL inside a segment
        "/files/a%2fb",
        "/files/a%2Fb",
        "/files/%00",
        "/files/a%00b",
        "/dl/a%2f..",
        "/dl/a%00",
        "/files/%ff",
    ],
)
def test_dot_segments_never_reach_a_path_parameter(
    files_api: BoltAPI, ran: list[Any], target: str
) -> None:
    client = TestClient(files_api)
    r = send_raw(client, target)
    assert r.status_code == 404, (target, r.text)
    assert r.json() == NOT_FOUND
    assert r.headers["content-type"] == "application/json"
    assert ran == []


@pytest.mark.parametrize("method", ["HEAD", "POST", "DELETE", "OPTIONS"])
def test_dot_segments_are_refused_for_every_method(
    files_api: BoltAPI, ran: list[Any], method: str
) -> None:
    r = send_raw(TestClient(files_api), "/files/..", method)
    assert r.status_code == 404, (method, r.text)
    assert ran == []


@pytest.mark.parametrize(
    ("target", "body"),
    [
        ("/files/.hidden", {"name": ".hidden"}),
        ("/files/...", {"name": "..."}),
        ("/files/a..b", {"name": "a..b"}),
        ("/files/..a", {"name": "..a"}),
        ("/files/%2e%2e%2e", {"name": "..."}),
        ("/files/%2ehidden", {"name": ".hidden"}),
        ("/dl/a/b.txt", {"rest": "a/b.txt"}),
        ("/dl/.config/app.ini", {"rest": ".config/app.ini"}),
        ("/dl/v1.2/..tar", {"rest": "v1.2/..tar"}),
        ("/a/.x/y.", {"x": ".x", "y": "y."}),
    ],
)
def test_names_with_dots_that_are_not_dot_segments_still_work(
    files_api: BoltAPI, target: str, body: dict[str, str]
) -> None:
    r = send_raw(TestClient(files_api), target)
    assert r.status_code == 200, (target, r.text)
    assert r.json() == body


def test_dot_segments_are_not_handed_to_mounts_or_the_fallback(api: BoltAPI) -> None:
    seen: list[str] = []

    async def other(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"other"})

    @api.get("/api/admin")
    async def admin() -> dict:
        return {"secret": True}

    api.mount("/legacy", other)
    api.fallback = other
    client = TestClient(api)
    for target in (
        "/legacy/../api/admin",
        "/legacy/./x",
        "/legacy/%2e%2e/api/admin",
        "/legacy/a/%2E%2E/b",
        "/static/../settings.py",
        "/static/%2e%2e/settings.py",
        "/x/./y",
    ):
        r = send_raw(client, target)
        assert r.status_code == 404, (target, r.text)
        assert r.json() == NOT_FOUND
    assert seen == []
    # ordinary paths still reach them
    assert send_raw(client, "/legacy/a.b/c").text == "other"
    assert send_raw(client, "/static/app.css").text == "other"
    assert seen == ["/a.b/c", "/static/app.css"]


@pytest.mark.parametrize("path", ["/a/../b", "/a/.", "/./a", "/a/{x}/.."])
def test_route_paths_with_dot_segments_are_startup_errors(path: str) -> None:
    from bolt.exceptions import ImproperlyConfigured

    api = BoltAPI(plugins=["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit"])

    async def handler() -> dict:
        return {}

    api.get(path)(handler)
    with pytest.raises(ImproperlyConfigured, match="dot segment"):
        api.compile()


# --- guard bypass by path variants ----------------------------------------------------------
@pytest.fixture
def guarded() -> tuple[TestClient, list[str]]:
    calls: list[str] = []
    api = BoltAPI(plugins=["auth", "guards"], auth=[JWTAuthentication()])

    @api.get("/api/admin", guards=[IsAdminUser()])
    async def admin() -> dict:
        calls.append("admin")
        return {"admin": True}

    # Unguarded routes that a path variant of /api/admin would land on if dot segments
    # reached parameters.
    @api.get("/api/{section}/{rest:path}")
    async def docs(section: str, rest: str) -> dict:
        calls.append(f"docs {section} {rest}")
        return {"section": section, "rest": rest}

    @api.get("/{page}/admin")
    async def page(page: str) -> dict:
        calls.append(f"page {page}")
        return {"page": page}

    return TestClient(api), calls


@pytest.mark.parametrize(
    "target",
    [
        "//api/admin",
        "/api//admin",
        "/API/ADMIN",
        "/api/ADMIN",
        "/api/admin/",
        "/api/./admin",
        "/api/x/../admin",
        "/api/admin/.",
        "/api/admin/..",
        "/./api/admin",
        "/../api/admin",
        "/x/../api/admin",
        "/api/%2e/admin",
        "/api/x/%2E%2E/admin",
        "/api/x/%2e%2e/admin",
        "/api/admin%2f",
        "/api%2fadmin",
        "/api/%61dmin",
        "/api/admin;x",
        "/api/admin%00",
        "/./admin",
        "/../admin",
        "/%2e%2e/admin",
    ],
)
def test_path_variants_of_a_guarded_route_get_its_answer_or_404(
    guarded: tuple[TestClient, list[str]], target: str
) -> None:
    client, calls = guarded
    canonical = client.get("/api/admin")
    assert canonical.status_code == 401
    r = send_raw(client, target)
    assert r.status_code in (401, 404), (target, r.status_code, r.text)
    if r.status_code == 401:
        assert r.json() == canonical.json()
        assert r.headers["www-authenticate"] == canonical.headers["www-authenticate"]
    else:
        assert r.json() == NOT_FOUND
    # with a non-admin token: 403 from the guard, or 404, never the handler
    plain = {"Authorization": "Bearer " + jwt.encode(claims_for(), SECRET, algorithm="HS256")}
    r = send_raw(client, target, headers=plain)
    assert r.status_code in (403, 404), (target, r.status_code, r.text)
    assert calls == []


def test_the_canonical_guarded_path_still_works(guarded: tuple[TestClient, list[str]]) -> None:
    client, calls = guarded
    admin = {
        "Authorization": "Bearer "
        + jwt.encode(claims_for(is_superuser=True, is_staff=True), SECRET, algorithm="HS256")
    }
    assert client.get("/api/admin", headers=admin).json() == {"admin": True}
    assert client.get("/api/admin/", headers=admin).json() == {"admin": True}
    assert client.get("/api/guide/a.b").json() == {"section": "guide", "rest": "a.b"}
    assert calls == ["admin", "admin", "docs guide a.b"]


# --- integers beyond 64 bits ----------------------------------------------------------------
def too_big(loc: list[Any]) -> dict[str, Any]:
    return {
        "detail": [{"loc": loc, "msg": f"Expected `int` <= {INT64_MAX}", "type": "value_error"}]
    }


def too_small(loc: list[Any]) -> dict[str, Any]:
    return {
        "detail": [{"loc": loc, "msg": f"Expected `int` >= {INT64_MIN}", "type": "value_error"}]
    }


NOT_AN_INT = {"msg": "Expected `int`, got `str`", "type": "type_error"}


@pytest.fixture
def ints(api: BoltAPI, ran: list[Any]) -> TestClient:
    @api.get("/conv/{id:int}")
    async def conv(id: int) -> dict:
        ran.append(id)
        return {"id": id}

    @api.get("/bare/{id:int}")
    async def bare(id) -> dict:  # type: ignore[no-untyped-def]
        ran.append(id)
        return {"id": id}

    @api.get("/typed/{id}")
    async def typed(id: int) -> dict:
        ran.append(id)
        return {"id": id}

    @api.get("/opt/{id}")
    async def optional(id: int | None) -> dict:
        ran.append(id)
        return {"id": id}

    return TestClient(api)


@pytest.mark.parametrize("prefix", ["/conv", "/bare", "/typed", "/opt"])
@pytest.mark.parametrize(
    "value",
    [
        str(INT64_MAX + 1),
        "9999999999999999999",
        "99999999999999999999",
        "18446744073709551616",
        "9" * 40,
        "9" * 5000,
        "1" + "0" * 100,
    ],
)
def test_int_path_parameter_beyond_64_bits_is_422(
    ints: TestClient, ran: list[Any], prefix: str, value: str
) -> None:
    r = ints.get(f"{prefix}/{value}")
    assert r.status_code == 422, (prefix, value[:30], r.text)
    assert r.json() == too_big(["path", "id"])
    assert ran == []


@pytest.mark.parametrize("prefix", ["/typed", "/opt"])
def test_signed_int_path_parameter_below_64_bits_is_422(
    ints: TestClient, ran: list[Any], prefix: str
) -> None:
    for value in (str(INT64_MIN - 1), "-" + "9" * 40):
        r = ints.get(f"{prefix}/{value}")
        assert r.status_code == 422, (prefix, value, r.text)
        assert r.json() == too_small(["path", "id"])
    assert ran == []


@pytest.mark.parametrize("prefix", ["/conv", "/bare", "/typed", "/opt"])
def test_int_path_parameter_at_the_64_bit_edges_is_served(ints: TestClient, prefix: str) -> None:
    assert ints.get(f"{prefix}/{INT64_MAX}").json() == {"id": INT64_MAX}
    assert ints.get(f"{prefix}/0").json() == {"id": 0}
    assert ints.get(f"{prefix}/00000000000000000000042").json() == {"id": 42}


def test_signed_int_path_parameter_at_the_lower_edge_is_served(ints: TestClient) -> None:
    assert ints.get(f"/typed/{INT64_MIN}").json() == {"id": INT64_MIN}


@pytest.mark.parametrize("value", ["abc", "1.5", "1e3", "0x10", "-1", "%D9%A1", "+1"])
def test_non_numeric_int_converter_value_is_still_404(
    ints: TestClient, ran: list[Any], value: str
) -> None:
    for prefix in ("/conv", "/bare"):
        r = ints.get(f"{prefix}/{value}")
        assert r.status_code == 404, (prefix, value, r.text)
        assert r.json() == NOT_FOUND
    assert ran == []


@pytest.mark.parametrize("value", ["abc", "1.5", "1e3", "0x10", "%D9%A1", "+1", "--1", "-"])
def test_non_numeric_int_annotation_value_is_still_422_type_error(
    ints: TestClient, ran: list[Any], value: str
) -> None:
    for prefix in ("/typed", "/opt"):
        r = ints.get(f"{prefix}/{value}")
        assert r.status_code == 422, (prefix, value, r.text)
        assert r.json() == {"detail": [{"loc": ["path", "id"], **NOT_AN_INT}]}
    assert ran == []


@pytest.fixture
def query_ints(api: BoltAPI, ran: list[Any]) -> TestClient:
    @api.get("/q")
    async def plain(n: int = 0) -> dict:
        ran.append(n)
        return {"n": n}

    @api.get("/q-opt")
    async def optional(n: int | None = None) -> dict:
        ran.append(n)
        return {"n": n}

    @api.get("/q-ge")
    async def constrained(n: Annotated[int, Query(ge=1)] = 1) -> dict:
        ran.append(n)
        return {"n": n}

    @api.get("/q-list")
    async def many(n: list[int] = []) -> dict:  # noqa: B006
        ran.append(n)
        return {"n": n}

    @api.get("/h")
    async def header(x_count: Annotated[int, Header()] = 0) -> dict:
        ran.append(x_count)
        return {"n": x_count}

    return TestClient(api)


@pytest.mark.parametrize("path", ["/q", "/q-opt", "/q-ge"])
@pytest.mark.parametrize("value", [str(INT64_MAX + 1), "99999999999999999999", "9" * 5000])
def test_int_query_parameter_beyond_64_bits_is_422(
    query_ints: TestClient, ran: list[Any], path: str, value: str
) -> None:
    r = query_ints.get(path, params={"n": value})
    assert r.status_code == 422, (path, value[:30], r.text)
    assert r.json() == too_big(["query", "n"])
    assert ran == []


@pytest.mark.parametrize("path", ["/q", "/q-opt"])
def test_int_query_parameter_below_64_bits_is_422(
    query_ints: TestClient, ran: list[Any], path: str
) -> None:
    r = query_ints.get(path, params={"n": str(INT64_MIN - 1)})
    assert r.status_code == 422, (path, r.text)
    assert r.json() == too_small(["query", "n"])
    assert ran == []


def test_int_list_query_parameter_beyond_64_bits_is_422(
    query_ints: TestClient, ran: list[Any]
) -> None:
    r = query_ints.get("/q-list", params=[("n", "1"), ("n", str(INT64_MAX + 1))])
    assert r.status_code == 422, r.text
    assert r.json() == too_big(["query", "n", 1])
    assert ran == []


def test_int_header_beyond_64_bits_is_422(query_ints: TestClient, ran: list[Any]) -> None:
    r = query_ints.get("/h", headers={"x-count": str(INT64_MAX + 1)})
    assert r.status_code == 422, r.text
    assert r.json() == too_big(["header", "x-count"])
    assert ran == []


def test_int_query_parameters_in_range_are_served(query_ints: TestClient) -> None:
    assert query_ints.get("/q", params={"n": str(INT64_MAX)}).json() == {"n": INT64_MAX}
    assert query_ints.get("/q", params={"n": str(INT64_MIN)}).json() == {"n": INT64_MIN}
    assert query_ints.get("/q-opt").json() == {"n": None}
    assert query_ints.get("/q-ge", params={"n": "5"}).json() == {"n": 5}
    assert query_ints.get("/q-list", params=[("n", "1"), ("n", "2")]).json() == {"n": [1, 2]}
    r = query_ints.get("/q-ge", params={"n": "0"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "Expected `int` >= 1"


@pytest.mark.parametrize("path", ["/q", "/q-opt", "/q-ge"])
@pytest.mark.parametrize("value", ["abc", "1e3", "1.0", "0x10", "+1"])
def test_non_numeric_int_query_value_is_422_type_error(
    query_ints: TestClient, ran: list[Any], path: str, value: str
) -> None:
    r = query_ints.get(path, params={"n": value})
    assert r.status_code == 422, (path, value, r.text)
    detail = r.json()["detail"]
    assert detail[0]["loc"] == ["query", "n"]
    assert detail[0]["type"] == "type_error"
    assert ran == []


@pytest.mark.orm
@pytest.mark.django_db
def test_huge_ints_are_422_before_they_reach_the_orm(api: BoltAPI) -> None:
    from bolt.exceptions import NotFound
    from tests.testapp.models import Product

    @api.get("/products")
    async def by_stock(stock: int) -> list:
        return [p.name async for p in Product.objects.filter(stock=stock)]

    @api.get("/products/in")
    async def by_stocks(stock: list[int]) -> list:
        # SQLite raises OverflowError for an int beyond 64 bits in an IN list
        return [p.name async for p in Product.objects.filter(stock__in=stock)]

    @api.get("/products/{pk}")
    async def detail(pk: int) -> dict:
        product = await Product.objects.filter(pk=pk).afirst()
        if product is None:
            raise NotFound()
        return {"name": product.name}

    client = TestClient(api)
    r = client.get("/products", params={"stock": str(INT64_MAX + 1)})
    assert r.status_code == 422, r.text
    assert r.json() == too_big(["query", "stock"])
    r = client.get("/products/in", params=[("stock", "1"), ("stock", str(INT64_MAX + 1))])
    assert r.status_code == 422, r.text
    assert r.json() == too_big(["query", "stock", 1])
    r = client.get(f"/products/{INT64_MAX + 1}")
    assert r.status_code == 422, r.text
    assert r.json() == too_big(["path", "pk"])
    # in range for 64 bits (even beyond the column's 32 bits): an ordinary answer
    assert client.get("/products", params={"stock": str(2**40)}).json() == []
    assert client.get("/products/in", params={"stock": str(INT64_MAX)}).json() == []
    assert client.get(f"/products/{INT64_MAX}").status_code == 404


def test_constrained_int_list_query_parameter_beyond_64_bits_is_422(
    api: BoltAPI, ran: list[Any]
) -> None:
    @api.get("/some")
    async def some(n: Annotated[list[int], Query(min_length=1)]) -> dict:
        ran.append(n)
        return {"n": n}

    client = TestClient(api)
    assert client.get("/some", params={"n": "3"}).json() == {"n": [3]}
    r = client.get("/some", params={"n": str(INT64_MAX + 1)})
    assert r.status_code == 422, r.text
    assert r.json() == too_big(["query", "n", 0])
    assert ran == [[3]]


def test_constraints_apply_to_an_int_converted_by_the_router(api: BoltAPI, ran: list[Any]) -> None:
    @api.get("/pages/{n:int}")
    async def page(n: Annotated[int, Path(ge=1, le=1000)]) -> dict:
        ran.append(n)
        return {"n": n}

    client = TestClient(api)
    assert client.get("/pages/5").json() == {"n": 5}
    for value, msg in (("0", "Expected `int` >= 1"), ("1001", "Expected `int` <= 1000")):
        r = client.get(f"/pages/{value}")
        assert r.status_code == 422, r.text
        assert r.json() == {"detail": [{"loc": ["path", "n"], "msg": msg, "type": "value_error"}]}
    r = client.get(f"/pages/{INT64_MAX + 1}")
    assert r.json() == too_big(["path", "n"])
    assert ran == [5]
