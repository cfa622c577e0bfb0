"""One plugin manager per ``BoltAPI``: loading, blocking and typed access to the hooks.

Which plugins an API gets (``BOLT_PLUGINS``, or ``BoltAPI(plugins=[...])``):

- ``None`` (not set): every first-party plugin (``DEFAULT_PLUGINS``).
- A list with at least one plain name: exactly those plugins, in that order.
- A list of only modifiers: ``"+name"`` adds to the defaults, ``"-name"`` blocks one of
  them (``["-ratelimit", "+myproject.audit"]``).
- ``[]``: no plugin at all, only the kernel.

Names are resolved in this order: a first-party short name, an entry point in group
``bolt``, a dotted import path. ``BOLT_PLUGIN_AUTOLOAD`` also loads every installed
*third-party* entry point of group ``bolt``; it never brings back a first-party plugin the
list left out, nor anything blocked. A plugin named twice, a hook implementation whose
arguments the hook does not have, or a misspelt hook name stop startup with an
``ImproperlyConfigured`` that names the plugin. The kernel's defaults (``bolt.defaults``)
are always registered first, marked ``trylast`` so any plugin overrides them.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.util
from importlib.metadata import entry_points
from typing import Any

import pluggy

from bolt import hookspecs
from bolt.conf import ActiveSettings, load_settings
from bolt.exceptions import ImproperlyConfigured

__all__ = [
    "DEFAULT_PLUGINS",
    "FIRST_PARTY",
    "OPTIONS_GROUP",
    "BoltPluginManager",
    "installed_plugin_options",
]

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
    "compression": "bolt_plugins.compression",
    "etag": "bolt_plugins.etag",
}

# Hooks the kernel calls plugin by plugin, in load order, to know which plugin answered
# (settings models) or to order equal phases by load order (middleware). A wrapper cannot
# take part in such a call, so one is refused at load time.
PER_PLUGIN_HOOKS = ("bolt_settings_model", "bolt_route_middleware")


# Entry-point group where a distribution declares the route options its plugin implements
# (``stamp = "bolt_stamp"``: option -> the plugin's ``bolt`` entry point name or module).
OPTIONS_GROUP = "bolt.options"


@functools.cache
def installed_plugin_options() -> dict[str, str]:
    """Option name -> plugin name, for the options installed third-party distributions
    declare in entry-point group ``bolt.options``.

    Read from the installed metadata once per process, without importing any plugin, so a
    route, router, API or view class that uses the option of an installed but disabled
    plugin fails closed with the name to put in ``BOLT_PLUGINS``, as first-party options
    do. A value that names the plugin's module is mapped to its ``bolt`` entry point name.
    """
    plugins = entry_points(group="bolt")
    names = {ep.name for ep in plugins}
    by_module = {ep.value: ep.name for ep in plugins}
    out: dict[str, str] = {}
    for ep in entry_points(group=OPTIONS_GROUP):
        value = ep.value.strip()
        out.setdefault(ep.name, value if value in names else by_module.get(value, value))
    return out


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


def _is_modifier(item: Any) -> bool:
    return isinstance(item, str) and item[:1] in ("+", "-")


def plan_plugins(names: list[Any] | None) -> tuple[list[str], set[str]]:
    """``(names to load in order, blocked names)`` for a ``BOLT_PLUGINS``-style list."""
    if names is None:
        return list(DEFAULT_PLUGINS), set()
    blocked = {n[1:] for n in names if isinstance(n, str) and n.startswith("-")}
    added = [n[1:] for n in names if isinstance(n, str) and n.startswith("+")]
    plain = [n for n in names if not _is_modifier(n)]
    if names and not plain:
        # Only modifiers: they change the defaults.
        base = [n for n in DEFAULT_PLUGINS if n not in added]
        return [*base, *added], blocked
    seen: set[str] = set()
    for name in plain:
        if name in seen:
            raise ImproperlyConfigured(
                f"BOLT_PLUGINS names plugin {name!r} twice; list each plugin once"
            )
        seen.add(name)
    return [*plain, *added], blocked


class BoltPluginManager(pluggy.PluginManager):
    """The plugin manager of one API. ``hook`` calls happen only at build/compile time."""

    def __init__(self) -> None:
        super().__init__("bolt")
        self.add_hookspecs(hookspecs)
        self.loaded_names: list[str] = []

    def register_plugin(self, plugin: Any, name: str) -> None:
        """``register`` with errors a user can act on: they name the plugin."""
        if self.has_plugin(name) or self.is_registered(plugin):
            raise ImproperlyConfigured(
                f"Plugin {name!r} is named twice (BOLT_PLUGINS, BoltAPI(plugins=...), "
                "autoload); list each plugin once"
            )
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise ImproperlyConfigured(f"Plugin {name!r}: {_explain(exc)}") from None
        except ValueError as exc:  # the same object under another name
            raise ImproperlyConfigured(
                f"Plugin {name!r} is already loaded under another name ({exc})"
            ) from None
        for hook in PER_PLUGIN_HOOKS:
            for impl in getattr(self.hook, hook).get_hookimpls():
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                    raise ImproperlyConfigured(
                        f"Plugin {name!r}: {hook} cannot be a wrapper; the kernel asks each "
                        "plugin in turn (order middleware with its phase)"
                    )
        self.loaded_names.append(name)

    def load(
        self, names: list[Any] | None, *, extra: list[Any] | None = None, autoload: bool = False
    ) -> None:
        """Register the kernel defaults, the named plugins and the ``extra`` plugin objects."""
        from bolt import defaults

        self.register(defaults, name="bolt.defaults")
        requested, blocked = plan_plugins(names)
        if autoload:
            named = set(requested)
            requested += [
                ep.name
                for ep in entry_points(group="bolt")
                if ep.name not in FIRST_PARTY and ep.name not in named
            ]
        for blocked_name in blocked:
            self.set_blocked(blocked_name)
        for item in requested:
            if item in blocked:
                continue
            self.register_plugin(_import_plugin(item), item)
        for item in extra or []:
            name = getattr(item, "__name__", None) or type(item).__name__
            if name in blocked:
                continue
            self.register_plugin(item, name)
        self.hook.bolt_addhooks.call_historic(kwargs={"pluginmanager": self})
        try:
            self.check_pending()
        except pluggy.PluginValidationError as exc:
            raise ImproperlyConfigured(_unknown_hook(self, exc)) from None

    def active_settings(self, kernel: Any) -> ActiveSettings:
        """The API's settings: ``kernel`` plus each enabled plugin's validated model."""
        models = {
            name: load_settings(model, name)
            for name, model in self.call_each("bolt_settings_model")
        }
        return ActiveSettings(kernel, models)

    def declared_elsewhere(self) -> dict[str, str]:
        """Setting name → plugin, for first-party plugins and installed third-party entry
        points this manager did not load (so a warning can say which plugin to enable).
        Imports those plugins: only asked when an unknown ``BOLT_*`` setting is found; one
        that fails to import is skipped (the warning then names no plugin)."""
        out: dict[str, str] = {}
        candidates: list[tuple[str, Any]] = [
            (name, lambda module=module: importlib.import_module(module))
            for name, module in FIRST_PARTY.items()
            if name in DEFAULT_PLUGINS
        ]
        candidates += [
            (ep.name, ep.load) for ep in entry_points(group="bolt") if ep.name not in FIRST_PARTY
        ]
        for name, load in candidates:
            if self.has_plugin(name):
                continue
            try:
                plugin = load()
            except Exception:  # a broken disabled plugin must not stop this API
                continue
            if self.is_registered(plugin):
                continue
            declare = getattr(plugin, "bolt_settings_model", None)
            model = declare() if declare is not None else None
            for field in getattr(model, "model_fields", {}):
                out.setdefault(field, name)
        return out

    def call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call one hook plugin by plugin, in load order: ``[(plugin name, result)]`` for
        the results that are not ``None``. Build and compile time only."""
        impls = getattr(self.hook, hook_name).get_hookimpls()
        order = {name: i for i, name in enumerate(["bolt.defaults", *self.loaded_names])}
        ranked = sorted(
            (impl for impl in impls if not (impl.wrapper or impl.hookwrapper)),
            key=lambda impl: order.get(impl.plugin_name, len(order)),
        )
        out: list[tuple[str, Any]] = []
        for impl in ranked:
            result = impl.function(*[kwargs[arg] for arg in impl.argnames])
            if result is not None:
                out.append((impl.plugin_name, result))
        return out


def _explain(exc: pluggy.PluginValidationError) -> str:
    text = " ".join(str(exc).split())
    return text.replace("hookimpl definition:", "in").strip()


def _unknown_hook(pm: BoltPluginManager, exc: pluggy.PluginValidationError) -> str:
    """The message for a hook implementation no spec knows: the plugin, the nearest hook."""
    hooks = [
        n for n in dir(pm.hook) if n.startswith("bolt_") and getattr(pm.hook, n).spec is not None
    ]
    name = getattr(exc, "plugin", None)
    plugin_name = pm.get_name(name) if name is not None else None
    text = str(exc)
    for word in text.replace("'", " ").split():
        if word.startswith("bolt_") and word not in hooks:
            close = difflib.get_close_matches(word, hooks, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return (
                f"Plugin {plugin_name!r} implements unknown hook {word!r}{hint}; hooks are "
                "listed in bolt.hookspecs"
            )
    return f"Plugin {plugin_name!r}: {text}"


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
