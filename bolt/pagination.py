"""Pagination classes for list endpoints (``pagination_class = PageNumberPagination``).

Re-exported from the CRUD plugin, which implements them; see ``docs/crud.md`` for the
envelopes and limits. The plugin is imported on first use, so importing the kernel (or this
module) does not load the CRUD plugin.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BasePagination",
    "CursorPagination",
    "LimitOffsetPagination",
    "PageNumberPagination",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bolt_plugins.crud import pagination

        return getattr(pagination, name)
    raise AttributeError(f"module 'bolt.pagination' has no attribute {name!r}")
