"""What ``runbolt`` adds in development: static files, a readable access log, a reload filter.

Granian loads the application in each worker from a ``module:attribute`` string, so the
static files wrapper is itself a target (``bolt_granian.dev:static_application``), told the
project's real target through the environment the workers inherit.
"""

from __future__ import annotations

import copy
import importlib
import logging
import os
from typing import Any

__all__ = [
    "APP_ENV",
    "FACTORY_ENV",
    "STATIC_TARGET",
    "AccessFormatter",
    "access_log_config",
    "reload_filter",
    "static_application",
]

#: The wrapper ``runbolt`` serves instead of the project's target when it serves static files.
STATIC_TARGET = "bolt_granian.dev:static_application"
#: The environment variables naming the wrapped target (``module:attribute``) and whether it
#: is a factory. No ``BOLT_`` prefix: they are not settings.
APP_ENV = "RUNBOLT_WRAPPED_APP"
FACTORY_ENV = "RUNBOLT_WRAPPED_APP_FACTORY"


def load_target(target: str, factory: bool) -> Any:
    """The ASGI application named ``module:attribute`` (called once if it is a factory)."""
    module, _, attr = target.partition(":")
    app = getattr(importlib.import_module(module), attr)
    return app() if factory else app


def static_application() -> Any:
    """The project's application behind Django's ``ASGIStaticFilesHandler``: paths under
    ``STATIC_URL`` are answered from the staticfiles finders, as ``runserver`` does in
    ``DEBUG``; everything else, lifespan included, goes to the project's application."""
    app = load_target(os.environ[APP_ENV], os.environ.get(FACTORY_ENV) == "1")
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    return ASGIStaticFilesHandler(app)


class AccessFormatter(logging.Formatter):
    """One line per request: time, client, method, path with its query string, status and
    latency in milliseconds. Granian's own format has no way to join the path and the query
    string only when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        info = record.args
        if not isinstance(info, dict) or "method" not in info:
            return super().format(record)
        query = info.get("query_string")
        path = f"{info['path']}?{query}" if query else info["path"]
        return (
            f'[{info["time"]}] {info["addr"]} "{info["method"]} {path} {info["protocol"]}" '
            f"{info['status']} {info['dt_ms']:.1f} ms"
        )


def access_log_config() -> dict[str, Any]:
    """Granian's logging configuration with the access lines formatted by ``AccessFormatter``."""
    from granian.log import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"] = {"()": f"{__name__}.AccessFormatter"}
    return config


def reload_filter() -> type:
    """The files whose changes restart the workers: Python sources and compiled translations
    (what ``runserver`` watches), never the SQLite file or uploads a request writes."""
    import watchfiles

    class SourceFilter(watchfiles.PythonFilter):
        def __init__(self) -> None:
            super().__init__(extra_extensions=(".mo",))

    return SourceFilter
