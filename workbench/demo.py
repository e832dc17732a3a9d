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

A demo made by another Workbench version (say an older one, whose calibration set had 40 items)
holds records this version's demo does not have. It is left as it was made: nothing is added to
its datasets or its gold (adding this version's records would mix two demos in one round), and the
summary says so and how to get this version's demo (a fresh Workbench home). A demo missing some
of this version's records and holding no others (an interrupted first run) is completed.
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
#: Recorded on the demo's production round: the demo calibration fails its gate on purpose (chloe), and
#: a real project would open production only after a passing calibration (``workbench round create``
#: refuses otherwise); the demo opens its queue anyway so that a new user can try annotating.
DEMO_FORCED_REASON = ("demo only: production queue opened past the failing calibration gate so that a new user "
                      "can try annotating")
CALIBRATION_DATASET = f"{DEMO_TASK}-calibration-r1"
PRODUCTION_DATASET = f"{DEMO_TASK}-production"


@dataclass(frozen=True)
class OtherVersion:
    """A demo made by another Workbench version: per dataset, how many records it holds, how many of
    them this version's demo does not have, and how many this version's demo has."""

    held: dict[str, int]
    foreign: dict[str, int]
    expected: dict[str, int]

    def describe(self) -> list[str]:
        parts = [f"{name} holds {self.held[name]} records ({self.foreign[name]} not in this version's demo, "
                 f"which has {self.expected[name]})" for name in self.held if self.foreign[name]]
        return [
            "  this demo was made by another Workbench version (or changed since): " + "; ".join(parts),
            "  it is left as it was made: no records or gold added (they would mix two demos in one round)",
            "  for this version's demo, stop this server (`workbench server stop`) and run `workbench up` "
            "with a fresh WORKBENCH_HOME",
        ]


@dataclass
class DemoSummary:
    api_url: str
    users_created: list[str]
    records_logged: dict[str, int]
    responses_logged: int
    gold_set: int = 0
    responses_synced: int = 0
    workspace: str = DEMO_WORKSPACE
    other_version: OtherVersion | None = None

    def __str__(self) -> str:
        lines = [
            f"demo project in workspace {self.workspace!r} at {self.api_url}",
            f"  {CALIBRATION_DATASET}: calibration round 1 (guideline v1), answered by {', '.join(DEMO_ANNOTATORS)}",
            f"  {PRODUCTION_DATASET}: production queue (latest guideline), pending; opened past the failing "
            "calibration gate, for the demo only",
            f"  log in to {self.api_url} as {' / '.join(DEMO_ANNOTATORS)} with password {DEMO_PASSWORD!r} (demo only)",
            f"  a training-ready dataset from the demo history: workbench export {DEMO_TASK} --demo",
        ]
        if self.other_version is not None:
            lines.extend(self.other_version.describe())
        created = [f"{k}: {v} records" for k, v in self.records_logged.items() if v]
        if self.gold_set:
            created.append(f"{self.gold_set} gold answers")
        if self.responses_synced:
            created.append(f"{self.responses_synced} responses synced to the history store")
        if self.users_created or created or self.responses_logged or self.responses_synced:
            lines.append(f"  created now: users {self.users_created or 'none'}; {', '.join(created) or 'no records'}; "
                         f"{self.responses_logged} answers by the demo annotators")
        elif self.other_version is not None:
            lines.append("  nothing created")
        else:
            lines.append("  everything was already there: nothing created")
        return "\n".join(lines)


def _existing_ids(ds: rg.Dataset) -> set[str]:
    return {str(r.id) for r in ds.records(batch_size=500)}


def _other_version(cl: rg.Argilla, workspace: str, expected: dict[str, set[str]]) -> OtherVersion | None:
    """How the demo datasets already in ``workspace`` differ from this version's (``expected``: dataset
    name -> record ids), or None when they hold no record outside it (missing, complete or partial)."""
    ws = argilla_client.ensure_workspace(cl, workspace)
    held, foreign = {}, {}
    for name, ids in expected.items():
        ds = argilla_client._quiet(cl.datasets, name=name, workspace=ws)
        have = _existing_ids(ds) if ds is not None else set()
        held[name], foreign[name] = len(have), len(have - ids)
    if not any(foreign.values()):
        return None
    return OtherVersion(held=held, foreign=foreign, expected={name: len(ids) for name, ids in expected.items()})


def load_demo(api_url: str | None = None, api_key: str | None = None, *, workspace: str = DEMO_WORKSPACE) -> DemoSummary:
    """Load the demo project into ``workspace`` (each part only when missing; see the module notes)."""
    conn = argilla_client.connection(api_url, api_key)
    cl = argilla_client.client(conn)
    task = find_task(DEMO_TASK)
    guideline = task.load_guideline()

    users_created = []
    user_ids = {}
    for name in DEMO_ANNOTATORS:
        user, created = argilla_client.ensure_user(cl, name, password=DEMO_PASSWORD, workspaces=(workspace,))
        user_ids[name] = user.id
        if created:
            users_created.append(name)

    records = demo_data.generate_records(N_RECORDS, seed=DEMO_SEED)
    calibration = demo_data.select_calibration_items(records, task.calibration.set_size, seed=DEMO_SEED)
    calibration_ids = {r.id for r in calibration}
    production = [r for r in records if r.id not in calibration_ids]

    other = _other_version(cl, workspace, {CALIBRATION_DATASET: calibration_ids,
                                           PRODUCTION_DATASET: {r.id for r in production}})
    if other is not None:
        from workbench.store import HistoryStore
        from workbench.sync import sync

        store = HistoryStore()
        try:  # new answers on the rounds already registered still reach the history store
            synced = sync(conn, store, task=task.name).new_response_versions
        finally:
            store.close()
        return DemoSummary(api_url=conn.api_url, users_created=users_created,
                           records_logged={CALIBRATION_DATASET: 0, PRODUCTION_DATASET: 0}, responses_logged=0,
                           responses_synced=synced, workspace=workspace, other_version=other)

    cal_settings = settings_for(task, guideline.get(1), client=cl)
    cal_settings.distribution = rg.TaskDistribution(min_submitted=len(DEMO_ANNOTATORS))
    cal_ds, _ = argilla_client.ensure_dataset(cl, CALIBRATION_DATASET, workspace, cal_settings)
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
    prod_ds, _ = argilla_client.ensure_dataset(cl, PRODUCTION_DATASET, workspace, prod_settings)
    have = _existing_ids(prod_ds)
    new_prod = [rg.Record(id=r.id, fields=r.fields, metadata=r.metadata) for r in production if r.id not in have]
    if new_prod:
        prod_ds.records.log(new_prod)

    gold_set, synced = _record_history(conn, task, cal_ds, prod_ds, sim.gold, latest=guideline.latest.version,
                                       workspace=workspace)
    return DemoSummary(
        api_url=conn.api_url,
        users_created=users_created,
        records_logged={CALIBRATION_DATASET: len(new_cal), PRODUCTION_DATASET: len(new_prod)},
        responses_logged=n_responses,
        gold_set=gold_set,
        responses_synced=synced,
        workspace=workspace,
    )


def _record_history(conn, task, cal_ds: rg.Dataset, prod_ds: rg.Dataset, gold, *, latest: int,
                    workspace: str) -> tuple[int, int]:
    """Register the demo rounds, set the missing gold answers and sync; return (gold set, rows synced)."""
    from workbench.store import HistoryStore
    from workbench.sync import sync

    store = HistoryStore()
    try:
        store.record_round(task=task.name, round=1, kind="calibration", dataset=cal_ds.name, workspace=workspace,
                           dataset_id=str(cal_ds.id), guideline_version=1)
        store.record_round(task=task.name, round=2, kind="production", dataset=prod_ds.name, workspace=workspace,
                           dataset_id=str(prod_ds.id), guideline_version=latest,
                           forced_reason=DEMO_FORCED_REASON)
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
