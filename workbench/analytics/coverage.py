"""Coverage: how far an observed mix of categories lies from a target mix, and how to close the gap.

A task may declare a *coverage plan*: target shares ``t_1 .. t_k`` (summing to 1) over the values
of one metadata property, and a tolerance ``tau`` (docs/coverage.md). Given the counts
``n_1 .. n_k`` of a set of records (the candidate pool, the labelled records, an export), with
``N = sum n_i``, this module answers three questions, each a pure function:

1. **Share and interval** (:func:`share_intervals`). The share is ``p_i = n_i / N``. The interval
   is Wilson's score interval (Wilson 1927) with ``A = z^2``::

       p_i in  ( 2 n_i + A  -/+  sqrt( A^2 + 4 A n_i (N - n_i) / N ) ) / ( 2 (N + A) )

   per category (``method="wilson"``, ``z`` the normal quantile at ``1 - alpha/2``), or
   Goodman's simultaneous intervals for multinomial proportions (Goodman 1965), the same formula
   with ``A`` the chi-square quantile with 1 degree of freedom at ``1 - alpha/k`` (a Bonferroni
   split over the ``k`` categories, so that all ``k`` intervals hold together with probability
   at least ``1 - alpha`` asymptotically). Goodman's is the default: a coverage check looks at every
   category at once. ``k`` counts the planned categories plus any observed value the plan does
   not name. (statsmodels implements both as ``proportion_confint(method="wilson")`` and
   ``multinomial_proportions_confint(method="goodman")``; the tests compare against it.)

2. **Flag** (:func:`classify`). The band of category ``i`` is ``[t_i - tau, t_i + tau]``. The
   rule: a category is **flagged** ``under`` (``over``) when its whole interval lies below
   (above) the band: the deviation beyond the tolerance is larger than the sampling noise the
   interval allows for. A point estimate outside the band whose interval still reaches the band
   is ``under?`` / ``over?`` (not flagged: too few records to tell); a point estimate inside the
   band is ``ok``. The interval always contains the point estimate, so a flagged category is also
   outside the band by its point estimate.

3. **Items needed** (:func:`additions_to_close`). The smallest total ``A`` of records to *add*
   (nothing removed) so that every category's share lies within its band, and how many of each
   category. With ``M = N + A`` records in all, category ``i`` ends with ``n_i + a_i`` records
   and must satisfy ``(t_i - tau) M <= n_i + a_i <= (t_i + tau) M``; so, for a given ``M``,

       lower_i(M) = max(0, ceil((t_i - tau) M) - n_i),   upper_i(M) = floor((t_i + tau) M) - n_i

   and ``M`` is feasible exactly when ``lower_i <= upper_i`` for every ``i`` and
   ``sum lower_i <= M - N <= sum upper_i`` (then any ``a_i`` in ``[lower_i, upper_i]`` summing to
   ``M - N`` works). Feasibility is not monotone in ``M`` (the rounding), so ``M`` is scanned
   upward from ``N`` and the first feasible one is the minimum. A feasible ``M`` always exists
   when ``tau > 0``: for ``M >= (N + k) / tau`` both sums have room. The additions are
   ``lower_i`` plus the remainder ``M - N - sum lower_i`` handed out one at a time to the
   category furthest below its target share (ties: the earlier category), within
   ``upper_i``. These are exact counts, not estimates: they say what would bring the *observed*
   records within the band. tests/test_coverage.py checks them against a brute-force search.

:func:`fill_toward_target` chooses which records of a pool to take (``candidates push
--fill-to-plan``): greedily, each next record from the category (combination of categories, with
several plans) whose shares lie furthest below target, in pool order within a category.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    *JASA* 22(158), 209-212.
Goodman, L. A. (1965). On simultaneous confidence intervals for multinomial proportions.
    *Technometrics* 7(2), 247-254.
Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison of
    seven methods. *Statistics in Medicine* 17(8), 857-872 (Table II: the score interval's
    published values, used in the tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from workbench.errors import BadInput

METHODS = ("goodman", "wilson")
#: Slack, in records, when a count is compared with a share times a total (float rounding of
#: decimal shares such as 0.3 - 0.05): far below one record for any realistic total.
EPS = 1e-9
#: The value a record without the property is counted under (target share 0).
MISSING = "(missing)"
STATUSES = ("ok", "under", "over", "under?", "over?", "no data")
TABLE_COLUMNS = ["category", "planned", "count", "share", "low", "high", "target", "band_low", "band_high",
                 "status", "flagged", "needed"]


def _check_target(target: Mapping[str, float], tolerance: float) -> None:
    if not target:
        raise BadInput("target: empty: a coverage plan needs at least one category")
    bad = {k: v for k, v in target.items() if not (isinstance(v, (int, float)) and 0 <= v <= 1)}
    if bad:
        raise BadInput(f"target: shares must lie in [0, 1], got {bad}")
    total = math.fsum(target.values())
    if abs(total - 1) > 1e-9:
        raise BadInput(f"target: the shares sum to {total:.12g}, not 1")
    if not 0 < tolerance < 1:
        raise BadInput(f"tolerance: {tolerance!r} must lie in (0, 1)")


def share_intervals(counts: Sequence[int] | np.ndarray, *, confidence: float = 0.95, method: str = "goodman") -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of each category's share (see the module docstring).

    Parameters
    ----------
    counts : sequence of int
        Records per category (``k`` categories).
    confidence : float
        ``1 - alpha``.
    method : ``"goodman"`` (simultaneous, default) or ``"wilson"`` (each category alone)

    Returns
    -------
    (low, high) : arrays of length ``k``; ``[0, 1]`` everywhere when there are no records.

    >>> low, high = share_intervals([81, 182], method="wilson")   # Newcombe (1998), 81/263: 0.2553-0.3662
    >>> [round(float(x), 4) for x in (low[0], high[0])]
    [0.2553, 0.3662]
    """
    if method not in METHODS:
        raise BadInput(f"method: {method!r} is not one of {', '.join(METHODS)}")
    if not 0 < confidence < 1:
        raise BadInput(f"confidence: {confidence!r} must lie in (0, 1)")
    c = np.asarray(counts, dtype=float)
    if c.ndim != 1 or (c < 0).any():
        raise BadInput("counts: must be a list of non-negative counts")
    k, n = len(c), float(c.sum())
    if n == 0 or k == 0:
        return np.zeros(k), np.ones(k)
    alpha = 1 - confidence
    a = stats.chi2.ppf(1 - alpha / k, 1) if method == "goodman" else stats.norm.ppf(1 - alpha / 2) ** 2
    root = np.sqrt(a * a + 4 * a * c * (n - c) / n)
    low = (2 * c + a - root) / (2 * (n + a))
    high = (2 * c + a + root) / (2 * (n + a))
    return np.clip(low, 0, 1), np.clip(high, 0, 1)


def within(count, total, target: float, tolerance: float) -> bool:
    """Whether ``count / total`` lies in ``[target - tolerance, target + tolerance]`` (compared in
    records, with :data:`EPS` of slack for float rounding).

    >>> within(5, 20, 0.3, 0.05), within(4, 20, 0.3, 0.05)
    (True, False)
    """
    return (target - tolerance) * total - EPS <= count <= (target + tolerance) * total + EPS


def classify(share: float, low: float, high: float, target: float, tolerance: float, *, n: int | None = None,
             count: int | None = None) -> str:
    """The status of one category (the rule of the module docstring): ``ok``, ``under``, ``over``
    (flagged: the interval lies wholly outside the band), ``under?``, ``over?`` (the point
    estimate is outside the band, the interval reaches it), ``no data`` (no records).

    Given ``n`` and ``count`` the point estimate is compared in records (:func:`within`).

    >>> classify(0.10, 0.05, 0.18, 0.30, 0.05), classify(0.22, 0.12, 0.36, 0.30, 0.05)
    ('under', 'under?')
    >>> classify(0.31, 0.2, 0.4, 0.30, 0.05), classify(0.6, 0.45, 0.7, 0.30, 0.05)
    ('ok', 'over')
    """
    if n == 0:
        return "no data"
    inside = within(count, n, target, tolerance) if n is not None and count is not None else \
        target - tolerance <= share <= target + tolerance
    if inside:
        return "ok"
    if share < target:
        return "under" if high < target - tolerance else "under?"
    return "over" if low > target + tolerance else "over?"


def _bounds(counts: np.ndarray, targets: np.ndarray, tolerance: float, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """lower_i(M), upper_i(M) for each total ``M`` of ``totals`` (rows) and category (columns)."""
    m = totals[:, None].astype(float)
    lower = np.maximum(0, np.ceil((targets - tolerance) * m - EPS) - counts)
    upper = np.floor((targets + tolerance) * m + EPS) - counts
    return lower, upper


def additions_to_close(counts: Sequence[int] | np.ndarray, targets: Sequence[float] | np.ndarray, tolerance: float, *,
                       max_total: int = 100_000_000) -> np.ndarray:
    """How many records of each category to add, fewest in all, so that every share lies within
    ``tolerance`` of its target (derivation in the module docstring).

    Parameters
    ----------
    counts : sequence of int
        Records per category now (a category the plan does not name has target 0).
    targets : sequence of float
        Target share per category, summing to 1.
    tolerance : float
        In (0, 1).

    Returns
    -------
    numpy array of int, one per category (all zero when every share is already within).

    >>> additions_to_close([60, 30, 10], [0.5, 0.3, 0.2], 0.05).tolist()   # 110 in all: 60/110 <= 0.55
    [0, 1, 9]
    >>> additions_to_close([0, 0], [0.5, 0.5], 0.05).tolist()
    [1, 1]
    """
    c = np.asarray(counts, dtype=np.int64)
    t = np.asarray(targets, dtype=float)
    if c.shape != t.shape or c.ndim != 1 or (c < 0).any():
        raise BadInput("counts, targets: one non-negative count and one share per category")
    if abs(math.fsum(t) - 1) > 1e-9 or (t < 0).any():
        raise BadInput(f"targets: shares must be non-negative and sum to 1, got {t.tolist()}")
    if not 0 < tolerance < 1:
        raise BadInput(f"tolerance: {tolerance!r} must lie in (0, 1)")
    n = int(c.sum())
    start = max(n, 1)
    chunk = 4096
    while start <= max_total:
        totals = np.arange(start, start + chunk, dtype=np.int64)
        lower, upper = _bounds(c, t, tolerance, totals)
        extra = totals - n
        ok = (lower <= upper).all(axis=1) & (lower.sum(axis=1) <= extra) & (upper.sum(axis=1) >= extra)
        hit = np.flatnonzero(ok)
        if len(hit):
            j = int(hit[0])
            m = int(totals[j])
            a = lower[j].astype(np.int64)
            room = (upper[j] - lower[j]).astype(np.int64)
            for _ in range(int(extra[j] - a.sum())):  # the remainder: furthest below target first
                deficit = np.where(room > 0, t * m - (c + a), -np.inf)
                i = int(np.argmax(deficit))
                a[i] += 1
                room[i] -= 1
            return a
        start += chunk
    raise BadInput(f"no mix within tolerance {tolerance} up to {max_total} records")  # pragma: no cover


@dataclass(frozen=True)
class MixComparison:
    """An observed mix against a plan: one row per category in :attr:`table` (columns
    :data:`TABLE_COLUMNS`: planned categories in the plan's order, then values the plan does not
    name, then :data:`MISSING`; ``needed`` is :func:`additions_to_close`'s answer)."""

    n: int
    tolerance: float
    confidence: float
    method: str
    table: pd.DataFrame

    @property
    def flagged(self) -> list[str]:
        return [str(c) for c in self.table.loc[self.table["flagged"], "category"]]

    @property
    def needed_total(self) -> int:
        return int(self.table["needed"].sum())

    def to_dict(self) -> dict:
        rows = []
        for r in self.table.to_dict("records"):
            rows.append({k: (None if isinstance(v, float) and math.isnan(v) else
                             bool(v) if isinstance(v, (bool, np.bool_)) else
                             int(v) if isinstance(v, (int, np.integer)) else
                             float(v) if isinstance(v, (float, np.floating)) else v) for k, v in r.items()})
        return {"n": self.n, "tolerance": self.tolerance, "confidence": self.confidence, "method": self.method,
                "flagged": self.flagged, "needed_total": self.needed_total, "categories": rows}


def compare_mix(counts: Mapping[str, int], target: Mapping[str, float], tolerance: float, *,
                confidence: float = 0.95, method: str = "goodman") -> MixComparison:
    """Compare observed ``counts`` (value -> records) with ``target`` (value -> share).

    Values in ``counts`` that ``target`` does not name are categories with target 0 (a record
    without the property is counted under :data:`MISSING` by the callers, and is one of those).

    >>> m = compare_mix({"a": 70, "b": 30}, {"a": 0.5, "b": 0.5}, 0.05)
    >>> m.table[["category", "status", "needed"]].values.tolist()
    [['a', 'over', 0], ['b', 'under', 28]]
    """
    _check_target(target, tolerance)
    bad = {k: v for k, v in counts.items() if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0}
    if bad:
        raise BadInput(f"counts: must be non-negative integers, got {bad}")
    planned = [str(k) for k in target]
    extra = sorted((str(k) for k in counts if str(k) not in target and str(k) != MISSING and counts[k] > 0))
    cats = planned + extra + ([MISSING] if counts.get(MISSING, 0) > 0 and MISSING not in target else [])
    by = {str(k): int(v) for k, v in counts.items()}
    c = np.array([by.get(k, 0) for k in cats], dtype=np.int64)
    t = np.array([float(target.get(k, 0.0)) for k in cats])
    n = int(c.sum())
    low, high = share_intervals(c, confidence=confidence, method=method)
    share = c / n if n else np.full(len(cats), np.nan)
    needed = additions_to_close(c, t, tolerance)
    status = [classify(float(s), float(lo), float(hi), float(tt), tolerance, n=n, count=int(cc))
              for s, lo, hi, tt, cc in zip(share, low, high, t, c)]
    table = pd.DataFrame({
        "category": cats, "planned": [k in target for k in cats], "count": c, "share": share,
        "low": low if n else np.nan, "high": high if n else np.nan, "target": t,
        "band_low": np.maximum(t - tolerance, 0), "band_high": np.minimum(t + tolerance, 1), "status": status,
        "flagged": [s in ("under", "over") for s in status], "needed": needed,
    }, columns=TABLE_COLUMNS)
    return MixComparison(n=n, tolerance=float(tolerance), confidence=float(confidence), method=method, table=table)


def count_values(metadata: "Sequence[Mapping | None]", prop: str) -> dict[str, int]:
    """Records per value of ``prop`` among the records' metadata mappings (value as text; a record
    without the property, or with an empty value, under :data:`MISSING`), sorted by value.

    >>> count_values([{"t": "a"}, {"t": "b"}, {"t": "a"}, {}, None], "t")
    {'(missing)': 2, 'a': 2, 'b': 1}
    """
    out: dict[str, int] = {}
    for m in metadata:
        v = (m or {}).get(prop)
        key = MISSING if v is None or (isinstance(v, str) and not v.strip()) else str(v)
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def mix_distance(counts: Mapping[str, int], target: Mapping[str, float]) -> float:
    """Total variation distance ``1/2 sum |p_i - t_i|`` between the observed shares and the target
    (values outside the plan count with target 0); 1.0 when there are no records.

    >>> mix_distance({"a": 3, "b": 1}, {"a": 0.5, "b": 0.5})
    0.25
    """
    n = sum(counts.values())
    if n == 0:
        return 1.0
    keys = set(map(str, target)) | set(map(str, counts))
    by = {str(k): v for k, v in counts.items()}
    tg = {str(k): v for k, v in target.items()}
    return 0.5 * math.fsum(abs(by.get(k, 0) / n - tg.get(k, 0.0)) for k in keys)


def fill_toward_target(categories: Sequence[Sequence], targets: Sequence[Mapping[str, float]], n: int, *,
                       existing: Sequence[Mapping[str, int]] | None = None, seed: int = 0) -> list[int]:
    """Positions of at most ``n`` pool records to take so that the mix moves toward the targets.

    Parameters
    ----------
    categories : sequence of sequences
        Per pool record (in pool order), its value of each planned property (``None`` or
        :data:`MISSING` when it has none): ``categories[r][p]`` for plan ``p``.
    targets : sequence of mappings
        Per plan, value -> target share.
    n : int
        How many records to take (all of the pool when it holds fewer).
    existing : sequence of mappings, optional
        Per plan, value -> records already there (a dataset being filled).
    seed : int
        Breaks ties between categories equally far below target (a seeded random order).

    Returns
    -------
    list of int
        Positions into ``categories``, in the order taken.

    Each step takes, among the combinations of values that still have records, the one with the
    largest summed deficit ``sum_p (t_p(v_p) * F_p - x_p(v_p))``, where ``x_p(v)`` counts the
    records with value ``v`` so far (existing and taken) and ``F_p`` is the total there will be
    once the ``n`` records are taken; within a combination, records go in pool order. A value the
    plan does not name has target 0, so it is taken only when no planned value that the pool
    still offers lies below its target.

    With one plan this is optimal: it minimises the total variation distance between the final
    mix and the target over every choice of ``n`` records of the pool. (The distance
    ``sum_i |x_i - t_i F|`` is separable and convex in the counts, and adding a record to the
    category with the largest deficit ``t_i F - x_i`` lowers it the most, so the greedy choice
    is optimal for separable convex objectives under a cardinality constraint; the tests check
    it against an exhaustive search.) With several plans it is a heuristic.

    >>> sorted(fill_toward_target([["a"]] * 8 + [["b"]] * 2, [{"a": 0.5, "b": 0.5}], 4))
    [0, 1, 8, 9]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise BadInput(f"n: {n!r} must be a non-negative integer")
    k = len(targets)
    existing = list(existing) if existing is not None else [{} for _ in range(k)]
    if len(existing) != k:
        raise BadInput("existing: one mapping of counts per plan")
    groups: dict[tuple, list[int]] = {}
    for pos, vals in enumerate(categories):
        if len(vals) != k:
            raise BadInput(f"categories[{pos}]: {len(vals)} values for {k} plans")
        key = tuple(MISSING if v is None else str(v) for v in vals)
        groups.setdefault(key, []).append(pos)
    keys = list(groups)
    rank = np.random.default_rng(seed).permutation(len(keys))  # tie-break order
    # per plan: each group's value (an index into that plan's values), the values' targets and counts
    vidx, tg, cnt = [], [], []
    for p in range(k):
        values = sorted({key[p] for key in keys} | set(map(str, existing[p])))
        where = {v: i for i, v in enumerate(values)}
        vidx.append(np.array([where[key[p]] for key in keys], dtype=np.int64))
        tg.append(np.array([float(targets[p].get(v, 0.0)) for v in values]))
        by = {str(v): c for v, c in existing[p].items()}
        cnt.append(np.array([float(by.get(v, 0)) for v in values]))
    left = np.array([len(groups[key]) for key in keys])
    final = [float(sum(existing[p].values())) + min(n, int(left.sum())) for p in range(k)]
    nxt = np.zeros(len(keys), dtype=np.int64)
    out: list[int] = []
    while len(out) < n and left.sum() > 0:
        score = sum((tg[p] * final[p] - cnt[p])[vidx[p]] for p in range(k)) if k else np.zeros(len(keys))
        score = np.where(left > 0, score, -np.inf)
        best = np.flatnonzero(score >= score.max() - EPS)
        g = int(best[np.argmin(rank[best])])
        out.append(groups[keys[g]][nxt[g]])
        nxt[g] += 1
        left[g] -= 1
        for p in range(k):
            cnt[p][vidx[p][g]] += 1
    return out
