"""What each view needs, read and handed to its builder: the store (through its
:class:`~workbench.store.HistoryStore` methods: no SQL here), the task files and the export
registry in, the view (:mod:`workbench.dashboard.views`) out. No Streamlit:
:mod:`workbench.dashboard.cache` calls these with its kept store handle and tasks, once per store
version.
"""

from __future__ import annotations

import pandas as pd

from workbench.dashboard import views
from workbench.dashboard.history import HISTORY_LABEL_COLUMNS, TaskHistory, build_task_history
from workbench.errors import BadInput, WorkbenchError
from workbench.store import HistoryStore


def read_dataset(store: HistoryStore, row: dict) -> pd.DataFrame:
    """The submitted answers of the round ``row`` (a row of ``store.rounds()``), with ``record_id``."""
    return store.round_answers(row["task"], int(row["round"]))


def overview_view(store: HistoryStore, tasks: dict) -> list[views.TaskOverview]:
    """Every task with its rounds, gate, volume, open alarms and guideline version in force."""
    rounds = store.rounds()
    rounds = rounds[rounds["task"].isin(views.labelling_tasks(rounds))] if len(rounds) else rounds
    if rounds.empty:
        return []
    rounds = rounds.merge(store.submitted_volumes(), on="dataset_id", how="left")
    for c in ("responses", "items", "annotators"):
        rounds[c] = rounds[c].fillna(0).astype(int)
    out = []
    for name, rs in rounds.groupby("task", sort=True):
        task = tasks.get(name)
        gate_round = views.gate_round_of(rs) if task is not None else None
        gold = store.gold(name)
        # the alarms need only the answers on gold items: read those, not the task's whole history
        gold_labels = store.tidy(task=name, gold_items_only=True) if len(gold) else pd.DataFrame()
        latest_written = None
        if task is not None:
            try:
                latest_written = task.load_guideline().latest.version
            except WorkbenchError:
                latest_written = None
        out.append(views.task_overview(
            name, task, rs, gate_responses=read_dataset(store, gate_round) if gate_round else None,
            gold=gold, gold_labels=gold_labels, totals=store.submitted_totals(rs["dataset_id"]),
            latest_written=latest_written))
    return out


def _task_and_round(store: HistoryStore, tasks: dict, problem: str, task_name: str, round_no: int):
    task = tasks.get(task_name)
    if task is None:
        raise BadInput(f"task {task_name!r}: no task file in the project's tasks/ folder{': ' + problem if problem else ''}")
    row = store.round_row(task_name, round_no)
    if row is None:
        raise BadInput(f"task {task_name!r} has no round {round_no}")
    return task, row


def calibration_view(store: HistoryStore, tasks: dict, problem: str, task_name: str, round_no: int, *,
                     n_boot: int = views.ALPHA_N_BOOT) -> views.CalibrationView:
    """One round's agreement figures (BadInput naming a missing task file or round)."""
    task, row = _task_and_round(store, tasks, problem, task_name, round_no)
    return views.calibration_view(task, row, read_dataset(store, row), store.gold(task_name), n_boot=n_boot)


def bars(tasks: dict, task_name: str | None) -> dict:
    """Question -> the task's minimum gold agreement (the gate's bar), for the questions it gates."""
    if task_name is None:
        return {}
    task = tasks.get(task_name)
    return task.calibration.min_gold_agreements() if task is not None else {}


def task_history(store: HistoryStore, tasks: dict, task_name: str) -> TaskHistory:
    """The task's whole history (every round's current answers, gold, control charts)."""
    task = tasks.get(task_name)
    # free-text and other questions without an agreement level are left out
    questions = [q.name for q in views.report_questions(task)] if task is not None else None
    tidy = store.task_answers(task_name, questions, columns=HISTORY_LABEL_COLUMNS)
    return build_task_history(tidy, store.gold(task_name), store.rounds(task_name), bars(tasks, task_name))


def guidelines_view(tasks: dict, problem: str, task_name: str, history: TaskHistory, *,
                    n_boot: int = views.ALPHA_N_BOOT) -> views.GuidelinesView:
    """The task's guideline versions (read from its files) and the figures per version."""
    task = tasks.get(task_name)
    versions = []
    if task is None:
        problem = problem or f"no task file for {task_name!r}"
    else:
        try:
            versions = list(task.load_guideline().versions)
        except WorkbenchError as exc:
            problem = str(exc)
    return views.guidelines_view(task, versions, problem, history, n_boot=n_boot)


def judges_view(store: HistoryStore, tasks: dict, task_name: str, round_no: int) -> views.JudgesView:
    """Each suggestion agent of one round measured like an annotator."""
    task = tasks.get(task_name)
    row = store.round_row(task_name, round_no)
    if task is None or row is None:
        raise BadInput(f"task {task_name!r} round {round_no}: not found")
    sug = store.suggestions(dataset=row["dataset_id"])
    sug = sug[sug["agent"].notna()] if len(sug) else sug
    if sug.empty:
        return views.judges_view(task, row, sug, None, None)
    return views.judges_view(task, row, sug, read_dataset(store, row), store.gold(task_name))


EXPORT_COLUMNS = ["created", "format", "dataset hash", "rows", "gate", "signed by", "folder"]


def export_versions(task: str, demo: bool = False) -> pd.DataFrame:
    """The dataset versions ``workbench export`` made of ``task`` (newest first), from the export
    registry under the Workbench home; ``demo`` picks those made from the demo history."""
    from workbench.export import registry

    rows = []
    for e in reversed(registry.versions(task)):
        if (e.get("store") == "demo") != demo:
            continue
        gate = "passed" if e.get("gate_passed") else f"forced: {e.get('forced_reason') or ''}"
        rows.append({"created": (e.get("created_at") or "")[:16].replace("T", " "), "format": e.get("format"),
                     "dataset hash": (e.get("dataset_hash") or "")[:16],
                     "rows": ", ".join(f"{k} {v:,}" for k, v in (e.get("rows") or {}).items()), "gate": gate,
                     "signed by": (e.get("signer") or "-")[:23], "folder": e.get("path")})
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)
