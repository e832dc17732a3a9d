"""The calibration gate's decision: may a task leave calibration and open production rounds?

The gate judges the **latest calibration round** of a task (kind ``calibration`` or
``recalibration``) against the task's calibration policy (``calibration:`` in the task YAML).
It passes when, for every question that has an agreement level (text questions have none):

1. **Team reliability** - Krippendorff's alpha at the question's level is at or above the
   question's ``alpha_reliable`` threshold. The rule uses the *point estimate* of alpha (the
   usual reading of Krippendorff's 0.800 / 0.667 cut-offs, which are stated for alpha itself).
   The percentile-bootstrap interval over items is computed and reported next to it, and
   ``criterion="lower"`` (``workbench gate --criterion lower``) makes the gate stricter: the
   interval's *lower* bound must then clear the threshold.
2. **Each annotator against gold** - every annotator who answered the round agrees with the
   expert's gold answers on at least ``min_gold_agreement`` of the gold items they answered.
   Agreement is *exact match* (the analytics' ``gold_accuracy``: same label, same rating, same
   set of labels), so the bar means "this share of gold items answered exactly as the expert
   did". An annotator with no gold item answered fails (agreement cannot be checked), and a
   question with no gold values at all fails the gate (set gold first).

A round with no synced responses, or a task with no calibration round, fails with that reason.

This is the functional core (:func:`evaluate_gate`: a task, its tidy responses and gold in, a
:class:`GateResult` out; no store, no I/O). The task is only read (its questions and calibration
thresholds). :mod:`workbench.gate` is the shell that reads the round, its responses and the gold
from the history store and formats the result; ``workbench gate TASK`` prints it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from workbench.analytics.diagnosis import Thresholds as DiagnosisThresholds
from workbench.analytics.report import question_report
from workbench.errors import BadInput

if TYPE_CHECKING:  # types only: the core reads the task's attributes and does not import the task-file module
    from workbench.tasks import Question, Task

CRITERIA = ("point", "lower")


@dataclass(frozen=True)
class QuestionGate:
    """The team-reliability check of one question.

    Attributes
    ----------
    question, level : str
    alpha, low, high : float or None
        Krippendorff's alpha and its bootstrap interval (None when undefined).
    ci : float or None
        Coverage of the interval.
    alpha_reliable, alpha_tentative : float
        The task's thresholds for this question.
    band : str
        ``reliable``, ``tentative``, ``unreliable`` or ``undefined``.
    n_items, n_annotators : int
    verdict : str
        The analytics' diagnosis of the disagreement (``annotator_deviation``,
        ``ambiguous_guideline``, ...).
    deviating : tuple of str
        Annotators the diagnosis flags as deviating.
    passed : bool
    reason : str
        Why it failed ("" when it passed).
    """

    question: str
    level: str
    alpha: float | None
    low: float | None
    high: float | None
    ci: float | None
    alpha_reliable: float
    alpha_tentative: float
    band: str
    n_items: int
    n_annotators: int
    verdict: str
    deviating: tuple = ()
    passed: bool = False
    reason: str = ""
    explanation: str = field(default="", repr=False)


@dataclass(frozen=True)
class AnnotatorGate:
    """One annotator's agreement with gold on one question."""

    annotator: str
    question: str
    n_gold: int
    agreement: float | None
    min_gold_agreement: float
    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class GateResult:
    """The gate's decision for one calibration round of a task.

    ``passed`` is True when every question and every annotator check passed; ``reasons`` lists
    every failed check in plain language (empty when it passed).
    """

    task: str
    round: int | None
    dataset: str | None
    kind: str | None
    guideline_versions: tuple
    criterion: str
    passed: bool
    questions: tuple = ()
    annotators: tuple = ()
    reasons: tuple = ()

    @property
    def failing_annotators(self) -> tuple:
        """Annotators with at least one failed gold check, in first-seen order."""
        out: list = []
        for a in self.annotators:
            if not a.passed and a.annotator not in out:
                out.append(a.annotator)
        return tuple(out)

    def to_dict(self) -> dict:
        """Strict-JSON form (no NaN)."""
        return {
            "task": self.task,
            "round": self.round,
            "dataset": self.dataset,
            "kind": self.kind,
            "guideline_versions": [int(v) for v in self.guideline_versions],
            "criterion": self.criterion,
            "criterion_text": criterion_text(self.criterion),
            "passed": self.passed,
            "questions": [
                {k: _num(getattr(q, k)) if isinstance(getattr(q, k), float) else getattr(q, k)
                 for k in ("question", "level", "alpha", "low", "high", "ci", "alpha_reliable", "alpha_tentative",
                           "band", "n_items", "n_annotators", "verdict", "passed", "reason", "explanation")}
                | {"deviating": list(q.deviating)}
                for q in self.questions
            ],
            "annotators": [
                {"annotator": a.annotator, "question": a.question, "n_gold": a.n_gold, "agreement": _num(a.agreement),
                 "min_gold_agreement": a.min_gold_agreement, "passed": a.passed, "reason": a.reason}
                for a in self.annotators
            ],
            "failing_annotators": list(self.failing_annotators),
            "reasons": list(self.reasons),
        }


def _num(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def criterion_text(criterion: str) -> str:
    """How alpha is compared with the threshold, in words."""
    if criterion == "lower":
        return "lower bound of alpha's bootstrap interval >= alpha_reliable"
    return "alpha (point estimate) >= alpha_reliable"


def _order_for(q: Question):
    """The label order the analytics need for ordinal label questions (None otherwise)."""
    if q.kind == "label" and q.level == "ordinal":
        return list(q.categories)
    return None


def evaluate_gate(
    task: Task,
    responses: pd.DataFrame,
    gold: pd.DataFrame | None,
    *,
    round_number: int | None = None,
    dataset: str | None = None,
    kind: str | None = "calibration",
    criterion: str = "point",
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> GateResult:
    """Decide the gate for one calibration round (pure: no I/O).

    Parameters
    ----------
    task : Task
        The task; its ``calibration.thresholds`` give each question's ``alpha_reliable``,
        ``alpha_tentative`` and ``min_gold_agreement``.
    responses : pandas.DataFrame
        The round's submitted answers, tidy: ``item``, ``annotator``, ``question``, ``value``
        (other columns, such as ``guideline_version``, are used when present).
    gold : pandas.DataFrame or None
        Gold answers: ``item``, ``question``, ``value``.
    round_number, dataset, kind : optional
        Which round this is (reported only).
    criterion : {"point", "lower"}
        Compare alpha's point estimate (default) or its interval's lower bound with the threshold.
    n_boot, ci, seed
        Bootstrap of alpha over items.

    Returns
    -------
    GateResult

    Raises
    ------
    BadInput
        Unknown criterion, or a responses table without the tidy columns.

    Examples
    --------
    >>> from workbench.tasks import CalibrationPolicy, Field, Question, Task, Thresholds
    >>> t = Task(name="t", title="t", description="", guideline="t",
    ...          fields=(Field("text", "Text"),),
    ...          questions=(Question("q", "rating", "Q", "interval", values=(1, 2, 3)),),
    ...          calibration=CalibrationPolicy(thresholds=(("q", Thresholds(0.8, 0.667, 0.75)),)))
    >>> rows = [(i, a, "q", v) for a, vals in {"x": [1, 2, 3, 1, 2, 3], "y": [1, 2, 3, 1, 2, 3],
    ...         "z": [1, 2, 3, 1, 3, 1]}.items() for i, v in enumerate(vals)]
    >>> df = pd.DataFrame(rows, columns=["item", "annotator", "question", "value"])
    >>> gold = pd.DataFrame({"item": range(6), "question": "q", "value": [1, 2, 3, 1, 2, 3]})
    >>> r = evaluate_gate(t, df, gold, n_boot=0)
    >>> r.passed, r.failing_annotators
    (False, ('z',))
    """
    if criterion not in CRITERIA:
        raise BadInput(f"criterion: {criterion!r} is not one of {', '.join(CRITERIA)}")
    missing = [c for c in ("item", "annotator", "question", "value") if c not in responses.columns]
    if missing:
        raise BadInput(f"responses: missing column(s) {', '.join(missing)}")
    questions = [q for q in task.questions if q.has_agreement]
    versions = ()
    if "guideline_version" in responses.columns and len(responses):
        versions = tuple(sorted({int(v) for v in responses["guideline_version"].dropna()}))
    reasons: list[str] = []
    qrows: list[QuestionGate] = []
    arows: list[AnnotatorGate] = []
    if responses.empty:
        reasons.append("no submitted responses in this round (has it been answered and synced?)")
        return GateResult(task.name, round_number, dataset, kind, versions, criterion, False, reasons=tuple(reasons))
    for q in questions:
        th = task.calibration.for_question(q.name)
        rows = responses[responses["question"] == q.name][["item", "annotator", "value"]]
        rows = rows[rows["value"].notna()]
        qgold = None
        if gold is not None and len(gold):
            g = gold[gold["question"] == q.name][["item", "value"]]
            qgold = g if len(g) else None
        n_annotators = rows["annotator"].nunique()
        if n_annotators < 2:
            reason = (f"{q.name}: agreement needs at least two annotators; {n_annotators} answered "
                      f"({', '.join(sorted(map(str, rows['annotator'].unique()))) or 'none'})")
            reasons.append(reason)
            qrows.append(QuestionGate(q.name, q.level, None, None, None, None, th.alpha_reliable, th.alpha_tentative,
                                      "undefined", rows["item"].nunique(), n_annotators, "undefined", passed=False,
                                      reason=reason))
            continue
        rep = question_report(
            rows, level=q.level, order=_order_for(q), gold=qgold, question=q.name, n_boot=n_boot, ci=ci, seed=seed,
            thresholds=DiagnosisThresholds(reliable=th.alpha_reliable, tentative=th.alpha_tentative),
        )
        a = rep.alpha
        compared = a.low if criterion == "lower" else a.value
        if a.value is None:
            ok, reason = False, f"{q.name}: alpha is undefined ({a.note or 'no variation'})"
        elif compared is None:
            ok, reason = False, f"{q.name}: alpha's interval is undefined ({a.note}); the lower-bound criterion cannot be met"
        elif compared >= th.alpha_reliable:
            ok, reason = True, ""
        else:
            ok = False
            what = "alpha" if criterion == "point" else "alpha's interval lower bound"
            ci_txt = f" ({int(round(rep.ci * 100))}% CI {a.low:.3f}-{a.high:.3f})" if a.low is not None else ""
            reason = (f"{q.name}: {what} {compared:.3f} is below alpha_reliable {th.alpha_reliable:.3f}"
                      f" (alpha {a.value:.3f}{ci_txt}, band {rep.band}; diagnosis: {rep.diagnosis.verdict.title})")
        if not ok:
            reasons.append(reason)
        qrows.append(QuestionGate(
            q.name, rep.level, a.value, a.low, a.high, rep.ci, th.alpha_reliable, th.alpha_tentative, rep.band,
            rep.n_items, rep.n_annotators, rep.diagnosis.verdict.value, tuple(map(str, rep.diagnosis.deviating)),
            ok, reason, rep.diagnosis.explanation,
        ))
        if qgold is None:
            reasons.append(f"{q.name}: no gold answers for this question: set the expert's gold before the gate can pass")
            for name in sorted(map(str, rows["annotator"].unique())):
                arows.append(AnnotatorGate(name, q.name, 0, None, th.min_gold_agreement, False, "no gold answers"))
            continue
        table = rep.annotators
        for rec in table.itertuples(index=False):
            n_gold = int(rec.n_gold)
            acc = None if n_gold == 0 or pd.isna(rec.gold_accuracy) else float(rec.gold_accuracy)
            if acc is None:
                ok, why = False, f"{rec.annotator}: {q.name}: answered no gold item, agreement with gold cannot be checked"
            elif acc >= th.min_gold_agreement:
                ok, why = True, ""
            else:
                ok, why = False, (f"{rec.annotator}: {q.name}: agreement with gold {acc:.3f} is below "
                                  f"min_gold_agreement {th.min_gold_agreement:.3f} ({round(acc * n_gold)} of {n_gold} gold items exact)")
            if not ok:
                reasons.append(why)
            arows.append(AnnotatorGate(str(rec.annotator), q.name, n_gold, acc, th.min_gold_agreement, ok, why))
    passed = not reasons
    return GateResult(task.name, round_number, dataset, kind, versions, criterion, passed, tuple(qrows), tuple(arows),
                      tuple(reasons))
