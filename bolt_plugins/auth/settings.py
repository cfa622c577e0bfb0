"""The auth plugin's settings (declared to the kernel with ``bolt_settings_model``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bolt.conf import PluginSettings, load_settings

__all__ = ["AuthSettings", "auth_settings"]


class AuthSettings(PluginSettings):
    """``BOLT_AUTHENTICATION_CLASSES`` and the JWT defaults."""

    AUTHENTICATION_CLASSES: list[Any] | None = Field(
        default=None, description="Project-wide authentication backends (the 'auth' option)."
    )
    JWT_SECRET: str | None = Field(
        default=None,
        description="HMAC signing key of JWTs; default: Django's SECRET_KEY.",
        json_schema_extra={"secret": True},
    )
    JWT_ALGORITHMS: list[str] = Field(default_factory=lambda: ["HS256"])
    JWT_LEEWAY: int = Field(default=0, ge=0, le=30)


def auth_settings() -> AuthSettings:
    """The validated auth settings of this process (cached; ``reset_settings`` re-reads)."""
    return load_settings(AuthSettings, "auth")
