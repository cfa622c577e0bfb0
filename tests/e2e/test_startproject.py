"""The README's quick start, followed verbatim in a brand-new ``django-admin startproject``.

The shell steps and ``myapp/api.py`` are read from README.md itself, so the test breaks when
the README does. The project is served by ``runbolt`` (``DEBUG = True``, as startproject
writes it: autoreload, static files and the access log, as ``runserver``), by ``runbolt``
without ``DEBUG`` (no static files unless ``--insecure``), and by the ``granian`` command
the README gives for production.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ROOT, Server, free_port, granian_cli

pytestmark = pytest.mark.e2e

README = ROOT / "README.md"
READY_TIMEOUT = 20.0


def quick_start() -> tuple[list[str], str, str]:
    """The README's shell lines, the INSTALLED_APPS line and ``myapp/api.py``."""
    text = README.read_text()
    section = text[text.index("## Quick start") : text.index("## Documentation")]
    shell = re.search(r"```sh\n(.*?)```", section, re.S)
    code = re.search(r"```python\n(.*?)```", section, re.S)
    apps = re.search(r"`(INSTALLED_APPS \+= \[.*?\])`", section)
    assert shell, "the README's quick start lost its shell steps"
    assert code, "the README's quick start lost myapp/api.py"
    assert apps, "the README's quick start lost the INSTALLED_APPS line"
    return shell.group(1).strip().splitlines(), apps.group(1), code.group(1)


def env_for(project: Path, settings: str = "mysite.settings") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOLT_")}
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        PYTHONPATH=os.pathsep.join([str(project), str(ROOT)]),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new project built by the README's steps, run in a temporary directory."""
    base = tmp_path_factory.mktemp("startproject")
    shell, apps_line, api_code = quick_start()
    assert shell[0].startswith("pip install bolt-framework")  # installed here already
    assert shell[1] == "django-admin startproject mysite && cd mysite"
    assert shell[2] == "python manage.py startapp myapp"
    env = env_for(base / "mysite")
    run = {"env": env, "check": True, "capture_output": True, "timeout": 60}
    subprocess.run([sys.executable, "-m", "django", "startproject", "mysite"], cwd=base, **run)
    root = base / "mysite"
    subprocess.run([sys.executable, "manage.py", "startapp", "myapp"], cwd=root, **run)
    settings = root / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\n" + apps_line + "\n")
    (root / "myapp" / "api.py").write_text(api_code)
    # A production variant of the same settings, for the DEBUG=False runs.
    (root / "mysite" / "production.py").write_text(
        'from mysite.settings import *  # noqa\n\nDEBUG = False\nALLOWED_HOSTS = ["127.0.0.1"]\n'
    )
    return root


class Running(Server):
    """A server of the new project (its own directory), ready when a path answers."""

    def wait_answers(self, path: str, status: int, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode}:\n{self.output()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + path, timeout=2).status_code == status:
                    return
            time.sleep(0.2)
        pytest.fail(f"{path} never answered {status}:\n{self.output()}")


@pytest.fixture
def serve(project: Path, tmp_path: Path) -> Iterator[object]:
    started: list[Running] = []

    def start(kind: str, *flags: str, settings: str = "mysite.settings") -> Running:
        port = free_port()
        if kind == "runbolt":
            args = [sys.executable, "manage.py", "runbolt", "--port", str(port), *flags]
        else:
            args = [*granian_cli(), "--interface", "asgi", "--port", str(port), *flags]
            args.append("mysite.asgi:application")
        log = tmp_path / f"{kind}.log"
        server = Running(args, env_for(project, settings), port, log, cwd=project)
        started.append(server)
        server.wait_answers("/items/0", 404)
        return server

    yield start
    for server in started:
        server.stop()


def exercise_items(base_url: str) -> None:
    """The README's routes, answering as the README says."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        missing = client.get("/items/1")
        assert (missing.status_code, missing.json()) == (404, {"detail": "No such item"})
        created = client.post("/items", json={"name": "Lamp", "price": 19.5})
        assert (created.status_code, created.json()) == (201, {"name": "Lamp", "price": 19.5})
        fetched = client.get("/items/1", params={"q": "bright"})
        assert fetched.status_code == 200
        assert fetched.json() == {"item": {"name": "Lamp", "price": 19.5}, "q": "bright"}
        assert fetched.headers["content-type"].startswith("application/json")
        bad = client.get("/items/lamp")
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["path", "item_id"]
        bad_body = client.post("/items", json={"name": "Lamp"})
        assert bad_body.status_code == 422


def test_runbolt_in_debug_is_like_runserver(serve: object, project: Path) -> None:
    server = serve("runbolt")  # type: ignore[operator]
    exercise_items(server.base_url)
    banner = server.output()
    assert "autoreload, static files, access log" in banner

    # Static files as runserver serves them: the admin is styled.
    css = httpx.get(server.base_url + "/static/admin/css/base.css", timeout=5)
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert b"body" in css.content
    assert httpx.get(server.base_url + "/static/admin/css/nope.css").status_code == 404

    # One access line per request: method, path with the query string, status, latency.
    deadline = time.monotonic() + 5
    pattern = re.compile(r'"GET /items/1\?q=bright HTTP/1\.1" 200 \d+\.\d ms')
    while not pattern.search(server.output()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pattern.search(server.output()), server.output()
    assert re.search(r'"GET /items/lamp HTTP/1\.1" 422 \d+\.\d ms', server.output())

    # Autoreload: a route added to myapp/api.py answers without a restart by hand.
    api_file = project / "myapp" / "api.py"
    original = api_file.read_text()
    try:
        api_file.write_text(
            original + '\n\n@api.get("/ping")\nasync def ping() -> dict:\n    return {"pong": 1}\n'
        )
        server.wait_answers("/ping", 200, timeout=15)
        assert httpx.get(server.base_url + "/ping").json() == {"pong": 1}
    finally:
        api_file.write_text(original)


def test_runbolt_without_debug_serves_no_static_files(serve: object) -> None:
    server = serve("runbolt", settings="mysite.production")  # type: ignore[operator]
    exercise_items(server.base_url)
    assert httpx.get(server.base_url + "/static/admin/css/base.css").status_code == 404
    assert "autoreload" not in server.output()
    assert "/items/1" not in server.output()  # no access log unless asked

    insecure = serve("runbolt", "--insecure", settings="mysite.production")  # type: ignore[operator]
    css = httpx.get(insecure.base_url + "/static/admin/css/base.css", timeout=5)
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_granian_serves_the_project_as_the_readme_says(serve: object, project: Path) -> None:
    asgi = project / "mysite" / "asgi.py"
    source = asgi.read_text()
    assert "from django.core.asgi import get_asgi_application" in source
    asgi.write_text(
        source.replace(
            "from django.core.asgi import get_asgi_application",
            "from bolt.asgi import get_asgi_application",
        )
    )
    server = serve("granian", "--respawn-failed-workers")  # type: ignore[operator]
    exercise_items(server.base_url)
