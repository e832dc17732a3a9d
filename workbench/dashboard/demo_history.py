"""A demo annotation history, written into a :class:`~workbench.store.HistoryStore` like a real sync.

The dashboard reads only the history store. Before a project has synced anything, it can show
this demo history instead (clearly labelled as demo data). It is built from the demo's records
and simulated annotators (:mod:`workbench.demo_data`) and written through the store's own write
API (:meth:`~workbench.store.HistoryStore.record_round`,
:meth:`~workbench.store.HistoryStore.write_dataset_sync`,
:meth:`~workbench.store.HistoryStore.set_gold`), so every figure the dashboard shows on it goes
through exactly the code path that real data takes.

What the demo history holds (task ``medical-qa-rating``, annotators ``ana``, ``ben``, ``chloe``):

* round 1, calibration under guideline v1: the 80 calibration items (the task's ``set_size``),
  ``chloe`` systematically inconsistent (the same round ``workbench up`` loads into Argilla);
* round 2, recalibration under guideline v2: the same items, ``chloe`` retrained;
* rounds 3-6, production under v2: 60 new records each with 15 gold (calibration) items mixed
  in, every annotator on every record; ``ben`` starts deviating in round 5 (a drift to detect);
* an LLM judge (``llm-judge``) suggesting ``quality`` and ``safety`` on production records;
* the expert's gold answers for the calibration items.

``workbench up``'s demo project has a history of its own in the project's store (six weeks of
production, :mod:`workbench.demo_timeline`); this one is what the dashboard shows before anything
is synced, what ``workbench export --demo`` exports, and the dashboard tests' fixture, at fixed
dates.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import demo_data
from workbench.store import HistoryStore, RecordRow, ResponseRow, SuggestionRow

DEMO_TASK = "medical-qa-rating"
DEMO_ANNOTATORS = ("ana", "ben", "chloe")
DEMO_JUDGE = "llm-judge"
DEMO_SEED = 7
DEMO_WORKSPACE = "demo"
N_RECORDS = 320
N_CALIBRATION = 80  # calibration.set_size of tasks/medical-qa-rating.yaml, as workbench up uses it
N_PRODUCTION_ROUNDS = 4
PER_ROUND = 60
GOLD_PER_ROUND = 15
DRIFTING = "ben"
DRIFT_FROM_ROUND = 5
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)

_NS = uuid.UUID("6c1f1b8e-3c1e-4e55-9a57-1f6f2b0c9d11")


def _uid(*parts) -> str:
    return str(uuid.uuid5(_NS, "/".join(map(str, parts))))


def demo_rounds() -> list[dict]:
    """The rounds of the demo history: number, kind, guideline version, dataset name."""
    out = [
        dict(round=1, kind="calibration", guideline_version=1),
        dict(round=2, kind="recalibration", guideline_version=2),
    ]
    out += [dict(round=r, kind="production", guideline_version=2) for r in range(3, 3 + N_PRODUCTION_ROUNDS)]
    for r in out:
        r["dataset"] = f"{DEMO_TASK}-{r['kind']}-r{r['round']}"
        r["dataset_id"] = _uid("dataset", r["dataset"])
        r["created_at"] = START + dt.timedelta(weeks=r["round"] - 1) - dt.timedelta(hours=1)
    return out


def _judge_suggestions(records, round_no: int, rng: np.random.Generator) -> list[tuple]:
    """(record, question, value, score) an LLM judge proposes: close to the truth, with noise
    (:func:`workbench.demo_data.judge_suggestions`, which ``workbench up``'s demo uses too)."""
    return demo_data.judge_suggestions(records, rng)


def demo_store_path() -> Path:
    """Where the demo history lives: its own SQLite file under the Workbench home
    (``WORKBENCH_DASHBOARD_DEMO_DB`` overrides); ``workbench dashboard --demo`` and
    ``workbench export --demo`` read it."""
    from workbench import config

    return Path(os.environ.get("WORKBENCH_DASHBOARD_DEMO_DB") or config.home() / "dashboard" / "demo-history.db")


def _round_items(spec: dict, calibration: list, production: list) -> tuple[list, str | None]:
    """The records of one demo round and its inconsistent annotator."""
    n = spec["round"]
    if spec["kind"] == "calibration":
        return calibration, "chloe"
    if spec["kind"] == "recalibration":
        return calibration, None
    k = n - 3
    regular = production[k * PER_ROUND:(k + 1) * PER_ROUND]
    gold = [calibration[(k * GOLD_PER_ROUND + j) % len(calibration)] for j in range(GOLD_PER_ROUND)]
    return regular + gold, DRIFTING if n >= DRIFT_FROM_ROUND else None


def _record_rows(spec: dict, items) -> list[RecordRow]:
    end = START + dt.timedelta(weeks=spec["round"])
    return [RecordRow(record_id=_uid("record", spec["dataset"], rec.id), item=rec.id, fields=dict(rec.fields),
                      metadata=dict(rec.metadata), status="completed", updated_at=end) for rec in items]


def _backfill_records(store: HistoryStore, calibration: list, production: list) -> bool:
    """A demo store written before record content was stored gets its records' fields and metadata."""
    wrote = False
    for spec in demo_rounds():
        if store.has_record_content(spec["dataset_id"]):
            continue
        items, _ = _round_items(spec, calibration, production)
        store.write_dataset_sync(dataset_id=spec["dataset_id"], name=spec["dataset"], workspace=DEMO_WORKSPACE,
                                 responses=[], suggestions=[], watermark=START + dt.timedelta(weeks=spec["round"]),
                                 activity=(START + dt.timedelta(weeks=spec["round"])).isoformat(),
                                 records=_record_rows(spec, items))
        wrote = True
    return wrote


def fill_demo_store(store: HistoryStore) -> bool:
    """Write the demo history into ``store`` unless the demo task already has rounds there (a demo
    store from before record content was stored gets the records' fields and metadata).

    Returns True when something was written. Deterministic: the same store content every time.
    """
    records = demo_data.generate_records(N_RECORDS, seed=DEMO_SEED)
    calibration = demo_data.select_calibration_items(records, N_CALIBRATION, seed=DEMO_SEED)
    cal_ids = {r.id for r in calibration}
    production = [r for r in records if r.id not in cal_ids]
    if not store.rounds(DEMO_TASK).empty:
        return _backfill_records(store, calibration, production)
    rng = np.random.default_rng(DEMO_SEED)
    user_ids = {a: _uid("user", a) for a in DEMO_ANNOTATORS}

    for spec in demo_rounds():
        n = spec["round"]
        items, inconsistent = _round_items(spec, calibration, production)
        sim = demo_data.simulate_calibration_responses(
            items, annotators=DEMO_ANNOTATORS, inconsistent=inconsistent, seed=DEMO_SEED,
            round=n, guideline_version=spec["guideline_version"],
            start=START + dt.timedelta(weeks=n - 1),
        )
        store.record_round(task=DEMO_TASK, round=n, kind=spec["kind"], dataset=spec["dataset"],
                           workspace=DEMO_WORKSPACE, dataset_id=spec["dataset_id"],
                           guideline_version=spec["guideline_version"], created_at=spec["created_at"])
        rows = []
        for (item, annotator), grp in sim.responses.groupby(["item", "annotator"], sort=False):
            when = grp["time"].iloc[0].to_pydatetime()
            values = {}
            for q, v in zip(grp["question"], grp["value"]):
                values[q] = sorted(v) if isinstance(v, (list, tuple)) else (int(v) if q == "quality" else v)
            rows.append(ResponseRow(
                record_id=_uid("record", spec["dataset"], item), item=item, user_id=user_ids[annotator],
                annotator=annotator, response_id=_uid("response", spec["dataset"], item, annotator),
                status="submitted", values=values, inserted_at=when, updated_at=when))
        suggestions = []
        if spec["kind"] == "production":
            for rec, q, v, score in _judge_suggestions(items, n, rng):
                suggestions.append(SuggestionRow(
                    record_id=_uid("record", spec["dataset"], rec.id), item=rec.id, question=q, value=v,
                    score=score, agent=DEMO_JUDGE, type="model",
                    updated_at=spec["created_at"] + dt.timedelta(minutes=5)))
        end = START + dt.timedelta(weeks=n)
        contents = _record_rows(spec, items)
        store.write_dataset_sync(dataset_id=spec["dataset_id"], name=spec["dataset"], workspace=DEMO_WORKSPACE,
                                 responses=rows, suggestions=suggestions, watermark=end, activity=end.isoformat(),
                                 records=contents)
    gold = demo_data.simulate_calibration_responses(calibration, annotators=("x", "y"), inconsistent=None,
                                                    seed=DEMO_SEED).gold
    set_at = START - dt.timedelta(days=3)
    for row in gold.itertuples(index=False):
        value = list(row.value) if isinstance(row.value, (list, tuple)) else row.value
        store.set_gold(task=DEMO_TASK, item=row.item, question=row.question, value=value,
                       set_by="expert", kind="expert", set_at=set_at)
    return True


def demo_gold_frame() -> pd.DataFrame:
    """The expert's gold answers of the demo calibration items (``item, question, value``)."""
    records = demo_data.generate_records(N_RECORDS, seed=DEMO_SEED)
    calibration = demo_data.select_calibration_items(records, N_CALIBRATION, seed=DEMO_SEED)
    gold = demo_data.simulate_calibration_responses(calibration, annotators=("x", "y"), inconsistent=None,
                                                    seed=DEMO_SEED).gold
    return gold[["item", "question", "value"]]
