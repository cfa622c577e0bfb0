"""No first-party plugin imports another plugin's package, except the declared dependency.

Plugins talk through the kernel: its types, hooks and route facts (``route.meta``). A plugin
that reaches into another's modules breaks when that plugin is disabled, replaced or
refactored. The only real dependency is crud → viewsets (``ModelViewSet`` is a
``ViewSet``), declared in crud's module docstring and allow-listed here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[2] / "bolt_plugins"
ALLOWED = {("crud", "viewsets")}


def _plugin_imports(package: Path) -> list[tuple[str, int, str]]:
    """``(file, line, imported plugin)`` for every import of another plugin package."""
    own = package.name
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
                if node.module == "bolt_plugins":
                    names = [f"bolt_plugins.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level >= 2:
                names = [f"bolt_plugins.{node.module or ''}"]
            for name in names:
                parts = name.split(".")
                if parts[0] == "bolt_plugins" and len(parts) > 1 and parts[1] != own:
                    found.append((str(path.relative_to(PLUGINS)), node.lineno, parts[1]))
    return found


PACKAGES = sorted(p for p in PLUGINS.iterdir() if (p / "__init__.py").exists())


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_plugin_imports_no_other_plugin(package: Path) -> None:
    bad = [
        f"{file}:{line} imports bolt_plugins.{other}"
        for file, line, other in _plugin_imports(package)
        if (package.name, other) not in ALLOWED
    ]
    assert bad == [], "plugins must use kernel types, hooks or route facts:\n" + "\n".join(bad)


def test_the_allowed_dependency_is_declared() -> None:
    doc = (PLUGINS / "crud" / "__init__.py").read_text()
    assert "Depends on the viewsets plugin" in doc


def test_the_check_sees_imports() -> None:
    """The scanner itself: it finds the allowed crud → viewsets imports."""
    assert any(other == "viewsets" for _, _, other in _plugin_imports(PLUGINS / "crud"))
