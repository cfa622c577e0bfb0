"""Catalogue H (cases 66-69): response headers, files, ranges and 500s."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.e2e.reliability.helpers import assert_clean_error, raw_exchange, request_bytes

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "name",
    ['a.txt\r\nX-Injected: 1', 'a"; filename="evil.exe', "a\nSet-Cookie: sid=1", "a\x00b.txt",
     "../../etc/passwd", "résumé €.txt", "a\\..\\b.txt"],
)  # fmt: skip
def test_case66_user_data_in_content_disposition(client: httpx.Client, name: str) -> None:
    response = client.get("/api/download", params={"filename": name})
    assert response.status_code == 200, response.text
    assert "x-injected" not in response.headers
    assert "set-cookie" not in response.headers
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert not any(c in disposition for c in "\r\n\x00")
    assert "/" not in disposition.split("filename=", 1)[1].split(";")[0]
    assert disposition.count('filename="') == 1
    if not name.isascii():
        assert "filename*=UTF-8''" in disposition


def test_case66_user_data_in_any_header_never_splits(server: Server) -> None:
    for value in ("a%0d%0aSet-Cookie:%20sid=1", "a%0aX-Injected:%201", "a%00b"):
        response = raw_exchange(
            server.port, request_bytes("GET", f"/api/echo-header?value={value}")
        )
        assert response.status == 200, response.raw[:300]
        assert "set-cookie" not in response.headers
        assert "x-injected" not in response.headers
        assert "\n" not in response.headers["x-echo"]


@pytest.mark.parametrize(
    "target",
    ["/api/files/../secret.txt", "/api/files/%2e%2e/secret.txt", "/api/files/..%2fsecret.txt",
     "/api/files/%2e%2e%2fsecret.txt", "/api/files//etc/passwd", "/api/files/%2fetc%2fpasswd",
     "/api/files/escape", "/api/files/data.bin%00.txt", "/api/files/%00",
     "/api/files/..%5csecret.txt", "/api/files/sub/../../secret.txt",
     "/api/files/sub/%2e%2e/%2e%2e/secret.txt", "/api/files/sub", "/api/files/missing.txt",
     "/api/files/.%2e/secret.txt", "/api/files/%252e%252e/secret.txt"],
)  # fmt: skip
def test_case67_file_traversal_variants_are_404_or_400(server: Server, target: str) -> None:
    response = raw_exchange(server.port, request_bytes("GET", target))
    assert response.status in (400, 404), (target, response.raw[:300])
    assert_clean_error(response)
    assert b"outside the root" not in response.raw


def test_case67_files_inside_the_root_are_served(client: httpx.Client, files_root: Path) -> None:
    assert client.get("/api/files/sub/inner.txt").text == "inner"
    assert client.get("/api/files/data.bin").content == (files_root / "data.bin").read_bytes()


def test_case68_range_bombs_and_unsatisfiable_ranges(client: httpx.Client) -> None:
    size = 1024
    bomb = "bytes=" + ",".join(f"{i}-{i}" for i in range(5000))
    response = client.get("/api/files/data.bin", headers={"range": bomb})
    assert response.status_code in (200, 206, 416)
    assert len(response.content) <= size
    overlapping = "bytes=" + ",".join("0-" for _ in range(2000))
    response = client.get("/api/files/big.bin", headers={"range": overlapping})
    assert response.status_code in (200, 416)
    assert int(response.headers["content-length"]) <= 256 * 1024 * 1024
    response.close()
    for spec in ("bytes=5000-6000", "bytes=1024-", "bytes=-0", "bytes=9-3"):
        refused = client.get("/api/files/data.bin", headers={"range": spec})
        assert refused.status_code == 416, (spec, refused.status_code)
        assert refused.headers["content-range"] == f"bytes */{size}"
        assert_clean_error(refused)
    part = client.get("/api/files/data.bin", headers={"range": "bytes=1-3"})
    assert part.status_code == 206
    assert part.content == bytes([1, 2, 3])
    assert part.headers["content-range"] == f"bytes 1-3/{size}"
    for junk in ("bytes=abc", "items=0-1", "bytes=99999999999999999999999-"):
        tolerant = client.get("/api/files/data.bin", headers={"range": junk})
        assert tolerant.status_code in (200, 416), junk


def test_case69_500_is_generic_json(client: httpx.Client) -> None:
    crash = client.get("/api/boom")
    assert assert_clean_error(crash, 500) == {"detail": "Internal Server Error"}
    sql = client.get("/api/boom-sql")
    assert sql.status_code in (500, 503)
    assert_clean_error(sql)
    assert "password" not in sql.text
    assert "nonsense" not in sql.text
