"""What the ratelimit plugin tells the OpenAPI document: the 429 of a limited route.

Only routes that run the ``rate_limit`` step (``route.middleware_names``) get it. The
refusal carries ``Retry-After`` (whole seconds) and ``{"detail": ..., "retry_after": N}``;
a store that cannot be reached with ``BOLT_RATELIMIT_FAIL_OPEN = False`` answers 503.
"""

from __future__ import annotations

from typing import Any

__all__ = ["document_rate_limit"]

_SECONDS = {"schema": {"type": "integer", "minimum": 0}}


def document_rate_limit(route: Any, operation: dict[str, Any], doc: Any) -> None:
    if "rate_limit" not in route.middleware_names:
        return
    refused = doc.error(
        429, "Too many requests: wait Retry-After seconds", retry_after={"type": "integer"}
    )
    refused["headers"] = {
        "Retry-After": {"description": "Seconds to wait before trying again", **_SECONDS},
        "RateLimit-Limit": {"description": "Requests allowed per window", **_SECONDS},
        "RateLimit-Remaining": {"description": "Requests left in the window", **_SECONDS},
        "RateLimit-Reset": {"description": "Seconds until the window is full again", **_SECONDS},
    }
    responses = operation["responses"]
    responses["429"] = refused
    responses.setdefault("503", doc.error(503, "The rate-limit store cannot be reached"))
