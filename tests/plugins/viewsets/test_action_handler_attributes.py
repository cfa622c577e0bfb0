"""``@action`` handler objects carry ``auth`` and ``guards`` (``None``: inherit the class's)."""

from __future__ import annotations

from typing import Any

from bolt import BoltAPI, ViewSet, action
from bolt.auth import AllowAny, APIKeyAuthentication, IsAuthenticated
from bolt.testing import TestClient

KEY_AUTH = APIKeyAuthentication(api_keys={"k-1"})


class ReportViewSet(ViewSet):
    auth = [KEY_AUTH]
    guards = [IsAuthenticated()]

    async def list(self, request: Any) -> list:
        return []

    @action(methods=["GET"], detail=False)
    async def inherited(self, request: Any) -> dict:
        return {"inherited": True}

    @action(methods=["GET"], detail=False, guards=[AllowAny()], status_code=202)
    async def public(self, request: Any) -> dict:
        return {"public": True}


def test_action_handler_attributes_and_their_effect() -> None:
    inherited = ReportViewSet.__dict__["inherited"]
    public = ReportViewSet.__dict__["public"]
    assert (inherited.auth, inherited.guards, inherited.status_code) == (None, None, None)
    assert public.auth is None
    assert isinstance(public.guards[0], AllowAny)
    assert public.status_code == 202

    api = BoltAPI()
    api.viewset("/reports")(ReportViewSet)
    with TestClient(api) as client:
        assert client.get("/reports/inherited").status_code == 401
        assert client.get("/reports/inherited", headers={"x-api-key": "k-1"}).json() == {
            "inherited": True
        }
        response = client.get("/reports/public")
        assert (response.status_code, response.json()) == (202, {"public": True})
