"""Security schemes come from the authentication each route really runs."""

from __future__ import annotations

from typing import Any

from bolt.auth import (
    AllowAny,
    APIKeyAuthentication,
    IsAuthenticated,
    JWTAuthentication,
    SessionAuthentication,
)
from bolt.middleware import skip_middleware

SECRET = "a-test-secret-that-is-long-enough-for-hs256-xyz"


def test_each_backend_is_a_scheme(make_api, fetch_doc) -> None:
    jwt = JWTAuthentication(secret=SECRET)
    api = make_api("auth", "guards")

    @api.get("/jwt", auth=[jwt], guards=[IsAuthenticated()])
    async def by_jwt() -> dict:
        return {}

    @api.get("/key", auth=[APIKeyAuthentication({"k1": "svc"}, header="X-Service-Key")])
    async def by_key() -> dict:
        return {}

    @api.get("/session", auth=[SessionAuthentication()], guards=[IsAuthenticated()])
    async def by_session() -> dict:
        return {}

    @api.get("/either", auth=[jwt, JWTAuthentication(secret=SECRET, cookie="access")])
    async def either() -> dict:
        return {}

    @api.get("/public", auth=[], guards=[AllowAny()])
    async def public() -> dict:
        return {}

    doc = fetch_doc(api)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["jwtAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["apiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "x-service-key"}
    assert schemes["sessionAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
    assert schemes["jwtCookieAuth"] == {"type": "apiKey", "in": "cookie", "name": "access"}
    paths = doc["paths"]
    jwt_op = paths["/jwt"]["get"]
    assert jwt_op["security"] == [{"jwtAuth": []}]
    assert {"401", "403"} <= set(jwt_op["responses"])
    assert jwt_op["responses"]["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BoltError"
    }
    # no guard: credentials are optional, which OpenAPI spells {}
    assert paths["/key"]["get"]["security"] == [{"apiKeyAuth": []}, {}]
    assert "403" not in paths["/key"]["get"]["responses"]
    assert paths["/session"]["get"]["security"] == [{"sessionAuth": []}]
    assert paths["/either"]["get"]["security"] == [{"jwtAuth": []}, {"jwtCookieAuth": []}, {}]
    assert paths["/public"]["get"]["security"] == []  # runs no authentication
    assert "401" not in paths["/public"]["get"]["responses"]


def test_api_defaults_and_settings_are_resolved_like_the_server(
    make_api, fetch_doc, client_for, settings: Any
) -> None:
    """``BoltAPI(auth=...)`` (in ``api.defaults``) applies unless the route says otherwise;
    ``skip_middleware("auth")`` removes it; the document agrees with what is enforced."""
    api = make_api(
        "auth",
        "guards",
        auth=[JWTAuthentication(secret=SECRET)],
        guards=[IsAuthenticated()],
        openapi_route_options={"guards": []},
    )

    @api.get("/private")
    async def private() -> dict:
        return {}

    @api.get("/open", guards=[])
    @skip_middleware("auth")
    async def open_() -> dict:
        return {}

    doc = fetch_doc(api)
    assert doc["paths"]["/private"]["get"]["security"] == [{"jwtAuth": []}]
    assert doc["paths"]["/open"]["get"]["security"] == []
    client = client_for(api)
    assert client.get("/private").status_code == 401
    assert client.get("/open").status_code == 200

    settings.BOLT_AUTHENTICATION_CLASSES = [APIKeyAuthentication({"k": "svc"})]
    from_settings = make_api("auth")

    @from_settings.get("/svc")
    async def svc() -> dict:
        return {}

    doc = fetch_doc(from_settings)
    assert doc["paths"]["/svc"]["get"]["security"] == [{"apiKeyAuth": []}, {}]
    assert doc["components"]["securitySchemes"]["apiKeyAuth"]["name"] == "x-api-key"


def test_schemes_that_differ_get_distinct_names(make_api, fetch_doc) -> None:
    api = make_api("auth")

    @api.get("/a", auth=[APIKeyAuthentication({"k": "a"}, header="x-a")])
    async def a() -> dict:
        return {}

    @api.get("/b", auth=[APIKeyAuthentication({"k": "b"}, header="x-b")])
    async def b() -> dict:
        return {}

    doc = fetch_doc(api)
    assert doc["paths"]["/a"]["get"]["security"][0] == {"apiKeyAuth": []}
    assert doc["paths"]["/b"]["get"]["security"][0] == {"apiKeyAuth2": []}
    assert doc["components"]["securitySchemes"]["apiKeyAuth2"]["name"] == "x-b"


def test_third_party_backend_describes_itself(make_api, fetch_doc) -> None:
    class SignedRequest:
        openapi_scheme = {"type": "apiKey", "in": "header", "name": "x-signature"}
        openapi_scheme_name = "signature"

        def authenticate(self, request: Any) -> None:
            return None

    api = make_api("auth")

    @api.get("/signed", auth=[SignedRequest()])
    async def signed() -> dict:
        return {}

    doc = fetch_doc(api)
    assert doc["paths"]["/signed"]["get"]["security"] == [{"signature": []}, {}]
    assert doc["components"]["securitySchemes"]["signature"]["name"] == "x-signature"


def test_schema_routes_follow_api_defaults_unless_configured(make_api, client_for) -> None:
    """The schema describes the API's surface: it is protected like any route by default;
    ``openapi_route_options`` opens (or changes) the plugin's own routes."""
    guarded = make_api(
        "auth", "guards", auth=[JWTAuthentication(secret=SECRET)], guards=[IsAuthenticated()]
    )
    client = client_for(guarded)
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/docs").status_code == 401

    opened = make_api(
        "auth",
        "guards",
        auth=[JWTAuthentication(secret=SECRET)],
        guards=[IsAuthenticated()],
        openapi_route_options={"guards": []},
    )

    @opened.get("/private")
    async def private() -> dict:
        return {}

    client = client_for(opened)
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200
    assert client.get("/private").status_code == 401
