"""Option layers on a real server: routers whose defaults are looser than their classes.

``granian --interface asgi tests.e2e.security.layers_app:api``. Every route below is
mounted through a router that only asks for a login; each class asks for an admin.
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

from bolt import BoltAPI, ModelViewSet, Router, action  # noqa: E402
from bolt.auth import IsAdminUser, IsAuthenticated, JWTAuthentication  # noqa: E402
from bolt.views import APIView, ViewSet  # noqa: E402
from tests.e2e.reliability.relapp.models import Note  # noqa: E402

api = BoltAPI(prefix="/api", title="Layers")


@api.get("/hello")
async def hello() -> dict:
    return {"hello": "layers"}


admin = Router("/admin", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
inner = Router("/inner")


@admin.viewset("/reports")
class Reports(ViewSet):
    guards = [IsAdminUser()]

    async def list(self, request) -> list:
        return ["confidential"]

    @action(methods=["POST"], detail=False)
    async def rebuild(self, request) -> dict:
        return {"rebuilt": True}

    @action(methods=["GET"], detail=False, guards=[IsAuthenticated()])
    async def mine(self, request) -> dict:
        return {"user_id": request.auth["user_id"]}


@admin.view("/panel")
class Panel(APIView):
    guards = [IsAdminUser()]

    async def get(self, request) -> dict:
        return {"panel": True}


class Notes(ModelViewSet):
    queryset = Note.objects.all()
    guards = [IsAdminUser()]


inner.viewset("/notes", Notes)
admin.include_router(inner, guards=[IsAuthenticated()])
api.include_router(admin, guards=[IsAuthenticated()])
