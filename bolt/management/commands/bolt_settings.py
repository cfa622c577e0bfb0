"""``python manage.py bolt_settings``: every active ``BOLT_*`` setting, its value and source.

Active means declared by the kernel, by a plugin the project enables (``BOLT_PLUGINS``,
autoload) or by an installed Django app (the Granian embedding's ``BOLT_HOST``...). Each
line shows the value as validated (secrets masked, passwords in URLs hidden), where it came
from (``default``, ``Django settings`` or ``environment``) and who declares it. ``BOLT_*``
Django settings that nothing enabled declares are listed at the end: as the setting of a plugin
the project does not enable, when one declares it, else as unknown. A bad value makes
the command fail with the message startup would give.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bolt.exceptions import ImproperlyConfigured


class Command(BaseCommand):
    help = "List every active BOLT_* setting with its value (secrets masked) and source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        from bolt.conf import (
            ActiveSettings,
            app_settings_models,
            django_setting_names,
            get_settings,
            load_settings,
        )
        from bolt.plugins import BoltPluginManager

        try:
            kernel = get_settings()
            pm = BoltPluginManager()
            pm.load(kernel.PLUGINS, autoload=kernel.PLUGIN_AUTOLOAD)
            active = pm.active_settings(kernel)
            apps = {
                label: load_settings(model, label) for label, model in app_settings_models().items()
            }
            rows = list(ActiveSettings(kernel, {**active.plugins, **apps}).rows())
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        known = {name[5:] for name, *_ in rows}
        unknown = [f"BOLT_{n}" for n in django_setting_names() if n not in known]
        # A setting of a plugin the project left out is not a typo: name that plugin.
        elsewhere = pm.declared_elsewhere() if unknown else {}
        if options["json"]:
            out = [
                {"name": name, "value": value, "source": source, "declared_by": owner}
                for name, value, source, owner in rows
            ]
            disabled = {n: elsewhere[n[5:]] for n in unknown if n[5:] in elsewhere}
            self.stdout.write(
                json.dumps(
                    {"settings": out, "unknown": unknown, "declared_by_disabled": disabled},
                    default=repr,
                )
            )
            return
        width = max(len(name) for name, *_ in rows)
        for name, value, source, owner in rows:
            self.stdout.write(f"{name:<{width}}  {value!r}  [{source}; {owner}]")
        for name in unknown:
            plugin = elsewhere.get(name[5:])
            if plugin is not None:
                note = f"not used: declared by plugin {plugin!r}, which is not enabled"
            else:
                note = "unknown: no enabled plugin declares it"
            self.stdout.write(f"{name:<{width}}  ({note})")
