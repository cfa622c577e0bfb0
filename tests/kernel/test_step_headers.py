"""Headers that ``before`` steps add (``request.add_response_header``) against the
response's own headers, and the run order of steps of equal phase, through HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bolt import BoltAPI, Middleware, hookimpl
from bolt.request import Request
from bolt.responses import JSONResponse, Response
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


def recorder(order: list[str], name: str) -> Callable[[Request], None]:
    def step(request: Request) -> None:
        order.append(name)

    return step


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
            Middleware(200, before=recorder(order, "a"), name="a"),
            Middleware(200, before=recorder(order, "b"), name="b"),
            *extra,
        )

        @api.get("/x")
        async def x() -> dict:
            return {}

        assert TestClient(api).get("/x").status_code == 200
        runs[label] = order
    assert runs["alone"] == runs["with_wrap"]
