"""Annotation rounds: calibration, recalibration and production datasets of a task.

``workbench round create TASK --kind calibration|recalibration|production`` creates the round's
Argilla dataset, named ``<task>-<kind>-r<N>`` in the workspace named after the task, with the
task's settings (:func:`~workbench.dataset_settings.settings_for`) under the guideline version in
force for the task (see :mod:`workbench.publish`), and records the round in the history store.
``N`` counts every round of the task (calibration and production alike), so a round number
names one dataset of the task.

Calibration and recalibration rounds
    The task's calibration set goes in front of **every** annotator of the task: the dataset's
    distribution is ``min_submitted = number of annotators`` (the users with Argilla role
    ``annotator`` in the task's workspace, less those the last synced roster lists as experts or
    admins). Fewer than two annotators is refused before anything is written. The set is the
    demo's stratified selection (:func:`workbench.demo_data.select_calibration_items`) for the
    demo task, else ``set_size`` items of a candidates file (``--items FILE``, JSON lines with the
    task's fields), chosen deterministically (ordered by a hash of task name and item id, so the
    same file gives the same set, whatever its line order).

Production rounds
    Refused while the task's latest calibration round has not passed the gate
    (:mod:`workbench.gate`), unless ``--force-reason TEXT`` is given; the reason is recorded with
    the round. The task's ``overlap`` sets the distribution. Gold items - items with an expert's
    gold answer in the store - are mixed in at the
    task's ``gold_rate`` (share of the round's records), in a deterministic order spread through
    the round. Gold on candidates that were never in a calibration round (an expert labelled them
    ahead of time, ``workbench gold import``) is used first: annotators cannot recognise items
    they have never seen; calibration items with gold fill the rest, with a note saying so.
    Nothing tells them apart in Argilla: same fields and metadata properties as every
    other record (no extra metadata, no suggestion), and the same kind of id. Their gold answers
    stay in the store (``HistoryStore.gold``), keyed by item id. Items already used in a
    calibration round are not used as ordinary production items.

Review rounds
    ``--kind review``: a sized sample of the submitted production records of each annotator, for
    the task's experts only, in the workspace ``<task>-review`` (see :mod:`workbench.review`,
    which builds it; ``per_annotator``, ``margin``, ``confidence``, ``expected_accuracy``,
    ``by_label`` are its options and only its).

Record ids are derived from content (the sha256 of the task's fields, :func:`item_id`), so the
same item has the same id in every round (gold set once applies wherever it appears), and a
round creation that is killed half-way and run again logs only what is missing: the round is
recorded in the store last, so the re-run picks the same round number and dataset and resumes.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from workbench.errors import BadInput, describe
from workbench.safe_load import JsonLimitError, loads, read_text
from workbench.tasks import Task

KINDS = ("calibration", "recalibration", "production", "review")
from workbench.gate import CALIBRATION_KINDS  # noqa: E402 (one definition: the gate's)
BATCH_SIZE = 100


@dataclass(frozen=True)
class Item:
    """One record to put in front of annotators: id (content-derived), fields, metadata."""

    id: str
    fields: dict
    metadata: dict = field(default_factory=dict)


def item_id(task: Task, fields: dict) -> str:
    """The content-derived id of an item: sha256 of the task's fields as canonical JSON.

    The same as :func:`workbench.demo_data.record_id` on the field values, so the demo's records
    keep their ids.
    """
    from workbench.demo_data import record_id

    return record_id({f.name: fields[f.name] for f in task.fields if f.name in fields})


def dataset_name(task: str, kind: str, number: int) -> str:
    """``medical-qa-rating-calibration-r1``."""
    return f"{task}-{kind}-r{number}"


def task_key(task: str) -> str:
    """The store key under which task-wide guideline publications are recorded (``task:<name>``)."""
    return f"task:{task}"


# --------------------------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------------------------


def _check_metadata(task: Task, name: str, value: Any) -> str | None:
    prop = next((m for m in task.metadata if m.name == name), None)
    if prop is None:
        return f"unknown metadata property {name!r} (the task has: {', '.join(m.name for m in task.metadata) or 'none'})"
    if value is None:
        return None
    if prop.kind == "terms":
        if not isinstance(value, str):
            return f"must be text, got {describe(value)}"
        if prop.options and value not in prop.options:
            return f"{value!r} is not one of the options {list(prop.options)}"
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, got {describe(value)}"
    if prop.kind == "integer" and not float(value).is_integer():
        return f"{value!r} must be a whole number"
    if (prop.min is not None and value < prop.min) or (prop.max is not None and value > prop.max):
        return f"{value!r} is outside [{prop.min}, {prop.max}]"
    return None


def read_items(path: Path | str, task: Task) -> list[Item]:
    """Candidate items from a JSON-lines file: one object per line with the task's fields.

    Keys are the task's field names and, optionally, its metadata property names (or a
    ``metadata`` object holding them); an ``id`` key is ignored (ids come from content).
    Duplicate items (same field values) are kept once.

    Raises
    ------
    BadInput
        Naming file, line, field and value of every problem.
    """
    from workbench.guidelines import Problem, problems_error

    path = Path(path)
    shown = str(path)
    if not path.exists():
        raise BadInput(f"{shown}: --items: file does not exist")
    lines = read_text(path, shown).split("\n")  # not splitlines(): a JSON string may hold U+2028; read_text names bad bytes
    field_names = {f.name for f in task.fields}
    meta_names = {m.name for m in task.metadata}
    problems: list[Problem] = []
    items: list[Item] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = loads(line)  # nesting limited
        except JsonLimitError as exc:
            problems.append(Problem(shown, n, "", f"{exc.msg} at column {exc.colno}"))
            continue
        except json.JSONDecodeError as exc:
            problems.append(Problem(shown, n, "", f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(obj, dict):  # the value is not shown: it may be personal data
            problems.append(Problem(shown, n, "", f"expected an object with the fields {sorted(field_names)}, "
                                                  f"got {describe(obj)}"))
            continue
        before = len(problems)
        fields, metadata = {}, {}
        nested = obj.get("metadata")
        if nested is not None and not isinstance(nested, dict):
            problems.append(Problem(shown, n, "metadata", f"must be an object, got {describe(nested)}"))
            nested = None
        for key, value in list(obj.items()) + [(k, v) for k, v in (nested or {}).items()]:
            if key in ("id", "metadata"):
                continue
            if key in field_names:
                fields[key] = value
            elif key in meta_names:
                err = _check_metadata(task, key, value)
                if err:
                    problems.append(Problem(shown, n, f"metadata.{key}", err))
                elif value is not None:
                    metadata[key] = value
            else:
                problems.append(Problem(shown, n, key, f"unknown key (task {task.name!r} has fields "
                                        f"{sorted(field_names)} and metadata {sorted(meta_names)})"))
        for f in task.fields:
            v = fields.get(f.name)
            if v is None:
                if f.required:
                    problems.append(Problem(shown, n, f.name, "missing (a required field of the task)"))
            elif not isinstance(v, str) or (f.required and not v.strip()):
                problems.append(Problem(shown, n, f.name, f"must be non-empty text, got {describe(v)}"))
        if len(problems) > before:
            continue
        iid = item_id(task, fields)
        if iid in seen:
            continue
        seen.add(iid)
        items.append(Item(iid, {k: v for k, v in fields.items() if v is not None}, metadata))
    if problems:
        raise problems_error(problems)
    if not items:
        raise BadInput(f"{shown}: --items: no items in the file")
    return items


def _hash_order(key: str, ids: Sequence[str]) -> list[int]:
    """Positions of ``ids`` sorted by sha256(key + id): a deterministic shuffle."""
    return sorted(range(len(ids)), key=lambda i: hashlib.sha256(f"{key}\x00{ids[i]}".encode()).hexdigest())


def select_calibration(task: Task, items: Sequence[Item]) -> list[Item]:
    """``set_size`` items, deterministically (hash of task name and item id), in hash order."""
    order = _hash_order(f"calibration:{task.name}", [it.id for it in items])
    return [items[i] for i in order[: task.calibration.set_size]]


def demo_items(task: Task) -> tuple[list[Item], list[Item]]:
    """The demo task's (calibration set, other records), as ``workbench up`` builds them."""
    from workbench import demo_data

    records = demo_data.generate_records(demo_data.N_RECORDS, seed=demo_data.DEMO_SEED)
    cal = demo_data.select_calibration_items(records, task.calibration.set_size, seed=demo_data.DEMO_SEED)
    cal_ids = {r.id for r in cal}
    conv = lambda r: Item(item_id(task, r.fields), dict(r.fields), dict(r.metadata))  # noqa: E731
    return [conv(r) for r in cal], [conv(r) for r in records if r.id not in cal_ids]


def n_gold_for(n_regular: int, gold_rate: float) -> int:
    """Gold items to add to ``n_regular`` ordinary ones so that they make ``gold_rate`` of the round.

    >>> n_gold_for(280, 0.05), n_gold_for(60, 0.10), n_gold_for(10, 0.05), n_gold_for(50, 0.0)
    (15, 7, 1, 0)
    """
    if gold_rate <= 0 or n_regular <= 0:
        return 0
    return max(1, int(math.floor(gold_rate * n_regular / (1 - gold_rate) + 0.5)))


def mix_production(dataset: str, regular: Sequence[Item], gold: Sequence[Item]) -> list[Item]:
    """Ordinary and gold items in one deterministic order (hash of dataset name and id), so gold
    items are spread through the round rather than grouped."""
    allitems = list(regular) + list(gold)
    order = _hash_order(f"production:{dataset}", [it.id for it in allitems])
    return [allitems[i] for i in order]


# --------------------------------------------------------------------------------------------
# Shell
# --------------------------------------------------------------------------------------------


def task_annotators(cl, task: str, roster=None) -> tuple[str, ...]:
    """Annotators of ``task``: users with Argilla role ``annotator`` in its workspace, less those the
    roster (default: the last synced one) lists as experts or admins. Reads only."""
    from workbench.argilla_client import quiet
    from workbench.roster import last_synced_roster, role_of

    ws = quiet(cl.workspaces, task)
    if ws is None:
        return ()
    names = sorted(u.username for u in ws.users if role_of(u) == "annotator")
    roster = roster if roster is not None else last_synced_roster()
    if roster is not None:
        not_annotators = {e.username for e in roster if e.role != "annotator"}
        names = [n for n in names if n not in not_annotators]
    return tuple(names)


@dataclass
class RoundReport:
    task: str
    kind: str
    number: int
    dataset: str
    workspace: str
    dataset_id: str
    guideline_version: int
    min_submitted: int
    annotators: tuple
    n_items: int
    n_gold: int
    logged: int
    resumed: bool
    forced_reason: str | None = None
    notes: list = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            f"{'resumed' if self.resumed else 'created'} {self.kind} round {self.number} of {self.task}: "
            f"dataset {self.dataset} in workspace {self.workspace} (guideline v{self.guideline_version})",
            f"  {self.n_items} records ({self.n_gold} gold), {self.logged} logged now; "
            f"each record needs {self.min_submitted} submitted response(s); annotators: {', '.join(self.annotators)}",
        ]
        if self.forced_reason:
            lines.append(f"  opened past a failing calibration gate; reason recorded: {self.forced_reason}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _existing_ids(ds) -> set[str]:
    return {str(r.id) for r in ds.records(batch_size=500)}


def _calibration_records(cl, store, task: Task) -> dict[str, Item]:
    """id -> Item of every record in the task's calibration datasets (read from Argilla)."""
    from workbench.argilla_client import quiet

    out: dict[str, Item] = {}
    rounds = store.rounds(task.name)
    for row in rounds[rounds["kind"].isin(CALIBRATION_KINDS)].itertuples(index=False):
        ws = quiet(cl.workspaces, row.workspace)
        ds = quiet(cl.datasets, name=row.dataset, workspace=ws) if ws is not None else None
        if ds is None:
            continue
        for r in ds.records(batch_size=500):
            fields = {k: v for k, v in dict(r.fields).items() if v is not None}
            metadata = {k: v for k, v in dict(r.metadata or {}).items() if v is not None}
            out.setdefault(str(r.id), Item(str(r.id), fields, metadata))
    return out


def create_round(
    cl,
    store,
    task: Task,
    kind: str,
    *,
    items_file: Path | str | None = None,
    size: int | None = None,
    force_reason: str | None = None,
    roster=None,
    on_batch: Callable[[int], None] | None = None,
    per_annotator: int | None = None,
    margin: float | None = None,
    confidence: float | None = None,
    expected_accuracy: float | None = None,
    by_label: str | None = None,
):
    """Create (or resume) the next round of ``task`` (see the module docstring).

    Parameters
    ----------
    cl : argilla.Argilla
        Owner or admin client.
    store : HistoryStore
    task : Task
    kind : {"calibration", "recalibration", "production"}
    items_file : path, optional
        JSON-lines candidates (required unless ``task`` is the demo task).
    size : int, optional
        Production only: at most this many ordinary items (default all candidates).
    force_reason : str, optional
        Production only: open the round even though the gate has not passed; recorded.
    roster : Roster, optional
        Who is an annotator (default: the last synced roster).
    on_batch : callable, optional
        Called with the number of records logged so far after each batch (tests use it to kill
        a creation half-way).
    per_annotator, margin, confidence, expected_accuracy, by_label : optional
        Review rounds only (:func:`workbench.review.create_review_round`, which returns a
        :class:`~workbench.review.ReviewReport`).

    Raises
    ------
    BadInput
        Unknown kind, fewer than two annotators for a calibration round, no guideline published,
        a production round without a passing gate (and no reason), no gold items for production,
        a bad items file.
    """
    import argilla as rg

    from workbench import argilla_client
    from workbench.dataset_settings import settings_for

    if kind not in KINDS:
        raise BadInput(f"--kind: {kind!r} is not one of {', '.join(KINDS)}")
    review_options = {"--per-annotator": per_annotator, "--margin": margin, "--confidence": confidence,
                      "--expected-accuracy": expected_accuracy, "--by-label": by_label}
    if kind == "review":
        if items_file is not None or size is not None or force_reason is not None:
            raise BadInput("--items, --size and --force-reason are not for review rounds: a review samples the "
                           "task's submitted production records")
        from workbench.review import create_review_round

        return create_review_round(cl, store, task, per_annotator=per_annotator, margin=margin, confidence=confidence,
                                   expected_accuracy=expected_accuracy, by_label=by_label, roster=roster,
                                   on_batch=on_batch)
    given = [k for k, v in review_options.items() if v is not None]
    if given:
        raise BadInput(f"{', '.join(given)}: only for review rounds (--kind review)")
    if force_reason is not None and not force_reason.strip():
        raise BadInput("--force-reason: empty: say why production opens without a passing gate")
    if force_reason is not None and kind != "production":
        raise BadInput(f"--force-reason: only a production round can be forced (this is a {kind} round)")
    if size is not None and (kind != "production" or size < 1):
        raise BadInput(f"--size: {size!r}: only for production rounds, and at least 1")

    annotators = task_annotators(cl, task.name, roster)
    if kind in CALIBRATION_KINDS and len(annotators) < 2:
        raise BadInput(
            f"task {task.name!r}: a {kind} round needs at least two annotators, but workspace {task.name!r} has "
            f"{len(annotators)}{' (' + ', '.join(annotators) + ')' if annotators else ''}: add annotators with "
            "`workbench users sync ROSTER`")
    if kind == "production" and len(annotators) < task.overlap:
        raise BadInput(
            f"task {task.name!r}: overlap {task.overlap} needs at least {task.overlap} annotators, but workspace "
            f"{task.name!r} has {len(annotators)}{' (' + ', '.join(annotators) + ')' if annotators else ''}")

    # Candidate items (read and validated before anything is written).
    if items_file is not None:
        candidates = read_items(items_file, task)
        cal_items = select_calibration(task, candidates) if kind in CALIBRATION_KINDS else []
    else:
        from workbench import demo_data

        if task.name != demo_data.DEMO_TASK:
            raise BadInput(f"task {task.name!r}: --items FILE is required (JSON lines with the fields "
                           f"{', '.join(f.name for f in task.fields)}); only the demo task {demo_data.DEMO_TASK!r} has "
                           "built-in items")
        cal_items, others = demo_items(task)
        candidates = others

    rounds = store.rounds(task.name)
    number = int(rounds["round"].max()) + 1 if len(rounds) else 1
    name = dataset_name(task.name, kind, number)
    version = store.guideline_version_at(task_key(task.name), _now())
    if version is None:
        raise BadInput(f"task {task.name!r}: no guideline version is published for it: run "
                       f"`workbench guidelines publish {task.name} VERSION` first")
    gversion = task.load_guideline().get(version)
    notes: list[str] = []

    forced = None
    gold_items: list[Item] = []
    if kind == "production":
        from workbench.gate import gate_for_task

        result = gate_for_task(store, task, n_boot=0)
        if not result.passed:
            if force_reason is None:
                why = "; ".join(result.reasons[:4]) + (f"; and {len(result.reasons) - 4} more" if len(result.reasons) > 4 else "")
                raise BadInput(
                    f"task {task.name!r}: production refused: the calibration gate has not passed ({why}). "
                    f"Pass it (see `workbench gate {task.name}`) or give --force-reason TEXT")
            forced = force_reason.strip()
        elif force_reason is not None:
            notes.append("the gate passes: --force-reason was not needed and is not recorded")
        # Gold pool. First choice: candidates of this round with gold answers that were never in a
        # calibration round (an expert labelled them ahead of time): nobody has seen them, so nobody
        # can recognise them. Then: calibration items with gold, as they appear in Argilla.
        gold = store.gold(task.name)
        seen_cal = _calibration_records(cl, store, task)
        agreeing = {q.name for q in task.questions if q.has_agreement}
        by_item = gold.groupby("item")["question"].apply(set) if len(gold) else {}
        gold_ids = list(by_item.keys()) if len(gold) else []  # Series.keys() is its index
        cand_by_id = {it.id: it for it in candidates}

        def split(ids: list[str]) -> tuple[list[str], list[str]]:
            return ([i for i in ids if i in cand_by_id and i not in seen_cal], [i for i in ids if i in seen_cal])

        fresh, seen = split([i for i in gold_ids if agreeing <= by_item[i]])
        if not fresh and not seen:
            fresh, seen = split(gold_ids)
        excluded = set(seen_cal) | set(fresh)
        regular = [it for it in candidates if it.id not in excluded]
        if size is not None:
            regular = [regular[i] for i in _hash_order(f"size:{task.name}:{number}", [it.id for it in regular])[:size]]
        if not regular:
            raise BadInput(f"task {task.name!r}: no production items left (every candidate was used in calibration or as gold)")
        k = n_gold_for(len(regular), task.calibration.gold_rate)
        if k and not (fresh or seen):
            raise BadInput(f"task {task.name!r}: gold_rate {task.calibration.gold_rate:g} needs gold items, but no "
                           "candidate or calibration item has a gold answer in the store: set gold first")
        if k > len(fresh) + len(seen):
            notes.append(f"only {len(fresh) + len(seen)} gold items available; wanted {k} for gold_rate "
                         f"{task.calibration.gold_rate:g}")
            k = len(fresh) + len(seen)
        take_fresh = [fresh[i] for i in _hash_order(f"gold:{task.name}:{number}", fresh)[:k]]
        take_seen = [seen[i] for i in _hash_order(f"gold:{task.name}:{number}", seen)[:k - len(take_fresh)]]
        if take_seen:
            notes.append(f"{len(take_seen)} of {k} gold items come from calibration rounds, so annotators who "
                         "calibrated may recognise them; expert gold on candidates nobody has seen "
                         "(`workbench gold import`) is used first")
        gold_items = [cand_by_id[i] for i in take_fresh] + [seen_cal[i] for i in take_seen]
        planned = mix_production(name, regular, gold_items)
        min_submitted = task.overlap
    else:
        planned = list(cal_items)
        min_submitted = len(annotators)
        if len(planned) < task.calibration.set_size:
            notes.append(f"only {len(planned)} candidate items; calibration set_size is {task.calibration.set_size}")

    settings = settings_for(task, gversion, client=cl)
    settings.distribution = rg.TaskDistribution(min_submitted=min_submitted)
    ds, created = argilla_client.ensure_dataset(cl, name, task.name, settings)
    if not created:  # resuming: show the guideline now in force and the current team size
        stale = False
        if (ds.settings.guidelines or "") != settings.guidelines:
            ds.settings.guidelines = settings.guidelines
            stale = True
        if ds.settings.distribution.min_submitted != min_submitted:
            ds.settings.distribution = rg.TaskDistribution(min_submitted=min_submitted)
            stale = True
        if stale:
            ds.update()
            notes.append("the interrupted round's guidelines/distribution were brought up to date")
    have = set() if created else _existing_ids(ds)
    todo = [it for it in planned if it.id not in have]
    meta_names = {m.name for m in task.metadata}
    logged = 0
    for start in range(0, len(todo), BATCH_SIZE):
        batch = todo[start:start + BATCH_SIZE]
        ds.records.log([rg.Record(id=it.id, fields=it.fields,
                                  metadata={k: v for k, v in it.metadata.items() if k in meta_names})
                        for it in batch])
        logged += len(batch)
        if on_batch is not None:
            on_batch(logged)
    store.record_round(task=task.name, round=number, kind=kind, dataset=name, workspace=task.name,
                       dataset_id=str(ds.id), guideline_version=version, forced_reason=forced)
    return RoundReport(task.name, kind, number, name, task.name, str(ds.id), version, min_submitted, annotators,
                       len(planned), len(gold_items), logged, resumed=not created, forced_reason=forced, notes=notes)


def _now():
    from workbench.store import utcnow

    return utcnow()
