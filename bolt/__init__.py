"""Bolt: a Django REST framework served by Granian, built from plugins on a slim kernel."""

from __future__ import annotations

from typing import Any

from bolt.api import BoltAPI, Router
from bolt.hookspecs import hookimpl
from bolt.middleware import Middleware
from bolt.request import Request
from bolt.responses import EventSourceResponse, ServerSentEvent, format_sse_event
from bolt.websocket import WebSocket, WebSocketConsumer, WebSocketDisconnect

__all__ = [
    "APIView",
    "BoltAPI",
    "EventSourceResponse",
    "Middleware",
    "ModelViewSet",
    "ReadOnlyModelViewSet",
    "Request",
    "Router",
    "ServerSentEvent",
    "ViewSet",
    "WebSocket",
    "WebSocketConsumer",
    "WebSocketDisconnect",
    "action",
    "format_sse_event",
    "hookimpl",
    "paginate",
    "reverse",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Class-based views live in plugins; import them on first use so the kernel stays
    # independent of them.
    if name in ("APIView", "ViewSet", "ModelViewSet", "ReadOnlyModelViewSet"):
        from bolt import views

        return getattr(views, name)
    if name == "action":
        import bolt_plugins.viewsets as viewsets

        return viewsets.action
    if name == "paginate":
        from bolt.pagination import paginate

        return paginate
    if name == "reverse":
        from bolt.urls import reverse

        return reverse
    raise AttributeError(f"module 'bolt' has no attribute {name!r}")
