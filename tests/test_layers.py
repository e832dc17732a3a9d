"""Layering: which parts of workbench may import which (read from the source with ast, so lazy
imports inside functions count too)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"


def _from_base(path: Path, node: ast.ImportFrom) -> str:
    """The absolute name of the module a ``from ... import`` in ``path`` reads from."""
    base = node.module or ""
    if node.level:
        here = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        parts = (here if path.name == "__init__.py" else here.rsplit(".", 1)[0]).split(".")
        base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
    return base


def _imports(path: Path, *, runtime_only: bool = False) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved); with
    ``runtime_only``, not those under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                node.body = []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(path, node)
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


#: The modules of ``workbench.pii`` from the bottom up: each may import only modules before it.
PII_ORDER = ("patterns", "wordlists", "recognizers", "gazetteers", "registry", "ner", "redaction", "__init__")
PII_MODULES = {f"workbench.pii.{m}" for m in PII_ORDER if m != "__init__"} | {"workbench.pii"}


def _pii_imports(path: Path):
    """``(module of workbench.pii, names imported from it, local name bound to the module or None)``
    for every import in ``path``, inside functions too; ``__init__`` stands for the package itself
    (``from workbench.pii import Span``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name in PII_MODULES:
                    yield ("__init__" if a.name == "workbench.pii" else a.name.split(".")[2]), [], a.asname
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(path, node)
            if base == "workbench.pii":
                for a in node.names:
                    if f"workbench.pii.{a.name}" in PII_MODULES:
                        yield a.name, [], a.asname or a.name  # a module of the package
                    else:
                        yield "__init__", [a.name], None
            elif base in PII_MODULES:
                yield base.split(".")[2], [a.name for a in node.names], None
            elif base == "workbench":
                for a in node.names:
                    if a.name == "pii":
                        yield "__init__", [], a.asname or a.name


def test_pii_modules_import_downward_only():
    """Every module of workbench.pii is in PII_ORDER and imports (at module level or inside a
    function) only modules of the package before it there, never the package itself."""
    folder = PACKAGE / "pii"
    assert sorted(p.stem for p in _modules(folder)) == sorted(PII_ORDER)
    offenders = {}
    for path in _modules(folder):
        rank = PII_ORDER.index(path.stem)
        bad = sorted({module for module, _, _ in _pii_imports(path) if PII_ORDER.index(module) >= rank})
        if bad:
            offenders[path.stem] = bad
    assert offenders == {}
    assert {m for m, _, _ in _pii_imports(folder / "registry.py")} == {"recognizers", "gazetteers"}


def _pii_private_uses(path: Path) -> list[str]:
    """Private names of workbench.pii that ``path`` imports (``from workbench.pii.ner import _x``)
    or reads from a module of the package it imported (``ner._x``, ``pii.ner._x``), inside
    functions too."""
    found, aliases = [], set()
    for module, names, alias in _pii_imports(path):
        found += [f"workbench.pii.{module}.{n}".replace(".__init__", "") for n in names if n.startswith("_")]
        if alias:
            aliases.add(alias)
    submodules = set(PII_ORDER) - {"__init__"}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Attribute):
            continue
        chain, value = [], node
        while isinstance(value, ast.Attribute):
            chain.insert(0, value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id == "workbench" and chain[:1] == ["pii"]:
            prefix, chain = ["workbench", "pii"], chain[1:]  # after "import workbench.pii.ner"
        elif isinstance(value, ast.Name) and value.id in aliases:
            prefix = [value.id]
        else:
            continue
        # the attribute read on a module: after the alias and any submodules
        for attr in chain:
            if attr.startswith("_"):
                found.append(".".join(prefix + [attr]))
                break
            if attr not in submodules:
                break
            prefix.append(attr)
    return sorted(set(found))


def test_nothing_outside_the_pii_package_uses_its_private_names():
    root = PACKAGE.parent
    files = [p for p in _modules(PACKAGE) if p.relative_to(PACKAGE).parts[0] != "pii"]
    for folder in ("tests", "bench", "scripts"):
        if (root / folder).is_dir():
            files += _modules(root / folder)
    files += [p for p in (root / "app.py", root / "conftest.py") if p.is_file()]
    importers = [p for p in files if any(True for _ in _pii_imports(p))]
    assert len(importers) >= 5  # the CLI, candidates, bench and tests do import it
    offenders = {str(p.relative_to(root)): uses for p in files if (uses := _pii_private_uses(p))}
    assert offenders == {}


# --------------------------------------------------------------------------- private names

#: Private names of other packages that modules of workbench use, each with why (there is no
#: public way). The test fails when one is no longer used (remove it here) and when a new one
#: appears. A private name of workbench's own is never an exception: make it public, or move it.
PRIVATE_USES: dict[str, str] = {
    "argilla._api._client": "dataset_settings.offline_client builds an SDK client that never connects (settings "
                            "objects without a server); the SDK has no public way to make one",
    "argilla._exceptions": "ArgillaError, the SDK's base error class, is defined there and not re-exported",
    "argilla_server._app": "imported for its side effect (it copies the web UI into TMPDIR), so that the copy is "
                           "made owner-only at once",
    "argilla_server.errors.error_handler.APIErrorHandler._exception_to_argilla_error":
        "replaced so that an unhandled error is logged and answered without its message (SQL, submitted values)",
    "datasketch.lsh._optimal_param": "datasketch's own choice of LSH bands and rows for a threshold; no public "
                                     "function (cached)",
    "distilabel.distiset._grab_citations": "replaced while a pipeline runs: it fetches BibTeX from the web, and "
                                           "nothing may reach the network",
    "distilabel.pipeline.batch_manager._BatchManagerStep": "its _ready_to_create_batch_normal, below",
    "distilabel.pipeline.batch_manager._BatchManagerStep._ready_to_create_batch_normal":
        "wrapped so that a step whose predecessor's last batch came out empty still ends (distilabel 1.5.3 waits "
        "forever)",
    "model_signing._cli": "model-signing's command line, run in this process with its urllib3 shim",
    "pandas._libs.lib": "to_object_array_tuples, pandas' own rows-to-array loop (twice numpy's speed); falls back "
                        "when it is missing",
    "torch.ops.mkldnn._is_mkldnn_bf16_supported": "the only way to ask whether the CPU runs bfloat16 fast; False "
                                                  "when it is missing",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_uses(path: Path, module: str | None = None) -> set[str]:
    """Private names of other modules that ``path`` imports (``from m import _x``, ``import
    m._x``) or reads from a name it imported (``m._x``, ``C._x`` after ``from m import C``),
    inside functions too, as ``m._x`` / ``m.C._x``. Its own names (a package's ``__init__``
    reading ``from . import _x`` of itself) are not counted. ``module``: ``path``'s name, when
    it is not a file of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    me, found, bound = module or _module_name(path), set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if any(_private(p) for p in a.name.split(".")):
                    found.add(a.name)
                bound[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(path, node)
            if any(_private(p) for p in base.split(".")):
                found.add(base)
            for a in node.names:
                if _private(a.name) and base != me:
                    found.add(f"{base}.{a.name}")
                bound[a.asname or a.name] = f"{base}.{a.name}"
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        chain, value = [node.attr], node.value
        while isinstance(value, ast.Attribute):
            chain.insert(0, value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in bound:
            first = next(i for i, c in enumerate(chain) if _private(c))
            found.add(".".join([bound[value.id], *chain[:first + 1]]))
    return found


def test_the_private_name_check_sees_each_kind_of_use(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from workbench.a import _x, y\nimport workbench.b as b\nfrom workbench import c\n"
                     "import workbench.d._e\nfrom workbench.probe import _mine\nimport numpy\n"
                     "def f(self):\n    from workbench.g import K\n"
                     "    return b._h, c.i._j, K._k, y.public, self._own, numpy.__version__, c.__doc__\n")
    assert _private_uses(probe, "workbench.probe") == {
        "workbench.a._x", "workbench.b._h", "workbench.c.i._j", "workbench.d._e", "workbench.g.K._k"}


def test_no_module_uses_a_private_name_of_another():
    """What one module shares with another is public (no ``from workbench.x import _y``); the
    private names of other packages used are the listed exceptions (tests and benches, which
    test internals, may import private names)."""
    uses: dict[str, set[str]] = {}
    for p in _modules(PACKAGE):
        for name in _private_uses(p):
            uses.setdefault(name, set()).add(str(p.relative_to(PACKAGE.parent)))
    own = {n: sorted(v) for n, v in uses.items() if n.split(".")[0] == "workbench"}
    assert own == {}
    assert set(uses) == set(PRIVATE_USES), {n: sorted(v) for n, v in uses.items() if n not in PRIVATE_USES}


#: The modules of ``workbench.analytics.drift`` from the bottom up (docs/architecture.md): each
#: may import only modules before it, never the package itself.
DRIFT_ORDER = ("validation", "observations", "series", "run_length", "cusum", "ewma", "monitor", "bar", "shift",
               "from_store", "__init__")


def test_drift_modules_import_downward_only():
    folder = PACKAGE / "analytics" / "drift"
    assert sorted(p.stem for p in _modules(folder)) == sorted(DRIFT_ORDER)
    offenders = {}
    for path in _modules(folder):
        used = set()
        for name in _imports(path):
            parts = name.split(".")
            if parts[:3] == ["workbench", "analytics", "drift"]:
                used.add(parts[3] if len(parts) > 3 and parts[3] in DRIFT_ORDER else "__init__")
        bad = sorted(m for m in used if DRIFT_ORDER.index(m) >= DRIFT_ORDER.index(path.stem))
        if bad:
            offenders[path.stem] = bad
    assert offenders == {}


# --------------------------------------------------------------------------- rooms and layers

#: Each room of ``workbench`` (a top-level module or subpackage) and its layer, from the bottom up;
#: docs/architecture.md explains them. A room may import rooms of its own layer or below, never above.
LAYERS = {
    "__init__": 0, "errors": 0, "safe_load": 0, "config": 0, "progress": 0,
    "analytics": 1,
    "tasks": 2, "guidelines": 2, "dataset_settings": 2, "store": 2, "raw_store": 2, "pii": 2, "embeddings": 2,
    "dedup": 2, "signing": 2, "demo_data": 2, "gold": 2, "gate": 2, "review_store": 2,
    "server": 3, "argilla_client": 3, "sync": 3, "roster": 3, "rounds": 3, "publish": 3, "task_apply": 3,
    "export": 3, "candidates": 3, "coverage": 3, "feedback": 3, "review": 3,
    "demo": 4, "demo_timeline": 4, "dashboard": 4,
    "cli": 5,
}
#: Imports that still go upward, each with why; the test fails when one is gone (remove it here)
#: and when a new one appears.
UPWARD: dict[tuple[str, str], str] = {}


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "workbench" and len(parts) > 1 else None


def test_every_room_has_a_layer():
    rooms = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in _modules(PACKAGE)}
    assert rooms == set(LAYERS)


def test_rooms_import_their_own_layer_or_below():
    upward = {}
    for p in _modules(PACKAGE):
        me = p.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for name in _imports(p, runtime_only=True):
            other = _room(name)
            if other in LAYERS and other != me and LAYERS[other] > LAYERS[me]:
                upward.setdefault((me, other), set()).add(str(p.relative_to(PACKAGE.parent)))
    assert set(upward) == set(UPWARD), {k: sorted(v) for k, v in upward.items()}


# --------------------------------------------------------------------------- inside the dashboard

#: The dashboard's modules that compute, read or decide without drawing: no Streamlit in them
#: (docs/dashboard.md, "Code layout"). Caching is ``cache``'s, drawing ``ui``'s, ``charts``' and the pages'.
DASHBOARD_PURE = ("access", "history", "views", "load", "sources", "feedback_views")


def test_dashboard_views_queries_and_access_import_no_streamlit():
    folder = PACKAGE / "dashboard"
    offenders = {m: sorted(n for n in _imports(folder / f"{m}.py") if n.split(".")[0] == "streamlit")
                 for m in DASHBOARD_PURE}
    assert {k: v for k, v in offenders.items() if v} == {}


def _store_tables() -> dict[str, str]:
    """The store's tables: module-level name in ``store.py`` (``rounds_t``) -> SQL name (``rounds``)."""
    tree = ast.parse((PACKAGE / "store.py").read_text(encoding="utf-8"))
    return {node.targets[0].id: node.value.args[0].value for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "attr", None) == "Table" and isinstance(node.targets[0], ast.Name)}


def test_only_the_store_reads_the_store_tables():
    """SQL against the store's tables is in ``store.py`` only (``HistoryStore`` methods): no other
    module imports or reads its table objects (or its ``metadata``), nor writes SQL text naming one
    of its tables (those with names of their own; ``datasets``, ``rounds`` and ``gold`` are also
    words and Argilla table names, so for them the object check stands alone); and the dashboard
    writes no SQL at all."""
    tables = _store_tables()
    assert {"rounds_t", "response_latest_t", "response_versions_t"} <= set(tables)
    objects = set(tables) | {"metadata"}
    named = "|".join(n for n in tables.values() if "_" in n)
    sql_text = re.compile(rf"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+\\?[\"`]?(?:{named})\b", re.IGNORECASE)
    offenders = {}
    for p in _modules(PACKAGE):
        if p == PACKAGE / "store.py":
            continue
        text = p.read_text(encoding="utf-8")
        uses = {n.rsplit(".", 1)[1] for n in _imports(p) if n.startswith("workbench.store.")} & objects
        uses |= {node.attr for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Attribute)
                 and node.attr in objects and node.attr != "metadata"}
        uses |= set(sql_text.findall(text))
        if uses:
            offenders[str(p.relative_to(PACKAGE.parent))] = sorted(uses)
    assert offenders == {}
    sql = re.compile(r"\bsa\.(?:select|text|insert|update|delete)\(|sqlalchemy\.(?:select|text)\b|\w+_t\.c\.")
    assert sorted(p.name for p in _modules(PACKAGE / "dashboard") if sql.search(p.read_text(encoding="utf-8"))) == []


def test_dashboard_pages_import_no_other_page():
    folder = PACKAGE / "dashboard" / "pages"
    offenders = {}
    for p in _modules(folder):
        if p.name == "__init__.py":
            continue
        pages = sorted(n for n in _imports(p) if n.startswith("workbench.dashboard.pages"))
        if pages:
            offenders[p.stem] = pages
    assert offenders == {}


def test_dashboard_access_rules_and_role_lists_are_defined_once():
    """``LEADS``, ``CALIBRATION_KINDS`` and ``may_see_annotator`` have one definition each."""
    found = {}
    for p in _modules(PACKAGE):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, (ast.FunctionDef, ast.AnnAssign)):
                names = [node.name] if isinstance(node, ast.FunctionDef) else (
                    [node.target.id] if isinstance(node.target, ast.Name) else [])
            for n in names:
                if n in ("LEADS", "CALIBRATION_KINDS", "may_see_annotator"):
                    found.setdefault(n, []).append(str(p.relative_to(PACKAGE.parent)))
    assert found["LEADS"] == ["workbench/dashboard/access.py"]
    assert found["may_see_annotator"] == ["workbench/dashboard/access.py"]
    assert found["CALIBRATION_KINDS"] == ["workbench/gate.py"]
