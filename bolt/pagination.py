"""Pagination classes for list endpoints (``pagination_class = PageNumberPagination``).

Re-exported from the CRUD plugin, which implements them; see ``docs/crud.md`` for the
envelopes and limits.
"""

from __future__ import annotations

from bolt_plugins.crud.pagination import (
    BasePagination,
    CursorPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)

__all__ = [
    "BasePagination",
    "CursorPagination",
    "LimitOffsetPagination",
    "PageNumberPagination",
]
