"""``Serializer.from_model`` and ``Meta.model`` over HTTP: every common Django field type,
constraints the database would enforce (422 before anything is stored), foreign keys as ids
or nested, ModelViewSet integration without N+1 queries, pagination and OpenAPI names."""

from __future__ import annotations

import decimal
from typing import Any

import pytest

from bolt import BoltAPI
from bolt.exceptions import ImproperlyConfigured
from bolt.serializers import Serializer, ValidationError, computed_field, field_validator
from bolt.views import ModelViewSet
from tests.testapp.models import Category, Product, Specimen

pytestmark = [pytest.mark.orm, pytest.mark.django_db(transaction=True)]


class SpecimenSerializer(Serializer):
    @computed_field
    def shout(self) -> str:
        return self.name.upper()

    @field_validator("name")
    def no_admin(cls, value: str) -> str:
        if value.lower() == "admin":
            raise ValidationError("This name is reserved.")
        return value

    class Meta:
        model = Specimen
        exclude = ("tags",)


class SpecimenViewSet(ModelViewSet):
    queryset = Specimen.objects.all()
    serializer_class = SpecimenSerializer


ProductDeep = Serializer.from_model(Product, depth=1, exclude=("secret_note",))


class ProductViewSet(ModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductDeep


@pytest.fixture
def api() -> BoltAPI:
    api = BoltAPI(plugins=["viewsets", "crud", "openapi"])
    api.viewset("/specimens")(SpecimenViewSet)
    api.viewset("/products")(ProductViewSet)
    return api


VALID = {
    "name": "first",
    "size": "l",
    "level": 2,
    "email": "a@example.org",
    "website": "https://example.org/",
    "slug": "a-slug",
    "notes": "long text",
    "count": -5,
    "small": 7,
    "big": 2**40,
    "ratio": 0.5,
    "price": "1234.50",
    "active": False,
    "day": "2024-02-29",
    "at": "12:30:00",
    "took": "P1DT7200S",
    "token": "12345678-1234-5678-1234-567812345678",
    "data": {"k": [1, 2]},
    "address": "192.0.2.1",
}


def test_every_field_type_round_trips(api, client_for):
    client = client_for(api)
    response = client.post("/specimens", json=VALID)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] > 0
    assert body["created_at"]
    assert body["shout"] == "FIRST"
    for key, value in VALID.items():
        if key == "price":  # Bolt answers decimals as JSON numbers
            assert body[key] == 1234.5
        else:
            assert body[key] == value, key
    row = Specimen.objects.get()
    assert row.price == decimal.Decimal("1234.50")
    assert row.big == 2**40
    assert client.get(f"/specimens/{body['id']}").json() == body
    assert client.get("/specimens").json() == [body]


def test_every_invalid_field_is_reported_and_nothing_is_stored(api, client_for):
    bad = {
        "name": "x" * 21,  # max_length=20
        "size": "m",  # not a choice
        "level": 3,  # not a choice
        "email": "not-an-email",
        "website": "notaurl",
        "slug": "no spaces!",
        "count": 2**31,  # IntegerField range
        "small": -1,  # positive
        "price": "12345.67",  # max_digits=6, decimal_places=2
        "day": "2024-02-30",
        "token": "zzz",
        "address": "999.1.1.1",
        "id": 5,  # read-only
        "created_at": "2024-01-01T00:00:00Z",  # auto_now_add: read-only
        "shout": "no",  # computed: output only
    }
    response = client_for(api).post("/specimens", json=bad)
    assert response.status_code == 422
    locs = {e["loc"][1] for e in response.json()["detail"]}
    assert locs == set(bad)
    assert all(e["loc"][0] == "body" and e["msg"] for e in response.json()["detail"])
    assert not Specimen.objects.exists()


def test_decimal_places_and_required_fields(api, client_for):
    client = client_for(api)
    response = client.post("/specimens", json={"price": "1.234"})
    assert response.status_code == 422
    errors = {e["loc"][1]: e for e in response.json()["detail"]}
    assert set(errors) == {"name", "price"}
    assert errors["name"]["type"] == "missing"
    response = client.post("/specimens", json={"name": "admin"})
    assert response.json()["detail"] == [
        {"loc": ["body", "name"], "msg": "This name is reserved.", "type": "value_error"}
    ]


def test_patch_is_partial_and_null_is_not_absent(api, client_for):
    client = client_for(api)
    created = client.post("/specimens", json={"name": "one", "website": "https://a.example/"})
    pk = created.json()["id"]
    response = client.patch(f"/specimens/{pk}", json={"count": 3})
    assert response.status_code == 200, response.text
    assert response.json()["website"] == "https://a.example/"
    assert response.json()["count"] == 3
    response = client.patch(f"/specimens/{pk}", json={"website": None})
    assert response.json()["website"] is None
    response = client.patch(f"/specimens/{pk}", json={"name": None, "price": "99999"})
    assert response.status_code == 422
    assert {e["loc"][1] for e in response.json()["detail"]} == {"name", "price"}
    assert Specimen.objects.get().name == "one"


@pytest.fixture
def sql(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement run, in any thread (the ORM runs off the event loop)."""
    from django.db.backends.utils import CursorWrapper

    seen: list[str] = []
    original = CursorWrapper._execute

    def execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(query)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(CursorWrapper, "_execute", execute)
    return seen


def test_foreign_keys_nested_on_read_ids_on_write_without_n_plus_one(api, client_for, sql):
    books = Category.objects.create(name="books")
    client = client_for(api)
    created = client.post("/products", json={"name": "Dune", "price": "9.90", "category": books.pk})
    assert created.status_code == 201, created.text
    assert created.json()["category"] == {"id": books.pk, "name": "books"}
    for i in range(5):
        Product.objects.create(name=f"p{i}", price=decimal.Decimal("1.00"), category=books)
    sql.clear()
    listing = client.get("/products")
    assert listing.status_code == 200
    assert len(listing.json()) == 6
    assert all(item["category"] == {"id": books.pk, "name": "books"} for item in listing.json())
    assert len(sql) == 1, sql  # the categories come in the same query (a JOIN)
    assert "JOIN" in sql[0]
    response = client.post("/products", json={"name": "Bad", "price": "1", "category": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "category"]


def test_dump_many_from_a_queryset_fetches_relations_once(sql):
    books = Category.objects.create(name="books")
    for i in range(4):
        Product.objects.create(name=f"p{i}", price=decimal.Decimal("2.50"), category=books)
    sql.clear()
    items = ProductDeep.dump_many(Product.objects.order_by("id"))
    assert len(sql) == 1
    assert [i.category.name for i in items] == ["books"] * 4
    one = ProductDeep.dump(Product.objects.first())
    assert one.name == "p0"
    assert not hasattr(one, "secret_note")


def test_openapi_names_read_and_write_variants_apart(api, client_for):
    doc = client_for(api).get("/openapi.json").json()
    names = set(doc["components"]["schemas"])
    assert {"SpecimenSerializerRead", "SpecimenSerializerWrite", "SpecimenSerializerPatch"} <= names
    read = doc["components"]["schemas"]["SpecimenSerializerRead"]["properties"]
    write = doc["components"]["schemas"]["SpecimenSerializerWrite"]["properties"]
    assert "shout" in read
    assert "shout" not in write
    assert "id" in read
    assert "id" not in write
    assert write["price"]["maximum"] == 9999.99
    assert write["name"]["maxLength"] == 20


def test_definition_mistakes_fail_when_the_class_is_defined():
    with pytest.raises(ImproperlyConfigured, match="unknown field 'nam'"):

        class Typo(Serializer):
            name: str

            @field_validator("nam")
            def check(cls, value: Any) -> Any:
                return value

    with pytest.raises(ImproperlyConfigured, match="clashes"):

        class Clash(Serializer):
            name: str

            @computed_field
            def name(self) -> str:  # type: ignore[override]
                return "x"

    with pytest.raises(ImproperlyConfigured, match="no field 'nope'"):
        Serializer.from_model(Product, fields=["nope"])
