"""Public facade: pagination classes for list endpoints (``pagination_class =
PageNumberPagination``) and ``@paginate(...)`` for function routes.

The CRUD plugin implements them (see ``docs/crud.md`` for the envelopes and limits); it is
imported when one of these names is first used, so importing this module, or ``bolt``, does
not load it.
"""

from bolt._facade import lazy_exports as _lazy_exports

_PLUGIN_EXPORTS = {
    "BasePagination": "bolt_plugins.crud.pagination",
    "CursorPagination": "bolt_plugins.crud.pagination",
    "LimitOffsetPagination": "bolt_plugins.crud.pagination",
    "Page": "bolt_plugins.crud.pagination",
    "PageNumberPagination": "bolt_plugins.crud.pagination",
    "paginate": "bolt_plugins.crud.pagination",
}

__all__ = [*_PLUGIN_EXPORTS]
__getattr__, __dir__ = _lazy_exports(__name__, _PLUGIN_EXPORTS)
