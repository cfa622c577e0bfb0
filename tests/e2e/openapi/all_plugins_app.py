"""A real-server app that uses every first-party plugin, for the OpenAPI checks.

- ``/api/items``: a ``ModelViewSet`` with filters, search, ordering and page-number
  pagination, JWT authentication and ``IsAuthenticatedOrReadOnly`` (public reads);
- ``/api/limited``: a function route with a rate limit (429 with ``Retry-After``);
- ``/api/upload``: a multipart form with a file;
- ``/api/me``: needs a token (401/403);
- CORS is configured by the reliability settings and adds nothing to the document.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

import msgspec  # noqa: E402

from bolt import BoltAPI, ModelViewSet  # noqa: E402
from bolt.auth import IsAuthenticated, IsAuthenticatedOrReadOnly, JWTAuthentication  # noqa: E402
from bolt.middleware import rate_limit  # noqa: E402
from bolt.pagination import PageNumberPagination  # noqa: E402
from bolt.params import File, Form, UploadFile  # noqa: E402
from bolt.request import Request  # noqa: E402
from tests.e2e.reliability.relapp.models import Item  # noqa: E402

JWT = JWTAuthentication()
api = BoltAPI(prefix="/api", title="Every plugin", version="1.0.0")


@api.get("/hello")
async def hello() -> dict[str, str]:
    """Say hello (the readiness check)."""
    return {"message": "Hello, World!"}


class ItemOut(msgspec.Struct):
    id: int
    name: str
    qty: int
    price: float


class ItemIn(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    qty: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0


@api.viewset("/items")
class ItemViewSet(ModelViewSet):
    """Items: anyone may read, a token holder may write."""

    queryset = Item.objects.all()
    serializer_class = ItemOut
    create_serializer_class = ItemIn
    pagination_class = PageNumberPagination
    filterset_fields = {"qty": ["exact", "gte"], "name": ["icontains"]}
    search_fields = ["name"]
    ordering_fields = ["name", "qty"]
    auth = [JWT]
    guards = [IsAuthenticatedOrReadOnly()]


@api.get("/limited")
@rate_limit(rps=1000, burst=1000)
async def limited() -> dict[str, bool]:
    """A rate-limited route."""
    return {"ok": True}


@api.post("/upload")
async def upload(
    title: Annotated[str, Form(max_length=50)], file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """Upload one file with a title."""
    return {"title": title, "size": file.size}


@api.get("/me", auth=[JWT], guards=[IsAuthenticated()])
async def me(request: Request) -> dict[str, Any]:
    """Who the token says the caller is."""
    return {"user_id": request.auth["user_id"]}
