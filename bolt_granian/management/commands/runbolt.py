"""``python manage.py runbolt``: serve the project on Granian, in this process.

Defaults come from the ``BOLT_HOST``, ``BOLT_PORT``, ``BOLT_WORKERS``, ``BOLT_RUNTIME_THREADS``
and ``BOLT_LOG_LEVEL`` settings (Django settings or environment); flags override them.
Ctrl-C or SIGTERM stops the server cleanly: workers finish and run their lifespan shutdown.

With ``DEBUG = True`` it behaves like ``runserver``: workers restart when a source file
changes (``--noreload`` turns that off), static files are served from the staticfiles
finders (``--nostatic`` turns that off; ``--insecure`` serves them without ``DEBUG``), and
every request is logged (``--no-access-log`` / ``--access-log``). A worker that dies is
replaced (``--no-respawn`` stops the server instead).
"""

from __future__ import annotations

import argparse
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bolt.exceptions import ImproperlyConfigured
from bolt_granian.server import (
    LOG_LEVELS,
    WATCHFILES_INSTALL,
    ServerOptions,
    default_target,
    serve,
)
from bolt_granian.settings import granian_settings


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {number}")
        return number

    return parse


_positive = _at_least(1)
_not_negative = _at_least(0)


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {value!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, got {number}")
    return number


class Command(BaseCommand):
    help = "Serve the project's Bolt APIs (and every other path through Django) on Granian."
    # The server is a long-running process; system checks run once below, not per worker.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", help="Address to bind (default: BOLT_HOST, 127.0.0.1).")
        parser.add_argument("--port", type=_port, help="Port to bind (default: BOLT_PORT, 8000).")
        parser.add_argument(
            "--workers", type=_positive, help="Worker processes (default: BOLT_WORKERS, 1)."
        )
        parser.add_argument(
            "--threads",
            type=_positive,
            help="Granian runtime threads per worker (default: BOLT_RUNTIME_THREADS, 1).",
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Restart workers when source files change (the default with DEBUG).",
        )
        parser.add_argument(
            "--noreload",
            action="store_true",
            help="Do not restart workers when source files change.",
        )
        parser.add_argument(
            "--nostatic",
            action="store_true",
            help="Do not serve static files (served with DEBUG and django.contrib.staticfiles).",
        )
        parser.add_argument(
            "--insecure",
            action="store_true",
            help="Serve static files even with DEBUG off (never in production).",
        )
        parser.add_argument(
            "--no-respawn",
            action="store_true",
            help="Stop the server when a worker dies, instead of replacing the worker.",
        )
        parser.add_argument(
            "--shutdown-timeout",
            type=_not_negative,
            help="Seconds a stopping worker gets to finish before it is killed; 0 waits as "
            "long as it takes (default: BOLT_SHUTDOWN_TIMEOUT, 30).",
        )
        parser.add_argument(
            "--log-level",
            choices=LOG_LEVELS,
            help="Granian log level (default: BOLT_LOG_LEVEL, info).",
        )
        parser.add_argument(
            "--app",
            help="ASGI application as 'module:attribute' (default: ASGI_APPLICATION, else "
            "Bolt's project application).",
        )
        parser.add_argument(
            "--access-log",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Log every request: method, path and query, status, milliseconds "
            "(default: on with DEBUG).",
        )

    def options_from(self, opts: dict[str, Any]) -> ServerOptions:
        """Merge flags over settings into validated server options."""
        conf = granian_settings()
        if opts.get("app"):
            target, factory = opts["app"], False
        else:
            target, factory = default_target()
        base_dir = getattr(settings, "BASE_DIR", None)
        debug = bool(settings.DEBUG)
        reload = (debug or bool(opts.get("reload"))) and not opts.get("noreload")
        if reload and not opts.get("reload") and importlib.util.find_spec("watchfiles") is None:
            # On by default only: say how to get it, and serve without it.
            self.stderr.write(
                f"Autoreload needs the 'watchfiles' package: {WATCHFILES_INSTALL} "
                "(serving without it; --noreload hides this message)."
            )
            reload = False
        static = (
            not opts.get("nostatic")
            and (debug or bool(opts.get("insecure")))
            and apps.is_installed("django.contrib.staticfiles")
        )
        access_log = opts.get("access_log")
        return ServerOptions(
            host=opts.get("host") or conf.HOST,
            port=conf.PORT if opts.get("port") is None else opts["port"],
            workers=opts.get("workers") or conf.WORKERS,
            threads=opts.get("threads") or conf.RUNTIME_THREADS,
            reload=reload,
            log_level=opts.get("log_level") or conf.LOG_LEVEL,
            target=target,
            factory=factory,
            access_log=debug if access_log is None else bool(access_log),
            reload_paths=(Path(base_dir),) if base_dir else (),
            respawn=not opts.get("no_respawn"),
            static=static,
            shutdown_timeout=(
                conf.SHUTDOWN_TIMEOUT
                if opts.get("shutdown_timeout") is None
                else opts["shutdown_timeout"]
            ),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            options = self.options_from(opts)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.check(display_num_errors=False)
        extras = [
            name
            for name, on in (
                ("autoreload", options.reload),
                ("static files", options.static),
                ("access log", options.access_log),
            )
            if on
        ]
        self.stdout.write(
            f"Bolt on Granian: http://{options.host}:{options.port}/ "
            f"({options.workers} worker(s), app {options.target}"
            + (f"; {', '.join(extras)}" if extras else "")
            + "). Quit with CTRL-C."
        )
        self.stdout.flush()
        try:
            serve(options)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("Bolt server stopped.")
