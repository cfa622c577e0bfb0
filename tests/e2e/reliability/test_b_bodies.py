"""Catalogue B (cases 13-29): bodies and content types; no data changes in any of them.

Case 28: junk before the first boundary is a preamble, which RFC 2046 says to ignore; the
test checks it costs linear time rather than demanding a 400.
Case 27 (duplicate JSON keys): Bolt documents msgspec's behaviour, the last key wins; the
test pins that and that a duplicate never smuggles a refused field past the schema.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.e2e.reliability.common import MAX_BODY
from tests.e2e.reliability.helpers import (
    assert_clean_error,
    assert_validation,
    db_state,
    parse_response,
    raw_exchange,
    read_all,
)

pytestmark = pytest.mark.e2e
JSON = {"content-type": "application/json"}


@pytest.fixture
def unchanged(db: Path):  # type: ignore[no-untyped-def]
    """Assert that the test changed no row of any table."""
    before = db_state(db)
    yield
    assert db_state(db) == before


def post_items(
    client: httpx.Client, body: bytes, content_type: str | None = None
) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    return client.post("/api/items", content=body, headers=headers)


@pytest.mark.usefixtures("unchanged")
def test_case13_declared_length_over_limit_is_413_before_the_body(server: Server) -> None:
    head = (
        f"POST /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {MAX_BODY * 50}\r\nConnection: close\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head + b'{"name": ')  # the rest of the 50 MB never comes
        response = parse_response(read_all(sock, 3.0))
    assert time.monotonic() - started < 2.5
    assert_clean_error(response, 413)


@pytest.mark.usefixtures("unchanged")
def test_case14_chunked_body_over_limit_is_413_with_bounded_reading(server: Server) -> None:
    head = (
        b"POST /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    chunk = b"a" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head)
        try:
            while sent < MAX_BODY * 8:  # stop on the answer; never send the full 8 MB
                sock.sendall(frame)
                sent += len(chunk)
                sock.settimeout(0.001)
                try:
                    early = sock.recv(65536, socket.MSG_PEEK)
                except (BlockingIOError, TimeoutError):
                    early = b""
                sock.settimeout(5)
                if early:
                    break
        except OSError:
            pass
        response = parse_response(read_all(sock, 3.0))
    assert_clean_error(response, 413)
    assert sent < MAX_BODY * 8


@pytest.mark.usefixtures("unchanged")
def test_case15_content_length_lower_than_body(server: Server) -> None:
    body = b'{"name": "short-cl", "qty": 1}'
    payload = (
        b"POST /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 9\r\n\r\n" + body
    )
    response = raw_exchange(server.port, payload, timeout=3)
    assert response.status in (400, 413)
    assert_clean_error(response)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_case16_json_in_other_media_types_is_415(client: httpx.Client, content_type: str) -> None:
    response = post_items(client, b'{"name": "csrf"}', content_type)
    assert_clean_error(response, 415)


@pytest.mark.usefixtures("unchanged")
def test_case17_no_content_type_is_415(client: httpx.Client) -> None:
    assert_clean_error(post_items(client, b'{"name": "nobody"}'), 415)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "body",
    [b'{"name": "tr', b'{"name": "x"} trailing', b'\xef\xbb\xbf{"name": "bom"}', b"", b"   ",
     b"NaN", b'{"name": NaN}', b"{'name': 'single'}"],
    ids=["truncated", "trailing", "bom", "empty", "blank", "nan", "nan-field", "single-quotes"],
)  # fmt: skip
def test_case18_malformed_json_is_400(client: httpx.Client, body: bytes) -> None:
    assert_clean_error(post_items(client, body, "application/json"), 400)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("body", [b'{"name": "\xff\xfe"}', b'{"name": "\xc3"}', b"\xed\xa0\x80"])
def test_case19_invalid_utf8_is_400(client: httpx.Client, body: bytes) -> None:
    assert_clean_error(post_items(client, body, "application/json"), 400)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("body", [b"[" * 10_000, b'{"a":' * 10_000, b"[" * 10_000 + b"]" * 10_000])
def test_case20_deep_nesting_is_400(client: httpx.Client, body: bytes) -> None:
    response = post_items(client, body, "application/json")
    assert response.status_code in (400, 422)
    assert_clean_error(response)
    # Free-form bodies (no schema to stop early) refuse deep nesting too.
    for path in ("/api/echo-json", "/api/pair"):
        deep = client.post(path, content=body, headers=JSON)
        assert deep.status_code in (400, 422), (path, deep.text[:200])
        assert_clean_error(deep)
    nested = b'{"a": ' + body + b', "b": [1]}'
    assert_clean_error(client.post("/api/pair", content=nested, headers=JSON), 400)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("body", "loc"),
    [({"name": "t1", "qty": True}, ["body", "qty"]), ({"name": "t2", "qty": "1"}, ["body", "qty"]),
     ({"name": "t3", "qty": 1.5}, ["body", "qty"]), ({"qty": 1}, ["body", "name"]),
     ({"name": 5}, ["body", "name"]), ([], ["body"])],
)  # fmt: skip
def test_case21_wrong_types_and_missing_fields_are_422(
    client: httpx.Client, body: object, loc: list[str]
) -> None:
    errors = assert_validation(client.post("/api/items", json=body))
    assert errors[0]["loc"] == loc


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("extra", [{"id": 777}, {"is_staff": True}, {"owner_id": 1}, {"pk": 9}])
def test_case22_unknown_or_privileged_fields_are_422_never_written(
    client: httpx.Client, extra: dict[str, object]
) -> None:
    assert_validation(client.post("/api/items", json={"name": "priv", **extra}))
    assert_validation(client.patch("/api/items/1", json={"qty": 3, **extra}))
    # Notes' owner is not writable at all (editable=False), even by its owner.
    assert client.get("/api/items/777").status_code == 404


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 2**63, 2**64, -(2**64)])
def test_case23_int_beyond_column_range_is_422(client: httpx.Client, value: int) -> None:
    assert_validation(client.post("/api/items", json={"name": "big", "qty": value}))
    assert_validation(client.patch("/api/items/1", json={"qty": value}))


@pytest.mark.usefixtures("unchanged")
def test_case24_string_over_max_length_is_422(client: httpx.Client) -> None:
    errors = assert_validation(client.post("/api/items", json={"name": "n" * 41}))
    assert errors[0]["loc"] == ["body", "name"]
    assert_validation(client.patch("/api/items/1", json={"name": "n" * 41}))


@pytest.mark.usefixtures("unchanged")
def test_case25_nul_in_string_is_422(client: httpx.Client) -> None:
    errors = assert_validation(client.post("/api/items", json={"name": "nul\u0000byte"}))
    assert errors[0]["loc"] == ["body", "name"]
    assert_validation(client.patch("/api/items/1", json={"name": "a\u0000"}))


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "body",
    [b'{"name": "\\ud800"}', b'{"name": "x\\udfffy"}', b'{"name": "inf", "price": 1e400}',
     b'{"name": "ninf", "price": -1e400}', b'{"name": "nan", "price": NaN}',
     b'{"name": "big", "qty": 1e400}'],
    ids=["lone-high", "lone-low", "1e400", "-1e400", "nan", "int-1e400"],
)  # fmt: skip
def test_case26_surrogates_nan_and_huge_floats_are_4xx(client: httpx.Client, body: bytes) -> None:
    response = post_items(client, body, "application/json")
    assert response.status_code in (400, 422), response.text
    assert_clean_error(response)


def test_case27_duplicate_keys_last_wins_and_cannot_smuggle(client: httpx.Client, db: Path) -> None:
    created = post_items(client, b'{"name": "dup-first", "name": "dup-last"}', "application/json")
    assert created.status_code == 201
    assert created.json()["name"] == "dup-last"
    client.delete(f"/api/items/{created.json()['id']}")
    before = db_state(db)
    smuggle = b'{"name": "dup2", "id": 5, "id": 6}'
    assert_validation(post_items(client, smuggle, "application/json"))
    assert db_state(db) == before


def multipart(boundary: str, parts: list[bytes], preamble: bytes = b"") -> bytes:
    body = preamble
    for part in parts:
        body += f"--{boundary}\r\n".encode() + part + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


FIELD = b'Content-Disposition: form-data; name="title"\r\n\r\nhello'
FILE = b'Content-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\ncontent'


def upload(client: httpx.Client, body: bytes, boundary: str = "XyZ") -> httpx.Response:
    ctype = f"multipart/form-data; boundary={boundary}"
    return client.post("/api/upload", content=body, headers={"content-type": ctype})


def test_case28_multipart_limits_and_junk(client: httpx.Client) -> None:
    ok = upload(client, multipart("XyZ", [FIELD, FILE]))
    assert ok.status_code == 201, ok.text
    assert ok.json() == {"title": "hello", "size": 7}
    bad = {
        "no-closing": b"--XyZ\r\n" + FIELD,
        "huge-part-header": multipart("XyZ", [b"X-Pad: " + b"a" * 40_000 + b"\r\n" + FIELD]),
        "too-many-parts": multipart("XyZ", [FIELD] * 500),
        "file-over-body-limit": multipart("XyZ", [FIELD, FILE + b"x" * MAX_BODY]),
        "no-name": multipart("XyZ", [b"Content-Disposition: form-data\r\n\r\nx", FILE]),
        "header-without-colon": multipart("XyZ", [b"garbage\r\n\r\nx", FILE]),
    }
    for name, body in bad.items():
        started = time.monotonic()
        response = upload(client, body)
        assert response.status_code in (400, 413, 422), (name, response.text)
        assert_clean_error(response)
        assert time.monotonic() - started < 2, name
    # A preamble before the first boundary is ignored (RFC 2046), in time linear in its size.
    started = time.monotonic()
    junk = upload(client, multipart("XyZ", [FIELD, FILE], b"\x00junk--Xy\r\n" * 50_000))
    assert junk.status_code in (201, 400), junk.text
    assert time.monotonic() - started < 2
    for boundary in ("", "a" * 300):
        assert_clean_error(upload(client, multipart("XyZ", [FIELD]), boundary), 400)


def test_case28_hostile_multipart_keeps_latency_flat(client: httpx.Client, server: Server) -> None:
    def median_hello() -> float:
        times = []
        for _ in range(15):
            started = time.monotonic()
            client.get("/api/hello")
            times.append(time.monotonic() - started)
        return sorted(times)[len(times) // 2]

    baseline = median_hello()
    hostile = multipart("XyZ", [b"--XyZ" * 1000 + b"\r\n\r\n"] * 15, b"--Xy" * 50_000)
    with httpx.Client(base_url=server.base_url, timeout=10) as other:
        started = time.monotonic()
        for _ in range(5):
            assert other.post(
                "/api/upload",
                content=hostile,
                headers={"content-type": "multipart/form-data; boundary=XyZ"},
            ).status_code in (400, 413)
        assert time.monotonic() - started < 5
    assert median_hello() < baseline + 0.05


@pytest.mark.usefixtures("unchanged")
def test_case29_urlencoded_with_100k_fields_is_4xx(client: httpx.Client) -> None:
    body = b"&".join(b"f%d=1" % i for i in range(100_000))
    assert len(body) < MAX_BODY
    response = client.post(
        "/api/form", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code in (400, 413)
    assert_clean_error(response)
    ok = client.post("/api/form", data={"name": "x"})
    assert ok.json() == {"name": "x"}


def test_case29_form_body_json_dumped_is_not_json(client: httpx.Client) -> None:
    # A form route refuses a JSON body (415): no content-type confusion either way.
    response = client.post("/api/form", content=json.dumps({"name": "x"}), headers=JSON)
    assert_clean_error(response, 415)
