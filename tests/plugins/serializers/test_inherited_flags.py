"""``field(read_only=True)`` / ``field(write_only=True)`` survive subclassing: a child
Serializer refuses its parent's read-only fields in bodies and leaves its parent's
write-only fields out of answers, unless the child declares the name again."""

from __future__ import annotations

from bolt import BoltAPI
from bolt.serializers import Serializer, field


class AccountBase(Serializer):
    id: int = field(default=0, read_only=True)
    is_admin: bool = field(default=False, read_only=True)
    username: str
    password: str = field(default="", write_only=True)


class Account(AccountBase):
    bio: str = ""


class Grandchild(Account):
    nickname: str = ""


class Redeclared(AccountBase):
    # declared again without the flag: the child's own declaration decides
    is_admin: bool = False


AccountNoBio = Account.subset(exclude=("bio",))


def _api() -> BoltAPI:
    api = BoltAPI()

    @api.post("/accounts", status_code=201)
    async def create(data: Account) -> Account:
        return data

    @api.post("/grand", status_code=201)
    async def grand(data: Grandchild) -> Grandchild:
        return data

    @api.post("/redeclared", status_code=201)
    async def redeclared(data: Redeclared) -> Redeclared:
        return data

    @api.post("/subset", status_code=201)
    async def subset(data: AccountNoBio) -> AccountNoBio:
        return data

    return api


def test_child_refuses_parent_read_only_fields_in_a_body(client_for) -> None:
    client = client_for(_api())
    body = {"username": "mallory", "password": "s3cret", "is_admin": True, "id": 1}
    for path in ("/accounts", "/grand", "/subset"):
        response = client.post(path, json=body)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"].startswith("application/json")
        assert sorted(response.json()["detail"], key=lambda e: e["loc"]) == [
            {"loc": ["body", "id"], "msg": "Unknown field", "type": "extra_forbidden"},
            {"loc": ["body", "is_admin"], "msg": "Unknown field", "type": "extra_forbidden"},
        ]


def extra(path: str) -> dict[str, str]:
    return {"/accounts": {"bio": ""}, "/grand": {"bio": "", "nickname": ""}}.get(path, {})


def test_child_answers_leave_out_parent_write_only_fields(client_for) -> None:
    client = client_for(_api())
    for path in ("/accounts", "/grand", "/subset"):
        response = client.post(path, json={"username": "alice", "password": "s3cret"})
        assert response.status_code == 201, (path, response.text)
        body = response.json()
        assert "password" not in body
        assert body == {"id": 0, "is_admin": False, "username": "alice", **extra(path)}


def test_redeclared_name_drops_the_parent_flag(client_for) -> None:
    client = client_for(_api())
    response = client.post("/redeclared", json={"username": "a", "is_admin": True})
    assert response.status_code == 201, response.text
    assert response.json() == {"id": 0, "is_admin": True, "username": "a"}
    # the flags the child did not redeclare are still inherited
    refused = client.post("/redeclared", json={"username": "a", "id": 3})
    assert refused.status_code == 422


def test_variants_of_a_child_follow_the_parent_flags() -> None:
    assert set(Account.write_type().__struct_fields__) == {"username", "password", "bio"}
    assert set(Account.patch_type().__struct_fields__) == {"username", "password", "bio"}
    assert set(Account.read_type().__struct_fields__) == {"id", "is_admin", "username", "bio"}
    picked = Account.subset(fields=("id", "is_admin", "username"))
    assert set(picked.write_type().__struct_fields__) == {"username"}


def test_a_parents_field_list_does_not_drop_a_subclasss_new_fields() -> None:
    """A review found ``c`` silently dropped: the parent's ``Meta.fields`` filtered it."""
    from bolt.serializers import Serializer

    class Parent(Serializer):
        a: int
        b: int = 0

        class Meta:
            fields = ("a", "b")

    class Child(Parent):
        c: int = 5

    assert Child.__struct_fields__ == ("a", "b", "c")
