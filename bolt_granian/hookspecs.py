"""Hooks of the Granian embedding, added to the plugin manager through ``bolt_addhooks``."""

from __future__ import annotations

from typing import Any

from bolt.hookspecs import hookspec


@hookspec
def bolt_granian_server_kwargs(kwargs: dict[str, Any]) -> None:
    """Adjust the keyword arguments ``runbolt`` passes to ``granian.server.Server``.

    Called once in the ``runbolt`` process, before the server starts, with the arguments
    built from settings and flags (``address``, ``port``, ``workers``, ``runtime_threads``,
    ``log_level``…). Mutate the dict to set other Granian options, for example
    ``backpressure``, ``workers_lifetime`` or ``workers_max_rss``.
    """
