"""A DRF habit on a real server: ``permission_classes`` on a ModelViewSet must stop startup."""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

from bolt import BoltAPI, ModelViewSet  # noqa: E402
from bolt.auth import IsAuthenticated  # noqa: E402
from tests.e2e.reliability.relapp.models import Note  # noqa: E402

api = BoltAPI(prefix="/api", title="DRF habit")


@api.get("/hello")
async def hello() -> dict:
    return {"hello": "drf"}


@api.viewset("/notes")
class Notes(ModelViewSet):
    queryset = Note.objects.all()
    permission_classes = [IsAuthenticated]
