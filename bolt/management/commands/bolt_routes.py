"""``python manage.py bolt_routes``: list every Bolt route with its handler and plugins.

The APIs are the project's (``BOLT_API`` or each installed app's ``api.py``), or the ones
named with ``--api module:attr``. Routes are compiled first, so the listing shows exactly
what will be served: method, path, route name, handler and the middleware plugins on the
route in the order they run. A route that cannot compile makes the command fail with the
same message startup would give.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bolt.exceptions import ImproperlyConfigured


class Command(BaseCommand):
    help = "List the Bolt routes: method, path, name, handler and middleware plugins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--api",
            action="append",
            default=None,
            metavar="MODULE:ATTR",
            help="List this API only (repeatable); default: the project's APIs",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        from bolt.asgi import _load_api, discover_apis

        try:
            apis = [_load_api(name) for name in options["api"]] if options["api"] else None
        except (ImportError, AttributeError, ValueError) as exc:
            raise CommandError(f"Cannot load API: {exc}") from None
        if apis is None:
            apis = discover_apis()
        rows: list[dict[str, Any]] = []
        for api in apis:
            try:
                routes = api.iter_routes()
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from None
            for route in routes:
                rows.append(
                    {
                        "method": route.method,
                        "path": route.path,
                        "name": route.name or "",
                        "handler": route.handler_name,
                        "plugins": list(route.middleware_names),
                    }
                )
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No Bolt routes found.")
            return
        self.stdout.write(_table(rows))


def _table(rows: list[dict[str, Any]]) -> str:
    headers = ("METHOD", "PATH", "NAME", "HANDLER", "PLUGINS")
    cells = [
        (r["method"], r["path"], r["name"], r["handler"], ", ".join(r["plugins"]) or "-")
        for r in rows
    ]
    widths = [max(len(str(c[i])) for c in [headers, *cells]) for i in range(len(headers))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *cells]
    ]
    return "\n".join(lines)
