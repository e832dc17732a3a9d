"""The demo project that ``workbench up`` loads: idempotent, with weeks of simulated work behind it.

What it creates (each only when missing), in workspace ``medical-qa-rating`` (each task is a
workspace of the same name, as ``workbench round create`` and ``workbench users sync`` expect):

* annotators ``ana``, ``ben`` and ``chloe`` with the demo password :data:`DEMO_PASSWORD`
  (documented in the README; demo only);
* round 1, ``medical-qa-rating-calibration-r1``: the task's calibration set (80 items) under
  guideline v1, every annotator on every item, ``chloe`` systematically inconsistent, so the
  calibration analytics have something to diagnose and the gate fails;
* round 2, ``medical-qa-rating-production-r2``: production under v1, three weeks of it, answered;
* round 3, ``medical-qa-rating-production-r3``: production under v2 (published in week 4), three
  weeks answered, ``ben`` drifting from week 5, and records still pending for a visitor to try;
  both production rounds opened past the failing gate (:data:`DEMO_FORCED_REASON`), with gold
  items mixed in and an LLM judge's suggestions on every record;
* in the history store: the three rounds, the task-wide guideline publications (v1, then v2 in
  week 4), the expert's gold (:data:`DEMO_EXPERT`) on the calibration set and on held-out
  production items, and a sync of every response.

The weeks (:mod:`workbench.demo_timeline`) end the day before the demo was first loaded (the day
its calibration dataset was created in Argilla, so a later run finds the same days). Argilla
stamps every answer with the time it is written; on Workbench's embedded server the simulated
answers are then given their simulated times in the server's own database
(:mod:`workbench.server.backdate`) before the sync, so Argilla's UI, the history store, the
dashboard and the export agree. On another Argilla server that cannot be done: the demo then loads
the calibration round and leaves the production rounds unanswered, and says so.

Records carry content-derived ids, gold is set only where missing, rounds and publications are
recorded once and times are set only on rows the demo has just written, so a second run creates
nothing and moves no time; a run that was interrupted is completed by the next one.

A demo made by another Workbench version (an older one kept its demo in workspace ``demo``, or
had a calibration set of 40 items) is left as it was made: nothing is added to its datasets, its
rounds or its gold (that would mix two demos in one history), and the summary says so and how to
get this version's demo (a fresh Workbench home).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import argilla as rg

from workbench import argilla_client, demo_data, demo_timeline
from workbench.dataset_settings import settings_for
from workbench.rounds import dataset_name, task_key
from workbench.tasks import find_task

DEMO_TASK = demo_data.DEMO_TASK
DEMO_WORKSPACE = DEMO_TASK  # a task's rounds live in the workspace named after it
DEMO_PASSWORD = "workbench-demo"
DEMO_ANNOTATORS = ("ana", "ben", "chloe")
DEMO_INCONSISTENT = "chloe"
DEMO_DRIFTING = demo_timeline.DRIFTING
DEMO_EXPERT = "dr-lee"
DEMO_JUDGE = "llm-judge"
DEMO_SEED = demo_data.DEMO_SEED
N_RECORDS = demo_data.N_RECORDS
#: Recorded on the demo's production rounds: the demo calibration fails its gate on purpose (chloe), and
#: a real project would open production only after a passing calibration (``workbench round create``
#: refuses otherwise); the demo opens its queue anyway so that a new user can try annotating.
DEMO_FORCED_REASON = ("demo only: production queue opened past the failing calibration gate so that a new user "
                      "can try annotating")
CALIBRATION_DATASET = dataset_name(DEMO_TASK, "calibration", 1)
PRODUCTION_V1_DATASET = dataset_name(DEMO_TASK, "production", 2)
PRODUCTION_DATASET = dataset_name(DEMO_TASK, "production", 3)  # the open production queue
DEMO_DATASETS = (CALIBRATION_DATASET, PRODUCTION_V1_DATASET, PRODUCTION_DATASET)


@dataclass(frozen=True)
class OtherVersion:
    """A demo made by another Workbench version: per dataset, how many records it holds, how many of
    them this version's demo does not have, and how many this version's demo has; and the rounds of
    the history store that this version's demo would not have made."""

    held: dict[str, int]
    foreign: dict[str, int]
    expected: dict[str, int]
    rounds: tuple = ()

    def describe(self) -> list[str]:
        parts = [f"{name} holds {self.held[name]} records ({self.foreign[name]} not in this version's demo, "
                 f"which has {self.expected[name]})" for name in self.held if self.foreign[name]]
        parts += list(self.rounds)
        return [
            "  this demo was made by another Workbench version (or changed since): " + "; ".join(parts),
            "  it is left as it was made: no records, rounds or gold added (they would mix two demos in one history)",
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
    timeline: demo_timeline.DemoTimeline | None = field(default=None, repr=False)
    simulated: bool = True  # the production weeks were answered (embedded server: times set in its database)
    times_set: int = 0  # rows of Argilla's database given their simulated time by this run

    def _rounds(self) -> list[str]:
        tl = self.timeline
        lines = [f"  {CALIBRATION_DATASET}: calibration round 1 (guideline v1), answered by "
                 f"{', '.join(DEMO_ANNOTATORS)}; its gate fails ({DEMO_INCONSISTENT})"]
        if tl is None:
            return lines
        r2, r3 = tl.round(2), tl.round(3)
        if self.simulated:
            answered = len({i for i, _ in tl.response_times(3)})
            lines += [
                f"  {r2.dataset}: production round 2 (guideline v{r2.guideline_version}), weeks "
                f"{r2.weeks[0]}-{r2.weeks[-1]}: {len(r2.records)} records ({len(r2.gold)} gold), answered",
                f"  {r3.dataset}: production round 3 (guideline v{r3.guideline_version}, published in week "
                f"{r3.weeks[0]}), weeks {r3.weeks[0]}-{r3.weeks[-1]}: {answered} of {len(r3.records)} records answered "
                f"({DEMO_DRIFTING} drifts from week {demo_timeline.DRIFT_WEEK}), {len(r3.records) - answered} pending "
                "for you to try",
            ]
        else:
            lines += [f"  {r2.dataset}, {r3.dataset}: production rounds 2 (guideline v{r2.guideline_version}) and 3 "
                      f"(v{r3.guideline_version}), pending"]
        lines.append("  both production rounds were opened past the failing calibration gate, for the demo only")
        return lines

    def __str__(self) -> str:
        lines = [f"demo project {DEMO_TASK} in workspace {self.workspace!r} at {self.api_url}"]
        tl = self.timeline
        if tl is not None and self.simulated:
            lines.append(f"  {demo_timeline.HISTORY_WEEKS} weeks of simulated work, {tl.start:%Y-%m-%d} to "
                         f"{tl.end:%Y-%m-%d}, with gold mixed into production, guideline v2 partway and a drifting "
                         "annotator")
        elif tl is not None:
            lines.append(f"  no simulated weeks of work: {self.api_url} is not Workbench's embedded server, whose "
                         "database the demo gives its simulated answers' times to; the production rounds are left "
                         "unanswered (run `workbench up` for the demo with its history)")
        lines += self._rounds()
        lines += [
            f"  log in to {self.api_url} as {' / '.join(DEMO_ANNOTATORS)} with password {DEMO_PASSWORD!r} (demo only)",
            f"  a training-ready dataset from the demo history: workbench export {DEMO_TASK} --demo",
        ]
        if self.other_version is not None:
            lines.extend(self.other_version.describe())
        created = [f"{k}: {v} records" for k, v in self.records_logged.items() if v]
        if self.gold_set:
            created.append(f"{self.gold_set} gold answers")
        if self.times_set:
            created.append(f"{self.times_set} rows given their simulated times")
        if self.responses_synced:
            created.append(f"{self.responses_synced} responses synced to the history store")
        if self.users_created or created or self.responses_logged:
            lines.append(f"  created now: users {self.users_created or 'none'}; {', '.join(created) or 'no records'}; "
                         f"{self.responses_logged} answers by the demo annotators")
        elif self.other_version is not None:
            lines.append("  nothing created")
        else:
            lines.append("  everything was already there: nothing created")
        return "\n".join(lines)


def _existing_ids(ds: rg.Dataset) -> set[str]:
    return {str(r.id) for r in ds.records(batch_size=500)}


def _other_version(cl: rg.Argilla, store, workspace: str, task: str,
                   timeline: demo_timeline.DemoTimeline) -> tuple[OtherVersion | None, dict[str, set[str]]]:
    """How the demo already in ``workspace`` and in ``store`` differs from this version's (None when
    it holds nothing this version's demo would not have made: missing, complete or partial), and the
    record ids each demo dataset already holds.

    Argilla: a demo dataset holding records outside this version's. The store: a round of the task
    numbered as one of the demo's whose dataset or workspace differs, or whose dataset is not (or no
    longer) the one in Argilla. Rounds numbered after the demo's are the user's own and are fine."""
    ws = argilla_client.ensure_workspace(cl, workspace)
    held, foreign, ids, records = {}, {}, {}, {}
    for rnd in timeline.rounds:
        ds = argilla_client.quiet(cl.datasets, name=rnd.dataset, workspace=ws)
        have = records[rnd.dataset] = _existing_ids(ds) if ds is not None else set()
        held[rnd.dataset], foreign[rnd.dataset] = len(have), len(have - rnd.ids)
        ids[rnd.dataset] = str(ds.id) if ds is not None else None
    planned = {rnd.number: rnd.dataset for rnd in timeline.rounds}
    odd = []
    for row in store.rounds(task).itertuples(index=False):
        number = int(row.round)
        if number not in planned and row.dataset not in ids:
            continue
        if planned.get(number) != row.dataset or row.workspace != workspace:
            odd.append(f"the history store's round {number} is {row.dataset} in workspace {row.workspace!r}")
        elif ids[row.dataset] != str(row.dataset_id):
            odd.append(f"the history store's round {number} ({row.dataset}) is another dataset than the one in Argilla")
    if not any(foreign.values()) and not odd:
        return None, records
    return OtherVersion(held=held, foreign=foreign, expected={r.dataset: len(r.records) for r in timeline.rounds},
                        rounds=tuple(odd)), records


def _plan(anchor_day: dt.date, calibration, production, task, guideline) -> demo_timeline.DemoTimeline:
    return demo_timeline.plan(anchor_day, calibration, production, task=task.name, annotators=DEMO_ANNOTATORS,
                              inconsistent=DEMO_INCONSISTENT, seed=DEMO_SEED, latest_version=guideline.latest.version)


def load_demo(api_url: str | None = None, api_key: str | None = None, *,
              workspace: str = DEMO_WORKSPACE) -> DemoSummary:
    """Load the demo project into ``workspace`` (each part only when missing; see the module notes)."""
    from workbench.server import backdate
    from workbench.store import HistoryStore, to_utc
    from workbench.sync import sync

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
    # which records go where does not depend on the days; the days come from Argilla below
    timeline = _plan(dt.datetime.now(dt.timezone.utc).date(), calibration, production, task, guideline)
    nothing = {rnd.dataset: 0 for rnd in timeline.rounds}

    store = HistoryStore()
    try:
        other, have = _other_version(cl, store, workspace, task.name, timeline)
        if other is not None:  # new answers on the rounds already registered still reach the history store
            synced = sync(conn, store, task=task.name).new_response_versions
            return DemoSummary(api_url=conn.api_url, users_created=users_created, records_logged=nothing,
                               responses_logged=0, responses_synced=synced, workspace=workspace, other_version=other)

        datasets = _ensure_datasets(cl, task, guideline, workspace, timeline)
        anchor = to_utc(datasets[CALIBRATION_DATASET].inserted_at)  # when the demo was first loaded
        assert anchor is not None  # a dataset read back from Argilla has its creation time
        if anchor.date() != timeline.anchor_day:
            timeline = _plan(anchor.date(), calibration, production, task, guideline)
        db_url = backdate.embedded_database_url(conn.api_url)
        logged, n_responses = _log_records(datasets, have, timeline, user_ids, answer_production=db_url is not None)
        moved = backdate.set_times(db_url, _times(datasets, timeline), since=anchor).total if db_url else 0
        gold_set = _record_history(store, task, datasets, timeline, workspace)
        # rows given their times after an earlier sync read them: read everything (only changes are written)
        synced = sync(conn, store, task=task.name, full=moved > 0).new_response_versions
    finally:
        store.close()
    return DemoSummary(
        api_url=conn.api_url, users_created=users_created, records_logged=logged, responses_logged=n_responses,
        gold_set=gold_set, responses_synced=synced, workspace=workspace, timeline=timeline,
        simulated=db_url is not None, times_set=moved,
    )


def _ensure_datasets(cl, task, guideline, workspace: str, timeline) -> dict[str, rg.Dataset]:
    """The demo's datasets (created when missing): calibration under v1 with every annotator on every
    record; each production round under the version it was created with, at the task's overlap."""
    out = {}
    for rnd in timeline.rounds:
        settings = settings_for(task, guideline.get(rnd.guideline_version), client=cl)
        if rnd.kind == "calibration":
            settings.distribution = rg.TaskDistribution(min_submitted=len(DEMO_ANNOTATORS))
        out[rnd.dataset], _ = argilla_client.ensure_dataset(cl, rnd.dataset, workspace, settings)
    return out


def _value(question: str, value):
    if question == "issues":
        return list(value)
    if question == "quality":
        return int(value)
    return value


def _log_records(datasets: dict, have: dict, timeline, user_ids: dict, *,
                 answer_production: bool) -> tuple[dict[str, int], int]:
    """Log each round's records missing from ``have`` (dataset -> record ids it holds) with their
    simulated answers (production rounds only when ``answer_production``) and the LLM judge's
    suggestions; return (records logged per dataset, answers logged)."""
    answers = {n: {item: rows for item, rows in grp.groupby("item", sort=False)}
               for n, grp in timeline.responses.groupby("round", sort=False)}
    suggestions: dict[tuple[int, str], list] = {}
    for number, rec, question, value, score in timeline.suggestions:
        suggestions.setdefault((number, rec.id), []).append(
            rg.Suggestion(question, value, score=score, agent=DEMO_JUDGE, type="model"))
    logged, n_responses = {}, 0
    for rnd in timeline.rounds:
        ds, held = datasets[rnd.dataset], have.get(rnd.dataset, set())
        mine = answers.get(rnd.number, {}) if (rnd.kind == "calibration" or answer_production) else {}
        new = []
        for rec in rnd.records:
            if rec.id in held:
                continue
            rows = mine.get(rec.id)
            responses = [] if rows is None else [
                rg.Response(q, _value(q, v), user_id=user_ids[a], status="submitted")
                for a, q, v in zip(rows["annotator"], rows["question"], rows["value"])]
            n_responses += len(responses)
            new.append(rg.Record(id=rec.id, fields=rec.fields, metadata=rec.metadata, responses=responses,
                                 suggestions=suggestions.get((rnd.number, rec.id), [])))
        if new:
            ds.records.log(new)
        logged[rnd.dataset] = len(new)
    return logged, n_responses


def _times(datasets: dict, timeline) -> list:
    """What :func:`workbench.server.backdate.set_times` gives each demo dataset's rows."""
    from workbench.server.backdate import DatasetTimes

    out = []
    for rnd in timeline.rounds:
        out.append(DatasetTimes(
            dataset_id=str(datasets[rnd.dataset].id), records=timeline.record_times(rnd.number),
            responses=timeline.response_times(rnd.number),
            suggestions_at=timeline.suggestion_time(rnd.number) if rnd.kind == "production" else None))
    return out


def _record_history(store, task, datasets: dict, timeline, workspace: str) -> int:
    """Record the demo's guideline publications and rounds at their planned times and set the gold
    answers that are missing; return how many gold answers were set."""
    for version, when in timeline.publications:
        store.record_guideline_publication(task=task.name, dataset_id=task_key(task.name), version=version,
                                           published_at=when)
    for rnd in timeline.rounds:
        store.record_round(task=task.name, round=rnd.number, kind=rnd.kind, dataset=rnd.dataset, workspace=workspace,
                           dataset_id=str(datasets[rnd.dataset].id), guideline_version=rnd.guideline_version,
                           created_at=rnd.created_at,
                           forced_reason=DEMO_FORCED_REASON if rnd.kind == "production" else None)
    have = store.gold(task.name)
    known = set(zip(have["item"], have["question"])) if len(have) else set()
    n_gold = 0
    for set_at, grp in timeline.gold.groupby("set_at", sort=True):
        rows = [dict(item=r.item, question=r.question, value=_value(r.question, r.value), set_by=DEMO_EXPERT)
                for r in grp.itertuples(index=False) if (r.item, r.question) not in known]
        if rows:
            n_gold += store.set_gold_many(task.name, rows, set_at=set_at)
    return n_gold
