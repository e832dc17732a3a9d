"""The per-question agreement report: coefficients with intervals, breakdowns and diagnosis.

:func:`question_report` builds a :class:`QuestionReport` for the tidy rows of one question;
:func:`report` does so for every question of a tidy table. Each coefficient carries a label
that says how it weighs disagreements, because coefficients with the same name are not
comparable across weightings: Gwet's AC2 with Gwet's *ordinal weights* is not Krippendorff's
*ordinal distance*, and a weighted Cohen's kappa is not the unweighted one.

Undefined values (alpha when every value is the same, a kappa with no variation) are ``None``
with a note saying why, never NaN; :meth:`QuestionReport.to_dict` is strict JSON.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from workbench.analytics.alpha import LEVELS, AlphaResult, alpha_with_interval, krippendorff_alpha
from workbench.analytics.breakdowns import (
    PairwiseAgreement,
    RaterAgreement,
    annotator_disagreement,
    confused_pairs,
    gold_agreement,
    gold_confusion,
    item_disagreement,
    label_alphas,
    leave_one_out,
    pairwise_agreement,
    rater_vs_consensus,
)
from workbench.analytics.breakdowns import keep_annotators as _drop_rows
from workbench.analytics.coefficients import fleiss_kappa, gwet_ac1, gwet_ac2, percent_agreement
from workbench.analytics.diagnosis import Band, Diagnosis, Level, Thresholds, band, diagnose
from workbench.analytics.records import JsonValue, frame_records, json_scalar
from workbench.analytics.reliability import ReliabilityData, mixes_numbers_and_text, to_reliability_data
from workbench.errors import BadInput

__all__ = ["Coefficient", "Distance", "GoldValues", "LevelSpec", "QuestionReport", "question_report", "report"]

SET_LEVELS = ("jaccard", "masi")

#: A custom distance for alpha: a function of two values, or a matrix over the categories.
Distance = Callable[[Any, Any], float] | ArrayLike
#: Gold values: a table with ``item`` and ``value`` (and ``question``), a Series indexed by item,
#: or a mapping item -> value.
GoldValues: TypeAlias = pd.DataFrame | pd.Series | Mapping[Hashable, Any]
#: A question's level in :func:`report`: a level name, ``(level, order)`` or ``{"level": ..., "order": [...]}``.
LevelSpec = Level | tuple[Level, Sequence | None] | list | Mapping[str, Any]


@dataclass(frozen=True)
class Coefficient:
    """One agreement coefficient of a question.

    Attributes
    ----------
    key : str
        Stable identifier (``"alpha"``, ``"percent_agreement"``, ``"gwet_ac2"``, ...).
    label : str
        What it is, with its weighting, e.g. ``"Gwet's AC2 (ordinal weights, Gwet 2014 - not
        Krippendorff's ordinal distance)"``.
    value : float or None
        None when undefined (see ``note``).
    low, high : float or None
        Interval bounds, where one is computed.
    note : str
    """

    key: str
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    note: str = ""

    def to_dict(self) -> dict[str, JsonValue]:
        return {k: json_scalar(getattr(self, k)) for k in ("key", "label", "value", "low", "high", "note")}


@dataclass(frozen=True)
class QuestionReport:
    """Agreement on one question.

    Attributes
    ----------
    question : str
    level : str
        Level of measurement of alpha (or ``"custom"``).
    n_items : int
        Items with at least one (human) annotation.
    n_pairable_items : int
        Items with values from two or more annotators (the ones agreement is measured on).
    n_annotators : int
        Human annotators (raters given in ``raters`` are reported separately).
    n_annotations : int
        Human annotations.
    alpha : Coefficient
        Krippendorff's alpha with its bootstrap interval (``ci``, ``n_boot``).
    ci : float or None
    n_boot : int
    band : str
        ``reliable``, ``tentative``, ``unreliable`` or ``undefined`` (see
        :class:`~workbench.analytics.diagnosis.Thresholds`).
    coefficients : tuple of Coefficient
        The other coefficients, each labelled with its weighting.
    labels : pandas.DataFrame
        One-vs-rest alpha per label (:func:`~workbench.analytics.breakdowns.label_alphas`).
    annotators : pandas.DataFrame
        Per annotator: ``n_annotations``, ``relative_disagreement``, ``robust_z``,
        ``alpha_without``, ``alpha_change``, ``mean_percent``, ``mean_kappa`` and, with gold,
        ``n_gold``, ``gold_accuracy``, ``gold_kappa``.
    pairwise : PairwiseAgreement or None
    disputed_items : pandas.DataFrame
        The most disputed items (:func:`~workbench.analytics.breakdowns.item_disagreement`).
    confused_pairs : pandas.DataFrame
    gold_confusion : pandas.DataFrame or None
        Pooled confusion matrix against gold (rows gold, columns given).
    raters : dict of str -> RaterAgreement
        Non-human raters, each against the humans' consensus and gold, with ``alpha_with``
        (alpha of the humans plus that rater) in :attr:`rater_alpha`.
    rater_alpha : dict of str -> Coefficient
    diagnosis : Diagnosis
    categories : tuple
    notes : tuple of str
    """

    question: Hashable
    level: Level | Literal["custom"]
    n_items: int
    n_pairable_items: int
    n_annotators: int
    n_annotations: int
    alpha: Coefficient
    ci: float | None
    n_boot: int
    band: Band
    coefficients: tuple[Coefficient, ...]
    labels: pd.DataFrame = field(repr=False)
    annotators: pd.DataFrame = field(repr=False)
    pairwise: PairwiseAgreement | None = field(repr=False)
    disputed_items: pd.DataFrame = field(repr=False)
    confused_pairs: pd.DataFrame = field(repr=False)
    gold_confusion: pd.DataFrame | None = field(repr=False)
    raters: dict[str, RaterAgreement] = field(repr=False)
    rater_alpha: dict[str, Coefficient] = field(repr=False)
    diagnosis: Diagnosis = field(repr=False)
    categories: tuple = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: no NaN (None with a note instead), numpy scalars as Python."""
        out = {
            "question": json_scalar(self.question),
            "level": self.level,
            "n_items": self.n_items,
            "n_pairable_items": self.n_pairable_items,
            "n_annotators": self.n_annotators,
            "n_annotations": self.n_annotations,
            "alpha": {**self.alpha.to_dict(), "ci": self.ci, "n_boot": self.n_boot},
            "band": self.band,
            "coefficients": [c.to_dict() for c in self.coefficients],
            "categories": [json_scalar(c) for c in self.categories],
            "labels": frame_records(self.labels),
            "annotators": frame_records(self.annotators),
            "pairwise": frame_records(self.pairwise.long()) if self.pairwise is not None else [],
            "disputed_items": frame_records(self.disputed_items.drop(columns=["position"], errors="ignore")),
            "confused_pairs": frame_records(self.confused_pairs),
            "gold_confusion": (
                {
                    "labels": [str(c) for c in self.gold_confusion.index],
                    "counts": self.gold_confusion.to_numpy().tolist(),
                }
                if self.gold_confusion is not None
                else None
            ),
            "raters": {
                str(name): {
                    "method": ra.method,
                    "kappa_label": ra.kappa_label,
                    "alpha_with": self.rater_alpha[name].to_dict(),
                    "table": frame_records(ra.table),
                }
                for name, ra in self.raters.items()
            },
            "diagnosis": self.diagnosis.to_dict(),
            "notes": list(self.notes),
        }
        return out


def _coefficient(key: str, label: str, fn: Callable[..., float], *args: Any, **kwargs: Any) -> Coefficient:
    try:
        value = float(fn(*args, **kwargs))
    except BadInput as exc:
        return Coefficient(key, label, None, note=f"undefined: {exc}")
    if not math.isfinite(value):
        return Coefficient(key, label, None, note="undefined for these data (no variation to correct for chance)")
    return Coefficient(key, label, value)


def _alpha(rd: ReliabilityData, level: Level, distance: Distance | None, n_boot: int, ci: float,
           seed: int | None) -> tuple[Coefficient, AlphaResult | None]:
    """alpha Coefficient; raises BadInput for real input errors, notes undefined alpha."""
    name = f"Krippendorff's alpha ({level})" if distance is None else "Krippendorff's alpha (custom distance)"
    try:
        res = alpha_with_interval(rd, level, n_boot=n_boot, ci=ci, seed=seed, distance=distance)
    except BadInput as exc:
        text = str(exc)
        if text.startswith("alpha is undefined"):
            return Coefficient("alpha", name, None, note=text), None
        if "bootstrap interval is undefined" in text:
            value = krippendorff_alpha(rd, level, distance=distance)
            return Coefficient("alpha", name, value, note=text), None
        raise
    note = ""
    if res.n_boot_undefined:
        note = f"{res.n_boot_undefined} of {res.n_boot} resamples had undefined alpha and were left out"
    return Coefficient("alpha", name, res.alpha, res.low, res.high, note), res


def _other_coefficients(rd: ReliabilityData, level: Level, pairwise: PairwiseAgreement | None,
                        distance: Distance | None) -> list[Coefficient]:
    out = [
        _coefficient(
            "percent_agreement",
            "Percent agreement (unweighted, exact match)",
            percent_agreement,
            rd,
        )
    ]
    if level in SET_LEVELS or distance is not None:
        return out
    out.append(_coefficient("fleiss_kappa", "Fleiss' kappa (unweighted)", fleiss_kappa, rd))
    out.append(_coefficient("gwet_ac1", "Gwet's AC1 (unweighted)", gwet_ac1, rd))
    if level == "ordinal":
        out.append(
            _coefficient(
                "gwet_ac2",
                "Gwet's AC2 (ordinal weights, Gwet 2014 - not Krippendorff's ordinal distance)",
                gwet_ac2,
                rd,
                weights="ordinal",
            )
        )
    elif level in ("interval", "ratio"):
        out.append(_coefficient("gwet_ac2", "Gwet's AC2 (quadratic weights, Gwet 2014)", gwet_ac2, rd, weights="quadratic"))
    if pairwise is not None:
        kap = pairwise.long()["kappa"].to_numpy(dtype=float)
        finite = kap[np.isfinite(kap)]
        label = f"{pairwise.kappa_label}, mean over {len(kap)} annotator pairs"
        if len(finite):
            note = "" if len(finite) == len(kap) else f"{len(kap) - len(finite)} pairs undefined or without common items, left out"
            out.append(Coefficient("mean_cohen_kappa", label, float(finite.mean()), note=note))
        else:
            out.append(Coefficient("mean_cohen_kappa", label, None, note="undefined for every pair"))
    return out


def _gold_for(gold: GoldValues | None, question: Hashable) -> GoldValues | None:
    if gold is None:
        return None
    if isinstance(gold, pd.DataFrame) and "question" in gold.columns:
        sub = gold[gold["question"] == question]
        return sub if len(sub) else None
    return gold


@dataclass(frozen=True)
class _Team:
    """The reliability data of one question, checked: everyone (``everyone``), the humans only
    (``humans``), the non-human ``raters`` and the humans' rows in ``everyone``."""

    everyone: ReliabilityData
    humans: ReliabilityData
    raters: tuple[str, ...]
    human_rows: tuple[int, ...]


@dataclass(frozen=True)
class _Coverage:
    """How much of the question the humans answered."""

    n_items: int
    n_pairable_items: int
    n_annotations: int
    per_annotator: np.ndarray


@dataclass(frozen=True)
class _AnnotatorBreakdown:
    """The per-annotator evidence: the report's table and what the diagnosis reuses."""

    table: pd.DataFrame
    leave_one_out: pd.DataFrame
    disagreement: pd.DataFrame
    gold_table: pd.DataFrame | None
    gold_confusion: pd.DataFrame | None
    notes: tuple[str, ...]


def _question_name(df_question: pd.DataFrame, question: Hashable | None) -> Hashable:
    if question is not None:
        return question
    return df_question["question"].iloc[0] if "question" in df_question.columns and len(df_question) else "question"


def _team(df_question: pd.DataFrame, *, level: Level, order: Sequence | None, raters: Sequence[str] | None,
          distance: Distance | None, question: Hashable) -> _Team:
    """The question's reliability data, humans apart from ``raters``; raises :class:`BadInput` for
    an unknown rater, fewer than two humans, text at interval/ratio level or unordered labels at
    ordinal level."""
    rd_all = to_reliability_data(df_question, order=order, as_sets=distance is None)
    raters = list(raters or [])
    for r in raters:
        if r not in rd_all.annotators:
            raise BadInput(
                f"question {question!r}: rater {r!r} is not among the annotators"
                f" ({', '.join(map(repr, rd_all.annotators[:10]))})"
            )
    human_rows = [i for i, a in enumerate(rd_all.annotators) if a not in raters]
    rd = _drop_rows(rd_all, human_rows) if raters else rd_all
    if rd.n_annotators < 2:
        who = ", ".join(map(repr, rd.annotators)) or "none"
        raise BadInput(
            f"question {question!r}: agreement needs at least two annotators; found {rd.n_annotators} ({who})"
        )
    if level in ("interval", "ratio") and not rd_all.numeric:
        bad = next(c for c in rd_all.categories if not isinstance(c, (int, float)) or isinstance(c, bool))
        raise BadInput(f"question {question!r}: {level}-level agreement needs numbers; value {bad!r} is not a number")
    if level == "ordinal" and not rd_all.ordered and distance is None:
        raise BadInput(
            f"question {question!r}: ordinal level needs ordered values; the labels"
            f" {', '.join(map(repr, rd_all.categories[:5]))} are not numbers: give their order"
        )
    return _Team(everyone=rd_all, humans=rd, raters=tuple(raters), human_rows=tuple(human_rows))


def _coverage(rd: ReliabilityData) -> _Coverage:
    present = rd.codes >= 0
    per_item = present.sum(axis=0)
    return _Coverage(n_items=int((per_item > 0).sum()), n_pairable_items=int((per_item >= 2).sum()),
                     n_annotations=int(present.sum()), per_annotator=present.sum(axis=1))


def _annotator_breakdown(rd: ReliabilityData, *, level: Level, distance: Distance | None, alpha: float | None,
                         pairwise: PairwiseAgreement | None, gold: GoldValues | None,
                         n_annotations: np.ndarray) -> _AnnotatorBreakdown:
    """Per annotator: annotations, disagreement, alpha without them, agreement with the others and,
    with gold, with gold (NaN where alpha is undefined)."""
    if alpha is not None:
        loo = leave_one_out(rd, level, distance=distance, alpha=alpha)
        dis = annotator_disagreement(rd, level, distance=distance)
    else:
        loo = pd.DataFrame({"annotator": list(rd.annotators), "alpha_without": np.nan, "change": np.nan, "note": ""})
        dis = pd.DataFrame({"annotator": list(rd.annotators), "relative": np.nan, "robust_z": np.nan})
    table = pd.DataFrame({
        "annotator": list(rd.annotators),
        "n_annotations": n_annotations,
        "relative_disagreement": dis["relative"].to_numpy(),
        "robust_z": dis["robust_z"].to_numpy(),
        "alpha_without": loo["alpha_without"].to_numpy(),
        "alpha_change": loo["change"].to_numpy(),
    })
    if pairwise is not None:
        means = pairwise.mean_with_others()
        table["mean_percent"] = means["mean_percent"].to_numpy()
        table["mean_kappa"] = means["mean_kappa"].to_numpy()
    gold_table = gold_conf = None
    notes: tuple[str, ...] = ()
    if gold is not None:
        gold_table = gold_agreement(rd, gold)
        table["n_gold"] = gold_table["n_gold"].to_numpy()
        table["gold_accuracy"] = gold_table["accuracy"].to_numpy()
        table["gold_kappa"] = gold_table["kappa"].to_numpy()
        gold_conf = gold_confusion(rd, gold)
        if int(gold_table["n_gold"].sum()) == 0:
            notes = ("no gold value matches an annotated item",)
    return _AnnotatorBreakdown(table=table, leave_one_out=loo, disagreement=dis, gold_table=gold_table,
                               gold_confusion=gold_conf, notes=notes)


def _disputes_and_diagnosis(rd: ReliabilityData, *, level: Level, distance: Distance | None, alpha: float | None,
                            gold: GoldValues | None, thresholds: Thresholds, breakdown: _AnnotatorBreakdown,
                            top_items: int) -> tuple[pd.DataFrame, Diagnosis]:
    """The most disputed items and the diagnosis (which reuses the breakdown's evidence)."""
    if alpha is None:
        return (pd.DataFrame(columns=["item", "n_values", "labels"]),
                diagnose(rd, level, distance=distance, thresholds=thresholds))
    disputed = item_disagreement(rd, level, distance=distance, top=top_items)
    diagnosis = diagnose(
        rd, level, distance=distance, gold=gold, thresholds=thresholds, alpha=alpha, loo=breakdown.leave_one_out,
        gold_table=breakdown.gold_table, disagreement=breakdown.disagreement,
    )
    return disputed, diagnosis


def _rater_reports(team: _Team, *, level: Level, distance: Distance | None,
                   gold: GoldValues | None) -> tuple[dict[str, RaterAgreement], dict[str, Coefficient]]:
    """Each non-human rater against the humans' consensus and gold, and alpha with them added."""
    rd_all, human_rows = team.everyone, list(team.human_rows)
    reports, alphas = {}, {}
    for r in team.raters:
        reports[r] = rater_vs_consensus(rd_all, r, [rd_all.annotators[i] for i in human_rows], level=level, gold=gold)
        with_r = _drop_rows(rd_all, human_rows + [rd_all.annotators.index(r)])
        alphas[r] = _coefficient(
            "alpha_with_rater",
            f"Krippendorff's alpha ({level}) of the humans plus {r}",
            krippendorff_alpha,
            with_r,
            level,
            distance=distance,
        )
    return reports, alphas


def question_report(
    df_question: pd.DataFrame,
    *,
    level: Level,
    order: Sequence | None = None,
    gold: GoldValues | None = None,
    thresholds: Thresholds = Thresholds(),
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int | None = None,
    raters: Sequence[str] | None = None,
    distance: Distance | None = None,
    top_items: int = 20,
    question: Hashable | None = None,
) -> QuestionReport:
    """Full agreement report for the tidy rows of ONE question.

    Parameters
    ----------
    df_question : pandas.DataFrame
        Columns ``item``, ``annotator``, ``value`` (and ``question``, one value).
    level : {"nominal", "ordinal", "interval", "ratio", "jaccard", "masi"}
    order : sequence, optional
        Order of the labels, lowest first (needed for ordinal labels that are not numbers).
    gold : optional
        Gold values: a table with ``item`` and ``value`` (and ``question``), a Series indexed
        by item or a mapping item -> value.
    thresholds : Thresholds
        Reliability bands and diagnosis cut-offs.
    n_boot, ci, seed
        Bootstrap of alpha over items (``n_boot=0``: no interval).
    raters : sequence of str, optional
        Annotators that are not human (LLM judges, suggestion agents). They are left out of
        the team's coefficients and measured like a human against the humans' consensus and
        gold, and by the alpha of the humans with them added.
    distance : callable or matrix, optional
        Custom distance for alpha (overrides ``level`` for alpha, disagreement and diagnosis).
    top_items : int
        Disputed items listed.
    question : optional
        Name of the question (default: the ``question`` column's value, else ``"question"``).

    Returns
    -------
    QuestionReport

    Raises
    ------
    BadInput
        Bad table, unknown level, fewer than two human annotators, non-numeric values at
        interval/ratio level, unordered labels at ordinal level, unknown rater names.
    """
    if level not in LEVELS:
        raise BadInput(f"level {level!r} is not one of {', '.join(LEVELS)}")
    question = _question_name(df_question, question)
    team = _team(df_question, level=level, order=order, raters=raters, distance=distance, question=question)
    rd = team.humans
    coverage = _coverage(rd)
    notes = []
    if mixes_numbers_and_text(df_question["value"].to_numpy()):
        notes.append("values mix numbers and text, so every value is a label compared as its text (1 and 1.0 are "
                     "two labels); if a text value marks a missing answer, give it as None (CLI: --missing)")

    alpha_coef, _ = _alpha(rd, level, distance, n_boot, ci, seed)
    alpha_value = alpha_coef.value
    qgold = _gold_for(gold, question)

    pairwise = None
    if level not in SET_LEVELS and distance is None:
        pairwise = pairwise_agreement(rd)
    coefficients = tuple(_other_coefficients(rd, level, pairwise, distance))

    labels = label_alphas(rd)
    breakdown = _annotator_breakdown(rd, level=level, distance=distance, alpha=alpha_value, pairwise=pairwise,
                                     gold=qgold, n_annotations=coverage.per_annotator)
    notes += breakdown.notes
    disputed, diagnosis = _disputes_and_diagnosis(rd, level=level, distance=distance, alpha=alpha_value, gold=qgold,
                                                  thresholds=thresholds, breakdown=breakdown, top_items=top_items)
    pairs = confused_pairs(rd, top=10)
    rater_reports, rater_alpha = _rater_reports(team, level=level, distance=distance, gold=qgold)

    return QuestionReport(
        question=question,
        level=level if distance is None else "custom",
        n_items=coverage.n_items,
        n_pairable_items=coverage.n_pairable_items,
        n_annotators=rd.n_annotators,
        n_annotations=coverage.n_annotations,
        alpha=alpha_coef,
        ci=ci if (n_boot and alpha_coef.low is not None) else None,
        n_boot=int(n_boot) if alpha_coef.low is not None else 0,
        band=band(alpha_value, thresholds),
        coefficients=coefficients,
        labels=labels,
        annotators=breakdown.table,
        pairwise=pairwise,
        disputed_items=disputed,
        confused_pairs=pairs,
        gold_confusion=breakdown.gold_confusion,
        raters=rater_reports,
        rater_alpha=rater_alpha,
        diagnosis=diagnosis,
        categories=rd.categories,
        notes=tuple(notes),
    )


def _level_spec(spec: LevelSpec, question: Hashable) -> tuple[Level, Sequence | None]:
    if isinstance(spec, str):
        return spec, None
    if isinstance(spec, Mapping):
        if "level" not in spec:
            raise BadInput(f"task_levels: question {question!r} has no 'level'")
        return spec["level"], spec.get("order")
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        return spec[0], spec[1]
    raise BadInput(f"task_levels: question {question!r}: expected a level name, (level, order) or {{'level': ...}}; got {spec!r}")


def report(df: pd.DataFrame, task_levels: Level | Mapping[Hashable, LevelSpec], gold: GoldValues | None = None,
           **kwargs: Any) -> dict[Hashable, QuestionReport]:
    """:func:`question_report` for every question of a tidy table.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy annotations (``item``, ``annotator``, ``question``, ``value``).
    task_levels : str or mapping
        One level for every question, or per question: a level name, ``(level, order)`` or
        ``{"level": ..., "order": [...]}``.
    gold : pandas.DataFrame, optional
        Gold values with ``item``, ``question`` and ``value`` (without a ``question`` column
        the same gold values apply to every question).
    **kwargs
        Passed to :func:`question_report`.

    Returns
    -------
    dict
        question -> QuestionReport, in order of first appearance.

    Raises
    ------
    BadInput
        As :func:`~workbench.analytics.reliability.validate_annotations`, a question without a
        level, or any error of :func:`question_report` (naming the question).
    """
    from workbench.analytics.reliability import validate_annotations

    tidy = validate_annotations(df)
    questions = list(pd.unique(tidy["question"]))
    out = {}
    for q in questions:
        if isinstance(task_levels, str):
            level, order = task_levels, None
        else:
            if q not in task_levels:
                raise BadInput(
                    f"task_levels: question {q!r} has no level (given for: {', '.join(map(repr, task_levels)) or 'none'})"
                )
            level, order = _level_spec(task_levels[q], q)
        rows = tidy[tidy["question"] == q]
        out[q] = question_report(rows, level=level, order=order, gold=gold, question=q, **kwargs)
    return out
