"""Load a script of ``tests/data/`` (a fixture generator, ``pinned_json``) as a module, by file:
``tests/data`` is no package, and the pinning tests and the labelled-set tests call into its
generators rather than run them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

DATA = Path(__file__).resolve().parent / "data"


def load(name: str, *, module_name: str | None = None) -> ModuleType:
    """``tests/data/<name>.py`` executed as a module named ``module_name`` (default ``name``)."""
    spec = importlib.util.spec_from_file_location(module_name or name, DATA / f"{name}.py")
    assert spec is not None and spec.loader is not None, name
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
