"""The OpenAPI document tells the truth: valid on every app, and confirmed by schemathesis.

- Every example project and every test app's document passes openapi-spec-validator (each
  app is loaded in its own process, with its own Django settings).
- schemathesis calls every documented operation of the quick start and of an app using every
  first-party plugin, both served by a real Granian: no 5xx, every status it gets is
  documented, every body matches its schema, content types and headers conform. Bounded:
  a few examples per operation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import QUICKSTART, ROOT, Server, server_env
from tests.e2e.reliability.conftest import reliability_env
from tests.e2e.reliability.helpers import bearer, token
from tests.e2e.security.conftest import (  # noqa: F401  (fixtures)
    files_root,
    seeded,
    serve_app,
)
from tests.plugins.openapi.conftest import check_document

APPS = [
    "tests.e2e.openapi.all_plugins_app:api",
    "tests.e2e.reliability.app:api",
    *sorted(
        f"tests.e2e.security.{p.stem}:api"
        for p in (ROOT / "tests" / "e2e" / "security").glob("*_app.py")
        if p.stem != "drf_habit_app"  # built to stop startup
    ),
]
DUMP = (
    "import json, sys, importlib; from bolt_plugins.openapi import openapi_document; "
    "mod, attr = sys.argv[1].split(':'); "
    "print(json.dumps(openapi_document(getattr(importlib.import_module(mod), attr))))"
)
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    )
)


@pytest.mark.parametrize("target", APPS)
def test_test_app_document_is_valid(target: str, tmp_path: Path) -> None:
    env = reliability_env(tmp_path / "db.sqlite3", tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", DUMP, target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    check_document(json.loads(out.stdout.strip().splitlines()[-1]))


def test_quickstart_document_is_valid(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "manage.py", "bolt_openapi"],
        cwd=QUICKSTART,
        env=server_env(tmp_path / "db.sqlite3"),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    check_document(json.loads(out.stdout))


def schemathesis(server: Server, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    st = Path(sys.executable).with_name("st")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOLT_", "DJANGO_"))}
    return subprocess.run(
        [
            str(st),
            "run",
            f"{server.base_url}/api/openapi.json",
            "--checks",
            CHECKS,
            "--max-examples",
            "8",
            "--seed",
            "1",
            "--request-timeout",
            "10",
            "--no-color",
            *extra,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.e2e
def test_schemathesis_on_the_quickstart(start_server, tmp_path: Path) -> None:
    server = start_server("granian-cli")
    run = schemathesis(server, tmp_path)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "failures" not in run.stdout.rsplit("SUMMARY", 1)[-1]


@pytest.mark.e2e
def test_schemathesis_on_an_app_with_every_plugin(
    serve_app: Any,  # noqa: F811
    seeded: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    server = serve_app("tests.e2e.openapi.all_plugins_app:api")
    headers = bearer(token(seeded["alice"]))
    auth = ["--header", f"Authorization:{headers['authorization']}"]
    run = schemathesis(server, tmp_path, *auth)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "failures" not in run.stdout.rsplit("SUMMARY", 1)[-1]
