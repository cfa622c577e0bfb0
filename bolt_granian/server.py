"""Build and run an in-process Granian server for a Django project.

``runbolt`` gathers its options here, from settings first (``BOLT_HOST``, ``BOLT_PORT``,
``BOLT_WORKERS``, ``BOLT_RUNTIME_THREADS``, ``BOLT_LOG_LEVEL``) and then from command-line
flags, so the same values apply whether a project starts from ``manage.py`` or from code.
Granian installs its own SIGINT/SIGTERM handlers in the main process: on either signal it stops
accepting connections, lets every worker finish and run the ASGI lifespan shutdown, and
``serve`` returns.

A worker that dies (a crash, the OOM killer, a stray ``kill -9``) is replaced by default
(``respawn``): without it Granian stops the whole server when one worker exits unexpectedly.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bolt.exceptions import ImproperlyConfigured

__all__ = ["DEFAULT_TARGET", "ServerOptions", "build_server", "default_target", "serve"]

#: The project's application: every Bolt API in front of Django's own ASGI handler. It is a
#: factory, called once in each worker, so no worker shares state built in the parent.
DEFAULT_TARGET = "bolt.asgi:get_asgi_application"

#: The exact command that installs the file watcher ``--reload`` needs.
WATCHFILES_INSTALL = "python -m pip install watchfiles"

LOG_LEVELS = ("critical", "error", "warning", "warn", "info", "debug")


@dataclass(frozen=True)
class ServerOptions:
    """Everything ``runbolt`` hands to Granian. ``target`` is ``module:attribute``; with
    ``factory`` the attribute is called (once per worker) to build the ASGI app."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    threads: int = 1
    reload: bool = False
    log_level: str = "info"
    target: str = DEFAULT_TARGET
    factory: bool = True
    access_log: bool = False
    reload_paths: tuple[Path, ...] = field(default_factory=tuple)
    #: Replace a worker that exits unexpectedly instead of stopping the server.
    respawn: bool = True
    #: Serve ``STATIC_URL`` from the staticfiles finders in front of the application.
    static: bool = False
    #: Seconds a stopping worker gets before it is killed (0: no limit). A worker stuck in
    #: a request or in its lifespan shutdown must not keep the server from stopping.
    shutdown_timeout: int = 30

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.port <= 65535:
            problems.append(f"port must be between 0 and 65535, got {self.port}")
        if self.workers < 1:
            problems.append(f"workers must be at least 1, got {self.workers}")
        if self.threads < 1:
            problems.append(f"threads must be at least 1, got {self.threads}")
        if self.shutdown_timeout < 0:
            problems.append(f"shutdown timeout must be 0 or more, got {self.shutdown_timeout}")
        if self.log_level not in LOG_LEVELS:
            problems.append(f"log level must be one of {', '.join(LOG_LEVELS)}")
        if ":" not in self.target:
            problems.append(
                f"the application must be written 'module:attribute', got {self.target!r}"
            )
        if problems:
            raise ImproperlyConfigured("Invalid server options: " + "; ".join(problems))


def default_target() -> tuple[str, bool]:
    """The ASGI target and whether it is a factory.

    Django's ``ASGI_APPLICATION`` setting (``"myproject.asgi.application"``) names the project's
    own module when it has one; otherwise Bolt's project application factory is used.
    """
    from django.conf import settings

    dotted = getattr(settings, "ASGI_APPLICATION", None) if settings.configured else None
    if dotted:
        module, _, attr = str(dotted).rpartition(".")
        if not module:
            raise ImproperlyConfigured(
                f"ASGI_APPLICATION must be a dotted path such as 'myproject.asgi.application', "
                f"got {dotted!r}"
            )
        return f"{module}:{attr}", False
    return DEFAULT_TARGET, True


def build_server(options: ServerOptions) -> Any:
    """A configured, not yet started, Granian server for ``options``.

    With ``static``, the served target becomes ``bolt_granian.dev:static_application`` and the
    project's own target is passed to the workers through this process's environment.
    """
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    from bolt_granian import dev

    if options.reload and importlib.util.find_spec("watchfiles") is None:
        raise ImproperlyConfigured(f"--reload needs the 'watchfiles' package: {WATCHFILES_INSTALL}")
    target, factory = options.target, options.factory
    if options.static:
        os.environ[dev.APP_ENV] = target
        os.environ[dev.FACTORY_ENV] = "1" if factory else "0"
        target, factory = dev.STATIC_TARGET, True
    kwargs: dict[str, Any] = {
        "address": options.host,
        "port": options.port,
        "interface": Interfaces.ASGI,
        "workers": options.workers,
        "runtime_threads": options.threads,
        "log_level": LogLevels(options.log_level),
        "log_access": options.access_log,
        "factory": factory,
        "reload": options.reload,
        "respawn_failed_workers": options.respawn,
        "workers_kill_timeout": options.shutdown_timeout or None,
    }
    if options.access_log:
        kwargs["log_dictconfig"] = dev.access_log_config()
    if options.reload:
        kwargs["reload_filter"] = dev.reload_filter()
        # A worker that fails to import (a syntax error mid-edit) waits for the next change
        # instead of stopping the development server.
        kwargs["reload_ignore_worker_failure"] = True
        if options.reload_paths:
            kwargs["reload_paths"] = list(options.reload_paths)
    from bolt_granian.plugin import server_plugin_manager

    server_plugin_manager().hook.bolt_granian_server_kwargs(kwargs=kwargs)
    return Server(target, **kwargs)


def serve(options: ServerOptions) -> None:
    """Run Granian in this process until SIGINT or SIGTERM, then return."""
    build_server(options).serve()
