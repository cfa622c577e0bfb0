"""``request.data`` behind a real Granian server: empty bodies in every framing are an empty
``{}``, never a 500."""

from __future__ import annotations

import socket

import pytest

from tests.e2e.conftest import Server
from tests.e2e.reliability.helpers import parse_response, read_all

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def server(serve_app: object) -> Server:
    return serve_app("tests.e2e.security.request_data_app:api")  # type: ignore[operator, no-any-return]


def raw(server: Server, framing: bytes, body: bytes) -> tuple[int, object]:
    head = (
        b"POST /api/data HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\n" + framing + b"\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body)
        response = parse_response(read_all(sock, 5))
    return response.status, response.json()


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        (b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n"),
        (b"Content-Length: 00\r\n", b""),
        (b"Content-Length: 0\r\n", b""),
    ],
    ids=["empty-chunked", "content-length-00", "content-length-0"],
)
def test_an_empty_body_is_empty_data(server: Server, framing: bytes, body: bytes) -> None:
    assert raw(server, framing, body) == (200, {"data": {}})


def test_a_chunked_json_body_is_its_data(server: Server) -> None:
    payload = b'{"a": [1, 2]}'
    body = b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n"
    assert raw(server, b"Transfer-Encoding: chunked\r\n", body) == (200, {"data": {"a": [1, 2]}})
