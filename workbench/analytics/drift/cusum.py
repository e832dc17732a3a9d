"""The one-sided Bernoulli CUSUM (Reynolds & Stoumbos 1999): its design and its statistic.

:func:`design_bernoulli_cusum` picks the reference value ``gamma = a/m`` (the log-likelihood-ratio
value, as a fraction on a fine lattice) and the smallest limit whose exact in-control average run
length reaches the target; :func:`bernoulli_cusum_arl` and :func:`bernoulli_cusum_run_length_cdf`
give a design's exact run lengths at any event rate (:mod:`~workbench.analytics.drift.run_length`).
:func:`bernoulli_cusum` computes the statistic without a loop; :func:`cusum_restart` restarts it
at 0 after every signal, as the gold-agreement monitor does.

References
----------
Reynolds, M. R., Jr. & Stoumbos, Z. G. (1999). A CUSUM chart for monitoring a proportion when
    inspecting continuously. *Journal of Quality Technology* 31(1), 87-108.
Montgomery, D. C. (2009). *Introduction to Statistical Quality Control*, 6th ed., Wiley, section 9.1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from workbench.analytics.drift.run_length import lattice_arl, lattice_run_length_cdf
from workbench.errors import BadInput

__all__ = ["BernoulliCusumDesign", "bernoulli_cusum", "bernoulli_cusum_arl", "bernoulli_cusum_run_length_cdf",
           "cusum_lattice", "cusum_restart", "design_bernoulli_cusum"]


@dataclass(frozen=True)
class BernoulliCusumDesign:
    """A one-sided Bernoulli CUSUM for an increase of an event rate from ``p0`` to ``p1``.

    The chart works on the integer lattice of Reynolds & Stoumbos (1999): with the reference
    value ``gamma = a / m`` (a rational approximation of the log-likelihood-ratio value), the
    statistic ``T_t = max(0, T_{t-1} + m*y_t - a)`` moves by whole steps, the chart signals
    when ``T_t >= H``, and in original units ``S_t = T_t / m`` and ``h = H / m``. Because the
    state space is finite, the average run lengths are exact (Markov chain of Brook & Evans).

    Attributes
    ----------
    p0, p1 : float
        In-control and out-of-control rates of the monitored event (here: disagreeing with gold).
    gamma : float
        Reference value ``a / m`` actually used.
    m, a, H : int
        Lattice scale, step down per non-event, and integer control limit.
    h : float
        Control limit in units of the statistic, ``H / m``.
    arl0, arl1 : float
        Exact zero-state average run lengths at ``p0`` and at ``p1``.
    """

    p0: float
    p1: float
    gamma: float
    m: int
    a: int
    H: int
    h: float
    arl0: float
    arl1: float


def _llr_gamma(p0: float, p1: float) -> float:
    return math.log((1 - p0) / (1 - p1)) / math.log(p1 * (1 - p0) / (p0 * (1 - p1)))


def bernoulli_cusum_arl(p: float, design: BernoulliCusumDesign) -> float:
    """Exact zero-state average run length of ``design`` when the event rate is ``p``.

    Examples
    --------
    With ``m=2, a=1, H=2`` the chart signals at the first two events in a row; the expected
    wait for two successes in a row is ``(1 + p) / p**2`` (6 for a fair coin):

    >>> d = BernoulliCusumDesign(p0=0.5, p1=0.5, gamma=0.5, m=2, a=1, H=2, h=1.0, arl0=0, arl1=0)
    >>> round(bernoulli_cusum_arl(0.5, d), 10)
    6.0
    """
    return lattice_arl(float(p), design.m, design.a, design.H)


def bernoulli_cusum_run_length_cdf(p: float, design: BernoulliCusumDesign, n: int) -> np.ndarray:
    """``P(run length <= t)`` for t = 1..n (zero state, event rate ``p``), exactly.

    Useful to turn an ARL into "chance of a false alarm within the next n gold items".
    """
    return lattice_run_length_cdf(float(p), design.m, design.a, design.H, n)


@lru_cache(maxsize=4096)
def _design_cached(p0: float, p1: float, arl0: float, max_denominator: int) -> BernoulliCusumDesign:
    # gamma ~ a/m with m in [max_denominator/2, max_denominator] and gcd(a, m) = 1, so the
    # statistic moves on a lattice of step 1/m and the limit can be tuned in steps that fine
    # (a fraction like 1/6 would leave only multiples of 1/6 reachable).
    gamma = _llr_gamma(p0, p1)
    best = None
    for m in range(max(2, max_denominator // 2), max_denominator + 1):
        a = round(gamma * m)
        if 0 < a < m and math.gcd(a, m) == 1:
            err = abs(a / m - gamma)
            if best is None or err < best[0]:
                best = (err, a, m)
    if best is None:
        raise BadInput(f"cannot build a CUSUM for p0={p0!r}, p1={p1!r} (reference value {gamma})")
    _, a, m = best
    # Smallest H whose in-control ARL reaches arl0: double, then bisect (ARL increases with H).
    lo, hi = 0, max(m - a, 1)
    while lattice_arl(p0, m, a, hi) < arl0:
        lo, hi = hi, hi * 2
        if hi > 5_000_000:
            raise BadInput(f"arl0={arl0!r} is out of reach for p0={p0!r}, p1={p1!r}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if lattice_arl(p0, m, a, mid) >= arl0:
            hi = mid
        else:
            lo = mid
    H = hi
    return BernoulliCusumDesign(
        p0=p0, p1=p1, gamma=a / m, m=m, a=a, H=H, h=H / m,
        arl0=lattice_arl(p0, m, a, H), arl1=lattice_arl(p1, m, a, H),
    )


def design_bernoulli_cusum(
    p0: float, p1: float, *, arl0: float = 5000.0, max_denominator: int = 100
) -> BernoulliCusumDesign:
    """Design a Bernoulli CUSUM for a rise of the event rate from ``p0`` to ``p1``.

    The reference value is the log-likelihood-ratio value of Reynolds & Stoumbos (1999),
    ``gamma = ln((1-p0)/(1-p1)) / ln(p1 (1-p0) / (p0 (1-p1)))``, rounded to the nearest
    closest fraction ``a/m`` in lowest terms with ``max_denominator/2 <= m <= max_denominator``
    (so the limit can be tuned in steps of ``1/m``); the limit ``H`` is the smallest whose
    exact in-control ARL is at least ``arl0``.

    Parameters
    ----------
    p0, p1 : float
        In-control and out-of-control event rates, ``0 < p0 < p1 < 1``. To monitor an
        accuracy drop from 0.90 to 0.75, monitor errors with ``p0=0.10, p1=0.25``.
    arl0 : float
        Wanted in-control average run length (observations between false alarms).
    max_denominator : int
        Resolution of the lattice.

    Examples
    --------
    The LLR reference value for 0.10 -> 0.25 is ln(0.9/0.75) / ln(3) = 0.16596:

    >>> d = design_bernoulli_cusum(0.10, 0.25, arl0=1000)
    >>> abs(d.gamma - 0.16596) < 1 / d.m, d.arl0 >= 1000, d.arl1 < d.arl0 / 20
    (True, True, True)
    """
    for name, value in (("p0", p0), ("p1", p1)):
        if not (isinstance(value, (int, float, np.floating)) and 0 < value < 1):
            raise BadInput(f"{name} must be a rate strictly between 0 and 1, got {value!r}")
    if not p1 > p0:
        raise BadInput(f"p1 must exceed p0 (an increase of the event rate), got p0={p0!r}, p1={p1!r}")
    if not arl0 > 1:
        raise BadInput(f"arl0 must exceed 1, got {arl0!r}")
    return _design_cached(float(p0), float(p1), float(arl0), int(max_denominator))


def bernoulli_cusum(y: ArrayLike, design: BernoulliCusumDesign, *, s0: float = 0.0) -> np.ndarray:
    """The CUSUM statistic ``S_t = max(0, S_{t-1} + y_t - gamma)`` along the last axis.

    Computed without a loop through Lindley's identity
    ``S_t = C_t - min(-s0, min_{k<=t} C_k)`` with ``C_t`` the cumulative sum of
    ``y_k - gamma``, on the integer lattice (so exact, no rounding drift). No restart after a
    signal: see :func:`monitor_gold_agreement` for that.

    Parameters
    ----------
    y : array_like of 0/1
        Event indicators (1 = the monitored event, for example a disagreement with gold), shape
        ``(n,)`` or ``(replicates, n)``.
    design : BernoulliCusumDesign
    s0 : float
        Starting value (head start), default 0.

    Examples
    --------
    >>> d = design_bernoulli_cusum(0.1, 0.25)
    >>> s = bernoulli_cusum([1, 1, 0, 0], d)
    >>> bool(np.allclose(s, [1 - d.gamma, 2 - 2 * d.gamma, 2 - 3 * d.gamma, 2 - 4 * d.gamma]))
    True
    """
    t = cusum_lattice(np.asarray(y), design.m, design.a, int(round(s0 * design.m)))
    return t / design.m


def cusum_lattice(y: np.ndarray, m: int, a: int, t0: int = 0) -> np.ndarray:
    """The lattice statistic ``T_t = max(0, T_{t-1} + m*y_t - a)`` from ``T_0 = t0``, along the last
    axis, by Lindley's identity (no loop, no restart)."""
    c = np.cumsum(y.astype(np.int64) * m - a, axis=-1)
    floor = np.minimum(np.minimum.accumulate(c, axis=-1), -t0)
    return c - floor


def cusum_restart(y: np.ndarray, m: int, a: int, H: int, block: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Lattice CUSUM with reset to 0 after every signal; returns (T, signal mask).

    Closed form over blocks that double in size while no signal occurs; cost O(n + signals * block).
    """
    n = len(y)
    t_out = np.empty(n, dtype=np.int64)
    sig = np.zeros(n, dtype=bool)
    start, t0, w = 0, 0, block
    while start < n:
        stop = min(n, start + w)
        t = cusum_lattice(y[start:stop], m, a, t0)
        hit = np.flatnonzero(t >= H)
        if len(hit):
            j = hit[0]
            t_out[start:start + j + 1] = t[: j + 1]
            sig[start + j] = True
            start, t0, w = start + j + 1, 0, block
        else:
            t_out[start:stop] = t
            start, t0, w = stop, int(t[-1]), w * 2
    return t_out, sig
