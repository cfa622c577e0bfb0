"""API keys in a header, compared in constant time and never logged.

Keys are hashed (SHA-256) when the backend is built, and a presented key is hashed and
compared against *every* stored digest with ``hmac.compare_digest``: no early exit, no
dict lookup on the raw key, so timing does not reveal how much of a key was right. Keys
are only read from the configured header; a key in the query string (where it would
land in access logs) is ignored, and surrounding whitespace is not stripped.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

from bolt.exceptions import ImproperlyConfigured

from .base import BaseAuthentication, DjangoUserLoader, invalid_credentials, make_context

__all__ = ["APIKeyAuthentication"]


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


class APIKeyAuthentication(BaseAuthentication):
    """Authenticate a request by a shared key in ``header`` (default ``X-API-Key``).

    ``api_keys`` maps each key to its identity: a string (stored as ``user_id`` and
    ``username`` in the auth context) or a mapping with any of ``user_id``, ``username``,
    ``is_staff``, ``is_admin``, ``permissions``. ``permissions`` maps keys to permission
    lists for the permission guards. ``request.user`` loads a Django user only when the
    identity mapping names a ``user_id`` with ``django_user=True``; otherwise the caller
    is a service, not a user, and ``request.user`` is anonymous.
    """

    name = "api_key"

    def __init__(
        self,
        api_keys: Mapping[str, Any] | None = None,
        header: str = "x-api-key",
        permissions: Mapping[str, Iterable[str]] | None = None,
        *,
        django_user: bool = False,
    ) -> None:
        if not api_keys:
            raise ImproperlyConfigured("APIKeyAuthentication needs at least one key in api_keys")
        self.header = header.lower()
        self._header_raw = self.header.encode("latin-1")
        self.challenge = f'APIKey header="{self.header}"'
        self.user_loader = DjangoUserLoader(self.challenge) if django_user else None
        perms = dict(permissions or {})
        unknown = set(perms) - set(api_keys)
        if unknown:
            # Name how many, never which: configuration errors end up in logs.
            raise ImproperlyConfigured(
                f"APIKeyAuthentication: {len(unknown)} key(s) in permissions are not in api_keys"
            )
        entries: list[tuple[bytes, dict[str, Any]]] = []
        for index, (key, identity) in enumerate(api_keys.items()):
            if not isinstance(key, str) or not key or key != key.strip():
                raise ImproperlyConfigured(
                    f"APIKeyAuthentication: key #{index + 1} must be a non-empty string "
                    "without surrounding whitespace"
                )
            entries.append((_digest(key), self._context(identity, perms.get(key, ()))))
        self._entries = tuple(entries)

    def __repr__(self) -> str:
        # Keys stay out of reprs, tracebacks and startup errors.
        return f"APIKeyAuthentication(header={self.header!r}, keys={len(self._entries)})"

    def _context(self, identity: Any, permissions: Iterable[str]) -> dict[str, Any]:
        if isinstance(identity, Mapping):
            info = dict(identity)
        else:
            info = {"user_id": identity, "username": str(identity)}
        perms = list(info.get("permissions", ())) + list(permissions)
        return make_context(
            user_id=info.get("user_id"),
            username=info.get("username"),
            is_staff=info.get("is_staff") is True,
            is_admin=info.get("is_admin") is True,
            permissions=sorted(set(perms)),
            backend=self.name,
        )

    def authenticate(self, request: Any) -> dict[str, Any] | None:
        """Constant-time match of the header value against every configured key."""
        # hot path
        wanted = self._header_raw
        raw = None
        for name, value in request.scope["headers"]:
            if name == wanted:
                raw = value
                break
        if raw is None:
            return None
        presented = hashlib.sha256(raw).digest()
        found = None
        for digest, context in self._entries:
            if hmac.compare_digest(presented, digest):
                found = context
        if found is None:
            raise invalid_credentials(self.challenge, "Invalid API key")
        # Which key this was, for per-key rate limits (key="api_key"): a digest, never the key.
        request.state["auth.credential_id"] = presented.hex()[:32]
        # A fresh dict per request: handlers may mutate their context.
        return {**found, "permissions": list(found["permissions"]), "claims": {}}
