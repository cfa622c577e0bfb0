"""The request object handed to handlers: a read-only mapping with attribute access.

``request["method"]``, ``request.get("auth", {})`` and ``request.headers["x-id"]`` all work.
Everything beyond the ASGI scope is parsed lazily, on first access, so a route that never
looks at cookies never parses them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl

from bolt.responses import _header_value

__all__ = ["Request"]

# ``request.data`` not parsed yet (``None`` is a valid JSON body).
_UNPARSED: Any = object()

_KEYS = (
    "method",
    "path",
    "query",
    "headers",
    "cookies",
    "params",
    "body",
    "state",
    "auth",
    "user",
    "client",
    "scheme",
    "context",
)


class Request(Mapping[str, Any]):
    """One HTTP request. Created per request by the kernel; handlers only read it.

    ``headers`` has lower-case names (last value wins; ``header_list(name)`` gives all).
    ``query`` maps names to their last value (``query_list(name)`` gives all).
    ``auth`` is the authentication context set by the auth plugin (``None`` when anonymous);
    ``request.get("auth", {})`` returns ``{}`` then.

    Public for middleware (stable API): ``method`` (``"HEAD"`` stays ``"HEAD"`` while the
    GET route's chain serves it), ``path``, ``scheme``, ``client``, ``headers``,
    ``header_list()``, ``query``, ``query_list()``, ``cookies``, ``route`` (the ``Route``
    being served), ``auth``, ``state`` (per-request scratch space), ``body`` (bytes or a bytearray,
    once the handler has read it: inside the chain, after ``next_handler`` returns) and
    ``add_response_header()``.
    """

    # No __slots__: lazily filled attributes default at class level, so creating a request
    # sets four attributes instead of sixteen.
    auth: dict[str, Any] | None = None
    # Raw ``(name, value)`` headers for whatever response this request gets (the handler's,
    # an error, a 429): middleware ``before`` steps put CORS and rate-limit headers here,
    # already encoded, because most responses send them without another look.
    response_headers: list[tuple[bytes, bytes]] | None = None
    # Set when a step adds a header the response itself produces (Content-Type): then the
    # kernel merges exactly instead of appending.
    _exact_headers: bool = False
    route: Any = None
    user_loader: Any = None
    # Django's ``HttpRequest`` for routes that run Django's middleware (``django_middleware=``):
    # what that middleware set (``user``, ``session``, ``LANGUAGE_CODE``) is read from it.
    django_request: Any = None
    # A bytearray when the body arrived in parts (filled in place, never copied to bytes).
    body: bytes | bytearray = b""
    _headers: dict[str, str] | None = None
    _query: dict[str, str] | None = None
    _query_lists: dict[str, list[str]] | None = None
    _cookies: dict[str, str] | None = None
    _state: dict[str, Any] | None = None
    _user: Any = None
    _dep_cache: dict[Any, Any] | None = None
    _cleanups: list[Any] | None = None
    _data: Any = _UNPARSED

    def __init__(self, scope: dict[str, Any], receive: Any, params: dict[str, Any]) -> None:
        # hot path
        self.scope = scope
        self.receive = receive
        self.params = params

    # --- mapping protocol -------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if key in _KEYS:
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        """Like ``dict.get``; a ``None`` value (anonymous ``auth``) gives ``default``, so
        ``request.get("context")`` is ``None`` when no auth context exists."""
        if key not in _KEYS:
            return default
        value = self.auth if key == "context" else getattr(self, key)
        return default if value is None else value

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)

    def __contains__(self, key: object) -> bool:
        return key in _KEYS

    # --- scope --------------------------------------------------------------------------
    @property
    def method(self) -> str:
        method: str = self.scope["method"]
        return method

    @property
    def path(self) -> str:
        path: str = self.scope["path"]
        return path

    @property
    def scheme(self) -> str:
        scheme: str = self.scope.get("scheme", "http")
        return scheme

    @property
    def client(self) -> tuple[str, int] | None:
        """``(host, port)`` of the socket peer. Proxy headers are not consulted here."""
        client = self.scope.get("client")
        return (str(client[0]), int(client[1])) if client else None

    @property
    def query_string(self) -> bytes:
        query_string: bytes = self.scope.get("query_string", b"")
        return query_string

    # --- lazily parsed parts ------------------------------------------------------------
    @property
    def headers(self) -> dict[str, str]:
        headers = self._headers
        if headers is None:
            headers = self._headers = {
                k.decode("latin-1").lower(): v.decode("latin-1") for k, v in self.scope["headers"]
            }
        return headers

    def header_list(self, name: str) -> list[str]:
        """All values of a repeated header, in order."""
        raw = name.lower().encode("latin-1")
        return [v.decode("latin-1") for k, v in self.scope["headers"] if k.lower() == raw]

    def _parse_query(self) -> dict[str, list[str]]:
        lists: dict[str, list[str]] = {}
        qs = self.scope.get("query_string", b"")
        if qs and b"%" not in qs and b"+" not in qs and qs.isascii():
            # Plain ASCII without escapes (most requests): split directly.
            for pair in qs.decode("ascii").split("&"):
                if pair:
                    key, _, value = pair.partition("=")
                    if key in lists:
                        lists[key].append(value)
                    else:
                        lists[key] = [value]
            if len(lists) > 2000:
                from bolt.exceptions import BadRequest

                raise BadRequest(detail="Too many query parameters")
        elif qs:
            try:
                pairs = parse_qsl(
                    qs.decode("latin-1"),
                    keep_blank_values=True,
                    max_num_fields=2000,
                    encoding="utf-8",
                    errors="strict",
                )
            except (ValueError, UnicodeDecodeError):
                from bolt.exceptions import BadRequest

                raise BadRequest(detail="Malformed query string") from None
            for k, v in pairs:
                lists.setdefault(k, []).append(v)
        self._query_lists = lists
        return lists

    @property
    def query(self) -> dict[str, str]:
        """Query parameters, last value of each name; parsed on first use, then kept.

        Query parameter extractors (``bolt.binding``) read it too, so there is one parser.
        Plain ASCII query strings without escapes (most requests) are split directly,
        without building ``query_list``'s lists.
        """
        # hot path
        query = self._query
        if query is not None:
            return query
        qs = self.scope.get("query_string", b"")
        if b"%" not in qs and b"+" not in qs and qs.isascii() and qs.count(b"&") < 2000:
            query = {}
            for pair in qs.decode("ascii").split("&"):
                if pair:
                    key, _, value = pair.partition("=")
                    query[key] = value
        else:
            lists = self._query_lists
            if lists is None:
                lists = self._parse_query()
            query = {k: v[-1] for k, v in lists.items()}
        self._query = query
        return query

    def query_list(self, name: str) -> list[str]:
        """Every value of a repeated query parameter (``?tag=a&tag=b``)."""
        lists = self._query_lists
        if lists is None:
            lists = self._parse_query()
        return lists.get(name, [])

    @property
    def cookies(self) -> dict[str, str]:
        cookies = self._cookies
        if cookies is None:
            cookies = {}
            raw = self.headers.get("cookie")
            if raw:
                for chunk in raw.split(";"):
                    name, sep, value = chunk.partition("=")
                    if sep:
                        value = value.strip()
                        if len(value) > 1 and value[0] == value[-1] == '"':
                            value = value[1:-1]
                        cookies[name.strip()] = value
            self._cookies = cookies
        return cookies

    @property
    def state(self) -> dict[str, Any]:
        """Per-request scratch space for middleware and dependencies."""
        if self._state is None:
            self._state = {}
        return self._state

    @property
    def context(self) -> dict[str, Any]:
        """Alias of ``auth`` for code written against other frameworks' naming."""
        return self.auth or {}

    # --- Django user ----------------------------------------------------------------------
    @property
    def user(self) -> Any:
        """The Django user of this request, loaded once (``AnonymousUser`` when anonymous).

        Loading touches the database; in ``async`` handlers prefer ``await request.auser()``.
        """
        if self._user is None:
            loader = self.user_loader
            if loader is not None:
                self._user = loader.load(self)
            elif hasattr(self.django_request, "user"):
                # Django's AuthenticationMiddleware ran on this route: its lazy user.
                self._user = self.django_request.user
            else:
                from django.contrib.auth.models import AnonymousUser

                self._user = AnonymousUser()
        return self._user

    async def auser(self) -> Any:
        """Async variant of ``user``."""
        if self._user is None:
            loader = self.user_loader
            if loader is not None:
                self._user = await loader.aload(self)
            elif hasattr(self.django_request, "auser"):
                self._user = await self.django_request.auser()
            else:
                from django.contrib.auth.models import AnonymousUser

                self._user = AnonymousUser()
        return self._user

    @property
    def session(self) -> Any:
        """The Django session, on routes that run Django's ``SessionMiddleware``
        (``django_middleware=``); an ``AttributeError`` that says so elsewhere."""
        session = getattr(self.django_request, "session", None)
        if session is None:
            raise AttributeError(
                "request.session needs Django's SessionMiddleware on this route "
                "(django_middleware=True or a list naming it)"
            )
        return session

    @property
    def language(self) -> str | None:
        """The request's language: what Django's ``LocaleMiddleware`` chose on routes that
        run it, else the active translation (``settings.LANGUAGE_CODE`` by default)."""
        code = getattr(self.django_request, "LANGUAGE_CODE", None)
        if code is None:
            from django.utils.translation import get_language

            code = get_language()
        return None if code is None else str(code)

    def json(self) -> Any:
        """The body decoded as JSON (``BadRequest`` if it is not)."""
        import msgspec

        from bolt.exceptions import BadRequest

        try:
            return msgspec.json.decode(self.body)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            raise BadRequest(detail="Malformed JSON body") from None

    @property
    def data(self) -> Any:
        """The body parsed by its media type, as DRF's ``request.data``: the JSON object or
        array for JSON, a dict for urlencoded and multipart forms (each field's last value,
        uploads as ``UploadFile``), ``{}`` without a body (and on GET, HEAD, OPTIONS, whose
        bodies are never read).

        Parsed on first use, then kept; routes that never ask never parse. Malformed is a
        400, an oversized form a 413 (the form bounds hold), another media type a 415.
        Typed parameters (``data: Struct``) validate as well; prefer them where the shape is
        known. Middleware can read it only after ``next_handler`` returns, once the body is
        read.
        """
        data = self._data
        if data is _UNPARSED:
            from bolt.bodies import body_data

            data = self._data = body_data(self)
        return data

    def add_response_header(self, name: str, value: str) -> None:
        """Send ``name: value`` with this request's response, whichever it turns out to be
        (the handler's, an error, a refusal). It replaces a header of the same name the
        response sets itself, except ``Vary``, whose values are merged, and ``Set-Cookie``,
        which adds a cookie. ``Content-Length`` belongs to the kernel and is refused."""
        lowered = name.lower()
        if lowered == "content-length":
            raise ValueError("Content-Length is set by the kernel from the body")
        if lowered == "content-type":
            self._exact_headers = True
        extra = self.response_headers
        if extra is None:
            extra = self.response_headers = []
        extra.append((lowered.encode("latin-1"), _header_value(value)))

    def add_cleanup(self, func: Any) -> None:
        """Run ``func()`` (sync or async) after the response is sent."""
        if self._cleanups is None:
            self._cleanups = []
        self._cleanups.append(func)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path}>"
