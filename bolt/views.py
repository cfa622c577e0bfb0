"""Class-based views, re-exported from the plugins that implement them."""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIView",
    "CreateMixin",
    "DestroyMixin",
    "ListMixin",
    "ModelViewSet",
    "PartialUpdateMixin",
    "ReadOnlyModelViewSet",
    "RetrieveMixin",
    "UpdateMixin",
    "ViewSet",
]

_VIEWSETS = {"APIView", "ViewSet"}


def __getattr__(name: str) -> Any:
    if name in _VIEWSETS:
        import bolt_plugins.viewsets as viewsets

        return getattr(viewsets, name)
    if name in __all__:
        import bolt_plugins.crud as crud

        return getattr(crud, name)
    raise AttributeError(f"module 'bolt.views' has no attribute {name!r}")
