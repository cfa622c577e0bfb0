"""Routing: static and parameter paths, converters, precedence, 404/405/HEAD/OPTIONS."""

from __future__ import annotations

import uuid

import pytest

from bolt import BoltAPI, Router
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient


def test_static_and_parameter_paths(api: BoltAPI, client: TestClient) -> None:
    @api.get("/items")
    async def items() -> list:
        return [1, 2]

    @api.get("/items/{item_id}")
    async def item(item_id: int) -> dict:
        return {"id": item_id}

    assert client.get("/items").json() == [1, 2]
    r = client.get("/items/42")
    assert r.status_code == 200
    assert r.json() == {"id": 42}
    assert r.headers["content-type"] == "application/json"


def test_static_segment_wins_over_parameter_whatever_the_order(api: BoltAPI) -> None:
    @api.get("/articles/{pk}")
    async def detail(pk: int) -> dict:
        return {"pk": pk}

    @api.get("/articles/published")
    async def published() -> dict:
        return {"published": True}

    client = TestClient(api)
    assert client.get("/articles/published").json() == {"published": True}
    assert client.get("/articles/7").json() == {"pk": 7}


def test_backtracking_to_parameter_branch(api: BoltAPI, client: TestClient) -> None:
    @api.get("/a/static/x")
    async def static_x() -> str:
        return "static"

    @api.get("/a/{name}/y")
    async def param_y(name: str) -> str:
        return name

    assert client.get("/a/static/y").text == "static"
    assert client.get("/a/static/x").text == "static"


def test_different_parameter_names_at_same_position(api: BoltAPI, client: TestClient) -> None:
    @api.get("/users/{user_id}")
    async def user(user_id: int) -> dict:
        return {"user_id": user_id}

    @api.post("/users/{id}/activate")
    async def activate(id: int) -> dict:
        return {"id": id}

    assert client.get("/users/3").json() == {"user_id": 3}
    assert client.post("/users/4/activate").json() == {"id": 4}


@pytest.mark.parametrize(
    ("path", "value", "status"),
    [
        ("/int/{v:int}", "12", 200),
        ("/int/{v:int}", "abc", 404),
        ("/int/{v:int}", "-1", 404),
        ("/slug/{v:slug}", "hello-world_1", 200),
        ("/slug/{v:slug}", "hello world", 404),
        ("/uuid/{v:uuid}", str(uuid.UUID(int=5)), 200),
        ("/uuid/{v:uuid}", "not-a-uuid", 404),
        ("/str/{v:str}", "anything", 200),
    ],
)
def test_converters(api: BoltAPI, path: str, value: str, status: int) -> None:
    @api.get(path)
    async def handler(v) -> dict:  # type: ignore[no-untyped-def]
        return {"v": str(v), "type": type(v).__name__}

    client = TestClient(api)
    r = client.get(path.split("{")[0] + value)
    assert r.status_code == status
    if status == 200:
        assert r.json()["v"] == value
    else:
        assert r.json() == {"detail": "Not Found"}


def test_converter_types_reach_handler(api: BoltAPI, client: TestClient) -> None:
    @api.get("/n/{v:int}")
    async def n(v) -> dict:  # type: ignore[no-untyped-def]
        return {"type": type(v).__name__}

    @api.get("/u/{v:uuid}")
    async def u(v) -> dict:  # type: ignore[no-untyped-def]
        return {"type": type(v).__name__}

    assert client.get("/n/5").json() == {"type": "int"}
    assert client.get(f"/u/{uuid.uuid4()}").json() == {"type": "UUID"}


def test_path_converter_takes_the_rest(api: BoltAPI, client: TestClient) -> None:
    @api.get("/files/{rest:path}")
    async def files(rest: str) -> dict:
        return {"rest": rest}

    assert client.get("/files/a/b/c.txt").json() == {"rest": "a/b/c.txt"}


def test_annotation_mismatch_is_422_not_404(api: BoltAPI, client: TestClient) -> None:
    @api.get("/articles/{article_id}")
    async def article(article_id: int) -> dict:
        return {"id": article_id}

    r = client.get("/articles/abc")
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "loc": ["path", "article_id"],
                "msg": "Expected `int`, got `str`",
                "type": "type_error",
            }
        ]
    }


def test_unknown_path_is_json_404(client: TestClient) -> None:
    r = client.get("/nowhere")
    assert r.status_code == 404
    assert r.json() == {"detail": "Not Found"}


def test_405_carries_allow(api: BoltAPI, client: TestClient) -> None:
    @api.get("/thing")
    async def get_thing() -> dict:
        return {}

    @api.post("/thing")
    async def post_thing() -> dict:
        return {}

    r = client.delete("/thing")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert r.json() == {"detail": "Method Not Allowed"}
    for method in ("TRACE", "CONNECT", "BREW"):
        r = client.request(method, "/thing")
        assert r.status_code == 405
        assert "GET" in r.headers["allow"]


def test_head_wherever_get(api: BoltAPI, client: TestClient) -> None:
    @api.get("/hello")
    async def hello() -> dict:
        return {"message": "Hello, World!"}

    get = client.get("/hello")
    head = client.head("/hello")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == get.headers["content-type"]


def test_options_answers_allow(api: BoltAPI, client: TestClient) -> None:
    @api.get("/hello")
    async def hello() -> dict:
        return {}

    r = client.options("/hello")
    assert r.status_code == 204
    assert r.headers["allow"] == "GET, HEAD, OPTIONS"
    assert r.content == b""


def test_explicit_options_handler_wins(api: BoltAPI, client: TestClient) -> None:
    @api.options("/meta")
    async def meta() -> dict:
        return {"methods": ["OPTIONS"]}

    r = client.options("/meta")
    assert r.status_code == 200
    assert r.json() == {"methods": ["OPTIONS"]}


def test_trailing_slash_is_stripped_by_default(api: BoltAPI, client: TestClient) -> None:
    @api.get("/items")
    async def items() -> list:
        return []

    @api.get("/items/{pk}")
    async def item(pk: int) -> dict:
        return {"pk": pk}

    assert client.get("/items/").status_code == 200
    assert client.get("/items/3/").json() == {"pk": 3}


def test_strict_trailing_slash_setting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.BOLT_TRAILING_SLASH = "strict"
    api = BoltAPI(plugins=["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit"])

    @api.get("/items")
    async def items() -> list:
        return []

    client = TestClient(api)
    assert client.get("/items").status_code == 200
    assert client.get("/items/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "//admin",
        "/ADMIN",
        "/api/./admin",
        "/api/x/../admin",
        "/admin%2fx",
        "/admin/%2e%2e",
        "/a%00",
    ],
)
def test_path_variants_do_not_reach_other_routes(
    api: BoltAPI, client: TestClient, path: str
) -> None:
    @api.get("/admin")
    async def admin() -> dict:
        return {"secret": True}

    @api.get("/admin/{name}")
    async def admin_named(name: str) -> dict:
        return {"name": name}

    r = client.get(path)
    assert r.status_code == 404, path
    assert r.json() == {"detail": "Not Found"}


def test_percent_encoded_segments_are_decoded_per_segment(api: BoltAPI, client: TestClient) -> None:
    @api.get("/tags/{name}")
    async def tag(name: str) -> dict:
        return {"name": name}

    assert client.get("/tags/caf%C3%A9").json() == {"name": "café"}
    assert client.get("/tags/a%20b").json() == {"name": "a b"}
    assert client.get("/tags/a%2fb").status_code == 404


def test_router_prefix_and_include(api: BoltAPI, client: TestClient) -> None:
    router = Router(prefix="/v1", tags=["v1"])

    @router.get("/ping")
    async def ping() -> dict:
        return {"pong": True}

    api.include_router(router, prefix="/api")
    assert client.get("/api/v1/ping").json() == {"pong": True}
    route = next(r for r in api.iter_routes() if r.path == "/api/v1/ping")
    assert route.tags == ["v1"]


def test_api_prefix() -> None:
    api = BoltAPI(
        prefix="/api", plugins=["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit"]
    )

    @api.get("/ping")
    async def ping() -> dict:
        return {"pong": True}

    assert TestClient(api).get("/api/ping").json() == {"pong": True}


def test_mount_hands_over_subpaths(api: BoltAPI, client: TestClient) -> None:
    seen = []

    async def legacy(scope, receive, send):  # type: ignore[no-untyped-def]
        seen.append((scope["path"], scope["root_path"]))
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"x-app", b"legacy")]}
        )
        await send({"type": "http.response.body", "body": b"legacy"})

    api.mount("/legacy", legacy)
    r = client.get("/legacy/some/page")
    assert r.status_code == 200
    assert r.text == "legacy"
    assert r.headers["x-app"] == "legacy"
    assert seen == [("/some/page", "/legacy")]


def test_duplicate_route_is_startup_error(api: BoltAPI) -> None:
    @api.get("/x")
    async def one() -> dict:
        return {}

    @api.get("/x")
    async def two() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        api.compile()


@pytest.mark.parametrize("path", ["items", "/a/{b", "/a/x{y}", "/a/{b:nope}", "/a/{p:path}/x"])
def test_bad_route_paths_are_startup_errors(api: BoltAPI, path: str) -> None:
    async def handler() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured):  # noqa: PT012 - registration and compile both check
        api.get(path)(handler)
        api.compile()


def test_routes_after_compile_are_refused(api: BoltAPI, client: TestClient) -> None:
    client.get("/")
    with pytest.raises(ImproperlyConfigured, match="already compiled"):

        @api.get("/late")
        async def late() -> dict:
            return {}
