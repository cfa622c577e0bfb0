"""Validated ``BOLT_*`` settings: the kernel's own model, and one model per plugin.

Values come from Django settings first (``BOLT_MAX_BODY_SIZE = ...`` in ``settings.py``) and
then from the environment (``BOLT_MAX_BODY_SIZE=...``). They are validated once per process;
a bad value stops startup with a message that names the setting.

The kernel's model (``BoltSettings``) holds only what the kernel reads: plugin loading, body
and form bounds, trailing slashes, file responses. Each plugin declares its own model through
the ``bolt_settings_model`` hook (a pydantic model whose field ``X`` is the setting
``BOLT_X``), so a project's ``bolt_settings`` listing, typo warnings and validation cover
every setting of every enabled plugin without the kernel knowing about any of them.
``ActiveSettings`` is what an API holds as ``api.settings``: the kernel's values plus those
of its enabled plugins, read by attribute (``api.settings.JWT_LEEWAY``).
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bolt.exceptions import ImproperlyConfigured

__all__ = [
    "SECURITY_SETTINGS",
    "ActiveSettings",
    "BoltSettings",
    "PluginSettings",
    "app_settings_models",
    "check_unknown_settings",
    "django_setting_names",
    "get_settings",
    "load_settings",
    "mask",
    "raw_setting_is_set",
    "reset_settings",
    "setting_sources",
]

log = logging.getLogger("bolt")
M = TypeVar("M", bound=BaseModel)

# Settings whose misspelling must stop startup rather than warn: an ignored permission
# default is an open API. (Their owners are the auth and guards plugins; the kernel knows
# the names because they default route options, see ``bolt.layers.OPTION_SETTINGS``.)
SECURITY_SETTINGS = ("AUTHENTICATION_CLASSES", "DEFAULT_PERMISSION_CLASSES")
# Names people guess for those two from the route keywords (``auth=``, ``guards=``) or from
# DRF; each is refused like a near miss.
_GUESSED_SECURITY = {
    "AUTH": "AUTHENTICATION_CLASSES",
    "DEFAULT_AUTH": "AUTHENTICATION_CLASSES",
    "AUTHENTICATION": "AUTHENTICATION_CLASSES",
    "DEFAULT_AUTHENTICATION_CLASSES": "AUTHENTICATION_CLASSES",
    "GUARDS": "DEFAULT_PERMISSION_CLASSES",
    "DEFAULT_GUARDS": "DEFAULT_PERMISSION_CLASSES",
    "PERMISSIONS": "DEFAULT_PERMISSION_CLASSES",
    "DEFAULT_PERMISSIONS": "DEFAULT_PERMISSION_CLASSES",
    "PERMISSION_CLASSES": "DEFAULT_PERMISSION_CLASSES",
}

_CONFIG = SettingsConfigDict(env_prefix="BOLT_", extra="ignore", case_sensitive=True, frozen=True)


class BoltSettings(BaseSettings):
    """The kernel's validated ``BOLT_*`` settings. Field ``X`` is the setting ``BOLT_X``."""

    model_config = _CONFIG

    PLUGINS: list[str] | None = Field(
        default=None,
        description="Plugins to enable (names, dotted paths; '-name' blocks, '+name' adds).",
    )
    PLUGIN_AUTOLOAD: bool = Field(
        default=False,
        description="Also load installed third-party entry points of group 'bolt'.",
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
    JSON_404_UNDER_PREFIX: bool = Field(
        default=True,
        description="Unmatched paths under a BoltAPI's prefix answer a JSON 404 (not Django's).",
    )
    ALLOWED_FILE_PATHS: list[str] | None = None
    FILE_CHUNK_SIZE: int = Field(default=64 * 1024, ge=1024)


class PluginSettings(BaseSettings):
    """A convenient base for a plugin's settings model (``BOLT_`` prefix, frozen).

    Any pydantic ``BaseModel`` works as well: ``load_settings`` gives it the same sources.
    Mark a field secret with ``Field(json_schema_extra={"secret": True})`` (or type it
    ``SecretStr``) so ``bolt_settings`` masks it; names containing ``SECRET``,
    ``PASSWORD`` or ``TOKEN`` are masked anyway.
    """

    model_config = _CONFIG


_cache: BoltSettings | None = None
_models: dict[type, BaseModel] = {}
_bound: dict[type, type] = {}
_warned: set[str] = set()


def _django_values(fields: Iterable[str]) -> dict[str, Any]:
    from django.conf import settings

    if not settings.configured:
        return {}
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(settings, f"BOLT_{name}", None)
        if value is not None:
            out[name] = value
    return out


def _invalid(exc: ValidationError, owner: str) -> ImproperlyConfigured:
    problems = "; ".join(
        f"BOLT_{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
    return ImproperlyConfigured(f"Invalid {owner} settings: {problems}")


def get_settings() -> BoltSettings:
    """Return the kernel's validated settings, read once per process (``reset_settings``
    re-reads)."""
    global _cache
    if _cache is None:
        try:
            _cache = BoltSettings(**_django_values(BoltSettings.model_fields))
        except ValidationError as exc:
            raise _invalid(exc, "Bolt") from None
    return _cache


def _bind(model: type) -> type:
    """``model`` with Bolt's sources: environment ``BOLT_<field>``, frozen, extras ignored
    (extras are reported by ``check_unknown_settings`` instead)."""
    bound = _bound.get(model)
    if bound is None:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ImproperlyConfigured(
                f"bolt_settings_model returned {model!r}; it must be a pydantic BaseModel or "
                "BaseSettings subclass"
            )
        bases = (model,) if issubclass(model, BaseSettings) else (model, BaseSettings)
        bound = type(
            model.__name__,
            bases,
            {"model_config": {**model.model_config, **_CONFIG}, "__module__": model.__module__},
        )
        _bound[model] = bound
    return bound


def load_settings(model: type[M], owner: str = "") -> M:
    """The validated settings of a plugin's ``model``, read once per process.

    Django settings ``BOLT_<field>`` come first, then environment variables of the same
    name, then the field's default. The result is frozen (an instance of ``model``). Plugin
    code may call this anywhere (it is cached); a bad value raises ``ImproperlyConfigured``
    naming the setting and ``owner``.
    """
    found = _models.get(model)
    if found is None:
        bound = _bind(model)
        try:
            found = bound(**_django_values(model.model_fields))
        except ValidationError as exc:
            raise _invalid(exc, f"plugin {owner!r}" if owner else model.__name__) from None
        _models[model] = found
    return found  # type: ignore[return-value]


def setting_sources(model: type[BaseModel]) -> dict[str, str]:
    """Where each field of ``model`` comes from: ``"Django settings"``, ``"environment"``
    or ``"default"`` (what ``manage.py bolt_settings`` prints)."""
    django = _django_values(model.model_fields)
    out: dict[str, str] = {}
    for name in model.model_fields:
        if name in django:
            out[name] = "Django settings"
        elif f"BOLT_{name}" in os.environ:
            out[name] = "environment"
        else:
            out[name] = "default"
    return out


def raw_setting_is_set(name: str) -> bool:
    """Whether ``BOLT_<name>`` is given at all (Django setting or environment), whoever
    declares it: the kernel refuses a setting that defaults a security option while the
    plugin applying it is off."""
    return bool(_django_values([name])) or f"BOLT_{name}" in os.environ


def reset_settings() -> None:
    """Forget every cached model (tests change settings; Django's setting_changed calls it)."""
    global _cache
    _cache = None
    _models.clear()
    _warned.clear()


def env_flag(name: str) -> bool:
    """Read a truthy environment flag such as ``CI``."""
    return os.environ.get(name, "").lower() in {"1", "true", "yes", "on"}


# --- the settings an API sees ------------------------------------------------------------

_SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|PRIVATE")
_URL_PASSWORD = re.compile(r"(?<=://)([^/@:]*):[^/@]*@")


def _is_secret(model: type[BaseModel], name: str) -> bool:
    field = model.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return (
        bool(extra.get("secret"))
        or field.annotation is SecretStr
        or bool(_SECRET_NAME.search(name))
    )


def mask(model: type[BaseModel], name: str, value: Any) -> Any:
    """``value`` as safe to print: secrets become ``"********"`` and passwords in URLs
    (``redis://:pw@host``) are hidden."""
    if value is None:
        return None
    if _is_secret(model, name):
        return "********"
    if isinstance(value, str):
        return _URL_PASSWORD.sub(r"\1:********@", value)
    return value


class ActiveSettings:
    """The settings of one API: the kernel's model and the models of its enabled plugins.

    ``settings.X`` finds field ``X`` in the kernel's model or in the one plugin model that
    declares it; ``settings.of(plugin)`` is a plugin's own validated model. Built once per
    API; nothing here runs per request.
    """

    __slots__ = ("_owners", "kernel", "plugins")

    def __init__(self, kernel: BoltSettings, plugins: Mapping[str, BaseModel]) -> None:
        self.kernel = kernel
        self.plugins = dict(plugins)
        owners: dict[str, str] = dict.fromkeys(type(kernel).model_fields, "kernel")
        for plugin, model in self.plugins.items():
            for name in type(model).model_fields:
                other = owners.get(name)
                if other is not None and other != plugin:
                    raise ImproperlyConfigured(
                        f"Plugin {plugin!r} declares setting BOLT_{name}, which "
                        f"{'the kernel' if other == 'kernel' else f'plugin {other!r}'} "
                        "already declares; rename one of them"
                    )
                owners[name] = plugin
        self._owners = owners

    def __getattr__(self, name: str) -> Any:
        owners = object.__getattribute__(self, "_owners")
        owner = owners.get(name)
        if owner is None:
            close = difflib.get_close_matches(name, list(owners), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise AttributeError(
                f"No enabled plugin declares the setting BOLT_{name}{hint} (plugins declare "
                "settings with the bolt_settings_model hook)"
            )
        model = self.kernel if owner == "kernel" else self.plugins[owner]
        return getattr(model, name)

    def of(self, plugin: str) -> BaseModel:
        """The validated settings model of the enabled plugin named ``plugin``."""
        try:
            return self.plugins[plugin]
        except KeyError:
            raise ImproperlyConfigured(
                f"Plugin {plugin!r} is not enabled or declares no settings"
            ) from None

    def owners(self) -> dict[str, str]:
        """Setting name (without ``BOLT_``) → ``"kernel"`` or the plugin that declares it."""
        return dict(self._owners)

    def rows(self) -> Iterator[tuple[str, Any, str, str]]:
        """``(BOLT_name, masked value, source, owner)`` for every active setting."""
        for owner, model in [("kernel", self.kernel), *self.plugins.items()]:
            cls = type(model)
            sources = setting_sources(cls)
            for name in cls.model_fields:
                value = mask(cls, name, getattr(model, name))
                yield f"BOLT_{name}", value, sources[name], owner

    def __repr__(self) -> str:
        return f"<ActiveSettings kernel + {', '.join(self.plugins) or 'no plugins'}>"


def app_settings_models() -> dict[str, type[BaseModel]]:
    """Settings models that installed Django apps declare (``AppConfig.bolt_settings_model``)
    for process-wide settings outside any API, such as the Granian embedding's
    ``BOLT_HOST``/``BOLT_PORT``: known names, listed by ``bolt_settings``."""
    from django.apps import apps

    if not apps.ready:
        return {}
    out: dict[str, type[BaseModel]] = {}
    for config in apps.get_app_configs():
        model = getattr(config, "bolt_settings_model", None)
        if model is not None:
            out[config.label] = model
    return out


def django_setting_names() -> list[str]:
    """Every ``BOLT_*`` name in Django settings, without the prefix."""
    from django.conf import settings

    if not settings.configured:
        return []
    return sorted(n[5:] for n in dir(settings) if n.startswith("BOLT_") and n.isupper())


def _refuse_security_near_miss(name: str, kind: str) -> None:
    """Stop startup for a ``BOLT_*`` name that looks like a security setting."""
    if name in SECURITY_SETTINGS:
        return
    guessed = _GUESSED_SECURITY.get(name)
    close = difflib.get_close_matches(name, SECURITY_SETTINGS, n=1, cutoff=0.7)
    wanted = guessed or (close[0] if close else None)
    if wanted is not None:
        raise ImproperlyConfigured(
            f"Unknown {kind} BOLT_{name}; did you mean BOLT_{wanted}? Refusing to start: a "
            "misspelt security setting would be ignored and leave routes open"
        )


def check_unknown_settings(
    known: Iterable[str], elsewhere: Callable[[], Mapping[str, str]] | None = None
) -> list[str]:
    """Report ``BOLT_*`` Django settings that nothing enabled declares.

    A near miss of a security setting (``SECURITY_SETTINGS``) raises
    ``ImproperlyConfigured``: a misspelt permission default would leave every route open.
    Anything else is logged once per process on the ``bolt`` logger at WARNING (a logger,
    not ``warnings.warn``, so test suites running with ``-W error`` keep working), naming
    the nearest known setting or, through ``elsewhere()`` (name → plugin, asked only when
    something is unknown), the disabled plugin that declares it. Returns the unknown names.
    """
    known_set = set(known)
    # Environment variables are checked only for security near misses: BOLT_* variables
    # that are not settings (a test runner's own) are common there.
    for name in sorted(n[5:] for n in os.environ if n.startswith("BOLT_")):
        if name not in known_set:
            _refuse_security_near_miss(name, "environment variable")
    unknown = [n for n in django_setting_names() if n not in known_set]
    if not unknown:
        return []
    others = dict(elsewhere()) if elsewhere is not None else {}
    for name in unknown:
        if name in SECURITY_SETTINGS:
            continue  # exact name of a disabled plugin's option: bolt.api refuses it
        _refuse_security_near_miss(name, "setting")
        if name in _warned:
            continue
        _warned.add(name)
        if name in others:
            log.warning(
                "BOLT_%s is set, but plugin %r, which declares it, is not enabled; the "
                "setting has no effect",
                name,
                others[name],
            )
            continue
        close = difflib.get_close_matches(name, sorted(known_set | set(others)), n=1)
        log.warning(
            "Unknown setting BOLT_%s: no enabled plugin declares it%s",
            name,
            f"; did you mean BOLT_{close[0]}?" if close else "",
        )
    return unknown
