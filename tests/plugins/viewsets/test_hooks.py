"""One test per hook the viewsets plugin implements, called the way the kernel calls it."""

import pytest

from bolt import BoltAPI, ViewSet
from bolt.exceptions import ImproperlyConfigured
from bolt.route import Route
from bolt.views import APIView
from bolt_plugins import viewsets
from bolt_plugins.viewsets.classbody import UNBOUND_STATE


def test_hook_bolt_collect_routes():
    api = BoltAPI(plugins=["viewsets"])

    class Things(ViewSet):
        async def list(self, request):
            return []

    class Page(APIView):
        async def get(self, request):
            return {}

    def plain(request):
        return {}

    def collect(obj, kind, **extra):
        return viewsets.bolt_collect_routes(
            api=api, obj=obj, path="/t", options={"kind": kind, **extra}
        )

    routes = collect(Things, "viewset")
    assert [(r.method, r.path, r.action, r.view_class) for r in routes] == [
        ("GET", "/t", "list", Things)
    ]
    assert all(isinstance(r, Route) for r in routes)
    assert [(r.method, r.action) for r in collect(Page, "view")] == [("GET", "get")]
    # plain functions are the kernel's: the plugin lets the next implementation answer
    assert collect(plain, "route", methods=["GET"]) is None
    assert collect(Things, "something-else") is None

    def method_like(self, request):
        return {}

    method_like.__qualname__ = "Pending.method_like"
    assert collect(method_like, "route", methods=["GET"]) == []  # taken, bound later
    assert api.state[UNBOUND_STATE] == {method_like: "/t"}


def test_hook_bolt_collect_routes_runs_before_the_kernel_default():
    api = BoltAPI(plugins=["viewsets"])

    class V(ViewSet):
        @api.get("/v")
        async def show(self, request):
            return {}

    assert [r.action for r in api.iter_routes()] == ["show"]
    kernel_only = BoltAPI(plugins=["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit"])
    with pytest.raises(ImproperlyConfigured, match="need the 'viewsets' plugin"):

        class W:
            @kernel_only.get("/w")
            async def show(self, request):
                return {}

    with pytest.raises(ImproperlyConfigured, match="needs the 'viewsets' plugin"):
        kernel_only.viewset("/v", V)


def test_hook_bolt_before_compile():
    api = BoltAPI(plugins=["viewsets"])
    assert viewsets.bolt_before_compile(api=api) is None

    def orphan(self):
        return {}

    orphan.__qualname__ = "Orphan.orphan"
    viewsets.bolt_collect_routes(
        api=api, obj=orphan, path="/o", options={"kind": "route", "methods": ["GET"]}
    )
    with pytest.raises(ImproperlyConfigured, match=r"Orphan\.orphan \(/o\)"):
        viewsets.bolt_before_compile(api=api)
    # once the class exists (and is a view class) the check passes
    Orphan = type("Orphan", (ViewSet,), {"orphan": orphan})
    assert Orphan.__dict__["orphan"] is orphan
    assert viewsets.bolt_before_compile(api=api) is None
    assert [(r.path, r.view_class) for r in api.iter_routes()] == [("/o", Orphan)]
