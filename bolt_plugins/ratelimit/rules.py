"""``@rate_limit(...)`` and the rule it attaches to a route, validated when it is written."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bolt.exceptions import ImproperlyConfigured
from bolt.route_options import route_option

__all__ = ["KEY_KINDS", "RateLimitRule", "coerce_rule", "rate_limit"]

F = TypeVar("F", bound=Callable[..., Any])
KEY_KINDS = ("ip", "user", "api_key")


@dataclass(frozen=True, slots=True)
class RateLimitRule:
    """``rps`` requests per second sustained, ``burst`` at once from a full bucket."""

    rps: float
    burst: int
    key: Any = "ip"


def default_burst(rps: float) -> int:
    """The documented default: one second's worth of requests, at least one."""
    return max(1, math.ceil(rps))


def _check_key(key: Any, where: str) -> None:
    if callable(key) or key in KEY_KINDS:
        return
    if isinstance(key, str) and key.startswith("header:") and key.partition(":")[2].strip():
        return
    raise ImproperlyConfigured(
        f"{where}: key={key!r} is not a rate-limit key; use 'ip', 'user', 'api_key', "
        "'header:<name>' or a callable(request) -> str"
    )


def make_rule(rps: Any, burst: Any, key: Any, where: str) -> RateLimitRule:
    """Validate the arguments of ``@rate_limit`` and build the rule."""
    if isinstance(rps, bool) or not isinstance(rps, int | float) or not rps > 0:
        raise ImproperlyConfigured(f"{where}: rps must be a number > 0, got {rps!r}")
    if not math.isfinite(rps):
        raise ImproperlyConfigured(f"{where}: rps must be finite")
    if burst is None:
        burst = default_burst(rps)
    elif isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise ImproperlyConfigured(f"{where}: burst must be a whole number >= 1, got {burst!r}")
    _check_key(key, where)
    return RateLimitRule(float(rps), burst, key)


def rate_limit(rps: float, burst: int | None = None, key: Any = "ip") -> Callable[[F], F]:
    """Limit this route to ``rps`` requests per second per ``key``, allowing ``burst`` at once.

    ``burst`` defaults to ``ceil(rps)`` (one second's worth, at least 1). ``key`` is ``"ip"``
    (default), ``"user"``, ``"api_key"``, ``"header:<name>"`` or a callable
    ``key(request) -> str | None``. Over the limit the client gets ``429`` with
    ``Retry-After``; the handler does not run.
    """
    rule = make_rule(rps, burst, key, "@rate_limit(...)")

    def decorate(func: F) -> F:
        return route_option(func, "rate_limit", rule)

    return decorate


_PER = re.compile(r"^\s*(\d+)\s*/\s*(second|sec|s|minute|min|m|hour|h|day|d)\s*$")
_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
            "hour": 3600, "d": 86400, "day": 86400}  # fmt: skip


def coerce_rule(value: Any, where: str) -> RateLimitRule:
    """Accept a rule from ``@rate_limit``, a ``rate_limit={"rps": ...}`` option, or the
    ``"N/unit"`` form DRF users write (``"100/minute"``: a burst of N, refilled at N per
    unit; units second, minute, hour, day)."""
    if isinstance(value, RateLimitRule):
        return value
    if isinstance(value, str):
        match = _PER.match(value)
        if match is None:
            raise ImproperlyConfigured(
                f"{where}: rate_limit={value!r} is not 'N/second', 'N/minute', 'N/hour' or 'N/day'"
            )
        count = int(match.group(1))
        if count < 1:
            raise ImproperlyConfigured(f"{where}: rate_limit={value!r} allows nothing")
        return make_rule(count / _SECONDS[match.group(2)], count, "ip", where)
    if isinstance(value, dict):
        unknown = set(value) - {"rps", "burst", "key"}
        if unknown or "rps" not in value:
            raise ImproperlyConfigured(
                f"{where}: rate_limit= takes {{'rps': ..., 'burst': ..., 'key': ...}}"
            )
        return make_rule(value["rps"], value.get("burst"), value.get("key", "ip"), where)
    raise ImproperlyConfigured(
        f"{where}: rate_limit= must be a dict of rate_limit() arguments; use @rate_limit(...)"
    )
