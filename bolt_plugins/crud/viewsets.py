"""The viewset classes of the CRUD plugin: the viewsets plugin's routing ``ViewSet`` plus the
ORM hooks of ``GenericView``, with and without the CRUD actions."""

from __future__ import annotations

from bolt_plugins.crud.generics import GenericView
from bolt_plugins.crud.mixins import (
    CreateMixin,
    DestroyMixin,
    ListMixin,
    PartialUpdateMixin,
    RetrieveMixin,
    UpdateMixin,
)
from bolt_plugins.viewsets import ViewSet as RoutingViewSet

__all__ = ["GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet", "ViewSet"]


class GenericViewSet(GenericView, RoutingViewSet):
    """A ``ViewSet`` over a model: ``queryset``/``model``, the serializer attributes,
    ``get_queryset()``, ``get_object()``, ``filter_queryset()``, ``get_serializer_class()``
    and the write helpers, with no actions of its own. ``bolt.views.ViewSet`` is this class:
    write ``list``/``retrieve``/... yourself, or add the CRUD mixins
    (``class V(ViewSet, ListMixin, RetrieveMixin)``).
    """


#: The name users import (``from bolt.views import ViewSet``).
ViewSet = GenericViewSet


class ModelViewSet(
    ListMixin,
    RetrieveMixin,
    CreateMixin,
    UpdateMixin,
    PartialUpdateMixin,
    DestroyMixin,
    GenericViewSet,
):
    """Every CRUD action for a model, configured by ``queryset`` or ``model`` and the
    serializer attributes; override any action or hook and call ``super()`` to extend it.

    Routes (``api.viewset("/articles")``): ``GET``/``POST /articles``,
    ``GET``/``PUT``/``PATCH``/``DELETE /articles/{pk}`` (or ``{lookup_field}``).
    """


class ReadOnlyModelViewSet(ListMixin, RetrieveMixin, GenericViewSet):
    """``list`` and ``retrieve`` only: ``GET /articles`` and ``GET /articles/{pk}``."""
