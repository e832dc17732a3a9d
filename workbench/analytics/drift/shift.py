"""Has an annotator's label distribution moved? Chi-square tests of homogeneity with effect sizes.

:func:`shift_vs_own_past` compares each annotator's labels before and after a time or a guideline
version, :func:`shift_vs_team` with everyone else's in the same period; both run
:func:`homogeneity_test` per (annotator, question) (Pearson or G, with Fisher's exact test or a
Monte Carlo permutation test for sparse tables), give Cramér's V and the Jensen-Shannon distance
as effect sizes, and adjust the p-values with Benjamini-Hochberg over the table.

Reference
---------
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1),
    289-300.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats
from scipy.spatial.distance import jensenshannon

from workbench.analytics.drift.validation import validate_labels
from workbench.analytics.reliability import check_seed
from workbench.errors import BadInput

__all__ = ["HomogeneityMethod", "HomogeneityResult", "HomogeneityTest", "homogeneity_test", "shift_vs_own_past",
           "shift_vs_own_past_counts", "shift_vs_team", "shift_vs_team_counts"]

#: The test statistic :func:`homogeneity_test` computes.
HomogeneityTest = Literal["pearson", "g"]
#: How a :class:`HomogeneityResult`'s p-value was obtained.
HomogeneityMethod = Literal["chi2", "g-test", "fisher-exact", "monte-carlo", "degenerate"]
if TYPE_CHECKING:  # (annotations only: the core imports no datetime at run time)
    import datetime as dt

    #: A time ``pandas.Timestamp`` reads, and a length of time ``pandas.Timedelta`` reads.
    TimeLike = str | dt.datetime | np.datetime64
    DeltaLike = str | dt.timedelta | np.timedelta64


@dataclass(frozen=True)
class HomogeneityResult:
    """A test that the rows of a contingency table share one distribution.

    Attributes
    ----------
    statistic : float
        Pearson chi-square (or G) statistic; NaN for the 2x2 Fisher test.
    pvalue : float
    dof : int
    method : str
        ``"chi2"``, ``"g-test"``, ``"fisher-exact"``, ``"monte-carlo"`` or ``"degenerate"``.
    cramers_v : float
        ``sqrt(X2 / (n (min(r, c) - 1)))`` from the uncorrected Pearson statistic.
    js_distance : float
        Jensen-Shannon distance (base 2, in [0, 1]) between the first two rows' distributions.
    n : int
    min_expected : float
        Smallest expected count under homogeneity.
    """

    statistic: float
    pvalue: float
    dof: int
    method: HomogeneityMethod
    cramers_v: float
    js_distance: float
    n: int
    min_expected: float


def _pearson(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson X2 and expected counts of one table (r, c) or a stack of tables (..., r, c)."""
    n = obs.sum(axis=(-2, -1), keepdims=True)
    exp = obs.sum(axis=-1, keepdims=True) * obs.sum(axis=-2, keepdims=True) / n
    return ((obs - exp) ** 2 / exp).sum(axis=(-2, -1)), exp


def homogeneity_test(
    table: ArrayLike,
    *,
    test: HomogeneityTest = "pearson",
    correction: bool = True,
    sparse_rule: bool = True,
    n_resamples: int = 9999,
    seed: int = 0,
) -> HomogeneityResult:
    """Chi-square test of homogeneity with effect sizes and a fallback for sparse tables.

    Parameters
    ----------
    table : array_like
        Counts, one row per group (before/after, annotator/team), one column per label.
        All-zero columns and rows are dropped.
    test : {"pearson", "g"}
        Pearson chi-square, or the likelihood-ratio G-test (``lambda_="log-likelihood"``).
    correction : bool
        Yates' continuity correction for 1 degree of freedom, as in
        ``scipy.stats.chi2_contingency`` (its default).
    sparse_rule : bool
        Apply Cochran's rule: if any expected count is below 1 or more than 20% are below 5,
        the asymptotic p-value is not trusted and an exact one is used instead: Fisher's exact
        test for 2x2 tables, otherwise a Monte Carlo permutation test of the Pearson statistic
        under fixed margins (``n_resamples`` tables drawn from the multivariate hypergeometric
        distribution, p = (1 + #{X2* >= X2}) / (1 + n_resamples)). The G-test does not cure
        sparse cells (it is worse than Pearson's there), so it is not used as the fallback.
    n_resamples, seed : int
        Monte Carlo size and seed (results are reproducible).

    Examples
    --------
    Expected counts are all 15, so X2 = 4 * 5**2 / 15 = 6.667 without correction:

    >>> r = homogeneity_test([[10, 20], [20, 10]], correction=False)
    >>> round(r.statistic, 3), round(r.pvalue, 5), r.dof, r.method, round(r.cramers_v, 4)
    (6.667, 0.00982, 1, 'chi2', 0.3333)
    """
    obs = np.asarray(table, dtype=float)
    if obs.ndim != 2 or obs.shape[0] < 2:
        raise BadInput(f"table must be 2-D with at least two rows, got shape {obs.shape}")
    if (obs < 0).any() or not np.isfinite(obs).all():
        raise BadInput("table must hold non-negative finite counts")
    if test not in ("pearson", "g"):
        raise BadInput(f"test must be 'pearson' or 'g', got {test!r}")
    check_seed(seed)
    js = float("nan")
    r0, r1 = obs[0].sum(), obs[1].sum()
    if r0 > 0 and r1 > 0:
        js = float(jensenshannon(obs[0] / r0, obs[1] / r1, base=2))
    obs = obs[obs.sum(axis=1) > 0][:, obs.sum(axis=0) > 0]
    n = int(obs.sum())
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        return HomogeneityResult(0.0, 1.0, 0, "degenerate", 0.0, js, n, float("nan"))
    x2_all, exp = _pearson(obs)
    x2 = float(x2_all)  # one (r, c) table: a single statistic
    dof = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    v = math.sqrt(x2 / (n * (min(obs.shape) - 1)))
    min_exp = float(exp.min())
    sparse_cells = min_exp < 1 or (exp < 5).mean() > 0.2
    if sparse_rule and sparse_cells:
        if obs.shape == (2, 2):
            _, p = stats.fisher_exact(obs.astype(np.int64))
            return HomogeneityResult(float("nan"), float(p), 1, "fisher-exact", v, js, n, min_exp)
        rng = np.random.default_rng(seed)
        colors = obs.sum(axis=0).astype(np.int64)
        sims = np.empty((n_resamples,) + obs.shape)
        remaining = np.broadcast_to(colors, (n_resamples, len(colors))).copy()
        for i, size in enumerate(obs.sum(axis=1).astype(np.int64)[:-1]):
            draw = rng.multivariate_hypergeometric(colors, size, size=n_resamples) if i == 0 else np.stack(
                [rng.multivariate_hypergeometric(rem, size) for rem in remaining])
            sims[:, i] = draw
            remaining = remaining - draw
        sims[:, -1] = remaining
        x2s, _ = _pearson(sims)
        p = (1 + np.count_nonzero(x2s >= x2 - 1e-9 * max(1.0, x2))) / (1 + n_resamples)
        return HomogeneityResult(float(x2), float(p), dof, "monte-carlo", v, js, n, min_exp)
    lam = "log-likelihood" if test == "g" else None
    res = stats.chi2_contingency(obs, correction=correction, lambda_=lam)
    return HomogeneityResult(float(res[0]), float(res[1]), int(res[2]), "g-test" if lam else "chi2", v, js, n, min_exp)


def _bh(p: np.ndarray) -> np.ndarray:
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


_SHIFT_COLS = ["statistic", "pvalue", "dof", "method", "cramers_v", "js_distance", "min_expected"]


def _tests_from_counts(counts: pd.DataFrame, first: str, second: str, keys: list[str],
                       kw: dict[str, Any]) -> pd.DataFrame:
    """counts: index (keys..., side), columns = labels. One test per key."""
    rows = []
    for key, block in counts.groupby(level=list(range(len(keys))), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        block = block.droplevel(list(range(len(keys))))
        a = block.loc[first].to_numpy() if first in block.index else np.zeros(block.shape[1])
        b = block.loc[second].to_numpy() if second in block.index else np.zeros(block.shape[1])
        row = dict(zip(keys, key))
        row[f"n_{first}"], row[f"n_{second}"] = int(a.sum()), int(b.sum())
        if a.sum() == 0 or b.sum() == 0:
            row.update(statistic=np.nan, pvalue=np.nan, dof=0, method="no data", cramers_v=np.nan,
                       js_distance=np.nan, min_expected=np.nan)
        else:
            r = homogeneity_test(np.vstack([a, b]), **kw)
            row.update({c: getattr(r, c) for c in _SHIFT_COLS})
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*keys, f"n_{first}", f"n_{second}", *_SHIFT_COLS])
    out["p_adjusted"] = _bh(out["pvalue"].to_numpy(dtype=float))
    return out


def shift_vs_own_past(
    labels: pd.DataFrame,
    *,
    at: TimeLike | None = None,
    window: DeltaLike | None = None,
    versions: Sequence[Hashable] | None = None,
    questions: Iterable[str] | None = None,
    source: str = "labels",
    **test_options: Any,
) -> pd.DataFrame:
    """Has each annotator's label distribution moved against their own past?

    Compares, per annotator and question, the labels given *before* and *after* a split,
    with :func:`homogeneity_test`.

    Parameters
    ----------
    labels : pandas.DataFrame
        The tidy labels table.
    at : timestamp-like, optional
        Split time: before = ``time < at``, after = ``time >= at``.
    window : timedelta-like, optional
        With ``at``: only ``[at - window, at)`` against ``[at, at + window)``.
    versions : (old, new), optional
        Instead of ``at``: labels under guideline version ``old`` against those under ``new``.
    questions : iterable of str, optional
        Limit to these questions.
    **test_options
        Passed to :func:`homogeneity_test` (``test``, ``correction``, ``sparse_rule``...).

    Returns
    -------
    pandas.DataFrame
        One row per (annotator, question): ``annotator, question, n_before, n_after,
        statistic, pvalue, dof, method, cramers_v, js_distance, min_expected, p_adjusted``.
        ``p_adjusted`` is Benjamini-Hochberg over all the tests in the table (the family is
        every annotator x question tested in this call). Rows with no data on one side have
        NaN p-values and are left out of the adjustment.
    """
    labels = validate_labels(labels, source=source)
    if (at is None) == (versions is None):
        raise BadInput("give exactly one of at= (a split time) or versions=(old, new)")
    df = labels.loc[:, ["annotator", "question", "value", "time", "guideline_version"]]
    if questions is not None:
        df = df.loc[df["question"].isin(list(questions))]
    if versions is not None:
        if len(versions) != 2:
            raise BadInput(f"versions must be (old, new), got {versions!r}")
        old, new = versions
        for ver in (old, new):
            if not (df["guideline_version"] == ver).any():
                raise BadInput(f"{source}: field 'guideline_version' never has value {ver!r}")
        df = df.loc[df["guideline_version"].isin([old, new])]
        side = np.where(df["guideline_version"] == old, "before", "after")
    else:
        try:
            split = pd.Timestamp(at)
        except (TypeError, ValueError) as exc:
            raise BadInput(f"at={at!r} is not a date/time") from exc
        t = df["time"]
        if window is not None:
            half = pd.Timedelta(window)
            df = df.loc[(t >= split - half) & (t < split + half)]
        side = np.where(df["time"] < split, "before", "after")
    counts = df.assign(_side=side).groupby(["annotator", "question", "_side", "value"], sort=False).size()
    counts = counts.unstack("value", fill_value=0)
    return shift_vs_own_past_counts(counts, **test_options)


def shift_vs_own_past_counts(counts: pd.DataFrame, **test_options: Any) -> pd.DataFrame:
    """:func:`shift_vs_own_past` from the label counts it tests: ``counts`` has the index
    ``(annotator, question, _side)`` (``_side`` "before" or "after") and one column per label, in
    the order ``groupby([...], sort=False).size().unstack("value", fill_value=0)`` gives them (the
    order of the labels decides the Monte Carlo draws). For callers that count on integer codes."""
    return _tests_from_counts(counts, "before", "after", ["annotator", "question"], test_options)


def shift_vs_team(
    labels: pd.DataFrame,
    *,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    questions: Iterable[str] | None = None,
    source: str = "labels",
    **test_options: Any,
) -> pd.DataFrame:
    """Does each annotator's label distribution differ from everyone else's in the same period?

    Per annotator and question, the annotator's label counts in ``[start, end)`` are tested
    against the pooled counts of all the other annotators in the same period.

    Returns
    -------
    pandas.DataFrame
        ``annotator, question, n_annotator, n_team, statistic, pvalue, dof, method, cramers_v,
        js_distance, min_expected, p_adjusted`` (Benjamini-Hochberg across the table).

    Notes
    -----
    The annotators may have labelled different items; a difference can then come from the
    items, not the annotator. Restrict ``labels`` to shared items (calibration) to separate
    the two.
    """
    labels = validate_labels(labels, source=source)
    df = labels.loc[:, ["annotator", "question", "value", "time"]]
    if start is not None:
        df = df.loc[df["time"] >= pd.Timestamp(start)]
    if end is not None:
        df = df.loc[df["time"] < pd.Timestamp(end)]
    if questions is not None:
        df = df.loc[df["question"].isin(list(questions))]
    if len(df) == 0:
        raise BadInput(f"{source}: no labels in the chosen period and questions")
    own = df.groupby(["annotator", "question", "value"], sort=False).size().unstack("value", fill_value=0)
    return shift_vs_team_counts(own, **test_options)


def shift_vs_team_counts(own: pd.DataFrame, **test_options: Any) -> pd.DataFrame:
    """:func:`shift_vs_team` from each annotator's label counts: ``own`` has the index
    ``(annotator, question)`` and one column per label, in the order
    ``groupby([...], sort=False).size().unstack("value", fill_value=0)`` gives them (the order of
    the labels decides the Monte Carlo draws). For callers that count on integer codes."""
    total = own.groupby(level="question").sum()
    team = total.reindex(own.index.get_level_values("question")).to_numpy() - own.to_numpy()
    team = pd.DataFrame(team, index=own.index, columns=own.columns)
    both = pd.concat({"annotator": own, "team": team}, names=["_side"])
    both = both.reorder_levels(["annotator", "question", "_side"])
    return _tests_from_counts(both, "annotator", "team", ["annotator", "question"], test_options)
