"""Response classes. Each is an ASGI callable: ``await response(scope, receive, send)``.

Handlers may also return plain values (dict, list, Struct, str, bytes, None, or a
``(status, body[, headers])`` tuple); the kernel turns those into these classes. User-supplied
header values never split a response: CR, LF and NUL are replaced by spaces.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import os
import stat
from collections.abc import AsyncIterable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

import msgspec

from bolt.exceptions import NotFound

__all__ = [
    "HTML",
    "JSON",
    "EventSourceResponse",
    "File",
    "FileResponse",
    "HTMLResponse",
    "JSONResponse",
    "PlainText",
    "PlainTextResponse",
    "RawHeaders",
    "Redirect",
    "RedirectResponse",
    "Response",
    "ServerSentEvent",
    "StreamingResponse",
    "add_response_headers",
    "format_sse_event",
    "json_encode",
    "merge_vary",
    "register_json_type",
]

_JSON_TYPES: dict[type, Any] = {}


def register_json_type(type_: type, convert: Any) -> None:
    """Teach the JSON encoder a type: ``convert(obj)`` must return something encodable."""
    _JSON_TYPES[type_] = convert


def _enc_hook(obj: Any) -> Any:
    for klass in type(obj).__mro__:
        convert = _JSON_TYPES.get(klass)
        if convert is not None:
            return convert(obj)
    from django.utils.functional import Promise

    if isinstance(obj, Promise):  # lazy translation strings
        return str(obj)
    raise TypeError(f"Cannot encode {type(obj).__name__} as JSON")


_encoder = msgspec.json.Encoder(enc_hook=_enc_hook, decimal_format="number")
json_encode = _encoder.encode

_CTRL = {ord("\r"): " ", ord("\n"): " ", 0: " "}
_JSON_TYPE = (b"content-type", b"application/json")


def _header_value(value: Any) -> bytes:
    text = str(value)
    if "\r" in text or "\n" in text or "\x00" in text:
        text = text.translate(_CTRL)
    return text.encode("latin-1", errors="replace")


def content_disposition(disposition: str, filename: str) -> str:
    """A safe ``Content-Disposition`` value (RFC 6266) for any ``filename``."""
    name = os.path.basename(filename.replace("\\", "/")).translate(_CTRL) or "download"
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace('"', "'")
    ascii_name = ascii_name.replace("?", "_")
    if ascii_name == name:
        return f'{disposition}; filename="{name}"'
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def merge_vary(current: str, added: str) -> str:
    """``current`` with the names of ``added`` appended unless already listed (or ``*``)."""
    present = {part.strip().lower() for part in current.split(",")}
    if "*" in present:
        return current
    extra = [
        name.strip()
        for name in added.split(",")
        if name.strip() and name.strip().lower() not in present
    ]
    return ", ".join([current, *extra]) if extra else current


RawHeaders = list[tuple[bytes, bytes]]


def add_response_headers(response: Response, extra: RawHeaders) -> None:
    """Put headers that middleware collected for the request into ``response.headers``.

    They replace the response's own value of the same name, except ``Vary``, whose lists
    are merged (a handler's ``Vary: Accept`` and the CORS step's ``Vary: Origin`` both hold),
    and ``Set-Cookie``, which is added to the response's cookies. A name the steps gave
    twice keeps both values (comma-joined, as HTTP allows for repeated fields).
    The kernel sends ``extra`` without this step when nothing can clash (the common case);
    this is the exact path for the rest.
    """
    headers = response.headers
    seen: set[str] = set()
    for raw_name, raw_value in extra:
        name = raw_name.decode("latin-1")
        value = raw_value.decode("latin-1")
        if name == "set-cookie":
            if response.cookies is None:
                response.cookies = []
            response.cookies.append(value)
        elif name == "vary" and "vary" in headers:
            headers["vary"] = merge_vary(headers["vary"], value)
        elif name in seen:
            headers[name] = f"{headers[name]}, {value}"
        else:
            headers[name] = value
        seen.add(name)


class Response:
    """A complete response held in memory.

    ``content`` may be bytes, str, or anything JSON-encodable (then the media type defaults
    to ``application/json``). ``headers`` are set on the response; ``set_cookie`` adds
    ``Set-Cookie`` lines.

    Public for middleware (stable API): ``status_code``, ``headers`` (lower-case names,
    mutable), ``body`` (bytes, when ``in_memory``), ``media_type`` and ``in_memory``. For a
    HEAD request the kernel drops the body when sending; middleware sees the GET body.
    """

    __slots__ = ("body", "cookies", "headers", "media_type", "status_code")
    default_media_type: str | None = None
    # Public for middleware: ``True`` when ``body`` holds the whole body (hash it, replace
    # it); ``False`` for responses that stream (``StreamingResponse``, ``FileResponse``),
    # whose ``body`` is ``b""``. A class attribute, so it costs nothing per response.
    in_memory: bool = True

    def __init__(
        self,
        content: Any = b"",
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers: dict[str, str] = {k.lower(): v for k, v in headers.items()} if headers else {}
        self.cookies: list[str] | None = None
        self.media_type = media_type or self.default_media_type
        self.body = self.render(content)

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        if isinstance(content, str):
            if self.media_type is None:
                self.media_type = "text/plain"
            return content.encode()
        if content is None:
            return b""
        if self.media_type is None:
            self.media_type = "application/json"
        return json_encode(content)

    def set_cookie(
        self,
        key: str,
        value: str = "",
        *,
        max_age: int | None = None,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = True,
        samesite: str | None = "lax",
    ) -> None:
        """Add a ``Set-Cookie`` header; ``value`` is quoted as cookies require."""
        parts = [f"{key}={quote(value, safe='')}", f"Path={path}"]
        if max_age is not None:
            parts.append(f"Max-Age={int(max_age)}")
        if domain:
            parts.append(f"Domain={domain}")
        if secure:
            parts.append("Secure")
        if httponly:
            parts.append("HttpOnly")
        if samesite:
            parts.append(f"SameSite={samesite}")
        if self.cookies is None:
            self.cookies = []
        self.cookies.append("; ".join(parts))

    def raw_headers(self, content_length: int | None) -> list[tuple[bytes, bytes]]:
        # hot path: middleware (CORS, rate limits) adds a few headers to most responses, so
        # the general case is written out inline too, one C call per check.
        media_type = self.media_type
        headers = self.headers
        out: list[tuple[bytes, bytes]]
        if media_type == "application/json" and "content-type" not in headers:
            out = [_JSON_TYPE]
        elif media_type is not None and "content-type" not in headers:
            if media_type.startswith("text/") and "charset" not in media_type:
                media_type += "; charset=utf-8"
            out = [(b"content-type", media_type.encode("latin-1"))]
        else:
            out = []
        if content_length is not None:
            out.append((b"content-length", str(content_length).encode()))
        if headers:
            for name, value in headers.items():
                if type(value) is not str:
                    value = str(value)
                if not value.isprintable():  # CR, LF, NUL (and tab: harmless, same path)
                    value = value.translate(_CTRL)
                if name != "content-length":
                    out.append((name.encode("latin-1"), value.encode("latin-1", "replace")))
        if self.cookies:
            out.extend((b"set-cookie", _header_value(c)) for c in self.cookies)
        return out

    def messages(
        self, method: str, extra: RawHeaders | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The ``http.response.start`` and ``http.response.body`` messages; ``extra`` raw
        headers are appended as they are (the kernel's middleware headers)."""
        # hot path: the kernel sends these itself, without a coroutine for __call__
        body = self.body
        status = self.status_code
        no_body = status == 204 or status == 304 or status < 200
        headers = self.raw_headers(None if no_body else len(body))
        if extra is not None:
            headers += extra
        if no_body or method == "HEAD":
            body = b""
        return (
            {"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body},
        )

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        start, body = self.messages(scope["method"])
        await send(start)
        await send(body)


class JSONResponse(Response):
    """``content`` encoded as JSON (msgspec; Structs, dataclasses, datetimes, UUIDs…)."""

    __slots__ = ()
    default_media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_encode(content)


def _json_response(content: Any, status_code: int) -> JSONResponse:
    """``JSONResponse(content, status_code)`` without ``__init__``'s type dispatch.

    The kernel's answer for a handler returning a dict or list (``bolt.compile``); it sets
    every slot ``Response.__init__`` sets, so the two cannot be told apart. Kept beside the
    class so a new slot is added to both.
    """
    # hot path
    response = JSONResponse.__new__(JSONResponse)
    response.body = json_encode(content)
    response.status_code = status_code
    response.headers = {}
    response.cookies = None
    response.media_type = "application/json"
    return response


class PlainTextResponse(Response):
    __slots__ = ()
    default_media_type = "text/plain"


class HTMLResponse(Response):
    __slots__ = ()
    default_media_type = "text/html"


class RedirectResponse(Response):
    """Redirect to ``url`` (307 by default, which keeps the method and body)."""

    __slots__ = ()

    def __init__(
        self, url: str, status_code: int = 307, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(b"", status_code, headers)
        self.headers["location"] = quote(str(url), safe=":/%#?=@[]!$&'()*+,;~-._")


async def _wait_disconnect(receive: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


class StreamingResponse(Response):
    """Send chunks from an async or sync iterator as they are produced.

    The stream stops, and an async generator is closed, as soon as the client disconnects:
    the server keeps accepting ``send`` after a disconnect, so Bolt listens for it.
    Sync iterators are advanced in a worker thread so they never block the event loop.
    """

    __slots__ = ("iterator",)
    in_memory = False

    def __init__(
        self,
        content: AsyncIterable[Any] | Iterable[Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        super().__init__(b"", status_code, headers, media_type or "application/octet-stream")
        self.iterator = content

    async def _chunks(self) -> Any:
        iterator = self.iterator
        if hasattr(iterator, "__aiter__"):
            async for chunk in iterator:
                yield chunk
            return
        it = iter(iterator)
        loop = asyncio.get_running_loop()
        done = object()
        while True:
            chunk = await loop.run_in_executor(None, next, it, done)
            if chunk is done:
                return
            yield chunk

    async def _stream(self, send: Any) -> None:
        async for chunk in self._chunks():
            if isinstance(chunk, str):
                chunk = chunk.encode()
            elif not isinstance(chunk, bytes | bytearray | memoryview):
                chunk = json_encode(chunk)
            await send({"type": "http.response.body", "body": bytes(chunk), "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _close(self) -> None:
        iterator = self.iterator
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
        close = getattr(iterator, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self.raw_headers(None),
            }
        )
        if scope["method"] == "HEAD":
            await self._close()
            await send({"type": "http.response.body", "body": b""})
            return
        streamer = asyncio.ensure_future(self._stream(send))
        watcher = asyncio.ensure_future(_wait_disconnect(receive))
        try:
            await asyncio.wait({streamer, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (streamer, watcher):
                if not task.done():
                    task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            try:
                await streamer
            except asyncio.CancelledError:
                pass
            finally:
                await self._close()


def allowed_file(path: str | os.PathLike[str]) -> str:
    """Resolve ``path`` and check it lies under ``BOLT_ALLOWED_FILE_PATHS``; 404 otherwise."""
    from bolt.conf import get_settings

    text = os.fspath(path)
    if "\x00" in text:
        raise NotFound(detail="File not found")
    roots = get_settings().ALLOWED_FILE_PATHS
    if not roots:
        import logging

        logging.getLogger("bolt").error(
            "FileResponse refused %r: set BOLT_ALLOWED_FILE_PATHS to the directories "
            "files may be served from",
            text,
        )
        raise NotFound(detail="File not found")
    real = os.path.realpath(text)
    for root in roots:
        base = os.path.realpath(root)
        if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
            return real
    raise NotFound(detail="File not found")


class FileResponse(Response):
    """Stream a file from disk in chunks, never reading it whole.

    Only files under ``BOLT_ALLOWED_FILE_PATHS`` are served (anything else, including ``..``
    and symlinks leaving those directories, is a 404). ``filename`` sets an attachment
    ``Content-Disposition`` (``content_disposition_type="inline"`` to display). A single
    ``Range: bytes=a-b`` is honoured with 206; several ranges get the whole file.
    """

    __slots__ = ("chunk_size", "file_path", "file_size")
    in_memory = False

    def __init__(
        self,
        path: str | os.PathLike[str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        filename: str | None = None,
        content_disposition_type: str = "attachment",
    ) -> None:
        real = allowed_file(path)
        try:
            info = os.stat(real)
        except OSError:
            raise NotFound(detail="File not found") from None
        if not stat.S_ISREG(info.st_mode):
            raise NotFound(detail="File not found")
        if media_type is None:
            media_type = mimetypes.guess_type(filename or real)[0] or "application/octet-stream"
        super().__init__(b"", status_code, headers, media_type)
        self.file_path = real
        self.file_size = info.st_size
        from bolt.conf import get_settings

        self.chunk_size = get_settings().FILE_CHUNK_SIZE
        if filename is not None and "content-disposition" not in self.headers:
            self.headers["content-disposition"] = content_disposition(
                content_disposition_type, filename
            )
        self.headers.setdefault("accept-ranges", "bytes")

    def _range(self, scope: dict[str, Any]) -> tuple[int, int] | bool | None:
        """``(start, end)`` for one satisfiable range, ``None`` for the whole file, ``False``
        for an unsatisfiable one."""
        for name, value in scope.get("headers", ()):
            if name.lower() == b"range":
                spec = value.decode("latin-1").strip()
                break
        else:
            return None
        if not spec.startswith("bytes=") or "," in spec:
            return None
        first, sep, last = spec[6:].strip().partition("-")
        size = self.file_size
        try:
            if not sep:
                return None
            if first == "":
                length = int(last)
                if length <= 0:
                    return False
                return max(0, size - length), size - 1
            start = int(first)
            end = int(last) if last else size - 1
        except ValueError:
            return None
        if start >= size or start > end or start < 0:
            return False
        return start, min(end, size - 1)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        byte_range = self._range(scope)
        start, end, status = 0, self.file_size - 1, self.status_code
        if byte_range is False:
            self.headers["content-range"] = f"bytes */{self.file_size}"
            self.media_type = "application/json"
            body = json_encode({"detail": "Requested range not satisfiable"})
            await send(
                {
                    "type": "http.response.start",
                    "status": 416,
                    "headers": self.raw_headers(len(body)),
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if isinstance(byte_range, tuple):
            start, end = byte_range
            status = 206
            self.headers["content-range"] = f"bytes {start}-{end}/{self.file_size}"
        length = max(0, end - start + 1)
        await send(
            {"type": "http.response.start", "status": status, "headers": self.raw_headers(length)}
        )
        if scope["method"] == "HEAD" or length == 0:
            await send({"type": "http.response.body", "body": b""})
            return
        streamer = asyncio.ensure_future(self._stream(send, start, length))
        watcher = asyncio.ensure_future(_wait_disconnect(receive))
        try:
            await asyncio.wait({streamer, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (streamer, watcher):
                if not task.done():
                    task.cancel()
            for task in (streamer, watcher):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _stream(self, send: Any, start: int, length: int) -> None:
        loop = asyncio.get_running_loop()
        with open(self.file_path, "rb") as handle:  # noqa: ASYNC230 - reads happen in a thread
            handle.seek(start)
            remaining = length
            while remaining > 0:
                chunk = await loop.run_in_executor(
                    None, handle.read, min(self.chunk_size, remaining)
                )
                if not chunk:
                    break
                remaining -= len(chunk)
                await send(
                    {"type": "http.response.body", "body": chunk, "more_body": remaining > 0}
                )
        if remaining > 0:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


# Short names that code written for other frameworks (django-bolt) imports: the same classes.
JSON = JSONResponse
HTML = HTMLResponse
PlainText = PlainTextResponse
Redirect = RedirectResponse
File = FileResponse

# Server-Sent Events live in their own module; importable from here as from ``bolt``.
from bolt.sse import EventSourceResponse, ServerSentEvent, format_sse_event  # noqa: E402
