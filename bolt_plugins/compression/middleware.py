"""The compression step: compress a route's response for the coding the client prefers.

Everything that depends only on the route (codings offered, minimum size, whether event
streams and partial responses may be compressed) is fixed when the route compiles; per
request the step reads ``Accept-Encoding`` (choices are cached by header value) and looks at
the response.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bolt.pipeline import Handler
from bolt.request import Request
from bolt.responses import Response, merge_vary
from bolt_plugins.compression.codecs import Codec, choose

__all__ = ["CompressionPolicy", "make_compression_wrap"]

# Bodies at least this big are compressed in a worker thread, off the event loop.
THREAD_THRESHOLD = 64 * 1024
_CACHE_LIMIT = 512
_NO_BODY = frozenset({204, 304})


class CompressionPolicy:
    """What one route compresses; built once per route."""

    __slots__ = (
        "codecs",
        "event_streams",
        "exact",
        "min_size",
        "offered",
        "partial",
        "prefixes",
        "suffixes",
    )

    def __init__(
        self,
        codecs: dict[str, Codec],
        min_size: int,
        content_types: list[str],
        event_streams: bool,
        partial: bool,
    ) -> None:
        self.codecs = codecs
        self.offered = tuple(codecs)
        self.min_size = min_size
        self.event_streams = event_streams
        self.partial = partial
        types = [t.strip().lower() for t in content_types if t.strip()]
        self.prefixes = tuple(t for t in types if t.endswith("/"))
        self.suffixes = tuple(t for t in types if t.startswith("+"))
        self.exact = frozenset(t for t in types if not t.endswith("/") and not t.startswith("+"))

    def compressible(self, content_type: str | None) -> bool:
        if not content_type:
            return False
        media = content_type.partition(";")[0].strip().lower()
        if media == "text/event-stream":
            return self.event_streams
        return (
            media in self.exact
            or media.startswith(self.prefixes)
            or (bool(self.suffixes) and media.endswith(self.suffixes))
        )


def _accept_encoding(request: Request) -> bytes | None:
    found: bytes | None = None
    for name, value in request.scope["headers"]:
        if name == b"accept-encoding":
            found = value if found is None else found + b"," + value
    return found


def _weak(etag: str) -> str:
    return etag if etag.startswith("W/") else f"W/{etag}"


def make_compression_wrap(policy: CompressionPolicy) -> Any:
    """``wrap(next_handler)`` for the route's ``Middleware``."""
    cache: dict[bytes, str | None] = {}
    offered = policy.offered

    def coding_for(request: Request) -> str | None:
        header = _accept_encoding(request)
        if not header:
            return None
        coding = cache.get(header, False)
        if coding is False:
            coding = choose(header, offered)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()  # bounded: invented header values cannot grow it
            cache[header] = coding
        return coding  # type: ignore[return-value]

    def wrap(handler: Handler) -> Handler:
        async def compressed(request: Request) -> Response:
            # hot path
            response = await handler(request)
            status = response.status_code
            if status < 200 or status in _NO_BODY or request.scope["method"] == "HEAD":
                return response
            headers = response.headers
            if "content-encoding" in headers:
                return response
            if status == 206 and not policy.partial:
                return response
            if not policy.compressible(headers.get("content-type") or response.media_type):
                return response
            if "no-transform" in headers.get("cache-control", ""):
                return response
            if response.in_memory:
                body = response.body
                if len(body) < policy.min_size:
                    return response
                _vary(headers)
                coding = coding_for(request)
                if coding is None:
                    return response
                codec = policy.codecs[coding]
                if len(body) >= THREAD_THRESHOLD:
                    loop = asyncio.get_running_loop()
                    response.body = await loop.run_in_executor(None, codec.compress, body)
                else:
                    response.body = codec.compress(body)
                headers["content-encoding"] = coding
                if "etag" in headers:
                    headers["etag"] = _weak(headers["etag"])
                return response
            _vary(headers)
            coding = coding_for(request)
            if coding is None:
                return response
            if "etag" in headers:
                headers["etag"] = _weak(headers["etag"])
            return CompressedStream(response, policy.codecs[coding], policy.partial)

        return compressed

    return wrap


def _vary(headers: dict[str, str]) -> None:
    current = headers.get("vary")
    headers["vary"] = merge_vary(current, "Accept-Encoding") if current else "Accept-Encoding"


class CompressedStream(Response):
    """A streaming response whose body chunks are compressed (and flushed) as they pass.

    It shares ``headers`` with the response it wraps, so headers added later (CORS,
    rate limits) reach the wrapped response's start message. If that response turns out to
    be partial (206) or bodiless, it is sent unchanged.
    """

    __slots__ = ("codec", "inner", "partial")
    in_memory = False

    def __init__(self, inner: Response, codec: Codec, partial: bool) -> None:
        self.inner = inner
        self.codec = codec
        self.partial = partial
        self.status_code = inner.status_code
        self.headers = inner.headers
        self.cookies = inner.cookies
        self.media_type = inner.media_type
        self.body = b""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        inner = self.inner
        inner.cookies = self.cookies
        inner.status_code = self.status_code
        encoder: Any = None
        name = self.codec.name.encode()

        async def compressing_send(message: dict[str, Any]) -> None:
            nonlocal encoder
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                if status >= 200 and status not in _NO_BODY and (status != 206 or self.partial):
                    encoder = self.codec.stream()
                    message = dict(message)
                    message["headers"] = [
                        (k, v) for k, v in message.get("headers", ()) if k != b"content-length"
                    ]
                    message["headers"].append((b"content-encoding", name))
                await send(message)
                return
            if kind == "http.response.body" and encoder is not None:
                data = message.get("body", b"")
                if message.get("more_body", False):
                    if not data:
                        return
                    out = encoder.chunk(data)
                else:
                    out = (encoder.chunk(data) if data else b"") + encoder.finish()
                    encoder = None
                message = {
                    "type": "http.response.body",
                    "body": out,
                    "more_body": message.get("more_body", False),
                }
            await send(message)

        await inner(scope, receive, compressing_send)
