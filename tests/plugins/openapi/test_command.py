"""``manage.py bolt_openapi``: prints the served document; ``--check`` fails on a drift."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import QUICKSTART, server_env
from tests.plugins.openapi.conftest import check_document


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "bolt_openapi", *args],
        cwd=QUICKSTART,
        env=server_env(tmp_path / "db.sqlite3"),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_prints_the_document_and_checks_a_committed_copy(tmp_path: Path) -> None:
    printed = run(tmp_path)
    assert printed.returncode == 0, printed.stderr
    document = json.loads(printed.stdout)
    check_document(document)
    assert "/api/items" in document["paths"]
    committed = tmp_path / "openapi.json"
    committed.write_text(printed.stdout)
    same = run(tmp_path, "--check", str(committed))
    assert same.returncode == 0, same.stderr
    assert "matches" in same.stdout
    # an operation the API no longer has: the check fails and shows where
    document["paths"]["/api/gone"] = {"get": {"responses": {"200": {"description": "OK"}}}}
    committed.write_text(json.dumps(document))
    drift = run(tmp_path, "--check", str(committed))
    assert drift.returncode == 1
    assert any(line.startswith("-") and '"/api/gone"' in line for line in drift.stderr.splitlines())
    assert "regenerate it with python manage.py bolt_openapi" in drift.stderr
    assert "Traceback" not in drift.stderr


def test_check_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = run(tmp_path, "--check", str(tmp_path / "nope.json"))
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
