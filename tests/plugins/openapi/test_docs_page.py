"""The docs page: served with its own script and stylesheet, nothing loaded from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import bolt_plugins.openapi


@pytest.fixture(autouse=True)
def bolt_page(settings: Any) -> None:
    """These tests read Bolt's own small docs page (``BOLT_OPENAPI_UI = "bolt"``)."""
    settings.BOLT_OPENAPI_UI = "bolt"


def _page_assets(html: str) -> tuple[str, str]:
    css = re.search(r'<link rel="stylesheet" href="([^"]+)">', html)
    js = re.search(r'<script src="([^"]+)"></script>', html)
    assert css is not None, html
    assert js is not None, html
    return css.group(1), js.group(1)


def test_docs_page_and_its_assets(make_api, client_for) -> None:
    api = make_api(title="Shop")

    @api.get("/items")
    async def items() -> list[int]:
        return []

    client = client_for(api)
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["x-content-type-options"] == "nosniff"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'none'" in csp
    html = page.text
    assert "<title>Shop</title>" in html
    assert 'data-schema-url="/openapi.json"' in html
    # nothing from another origin: every src/href is a local path
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
    css_url, js_url = _page_assets(html)
    assert css_url.startswith("/docs/assets/docs.css?v=")
    assert js_url.startswith("/docs/assets/docs.js?v=")
    css = client.get(css_url)
    assert css.status_code == 200
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert "cache-control" in css.headers
    js = client.get(js_url)
    assert js.status_code == 200
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    # the script fetches the schema URL it is given and renders schema text as text only
    assert "data-schema-url" in js.text
    assert "fetch(" in js.text
    assert "innerHTML" not in js.text
    assert "eval(" not in js.text
    # the bytes served are the files shipped in the package
    static = Path(bolt_plugins.openapi.__file__).parent / "static"
    assert js.content == (static / "docs.js").read_bytes()
    assert css.content == (static / "docs.css").read_bytes()
    assert client.head("/docs").status_code == 200


def test_title_is_escaped_in_the_page(make_api, client_for) -> None:
    api = make_api(title='<script>alert("x")</script> {css_url}')
    html = client_for(api).get("/docs").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; {css_url}" in html


def test_custom_paths_and_prefix(make_api, client_for, settings) -> None:
    settings.BOLT_OPENAPI_PATH = "/schema.json"
    settings.BOLT_OPENAPI_DOCS_PATH = "/reference/"
    api = make_api(prefix="/api/v1")

    @api.get("/ping")
    async def ping() -> dict:
        return {}

    client = client_for(api)
    assert client.get("/openapi.json").status_code == 404
    doc = client.get("/api/v1/schema.json").json()
    assert list(doc["paths"]) == ["/api/v1/ping"]
    html = client.get("/api/v1/reference").text
    assert 'data-schema-url="/api/v1/schema.json"' in html
    css_url, js_url = _page_assets(html)
    assert css_url.startswith("/api/v1/reference/assets/")
    assert client.get(js_url).status_code == 200
