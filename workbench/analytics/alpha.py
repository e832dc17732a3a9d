"""Krippendorff's alpha, vectorised, with a fast item-bootstrap interval.

Formulas (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):

* Reliability data: ``m_u`` values in unit (item) ``u``; only units with ``m_u >= 2`` are
  *pairable*.
* Coincidence matrix ``o[c, k] = sum_u P_u[c, k] / (m_u - 1)`` with ``P_u[c, k]`` the number of
  ordered pairs of values (from different annotators) in unit ``u`` that are ``c`` and ``k``:
  ``P_u = n_u n_u^T - diag(n_u)`` for the per-unit value counts ``n_u``.
* Marginals ``n_c = sum_k o[c, k]`` (= the number of pairable values equal to ``c``, which is
  how we compute it, exactly), ``n = sum_c n_c`` (number of pairable values).
* Distances ``delta`` per level (nominal, ordinal, interval, ratio; Jaccard and MASI for
  multi-label answers) are in :mod:`workbench.analytics.distances`; ``distance=`` takes any
  callable or matrix (rankings: Kendall tau distance; spans: 1 - token F1).
* ``alpha = 1 - D_o / D_e`` with ``D_o = sum o[c, k] delta[c, k] / n`` and
  ``D_e = sum n_c n_k delta[c, k] / (n (n - 1))``.

Computation: the per-unit pair counts are integers, so we group units by ``m_u`` and sum the
pair counts within each group *exactly* (integer-valued float sums); the coincidence matrix is
``sum_m S_m / (m - 1)`` in ascending ``m``. No Python loop runs over items.

Bootstrap: a resample of units with multiplicities ``w_u`` has coincidence matrix
``sum_m (w @ P)_m / (m - 1)``, so 1,000 resamples are a few chunked matrix products
``weights @ P`` (resamples x rows times rows x V(V+1)/2, exploiting the symmetry of ``P``). The
marginals, the ordinal metric (which depends on them) and ``D_e`` are recomputed from each
resample's coincidence matrix, exactly as for the point estimate: for the same resampled items
the fast bootstrap gives bit-identical results to calling :func:`krippendorff_alpha` on the
resampled data (integer sums are exact in float64 up to 2**53).

Units with the same value counts (the same *pattern*, e.g. "3 x 'good', 1 x 'bad'") contribute
identically, and with few categories there are far fewer patterns than units. Drawing ``N``
units with replacement then amounts to drawing how often each pattern is hit, which is
multinomial with probabilities ``multiplicity / N``; when patterns are at most 1/8 of the
units we draw those multinomial counts (same distribution, much less work), otherwise we draw
unit positions.

The interval is the percentile bootstrap over *pairable units*: resample the pairable units
with replacement ``n_boot`` times, compute alpha on each, report the ``(1 - ci) / 2`` and
``(1 + ci) / 2`` quantiles. (Krippendorff's own bootstrap in the KALPHA macro of Hayes &
Krippendorff 2007 works on pairs of values rather than on units; it is not offered here.
Resampling whole items keeps each item's annotations together, which is what a sample of items
is.) Resamples in which alpha is undefined
(all values equal) are left out and counted in ``AlphaResult.n_boot_undefined``.

References
----------
Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
https://repository.upenn.edu/asc_papers/43

Hayes, A. F. & Krippendorff, K. (2007). Answering the Call for a Standard Reliability Measure
for Coding Data. Communication Methods and Measures 1, 77-89.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.analytics import distances as _dist
from workbench.analytics.reliability import ReliabilityData, as_reliability_data, check_seed, is_number, show_value
from workbench.errors import BadInput

LEVELS = ("nominal", "ordinal", "interval", "ratio", "jaccard", "masi")

# Memory budgets (in float64 elements) for the bootstrap.
_CHUNK_ELEMENTS = 8_000_000  # resample weights held at once (64 MB)
_CONTRIB_ELEMENTS = 25_000_000  # per-unit pair-count table (200 MB); larger -> slower path


@dataclass(frozen=True)
class AlphaResult:
    """Krippendorff's alpha with its bootstrap interval.

    Attributes
    ----------
    alpha : float
        The point estimate.
    level : str
        The level of measurement, or ``"custom"`` for a ``distance=`` hook.
    low, high : float or None
        Percentile-bootstrap interval bounds (None when ``n_boot == 0``).
    ci : float or None
        Coverage of the interval (e.g. 0.95; None when ``n_boot == 0``).
    n_boot : int
        Number of resamples drawn.
    n_items : int
        Pairable items (items with values from at least two annotators).
    n_annotators : int
        Annotators in the data.
    n_pairable : int
        Pairable values ``n`` (values in pairable items).
    observed_disagreement, expected_disagreement : float
        ``D_o`` and ``D_e``; ``alpha = 1 - D_o / D_e``.
    n_boot_undefined : int
        Resamples left out of the interval because alpha was undefined in them (every
        resampled value equal).
    """

    alpha: float
    level: str
    low: float | None
    high: float | None
    ci: float | None
    n_boot: int
    n_items: int
    n_annotators: int
    n_pairable: int
    observed_disagreement: float
    expected_disagreement: float
    n_boot_undefined: int = 0


class _Basis:
    """Rows of per-unit value counts grouped by ``m`` (the row sum), ascending.

    The rows are either the pairable units themselves or the distinct unit *patterns* (value
    count vectors); alpha on a resample only needs how often each row is drawn.
    """

    def __init__(self, counts: np.ndarray, m_values: np.ndarray, bounds: np.ndarray):
        self.counts = counts
        self.m_values = m_values
        self.bounds = bounds
        self._contrib: np.ndarray | None = None

    def contributions(self) -> np.ndarray:
        """Per-row pair counts (upper triangle of ``P_u``) and value counts: (rows, K + V)."""
        if self._contrib is None:
            v = self.counts.shape[1]
            iu = np.triu_indices(v)
            c = self.counts.astype(float)
            pairs = c[:, iu[0]]  # (a copy: fancy indexing)
            pairs *= c[:, iu[1]]
            pairs[:, iu[0] == iu[1]] -= c
            self._contrib = np.hstack([pairs, c])
        return self._contrib

    def coincidences(self, weights: np.ndarray):
        """Coincidence matrices (B, V, V) and marginals (B, V) for row multiplicities (B, rows).

        The pair counts of each ``m`` group are summed exactly (integer-valued floats) and
        divided by ``m - 1`` in ascending ``m``, exactly as :func:`_coincidence` does.
        """
        weights = np.asarray(weights, dtype=float)
        b = weights.shape[0]
        v = self.counts.shape[1]
        o = np.zeros((b, v, v))
        marginals = np.zeros((b, v))
        k = v * (v + 1) // 2
        if len(self.counts) * (k + v) <= _CONTRIB_ELEMENTS:
            contrib = self.contributions()
            iu = np.triu_indices(v)
            for g, m in enumerate(self.m_values):
                lo, hi = self.bounds[g], self.bounds[g + 1]
                sums = weights[:, lo:hi] @ contrib[lo:hi]  # exact: integer-valued
                pair_sums = np.empty((b, v, v))
                pair_sums[:, iu[0], iu[1]] = sums[:, :k]
                pair_sums[:, iu[1], iu[0]] = sums[:, :k]
                o = o + pair_sums / (m - 1)
                marginals += sums[:, k:]
        else:  # many categories: one resample at a time, same arithmetic
            for row in range(b):
                for g, m in enumerate(self.m_values):
                    lo, hi = self.bounds[g], self.bounds[g + 1]
                    block = self.counts[lo:hi].astype(float)
                    w = weights[row, lo:hi]
                    weighted_counts = w @ block
                    pair_sums = (block * w[:, None]).T @ block - np.diag(weighted_counts)
                    o[row] = o[row] + pair_sums / (m - 1)
                    marginals[row] += weighted_counts
        return o, marginals


class _Prepared:
    """Pairable units grouped by their number of values, plus the distance for a level."""

    def __init__(self, data, level: str, distance):
        rd = as_reliability_data(data)
        if rd.n_annotators < 2:
            raise BadInput(
                f"Krippendorff's alpha needs at least two annotators; got {rd.n_annotators}"
                + (f" ({', '.join(repr(a) for a in rd.annotators)})" if rd.n_annotators else "")
            )
        self.data = rd
        self.categories = rd.categories
        self.level, self.delta = _resolve_distance(rd, level, distance)
        self.units, self.counts, self.m_values, self.bounds = _group_units(rd)
        self._units_basis: _Basis | None = None
        self._patterns = None

    @property
    def n_units(self) -> int:
        return len(self.units)

    def point(self):
        """(alpha, D_o, D_e, n) for the data itself; alpha is nan when undefined."""
        o = _coincidence(self.counts, self.m_values, self.bounds)[None]
        marginals = self.counts.sum(axis=0).astype(float)[None]
        return _finish(o, marginals, self.delta)

    def units_basis(self) -> _Basis:
        if self._units_basis is None:
            self._units_basis = _Basis(self.counts, self.m_values, self.bounds)
        return self._units_basis

    def patterns(self):
        """Distinct unit patterns: ``(basis, unit_pattern, multiplicity)``.

        ``unit_pattern[u]`` is the pattern (row of ``basis``) of pairable unit ``u``;
        ``multiplicity[p]`` how many units have pattern ``p``.
        """
        if self._patterns is None:
            counts = self.counts
            v = counts.shape[1]
            m = counts.sum(axis=1)
            base = int(m.max()) + 1 if len(m) else 1
            if v * np.log2(base) + np.log2(base) < 62:
                powers = base ** np.arange(v + 1, dtype=np.int64)
                key = counts @ powers[:v] + m * powers[v]  # sorts by m first
                uniq, first, inverse, mult = np.unique(
                    key, return_index=True, return_inverse=True, return_counts=True
                )
                pattern_counts = counts[first]
            else:
                table = np.column_stack([m, counts])
                uniq, first, inverse, mult = np.unique(
                    table, axis=0, return_index=True, return_inverse=True, return_counts=True
                )
                pattern_counts = counts[first]
            pattern_m = pattern_counts.sum(axis=1)
            m_values, starts = np.unique(pattern_m, return_index=True)
            basis = _Basis(pattern_counts, m_values, np.append(starts, len(pattern_counts)))
            self._patterns = (basis, inverse.reshape(-1), mult)
        return self._patterns

    def use_patterns(self) -> bool:
        """Drawing pattern counts (multinomial) beats drawing units when patterns are few."""
        basis, _, _ = self.patterns()
        return len(basis.counts) * 8 <= self.n_units

    def alphas(self, weights: np.ndarray, basis: _Basis):
        """alpha, D_o, D_e, n for each row of multiplicities over ``basis`` rows.

        Computed in batches of rows whose (batch x V x V) arrays hold at most a quarter of
        :data:`_CHUNK_ELEMENTS` numbers each, so memory stays bounded for any number of categories
        (850 categories and 1,000 resamples at once would need several GB); the results are
        the same bit for bit, since every step works row by row (see :func:`_finish`).
        """
        weights = np.asarray(weights)
        v = basis.counts.shape[1]
        step = max(1, _CHUNK_ELEMENTS // (4 * max(v * v, 1)))  # ~10 such arrays live at once
        if weights.shape[0] <= step:
            o, marginals = basis.coincidences(weights)
            return _finish(o, marginals, self.delta)
        parts = []
        for lo in range(0, weights.shape[0], step):
            o, marginals = basis.coincidences(weights[lo:lo + step])
            parts.append(_finish(o, marginals, self.delta))
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(4))

    def undefined_message(self) -> str:
        marginals = self.counts.sum(axis=0)
        used = np.flatnonzero(marginals)
        if self.n_units == 0:
            return (
                "alpha is undefined: no item has values from two or more annotators"
                " (there are no pairable values)"
            )
        if len(used) == 1:
            return (
                f"alpha is undefined: every pairable value is {show_value(self.categories[used[0]])}"
                f" ({int(marginals.sum())} values in {self.n_units} items); with no variation there"
                " is no disagreement to expect"
            )
        return (
            "alpha is undefined: the expected disagreement is 0 (the distance between every two"
            f" values used, {', '.join(show_value(self.categories[i]) for i in used[:5])}, is 0)"
        )


def _group_units(rd: ReliabilityData):
    """Pairable units sorted by their number of values ``m_u``.

    Returns ``(units, counts, m_values, bounds)``: column positions of the pairable units,
    their value counts (n_units x V, int64), the distinct ``m_u`` ascending and the offsets of
    each ``m_u`` group in ``units``.
    """
    v = len(rd.categories)
    codes = rd.codes
    n_items = rd.n_items
    present = codes >= 0
    flat = (np.arange(n_items, dtype=np.int64)[None, :] * v + codes)[present]
    value_counts = np.bincount(flat, minlength=n_items * v).reshape(n_items, v)
    m = present.sum(axis=0)
    units = np.flatnonzero(m >= 2)
    units = units[np.argsort(m[units], kind="stable")]
    m_values, starts = np.unique(m[units], return_index=True)
    return units, value_counts[units], m_values, np.append(starts, len(units))


def _coincidence(counts: np.ndarray, m_values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``sum_m S_m / (m - 1)`` in ascending ``m``, ``S_m`` the exact pair-count sums of group m."""
    v = counts.shape[1]
    o = np.zeros((v, v))
    for g, m in enumerate(m_values):
        block = counts[bounds[g] : bounds[g + 1]].astype(float)
        pair_sums = block.T @ block - np.diag(block.sum(axis=0))  # exact: integer-valued
        o = o + pair_sums / (m - 1)
    return o


def _resolve_distance(rd: ReliabilityData, level: str, distance):
    """Return (level name, V x V distance matrix or None for ordinal)."""
    v = len(rd.categories)
    if distance is not None:
        if callable(distance):
            return "custom", _dist.pairwise_matrix(rd.categories, distance)
        matrix = np.asarray(distance, dtype=float)
        if matrix.shape != (v, v):
            raise BadInput(
                f"distance matrix has shape {matrix.shape}; expected ({v}, {v}), one row and column"
                " per category of the data"
            )
        if not np.isfinite(matrix).all() or (matrix < 0).any():
            raise BadInput("distance matrix must hold finite values >= 0")
        if (np.diag(matrix) != 0).any():
            i = int(np.flatnonzero(np.diag(matrix) != 0)[0])
            raise BadInput(f"distance matrix: the distance of {show_value(rd.categories[i])} to itself must be 0")
        return "custom", matrix
    if level not in LEVELS:
        raise BadInput(f"level {level!r} is not one of {', '.join(LEVELS)}")
    if level == "nominal":
        return level, _dist.nominal_matrix(v)
    if level == "ordinal":
        if not rd.ordered:
            raise BadInput(
                "ordinal alpha needs ordered values; the labels"
                f" {', '.join(show_value(c) for c in rd.categories[:5])} have no order"
                " (pass order=[...] when building the reliability data)"
            )
        return level, None
    if level in ("interval", "ratio"):
        if not rd.numeric:
            bad = next(c for c in rd.categories if not is_number(c))
            raise BadInput(f"{level}-level alpha needs numbers; value {show_value(bad)} is not a number")
        values = rd.category_values()
        return level, (_dist.interval_matrix(values) if level == "interval" else _dist.ratio_matrix(values))
    if level == "jaccard":
        return level, _dist.jaccard_matrix(rd.categories)
    return level, _dist.masi_matrix(rd.categories)


def _finish(o: np.ndarray, marginals: np.ndarray, delta):
    """alpha, D_o, D_e and n from coincidence matrices (B, V, V) and marginals (B, V).

    Only element-wise operations and row-wise reductions, so a batch gives bit-identical
    results to its rows one at a time.
    """
    b = o.shape[0]
    n = marginals.sum(axis=1)
    d = _dist.ordinal_matrix(marginals) if delta is None else np.broadcast_to(delta, o.shape)
    observed = (o * d).reshape(b, -1).sum(axis=1)
    expected = ((marginals[:, :, None] * marginals[:, None, :]) * d).reshape(b, -1).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(expected > 0, 1.0 - (n - 1.0) * observed / expected, np.nan)
        d_o = np.where(n > 0, observed / n, np.nan)
        d_e = np.where(n > 1, expected / (n * (n - 1.0)), np.nan)
    return alpha, d_o, d_e, n


def coincidence_matrix(data) -> np.ndarray:
    """Krippendorff's coincidence matrix ``o`` (V x V) over the categories of ``data``.

    ``o[c, k] = sum_u P_u[c, k] / (m_u - 1)`` over the pairable units (see the module notes).

    Parameters
    ----------
    data : ReliabilityData or array-like
        Reliability data; an array is annotators x items with ``nan`` for missing values.

    Examples
    --------
    Two annotators, items (1, 1), (1, 2), (2, 2):

    >>> coincidence_matrix([[1, 1, 2], [1, 2, 2]])
    array([[2., 1.],
           [1., 2.]])
    """
    rd = as_reliability_data(data)
    units, counts, m_values, bounds = _group_units(rd)
    return _coincidence(counts, m_values, bounds)


def krippendorff_alpha(data, level: str = "nominal", *, distance=None) -> float:
    """Krippendorff's alpha.

    Parameters
    ----------
    data : ReliabilityData or array-like
        Reliability data; an array is annotators x items with ``nan`` for missing values.
    level : {"nominal", "ordinal", "interval", "ratio", "jaccard", "masi"}
        Level of measurement (see :mod:`workbench.analytics.distances`). ``"jaccard"`` and
        ``"masi"`` are for multi-label answers (set-valued categories).
    distance : callable or array-like, optional
        A custom distance, overriding ``level``: either ``distance(a, b) -> float`` on two
        values (evaluated once per pair of distinct categories), e.g.
        :func:`~workbench.analytics.distances.kendall_tau_distance` for rankings (build the
        data with ``as_sets=False`` so orderings stay tuples) or
        :func:`~workbench.analytics.distances.span_f1_distance` for span annotations; or a
        V x V matrix over ``data.categories`` with a zero diagonal.

    Returns
    -------
    float

    Raises
    ------
    BadInput
        Fewer than two annotators; alpha undefined (no pairable values, or every pairable
        value equal); a non-numeric value at interval/ratio level; unordered labels at
        ordinal level.

    Examples
    --------
    Krippendorff (2011), the 4 observers x 12 units example:

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data, "nominal"), 3)
    0.743
    >>> round(krippendorff_alpha(data, "interval"), 3)
    0.849
    """
    prep = _Prepared(data, level, distance)
    alpha, _, _, _ = prep.point()
    if not np.isfinite(alpha[0]):
        raise BadInput(prep.undefined_message())
    return float(alpha[0])


def _unit_weights(unit_indices: np.ndarray, n_units: int) -> np.ndarray:
    """Multiplicities (B, n_units) as floats from resampled unit positions (B, size)."""
    unit_indices = np.asarray(unit_indices)
    if unit_indices.dtype.kind not in "iu":
        unit_indices = unit_indices.astype(np.int64)
    out = np.empty((unit_indices.shape[0], n_units))
    for row, picks in enumerate(unit_indices):  # one bincount per resample (cache-friendly)
        out[row] = np.bincount(picks, minlength=n_units)
    return out


def _bootstrap_alphas(data, indices, level: str = "nominal", *, distance=None, basis: str = "auto") -> np.ndarray:
    """alpha on each resample given by a row of ``indices`` (item positions; repeats allowed).

    Row ``r`` gives the same number, bit for bit, as
    ``krippendorff_alpha(data.select_items(indices[r]), level)``, but all rows are computed at
    once from per-item (``basis="units"``) or per-pattern (``basis="patterns"``)
    contributions; ``"auto"`` picks what :func:`alpha_with_interval` uses. Undefined resamples
    give ``nan``. Internal: exposed so the fast bootstrap can be tested against the definition.
    """
    prep = _Prepared(data, level, distance)
    indices = np.atleast_2d(np.asarray(indices, dtype=np.int64))
    n_items = prep.data.n_items
    if indices.size and (indices.min() < 0 or indices.max() >= n_items):
        raise BadInput(f"item positions must lie in 0..{n_items - 1}")
    unit_weights = _unit_weights(indices, n_items)[:, prep.units]
    if basis == "auto":
        basis = "patterns" if prep.use_patterns() else "units"
    if basis == "units":
        return prep.alphas(unit_weights, prep.units_basis())[0]
    pattern_basis, unit_pattern, _ = prep.patterns()
    order = np.argsort(unit_pattern, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(unit_pattern[order]) != 0])
    pattern_weights = np.add.reduceat(unit_weights[:, order], starts, axis=1)  # exact sums
    return prep.alphas(pattern_weights, pattern_basis)[0]


def _bootstrap_distribution(prep: _Prepared, n_boot: int, seed=None, scheme: str = "auto") -> np.ndarray:
    """The ``n_boot`` resampled alphas (nan where undefined) behind :func:`alpha_with_interval`.

    ``scheme`` forces drawing ``"units"`` or ``"patterns"`` (for tests and benchmarks).
    """
    rng = np.random.default_rng(check_seed(seed))
    boots = []
    size = prep.n_units
    if scheme == "patterns" or (scheme == "auto" and prep.use_patterns()):
        # The number of times each distinct unit pattern is drawn is multinomial with
        # probabilities multiplicity / size: the same distribution as drawing units.
        basis, _, mult = prep.patterns()
        probs = mult / size
        chunk = max(1, min(n_boot, _CHUNK_ELEMENTS // len(mult)))
        for done in range(0, n_boot, chunk):
            draws = rng.multinomial(size, probs, size=min(chunk, n_boot - done))
            boots.append(prep.alphas(draws, basis)[0])
    else:
        basis = prep.units_basis()
        chunk = max(1, min(n_boot, _CHUNK_ELEMENTS // max(size, 1)))
        for done in range(0, n_boot, chunk):
            picks = rng.integers(0, size, size=(min(chunk, n_boot - done), size), dtype=np.int32)
            boots.append(prep.alphas(_unit_weights(picks, size), basis)[0])
    return np.concatenate(boots) if boots else np.empty(0)


def alpha_with_interval(
    data,
    level: str = "nominal",
    *,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed=None,
    distance=None,
) -> AlphaResult:
    """Krippendorff's alpha with a percentile-bootstrap interval over items.

    Each resample draws as many pairable items as the data has, with replacement (the
    annotations of an item stay together), and recomputes alpha, including the marginals and
    hence the expected disagreement (and, at ordinal level, the metric itself). The interval is
    the ``(1 - ci) / 2`` and ``(1 + ci) / 2`` quantiles of the resampled alphas (linear
    interpolation). Resamples in which alpha is undefined are left out and counted.

    Parameters
    ----------
    data, level, distance
        As for :func:`krippendorff_alpha`.
    n_boot : int
        Number of resamples (0 for none: ``low``, ``high`` and ``ci`` are then None).
    ci : float
        Interval coverage in (0, 1).
    seed : int or numpy.random.Generator, optional
        Makes the resamples reproducible.

    Returns
    -------
    AlphaResult

    Examples
    --------
    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> result = alpha_with_interval(data, "ordinal", n_boot=500, seed=1)
    >>> round(result.alpha, 3), result.n_items, result.n_pairable
    (0.815, 11, 40)
    >>> result.low < result.alpha < result.high
    True
    """
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise BadInput(f"n_boot must be a whole number >= 0; got {n_boot!r}")
    if not (isinstance(ci, (int, float)) and 0 < ci < 1):
        raise BadInput(f"ci must lie strictly between 0 and 1; got {ci!r}")
    check_seed(seed)
    prep = _Prepared(data, level, distance)
    alpha, d_o, d_e, n = prep.point()
    if not np.isfinite(alpha[0]):
        raise BadInput(prep.undefined_message())
    low = high = None
    undefined = 0
    if n_boot > 0:
        boots = _bootstrap_distribution(prep, n_boot, seed)
        finite = boots[np.isfinite(boots)]
        undefined = int(n_boot - len(finite))
        if len(finite) == 0:
            raise BadInput(
                "the bootstrap interval is undefined: alpha is undefined in every resample"
                f" ({prep.n_units} pairable items)"
            )
        low, high = (float(q) for q in np.quantile(finite, [(1 - ci) / 2, (1 + ci) / 2]))
    return AlphaResult(
        alpha=float(alpha[0]),
        level=prep.level,
        low=low,
        high=high,
        ci=float(ci) if n_boot > 0 else None,
        n_boot=int(n_boot),
        n_items=prep.n_units,
        n_annotators=prep.data.n_annotators,
        n_pairable=int(n[0]),
        observed_disagreement=float(d_o[0]),
        expected_disagreement=float(d_e[0]),
        n_boot_undefined=undefined,
    )
