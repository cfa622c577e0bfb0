"""ASGI integration: lifespan, the project application with Django fallback, test clients,
and the standalone (no Django project) mode. Settings are in ``test_conf.py``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.asgi import ProjectApplication
from bolt.testing import AsyncTestClient, TestClient

KERNEL_ONLY = ["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit", "-openapi"]
ROOT = Path(__file__).resolve().parents[2]


def test_project_application_falls_back_to_django() -> None:
    from django.core.asgi import get_asgi_application

    api = BoltAPI(plugins=KERNEL_ONLY)

    @api.get("/api/ping")
    async def ping() -> dict:
        return {"pong": True}

    app = ProjectApplication([api], get_asgi_application())
    with TestClient(app) as client:
        assert client.get("/api/ping").json() == {"pong": True}
        r = client.get("/django/ping")
        assert (r.status_code, r.text) == (200, "pong from django")
        assert client.get("/definitely/missing").status_code == 404


def test_several_apis_chain_before_django() -> None:
    from django.core.asgi import get_asgi_application

    first, second = BoltAPI(plugins=KERNEL_ONLY), BoltAPI(plugins=KERNEL_ONLY)

    @first.get("/one")
    async def one() -> dict:
        return {"api": 1}

    @second.get("/two")
    async def two() -> dict:
        return {"api": 2}

    app = ProjectApplication([first, second], get_asgi_application())
    client = TestClient(app)
    assert client.get("/one").json() == {"api": 1}
    assert client.get("/two").json() == {"api": 2}
    assert client.get("/django/ping").text == "pong from django"
    client.close()


def test_get_asgi_application_uses_bolt_api_setting(settings: Any) -> None:
    from bolt.asgi import get_asgi_application

    settings.BOLT_API = ["tests.kernel.sample_api:api"]
    app = get_asgi_application()
    with TestClient(app) as client:
        assert client.get("/sample").json() == {"sample": True}
        assert client.get("/django/ping").text == "pong from django"


@pytest.mark.anyio
async def test_async_test_client_runs_lifespan() -> None:
    events: list[str] = []
    api = BoltAPI(plugins=KERNEL_ONLY)

    @api.get("/ping")
    async def ping() -> dict:
        return {"events": list(events)}

    from bolt import hookimpl

    class Life:
        @hookimpl
        def bolt_startup(self, api: Any) -> None:
            events.append("start")

    api.pm.register(Life())
    async with AsyncTestClient(api) as client:
        r = await client.get("/ping")
        assert r.json() == {"events": ["start"]}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_standalone_module_configures_django(tmp_path: Path) -> None:
    """A single module with a BoltAPI and no Django project still serves."""
    script = tmp_path / "app.py"
    script.write_text(
        textwrap.dedent(
            """
            from bolt import BoltAPI
            from bolt.testing import TestClient

            api = BoltAPI()

            @api.get("/hello")
            async def hello() -> dict:
                return {"message": "Hello, World!"}

            client = TestClient(api)
            r = client.get("/hello")
            print(r.status_code, r.text)
            from django.conf import settings
            print(settings.DEBUG, settings.DATABASES["default"]["NAME"])
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ['200 {"message":"Hello, World!"}', "False :memory:"]


def _prefixed_project(**settings_overrides: Any) -> Any:
    from django.core.asgi import get_asgi_application

    api = BoltAPI(prefix="/api/v1", plugins=KERNEL_ONLY)

    @api.get("/items")
    async def items() -> list:
        return []

    return ProjectApplication([api], get_asgi_application())


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1", "/api/v1/items/1/deeper"])
def test_unmatched_paths_under_an_api_prefix_answer_json_404(
    settings: Any, debug: bool, path: str
) -> None:
    settings.DEBUG = debug
    with TestClient(_prefixed_project()) as client:
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {"detail": "Not Found"}
        assert client.get("/api/v1/items").json() == []
        # Outside the prefix, Django answers as before.
        assert client.get("/django/ping").text == "pong from django"
        assert client.get("/api/v10/x").headers["content-type"].startswith("text/html")


def test_json_404_under_prefix_can_be_turned_off(settings: Any) -> None:
    settings.BOLT_JSON_404_UNDER_PREFIX = False
    with TestClient(_prefixed_project()) as client:
        response = client.get("/api/v1/nope")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")


def test_favicon_without_a_django_url_is_a_quiet_404(caplog: Any) -> None:
    with TestClient(_prefixed_project()) as client, caplog.at_level("DEBUG"):
        response = client.get("/favicon.ico")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
    assert [r for r in caplog.records if r.name != "httpx" and "favicon" in r.getMessage()] == []
