"""``python manage.py bolt_routes``: method, path, name, handler and plugins of each route."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

API = "tests.plugins.viewsets.routes_api:api"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("bolt_routes", *args, stdout=out)
    return out.getvalue()


def test_table_lists_routes_with_handler_and_plugins():
    lines = run("--api", API).splitlines()
    assert lines[0].split() == ["METHOD", "PATH", "NAME", "HANDLER", "PLUGINS"]
    rows = [line.split() for line in lines[1:]]
    handler = "tests.plugins.viewsets.routes_api.ArticleViewSet"
    assert rows == [
        ["GET", "/articles", "article-list", f"{handler}.list", "-"],
        ["GET", "/articles/{pk}", "article-detail", f"{handler}.retrieve", "cors"],
        ["POST", "/articles/{pk}/publish", "article-publish", f"{handler}.publish", "-"],
    ]


def test_json_output():
    rows = json.loads(run("--api", API, "--json"))
    assert rows[1] == {
        "method": "GET",
        "path": "/articles/{pk}",
        "name": "article-detail",
        "handler": "tests.plugins.viewsets.routes_api.ArticleViewSet.retrieve",
        "plugins": ["cors"],
    }


def test_routes_that_cannot_compile_fail_the_command():
    with pytest.raises(CommandError, match="enable plugin 'guards'"):
        run("--api", "tests.plugins.viewsets.routes_api:broken")


def test_unknown_api_path():
    with pytest.raises(CommandError, match="Cannot load API"):
        run("--api", "tests.plugins.viewsets.routes_api:nope")


def test_project_apis_from_bolt_api_setting(settings):
    from bolt.conf import reset_settings

    settings.BOLT_API = [API]
    reset_settings()
    try:
        rows = json.loads(run("--json"))
    finally:
        del settings.BOLT_API
        reset_settings()
    assert [(r["method"], r["path"]) for r in rows] == [
        ("GET", "/articles"),
        ("GET", "/articles/{pk}"),
        ("POST", "/articles/{pk}/publish"),
    ]
