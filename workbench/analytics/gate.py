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

3. **Each annotator against expert review** (only when the task's policy sets
   ``min_review_accuracy`` and a review table is given): every annotator's accuracy against
   expert review on their sampled production records (:mod:`workbench.analytics.review_sample`)
   is at or above the bar, per question - the point estimate, or with ``criterion="lower"`` the
   lower bound of its Wilson interval. No review yet is no failure: production must open before
   its output can be reviewed; the bar keeps it open.

This is the functional core (:func:`evaluate_gate`: a task, its tidy responses and gold in, a
:class:`GateResult` out; no store, no I/O). It goes in steps, each passing a small frozen record
to the next: (1) each gated question's answers, gold and bars (:class:`QuestionAnswers`);
(2) the question's reliability check against its bar (:class:`AlphaCheck`, from the question's
:func:`~workbench.analytics.report.question_report`); (3) each annotator against gold, from the
same report; (4) each annotator against expert review; then the reasons of every failed check,
in that order per question, review last, make the result. The task is only read (its questions and calibration
thresholds). :mod:`workbench.gate` is the shell that reads the round, its responses and the gold
from the history store and formats the result; ``workbench gate TASK`` prints it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

from workbench.analytics.diagnosis import Level
from workbench.analytics.diagnosis import Thresholds as DiagnosisThresholds
from workbench.analytics.report import QuestionReport, question_report
from workbench.errors import BadInput

if TYPE_CHECKING:  # types only: the core reads the task's attributes and does not import the task-file module
    from workbench.tasks import Question, Task
    from workbench.tasks import Thresholds as TaskThresholds

__all__ = ["CRITERIA", "AnnotatorGate", "Criterion", "GateResult", "QuestionGate", "ReviewGate", "criterion_text",
           "evaluate_gate"]

#: How alpha meets its bar: its point estimate, or its bootstrap interval's lower bound.
Criterion = Literal["point", "lower"]
CRITERIA: tuple[Criterion, ...] = ("point", "lower")
#: The tidy columns the responses must have.
RESPONSE_COLUMNS = ("item", "annotator", "question", "value")
EMPTY_ROUND = "no submitted responses in this round (has it been answered and synced?)"


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
    deviating: tuple[str, ...] = ()
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
class ReviewGate:
    """One annotator's accuracy against expert review on one question, against the task's bar."""

    annotator: str
    question: str
    n_reviewed: int
    accuracy: float
    low: float | None
    high: float | None
    min_review_accuracy: float
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
    guideline_versions: tuple[int, ...]
    criterion: str
    passed: bool
    questions: tuple[QuestionGate, ...] = ()
    annotators: tuple[AnnotatorGate, ...] = ()
    reasons: tuple[str, ...] = ()
    reviews: tuple[ReviewGate, ...] = ()  # when the task sets min_review_accuracy and reviews exist

    @property
    def failing_annotators(self) -> tuple[str, ...]:
        """Annotators with at least one failed gold check, in first-seen order."""
        out: list[str] = []
        for a in self.annotators:
            if not a.passed and a.annotator not in out:
                out.append(a.annotator)
        return tuple(out)

    def to_dict(self) -> dict[str, object]:
        """Strict-JSON form (no NaN)."""
        out: dict[str, object] = {
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
        if self.reviews:
            out["reviews"] = [
                {"annotator": r.annotator, "question": r.question, "n_reviewed": r.n_reviewed,
                 "accuracy": _num(r.accuracy), "low": _num(r.low), "high": _num(r.high),
                 "min_review_accuracy": r.min_review_accuracy, "passed": r.passed, "reason": r.reason}
                for r in self.reviews]
        return out


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def criterion_text(criterion: str) -> str:
    """How alpha is compared with the threshold, in words."""
    if criterion == "lower":
        return "lower bound of alpha's bootstrap interval >= alpha_reliable"
    return "alpha (point estimate) >= alpha_reliable"


# --------------------------------------------------------------------------------------------
# The steps of evaluate_gate, and what each passes on
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bootstrap:
    """How alpha's interval is drawn: resamples over items, coverage, seed."""

    n_boot: int = 1000
    ci: float = 0.95
    seed: int = 0


@dataclass(frozen=True)
class QuestionAnswers:
    """One gated question's answers, its gold and its bars (step 1).

    Attributes
    ----------
    question : Question
    thresholds : workbench.tasks.Thresholds
        ``alpha_reliable``, ``alpha_tentative`` and ``min_gold_agreement`` of the question.
    rows : pandas.DataFrame
        The question's answers: ``item``, ``annotator``, ``value`` (no missing value).
    gold : pandas.DataFrame or None
        The question's gold answers (``item``, ``value``); None when it has none.
    """

    question: Question
    thresholds: TaskThresholds
    rows: pd.DataFrame
    gold: pd.DataFrame | None

    @property
    def n_annotators(self) -> int:
        return self.rows["annotator"].nunique()

    @property
    def annotators(self) -> list[str]:
        """Who answered, sorted by name."""
        return sorted(map(str, self.rows["annotator"].unique()))


@dataclass(frozen=True)
class AlphaCheck:
    """The question's reliability against its bar (step 2), and the report step 3 reads.

    ``report`` is None when fewer than two annotators answered (no agreement to measure).
    """

    gate: QuestionGate
    report: QuestionReport | None = None


@dataclass(frozen=True)
class GoldChecks:
    """Each annotator of one question against gold (step 3), and the reasons of the failed checks."""

    annotators: tuple[AnnotatorGate, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class QuestionChecks:
    """Steps 2 and 3 on one question: its row, its annotators' rows, and the reasons of the
    failed checks in the order the result lists them."""

    question: QuestionGate
    annotators: tuple[AnnotatorGate, ...] = ()
    reasons: tuple[str, ...] = ()


def _check_inputs(responses: pd.DataFrame, criterion: str) -> None:
    """Bad input: an unknown criterion, or responses without the tidy columns."""
    if criterion not in CRITERIA:
        raise BadInput(f"criterion: {criterion!r} is not one of {', '.join(CRITERIA)}")
    missing = [c for c in RESPONSE_COLUMNS if c not in responses.columns]
    if missing:
        raise BadInput(f"responses: missing column(s) {', '.join(missing)}")


def _guideline_versions(responses: pd.DataFrame) -> tuple[int, ...]:
    """The guideline versions the round's answers were given under (reported only)."""
    if "guideline_version" not in responses.columns or not len(responses):
        return ()
    return tuple(sorted({int(v) for v in responses["guideline_version"].dropna()}))


def _order_for(q: Question) -> list[str] | None:
    """The label order the analytics need for ordinal label questions (None otherwise)."""
    if q.kind == "label" and q.level == "ordinal":
        return list(q.categories)
    return None


def _question_answers(q: Question, task: Task, responses: pd.DataFrame, gold: pd.DataFrame | None) -> QuestionAnswers:
    """Step 1: the question's answered rows, its gold (None when there is none) and its bars."""
    thresholds = task.calibration.for_question(q.name)
    rows = responses[responses["question"] == q.name][["item", "annotator", "value"]]
    rows = rows[rows["value"].notna()]
    qgold = None
    if gold is not None and len(gold):
        g = gold[gold["question"] == q.name][["item", "value"]]
        qgold = g if len(g) else None
    return QuestionAnswers(question=q, thresholds=thresholds, rows=rows, gold=qgold)


def _too_few_annotators(answers: QuestionAnswers) -> AlphaCheck:
    """Step 2 with fewer than two annotators: agreement cannot be measured, the question fails."""
    q, th, n = answers.question, answers.thresholds, answers.n_annotators
    reason = (f"{q.name}: agreement needs at least two annotators; {n} answered "
              f"({', '.join(answers.annotators) or 'none'})")
    return AlphaCheck(QuestionGate(
        q.name, q.level, None, None, None, None, th.alpha_reliable, th.alpha_tentative, "undefined",
        answers.rows["item"].nunique(), n, "undefined", passed=False, reason=reason,
    ))


def _alpha_verdict(name: str, rep: QuestionReport, *, criterion: str, bar: float) -> tuple[bool, str]:
    """Does the report's alpha (or its interval's lower bound) clear ``bar``; if not, why."""
    a = rep.alpha
    compared = a.low if criterion == "lower" else a.value
    if a.value is None:
        return False, f"{name}: alpha is undefined ({a.note or 'no variation'})"
    if compared is None:
        return False, f"{name}: alpha's interval is undefined ({a.note}); the lower-bound criterion cannot be met"
    if compared >= bar:
        return True, ""
    what = "alpha" if criterion == "point" else "alpha's interval lower bound"
    # (the report has a CI level exactly when alpha has an interval)
    ci_txt = (f" ({int(round(rep.ci * 100))}% CI {a.low:.3f}-{a.high:.3f})"
              if a.low is not None and rep.ci is not None else "")
    return False, (f"{name}: {what} {compared:.3f} is below alpha_reliable {bar:.3f}"
                   f" (alpha {a.value:.3f}{ci_txt}, band {rep.band}; diagnosis: {rep.diagnosis.verdict.title})")


def _alpha_check(answers: QuestionAnswers, *, criterion: str, bootstrap: Bootstrap) -> AlphaCheck:
    """Step 2: the question's agreement report, and its alpha against ``alpha_reliable``."""
    if answers.n_annotators < 2:
        return _too_few_annotators(answers)
    q, th = answers.question, answers.thresholds
    # (the task's level string: question_report first checks it against alpha's LEVELS, BadInput otherwise)
    rep = question_report(
        answers.rows, level=cast(Level, q.level), order=_order_for(q), gold=answers.gold, question=q.name,
        n_boot=bootstrap.n_boot, ci=bootstrap.ci, seed=bootstrap.seed,
        thresholds=DiagnosisThresholds(reliable=th.alpha_reliable, tentative=th.alpha_tentative),
    )
    ok, reason = _alpha_verdict(q.name, rep, criterion=criterion, bar=th.alpha_reliable)
    a = rep.alpha
    gate = QuestionGate(
        q.name, rep.level, a.value, a.low, a.high, rep.ci, th.alpha_reliable, th.alpha_tentative, rep.band,
        rep.n_items, rep.n_annotators, rep.diagnosis.verdict.value, tuple(map(str, rep.diagnosis.deviating)),
        ok, reason, rep.diagnosis.explanation,
    )
    return AlphaCheck(gate, rep)


def _annotator_gold(annotator: object, n_gold: int, gold_accuracy: float, *, question: str,
                    bar: float) -> AnnotatorGate:
    """Step 3 for one annotator: their exact agreement with gold against ``min_gold_agreement``."""
    acc = None if n_gold == 0 or pd.isna(gold_accuracy) else float(gold_accuracy)
    if acc is None:
        ok, why = False, f"{annotator}: {question}: answered no gold item, agreement with gold cannot be checked"
    elif acc >= bar:
        ok, why = True, ""
    else:
        ok, why = False, (f"{annotator}: {question}: agreement with gold {acc:.3f} is below "
                          f"min_gold_agreement {bar:.3f} ({round(acc * n_gold)} of {n_gold} gold items exact)")
    return AnnotatorGate(str(annotator), question, n_gold, acc, bar, ok, why)


def _gold_checks(answers: QuestionAnswers, rep: QuestionReport) -> GoldChecks:
    """Step 3: each annotator of the report against gold.

    Without gold for the question, every annotator fails with "no gold answers" and the question
    gives one reason for them all."""
    name, bar = answers.question.name, answers.thresholds.min_gold_agreement
    if answers.gold is None:
        rows = tuple(AnnotatorGate(a, name, 0, None, bar, False, "no gold answers") for a in answers.annotators)
        return GoldChecks(rows, (f"{name}: no gold answers for this question: set the expert's gold before the gate "
                                 "can pass",))
    rows = tuple(_annotator_gold(rec.annotator, int(rec.n_gold), rec.gold_accuracy, question=name, bar=bar)
                 for rec in rep.annotators.itertuples(index=False))
    return GoldChecks(rows, tuple(a.reason for a in rows if not a.passed))


def _check_question(answers: QuestionAnswers, *, criterion: str, bootstrap: Bootstrap) -> QuestionChecks:
    """Steps 2 and 3 on one question (no gold check when alpha could not be measured)."""
    alpha = _alpha_check(answers, criterion=criterion, bootstrap=bootstrap)
    own = () if alpha.gate.passed else (alpha.gate.reason,)
    if alpha.report is None:
        return QuestionChecks(question=alpha.gate, reasons=own)
    gold = _gold_checks(answers, alpha.report)
    return QuestionChecks(question=alpha.gate, annotators=gold.annotators, reasons=own + gold.reasons)


def evaluate_gate(
    task: Task,
    responses: pd.DataFrame,
    gold: pd.DataFrame | None,
    *,
    round_number: int | None = None,
    dataset: str | None = None,
    kind: str | None = "calibration",
    criterion: Criterion = "point",
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
    review: pd.DataFrame | None = None,
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
    review : pandas.DataFrame, optional
        Accuracy against expert review (:func:`workbench.analytics.review_sample.review_accuracy`'s
        columns); checked against ``task.calibration.min_review_accuracy`` when that is set.

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
    _check_inputs(responses, criterion)
    # which round this is; not passed until every check has run
    head = GateResult(task.name, round_number, dataset, kind, _guideline_versions(responses), criterion, False)
    if responses.empty:
        return replace(head, reasons=(EMPTY_ROUND,))
    bootstrap = Bootstrap(n_boot=n_boot, ci=ci, seed=seed)
    checks = [_check_question(_question_answers(q, task, responses, gold), criterion=criterion, bootstrap=bootstrap)
              for q in task.questions if q.has_agreement]
    reviews = tuple(_review_checks(task, review, criterion))
    reasons = tuple(why for c in checks for why in c.reasons) + tuple(r.reason for r in reviews if not r.passed)
    return replace(head, passed=not reasons, questions=tuple(c.question for c in checks),
                   annotators=tuple(a for c in checks for a in c.annotators), reasons=reasons, reviews=reviews)


def _review_check(r: Any, *, bar: float, criterion: str) -> ReviewGate:
    """Step 4 for one row ``r`` of the review table (``itertuples``: an annotator on a question)
    against ``bar``."""
    low = None if r.low is None or pd.isna(r.low) else float(r.low)
    high = None if r.high is None or pd.isna(r.high) else float(r.high)
    compared = low if criterion == "lower" else float(r.accuracy)
    ok = compared is not None and compared >= bar
    why = "" if ok else (
        f"{r.annotator}: {r.question}: accuracy against expert review "
        f"{'(interval lower bound) ' if criterion == 'lower' else ''}{(compared if compared is not None else 0):.3f} "
        f"is below min_review_accuracy {bar:.3f} ({int(r.n_accepted)} of {int(r.n_reviewed)} reviewed records "
        f"accepted" + (f"; interval {low:.3f}-{high:.3f})" if low is not None else ")"))
    return ReviewGate(str(r.annotator), str(r.question), int(r.n_reviewed), float(r.accuracy), low, high,
                      float(bar), ok, why)


def _review_checks(task: Task, review: pd.DataFrame | None, criterion: str) -> list[ReviewGate]:
    """Step 4: each (annotator, gated question) of ``review`` against ``min_review_accuracy``
    (none when the task sets no such bar, or there is no review yet).

    >>> from workbench.tasks import CalibrationPolicy, Question, Task
    >>> t = Task(name="t", title="t", description="", guideline="t", fields=(),
    ...          questions=(Question("q", "rating", "Q", "interval", values=(1, 2, 3)),),
    ...          calibration=CalibrationPolicy(min_review_accuracy=0.8))
    >>> rev = pd.DataFrame({"annotator": ["x", "y"], "question": "q", "n_reviewed": 50, "n_accepted": [45, 35],
    ...                     "n_corrected": [5, 15], "accuracy": [0.9, 0.7], "low": [0.79, 0.56], "high": [0.96, 0.81]})
    >>> [(r.annotator, r.passed) for r in _review_checks(t, rev, "point")]
    [('x', True), ('y', False)]
    >>> [(r.annotator, r.passed) for r in _review_checks(t, rev, "lower")]
    [('x', False), ('y', False)]
    """
    bar = getattr(task.calibration, "min_review_accuracy", None)
    if bar is None or review is None or not len(review):
        return []
    gated = {q.name for q in task.questions if q.has_agreement}
    return [_review_check(r, bar=bar, criterion=criterion) for r in review.itertuples(index=False)
            if r.question in gated]
