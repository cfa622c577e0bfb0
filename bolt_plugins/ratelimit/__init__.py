"""Rate-limit plugin: ``@rate_limit(rps=..., burst=..., key=...)`` as a GCRA token bucket.

Hooks:
- ``bolt_configure`` builds the API's store (``BOLT_RATELIMIT_STORE``: ``"memory"`` or a
  ``redis://`` URL), the client-address resolver (``BOLT_TRUSTED_PROXIES``,
  ``BOLT_TRUSTED_PROXY_HEADER``) and declares the middleware name ``"rate_limit"``.
- ``bolt_route_middleware`` claims the ``rate_limit`` option and returns the phase-300 step.
- ``bolt_shutdown`` closes the Redis connections of the worker.

Settings:

==============================  ============================================================
``BOLT_RATELIMIT_STORE``        ``"memory"`` (per process, default) or ``"redis://host/0"``
                                (shared by all workers and hosts)
``BOLT_RATELIMIT_FAIL_OPEN``    when Redis is unreachable: ``False`` (default) answers 503
                                with ``Retry-After: 1``; ``True`` lets requests through
``BOLT_RATELIMIT_MAX_KEYS``     most buckets the memory store keeps (default 100000)
``BOLT_RATELIMIT_HEADERS``      ``"all"`` (default): ``RateLimit-*`` on every response of a
                                limited route; ``"refused"``: only on 429s
``BOLT_TRUSTED_PROXIES``        proxy IPs/networks whose forwarding header is believed
``BOLT_TRUSTED_PROXY_HEADER``   ``"x-forwarded-for"`` (default) or ``"forwarded"``
==============================  ============================================================
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from bolt.conf import PluginSettings
from bolt.hookspecs import hookimpl
from bolt.pipeline import PHASE_RATE_LIMIT, PHASE_RATE_LIMIT_EARLY, Middleware
from bolt_plugins.ratelimit.clientip import ClientIPResolver
from bolt_plugins.ratelimit.keys import build_key_func
from bolt_plugins.ratelimit.memory import MemoryStore
from bolt_plugins.ratelimit.middleware import make_rate_limit_before
from bolt_plugins.ratelimit.redis_store import RedisStore, StoreUnavailable
from bolt_plugins.ratelimit.rules import RateLimitRule, coerce_rule, rate_limit

__all__ = [
    "ClientIPResolver",
    "MemoryStore",
    "RateLimitRule",
    "RateLimitState",
    "RedisStore",
    "StoreUnavailable",
    "rate_limit",
]

STATE_KEY = "ratelimit"


class RateLimitState:
    """Per-API limiter state: the store, the client-address resolver, the failure policy."""

    __slots__ = ("client_ip", "fail_open", "headers_when_allowed", "store")

    def __init__(
        self,
        store: MemoryStore | RedisStore,
        client_ip: ClientIPResolver,
        fail_open: bool,
        headers_when_allowed: bool = True,
    ):
        self.store = store
        self.client_ip = client_ip
        self.fail_open = fail_open
        self.headers_when_allowed = headers_when_allowed


def make_store(settings: Any) -> MemoryStore | RedisStore:
    """The store ``BOLT_RATELIMIT_STORE`` names (validated by the settings model)."""
    if settings.RATELIMIT_STORE == "memory":
        return MemoryStore(settings.RATELIMIT_MAX_KEYS)
    return RedisStore(settings.RATELIMIT_STORE)


class RateLimitSettings(PluginSettings):
    """The limiter's store, its failure policy, headers and the trusted proxies."""

    RATELIMIT_STORE: str = "memory"
    RATELIMIT_FAIL_OPEN: bool = False
    RATELIMIT_MAX_KEYS: int = Field(default=100_000, ge=100)
    RATELIMIT_HEADERS: Literal["all", "refused"] = "all"
    TRUSTED_PROXIES: list[str] = Field(default_factory=list)
    TRUSTED_PROXY_HEADER: Literal["x-forwarded-for", "forwarded"] = "x-forwarded-for"

    @field_validator("RATELIMIT_STORE")
    @classmethod
    def _store(cls, value: str) -> str:
        if value != "memory" and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be 'memory' or a redis:// URL")
        return value


@hookimpl
def bolt_settings_model() -> type[RateLimitSettings]:
    return RateLimitSettings


@hookimpl(trylast=True)
def bolt_configure(api: Any, settings: Any) -> None:
    api.register_middleware_name("rate_limit")
    api.register_option("rate_limit", "ratelimit")
    resolver = ClientIPResolver(list(settings.TRUSTED_PROXIES), settings.TRUSTED_PROXY_HEADER)
    api.state[STATE_KEY] = RateLimitState(
        make_store(settings),
        resolver,
        settings.RATELIMIT_FAIL_OPEN,
        settings.RATELIMIT_HEADERS == "all",
    )


@hookimpl(trylast=True)
def bolt_route_middleware(api: Any, route: Any) -> Middleware | None:
    value = route.options.get("rate_limit")
    if value is None:
        return None
    route.claim("rate_limit")
    where = f"{route!r} @rate_limit"
    rule = coerce_rule(value, where)
    state: RateLimitState = api.state[STATE_KEY]
    key_func, key_is_async = build_key_func(rule.key, state.client_ip, where)
    prefix = f"bolt:rl:{route.method} {route.path}:"
    step = make_rate_limit_before(
        rule,
        state.store,
        key_func,
        key_is_async,
        prefix,
        state.fail_open,
        headers_when_allowed=state.headers_when_allowed,
    )
    # A key the client controls without credentials (its IP, a header) is counted before
    # authentication, so wrong tokens and keys use up the budget too (no free guessing).
    early = rule.key == "ip" or (isinstance(rule.key, str) and rule.key.startswith("header:"))
    phase = PHASE_RATE_LIMIT_EARLY if early else PHASE_RATE_LIMIT
    return Middleware(phase, before=step, name="rate_limit", optional=True)


@hookimpl(trylast=True)
async def bolt_shutdown(api: Any) -> None:
    state: RateLimitState | None = api.state.get(STATE_KEY)
    if state is not None and isinstance(state.store, RedisStore):
        await state.store.close()


@hookimpl(trylast=True)
def bolt_openapi_operation(api: Any, route: Any, operation: dict[str, Any], doc: Any) -> None:
    from bolt_plugins.ratelimit.openapi import document_rate_limit

    document_rate_limit(route, operation, doc)
