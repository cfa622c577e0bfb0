"""Where auth is set: route > BoltAPI(...) > settings; nearest wins, [] is public."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from bolt import BoltAPI
from bolt.auth import (
    APIKeyAuthentication,
    IsAdminUser,
    IsAuthenticated,
    JWTAuthentication,
)
from bolt.exceptions import ImproperlyConfigured
from bolt.middleware import skip_middleware

from .conftest import SECRET, claims_for

KEY = "layer-test-key-0123456789"


def jwt_headers(**extra: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode(claims_for(**extra), SECRET, algorithm="HS256")}


def test_hook_bolt_route_middleware_public_route_pays_nothing(make_api: Any) -> None:
    api = make_api()

    @api.get("/open")
    async def open_() -> dict:
        return {}

    @api.get("/closed", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def closed() -> dict:
        return {}

    api.compile()
    by_path = {r.path: r for r in api.routes}
    assert by_path["/open"].middleware_names == ()
    assert by_path["/closed"].middleware_names == ("auth", "guards")


def test_hook_bolt_configure_registers_names(make_api: Any) -> None:
    api = make_api()
    assert {"auth", "guards"} <= api.middleware_names


def test_api_level_default_and_route_override(make_api: Any, client_for: Any) -> None:
    api = make_api(auth=[JWTAuthentication()], guards=[IsAuthenticated()])

    @api.get("/inherits")
    async def inherits() -> dict:
        return {}

    @api.get("/public", auth=[], guards=[])
    async def public() -> dict:
        return {"public": True}

    @api.get("/admin", guards=[IsAdminUser()])
    async def admin() -> dict:
        return {}

    @api.get("/by-key", auth=[APIKeyAuthentication({KEY: "svc"})])
    async def by_key() -> dict:
        return {}

    c = client_for(api)
    assert c.get("/inherits").status_code == 401
    assert c.get("/inherits", headers=jwt_headers()).status_code == 200
    assert c.get("/public").json() == {"public": True}
    # guards replaced (not merged): auth still inherited, IsAdminUser now decides
    assert c.get("/admin").status_code == 401
    assert c.get("/admin", headers=jwt_headers()).status_code == 403
    assert c.get("/admin", headers=jwt_headers(is_superuser=True)).status_code == 200
    # auth replaced: a JWT no longer counts, the API key does; guards inherited
    assert c.get("/by-key", headers=jwt_headers()).status_code == 401
    assert c.get("/by-key", headers={"X-API-Key": KEY}).status_code == 200


def test_settings_level(make_api: Any, client_for: Any, settings: Any) -> None:
    settings.BOLT_AUTHENTICATION_CLASSES = ["bolt_plugins.auth.JWTAuthentication"]
    settings.BOLT_DEFAULT_PERMISSION_CLASSES = [IsAuthenticated()]
    api = make_api()

    @api.get("/default")
    async def default() -> dict:
        return {}

    @api.get("/open", auth=[], guards=[])
    async def open_() -> dict:
        return {}

    c = client_for(api)
    r = c.get("/default")
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert c.get("/default", headers=jwt_headers()).status_code == 200
    assert c.get("/open").status_code == 200


def test_api_level_beats_settings(make_api: Any, client_for: Any, settings: Any) -> None:
    settings.BOLT_DEFAULT_PERMISSION_CLASSES = ["bolt_plugins.guards.IsAdminUser"]
    api = make_api(auth=[JWTAuthentication()], guards=[IsAuthenticated()])

    @api.get("/x")
    async def x() -> dict:
        return {}

    assert client_for(api).get("/x", headers=jwt_headers()).status_code == 200


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("BOLT_AUTHENTICATION_CLASSES", ["no.such.Backend"], "cannot import"),
        ("BOLT_AUTHENTICATION_CLASSES", ["JWTAuthentication"], "dotted path"),
        ("BOLT_AUTHENTICATION_CLASSES", [IsAuthenticated()], "not an authentication backend"),
        ("BOLT_DEFAULT_PERMISSION_CLASSES", [JWTAuthentication()], "not a guard"),
        (
            "BOLT_DEFAULT_PERMISSION_CLASSES",
            ["bolt_plugins.guards.HasPermission"],
            "needs arguments",
        ),
    ],
)
def test_bad_settings_stop_startup(
    make_api: Any, settings: Any, setting: str, value: Any, message: str
) -> None:
    setattr(settings, setting, value)
    api = make_api()

    @api.get("/x")
    async def x() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match=message) as info:
        api.compile()
    assert setting in str(info.value)


def test_classes_are_instantiated(make_api: Any, client_for: Any) -> None:
    api = make_api()

    @api.get("/x", auth=[JWTAuthentication], guards=[IsAuthenticated])
    async def x() -> dict:
        return {}

    c = client_for(api)
    assert c.get("/x").status_code == 401
    assert c.get("/x", headers=jwt_headers()).status_code == 200


def test_auth_without_guards_is_optional_identification(make_api: Any, client_for: Any) -> None:
    api = make_api()

    @api.get("/x", auth=[JWTAuthentication()])
    async def x(request) -> dict:
        return {"user_id": request.get("auth", {}).get("user_id")}

    c = client_for(api)
    assert c.get("/x").json() == {"user_id": None}
    assert c.get("/x", headers=jwt_headers()).json() == {"user_id": 1}
    # presenting a bad token is still refused
    assert c.get("/x", headers={"Authorization": "Bearer nope"}).status_code == 401


@pytest.mark.parametrize("disabled", ["-auth", "-guards"])
def test_options_fail_closed_without_their_plugin(disabled: str) -> None:
    plugins = ["auth", "guards"]
    plugins.remove(disabled[1:])
    api = BoltAPI(plugins=plugins)

    @api.get("/x", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def x() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match=f"enable plugin '{disabled[1:]}'"):
        api.compile()


def test_skip_middleware_star_keeps_security(make_api: Any, client_for: Any) -> None:
    api = make_api()

    @api.get("/x", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    @skip_middleware("*")
    async def x() -> dict:
        return {}

    assert client_for(api).get("/x").status_code == 401


def test_skip_auth_by_name_leaves_guards_refusing(make_api: Any, client_for: Any) -> None:
    api = make_api()

    @api.get("/x", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    @skip_middleware("auth")
    async def x() -> dict:
        return {}

    assert client_for(api).get("/x", headers=jwt_headers()).status_code == 401


def test_head_passes_the_same_guards(make_api: Any, client_for: Any) -> None:
    api = make_api(auth=[JWTAuthentication()], guards=[IsAuthenticated()])

    @api.get("/x")
    async def x() -> dict:
        return {"a": 1}

    c = client_for(api)
    assert c.head("/x").status_code == 401
    assert c.head("/x", headers=jwt_headers()).status_code == 200


def test_path_variants_are_guarded_alike(make_api: Any, client_for: Any) -> None:
    api = make_api(auth=[JWTAuthentication()], guards=[IsAdminUser()])

    @api.get("/api/admin")
    async def admin() -> dict:
        return {}

    c = client_for(api)
    for path in ("/api/admin", "/api/admin/", "//api/admin", "/api/./admin", "/api/x/../admin"):
        assert c.get(path).status_code in (401, 404), path
        assert c.get(path, headers=jwt_headers()).status_code in (403, 404), path
