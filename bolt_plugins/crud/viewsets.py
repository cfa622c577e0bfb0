"""``ModelViewSet`` and ``ReadOnlyModelViewSet``: the mixins on top of ``ViewSet``."""

from __future__ import annotations

from bolt_plugins.crud.mixins import (
    CreateMixin,
    DestroyMixin,
    ListMixin,
    PartialUpdateMixin,
    RetrieveMixin,
    UpdateMixin,
)
from bolt_plugins.viewsets import ViewSet

__all__ = ["ModelViewSet", "ReadOnlyModelViewSet"]


class ModelViewSet(
    ListMixin,
    RetrieveMixin,
    CreateMixin,
    UpdateMixin,
    PartialUpdateMixin,
    DestroyMixin,
    ViewSet,
):
    """Every CRUD action for a model, configured by ``queryset`` or ``model`` and the
    serializer attributes; override any action or hook and call ``super()`` to extend it.

    Routes (``api.viewset("/articles")``): ``GET``/``POST /articles``,
    ``GET``/``PUT``/``PATCH``/``DELETE /articles/{pk}`` (or ``{lookup_field}``).
    """


class ReadOnlyModelViewSet(ListMixin, RetrieveMixin, ViewSet):
    """``list`` and ``retrieve`` only: ``GET /articles`` and ``GET /articles/{pk}``."""
