"""``bolt.conf``: validated ``BOLT_*`` settings from Django settings and the environment,
and the limits they set on requests, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI
from bolt.conf import BoltSettings, env_flag, get_settings, raw_setting_is_set, reset_settings
from bolt.exceptions import ImproperlyConfigured
from bolt.testing import TestClient

KERNEL_ONLY = ["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit", "-openapi"]


def test_settings_errors_name_the_setting(settings: Any) -> None:
    settings.BOLT_MAX_BODY_SIZE = "lots"
    reset_settings()
    with pytest.raises(ImproperlyConfigured, match="BOLT_MAX_BODY_SIZE"):
        get_settings()
    settings.BOLT_MAX_BODY_SIZE = 1024
    reset_settings()
    assert get_settings().MAX_BODY_SIZE == 1024


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOLT_TRAILING_SLASH", "strict")
    assert BoltSettings().TRAILING_SLASH == "strict"
    # A plugin's own settings come from the environment the same way.
    from bolt.conf import load_settings
    from bolt_plugins.ratelimit import RateLimitSettings

    monkeypatch.setenv("BOLT_RATELIMIT_STORE", "ftp://nope")
    reset_settings()
    with pytest.raises(ImproperlyConfigured, match="BOLT_RATELIMIT_STORE"):
        load_settings(RateLimitSettings, "ratelimit")
    monkeypatch.setenv("BOLT_RATELIMIT_STORE", "redis://127.0.0.1:6379/0")
    reset_settings()
    assert load_settings(RateLimitSettings).RATELIMIT_STORE == "redis://127.0.0.1:6379/0"
    reset_settings()


def test_max_body_size_setting_bounds_request_bodies(settings: Any) -> None:
    settings.BOLT_MAX_BODY_SIZE = 64
    reset_settings()
    api = BoltAPI(plugins=KERNEL_ONLY)

    @api.post("/in")
    async def take(data: dict) -> dict:
        return {"keys": len(data)}

    try:
        with TestClient(api) as client:
            assert client.post("/in", json={"a": 1}).json() == {"keys": 1}
            r = client.post("/in", json={"a": "x" * 100})
            assert r.status_code == 413
            assert "detail" in r.json()
    finally:
        reset_settings()


def test_trailing_slash_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for mode, expected in (("strip", 200), ("strict", 404)):
        monkeypatch.setenv("BOLT_TRAILING_SLASH", mode)
        reset_settings()
        api = BoltAPI(plugins=KERNEL_ONLY)

        @api.get("/items")
        async def items() -> list:
            return []

        with TestClient(api) as client:
            assert client.get("/items/").status_code == expected, mode
            assert client.get("/items").status_code == 200
    reset_settings()


def test_raw_setting_is_set_and_env_flag(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.delenv("BOLT_SOME_PLUGIN_THING", raising=False)
    assert raw_setting_is_set("SOME_PLUGIN_THING") is False
    monkeypatch.setenv("BOLT_SOME_PLUGIN_THING", "1")
    assert raw_setting_is_set("SOME_PLUGIN_THING") is True
    settings.BOLT_OTHER_PLUGIN_THING = "x"
    assert raw_setting_is_set("OTHER_PLUGIN_THING") is True
    for value, expected in (("1", True), ("TRUE", True), ("on", True), ("0", False), ("", False)):
        monkeypatch.setenv("BOLT_TEST_FLAG", value)
        assert env_flag("BOLT_TEST_FLAG") is expected, value
