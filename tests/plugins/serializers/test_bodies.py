"""Serializers on function routes, through HTTP: every error at once with its full ``loc``,
validators, computed/read-only/write-only fields, aliases, PATCH, field sets."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Generic, TypeVar

import msgspec
import pytest

from bolt import BoltAPI
from bolt.serializers import (
    Serializer,
    ValidationError,
    computed_field,
    field,
    field_validator,
    model_validator,
)


class Author(Serializer):
    name: Annotated[str, msgspec.Meta(min_length=1)]
    email: str

    @field_validator("email")
    def clean_email(cls, value: str) -> str:
        if "@" not in value:
            raise ValidationError("Enter a valid email address.")
        return value.lower()


class Book(Serializer):
    id: int = field(default=0, read_only=True)
    title: str
    pages: Annotated[int, msgspec.Meta(ge=1)]
    author: Author
    reviewers: list[Author] = []
    secret: str = field(default="", write_only=True)

    @field_validator("title", mode="before")
    def strip_title(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @model_validator
    def short_books_have_short_titles(self) -> None:
        if self.pages < 10 and len(self.title) > 20:
            raise ValidationError({"title": "too long for a short book"})

    @computed_field
    def label(self) -> str:
        return f"{self.title} ({self.pages} p.)"

    class Meta:
        field_sets = {"list": ("id", "title", "pages", "label")}


BookList = Book.subset("list")


class Camel(Serializer):
    first_name: str
    last_name: str = field(default="", alias="surname")

    @computed_field
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    class Meta:
        camel_case = True


class Loose(Serializer):
    name: str

    class Meta:
        extra = "ignore"


class Crashing(Serializer):
    name: str

    @field_validator("name")
    def broken(cls, value: str) -> str:
        raise KeyError("internal secret detail")


@pytest.fixture
def api() -> BoltAPI:
    api = BoltAPI()
    store: dict[int, Any] = {}

    @api.post("/books", status_code=201)
    async def create(data: Book) -> Book:
        store[1] = data
        return data

    @api.post("/books/many")
    async def create_many(data: list[Book]) -> list[Book]:
        return data

    @api.get("/books", response_model=list[BookList])
    async def books() -> Any:
        return [{"id": 1, "title": "Dune", "pages": 600, "author": {"name": "F", "email": "f@x"}}]

    @api.patch("/books/1")
    async def patch(data: Book.patch_type()) -> dict[str, Any]:  # type: ignore[valid-type]
        sent = {n: getattr(data, n) for n in data.__struct_fields__}
        return {k: v for k, v in sent.items() if v is not msgspec.UNSET}

    @api.post("/camel")
    async def camel(data: Camel) -> Camel:
        return data

    @api.post("/loose")
    async def loose(data: Loose) -> dict[str, str]:
        return {"name": data.name}

    @api.post("/crash")
    async def crash(data: Crashing) -> dict[str, str]:
        return {"name": data.name}

    return api


GOOD = {"title": "  Dune ", "pages": 600, "author": {"name": "Frank", "email": "F@X.ORG"}}


def test_valid_body_is_cleaned_and_answered_with_the_read_variant(api, client_for):
    response = client_for(api).post("/books", json={**GOOD, "secret": "s3"})
    assert response.status_code == 201, response.text
    body = response.json()
    # before-validator stripped the title, after-validator lowered the e-mail,
    # the computed field is in the answer, the write-only field is not
    assert body == {
        "id": 0,
        "title": "Dune",
        "pages": 600,
        "author": {"name": "Frank", "email": "f@x.org"},
        "reviewers": [],
        "label": "Dune (600 p.)",
    }


def test_every_error_at_once_with_nested_locs(api, client_for):
    bad = {
        "title": 5,
        "pages": 0,
        "author": {"name": "", "email": "nope"},
        "reviewers": [{"name": "ok", "email": "a@b"}, {"email": "bad"}],
        "id": 9,
        "label": "x",
        "colour": "red",
    }
    response = client_for(api).post("/books", json=bad)
    assert response.status_code == 422
    errors = {tuple(e["loc"]): e for e in response.json()["detail"]}
    assert set(errors) == {
        ("body", "title"),
        ("body", "pages"),
        ("body", "author", "name"),
        ("body", "author", "email"),
        ("body", "reviewers", 1, "name"),
        ("body", "reviewers", 1, "email"),
        ("body", "id"),
        ("body", "label"),
        ("body", "colour"),
    }
    assert errors[("body", "title")]["type"] == "type_error"
    assert errors[("body", "reviewers", 1, "name")] == {
        "loc": ["body", "reviewers", 1, "name"],
        "msg": "Field required",
        "type": "missing",
    }
    assert errors[("body", "author", "email")]["msg"] == "Enter a valid email address."
    assert errors[("body", "id")]["type"] == "extra_forbidden"  # read-only: never written


def test_list_body_errors_carry_the_index(api, client_for):
    response = client_for(api).post("/books/many", json=[GOOD, {**GOOD, "pages": "x"}])
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", 1, "pages"]]


def test_model_validator_runs_once_fields_are_valid(api, client_for):
    long_title = "A title well over twenty characters"
    response = client_for(api).post("/books", json={**GOOD, "title": long_title, "pages": 5})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "title"], "msg": "too long for a short book", "type": "value_error"}
        ]
    }


def test_response_model_subset_keeps_computed_fields(api, client_for):
    response = client_for(api).get("/books")
    assert response.status_code == 200
    assert response.json() == [{"id": 1, "title": "Dune", "pages": 600, "label": "Dune (600 p.)"}]


def test_patch_distinguishes_absent_from_null(api, client_for):
    client = client_for(api)
    assert client.patch("/books/1", json={"title": "New"}).json() == {"title": "New"}
    assert client.patch("/books/1", json={}).json() == {}
    response = client.patch("/books/1", json={"title": None, "pages": -1})
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "title"),
        ("body", "pages"),
    }


def test_camel_case_and_aliases_in_and_out(api, client_for):
    client = client_for(api)
    response = client.post("/camel", json={"firstName": "Ada", "surname": "Lovelace"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "firstName": "Ada",
        "surname": "Lovelace",
        "fullName": "Ada Lovelace",
    }
    response = client.post("/camel", json={"first_name": "Ada"})
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "firstName"),
        ("body", "first_name"),
    }


def test_extra_ignore_accepts_unknown_fields(api, client_for):
    response = client_for(api).post("/loose", json={"name": "x", "other": 1})
    assert response.status_code == 200
    assert response.json() == {"name": "x"}


def test_a_crashing_validator_is_a_logged_500_without_details(api, client_for, caplog):
    with caplog.at_level(logging.ERROR):
        response = client_for(api).post("/crash", json={"name": "x"})
    assert response.status_code == 500
    assert "secret" not in response.text
    assert "KeyError" not in response.text
    assert any("internal secret detail" in r.getMessage() or r.exc_info for r in caplog.records)


def test_malformed_json_is_still_a_400(api, client_for):
    response = client_for(api).post(
        "/books", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


def test_openapi_documents_write_bodies_without_computed_fields(client_for):
    api = BoltAPI(plugins=["openapi"])

    @api.post("/camel")
    async def camel(data: Camel) -> Camel:
        return data

    @api.post("/books", status_code=201)
    async def create(data: Book) -> Book:
        return data

    schemas = client_for(api).get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["CamelWrite"]["properties"]) == {"firstName", "surname"}
    assert set(schemas["CamelRead"]["properties"]) == {"firstName", "surname", "fullName"}
    assert "id" not in schemas["BookWrite"]["properties"]
    assert "secret" in schemas["BookWrite"]["properties"]
    assert "secret" not in schemas["BookRead"]["properties"]
    assert "label" in schemas["BookRead"]["properties"]
    assert schemas["AuthorWrite"]["properties"]["name"]["minLength"] == 1


class Money(Serializer):
    amount: int
    currency: str

    @model_validator(mode="before")
    def from_text(cls, data: Any) -> Any:
        if isinstance(data, str):  # "12 EUR"
            amount, _, currency = data.partition(" ")
            return {"amount": amount, "currency": currency}
        return data

    @field_validator("amount", mode="before")
    def digits(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.isdigit():
                raise ValidationError("Enter whole units.")
            return int(value)
        return value

    class Config:  # django-bolt's spelling
        extra = "forbid"


def test_before_validators_see_the_raw_json(client_for):
    api = BoltAPI()

    @api.post("/pay")
    async def pay(data: list[Money]) -> list[Money]:
        return data

    client = client_for(api)
    response = client.post("/pay", json=["12 EUR", {"amount": "3", "currency": "USD"}])
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"amount": 12, "currency": "EUR"},
        {"amount": 3, "currency": "USD"},
    ]
    response = client.post("/pay", json=["x EUR", {"amount": 1}])
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", 0, "amount"], "msg": "Enter whole units.", "type": "value_error"},
        {"loc": ["body", 1, "currency"], "msg": "Field required", "type": "missing"},
    ]


def test_validate_outside_a_route_reports_every_error():
    from bolt.exceptions import RequestValidationError

    assert Money.validate({"amount": 5, "currency": "EUR"}).amount == 5
    with pytest.raises(RequestValidationError) as caught:
        Money.validate({"amount": "five", "rate": 1})
    assert [e["loc"] for e in caught.value.errors] == [["amount"], ["currency"], ["rate"]]


T = TypeVar("T")


class Page(msgspec.Struct, Generic[T]):
    count: int
    results: list[T]


def test_generic_envelopes_answer_with_the_read_variant(client_for):
    api = BoltAPI()

    @api.get("/page", response_model=Page[Book])
    async def page() -> Any:
        book = {**GOOD, "title": "Dune", "secret": "hidden", "id": 3}
        return {"count": 1, "results": [book]}

    response = client_for(api).get("/page")
    assert response.status_code == 200, response.text
    [book] = response.json()["results"]
    assert book["label"] == "Dune (600 p.)"
    assert "secret" not in book


def test_embedded_serializer_bodies_report_every_error(client_for):
    api = BoltAPI()

    @api.post("/two")
    async def two(book: Book, payment: Money) -> dict[str, Any]:
        return {"title": book.title, "amount": payment.amount}

    client = client_for(api)
    ok = client.post("/two", json={"book": GOOD, "payment": "7 EUR"})
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"title": "Dune", "amount": 7}
    bad = client.post("/two", json={"book": {**GOOD, "pages": 0, "author": {}}, "payment": "7"})
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["detail"]} == {
        ("body", "book", "pages"),
        ("body", "book", "author", "name"),
        ("body", "book", "author", "email"),
    }
