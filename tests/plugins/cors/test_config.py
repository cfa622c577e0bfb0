"""CORS configuration: project settings, validation at startup, fail-closed, skip_middleware."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.exceptions import ImproperlyConfigured
from bolt.middleware import cors, skip_middleware
from bolt.testing import TestClient
from tests.plugins.cors.conftest import GOOD


def test_hook_bolt_configure_project_defaults_apply_to_every_route(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.CORS_ALLOWED_ORIGINS = [GOOD]
    settings.CORS_ALLOW_CREDENTIALS = True
    settings.CORS_EXPOSE_HEADERS = ["X-Request-Id"]
    settings.CORS_PREFLIGHT_MAX_AGE = 99_999
    api = make_api()
    assert "cors" in api.middleware_names

    @api.get("/a")
    async def a() -> dict:
        return {}

    client = TestClient(api)
    r = client.get("/a", headers={"Origin": GOOD})
    assert r.headers["access-control-allow-origin"] == GOOD
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["access-control-expose-headers"] == "x-request-id"
    r = client.options("/a", headers={"Origin": GOOD, "Access-Control-Request-Method": "GET"})
    assert r.headers["access-control-max-age"] == "7200"
    r = client.get("/a", headers={"Origin": "https://evil.com"})
    assert "access-control-allow-origin" not in r.headers
    assert r.headers["vary"] == "Origin"


def test_origin_regexes_match_the_whole_origin(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [r"https://[a-z0-9-]+\.good\.com"]
    api = make_api()

    @api.get("/a")
    async def a() -> dict:
        return {}

    client = TestClient(api)
    ok = client.get("/a", headers={"Origin": "https://app.good.com"})
    assert ok.headers["access-control-allow-origin"] == "https://app.good.com"
    for bad in (
        "https://app.good.com.evil.com",
        "https://app.good.com:8443",
        "http://app.good.com",
        "https://good.com",
        "null",
    ):
        r = client.get("/a", headers={"Origin": bad})
        assert "access-control-allow-origin" not in r.headers, bad


def test_decorator_arguments_override_settings(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.CORS_ALLOWED_ORIGINS = [GOOD]
    settings.CORS_ALLOW_METHODS = ["GET"]
    api = make_api()

    @api.post("/other")
    @cors(origins=["https://other.com"], methods=["POST"])
    async def other() -> dict:
        return {}

    @api.get("/inherits")
    @cors(max_age=5)
    async def inherits() -> dict:
        return {}

    client = TestClient(api)
    assert (
        "access-control-allow-origin" not in client.post("/other", headers={"Origin": GOOD}).headers
    )
    r = client.post("/other", headers={"Origin": "https://other.com"})
    assert r.headers["access-control-allow-origin"] == "https://other.com"
    r = client.options(
        "/inherits", headers={"Origin": GOOD, "Access-Control-Request-Method": "GET"}
    )
    assert r.headers["access-control-allow-origin"] == GOOD
    assert r.headers["access-control-allow-methods"] == "GET"
    assert r.headers["access-control-max-age"] == "5"


def test_allow_all_setting(settings: Any, make_api: Callable[..., BoltAPI]) -> None:
    settings.CORS_ALLOW_ALL_ORIGINS = True
    api = make_api()

    @api.get("/a")
    async def a() -> dict:
        return {}

    r = TestClient(api).get("/a", headers={"Origin": "https://x.example"})
    assert r.headers["access-control-allow-origin"] == "*"


def test_wildcard_with_credentials_in_settings_refuses_to_start(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.CORS_ALLOWED_ORIGINS = ["*"]
    settings.CORS_ALLOW_CREDENTIALS = True
    with pytest.raises(ImproperlyConfigured, match=r"CORS_\* settings.*credentials"):
        make_api()


def test_wildcard_with_credentials_on_route_refuses_to_start(api: BoltAPI) -> None:
    @api.get("/a")
    @cors(origins=["*"], credentials=True)
    async def a() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="credentials"):
        api.compile()


def test_wildcard_route_with_project_credentials_refuses_to_start(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.CORS_ALLOW_CREDENTIALS = True
    api = make_api()

    @api.get("/a")
    @cors(origins=["*"])
    async def a() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="GET /a"):
        api.compile()


def test_wildcard_server_refuses_to_start_through_lifespan(api: BoltAPI) -> None:
    @api.get("/a")
    @cors(origins=["*"], credentials=True)
    async def a() -> dict:
        return {}

    with pytest.raises(RuntimeError, match="Lifespan startup failed"), TestClient(api):
        pass


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"origins": "https://good.com"}, "must be a list"),
        ({"origins": ["null"]}, "'null' origin"),
        ({"origins": ["https://good.com/path"]}, "not an origin"),
        ({"origins": ["good.com"]}, "not an origin"),
        ({"origins": ["https://*.good.com"]}, "not an origin"),
        ({"origins": ["https://good.com:99999"]}, "not a valid origin"),
        ({"methods": ["GET POST"]}, "not a valid name"),
        ({"headers": "content-type"}, "must be a list"),
        ({"credentials": "yes"}, "True or False"),
    ],
)
def test_bad_decorator_arguments_fail_at_once(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        cors(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"origins": ["*", GOOD]}, "do not list other origins"),
        ({"max_age": -1}, "max_age"),
        ({"max_age": "600"}, "max_age"),
        ({"origin_regexes": ["https://(unclosed"]}, "does not compile"),
    ],
)
def test_bad_policies_fail_at_compile(api: BoltAPI, kwargs: dict[str, Any], message: str) -> None:
    @api.get("/a")
    @cors(**kwargs)
    async def a() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match=message):
        api.compile()


def test_bad_settings_name_the_setting(settings: Any, make_api: Callable[..., BoltAPI]) -> None:
    settings.CORS_ALLOWED_ORIGINS = ["https://good.com/api"]
    with pytest.raises(ImproperlyConfigured, match=r"CORS_\* settings"):
        make_api()


def test_hook_bolt_route_middleware_claims_option_and_sets_phase(api: BoltAPI) -> None:
    @api.get("/a", needs_token=True)
    @cors(origins=[GOOD])
    async def a() -> dict:
        return {}

    api.compile()
    route = api.routes[0]
    assert "cors" in route.claimed
    assert list(route.middleware_names) == ["cors", "require_token"]
    assert [m.name for m in route.preflight_middleware] == ["cors"]


def test_cors_option_as_route_keyword(api: BoltAPI) -> None:
    @api.get("/a", cors={"origins": [GOOD], "credentials": True})
    async def a() -> dict:
        return {}

    r = TestClient(api).get("/a", headers={"Origin": GOOD})
    assert r.headers["access-control-allow-origin"] == GOOD
    assert r.headers["access-control-allow-credentials"] == "true"


def test_bad_cors_route_keyword(api: BoltAPI) -> None:
    @api.get("/a", cors=True)
    async def a() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="dict of cors"):
        api.compile()


def test_disabled_plugin_fails_closed(make_api: Callable[..., BoltAPI]) -> None:
    api = make_api("ratelimit")

    @api.get("/a")
    @cors(origins=[GOOD])
    async def a() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="'cors'"):
        api.compile()


def test_skip_middleware_removes_project_cors(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.CORS_ALLOWED_ORIGINS = [GOOD]
    api = make_api()

    @api.get("/internal")
    @skip_middleware("cors")
    async def internal() -> dict:
        return {}

    @api.get("/all-optional")
    @skip_middleware("*")
    async def all_optional() -> dict:
        return {}

    @api.get("/normal")
    async def normal() -> dict:
        return {}

    client = TestClient(api)
    for path in ("/internal", "/all-optional"):
        r = client.get(path, headers={"Origin": GOOD})
        assert "access-control-allow-origin" not in r.headers, path
        assert "vary" not in r.headers, path
    assert (
        client.get("/normal", headers={"Origin": GOOD}).headers["access-control-allow-origin"]
        == GOOD
    )


def test_skip_middleware_unknown_name_is_startup_error(api: BoltAPI) -> None:
    @api.get("/a")
    @skip_middleware("corz")
    async def a() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="corz"):
        api.compile()


def test_facade_reexports_the_decorator() -> None:
    import bolt.middleware
    import bolt_plugins.cors

    assert bolt.middleware.cors is bolt_plugins.cors.cors


def test_allow_all_and_origin_list_together_is_a_startup_error(
    settings: Any, make_api: Callable[..., BoltAPI]
) -> None:
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.CORS_ALLOWED_ORIGINS = [GOOD]
    with pytest.raises(ImproperlyConfigured, match="keep only one"):
        make_api()


@pytest.mark.parametrize(
    "pattern",
    [r"https://app.good.com", r"https://[a-z]+\.good.com", r"https://good\.co.uk"],
)
def test_regex_with_an_unescaped_dot_refuses_to_start(
    settings: Any, make_api: Callable[..., BoltAPI], pattern: str
) -> None:
    """``https://app.good.com`` as a pattern would also allow ``https://appxgood.com``, a
    domain anyone can register."""
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [pattern]
    with pytest.raises(ImproperlyConfigured, match=r"unescaped '\.'"):
        make_api()


@pytest.mark.parametrize(
    "pattern",
    [r"https://[a-z0-9.-]+\.good\.com", r"https://.*\.good\.com", r"https://(app|www)\.good\.com"],
)
def test_regex_with_escaped_dots_and_wildcards_is_accepted(
    settings: Any, make_api: Callable[..., BoltAPI], pattern: str
) -> None:
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [pattern]
    api = make_api()

    @api.get("/a")
    async def a() -> dict:
        return {}

    with TestClient(api) as client:
        r = client.get("/a", headers={"Origin": "https://app.good.com"})
        assert r.headers["access-control-allow-origin"] == "https://app.good.com"
        r = client.get("/a", headers={"Origin": "https://appxgood.com"})
        assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize("pattern", [r".*", r"https?://.+", r"https://.*", r"[^/]+://.*"])
def test_regex_matching_any_origin_with_credentials_refuses_to_start(
    api: BoltAPI, pattern: str
) -> None:
    """A pattern that accepts any site is ``*``; with credentials it would hand every site
    the users' cookies, exactly what ``origins=["*"]`` with credentials is refused for."""

    @api.get("/a")
    @cors(origin_regexes=[pattern], credentials=True)
    async def a() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="any origin"):
        api.compile()
