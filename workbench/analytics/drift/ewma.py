"""The EWMA chart with its exact, time-varying control limits (Montgomery 2009, section 9.2).

Reference
---------
Montgomery, D. C. (2009). *Introduction to Statistical Quality Control*, 6th ed., Wiley.
    Section 9.2 (EWMA; control limits eq. 9.24-9.25).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.signal import lfilter

from workbench.errors import BadInput

__all__ = ["ewma"]


def ewma(x: ArrayLike, *, mu0: float, sigma: float, lam: float = 0.1,
         L: float = 3.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EWMA statistic and its exact (time-varying) control limits.

    ``z_i = lam * x_i + (1 - lam) * z_{i-1}``, ``z_0 = mu0``, with limits
    ``mu0 +/- L * sigma * sqrt(lam / (2 - lam) * (1 - (1 - lam)**(2 i)))``
    (Montgomery 2009, eqs. 9.22, 9.24, 9.25). Computed with ``scipy.signal.lfilter``.

    Returns
    -------
    z, lcl, ucl : numpy.ndarray

    Examples
    --------
    Montgomery's Example 9.2 (mu0 = 10, sigma = 1, lam = 0.1, L = 2.7) starts with
    x1 = 9.45, x2 = 7.99:

    >>> z, lcl, ucl = ewma([9.45, 7.99], mu0=10, sigma=1, lam=0.1, L=2.7)
    >>> [round(float(v), 4) for v in z], [round(float(v), 2) for v in ucl], [round(float(v), 2) for v in lcl]
    ([9.945, 9.7495], [10.27, 10.36], [9.73, 9.64])
    """
    x = np.asarray(x, dtype=float)
    if not 0 < lam <= 1:
        raise BadInput(f"lam must be in (0, 1], got {lam!r}")
    z, _ = lfilter([lam], [1.0, -(1.0 - lam)], x, zi=[(1.0 - lam) * mu0])
    i = np.arange(1, len(x) + 1)
    width = L * sigma * np.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * i)))
    return z, mu0 - width, mu0 + width
