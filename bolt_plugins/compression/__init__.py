"""Compression plugin: gzip, brotli and zstd response bodies, chosen by ``Accept-Encoding``.

Loaded by default like the other first-party plugins, but opt-in: a route compresses when
it, its class, its router or its API says so (``@compress(...)``, ``compression=True``,
``BoltAPI(compression=True)``), or for every route with ``BOLT_COMPRESSION_BY_DEFAULT =
True``. Routes that do not ask pay nothing (the step is a coroutine per request), and an
answer that mixes a secret with what the client sent is not compressed unless someone chose
it (compression of such answers leaks the secret to an attacker who can watch sizes:
BREACH). It only compresses what is worth it: bodies of at least
``BOLT_COMPRESSION_MIN_SIZE`` bytes (default 500) whose content type is on the allow-list
(text, JSON, JavaScript, XML, SVG). Streaming responses are compressed chunk by chunk, each
chunk flushed so the client sees it at once. Never compressed: HEAD responses, responses
that already have a ``Content-Encoding``, ``Cache-Control: no-transform``, and, unless the
route asks with ``@compress(...)``, Server-Sent Events and partial (206) responses. ``Vary:
Accept-Encoding`` is added (merged) to every response that could have been compressed. A
strong ``ETag`` on a compressed response becomes weak.

Hooks:
- ``bolt_settings_model``: ``CompressionSettings`` below.
- ``bolt_configure`` builds the codecs once per API and declares the middleware name
  ``"compression"`` (``skip_middleware("compression")`` turns it off for a route) and the
  route option ``compression`` (what ``@compress`` sets; ``compression=False`` turns it off).
- ``bolt_route_middleware`` returns a phase-110 ``wrap`` step: the outermost first-party
  step after CORS, so it compresses whatever the route answers, refusals by rate limits,
  authentication and guards included.

Settings:

================================  ==========================================================
``BOLT_COMPRESSION_BY_DEFAULT``   compress every route that does not say otherwise (False)
``BOLT_COMPRESSION_MIN_SIZE``     smallest body compressed, in bytes (default 500)
``BOLT_COMPRESSION_ALGORITHMS``   codings offered, best first (default: ``zstd``, ``br``,
                                  ``gzip``, those whose package is installed)
``BOLT_COMPRESSION_CONTENT_TYPES`` allow-list: ``text/`` (a prefix), ``+json`` (a suffix) or
                                  an exact media type
``BOLT_COMPRESSION_GZIP_LEVEL``   1-9 (default 6)
``BOLT_COMPRESSION_BROTLI_QUALITY`` 0-11 (default 4: brotli's top levels are slow)
``BOLT_COMPRESSION_ZSTD_LEVEL``   1-22 (default 3)
================================  ==========================================================
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import Field, field_validator

from bolt.conf import PluginSettings
from bolt.exceptions import ImproperlyConfigured
from bolt.hookspecs import hookimpl
from bolt.pipeline import Middleware
from bolt.route_options import route_option
from bolt_plugins.compression.codecs import CODINGS, Codec, available_codings
from bolt_plugins.compression.middleware import CompressionPolicy, make_compression_wrap

__all__ = ["PHASE_COMPRESSION", "CompressionSettings", "compress"]

F = TypeVar("F", bound=Callable[..., Any])

#: After CORS (100, a ``before`` step whose headers reach every response anyway) and before
#: the client-keyed rate limit (150): the outermost ``wrap`` step of the first-party band.
PHASE_COMPRESSION = 110
STATE_KEY = "compression"
_OPTION_KEYS = frozenset({"min_size", "event_streams", "partial"})

DEFAULT_CONTENT_TYPES = [
    "text/",
    "application/json",
    "+json",
    "application/javascript",
    "application/ecmascript",
    "application/xml",
    "+xml",
    "image/svg+xml",
    "application/wasm",
]


class CompressionSettings(PluginSettings):
    """Which codings, which responses, and how hard to compress."""

    COMPRESSION_BY_DEFAULT: bool = False
    COMPRESSION_MIN_SIZE: int = Field(default=500, ge=0)
    COMPRESSION_ALGORITHMS: list[str] = Field(default_factory=available_codings)
    COMPRESSION_CONTENT_TYPES: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CONTENT_TYPES)
    )
    COMPRESSION_GZIP_LEVEL: int = Field(default=6, ge=1, le=9)
    COMPRESSION_BROTLI_QUALITY: int = Field(default=4, ge=0, le=11)
    COMPRESSION_ZSTD_LEVEL: int = Field(default=3, ge=1, le=22)

    @field_validator("COMPRESSION_ALGORITHMS")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        out = []
        for name in value:
            name = name.strip().lower()
            if name not in CODINGS:
                raise ValueError(f"unknown coding {name!r}; known: {', '.join(CODINGS)}")
            module = CODINGS[name][0]
            if module is not None and importlib.util.find_spec(module) is None:
                raise ValueError(
                    f"{name!r} needs the {module!r} package: pip install {module} "
                    "(or pip install 'bolt-framework[compression]')"
                )
            if name not in out:
                out.append(name)
        return out


def compress(
    *, min_size: int | None = None, event_streams: bool = False, partial: bool = False
) -> Callable[[F], F]:
    """Compression settings for one route (or, as ``BoltAPI(compression={...})``, an API).

    ``min_size`` replaces ``BOLT_COMPRESSION_MIN_SIZE``; ``event_streams=True`` compresses
    Server-Sent Events too (each event flushed; some proxies and old clients handle a
    compressed event stream badly, hence off by default); ``partial=True`` compresses 206
    responses. ``skip_middleware("compression")`` or ``compression=False`` turns it off.
    """
    if min_size is not None and (type(min_size) is not int or min_size < 0):
        raise ValueError("@compress(min_size=...) must be an int >= 0")
    options: dict[str, Any] = {"event_streams": bool(event_streams), "partial": bool(partial)}
    if min_size is not None:
        options["min_size"] = min_size

    def decorate(func: F) -> F:
        return route_option(func, "compression", options)

    return decorate


class CompressionState:
    """The API's codecs and defaults, built once in ``bolt_configure``."""

    __slots__ = ("by_default", "codecs", "content_types", "min_size")

    def __init__(
        self,
        codecs: dict[str, Codec],
        min_size: int,
        content_types: list[str],
        by_default: bool = False,
    ) -> None:
        self.by_default = by_default
        self.codecs = codecs
        self.min_size = min_size
        self.content_types = content_types


@hookimpl
def bolt_settings_model() -> type[CompressionSettings]:
    return CompressionSettings


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    api.register_middleware_name("compression")
    api.register_option("compression", "compression")
    model: CompressionSettings = settings.of("compression")
    levels = {
        "gzip": model.COMPRESSION_GZIP_LEVEL,
        "br": model.COMPRESSION_BROTLI_QUALITY,
        "zstd": model.COMPRESSION_ZSTD_LEVEL,
    }
    codecs = {name: CODINGS[name][1](levels[name]) for name in model.COMPRESSION_ALGORITHMS}
    api.state[STATE_KEY] = CompressionState(
        codecs,
        model.COMPRESSION_MIN_SIZE,
        list(model.COMPRESSION_CONTENT_TYPES),
        model.COMPRESSION_BY_DEFAULT,
    )


def _route_options(value: Any, where: str) -> dict[str, Any] | None:
    """``None`` for off, else the option dict (validated)."""
    if value is False:
        return None
    if value is None or value is True:
        return {}
    if not isinstance(value, dict):
        raise ImproperlyConfigured(
            f"{where}: compression= takes True, False or @compress(...)'s options, "
            f"not {type(value).__name__}"
        )
    unknown = set(value) - _OPTION_KEYS
    if unknown:
        raise ImproperlyConfigured(
            f"{where}: unknown compression option(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(_OPTION_KEYS))}"
        )
    return value


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Any) -> Middleware | None:
    state: CompressionState = api.state[STATE_KEY]
    value = route.options.get("compression")
    if value is None and not state.by_default:
        return None  # opt-in: this route did not ask
    if value is not None:
        route.claim("compression")
    options = _route_options(value, repr(route))
    # A WebSocket route's handshake answer is not a body to compress.
    if options is None or not state.codecs or route.method == "WEBSOCKET":
        return None
    policy = CompressionPolicy(
        state.codecs,
        options.get("min_size", state.min_size),
        state.content_types,
        event_streams=bool(options.get("event_streams", False)),
        partial=bool(options.get("partial", False)),
    )
    return Middleware(
        PHASE_COMPRESSION, wrap=make_compression_wrap(policy), name="compression", optional=True
    )
