"""Krippendorff's alpha, vectorised, with a fast item-bootstrap interval.

Formulas (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):

* Reliability data: ``m_u`` values in unit (item) ``u``; only units with ``m_u >= 2`` are
  *pairable*.
* Coincidence matrix ``o[c, k] = sum_u P_u[c, k] / (m_u - 1)`` with ``P_u[c, k]`` the number of
  ordered pairs of values (from different annotators) in unit ``u`` that are ``c`` and ``k``:
  ``P_u = n_u n_u^T - diag(n_u)`` for the per-unit value counts ``n_u``.
* Marginals ``n_c = sum_k o[c, k]``, ``n = sum_c n_c`` (number of pairable values).
* ``alpha = 1 - D_o / D_e`` with ``D_o = sum o[c, k] delta[c, k] / n`` and
  ``D_e = sum n_c n_k delta[c, k] / (n (n - 1))``.

Computation: the per-unit pair counts are integers, so we group units by ``m_u`` and sum the
pair counts within each group *exactly* (integer-valued float sums); the coincidence matrix is
``sum_m S_m / (m - 1)`` in ascending ``m``. No Python loop runs over items.

Bootstrap: a resample of units with multiplicities ``w_u`` has coincidence matrix
``sum_m (w @ P)_m / (m - 1)``, so 1,000 resamples are one chunked matrix product
``counts @ P`` (resamples x units times units x V^2). The marginals, the ordinal metric (which
depends on them) and ``D_e`` are recomputed from each resample's coincidence matrix, exactly as
for the point estimate: for the same resample indices the fast bootstrap gives bit-identical
results to calling :func:`krippendorff_alpha` on the resampled data.

The interval is the percentile bootstrap over *pairable units*: resample the pairable units
with replacement ``n_boot`` times, compute alpha on each, report the ``(1 - ci) / 2`` and
``(1 + ci) / 2`` quantiles. (This differs from Krippendorff's own bootstrap, which resamples
pairs of values; see Hayes & Krippendorff 2007.) Resamples in which alpha is undefined (all
values equal) are left out and counted in ``AlphaResult.n_boot_undefined``.

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

from workbench.analytics.reliability import ReliabilityData
from workbench.errors import BadInput

LEVELS = ("nominal", "ordinal", "interval", "ratio", "jaccard", "masi")


@dataclass(frozen=True)
class AlphaResult:
    """Krippendorff's alpha with its bootstrap interval.

    Attributes
    ----------
    alpha : float
        The point estimate.
    level : str
        The level of measurement (or ``"custom"`` for a ``distance=`` hook).
    low, high : float or None
        Percentile-bootstrap interval bounds (None when ``n_boot == 0``).
    ci : float or None
        Coverage of the interval (e.g. 0.95).
    n_boot : int
        Number of resamples drawn.
    n_items : int
        Pairable items (items with at least two values).
    n_annotators : int
        Annotators in the data.
    n_pairable : int
        Pairable values ``n``.
    observed_disagreement, expected_disagreement : float
        ``D_o`` and ``D_e``.
    n_boot_undefined : int
        Resamples left out because alpha was undefined in them.
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


def coincidence_matrix(data) -> np.ndarray:
    """Krippendorff's coincidence matrix ``o`` (V x V) over :attr:`ReliabilityData.categories`.

    Parameters
    ----------
    data : ReliabilityData or array-like
        Reliability data; an array is annotators x items with ``nan`` for missing values.
    """
    raise NotImplementedError


def krippendorff_alpha(data, level: str = "nominal", *, distance=None) -> float:
    """Krippendorff's alpha.

    Parameters
    ----------
    data : ReliabilityData or array-like
        Reliability data; an array is annotators x items with ``nan`` for missing values.
    level : {"nominal", "ordinal", "interval", "ratio", "jaccard", "masi"}
        Level of measurement (see :mod:`workbench.analytics.distances`).
    distance : callable or array-like, optional
        A custom distance: ``distance(a, b) -> float`` on two values (e.g.
        :func:`~workbench.analytics.distances.kendall_tau_distance` for rankings,
        :func:`~workbench.analytics.distances.span_f1_distance` for spans), or a V x V matrix
        over ``data.categories``. Overrides ``level``.

    Returns
    -------
    float

    Raises
    ------
    BadInput
        Fewer than two annotators; alpha undefined (no pairable values, or every pairable
        value equal); a non-numeric value at interval/ratio level.
    """
    raise NotImplementedError


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

    Parameters
    ----------
    data, level, distance
        As for :func:`krippendorff_alpha`.
    n_boot : int
        Number of resamples (0 for none).
    ci : float
        Interval coverage in (0, 1).
    seed : int or numpy.random.Generator, optional
        Makes the resamples reproducible.

    Returns
    -------
    AlphaResult
    """
    raise NotImplementedError
