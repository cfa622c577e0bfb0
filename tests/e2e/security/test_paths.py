"""Path attacks on a real Granian server (``paths_app.py``), sent over raw sockets.

Clients (browsers, curl, httpx) resolve ``.`` and ``..`` segments before sending, so the
targets here are written on the socket as they are. Granian decodes ``%2e%2e`` and ``%2f``
into ``scope["path"]`` and keeps the bytes in ``raw_path``; the answers must not depend on
which of the two spellings the attacker chose.

- dot segments, literal or percent-encoded in any case, never reach a path parameter: 404;
- path variants of the guarded ``/api/admin`` get its 401/403 or a 404, and neither the
  guarded handler nor the unguarded catch-all beside it runs;
- an ``int`` path or query value beyond signed 64 bits is a 422 naming the parameter, never
  a 500 from the ORM.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.e2e.reliability.helpers import (
    RawResponse,
    assert_clean_error,
    bearer,
    events,
    raw_exchange,
    request_bytes,
    token,
)

pytestmark = [pytest.mark.e2e]

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
NOT_FOUND = {"detail": "Not Found"}


@pytest.fixture(scope="module")
def server(serve_app: Any) -> Server:
    return serve_app("tests.e2e.security.paths_app:api")


def get(server: Server, target: str, headers: list[tuple[str, str]] | None = None) -> RawResponse:
    return raw_exchange(server.port, request_bytes("GET", target, headers))


def ran(server: Server) -> tuple[int, int]:
    db = server.db  # type: ignore[attr-defined]
    return events(db, "admin"), events(db, "catch_all")


# --- dot segments -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    [
        "/files/..",
        "/files/.",
        "/files/../",
        "/dl/../../etc/passwd",
        "/dl/a/../../../etc/passwd",
        "/dl/a/./b",
        "/dl/a/b/..",
        "/files/%2e%2e",
        "/files/%2E%2E",
        "/files/%2E%2e",
        "/files/.%2e",
        "/files/%2e.",
        "/files/%2e",
        "/dl/%2e%2e/%2e%2e/etc/passwd",
        "/dl/%2E%2e/%2e%2E/etc/passwd",
        "/dl/..%2f..%2fetc%2fpasswd",
        "/dl/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/dl/a/%2e%2e/%2e%2e/etc/passwd",
        "/files/a%2fb",
        "/files/%00",
        "/files/a%00b",
        "/dl/a%00",
    ],
)
def test_dot_segments_never_reach_a_path_parameter(server: Server, target: str) -> None:
    response = get(server, target)
    assert response.status == 404, (target, response.raw[:300])
    assert_clean_error(response)
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("target", "body"),
    [
        ("/files/.hidden", {"name": ".hidden"}),
        ("/files/...", {"name": "..."}),
        ("/files/a..b", {"name": "a..b"}),
        ("/files/%2e%2e%2e", {"name": "..."}),
        ("/dl/a/b.txt", {"rest": "a/b.txt"}),
        ("/dl/.config/app.ini", {"rest": ".config/app.ini"}),
    ],
)
def test_dots_inside_names_still_work(server: Server, target: str, body: dict[str, str]) -> None:
    response = get(server, target)
    assert response.status == 200, (target, response.raw[:300])
    assert response.json() == body


# --- guard bypass by path variants ----------------------------------------------------------
VARIANTS = [
    "//api/admin",
    "/api//admin",
    "/API/ADMIN",
    "/api/ADMIN",
    "/api/admin/",
    "/api/./admin",
    "/api/x/../admin",
    "/api/admin/.",
    "/api/admin/..",
    "/./api/admin",
    "/../api/admin",
    "/x/../api/admin",
    "/api/%2e/admin",
    "/api/x/%2e%2e/admin",
    "/api/x/%2E%2e/admin",
    "/api/admin%2f",
    "/api%2fadmin",
    "/api/%61dmin",
    "/api/admin;x",
    "/api/admin%00",
]


def test_canonical_admin_path(server: Server, seeded: dict[str, Any]) -> None:
    assert get(server, "/api/admin").status == 401
    plain = list(bearer(token(seeded["alice"])).items())
    assert get(server, "/api/admin", plain).status == 403
    before = ran(server)
    admin = list(bearer(token(seeded["admin"], is_superuser=True)).items())
    response = get(server, "/api/admin", admin)
    assert response.status == 200, response.raw[:300]
    assert response.json() == {"admin": True}
    assert ran(server) == (before[0] + 1, before[1])


@pytest.mark.parametrize("target", VARIANTS)
def test_path_variants_of_a_guarded_route(
    server: Server, seeded: dict[str, Any], target: str
) -> None:
    canonical = get(server, "/api/admin")
    assert canonical.status == 401
    before = ran(server)
    response = get(server, target)
    assert response.status in (401, 404), (target, response.raw[:300])
    assert_clean_error(response)
    if response.status == 401:
        assert response.json() == canonical.json()
        assert response.headers["www-authenticate"] == canonical.headers["www-authenticate"]
    else:
        assert response.json() == NOT_FOUND
    plain = list(bearer(token(seeded["alice"])).items())
    response = get(server, target, plain)
    assert response.status in (403, 404), (target, response.raw[:300])
    assert_clean_error(response)
    assert ran(server) == before


# --- integers beyond 64 bits ----------------------------------------------------------------
def too_big(loc: list[Any]) -> dict[str, Any]:
    msg = f"Expected `int` <= {INT64_MAX}"
    return {"detail": [{"loc": loc, "msg": msg, "type": "value_error"}]}


@pytest.mark.parametrize("prefix", ["/items", "/things"])
@pytest.mark.parametrize(
    "value", [str(INT64_MAX + 1), "9999999999999999999", "99999999999999999999", "9" * 4000]
)
def test_int_path_parameter_beyond_64_bits_is_422(server: Server, prefix: str, value: str) -> None:
    response = get(server, f"{prefix}/{value}")
    assert response.status == 422, (prefix, value[:30], response.raw[:300])
    assert_clean_error(response)
    assert response.json() == too_big(["path", "pk"])


def test_int_path_parameter_below_64_bits_is_422(server: Server) -> None:
    response = get(server, f"/things/{INT64_MIN - 1}")
    assert response.status == 422, response.raw[:300]
    assert response.json() == {
        "detail": [
            {"loc": ["path", "pk"], "msg": f"Expected `int` >= {INT64_MIN}", "type": "value_error"}
        ]
    }


def test_int_path_parameter_in_range(server: Server, seeded: dict[str, Any]) -> None:
    for prefix in ("/items", "/things"):
        assert get(server, f"{prefix}/{seeded['item']}").json() == {"id": seeded["item"]}
        response = get(server, f"{prefix}/{INT64_MAX}")
        assert response.status == 404, response.raw[:300]
        assert response.json() == NOT_FOUND


def test_non_numeric_int_path_values_keep_their_answers(server: Server) -> None:
    for value in ("abc", "1e3", "-1", "%D9%A1"):
        response = get(server, f"/items/{value}")
        assert response.status == 404, (value, response.raw[:300])
        assert response.json() == NOT_FOUND
    for value in ("abc", "1e3", "%D9%A1", "+1"):
        response = get(server, f"/things/{value}")
        assert response.status == 422, (value, response.raw[:300])
        assert response.json() == {
            "detail": [
                {"loc": ["path", "pk"], "msg": "Expected `int`, got `str`", "type": "type_error"}
            ]
        }


def test_int_query_parameters_beyond_64_bits_are_422(
    server: Server, seeded: dict[str, Any]
) -> None:
    response = get(server, f"/items?pk={seeded['item']}&pk={INT64_MAX + 1}")
    assert response.status == 422, response.raw[:300]
    assert_clean_error(response)
    assert response.json() == too_big(["query", "pk", 1])
    response = get(server, f"/count?qty={INT64_MAX + 1}")
    assert response.status == 422, response.raw[:300]
    assert response.json() == too_big(["query", "qty"])
    # in range, even beyond the column's 32 bits: an ordinary answer
    response = get(server, f"/items?pk={seeded['item']}&pk={INT64_MAX}")
    assert response.json() == {"ids": [seeded["item"]]}
    assert get(server, f"/count?qty={2**40}").json() == {"count": 0}
