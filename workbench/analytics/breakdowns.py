"""Where agreement is lost: per label, per annotator, per item, per pair of annotators.

Every function takes the :class:`~workbench.analytics.reliability.ReliabilityData` of ONE
question (annotators x items integer codes, ``-1`` missing) and works on the whole codes
matrix at once (``numpy.bincount`` and small matrix products; no Python loop over items).

Notation, as in :mod:`workbench.analytics.alpha`: ``n_u`` is the vector of value counts of
item ``u`` (how many annotators gave each category), ``m_u = sum(n_u)``; only items with
``m_u >= 2`` are *pairable*. ``delta`` is the V x V distance matrix of the level of
measurement and ``D_e`` the question's expected disagreement.

Breakdowns
----------
:func:`label_alphas`
    one-vs-rest alpha per label: the nominal alpha of the data binarised into "this label /
    any other label". From the coincidence matrix ``o`` with marginals ``n_c`` and total
    ``n``, the binarised alpha is exactly ``1 - (n - 1) (n_c - o_cc) / (n_c (n - n_c))``.
:func:`confused_pairs`
    for each pair of labels, the number of annotator pairs (within an item) that split
    between them, and in how many items.
:func:`item_disagreement`
    per item: the share of disagreeing annotator pairs, the mean pairwise distance
    ``n_u' delta n_u / (m_u (m_u - 1))`` and the same relative to ``D_e`` (1 = as much
    disagreement as values drawn at random), with the labels given.
:func:`annotator_disagreement`
    per annotator: the mean distance from their value to the other values of the same item,
    relative to ``D_e``, and its robust z-score among the annotators.
:func:`leave_one_out`
    alpha of the data without each annotator, and the change.
:func:`pairwise_agreement`
    percent agreement, Cohen's kappa and the number of items in common for every pair.
:func:`gold_agreement`, :func:`gold_confusion`
    accuracy and Cohen's kappa against gold values, and the confusion matrix vs gold.
:func:`consensus`, :func:`rater_vs_consensus`
    a non-human rater (LLM judge, suggestion agent) given as another annotator, measured
    exactly as a human: against the consensus (majority or median) of the humans, excluding
    itself, and against gold; each human is measured the same way (against the others) for
    reference.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from workbench.analytics import distances as _dist
from workbench.analytics.alpha import LEVELS, coincidence_matrix
from workbench.analytics.coefficients import cohen_kappa, pairwise_cohen_kappa
from workbench.analytics.reliability import ReliabilityData, as_reliability_data
from workbench.errors import BadInput

__all__ = [
    "PairwiseAgreement",
    "RaterAgreement",
    "align_gold",
    "annotator_disagreement",
    "canonical_value",
    "category_text",
    "confused_pairs",
    "consensus",
    "consensus_from_counts",
    "consensus_method",
    "format_labels",
    "gold_agreement",
    "gold_confusion",
    "item_disagreement",
    "item_value_counts",
    "keep_annotators",
    "label_alphas",
    "leave_one_out",
    "level_distance",
    "pairwise_agreement",
    "rater_vs_consensus",
    "robust_z",
    "with_row",
]

# Robust z-scores: 1.4826 * MAD estimates the standard deviation of a normal distribution.
_MAD_SCALE = 1.4826


def category_text(value: object) -> str:
    """A category as text: a set of labels as ``{a, b}`` (sorted), anything else as ``str``."""
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    return str(value)


def item_value_counts(data) -> np.ndarray:
    """Value counts per item: an ``int64`` array (n_items, n_categories).

    Examples
    --------
    >>> item_value_counts([[1, 1, 2], [1, 2, float("nan")]])
    array([[2, 0],
           [1, 1],
           [0, 1]])
    """
    rd = as_reliability_data(data)
    v = len(rd.categories)
    codes = rd.codes
    present = codes >= 0
    flat = (np.arange(rd.n_items, dtype=np.int64)[None, :] * v + codes)[present]
    return np.bincount(flat, minlength=rd.n_items * v).reshape(rd.n_items, v)


def level_distance(data, level: str = "nominal", *, distance=None) -> np.ndarray:
    """The V x V distance matrix ``delta`` that alpha uses for this data and level.

    For ``"ordinal"`` the distance depends on the marginals of the coincidence matrix
    (Krippendorff's ordinal metric), which are taken from ``data``. ``distance`` (a callable
    on two values or a V x V matrix) overrides ``level``, as in
    :func:`~workbench.analytics.alpha.krippendorff_alpha`.

    Examples
    --------
    >>> level_distance([[1, 2, 4], [1, 2, 4]], "interval")
    array([[0., 1., 9.],
           [1., 0., 4.],
           [9., 4., 0.]])
    """
    rd = as_reliability_data(data)
    v = len(rd.categories)
    if distance is not None:
        if callable(distance):
            return _dist.pairwise_matrix(rd.categories, distance)
        matrix = np.asarray(distance, dtype=float)
        if matrix.shape != (v, v):
            raise BadInput(f"distance matrix has shape {matrix.shape}; expected ({v}, {v})")
        return matrix
    if level not in LEVELS:
        raise BadInput(f"level {level!r} is not one of {', '.join(LEVELS)}")
    if level == "nominal":
        return _dist.nominal_matrix(v)
    if level == "ordinal":
        if not rd.ordered:
            raise BadInput(
                "ordinal level needs ordered values; the labels"
                f" {', '.join(category_text(c) for c in rd.categories[:5])} have no order (give an order)"
            )
        return _dist.ordinal_matrix(coincidence_matrix(rd).sum(axis=1))
    if level in ("interval", "ratio"):
        values = rd.category_values()
        return _dist.interval_matrix(values) if level == "interval" else _dist.ratio_matrix(values)
    if level == "jaccard":
        return _dist.jaccard_matrix(rd.categories)
    return _dist.masi_matrix(rd.categories)


def _expected_disagreement(counts: np.ndarray, delta: np.ndarray) -> float:
    """``D_e`` over the pairable items (nan when undefined)."""
    m = counts.sum(axis=1)
    marg = counts[m >= 2].sum(axis=0).astype(float)
    n = marg.sum()
    if n < 2:
        return float("nan")
    de = float(marg @ delta @ marg) / (n * (n - 1.0))
    return de if de > 0 else float("nan")


def label_alphas(data) -> pd.DataFrame:
    """One-vs-rest nominal alpha for every label.

    Each label ``c`` is scored by the alpha of the data recoded into "``c``" versus "any
    other label" (nominal). A label that is reliably told apart from the rest has a high
    alpha even when the question's overall alpha is low.

    Returns
    -------
    pandas.DataFrame
        One row per category: ``label``, ``n_values`` (pairable values with this label),
        ``share`` (of pairable values), ``alpha`` (NaN when undefined: the label was never
        used, or every pairable value is this label) and ``note``.

    Examples
    --------
    ``b`` is never confused with anything (values checked with the ``krippendorff`` package
    on the binarised data):

    >>> table = label_alphas([["a", "a", "b", "b", "c"], ["a", "c", "b", "b", "a"]])
    >>> table[["label", "n_values", "alpha"]].round(3)
      label  n_values  alpha
    0     a         4  0.250
    1     b         4  1.000
    2     c         2 -0.125
    """
    rd = as_reliability_data(data)
    o = coincidence_matrix(rd)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    off = n_c - np.diag(o)  # coincidences of c with another label
    denom = n_c * (n - n_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(denom > 0, 1.0 - (n - 1.0) * off / denom, np.nan)
    notes = np.where(
        n_c == 0,
        "never given in a pairable item",
        np.where(denom > 0, "", "every pairable value is this label: undefined"),
    )
    return pd.DataFrame({
        "label": [category_text(c) for c in rd.categories],
        "n_values": np.rint(n_c).astype(np.int64),
        "share": n_c / n if n > 0 else np.zeros_like(n_c),
        "alpha": alpha,
        "note": notes,
    })


def confused_pairs(data, *, items=None, top: int | None = None) -> pd.DataFrame:
    """Pairs of labels that annotators split between, most frequent first.

    Parameters
    ----------
    data : ReliabilityData or array-like
    items : array-like of int, optional
        Item positions to restrict to (e.g. the most disputed items).
    top : int, optional
        Keep only this many pairs.

    Returns
    -------
    pandas.DataFrame
        ``label_a``, ``label_b``, ``pairs`` (unordered pairs of annotators, within an item,
        one of whom gave ``label_a`` and the other ``label_b``), ``items`` (items in which both
        labels were given), ``share`` (of all disagreeing annotator pairs). Pairs never split
        are left out.

    Examples
    --------
    >>> confused_pairs([["x", "x", "y"], ["x", "y", "z"], ["x", "y", "y"]])
      label_a label_b  pairs  items  share
    0       x       y      2      1    0.5
    1       y       z      2      1    0.5
    """
    rd = as_reliability_data(data)
    counts = item_value_counts(rd)
    if items is not None:
        counts = counts[np.asarray(items, dtype=np.intp)]
    c = counts.astype(float)
    pairs = c.T @ c
    both = (c > 0).astype(float)
    n_items = both.T @ both
    iu = np.triu_indices(len(rd.categories), k=1)
    p = pairs[iu]
    total = p.sum()
    keep = p > 0
    out = pd.DataFrame({
        "label_a": [category_text(rd.categories[i]) for i in iu[0][keep]],
        "label_b": [category_text(rd.categories[j]) for j in iu[1][keep]],
        "pairs": np.rint(p[keep]).astype(np.int64),
        "items": np.rint(n_items[iu][keep]).astype(np.int64),
        "share": p[keep] / total if total > 0 else p[keep],
    })
    out = out.sort_values(["pairs", "items"], ascending=False, kind="stable").reset_index(drop=True)
    return out.head(top) if top is not None else out


def format_labels(categories, counts_row) -> str:
    """``"safe x3, unsafe x1"``: the labels given in an item, most frequent first.

    >>> format_labels(("no", "yes"), [1, 3])
    'yes x3, no x1'
    """
    counts_row = np.asarray(counts_row)
    idx = np.flatnonzero(counts_row)
    idx = idx[np.argsort(-counts_row[idx], kind="stable")]
    return ", ".join(f"{category_text(categories[i])} x{int(counts_row[i])}" for i in idx)


def item_disagreement(data, level: str = "nominal", *, distance=None, top: int | None = None) -> pd.DataFrame:
    """Disagreement in each pairable item, most disputed first.

    Parameters
    ----------
    data : ReliabilityData or array-like
    level, distance
        The question's level of measurement (or custom distance), as for alpha.
    top : int, optional
        Keep only the ``top`` most disputed items. An item where every value is the same
        (``disagreeing_pairs`` 0) is not disputed and is then left out, so the list may be
        shorter than ``top`` (empty when every item is unanimous).

    Returns
    -------
    pandas.DataFrame
        ``item``; ``position`` (column in the codes matrix); ``n_values`` (``m_u``);
        ``disagreeing_pairs`` (share of annotator pairs in the item that gave different
        values); ``disagreement`` (mean distance over those pairs under the level's distance);
        ``relative_disagreement`` (``disagreement / D_e``: 0 unanimous, 1 as much as random
        values; NaN when ``D_e`` is 0); ``mass`` (the item's share of the question's observed
        disagreement ``D_o``); ``labels`` (what was given). Sorted by ``mass`` then
        ``relative_disagreement``, descending.

    Examples
    --------
    >>> item_disagreement([[1, 1, 2], [1, 2, 2], [1, 3, 2]])[["item", "labels", "disagreeing_pairs"]]
       item            labels  disagreeing_pairs
    0     1  1 x1, 2 x1, 3 x1                1.0
    1     0              1 x3                0.0
    2     2              2 x3                0.0
    >>> item_disagreement([[1, 1, 2], [1, 2, 2], [1, 3, 2]], top=3)["item"].tolist()
    [1]
    """
    rd = as_reliability_data(data)
    delta = level_distance(rd, level, distance=distance)
    counts = item_value_counts(rd)
    m = counts.sum(axis=1)
    pos = np.flatnonzero(m >= 2)
    c = counts[pos].astype(float)
    mu = m[pos].astype(float)
    pairs = mu * (mu - 1.0)
    agree = (c * (c - 1.0)).sum(axis=1)
    summed = np.einsum("ij,jk,ik->i", c, delta, c)  # sum over ordered pairs of distances
    d_e = _expected_disagreement(counts, delta)
    item_mass = summed / (mu - 1.0)
    total_mass = item_mass.sum()
    out = pd.DataFrame({
        "item": [rd.items[i] for i in pos],
        "position": pos,
        "n_values": m[pos],
        "disagreeing_pairs": (pairs - agree) / pairs,
        "disagreement": summed / pairs,
        "relative_disagreement": summed / pairs / d_e if np.isfinite(d_e) else np.nan,
        "mass": item_mass / total_mass if total_mass > 0 else np.zeros_like(item_mass),
    })
    order = np.lexsort((-out["relative_disagreement"].fillna(0).to_numpy(), -item_mass))
    out = out.iloc[order]
    if top is not None:  # "the most disputed items": never a unanimous one, even when fewer are disputed
        out = out[out["disagreeing_pairs"].to_numpy() > 0].head(top)
    out = out.reset_index(drop=True)
    out["labels"] = [format_labels(rd.categories, counts[p]) for p in out["position"]]
    return out


def robust_z(x) -> np.ndarray:
    """Robust z-scores ``(x - median) / (1.4826 * MAD)``, NaN-aware; 0 when MAD is 0.

    >>> robust_z([1.0, 1.1, 0.9, 1.0, 3.0]).round(2)
    array([ 0.  ,  0.67, -0.67,  0.  , 13.49])
    """
    x = np.asarray(x, dtype=float)
    med = np.nanmedian(x) if np.isfinite(x).any() else np.nan
    mad = _MAD_SCALE * np.nanmedian(np.abs(x - med)) if np.isfinite(x).any() else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mad > 0, (x - med) / mad, 0.0)


def annotator_disagreement(data, level: str = "nominal", *, distance=None) -> pd.DataFrame:
    """How far each annotator's values lie from the other values of the same items.

    For annotator ``a`` who gave category ``c`` in pairable item ``u``, the mean distance to
    the other values there is ``(n_u' delta)[c] / (m_u - 1)``; averaged over the items ``a``
    rated this is ``disagreement``. ``relative`` divides by the question's expected
    disagreement ``D_e`` (1 = as far from the others as a random value). ``robust_z`` is
    the robust z-score of ``relative`` among the annotators (median and MAD).

    Returns
    -------
    pandas.DataFrame
        ``annotator``, ``n_annotations``, ``n_pairable`` (annotations in pairable items),
        ``disagreement``, ``relative``, ``robust_z``.

    Examples
    --------
    >>> t = annotator_disagreement([[1, 2, 3, 1], [1, 2, 3, 1], [2, 3, 1, 2]])
    >>> t[["annotator", "disagreement"]].round(2)
       annotator  disagreement
    0          0           0.5
    1          1           0.5
    2          2           1.0
    """
    rd = as_reliability_data(data)
    delta = level_distance(rd, level, distance=distance)
    counts = item_value_counts(rd)
    m = counts.sum(axis=1)
    to_others = counts.astype(float) @ delta  # (items, V): summed distance of a value c to the item's values
    codes = rd.codes
    present = codes >= 0
    pairable = present & (m >= 2)[None, :]
    cols = np.broadcast_to(np.arange(rd.n_items), codes.shape)
    dist = np.zeros(codes.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        dist[pairable] = to_others[cols[pairable], codes[pairable]] / (m[cols[pairable]] - 1.0)
    n_pair = pairable.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n_pair > 0, dist.sum(axis=1) / n_pair, np.nan)
    d_e = _expected_disagreement(counts, delta)
    relative = mean / d_e if np.isfinite(d_e) else np.full_like(mean, np.nan)
    return pd.DataFrame({
        "annotator": list(rd.annotators),
        "n_annotations": present.sum(axis=1),
        "n_pairable": n_pair,
        "disagreement": mean,
        "relative": relative,
        "robust_z": robust_z(relative),
    })


def keep_annotators(rd: ReliabilityData, keep: ArrayLike) -> ReliabilityData:
    """``rd`` with only the annotators (rows) at positions ``keep``, in that order; the items and
    categories unchanged."""
    keep = np.asarray(keep, dtype=np.intp)
    return ReliabilityData(
        codes=rd.codes[keep],
        categories=rd.categories,
        annotators=tuple(rd.annotators[i] for i in keep),
        items=rd.items,
        ordered=rd.ordered,
    )


def _alpha_from_counts(counts: np.ndarray, delta) -> float:
    """alpha from item value counts; ``delta=None`` means Krippendorff's ordinal metric.

    ``o = sum_u (n_u n_u' - diag(n_u)) / (m_u - 1)`` over the pairable items, as one weighted
    product (floating-point sums, unlike the exactly grouped sums of
    :mod:`~workbench.analytics.alpha`: equal to it up to rounding). NaN when undefined.
    """
    m = counts.sum(axis=1)
    keep = m >= 2
    c = counts[keep].astype(float)
    if len(c) == 0:
        return float("nan")
    w = 1.0 / (m[keep] - 1.0)
    o = (c * w[:, None]).T @ c - np.diag(w @ c)
    marg = o.sum(axis=1)
    n = marg.sum()
    d = _dist.ordinal_matrix(marg) if delta is None else delta
    expected = float(marg @ d @ marg)
    if expected <= 0:
        return float("nan")
    return float(1.0 - (n - 1.0) * float((o * d).sum()) / expected)


def leave_one_out(data, level: str = "nominal", *, distance=None, alpha: float | None = None) -> pd.DataFrame:
    """Alpha of the data without each annotator in turn.

    Computed from the item value counts minus each annotator's own values, one weighted matrix
    product per annotator (no re-coding of the data).

    Parameters
    ----------
    data, level, distance
        As for :func:`~workbench.analytics.alpha.krippendorff_alpha`.
    alpha : float, optional
        Alpha with everyone, if already computed.

    Returns
    -------
    pandas.DataFrame
        ``annotator``, ``n_annotations``, ``alpha_without`` (NaN when undefined without them,
        e.g. with fewer than two annotators left), ``change`` (``alpha_without - alpha``:
        positive when the team agrees better without them), ``note``.

    Examples
    --------
    >>> t = leave_one_out([[1, 2, 3, 1, 2], [1, 2, 3, 1, 2], [3, 1, 2, 2, 1]])
    >>> t[["annotator", "alpha_without"]].round(3)
       annotator  alpha_without
    0          0         -0.406
    1          1         -0.406
    2          2          1.000
    """
    rd = as_reliability_data(data)
    delta = None if (level == "ordinal" and distance is None) else level_distance(rd, level, distance=distance)
    if level == "ordinal" and distance is None and not rd.ordered:
        level_distance(rd, level)  # raises the ordinal-needs-order error
    counts = item_value_counts(rd)
    if alpha is None:
        alpha = _alpha_from_counts(counts, delta)
    without, notes = [], []
    for a in range(rd.n_annotators):
        if rd.n_annotators - 1 < 2:
            without.append(np.nan)
            notes.append("fewer than two annotators without them")
            continue
        own = rd.codes[a]
        has = np.flatnonzero(own >= 0)
        sub = counts.copy()
        sub[has, own[has]] -= 1
        value = _alpha_from_counts(sub, delta)
        without.append(value)
        notes.append("" if np.isfinite(value) else "alpha undefined without them (no pairable variation)")
    alpha_without = np.asarray(without, dtype=float)
    return pd.DataFrame({
        "annotator": list(rd.annotators),
        "n_annotations": (rd.codes >= 0).sum(axis=1),
        "alpha_without": alpha_without,
        "change": alpha_without - alpha,
        "note": notes,
    })


@dataclass(frozen=True)
class PairwiseAgreement:
    """Agreement between every two annotators (annotator x annotator tables).

    Attributes
    ----------
    n_common : pandas.DataFrame
        Items both annotators rated (the diagonal: items each rated).
    percent : pandas.DataFrame
        Share of the common items on which they gave the same value (NaN with none in common).
    kappa : pandas.DataFrame
        Cohen's kappa (as labelled by ``kappa_label``) on the common items; NaN when undefined.
    kappa_label : str
    """

    n_common: pd.DataFrame
    percent: pd.DataFrame
    kappa: pd.DataFrame
    kappa_label: str = "Cohen's kappa (unweighted)"

    def long(self) -> pd.DataFrame:
        """One row per unordered pair: ``annotator_a``, ``annotator_b``, ``n_common``, ``percent``, ``kappa``."""
        names = list(self.n_common.index)
        iu = np.triu_indices(len(names), k=1)
        return pd.DataFrame({
            "annotator_a": [names[i] for i in iu[0]],
            "annotator_b": [names[j] for j in iu[1]],
            "n_common": self.n_common.to_numpy()[iu],
            "percent": self.percent.to_numpy()[iu],
            "kappa": self.kappa.to_numpy()[iu],
        })

    def mean_with_others(self) -> pd.DataFrame:
        """Per annotator: mean percent agreement and mean kappa with the others (NaN-skipping)."""
        pct = self.percent.to_numpy(copy=True)
        kap = self.kappa.to_numpy(copy=True).astype(float)
        np.fill_diagonal(pct, np.nan)
        np.fill_diagonal(kap, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an annotator with no pair: NaN
            mp = np.nanmean(pct, axis=1)
            mk = np.nanmean(kap, axis=1)
        return pd.DataFrame({"annotator": list(self.n_common.index), "mean_percent": mp, "mean_kappa": mk})


def pairwise_agreement(data, *, weights=None) -> PairwiseAgreement:
    """Percent agreement, Cohen's kappa and items in common for every pair of annotators.

    Percent agreement and the counts come from indicator-matrix products (A x A); kappa from
    :func:`~workbench.analytics.coefficients.pairwise_cohen_kappa` with ``weights``.
    """
    rd = as_reliability_data(data)
    v = len(rd.categories)
    codes = rd.codes
    present = (codes >= 0).astype(float)
    n_common = present @ present.T
    agree = np.zeros_like(n_common)
    for c in range(v):  # V small products of (A x N) indicator matrices
        ind = (codes == c).astype(float)
        agree += ind @ ind.T
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(n_common > 0, agree / n_common, np.nan)
    names = list(rd.annotators)
    kappa = pairwise_cohen_kappa(rd, weights=weights)
    kappa = kappa.reindex(index=names, columns=names).astype(float)
    label = "Cohen's kappa (unweighted)" if weights is None else f"Cohen's kappa ({weights} weights)"
    return PairwiseAgreement(
        n_common=pd.DataFrame(np.rint(n_common).astype(np.int64), index=names, columns=names),
        percent=pd.DataFrame(percent, index=names, columns=names),
        kappa=kappa,
        kappa_label=label,
    )


# ---------------------------------------------------------------- gold


def _gold_series(gold) -> pd.Series:
    if isinstance(gold, pd.Series):
        series = gold
    elif isinstance(gold, pd.DataFrame):
        missing = [c for c in ("item", "value") if c not in gold.columns]
        if missing:
            raise BadInput(
                f"gold: missing column(s) {', '.join(map(repr, missing))}"
                f" (columns present: {', '.join(map(repr, map(str, gold.columns)))})"
            )
        if "question" in gold.columns and gold["question"].nunique() > 1:
            raise BadInput("gold: rows of several questions; select one question's gold values first")
        dup = gold["item"].duplicated(keep=False)
        if dup.any():
            raise BadInput(f"gold: item {gold.loc[dup, 'item'].iloc[0]!r} has more than one gold value")
        series = pd.Series(gold["value"].to_numpy(), index=gold["item"].to_numpy())
    elif isinstance(gold, Mapping):
        series = pd.Series(list(gold.values()), index=list(gold.keys()), dtype=object)
    else:
        raise BadInput(f"gold: expected a mapping item -> value, a Series or a table; got {type(gold).__name__}")
    return series[~series.isna()]


def canonical_value(value: object) -> object:
    """A value as categories are keyed: numpy scalars as Python's, whole floats as ints, lists,
    tuples and sets as frozensets (``2.0 -> 2``, ``["a", "b"] -> frozenset({"a", "b"})``)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple, set)):
        return frozenset(value)
    return value


def align_gold(data, gold, *, name: str = "gold"):
    """Gold values as codes of ``data``'s categories, one per item (``-1`` where none).

    Parameters
    ----------
    data : ReliabilityData
    gold : mapping item -> value, pandas.Series (index: item) or DataFrame (``item``, ``value``)
        Gold values of this question. Items not in ``data`` are ignored.
    name : str
        Row name for the gold values in the returned reliability data (made unique).

    Returns
    -------
    (ReliabilityData, numpy.ndarray, str)
        ``data`` with a gold row appended (its categories extended, at the end, by gold values
        no annotator gave), the gold codes, and the name of the gold row.

    Raises
    ------
    BadInput
        If a gold value lies outside an explicit order of the labels.

    Examples
    --------
    >>> from workbench.analytics.reliability import from_wide
    >>> rd, codes, row = align_gold(from_wide([["a", "b"], ["a", "a"]]), {0: "a", 1: "c"})
    >>> rd.categories, codes.tolist(), row
    (('a', 'b', 'c'), [0, 2], 'gold')
    """
    rd = as_reliability_data(data)
    series = _gold_series(gold)
    cats = list(rd.categories)
    position = {canonical_value(c): i for i, c in enumerate(cats)}
    item_index = pd.Index(rd.items)
    where = item_index.get_indexer(series.index)
    if (where < 0).any():  # try canonical forms (1.0 for 1) of the unmatched ids
        retry = pd.Index([canonical_value(i) for i in series.index[where < 0]])
        where[where < 0] = item_index.get_indexer(retry)
    codes = np.full(rd.n_items, -1, dtype=np.int32)
    extra = []
    for item, j, value in zip(series.index, where, series.to_numpy()):
        if j < 0:
            continue
        key = canonical_value(value)
        if key not in position:
            if rd.ordered and not rd.numeric:
                raise BadInput(
                    f"gold: item {item!r} has gold value {value!r}, which is not among the ordered labels"
                    f" ({', '.join(map(category_text, cats))})"
                )
            position[key] = len(cats)
            cats.append(key)
            extra.append(key)
        codes[j] = position[key]
    ordered = rd.ordered
    if extra and rd.numeric and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in extra):
        # keep numbers in numeric order
        order = np.argsort(np.asarray(cats, dtype=float), kind="stable")
        remap = np.empty(len(cats), dtype=np.int32)
        remap[order] = np.arange(len(cats), dtype=np.int32)
        cats = [cats[i] for i in order]
        base = np.where(rd.codes >= 0, remap[np.maximum(rd.codes, 0)], -1)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1).astype(np.int32)
    else:
        base = rd.codes
        if extra:
            ordered = False if not rd.numeric else ordered
    row = name
    while row in rd.annotators:
        row = row + "*"
    full = ReliabilityData(
        codes=np.vstack([base, codes[None, :]]),
        categories=tuple(cats),
        annotators=tuple(rd.annotators) + (row,),
        items=rd.items,
        ordered=ordered,
    )
    return full, full.codes[-1].copy(), row


def gold_agreement(data, gold, *, weights=None) -> pd.DataFrame:
    """Each annotator against gold: accuracy and Cohen's kappa on the gold items they rated.

    Returns
    -------
    pandas.DataFrame
        ``annotator``, ``n_gold`` (gold items they rated), ``accuracy``, ``kappa`` (Cohen's,
        ``weights`` as for :func:`~workbench.analytics.coefficients.cohen_kappa`; NaN when
        undefined), ``note``.
    """
    rd = as_reliability_data(data)
    full, gcodes, row = align_gold(rd, gold)
    codes = full.codes[:-1]
    both = (codes >= 0) & (gcodes >= 0)[None, :]
    n_gold = both.sum(axis=1)
    hits = (both & (codes == gcodes[None, :])).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = np.where(n_gold > 0, hits / n_gold, np.nan)
    kappas, notes = [], []
    for a, name in enumerate(rd.annotators):
        if n_gold[a] == 0:
            kappas.append(np.nan)
            notes.append("no gold item rated")
            continue
        try:
            kappas.append(float(cohen_kappa(full, name, row, weights=weights)))
            notes.append("")
        except BadInput as exc:
            kappas.append(np.nan)
            notes.append(str(exc))
    return pd.DataFrame({
        "annotator": list(rd.annotators),
        "n_gold": n_gold,
        "accuracy": accuracy,
        "kappa": np.asarray(kappas, dtype=float),
        "note": notes,
    })


def gold_confusion(data, gold, annotator=None) -> pd.DataFrame:
    """Confusion matrix against gold: rows the gold value, columns the value given.

    ``annotator=None`` pools every annotator. Only items with a gold value count.

    Examples
    --------
    >>> from workbench.analytics.reliability import from_wide
    >>> rd = from_wide(pd.DataFrame({"ann": ["a", "b", "b"]}))
    >>> gold_confusion(rd, {0: "a", 1: "a", 2: "b"}, "ann")  # doctest: +NORMALIZE_WHITESPACE
    given  a  b
    gold
    a      1  1
    b      0  1
    """
    rd = as_reliability_data(data)
    full, gcodes, _ = align_gold(rd, gold)
    codes = full.codes[:-1]
    if annotator is not None:
        if annotator not in rd.annotators:
            raise BadInput(f"annotator {annotator!r} is not in the data ({', '.join(map(repr, rd.annotators[:10]))})")
        codes = codes[[rd.annotators.index(annotator)]]
    v = len(full.categories)
    g = np.broadcast_to(gcodes[None, :], codes.shape)
    both = (codes >= 0) & (g >= 0)
    table = np.bincount(g[both].astype(np.int64) * v + codes[both], minlength=v * v).reshape(v, v)
    labels = [category_text(c) for c in full.categories]
    return pd.DataFrame(
        table,
        index=pd.Index(labels, name="gold"),
        columns=pd.Index(labels, name="given"),
    )


# ---------------------------------------------------------------- raters vs consensus


def consensus_from_counts(counts: np.ndarray, method: str) -> np.ndarray:
    """Consensus code per item from its value counts (``-1``: nobody, or a tie), by ``method``
    (``"majority"`` or ``"median"``, see :func:`consensus_method`)."""
    m = counts.sum(axis=1)
    if method == "majority":
        best = counts.argmax(axis=1)
        top = counts.max(axis=1)
        ties = (counts == top[:, None]).sum(axis=1) > 1
        return np.where((m > 0) & ~ties, best, -1).astype(np.int32)
    cum = counts.cumsum(axis=1)
    lower = (cum >= ((m + 1) // 2)[:, None]).argmax(axis=1)  # the ceil(m/2)-th value
    upper = (cum >= (m // 2 + 1)[:, None]).argmax(axis=1)  # the (m/2 + 1)-th value
    ok = (m > 0) & ((m % 2 == 1) | (lower == upper))
    return np.where(ok, lower, -1).astype(np.int32)


def consensus_method(level: str, rd: ReliabilityData) -> str:
    """The consensus :func:`consensus` takes at ``level``: ``"median"`` for ordered data at the
    ordinal, interval and ratio levels, ``"majority"`` otherwise."""
    return "median" if level in ("ordinal", "interval", "ratio") and rd.ordered else "majority"


def consensus(data, annotators=None, *, level: str = "nominal") -> np.ndarray:
    """Consensus of ``annotators`` per item, as codes (``-1`` where nobody rated or a tie).

    Nominal, jaccard and masi levels take the strict majority (plurality) value; ordinal,
    interval and ratio take the median (in category order), with an even split between two
    different middle values counted as a tie.

    Examples
    --------
    >>> consensus([[1, 1, 3], [1, 2, 2], [2, 2, 1]]).tolist()
    [0, 1, -1]
    >>> consensus([[1, 1, 3], [1, 2, 2], [2, 3, 1]], level="ordinal").tolist()
    [0, 1, 1]
    """
    rd = as_reliability_data(data)
    if annotators is not None:
        rows = [_row_of(rd, a) for a in annotators]
        rd = keep_annotators(rd, rows)
    return consensus_from_counts(item_value_counts(rd), consensus_method(level, rd))


def _row_of(rd: ReliabilityData, name) -> int:
    try:
        return rd.annotators.index(name)
    except ValueError:
        raise BadInput(
            f"annotator {name!r} is not in the data ({', '.join(map(repr, rd.annotators[:10]))})"
        ) from None


def with_row(data, name, codes) -> ReliabilityData:
    """``data`` with one more row of codes (e.g. a consensus or gold row) named ``name``."""
    rd = as_reliability_data(data)
    return ReliabilityData(
        codes=np.vstack([rd.codes, np.asarray(codes, dtype=np.int32)[None, :]]),
        categories=rd.categories,
        annotators=tuple(rd.annotators) + (name,),
        items=rd.items,
        ordered=rd.ordered,
    )


def _versus(rd: ReliabilityData, row: int, reference: np.ndarray, weights):
    """n, percent agreement and kappa of row ``row`` against reference codes."""
    x = rd.codes[row]
    both = (x >= 0) & (reference >= 0)
    n = int(both.sum())
    if n == 0:
        return 0, np.nan, np.nan, "no item in common"
    pct = float((x[both] == reference[both]).mean())
    ref_name = "reference"
    while ref_name in rd.annotators:
        ref_name += "*"
    pair = ReliabilityData(
        codes=np.vstack([np.where(both, x, -1), np.where(both, reference, -1)]),
        categories=rd.categories,
        annotators=(rd.annotators[row], ref_name),
        items=rd.items,
        ordered=rd.ordered,
    )
    try:
        kappa = float(cohen_kappa(pair, rd.annotators[row], ref_name, weights=weights))
        note = ""
    except BadInput as exc:
        kappa, note = np.nan, str(exc)
    return n, pct, kappa, note


@dataclass(frozen=True)
class RaterAgreement:
    """A rater (human or not) against the humans' consensus, and against gold.

    Attributes
    ----------
    rater : str
    method : str
        ``"majority"`` or ``"median"`` consensus.
    kappa_label : str
    table : pandas.DataFrame
        One row per rater measured: the rater under study first (``is_rater`` True), then
        every human measured the same way against the consensus of the *other* humans. Columns
        ``annotator``, ``is_rater``, ``n_consensus`` (items with a consensus they also rated),
        ``consensus_percent``, ``consensus_kappa``, and with gold ``n_gold``, ``gold_accuracy``,
        ``gold_kappa``.
    """

    rater: str
    method: str
    kappa_label: str
    table: pd.DataFrame = field(repr=False)

    @property
    def rater_row(self) -> pd.Series:
        return self.table.iloc[0]

    @property
    def human_median(self) -> pd.Series:
        """Median of the humans' figures (the reference a rater is compared with)."""
        return self.table[~self.table["is_rater"]].median(numeric_only=True)


def rater_vs_consensus(
    data,
    rater,
    humans=None,
    *,
    level: str = "nominal",
    gold=None,
    weights=None,
) -> RaterAgreement:
    """Measure a (non-human) rater against the consensus of the humans, exactly like a human.

    Parameters
    ----------
    data : ReliabilityData
        Every annotator, the rater included (e.g. an LLM judge as another column).
    rater : str
        The rater to measure.
    humans : sequence of str, optional
        The human annotators (default: everyone but ``rater``).
    level : str
        Decides the consensus: majority for nominal (and set) levels, median for ordinal,
        interval and ratio.
    gold : optional
        Gold values (as for :func:`align_gold`).
    weights : {None, "linear", "quadratic"}
        Kappa weights.

    Returns
    -------
    RaterAgreement
        The rater against the consensus of all the humans; each human against the consensus of
        the other humans (so the figures are comparable: same method, one fewer voice).
    """
    rd = as_reliability_data(data)
    r = _row_of(rd, rater)
    if humans is None:
        humans = [a for a in rd.annotators if a != rater]
    human_rows = [_row_of(rd, h) for h in humans]
    if r in human_rows:
        raise BadInput(f"rater {rater!r} is also listed among the humans")
    if not human_rows:
        raise BadInput(f"no human annotator to compare rater {rater!r} with")
    method = consensus_method(level, rd)
    human_counts = item_value_counts(keep_annotators(rd, human_rows))
    rows = [("rater", r, consensus_from_counts(human_counts, method))]
    for h in human_rows:
        own = rd.codes[h]
        counts = human_counts.copy()
        has = own >= 0
        counts[np.flatnonzero(has), own[has]] -= 1
        rows.append(("human", h, consensus_from_counts(counts, method)))
    gold_full: ReliabilityData | None = None
    gold_codes: np.ndarray | None = None
    if gold is not None:
        gold_full, gold_codes, _ = align_gold(rd, gold)
        gold_full = keep_annotators(gold_full, np.arange(rd.n_annotators))
    records = []
    for kind, row, ref in rows:
        n, pct, kappa, note = _versus(rd, row, ref, weights)
        rec = {
            "annotator": rd.annotators[row],
            "is_rater": kind == "rater",
            "n_consensus": n,
            "consensus_percent": pct,
            "consensus_kappa": kappa,
        }
        if gold_full is not None and gold_codes is not None:  # (set together exactly when gold is given)
            gn, gp, gk, gnote = _versus(gold_full, row, gold_codes, weights)
            rec.update({"n_gold": gn, "gold_accuracy": gp, "gold_kappa": gk})
            note = "; ".join(x for x in (note, gnote and f"gold: {gnote}") if x)
        rec["note"] = note
        records.append(rec)
    label = "Cohen's kappa (unweighted)" if weights is None else f"Cohen's kappa ({weights} weights)"
    return RaterAgreement(rater=rater, method=method, kappa_label=label, table=pd.DataFrame(records))
