"""Option precedence and fail-closed startup, on real Granian processes."""

from __future__ import annotations

import sqlite3
import subprocess
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server, free_port, granian_cli
from tests.e2e.reliability.conftest import reliability_env
from tests.e2e.reliability.helpers import token

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def server(serve_app: Any) -> Server:
    return serve_app("tests.e2e.security.layers_app:api")


def bearer(user_id: int, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(user_id, **claims)}"}


def test_router_defaults_never_open_admin_classes(server: Server, seeded: dict[str, Any]) -> None:
    plain = bearer(seeded["alice"])
    root = bearer(seeded["admin"], is_staff=True, is_superuser=True)
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        for method, path in [
            ("GET", "/api/admin/reports"),
            ("POST", "/api/admin/reports/rebuild"),
            ("GET", "/api/admin/panel"),
            ("GET", "/api/admin/inner/notes"),
            ("DELETE", f"/api/admin/inner/notes/{seeded['bob_note']}"),
        ]:
            assert http.request(method, path).status_code == 401, path
            refused = http.request(method, path, headers=plain)
            assert refused.status_code == 403, (path, refused.text)
            assert refused.headers["content-type"] == "application/json"
        assert http.get("/api/admin/reports", headers=root).json() == ["confidential"]
        assert http.get("/api/admin/panel", headers=root).json() == {"panel": True}
        # the action's own guards beat the class's
        mine = http.get("/api/admin/reports/mine", headers=plain)
        assert mine.json() == {"user_id": seeded["alice"]}
    # the refused DELETE changed nothing
    with sqlite3.connect(server.db) as db:  # type: ignore[attr-defined]
        count = db.execute("SELECT COUNT(*) FROM relapp_note").fetchone()[0]
    assert count >= 1


def test_drf_permission_classes_stop_the_server_at_startup(
    seeded: dict[str, Any], files_root: Any, tmp_path: Any
) -> None:
    port = free_port()
    args = [
        *granian_cli(),
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "tests.e2e.security.drf_habit_app:api",
    ]
    srv = Server(args, reliability_env(seeded["db"], files_root), port, tmp_path / "log")
    try:
        code = srv.wait(timeout=60)
    except subprocess.TimeoutExpired:
        reachable = True
        try:
            httpx.delete(f"{srv.base_url}/api/notes/1", timeout=2)
        except httpx.HTTPError:
            reachable = False
        output = srv.output()
        srv.stop()
        pytest.fail(f"server kept running (serving requests: {reachable})\n{output}")
    output = srv.output()
    srv.stop()
    assert code != 0
    assert "permission_classes" in output
    assert "guards = " in output
