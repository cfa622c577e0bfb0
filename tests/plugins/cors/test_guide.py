"""Guide chapter "Middleware", section "CORS Middleware": the example, as written (a class
with the viewsets plugin) and as plain function routes, through HTTP."""

from __future__ import annotations

from typing import Any

from bolt import BoltAPI
from bolt.middleware import cors
from bolt.testing import TestClient
from bolt.views import ViewSet

LOCAL = "http://localhost:3000"


def check_cors_example(client: TestClient, data_path: str) -> None:
    r = client.get(data_path, headers={"Origin": LOCAL})
    assert r.status_code == 200
    assert r.json() == {"data": "accessible from localhost:3000"}
    assert r.headers["access-control-allow-origin"] == LOCAL
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["vary"] == "Origin"
    r = client.get(data_path, headers={"Origin": "http://localhost:3001"})
    assert "access-control-allow-origin" not in r.headers

    r = client.post("/api/upload", headers={"Origin": "https://any.example"})
    assert r.json() == {"uploaded": True}
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    pre = {"Origin": "https://any.example", "Access-Control-Request-Method": "POST"}
    r = client.options("/api/upload", headers=pre)
    assert r.status_code == 204
    assert r.headers["access-control-allow-methods"] == "POST"
    assert r.headers["access-control-allow-origin"] == "*"
    r = client.options("/api/upload", headers={**pre, "Access-Control-Request-Method": "PUT"})
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers


def test_cors_example_as_a_class() -> None:
    api = BoltAPI()

    class APIViewSet(ViewSet):
        @cors(origins=["http://localhost:3000"], credentials=True)
        async def get(self, request: Any) -> dict:
            """Endpoint with CORS enabled."""
            return {"data": "accessible from localhost:3000"}

        @api.post("/api/upload")
        @cors(origins=["*"], methods=["POST"])
        async def upload(self, request: Any) -> dict:
            """Custom action with CORS."""
            return {"uploaded": True}

    api.view("/api/data", APIViewSet)
    check_cors_example(TestClient(api), "/api/data")


def test_cors_example_as_functions() -> None:
    api = BoltAPI(plugins=["cors"])

    @api.get("/api/data")
    @cors(origins=["http://localhost:3000"], credentials=True)
    async def get(request: Any) -> dict:
        return {"data": "accessible from localhost:3000"}

    @api.post("/api/upload")
    @cors(origins=["*"], methods=["POST"])
    async def upload(request: Any) -> dict:
        return {"uploaded": True}

    check_cors_example(TestClient(api), "/api/data")
