"""Layering: which parts of workbench may import which (read from the source with ast, so lazy
imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"


def _imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved); with
    ``runtime_only``, not those under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                node.body = []
    here = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def _modules(folder: Path):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_only_the_cli_imports_the_cli():
    offenders = {str(p.relative_to(PACKAGE.parent)): sorted(n for n in _imports(p) if n.startswith("workbench.cli"))
                 for p in _modules(PACKAGE) if "cli" not in p.relative_to(PACKAGE).parts}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_the_cli_imports_click():
    offenders = {str(p.relative_to(PACKAGE.parent)): sorted(n for n in _imports(p) if n.split(".")[0] == "click")
                 for p in _modules(PACKAGE) if "cli" not in p.relative_to(PACKAGE).parts}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_analytics_imports_only_analytics_errors_and_numeric_libraries():
    """The functional core reads no store, server, files or UI (imports under TYPE_CHECKING are types only)."""
    allowed = ("workbench.analytics", "workbench.errors", "__future__", "math", "numbers", "dataclasses", "enum",
               "functools", "typing", "warnings", "collections", "itertools", "hashlib", "json", "re", "numpy", "pandas", "scipy",
               "sklearn", "crowdkit")
    offenders = {}
    for p in _modules(PACKAGE / "analytics"):
        bad = sorted(n for n in _imports(p, runtime_only=True)
                     if not any(n == a or n.startswith(a + ".") for a in allowed))
        if bad:
            offenders[str(p.relative_to(PACKAGE.parent))] = bad
    assert offenders == {}
