"""One view class registered twice (two paths, a router, two ``api.viewset`` calls).

Each registration's own routes answer with that registration's options. A route decorator
in the class body makes one route at one path, so it takes the class's registration
options only when every registration gives it the same ones; when they would give it
different ones, startup stops and names the route and both registrations. It used to be
refused even when the route's own options settled every difference, and let through, with
one registration's options stacked on the other's or only the last one's, when the check
could not see the difference.
"""

from __future__ import annotations

from typing import Any

import pytest

from bolt import BoltAPI, Router
from bolt.auth import IsAdminUser, JWTAuthentication, create_jwt_for_user
from bolt.exceptions import ImproperlyConfigured
from bolt.views import APIView, ViewSet


def make(**options: Any) -> BoltAPI:
    options.setdefault("auth", [JWTAuthentication()])
    return BoltAPI(plugins=["viewsets", "auth", "guards"], **options)


# --- the class-body route settles the difference itself: both registrations served -------
def test_two_paths_with_different_guards_each_answer_with_their_own(client_for: Any) -> None:
    api = make()

    class Panel(APIView):
        async def get(self, request) -> dict:
            return {"panel": True}

        @api.get("/panel/ping", auth=[], guards=[])
        async def ping(self, request) -> dict:
            return {"ping": True}

    api.view("/admin/panel", Panel, guards=[IsAdminUser()])
    api.view("/public/panel", Panel, auth=[], guards=[])
    client = client_for(api)
    assert client.get("/admin/panel").status_code == 401
    public = client.get("/public/panel")
    assert public.status_code == 200, public.text
    assert public.json() == {"panel": True}
    assert client.get("/panel/ping").json() == {"ping": True}


def test_two_paths_with_different_status_codes(client_for: Any) -> None:
    api = make(auth=[], guards=[])

    class Jobs(APIView):
        async def post(self, request) -> dict:
            return {"queued": True}

        @api.post("/jobs/flush", status_code=200)
        async def flush(self, request) -> dict:
            return {"flushed": True}

    api.view("/jobs", Jobs, status_code=201)
    api.view("/batch-jobs", Jobs, status_code=202)
    client = client_for(api)
    assert client.post("/jobs").status_code == 201
    assert client.post("/batch-jobs").status_code == 202
    flushed = client.post("/jobs/flush")
    assert flushed.status_code == 200
    assert flushed.json() == {"flushed": True}


def test_a_viewset_at_the_api_and_under_a_stricter_router(client_for: Any, user: Any) -> None:
    api = make()

    class Reports(ViewSet):
        auth = [JWTAuthentication()]

        async def list(self, request) -> list:
            return [{"report": 1}]

        @api.get("/reports/health", guards=[])
        async def health(self, request) -> dict:
            return {"ok": True}

    api.viewset("/reports", Reports, guards=[])
    staff_only = Router("/staff", guards=[IsAdminUser()])
    staff_only.viewset("/reports", Reports)
    api.include_router(staff_only)
    client = client_for(api)
    token = {"Authorization": f"Bearer {create_jwt_for_user(user)}"}
    assert client.get("/reports", headers=token).json() == [{"report": 1}]
    assert client.get("/staff/reports", headers=token).status_code == 403
    assert client.get("/staff/reports").status_code == 401
    assert client.get("/reports/health").json() == {"ok": True}


def test_same_options_twice_serve_the_class_body_route_with_them(client_for: Any) -> None:
    api = make()

    class Panel(APIView):
        async def get(self, request) -> dict:
            return {"panel": True}

        @api.post("/panel/reset")
        async def reset(self, request) -> dict:
            return {"reset": True}

    api.view("/a", Panel, guards=[IsAdminUser()])
    api.view("/b", Panel, guards=[IsAdminUser()])
    client = client_for(api)
    for method, path in [("GET", "/a"), ("GET", "/b"), ("POST", "/panel/reset")]:
        assert client.request(method, path).status_code == 401, path


# --- the class-body route cannot follow both: startup stops ------------------------------
def test_router_class_body_route_after_two_different_registrations_stops_startup() -> None:
    """The route is made when its router is included, after both registrations: it used to
    take the last registration's options alone (the first one's admin guard was lost)."""
    api = make()
    tools = Router()

    class Panel(APIView):
        async def get(self, request) -> dict:
            return {"panel": True}

        @tools.post("/panel/reset")
        async def reset(self, request) -> dict:
            return {"reset": True}

    api.view("/a", Panel, guards=[IsAdminUser()])
    api.view("/b", Panel, guards=[])
    with pytest.raises(ImproperlyConfigured) as caught:
        api.include_router(tools)
    message = str(caught.value)
    assert "registered twice" in message
    assert "/panel/reset" in message
    assert "api.view('/a', " in message
    assert "api.view('/b', " in message
    assert "guards" in message


def test_same_value_at_different_levels_stops_startup() -> None:
    """``guards=[]`` on ``api.view`` opens the class's routes (a registration is above the
    class); on a router it does not (the class's admin guard wins). The two registrations
    used to look equal and the class-body route got the registration's ``[]`` stacked
    above the class: open to anyone."""
    api = make()

    class Panel(APIView):
        guards = [IsAdminUser()]

        async def get(self, request) -> dict:
            return {"panel": True}

        @api.post("/panel/reset")
        async def reset(self, request) -> dict:
            return {"reset": True}

    api.view("/open/panel", Panel, guards=[])
    nested = Router("/r", guards=[])
    nested.view("/panel", Panel)
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        api.include_router(nested)


def test_different_status_codes_reaching_the_class_body_route_stop_startup() -> None:
    api = make(auth=[], guards=[])

    class Jobs(ViewSet):
        async def list(self, request) -> list:
            return []

        @api.post("/jobs/flush")
        async def flush(self, request) -> dict:
            return {"flushed": True}

    api.viewset("/jobs", Jobs, status_code=200)
    with pytest.raises(ImproperlyConfigured, match="status_code"):
        api.viewset("/batch-jobs", Jobs, status_code=202)


def test_two_lookups_for_one_class_still_stop_startup() -> None:
    """``get_object()`` reads one lookup parameter per class."""
    api = make(auth=[], guards=[])

    class Items(ViewSet):
        async def retrieve(self, request, item_id: int, pk: int) -> dict:
            return {"pk": pk}

    api.viewset("/items", Items)  # lookup {item_id}
    with pytest.raises(ImproperlyConfigured, match="one lookup per class"):
        api.viewset("/owners/{item_id}/items", Items)  # lookup {pk}
