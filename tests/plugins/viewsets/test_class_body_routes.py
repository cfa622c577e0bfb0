"""Route decorators inside a class body, and per-method/class-level options.

Covers the guide's "Authentication & Guards" and "Middleware" chapters as they apply to
class-based views: ``@api.post(...)`` on methods, class-level ``auth``/``guards`` inherited
or replaced, ``@cors``/``@rate_limit``/``skip_middleware`` and third-party route options on
methods, class-level ``status_code``/``tags``.
"""

import pytest
from django.contrib.auth.models import User

from bolt import BoltAPI, Router, ViewSet, action
from bolt.auth import (
    APIKeyAuthentication,
    HasPermission,
    IsAdminUser,
    IsAuthenticated,
    JWTAuthentication,
    create_jwt_for_user,
)
from bolt.exceptions import ImproperlyConfigured
from bolt.middleware import cors, rate_limit, route_option, skip_middleware
from bolt.views import APIView


def test_class_body_route_binds_when_class_is_created(api, client_for):
    instances = []

    class ProfileViewSet(ViewSet):
        greeting = "hi"

        @api.get("/profile/{name}")
        async def show(self, request, name: str):
            instances.append(self)
            return {"msg": f"{self.greeting} {name}", "action": self.action, "kw": self.kwargs}

        @api.put("/profile/settings")
        def update_settings(self):  # sync, and without a request parameter
            return {"path": self.request.path, "action": self.action}

    routes = {r.path: r for r in api.iter_routes()}
    assert routes["/profile/{name}"].view_class is ProfileViewSet
    assert routes["/profile/{name}"].action == "show"
    client = client_for(api)
    assert client.get("/profile/ann").json() == {
        "msg": "hi ann",
        "action": "show",
        "kw": {"name": "ann"},
    }
    client.get("/profile/bob")
    assert instances[0] is not instances[1]
    assert client.put("/profile/settings").json() == {
        "path": "/profile/settings",
        "action": "update_settings",
    }


def test_class_body_routes_inherit_and_override_options(make_api):
    api = make_api(recorder=True)
    jwt, authenticated, admin = JWTAuthentication(), IsAuthenticated(), IsAdminUser()
    key = APIKeyAuthentication(api_keys={"webhook-key": "system"})

    class DocumentViewSet(ViewSet):
        auth = [jwt]
        guards = [authenticated]
        status_code = 202
        tags = ["documents"]

        @api.get("/documents/{doc_id}")
        async def read(self, request, doc_id: int):
            return {}

        @api.post("/documents/{doc_id}/approve", guards=[admin])
        async def approve(self, request, doc_id: int):
            return {}

        @api.post("/documents/{doc_id}/webhook", auth=[key], status_code=200, tags=["hooks"])
        async def webhook(self, request, doc_id: int):
            return {}

        @api.get("/documents/public", auth=[], guards=[])
        async def public(self, request):
            return {}

    routes = {r.action: r for r in api.iter_routes()}
    assert routes["read"].options["auth"] == [jwt]
    assert routes["read"].options["guards"] == [authenticated]
    assert routes["read"].status_code == 202
    assert routes["read"].tags == ["documents"]
    assert routes["approve"].options["auth"] == [jwt]
    assert routes["approve"].options["guards"] == [admin]
    assert routes["webhook"].options["auth"] == [key]
    assert routes["webhook"].options["guards"] == [authenticated]
    assert routes["webhook"].status_code == 200
    assert routes["webhook"].tags == ["hooks"]
    assert routes["public"].options["auth"] == []
    assert routes["public"].options["guards"] == []


def test_recorder_sees_inherited_options_through_http(make_api, client_for):
    api = make_api(recorder=True)

    class SecureViewSet(ViewSet):
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        @api.post("/resources/{resource_id}/delete")
        async def delete_action(self, request, resource_id: int):
            return {"resource_id": resource_id}

        @api.get("/resources/open", auth=[], guards=[])
        async def open(self, request):
            return {}

    client = client_for(api)
    secured = client.post("/resources/3/delete")
    assert secured.headers["x-auth"] == "JWTAuthentication"
    assert secured.headers["x-guards"] == "IsAuthenticated"
    opened = client.get("/resources/open")
    assert opened.headers["x-auth"] == "none"
    assert opened.headers["x-guards"] == "none"


@pytest.mark.django_db(transaction=True)
def test_guards_with_class_body_routes_through_http(make_api, client_for):
    api = make_api("auth", "guards")

    class DocumentViewSet(ViewSet):
        auth = [JWTAuthentication()]
        guards = [IsAuthenticated()]

        @api.get("/documents/{doc_id}")
        async def get(self, request, doc_id: int):
            return {"id": doc_id}

        @api.post("/documents/{doc_id}/approve", guards=[IsAdminUser()])
        async def approve(self, request, doc_id: int):
            return {"id": doc_id, "approved": True}

        @api.post("/documents/{doc_id}/publish", guards=[HasPermission("auth.change_user")])
        async def publish(self, request, doc_id: int):
            return {"id": doc_id, "published": True}

        @api.post(
            "/documents/{doc_id}/webhook",
            auth=[APIKeyAuthentication(api_keys={"webhook-key": "system"})],
        )
        async def webhook(self, request, doc_id: int):
            return {"doc_id": doc_id, "processed": True}

    client = client_for(api)
    user = User.objects.create_user("u", password="pw-123456")
    admin = User.objects.create_superuser("a", password="pw-123456")
    as_user = {"Authorization": f"Bearer {create_jwt_for_user(user)}"}
    as_admin = {"Authorization": f"Bearer {create_jwt_for_user(admin)}"}
    assert client.get("/documents/1").status_code == 401
    assert client.get("/documents/1", headers=as_user).json() == {"id": 1}
    assert client.post("/documents/1/approve", headers=as_user).status_code == 403
    assert client.post("/documents/1/approve", headers=as_admin).json()["approved"] is True
    assert client.post("/documents/1/publish", headers=as_user).status_code == 403
    assert client.post("/documents/1/publish", headers=as_admin).status_code == 200
    # the webhook replaces JWT by an API key; the class guard still needs an identity
    assert client.post("/documents/1/webhook", headers=as_user).status_code == 401
    hooked = client.post("/documents/1/webhook", headers={"X-API-Key": "webhook-key"})
    assert hooked.status_code == 200
    assert hooked.json() == {"doc_id": 1, "processed": True}


def test_method_decorators_flow_into_routes(make_api, client_for):
    api = make_api("cors", "ratelimit")

    @api.view("/api/data")
    class APIViewSet(ViewSet):
        @cors(origins=["http://localhost:3000"], credentials=True)
        async def get(self, request):
            return {"data": "accessible from localhost:3000"}

        @rate_limit(rps=1, burst=2)
        async def post(self, request):
            return {"data": "limited"}

        @skip_middleware("rate_limit")
        @rate_limit(rps=1, burst=1)
        async def put(self, request):
            return {"data": "unlimited"}

    class Actions(ViewSet):
        @api.post("/api/upload")
        @cors(origins=["*"], methods=["POST"])
        async def upload(self, request):
            return {"uploaded": True}

        @api.post("/api/heavy")
        @rate_limit(rps=1, burst=1)
        async def heavy_operation(self, request):
            return {"processed": True}

    client = client_for(api)
    origin = {"Origin": "http://localhost:3000"}
    got = client.get("/api/data", headers=origin)
    assert got.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert got.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in client.get("/api/data").headers
    assert [client.post("/api/data").status_code for _ in range(3)] == [200, 200, 429]
    assert [client.put("/api/data").status_code for _ in range(3)] == [200, 200, 200]
    upload = client.post("/api/upload", headers={"Origin": "http://elsewhere.test"})
    assert upload.headers["access-control-allow-origin"] == "*"
    assert [client.post("/api/heavy").status_code for _ in range(2)] == [200, 429]
    plugins = {r.path + " " + r.method: list(r.middleware_names) for r in api.iter_routes()}
    assert plugins["/api/data GET"] == ["cors"]
    assert plugins["/api/data PUT"] == []
    assert plugins["/api/heavy POST"] == ["rate_limit"]


def test_decorator_order_around_action_does_not_matter(make_api):
    api = make_api("cors")

    @api.viewset("/things")
    class Things(ViewSet):
        @cors(origins=["http://a.test"])
        @action(methods=["GET"], detail=False)
        async def above(self, request):
            return {}

        @action(methods=["GET"], detail=False)
        @cors(origins=["http://b.test"])
        async def below(self, request):
            return {}

    meta = {r.action: list(r.middleware_names) for r in api.iter_routes()}
    assert meta == {"above": ["cors"], "below": ["cors"]}


def test_third_party_route_option_and_fail_closed(make_api, client_for):
    from bolt import Middleware, hookimpl

    def audit(label):
        def decorate(func):
            return route_option(func, "audit", label)

        return decorate

    class AuditPlugin:
        __name__ = "audit_plugin"

        @hookimpl
        def bolt_route_middleware(self, api, route):
            if "audit" not in route.options:
                return None
            route.claim("audit")
            label = route.options["audit"]

            def wrap(nxt):
                async def handler(request):
                    response = await nxt(request)
                    response.headers["x-audit"] = label
                    return response

                return handler

            return Middleware(phase=500, wrap=wrap, name="audit")

    api = BoltAPI(plugins=["viewsets", AuditPlugin()])

    class Audited(ViewSet):
        @api.get("/audited")
        @audit("class-body")
        async def read(self, request):
            return {}

    @api.viewset("/items")
    class Items(ViewSet):
        @audit("list")
        async def list(self, request):
            return []

    client = client_for(api)
    assert client.get("/audited").headers["x-audit"] == "class-body"
    assert client.get("/items").headers["x-audit"] == "list"

    unclaimed = make_api()

    @unclaimed.viewset("/items")
    class Items2(ViewSet):
        @audit("list")
        async def list(self, request):
            return []

    with pytest.raises(ImproperlyConfigured, match="'audit'"):
        unclaimed.compile()


def test_auth_option_without_auth_plugin_fails_closed(make_api):
    api = make_api()

    @api.viewset("/secure")
    class Secure(ViewSet):
        auth = [JWTAuthentication()]

        async def list(self, request):
            return []

    with pytest.raises(ImproperlyConfigured, match="enable plugin 'auth'"):
        api.compile()


def test_class_body_route_in_a_plain_class_fails_at_compile(api):
    class NotAView:
        @api.get("/orphan")
        async def orphan(self, request):
            return {}

    with pytest.raises(ImproperlyConfigured, match=r"NotAView\.orphan \(/orphan\)"):
        api.compile()


def test_class_body_routes_from_a_router(client_for):
    api = BoltAPI(plugins=["viewsets"])
    router = Router(prefix="/v2")

    class Thing(APIView):
        auth = None

        @router.get("/things/{id}")
        async def show(self, request, id: int):
            return {"id": id, "view": type(self).__name__}

    api.include_router(router)
    assert client_for(api).get("/v2/things/5").json() == {"id": 5, "view": "Thing"}


def test_one_method_on_two_apis(client_for):
    first, second = BoltAPI(plugins=["viewsets"]), BoltAPI(plugins=["viewsets"])

    class Shared(ViewSet):
        @first.get("/a")
        @second.get("/b")
        async def both(self, request):
            return {"path": request.path}

    assert client_for(first).get("/a").json() == {"path": "/a"}
    assert client_for(second).get("/b").json() == {"path": "/b"}
    assert client_for(first).get("/b").status_code == 404


def test_class_body_standard_action_is_not_routed_twice(api, client_for):
    @api.viewset("/users")
    class UserViewSet(ViewSet):
        @api.get("/users")
        async def list(self, request):
            return ["decorated"]

        async def retrieve(self, request, pk: int):
            return {"pk": pk}

    assert sorted((r.method, r.path) for r in api.iter_routes()) == [
        ("GET", "/users"),
        ("GET", "/users/{pk}"),
    ]
    assert client_for(api).get("/users").json() == ["decorated"]


def test_route_decorator_on_action_is_rejected(api):
    with pytest.raises(ImproperlyConfigured, match="cannot wrap an @action"):

        class Both(ViewSet):
            @api.get("/both")
            @action(methods=["GET"], detail=False)
            async def both(self, request):
                return {}
