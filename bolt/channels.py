"""Broadcast groups: ``await api.channels.publish(group, message)`` reaches every subscriber.

::

    async with api.channels.subscribe("room:42") as sub:
        async for message in sub:
            await ws.send_json(message)

Messages are anything msgspec encodes as JSON; subscribers receive the decoded value
(``dict``, ``list``, ``str``...), the same with either backend.

Backends (``BOLT_CHANNELS_BACKEND``):

- ``"memory"`` (default): subscribers of this process only. Right for one worker and tests.
- ``"redis://host:6379/0"``: Redis pub/sub, so a message published by any Granian worker on
  any host reaches the subscribers of all of them. Each process keeps one publishing client
  and one subscribing connection, whatever the number of groups and subscribers. When
  Redis goes away the subscribing connection is retried (backoff up to 2 s) and every group
  is subscribed again when it returns; messages published meanwhile are lost (pub/sub keeps
  nothing). ``publish`` while Redis is unreachable raises ``ChannelsUnavailable`` at once.

Each subscription buffers at most ``max_queue`` messages (default 1000). A subscriber that
falls further behind loses the oldest (``subscription.dropped`` counts them) rather than
letting one slow client grow the process's memory without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import msgspec

from bolt.responses import json_encode

__all__ = ["Channels", "ChannelsUnavailable", "Subscription"]

log = logging.getLogger("bolt")
_decode = msgspec.json.decode
_URL_PASSWORD = re.compile(r"(?<=://)([^/@:]*):[^/@]*@")
_CONTROL = "\x00bolt-control"  # always subscribed, so the connection has a subscription


class ChannelsUnavailable(Exception):
    """The channel backend (Redis) cannot be reached; the message was not published."""


class Subscription:
    """Messages of one group for one subscriber: ``async for message in sub`` or
    ``await sub.get(timeout)``."""

    __slots__ = ("dropped", "group", "queue")

    def __init__(self, group: str, max_queue: int) -> None:
        self.group = group
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(max_queue)
        self.dropped = 0

    def _put(self, data: bytes) -> None:
        queue = self.queue
        try:
            queue.put_nowait(data)
        except asyncio.QueueFull:
            queue.get_nowait()  # the oldest goes: a slow reader cannot grow memory
            self.dropped += 1
            queue.put_nowait(data)

    async def get(self, timeout: float | None = None) -> Any:
        """The next message, decoded (``TimeoutError`` after ``timeout`` seconds)."""
        if timeout is None:
            return _decode(await self.queue.get())
        async with asyncio.timeout(timeout):
            return _decode(await self.queue.get())

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Any:
        return _decode(await self.queue.get())


class Channels:
    """The broadcast groups of one process (``api.channels``)."""

    def __init__(self, backend: str = "memory", *, max_queue: int = 1000, prefix: str = "bolt:ch:"):
        if backend != "memory" and not backend.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                f"BOLT_CHANNELS_BACKEND must be 'memory' or a redis:// URL, not {backend!r}"
            )
        self.backend = backend
        self.max_queue = max_queue
        self.prefix = prefix
        self._groups: dict[str, set[Subscription]] = {}
        self._redis: Any = None
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._confirmed: dict[str, asyncio.Event] = {}
        self._closed = False
        self._down = False  # the listener lost Redis and has not reconnected yet

    @property
    def is_redis(self) -> bool:
        return self.backend != "memory"

    def _where(self) -> str:
        return _URL_PASSWORD.sub(r"\1:********@", self.backend)

    # --- publishing ---------------------------------------------------------------------
    async def publish(self, group: str, message: Any) -> None:
        """Send ``message`` to every subscriber of ``group`` (in all processes with Redis)."""
        data = json_encode(message)
        if not self.is_redis:
            self._deliver(group, data)
            return
        client = self._client()
        try:
            await client.publish(self.prefix + group, data)
        except Exception as exc:
            raise ChannelsUnavailable(
                f"Cannot publish to channel group {group!r}: Redis at {self._where()} is "
                f"unreachable ({type(exc).__name__}: {exc})"
            ) from None

    def _deliver(self, group: str, data: bytes) -> None:
        for sub in self._groups.get(group, ()):
            sub._put(data)

    # --- subscribing --------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def subscribe(self, group: str) -> AsyncIterator[Subscription]:
        """Receive ``group``'s messages published from now on, until the block ends."""
        sub = Subscription(group, self.max_queue)
        members = self._groups.get(group)
        first = members is None
        if members is None:
            members = self._groups[group] = set()
        members.add(sub)
        try:
            if self.is_redis and first:
                await self._redis_subscribe(group)
            yield sub
        finally:
            members.discard(sub)
            if not members and self._groups.get(group) is members:
                del self._groups[group]
                if self.is_redis:
                    await self._redis_unsubscribe(group)

    def _client(self) -> Any:
        if self._redis is None:
            import redis.asyncio as aioredis

            self._redis = aioredis.Redis.from_url(
                self.backend, socket_connect_timeout=2, socket_timeout=5
            )
        return self._redis

    async def _redis_subscribe(self, group: str) -> None:
        """Subscribe ``group`` and wait (up to 5 s) for Redis to confirm it, so a message
        published right after ``subscribe()`` returns is not missed. While Redis is known
        to be down this returns at once; the listener subscribes every group when it
        reconnects."""
        channel = self.prefix + group
        event = self._confirmed[channel] = asyncio.Event()
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(self._listen())
        try:
            deadline = asyncio.get_running_loop().time() + 5
            while not event.is_set() and not self._down:
                pubsub = self._pubsub
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        await pubsub.subscribe(channel)  # idempotent in Redis
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(left, 0.5)):
                        await event.wait()
        finally:
            if self._confirmed.get(channel) is event:
                del self._confirmed[channel]

    async def _redis_unsubscribe(self, group: str) -> None:
        pubsub = self._pubsub
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe(self.prefix + group)

    async def _listen(self) -> None:
        """Keep one subscribing connection; on loss, reconnect and subscribe again."""
        backoff = 0.1
        lost = False
        prefix = self.prefix
        cut = len(prefix)
        while not self._closed:
            pubsub = None
            try:
                pubsub = self._client().pubsub()
                await pubsub.subscribe(prefix + _CONTROL, *[prefix + g for g in self._groups])
                self._pubsub = pubsub
                self._down = False
                if lost:
                    log.info("Channels: Redis at %s is back; groups subscribed", self._where())
                    lost = False
                backoff = 0.1
                async for message in pubsub.listen():
                    kind = message["type"]
                    channel = message["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode("utf-8", "replace")
                    if kind == b"message" or kind == "message":
                        self._deliver(channel[cut:], message["data"])
                    elif kind in ("subscribe", b"subscribe"):
                        event = self._confirmed.get(channel)
                        if event is not None:
                            event.set()
                if self._closed:
                    return
                raise ConnectionError("subscription stream ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._pubsub = None
                self._down = True
                if not lost:
                    log.warning("Channels: lost Redis at %s (%s); reconnecting", self._where(), exc)
                    lost = True
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        await pubsub.aclose()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def close(self) -> None:
        """Stop listening and close the Redis connections (API shutdown does this)."""
        self._closed = True
        listener, self._listener = self._listener, None
        if listener is not None and not listener.done():
            listener.cancel()
            with contextlib.suppress(BaseException):
                await listener
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
        client, self._redis = self._redis, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()
        self._closed = False
