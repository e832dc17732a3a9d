"""The demo project that ``workbench up`` loads: idempotent, on any Argilla server.

What it creates (each only when missing):

* workspace ``demo``; annotators ``ana``, ``ben`` and ``chloe`` with the demo password
  :data:`DEMO_PASSWORD` (documented in the README; demo only);
* ``medical-qa-rating-calibration-r1``: the task's calibration set (80 items) under guideline
  v1, every annotator on every item (distribution = 3), already answered by the three demo
  annotators, one of whom (``chloe``) is systematically inconsistent, so the calibration
  analytics have something to diagnose;
* ``medical-qa-rating-production``: the remaining records, pending, under the latest guideline;
* in the history store: both datasets registered as rounds 1 (calibration, v1) and 2
  (production, latest version), the expert's gold answers for the calibration items (set by
  :data:`DEMO_EXPERT`), and a sync of every response, so the dashboard has a labelled round to
  diagnose.

Records carry content-derived ids, gold is set only where missing and rounds are registered
once, so a second run creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import argilla as rg

from workbench import argilla_client, demo_data
from workbench.dataset_settings import settings_for
from workbench.tasks import find_task

DEMO_WORKSPACE = "demo"
DEMO_PASSWORD = "workbench-demo"
DEMO_ANNOTATORS = ("ana", "ben", "chloe")
DEMO_INCONSISTENT = "chloe"
DEMO_EXPERT = "dr-lee"
DEMO_TASK = "medical-qa-rating"
DEMO_SEED = 7
N_RECORDS = 320
CALIBRATION_DATASET = f"{DEMO_TASK}-calibration-r1"
PRODUCTION_DATASET = f"{DEMO_TASK}-production"


@dataclass
class DemoSummary:
    api_url: str
    users_created: list[str]
    records_logged: dict[str, int]
    responses_logged: int
    gold_set: int = 0
    responses_synced: int = 0

    def __str__(self) -> str:
        lines = [
            f"demo project in workspace {DEMO_WORKSPACE!r} at {self.api_url}",
            f"  {CALIBRATION_DATASET}: calibration round 1 (guideline v1), answered by {', '.join(DEMO_ANNOTATORS)}",
            f"  {PRODUCTION_DATASET}: production queue (latest guideline), pending",
            f"  log in to {self.api_url} as {' / '.join(DEMO_ANNOTATORS)} with password {DEMO_PASSWORD!r} (demo only)",
        ]
        created = [f"{k}: {v} records" for k, v in self.records_logged.items() if v]
        if self.gold_set:
            created.append(f"{self.gold_set} gold answers")
        if self.responses_synced:
            created.append(f"{self.responses_synced} responses synced to the history store")
        if self.users_created or created or self.responses_logged or self.responses_synced:
            lines.append(f"  created now: users {self.users_created or 'none'}; {', '.join(created) or 'no records'}; "
                         f"{self.responses_logged} responses")
        else:
            lines.append("  everything was already there: nothing created")
        return "\n".join(lines)


def _existing_ids(ds: rg.Dataset) -> set[str]:
    return {str(r.id) for r in ds.records(batch_size=500)}


def load_demo(api_url: str | None = None, api_key: str | None = None) -> DemoSummary:
    conn = argilla_client.connection(api_url, api_key)
    cl = argilla_client.client(conn)
    task = find_task(DEMO_TASK)
    guideline = task.load_guideline()

    users_created = []
    user_ids = {}
    for name in DEMO_ANNOTATORS:
        user, created = argilla_client.ensure_user(cl, name, password=DEMO_PASSWORD, workspaces=(DEMO_WORKSPACE,))
        user_ids[name] = user.id
        if created:
            users_created.append(name)

    records = demo_data.generate_records(N_RECORDS, seed=DEMO_SEED)
    calibration = demo_data.select_calibration_items(records, task.calibration.set_size, seed=DEMO_SEED)
    calibration_ids = {r.id for r in calibration}
    production = [r for r in records if r.id not in calibration_ids]

    cal_settings = settings_for(task, guideline.get(1), client=cl)
    cal_settings.distribution = rg.TaskDistribution(min_submitted=len(DEMO_ANNOTATORS))
    cal_ds, _ = argilla_client.ensure_dataset(cl, CALIBRATION_DATASET, DEMO_WORKSPACE, cal_settings)
    sim = demo_data.simulate_calibration_responses(
        calibration, annotators=DEMO_ANNOTATORS, inconsistent=DEMO_INCONSISTENT, seed=DEMO_SEED,
        round=1, guideline_version=1, include_critique=True,
    )
    have = _existing_ids(cal_ds)
    by_item = {item: rows for item, rows in sim.responses.groupby("item")}
    new_cal = []
    n_responses = 0
    for rec in calibration:
        if rec.id in have:
            continue
        responses = []
        for row in by_item.get(rec.id, []).itertuples() if rec.id in by_item else []:
            value = list(row.value) if row.question == "issues" else row.value
            if row.question == "quality":
                value = int(value)
            responses.append(rg.Response(row.question, value, user_id=user_ids[row.annotator], status="submitted"))
        n_responses += len(responses)
        new_cal.append(rg.Record(id=rec.id, fields=rec.fields, metadata=rec.metadata, responses=responses))
    if new_cal:
        cal_ds.records.log(new_cal)

    prod_settings = settings_for(task, guideline.latest, client=cl)
    prod_ds, _ = argilla_client.ensure_dataset(cl, PRODUCTION_DATASET, DEMO_WORKSPACE, prod_settings)
    have = _existing_ids(prod_ds)
    new_prod = [rg.Record(id=r.id, fields=r.fields, metadata=r.metadata) for r in production if r.id not in have]
    if new_prod:
        prod_ds.records.log(new_prod)

    gold_set, synced = _record_history(conn, task, cal_ds, prod_ds, sim.gold, latest=guideline.latest.version)
    return DemoSummary(
        api_url=conn.api_url,
        users_created=users_created,
        records_logged={CALIBRATION_DATASET: len(new_cal), PRODUCTION_DATASET: len(new_prod)},
        responses_logged=n_responses,
        gold_set=gold_set,
        responses_synced=synced,
    )


def _record_history(conn, task, cal_ds: rg.Dataset, prod_ds: rg.Dataset, gold, *, latest: int) -> tuple[int, int]:
    """Register the demo rounds, set the missing gold answers and sync; return (gold set, rows synced)."""
    from workbench.store import HistoryStore
    from workbench.sync import sync

    store = HistoryStore()
    try:
        store.record_round(task=task.name, round=1, kind="calibration", dataset=cal_ds.name, workspace=DEMO_WORKSPACE,
                           dataset_id=str(cal_ds.id), guideline_version=1)
        store.record_round(task=task.name, round=2, kind="production", dataset=prod_ds.name, workspace=DEMO_WORKSPACE,
                           dataset_id=str(prod_ds.id), guideline_version=latest)
        have = store.gold(task.name)
        known = set(zip(have["item"], have["question"])) if len(have) else set()
        n_gold = 0
        for row in gold.itertuples():
            if (row.item, row.question) in known:
                continue
            value = list(row.value) if row.question == "issues" else row.value
            store.set_gold(task=task.name, item=row.item, question=row.question, value=value, set_by=DEMO_EXPERT)
            n_gold += 1
        report = sync(conn, store, task=task.name)
        return n_gold, report.new_response_versions
    finally:
        store.close()
