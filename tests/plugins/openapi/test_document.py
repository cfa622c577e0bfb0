"""The OpenAPI document of function routes: parameters, bodies, responses, names."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import pytest

from bolt.params import Body, Cookie, Depends, File, Form, Header, Path, Query, UploadFile
from bolt.responses import HTMLResponse


class Item(msgspec.Struct):
    name: str
    price: Annotated[float, msgspec.Meta(ge=0)]
    tags: list[str] = []


class Filters(msgspec.Struct):
    search: str = ""
    page: int = 1


class Upload(msgspec.Struct):
    title: str
    note: str = ""


def trace_id(x_trace_id: Annotated[str, Header()] = "none") -> str:
    return x_trace_id


def op(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = doc["paths"][path][method]
    return operation


def params_by_name(operation: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["in"], p["name"]): p for p in operation.get("parameters", ())}


def test_every_parameter_kind_of_a_function_route(make_api, fetch_doc) -> None:
    api = make_api()

    @api.get("/shops/{shop}/items/{item_id:int}")
    async def find_items(
        shop: str,
        item_id: Annotated[int, Path(ge=1)],
        q: Annotated[str, Query(min_length=2, max_length=20, description="Text to find")],
        limit: int = 10,
        ids: list[int] | None = None,
        user_agent: Annotated[str | None, Header()] = None,
        token: Annotated[str, Header(alias="X-Token")] = "",
        session: Annotated[str | None, Cookie(alias="sid")] = None,
        trace: str = Depends(trace_id),
        hidden: Annotated[str, Query(include_in_schema=False)] = "",
    ) -> list[Item]:
        return []

    doc = fetch_doc(api)
    operation = op(doc, "get", "/shops/{shop}/items/{item_id}")
    params = params_by_name(operation)
    assert params[("path", "shop")] == {
        "name": "shop",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
    }
    # integers are 64-bit: the bound the route does not give is documented too
    assert params[("path", "item_id")]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**63 - 1,
    }
    q = params[("query", "q")]
    assert q["required"] is True
    assert q["description"] == "Text to find"
    assert q["schema"] == {"type": "string", "minLength": 2, "maxLength": 20}
    assert params[("query", "limit")]["schema"] == {
        "type": "integer",
        "default": 10,
        "minimum": -(2**63),
        "maximum": 2**63 - 1,
    }
    assert params[("query", "limit")]["required"] is False
    assert params[("query", "ids")]["schema"]["anyOf"][0] == {
        "type": "array",
        "items": {"type": "integer"},
    }
    assert params[("header", "user-agent")]["required"] is False
    assert ("header", "x-token") in params
    assert params[("cookie", "sid")]["in"] == "cookie"
    # a dependency's own parameters are the route's parameters too
    assert params[("header", "x-trace-id")]["schema"] == {"type": "string", "default": "none"}
    assert ("query", "hidden") not in params
    assert "requestBody" not in operation
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Item"},
    }
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BoltValidationError"
    }
    assert doc["components"]["schemas"]["Item"]["required"] == ["name", "price"]


def test_documented_parameters_match_what_the_route_accepts(make_api, client_for) -> None:
    """The document and the extractors read the same plan: a documented query works."""
    api = make_api()

    @api.get("/search")
    async def search(q: Annotated[str, Query(min_length=2)], page: int = 1) -> dict:
        return {"q": q, "page": page}

    client = client_for(api)
    doc = client.get("/openapi.json").json()
    names = [p["name"] for p in doc["paths"]["/search"]["get"]["parameters"]]
    assert names == ["q", "page"]
    assert client.get("/search", params={"q": "ok", "page": 2}).json() == {"q": "ok", "page": 2}
    bad = client.get("/search", params={"q": "x"})
    assert bad.status_code == 422
    item_schema = doc["components"]["schemas"]["BoltValidationErrorItem"]
    assert set(bad.json()["detail"][0]) == set(item_schema["required"])


def test_query_struct_is_one_parameter_per_field(make_api, fetch_doc) -> None:
    api = make_api()

    @api.get("/items")
    async def list_items(filters: Annotated[Filters, Query()]) -> list[Item]:
        return []

    params = params_by_name(op(fetch_doc(api), "get", "/items"))
    assert params[("query", "search")]["schema"] == {"type": "string", "default": ""}
    assert params[("query", "page")]["schema"] == {"type": "integer", "default": 1}


def test_struct_body_and_response(make_api, fetch_doc, client_for) -> None:
    api = make_api()

    @api.post("/items", status_code=201)
    async def create_item(item: Item) -> Item:
        """Create an item.

        The price must not be negative.
        """
        return item

    doc = fetch_doc(api)
    operation = op(doc, "post", "/items")
    assert operation["summary"] == "Create an item."
    assert operation["description"] == "The price must not be negative."
    assert operation["requestBody"] == {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Item"},
                "example": {"name": "", "price": 0, "tags": []},
            }
        },
    }
    assert set(operation["responses"]) == {"201", "400", "413", "415", "422"}
    assert operation["responses"]["201"]["description"] == "Created"
    item = doc["components"]["schemas"]["Item"]
    assert item["properties"]["price"] == {"type": "number", "minimum": 0}
    assert item["properties"]["tags"] == {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
    }
    # the documented body is the one the route takes
    created = client_for(api).post("/items", json={"name": "a", "price": 1.5})
    assert created.status_code == 201
    assert created.json() == {"name": "a", "price": 1.5, "tags": []}


def test_several_bodies_are_embedded_by_name(make_api, fetch_doc) -> None:
    api = make_api()

    @api.put("/pair")
    async def pair(item: Item, note: Annotated[str, Body()] = "") -> dict:
        return {}

    schema = op(fetch_doc(api), "put", "/pair")["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert schema == {
        "type": "object",
        "properties": {
            "item": {"$ref": "#/components/schemas/Item"},
            "note": {"type": "string", "default": ""},
        },
        "required": ["item"],
    }


def test_form_and_multipart_bodies(make_api, fetch_doc) -> None:
    api = make_api()

    @api.post("/login")
    async def login(username: Annotated[str, Form()], password: Annotated[str, Form()]) -> dict:
        return {}

    @api.post("/upload")
    async def upload(
        meta: Annotated[Upload, Form()],
        file: Annotated[UploadFile, File()],
        extra: list[UploadFile] | None = None,
    ) -> dict:
        return {}

    doc = fetch_doc(api)
    login_body = op(doc, "post", "/login")["requestBody"]
    assert set(login_body["content"]) == {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }
    form = login_body["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["username", "password"]
    upload_body = op(doc, "post", "/upload")["requestBody"]
    assert list(upload_body["content"]) == ["multipart/form-data"]
    schema = upload_body["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert schema["properties"]["extra"]["anyOf"][0] == {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
    }
    assert schema["properties"]["title"] == {"type": "string"}
    assert schema["required"] == ["title", "file"]


def test_responses_follow_status_and_return_type(make_api, fetch_doc) -> None:
    api = make_api()

    @api.delete("/items/{item_id}")
    async def remove(item_id: int) -> None:
        return None

    @api.get("/page")
    async def page() -> HTMLResponse:
        return HTMLResponse("<p>hi</p>")

    @api.get("/text")
    async def text() -> str:
        return "hi"

    @api.get("/anything")
    async def anything():  # unannotated on purpose
        return {}

    doc = fetch_doc(api)
    assert op(doc, "delete", "/items/{item_id}")["responses"]["204"] == {
        "description": "No Content"
    }
    page_op = op(doc, "get", "/page")
    assert page_op["responses"] == {"200": {"description": "OK", "content": {"text/html": {}}}}
    assert op(doc, "get", "/text")["responses"]["200"]["content"] == {
        "text/plain": {"schema": {"type": "string"}}
    }
    assert op(doc, "get", "/anything")["responses"]["200"]["content"] == {
        "application/json": {"schema": {}}
    }
    assert "422" not in op(doc, "get", "/text")["responses"]


def test_names_tags_and_include_in_schema(make_api, fetch_doc) -> None:
    api = make_api(title="Shop <API>", version="2.1.0", description="Sells things.")

    @api.get("/a", tags=["shop"], summary="Read A", operation_id="readA", deprecated=True)
    async def a() -> dict:
        return {}

    @api.route("/b", methods=["GET", "POST"])
    async def b() -> dict:
        return {}

    @api.get("/internal", include_in_schema=False)
    async def internal() -> dict:
        return {}

    doc = fetch_doc(api)
    assert doc["info"] == {
        "title": "Shop <API>",
        "version": "2.1.0",
        "description": "Sells things.",
    }
    a_op = op(doc, "get", "/a")
    assert (a_op["operationId"], a_op["summary"], a_op["tags"]) == ("readA", "Read A", ["shop"])
    assert a_op["deprecated"] is True
    assert doc["tags"] == [{"name": "shop"}]
    # one function on two methods: distinct operationIds; summary from the name
    assert {op(doc, "get", "/b")["operationId"], op(doc, "post", "/b")["operationId"]} == {
        "b_get",
        "b_post",
    }
    assert op(doc, "get", "/b")["summary"] == "B"
    assert "/internal" not in doc["paths"]
    # the plugin's own routes are not part of the API it documents
    assert "/openapi.json" not in doc["paths"]
    assert "/docs" not in doc["paths"]


def test_duplicate_explicit_operation_ids_fail_at_startup(make_api) -> None:
    from bolt.exceptions import ImproperlyConfigured

    api = make_api()

    @api.get("/a", operation_id="same")
    async def a() -> dict:
        return {}

    @api.get("/b", operation_id="same")
    async def b() -> dict:
        return {}

    with pytest.raises(ImproperlyConfigured, match="operation_id 'same'"):
        api.compile()


def test_error_schema_names_are_reserved(make_api) -> None:
    from bolt.exceptions import ImproperlyConfigured

    class BoltError(msgspec.Struct):
        code: int

    api = make_api()

    @api.get("/a")
    async def a() -> BoltError:
        return BoltError(1)

    with pytest.raises(ImproperlyConfigured, match="BoltError"):
        api.compile()
