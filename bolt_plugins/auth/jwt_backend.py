"""JWT bearer tokens, verified with PyJWT under a pinned, safe configuration.

Safety rules enforced here (each one closes a known PyJWT pitfall):

- algorithms come from configuration only, never from the token; ``none`` is refused and
  HMAC (``HS*``) is never mixed with asymmetric families, which closes key confusion;
- ``exp`` and ``sub`` are required (PyJWT accepts a token without ``exp`` by default), and
  time claims must be numbers, not numeric strings;
- an HMAC key shorter than the hash (32 bytes for HS256) stops startup;
- leeway is at most 30 seconds;
- tokens longer than ``max_length`` are refused before any decoding;
- any failure to verify (bad base64, bad JSON, wrong key, expired, wrong ``aud``/``iss``,
  unknown ``crit``...) is a 401 with ``WWW-Authenticate``, never a 500. The ``kid`` header is
  ignored: it is attacker data and never selects a key.

A refusal says why (RFC 6750 ``error_description``, and the same words in ``detail``) from
a fixed list, so a client knows whether to refresh its token or give up. PyJWT checks the
signature before any claim, so "expired" is only ever said of a token the key signed: a
forged token is a bad signature whatever its ``exp`` says.
"""

from __future__ import annotations

import asyncio
import copy
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import jwt
from jwt.algorithms import get_default_algorithms

from bolt.exceptions import ImproperlyConfigured

from .base import (
    RIGHTS_CLAIM,
    RIGHTS_IN_DATABASE,
    USER_GONE,
    BaseAuthentication,
    DjangoUserLoader,
    PreloadedUser,
    StoredPermissions,
    invalid_credentials,
    make_context,
    pk_converter,
    user_context,
)

__all__ = ["JWTAuthentication", "acreate_jwt_for_user", "create_jwt_for_user"]

# The reasons a presented token is refused: fixed text only, never anything from the token.
EXPIRED = "The token has expired"
BAD_SIGNATURE = "The token signature is invalid"
MALFORMED = "The token is malformed"
NOT_YET_VALID = "The token is not yet valid"
CLAIMS_REFUSED = "The token claims are not accepted"
REVOKED = "The token has been revoked"
INVALID = "The token is invalid"
REASONS = (EXPIRED, BAD_SIGNATURE, MALFORMED, NOT_YET_VALID, CLAIMS_REFUSED, REVOKED, INVALID)

HMAC_MIN_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
_TIME_TYPES = (int, float)
_now = time.time  # the clock cached tokens are checked against (tests move it)


def _default_secret(bolt_settings: Any = None) -> str:
    from django.conf import settings

    from bolt_plugins.auth.settings import auth_settings

    return (bolt_settings or auth_settings()).JWT_SECRET or settings.SECRET_KEY


def check_algorithms(algorithms: Iterable[str]) -> list[str]:
    """Validate a pinned algorithm list (raises ``ImproperlyConfigured``)."""
    algs = list(algorithms)
    if not algs:
        raise ImproperlyConfigured("JWTAuthentication needs at least one algorithm")
    known = set(get_default_algorithms()) - {"none"}
    bad = [a for a in algs if a not in known]
    if bad:
        raise ImproperlyConfigured(
            f"JWTAuthentication: unsupported algorithm(s) {bad}; choose from {sorted(known)}"
        )
    hmac = [a for a in algs if a.startswith("HS")]
    if hmac and len(hmac) != len(algs):
        raise ImproperlyConfigured(
            "JWTAuthentication: never mix HMAC (HS*) with asymmetric algorithms "
            f"({algs}); a public key would then verify forged HMAC tokens"
        )
    return algs


def prepare_key(secret: Any, algorithms: list[str]) -> Any:
    """Check the key fits every algorithm and return it in the form PyJWT verifies fastest.

    HMAC keys must be at least as long as the hash output (RFC 7518 §3.2). Asymmetric keys
    are parsed once here instead of on every request.
    """
    if secret is None or secret in ("", b""):
        raise ImproperlyConfigured("JWTAuthentication: no signing key (set BOLT_JWT_SECRET)")
    impls = get_default_algorithms()
    prepared: Any = None
    for alg in algorithms:
        impl = impls[alg]
        if alg in HMAC_MIN_BYTES:
            raw = secret.encode() if isinstance(secret, str) else secret
            if not isinstance(raw, bytes) or len(raw) < HMAC_MIN_BYTES[alg]:
                raise ImproperlyConfigured(
                    f"JWTAuthentication: the {alg} key must be at least "
                    f"{HMAC_MIN_BYTES[alg]} bytes; set a longer BOLT_JWT_SECRET "
                    "(for example secrets.token_urlsafe(64))"
                )
        try:
            prepared = impl.prepare_key(secret)
        except Exception as exc:
            raise ImproperlyConfigured(
                f"JWTAuthentication: the key does not suit {alg}: {exc}"
            ) from None
    return prepared


_SCALARS = (str, int, float, bool, type(None))


def _fresh(context: dict[str, Any], nested: tuple[str, ...]) -> dict[str, Any]:
    """A copy of a cached context that a handler may change freely.

    ``nested`` names the claims holding lists or dicts: those are copied too, so an edit
    to ``auth["claims"]["roles"]`` cannot reach the next request with the same token.
    """
    # hot path
    claims = dict(context["claims"])
    for name in nested:
        value = claims[name]
        if type(value) is list and all(type(v) in _SCALARS for v in value):
            claims[name] = list(value)
        else:
            claims[name] = copy.deepcopy(value)
    held = context["permissions"]
    permissions = list(held) if type(held) is list else held.fresh()
    return {**context, "permissions": permissions, "claims": claims}


class JWTAuthentication(BaseAuthentication):
    """Authenticate ``Authorization: Bearer <jwt>`` (or a cookie) as a Django user.

    ``secret`` defaults to ``BOLT_JWT_SECRET``, then ``SECRET_KEY``; for ``RS*``/``ES*``/
    ``PS*``/``EdDSA`` it is the public key. ``algorithms`` defaults to
    ``BOLT_JWT_ALGORITHMS``. ``audience``/``issuer`` make ``aud``/``iss`` required and
    checked. Verified tokens are remembered (``cache_size`` entries, ``0`` turns it off)
    so a repeated token costs a dict lookup and an expiry check.

    By default the backend is stateless and guards trust the token's ``is_staff``,
    ``is_superuser`` and ``permissions`` claims until it expires. ``verify_user=True``
    loads the user on every request (one query), answers 401 for a deleted or inactive
    account, and builds the context from the user's current row, so a demotion counts at
    once (permissions are read only when a permission guard asks). ``is_revoked(claims)``
    (sync or async) answers 401 for a revoked token (look ``claims["jti"]`` up in your
    deny-list). Tokens read from ``cookie`` on unsafe methods must pass Django's CSRF
    check, like a session.
    """

    name = "jwt"

    def __init__(
        self,
        secret: str | bytes | None = None,
        algorithms: list[str] | None = None,
        header: str = "authorization",
        scheme: str = "Bearer",
        cookie: str | None = None,
        audience: str | list[str] | None = None,
        issuer: str | None = None,
        leeway: int | None = None,
        *,
        verify_user: bool = False,
        is_revoked: Callable[[dict[str, Any]], bool | Awaitable[bool]] | None = None,
        max_length: int = 8192,
        cache_size: int = 4096,
    ) -> None:
        self.secret = secret
        self.algorithms = check_algorithms(algorithms) if algorithms is not None else None
        self.header = header.lower()
        self._header_raw = self.header.encode("latin-1")
        self.scheme = scheme
        self._scheme_lower = scheme.lower()
        self.cookie = cookie
        self.audience = audience
        self.issuer = issuer
        if leeway is not None and not 0 <= leeway <= 30:
            raise ImproperlyConfigured("JWTAuthentication: leeway must be 0..30 seconds")
        self.leeway = leeway
        self.verify_user = verify_user
        self.is_revoked = is_revoked
        self.max_length = max_length
        # Verified tokens, keyed by their exact text: a client repeats its token, and
        # re-verifying costs ~50 us. Only tokens that passed every check get in; ``exp`` is
        # re-checked on every hit; the size is bounded (oldest out first).
        self._cache_size = max(0, cache_size)
        self._cache: dict[str, tuple[dict[str, Any], float, tuple[str, ...]]] = {}
        self.challenge = f'{scheme} realm="api"'
        bad = f'{scheme} realm="api", error="invalid_token"'
        # The whole WWW-Authenticate value per reason, built once.
        self._refusals = {
            reason: f'{bad}, error_description="{reason}"' for reason in (*REASONS, USER_GONE)
        }
        self.user_loader = DjangoUserLoader(self._refusals[USER_GONE], USER_GONE)
        self._decoder = jwt.PyJWT()
        self._key: Any = None
        self._algs: list[str] = []
        self._options: dict[str, Any] = {}
        self._leeway = 0
        self._to_pk: Any = None
        self._csrf: Any = None
        # One prepared copy per resolved configuration (see ``prepare``).
        self._prepared: dict[tuple[Any, ...], JWTAuthentication] = {}
        if secret is not None and algorithms is not None:
            prepare_key(secret, self.algorithms or [])  # fail at import time when explicit
        if verify_user or is_revoked is not None:
            self.authenticate = self._authenticate_async  # type: ignore[method-assign,assignment]

    def prepare(self, api: Any) -> JWTAuthentication:
        """Resolve defaults from ``api.settings``, validate the key (startup error if weak).

        Returns the backend the route uses: a copy of this one bound to the resolved key,
        algorithms and leeway, with its own verified-token cache. One instance may serve
        several APIs built under different settings; each then verifies with its own
        configuration, and a token verified (and cached) under one never passes another.
        Routes resolving to the same configuration share one copy and one cache.
        """
        settings = api.settings
        algs = self.algorithms or check_algorithms(settings.JWT_ALGORITHMS)
        secret = self.secret if self.secret is not None else _default_secret(settings)
        leeway = self.leeway if self.leeway is not None else settings.JWT_LEEWAY
        key_id = secret if isinstance(secret, str | bytes) else id(secret)
        fingerprint = (tuple(algs), type(secret), key_id, leeway)
        prepared = self._prepared.get(fingerprint)
        if prepared is not None:
            return prepared
        prepared = copy.copy(self)
        prepared._algs = algs
        prepared._key = prepare_key(secret, algs)
        prepared._leeway = leeway
        require = ["exp", "sub"]
        if self.audience is not None:
            require.append("aud")
        if self.issuer is not None:
            require.append("iss")
        prepared._options = {"require": require, "strict_aud": False}
        prepared._to_pk = pk_converter()
        if self.cookie:
            from .csrf import CsrfChecker

            prepared._csrf = CsrfChecker()
        prepared._cache = {}
        prepared._prepared = {fingerprint: prepared}
        if "authenticate" in vars(self):  # rebind the async variant to the copy
            prepared.authenticate = prepared._authenticate_async  # type: ignore[method-assign,assignment]
        self._prepared[fingerprint] = prepared
        return prepared

    # --- per request -----------------------------------------------------------------------
    def _token(self, request: Any) -> tuple[str | None, bool]:
        # hot path
        raw = None
        wanted = self._header_raw
        for name, value in request.scope["headers"]:
            if name == wanted:
                raw = value
                break
        if raw is None:
            if self.cookie:
                token = request.cookies.get(self.cookie)
                if token:
                    return token, True
            return None, False
        text = raw.decode("latin-1")
        scheme, _, token = text.partition(" ")
        if scheme.lower() != self._scheme_lower:
            return None, False  # another scheme: not for this backend
        if not token or len(token) > self.max_length or token != token.strip() or " " in token:
            raise self._refuse(MALFORMED)
        return token, False

    def _refuse(self, reason: str) -> Exception:
        """The 401 for a presented token, saying ``reason`` (one of ``REASONS``)."""
        return invalid_credentials(self._refusals[reason], reason)

    def _verify(self, token: str) -> dict[str, Any]:
        # hot path
        cached = self._cache.get(token)
        if cached is not None:
            context, expires, nested = cached
            if expires > _now() - self._leeway:
                return _fresh(context, nested)
            self._cache.pop(token, None)
            raise self._refuse(EXPIRED)
        if len(token) > self.max_length:
            raise self._refuse(MALFORMED)
        context = self._decode(token)
        if self._cache_size:
            nested = tuple(
                name for name, value in context["claims"].items() if isinstance(value, list | dict)
            )
            self._remember(token, context, nested)
            return _fresh(context, nested)
        return context

    def _remember(self, token: str, context: dict[str, Any], nested: tuple[str, ...]) -> None:
        cache = self._cache
        if len(cache) >= self._cache_size:
            try:  # drop the oldest entry; a concurrent eviction is harmless
                del cache[next(iter(cache))]
            except (KeyError, RuntimeError, StopIteration):
                pass
        cache[token] = (context, float(context["claims"]["exp"]), nested)

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            claims = self._decoder.decode(
                token,
                key=self._key,
                algorithms=self._algs,
                options=self._options,  # type: ignore[arg-type]
                audience=self.audience,
                issuer=self.issuer,
                leeway=self._leeway,
            )
        except jwt.ExpiredSignatureError:  # raised only once the signature verified
            raise self._refuse(EXPIRED) from None
        except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError):
            raise self._refuse(BAD_SIGNATURE) from None
        except jwt.ImmatureSignatureError:
            raise self._refuse(NOT_YET_VALID) from None
        except jwt.DecodeError:
            raise self._refuse(MALFORMED) from None
        except (jwt.MissingRequiredClaimError, jwt.InvalidAudienceError, jwt.InvalidIssuerError):
            raise self._refuse(CLAIMS_REFUSED) from None
        except Exception:
            # Anything else the token can make PyJWT raise (an unknown ``crit``...).
            raise self._refuse(INVALID) from None
        try:
            for claim in ("exp", "nbf", "iat"):
                value = claims.get(claim)
                if value is not None and (type(value) not in _TIME_TYPES):
                    raise ValueError(claim)
            float(claims["exp"])  # an int beyond float range is no time: refuse, don't crash
            user_id = self._to_pk(claims["sub"])
        except Exception:
            # Signed, but the claims cannot be read as times and a primary key.
            raise self._refuse(CLAIMS_REFUSED) from None
        if user_id is None:
            raise self._refuse(CLAIMS_REFUSED)
        permissions = claims.get("permissions")
        if type(permissions) is not list:
            permissions = []
        context = make_context(
            user_id=user_id,
            username=claims.get("username") if type(claims.get("username")) is str else None,
            is_staff=claims.get("is_staff") is True,
            is_admin=claims.get("is_superuser") is True,
            permissions=[p for p in permissions if type(p) is str],
            backend=self.name,
            claims=claims,
        )
        if claims.get(RIGHTS_CLAIM) == RIGHTS_IN_DATABASE and not context["is_admin"]:
            # Minted on the event loop: the rights are the user's current ones.
            context["permissions"] = StoredPermissions(user_id)
        return context

    def authenticate(self, request: Any) -> dict[str, Any] | None:
        """Verify the bearer token (stateless: no database access)."""
        # hot path
        token, from_cookie = self._token(request)
        if token is None:
            return None
        if from_cookie and self._csrf is not None:
            self._csrf.check(request)
        return self._verify(token)

    async def _authenticate_async(self, request: Any) -> dict[str, Any] | None:
        # hot path
        context = JWTAuthentication.authenticate(self, request)
        if context is None:
            return None
        if self.is_revoked is not None:
            revoked = self.is_revoked(context["claims"])
            if isinstance(revoked, Awaitable):
                revoked = await revoked
            if revoked:
                raise self._refuse(REVOKED)
        if self.verify_user:
            # The row, not the token, says who the user is now (one query); a deleted or
            # inactive account is a 401 here.
            request.auth = context
            user = await self.user_loader.aload(request)
            request.user_loader = PreloadedUser(user)
            return user_context(user, backend=self.name, claims=context["claims"])
        return context


def _claims_for(
    user: Any,
    permissions: list[str],
    expires_in: int,
    extra_claims: dict[str, Any] | None,
    rights_in_database: bool = False,
) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(user.pk),
        "iat": now,
        "exp": now + int(expires_in),
        "jti": secrets.token_urlsafe(16),
        "username": user.get_username(),
        "is_staff": bool(getattr(user, "is_staff", False)),
        "is_superuser": bool(getattr(user, "is_superuser", False)),
        "permissions": permissions,
    }
    if extra_claims:
        claims.update(extra_claims)
    # Only Bolt decides whether rights are read from the database, never a caller's claims.
    claims.pop(RIGHTS_CLAIM, None)
    if rights_in_database and "permissions" not in (extra_claims or ()):
        claims[RIGHTS_CLAIM] = RIGHTS_IN_DATABASE
    return claims


def _on_event_loop() -> bool:
    """Whether this thread runs an event loop (so a blocking query is refused here)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _encode(claims: dict[str, Any], secret: Any, algorithm: str | None) -> str:
    from bolt_plugins.auth.settings import auth_settings

    alg = algorithm or auth_settings().JWT_ALGORITHMS[0]
    check_algorithms([alg])
    key = secret if secret is not None else _default_secret()
    if alg in HMAC_MIN_BYTES:
        prepare_key(key, [alg])
    return jwt.encode(claims, key, algorithm=alg)


def create_jwt_for_user(
    user: Any,
    expires_in: int = 3600,
    extra_claims: dict[str, Any] | None = None,
    *,
    secret: Any = None,
    algorithm: str | None = None,
    include_permissions: bool = True,
) -> str:
    """Mint a token ``JWTAuthentication`` (same secret/algorithm) accepts for ``user``.

    Claims: ``sub`` (the pk as a string), ``iat``, ``exp`` (now + ``expires_in`` seconds),
    a random ``jti``, ``username``, ``is_staff``, ``is_superuser`` and ``permissions`` (the
    user's Django permissions at minting time; empty for superusers, who pass every
    permission guard anyway). ``extra_claims`` are added last (``aud``, ``iss``, ...).
    For asymmetric algorithms pass the private key as ``secret``.

    Reads permissions from the database. Called on the event loop (an ``async`` login
    handler), where a blocking query is refused, it reads nothing: the token's
    ``permissions`` is empty and a ``bolt_perms: "db"`` claim tells ``JWTAuthentication`` to
    read the user's current permissions from the database when a permission guard asks (one
    query per such request). ``await acreate_jwt_for_user(...)`` writes them into the token.
    """
    perms: list[str] = []
    deferred = False
    if include_permissions and not getattr(user, "is_superuser", False):
        if _on_event_loop():
            deferred = True
        else:
            perms = sorted(user.get_all_permissions())
    claims = _claims_for(user, perms, expires_in, extra_claims, deferred)
    return _encode(claims, secret, algorithm)


async def acreate_jwt_for_user(
    user: Any,
    expires_in: int = 3600,
    extra_claims: dict[str, Any] | None = None,
    *,
    secret: Any = None,
    algorithm: str | None = None,
    include_permissions: bool = True,
) -> str:
    """``create_jwt_for_user`` for async code (reads permissions asynchronously)."""
    perms: list[str] = []
    if include_permissions and not getattr(user, "is_superuser", False):
        perms = sorted(await user.aget_all_permissions())
    return _encode(_claims_for(user, perms, expires_in, extra_claims), secret, algorithm)
