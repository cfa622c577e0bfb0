"""Guide chapter "Custom Actions": every example, through HTTP.

Examples that read the ORM run over ``django.contrib.auth`` users with the crud plugin
loaded (it turns returned querysets and models into the declared schemas). Models the guide
assumes but Bolt does not ship (documents, article flags, preferences) are kept in a dict.

Postponed annotations, as in the guide's own code: ``-> list[UserMini]`` written after a
method named ``list`` only works when annotations are resolved in the module, not the class.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest
from django.contrib.auth.models import Permission, User

from bolt import BoltAPI, ViewSet, action
from bolt.auth import IsAdminUser, IsAuthenticated, JWTAuthentication, create_jwt_for_user


class UserMini(msgspec.Struct):
    id: int
    username: str


class UserFull(msgspec.Struct):
    id: int
    username: str
    email: str
    is_active: bool


class UserSchema(msgspec.Struct):
    id: int
    username: str


class PermissionUpdate(msgspec.Struct):
    permissions: list[str]


class UserActivationResponse(msgspec.Struct):
    id: int
    username: str
    is_active: bool
    activated_at: str


class RejectRequest(msgspec.Struct):
    reason: str


class StatusUpdate(msgspec.Struct):
    is_published: bool


class PublishRequest(msgspec.Struct):
    scheduled_time: str | None = None
    notify_subscribers: bool = True


def routes_of(api: BoltAPI) -> set[tuple[str, str, str]]:
    return {(r.method, r.path, r.action) for r in api.iter_routes()}


# --- "The @action Decorator Deep Dive" and "Automatic Path Generation" -------------------
def test_deep_dive_paths(api, client_for):
    @api.viewset("/users")
    class UserViewSet(ViewSet):
        @action(methods=["POST"], detail=True)
        async def activate(self, request, id: int):
            return {"activated": id}

        @action(methods=["GET"], detail=False)
        async def active(self, request):
            return {"active": True}

        @action(methods=["POST"], detail=True, path="reset-password")
        async def reset_user_password(self, request, id: int):
            return {"reset": id}

        @action(methods=["GET"], detail=False, path="search")
        async def search_users(self, request, query: str):
            return {"query": query}

    assert routes_of(api) == {
        ("POST", "/users/{id}/activate", "activate"),
        ("GET", "/users/active", "active"),
        ("POST", "/users/{id}/reset-password", "reset_user_password"),
        ("GET", "/users/search", "search_users"),
    }
    client = client_for(api)
    assert client.post("/users/4/activate").json() == {"activated": 4}
    assert client.get("/users/active").json() == {"active": True}
    assert client.post("/users/4/reset-password").json() == {"reset": 4}
    assert client.get("/users/search", params={"query": "x"}).json() == {"query": "x"}
    assert client.post("/users/4/reset_user_password").status_code == 404
    names = {r.action: r.name for r in api.iter_routes()}
    assert names == {
        "activate": "user-activate",
        "active": "user-active",
        "reset_user_password": "user-reset-password",
        "search_users": "user-search",
    }


def test_action_handler_metadata_and_instance_call():
    class UserViewSet(ViewSet):
        @action(methods=["get", "Post"], detail=True, path="/prefs/", status_code=202)
        async def preferences(self, request, id: int):
            return id

        async def other(self):
            return await self.preferences(None, 3)

    handler = UserViewSet.__dict__["preferences"]
    assert handler.methods == ["GET", "POST"]
    assert handler.detail is True
    assert handler.path == "prefs"
    assert handler.options == {"status_code": 202}
    import asyncio

    assert asyncio.run(UserViewSet().other()) == 3


# --- "Inheritance of Class-Level Auth and Guards" ---------------------------------------
def inheritance_viewset(api: BoltAPI, store: dict) -> type:
    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def list(self, request):
            return [{"id": i} for i in sorted(store)]

        @action(methods=["POST"], detail=True)
        async def publish(self, request, id: int):
            store[id]["published"] = True
            return {"id": id, "published": True}

        @action(methods=["POST"], detail=True, guards=[IsAdminUser()])
        async def feature(self, request, id: int):
            store[id]["featured"] = True
            return {"id": id, "featured": True}

        @action(methods=["GET"], detail=False, auth=[], guards=[])
        async def public_stats(self, request):
            return {
                "total": len(store),
                "published": sum(1 for a in store.values() if a["published"]),
            }

    return ArticleViewSet


def test_inheritance_rules_on_route_options(make_api):
    api = make_api(recorder=True)
    cls = inheritance_viewset(api, {})
    by_action = {r.action: r.options for r in api.iter_routes()}
    assert by_action["list"]["auth"] is cls.auth
    assert by_action["list"]["guards"] is cls.guards
    assert by_action["publish"]["auth"] is cls.auth  # not given: inherited
    assert by_action["publish"]["guards"] is cls.guards
    assert by_action["feature"]["auth"] is cls.auth
    assert [type(g) for g in by_action["feature"]["guards"]] == [IsAdminUser]  # replaced
    assert by_action["public_stats"]["auth"] == []  # [] disables inheritance
    assert by_action["public_stats"]["guards"] == []


@pytest.mark.django_db(transaction=True)
def test_inheritance_rules_through_http(make_api, client_for):
    store = {1: {"published": False, "featured": False}, 2: {"published": True, "featured": False}}
    api = make_api("auth", "guards")
    inheritance_viewset(api, store)
    client = client_for(api)
    user = User.objects.create_user("writer", password="pw-123456")
    admin = User.objects.create_superuser("boss", password="pw-123456")
    as_user = {"Authorization": f"Bearer {create_jwt_for_user(user)}"}
    as_admin = {"Authorization": f"Bearer {create_jwt_for_user(admin)}"}

    assert client.get("/articles").status_code == 401
    assert client.get("/articles", headers=as_user).json() == [{"id": 1}, {"id": 2}]
    assert client.post("/articles/1/publish").status_code == 401
    assert store[1]["published"] is False
    assert client.post("/articles/1/publish", headers=as_user).json() == {
        "id": 1,
        "published": True,
    }
    denied = client.post("/articles/1/feature", headers=as_user)
    assert denied.status_code == 403
    assert store[1]["featured"] is False
    assert client.post("/articles/1/feature", headers=as_admin).status_code == 200
    assert store[1]["featured"] is True
    public = client.get("/articles/public_stats")
    assert public.status_code == 200
    assert public.json() == {"total": 2, "published": 2}


# --- "Multiple HTTP Methods on Single Action" (both patterns) ---------------------------
def test_single_action_with_two_methods(api, client_for):
    prefs: dict[int, dict] = {7: {"theme": "light"}}

    @api.viewset("/users")
    class UserViewSet(ViewSet):
        @action(methods=["GET", "POST"], detail=True, path="preferences")
        async def preferences(self, request, id: int, data: dict | None = None):
            if request.get("method") == "POST" and data:
                prefs[id] = data
                return {"id": id, "updated": True, "preferences": data}
            return {"id": id, "preferences": prefs[id]}

    client = client_for(api)
    assert client.get("/users/7/preferences").json() == {
        "id": 7,
        "preferences": {"theme": "light"},
    }
    posted = client.post("/users/7/preferences", json={"theme": "dark"})
    assert posted.json() == {"id": 7, "updated": True, "preferences": {"theme": "dark"}}
    assert client.get("/users/7/preferences").json()["preferences"] == {"theme": "dark"}
    assert client.delete("/users/7/preferences").headers["allow"] == "GET, HEAD, OPTIONS, POST"


def test_two_actions_sharing_a_path(api, client_for):
    prefs: dict[int, dict] = {7: {"theme": "light"}}

    @api.viewset("/users")
    class UserViewSet(ViewSet):
        @action(methods=["GET"], detail=True, path="preferences")
        async def get_preferences(self, request, id: int):
            return {"id": id, "preferences": prefs[id]}

        @action(methods=["POST"], detail=True, path="preferences")
        async def update_preferences(self, request, id: int, data: dict):
            prefs[id] = data
            return {"id": id, "updated": True, "preferences": data}

    client = client_for(api)
    assert client.post("/users/7/preferences", json={"a": 1}).json()["updated"] is True
    assert client.get("/users/7/preferences").json() == {"id": 7, "preferences": {"a": 1}}
    assert client.post("/users/7/preferences").status_code == 415  # a JSON body is required


# --- "response_model and status_code Parameters" -----------------------------------------
@pytest.mark.django_db(transaction=True)
def test_response_model_and_status_code(make_api, client_for):
    api = make_api("crud")

    @api.viewset("/users")
    class UserViewSet(ViewSet):
        @action(
            methods=["POST"], detail=True, response_model=UserActivationResponse, status_code=200
        )
        async def activate(self, request, id: int) -> UserActivationResponse:
            user = await User.objects.aget(id=id)
            user.is_active = True
            activated_at = datetime.now(UTC).isoformat()
            await user.asave()
            return UserActivationResponse(
                id=user.id,
                username=user.username,
                is_active=user.is_active,
                activated_at=activated_at,
            )

        @action(methods=["POST"], detail=False, status_code=201)
        async def bulk_create(self, request, data: list[dict]):
            users = []
            for item in data:
                user = await User.objects.acreate(**item)
                users.append({"id": user.id, "username": user.username})
            return {"created": len(users), "users": users}

    client = client_for(api)
    created = client.post("/users/bulk_create", json=[{"username": "a"}, {"username": "b"}])
    assert created.status_code == 201
    body = created.json()
    assert body["created"] == 2
    assert [u["username"] for u in body["users"]] == ["a", "b"]
    User.objects.filter(username="a").update(is_active=False)
    first = body["users"][0]["id"]
    activated = client.post(f"/users/{first}/activate")
    assert activated.status_code == 200
    assert set(activated.json()) == {"id", "username", "is_active", "activated_at"}
    assert activated.json()["is_active"] is True
    assert client.post("/users/999999/activate").status_code == 404


# --- "Basic Custom Actions" ---------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_basic_custom_actions(make_api, client_for):
    api = make_api("crud")

    @api.viewset("/users")
    class UserViewSet(ViewSet):
        queryset = User.objects.all()
        serializer_class = UserFull

        async def list(self, request) -> list[UserMini]:
            return User.objects.all()[:100]

        async def retrieve(self, request, id: int) -> UserFull:
            return await User.objects.aget(id=id)

        @action(methods=["POST"], detail=True)
        async def activate(self, request, id: int):
            user = await User.objects.aget(id=id)
            user.is_active = True
            await user.asave()
            return {"user_id": id, "activated": True}

        @action(methods=["GET"], detail=False)
        async def active(self, request) -> list[UserMini]:
            return User.objects.filter(is_active=True)[:100]

        @action(methods=["GET"], detail=False, path="search")
        async def search_users(self, request, query: str):
            return User.objects.filter(username__icontains=query)[:10]

    ann = User.objects.create(username="ann", email="ann@example.com", is_active=False)
    ben = User.objects.create(username="ben", email="ben@example.com")
    client = client_for(api)
    assert client.get("/users").json() == [
        {"id": ann.id, "username": "ann"},
        {"id": ben.id, "username": "ben"},
    ]
    assert client.get(f"/users/{ben.id}").json() == {
        "id": ben.id,
        "username": "ben",
        "email": "ben@example.com",
        "is_active": True,
    }
    assert client.get("/users/active").json() == [{"id": ben.id, "username": "ben"}]
    assert client.post(f"/users/{ann.id}/activate").json() == {
        "user_id": ann.id,
        "activated": True,
    }
    assert len(client.get("/users/active").json()) == 2
    found = client.get("/users/search", params={"query": "be"}).json()
    assert found == [
        {"id": ben.id, "username": "ben", "email": "ben@example.com", "is_active": True}
    ]


# --- "Real-World Examples": user account management --------------------------------------
@pytest.mark.django_db(transaction=True)
def test_user_account_management(make_api, client_for):
    api = make_api("crud")

    @api.viewset("/users")
    class UserViewSet(ViewSet):
        queryset = User.objects.all()
        serializer_class = UserSchema

        async def list(self, request):
            return User.objects.all()[:100]

        async def retrieve(self, request, id: int):
            return await User.objects.aget(id=id)

        @action(methods=["POST"], detail=True)
        async def activate(self, request, id: int):
            user = await User.objects.aget(id=id)
            user.is_active = True
            await user.asave()
            return {"id": id, "activated": True, "email_sent": True}

        @action(methods=["POST"], detail=True)
        async def deactivate(self, request, id: int):
            user = await User.objects.aget(id=id)
            user.is_active = False
            await user.asave()
            return {"id": id, "deactivated": True, "status": "inactive"}

        @action(methods=["POST"], detail=True, path="reset-password")
        async def reset_password(self, request, id: int):
            await User.objects.aget(id=id)
            return {"id": id, "reset_email_sent": True}

        @action(methods=["GET"], detail=True, path="permissions")
        async def get_permissions(self, request, id: int):
            user = await User.objects.aget(id=id)
            # The guide's list(...) over values_list is a sync query; iterate it async here.
            qs = user.user_permissions.order_by("codename").values_list("codename", flat=True)
            permissions = [codename async for codename in qs]
            return {"id": id, "permissions": permissions}

        @action(methods=["PUT"], detail=True, path="permissions")
        async def update_permissions(self, request, id: int, data: PermissionUpdate):
            await User.objects.aget(id=id)
            return {"id": id, "permissions": data.permissions, "updated": True}

    user = User.objects.create(username="zoe")
    user.user_permissions.add(Permission.objects.get(codename="add_user"))
    client = client_for(api)
    assert client.get("/users").json() == [{"id": user.id, "username": "zoe"}]
    assert client.get(f"/users/{user.id}").json() == {"id": user.id, "username": "zoe"}
    assert client.post(f"/users/{user.id}/deactivate").json()["status"] == "inactive"
    assert User.objects.get(id=user.id).is_active is False
    assert client.post(f"/users/{user.id}/activate").json()["email_sent"] is True
    assert User.objects.get(id=user.id).is_active is True
    assert client.post(f"/users/{user.id}/reset-password").json() == {
        "id": user.id,
        "reset_email_sent": True,
    }
    assert client.get(f"/users/{user.id}/permissions").json() == {
        "id": user.id,
        "permissions": ["add_user"],
    }
    put = client.put(f"/users/{user.id}/permissions", json={"permissions": ["x"]})
    assert put.json() == {"id": user.id, "permissions": ["x"], "updated": True}
    bad = client.put(f"/users/{user.id}/permissions", json={"permissions": "x"})
    assert bad.status_code == 422
    assert client.post("/users/424242/activate").status_code == 404


# --- "Real-World Examples": document workflow ---------------------------------------------
def test_document_workflow(api, client_for):
    docs = {1: {"status": "draft", "locked": False, "reason": None}}

    @api.viewset("/documents")
    class DocumentViewSet(ViewSet):
        async def list(self, request):
            return [{"id": k, **v} for k, v in docs.items()]

        async def retrieve(self, request, id: int):
            return {"id": id, **docs[id]}

        @action(methods=["POST"], detail=True)
        async def submit(self, request, id: int):
            docs[id]["status"] = "submitted"
            return {"id": id, "status": "submitted"}

        @action(methods=["POST"], detail=True)
        async def approve(self, request, id: int):
            docs[id]["status"] = "approved"
            return {"id": id, "status": "approved"}

        @action(methods=["POST"], detail=True)
        async def reject(self, request, id: int, data: RejectRequest):
            docs[id]["status"] = "rejected"
            docs[id]["reason"] = data.reason
            return {"id": id, "status": "rejected", "reason": data.reason}

        @action(methods=["POST"], detail=True)
        async def lock(self, request, id: int):
            docs[id]["locked"] = True
            return {"id": id, "locked": True}

        @action(methods=["POST"], detail=True)
        async def unlock(self, request, id: int):
            docs[id]["locked"] = False
            return {"id": id, "locked": False}

    client = client_for(api)
    assert client.post("/documents/1/submit").json()["status"] == "submitted"
    assert client.post("/documents/1/approve").json()["status"] == "approved"
    assert client.post("/documents/1/reject", json={}).status_code == 422
    assert docs[1]["status"] == "approved"
    rejected = client.post("/documents/1/reject", json={"reason": "typos"})
    assert rejected.json() == {"id": 1, "status": "rejected", "reason": "typos"}
    assert client.post("/documents/1/lock").json() == {"id": 1, "locked": True}
    assert client.get("/documents/1").json()["locked"] is True
    assert client.post("/documents/1/unlock").json() == {"id": 1, "locked": False}
    assert client.get("/documents").json() == [
        {"id": 1, "status": "rejected", "locked": False, "reason": "typos"}
    ]


# --- "Multiple HTTP Methods" (status) and "Custom Action with Validation" -----------------
def test_status_get_and_post_and_publish_validation(api, client_for):
    articles = {3: {"is_published": False, "scheduled_time": None}}

    @api.viewset("/articles")
    class ArticleViewSet(ViewSet):
        async def list(self, request):
            return list(articles)

        @action(methods=["GET"], detail=True, path="status")
        async def get_status(self, request, id: int):
            return {"is_published": articles[id]["is_published"]}

        @action(methods=["POST"], detail=True, path="status")
        async def update_status(self, request, id: int, data: StatusUpdate):
            articles[id]["is_published"] = data.is_published
            return {"updated": True, "is_published": data.is_published}

        @action(methods=["POST"], detail=True)
        async def publish(self, request, id: int, data: PublishRequest):
            articles[id]["is_published"] = True
            articles[id]["scheduled_time"] = data.scheduled_time
            return {
                "id": id,
                "published": True,
                "scheduled": data.scheduled_time,
                "notifications_sent": data.notify_subscribers,
            }

    client = client_for(api)
    assert client.get("/articles/3/status").json() == {"is_published": False}
    updated = client.post("/articles/3/status", json={"is_published": True})
    assert updated.json() == {"updated": True, "is_published": True}
    assert client.get("/articles/3/status").json() == {"is_published": True}
    wrong = client.post("/articles/3/status", json={"is_published": "yes"})
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "is_published"]
    published = client.post("/articles/3/publish", json={"scheduled_time": "2030-01-01"})
    assert published.json() == {
        "id": 3,
        "published": True,
        "scheduled": "2030-01-01",
        "notifications_sent": True,
    }
    quiet = client.post("/articles/3/publish", json={"notify_subscribers": False})
    assert quiet.json()["notifications_sent"] is False


# --- "Comparison: Old vs New Pattern" ------------------------------------------------------
def test_old_and_new_pattern_make_the_same_route(make_api, client_for):
    old_api, new_api = make_api(), make_api()

    class OldUserViewSet(ViewSet):
        @old_api.post("/users/{id}/activate")
        async def activate(self, request, id: int):
            return {"id": id, "how": "decorator"}

    @new_api.viewset("/users")
    class UserViewSet(ViewSet):
        @action(methods=["POST"], detail=True)
        async def activate(self, request, id: int):
            return {"id": id, "how": "action"}

    assert (
        routes_of(old_api) == routes_of(new_api) == {("POST", "/users/{id}/activate", "activate")}
    )
    assert client_for(old_api).post("/users/5/activate").json() == {"id": 5, "how": "decorator"}
    assert client_for(new_api).post("/users/5/activate").json() == {"id": 5, "how": "action"}
