"""Guide chapter "Unified ViewSet Pattern": the complete users example over
``django.contrib.auth`` with a real database, serializers per action, custom lookup field and
a partial (read-only) ViewSet."""

import msgspec
import pytest
from django.contrib.auth.models import User

from bolt import BoltAPI, ViewSet


class UserFull(msgspec.Struct):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    is_active: bool


class UserMini(msgspec.Struct):
    id: int
    username: str


class UserCreate(msgspec.Struct):
    username: str
    email: str
    first_name: str = ""
    last_name: str = ""


class UserUpdate(msgspec.Struct):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_active: bool | None = None


def build_users_api() -> BoltAPI:
    """The guide's complete example, as written."""
    api = BoltAPI(plugins=["viewsets"])

    @api.viewset("/users")
    class UserViewSet(ViewSet):
        queryset = User.objects.all()
        serializer_class = UserFull  # Used for detail views
        list_serializer_class = UserMini  # Used for list views
        lookup_field = "id"

        async def list(self, request, active: bool | None = None, limit: int = 100):
            """List users with optional filtering."""
            qs = User.objects.all()

            if active is not None:
                qs = qs.filter(is_active=active)

            qs = qs[:limit]

            users = []
            async for user in qs:
                users.append(UserMini(id=user.id, username=user.username))

            return users

        async def retrieve(self, request, id: int):
            """Retrieve a single user."""
            user = await User.objects.aget(id=id)
            return UserFull(
                id=user.id,
                username=user.username,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                is_active=user.is_active,
            )

        async def create(self, request, data: UserCreate):
            """Create a new user."""
            user = await User.objects.acreate(
                username=data.username,
                email=data.email,
                first_name=data.first_name,
                last_name=data.last_name,
            )
            return UserFull(
                id=user.id,
                username=user.username,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                is_active=user.is_active,
            )

        async def update(self, request, id: int, data: UserUpdate):
            """Full update of a user."""
            user = await User.objects.aget(id=id)

            if data.email is not None:
                user.email = data.email
            if data.first_name is not None:
                user.first_name = data.first_name
            if data.last_name is not None:
                user.last_name = data.last_name
            if data.is_active is not None:
                user.is_active = data.is_active

            await user.asave()

            return UserFull(
                id=user.id,
                username=user.username,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                is_active=user.is_active,
            )

        async def partial_update(self, request, id: int, data: UserUpdate):
            """Partial update of a user."""
            # Same as update for this example
            return await self.update(request, id, data)

        async def destroy(self, request, id: int):
            """Delete a user."""
            user = await User.objects.aget(id=id)
            await user.adelete()
            return {"deleted": True, "user_id": id}

        # Custom actions still work!
        @api.post("/users/{id}/activate")
        async def activate(self, request, id: int):
            """Custom action: Activate a user."""
            user = await User.objects.aget(id=id)
            user.is_active = True
            await user.asave()
            return {"user_id": id, "activated": True}

        @api.get("/users/search")
        async def search(self, request, query: str):
            """Custom action: Search users."""
            users = []
            async for user in User.objects.filter(username__icontains=query)[:10]:
                users.append(UserMini(id=user.id, username=user.username))
            return {"query": query, "results": users}

    return api


@pytest.fixture
def users_client(client_for):
    return client_for(build_users_api())


@pytest.mark.django_db(transaction=True)
def test_complete_example_crud_cycle(users_client):
    created = users_client.post(
        "/users", json={"username": "ada", "email": "ada@example.com", "first_name": "Ada"}
    )
    assert created.status_code == 201
    body = created.json()
    user_id = body["id"]
    assert body == {
        "id": user_id,
        "username": "ada",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "",
        "is_active": True,
    }
    assert users_client.get(f"/users/{user_id}").json() == body

    updated = users_client.put(f"/users/{user_id}", json={"last_name": "Lovelace"})
    assert updated.status_code == 200
    assert updated.json()["last_name"] == "Lovelace"
    patched = users_client.patch(f"/users/{user_id}", json={"is_active": False})
    assert patched.json()["is_active"] is False
    assert User.objects.get(id=user_id).last_name == "Lovelace"

    deleted = users_client.delete(f"/users/{user_id}")
    assert deleted.status_code == 200
    assert deleted.json() == {"deleted": True, "user_id": user_id}
    assert not User.objects.filter(id=user_id).exists()


@pytest.mark.django_db(transaction=True)
def test_complete_example_list_filters_and_limit(users_client):
    a = User.objects.create(username="alice", email="a@example.com")
    User.objects.create(username="bob", email="b@example.com", is_active=False)
    c = User.objects.create(username="carol", email="c@example.com")
    listed = users_client.get("/users")
    assert listed.status_code == 200
    assert sorted(u["username"] for u in listed.json()) == ["alice", "bob", "carol"]
    assert set(listed.json()[0]) == {"id", "username"}
    active = users_client.get("/users", params={"active": "true"}).json()
    assert sorted(u["id"] for u in active) == [a.id, c.id]
    assert len(users_client.get("/users", params={"limit": 1}).json()) == 1
    bad = users_client.get("/users", params={"limit": "many"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "limit"]


@pytest.mark.django_db(transaction=True)
def test_complete_example_class_body_routes(users_client):
    user = User.objects.create(username="dora", email="d@example.com", is_active=False)
    User.objects.create(username="dorian", email="x@example.com")
    User.objects.create(username="eve", email="e@example.com")
    activated = users_client.post(f"/users/{user.id}/activate")
    assert activated.status_code == 200
    assert activated.json() == {"user_id": user.id, "activated": True}
    user.refresh_from_db()
    assert user.is_active is True

    # /users/search is static, so it wins over /users/{id}
    found = users_client.get("/users/search", params={"query": "dor"})
    assert found.status_code == 200
    body = found.json()
    assert body["query"] == "dor"
    assert sorted(body["results"], key=lambda u: u["username"]) == [
        {"id": user.id, "username": "dora"},
        {"id": user.id + 1, "username": "dorian"},
    ]
    missing_query = users_client.get("/users/search")
    assert missing_query.status_code == 422
    assert missing_query.json()["detail"][0]["loc"] == ["query", "query"]


@pytest.mark.django_db(transaction=True)
def test_complete_example_bad_input(users_client):
    assert users_client.get("/users/abc").status_code == 422
    invalid = users_client.post("/users", json={"username": "x"})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "email"]
    assert User.objects.count() == 0


def test_complete_example_route_table():
    api = build_users_api()
    table = {(r.method, r.path): (r.action, r.name) for r in api.iter_routes()}
    assert table == {
        ("GET", "/users"): ("list", "user-list"),
        ("POST", "/users"): ("create", "user-list"),
        ("GET", "/users/{id}"): ("retrieve", "user-detail"),
        ("PUT", "/users/{id}"): ("update", "user-detail"),
        ("PATCH", "/users/{id}"): ("partial_update", "user-detail"),
        ("DELETE", "/users/{id}"): ("destroy", "user-detail"),
        ("POST", "/users/{id}/activate"): ("activate", None),
        ("GET", "/users/search"): ("search", None),
    }


class ArticleSchema(msgspec.Struct):
    id: int
    slug: str


def test_custom_lookup_field_slug(api, client_for):
    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        serializer_class = ArticleSchema
        lookup_field = "slug"

        async def retrieve(self, request, slug: str):
            return ArticleSchema(id=1, slug=slug)

    response = client_for(api).get("/articles/hello-world")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "slug": "hello-world"}
    assert [r.path for r in api.iter_routes()] == ["/articles/{slug}"]


def test_partial_implementation_read_only(api, client_for):
    @api.viewset("/articles")
    class ReadOnlyArticleViewSet(ViewSet):
        serializer_class = ArticleSchema

        async def list(self, request):
            return [ArticleSchema(id=1, slug="a")]

        async def retrieve(self, request, pk: int):
            return ArticleSchema(id=pk, slug="a")

    client = client_for(api)
    assert client.get("/articles").json() == [{"id": 1, "slug": "a"}]
    assert client.get("/articles/4").json() == {"id": 4, "slug": "a"}
    for method in ("POST",):
        response = client.request(method, "/articles", json={})
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    for method in ("PUT", "PATCH", "DELETE"):
        response = client.request(method, "/articles/4", json={})
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert len(api.iter_routes()) == 2


def test_litestar_style_return_types_drive_serialization(api, client_for):
    class Person(msgspec.Struct):
        id: int
        name: str

    @api.viewset("/persons")
    class PersonViewSet(ViewSet):
        serializer_class = Person

        async def list(self, request) -> list[Person]:
            return [{"id": 1, "name": "A", "secret": "x"}, {"id": 2, "name": "B"}]

        async def retrieve(self, request, id: int) -> Person:
            return {"id": id, "name": "A", "password": "hidden"}

    client = client_for(api)
    assert client.get("/persons").json() == [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}]
    assert client.get("/persons/5").json() == {"id": 5, "name": "A"}
