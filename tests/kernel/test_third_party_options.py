"""A third-party plugin's route options, while that plugin is installed but not enabled.

Startup must still fail closed and say which plugin to enable, as it does for first-party
options: the distribution declares its options in the entry-point group ``bolt.options``
(option name -> plugin), which the kernel reads from the installed metadata without
importing or enabling the plugin.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from bolt import BoltAPI, Router, hookimpl
from bolt.exceptions import ImproperlyConfigured
from bolt.pipeline import Middleware
from bolt.testing import TestClient

PLUGIN = """
from bolt import hookimpl
from bolt.conf import PluginSettings
from bolt.pipeline import Middleware


class StampSettings(PluginSettings):
    STAMP_TRIAL_LEVEL: int = 1


@hookimpl
def bolt_settings_model():
    return StampSettings


@hookimpl
def bolt_configure(api, settings):
    api.register_option("stamp", "stamp")
    api.register_middleware_name("stamp")


@hookimpl
def bolt_route_middleware(api, route):
    if route.options.get("stamp") is None:
        return None
    route.claim("stamp")

    def check(request):
        request.add_response_header("x-stamp", "1")

    return Middleware(600, before=check, name="stamp")
"""


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A distribution ``bolt-stamp`` on ``sys.path``: plugin ``stamp`` (module
    ``bolt_stamp_trial``) declaring the route option ``stamp``."""
    (tmp_path / "bolt_stamp_trial.py").write_text(PLUGIN)
    info = tmp_path / "bolt_stamp-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bolt-stamp\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        textwrap.dedent(
            """\
            [bolt]
            stamp = bolt_stamp_trial

            [bolt.options]
            stamp = bolt_stamp_trial
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    _forget()
    yield
    sys.modules.pop("bolt_stamp_trial", None)
    _forget()


def _forget() -> None:
    import bolt.plugins

    clear = getattr(getattr(bolt.plugins, "installed_plugin_options", None), "cache_clear", None)
    if clear is not None:
        clear()


def test_route_option_of_a_disabled_plugin_names_it(installed: None) -> None:
    api = BoltAPI(plugins=[])

    @api.get("/x", stamp=True)
    async def x() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"enable plugin 'stamp'"):
        api.compile()


def test_router_and_api_keywords_name_it(installed: None) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"enable plugin 'stamp'"):
        BoltAPI(plugins=[], stamp=True)
    api = BoltAPI(plugins=[])
    router = Router(prefix="/r", stamp=True)

    @router.get("/x")
    async def x() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"enable plugin 'stamp'"):  # noqa: PT012
        api.include_router(router)  # checked here or when the routes compile
        api.compile()


def test_class_attribute_of_a_disabled_plugin_fails_closed(installed: None) -> None:
    """Without the declaration, ``stamp = True`` on a view class is a plain attribute the
    kernel never reads: the route would be served without the step, silently."""
    from bolt.views import APIView

    api = BoltAPI(plugins=["viewsets"])

    class Stamped(APIView):
        stamp = True

        async def get(self) -> dict:
            return {}

    with pytest.raises(ImproperlyConfigured, match=r"enable plugin 'stamp'"):  # noqa: PT012
        api.view("/v", Stamped)  # checked here or when the routes compile
        api.compile()


def test_enabled_the_option_works_everywhere(installed: None) -> None:
    from bolt.views import APIView

    api = BoltAPI(plugins=["viewsets", "stamp"])

    class Stamped(APIView):
        stamp = True

        async def get(self) -> dict:
            return {}

    @api.get("/x", stamp=True)
    async def x() -> dict:
        return {}

    api.view("/v", Stamped)
    client = TestClient(api)
    assert client.get("/x").headers["x-stamp"] == "1"
    assert client.get("/v").headers["x-stamp"] == "1"


def test_undeclared_option_keeps_the_generic_message(installed: None) -> None:
    class Local:
        @hookimpl
        def bolt_route_middleware(self, api: object, route: object) -> Middleware | None:
            return None

    api = BoltAPI(plugins=[Local()])

    @api.get("/x", stomp_unknown=True)
    async def x() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="no enabled plugin handles it"):
        api.compile()


def test_setting_of_a_disabled_plugin_is_reported_naming_it(
    installed: None, caplog: pytest.LogCaptureFixture
) -> None:
    from django.test import override_settings

    with override_settings(BOLT_STAMP_TRIAL_LEVEL=2), caplog.at_level("WARNING", "bolt"):
        BoltAPI(plugins=[])
    assert "BOLT_STAMP_TRIAL_LEVEL is set, but plugin 'stamp'" in caplog.text
