"""The public facade modules: the import paths users write, kept apart from the kernel's code.

``bolt``, ``bolt.auth``, ``bolt.views``, ``bolt.pagination`` and ``bolt.middleware`` are the
names user code imports (django-bolt's ``django_bolt.*``). Most of what they offer is
implemented by plugins, which the kernel must not import: a project that disables a plugin
must not load it through the kernel. So a facade holds no code of its own, only a table of
which module owns each name, and the owner is imported when the name is first used.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
FACADES = ["bolt", "bolt.auth", "bolt.views", "bolt.pagination", "bolt.middleware"]


def _source(module: str) -> Path:
    parts = module.split(".")
    if len(parts) == 1:
        return ROOT / parts[0] / "__init__.py"
    return ROOT.joinpath(*parts[:-1], parts[-1] + ".py")


def _exports() -> list[tuple[str, str]]:
    return [(m, name) for m in FACADES for name in importlib.import_module(m).__all__]


@pytest.mark.parametrize("module", FACADES)
def test_a_facade_defines_nothing_of_its_own(module: str) -> None:
    tree = ast.parse(_source(module).read_text())
    defined = [
        f"line {node.lineno}: {type(node).__name__}"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
    ]
    assert defined == [], f"{module} is a facade; move its code to the module that owns it"
    docstring = ast.get_docstring(tree) or ""
    assert "public facade" in docstring.lower(), f"{module}'s docstring does not say what it is"


@pytest.mark.parametrize(("module", "name"), _exports())
def test_every_exported_name_resolves(module: str, name: str) -> None:
    facade = importlib.import_module(module)
    value = getattr(facade, name)
    assert value is not None
    assert getattr(facade, name) is value  # the same object every time
    namespace: dict[str, object] = {}
    exec(f"from {module} import {name}", namespace)
    assert namespace[name] is value


@pytest.mark.parametrize("module", FACADES)
def test_dir_lists_every_export_before_first_use(module: str) -> None:
    listed = subprocess.run(
        [sys.executable, "-c", f"import {module} as m; print(' '.join(dir(m)))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    facade = importlib.import_module(module)
    assert set(facade.__all__) <= set(listed)
    assert set(dir(facade)) >= set(facade.__all__)


@pytest.mark.parametrize("module", FACADES)
def test_an_unknown_name_is_an_attribute_error_naming_the_module(module: str) -> None:
    facade = importlib.import_module(module)
    with pytest.raises(AttributeError, match=rf"module '{module}' has no attribute 'Nope'"):
        facade.Nope  # noqa: B018
    with pytest.raises(ImportError, match="Nope"):
        exec(f"from {module} import Nope", {})


def test_star_import_gives_every_export() -> None:
    namespace: dict[str, object] = {}
    exec("from bolt.views import *", namespace)
    assert {"APIView", "ViewSet", "ModelViewSet", "ListMixin"} <= set(namespace)


def test_importing_the_facades_loads_no_plugin() -> None:
    """The empty ``bolt_plugins`` package itself may load (the kernel looks up which
    first-party plugins are installed); no plugin module may."""
    code = (
        "import sys\n"
        "import bolt, bolt.auth, bolt.views, bolt.pagination, bolt.middleware\n"
        "from bolt.middleware import Middleware, skip_middleware, route_option\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('bolt_plugins.'))\n"
        "print(' '.join(loaded) or 'none')\n"
        "from bolt.views import ModelViewSet\n"
        "print('bolt_plugins.crud' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["none", "True"]


def test_facade_names_are_their_owners_objects() -> None:
    import bolt
    import bolt.auth
    import bolt.middleware
    import bolt.pagination
    import bolt.pipeline
    import bolt.route_options
    import bolt.views
    import bolt_plugins.auth
    import bolt_plugins.cors
    import bolt_plugins.crud
    import bolt_plugins.crud.pagination
    import bolt_plugins.ratelimit
    import bolt_plugins.viewsets

    assert bolt.paginate is bolt.pagination.paginate is bolt_plugins.crud.pagination.paginate
    assert bolt.auth.get_current_user is bolt_plugins.auth.get_current_user
    assert bolt.middleware.Middleware is bolt.pipeline.Middleware is bolt.Middleware
    assert bolt.middleware.skip_middleware is bolt.route_options.skip_middleware
    assert bolt.middleware.cors is bolt_plugins.cors.cors
    assert bolt.middleware.rate_limit is bolt_plugins.ratelimit.rate_limit
    assert bolt.views.APIView is bolt_plugins.viewsets.APIView is bolt.APIView
    assert bolt.views.ModelViewSet is bolt_plugins.crud.ModelViewSet is bolt.ModelViewSet
    assert bolt.ViewSet is bolt.views.ViewSet
    assert bolt.action is bolt_plugins.viewsets.action


def _is_module(value: object) -> bool:
    return isinstance(value, ModuleType)


@pytest.mark.parametrize("module", FACADES)
def test_all_lists_every_public_name(module: str) -> None:
    """A name a facade offers but leaves out of ``__all__`` escapes these tests and
    ``from ... import *``; ``__all__`` is the facade's whole contract."""
    facade = importlib.import_module(module)
    public = {
        name
        for name, value in vars(facade).items()
        if not name.startswith("_") and not _is_module(value) and name != "annotations"
    }
    assert public <= set(facade.__all__)
