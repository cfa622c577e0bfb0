"""Public facade: class-based views.

``from bolt.views import APIView, ViewSet, ModelViewSet, ...``. The viewsets and CRUD plugins
implement them; each name is imported from the module on its right when first used, so
importing this module loads neither plugin.
"""

from bolt._facade import lazy_exports as _lazy_exports

_PLUGIN_EXPORTS = {
    "APIView": "bolt_plugins.viewsets",
    # The routing ViewSet plus the CRUD plugin's ORM hooks (``GenericView``): the guide's
    # ``ViewSet`` has ``queryset``, ``get_queryset()`` and ``get_object()``.
    "ViewSet": "bolt_plugins.crud",
    "GenericViewSet": "bolt_plugins.crud",
    "GenericView": "bolt_plugins.crud",
    "ModelViewSet": "bolt_plugins.crud",
    "ReadOnlyModelViewSet": "bolt_plugins.crud",
    "CreateMixin": "bolt_plugins.crud",
    "DestroyMixin": "bolt_plugins.crud",
    "ListMixin": "bolt_plugins.crud",
    "PartialUpdateMixin": "bolt_plugins.crud",
    "RetrieveMixin": "bolt_plugins.crud",
    "UpdateMixin": "bolt_plugins.crud",
}

__all__ = [*_PLUGIN_EXPORTS]
__getattr__, __dir__ = _lazy_exports(__name__, _PLUGIN_EXPORTS)
