"""The kernel (``bolt/``) reaches plugin code only through its facade modules.

A kernel that imports ``bolt_plugins`` breaks when that plugin is disabled, replaced or
refactored, and ``BoltAPI(plugins=[])`` would not be the kernel alone. The facades
(``bolt``, ``bolt.auth``, ``bolt.views``, ``bolt.pagination``, ``bolt.middleware``) exist so
user code never imports ``bolt_plugins``: they name the module owning each public name and
import it when the name is first used. ``bolt/plugins.py`` names the first-party plugins for
the registry. The test helpers (``bolt/testing.py``) reach the auth plugin's forcing
through the kernel's ``bolt/forced_auth.py``, so they need no exception.

Both import statements and strings naming a plugin module (``import_module("bolt_plugins.x")``,
a table of owners) count, so a dynamic import is caught as well as a plain one.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KERNEL = ROOT / "bolt"

# The only kernel modules (relative to bolt/) that may name plugin modules.
ALLOWED = frozenset(
    {
        "__init__.py",  # facade
        "auth.py",  # facade
        "views.py",  # facade
        "pagination.py",  # facade
        "middleware.py",  # facade (cors, rate_limit)
        "plugins.py",  # the registry's names of the first-party plugins
    }
)

_PLUGIN_MODULE = re.compile(r"bolt_plugins(\.[A-Za-z_]\w*)*")


def _docstrings(tree: ast.AST) -> set[int]:
    """``id()`` of the docstring constants of ``tree`` (prose may mention plugin modules)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def plugin_references(source: str) -> list[tuple[int, str]]:
    """``(line, module)`` for each import of a plugin module in ``source``, and for each
    string (not a docstring) that is a plugin module's dotted name."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "bolt_plugins":
                names = [f"bolt_plugins.{alias.name}" for alias in node.names]
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docs
            and _PLUGIN_MODULE.fullmatch(node.value)
        ):
            names = [node.value]
        found += [
            (node.lineno, name)
            for name in names
            if name == "bolt_plugins" or name.startswith("bolt_plugins.")
        ]
    return found


MODULES = [p for p in sorted(KERNEL.rglob("*.py")) if str(p.relative_to(KERNEL)) not in ALLOWED]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(KERNEL)))
def test_kernel_module_reaches_no_plugin_outside_the_facades(path: Path) -> None:
    name = str(path.relative_to(KERNEL))
    bad = [
        f"bolt/{name}:{line} names {module}"
        for line, module in plugin_references(path.read_text(encoding="utf-8"))
    ]
    assert bad == [], "the kernel must not import plugin code:\n" + "\n".join(bad)


def test_the_scanner_sees_every_way_of_importing() -> None:
    """The scanner itself, so the check cannot pass by finding nothing."""
    source = textwrap.dedent(
        '''
        """Docstrings may say bolt_plugins.crud."""
        import bolt_plugins.cors
        import importlib, os
        from bolt_plugins import auth
        from bolt_plugins.crud.encoding import to_struct

        PREFIXES = ("bolt.", "bolt_plugins.")  # a prefix, not a module

        def late():
            """bolt_plugins.etag"""
            from bolt_plugins.guards import IsStaff
            return importlib.import_module("bolt_plugins.openapi")
        '''
    )
    assert sorted(plugin_references(source)) == [
        (3, "bolt_plugins.cors"),
        (5, "bolt_plugins.auth"),
        (6, "bolt_plugins.crud.encoding"),
        (12, "bolt_plugins.guards"),
        (13, "bolt_plugins.openapi"),
    ]


def test_the_facades_are_seen_naming_plugins() -> None:
    """The allow-list is not empty words: the facades do name plugin modules."""
    for name in ("views.py", "middleware.py", "pagination.py", "auth.py", "plugins.py"):
        assert plugin_references((KERNEL / name).read_text(encoding="utf-8")), name


def test_the_allow_list_names_existing_modules() -> None:
    for name in ALLOWED:
        assert (KERNEL / name).exists(), name


# A project with only the kernel: a Serializer derived from a model dumps an instance (with
# a nested relation) and a queryset through routes of ``BoltAPI(plugins=[])``.
KERNEL_ONLY = textwrap.dedent(
    """
    import decimal, json, sys

    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="kernel-only",
        ALLOWED_HOSTS=["testserver"],
        USE_TZ=True,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "tests.testapp"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()

    from django.db import connection

    from tests.testapp.models import Category, Product

    with connection.schema_editor() as editor:
        editor.create_model(Category)
        editor.create_model(Product)
    books = Category.objects.create(name="books")
    Product.objects.create(name="Dune", price=decimal.Decimal("9.90"), stock=3, category=books)
    Product.objects.create(name="Emma", price=decimal.Decimal("4.50"))

    from bolt import BoltAPI
    from bolt.serializers import Serializer
    from bolt.testing import TestClient


    class ProductOut(Serializer):
        class Meta:
            model = Product
            fields = ["id", "name", "price", "stock", "category"]


    ProductDeep = Serializer.from_model(Product, depth=1, fields=["id", "name", "category"])

    api = BoltAPI(plugins=[])


    @api.get("/products")
    def products() -> list[ProductOut]:
        return ProductOut.dump_many(Product.objects.order_by("id"))


    @api.get("/products/{pk}")
    def product(pk: int) -> ProductDeep:
        return ProductDeep.dump(Product.objects.get(pk=pk))


    client = TestClient(api)
    listed = client.get("/products")
    one = client.get("/products/1")
    client.close()
    print(json.dumps({
        "list": [listed.status_code, listed.json()],
        "one": [one.status_code, one.json()],
        # the registry's find_spec imports the (empty) ``bolt_plugins`` package itself
        "plugins": sorted(m for m in sys.modules if m.startswith("bolt_plugins.")),
    }))
    """
)


def test_serializers_dump_models_with_the_kernel_alone(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", KERNEL_ONLY, str(tmp_path / "db.sqlite3")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["list"] == [
        200,
        [
            {"id": 1, "name": "Dune", "price": 9.9, "stock": 3, "category": 1},
            {"id": 2, "name": "Emma", "price": 4.5, "stock": 0, "category": None},
        ],
    ]
    assert result["one"] == [
        200,
        {"id": 1, "name": "Dune", "category": {"id": 1, "name": "books"}},
    ]
    assert result["plugins"] == []
