"""A plugin loaded by dotted path in the plugin-loading tests."""

from typing import Any

from bolt import hookimpl


@hookimpl
def bolt_configure(api: Any, settings: Any) -> None:
    api.register_middleware_name("sample")
