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

from .base import (
    BaseAuthentication,
    DjangoUserLoader,
    PreloadedUser,
    invalid_credentials,
    make_context,
    user_context,
)

__all__ = ["APIKeyAuthentication"]


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()


def _set_identity(key: Any) -> Any:
    """The identity of a key given in a set: derived from its digest, never the key."""
    return f"api_key:{_digest(key).hex()[:12]}" if isinstance(key, str) else None


class APIKeyAuthentication(BaseAuthentication):
    """Authenticate a request by a shared key in ``header`` (default ``X-API-Key``).

    ``api_keys`` maps each key to its identity: a string (stored as ``user_id`` and
    ``username`` in the auth context) or a mapping with any of ``user_id``, ``username``,
    ``is_staff``, ``is_admin``, ``permissions``. It may also be a set of keys
    (``{"k1", "k2"}``): each key's identity is then ``"api_key:"`` and the first 12 hex
    digits of its SHA-256, so logs and rate limits can tell keys apart without holding them.
    ``permissions`` maps keys to permission lists for the permission guards. Without
    ``django_user`` the caller is a service, not a user: the context is exactly what is
    configured here and ``request.user`` is anonymous.

    ``django_user=True`` binds every key to the Django user its identity names
    (``user_id``): each request loads that user (one query), a deleted or inactive user
    is a 401, and ``is_staff``, ``is_admin`` and permissions come from the user's current
    row. Rights written beside such a key would be ignored, so they stop startup.
    """

    name = "api_key"

    def __init__(
        self,
        api_keys: Mapping[str, Any] | Iterable[str] | None = None,
        header: str = "x-api-key",
        permissions: Mapping[str, Iterable[str]] | None = None,
        *,
        django_user: bool = False,
    ) -> None:
        if not api_keys:
            raise ImproperlyConfigured("APIKeyAuthentication needs at least one key in api_keys")
        if isinstance(api_keys, str):
            raise ImproperlyConfigured(
                "APIKeyAuthentication: api_keys is a string; give a set of keys or a mapping"
            )
        if not isinstance(api_keys, Mapping):
            if django_user:
                raise ImproperlyConfigured(
                    "APIKeyAuthentication(django_user=True) needs api_keys as a mapping from "
                    "each key to the user_id it belongs to, not a set of keys"
                )
            api_keys = {key: _set_identity(key) for key in api_keys}
        self.header = header.lower()
        self._header_raw = self.header.encode("latin-1")
        self.challenge = f'APIKey header="{self.header}"'
        self.django_user = django_user
        self.user_loader = (
            DjangoUserLoader(self.challenge, "The user of this API key is inactive or deleted")
            if django_user
            else None
        )
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
            if django_user:
                self._check_bound(index, identity, key in perms)
            entries.append((_digest(key), self._context(identity, perms.get(key, ()))))
        self._entries = tuple(entries)
        if django_user:
            self.authenticate = self._authenticate_user  # type: ignore[method-assign,assignment]

    @staticmethod
    def _check_bound(index: int, identity: Any, has_permissions: bool) -> None:
        """A key bound to a Django user names the user and claims no rights of its own."""
        claimed = has_permissions
        if isinstance(identity, Mapping):
            claimed = claimed or any(k in identity for k in ("is_staff", "is_admin", "permissions"))
            named = identity.get("user_id") is not None
        else:
            named = identity is not None
        if not named:
            raise ImproperlyConfigured(
                f"APIKeyAuthentication(django_user=True): key #{index + 1} names no user_id"
            )
        if claimed:
            raise ImproperlyConfigured(
                f"APIKeyAuthentication(django_user=True): key #{index + 1} sets is_staff, "
                "is_admin or permissions, but a key bound to a Django user has that user's "
                "current rights; grant them to the user instead"
            )

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

    async def _authenticate_user(self, request: Any) -> dict[str, Any] | None:
        """``django_user=True``: the key's user, loaded now; its row is the context."""
        context = APIKeyAuthentication.authenticate(self, request)
        if context is None:
            return None
        request.auth = context
        user = await self.user_loader.aload(request)
        request.user_loader = PreloadedUser(user)
        return user_context(user, backend=self.name)
