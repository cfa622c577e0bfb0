"""``Middleware(before=...)``: check-and-annotate steps without a coroutine of their own.

Through HTTP: the order they run in next to ``wrap`` steps, answering early, refusing with
an exception, async steps, and the headers they leave in ``request.response_headers``
reaching every kind of response the request can end with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bolt import BoltAPI, Middleware, hookimpl
from bolt.exceptions import Forbidden, NotFound
from bolt.middleware import skip_middleware
from bolt.request import Request
from bolt.responses import JSONResponse, Response, StreamingResponse
from bolt.route import Route
from bolt.testing import TestClient

KERNEL_ONLY = ["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit", "-openapi"]


def api_with(*steps: Middleware) -> BoltAPI:
    class Steps:
        @hookimpl
        def bolt_configure(self, api: BoltAPI, settings: Any) -> None:
            for step in steps:
                api.register_middleware_name(step.name)

        @hookimpl
        def bolt_route_middleware(self, api: BoltAPI, route: Route) -> Any:
            return list(steps)

    return BoltAPI(plugins=[*KERNEL_ONLY, Steps()])


def recorder(order: list[str], name: str) -> Callable[[Request], None]:
    def step(request: Request) -> None:
        order.append(name)
        request.add_response_header(f"x-{name}", "1")

    return step


def wrapper(order: list[str], name: str) -> Callable[[Any], Any]:
    def wrap(nxt: Any) -> Any:
        async def handler(request: Request) -> Response:
            order.append(f"{name}>")
            response: Response = await nxt(request)
            order.append(f"<{name}")
            return response

        return handler

    return wrap


def test_before_and_wrap_steps_run_in_phase_order() -> None:
    order: list[str] = []
    api = api_with(
        Middleware(300, before=recorder(order, "c"), name="c"),
        Middleware(100, before=recorder(order, "a"), name="a"),
        Middleware(200, wrapper(order, "w"), "w"),
        Middleware(400, before=recorder(order, "d"), name="d"),
        Middleware(150, before=recorder(order, "b"), name="b"),
    )

    @api.get("/x")
    async def x() -> dict:
        order.append("handler")
        return {"ok": True}

    r = TestClient(api).get("/x")
    assert r.status_code == 200
    assert r.json() == {"ok": True}
    assert order == ["a", "b", "w>", "c", "d", "handler", "<w"]
    assert [r.headers[f"x-{n}"] for n in "abcd"] == ["1"] * 4


def test_skip_middleware_removes_a_before_step() -> None:
    order: list[str] = []
    api = api_with(
        Middleware(100, before=recorder(order, "a"), name="a"),
        Middleware(200, before=recorder(order, "b"), name="b", optional=False),
    )

    @api.get("/x")
    @skip_middleware("*")
    async def x() -> dict:
        return {}

    r = TestClient(api).get("/x")
    assert order == ["b"]
    assert "x-a" not in r.headers
    assert r.headers["x-b"] == "1"


def test_a_returned_response_answers_and_skips_the_rest() -> None:
    ran: list[str] = []

    def gate(request: Request) -> Response | None:
        request.add_response_header("x-gate", "seen")
        if request.headers.get("x-stop"):
            return JSONResponse({"stopped": True}, 409)
        return None

    api = api_with(
        Middleware(100, before=gate, name="gate"),
        Middleware(200, before=recorder(ran, "later"), name="later"),
    )

    @api.get("/x")
    async def x() -> dict:
        ran.append("handler")
        return {}

    client = TestClient(api)
    r = client.get("/x", headers={"x-stop": "1"})
    assert r.status_code == 409
    assert r.json() == {"stopped": True}
    assert r.headers["x-gate"] == "seen"  # headers collected so far go with the answer
    assert ran == []
    assert client.get("/x").status_code == 200
    assert ran == ["later", "handler"]


def test_an_exception_becomes_its_error_response_with_collected_headers() -> None:
    ran: list[str] = []

    def first(request: Request) -> None:
        request.add_response_header("x-first", "1")

    def refuse(request: Request) -> None:
        raise Forbidden(detail="no")

    api = api_with(
        Middleware(100, before=first, name="first"),
        Middleware(200, before=refuse, name="refuse"),
    )

    @api.get("/x")
    async def x() -> dict:
        ran.append("handler")
        return {}

    r = TestClient(api).get("/x")
    assert r.status_code == 403
    assert r.json() == {"detail": "no"}
    assert r.headers["x-first"] == "1"
    assert r.headers["content-type"] == "application/json"
    assert ran == []


@pytest.mark.parametrize("path", ["/missing-object", "/crash", "/stream", "/headers"])
def test_collected_headers_reach_every_response_kind(path: str) -> None:
    def tag(request: Request) -> None:
        request.add_response_header("X-Tag", "tagged")

    api = api_with(Middleware(100, before=tag, name="tag"))

    @api.get("/missing-object")
    async def missing() -> dict:
        raise NotFound("no such thing")

    @api.get("/crash")
    async def crash() -> dict:
        raise RuntimeError("boom")

    @api.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> Any:
            yield b"a"
            yield b"b"

        return StreamingResponse(chunks(), media_type="text/plain")

    @api.get("/headers")
    async def headers() -> Response:
        return JSONResponse({"ok": True}, headers={"x-own": "mine"})

    r = TestClient(api).get(path)
    assert r.headers["x-tag"] == "tagged"
    assert r.status_code == {"/missing-object": 404, "/crash": 500}.get(path, 200)
    if path == "/stream":
        assert r.content == b"ab"
    if path == "/headers":
        assert r.headers["x-own"] == "mine"
        assert r.json() == {"ok": True}


def test_vary_merges_and_same_name_is_replaced() -> None:
    def step(request: Request) -> None:
        request.add_response_header("Vary", "Origin")
        request.add_response_header("x-who", "middleware")

    api = api_with(Middleware(100, before=step, name="step"))

    @api.get("/own-vary")
    async def own_vary() -> Response:
        return JSONResponse({}, headers={"Vary": "Accept", "X-Who": "handler"})

    @api.get("/same-vary")
    async def same_vary() -> Response:
        return JSONResponse({}, headers={"vary": "origin"})

    @api.get("/star")
    async def star() -> Response:
        return JSONResponse({}, headers={"vary": "*"})

    @api.get("/plain")
    async def plain() -> dict:
        return {}

    client = TestClient(api)
    r = client.get("/own-vary")
    assert r.headers.get_list("vary") == ["Accept, Origin"]
    assert r.headers.get_list("x-who") == ["middleware"]
    assert client.get("/same-vary").headers.get_list("vary") == ["origin"]
    assert client.get("/star").headers.get_list("vary") == ["*"]
    assert client.get("/plain").headers.get_list("vary") == ["Origin"]


def test_header_values_cannot_split_the_response() -> None:
    def step(request: Request) -> None:
        request.add_response_header("x-echo", request.headers.get("x-in", ""))

    api = api_with(Middleware(100, before=step, name="step"))

    @api.get("/x")
    async def x() -> dict:
        return {}

    # The test client passes the header through as given; Granian would refuse it first.
    r = TestClient(api).get("/x", headers={"x-in": "a\x00b"})
    assert r.status_code == 200
    assert r.headers["x-echo"] == "a b"
    assert "b" not in r.headers.keys() - {"x-echo"}


def test_async_steps_and_sync_steps_returning_awaitables() -> None:
    order: list[str] = []

    async def async_step(request: Request) -> Response | None:
        order.append("async")
        if request.headers.get("x-deny") == "async":
            return JSONResponse({"by": "async"}, 401)
        return None

    async def later(request: Request) -> Response | None:
        order.append("awaited")
        if request.headers.get("x-deny") == "sync":
            return JSONResponse({"by": "sync"}, 402)
        return None

    def sync_step(request: Request) -> Any:
        order.append("sync")
        return later(request)  # a sync step that has to wait hands back an awaitable

    api = api_with(
        Middleware(100, before=async_step, name="async_step"),
        Middleware(200, before=sync_step, name="sync_step"),
    )

    @api.get("/x")
    async def x() -> dict:
        order.append("handler")
        return {"ok": True}

    client = TestClient(api)
    assert client.get("/x").json() == {"ok": True}
    assert order == ["async", "sync", "awaited", "handler"]
    order.clear()
    r = client.get("/x", headers={"x-deny": "async"})
    assert (r.status_code, r.json()) == (401, {"by": "async"})
    assert order == ["async"]
    order.clear()
    r = client.get("/x", headers={"x-deny": "sync"})
    assert (r.status_code, r.json()) == (402, {"by": "sync"})
    assert order == ["async", "sync", "awaited"]


def test_preflight_steps_run_before_the_automatic_options_answer() -> None:
    def step(request: Request) -> None:
        request.add_response_header("x-pre", "1")

    class Pre:
        @hookimpl
        def bolt_configure(self, api: BoltAPI, settings: Any) -> None:
            api.register_middleware_name("pre")

        @hookimpl
        def bolt_route_middleware(self, api: BoltAPI, route: Route) -> Any:
            return Middleware(100, before=step, name="pre", preflight=True)

    api = BoltAPI(plugins=[*KERNEL_ONLY, Pre()])

    @api.get("/x")
    async def x() -> dict:
        return {}

    r = TestClient(api).options("/x")
    assert r.status_code in (200, 204)
    assert "GET" in r.headers["allow"]
    assert r.headers["x-pre"] == "1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"phase": 1, "name": "x"}, "exactly one of wrap= and before="),
        ({"phase": 1, "name": "x", "wrap": lambda n: n, "before": lambda r: None}, "exactly one"),
        ({"phase": 1, "before": lambda r: None}, "needs a name"),
    ],
)
def test_middleware_shape_is_checked(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Middleware(**kwargs)


def silent(order: list[str], name: str) -> Callable[[Request], None]:
    def step(request: Request) -> None:
        order.append(name)

    return step


def test_two_cookies_from_a_step_survive_whatever_the_handler_returns() -> None:
    """Two cookies from a step both arrive, whether the handler's response is a plain dict
    (headers appended as they are) or carries headers of its own (merged exactly)."""

    def session(request: Request) -> None:
        request.add_response_header("Set-Cookie", "a=1; Path=/")
        request.add_response_header("Set-Cookie", "b=2; Path=/")

    api = api_with(Middleware(100, before=session, name="session"))

    @api.get("/plain")
    async def plain() -> dict:
        return {}

    @api.get("/own")
    async def own() -> Response:
        return JSONResponse({}, headers={"cache-control": "no-store"})

    client = TestClient(api)
    assert client.get("/plain").headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert client.get("/own").headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]


def test_step_header_replaces_the_responses_own_content_type() -> None:
    """A step's Content-Type replaces the response's: it is sent once, never twice."""

    def problem(request: Request) -> None:
        request.add_response_header("Content-Type", "application/problem+json")

    api = api_with(Middleware(100, before=problem, name="problem"))

    @api.get("/plain")
    async def plain() -> dict:
        return {}

    @api.get("/own")
    async def own() -> Response:
        return JSONResponse({}, headers={"x-own": "1"})

    client = TestClient(api)
    assert client.get("/own").headers.get_list("content-type") == ["application/problem+json"]
    assert client.get("/plain").headers.get_list("content-type") == ["application/problem+json"]


def test_equal_phase_before_steps_keep_one_order() -> None:
    """Two before steps of the same phase run a-then-b when they are the innermost run
    (split_middleware, forward sort) but b-then-a when a wrap step follows them
    (fold_middleware, reverse sort + insert(0)). The order must not depend on an unrelated
    wrap step at a later phase."""

    def passthrough(nxt: Any) -> Any:
        return nxt

    runs: dict[str, list[str]] = {}
    for label, extra in (("alone", []), ("with_wrap", [Middleware(900, passthrough, "w")])):
        order: list[str] = []
        api = api_with(
            Middleware(200, before=silent(order, "a"), name="a"),
            Middleware(200, before=silent(order, "b"), name="b"),
            *extra,
        )

        @api.get("/x")
        async def x() -> dict:
            return {}

        assert TestClient(api).get("/x").status_code == 200
        runs[label] = order
    assert runs["alone"] == runs["with_wrap"]
