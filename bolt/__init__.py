"""Bolt: a Django REST framework served by Granian, built from plugins on a slim kernel.

Public facade: the names most applications import, from the kernel (imported here) and
from plugins (imported from the module on their right when first used, so ``import bolt``
loads no plugin). Class-based views and ``paginate`` resolve through ``bolt.views`` and
``bolt.pagination``, which say which plugin owns each.
"""

from bolt._facade import lazy_exports as _lazy_exports
from bolt.api import BoltAPI, Router
from bolt.hookspecs import hookimpl
from bolt.pipeline import Middleware
from bolt.request import Request
from bolt.responses import EventSourceResponse, ServerSentEvent, format_sse_event
from bolt.websocket import WebSocket, WebSocketConsumer, WebSocketDisconnect

_LAZY_EXPORTS = {
    "APIView": "bolt.views",
    "ViewSet": "bolt.views",
    "ModelViewSet": "bolt.views",
    "ReadOnlyModelViewSet": "bolt.views",
    "action": "bolt_plugins.viewsets",
    "paginate": "bolt.pagination",
    # Kernel, lazy because it imports django.urls, which ``import bolt`` does not need.
    "reverse": "bolt.urls",
}

__all__ = [
    "BoltAPI",
    "EventSourceResponse",
    "Middleware",
    "Request",
    "Router",
    "ServerSentEvent",
    "WebSocket",
    "WebSocketConsumer",
    "WebSocketDisconnect",
    "format_sse_event",
    "hookimpl",
    *_LAZY_EXPORTS,
]
__version__ = "0.1.0"
__getattr__, __dir__ = _lazy_exports(__name__, _LAZY_EXPORTS)
