"""Coverage of a task: the mix of its candidate pool, of what is labelled and of its last export,
read from where each lives and compared with the task's plan (``coverage:``; docs/coverage.md).

The comparison itself is the functional core's (:mod:`workbench.analytics.coverage`); here the
three sets are read:

* **candidate pool**: every candidate stored for the task (``<home>/candidates/<task>/candidates.jsonl``),
  with the metadata ``candidates push`` would give it (the candidates config maps task metadata
  onto candidate values; :func:`workbench.candidates.push.record_content`);
* **labelled**: the items of the task's production rounds in the history store with at least one
  submitted response, each counted once, with its latest stored metadata (calibration items measure
  annotators and never become data, so they are left out);
* **last export**: the counts the last ``workbench export`` of the task wrote into its manifest
  (``coverage``: the rows' values; an export made while the task had no plan has none).

A set that cannot be read (no candidates, no config, nothing synced, no export) is reported with
why, never as an empty mix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbench.analytics.coverage import MixComparison, compare_mix, count_values
from workbench.errors import BadInput
from workbench.tasks import Task

SETS = ("candidate pool", "labelled", "last export")


@dataclass
class SetCoverage:
    """One set's mix against each plan (``comparisons``: property -> comparison), or why it has none."""

    name: str
    available: bool
    note: str = ""
    comparisons: dict[str, MixComparison] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"set": self.name, "available": self.available, "note": self.note,
                "plans": {p: c.to_dict() for p, c in self.comparisons.items()}}


@dataclass
class CoverageReport:
    task: str
    plans: tuple
    sets: list[SetCoverage]
    confidence: float
    method: str

    def to_dict(self) -> dict:
        return {"task": self.task, "confidence": self.confidence, "method": self.method,
                "plans": [{"property": p.property, "tolerance": p.tolerance, "target": dict(p.target)} for p in self.plans],
                "sets": [s.to_dict() for s in self.sets]}

    def text(self) -> str:
        """The report as the command prints it."""
        lines = [f"task {self.task}: coverage against the plan ({'simultaneous Goodman' if self.method == 'goodman' else 'Wilson'} "
                 f"{self.confidence:.0%} intervals; flagged = the interval lies wholly outside target +- tolerance)"]
        for plan in self.plans:
            lines.append("")
            lines.append(f"{plan.property}: target " + ", ".join(f"{v} {s:.0%}" for v, s in plan.target)
                         + f" (tolerance +-{plan.tolerance:.0%})")
            for s in self.sets:
                if not s.available:
                    lines.append(f"  {s.name}: {s.note}")
                    continue
                m = s.comparisons[plan.property]
                head = f"  {s.name}: {m.n:,} record{'s' if m.n != 1 else ''}"
                head += (f"; flagged: {', '.join(m.flagged)}" if m.flagged else "; nothing flagged")
                head += f"; {m.needed_total:,} more would bring every share within tolerance" if m.needed_total else \
                    "; every share within tolerance"
                lines.append(head + (f" ({s.note})" if s.note else ""))
                lines.append(f"    {'value':<20} {'n':>7} {'share':>7} {'interval':>15} {'target':>7}  {'status':<8} {'add':>6}")
                for r in m.table.itertuples(index=False):
                    share = "-" if m.n == 0 else f"{r.share:.1%}"
                    iv = "-" if m.n == 0 else f"{r.low:.1%}-{r.high:.1%}"
                    lines.append(f"    {str(r.category)[:20]:<20} {r.count:>7,} {share:>7} {iv:>15} {r.target:>7.0%}  "
                                 f"{r.status:<8} {r.needed:>6,}")
        return "\n".join(lines)


def _compare(task: Task, metadata: list, confidence: float, method: str) -> dict[str, MixComparison]:
    return {p.property: compare_mix(count_values(metadata, p.property), p.shares(), p.tolerance,
                                    confidence=confidence, method=method) for p in task.coverage}


def pool_metadata(task: Task, config_path: Path | None = None) -> tuple[list[dict] | None, str]:
    """The metadata each stored candidate of ``task`` would be pushed with, or None and why not."""
    from workbench.candidates import storage
    from workbench.candidates.genconfig import load_config
    from workbench.candidates.push import record_content

    path = storage.task_dir(task.name) / "candidates.jsonl"
    cands = storage.read_candidates(task.name) if path.is_file() else []
    if not cands:
        return None, f"no candidates stored ({path}): `workbench candidates generate {task.name}`"
    try:
        cfg = load_config(task, config_path)
    except BadInput as exc:
        if config_path is not None:
            raise
        return None, f"no candidates config, so the candidates' metadata is unknown: {exc}"
    out = []
    for c in cands:
        res = record_content(task, cfg, c)
        if not isinstance(res, str):  # (a candidate that cannot become a record is not in the pool)
            out.append(res[1])
    return out, f"{len(cands):,} candidates in {path}"


def labelled_metadata(store, task: Task) -> tuple[list[dict] | None, str]:
    """The latest metadata of every item of the task's production rounds with a submitted response."""
    rounds = store.rounds(task.name)
    prod = rounds[rounds["kind"] == "production"] if len(rounds) else rounds
    if prod is None or not len(prod):
        return None, f"no production round of task {task.name!r} in the history store"
    ids = list(prod["dataset_id"])
    done = store.submitted_items(dataset=ids)  # (from the store's summary: not every response)
    records = store.records(dataset=ids)
    if records.empty and done:
        return None, "the history store has responses but no record content: run `workbench sync`"
    records = records[records["item"].isin(done)]
    latest = records.sort_values("round", kind="stable").drop_duplicates("item", keep="last")
    return list(latest["metadata"]), f"{len(prod)} production round{'s' if len(prod) != 1 else ''}"


def last_export_counts(task: Task, *, demo: bool = False) -> tuple[dict[str, dict] | None, str]:
    """Property -> counts written by the last export of ``task`` (from the export registry), or None
    and why not."""
    from workbench.export import registry
    from workbench.export.folder import MANIFEST, read_manifest

    made = [e for e in registry.versions(task.name) if (e.get("store") == "demo") == demo]
    if not made:
        return None, f"no export of task {task.name!r} yet: `workbench export {task.name}`"
    last = made[-1]
    folder = Path(str(last.get("path") or ""))
    if not (folder / MANIFEST).is_file():
        return None, f"the last export's folder {folder} is gone (or has no {MANIFEST})"
    cov = read_manifest(folder).get("coverage")
    if not cov:
        return None, (f"the last export ({folder.name}, {last.get('created_at', '?')}) was made while the task "
                      "had no coverage plan: export again to see its mix")
    return {c["property"]: dict(c["counts"]) for c in cov}, f"{folder.name}, {last.get('created_at', '?')}"


def coverage_report(task: Task, store=None, *, config_path: Path | None = None, demo: bool = False,
                    confidence: float = 0.95, method: str = "goodman", pool: bool = True) -> CoverageReport:
    """The task's three sets against its plan (``store`` None: no labelled set; ``pool`` False: no
    candidate pool, as the dashboard, which never reads the candidates' files)."""
    if not task.coverage:
        raise BadInput(f"task {task.name!r} has no coverage plan: add `coverage:` to "
                       f"{task.source or 'its task file'} (docs/coverage.md)")
    sets = []
    if pool:
        meta, note = pool_metadata(task, config_path)
        sets.append(SetCoverage("candidate pool", meta is not None, note,
                                _compare(task, meta, confidence, method) if meta is not None else {}))
    if store is not None:
        meta, note = labelled_metadata(store, task)
        sets.append(SetCoverage("labelled", meta is not None, note,
                                _compare(task, meta, confidence, method) if meta is not None else {}))
    counts, note = last_export_counts(task, demo=demo)
    comps = {}
    if counts is not None:
        missing = [p.property for p in task.coverage if p.property not in counts]
        if missing:
            counts, note = None, f"the last export has no counts of {', '.join(missing)} (the plan changed): export again"
        else:
            comps = {p.property: compare_mix(counts[p.property], p.shares(), p.tolerance, confidence=confidence,
                                             method=method) for p in task.coverage}
    sets.append(SetCoverage("last export", counts is not None, note, comps))
    return CoverageReport(task.name, task.coverage, sets, confidence, method)
