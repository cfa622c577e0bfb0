"""Whose bucket is this request counted in? Key functions built once per route.

- ``"ip"``: the client address (socket peer; proxy headers only from trusted proxies).
- ``"user"``: the authenticated user's id from the auth context; anonymous requests fall
  back to the client address.
- ``"api_key"``: the API key that authenticated the request, as the backend that verified
  it fingerprinted it in ``request.state["auth.credential_id"]`` (never the key in clear);
  callers authenticated another way count by ``backend`` + ``user_id``; unauthenticated
  requests fall back to the client address, so inventing keys cannot buy new buckets.
- ``"header:<name>"``: the value of a request header (hashed when long); requests without
  it fall back to the client address. Only use it for headers a trusted gateway sets.
- a callable ``key(request) -> str | None`` (sync or async); ``None`` falls back to the
  client address.

Every key carries a prefix (``ip:``, ``user:``…) so the kinds never collide.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from typing import Any

from bolt.exceptions import ImproperlyConfigured

__all__ = ["KeyFunc", "build_key_func"]

KeyFunc = Callable[[Any], Any]
# ``request.state`` entry where a key-based authentication backend leaves a fingerprint of
# the key it verified (never the key itself); ``key="api_key"`` counts by it.
CREDENTIAL_STATE_KEY = "auth.credential_id"
_MAX_RAW = 64


def _digest(value: str) -> str:
    if len(value) <= _MAX_RAW and value.isprintable():
        return value
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def build_key_func(key: Any, client_ip: Callable[[Any], str], where: str) -> tuple[KeyFunc, bool]:
    """Return ``(key_func, is_async)`` for the ``key=`` argument of ``@rate_limit``."""
    if key == "ip":
        ip_key = getattr(client_ip, "ip_key", None)
        if ip_key is not None:
            return ip_key(), False

        def by_ip(request: Any) -> str:
            # hot path
            return "ip:" + client_ip(request)

        return by_ip, False

    if key == "user":

        def by_user(request: Any) -> str:
            # hot path
            auth = request.auth
            if auth:
                user_id = auth.get("user_id")
                if user_id is not None:
                    return f"user:{user_id}"
            return "ip:" + client_ip(request)

        return by_user, False

    if key == "api_key":

        def by_api_key(request: Any) -> str:
            # hot path
            auth = request.auth
            if auth:
                # Only what the authenticating backend verified counts: reading a header
                # here would let a caller rotate one no backend checked (an X-Api-Key next
                # to a JWT) and get a fresh bucket per request.
                credential = request.state.get(CREDENTIAL_STATE_KEY)
                if credential:
                    return f"key:{credential}"
                user_id = auth.get("user_id")
                if user_id is not None:
                    return f"key-user:{auth.get('backend')}:{user_id}"
            return "ip:" + client_ip(request)

        return by_api_key, False

    if isinstance(key, str) and key.startswith("header:"):
        name = key.partition(":")[2].strip().lower()
        if not name:
            raise ImproperlyConfigured(f"{where}: key='header:<name>' needs a header name")

        def by_header(request: Any) -> str:
            # hot path
            value = request.headers.get(name)
            if value:
                return f"h:{_digest(value)}"
            return "ip:" + client_ip(request)

        return by_header, False

    if callable(key):
        func = key
        is_async = inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
            getattr(func, "__call__", None)  # noqa: B004 - async __call__ on an object
        )
        if is_async:

            async def by_callable_async(request: Any) -> str:
                value = await func(request)
                return "ip:" + client_ip(request) if value is None else f"fn:{_digest(str(value))}"

            return by_callable_async, True

        def by_callable(request: Any) -> str:
            value = func(request)
            return "ip:" + client_ip(request) if value is None else f"fn:{_digest(str(value))}"

        return by_callable, False

    raise ImproperlyConfigured(
        f"{where}: key={key!r} is not a rate-limit key; use 'ip', 'user', 'api_key', "
        "'header:<name>' or a callable(request) -> str"
    )
