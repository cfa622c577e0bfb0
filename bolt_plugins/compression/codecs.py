"""Content codings (gzip, brotli, zstd) and the choice among them by ``Accept-Encoding``.

Brotli and zstd need the ``brotli`` and ``zstandard`` packages (``pip install
'bolt-framework[compression]'``); without them only gzip is offered. Each coding has a
one-shot form for bodies held in memory and a streaming form that flushes after every chunk,
so a streamed response reaches the client as it is produced.
"""

from __future__ import annotations

import gzip
import importlib.util
import zlib
from collections.abc import Callable
from typing import Any

__all__ = ["CODINGS", "Codec", "available_codings", "choose"]


class Codec:
    """One content coding at a chosen level: ``compress(body)`` and ``stream()`` (an object
    with ``chunk(data) -> bytes`` that flushes, and ``finish() -> bytes``)."""

    __slots__ = ("compress", "name", "stream")

    def __init__(
        self, name: str, compress: Callable[[bytes], bytes], stream: Callable[[], Any]
    ) -> None:
        self.name = name
        self.compress = compress
        self.stream = stream


class _GzipStream:
    __slots__ = ("obj",)

    def __init__(self, level: int) -> None:
        self.obj = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: gzip container

    def chunk(self, data: bytes) -> bytes:
        return self.obj.compress(data) + self.obj.flush(zlib.Z_SYNC_FLUSH)

    def finish(self) -> bytes:
        return self.obj.flush()


class _BrotliStream:
    __slots__ = ("obj",)

    def __init__(self, quality: int) -> None:
        import brotli

        self.obj = brotli.Compressor(quality=quality)

    def chunk(self, data: bytes) -> bytes:
        return bytes(self.obj.process(data)) + bytes(self.obj.flush())

    def finish(self) -> bytes:
        return bytes(self.obj.finish())


class _ZstdStream:
    __slots__ = ("flush_block", "obj")

    def __init__(self, level: int) -> None:
        import zstandard

        self.obj = zstandard.ZstdCompressor(level=level).compressobj()
        self.flush_block = zstandard.COMPRESSOBJ_FLUSH_BLOCK

    def chunk(self, data: bytes) -> bytes:
        return bytes(self.obj.compress(data)) + bytes(self.obj.flush(self.flush_block))

    def finish(self) -> bytes:
        return bytes(self.obj.flush())


def _gzip(level: int) -> Codec:
    return Codec(
        "gzip", lambda body: gzip.compress(body, level, mtime=0), lambda: _GzipStream(level)
    )


def _brotli(quality: int) -> Codec:
    import brotli

    return Codec(
        "br",
        lambda body: bytes(brotli.compress(body, quality=quality)),
        lambda: _BrotliStream(quality),
    )


def _zstd(level: int) -> Codec:
    import zstandard

    compressor = zstandard.ZstdCompressor(level=level)
    return Codec("zstd", lambda body: bytes(compressor.compress(body)), lambda: _ZstdStream(level))


# name -> (module it needs, factory taking the level)
CODINGS: dict[str, tuple[str | None, Callable[[int], Codec]]] = {
    "zstd": ("zstandard", _zstd),
    "br": ("brotli", _brotli),
    "gzip": (None, _gzip),
}


def available_codings() -> list[str]:
    """The coding names whose packages are installed, in the default preference order."""
    return [
        name
        for name, (module, _) in CODINGS.items()
        if module is None or importlib.util.find_spec(module) is not None
    ]


MAX_HEADER = 2048  # a longer Accept-Encoding is not parsed: the response is sent as it is


def choose(header: bytes, offered: tuple[str, ...]) -> str | None:
    """The coding of ``offered`` (server preference order) that ``header`` rates highest,
    or ``None`` for identity.

    ``q=0`` refuses a coding, ``*`` rates every coding the header does not name, ``x-gzip``
    is ``gzip``. A malformed entry (bad ``q``, stray parameters) is skipped, never an error;
    a header too long to be real is treated as absent.
    """
    if len(header) > MAX_HEADER:
        return None
    try:
        text = header.decode("ascii").lower()
    except UnicodeDecodeError:
        return None
    ratings: dict[str, float] = {}
    for entry in text.split(","):
        name, _, params = entry.partition(";")
        name = name.strip()
        if not name:
            continue
        quality = 1.0
        if params:
            key, _, value = params.strip().partition("=")
            if key.strip() != "q":
                continue
            try:
                quality = float(value.strip())
            except ValueError:
                continue
            if not 0.0 <= quality <= 1.0:  # also refuses nan
                continue
        if name == "x-gzip":
            name = "gzip"
        ratings[name] = quality
    star = ratings.get("*", 0.0)
    best: str | None = None
    best_q = 0.0
    for name in offered:
        quality = ratings.get(name, star)
        if quality > best_q:
            best, best_q = name, quality
    return best
