"""Exact run lengths of a CUSUM on an integer lattice (Brook & Evans 1972).

The lattice CUSUM ``T_t = max(0, T_{t-1} + m*y_t - a)`` with 0/1 events ``y_t`` of rate ``p``
signals when ``T_t >= H``. Its states ``0..H-1`` form a finite Markov chain; with ``Q`` the
transition matrix among them, the zero-state average run length is the first entry of the
solution of ``(I - Q) L = 1``, and ``P(run length <= t) = 1 - (Q^t 1)_0``. Both are exact (no
simulation, no approximation), and the matrix is sparse (two entries per row).

Reference
---------
Brook, D. & Evans, D. A. (1972). An approach to the probability distribution of CUSUM run
    length. *Biometrika* 59(3), 539-549.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

__all__ = ["lattice_arl", "lattice_run_length_cdf", "lattice_transition"]


def lattice_transition(p: float, m: int, a: int, H: int) -> sparse.csr_matrix:
    """Sub-stochastic transition matrix among the non-signalling states 0..H-1 of the lattice CUSUM
    ``T_t = max(0, T_{t-1} + m*y_t - a)`` with limit ``H`` and event rate ``p``."""
    s = np.arange(H)
    up = s + (m - a)
    keep = up < H
    rows = np.concatenate([s[keep], s])
    cols = np.concatenate([up[keep], np.maximum(s - a, 0)])
    vals = np.concatenate([np.full(keep.sum(), p), np.full(H, 1 - p)])
    return sparse.csr_matrix((vals, (rows, cols)), shape=(H, H))


def lattice_arl(p: float, m: int, a: int, H: int) -> float:
    """Zero-state ARL of the lattice CUSUM: solve (I - Q) L = 1 (Brook & Evans 1972)."""
    lhs = sparse.identity(H, format="csc") - lattice_transition(p, m, a, H).tocsc()
    return float(np.atleast_1d(spsolve(lhs, np.ones(H)))[0])


def lattice_run_length_cdf(p: float, m: int, a: int, H: int, n: int) -> np.ndarray:
    """``P(run length <= t)`` for t = 1..n of the lattice CUSUM (zero state, event rate ``p``)."""
    q = lattice_transition(p, m, a, H)
    u = np.ones(H)
    out = np.empty(int(n))
    for t in range(int(n)):  # n matrix-vector products; not over data rows
        u = q @ u
        out[t] = 1.0 - u[0]
    return out
