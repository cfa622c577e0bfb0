"""The compression plugin through HTTP: negotiation, what is and is not compressed, Vary,
streams flushed chunk by chunk, opt-outs and bad input."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import brotli
import pytest
import zstandard

from bolt import BoltAPI, EventSourceResponse
from bolt.exceptions import ImproperlyConfigured
from bolt.middleware import cors, skip_middleware
from bolt.responses import FileResponse, JSONResponse, Response, StreamingResponse
from bolt.testing import TestClient
from bolt_plugins.compression import compress

BIG = {"items": [{"id": i, "name": f"item number {i}"} for i in range(100)]}
TEXT = "hello compression " * 100


@pytest.fixture(autouse=True)
def compress_every_route(settings: Any) -> None:
    """Most tests here look at what compression does, on every route."""
    settings.BOLT_COMPRESSION_BY_DEFAULT = True


def make_api(**options: Any) -> BoltAPI:
    api = BoltAPI(plugins=["compression", "cors"], **options)

    @api.get("/big")
    async def big() -> dict[str, Any]:
        return BIG

    @api.get("/small")
    async def small() -> dict[str, str]:
        return {"ok": "yes"}

    @api.get("/png")
    async def png() -> Response:
        return Response(b"\x89PNG" + b"\x00" * 4000, media_type="image/png")

    @api.get("/encoded")
    async def encoded() -> Response:
        return Response(
            gzip.compress(TEXT.encode()),
            headers={"Content-Encoding": "gzip"},
            media_type="text/plain",
        )

    @api.get("/vary")
    async def vary() -> JSONResponse:
        return JSONResponse(BIG, headers={"Vary": "Accept"})

    @api.get("/tagged")
    async def tagged() -> JSONResponse:
        return JSONResponse(BIG, headers={"ETag": '"v1"'})

    @api.get("/skipped")
    @skip_middleware("compression")
    async def skipped() -> dict[str, Any]:
        return BIG

    @api.get("/off", compression=False)
    async def off() -> dict[str, Any]:
        return BIG

    @api.get("/tiny-threshold")
    @compress(min_size=10)
    async def tiny() -> dict[str, str]:
        return {"ok": "yes, compressed"}

    @api.get("/cors")
    @cors(origins=["https://good.com"])
    async def with_cors() -> dict[str, Any]:
        return BIG

    return api


@pytest.fixture
def client() -> Iterator[TestClient]:
    c = TestClient(make_api())
    yield c
    c.close()


def raw(
    client: TestClient, path: str, encoding: str | bytes | None, **kw: Any
) -> tuple[Any, bytes]:
    """The response and its body as sent (not decoded by httpx)."""
    headers = {"Accept-Encoding": encoding} if encoding is not None else {}
    headers.update(kw.pop("headers", {}))
    with client.stream("GET", path, headers=headers, **kw) as response:
        return response, b"".join(response.iter_raw())


def decode(coding: str, body: bytes) -> bytes:
    if coding == "gzip":
        return gzip.decompress(body)
    if coding == "br":
        return brotli.decompress(body)
    if coding == "zstd":
        return zstandard.ZstdDecompressor().decompressobj().decompress(body)
    raise AssertionError(coding)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("gzip", "gzip"),
        ("br", "br"),
        ("zstd", "zstd"),
        ("gzip, deflate, br, zstd", "zstd"),  # equal q: the server's order (zstd, br, gzip)
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("br;q=0.1, gzip;q=0.2, zstd;q=0", "gzip"),  # q=0 refuses zstd
        ("*", "zstd"),
        ("gzip;q=0, *;q=0.5", "zstd"),
        ("x-gzip", "gzip"),
        ("GZIP", "gzip"),
    ],
)
def test_coding_follows_accept_encoding(client: TestClient, accept: str, chosen: str) -> None:
    response, body = raw(client, "/big", accept)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == chosen
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) == len(body)
    assert (
        decode(chosen, body) == client.get("/big", headers={"Accept-Encoding": "identity"}).content
    )


@pytest.mark.parametrize(
    "accept",
    [
        "identity",
        "",
        "deflate",
        "*;q=0",
        "gzip;q=0, br;q=0, zstd;q=0",
        "gzip;q=abc",  # malformed quality: the entry is ignored
        "gzip;q=2",
        "gzip;q=nan",
        "gzip;level=9",
        ";;;,,,=",
        "gzip" + ", x" * 5000,  # absurdly long: treated as absent
        b"g\xe9zip",  # not ASCII
    ],
)
def test_identity_when_nothing_acceptable_or_header_is_bad(
    client: TestClient, accept: str | bytes
) -> None:
    response, body = raw(client, "/big", accept)
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept-Encoding"
    assert body == client.get("/big", headers={"Accept-Encoding": "identity"}).content
    assert int(response.headers["content-length"]) == len(body)


def test_small_bodies_and_other_types_are_left_alone(client: TestClient) -> None:
    for path in ("/small", "/png"):
        response, body = raw(client, path, "gzip")
        assert "content-encoding" not in response.headers, path
        assert "vary" not in response.headers, path
    response, body = raw(client, "/tiny-threshold", "gzip")
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == b'{"ok":"yes, compressed"}'


def test_existing_content_encoding_is_never_touched(client: TestClient) -> None:
    response, body = raw(client, "/encoded", "br")
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == TEXT.encode()


def test_vary_is_merged_and_strong_etag_weakened(client: TestClient) -> None:
    response, _ = raw(client, "/vary", "gzip")
    assert response.headers["vary"] == "Accept, Accept-Encoding"
    response, _ = raw(client, "/tagged", "gzip")
    assert response.headers["etag"] == 'W/"v1"'
    response, _ = raw(client, "/cors", "gzip", headers={"Origin": "https://good.com"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["access-control-allow-origin"] == "https://good.com"
    vary = [v.strip() for v in response.headers["vary"].split(",")]
    assert sorted(vary) == ["Accept-Encoding", "Origin"]


def test_head_is_never_compressed(client: TestClient) -> None:
    response = client.head("/big", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.content == b""
    identity = client.get("/big", headers={"Accept-Encoding": "identity"})
    assert response.headers["content-length"] == str(len(identity.content))


def test_per_route_opt_outs(client: TestClient) -> None:
    for path in ("/skipped", "/off"):
        response, body = raw(client, path, "gzip")
        assert "content-encoding" not in response.headers, path
        assert body.startswith(b'{"items"'), path


def test_streams_are_compressed_chunk_by_chunk_with_flushes() -> None:
    api = BoltAPI(plugins=["compression"])
    release: list[int] = []

    @api.get("/stream")
    async def stream() -> StreamingResponse:
        async def gen() -> AsyncIterator[str]:
            for i in range(3):
                release.append(i)
                yield f"line {i} " + "x" * 40 + "\n"

        return StreamingResponse(gen(), media_type="text/plain")

    client = TestClient(api)
    with client.stream("GET", "/stream", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip"
        assert "content-length" not in response.headers
        inflate = zlib.decompressobj(31)
        seen = []
        for chunk in response.iter_raw():
            # every chunk decodes on its own to the text sent so far: it was flushed
            seen.append(inflate.decompress(chunk))
        lines = [f"line {i} ".encode() + b"x" * 40 + b"\n" for i in range(3)]
        assert [piece for piece in seen if piece] == lines
        assert inflate.eof


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_streams_in_brotli_and_zstd(coding: str) -> None:
    api = BoltAPI(plugins=["compression"])

    @api.get("/stream")
    async def stream() -> StreamingResponse:
        async def gen() -> AsyncIterator[str]:
            for i in range(3):
                yield f"{i}" * 300

        return StreamingResponse(gen(), media_type="application/json")

    client = TestClient(api)
    response, body = raw(client, "/stream", coding)
    assert response.headers["content-encoding"] == coding
    assert decode(coding, body) == b"0" * 300 + b"1" * 300 + b"2" * 300


def test_event_streams_only_when_asked() -> None:
    api = BoltAPI(plugins=["compression"])

    async def gen() -> AsyncIterator[dict[str, str]]:
        for i in range(3):
            yield {"n": str(i) * 300}

    @api.get("/events")
    async def events() -> EventSourceResponse:
        return EventSourceResponse(gen())

    @api.get("/events-compressed")
    @compress(event_streams=True)
    async def events_compressed() -> EventSourceResponse:
        return EventSourceResponse(gen())

    client = TestClient(api)
    response, body = raw(client, "/events", "gzip")
    assert "content-encoding" not in response.headers
    assert body.startswith(b'data: {"n":"000')
    with client.stream("GET", "/events-compressed", headers={"Accept-Encoding": "gzip"}) as r:
        assert r.headers["content-encoding"] == "gzip"
        assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
        events = list(r.iter_events())  # httpx decodes; events still parse
        assert [e.json() for e in events] == [{"n": str(i) * 300} for i in range(3)]


def test_partial_file_responses_are_not_compressed(settings: Any, tmp_path: Path) -> None:
    settings.BOLT_ALLOWED_FILE_PATHS = [str(tmp_path)]
    path = tmp_path / "data.txt"
    path.write_text(TEXT)
    api = BoltAPI(plugins=["compression"])

    @api.get("/file")
    async def file() -> FileResponse:
        return FileResponse(path, media_type="text/plain")

    client = TestClient(api)
    response, body = raw(client, "/file", "gzip", headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert "content-encoding" not in response.headers
    assert body == TEXT.encode()[:10]
    response, body = raw(client, "/file", "gzip")
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "content-length" not in response.headers
    assert gzip.decompress(body) == TEXT.encode()


def test_settings_min_size_and_algorithms(settings: Any) -> None:
    settings.BOLT_COMPRESSION_MIN_SIZE = 5
    settings.BOLT_COMPRESSION_ALGORITHMS = ["gzip"]
    client = TestClient(make_api())
    response, _ = raw(client, "/small", "zstd, br, gzip;q=0.1")
    assert response.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOLT_COMPRESSION_ALGORITHMS", ["lzma"]),
        ("BOLT_COMPRESSION_GZIP_LEVEL", 42),
        ("BOLT_COMPRESSION_MIN_SIZE", -1),
    ],
)
def test_bad_settings_stop_startup(settings: Any, name: str, value: Any) -> None:
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=name.removeprefix("BOLT_")):
        make_api().compile()


def test_bad_route_option_stops_startup() -> None:
    api = BoltAPI(plugins=["compression"])

    @api.get("/x", compression="yes")
    async def x() -> dict[str, str]:
        return {}

    with pytest.raises(ImproperlyConfigured, match="compression="):
        api.compile()


def test_api_wide_options_apply_to_every_route() -> None:
    client = TestClient(make_api(compression={"min_size": 1}))
    response, body = raw(client, "/small", "gzip")
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == b'{"ok":"yes"}'


@pytest.mark.parametrize("where", ["nowhere", "api", "route"])
def test_compression_is_opt_in(settings: Any, where: str) -> None:
    """Without the setting, only routes that ask (here or at a less specific layer) are
    compressed; the others run no compression step at all."""
    settings.BOLT_COMPRESSION_BY_DEFAULT = False
    api = BoltAPI(plugins=["compression"], **({"compression": True} if where == "api" else {}))

    @api.get("/big", **({"compression": True} if where == "route" else {}))
    async def big() -> dict[str, Any]:
        return BIG

    with TestClient(api) as client:
        response = client.get("/big", headers={"Accept-Encoding": "gzip"})
    assert response.json() == BIG
    if where == "nowhere":
        assert "content-encoding" not in response.headers
        assert "compression" not in api.iter_routes()[0].middleware_names
    else:
        assert response.headers["content-encoding"] == "gzip"
