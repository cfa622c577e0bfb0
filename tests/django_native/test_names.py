"""Names that code written for django-bolt imports, answering through HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from bolt import BoltAPI
from bolt.auth import IsAuthenticated, JWTAuthentication, create_jwt_for_user, get_current_user
from bolt.exceptions import (
    Conflict,
    HTTPException,
    InternalServerError,
    ResponseValidationError,
)
from bolt.params import Depends
from bolt.responses import HTML, JSON, File, PlainText, Redirect
from bolt.testing import TestClient


@pytest.fixture
def client(tmp_path: Any, settings: Any) -> Any:
    from bolt.conf import reset_settings

    (tmp_path / "a.txt").write_text("file body")
    settings.BOLT_ALLOWED_FILE_PATHS = [str(tmp_path)]
    reset_settings()
    api = BoltAPI()

    @api.get("/json")
    async def json_route() -> Any:
        return JSON({"ok": True}, status_code=201, headers={"x-a": "1"})

    @api.get("/html")
    async def html_route() -> Any:
        return HTML("<b>hi</b>")

    @api.get("/text")
    async def text_route() -> Any:
        return PlainText("hi")

    @api.get("/redirect")
    async def redirect_route() -> Any:
        return Redirect("/json")

    @api.get("/file")
    async def file_route() -> Any:
        return File(str(tmp_path / "a.txt"))

    @api.get("/conflict")
    async def conflict() -> Any:
        raise Conflict("Slug taken", extra={"code": "slug_taken", "detail": "ignored"})

    @api.get("/teapot")
    async def teapot() -> Any:
        raise HTTPException(418, "short and stout", extra={"retry": False})

    @api.get("/ise")
    async def ise() -> Any:
        raise InternalServerError()

    @api.get("/bad-response")
    async def bad_response() -> Any:
        raise ResponseValidationError([{"loc": ["response", "id"], "msg": "x", "type": "t"}])

    @api.get("/me", auth=[JWTAuthentication()])
    async def me(request: Any, user: Any = Depends(get_current_user)) -> dict:
        return {
            "user": user.get_username() if user.is_authenticated else None,
            "context_is_none": request.get("context") is None,
        }

    @api.get("/only-users", auth=[JWTAuthentication()], guards=[IsAuthenticated()])
    async def only_users(user: Any = Depends(get_current_user)) -> dict:
        return {"user": user.get_username()}

    with TestClient(api) as c:
        yield c
    reset_settings()


def test_response_shortcuts(client: TestClient) -> None:
    r = client.get("/json")
    assert (r.status_code, r.json(), r.headers["x-a"]) == (201, {"ok": True}, "1")
    r = client.get("/html")
    assert (r.text, r.headers["content-type"].split(";")[0]) == ("<b>hi</b>", "text/html")
    assert client.get("/text").headers["content-type"].startswith("text/plain")
    r = client.get("/redirect", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (307, "/json")
    assert client.get("/file").text == "file body"


def test_exception_names_and_extra(client: TestClient) -> None:
    r = client.get("/conflict")
    assert (r.status_code, r.json()) == (409, {"code": "slug_taken", "detail": "Slug taken"})
    r = client.get("/teapot")
    assert (r.status_code, r.json()) == (418, {"retry": False, "detail": "short and stout"})
    r = client.get("/ise")
    assert (r.status_code, r.json()) == (500, {"detail": "Internal Server Error"})
    r = client.get("/bad-response")
    assert (r.status_code, r.json()) == (500, {"detail": "Response validation failed"})


@pytest.mark.orm
@pytest.mark.django_db
def test_get_current_user_and_context(client: TestClient) -> None:
    assert client.get("/me").json() == {"user": None, "context_is_none": True}
    assert client.get("/only-users").status_code == 401
    user = get_user_model().objects.create_user("grace", password="pw-123456")
    token = create_jwt_for_user(user)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/me", headers=headers).json() == {
        "user": "grace",
        "context_is_none": False,
    }
    assert client.get("/only-users", headers=headers).json() == {"user": "grace"}


def test_pagination_module_is_lazy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bolt, bolt.pagination\n"
        "assert 'bolt_plugins.crud' not in sys.modules, 'eager'\n"
        "from bolt.pagination import PageNumberPagination\n"
        "print(PageNumberPagination.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.stdout.strip() == "bolt_plugins.crud.pagination", out.stderr
