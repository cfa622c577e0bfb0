"""Typed facts about a route, shared between plugins: ``RouteKey`` and ``Stash``.

A plugin that wants to leave a fact on a route for later (its own OpenAPI contribution, a
per-request step, another plugin) stores it under a ``RouteKey`` it exports, not under a
string: ``route.meta[GUARDS] = guards``. A reader imports the key by name, so a renamed or
removed key fails at import time instead of silently reading nothing, and a type checker
knows the value's type. Facts that two plugins share without either owning the other live in
``bolt.facts`` (the kernel), so no plugin imports another.

``route.meta`` is a ``Stash``: a dict whose typed accessors take ``RouteKey`` objects.
Plain string keys still work for quick experiments, but nothing first-party uses them.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

__all__ = ["RouteKey", "Stash"]

T = TypeVar("T")
D = TypeVar("D")


class RouteKey(Generic[T]):
    """A key for one kind of fact (``RouteKey[list[Guard]]("guards")``); compared by
    identity, so two plugins' keys never collide even with the same name."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<RouteKey {self.name}>"


class Stash(dict[Any, Any]):
    """``route.meta``: facts plugins leave on a route while it compiles, typed by key."""

    __slots__ = ()

    @overload
    def get(self, key: RouteKey[T], default: None = None) -> T | None: ...

    @overload
    def get(self, key: RouteKey[T], default: D) -> T | D: ...

    @overload
    def get(self, key: Any, default: Any = None) -> Any: ...

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(key, default)

    def __getitem__(self, key: RouteKey[T]) -> T:
        value: T = super().__getitem__(key)
        return value
