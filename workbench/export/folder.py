"""An export on disk: Parquet shards in the Hugging Face Hub's layout, a dataset card, a manifest.

::

    <output>/
      README.md                         dataset card (YAML header: configs, splits; load_dataset reads it)
      data/train-00000-of-00001.parquet
      data/test-00000-of-00001.parquet  the holdout (when any unit is eligible)
      manifest.json                     rules, counts, gate states, SHA-256 of every file, dataset hash
      manifest.sig                      (with --sign) a Sigstore bundle made by OpenSSF model-signing

Writing is atomic: everything goes to a hidden temporary folder beside ``<output>``, which is
renamed into place only when complete, so a killed export leaves no folder that looks like a
version (the temporary one is removed at the next export). Parquet is written with an explicit
schema, no pandas metadata and a fixed row order, so the same plan gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.analytics.dataset_hash import dataset_hash
from workbench.errors import BadInput
from workbench.safe_load import loads

if TYPE_CHECKING:  # (imported where used: `export verify` reads hashes only, and starts fast)
    import pyarrow as pa

    from workbench.export.build import ExportPlan
    from workbench.export.rows import Rows
    from workbench.tasks import Task

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
CARD = "README.md"
SHARD_ROWS = 250_000
_LABEL_KINDS = ("label", "rating", "multi_label", "ranking")


def __getattr__(name: str):
    """``MESSAGES`` and ``PROVENANCE_TYPE``, the Arrow types, made on first use (pyarrow imported then)."""
    if name in ("MESSAGES", "PROVENANCE_TYPE"):
        return _arrow_types()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _arrow_types() -> dict:
    import pyarrow as pa

    from workbench.analytics.training_formats import PROVENANCE

    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "list[int]": pa.list_(pa.int64()), "list[str]": pa.list_(pa.string())}
    return {"MESSAGES": pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())])),
            "PROVENANCE_TYPE": pa.struct([(name, types[kind]) for name, kind in PROVENANCE])}


def _answer_type(kind: str) -> "pa.DataType":
    import pyarrow as pa

    return {"rating": pa.int64(), "label": pa.string(), "multi_label": pa.list_(pa.string()),
            "ranking": pa.list_(pa.string())}[kind]


def schema_for(task: Task, fmt: str) -> "pa.Schema":
    """The Parquet schema of a format for a task (fixed, so files do not depend on the data's first rows)."""
    import pyarrow as pa

    types = _arrow_types()
    MESSAGES, PROVENANCE_TYPE = types["MESSAGES"], types["PROVENANCE_TYPE"]  # noqa: N806
    aggregated = [q for q in task.questions if q.kind in ("label", "rating", "multi_label")]
    labels = pa.struct([(q.name, _answer_type(q.kind)) for q in task.questions if q.kind in _LABEL_KINDS])
    if fmt == "sft":
        cols = [("id", pa.string()), ("messages", MESSAGES), ("labels", labels), ("provenance", PROVENANCE_TYPE)]
    elif fmt == "kto":
        cols = [("id", pa.string()), ("prompt", MESSAGES), ("completion", MESSAGES), ("label", pa.bool_()),
                ("labels", labels), ("provenance", PROVENANCE_TYPE)]
    elif fmt == "dpo":
        cols = [("id", pa.string()), ("chosen_id", pa.string()), ("rejected_id", pa.string()), ("prompt", MESSAGES),
                ("chosen", MESSAGES), ("rejected", MESSAGES), ("score_chosen", pa.float64()),
                ("score_rejected", pa.float64()), ("labels_chosen", labels), ("labels_rejected", labels),
                ("provenance_chosen", PROVENANCE_TYPE), ("provenance_rejected", PROVENANCE_TYPE)]
    else:
        confidence = pa.struct([(q.name, pa.float64()) for q in aggregated])
        cols = ([("id", pa.string())] + [(f.name, pa.string()) for f in task.fields]
                + [("labels", labels), ("confidence", confidence), ("provenance", PROVENANCE_TYPE)])
    return pa.schema(cols)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_split(rows: Rows, schema: "pa.Schema", folder: Path, split: str) -> list[str]:
    import pyarrow.parquet as pq

    n_shards = max(1, -(-len(rows) // SHARD_ROWS))
    names = []
    for s in range(n_shards):
        table = rows.slice(s * SHARD_ROWS, (s + 1) * SHARD_ROWS).table(schema)
        name = f"data/{split}-{s:05d}-of-{n_shards:05d}.parquet"
        pq.write_table(table, folder / name, compression="zstd", write_statistics=True)
        names.append(name)
    return names


def _card(plan: ExportPlan, task: Task) -> str:
    m = plan.manifest
    splits = list(plan.splits)
    configs = "\n".join(f"  - split: {s}\n    path: data/{s}-*" for s in splits)
    rows = ", ".join(f"{s}: {len(plan.splits[s]):,}" for s in splits)
    left = "\n".join(f"| {k} | {v:,} |" for k, v in m["counts"]["left_out"].items()) or "| (none) | 0 |"
    gates = "\n".join(
        f"| {g['round']} | {g['dataset']} | {'pass' if g['passed'] else 'FAIL'} | "
        + ", ".join(f"{q['question']} {q['alpha']:.3f}" if q["alpha"] is not None else f"{q['question']} undefined"
                    for q in g["questions"]) + " |" for g in m["calibration"]) or "| - | - | - | - |"
    forced = f"\n**Exported past a failed gate**: {m['forced_reason']}\n" if m.get("forced_reason") else ""
    return f"""---
configs:
- config_name: default
  data_files:
{configs}
task_categories:
- {"text-classification" if plan.format == "labels" else "text-generation"}
tags:
- workbench
- {plan.format}
---

# {task.title}: {plan.format} export

Made by Workbench {m['workbench_version']} from the labels of task `{task.name}`
(rounds {', '.join(str(r['round']) for r in m['rounds'])}; guideline versions
{', '.join(map(str, m['guideline_versions'])) or '-'}). Rows: {rows}. The `test` split is the holdout: it holds
only human-written or logged records, never generated ones, and an item held out once stays held out.
Every row carries its provenance (source, licence, PII redaction, annotator ids, agreement,
guideline versions, rounds). `manifest.json` lists the rules, counts and the SHA-256 of every file;
check them with `workbench export verify <folder>`.
{forced}
```python
from datasets import load_dataset
ds = load_dataset("path/to/this/folder")
```

## Calibration behind these labels

| round | dataset | gate | alpha per question |
|---|---|---|---|
{gates}

## Left out

| reason | items |
|---|---|
{left}
""" + _coverage_card(m)


def _coverage_card(m: dict) -> str:
    """The card's section on the mix against the task's coverage plan ("" without a plan, so the card
    of a task without one is as it was)."""
    if not m.get("coverage"):
        return ""
    from workbench.analytics.coverage import compare_mix

    out = ["", "## Coverage against the plan", "",
           "Rows per value of each planned metadata property, against the task's target mix (docs/coverage.md). "
           "Interval: simultaneous 95% (Goodman); flagged when it lies wholly outside target +- tolerance.", ""]
    for c in m["coverage"]:
        cmp = compare_mix(c["counts"], c["target"], c["tolerance"])
        out += [f"`{c['property']}` (tolerance +-{c['tolerance']:.0%}; {cmp.n:,} rows)", "",
                "| value | rows | share | 95% interval | target | status |", "|---|---|---|---|---|---|"]
        for r in cmp.table.itertuples(index=False):
            share, iv = ("-", "-") if cmp.n == 0 else (f"{r.share:.1%}", f"{r.low:.1%} - {r.high:.1%}")
            out.append(f"| {r.category} | {r.count:,} | {share} | {iv} | {r.target:.0%} | {r.status} |")
        out.append("")
    return "\n".join(out)


def _clean_stale(parent: Path, name: str) -> None:
    for p in parent.glob(f".{name}.tmp-*"):
        pid = p.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_output(output: Path) -> None:
    """BadInput when ``output`` exists as a file or a folder with anything in it."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BadInput(f"--output: {output} exists and is not empty: choose a new folder (an export never "
                       "writes over another)")


class AlreadyExported(Exception):
    """The same dataset version exists at the default output folder (carries its path and manifest)."""

    def __init__(self, path: Path, manifest: dict):
        super().__init__(str(path))
        self.path, self.manifest = path, manifest


def default_name(fmt: str, dataset_hash: str) -> str:
    """The folder name of a version written without ``--output``: ``<format>-<first 12 of the hash>``."""
    return f"{fmt}-{dataset_hash[:12]}"


def write_export(plan: ExportPlan, task: Task, output: Path | None, *, default_parent: Path,
                 sign=None) -> tuple[Path, dict]:
    """Write ``plan`` atomically; returns (folder, manifest with file hashes and the dataset hash).

    ``output`` is the folder; without one the version goes to ``default_parent`` under
    :func:`default_name` (the hash is known only once the files are written), and when that
    folder already holds the same version :class:`AlreadyExported` is raised and nothing
    changes. ``sign(folder)`` (optional) is called on the complete temporary folder, before it is
    renamed, to write the signature file.
    """
    fixed = None if output is None else Path(output)
    if fixed is not None:
        check_output(fixed)
    parent = fixed.parent if fixed is not None else Path(default_parent)
    parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = fixed.name if fixed is not None else "export"
    _clean_stale(parent, name)
    tmp = parent / f".{name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    old_umask = os.umask(0o077)
    try:
        (tmp / "data").mkdir(parents=True)
        schema = schema_for(task, plan.format)
        names = []
        for split, rows in plan.splits.items():
            names += _write_split(rows, schema, tmp, split)
        (tmp / CARD).write_text(_card(plan, task), encoding="utf-8")
        files = {n: sha256_file(tmp / n) for n in sorted(names + [CARD])}
        manifest = dict(plan.manifest)
        manifest["files"] = files
        manifest["dataset_hash"] = dataset_hash(files)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
        final = fixed if fixed is not None else parent / default_name(plan.format, manifest["dataset_hash"])
        if fixed is None and final.exists():
            existing = read_manifest(final) if (final / MANIFEST).is_file() else {}
            if existing.get("dataset_hash") == manifest["dataset_hash"] and not check_files(final):
                shutil.rmtree(tmp, ignore_errors=True)
                raise AlreadyExported(final, existing)
            check_output(final)
        if sign is not None:
            sign(tmp)
        if final.exists():  # an empty folder given as --output
            final.rmdir()
        os.rename(tmp, final)
        return final, manifest
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BadInput(f"{folder}: no {MANIFEST}: not a Workbench export (or not a complete one)")
    try:
        manifest = loads(path.read_text(encoding="utf-8"))  # nesting limited (workbench.safe_load)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise BadInput(f"{path}: no 'files' listing")
    return manifest


def check_files(folder: Path) -> list[str]:
    """Every problem with the files of an export against its manifest (empty: all hashes hold)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    listed = manifest["files"]
    problems = []
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for name in sorted(set(listed) - present):
        problems.append(f"{name}: listed in the manifest but missing")
    for name in sorted(present - set(listed) - {MANIFEST, SIGNATURE}):
        problems.append(f"{name}: not in the manifest (added after the export)")
    for name in sorted(set(listed) & present):
        if sha256_file(folder / name) != listed[name]:
            problems.append(f"{name}: SHA-256 differs from the manifest (changed after the export)")
    try:
        expected = dataset_hash(listed)
    except BadInput as exc:
        problems.append(f"{MANIFEST}: {exc}")
    else:
        if manifest.get("dataset_hash") != expected:
            problems.append(f"{MANIFEST}: dataset_hash does not match its file listing")
    return problems


def read_rows(folder: Path) -> "list[dict]":
    """Rows of every split (with a ``split`` key), for ``export diff``."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    manifest = read_manifest(folder)
    out = []
    for name in sorted(manifest["files"]):
        if not name.endswith(".parquet"):
            continue
        split = Path(name).name.split("-", 1)[0]
        for row in pq.read_table(folder / name).to_pylist():
            row["split"] = split
            out.append(row)
    return out
