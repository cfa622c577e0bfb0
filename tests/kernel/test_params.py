"""Body parameters and their markers: JSON bodies, embedded bodies, forms and files
(``bolt.bodies``, ``bolt.forms``). Path, query, header and cookie parameters are in
``test_binding.py``, dependencies in ``test_compile.py``."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest

from bolt import BoltAPI
from bolt.exceptions import ImproperlyConfigured
from bolt.params import Body, File, Form, UploadFile
from bolt.testing import TestClient


class ItemIn(msgspec.Struct):
    name: str
    price: float


class Login(msgspec.Struct):
    username: str
    remember: bool = False


def test_issue_example_read_and_create(api: BoltAPI, client: TestClient) -> None:
    @api.get("/items/{item_id}")
    async def read_item(request, item_id: int, q: str | None = None) -> dict:  # type: ignore[no-untyped-def]
        return {"item_id": item_id, "q": q, "method": request["method"]}

    @api.post("/items", status_code=201)
    async def create_item(request, data: ItemIn) -> ItemIn:  # type: ignore[no-untyped-def]
        return data

    assert client.get("/items/5?q=x").json() == {"item_id": 5, "q": "x", "method": "GET"}
    assert client.get("/items/5").json() == {"item_id": 5, "q": None, "method": "GET"}
    r = client.post("/items", json={"name": "pen", "price": 1.5})
    assert r.status_code == 201
    assert r.json() == {"name": "pen", "price": 1.5}


def test_json_body_kinds(api: BoltAPI, client: TestClient) -> None:
    @api.post("/dict")
    async def as_dict(data: dict) -> dict:
        return {"keys": sorted(data)}

    @api.post("/list")
    async def as_list(data: list[ItemIn]) -> dict:
        return {"count": len(data)}

    @api.post("/optional")
    async def optional(data: dict | None = None) -> dict:
        return {"data": data}

    assert client.post("/dict", json={"b": 1, "a": 2}).json() == {"keys": ["a", "b"]}
    assert client.post("/list", json=[{"name": "a", "price": 1}]).json() == {"count": 1}
    r = client.post("/list", json=[{"name": "a", "price": "x"}])
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", 0, "price"]
    assert client.post("/optional").json() == {"data": None}
    assert client.post("/optional", json={"a": 1}).json() == {"data": {"a": 1}}


def test_embedded_bodies(api: BoltAPI, client: TestClient) -> None:
    @api.post("/embed")
    async def embed(item: ItemIn, quantity: int = Body(1)) -> dict:
        return {"item": item.name, "quantity": quantity}

    assert client.post(
        "/embed", json={"item": {"name": "a", "price": 2}, "quantity": 3}
    ).json() == {
        "item": "a",
        "quantity": 3,
    }
    assert client.post("/embed", json={"item": {"name": "a", "price": 2}}).json()["quantity"] == 1
    r = client.post("/embed", json={"quantity": "x"})
    assert r.status_code == 422
    assert sorted(e["loc"] for e in r.json()["detail"]) == [["body", "item"], ["body", "quantity"]]


def test_form_urlencoded_and_struct(api: BoltAPI, client: TestClient) -> None:
    @api.post("/login")
    async def login(form: Annotated[Login, Form()]) -> dict:
        return {"username": form.username, "remember": form.remember}

    @api.post("/field")
    async def field(age: int = Form()) -> dict:
        return {"age": age}

    r = client.post("/login", data={"username": "ann", "remember": "true"})
    assert r.json() == {"username": "ann", "remember": True}
    assert client.post("/field", data={"age": "7"}).json() == {"age": 7}
    r = client.post("/field", data={"age": "old"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["form", "age"]
    r = client.post("/field", json={"age": 7})
    assert r.status_code == 415


def test_multipart_files(api: BoltAPI, client: TestClient) -> None:
    @api.post("/upload")
    async def upload(title: str = Form(), doc: UploadFile = File()) -> dict:
        content = await doc.read()
        return {
            "title": title,
            "filename": doc.filename,
            "type": doc.content_type,
            "size": len(content),
        }

    @api.post("/many")
    async def many(docs: list[UploadFile] = File()) -> dict:
        return {"names": [d.filename for d in docs]}

    @api.post("/raw")
    async def raw(doc: bytes = File()) -> dict:
        return {"len": len(doc)}

    r = client.post(
        "/upload", data={"title": "t"}, files={"doc": ("a.txt", b"hello", "text/plain")}
    )
    assert r.json() == {"title": "t", "filename": "a.txt", "type": "text/plain", "size": 5}
    r = client.post("/many", files=[("docs", ("1.txt", b"1")), ("docs", ("2.txt", b"2"))])
    assert r.json() == {"names": ["1.txt", "2.txt"]}
    assert client.post("/raw", files={"doc": ("b.bin", b"\x00\x01")}).json() == {"len": 2}
    r = client.post("/upload", data={"title": "t"}, files={"other": ("a.txt", b"x")})
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"loc": ["file", "doc"], "msg": "Field required", "type": "missing"}
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"junk-before-boundary",
        b"--XB\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XB--\r\n",
        b"--XB\r\n" + b"X-Big: " + b"a" * 20000 + b"\r\n\r\nv\r\n--XB--\r\n",
        b"--XB\r\nno-colon-header\r\n\r\nv\r\n--XB--\r\n",
    ],
)
def test_malformed_multipart_is_400(api: BoltAPI, client: TestClient, body: bytes) -> None:
    @api.post("/upload")
    async def upload(name: str = Form()) -> dict:
        return {}

    r = client.post(
        "/upload", content=body, headers={"content-type": "multipart/form-data; boundary=XB"}
    )
    assert r.status_code == 400
    assert "detail" in r.json()


def test_too_many_form_fields_is_413(api: BoltAPI, client: TestClient) -> None:
    @api.post("/form")
    async def form(a: str = Form("")) -> dict:
        return {}

    body = "&".join(f"f{i}=1" for i in range(5000)).encode()
    r = client.post(
        "/form", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 413


def test_required_body_on_get_is_startup_error(api: BoltAPI) -> None:
    @api.get("/search")
    async def search(data: ItemIn) -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="GET requests carry no body"):
        api.compile()


def test_optional_body_on_get_and_post_action(api: BoltAPI, client: TestClient) -> None:
    @api.route("/prefs", ["GET", "POST"])
    async def prefs(request: object, data: dict | None = None) -> dict:
        return {"method": request["method"], "data": data}  # type: ignore[index]

    assert client.get("/prefs").json() == {"method": "GET", "data": None}
    assert client.post("/prefs", json={"a": 1}).json() == {"method": "POST", "data": {"a": 1}}


def test_unannotated_data_is_the_body(api: BoltAPI, client: TestClient) -> None:
    @api.post("/raw")
    async def raw(request, data) -> dict:  # type: ignore[no-untyped-def]
        return {"got": data}

    assert client.post("/raw", json={"a": [1, 2]}).json() == {"got": {"a": [1, 2]}}
    assert (
        client.post("/raw", content=b"{", headers={"content-type": "application/json"}).status_code
        == 400
    )
