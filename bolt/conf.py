"""Every ``BOLT_*`` setting in one validated model.

Values come from Django settings first (``BOLT_MAX_BODY_SIZE = ...`` in ``settings.py``) and
then from the environment (``BOLT_MAX_BODY_SIZE=...``). They are validated once, when an API is
built; a bad value stops startup with a message that names the setting.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bolt.exceptions import ImproperlyConfigured

__all__ = ["BoltSettings", "get_settings", "reset_settings"]


class BoltSettings(BaseSettings):
    """The validated ``BOLT_*`` settings. Field ``X`` is the setting ``BOLT_X``."""

    model_config = SettingsConfigDict(
        env_prefix="BOLT_", extra="ignore", case_sensitive=True, frozen=True
    )

    # kernel
    PLUGINS: list[str] | None = Field(
        default=None, description="Plugins to enable (names, dotted paths, '-name' blocks)."
    )
    PLUGIN_AUTOLOAD: bool = Field(
        default=False, description="Also load every installed entry point in group 'bolt'."
    )
    API: list[str] | None = Field(
        default=None, description="Dotted paths of the BoltAPI objects the project serves."
    )
    MAX_BODY_SIZE: int = Field(default=10 * 1024 * 1024, ge=0)
    MAX_FORM_FIELDS: int = Field(default=1000, ge=1)
    MAX_MULTIPART_PARTS: int = Field(default=100, ge=1)
    MAX_FORM_FIELD_SIZE: int = Field(default=1024 * 1024, ge=1)
    MAX_UPLOAD_FILE_SIZE: int | None = Field(default=None, ge=0)
    TRAILING_SLASH: Literal["strip", "strict"] = "strip"
    ALLOWED_FILE_PATHS: list[str] | None = None
    FILE_CHUNK_SIZE: int = Field(default=64 * 1024, ge=1024)
    # security / proxies
    TRUSTED_PROXIES: list[str] = Field(default_factory=list)
    TRUSTED_PROXY_HEADER: Literal["x-forwarded-for", "forwarded"] = "x-forwarded-for"
    # auth
    AUTHENTICATION_CLASSES: list[Any] | None = None
    DEFAULT_PERMISSION_CLASSES: list[Any] | None = None
    JWT_SECRET: str | None = None
    JWT_ALGORITHMS: list[str] = Field(default_factory=lambda: ["HS256"])
    JWT_LEEWAY: int = Field(default=0, ge=0, le=30)
    # rate limiting
    RATELIMIT_STORE: str = "memory"
    RATELIMIT_FAIL_OPEN: bool = False
    RATELIMIT_MAX_KEYS: int = Field(default=100_000, ge=100)
    RATELIMIT_HEADERS: Literal["all", "refused"] = "all"
    # openapi
    OPENAPI_ENABLED: bool = True
    OPENAPI_PATH: str | None = "/openapi.json"
    OPENAPI_DOCS_PATH: str | None = "/docs"
    # granian embedding
    HOST: str = "127.0.0.1"
    PORT: int = Field(default=8000, ge=0, le=65535)
    WORKERS: int = Field(default=1, ge=1)
    RUNTIME_THREADS: int = Field(default=1, ge=1)
    LOG_LEVEL: Literal["critical", "error", "warning", "warn", "info", "debug"] = "info"

    @field_validator("RATELIMIT_STORE")
    @classmethod
    def _store(cls, value: str) -> str:
        if value != "memory" and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be 'memory' or a redis:// URL")
        return value


_cache: BoltSettings | None = None


def _from_django() -> dict[str, Any]:
    from django.conf import settings

    if not settings.configured:
        return {}
    out: dict[str, Any] = {}
    for name in BoltSettings.model_fields:
        value = getattr(settings, f"BOLT_{name}", None)
        if value is not None:
            out[name] = value
    return out


def get_settings() -> BoltSettings:
    """Return the validated settings, read once per process (``reset_settings`` re-reads)."""
    global _cache
    if _cache is None:
        try:
            _cache = BoltSettings(**_from_django())
        except ValidationError as exc:
            problems = "; ".join(
                f"BOLT_{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise ImproperlyConfigured(f"Invalid Bolt settings: {problems}") from None
    return _cache


def reset_settings() -> None:
    """Forget the cached settings (tests change settings; Django's setting_changed calls it)."""
    global _cache
    _cache = None


def env_flag(name: str) -> bool:
    """Read a truthy environment flag such as ``CI``."""
    return os.environ.get(name, "").lower() in {"1", "true", "yes", "on"}
