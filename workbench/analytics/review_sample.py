"""Expert review of production output: how many records to review, which ones, and what they say.

Gold items measure annotators on items chosen in advance; an expert review measures them on the
production items themselves. For each annotator a sample of their submitted production records
goes to a domain expert, who accepts or corrects the annotator's answer. This module is the
functional core of that review (no I/O): :func:`sample_size`, :func:`stratified_sample` and
:func:`review_accuracy`.

Sample size
-----------
To estimate an annotator's accuracy ``p`` (the share of their records the expert accepts) within
a margin ``m`` at confidence ``c``, the normal approximation to the binomial gives (Cochran 1977,
eq. 4.2)::

    n0 = z^2 p (1 - p) / m^2          z = Phi^-1(1 - (1 - c) / 2)

with ``p = 0.5`` (the worst case: ``p(1 - p)`` is largest there) unless a prior accuracy is
given. An annotator has only ``N`` production records, and the review samples them without
replacement, so the finite-population correction applies (Cochran 1977, eq. 4.1)::

    n = n0 / (1 + (n0 - 1) / N)

Both are rounded up; ``n`` never exceeds ``N``. For ``m = 0.05``, ``c = 0.95``: ``z = 1.95996``,
``n0 = 384.1`` -> 385 records; an annotator with ``N = 200`` records needs 132 of them.

Assumptions: records are reviewed independently and the expert's answer is the truth; the
margin is the half-width of a normal-approximation interval. The reported interval is Wilson's
score interval (:func:`wilson_interval`), which keeps its coverage near the nominal level when
``p`` is near 0 or 1, where the normal (Wald) interval does not (Brown, Cai and DasGupta 2001).
The finite-population correction shrinks the *sample*; the interval reported is the plain
binomial Wilson interval, which is conservative for a sample that is a large share of ``N``.

Which records
-------------
:func:`stratified_sample` draws each annotator's records independently (stratified by
annotator), optionally stratified further by the annotator's own answer to one question, with
proportional allocation (largest remainders), so the sample stays self-weighting and the plain
share accepted is the estimate. The order within a stratum is a hash of the seed, the annotator
and the item: the same records give the same sample whatever their order, and records added
later do not move the ones already drawn.

References
----------
Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley. Sections 4.4-4.6.

Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
Journal of the American Statistical Association, 22(158), 209-212.

Brown, L. D., Cai, T. T., & DasGupta, A. (2001). Interval estimation for a binomial proportion.
Statistical Science, 16(2), 101-133.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from workbench.errors import BadInput

ACCURACY_COLUMNS = ("annotator", "question", "n_reviewed", "n_accepted", "n_corrected", "accuracy", "low", "high")
_EPS = 1e-9  # rounding guard: 384.0000000001 is 384, not 385


def check_share(name: str, value: object, *, lo: float, hi: float) -> float:
    """``value`` as a float strictly between ``lo`` and ``hi``, or BadInput naming the option ``name``.

    >>> check_share("--margin", 0.05, lo=0, hi=0.5)
    0.05
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not math.isfinite(float(value)) or not lo < float(value) < hi:
        raise BadInput(f"{name}: {value!r} must be a number strictly between {lo:g} and {hi:g}")
    return float(value)


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of ``confidence``.

    >>> round(z_value(0.95), 5), round(z_value(0.99), 4)
    (1.95996, 2.5758)
    """
    from scipy.stats import norm

    c = check_share("--confidence", confidence, lo=0.0, hi=1.0)
    return float(norm.ppf(1.0 - (1.0 - c) / 2.0))


def cochran_n0(margin: float, confidence: float, p: float = 0.5) -> float:
    """``n0 = z^2 p (1-p) / m^2``, unrounded (Cochran 1977, eq. 4.2).

    >>> round(cochran_n0(0.05, 0.95), 2), round(cochran_n0(0.05, 0.95, p=0.9), 2)
    (384.15, 138.29)
    """
    m = check_share("--margin", margin, lo=0.0, hi=0.5)
    p = check_share("--expected-accuracy", p, lo=0.0, hi=1.0)
    z = z_value(confidence)
    return z * z * p * (1.0 - p) / (m * m)


def sample_size(margin: float, confidence: float, population: int | None = None, p: float = 0.5) -> int:
    """Records to review for an accuracy within ``margin`` at ``confidence`` (see the module docstring).

    Parameters
    ----------
    margin : float
        Half-width of the interval, in (0, 0.5).
    confidence : float
        In (0, 1).
    population : int, optional
        The annotator's number of production records ``N``: the finite-population correction
        ``n = n0 / (1 + (n0 - 1) / N)`` applies and ``n <= N``.
    p : float
        The accuracy assumed; 0.5 (the worst case) unless a prior is known.

    Examples
    --------
    >>> sample_size(0.05, 0.95), sample_size(0.05, 0.95, 200), sample_size(0.05, 0.95, 10)
    (385, 132, 10)
    >>> sample_size(0.10, 0.95), sample_size(0.03, 0.95), sample_size(0.05, 0.99)
    (97, 1068, 664)
    """
    n0 = cochran_n0(margin, confidence, p)
    if population is None:
        return int(math.ceil(n0 - _EPS))
    if isinstance(population, bool) or int(population) != population or population < 0:
        raise BadInput(f"population: {population!r} must be a whole number of records, at least 0")
    N = int(population)
    if N == 0:
        return 0
    n = n0 / (1.0 + (n0 - 1.0) / N)
    return min(N, int(math.ceil(n - _EPS)))


def formula_text(margin: float, confidence: float, p: float = 0.5) -> str:
    """The formula with its numbers, as ``workbench round create --kind review`` prints it."""
    z = z_value(confidence)
    n0 = cochran_n0(margin, confidence, p)
    return (f"n0 = z^2 p(1-p) / m^2 = {z:.4f}^2 x {p:g} x {1 - p:g} / {margin:g}^2 = {n0:.1f} -> "
            f"{int(math.ceil(n0 - _EPS))}; per annotator with N records: n = n0 / (1 + (n0 - 1)/N), rounded up "
            f"(Cochran, Sampling Techniques, 4.2 and 4.1; p = {p:g}{' (worst case)' if p == 0.5 else ' (prior)'})")


def sample_sizes(population: Mapping[str, int], *, per_annotator: int | None = None, margin: float | None = None,
                 confidence: float | None = None, p: float = 0.5) -> dict[str, int]:
    """Sample size of each annotator: ``per_annotator`` (capped at their records) or
    :func:`sample_size` with the finite-population correction.

    >>> sample_sizes({"ana": 200, "ben": 5000}, margin=0.05, confidence=0.95)
    {'ana': 132, 'ben': 357}
    >>> sample_sizes({"ana": 200, "ben": 30}, per_annotator=50)
    {'ana': 50, 'ben': 30}
    """
    if per_annotator is not None:
        if margin is not None:
            raise BadInput("--per-annotator and --margin: give one of them (a fixed number, or a margin and confidence)")
        if isinstance(per_annotator, bool) or int(per_annotator) != per_annotator or per_annotator < 1:
            raise BadInput(f"--per-annotator: {per_annotator!r} must be a whole number, at least 1")
        return {a: min(int(N), int(per_annotator)) for a, N in population.items()}
    if margin is None or confidence is None:
        raise BadInput("give --per-annotator N, or --margin and --confidence")
    return {a: sample_size(margin, confidence, int(N), p) for a, N in population.items()}


def _hash_key(seed: int | str, annotator: str, item: str) -> str:
    return hashlib.sha256(f"review\x00{seed}\x00{annotator}\x00{item}".encode("utf-8")).hexdigest()


def allocate(counts: Mapping, n: int) -> dict:
    """Proportional allocation of ``n`` over strata of ``counts`` by largest remainders (ties by
    stratum, in ``counts``' order); no stratum gets more than it has.

    >>> allocate({"a": 50, "b": 30, "c": 20}, 10)
    {'a': 5, 'b': 3, 'c': 2}
    >>> allocate({"a": 1, "b": 1, "c": 1}, 2)
    {'a': 1, 'b': 1, 'c': 0}
    """
    total = sum(counts.values())
    if total == 0 or n <= 0:
        return {k: 0 for k in counts}
    n = min(n, total)
    exact = {k: n * c / total for k, c in counts.items()}
    out = {k: min(counts[k], int(math.floor(v + _EPS))) for k, v in exact.items()}
    keys = list(counts)
    rank = sorted(keys, key=lambda k: (-(exact[k] - math.floor(exact[k] + _EPS)), keys.index(k)))
    left = n - sum(out.values())
    while left > 0:
        moved = False
        for k in rank:
            if left and out[k] < counts[k]:
                out[k] += 1
                left -= 1
                moved = True
        if not moved:  # pragma: no cover - n <= total makes this unreachable
            break
    return out


def stratified_sample(records: pd.DataFrame, sizes: Mapping[str, int], *, seed: int | str = 0,
                      stratum: str | None = None) -> pd.DataFrame:
    """Each annotator's sample: ``sizes[annotator]`` of their records, by hash order.

    Parameters
    ----------
    records : pandas.DataFrame
        One row per (annotator, item) the annotator submitted: ``annotator``, ``item`` and, when
        ``stratum`` is given, that column (the annotator's answer used as the label stratum).
    sizes : mapping
        Annotator -> records to draw (annotators not in it are not sampled).
    seed : int or str
        Part of the hash: another seed gives another sample.
    stratum : str, optional
        Column to stratify by within an annotator (proportional allocation, :func:`allocate`).

    Returns
    -------
    pandas.DataFrame
        ``annotator, item`` (and ``stratum``), ordered by annotator then hash order.

    Examples
    --------
    >>> recs = pd.DataFrame({"annotator": ["a"] * 6 + ["b"] * 2, "item": list("uvwxyz") + ["u", "v"],
    ...                      "label": ["p", "p", "p", "p", "n", "n", "p", "n"]})
    >>> s = stratified_sample(recs, {"a": 3, "b": 2}, stratum="label")
    >>> s.groupby("annotator")["item"].count().to_dict(), sorted(s[s.annotator == "a"]["label"])
    ({'a': 3, 'b': 2}, ['n', 'p', 'p'])
    >>> s.equals(stratified_sample(recs.iloc[::-1], {"a": 3, "b": 2}, stratum="label"))
    True
    """
    need = ["annotator", "item"] + ([stratum] if stratum else [])
    missing = [c for c in need if c not in records.columns]
    if missing:
        raise BadInput(f"records: missing column(s) {', '.join(missing)}")
    recs = records[need].drop_duplicates(["annotator", "item"])
    parts = []
    for annotator in sorted(sizes, key=str):
        mine = recs[recs["annotator"] == annotator]
        n = int(sizes[annotator])
        if n <= 0 or mine.empty:
            continue
        keys = [_hash_key(seed, str(annotator), str(i)) for i in mine["item"]]
        mine = mine.assign(_key=keys).sort_values("_key", kind="stable")
        if stratum:
            strata = mine[stratum].map(_stratum_key)
            counts = strata.value_counts(sort=False)
            order = sorted(counts.index, key=str)
            take = allocate({k: int(counts[k]) for k in order}, n)
            rank = strata.groupby(strata, sort=False).cumcount()
            mine = mine[rank.to_numpy() < strata.map(take).to_numpy()]
        else:
            mine = mine.head(n)
        parts.append(mine.drop(columns="_key"))
    if not parts:
        return pd.DataFrame(columns=need)
    return pd.concat(parts, ignore_index=True)


def _stratum_key(value) -> str:
    return repr(_canon(value))


def _canon(value):
    """A hashable, comparable form of an answer (lists -> tuples, numpy scalars -> Python)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_canon(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _canon(v)) for k, v in value.items()))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def same_answer(a, b) -> bool:
    """Exact agreement of two answers (the gate's rule for gold: same label, rating or set).

    >>> same_answer(["b", "a"], ("b", "a")), same_answer(4, 4.0), same_answer("x", "y")
    (True, True, False)
    """
    return _canon(a) == _canon(b)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson's score interval for ``k`` successes in ``n`` trials (Wilson 1927)::

        (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)

    >>> [round(x, 4) for x in wilson_interval(40, 50)]
    [0.6696, 0.8876]
    >>> wilson_interval(0, 0)
    (None, None)
    """
    if n <= 0:
        return None, None
    z = z_value(confidence)
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def review_accuracy(reviews: pd.DataFrame, answers: pd.DataFrame, sampled: pd.DataFrame, *,
                    confidence: float = 0.95) -> pd.DataFrame:
    """Each annotator's accuracy against expert review, per question, with Wilson's interval.

    Parameters
    ----------
    reviews : pandas.DataFrame
        The expert's answers: ``item, question, value`` (one per item and question).
    answers : pandas.DataFrame
        The annotators' production answers: ``item, annotator, question, value``.
    sampled : pandas.DataFrame
        Which annotator each reviewed item was drawn for: ``item, annotator``. An item counts for
        an annotator only when it was drawn for them (their sample is then a random sample of
        their records; items drawn for others are not).

    Returns
    -------
    pandas.DataFrame
        :data:`ACCURACY_COLUMNS`: records reviewed, accepted (the expert's answer is the
        annotator's), corrected, the share accepted and its interval; by annotator and question.

    Examples
    --------
    >>> rev = pd.DataFrame({"item": ["i1", "i2", "i3"], "question": "q", "value": ["a", "b", "a"]})
    >>> ans = pd.DataFrame({"item": ["i1", "i2", "i3", "i1"], "annotator": ["x", "x", "x", "y"],
    ...                     "question": "q", "value": ["a", "a", "a", "b"]})
    >>> smp = pd.DataFrame({"item": ["i1", "i2", "i3", "i1"], "annotator": ["x", "x", "x", "y"]})
    >>> review_accuracy(rev, ans, smp)[["annotator", "n_reviewed", "n_accepted", "accuracy"]]
      annotator  n_reviewed  n_accepted  accuracy
    0         x           3           2  0.666667
    1         y           1           0  0.000000
    """
    for name, frame, cols in (("reviews", reviews, ("item", "question", "value")),
                              ("answers", answers, ("item", "annotator", "question", "value")),
                              ("sampled", sampled, ("item", "annotator"))):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise BadInput(f"{name}: missing column(s) {', '.join(missing)}")
    if reviews.empty or answers.empty or sampled.empty:
        return pd.DataFrame(columns=list(ACCURACY_COLUMNS))
    rev = reviews[["item", "question", "value"]].astype({"item": object, "question": object}) \
        .drop_duplicates(["item", "question"], keep="last").rename(columns={"value": "expert"})
    smp = sampled[["item", "annotator"]].astype(object).drop_duplicates()
    ans = answers[["item", "annotator", "question", "value"]].astype(
        {"item": object, "annotator": object, "question": object})
    ans = ans.merge(smp, on=["item", "annotator"], how="inner").merge(rev, on=["item", "question"], how="inner")
    ans = ans[ans["value"].map(lambda v: v is not None) & ans["expert"].map(lambda v: v is not None)]
    if ans.empty:
        return pd.DataFrame(columns=list(ACCURACY_COLUMNS))
    ans = ans.assign(ok=[same_answer(a, b) for a, b in zip(ans["value"], ans["expert"])])
    g = ans.groupby(["annotator", "question"], sort=True)["ok"].agg(["size", "sum"]).reset_index()
    rows = []
    for r in g.itertuples(index=False):
        n, k = int(r.size), int(r.sum)
        low, high = wilson_interval(k, n, confidence)
        rows.append((r.annotator, r.question, n, k, n - k, k / n, low, high))
    return pd.DataFrame(rows, columns=list(ACCURACY_COLUMNS))


@dataclass(frozen=True)
class ReviewChanges:
    """How many reviewed items an expert review touched and changed, for the export's manifest."""

    reviewed: int
    changed: int

    def to_dict(self) -> dict:
        return {"reviewed": self.reviewed, "changed": self.changed}


def review_changes(reviews: pd.DataFrame, final: pd.DataFrame) -> ReviewChanges:
    """Items of ``final`` (final labels from the annotators alone: ``item, question, value``) with
    an expert review (``item, question, value``), and those where the review changed a value.

    >>> fin = pd.DataFrame({"item": ["a", "b", "c"], "question": "q", "value": ["x", "y", None]})
    >>> rev = pd.DataFrame({"item": ["a", "b", "z"], "question": "q", "value": ["x", "x", "x"]})
    >>> review_changes(rev, fin)
    ReviewChanges(reviewed=2, changed=1)
    """
    if reviews.empty or final.empty:
        return ReviewChanges(0, 0)
    m = final[["item", "question", "value"]].astype({"item": object, "question": object}).merge(
        reviews[["item", "question", "value"]].astype({"item": object, "question": object})
        .drop_duplicates(["item", "question"], keep="last").rename(columns={"value": "expert"}),
        on=["item", "question"], how="inner")
    if m.empty:
        return ReviewChanges(0, 0)
    m = m.assign(diff=[not same_answer(a, b) for a, b in zip(m["value"], m["expert"])])
    return ReviewChanges(int(m["item"].nunique()), int(m.loc[m["diff"], "item"].nunique()))
