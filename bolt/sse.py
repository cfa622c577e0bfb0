"""Server-Sent Events: ``EventSourceResponse``, ``ServerSentEvent`` and ``format_sse_event``.

Import them from ``bolt`` or ``bolt.responses``. A handler returns
``EventSourceResponse(generator)``; each item the generator yields becomes one event:

- a ``ServerSentEvent`` is sent with its fields (``event``, ``id``, ``retry``, comment);
- a ``str`` is the event's data;
- ``bytes`` are data too (decoded as UTF-8);
- anything else (dict, list, Struct, number…) is encoded as JSON and sent as data.

Data containing line breaks is split into one ``data:`` line per line, which browsers join
again with ``\\n``. While the generator has nothing to send, a ``: ping`` comment goes out
every ``ping`` seconds so proxies and browsers keep the connection open.

The client leaving is noticed at once (the server keeps accepting ``send`` after a
disconnect, so the response listens for ``http.disconnect`` itself): an async generator is
cancelled where it waits and closed, so its ``finally`` blocks run; a sync generator, which
runs in a worker thread and cannot be interrupted, is closed as soon as its current step
returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterable, Iterable, Mapping
from typing import Any

from bolt.responses import StreamingResponse, json_encode

__all__ = ["EventSourceResponse", "ServerSentEvent", "format_sse_event"]

log = logging.getLogger("bolt")

PING = b": ping\n\n"
_DONE = object()
_BREAKS = ("\r", "\n")


def _lines(text: str) -> list[str]:
    """``text`` split at the line breaks of the event-stream format (CRLF, CR, LF) only."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _data_text(data: Any) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data).decode("utf-8", "replace")
    return json_encode(data).decode()


def format_sse_event(
    data: Any = None,
    *,
    event: str | None = None,
    id: str | int | None = None,
    retry: int | None = None,
    comment: str | None = None,
) -> bytes:
    """One event in the ``text/event-stream`` format, ending with the blank line.

    ``data`` may be ``str``, ``bytes`` or anything JSON-encodable; ``None`` sends no data
    line (a comment-only or ``retry``-only block, which browsers do not dispatch). ``event``
    and ``id`` must not contain line breaks (they could start a forged event) and ``id`` no
    NUL: a ``ValueError`` says so. ``retry`` is the reconnection delay in milliseconds.
    """
    parts: list[str] = []
    if comment is not None:
        parts.extend(f": {line}\n" if line else ":\n" for line in _lines(comment))
    if event is not None:
        _check_field("event", event)
        parts.append(f"event: {event}\n")
    if id is not None:
        text = str(id)
        _check_field("id", text)
        if "\x00" in text:
            raise ValueError("An SSE event id must not contain NUL")
        parts.append(f"id: {text}\n")
    if retry is not None:
        if type(retry) is not int or retry < 0:
            raise ValueError(f"SSE retry must be a non-negative int (milliseconds), not {retry!r}")
        parts.append(f"retry: {retry}\n")
    if data is not None:
        parts.extend(f"data: {line}\n" for line in _lines(_data_text(data)))
    parts.append("\n")
    return "".join(parts).encode()


def _check_field(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"The SSE {name} field must not contain line breaks: {value!r}")


class ServerSentEvent:
    """One event with its optional fields; yield it from an ``EventSourceResponse``'s
    generator when plain data is not enough.

    ``data`` as in ``format_sse_event``; ``event`` the type a browser's
    ``addEventListener(type, ...)`` listens for (``"message"`` when absent); ``id`` what
    the browser sends back as ``Last-Event-ID`` when it reconnects; ``retry`` the
    reconnection delay in milliseconds; ``comment`` a line browsers ignore. The fields are
    checked here, so a bad ``id`` fails where it is written.
    """

    __slots__ = ("comment", "data", "event", "id", "retry")

    def __init__(
        self,
        data: Any = None,
        *,
        event: str | None = None,
        id: str | int | None = None,
        retry: int | None = None,
        comment: str | None = None,
    ) -> None:
        self.data = data
        self.event = event
        self.id = id
        self.retry = retry
        self.comment = comment
        self.encode()  # refuse bad fields now, not in the middle of a stream

    def encode(self) -> bytes:
        """The event in the wire format."""
        return format_sse_event(
            self.data, event=self.event, id=self.id, retry=self.retry, comment=self.comment
        )

    def json(self) -> Any:
        """``data`` decoded as JSON (for events read back by a test client)."""
        import msgspec

        return msgspec.json.decode(self.data if isinstance(self.data, str | bytes) else b"")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{f}={getattr(self, f)!r}" for f in self.__slots__ if getattr(self, f) is not None
        )
        return f"ServerSentEvent({fields})"


class EventSourceResponse(StreamingResponse):
    """A ``text/event-stream`` response fed by an async or sync generator.

    ``ping`` is the keep-alive interval in seconds (``None`` or ``0``: none): when the
    generator has not produced an event for that long, a ``: ping`` comment is sent.
    ``Cache-Control: no-cache`` and ``X-Accel-Buffering: no`` (nginx would otherwise buffer
    the stream) are set unless ``headers`` give them. The compression plugin leaves these
    responses alone unless the route asks for it.

    An exception raised by the generator is logged and ends the stream (the browser
    reconnects, sending the last ``id`` it saw as ``Last-Event-ID``); the handler reads
    that header as ``request.headers.get("last-event-id")``.
    """

    __slots__ = ("ping",)
    default_media_type = "text/event-stream"

    def __init__(
        self,
        content: AsyncIterable[Any] | Iterable[Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        *,
        ping: float | None = 15,
        media_type: str | None = None,
    ) -> None:
        super().__init__(content, status_code, headers, media_type or "text/event-stream")
        if ping is not None and ping < 0:
            raise ValueError("ping must be a number of seconds >= 0, or None")
        self.ping = ping or None
        self.headers.setdefault("cache-control", "no-cache")
        self.headers.setdefault("x-accel-buffering", "no")

    async def _stream(self, send: Any) -> None:
        """Send events as the generator yields them (a ping task fills quiet spells); close
        the generator however this ends (finished, failed, or cancelled by a disconnect).
        ``StreamingResponse.__call__`` runs it beside its disconnect watcher."""
        source = self.iterator
        items = source if hasattr(source, "__aiter__") else self._sync_items()
        loop = asyncio.get_running_loop()
        last = [loop.time()]  # when something was last sent, read by the ping task
        pinger = asyncio.ensure_future(self._pinger(send, last)) if self.ping else None
        try:
            async for item in items:
                body = item.encode() if type(item) is ServerSentEvent else format_sse_event(item)
                last[0] = loop.time()
                await send({"type": "http.response.body", "body": body, "more_body": True})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Event stream generator failed; ending the stream")
        finally:
            if pinger is not None:
                pinger.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pinger
            await self._close()
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _pinger(self, send: Any, last: list[float]) -> None:
        loop = asyncio.get_running_loop()
        interval: float = self.ping  # type: ignore[assignment]
        while True:
            wait = last[0] + interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            last[0] = loop.time()
            await send({"type": "http.response.body", "body": PING, "more_body": True})

    async def _sync_items(self) -> Any:
        """The sync iterator's items, each step run in a worker thread. If the stream ends
        while a step runs (the thread cannot be interrupted), the generator is closed when
        that step returns."""
        loop = asyncio.get_running_loop()
        iterator = iter(self.iterator)  # type: ignore[arg-type]
        while True:
            step = loop.run_in_executor(None, next, iterator, _DONE)
            try:
                item = await asyncio.shield(step)
            except BaseException:
                if not step.done():
                    step.add_done_callback(lambda _: loop.run_in_executor(None, self._close_sync))
                    self.iterator = ()  # closed by the callback, not by _close
                raise
            if item is _DONE:
                return
            yield item

    async def _close(self) -> None:
        source = self.iterator
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
        elif getattr(source, "close", None) is not None:
            # A sync generator's ``finally`` may block: run it in a thread.
            await asyncio.get_running_loop().run_in_executor(None, self._close_sync)

    def _close_sync(self) -> None:
        close = getattr(self.iterator, "close", None)
        if close is not None:
            try:
                close()
            except Exception:
                log.exception("Closing an event stream generator failed")
