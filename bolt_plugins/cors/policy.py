"""CORS policies: what one route allows, validated and prepared once at startup.

A ``CorsPolicy`` is built from the ``@cors`` decorator's arguments layered over the project
defaults (the ``CORS_*`` Django settings). Everything a request needs — the origin set, the
compiled regexes, the joined header values — is computed here so the middleware only does
dictionary lookups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bolt.exceptions import ImproperlyConfigured

__all__ = [
    "DEFAULT_HEADERS",
    "DEFAULT_MAX_AGE",
    "DEFAULT_METHODS",
    "MAX_AGE_CAP",
    "TOKEN_RE",
    "CorsPolicy",
    "CorsSpec",
    "normalize_origin",
]

DEFAULT_METHODS = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")
DEFAULT_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
)
DEFAULT_MAX_AGE = 600
# Browsers ignore longer preflight caching (Chromium caps at 7200 s); a larger value only
# makes policy changes take longer to reach clients.
MAX_AGE_CAP = 7200
_DEFAULT_PORTS = {"http": 80, "https": 443}
TOKEN_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


# Origins no project owns: a pattern that accepts them accepts anyone.
_FOREIGN_ORIGINS = ("https://bolt-cors-probe.invalid", "http://bolt-cors-probe.invalid")


def _has_bare_dot(pattern: str) -> bool:
    """Whether ``pattern`` has a ``.`` wildcard standing for one character.

    In an origin pattern that is nearly always a domain dot someone forgot to escape.
    Escaped dots, dots in ``[...]`` and repeated wildcards (``.*``, ``.+``, ``.{2,}``) are
    left alone.
    """
    i, n, in_class = 0, len(pattern), False
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":  # a leading ']' is a literal inside the class
                i += 1
            continue
        elif char == "." and pattern[i + 1 : i + 2] not in ("*", "+", "{"):
            return True
        i += 1
    return False


def normalize_origin(origin: str, where: str) -> str:
    """Return ``origin`` in the form browsers send (``scheme://host[:port]``, lower case,
    default port dropped), or raise ``ImproperlyConfigured`` naming ``where``.

    Only whole origins are accepted: a path, query, user info or missing scheme is a
    configuration mistake that would otherwise never match anything.
    """
    if not isinstance(origin, str):
        raise ImproperlyConfigured(f"{where}: origin {origin!r} must be a string")
    if origin == "null":
        raise ImproperlyConfigured(
            f"{where}: the 'null' origin cannot be allowed; sandboxed iframes, file:// pages "
            "and redirects all send it, so allowing it allows anyone"
        )
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{where}: {origin!r} is not a valid origin") from None
    scheme = parts.scheme.lower()
    if (
        not scheme
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
        or "*" in origin
    ):
        raise ImproperlyConfigured(
            f"{where}: {origin!r} is not an origin; write scheme://host[:port] such as "
            "'https://app.example.com' (no path, no wildcard inside; use '*' alone to allow "
            "every origin, or CORS_ALLOWED_ORIGIN_REGEXES for patterns)"
        )
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    elif not host.isascii():
        # Browsers send internationalised hosts in their ASCII (punycode) form.
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ImproperlyConfigured(
                f"{where}: {origin!r} has a host name that cannot be an internet domain"
            ) from None
    if port is None or _DEFAULT_PORTS.get(scheme) == port:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _names(values: Any, where: str, upper: bool) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ImproperlyConfigured(f"{where} must be a list of strings, got {values!r}")
    out: list[str] = []
    for value in values:
        if not isinstance(value, str) or not (value == "*" or TOKEN_RE.match(value)):
            raise ImproperlyConfigured(f"{where}: {value!r} is not a valid name")
        out.append(value.upper() if upper else value.lower())
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class CorsSpec:
    """What a ``@cors(...)`` decorator or the project settings said; ``None`` = inherit."""

    origins: tuple[str, ...] | None = None
    origin_regexes: tuple[str, ...] | None = None
    methods: tuple[str, ...] | None = None
    headers: tuple[str, ...] | None = None
    credentials: bool | None = None
    max_age: int | None = None
    expose_headers: tuple[str, ...] | None = None

    def over(self, base: CorsSpec) -> CorsSpec:
        """This spec with every unset field taken from ``base``.

        Giving ``origins`` replaces the inherited regexes too: a route that names its
        origins allows exactly those.
        """
        regexes = self.origin_regexes
        if regexes is None:
            regexes = () if self.origins is not None else base.origin_regexes
        return CorsSpec(
            origins=self.origins if self.origins is not None else base.origins,
            origin_regexes=regexes,
            methods=self.methods if self.methods is not None else base.methods,
            headers=self.headers if self.headers is not None else base.headers,
            credentials=self.credentials if self.credentials is not None else base.credentials,
            max_age=self.max_age if self.max_age is not None else base.max_age,
            expose_headers=(
                self.expose_headers if self.expose_headers is not None else base.expose_headers
            ),
        )


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """A resolved, validated policy with its response header values prepared."""

    allow_all: bool
    origins: frozenset[str]
    regexes: tuple[re.Pattern[str], ...]
    methods: frozenset[str]
    any_header: bool
    headers: frozenset[str]
    credentials: bool
    max_age: int
    allow_methods_value: str
    allow_headers_value: str
    expose_value: str | None

    @classmethod
    def build(cls, spec: CorsSpec, where: str) -> CorsPolicy:
        """Validate ``spec`` and prepare the header values; raise ``ImproperlyConfigured``
        naming ``where`` (the setting or the route) on any mistake."""
        raw_origins = spec.origins or ()
        allow_all = "*" in raw_origins
        if allow_all and len(raw_origins) > 1:
            raise ImproperlyConfigured(
                f"{where}: '*' allows every origin; do not list other origins with it"
            )
        credentials = bool(spec.credentials)
        if allow_all and credentials:
            raise ImproperlyConfigured(
                f"{where}: origins=['*'] together with credentials=True would let any site "
                "make authenticated requests with your users' cookies. List the trusted "
                "origins explicitly, or set credentials=False."
            )
        origins = frozenset(
            normalize_origin(o, where) for o in raw_origins if not (allow_all and o == "*")
        )
        regexes: list[re.Pattern[str]] = []
        for pattern in spec.origin_regexes or ():
            try:
                compiled = re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise ImproperlyConfigured(
                    f"{where}: origin regex {pattern!r} does not compile: {exc}"
                ) from None
            if _has_bare_dot(pattern):
                raise ImproperlyConfigured(
                    f"{where}: origin regex {pattern!r} has an unescaped '.', which matches "
                    "any character ('https://app.example.com' also matches "
                    "'https://appxexample.com'); write '\\.' for a literal dot"
                )
            if credentials and any(compiled.fullmatch(o) for o in _FOREIGN_ORIGINS):
                raise ImproperlyConfigured(
                    f"{where}: origin regex {pattern!r} with credentials=True accepts any "
                    "origin, which would let any site make authenticated requests with your "
                    "users' cookies. Narrow the pattern to your own domains."
                )
            regexes.append(compiled)
        methods = spec.methods if spec.methods is not None else DEFAULT_METHODS
        headers = spec.headers if spec.headers is not None else DEFAULT_HEADERS
        max_age = DEFAULT_MAX_AGE if spec.max_age is None else spec.max_age
        if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
            raise ImproperlyConfigured(f"{where}: max_age must be a whole number of seconds >= 0")
        expose = spec.expose_headers or ()
        any_header = "*" in headers
        return cls(
            allow_all=allow_all,
            origins=origins,
            regexes=tuple(regexes),
            methods=frozenset(m for m in methods if m != "*") or frozenset(DEFAULT_METHODS),
            any_header=any_header,
            headers=frozenset(h for h in headers if h != "*"),
            credentials=credentials,
            max_age=min(max_age, MAX_AGE_CAP),
            allow_methods_value=", ".join(sorted(m for m in methods if m != "*"))
            or ", ".join(DEFAULT_METHODS),
            allow_headers_value=", ".join(sorted(h for h in headers if h != "*")),
            expose_value=", ".join(expose) if expose else None,
        )

    @property
    def varies(self) -> bool:
        """Whether answers depend on the request's Origin (everything but a plain ``*``)."""
        return not self.allow_all

    def allows(self, origin: str) -> bool:
        """Exact match on the serialized origin, or a full-string regex match."""
        if self.allow_all:
            return True
        if origin in self.origins:
            return True
        if self.regexes and origin != "null":
            for pattern in self.regexes:
                if pattern.fullmatch(origin):
                    return True
        return False


def spec_from_kwargs(
    *,
    origins: Any,
    origin_regexes: Any,
    methods: Any,
    headers: Any,
    credentials: Any,
    max_age: Any,
    expose_headers: Any,
    where: str,
) -> CorsSpec:
    """Check the shapes of user-given values and make a ``CorsSpec`` of them."""
    if origins is not None:
        if isinstance(origins, str) or not isinstance(origins, Iterable):
            raise ImproperlyConfigured(f"{where}: origins must be a list, got {origins!r}")
        origins = tuple(origins)
        for o in origins:
            if o != "*":
                normalize_origin(o, where)
    if origin_regexes is not None:
        if isinstance(origin_regexes, str) or not isinstance(origin_regexes, Iterable):
            raise ImproperlyConfigured(f"{where}: origin regexes must be a list of patterns")
        origin_regexes = tuple(origin_regexes)
    if credentials is not None and not isinstance(credentials, bool):
        raise ImproperlyConfigured(f"{where}: credentials must be True or False")
    return CorsSpec(
        origins=origins,
        origin_regexes=origin_regexes,
        methods=None if methods is None else _names(methods, f"{where}: methods", upper=True),
        headers=None if headers is None else _names(headers, f"{where}: headers", upper=False),
        credentials=credentials,
        max_age=max_age,
        expose_headers=(
            None
            if expose_headers is None
            else _names(expose_headers, f"{where}: expose_headers", upper=False)
        ),
    )
