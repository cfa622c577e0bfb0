"""The Granian embedding's settings: ``runbolt``'s defaults, flags override them.

Declared by ``BoltGranianConfig.bolt_settings_model`` (process-wide settings of a Django
app, not of one API) and by the embedding's plugin hook, so ``bolt_settings`` lists them
and a misspelt ``BOLT_PROT`` is reported.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bolt.conf import PluginSettings, load_settings

__all__ = ["GranianSettings", "granian_settings"]


class GranianSettings(PluginSettings):
    HOST: str = "127.0.0.1"
    PORT: int = Field(default=8000, ge=0, le=65535)
    WORKERS: int = Field(default=1, ge=1)
    RUNTIME_THREADS: int = Field(default=1, ge=1)
    LOG_LEVEL: Literal["critical", "error", "warning", "warn", "info", "debug"] = "info"
    #: Seconds a stopping worker gets to finish its requests and lifespan shutdown before it
    #: is killed (0: wait as long as it takes).
    SHUTDOWN_TIMEOUT: int = Field(default=30, ge=0)


def granian_settings() -> GranianSettings:
    """The validated server settings of this process."""
    return load_settings(GranianSettings, "bolt_granian")
