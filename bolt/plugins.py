"""One plugin manager per ``BoltAPI``: loading, blocking and typed access to the hooks.

Names in ``BOLT_PLUGINS`` (or ``BoltAPI(plugins=[...])``) are resolved in this order: a
first-party short name, an entry point in group ``bolt``, a dotted import path. ``"-name"``
blocks a plugin, including a default one. The kernel's defaults (``bolt.defaults``) are
always registered, marked ``trylast`` so any plugin overrides them.
"""

from __future__ import annotations

import importlib
import importlib.util
from importlib.metadata import entry_points
from typing import Any

import pluggy

from bolt import hookspecs
from bolt.exceptions import ImproperlyConfigured

__all__ = ["DEFAULT_PLUGINS", "FIRST_PARTY", "BoltPluginManager"]

# Short names of the first-party plugins and their modules. Entry points in pyproject.toml
# declare the same names; this map lets a source checkout work without installation.
FIRST_PARTY: dict[str, str] = {
    "viewsets": "bolt_plugins.viewsets",
    "crud": "bolt_plugins.crud",
    "auth": "bolt_plugins.auth",
    "guards": "bolt_plugins.guards",
    "cors": "bolt_plugins.cors",
    "ratelimit": "bolt_plugins.ratelimit",
    "openapi": "bolt_plugins.openapi",
}


def _available_first_party() -> list[str]:
    out = []
    for name, module in FIRST_PARTY.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            out.append(name)
    return out


DEFAULT_PLUGINS: tuple[str, ...] = tuple(_available_first_party())


class BoltPluginManager(pluggy.PluginManager):
    """The plugin manager of one API. ``hook`` calls happen only at build/compile time."""

    def __init__(self) -> None:
        super().__init__("bolt")
        self.add_hookspecs(hookspecs)
        self.loaded_names: list[str] = []

    def load(
        self, names: list[Any] | None, *, extra: list[Any] | None = None, autoload: bool = False
    ) -> None:
        """Register the kernel defaults, the named plugins and the ``extra`` plugin objects."""
        from bolt import defaults

        self.register(defaults, name="bolt.defaults")
        requested: list[Any] = list(DEFAULT_PLUGINS) if names is None else list(names)
        blocked = {n[1:] for n in requested if isinstance(n, str) and n.startswith("-")}
        if names is not None and not any(
            isinstance(n, str) and not n.startswith("-") for n in requested
        ):
            # Only blocks given ("-cors"): they subtract from the defaults.
            requested = list(DEFAULT_PLUGINS) + requested
        if autoload:
            requested += [ep.name for ep in entry_points(group="bolt")]
        for blocked_name in blocked:
            self.set_blocked(blocked_name)
        for item in [*requested, *(extra or [])]:
            if isinstance(item, str):
                if item.startswith("-") or item in blocked or self.has_plugin(item):
                    continue
                self.register(_import_plugin(item), name=item)
                self.loaded_names.append(item)
            else:
                name = getattr(item, "__name__", None) or type(item).__name__
                if name in blocked or self.is_registered(item):
                    continue
                self.register(item, name=name)
                self.loaded_names.append(name)
        self.hook.bolt_addhooks.call_historic(kwargs={"pluginmanager": self})
        try:
            self.check_pending()
        except pluggy.PluginValidationError as exc:
            raise ImproperlyConfigured(f"Plugin error: {exc}") from None


def _import_plugin(name: str) -> Any:
    """Resolve a plugin name to the object to register."""
    if name in FIRST_PARTY:
        return importlib.import_module(FIRST_PARTY[name])
    for ep in entry_points(group="bolt"):
        if ep.name == name:
            return ep.load()
    try:
        return importlib.import_module(name)
    except ImportError:
        module, _, attr = name.rpartition(".")
        if module:
            try:
                return getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError):
                pass
    raise ImproperlyConfigured(
        f"BOLT_PLUGINS names {name!r}, which is neither a first-party plugin "
        f"({', '.join(FIRST_PARTY)}), an entry point in group 'bolt', nor an importable path."
    )
