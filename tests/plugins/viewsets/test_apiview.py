"""Guide chapter "APIView": basic usage, class-level configuration, method-level overrides.

Class-level ``auth``/``guards`` are checked twice: on the resolved route options, and through
HTTP with the real auth and guards plugins (JWT tokens minted for real users).
"""

import pytest
from django.contrib.auth.models import User

from bolt.auth import IsAdminUser, IsAuthenticated, JWTAuthentication, create_jwt_for_user
from bolt.views import APIView


def test_basic_usage_binds_path_params(api, client_for):
    class UserProfileView(APIView):
        async def get(self, request, user_id: int):
            return {"id": user_id, "username": "johndoe", "email": "john@example.com"}

        async def put(self, request, user_id: int):
            return {"id": user_id, "updated": True}

    api.view("/users/{user_id}", UserProfileView)
    client = client_for(api)
    got = client.get("/users/12")
    assert got.status_code == 200
    assert got.json() == {"id": 12, "username": "johndoe", "email": "john@example.com"}
    assert client.put("/users/12").json() == {"id": 12, "updated": True}
    not_allowed = client.post("/users/12")
    assert not_allowed.status_code == 405
    assert not_allowed.headers["allow"] == "GET, HEAD, OPTIONS, PUT"
    head = client.head("/users/12")
    assert head.status_code == 200
    assert head.content == b""
    options = client.options("/users/12")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, HEAD, OPTIONS, PUT"


def test_view_instance_state_per_request(api, client_for):
    seen = []

    @api.view("/counter/{n}")
    class CounterView(APIView):
        hits = 0

        async def get(self, request, n: int):
            seen.append(self)
            self.hits += 1  # instance attribute: never shared between requests
            return {"hits": self.hits, "action": self.action, "kwargs": dict(self.kwargs)}

        def post(self, request, n: int):
            return {"sync": True, "action": self.action, "path": self.request.path}

    client = client_for(api)
    first = client.get("/counter/1").json()
    second = client.get("/counter/2").json()
    assert first == {"hits": 1, "action": "get", "kwargs": {"n": 1}}
    assert second == {"hits": 1, "action": "get", "kwargs": {"n": 2}}
    assert seen[0] is not seen[1]
    assert CounterView.hits == 0
    assert client.post("/counter/3").json() == {
        "sync": True,
        "action": "post",
        "path": "/counter/3",
    }


def test_class_level_configuration_on_route_options(make_api):
    api = make_api(recorder=True)
    jwt, authenticated = JWTAuthentication(), IsAuthenticated()

    @api.view("/secure")
    class SecureView(APIView):
        auth = [jwt]
        guards = [authenticated]

        async def get(self, request):
            return {}

        async def post(self, request):
            return {"created": True}

    routes = {r.method: r for r in api.iter_routes()}
    assert set(routes) == {"GET", "POST"}
    for route in routes.values():
        assert route.options["auth"] == [jwt]
        assert route.options["guards"] == [authenticated]
        assert route.view_class is SecureView


@pytest.fixture
def secure_api(make_api):
    api = make_api("auth", "guards")

    @api.view("/secure")
    class SecureView(APIView):
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def get(self, request):
            auth = request.get("auth", {})
            return {"user_id": auth.get("user_id"), "message": "Secure data"}

        async def post(self, request):
            return {"created": True}

    @api.view("/mixed")
    class MixedSecurityView(APIView):
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        async def get(self, request):
            return {"data": "public"}

        async def post(self, request):
            return {"created": True}

    @api.view("/admin-only", guards=[IsAdminUser()])
    class AdminView(MixedSecurityView):
        pass

    return api


@pytest.mark.django_db(transaction=True)
def test_class_level_auth_through_http(secure_api, client_for):
    client = client_for(secure_api)
    anonymous = client.get("/secure")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert client.post("/secure").status_code == 401

    user = User.objects.create_user("ann", password="pw-123456")
    token = create_jwt_for_user(user)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/secure", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"user_id": user.id, "message": "Secure data"}
    assert client.post("/secure", headers=headers).json() == {"created": True}


@pytest.mark.django_db(transaction=True)
def test_registration_options_replace_class_guards(secure_api, client_for):
    client = client_for(secure_api)
    user = User.objects.create_user("bob", password="pw-123456")
    admin = User.objects.create_superuser("root", password="pw-123456")
    user_headers = {"Authorization": f"Bearer {create_jwt_for_user(user)}"}
    admin_headers = {"Authorization": f"Bearer {create_jwt_for_user(admin)}"}
    assert client.get("/mixed", headers=user_headers).status_code == 200
    assert client.get("/admin-only", headers=user_headers).status_code == 403
    assert client.get("/admin-only", headers=admin_headers).json() == {"data": "public"}
    assert client.get("/admin-only").status_code == 401


def test_action_under_api_view_is_a_startup_error(api):
    from bolt import action
    from bolt.exceptions import ImproperlyConfigured
    from bolt.views import ViewSet

    class WithAction(ViewSet):
        async def get(self, request):
            return {}

        @action(methods=["POST"], detail=False)
        async def publish(self, request):
            return {}

    with pytest.raises(ImproperlyConfigured, match=r"@action .*api\.viewset\('/things'\)"):
        api.view("/things", WithAction)


def test_view_without_handlers_is_a_startup_error(api):
    from bolt.exceptions import ImproperlyConfigured

    class Empty(APIView):
        pass

    with pytest.raises(ImproperlyConfigured, match="defines none of get, post"):
        api.view("/empty", Empty)
    with pytest.raises(ImproperlyConfigured, match=r"subclass of bolt\.views\.APIView"):
        api.view("/plain", object)


def test_api_defaults_apply_unless_the_class_sets_its_own(make_api, client_for):
    api = make_api("auth", "guards", auth=[JWTAuthentication()], guards=[IsAuthenticated()])

    @api.view("/inherits-api")
    class Inherits(APIView):
        async def get(self, request):
            return {}

    @api.view("/public")
    class Public(APIView):
        auth = []
        guards = []

        async def get(self, request):
            return {"public": True}

    client = client_for(api)
    assert client.get("/inherits-api").status_code == 401
    assert client.get("/public").json() == {"public": True}


def test_custom_init_runs_per_request_and_must_take_no_arguments(api, client_for):
    @api.view("/init")
    class WithInit(APIView):
        def __init__(self, greeting: str = "hello"):
            super().__init__()
            self.greeting = greeting

        async def get(self, request):
            return {"greeting": self.greeting}

    assert client_for(api).get("/init").json() == {"greeting": "hello"}

    from bolt.exceptions import ImproperlyConfigured

    class NeedsArgs(APIView):
        def __init__(self, service):
            self.service = service

        async def get(self, request):
            return {}

    with pytest.raises(ImproperlyConfigured, match="requires service"):
        api.view("/needs", NeedsArgs)


def test_no_hook_calls_per_request(make_api, client_for):
    from bolt import ViewSet, action

    api = make_api()

    @api.viewset("/items")
    class Items(ViewSet):
        async def retrieve(self, request, id: int):
            return {"id": id}

        @action(methods=["POST"], detail=False)
        def bulk(self, request, data: dict):
            return data

        @api.get("/items/extra/{n}")
        async def extra(self, n: int):
            return {"n": n}

    client = client_for(api)
    client.get("/items/1")  # compiles the routes
    calls = []
    undo = api.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: calls.append(name), lambda *args: None
    )
    try:
        assert client.get("/items/2").json() == {"id": 2}
        assert client.post("/items/bulk", json={"a": 1}).json() == {"a": 1}
        assert client.get("/items/extra/3").json() == {"n": 3}
    finally:
        undo()
    assert calls == []


@pytest.mark.django_db(transaction=True)
def test_api_defaults_reach_viewset_actions_and_class_body_routes(make_api, client_for):
    """``BoltAPI(auth=..., guards=...)`` (``api.defaults``) covers every ViewSet route that sets
    nothing; a class value replaces it; ``@action(auth=[], guards=[])`` makes one public."""
    from bolt import ViewSet, action

    api = make_api("auth", "guards", auth=[JWTAuthentication()], guards=[IsAuthenticated()])

    @api.viewset("/items")
    class Items(ViewSet):
        async def list(self, request):
            return ["secret"]

        @action(methods=["GET"], detail=False, auth=[], guards=[])
        async def public(self, request):
            return {"public": True}

        @api.get("/items/extra")
        async def extra(self, request):
            return {"extra": True}

    @api.viewset("/admin-items")
    class AdminItems(ViewSet):
        guards = [IsAdminUser()]

        async def list(self, request):
            return ["admin"]

    client = client_for(api)
    assert client.get("/items").status_code == 401
    assert client.get("/items/extra").status_code == 401
    assert client.get("/items/public").json() == {"public": True}
    user = User.objects.create_user("plain", password="pw-123456")
    headers = {"Authorization": f"Bearer {create_jwt_for_user(user)}"}
    assert client.get("/items", headers=headers).json() == ["secret"]
    assert client.get("/items/extra", headers=headers).json() == {"extra": True}
    assert client.get("/admin-items", headers=headers).status_code == 403
    assert client.get("/admin-items").status_code == 401
