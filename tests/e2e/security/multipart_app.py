"""A real-server app for the multipart attacks (``test_multipart.py``).

Bodies up to 16 MiB; the part and field limits come from the environment
(``MULTIPART_APP_PARTS``, ``MULTIPART_APP_FIELDS``) so one module serves both a strict
server (memory under a flood of tiny parts) and a lax one (a long parse must not stall the
event loop). A field is at most 1 KiB, a file at most 12 MiB.

- ``/api/upload``: a title field, optional tags and an optional file; answers what it got.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.reliability.settings")
django.setup()

from django.conf import settings  # noqa: E402

MiB = 1024 * 1024
settings.BOLT_MAX_BODY_SIZE = 16 * MiB
settings.BOLT_MAX_MULTIPART_PARTS = int(os.environ.get("MULTIPART_APP_PARTS", "1000"))
settings.BOLT_MAX_FORM_FIELDS = int(os.environ.get("MULTIPART_APP_FIELDS", "1000"))
settings.BOLT_MAX_FORM_FIELD_SIZE = 1024
settings.BOLT_MAX_UPLOAD_FILE_SIZE = 12 * MiB

from bolt import BoltAPI  # noqa: E402
from bolt.conf import reset_settings  # noqa: E402
from bolt.params import File, Form, UploadFile  # noqa: E402

reset_settings()
api = BoltAPI(prefix="/api", title="Multipart security")


@api.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, World!"}


@api.post("/upload")
async def upload(
    title: Annotated[str, Form()],
    tags: Annotated[list[str], Form()] = [],  # noqa: B006
    doc: Annotated[UploadFile | None, File()] = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"title": title, "tags": len(tags)}
    if doc is not None:
        out.update(filename=doc.filename, raw_filename=doc.raw_filename, size=doc.size)
    return out
