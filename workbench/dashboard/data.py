"""Where the dashboard gets its numbers: the history store, through the analytics core.

Every figure on every page comes from one of the ``*_view`` functions here. Each takes a
:class:`Source` (which history store) and returns a plain dataclass of tables and reports; none
draws anything. The functions ``cached_*`` wrap them in ``st.cache_data`` keyed on the store's
:func:`store_version`, a cheap watermark (row counts of the append-only tables and the time of
the last sync), so nothing is read or recomputed unless the data changed.

Access rules are applied here too, not only in the pages (the rules themselves are
:func:`workbench.dashboard.auth.may_see_annotator` and :class:`workbench.dashboard.auth.Scope`):
:func:`annotator_view` refuses to build one annotator's figures for another annotator,
:func:`redact_calibration` / :func:`redact_overview` strip per-person figures from what an
annotator is shown, and the cached entry points take the viewer's scope (Argilla workspaces) and
neither list nor serve a task outside it.

Demo data
---------
Before a project has synced anything the dashboard can show the demo history
(:mod:`workbench.dashboard.demo_history`), written into its own SQLite store under the Workbench
home through the store's write API; the pages then read it exactly like real data.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import sqlalchemy as sa
import streamlit as st

from workbench import store as store_mod
from workbench.analytics import (
    agreement_by_version,
    agreement_series,
    alpha_with_interval,
    question_report,
    shift_vs_own_past,
    shift_vs_team,
    team_observations,
    to_reliability_data,
)
from workbench.analytics.diagnosis import Thresholds as DiagnosisThresholds
from workbench.analytics.drift import (BAR_COLUMNS, _value_codes, against_bar, hashable, open_alarms, pooled_bar,
                                      shift_vs_own_past_counts, shift_vs_team_counts, team_votes)
from workbench.analytics.drift import gold_table as _gold_table
from workbench.analytics.drift import labels_table as _labels_table
from workbench.analytics.drift import monitor_gold as _monitor
from workbench.analytics.reliability import reliability_data_from_codes
from workbench.dashboard.auth import Scope, User, may_see_annotator
from workbench.errors import BadInput, WorkbenchError
from workbench.store import HistoryStore

#: Levels the analytics core computes alpha for (ranking and span questions are not covered yet).
REPORT_LEVELS = ("nominal", "ordinal", "interval", "ratio", "jaccard", "masi")
CALIBRATION_KINDS = ("calibration", "recalibration")

#: The bootstrap behind every interval of Krippendorff's alpha the dashboard shows (the Calibration
#: page's per round, the Guidelines page's per guideline version): ``alpha_with_interval`` with
#: these resamples, this coverage and this seed, everywhere. The same answers therefore get the
#: same interval on every page (the demo's round 1 is guideline v1: one computation, one figure).
ALPHA_N_BOOT = 1000
ALPHA_CI = 0.95
ALPHA_SEED = 0


def rounds_label(rounds) -> str:
    """Round numbers as the pages write them: ``"round 1"``, ``"rounds 2-6"``, ``"rounds 1, 3-4"``
    (empty for none)."""
    nums = sorted({int(r) for r in rounds if not pd.isna(r)})
    if not nums:
        return ""
    runs, start = [], nums[0]
    for a, b in zip(nums, nums[1:] + [None]):
        if b is None or b != a + 1:
            runs.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ("round " if len(nums) == 1 else "rounds ") + ", ".join(runs)


# --------------------------------------------------------------------------------------------
# Sources and the watermark
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One history store the dashboard reads. ``demo`` marks the demo history."""

    url: str
    demo: bool = False

    @property
    def label(self) -> str:
        if self.demo:
            return "demo data (simulated, not your project)"
        try:
            return sa.engine.make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001
            return "history store"


def project_source() -> Source:
    """The project's history store (``WORKBENCH_STORE_URL``, else ``history.db`` under the home)."""
    return Source(store_mod.default_url())


def demo_source() -> Source:
    """The demo history, in its own SQLite store under the Workbench home (filled on first use)."""
    from workbench.dashboard.demo_history import demo_store_path

    return Source(f"sqlite:///{demo_store_path()}", demo=True)


@st.cache_resource(show_spinner=False)
def _store(url: str, demo: bool) -> HistoryStore:
    s = HistoryStore(url)
    if demo:
        from workbench.dashboard.demo_history import fill_demo_store

        fill_demo_store(s)
    return s


def get_store(source: Source) -> HistoryStore:
    return _store(source.url, source.demo)


def store_version(store: HistoryStore) -> str:
    """A cheap watermark of the store's content: changes whenever anything is appended.

    Responses, suggestions, gold, rounds and guideline publications are append-only, so their
    row counts change with every write; ``sync_state`` adds the time of the last sync and
    ``datasets`` a renamed dataset. One SQL round trip. On SQLite the two big tables are measured
    by their largest rowid instead of a count (rows are never deleted, so it grows with every
    insert; a count walks a whole index: ~0.2 s at a million responses, the max ~1 ms).
    """
    t = store_mod

    def size(table):
        if store.engine.dialect.name == "sqlite":
            return sa.select(sa.func.max(sa.literal_column("rowid"))).select_from(table).scalar_subquery()
        return sa.select(sa.func.count()).select_from(table).scalar_subquery()

    cols = [
        size(t.response_versions_t),
        size(t.suggestion_versions_t),
        sa.select(sa.func.count()).select_from(t.gold_t).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.rounds_t).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.publications_t).scalar_subquery(),
        sa.select(sa.func.max(t.sync_state_t.c.last_sync_at)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.datasets_t).scalar_subquery(),
    ]
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(*cols)).one()
    return "|".join("" if v is None else str(v) for v in row)


@st.cache_data(ttl=2, show_spinner=False)
def cached_version(url: str, demo: bool) -> str:
    """:func:`store_version`, re-read at most every 2 seconds per process."""
    return store_version(_store(url, demo))


def source_version(source: Source) -> str:
    return cached_version(source.url, source.demo)


def store_is_empty(source: Source) -> bool:
    return get_store(source).rounds().empty


# --------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------


def _tasks_signature() -> str:
    from workbench.tasks import project_dir

    root = project_dir()
    files = sorted([*root.glob("tasks/*.y*ml"), *root.glob("guidelines/*/*.md")])
    return ";".join(f"{f}:{f.stat().st_mtime_ns}" for f in files)


@st.cache_resource(show_spinner=False)
def _tasks(signature: str) -> tuple[dict, str]:
    from workbench.tasks import load_tasks, project_dir

    try:
        return load_tasks(project_dir() / "tasks"), ""
    except WorkbenchError as exc:
        return {}, str(exc)


def project_tasks() -> tuple[dict, str]:
    """``(name -> Task, problem)``: the project's task files (reloaded when a file changes)."""
    return _tasks(_tasks_signature())


def question_order(q) -> list | None:
    """The label order the analytics need for an ordinal label question (None otherwise)."""
    if q.kind == "label" and q.level == "ordinal":
        return list(q.categories)
    return None


def report_questions(task) -> list:
    """Questions of ``task`` the analytics report on."""
    return [q for q in task.questions if q.level in REPORT_LEVELS]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def label_text(value) -> str:
    """An answer as text: ``("a", "b")`` -> ``"a+b"``."""
    if isinstance(value, (list, tuple, frozenset, set)):
        return "+".join(map(str, value)) or "(none)"
    return str(value)


def read_dataset(store: HistoryStore, row: dict) -> pd.DataFrame:
    """The submitted answers of one round (``row`` from :func:`round_row`): ``store.tidy`` for that
    task and round (latest version of each response, status submitted), plus the Argilla
    ``record_id``. ``tidy`` applies the filters before it looks up latest versions, so a round
    costs in proportion to its own size, not to the store's."""
    return store.tidy(task=row["task"], round=int(row["round"]), extra_columns=("record_id",))


def read_task(store: HistoryStore, task: str) -> pd.DataFrame:
    """Every round of ``task``, as :func:`read_dataset` reads one."""
    rounds = store.rounds(task)
    parts = [read_dataset(store, r) for r in rounds.to_dict("records")]
    if not parts:
        return pd.DataFrame(columns=list(store_mod.TIDY_COLUMNS) + ["record_id"])
    return pd.concat(parts, ignore_index=True)


def round_row(store: HistoryStore, task: str, round_no: int) -> dict | None:
    r = store.rounds(task)
    r = r[r["round"] == int(round_no)]
    return None if r.empty else r.iloc[0].to_dict()


# --------------------------------------------------------------------------------------------
# Overview
# --------------------------------------------------------------------------------------------


@dataclass
class TaskOverview:
    task: str
    title: str
    known: bool
    rounds: pd.DataFrame
    gate: object | None
    gate_round: dict | None
    responses: int
    items: int
    annotators: int
    guideline_in_force: int | None
    guideline_latest: int | None
    alarms: pd.DataFrame
    note: str = ""


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


def _volumes(store: HistoryStore) -> pd.DataFrame:
    """Per dataset: submitted responses (latest version), items and annotators, with one query
    over the store's table of latest versions."""
    lt = store_mod.response_latest_t
    q = sa.select(
        lt.c.dataset_id, sa.func.count().label("responses"), sa.func.count(sa.distinct(lt.c.record_id)).label("items"),
        sa.func.count(sa.distinct(lt.c.user_id)).label("annotators"),
    ).where(lt.c.status == "submitted").group_by(lt.c.dataset_id)
    with store.engine.connect() as conn:
        res = conn.execute(q)
        return pd.DataFrame(res.all(), columns=["dataset_id", "responses", "items", "annotators"])


def _task_totals(store: HistoryStore, dataset_ids) -> tuple[int, int, int]:
    """(responses, items, annotators) of a task's datasets: latest versions, status submitted; one query."""
    lt = store_mod.response_latest_t
    q = sa.select(sa.func.count(), sa.func.count(sa.distinct(lt.c.item)), sa.func.count(sa.distinct(lt.c.annotator))) \
        .where(lt.c.dataset_id.in_([str(d) for d in dataset_ids]), lt.c.status == "submitted")
    with store.engine.connect() as conn:
        n, items, annotators = conn.execute(q).one()
    return int(n), int(items), int(annotators)


def overview_view(source: Source) -> list[TaskOverview]:
    """Every task with its rounds, gate, volume, open alarms and guideline version in force."""
    from workbench.gate import evaluate_gate

    store = get_store(source)
    tasks, _ = project_tasks()
    rounds = store.rounds()
    if rounds.empty:
        return []
    vols = _volumes(store)
    rounds = rounds.merge(vols, on="dataset_id", how="left")
    for c in ("responses", "items", "annotators"):
        rounds[c] = rounds[c].fillna(0).astype(int)
    out = []
    for name, rs in rounds.groupby("task", sort=True):
        task = tasks.get(name)
        rs = rs.sort_values("round").reset_index(drop=True)
        cal = rs[rs["kind"].isin(CALIBRATION_KINDS)]
        gate = gate_round = None
        note = ""
        if task is None:
            note = f"no task file for {name!r} in the project's tasks/ folder: gate and reports need it"
        elif not cal.empty:
            gate_round = cal.iloc[-1].to_dict()
            responses = read_dataset(store, gate_round)
            gate = evaluate_gate(task, responses, store.gold(name), round_number=int(gate_round["round"]),
                                 dataset=gate_round["dataset"], kind=gate_round["kind"], n_boot=0)
        n_responses, n_items, n_annotators = _task_totals(store, rs["dataset_id"])
        gold = _gold_table(store.gold(name))
        # the alarms need only the answers on gold items: read those, not the task's whole history
        labels = _labels_table(store.tidy(task=name, gold_items_only=True)) if len(gold) else pd.DataFrame()
        obs, chart = _monitor(labels, gold, bar=pooled_bar(task.calibration.min_gold_agreements()) if task else None)
        alarms = open_alarms(chart, obs)
        latest_written = None
        if task is not None:
            try:
                latest_written = task.load_guideline().latest.version
            except WorkbenchError:
                latest_written = None
        out.append(TaskOverview(
            task=name, title=task.title if task else name, known=task is not None,
            rounds=rs[["round", "kind", "dataset", "guideline_version", "created_at", "responses", "items",
                       "annotators", "forced_reason", "dataset_id"]],
            gate=gate, gate_round=gate_round, responses=n_responses, items=n_items, annotators=n_annotators,
            guideline_in_force=int(rs["guideline_version"].iloc[-1]) if len(rs) else None,
            guideline_latest=latest_written, alarms=alarms, note=note,
        ))
    return out


def redact_gate(gate, username: str):
    """A gate result as annotator ``username`` may see it: the team-level checks (each question's
    alpha, missing gold) and her own agreement with gold; nothing about any other annotator - no
    name, no per-person reason, no count of those below the gold bar.

    (Each failed per-person check is one reason, so even anonymised they would tell how many
    others failed and on which question; they are left out, not reworded.)
    """
    if gate is None:
        return None
    names = {a.annotator for a in gate.annotators} | {d for q in gate.questions for d in q.deviating}
    names.discard(username)
    others_reasons = {a.reason for a in gate.annotators if a.reason and a.annotator != username}
    reasons = []
    for r in gate.reasons:
        if r in others_reasons or any(r.startswith(f"{n}:") for n in names):
            continue
        reasons.append(_scrub(r, names))
    return replace(
        gate,
        annotators=tuple(a for a in gate.annotators if a.annotator == username),
        questions=tuple(replace(q, deviating=tuple(d for d in q.deviating if d == username), explanation="",
                                reason=_scrub(q.reason, names)) for q in gate.questions),
        reasons=tuple(reasons),
    )


def _scrub(text: str, names) -> str:
    """``text`` with each of ``names`` (as a whole word) replaced by "an annotator"."""
    for n in sorted((n for n in names if n), key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(n)}(?![\w-])", "an annotator", text)
    return text


def redact_overview(views: list[TaskOverview], username: str) -> list[TaskOverview]:
    """What an annotator may see of the overview: no other person's name or figure."""
    return [replace(v, gate=redact_gate(v.gate, username),
                    alarms=v.alarms[v.alarms["annotator"] == username].reset_index(drop=True)) for v in views]


# --------------------------------------------------------------------------------------------
# Calibration round
# --------------------------------------------------------------------------------------------


@dataclass
class QuestionView:
    name: str
    title: str
    level: str
    alpha_reliable: float
    alpha_tentative: float
    min_gold_agreement: float
    report: object | None
    n_gold: int = 0
    error: str = ""


@dataclass
class CalibrationView:
    task: str
    round: dict
    n_responses: int
    n_items: int
    annotators: tuple
    questions: list
    gate: object | None
    record_ids: dict = field(default_factory=dict)
    guideline_versions: tuple = ()
    redacted_for: str | None = None


def question_views(task, tidy: pd.DataFrame, gold: pd.DataFrame, *, n_boot: int = ALPHA_N_BOOT) -> list[QuestionView]:
    """Each agreement question's report (alpha, coefficients, breakdowns, diagnosis) for one round.

    ``tidy`` has ``item, annotator, question, value`` (one round's latest submitted answers);
    ``gold`` has ``item, question, value`` (may be empty). Thresholds come from the task's
    calibration policy. This is what the Calibration page shows, per question.
    """
    questions = []
    for q in task.questions:
        if not q.has_agreement:
            continue
        th = task.calibration.for_question(q.name)
        qv = QuestionView(q.name, q.title, q.level, th.alpha_reliable, th.alpha_tentative, th.min_gold_agreement, None)
        rows = tidy[tidy["question"] == q.name][["item", "annotator", "value"]]
        qgold = gold[gold["question"] == q.name][["item", "value"]] if len(gold) else None
        qv.n_gold = 0 if qgold is None else int(qgold["item"].isin(rows["item"]).sum())
        if q.level not in REPORT_LEVELS:
            qv.error = f"agreement at level {q.level!r} is not computed by the analytics core yet"
        elif rows.empty:
            qv.error = "no submitted answers to this question in this round"
        else:
            try:
                qv.report = question_report(
                    rows, level=q.level, order=question_order(q), gold=qgold if qv.n_gold else None,
                    question=q.name, n_boot=n_boot, ci=ALPHA_CI, seed=ALPHA_SEED,
                    thresholds=DiagnosisThresholds(reliable=th.alpha_reliable, tentative=th.alpha_tentative))
            except BadInput as exc:
                qv.error = str(exc)
        questions.append(qv)
    return questions


def calibration_view(source: Source, task_name: str, round_no: int, *, n_boot: int = ALPHA_N_BOOT) -> CalibrationView:
    """Per question alpha with its interval, the other coefficients, breakdowns and diagnosis of one round."""
    from workbench.gate import evaluate_gate

    store = get_store(source)
    tasks, problem = project_tasks()
    task = tasks.get(task_name)
    if task is None:
        raise BadInput(f"task {task_name!r}: no task file in the project's tasks/ folder{': ' + problem if problem else ''}")
    row = round_row(store, task_name, round_no)
    if row is None:
        raise BadInput(f"task {task_name!r} has no round {round_no}")
    tidy = read_dataset(store, row)
    gold = store.gold(task_name)
    versions = tuple(sorted({int(v) for v in tidy["guideline_version"].dropna()})) if len(tidy) else ()
    questions = question_views(task, tidy, gold, n_boot=n_boot)
    gate = None
    if row["kind"] in CALIBRATION_KINDS:
        gate = evaluate_gate(task, tidy, gold, round_number=int(row["round"]), dataset=row["dataset"],
                             kind=row["kind"], n_boot=0)
    record_ids = dict(zip(tidy["item"], tidy["record_id"])) if len(tidy) else {}
    return CalibrationView(
        task=task_name, round=row, n_responses=int(len(tidy[["item", "annotator"]].drop_duplicates())),
        n_items=int(tidy["item"].nunique()), annotators=tuple(sorted(tidy["annotator"].unique())),
        questions=questions, gate=gate, record_ids=record_ids, guideline_versions=versions,
    )


def redact_calibration(view: CalibrationView, username: str) -> CalibrationView:
    """An annotator's view of a round: team figures, their own row, nobody else's figures or name,
    nor how many others the diagnosis or the gate single out."""
    questions = []
    for qv in view.questions:
        rep = qv.report
        if rep is not None:
            diag = rep.diagnosis
            flagged_self = username in diag.deviating
            text = f"Verdict: {diag.verdict.title}."
            if flagged_self:  # (how many others it flags is theirs to know, not hers)
                text += " You are among the annotators it flags as deviating from the team."
            if diag.ambiguous_items and diag.verdict.value == "undetermined":
                text += (f" {len(diag.ambiguous_items)} item(s) are disputed in a way the data cannot attribute to the "
                         "guideline or to one reading of it; gold or another annotator on them would settle it.")
            elif diag.ambiguous_items:
                text += f" {len(diag.ambiguous_items)} item(s) split the team beyond what annotator noise explains."
            diag = replace(diag, explanation=text, deviating=tuple(d for d in diag.deviating if d == username),
                           evidence={k: v for k, v in diag.evidence.items() if k in ("disputed_items", "confused_pairs")})
            ann = rep.annotators[rep.annotators["annotator"] == username].reset_index(drop=True)
            rep = replace(rep, annotators=ann, pairwise=None, raters={}, rater_alpha={}, diagnosis=diag,
                          gold_confusion=None)
        questions.append(replace(qv, report=rep))
    return replace(view, questions=questions, gate=redact_gate(view.gate, username), annotators=(),
                   redacted_for=username)


# --------------------------------------------------------------------------------------------
# Annotator and drift
# --------------------------------------------------------------------------------------------


@dataclass
class TaskHistory:
    """A task's whole history prepared for the drift functions (computed once per store version).

    ``team_obs`` (each answer against the other annotators' majority) and ``labels_text`` (answers
    as text) are computed on first use and kept: only the Annotator and Drift views need them.
    """

    labels: pd.DataFrame
    gold: pd.DataFrame
    gold_obs: pd.DataFrame | None
    chart: object | None
    rounds: pd.DataFrame
    annotators: tuple
    _team: object = field(default=None, repr=False)
    _texts: object = field(default=None, repr=False)
    _codes: object = field(default=None, repr=False)
    _team_rows: object = field(default=None, repr=False)
    _text_codes: object = field(default=None, repr=False)

    @property
    def team_obs(self) -> pd.DataFrame | None:
        if self._team is None:
            team = False
            if len(self.labels):
                try:
                    team = team_observations(self.labels, within=("round",))
                except BadInput:
                    team = False
            self._team = team
        return None if self._team is False else self._team

    def team_obs_of(self, annotator: str) -> pd.DataFrame | None:
        """``team_obs[team_obs["annotator"] == annotator]`` (the same rows, order and index, tested),
        without building the table for every annotator: the team answers are computed once for
        all judgements on the history's integer codes, and only this annotator's rows are made."""
        c = self.codes
        if c is None:
            t = self.team_obs
            return None if t is None else t[t["annotator"] == annotator]
        arrays = self._team_arrays()
        if arrays is None:
            return None
        team_value, n_others, agrees = arrays
        try:
            code = c.annotators.index(annotator)
        except ValueError:
            code = -1
        mine = np.flatnonzero(c.annotator == code) if code >= 0 else np.zeros(0, dtype=np.int64)
        mine = mine[np.argsort(c.time[mine].view("int64"), kind="stable")]  # by time, ties in table order
        offset = int(np.count_nonzero(c.annotator < code)) if code >= 0 else 0  # the rows of those sorted before
        out = self.labels[list(TEAM_COLUMNS)].take(mine)
        out.index = pd.RangeIndex(offset, offset + len(mine))
        out["team_value"] = team_value[mine]
        out["n_others"] = n_others[mine]
        out["agrees_team"] = agrees[mine]
        return out

    def _team_arrays(self):
        """(team value, other annotators, agrees) per labels row, on the codes; None where
        :func:`team_observations` refuses the table."""
        if self._team_rows is None:
            labels, c = self.labels, self.codes
            self._team_rows = False
            if len(labels) and not labels["value"].isna().any() and not labels["time"].isna().any():
                rnd, _ = pd.factorize(labels["round"])
                group = (c.item * len(c.questions) + c.question) * (int(rnd.max()) + 1) + rnd
                group, _ = pd.factorize(group)  # (dense group numbers: small count tables)
                v, qcodes, offsets, uniques, n_vals = _value_codes(labels["value"], labels["question"])
                team_code, n_others = team_votes(group, c.annotator, v, max(n_vals), min_others=2)
                has = team_code >= 0
                team_value = np.full(len(labels), None, dtype=object)
                team_value[has] = uniques[offsets[qcodes[has]] + team_code[has]]
                agrees = np.where(has, (v == team_code).astype(float), np.nan)
                self._team_rows = (team_value, n_others, agrees)
        return self._team_rows or None

    @property
    def codes(self) -> "HistoryCodes | None":
        """The labels' ids as integers (computed on first use and kept), None when the ids do not
        sort (mixed types): the views then take the slower way over the names."""
        if self._codes is None:
            self._codes = history_codes(self.labels) or False
        return self._codes or None

    @property
    def labels_text(self) -> pd.DataFrame:
        if self._texts is None:
            if len(self.labels):
                codes, texts = label_text_codes(self.labels["value"])
                self._text_codes = (codes, texts)
                out = self.labels.copy(deep=False)
                out["value"] = pd.Series(texts[codes], index=out.index, dtype=object)
                self._texts = out
            else:
                self._texts = self.labels
        return self._texts

    @property
    def text_codes(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(codes, texts)``: the answers as text, ``texts[codes]``, per labels row (codes numbered
        in order of first appearance); None for an empty history."""
        self.labels_text
        return self._text_codes

    def texts(self) -> pd.DataFrame:
        return self.labels_text


#: The columns of :func:`team_observations`' table before its team columns.
TEAM_COLUMNS = ("annotator", "time", "guideline_version", "round", "item", "question", "value")

#: The columns of a task's history the dashboard works with (the drift functions' labels table).
HISTORY_LABEL_COLUMNS = ("item", "annotator", "question", "value", "time", "round", "guideline_version")


@dataclass(frozen=True)
class HistoryCodes:
    """A task's labels table with its ids factorised once: ``item[k]`` is row ``k``'s position in
    ``items`` (sorted), likewise ``annotator`` / ``annotators`` and ``question`` / ``questions``;
    ``time`` the row's time (``datetime64[ns]``, UTC), ``version`` its guideline version."""

    item: np.ndarray
    items: tuple
    annotator: np.ndarray
    annotators: tuple
    question: np.ndarray
    questions: tuple
    time: np.ndarray
    version: np.ndarray


def _sorted_codes(series: pd.Series):
    """``pd.factorize(series, sort=True)`` for ids of one plain kind (texts or whole numbers),
    codes as int64 and the ids as a tuple; TypeError for a missing id or ids of mixed kinds (their
    sorted order restricted to a subset need not be that subset's sorted order)."""
    codes, uniques = pd.factorize(series)
    if (codes < 0).any():
        raise TypeError("missing id")
    kind = pd.api.types.infer_dtype(uniques, skipna=False)
    if kind not in ("string", "integer", "empty"):
        raise TypeError("ids of mixed kinds")
    values = np.asarray(uniques)
    if (kind == "string" and len(values) * max(map(len, values), default=0) <= 25_000_000  # (<= 100 MB as UCS-4)
            and not any("\x00" in u for u in values)):
        # numpy sorts fixed-width text in C, in code point order as Python compares str
        # (only a trailing NUL would be lost: such ids take pandas' way)
        order = np.argsort(values.astype(str), kind="stable")
    elif kind == "integer":
        order = np.argsort(values, kind="stable")
    else:
        codes, uniques = pd.factorize(series, sort=True)
        return codes.astype(np.int64), tuple(uniques.tolist())
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], tuple(values[order].tolist())


def history_codes(labels: pd.DataFrame) -> HistoryCodes | None:
    """:class:`HistoryCodes` of a labels table (:func:`_labels_table`); None when an id column has
    a missing value or ids of mixed kinds, or a time or version is missing or not of its type (the
    views then work on the names, as before)."""
    if not pd.api.types.is_datetime64_any_dtype(labels["time"]) or labels["time"].isna().any():
        return None
    if not pd.api.types.is_integer_dtype(labels["guideline_version"]) or labels["guideline_version"].isna().any():
        return None
    try:
        item, items = _sorted_codes(labels["item"])
        ann, annotators = _sorted_codes(labels["annotator"])
        q, questions = _sorted_codes(labels["question"])
        version = labels["guideline_version"].to_numpy(dtype=np.int64)
    except (TypeError, ValueError):
        return None
    return HistoryCodes(item=item, items=items, annotator=ann, annotators=annotators, question=q, questions=questions,
                        time=labels["time"].values, version=version)


def read_task_labels(store: HistoryStore, task_name: str, questions=None, columns=None) -> pd.DataFrame:
    """The task's answers as :func:`read_task` gives them (rounds in the store's round order, each
    as :func:`read_dataset` orders it) without ``record_id``, only for ``questions`` (None: all)
    and only ``columns`` (None: every tidy column).

    One ``tidy`` call per round (that round's dataset), concatenated in the store's round order:
    the rows come out in the right order with no re-sorting, and only the columns asked for are
    read and converted."""
    rounds = store.rounds(task_name)
    parts = [store.tidy(task=task_name, round=int(r), dataset=d, question=questions, columns=columns)
             for r, d in zip(rounds["round"], rounds["dataset_id"])]
    parts = [p for p in parts if len(p)] or parts[:1]
    if not parts:
        return store.tidy(task=task_name, question=questions, columns=columns)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def label_text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, texts)`` with ``texts[codes]`` equal to ``values.map(label_text)``: each distinct
    value's text computed once, distinct texts numbered in order of first appearance (values that
    read the same, such as 1 and "1", share a code)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = np.array([label_text(u) for u in uniques], dtype=object)
    if not len(texts):
        return codes.astype(np.int64), texts
    tcodes, tuniques = pd.factorize(texts)
    return tcodes.astype(np.int64)[codes], np.asarray(tuniques, dtype=object)


def label_texts(values: pd.Series) -> pd.Series:
    """``values.map(label_text)``, computed once per distinct value (values must be hashable)."""
    codes, texts = label_text_codes(values)
    return pd.Series(texts[codes] if len(codes) else np.array([], dtype=object), index=values.index, dtype=object)


def with_label_texts(labels: pd.DataFrame) -> pd.DataFrame:
    if not len(labels):
        return labels
    out = labels.copy(deep=False)  # (a new frame sharing the other columns: no deep copy)
    out["value"] = label_texts(labels["value"])
    return out


def _counts_table(keys, value_codes: np.ndarray, value_names, value_name: str = "value") -> pd.DataFrame:
    """``df.groupby([*names, value_name], sort=False).size().unstack(value_name, fill_value=0)`` on
    integer codes: ``keys`` is ``[(name, codes, names_of_codes), ...]``. As pandas builds it, the
    rows are the key combinations that occur, ordered by each key's order of first appearance,
    and the columns the values in order of first appearance (tested against pandas)."""
    def ranked(codes, names):
        first = pd.unique(codes)  # the codes in order of first appearance
        lookup = np.zeros(int(first.max()) + 1, dtype=np.int64)
        lookup[first] = np.arange(len(first))
        return lookup[codes], pd.Index([names[k] for k in first], dtype=object)

    ranks, levels = [], []
    for _, codes, names in keys:
        r, level = ranked(codes, names)
        ranks.append(r)
        levels.append(level)
    v_rank, columns = ranked(value_codes, value_names)
    sizes = [len(level) for level in levels]
    row = np.ravel_multi_index(ranks, sizes)
    n_rows, n_values = int(np.prod(sizes)), len(columns)
    counts = np.bincount(row * n_values + v_rank, minlength=n_rows * n_values).reshape(n_rows, n_values)
    used = np.flatnonzero(np.bincount(row, minlength=n_rows))
    index = pd.MultiIndex(levels=levels, codes=list(np.unravel_index(used, sizes)), names=[k[0] for k in keys])
    return pd.DataFrame(counts[used], index=index, columns=columns.rename(value_name))


def _question_rows(history: TaskHistory, question: str | None) -> np.ndarray | None:
    """Rows of ``question`` (None: every row) on the codes."""
    c = history.codes
    if question is None:
        return np.arange(len(c.item))
    if question not in c.questions:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(c.question == c.questions.index(question))


def _n_annotators(history: TaskHistory, question: str | None = None) -> int:
    """``labels["annotator"].nunique()`` (of one question's rows, or all), on the codes when there are."""
    labels, c = history.labels, history.codes
    if c is None:
        lab = labels if question is None else labels[labels["question"] == question]
        return int(lab["annotator"].nunique())
    rows = _question_rows(history, question)
    return int(np.count_nonzero(np.bincount(c.annotator[rows], minlength=len(c.annotators))))


def shift_team(history: TaskHistory, question: str | None = None) -> pd.DataFrame:
    """``shift_vs_team`` of the history's answers as text (one question, or all): the same table
    (tested), counted on the integer codes instead of grouping two million texts."""
    texts = history.texts()
    c = history.codes
    rows = _question_rows(history, question) if c is not None else None
    if c is None or not len(rows):
        return shift_vs_team(texts if question is None else texts[texts["question"] == question])
    tcodes, tnames = history.text_codes
    own = _counts_table([("annotator", c.annotator[rows], c.annotators), ("question", c.question[rows], c.questions)],
                        tcodes[rows], tnames)
    return shift_vs_team_counts(own)


def shift_own_past(history: TaskHistory, versions: tuple, question: str | None = None) -> pd.DataFrame:
    """``shift_vs_own_past(..., versions=versions)`` of the history's answers as text (one
    question, or all): the same table (tested), counted on the integer codes."""
    texts = history.texts()
    c = history.codes
    rows = _question_rows(history, question) if c is not None else None
    old, new = versions
    if c is not None and len(rows):
        ver = c.version[rows]
        if not ((ver == old).any() and (ver == new).any()):
            rows = None  # (the core names the missing version)
        else:
            rows = rows[(ver == old) | (ver == new)]
    if c is None or rows is None or not len(rows):
        return shift_vs_own_past(texts if question is None else texts[texts["question"] == question],
                                 versions=versions)
    tcodes, tnames = history.text_codes
    side = np.where(c.version[rows] == old, 0, 1)
    counts = _counts_table([("annotator", c.annotator[rows], c.annotators),
                            ("question", c.question[rows], c.questions), ("_side", side, ("before", "after"))],
                           tcodes[rows], tnames)
    return shift_vs_own_past_counts(counts)


def task_history(source: Source, task_name: str) -> TaskHistory:
    store = get_store(source)
    task = project_tasks()[0].get(task_name)
    # free-text and other questions without an agreement level are left out
    questions = [q.name for q in report_questions(task)] if task is not None else None
    tidy = read_task_labels(store, task_name, questions, columns=HISTORY_LABEL_COLUMNS)
    labels = _labels_table(tidy)
    gold = _gold_table(store.gold(task_name))
    obs, chart = _monitor(labels, gold, bar=pooled_bar(_bars(task_name)))
    return TaskHistory(labels=labels, gold=gold, gold_obs=obs, chart=chart, rounds=store.rounds(task_name),
                       annotators=tuple(sorted(labels["annotator"].unique())))


@dataclass
class TaskMeta:
    """What the pages need of a task's history besides the views: selector options and counts."""

    annotators: tuple
    questions: tuple
    n_items: dict  # question -> items with an answer
    n_gold_items: int  # items with an answer compared with gold
    rounds: str = ""  # the rounds with an answer (rounds_label)


def task_meta(history: TaskHistory) -> TaskMeta:
    labels, c = history.labels, history.codes
    n_items = {}
    if len(labels) and c is not None:  # (the same counts on the codes)
        n_items = {str(q): int(np.count_nonzero(np.bincount(c.item[c.question == k], minlength=len(c.items))))
                   for k, q in enumerate(c.questions)}
    elif len(labels):
        n_items = {str(q): int(n) for q, n in labels.groupby("question", sort=True)["item"].nunique().items()}
    n_gold = int(history.gold_obs["item"].nunique()) if history.gold_obs is not None else 0
    rounds = rounds_label(pd.unique(labels["round"].to_numpy())) if len(labels) else ""
    return TaskMeta(annotators=history.annotators, questions=tuple(n_items), n_items=n_items, n_gold_items=n_gold,
                    rounds=rounds)


def version_changes(rounds: pd.DataFrame) -> pd.DataFrame:
    """When a new guideline version came into force: the first round created under it."""
    if rounds.empty:
        return pd.DataFrame(columns=["guideline_version", "time", "round"])
    r = rounds.sort_values("created_at")
    first = r.drop_duplicates("guideline_version")
    return first.iloc[1:][["guideline_version", "created_at", "round"]].rename(columns={"created_at": "time"}) \
        .reset_index(drop=True)


#: At most this many points of one annotator's control chart are drawn (see :func:`thin_chart_points`).
CHART_POINTS = 1500


def thin_chart_points(points: pd.DataFrame, max_points: int = CHART_POINTS) -> tuple[pd.DataFrame, str]:
    """The monitored points of a control chart, thinned to what a chart can show, and a note saying so.

    Per annotator with more than ``max_points`` monitored points, the points are cut into
    ``max_points // 2`` consecutive buckets and each bucket keeps its first point and its highest
    statistic; every alarm point and the annotator's last point are kept too. A chart of 20,000
    points per annotator is not readable, and drawing it costs seconds. The note is empty when
    nothing was left out. Baseline points (not drawn) are dropped.
    """
    mon = points[points["phase"] == "monitor"] if len(points) else points
    if mon.empty:
        return mon.reset_index(drop=True), ""
    parts, thinned = [], []
    for ann, grp in mon.groupby("annotator", sort=True):
        if len(grp) <= max_points:
            parts.append(grp)
            continue
        n = len(grp)
        bucket = np.arange(n) * max(1, max_points // 2) // n
        stat = grp["statistic"].to_numpy(dtype=float)
        keep = np.zeros(n, dtype=bool)
        keep[np.unique(bucket, return_index=True)[1]] = True
        order = np.lexsort((-np.nan_to_num(stat, nan=-np.inf), bucket))  # per bucket, highest first
        keep[order[np.unique(bucket[order], return_index=True)[1]]] = True
        keep |= grp["alarm"].to_numpy(dtype=bool)
        keep[-1] = True
        parts.append(grp[keep])
        thinned.append(f"{ann} ({int(keep.sum()):,} of {n:,})")
    out = pd.concat(parts).sort_index().reset_index(drop=True)
    note = ""
    if thinned:
        note = ("points thinned for drawing: per stretch of consecutive answers the first and the highest, and every "
                "alarm, are shown - " + ", ".join(thinned))
    return out, note


@dataclass(frozen=True)
class ChartSample:
    """What a gold-agreement control chart draws (its monitored points): ``n_answers`` gold answers
    on ``n_items`` distinct gold items from ``rounds`` (:func:`rounds_label`) by ``n_annotators``
    annotators, after each annotator's baseline window of at most ``n_baseline`` gold answers
    (not drawn). Every page that describes a chart (Drift, Annotator) says exactly this."""

    n_answers: int = 0
    n_items: int = 0
    rounds: str = ""
    n_annotators: int = 0
    n_baseline: int = 0


def chart_sample(chart, obs: pd.DataFrame | None, annotator: str | None = None) -> ChartSample:
    """:class:`ChartSample` of ``chart`` (computed on ``obs``, :func:`gold_observations`), for every
    annotator or one."""
    if chart is None or obs is None:
        return ChartSample()
    pts, summ = chart.points, chart.summary
    if annotator is not None:
        pts = pts[pts["annotator"] == annotator]
        summ = summ[summ["annotator"] == annotator]
    mon = pts[pts["phase"] == "monitor"]
    n_base = int(summ["n_baseline"].max()) if len(summ) else 0
    if mon.empty:
        return ChartSample(n_baseline=n_base)
    rounds = mon[["annotator", "seq"]].merge(obs[["annotator", "seq", "round"]], on=["annotator", "seq"], how="left")
    return ChartSample(n_answers=int(len(mon)), n_items=int(mon["item"].nunique()),
                       rounds=rounds_label(rounds["round"].dropna().unique()),
                       n_annotators=int(mon["annotator"].nunique()), n_baseline=n_base)


@dataclass
class AnnotatorView:
    annotator: str
    n_judgements: int
    n_items: int
    gold_series: pd.DataFrame
    team_series: pd.DataFrame
    team_gold_series: pd.DataFrame
    distribution: pd.DataFrame
    shift: pd.DataFrame
    chart_points: pd.DataFrame
    chart_summary: pd.DataFrame
    alarms: pd.DataFrame
    differed: pd.DataFrame
    version_changes: pd.DataFrame
    n_team_annotators: int
    n_chart_items: int = 0
    chart_note: str = ""
    n_items_by_question: dict = field(default_factory=dict)
    n_gold_items: int = 0
    chart_sample: ChartSample = field(default_factory=ChartSample)  # what the CUSUM chart draws
    # what the agreement-over-time chart rests on: the annotator's gold items and the items where
    # the others gave a team answer, and the rounds of both
    n_series_gold_items: int = 0
    n_series_team_items: int = 0
    series_rounds: str = ""
    rounds: str = ""  # the rounds of the task's answers (the label distributions rest on them)


def _distribution_rows(rows: list, q, annotator, texts, own, rest) -> None:
    """The distribution rows of one question: ``own`` / ``rest`` map each text to its count."""
    own_sum, rest_sum = sum(own.values()), sum(rest.values())
    for v in sorted(set(own) | set(rest)):
        rows.append(dict(question=q, value=v, who=annotator, n=int(own.get(v, 0)), share=float(own.get(v, 0) / own_sum)))
        if rest_sum:
            rows.append(dict(question=q, value=v, who="team (others)", n=int(rest.get(v, 0)),
                             share=float(rest.get(v, 0) / rest_sum)))


def label_distribution(history: TaskHistory, annotator: str) -> pd.DataFrame:
    """Per question, the share of each answer (as text) for ``annotator`` and for the others."""
    texts, c = history.texts(), history.codes
    rows = []
    if c is None or not len(texts):
        for q, grp in texts.groupby("question", sort=True):
            own = grp[grp["annotator"] == annotator]["value"].value_counts()
            rest = grp[grp["annotator"] != annotator]["value"].value_counts()
            if own.sum() == 0:
                continue
            _distribution_rows(rows, q, annotator, texts, own.to_dict(), rest.to_dict())
    else:  # the same counts on the codes (tested)
        tcodes, tnames = history.text_codes
        is_me = c.annotator == (c.annotators.index(annotator) if annotator in c.annotators else -1)
        for k, q in enumerate(c.questions):
            in_q = c.question == k
            own = np.bincount(tcodes[in_q & is_me], minlength=len(tnames))
            if not own.any():
                continue
            rest = np.bincount(tcodes[in_q & ~is_me], minlength=len(tnames))
            _distribution_rows(rows, q, annotator, texts, {tnames[i]: own[i] for i in np.flatnonzero(own)},
                               {tnames[i]: rest[i] for i in np.flatnonzero(rest)})
    return pd.DataFrame(rows, columns=["question", "value", "who", "n", "share"])


def _agreement_series(obs: pd.DataFrame, *, column: str = "correct", freq: str = "W") -> pd.DataFrame:
    """:func:`agreement_series`, with a weekly period dated by its first day (Monday): pandas dates a
    week by its last day (Sunday), which lies ahead until the week is over, so the current week's
    point would sit in the future."""
    out = agreement_series(obs, column=column, freq=freq)
    if freq in ("W", "W-SUN") and len(out):
        out = out.assign(period=out["period"] - pd.Timedelta(days=6))
    return out


def annotator_view(history: TaskHistory, annotator: str, *, viewer_name: str, viewer_role: str,
                   freq: str = "W") -> AnnotatorView:
    """One annotator's agreement with the team and gold over time, labels vs team, alarms, misses.

    Raises
    ------
    PermissionError
        When the viewer is an annotator asking for someone else.
    """
    if not may_see_annotator(User(viewer_name, viewer_role), annotator):
        raise PermissionError(f"{viewer_name!r} may see only their own figures, not {annotator!r}'s")
    labels, c = history.labels, history.codes
    if c is None:
        mine = labels[labels["annotator"] == annotator]
        n_mine, n_mine_items = len(mine), int(mine["item"].nunique())
    else:
        is_me = c.annotator == (c.annotators.index(annotator) if annotator in c.annotators else -1)
        n_mine = int(np.count_nonzero(is_me))
        n_mine_items = int(np.count_nonzero(np.bincount(c.item[is_me], minlength=len(c.items))))
    empty_series = pd.DataFrame(columns=["annotator", "period", "guideline_version", "n", "rate", "se", "version_change"])
    gold_series = team_gold = empty_series
    differed = pd.DataFrame(columns=["time", "round", "item", "question", "value", "gold"])
    if history.gold_obs is not None:
        g = history.gold_obs
        mg = g[g["annotator"] == annotator]
        if len(mg):
            gold_series = _agreement_series(mg, freq=freq)
            differed = mg.loc[~mg["correct"], ["time", "round", "guideline_version", "item", "question", "value", "gold"]]
            differed = differed.sort_values("time", ascending=False).reset_index(drop=True)
        others = g[g["annotator"] != annotator]
        if len(others):
            team_gold = _agreement_series(others.assign(annotator="team (others)"), freq=freq)
    team_series = empty_series
    t = history.team_obs_of(annotator)
    series_rounds, n_series_gold, n_series_team = [], 0, 0
    if history.gold_obs is not None and len(gold_series):
        n_series_gold = int(mg["item"].nunique())
        series_rounds += list(pd.unique(mg["round"]))
        if len(others):
            series_rounds += list(pd.unique(others["round"]))
    if t is not None:
        if t["agrees_team"].notna().any():
            team_series = _agreement_series(t, column="agrees_team", freq=freq)
            shared = t[t["agrees_team"].notna()]
            n_series_team = int(shared["item"].nunique())
            series_rounds += list(pd.unique(shared["round"]))
    distribution = label_distribution(history, annotator)
    shift = pd.DataFrame()
    n_team = _n_annotators(history)
    if n_mine and n_team > 1:
        try:
            sv = shift_team(history)
            shift = sv[sv["annotator"] == annotator].reset_index(drop=True)
        except BadInput:
            shift = pd.DataFrame()
    pts = summ = pd.DataFrame()
    alarms = pd.DataFrame(columns=["annotator", "round", "first_alarm_time", "n_alarms"])
    n_chart_items, chart_note = 0, ""
    sample = chart_sample(history.chart, history.gold_obs, annotator)
    if history.chart is not None:
        pts = history.chart.points[history.chart.points["annotator"] == annotator].reset_index(drop=True)
        n_chart_items = sample.n_items
        pts, chart_note = thin_chart_points(pts)
        summ = history.chart.summary[history.chart.summary["annotator"] == annotator].reset_index(drop=True)
        al = open_alarms(history.chart, history.gold_obs)
        alarms = al[al["annotator"] == annotator].reset_index(drop=True)
    meta = task_meta(history)
    return AnnotatorView(
        annotator=annotator, n_judgements=n_mine, n_items=n_mine_items,
        gold_series=gold_series, team_series=team_series, team_gold_series=team_gold,
        distribution=distribution, shift=shift, chart_points=pts, chart_summary=summ, alarms=alarms,
        differed=differed, version_changes=version_changes(history.rounds),
        n_team_annotators=n_team, n_chart_items=n_chart_items, chart_note=chart_note,
        n_items_by_question=meta.n_items, n_gold_items=meta.n_gold_items, chart_sample=sample,
        n_series_gold_items=n_series_gold, n_series_team_items=n_series_team, series_rounds=rounds_label(series_rounds),
        rounds=meta.rounds,
    )


@dataclass
class DriftView:
    question: str | None
    points: pd.DataFrame
    summary: pd.DataFrame
    alarms: pd.DataFrame
    version_changes: pd.DataFrame
    shift_versions: pd.DataFrame
    shift_team: pd.DataFrame
    versions_compared: tuple | None
    n_items: int
    n_annotators: int
    note: str = ""
    chart_note: str = ""  # how the drawn points were thinned (empty: all drawn)
    against_bar: pd.DataFrame = field(default_factory=pd.DataFrame)  # each annotator vs the task's bar
    sample: ChartSample = field(default_factory=ChartSample)  # what the chart draws (n_items, n_annotators: its)


def _bars(task_name: str | None) -> dict:
    """Question -> the task's minimum gold agreement (the gate's bar), for the questions it gates."""
    if task_name is None:
        return {}
    task = project_tasks()[0].get(task_name)
    return task.calibration.min_gold_agreements() if task is not None else {}


def drift_view(source: Source, history: TaskHistory, question: str | None = None,
               task: str | None = None) -> DriftView:
    """Control charts per annotator (pooled questions or one), each annotator against the task's
    bar, version changes, label shift tests."""
    labels, gold = history.labels, history.gold
    if question is None:
        obs, chart = history.gold_obs, history.chart
    else:
        obs, chart = _monitor(labels, gold, question, bar=_bars(task).get(question))
    note = ""
    if chart is None:
        note = ("no judgement falls on a gold item yet: set the expert's gold answers "
                "(`workbench gold set` / `workbench gold import`) and keep gold items in production rounds")
    lab = labels if question is None else labels[labels["question"] == question]
    texts = history.texts()
    lab_text = texts if question is None else texts[texts["question"] == question]
    versions = sorted(v for v in lab["guideline_version"].unique() if v >= 0) if len(lab) else []
    shift_v, compared = pd.DataFrame(), None
    if len(versions) >= 2:
        compared = (int(versions[-2]), int(versions[-1]))
        try:
            shift_v = shift_own_past(history, compared, question)
        except BadInput:
            shift_v = pd.DataFrame()
    shift_t = pd.DataFrame()
    if len(lab_text) and _n_annotators(history, question) > 1:
        try:
            shift_t = shift_team(history, question)
        except BadInput:
            shift_t = pd.DataFrame()
    points, chart_note = thin_chart_points(chart.points) if chart is not None else (pd.DataFrame(), "")
    sample = chart_sample(chart, obs)
    return DriftView(
        question=question, chart_note=chart_note,
        points=points,
        summary=chart.summary if chart is not None else pd.DataFrame(),
        alarms=open_alarms(chart, obs) if chart is not None else pd.DataFrame(),
        version_changes=version_changes(history.rounds), shift_versions=shift_v, shift_team=shift_t,
        versions_compared=compared, n_items=sample.n_items, n_annotators=sample.n_annotators, note=note,
        against_bar=_against_bar(history.gold_obs, question, _bars(task)), sample=sample,
    )


def _against_bar(obs: pd.DataFrame | None, question: str | None, bars: dict) -> pd.DataFrame:
    if obs is None or not bars:
        return pd.DataFrame(columns=list(BAR_COLUMNS))
    if question is not None:
        obs = obs[obs["question"] == question]
    return against_bar(obs, bars)


# --------------------------------------------------------------------------------------------
# Guidelines
# --------------------------------------------------------------------------------------------


BY_VERSION_COLUMNS = ["guideline_version", "question", "n_items", "rounds", "n_annotators", "alpha", "low", "high",
                      "note"]


def _alpha_record(ver, qname, q, n_items, rounds, n_annotators, make_rd, n_boot) -> dict:
    """One row of the per-version table: alpha with the dashboard's one bootstrap (:data:`ALPHA_N_BOOT`,
    :data:`ALPHA_SEED`: the Calibration page's, so a version run in one round shows that round's
    figures); ``rounds`` the rounds the answers it rests on come from (:func:`rounds_label`)."""
    rec = dict(guideline_version=int(ver), question=qname, n_items=int(n_items), rounds=rounds_label(rounds),
               n_annotators=int(n_annotators), alpha=None, low=None, high=None, note="")
    try:
        res = alpha_with_interval(make_rd(), q.level, n_boot=n_boot, ci=ALPHA_CI, seed=ALPHA_SEED)
        rec.update(alpha=res.alpha, low=res.low, high=res.high)
    except BadInput as exc:
        rec["note"] = str(exc)
    return rec


def alphas_by_version_slow(labels: pd.DataFrame, qs: dict, *, n_boot: int = ALPHA_N_BOOT) -> pd.DataFrame:
    """Per guideline version and question: the team's alpha over each annotator's latest answer
    per item, with its bootstrap interval, the items and the rounds those answers come from (the
    reference for :func:`alphas_by_version`)."""
    rows = []
    for (ver, qname), grp in labels.groupby(["guideline_version", "question"], sort=True):
        q = qs.get(qname)
        if q is None:
            continue
        one = grp.sort_values("time").drop_duplicates(["item", "annotator"], keep="last")
        rows.append(_alpha_record(
            ver, qname, q, one["item"].nunique(), one["round"].unique(), one["annotator"].nunique(),
            lambda: to_reliability_data(one[["item", "annotator", "value"]], order=question_order(q)), n_boot))
    return pd.DataFrame(rows, columns=BY_VERSION_COLUMNS)


def alphas_by_version(history: TaskHistory, qs: dict, *, n_boot: int = ALPHA_N_BOOT) -> pd.DataFrame:
    """:func:`alphas_by_version_slow` on the history's integer codes (the same table, tested): the
    groups and each annotator's latest answer per item are found with numpy on integers, and the
    reliability data is built from the codes, without pandas grouping, sorting or factorising the
    names of 400,000 answers per version."""
    labels, c = history.labels, history.codes
    if c is None or not len(labels):
        return alphas_by_version_slow(labels, qs, n_boot=n_boot)
    values = labels["value"].to_numpy()
    round_of = labels["round"].to_numpy()
    versions = np.unique(c.version)
    n_ann, n_items = len(c.annotators), len(c.items)
    rows = []
    for ver in versions:  # (groupby's order: versions, then questions, ascending)
        in_version = c.version == ver
        for qcode, qname in enumerate(c.questions):
            q = qs.get(qname)
            if q is None:
                continue
            idx = np.flatnonzero(in_version & (c.question == qcode))  # the group's rows, in table order
            if not len(idx):
                continue
            key = c.item[idx] * n_ann + c.annotator[idx]
            if np.bincount(key, minlength=n_items * n_ann).max() > 1:
                # sort_values("time") (numpy's quicksort on the datetime64 values, as pandas does:
                # the same order of equal times) and keep the last row of each (item, annotator).
                # (Without repeats the order of the rows does not matter: alpha is built from cells.)
                idx = idx[np.argsort(c.time[idx], kind="quicksort")]
                _, last_rev = np.unique((c.item[idx] * n_ann + c.annotator[idx])[::-1], return_index=True)
                idx = idx[np.sort(len(idx) - 1 - last_rev)]
            one = idx
            rows.append(_alpha_record(
                ver, qname, q, np.count_nonzero(np.bincount(c.item[one], minlength=n_items)), pd.unique(round_of[one]),
                np.count_nonzero(np.bincount(c.annotator[one], minlength=n_ann)),
                lambda: reliability_data_from_codes(c.item[one], c.items, c.annotator[one], c.annotators,
                                                    values[one], order=question_order(q)), n_boot))
    return pd.DataFrame(rows, columns=BY_VERSION_COLUMNS)


@dataclass
class GuidelinesView:
    versions: list
    by_version: pd.DataFrame
    gold_by_version: pd.DataFrame
    problem: str = ""
    n_items: int = 0  # distinct items the per-version alphas rest on (all versions and questions together)
    rounds: str = ""  # the rounds they come from (rounds_label)
    n_annotators: int = 0


GOLD_BY_VERSION_COLUMNS = ["question", "guideline_version", "n_answers", "n_items", "rounds", "n_annotators",
                           "gold_accuracy", "se", "mae", "first_time", "last_time"]


def gold_by_version(g: pd.DataFrame | None) -> pd.DataFrame:
    """The team's agreement with gold per question and guideline version: ``n_answers`` answers on
    ``n_items`` gold items by ``n_annotators`` annotators, from ``rounds``."""
    if g is None or not len(g):
        return pd.DataFrame(columns=GOLD_BY_VERSION_COLUMNS)
    out = agreement_by_version(g.assign(annotator=g["question"]))
    out = out.rename(columns={"annotator": "question", "rate": "gold_accuracy", "n": "n_answers"})
    d = g[g["correct"].notna()]
    per = d.groupby(["question", "guideline_version"], sort=False).agg(
        n_items=("item", "nunique"), n_annotators=("annotator", "nunique"),
        rounds=("round", lambda r: rounds_label(r.unique()))).reset_index()
    out = out.merge(per, on=["question", "guideline_version"], how="left")
    return out[[c for c in GOLD_BY_VERSION_COLUMNS if c in out.columns]]


def guidelines_view(source: Source, task_name: str, history: TaskHistory, *,
                    n_boot: int = ALPHA_N_BOOT) -> GuidelinesView:
    """Guideline versions and, per version and question, the team's alpha (with the same bootstrap
    as the Calibration page) and gold agreement, each with the items and rounds it rests on."""
    tasks, problem = project_tasks()
    task = tasks.get(task_name)
    versions = []
    if task is None:
        problem = problem or f"no task file for {task_name!r}"
    else:
        try:
            versions = list(task.load_guideline().versions)
        except WorkbenchError as exc:
            problem = str(exc)
    qs = {q.name: q for q in report_questions(task)} if task is not None else {}
    by_version = alphas_by_version(history, qs, n_boot=n_boot)
    gold_by = gold_by_version(history.gold_obs) if history.gold_obs is not None else pd.DataFrame()
    n_items, rounds, n_ann = _sample_of_questions(history, [q for q in qs if q in set(by_version["question"])])
    return GuidelinesView(versions=versions, by_version=by_version, gold_by_version=gold_by, problem=problem,
                          n_items=n_items, rounds=rounds, n_annotators=n_ann)


def _sample_of_questions(history: TaskHistory, questions) -> tuple[int, str, int]:
    """(distinct items, rounds label, annotators) of the history's answers to ``questions``."""
    labels, c = history.labels, history.codes
    if not len(labels) or not len(questions):
        return 0, "", 0
    if c is not None:
        qcodes = [c.questions.index(q) for q in questions if q in c.questions]
        mask = np.isin(c.question, qcodes)
        n_items = int(np.count_nonzero(np.bincount(c.item[mask], minlength=len(c.items))))
        n_ann = int(np.count_nonzero(np.bincount(c.annotator[mask], minlength=len(c.annotators))))
        return n_items, rounds_label(pd.unique(labels["round"].to_numpy()[mask])), n_ann
    lab = labels[labels["question"].isin(list(questions))]
    return int(lab["item"].nunique()), rounds_label(lab["round"].unique()), int(lab["annotator"].nunique())


# --------------------------------------------------------------------------------------------
# Judges
# --------------------------------------------------------------------------------------------


@dataclass
class JudgeQuestion:
    question: str
    table: pd.DataFrame
    alpha_humans: float | None
    alpha_with: dict
    n_items: int
    n_annotators: int
    error: str = ""


@dataclass
class JudgesView:
    round: dict
    agents: tuple
    questions: list
    note: str = ""


def judges_view(source: Source, task_name: str, round_no: int) -> JudgesView:
    """Each suggestion agent (LLM judge) measured like an annotator against the humans and gold."""
    store = get_store(source)
    tasks, _ = project_tasks()
    task = tasks.get(task_name)
    row = round_row(store, task_name, round_no)
    if task is None or row is None:
        raise BadInput(f"task {task_name!r} round {round_no}: not found")
    sug = store.suggestions(dataset=row["dataset_id"])
    sug = sug[sug["agent"].notna()] if len(sug) else sug
    if sug.empty:
        return JudgesView(round=row, agents=(), questions=[],
                          note="no suggestion with an agent name in this round: judges' suggestions appear here once "
                               "the candidate pipeline writes them to Argilla and `workbench sync` has run")
    tidy = read_dataset(store, row)
    gold = store.gold(task_name)
    agents = tuple(sorted(sug["agent"].unique()))
    out = []
    for q in report_questions(task):
        humans = tidy[tidy["question"] == q.name][["item", "annotator", "value"]]
        judged = sug[sug["question"] == q.name]
        if judged.empty or humans.empty:
            continue
        clash = set(agents) & set(humans["annotator"])
        if clash:
            out.append(JudgeQuestion(q.name, pd.DataFrame(), None, {}, 0, 0,
                                     error=f"agent name(s) {sorted(clash)} are also annotators' names"))
            continue
        jrows = judged.rename(columns={"agent": "annotator"})[["item", "annotator", "value"]]
        jrows = jrows[jrows["item"].isin(humans["item"])]
        both = pd.concat([humans, jrows], ignore_index=True)
        qgold = gold[gold["question"] == q.name][["item", "value"]] if len(gold) else None
        if qgold is not None and not qgold["item"].isin(both["item"]).any():
            qgold = None
        th = task.calibration.for_question(q.name)
        try:
            rep = question_report(both, level=q.level, order=question_order(q), gold=qgold, question=q.name,
                                  n_boot=0, raters=[a for a in agents if a in set(jrows["annotator"])],
                                  thresholds=DiagnosisThresholds(reliable=th.alpha_reliable, tentative=th.alpha_tentative))
        except BadInput as exc:
            out.append(JudgeQuestion(q.name, pd.DataFrame(), None, {}, 0, 0, error=str(exc)))
            continue
        tables = []
        for agent, ra in rep.raters.items():
            t = ra.table.copy()
            t.insert(0, "measured", np.where(t["is_rater"], "judge", "human"))
            t.insert(0, "judge", agent)
            tables.append(t)
        table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
        out.append(JudgeQuestion(
            question=q.name, table=table, alpha_humans=rep.alpha.value,
            alpha_with={a: c.value for a, c in rep.rater_alpha.items()}, n_items=rep.n_items,
            n_annotators=rep.n_annotators))
    return JudgesView(round=row, agents=agents, questions=out)


# --------------------------------------------------------------------------------------------
# Cached entry points (what the pages call)
# --------------------------------------------------------------------------------------------
#
# Each takes ``(url, demo, version, scope)`` first (``ui.Context.key``): ``scope`` is what the
# viewer may see (:class:`~workbench.dashboard.auth.Scope`, their Argilla workspaces). The views
# are computed and cached once per store version, for everyone; the scope is applied on the way
# out (lists filtered, a task outside it refused with ``PermissionError``), never cached into them.


def _src(url: str, demo: bool) -> Source:
    return Source(url, demo)


def _with_clear(wrapper, cached):
    wrapper.clear = cached.clear  # (tests and benchmarks clear the cache through the entry point)
    return wrapper


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_rounds(url: str, demo: bool, version: str) -> pd.DataFrame:
    return get_store(_src(url, demo)).rounds()


def may_see_task(url: str, demo: bool, version: str, scope: Scope, task: str) -> bool:
    """Whether ``scope`` may see ``task`` of this store (every round of it in one of its workspaces)."""
    return scope.sees_task(_cached_rounds(url, demo, version), task)


def may_open_task(url: str, demo: bool, version: str, scope: Scope, task: str) -> bool:
    """Whether a URL naming ``task`` may be served: a task of the store that ``scope`` may see, or a
    task file of the project with no round in the store (its guideline only). A task of another
    workspace and a task that does not exist get the same answer (the URL cannot tell them apart)."""
    rounds = _cached_rounds(url, demo, version)
    if len(rounds) and task in set(rounds["task"]):
        return scope.sees_task(rounds, task)
    return task in project_tasks()[0]


def require_task(url: str, demo: bool, version: str, scope: Scope, task: str) -> None:
    """``PermissionError`` unless ``scope`` may see ``task``."""
    if not may_see_task(url, demo, version, scope, task):
        raise PermissionError(f"task {task!r} is not in any of your Argilla workspaces")


def cached_rounds(url: str, demo: bool, version: str, scope: Scope) -> pd.DataFrame:
    """The store's rounds of the tasks ``scope`` may see."""
    return scope.visible_rounds(_cached_rounds(url, demo, version))


cached_rounds = _with_clear(cached_rounds, _cached_rounds)


@st.cache_data(show_spinner="Reading the history store ...", max_entries=8)
def _cached_overview(url: str, demo: bool, version: str) -> list[TaskOverview]:
    return overview_view(_src(url, demo))


def cached_overview(url: str, demo: bool, version: str, scope: Scope) -> list[TaskOverview]:
    rounds = _cached_rounds(url, demo, version)
    return [v for v in _cached_overview(url, demo, version) if scope.sees_task(rounds, v.task)]


cached_overview = _with_clear(cached_overview, _cached_overview)


@st.cache_data(show_spinner="Computing agreement ...", max_entries=64)
def _cached_calibration(url: str, demo: bool, version: str, task: str, round_no: int) -> CalibrationView:
    return calibration_view(_src(url, demo), task, round_no)


def cached_calibration(url: str, demo: bool, version: str, scope: Scope, task: str, round_no: int) -> CalibrationView:
    require_task(url, demo, version, scope, task)
    return _cached_calibration(url, demo, version, task, round_no)


cached_calibration = _with_clear(cached_calibration, _cached_calibration)


@st.cache_resource(show_spinner="Reading the task's history ...", max_entries=4)
def cached_history(url: str, demo: bool, version: str, task: str) -> TaskHistory:
    """The task's history, shared (not copied) between the cached views built on it.

    ``st.cache_resource``: ``st.cache_data`` would pickle the million-row tables on the first call
    and unpickle a copy on every hit (seconds each time). Pages never touch it: they call the
    cached views and :func:`cached_task_meta`, whose results are small. Nothing may modify it.
    """
    return task_history(_src(url, demo), task)


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_task_meta(url: str, demo: bool, version: str, task: str) -> TaskMeta:
    return task_meta(cached_history(url, demo, version, task))


def cached_task_meta(url: str, demo: bool, version: str, scope: Scope, task: str) -> TaskMeta:
    require_task(url, demo, version, scope, task)
    return _cached_task_meta(url, demo, version, task)


cached_task_meta = _with_clear(cached_task_meta, _cached_task_meta)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_annotator(url: str, demo: bool, version: str, task: str, annotator: str, viewer_name: str,
                      viewer_role: str) -> AnnotatorView:
    return annotator_view(cached_history(url, demo, version, task), annotator, viewer_name=viewer_name,
                          viewer_role=viewer_role)


def cached_annotator(url: str, demo: bool, version: str, scope: Scope, task: str, annotator: str, viewer_name: str,
                     viewer_role: str) -> AnnotatorView:
    """:func:`annotator_view` on the cached history; the access rules (the task in the viewer's
    scope, :func:`~workbench.dashboard.auth.may_see_annotator`) are checked before the cache is
    consulted, so a refused view is never served from it."""
    require_task(url, demo, version, scope, task)
    if not may_see_annotator(User(viewer_name, viewer_role), annotator):
        raise PermissionError(f"{viewer_name} may not see {annotator}'s figures")
    return _cached_annotator(url, demo, version, task, annotator, viewer_name, viewer_role)


cached_annotator = _with_clear(cached_annotator, _cached_annotator)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_drift(url: str, demo: bool, version: str, task: str, question: str | None) -> DriftView:
    return drift_view(_src(url, demo), cached_history(url, demo, version, task), question, task)


def cached_drift(url: str, demo: bool, version: str, scope: Scope, task: str, question: str | None) -> DriftView:
    require_task(url, demo, version, scope, task)
    return _cached_drift(url, demo, version, task, question)


cached_drift = _with_clear(cached_drift, _cached_drift)


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_guidelines(url: str, demo: bool, version: str, task: str) -> GuidelinesView:
    return guidelines_view(_src(url, demo), task, cached_history(url, demo, version, task))


def cached_guidelines(url: str, demo: bool, version: str, scope: Scope, task: str) -> GuidelinesView:
    require_task(url, demo, version, scope, task)
    return _cached_guidelines(url, demo, version, task)


cached_guidelines = _with_clear(cached_guidelines, _cached_guidelines)


@st.cache_data(show_spinner="Measuring the judges ...", max_entries=32)
def _cached_judges(url: str, demo: bool, version: str, task: str, round_no: int) -> JudgesView:
    return judges_view(_src(url, demo), task, round_no)


def cached_judges(url: str, demo: bool, version: str, scope: Scope, task: str, round_no: int) -> JudgesView:
    require_task(url, demo, version, scope, task)
    return _cached_judges(url, demo, version, task, round_no)


cached_judges = _with_clear(cached_judges, _cached_judges)


def finite(x) -> float | None:
    """``x`` as a float, or None when missing or not finite."""
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None
