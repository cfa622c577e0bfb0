"""Lazy re-exports for Bolt's public facade modules.

User code imports ``ViewSet``, ``JWTAuthentication``, ``paginate``, ``cors``... from
``bolt``, ``bolt.views``, ``bolt.auth``, ``bolt.pagination`` and ``bolt.middleware``, but
plugins implement them, and the kernel must not import its plugins: a project that disables
one must not load it through the kernel, and the kernel is tested without any. A facade
therefore holds a table ``{public name: owning module}`` and nothing else; this module turns
the table into the facade's ``__getattr__`` and ``__dir__``, so the owner is imported when a
name is first used, and changing where a name comes from is a one-line edit of the table.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    facade: str, owners: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of the facade named ``facade``.

    ``owners`` maps each lazily exported name to the dotted path of the module that defines
    it under the same name. A name is imported on first access and then stored on the
    facade, so later reads are plain attribute lookups that never reach ``__getattr__``.
    """
    table = dict(owners)

    def __getattr__(name: str) -> Any:
        module = sys.modules[facade]
        owner = table.get(name)
        if owner is None:
            # name= and obj= let Python suggest a close name from __dir__ ("Did you mean").
            raise AttributeError(
                f"module {facade!r} has no attribute {name!r}", name=name, obj=module
            )
        try:
            value = getattr(importlib.import_module(owner), name)
        except AttributeError:
            # Re-raised as ImportError: an AttributeError here would read as "the facade
            # has no such name", hiding that its table points at the wrong module.
            raise ImportError(
                f"{facade}.{name} is re-exported from {owner}, which does not define it"
            ) from None
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[facade]), *table})

    return __getattr__, __dir__
