"""The calibration gate's shell: read a task's latest calibration round from the history store.

The rule and the decision are the functional core :mod:`workbench.analytics.gate`
(:func:`evaluate_gate`, re-exported here); this module reads the round, its responses and the
gold from the :class:`~workbench.store.HistoryStore` (:func:`gate_for_task`) and formats the
result (:func:`format_gate`). The CLI ``workbench gate TASK`` prints it and exits 0 when the gate
passes, 1 when it fails (2 for bad input such as an unknown task).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.analytics.gate import (CRITERIA, AnnotatorGate, Criterion, GateResult, QuestionGate, ReviewGate,
                                      criterion_text, evaluate_gate)
from workbench.tasks import Task

if TYPE_CHECKING:
    from workbench.store import HistoryStore

CALIBRATION_KINDS = ("calibration", "recalibration")
#: Kinds of the rounds only experts answer (expert review of production output, review of production
#: feedback). They are recorded under store keys of their own (``<task>-review``, ``<task>-feedback``)
#: and are never a labelling task: the dashboard's task lists and overview leave them out.
EXPERT_KINDS = ("review", "feedback-dpo", "feedback-kto")

__all__ = ["CALIBRATION_KINDS", "EXPERT_KINDS", "CRITERIA", "AnnotatorGate", "Criterion", "GateResult", "QuestionGate", "ReviewGate",
           "criterion_text", "evaluate_gate", "latest_calibration_round", "gate_for_task", "format_gate"]


def latest_calibration_round(store: HistoryStore, task: str) -> dict[str, Any] | None:
    """The latest recorded calibration or recalibration round of ``task`` (a row of ``store.rounds``)."""
    rounds = store.rounds(task)
    if rounds.empty:
        return None
    cal = rounds[rounds["kind"].isin(CALIBRATION_KINDS)]
    if cal.empty:
        return None
    return cal.sort_values(["round", "created_at"]).iloc[-1].to_dict()


def gate_for_task(store: HistoryStore, task: Task, *, criterion: Criterion = "point", n_boot: int = 1000,
                  seed: int = 0) -> GateResult:
    """The gate for ``task``'s latest calibration round, from what the store holds (as of the last sync)."""
    row = latest_calibration_round(store, task.name)
    if row is None:
        return GateResult(task.name, None, None, None, (), criterion, False, reasons=(
            f"task {task.name!r} has no calibration round: create one with "
            f"`workbench round create {task.name} --kind calibration`",))
    responses = store.tidy(task=task.name, dataset=row["dataset"])
    gold = store.gold(task.name)
    review = None
    if task.calibration.min_review_accuracy is not None:  # the bar on accuracy against expert review
        from workbench.review_store import accuracy_for_task

        review = accuracy_for_task(store, task)
    return evaluate_gate(task, responses, gold, round_number=int(row["round"]), dataset=row["dataset"], kind=row["kind"],
                         criterion=criterion, n_boot=n_boot, seed=seed, review=review)


def _fmt(x: float | None) -> str:
    return "undefined" if x is None else f"{x:.3f}"


def format_gate(result: GateResult) -> str:
    """The gate result as a plain-text report."""
    head = "PASS" if result.passed else "FAIL"
    where = (f"round {result.round} ({result.dataset}, {result.kind}"
             + (f", guideline v{', v'.join(map(str, result.guideline_versions))}" if result.guideline_versions else "")
             + ")") if result.dataset else "no calibration round"
    lines = [f"gate {result.task}: {head} - {where}", f"  rule: {criterion_text(result.criterion)}, "
             "and every annotator's exact agreement with gold >= min_gold_agreement, per question"]
    if result.questions:
        lines.append("")
        lines.append(f"  {'question':<14} {'level':<9} {'alpha':>7}  {'interval':<17} {'needs':>6}  {'band':<10} result")
        for q in result.questions:
            interval = f"[{q.low:.3f}, {q.high:.3f}]" if q.low is not None else "-"
            lines.append(f"  {q.question:<14} {q.level:<9} {_fmt(q.alpha):>7}  {interval:<17} {q.alpha_reliable:>6.3f}  "
                         f"{q.band:<10} {'ok' if q.passed else 'FAIL'}")
    if result.annotators:
        lines.append("")
        lines.append(f"  {'annotator':<16} {'question':<14} {'n_gold':>6} {'gold agr.':>9} {'needs':>6}  result")
        for a in result.annotators:
            lines.append(f"  {a.annotator:<16} {a.question:<14} {a.n_gold:>6} {_fmt(a.agreement):>9} "
                         f"{a.min_gold_agreement:>6.3f}  {'ok' if a.passed else 'FAIL'}")
    if result.reviews:
        lines.append("")
        lines.append(f"  {'annotator':<16} {'question':<14} {'reviewed':>8} {'accuracy':>9} {'interval':<13} {'needs':>6}  result"
                     "   (against expert review)")
        for r in result.reviews:
            interval = f"{r.low:.3f}-{r.high:.3f}" if r.low is not None else "-"
            lines.append(f"  {r.annotator:<16} {r.question:<14} {r.n_reviewed:>8} {r.accuracy:>9.3f} {interval:<13} "
                         f"{r.min_review_accuracy:>6.3f}  {'ok' if r.passed else 'FAIL'}")
    if result.reasons:
        lines.append("")
        lines.append("  why it fails:")
        lines.extend(f"  - {r}" for r in result.reasons)
        if result.failing_annotators:
            lines.append(f"  annotators below the gold bar: {', '.join(result.failing_annotators)}")
    return "\n".join(lines)
