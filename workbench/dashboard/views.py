"""The pages' view models: plain data in (a task, answers, gold, rounds, a task's history), the
dataclasses the pages draw out. One builder per page (``*_view``), each calling the analytics core
(``question_report``, ``evaluate_gate``, the drift functions, ``alpha_with_interval``).

Pure: no Streamlit, no store, no files. What a builder needs is read by
:mod:`workbench.dashboard.load` (through ``HistoryStore`` methods) and cached by
:mod:`workbench.dashboard.cache`. A problem the analytics core reports (``BadInput``) is carried to
the page as a message (``error``, ``note`` or ``problems``), never replaced by an empty table alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.analytics import agreement_by_version, agreement_series, alpha_with_interval, question_report, \
    to_reliability_data
from workbench.analytics.diagnosis import Thresholds as DiagnosisThresholds
from workbench.analytics.drift import BAR_COLUMNS, against_bar, gold_table, labels_table, monitor_gold, open_alarms, \
    pooled_bar
from workbench.analytics.reliability import reliability_data_from_codes
from workbench.dashboard.access import require_annotator
from workbench.dashboard.history import (TaskHistory, count_annotators, label_text,  # noqa: F401 (label_text: for the pages)
                                         rounds_label,
                                         shift_own_past, shift_team)
from workbench.errors import BadInput
from workbench.gate import CALIBRATION_KINDS, EXPERT_KINDS, evaluate_gate

#: Levels the analytics core computes alpha for (ranking and span questions are not covered yet).
REPORT_LEVELS = ("nominal", "ordinal", "interval", "ratio", "jaccard", "masi")

#: The bootstrap behind every interval of Krippendorff's alpha the dashboard shows (the Calibration
#: page's per round, the Guidelines page's per guideline version): ``alpha_with_interval`` with
#: these resamples, this coverage and this seed, everywhere. The same answers therefore get the
#: same interval on every page (the demo's round 1 is guideline v1: one computation, one figure).
ALPHA_N_BOOT = 1000
ALPHA_CI = 0.95
ALPHA_SEED = 0


def labelling_tasks(rounds: pd.DataFrame) -> list[str]:
    """The labelling tasks of a rounds table, sorted: store keys with rounds that annotators answer.
    Expert review and feedback review rounds (:data:`~workbench.gate.EXPERT_KINDS`, kept under
    ``<task>-review`` / ``<task>-feedback``) are not tasks of their own."""
    if rounds is None or not len(rounds):
        return []
    return sorted(rounds.loc[~rounds["kind"].isin(list(EXPERT_KINDS)), "task"].unique())


def question_order(q) -> list | None:
    """The label order the analytics need for an ordinal label question (None otherwise)."""
    if q.kind == "label" and q.level == "ordinal":
        return list(q.categories)
    return None


def report_questions(task) -> list:
    """Questions of ``task`` the analytics report on."""
    return [q for q in task.questions if q.level in REPORT_LEVELS]



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



def task_overview(name: str, task, rounds: pd.DataFrame, *, gate_responses: pd.DataFrame | None, gold: pd.DataFrame,
                  gold_labels: pd.DataFrame, totals: tuple[int, int, int], latest_written: int | None) -> TaskOverview:
    """One task's overview: ``rounds`` its rounds (with ``responses``, ``items``, ``annotators`` per
    round), ``task`` its task file (None when missing), ``gate_responses`` the answers of its latest
    calibration round (None when it has none), ``gold`` its gold answers, ``gold_labels`` its
    answers on gold items, ``totals`` (responses, items, annotators) of the whole task."""
    rs = rounds.sort_values("round").reset_index(drop=True)
    cal = rs[rs["kind"].isin(CALIBRATION_KINDS)]
    gate = gate_round = None
    note = ""
    if task is None:
        note = f"no task file for {name!r} in the project's tasks/ folder: gate and reports need it"
    elif not cal.empty:
        gate_round = cal.iloc[-1].to_dict()
        gate = evaluate_gate(task, gate_responses, gold, round_number=int(gate_round["round"]),
                             dataset=gate_round["dataset"], kind=gate_round["kind"], n_boot=0)
    n_responses, n_items, n_annotators = totals
    gold_t = gold_table(gold)
    labels = labels_table(gold_labels) if len(gold_t) else pd.DataFrame()
    obs, chart = monitor_gold(labels, gold_t, bar=pooled_bar(task.calibration.min_gold_agreements()) if task else None)
    alarms = open_alarms(chart, obs)
    return TaskOverview(
        task=name, title=task.title if task else name, known=task is not None,
        rounds=rs[["round", "kind", "dataset", "guideline_version", "created_at", "responses", "items",
                   "annotators", "forced_reason", "dataset_id"]],
        gate=gate, gate_round=gate_round, responses=n_responses, items=n_items, annotators=n_annotators,
        guideline_in_force=int(rs["guideline_version"].iloc[-1]) if len(rs) else None,
        guideline_latest=latest_written, alarms=alarms, note=note,
    )


#: Columns of the Overview's coverage table (one per plan; leads only).
COVERAGE_COLUMNS = ["set", "value", "records", "share", "interval", "target", "status", "to add"]


@dataclass
class CoverageSection:
    """A task's mix against its coverage plan (docs/coverage.md): per planned property, a heading and
    one table of every set's categories; ``notes`` say which sets have no figures and why."""

    task: str
    plans: list  # of (heading, table with COVERAGE_COLUMNS, flagged: list of "set: value")
    notes: list
    method: str


def coverage_section(report) -> CoverageSection:
    """The Overview's coverage view of a :class:`workbench.coverage.CoverageReport` (pure)."""
    plans = []
    for plan in report.plans:
        rows, flagged = [], []
        for s in report.sets:
            m = s.comparisons.get(plan.property) if s.available else None
            if m is None:
                continue
            for r in m.table.itertuples(index=False):
                rows.append({"set": s.name, "value": str(r.category), "records": int(r.count),
                             "share": None if m.n == 0 else float(r.share),
                             "interval": "-" if m.n == 0 else f"{r.low:.1%} - {r.high:.1%}",
                             "target": float(r.target), "status": r.status, "to add": int(r.needed)})
                if r.flagged:
                    flagged.append(f"{s.name}: {r.category} ({r.status})")
        heading = (f"{plan.property}: target " + ", ".join(f"{v} {x:.0%}" for v, x in plan.target)
                   + f", tolerance +-{plan.tolerance:.0%}")
        plans.append((heading, pd.DataFrame(rows, columns=COVERAGE_COLUMNS), flagged))
    notes = [f"{s.name}: {s.note}" for s in report.sets if not s.available]
    return CoverageSection(task=report.task, plans=plans, notes=notes, method=report.method)


def gate_round_of(rounds: pd.DataFrame) -> dict | None:
    """The round an overview's gate judges: the latest calibration round (None when there is none)."""
    cal = rounds.sort_values("round")
    cal = cal[cal["kind"].isin(CALIBRATION_KINDS)]
    return None if cal.empty else cal.iloc[-1].to_dict()


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



def calibration_view(task, row: dict, tidy: pd.DataFrame, gold: pd.DataFrame, *,
                     n_boot: int = ALPHA_N_BOOT) -> CalibrationView:
    """Per question alpha with its interval, the other coefficients, breakdowns and diagnosis of one
    round (``row``, a row of the store's rounds; ``tidy`` its answers with ``record_id``)."""
    versions = tuple(sorted({int(v) for v in tidy["guideline_version"].dropna()})) if len(tidy) else ()
    questions = question_views(task, tidy, gold, n_boot=n_boot)
    gate = None
    if row["kind"] in CALIBRATION_KINDS:
        gate = evaluate_gate(task, tidy, gold, round_number=int(row["round"]), dataset=row["dataset"],
                             kind=row["kind"], n_boot=0)
    record_ids = dict(zip(tidy["item"], tidy["record_id"])) if len(tidy) else {}
    return CalibrationView(
        task=row["task"], round=row, n_responses=int(len(tidy[["item", "annotator"]].drop_duplicates())),
        n_items=int(tidy["item"].nunique()), annotators=tuple(sorted(tidy["annotator"].unique())),
        questions=questions, gate=gate, record_ids=record_ids, guideline_versions=versions,
    )


# --------------------------------------------------------------------------------------------
# Annotator and drift
# --------------------------------------------------------------------------------------------


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
    problems: tuple = ()  # why a figure is missing (the analytics core's messages), for the page to say


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
    require_annotator(viewer_name, viewer_role, annotator)
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
    problems = []
    t = history.team_obs_of(annotator)
    if t is None and history.team_problem:
        problems.append(f"agreement with the team: {history.team_problem}")
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
    n_team = count_annotators(history)
    if n_mine and n_team > 1:
        try:
            sv = shift_team(history)
            shift = sv[sv["annotator"] == annotator].reset_index(drop=True)
        except BadInput as exc:
            shift = pd.DataFrame()
            problems.append(f"labels against the team: {exc}")
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
        rounds=meta.rounds, problems=tuple(problems),
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
    problems: tuple = ()  # why a figure is missing (the analytics core's messages), for the page to say



def drift_view(history: TaskHistory, question: str | None = None, bars: dict | None = None) -> DriftView:
    """Control charts per annotator (pooled questions or one), each annotator against the task's
    bar (``bars``: question -> the task's minimum gold agreement), version changes, label shift tests."""
    bars = bars or {}
    labels, gold = history.labels, history.gold
    if question is None:
        obs, chart = history.gold_obs, history.chart
    else:
        obs, chart = monitor_gold(labels, gold, question, bar=bars.get(question))
    note = ""
    if chart is None:
        note = ("no judgement falls on a gold item yet: set the expert's gold answers "
                "(`workbench gold set` / `workbench gold import`) and keep gold items in production rounds")
    lab = labels if question is None else labels[labels["question"] == question]
    texts = history.texts()
    lab_text = texts if question is None else texts[texts["question"] == question]
    versions = sorted(v for v in lab["guideline_version"].unique() if v >= 0) if len(lab) else []
    shift_v, compared, problems = pd.DataFrame(), None, []
    if len(versions) >= 2:
        compared = (int(versions[-2]), int(versions[-1]))
        try:
            shift_v = shift_own_past(history, compared, question)
        except BadInput as exc:
            shift_v = pd.DataFrame()
            problems.append(f"labels before and after guideline v{compared[1]}: {exc}")
    shift_t = pd.DataFrame()
    if len(lab_text) and count_annotators(history, question) > 1:
        try:
            shift_t = shift_team(history, question)
        except BadInput as exc:
            shift_t = pd.DataFrame()
            problems.append(f"labels against the team: {exc}")
    points, chart_note = thin_chart_points(chart.points) if chart is not None else (pd.DataFrame(), "")
    sample = chart_sample(chart, obs)
    return DriftView(
        question=question, chart_note=chart_note,
        points=points,
        summary=chart.summary if chart is not None else pd.DataFrame(),
        alarms=open_alarms(chart, obs) if chart is not None else pd.DataFrame(),
        version_changes=version_changes(history.rounds), shift_versions=shift_v, shift_team=shift_t,
        versions_compared=compared, n_items=sample.n_items, n_annotators=sample.n_annotators, note=note,
        against_bar=_against_bar(history.gold_obs, question, bars), sample=sample, problems=tuple(problems),
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


def guidelines_view(task, versions: list, problem: str, history: TaskHistory, *,
                    n_boot: int = ALPHA_N_BOOT) -> GuidelinesView:
    """Guideline versions and, per version and question, the team's alpha (with the same bootstrap
    as the Calibration page) and gold agreement, each with the items and rounds it rests on
    (``task`` None when it has no task file; ``versions`` its guideline versions, ``problem`` why
    they could not be read)."""
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


NO_JUDGE_NOTE = ("no suggestion with an agent name in this round: judges' suggestions appear here once "
                 "the candidate pipeline writes them to Argilla and `workbench sync` has run")


def judges_view(task, row: dict, suggestions: pd.DataFrame, tidy: pd.DataFrame | None, gold: pd.DataFrame | None
                ) -> JudgesView:
    """Each suggestion agent (LLM judge) measured like an annotator against the humans and gold
    (``suggestions`` of the round, with their ``agent``; ``tidy`` the round's answers)."""
    sug = suggestions
    if sug.empty:
        return JudgesView(round=row, agents=(), questions=[], note=NO_JUDGE_NOTE)
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



REVIEW_TABLE_COLUMNS = ("question", "reviewed", "accuracy vs expert review", "review interval", "gold items",
                        "gold agreement", "gold interval")


def review_table(accuracy: pd.DataFrame, gold_answers: pd.DataFrame, gold: pd.DataFrame, annotator: str, *,
                 confidence: float = 0.95) -> pd.DataFrame:
    """One annotator's accuracy against expert review next to their agreement with gold, per question.

    ``accuracy``: :func:`workbench.analytics.review_sample.review_accuracy`'s table (every annotator);
    ``gold_answers``: tidy answers on gold items (``item, annotator, question, value``); ``gold``:
    the store's gold (``item, question, value, kind``, expert rows count). Both shares are exact
    agreement with Wilson's interval at ``confidence``; questions with neither are left out.
    """
    from workbench.analytics.review_sample import same_answer, wilson_interval

    def interval(k: int, n: int) -> str:
        low, high = wilson_interval(k, n, confidence)
        return "-" if low is None else f"{low:.2f}-{high:.2f}"

    rows: dict = {}
    mine = accuracy[accuracy["annotator"] == annotator] if len(accuracy) else accuracy
    for r in mine.itertuples(index=False):
        rows[r.question] = {"reviewed": int(r.n_reviewed), "accuracy vs expert review": float(r.accuracy),
                            "review interval": interval(int(r.n_accepted), int(r.n_reviewed))}
    if len(gold_answers) and len(gold):
        ref = gold[gold["kind"] == "expert"].drop_duplicates(["item", "question"], keep="last")
        m = gold_answers[gold_answers["annotator"] == annotator][["item", "question", "value"]].merge(
            ref[["item", "question", "value"]].rename(columns={"value": "gold"}), on=["item", "question"])
        for q, g in m.groupby("question", sort=True):
            k = sum(same_answer(a, b) for a, b in zip(g["value"], g["gold"]))
            rows.setdefault(q, {}).update({"gold items": len(g), "gold agreement": k / len(g),
                                           "gold interval": interval(k, len(g))})
    out = pd.DataFrame([{"question": q, **v} for q, v in sorted(rows.items())], columns=list(REVIEW_TABLE_COLUMNS))
    for c in ("reviewed", "gold items"):
        out[c] = out[c].astype("Int64")
    return out
