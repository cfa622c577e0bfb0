"""The error wire contract: 400, 413, 415, 422, HTTPException family, generic 500, Host."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from bolt import BoltAPI
from bolt.exceptions import (
    BadRequest,
    Conflict,
    Forbidden,
    HTTPException,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)
from bolt.testing import TestClient

KERNEL_ONLY = ["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit", "-openapi"]


class Article(msgspec.Struct):
    title: str
    views: int
    tags: list[str] = []


@pytest.fixture
def writes(api: BoltAPI) -> list[Any]:
    """A route that records every successful write, to show failed requests change nothing."""
    stored: list[Any] = []

    @api.post("/articles", status_code=201)
    async def create(data: Article) -> Article:
        stored.append(data)
        return data

    return stored


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"title": "a", "views": 1', "application/json", 400),  # truncated
        (b'{"title": "a", "views": 1} trailing', "application/json", 400),
        (b'\xef\xbb\xbf{"title": "a", "views": 1}', "application/json", 400),  # BOM
        (b"", "application/json", 400),  # empty
        (b'{"title": "\xff\xfe", "views": 1}', "application/json", 400),  # invalid UTF-8
        (b"[" * 10000 + b"]" * 10000, "application/json", 422),  # not an object at all
        (b'{"title": "a", "views": 1}', "text/plain", 415),
        (b'{"title": "a", "views": 1}', "application/x-www-form-urlencoded", 415),
        (b'{"title": "a", "views": 1}', None, 415),
        (b'{"title": "a", "views": true}', "application/json", 422),
        (b'{"title": "a", "views": "1"}', "application/json", 422),
        (b'{"title": "a", "views": 1.0}', "application/json", 422),
        (b'{"title": "a"}', "application/json", 422),
        (b'{"title": "a", "views": 1e400}', "application/json", 422),
        (b'{"title": "a", "views": NaN}', "application/json", 400),
        (b'{"title": "\\ud800", "views": 1}', "application/json", 400),  # lone surrogate
    ],
)
def test_bad_json_bodies(
    client: TestClient, writes: list[Any], body: bytes, content_type: str | None, status: int
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    r = client.post("/articles", content=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    detail = r.json()["detail"]
    if status == 422:
        assert isinstance(detail, list)
        assert all(set(e) == {"loc", "msg", "type"} for e in detail)
        assert detail[0]["loc"][0] == "body"
    else:
        assert isinstance(detail, str)
        assert "Traceback" not in detail
    assert writes == []


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    title: str


def test_deeply_nested_json_is_400(api: BoltAPI, client: TestClient) -> None:
    @api.post("/anything")
    async def anything(data: list) -> dict:
        return {}

    r = client.post(
        "/anything",
        content=b"[" * 100000 + b"]" * 100000,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json() == {"detail": "Malformed JSON body: nested too deeply"}


def test_unknown_fields_are_rejected_when_the_schema_forbids_them(
    api: BoltAPI, client: TestClient
) -> None:
    @api.post("/strict")
    async def strict(data: Strict) -> dict:
        return {"title": data.title}

    r = client.post("/strict", json={"title": "a", "is_staff": True})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body"]
    assert "is_staff" in r.json()["detail"][0]["msg"]


def test_duplicate_json_keys_last_wins(client: TestClient, writes: list[Any]) -> None:
    r = client.post(
        "/articles",
        content=b'{"title": "a", "views": 1, "views": 2}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 201
    assert r.json()["views"] == 2


def test_body_over_limit_is_413_before_reading(settings: Any) -> None:
    settings.BOLT_MAX_BODY_SIZE = 100
    api = BoltAPI(plugins=KERNEL_ONLY)
    received: list[int] = []

    @api.post("/upload")
    async def upload(data: dict) -> dict:
        received.append(1)
        return {}

    client = TestClient(api)
    r = client.post(
        "/upload",
        content=b'{"a": "' + b"x" * 200 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json() == {"detail": "Request body exceeds 100 bytes"}
    assert received == []


def test_chunked_body_over_limit_is_413_while_reading(settings: Any) -> None:
    """No Content-Length: the limit is enforced while chunks arrive."""
    import asyncio

    settings.BOLT_MAX_BODY_SIZE = 1000
    api = BoltAPI(plugins=KERNEL_ONLY)

    @api.post("/upload")
    async def upload(data: dict) -> dict:
        return {}

    chunks_read = 0

    async def run() -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            nonlocal chunks_read
            chunks_read += 1
            return {"type": "http.request", "body": b"x" * 400, "more_body": True}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/upload",
            "raw_path": b"/upload",
            "query_string": b"",
            "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        }
        await api(scope, receive, send)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["status"] == 413
    # Refused once the limit was passed (3 chunks); then at most LINGER_BYTES more are read
    # and dropped, so a client still writing reads the 413 instead of a reset.
    from bolt.bodies import LINGER_BYTES

    assert chunks_read == 3 + -(-LINGER_BYTES // 400)


def test_broken_chunked_body_is_json_400(api: BoltAPI) -> None:
    import asyncio

    @api.post("/upload")
    async def upload(data: dict) -> dict:
        return {}

    async def run() -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            raise RuntimeError("malformed chunk size")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/upload",
            "raw_path": b"/upload",
            "query_string": b"",
            "headers": [(b"host", b"testserver"), (b"transfer-encoding", b"chunked")],
        }
        await api(scope, receive, send)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["status"] == 400
    assert msgspec.json.decode(sent[1]["body"]) == {"detail": "Malformed request body"}


@pytest.mark.parametrize(
    ("exc", "status", "body", "headers"),
    [
        (NotFound(detail="Article 1001 not found"), 404, {"detail": "Article 1001 not found"}, {}),
        (Forbidden(detail="nope"), 403, {"detail": "nope"}, {}),
        (BadRequest(), 400, {"detail": "Bad Request"}, {}),
        (Conflict(detail="taken"), 409, {"detail": "taken"}, {}),
        (
            Unauthorized(detail="login", headers={"WWW-Authenticate": "Bearer"}),
            401,
            {"detail": "login"},
            {"www-authenticate": "Bearer"},
        ),
        (
            TooManyRequests(retry_after=7),
            429,
            {"detail": "Too many requests", "retry_after": 7},
            {"retry-after": "7"},
        ),
        (
            ServiceUnavailable(headers={"Retry-After": "5"}),
            503,
            {"detail": "Service Unavailable"},
            {"retry-after": "5"},
        ),
        # A lone positional argument of a fixed-status exception is its detail.
        (NotFound("No such article"), 404, {"detail": "No such article"}, {}),
        (Forbidden({"reason": "owner only"}), 403, {"detail": {"reason": "owner only"}}, {}),
        (HTTPException(418, "short and stout"), 418, {"detail": "short and stout"}, {}),
        (
            HTTPException(
                status_code=422, detail="Invalid article ID", headers={"X-Error-Code": "INVALID_ID"}
            ),
            422,
            {"detail": "Invalid article ID"},
            {"x-error-code": "INVALID_ID"},
        ),
    ],
)
def test_http_exceptions(
    api: BoltAPI, client: TestClient, exc: HTTPException, status: int, body: dict, headers: dict
) -> None:
    @api.get("/boom")
    async def boom() -> dict:
        raise exc

    r = client.get("/boom")
    assert r.status_code == status
    assert r.json() == body
    for name, value in headers.items():
        assert r.headers[name] == value


def test_unhandled_error_is_generic_500_and_logged(
    api: BoltAPI, client: TestClient, caplog: Any
) -> None:
    @api.get("/crash")
    async def crash() -> dict:
        raise RuntimeError("database password is hunter2")

    with caplog.at_level("ERROR", logger="bolt"):
        r = client.get("/crash")
    assert r.status_code == 500
    assert r.json() == {"detail": "Internal Server Error"}
    assert "hunter2" not in r.text
    assert any("GET /crash" in rec.getMessage() and rec.exc_info for rec in caplog.records)


def test_debug_shows_traceback(settings: Any) -> None:
    settings.DEBUG = True
    api = BoltAPI(plugins=KERNEL_ONLY)

    @api.get("/crash")
    async def crash() -> dict:
        raise RuntimeError("visible in debug")

    r = TestClient(api).get("/crash")
    assert r.status_code == 500
    assert r.json()["detail"] == "Internal Server Error"
    assert any("visible in debug" in line for line in r.json()["traceback"])


@pytest.mark.parametrize(
    "headers",
    [
        [("host", "evil.com")],
        [("host", "testserver"), ("host", "evil.com")],
        [("host", "good.com/admin?x#y")],
        [("host", "testserver:99999")],
        [("host", "testserverXcom")],
    ],
)
def test_invalid_host_is_400(api: BoltAPI, headers: list[tuple[str, str]]) -> None:
    import asyncio

    @api.get("/ping")
    async def ping() -> dict:
        return {"pong": True}

    async def run() -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/ping",
            "raw_path": b"/ping",
            "query_string": b"",
            "headers": [(k.encode(), v.encode()) for k, v in headers],
        }
        await api(scope, receive, send)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["status"] == 400
    assert msgspec.json.decode(sent[1]["body"]) == {"detail": "Invalid or missing Host header"}


def test_malformed_query_string_is_400(api: BoltAPI, client: TestClient) -> None:
    @api.get("/q")
    async def q(name: str = "") -> dict:
        return {"name": name}

    r = client.get("/q?name=%ff")
    assert r.status_code == 400
    assert r.json() == {"detail": "Malformed query string"}


def test_detail_given_twice_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="status_code must be an int"):
        NotFound("one", "two")


def test_startup_errors_are_djangos_improperly_configured() -> None:
    """``except django.core.exceptions.ImproperlyConfigured`` catches Bolt's startup errors."""
    from django.core.exceptions import ImproperlyConfigured as Django

    from bolt import BoltAPI

    with pytest.raises(Django, match="guard"):
        BoltAPI(guard=[])


# --- DRF's exception names -----------------------------------------------------------------


def _raises(api: BoltAPI, exc: Exception) -> None:
    @api.get("/raise")
    async def raise_it() -> dict:
        raise exc


@pytest.mark.parametrize(
    ("name", "args", "status", "body"),
    [
        (
            "PermissionDenied",
            {},
            403,
            {"detail": "You do not have permission to perform this action."},
        ),
        ("PermissionDenied", {"detail": "Only the author"}, 403, {"detail": "Only the author"}),
        ("NotAuthenticated", {}, 401, {"detail": "Authentication credentials were not provided."}),
        ("AuthenticationFailed", {}, 401, {"detail": "Incorrect authentication credentials."}),
        ("ParseError", {}, 400, {"detail": "Malformed request."}),
        ("ValidationError", {}, 400, {"detail": "Invalid input."}),
        ("ValidationError", {"detail": "Too short"}, 400, {"detail": "Too short"}),
        ("ValidationError", {"detail": ["a", "b"]}, 400, {"detail": ["a", "b"]}),
        (
            "ValidationError",
            {"detail": {"title": ["This field is required."]}},
            400,
            {"detail": {"title": ["This field is required."]}},
        ),
        ("Throttled", {}, 429, {"detail": "Request was throttled."}),
        ("MethodNotAllowed", {}, 405, {"detail": "Method Not Allowed"}),
        ("NotAcceptable", {}, 406, {"detail": "Not Acceptable"}),
        ("UnsupportedMediaType", {}, 415, {"detail": "Unsupported Media Type"}),
    ],
)
def test_drf_exception_names_answer_as_in_drf(
    api: BoltAPI, client: TestClient, name: str, args: dict[str, Any], status: int, body: Any
) -> None:
    from bolt import exceptions

    _raises(api, getattr(exceptions, name)(**args))
    r = client.get("/raise")
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    assert r.json() == body
    assert "retry-after" not in r.headers
    assert "www-authenticate" not in r.headers


def test_drf_names_are_the_bolt_exceptions(api: BoltAPI, client: TestClient) -> None:
    """Subclasses of Bolt's own classes, so an ``except Forbidden`` or a plugin's handler
    for ``Unauthorized`` treats them alike; DRF's positional ``(detail, code)`` works."""
    from bolt import exceptions as e

    pairs = [
        (e.PermissionDenied, Forbidden),
        (e.NotAuthenticated, Unauthorized),
        (e.AuthenticationFailed, Unauthorized),
        (e.ValidationError, BadRequest),
        (e.ParseError, BadRequest),
        (e.Throttled, TooManyRequests),
    ]
    for drf, bolt_class in pairs:
        assert issubclass(drf, bolt_class)
        raised = drf(3, "why", "a_code") if drf is e.Throttled else drf("why", "a_code")
        assert (raised.detail, raised.code) == ("why", "a_code")
    assert e.ValidationError("x").code == "invalid"
    assert e.Throttled(2.5).retry_after == 3


def test_drf_401s_carry_www_authenticate_as_unauthorized_does(
    api: BoltAPI, client: TestClient
) -> None:
    from bolt.exceptions import AuthenticationFailed, NotAuthenticated

    for exc in (
        NotAuthenticated(headers={"WWW-Authenticate": 'Bearer realm="api"'}),
        AuthenticationFailed("Token expired", headers={"WWW-Authenticate": 'Bearer realm="api"'}),
        Unauthorized(headers={"WWW-Authenticate": 'Bearer realm="api"'}),
    ):
        api = BoltAPI(plugins=KERNEL_ONLY)
        _raises(api, exc)
        with TestClient(api) as c:
            r = c.get("/raise")
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == 'Bearer realm="api"'
        assert r.json() == {"detail": exc.detail}


def test_throttled_with_wait_sends_retry_after(api: BoltAPI, client: TestClient) -> None:
    from bolt.exceptions import Throttled

    _raises(api, Throttled(wait=29.2))
    r = client.get("/raise")
    assert r.status_code == 429
    assert r.headers["retry-after"] == "30"
    assert r.json() == {
        "detail": "Request was throttled. Expected available in 30 seconds.",
        "retry_after": 30,
    }


@pytest.mark.parametrize("name", ["NotAuthenticated", "AuthenticationFailed", "Unauthorized"])
def test_a_401_a_handler_raises_carries_the_routes_challenge(name: str) -> None:
    """RFC 9110: a 401 names how to authenticate. A handler's own 401 on a route with
    authentication backends gets their ``WWW-Authenticate``, as the guards' 401 does; a
    challenge the handler gives itself is kept."""
    import bolt.exceptions as errors
    from bolt.auth import APIKeyAuthentication, JWTAuthentication

    exc_type = getattr(errors, name)
    api = BoltAPI()

    @api.get("/me", auth=[JWTAuthentication(), APIKeyAuthentication(api_keys={"k-123"})])
    async def me() -> dict:
        raise exc_type("Session revoked")

    @api.get("/own", auth=[JWTAuthentication()])
    async def own() -> dict:
        raise exc_type("Session revoked", headers={"WWW-Authenticate": 'Basic realm="x"'})

    @api.get("/open")
    async def public() -> dict:
        raise exc_type("Session revoked")

    CHALLENGE = 'Bearer realm="api", APIKey header="x-api-key"'
    with TestClient(api) as c:
        r = c.get("/me")
        assert (r.status_code, r.json()) == (401, {"detail": "Session revoked"})
        assert r.headers["www-authenticate"] == CHALLENGE
        assert c.get("/own").headers["www-authenticate"] == 'Basic realm="x"'
        assert "www-authenticate" not in c.get("/open").headers
        assert c.get("/me").headers["www-authenticate"] == CHALLENGE  # not stacked
