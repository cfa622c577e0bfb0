"""Guide chapter "ViewSet Hooks and Methods" and "Different Serializers Per Action":
``get_queryset``, ``get_object``, ``filter_queryset``, ``get_serializer_class`` (class
attributes, the fallback chain, per-request role-based selection)."""

import msgspec
import pytest
from django.contrib.auth.models import User
from django.db.models import Q

from bolt.auth import JWTAuthentication, create_jwt_for_user
from bolt.exceptions import HTTPException, ImproperlyConfigured
from bolt.views import ViewSet


class UserMiniSchema(msgspec.Struct):
    id: int
    username: str


class UserFullSchema(msgspec.Struct):
    id: int
    username: str
    email: str
    is_active: bool


class UserCreateSchema(msgspec.Struct):
    username: str
    email: str


class UserUpdateSchema(msgspec.Struct):
    email: str | None = None


class UserAdminSchema(msgspec.Struct):
    id: int
    username: str
    is_staff: bool


def schema_of(schema, user):
    return msgspec.convert(user, schema, from_attributes=True)


@pytest.fixture
def users(transactional_db):
    return [
        User.objects.create(username="alice", email="a@example.com"),
        User.objects.create(username="bob", email="b@example.com", is_active=False),
        User.objects.create(username="carol", email="c@example.com", is_staff=True),
    ]


@pytest.mark.django_db(transaction=True)
def test_get_queryset_super_and_filter_queryset(api, client_for, users):
    @api.viewset("/users")
    class UserViewSet(ViewSet):
        queryset = User.objects.all()

        async def get_queryset(self):
            base_qs = await super().get_queryset()
            if self.request.get("query", {}).get("staff") == "1":
                base_qs = base_qs.filter(is_staff=True)
            return base_qs.order_by("username")

        async def filter_queryset(self, queryset):
            query_params = self.request.get("query", {})
            search = query_params.get("search")
            if search:
                queryset = queryset.filter(Q(username__icontains=search) | Q(email=search))
            ordering = query_params.get("ordering")
            if ordering in ("username", "-username"):
                queryset = queryset.order_by(ordering)
            return queryset

        async def list(self, request):
            qs = await self.get_queryset()
            qs = await self.filter_queryset(qs)
            return [schema_of(UserMiniSchema, u) async for u in qs[:100]]

    client = client_for(api)
    names = lambda r: [u["username"] for u in r.json()]  # noqa: E731
    assert names(client.get("/users")) == ["alice", "bob", "carol"]
    assert names(client.get("/users", params={"staff": "1"})) == ["carol"]
    assert names(client.get("/users", params={"search": "o"})) == ["bob", "carol"]
    assert names(client.get("/users", params={"ordering": "-username"})) == [
        "carol",
        "bob",
        "alice",
    ]


@pytest.mark.django_db(transaction=True)
def test_base_get_object_by_lookup_and_404(api, client_for, users):
    @api.viewset("/users")
    class UserViewSet(ViewSet):
        queryset = User.objects.all()
        lookup_field = "username"

        async def retrieve(self, request, username: str):
            # no argument: the URL's lookup value (self.kwargs) is used
            user = await self.get_object()
            return schema_of(UserFullSchema, user)

        async def destroy(self, request, username: str):
            user = await self.get_object(username=username)
            await user.adelete()

    client = client_for(api)
    response = client.get("/users/bob")
    assert response.status_code == 200
    assert response.json() == {
        "id": users[1].id,
        "username": "bob",
        "email": "b@example.com",
        "is_active": False,
    }
    missing = client.get("/users/nobody")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "User not found"}
    assert client.delete("/users/alice").status_code == 204
    assert client.delete("/users/alice").status_code == 404
    assert not User.objects.filter(username="alice").exists()


@pytest.mark.django_db(transaction=True)
def test_get_object_positional_pk_and_bad_values(api, client_for, users):
    @api.viewset("/users")
    class UserViewSet(ViewSet):
        queryset = User.objects.all()

        async def retrieve(self, request, pk: str):
            return schema_of(UserMiniSchema, await self.get_object(pk))

    client = client_for(api)
    assert client.get(f"/users/{users[2].id}").json() == {"id": users[2].id, "username": "carol"}
    # a value the integer column cannot hold is "not found", never a 500
    assert client.get("/users/abc").status_code == 404
    assert client.get("/users/99999999999999999999").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_get_object_override_with_object_permission(api, client_for, users):
    @api.viewset("/users")
    class UserViewSet(ViewSet):
        queryset = User.objects.all()
        lookup_field = "username"

        async def get_object(self, username: str | None = None, **lookup_kwargs):
            queryset = await self.get_queryset()
            if username:
                lookup_kwargs = {"username": username}
            try:
                obj = await queryset.aget(**lookup_kwargs)
            except User.DoesNotExist:
                raise HTTPException(
                    status_code=404, detail=f"User '{username}' not found"
                ) from None
            if not obj.is_active:
                raise HTTPException(status_code=403, detail="Inactive users are hidden")
            return obj

        async def retrieve(self, request, username: str):
            return schema_of(UserMiniSchema, await self.get_object(username=username))

    client = client_for(api)
    assert client.get("/users/alice").status_code == 200
    hidden = client.get("/users/bob")
    assert hidden.status_code == 403
    assert hidden.json() == {"detail": "Inactive users are hidden"}
    assert client.get("/users/zed").json() == {"detail": "User 'zed' not found"}


def test_get_queryset_without_queryset_is_a_clear_error(api, client_for):
    @api.viewset("/things")
    class ThingViewSet(ViewSet):
        async def list(self, request):
            try:
                await self.get_queryset()
            except ImproperlyConfigured as exc:
                return {"error": str(exc)}
            return {"error": None}

    body = client_for(api).get("/things").json()
    assert "ThingViewSet has no `queryset`" in body["error"]


def test_serializer_class_attributes_and_fallback_chain():
    class UserViewSet(ViewSet):
        serializer_class = UserFullSchema
        list_serializer_class = UserMiniSchema
        create_serializer_class = UserCreateSchema

    view = UserViewSet()
    assert view.get_serializer_class("list") is UserMiniSchema
    assert view.get_serializer_class("retrieve") is UserFullSchema  # no detail_ class
    assert view.get_serializer_class("create") is UserCreateSchema
    assert view.get_serializer_class("update") is UserCreateSchema  # update -> create
    assert view.get_serializer_class("partial_update") is UserCreateSchema
    assert view.get_serializer_class("publish") is UserFullSchema

    class WithUpdate(UserViewSet):
        update_serializer_class = UserUpdateSchema
        detail_serializer_class = UserAdminSchema

    view = WithUpdate(action="partial_update")
    assert view.get_serializer_class() is UserUpdateSchema
    assert view.get_serializer_class("retrieve") is UserAdminSchema

    class Nothing(ViewSet):
        pass

    with pytest.raises(ImproperlyConfigured, match="no serializer for action 'list'"):
        Nothing().get_serializer_class("list")


def test_get_serializer_class_override_per_action(api, client_for):
    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        serializer_class = UserFullSchema
        list_serializer_class = UserMiniSchema
        detail_serializer_class = UserAdminSchema

        def get_serializer_class(self, action=None):
            if action is None:
                action = self.action
            if action == "list":
                return self.list_serializer_class
            if action == "retrieve":
                return self.detail_serializer_class
            return self.serializer_class

        async def list(self, request):
            return {"serializer": self.get_serializer_class().__name__}

        async def retrieve(self, request, pk: int):
            return {"serializer": self.get_serializer_class().__name__}

        async def create(self, request):
            return {"serializer": self.get_serializer_class().__name__}

    client = client_for(api)
    assert client.get("/articles").json() == {"serializer": "UserMiniSchema"}
    assert client.get("/articles/1").json() == {"serializer": "UserAdminSchema"}
    assert client.post("/articles").json() == {"serializer": "UserFullSchema"}


@pytest.mark.django_db(transaction=True)
def test_role_based_serializer_selection_per_request(make_api, client_for, users):
    api = make_api("auth")

    @api.viewset("/users")
    class UserViewSet(ViewSet):
        queryset = User.objects.all()
        serializer_class = UserFullSchema
        auth = [JWTAuthentication()]

        def get_serializer_class(self, action=None):
            if action is None:
                action = self.action
            is_admin = self.request.get("auth", {}).get("is_admin", False)
            if action == "list":
                return UserAdminSchema if is_admin else UserMiniSchema
            return self.serializer_class

        async def list(self, request):
            schema = self.get_serializer_class()
            qs = (await self.get_queryset()).order_by("id")
            return [schema_of(schema, u) async for u in qs]

    client = client_for(api)
    plain = client.get("/users").json()
    assert plain[0] == {"id": users[0].id, "username": "alice"}
    admin = User.objects.create_superuser("root", password="pw-123456")
    token = create_jwt_for_user(admin)
    rich = client.get("/users", headers={"Authorization": f"Bearer {token}"}).json()
    assert rich[2] == {"id": users[2].id, "username": "carol", "is_staff": True}
