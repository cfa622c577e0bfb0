"""Pagination classes for list endpoints (``pagination_class = PageNumberPagination``) and
``@paginate(...)`` for function routes.

Re-exported from the CRUD plugin, which implements them; see ``docs/crud.md`` for the
envelopes and limits. The plugin is imported on first use, so importing the kernel (or this
module, or ``paginate`` from it) does not load the CRUD plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "BasePagination",
    "CursorPagination",
    "LimitOffsetPagination",
    "Page",
    "PageNumberPagination",
    "paginate",
]


def paginate(pagination_class: Any = None) -> Callable[..., Any]:
    """Paginate what a function route returns; written below the route decorator::

        @api.get("/articles")
        @paginate(PageNumberPagination)
        async def articles() -> list[ArticleSchema]:
            return Article.objects.order_by("-created_at")

    See ``bolt_plugins.crud.pagination.paginate``; it is imported when this is called.
    """
    from bolt_plugins.crud import pagination

    result: Callable[..., Any] = pagination.paginate(pagination_class)
    return result


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bolt_plugins.crud import pagination

        return getattr(pagination, name)
    raise AttributeError(f"module 'bolt.pagination' has no attribute {name!r}")
