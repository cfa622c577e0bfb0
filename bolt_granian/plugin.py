"""The Granian embedding as a plugin: it only contributes its hook specifications."""

from __future__ import annotations

from typing import Any

from bolt.hookspecs import hookimpl
from bolt_granian import hookspecs
from bolt_granian.settings import GranianSettings


@hookimpl
def bolt_settings_model() -> type[GranianSettings]:
    return GranianSettings


@hookimpl
def bolt_addhooks(pluginmanager: Any) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def server_plugin_manager() -> Any:
    """A plugin manager with the project's plugins (``BOLT_PLUGINS``) and the server hooks."""
    import sys

    from bolt.conf import get_settings
    from bolt.plugins import BoltPluginManager

    settings = get_settings()
    pm = BoltPluginManager()
    pm.register(sys.modules[__name__], name="bolt_granian")
    pm.load(settings.PLUGINS, autoload=settings.PLUGIN_AUTOLOAD)
    return pm
