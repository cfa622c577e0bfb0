"""``python manage.py bolt_openapi``: print the OpenAPI document, or check a committed one.

The APIs are the project's (``BOLT_API`` or each installed app's ``api.py``), or the one
named with ``--api module:attr``; a project with several APIs needs ``--api``. The document
is the one the server serves at ``BOLT_OPENAPI_PATH``, built from the compiled routes. The
command asks the API's plugins for it (the ``bolt_openapi_document`` hook), so it works with
whichever plugin provides the document and says so when none is enabled.

``--check FILE`` compares it with a committed schema and exits with status 1 and a short
unified diff when they differ, so a project's CI notices an API change nobody committed
(regenerate with ``python manage.py bolt_openapi > FILE``).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bolt.exceptions import ImproperlyConfigured

MAX_DIFF_LINES = 60


def _text(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI document of the project's API, or --check it against a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--api", default=None, metavar="MODULE:ATTR", help="The API")
        parser.add_argument(
            "--check",
            default=None,
            metavar="FILE",
            help="Exit 1 with a diff when FILE differs from the current document",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from bolt.asgi import _load_api, discover_apis

        try:
            apis = [_load_api(options["api"])] if options["api"] else discover_apis()
        except (ImportError, AttributeError, ValueError) as exc:
            raise CommandError(f"Cannot load API: {exc}") from None
        if len(apis) != 1:
            raise CommandError(
                f"The project serves {len(apis)} APIs; name one with --api module:attr"
            )
        api = apis[0]
        try:
            document = api.pm.hook.bolt_openapi_document(api=api)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        if document is None:
            raise CommandError(
                "This API has no OpenAPI document: no enabled plugin provides one. Enable "
                "the 'openapi' plugin (add \"openapi\" to BOLT_PLUGINS, or to the API's "
                "BoltAPI(plugins=[...]))"
            )
        current = _text(document)
        path = options["check"]
        if path is None:
            self.stdout.write(current, ending="")
            return
        try:
            committed = _text(json.loads(Path(path).read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise CommandError(
                f"{path} does not exist; create it with bolt_openapi > {path}"
            ) from None
        except ValueError as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from None
        if committed == current:
            self.stdout.write(f"{path} matches the API's OpenAPI document.")
            return
        diff = list(
            difflib.unified_diff(
                committed.splitlines(), current.splitlines(), path, "current", lineterm="", n=2
            )
        )
        shown = diff[:MAX_DIFF_LINES]
        if len(diff) > MAX_DIFF_LINES:
            shown.append(f"... {len(diff) - MAX_DIFF_LINES} more diff lines")
        self.stderr.write("\n".join(shown))
        raise CommandError(
            f"{path} differs from the API's OpenAPI document; regenerate it with "
            f"python manage.py bolt_openapi > {path}",
            returncode=1,
        )
