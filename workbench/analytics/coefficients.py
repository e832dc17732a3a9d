"""Agreement coefficients other than Krippendorff's alpha.

All take :class:`~workbench.analytics.reliability.ReliabilityData` (or an annotators x items
array with ``nan`` for missing). Notation (Gwet 2014, *Handbook of Inter-Rater Reliability*,
4th ed., ch. 2-3): ``r_ik`` is the number of annotators who put item ``i`` in category ``k``,
``r_i = sum_k r_ik``, ``n'`` the number of items with ``r_i >= 2``, ``q`` the number of
categories, ``w_kl`` agreement weights (identity when unweighted) and
``r*_ik = sum_l w_kl r_il``.

* percent agreement ``p_a = (1/n') sum_{i: r_i >= 2} sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))``
* Fleiss' kappa (generalised to varying numbers of ratings per item):
  ``p_e = sum_kl w_kl pi_k pi_l`` with ``pi_k = (1/n) sum_i r_ik / r_i`` over the items with
  at least one rating.
* Gwet's AC1/AC2: ``p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)``, ``T_w = sum_kl w_kl``.
* Cohen's kappa: the two annotators' joint distribution on the items both rated.

Each coefficient is ``(p_a - p_e) / (1 - p_e)``.

References
----------
Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed. Advanced Analytics.
Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
Bulletin 76(5), 378-382.
Cohen, J. (1960, 1968). A coefficient of agreement for nominal scales; Weighted kappa.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analytics.reliability import ReliabilityData, as_reliability_data, show_value
from workbench.errors import BadInput

GWET_WEIGHTS = ("identity", "ordinal", "linear", "quadratic", "radical", "ratio", "circular", "bipolar")


def _rating_counts(rd: ReliabilityData) -> np.ndarray:
    """``r_ik``: items x categories counts, for the items with at least one rating."""
    q = len(rd.categories)
    present = rd.codes >= 0
    flat = (np.arange(rd.n_items, dtype=np.int64)[None, :] * q + rd.codes)[present]
    counts = np.bincount(flat, minlength=rd.n_items * q).reshape(rd.n_items, q).astype(float)
    return counts[counts.sum(axis=1) > 0]


def _category_positions(rd: ReliabilityData, what: str) -> np.ndarray:
    """Category values when numeric, else ranks 1..q (ordered labels only)."""
    if rd.numeric:
        return np.asarray(rd.categories, dtype=float)
    if not rd.ordered:
        raise BadInput(
            f"{what} needs ordered values; the labels {', '.join(show_value(c) for c in rd.categories[:5])}"
            " have no order (pass order=[...] when building the reliability data)"
        )
    return np.arange(1, len(rd.categories) + 1, dtype=float)


def gwet_weights(data, weights="identity") -> np.ndarray:
    """Gwet's agreement weights ``w_kl`` (1 = full agreement) over ``data.categories``.

    Computed on the category values when they are numbers, else on their ranks 1..q, as in
    Gwet (2014, ch. 3) and the irrCAC package. ``"ordinal"`` uses ranks only:
    ``w_kl = 1 - M_kl / max M`` with ``M_kl = (|k - l| + 1) |k - l| / 2``. ``"ratio"`` refuses
    a category 0 (division by zero), like irrCAC.

    Parameters
    ----------
    data : ReliabilityData or array-like
    weights : str or array-like
        One of :data:`GWET_WEIGHTS`, or a q x q matrix (returned as is after checks).

    Examples
    --------
    >>> gwet_weights([[1, 2, 3]], "linear")
    array([[1. , 0.5, 0. ],
           [0.5, 1. , 0.5],
           [0. , 0.5, 1. ]])
    """
    rd = as_reliability_data(data)
    q = len(rd.categories)
    if not isinstance(weights, str):
        w = np.asarray(weights, dtype=float)
        if w.shape != (q, q):
            raise BadInput(f"weights matrix has shape {w.shape}; expected ({q}, {q}), one per category")
        if not np.isfinite(w).all():
            raise BadInput("weights matrix must hold finite numbers")
        return w
    if weights not in GWET_WEIGHTS:
        raise BadInput(f"weights {weights!r} is not one of {', '.join(GWET_WEIGHTS)}")
    if weights == "identity":
        return np.eye(q)
    if q < 2:
        raise BadInput(
            f"{weights} weights need at least two categories; the only value is"
            f" {show_value(rd.categories[0]) if q else 'none'}"
        )
    if weights == "ordinal":
        if not (rd.ordered or rd.numeric):
            _category_positions(rd, "ordinal weights")
        k = np.arange(q)
        d = np.abs(k[:, None] - k[None, :])
        m = (d + 1) * d / 2
        return 1 - m / m.max()
    x = _category_positions(rd, f"{weights} weights")
    lo, hi = x.min(), x.max()
    diff = x[:, None] - x[None, :]
    if weights == "linear":
        return 1 - np.abs(diff) / (hi - lo)
    if weights == "quadratic":
        return 1 - (diff / (hi - lo)) ** 2
    if weights == "radical":
        return 1 - np.sqrt(np.abs(diff)) / np.sqrt(hi - lo)
    if weights == "ratio":
        if (x == 0).any():
            raise BadInput("ratio weights: a category is 0, which divides by zero; use other weights")
        total = x[:, None] + x[None, :]
        return 1 - (diff / total) ** 2 / ((hi - lo) / (hi + lo)) ** 2
    if weights == "circular":
        w = np.sin(np.pi * diff / (hi - lo + 1)) ** 2
        return 1 - w / w.max()
    # bipolar
    with np.errstate(divide="ignore", invalid="ignore"):
        w = diff**2 / ((x[:, None] + x[None, :] - 2 * lo) * (2 * hi - x[:, None] - x[None, :]))
    np.fill_diagonal(w, 0.0)
    return 1 - w / w.max()


def _weighted_pa(counts: np.ndarray, w: np.ndarray, what: str) -> float:
    r = counts.sum(axis=1)
    sel = r >= 2
    if not sel.any():
        raise BadInput(f"{what} is undefined: no item has ratings from two or more annotators")
    weighted = counts @ w.T  # r*_ik = sum_l w_kl r_il
    agree = (counts * (weighted - 1)).sum(axis=1)
    return float(np.mean(agree[sel] / (r[sel] * (r[sel] - 1))))


def _pi(counts: np.ndarray) -> np.ndarray:
    return (counts / counts.sum(axis=1, keepdims=True)).mean(axis=0)


def _chance_corrected(pa: float, pe: float, what: str, rd: ReliabilityData) -> float:
    if not pe < 1:
        used = [c for c, n in zip(rd.categories, (rd.codes[rd.codes >= 0][:, None] == np.arange(len(rd.categories))).sum(0)) if n]
        raise BadInput(
            f"{what} is undefined: chance agreement is 1"
            + (f" (every rating is {show_value(used[0])})" if len(used) == 1 else "")
        )
    return float((pa - pe) / (1 - pe))


def percent_agreement(data) -> float:
    """Pairwise percent agreement (Gwet's definition; equals irrCAC's ``pa``).

    For each item rated by ``r_i >= 2`` annotators, the share of ordered pairs of its ratings
    (from different annotators) that agree, ``sum_k r_ik (r_ik - 1) / (r_i (r_i - 1))``;
    averaged over those items, each item weighing the same. Unweighted.

    Examples
    --------
    Items (1, 1, 1), (1, 2, 2) and (2, 2): the middle one has 1 agreeing pair out of 3.

    >>> percent_agreement([[1, 1, 2], [1, 2, 2], [1, 2, float("nan")]])  # (1 + 1/3 + 1) / 3
    0.7777777777777777
    """
    rd = as_reliability_data(data)
    counts = _rating_counts(rd)
    return _weighted_pa(counts, np.eye(len(rd.categories)), "percent agreement")


def fleiss_kappa(data) -> float:
    """Fleiss' kappa, unweighted, generalised to varying numbers of ratings per item.

    ``p_a`` is :func:`percent_agreement` (items rated at least twice, each weighing the same);
    chance agreement is ``p_e = sum_k pi_k ** 2`` with ``pi_k = mean_i r_ik / r_i`` over every
    item rated at least once (an item rated once still tells which categories are used). This
    is Gwet's (2014, ch. 2) generalisation and irrCAC's ``fleiss()``; with the same number of
    ratings on every item it is Fleiss (1971) and ``statsmodels``' ``fleiss_kappa``.

    Raises
    ------
    BadInput
        No item rated twice, or chance agreement 1 (every rating the same).

    Examples
    --------
    Items (1, 1, 1), (1, 2, 1), (2, 2, 2), (2, 2, 1): ``p_a = (1 + 1/3 + 1 + 1/3) / 4 = 2/3``,
    ``pi = (1/2, 1/2)``, ``p_e = 1/2``, kappa = (2/3 - 1/2) / (1/2) = 1/3.

    >>> round(fleiss_kappa([[1, 1, 2, 2], [1, 2, 2, 2], [1, 1, 2, 1]]), 6)
    0.333333
    """
    rd = as_reliability_data(data)
    counts = _rating_counts(rd)
    pa = _weighted_pa(counts, np.eye(len(rd.categories)), "Fleiss' kappa")
    pi = _pi(counts)
    return _chance_corrected(pa, float(pi @ pi), "Fleiss' kappa", rd)


def gwet_ac1(data) -> float:
    """Gwet's AC1 (unweighted).

    ``p_e = sum_k pi_k (1 - pi_k) / (q - 1)`` with ``q = len(data.categories)`` (the values
    used, plus any unused labels given with ``order=``) and ``pi_k`` as for
    :func:`fleiss_kappa`. Equals irrCAC's ``gwet()`` with identity weights.

    Raises
    ------
    BadInput
        No item rated twice, or fewer than two categories (irrCAC instead returns a value
        computed with ``p_e = 1 - 1e-15``).

    Examples
    --------
    With two categories AC1's ``p_e = 2 pi_1 pi_2``; for the example of :func:`fleiss_kappa`,
    ``p_e = 1/2`` and AC1 = 1/3 as well.

    >>> round(gwet_ac1([[1, 1, 2, 2], [1, 2, 2, 2], [1, 1, 2, 1]]), 6)
    0.333333
    """
    return gwet_ac2(data, weights="identity")


def gwet_ac2(data, *, weights="ordinal") -> float:
    """Gwet's AC2: AC1 with Gwet's agreement weights.

    ``p_a = (1/n') sum_i sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` over items rated at least
    twice, ``r*_ik = sum_l w_kl r_il``; ``p_e = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)`` with
    ``T_w = sum_kl w_kl`` (Gwet 2014, ch. 3). Equals irrCAC's ``gwet()`` with the same weights.

    NOTE: these are Gwet's *agreement weights* (see :func:`gwet_weights`), NOT Krippendorff's
    distances. In particular Gwet's ``"ordinal"`` weights depend only on the ranks of the
    categories, while Krippendorff's ordinal metric depends on how often each value was used:
    AC2 with ordinal weights is not comparable with ordinal alpha.

    Parameters
    ----------
    data : ReliabilityData or array-like
    weights : str or array-like
        One of :data:`GWET_WEIGHTS` (``"identity"`` gives AC1) or a q x q matrix.

    Examples
    --------
    Items (1, 1, 1), (1, 2, 1), (2, 2, 3), (3, 3, 3) on 1..3, quadratic weights (0.75 for
    neighbours, ``T_w = 6``): ``p_a = (1 + 5/6 + 5/6 + 1) / 4 = 11/12``,
    ``pi = (5, 3, 4) / 12``, ``p_e = 94/144``, AC2 = (132 - 94) / (144 - 94) = 0.76.

    >>> round(gwet_ac2([[1, 1, 2, 3], [1, 2, 2, 3], [1, 1, 3, 3]], weights="quadratic"), 6)
    0.76
    """
    rd = as_reliability_data(data)
    q = len(rd.categories)
    name = "Gwet's AC1" if isinstance(weights, str) and weights == "identity" else "Gwet's AC2"
    if q < 2:
        raise BadInput(
            f"{name} needs at least two categories; every rating is"
            f" {show_value(rd.categories[0]) if q else 'missing'}"
        )
    w = gwet_weights(rd, weights)
    counts = _rating_counts(rd)
    pa = _weighted_pa(counts, w, name)
    pi = _pi(counts)
    pe = float(w.sum() * np.sum(pi * (1 - pi)) / (q * (q - 1)))
    return _chance_corrected(pa, pe, name, rd)


def _annotator_index(rd: ReliabilityData, name) -> int:
    try:
        return rd.annotators.index(name)
    except ValueError:
        raise BadInput(
            f"annotator {name!r} is not in the data (annotators:"
            f" {', '.join(repr(a) for a in rd.annotators[:10])}{', ...' if rd.n_annotators > 10 else ''})"
        ) from None


def _kappa_disagreement(rd: ReliabilityData, weights) -> np.ndarray:
    q = len(rd.categories)
    if weights is None:
        return 1.0 - np.eye(q)
    if weights not in ("linear", "quadratic"):
        raise BadInput(f"weights {weights!r} is not one of None, 'linear', 'quadratic'")
    x = _category_positions(rd, f"{weights}-weighted kappa")
    diff = np.abs(x[:, None] - x[None, :])
    return diff if weights == "linear" else diff**2


def _cohen(rd: ReliabilityData, ia: int, ib: int, d: np.ndarray) -> float:
    q = len(rd.categories)
    x, y = rd.codes[ia], rd.codes[ib]
    both = (x >= 0) & (y >= 0)
    n = int(both.sum())
    a, b = rd.annotators[ia], rd.annotators[ib]
    if n == 0:
        raise BadInput(f"Cohen's kappa is undefined: annotators {a!r} and {b!r} share no rated item")
    joint = np.bincount(x[both] * q + y[both], minlength=q * q).reshape(q, q) / n
    expected = np.outer(joint.sum(axis=1), joint.sum(axis=0))
    den = float((d * expected).sum())
    if den == 0:
        used = np.flatnonzero(joint.sum(axis=1) + joint.sum(axis=0))
        raise BadInput(
            f"Cohen's kappa is undefined for {a!r} and {b!r}: on their {n} shared items"
            + (f" both always answered {show_value(rd.categories[used[0]])}" if len(used) == 1 else " chance agreement is 1")
        )
    return float(1.0 - (d * joint).sum() / den)


def cohen_kappa(data, a, b, *, weights=None) -> float:
    """Cohen's kappa between annotators ``a`` and ``b`` on the items both rated.

    ``kappa = 1 - sum_kl d_kl p_kl / sum_kl d_kl p_k. p_.l`` over the two annotators' joint
    distribution ``p_kl`` on their shared items (Cohen 1960; weighted, Cohen 1968).

    Parameters
    ----------
    data : ReliabilityData or array-like
    a, b : annotator names (``data.annotators``)
    weights : {None, "linear", "quadratic"}
        Disagreement weights ``d_kl``: ``1 - [k == l]`` (None), ``|x_k - x_l|`` or
        ``(x_k - x_l) ** 2`` on the category *values* when they are numbers, else on their
        ranks 1..q in ``data.categories`` (ordered labels only). Every category of the question
        counts, not only those the two annotators used. scikit-learn's ``cohen_kappa_score``
        weighs by the position of each label in its ``labels`` list (by default the labels the
        two annotators used), so the two agree when the categories are consecutive integers
        passed as ``labels``; they differ for, e.g., values 1, 2, 5.

    Raises
    ------
    BadInput
        Unknown annotator, no shared item, or kappa undefined (chance agreement 1).

    Examples
    --------
    Pairs (1, 1), (2, 2), (3, 2), (1, 1): ``p_o = 3/4``, ``p_e = .5 * .5 + .25 * .5 = .375``,
    kappa = .375 / .625 = 0.6; quadratic: observed 0.25, expected 1.0, kappa 0.75.

    >>> rd = as_reliability_data([[1, 2, 3, 1], [1, 2, 2, 1]])
    >>> round(cohen_kappa(rd, 0, 1), 6)
    0.6
    >>> round(cohen_kappa(rd, 0, 1, weights="quadratic"), 6)
    0.75
    """
    rd = as_reliability_data(data)
    return _cohen(rd, _annotator_index(rd, a), _annotator_index(rd, b), _kappa_disagreement(rd, weights))


def pairwise_cohen_kappa(data, *, weights=None) -> pd.DataFrame:
    """Cohen's kappa for every pair of annotators (annotator x annotator DataFrame).

    Symmetric; the diagonal is 1.0. A pair with no shared item, or whose kappa is undefined
    (chance agreement 1), is NaN. Weights as for :func:`cohen_kappa`.

    Examples
    --------
    >>> pairwise_cohen_kappa([[1, 2, 3, 1], [1, 2, 2, 1], [1, 2, 3, 2]]).round(3)
           0    1      2
    0  1.000  0.6  0.636
    1  0.600  1.0  0.200
    2  0.636  0.2  1.000
    """
    rd = as_reliability_data(data)
    d = _kappa_disagreement(rd, weights)
    k = rd.n_annotators
    out = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            try:
                out[i, j] = out[j, i] = _cohen(rd, i, j, d)
            except BadInput:
                out[i, j] = out[j, i] = np.nan
    names = pd.Index(rd.annotators, name=None)
    return pd.DataFrame(out, index=names, columns=names)
