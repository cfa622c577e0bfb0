"""The plugin contract as a third-party author meets it: declared settings, loading rules,
equal phases, the public Request/Response/Route attributes, and ``bolt.testing`` helpers.

The plugins here are written the way an independent distribution would write them: only
``bolt`` imports, only the documented attributes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pydantic import Field

from bolt import BoltAPI, Middleware, hookimpl
from bolt.conf import BoltSettings, PluginSettings, reset_settings
from bolt.exceptions import ImproperlyConfigured
from bolt.middleware import RESERVED_PHASES, THIRD_PARTY_INNER_PHASES
from bolt.responses import Response, StreamingResponse
from bolt.testing import TestClient, assert_no_hook_calls

ROOT = Path(__file__).resolve().parents[2]


# --- a conditional-GET plugin: ETag and 304 from public attributes only --------------------


class ConditionalGet:
    """Adds a strong ETag to in-memory 200 answers of GET (and HEAD, which runs GET's chain)
    and answers 304 when ``If-None-Match`` matches."""

    class Settings(PluginSettings):
        ETAG_WEAK: bool = False

    @hookimpl
    def bolt_settings_model(self) -> type[PluginSettings]:
        return self.Settings

    @hookimpl
    def bolt_configure(self, api: Any, settings: Any) -> None:
        api.register_middleware_name("etag")
        api.state["etag_weak"] = settings.ETAG_WEAK

    @hookimpl
    def bolt_route_middleware(self, api: Any, route: Any) -> Any:
        if not route.serves_head:
            return None
        weak = "W/" if api.state["etag_weak"] else ""

        def wrap(next_handler: Any) -> Any:
            async def handler(request: Any) -> Response:
                response = await next_handler(request)
                if response.status_code != 200 or not response.in_memory:
                    return response
                tag = f'{weak}"{hashlib.sha256(response.body).hexdigest()[:16]}"'
                if request.headers.get("if-none-match") == tag:
                    return Response(b"", 304, {"etag": tag})
                response.headers["etag"] = tag
                response.headers["x-seen-method"] = request.method
                response.headers["x-route-method"] = request.route.method
                return response

            return handler

        return Middleware(600, wrap=wrap, name="etag")


def kernel_api(*plugins: Any) -> BoltAPI:
    return BoltAPI(plugins=[*plugins]) if plugins else BoltAPI(plugins=[])


def test_conditional_get_with_public_attributes_only() -> None:
    api = BoltAPI(plugins=["-openapi", ConditionalGet()])

    @api.get("/doc")
    async def doc() -> dict:
        return {"text": "hello"}

    @api.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> Any:
            yield b"a"

        return StreamingResponse(chunks())

    client = TestClient(api)
    first = client.get("/doc")
    assert (first.status_code, first.json()) == (200, {"text": "hello"})
    tag = first.headers["etag"]
    assert first.headers["x-seen-method"] == "GET"
    again = client.get("/doc", headers={"if-none-match": tag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
    head = client.head("/doc")
    # HEAD runs the GET route's chain: the step sees method HEAD on the GET route
    assert (head.status_code, head.content) == (200, b"")
    assert (head.headers["x-seen-method"], head.headers["x-route-method"]) == ("HEAD", "GET")
    assert head.headers["etag"] == tag
    streamed = client.get("/stream")
    assert streamed.content == b"a"
    assert "etag" not in streamed.headers  # not in memory: left alone


def test_plugin_settings_validated_frozen_and_from_django_then_env(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOLT_ETAG_WEAK", "true")
    reset_settings()
    api = BoltAPI(plugins=[ConditionalGet()])
    assert api.settings.ETAG_WEAK is True  # environment
    model = api.settings.of("ConditionalGet")
    with pytest.raises(Exception, match="frozen"):
        model.ETAG_WEAK = False  # type: ignore[misc]
    settings.BOLT_ETAG_WEAK = False  # Django settings win over the environment
    api = BoltAPI(plugins=[ConditionalGet()])

    @api.get("/doc")
    async def doc() -> dict:
        return {}

    assert not TestClient(api).get("/doc").headers["etag"].startswith("W/")
    settings.BOLT_ETAG_WEAK = "sometimes"
    with pytest.raises(ImproperlyConfigured, match="BOLT_ETAG_WEAK"):
        BoltAPI(plugins=[ConditionalGet()])


def test_kernel_model_keeps_only_kernel_settings() -> None:
    fields = set(BoltSettings.model_fields)
    for moved in (
        "JWT_SECRET",
        "RATELIMIT_STORE",
        "OPENAPI_PATH",
        "HOST",
        "PORT",
        "AUTHENTICATION_CLASSES",
        "DEFAULT_PERMISSION_CLASSES",
        "TRUSTED_PROXIES",
    ):
        assert moved not in fields
    assert {"PLUGINS", "MAX_BODY_SIZE", "TRAILING_SLASH"} <= fields


def test_first_party_settings_keep_names_and_defaults(settings: Any) -> None:
    api = BoltAPI()
    assert api.settings.JWT_ALGORITHMS == ["HS256"]
    assert api.settings.RATELIMIT_STORE == "memory"
    assert api.settings.OPENAPI_PATH == "/openapi.json"
    assert api.settings.DEFAULT_PERMISSION_CLASSES is None
    settings.BOLT_OPENAPI_PATH = "/schema.json"
    settings.BOLT_JWT_LEEWAY = 5
    api = BoltAPI()
    assert api.settings.JWT_LEEWAY == 5
    assert TestClient(api).get("/schema.json").status_code == 200
    settings.BOLT_JWT_LEEWAY = 99
    with pytest.raises(ImproperlyConfigured, match="BOLT_JWT_LEEWAY"):
        BoltAPI()


def test_unknown_setting_warns_with_nearest_name(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.BOLT_RATELIMIT_STROE = "memory"
    with caplog.at_level(logging.WARNING, logger="bolt"):
        BoltAPI()
    assert "BOLT_RATELIMIT_STROE" in caplog.text
    assert "did you mean BOLT_RATELIMIT_STORE?" in caplog.text


def test_setting_of_a_disabled_plugin_names_the_plugin(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.BOLT_RATELIMIT_MAX_KEYS = 500
    with caplog.at_level(logging.WARNING, logger="bolt"):
        BoltAPI(plugins=["-ratelimit"])
    assert "plugin 'ratelimit', which declares it, is not enabled" in caplog.text


@pytest.mark.parametrize(
    "name",
    [
        "DEFAULT_PERMISSIONS_CLASSES",
        "PERMISSION_CLASSES",
        "DEFAULT_AUTHENTICATION_CLASSES",
        "DEFAULT_GUARDS",
        "GUARDS",
        "AUTH",
        "DEFAULT_AUTH",
        "PERMISSIONS",
    ],
)
def test_near_miss_of_a_security_setting_stops_startup(settings: Any, name: str) -> None:
    setattr(settings, f"BOLT_{name}", ["bolt_plugins.guards.IsAuthenticated"])
    with pytest.raises(ImproperlyConfigured, match=rf"BOLT_{name}.*did you mean"):
        BoltAPI()


@pytest.mark.parametrize("name", ["DEFAULT_PERMISSION_CLASS", "GUARDS"])
def test_near_miss_of_a_security_setting_in_the_environment_stops_startup(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """An attack run found a misspelt variable ignored, serving routes open."""
    monkeypatch.setenv(f"BOLT_{name}", '["bolt_plugins.guards.IsAuthenticated"]')
    reset_settings()
    with pytest.raises(ImproperlyConfigured, match=rf"environment variable BOLT_{name}"):
        BoltAPI()


def test_two_plugins_declaring_one_setting_is_an_error() -> None:
    class Clash:
        class Settings(PluginSettings):
            JWT_LEEWAY: int = 3

        @hookimpl
        def bolt_settings_model(self) -> type[PluginSettings]:
            return self.Settings

    with pytest.raises(ImproperlyConfigured, match=r"BOLT_JWT_LEEWAY.*plugin 'auth'"):
        BoltAPI(plugins=["auth", Clash()])


def test_bolt_settings_command_lists_values_sources_and_masks(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.BOLT_JWT_SECRET = "a-very-secret-signing-key-of-enough-length-0123456789"
    settings.BOLT_TYPO_SETTING = 1
    monkeypatch.setenv("BOLT_RATELIMIT_STORE", "redis://:hunter2@cache:6379/0")
    reset_settings()
    out = StringIO()
    call_command("bolt_settings", stdout=out)
    text = out.getvalue()
    lines = {line.split()[0]: line for line in text.splitlines()}
    assert "'********'" in lines["BOLT_JWT_SECRET"]
    assert "[Django settings; auth]" in lines["BOLT_JWT_SECRET"]
    assert "hunter2" not in text
    assert "very-secret" not in text
    assert "[environment; ratelimit]" in lines["BOLT_RATELIMIT_STORE"]
    assert "[default; kernel]" in lines["BOLT_MAX_BODY_SIZE"]
    assert "[default; bolt_granian]" in lines["BOLT_PORT"]
    assert "unknown" in lines["BOLT_TYPO_SETTING"]


def test_bolt_settings_command_names_the_disabled_plugin_of_a_setting(settings: Any) -> None:
    """A setting of a plugin the project left out is not a typo: say which plugin reads it."""
    settings.BOLT_PLUGINS = ["-ratelimit"]
    settings.BOLT_RATELIMIT_STORE = "memory"
    settings.BOLT_TYPO_SETTING = 1
    reset_settings()
    out = StringIO()
    call_command("bolt_settings", stdout=out)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()}
    line = lines["BOLT_RATELIMIT_STORE"]
    assert "declared by plugin 'ratelimit', which is not enabled" in line, line
    assert "unknown" in lines["BOLT_TYPO_SETTING"]


# --- loading --------------------------------------------------------------------------


def test_plus_adds_to_the_defaults(settings: Any) -> None:
    settings.BOLT_PLUGINS = ["+tests.kernel.sample_plugin", "-cors"]
    api = BoltAPI()
    assert api.pm.has_plugin("tests.kernel.sample_plugin")
    assert api.pm.has_plugin("viewsets")
    assert api.pm.has_plugin("auth")
    assert not api.pm.has_plugin("cors")


def test_autoload_does_not_bring_back_left_out_or_blocked(settings: Any) -> None:
    settings.BOLT_PLUGIN_AUTOLOAD = True
    settings.BOLT_PLUGINS = ["-cors"]
    assert not BoltAPI().pm.has_plugin("cors")
    settings.BOLT_PLUGINS = ["viewsets"]
    assert BoltAPI().pm.loaded_names == ["viewsets"]


def test_empty_plugin_list_means_the_kernel_alone(settings: Any) -> None:
    settings.BOLT_PLUGIN_AUTOLOAD = True
    api = BoltAPI(plugins=[])
    assert api.pm.loaded_names == []

    async def handler() -> dict:
        return {}

    api.get("/x", guards=["anything"])(handler)
    with pytest.raises(ImproperlyConfigured, match="enable plugin 'guards'"):
        api.compile()
    settings.BOLT_PLUGINS = []
    assert BoltAPI().pm.loaded_names == []


def test_plugin_named_twice_names_it(settings: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="'cors' twice"):
        BoltAPI(plugins=["cors", "viewsets", "cors"])
    with pytest.raises(ImproperlyConfigured, match="cors"):
        BoltAPI(plugins=["cors", "bolt_plugins.cors"])


def test_wrong_argument_name_names_the_plugin() -> None:
    class Sloppy:
        @hookimpl
        def bolt_configure(self, api: Any, settngs: Any) -> None:
            pass

    with pytest.raises(ImproperlyConfigured, match=r"Plugin 'Sloppy'.*settngs"):
        BoltAPI(plugins=[Sloppy()])


def test_misspelt_hook_names_plugin_and_nearest_hook() -> None:
    class Typo:
        @hookimpl
        def bolt_route_midleware(self, api: Any, route: Any) -> None:
            return None

    with pytest.raises(ImproperlyConfigured, match=r"'Typo'.*did you mean 'bolt_route_middleware'"):
        BoltAPI(plugins=[Typo()])


def test_route_middleware_cannot_be_a_wrapper() -> None:
    class Wrapping:
        @hookimpl(wrapper=True)
        def bolt_route_middleware(self, api: Any, route: Any) -> Any:
            return (yield)

    with pytest.raises(ImproperlyConfigured, match=r"'Wrapping'.*wrapper"):
        BoltAPI(plugins=[Wrapping()])


# --- phases ---------------------------------------------------------------------------


def _tagger(name: str, order: list[str]) -> Any:
    class Tagger:
        @hookimpl
        def bolt_configure(self, api: Any, settings: Any) -> None:
            api.register_middleware_name(name)

        @hookimpl
        def bolt_route_middleware(self, api: Any, route: Any) -> Middleware:
            def before(request: Any) -> None:
                order.append(name)

            return Middleware(700, before=before, name=name)

    Tagger.__name__ = f"Tagger_{name}"
    return Tagger()


def _handler(seen: list[str]) -> Any:
    async def handler() -> dict:
        seen.append("handler")
        return {}

    return handler


def test_equal_phases_run_in_load_order() -> None:
    """The plugin loaded first runs first (outermost), whichever way they are listed."""
    for names in (["first", "second"], ["second", "first"]):
        order: list[str] = []
        api = BoltAPI(plugins=["-openapi", *[_tagger(n, order) for n in names]])

        api.get("/x")(_handler(order))
        assert TestClient(api).get("/x").status_code == 200
        assert order == [*names, "handler"]
        assert list(api.iter_routes()[0].middleware_names) == names


def test_phase_bands_are_published() -> None:
    assert 700 in THIRD_PARTY_INNER_PHASES
    assert 950 in RESERVED_PHASES


# --- bolt.testing -----------------------------------------------------------------------


def test_assert_no_hook_calls_catches_a_hook_call_per_request() -> None:
    api = BoltAPI(plugins=[])

    @api.get("/fine")
    async def fine() -> dict:
        return {"ok": True}

    @api.get("/leaky")
    async def leaky() -> dict:
        api.pm.hook.bolt_before_compile(api=api)  # what a sloppy plugin might do
        return {}

    api.compile()
    client = TestClient(api)
    with assert_no_hook_calls(api):
        assert client.get("/fine").json() == {"ok": True}
    with pytest.raises(AssertionError, match="bolt_before_compile"), assert_no_hook_calls(api):
        client.get("/leaky")


def test_make_api_fixture_builds_exactly_the_plugins(bolt_make_api: Any) -> None:
    api = bolt_make_api("cors", settings={"MAX_BODY_SIZE": 10})
    assert api.pm.loaded_names == ["cors"]

    @api.post("/echo")
    async def echo(data: dict) -> dict:
        return data

    assert TestClient(api).post("/echo", json={"long": "enough"}).status_code == 413
    assert bolt_make_api().pm.loaded_names == []
    assert "viewsets" in bolt_make_api("-cors").pm.loaded_names


def test_plugin_template_tests_pass() -> None:
    """The template under examples/plugin_template is a working distribution: its own
    test suite passes against this checkout, run as its authors would run it."""
    template = ROOT / "examples" / "plugin_template"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(template)])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist"],
        cwd=template,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


def test_py_typed_is_shipped() -> None:
    import tomllib

    assert (ROOT / "bolt" / "py.typed").exists()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["bolt"]
    assert config["project"]["entry-points"]["pytest11"]["bolt"] == "bolt.pytest_plugin"


def test_kernel_settings_field_unknown_is_attribute_error() -> None:
    api = BoltAPI(plugins=[])
    with pytest.raises(AttributeError, match="JWT_LEEWAY"):
        _ = api.settings.JWT_LEEWAY
    assert Field  # pydantic is what plugins declare settings with
