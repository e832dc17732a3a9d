"""Bringing a task's existing Argilla datasets in line with its task file after the file changed.

``workbench task apply TASK_FILE [--dry-run] [--allow-deletions]``:

1. finds every dataset of the task's rounds: those the history store records
   (:meth:`~workbench.store.HistoryStore.rounds`) and any ``<task>-<kind>-r<N>`` dataset in the
   task's workspace that a killed ``round create`` left unrecorded;
2. compares each one with the task file as it is now
   (:func:`~workbench.dataset_settings.compare_settings`), leaving out what the task file does
   not decide: the guidelines text (``workbench guidelines publish`` sets it) and, for
   calibration rounds, the distribution (the team size when the round was created);
3. if any change on any dataset is one argilla-server 2.8 refuses (a question or field added,
   removed or retyped, label values added or renamed, rating values, ``required``, metadata
   kind/options/bounds, vector dimensions...), changes **nothing** anywhere and raises
   :class:`~workbench.errors.BadInput` naming the task file, each dataset, each refused target
   with its old and new value, why, and what to do instead (a new round);
4. otherwise applies every allowed change through the ``argilla`` SDK (titles, descriptions,
   label order and display texts, visible labels, markdown switches, span overlap switched on,
   metadata visibility, new metadata properties and vectors, the production overlap), then reads
   each dataset back and checks that nothing is left to change (the server answered 200 but
   ignored a change: :class:`~workbench.errors.ServiceError`).

Deleting a metadata property or a vector setting is allowed by Argilla but deletes its value on
every record; it is refused unless ``allow_deletions`` is given.

Re-running changes nothing and says so. Every dataset is planned before any is changed; if the
server fails half-way through applying, re-running applies what is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.dataset_settings import SettingsChange, compare_settings, settings_for
from workbench.errors import BadInput, ServiceError
from workbench.rounds import CALIBRATION_KINDS, KINDS
from workbench.tasks import Task

if TYPE_CHECKING:
    import argilla as rg

    from workbench.store import HistoryStore

_SECTIONS = ("fields", "questions", "metadata", "vectors")


@dataclass
class DatasetPlan:
    """What applying the task file would change on one dataset."""

    dataset: str
    workspace: str
    kind: str
    round: int | None
    allowed: list[SettingsChange] = field(default_factory=list)
    refused: list[SettingsChange] = field(default_factory=list)
    missing: bool = False  # recorded in the store, but the dataset no longer exists

    @property
    def label(self) -> str:
        return f"{self.dataset} (workspace {self.workspace})"


@dataclass
class ApplyReport:
    """The outcome of :func:`apply_task`: one plan per dataset of the task."""

    task: str
    task_file: str
    plans: list[DatasetPlan]
    dry_run: bool = False
    applied: bool = False  # changes were sent to Argilla

    @property
    def refused(self) -> list[tuple[DatasetPlan, SettingsChange]]:
        return [(p, c) for p in self.plans for c in p.refused]

    @property
    def allowed(self) -> list[tuple[DatasetPlan, SettingsChange]]:
        return [(p, c) for p in self.plans for c in p.allowed]

    def lines(self) -> list[str]:
        out: list[str] = []
        for p in self.plans:
            if p.missing:
                out.append(f"  {p.label}: recorded for {p.kind} round {p.round} but no longer in Argilla; skipped")
                continue
            if not (p.allowed or p.refused):
                out.append(f"  {p.label}: already matches")
                continue
            out.append(f"  {p.label}:")
            out.extend(f"    refused {c}" for c in p.refused)
            verb = "applied" if self.applied else ("would apply" if not self.refused else "allowed, not applied")
            out.extend(f"    {verb} {c}" for c in p.allowed)
        return out

    def __str__(self) -> str:
        present = [p for p in self.plans if not p.missing]
        if not present:
            head = f"{self.task_file}: task {self.task!r} has no dataset in Argilla yet: nothing to apply"
        elif self.refused:
            head = (f"{self.task_file}: {len(self.refused)} change(s) Argilla does not allow on existing datasets "
                    f"of task {self.task!r}; nothing was changed on any dataset")
        elif not self.allowed:
            head = f"{self.task_file}: nothing to change: {len(present)} dataset(s) of task {self.task!r} already match"
        elif self.dry_run:
            head = f"{self.task_file}: dry run: {len(self.allowed)} change(s) would be applied; nothing was changed"
        else:
            n = len({p.dataset for p, _ in self.allowed})
            head = f"{self.task_file}: applied {len(self.allowed)} change(s) to {n} dataset(s) of task {self.task!r}"
        lines = [head, *self.lines()]
        if self.refused:
            lines.append(
                f"  To use the changed task, create a new round with it (`workbench round create {self.task} "
                "--kind recalibration|production`); existing rounds keep their settings. Or revert the refused "
                "changes in the task file and apply again.")
        return "\n".join(lines)


_ROUND_NAME = "^{task}-({kinds})-r(\\d+)$"


def task_datasets(cl: rg.Argilla, store: HistoryStore, task: Task) -> list[DatasetPlan]:
    """Every dataset of ``task``'s rounds: recorded in the store, plus unrecorded round datasets
    (``<task>-<kind>-r<N>``) found in the task's workspace. Reads only."""
    from workbench.argilla_client import quiet

    plans: dict[tuple[str, str], DatasetPlan] = {}
    rounds = store.rounds(task.name)
    for row in rounds.itertuples(index=False):
        plans[(row.workspace, row.dataset)] = DatasetPlan(row.dataset, row.workspace, row.kind, int(row.round))
    ws = quiet(cl.workspaces, task.name)
    if ws is not None:
        pattern = re.compile(_ROUND_NAME.format(task=re.escape(task.name), kinds="|".join(KINDS)))
        for ds in ws.datasets:
            m = pattern.match(ds.name)
            if m and (task.name, ds.name) not in plans:
                plans[(task.name, ds.name)] = DatasetPlan(ds.name, task.name, m.group(1), int(m.group(2)))
    return sorted(plans.values(), key=lambda p: (p.round or 0, p.dataset))


def _wanted(task: Task, existing: dict, kind: str, cl) -> Any:
    """The settings the task file asks for on a dataset of a ``kind`` round, with what the task
    file does not decide (guidelines text; a calibration round's distribution) kept as they are."""
    wanted = settings_for(task, None, client=cl)
    wanted.guidelines = existing.get("guidelines")
    if kind in CALIBRATION_KINDS:
        import argilla as rg

        current = (existing.get("distribution") or {}).get("min_submitted")
        if current is not None:
            wanted.distribution = rg.TaskDistribution(min_submitted=int(current))
    return wanted


def _is_deletion(change: SettingsChange) -> bool:
    section, _, rest = change.target.partition(".")
    return section in ("metadata", "vectors") and "." not in rest and change.new is None


def _plan(cl, task: Task, plan: DatasetPlan, allow_deletions: bool):
    """Fill ``plan`` from the dataset as it is now; return (dataset, wanted settings) or None."""
    from workbench.argilla_client import quiet

    ws = quiet(cl.workspaces, plan.workspace)
    ds = quiet(cl.datasets, name=plan.dataset, workspace=ws) if ws is not None else None
    if ds is None:
        plan.missing = True
        return None
    existing = ds.settings.serialize()
    wanted = _wanted(task, existing, plan.kind, cl)
    allowed, refused = compare_settings(wanted, existing)
    for c in allowed:
        if _is_deletion(c) and not allow_deletions:
            refused.append(SettingsChange(
                c.target, c.old, c.new,
                f"{c.reason}: pass --allow-deletions to delete it, or keep it in the task file"))
        else:
            plan.allowed.append(c)
    plan.refused = refused
    return ds, wanted


def _copy_definition(existing, wanted) -> None:
    """Give the existing property (which keeps its id) the wanted title, description and settings."""
    keep = {"id", "name", "dataset_id", "inserted_at", "updated_at"}
    target, source = existing._model, wanted._model  # the SDK has no public setter for a question's options
    for key in type(source).model_fields:
        if key not in keep:
            setattr(target, key, getattr(source, key))


def _apply_to_dataset(ds, wanted, changes: list[SettingsChange]) -> None:
    """Make the allowed ``changes`` on ``ds`` through the SDK (one ``Dataset.update``)."""
    touched: dict[str, set[str]] = {s: set() for s in _SECTIONS}
    for c in changes:
        section, _, rest = c.target.partition(".")
        if section in touched:
            touched[section].add(rest.split(".")[0])
        elif c.target == "distribution.min_submitted":
            ds.settings.distribution = wanted.distribution
        elif c.target == "allow_extra_metadata":
            ds.settings.allow_extra_metadata = wanted.allow_extra_metadata
        elif c.target == "guidelines":  # not planned by apply (publish owns the text); kept for completeness
            ds.settings.guidelines = wanted.guidelines
        else:  # pragma: no cover - compare_settings names no other target
            raise BadInput(f"{c.target}: no way to apply this change")
    for section, names in touched.items():
        have = getattr(ds.settings, section)
        want = getattr(wanted, section)
        for name in sorted(names):
            old, new = have[name], want[name]
            if old is not None and new is not None:
                _copy_definition(old, new)
            elif new is not None:
                have.add(new)
            elif old is not None:
                have.remove(name)
    ds.update()


def apply_task(cl: rg.Argilla, store: HistoryStore, task: Task, *, dry_run: bool = False,
               allow_deletions: bool = False) -> ApplyReport:
    """Apply the task file of ``task`` to every existing dataset of its rounds (see the module docstring).

    Parameters
    ----------
    cl : argilla.Argilla
        Owner or admin client.
    store : HistoryStore
        Where the task's rounds are recorded.
    task : Task
        The task as its file declares it now.
    dry_run : bool
        Plan and report only; change nothing.
    allow_deletions : bool
        Delete metadata properties and vector settings the task file no longer declares (their
        values on every record are lost). Without it such a deletion is refused.

    Returns
    -------
    ApplyReport
        Every dataset with its allowed changes (applied unless ``dry_run``).

    Raises
    ------
    BadInput
        Some change is refused on some dataset; nothing was changed (the message is the report).
    ServiceError
        Argilla failed, or accepted a change but did not make it.
    """
    import httpx
    from argilla._exceptions import ArgillaError

    failures = (ArgillaError, httpx.HTTPError)

    shown = str(task.source) if task.source is not None else task.name
    report = ApplyReport(task.name, shown, task_datasets(cl, store, task), dry_run=dry_run)
    targets = []
    try:
        for plan in report.plans:
            got = _plan(cl, task, plan, allow_deletions)
            if got is not None and plan.allowed:
                targets.append((plan, *got))
    except failures as exc:
        raise ServiceError(f"Argilla failed while reading the datasets of task {task.name!r}: {exc}") from None
    if report.refused:
        raise BadInput(str(report))
    if dry_run or not targets:
        return report
    for plan, ds, wanted in targets:
        try:
            _apply_to_dataset(ds, wanted, plan.allowed)
        except failures as exc:
            raise ServiceError(
                f"Argilla failed while applying {shown} to dataset {plan.label}: {exc}; datasets before it "
                "were changed: run the command again to apply what is left") from None
    report.applied = True
    # Read back: every change must have landed.
    for plan, _ds, _ in targets:
        fresh = cl.datasets(name=plan.dataset, workspace=cl.workspaces(plan.workspace))
        existing = fresh.settings.serialize()
        left, _ = compare_settings(_wanted(task, existing, plan.kind, cl), existing)
        left = [c for c in left if not (_is_deletion(c) and not allow_deletions)]
        if left:
            raise ServiceError(
                f"Argilla accepted the update of dataset {plan.label} but did not make these changes: "
                + "; ".join(map(str, left)))
    return report
