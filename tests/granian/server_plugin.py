"""A plugin that tunes Granian through the embedding's hook (loaded by dotted path)."""

from typing import Any

from bolt import hookimpl


@hookimpl
def bolt_granian_server_kwargs(kwargs: dict[str, Any]) -> None:
    kwargs["backpressure"] = 7
    kwargs["workers_lifetime"] = 3600
