"""The Granian embedding's own hook, added through ``bolt_addhooks``."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from bolt_granian import hookspecs
from bolt_granian.server import ServerOptions, build_server


def test_hook_bolt_granian_server_kwargs(settings: Any) -> None:
    settings.BOLT_PLUGINS = ["tests.granian.server_plugin"]
    server = build_server(ServerOptions(port=9124))
    assert server.backpressure == 7
    assert server.workers_lifetime == 3600
    assert server.bind_port == 9124


def test_without_plugins_the_server_keeps_granian_defaults(settings: Any) -> None:
    settings.BOLT_PLUGINS = ["-cors"]
    server = build_server(ServerOptions(port=9125))
    assert server.workers_lifetime is None


def test_every_server_hook_is_documented_and_tested() -> None:
    source = Path(__file__).read_text()
    for name, obj in vars(hookspecs).items():
        if name.startswith("bolt_") and inspect.isfunction(obj):
            assert (obj.__doc__ or "").strip(), name
            assert re.search(rf"def test_hook_{name}\b", source), name
