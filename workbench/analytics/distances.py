"""Distance (disagreement) functions between annotation values, for Krippendorff's alpha.

Krippendorff's alpha is ``1 - D_o / D_e`` for any distance ``delta(c, k)`` between values
(Krippendorff 2011). Each function here returns the distance *matrix* between the distinct
values (categories) of a question, ``delta[c, k]``, symmetric with a zero diagonal.

Levels (Krippendorff 2011, section E), with ``n_g`` the number of pairable values equal to
category ``g`` (the marginals of the coincidence matrix):

nominal
    ``delta = 0`` if ``c == k`` else ``1``.
ordinal
    ``delta[c, k] = (sum_{g=c..k} n_g - (n_c + n_k) / 2) ** 2`` over the categories in rank
    order: a distance on the observed distribution of ranks, not on the numeric values.
interval
    ``delta = (c - k) ** 2``.
ratio
    ``delta = ((c - k) / (c + k)) ** 2`` (0 when ``c == k == 0``); values must be >= 0.

Set-valued (multi-label) answers:

jaccard
    ``1 - |A & B| / |A | B|`` (0 when both sets are empty).
masi
    ``1 - J * M`` with ``J`` the Jaccard index and ``M`` = 1 if ``A == B``, 2/3 if one is a
    subset of the other, 1/3 if they overlap otherwise, 0 if disjoint (Passonneau 2006).
    Passonneau rounds the weights to 0.67 and 0.33; we use the exact thirds.

Structured answers (pass as ``distance=`` to :func:`workbench.analytics.alpha.krippendorff_alpha`):

:func:`kendall_tau_distance`
    Rankings (orderings of the same candidates): the fraction of candidate pairs that the two
    orderings put in opposite order (normalised Kendall tau distance, 0..1).
:func:`span_f1_distance`
    Span annotations (collections of ``(start, end)`` or ``(start, end, label)`` token spans,
    end exclusive): ``1 - F1`` between the sets of (token, label) positions covered, i.e.
    ``1 - 2|A & B| / (|A| + |B|)`` (0 when both are empty).

References
----------
Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
https://repository.upenn.edu/asc_papers/43

Passonneau, R. (2006). Measuring Agreement on Set-valued Items (MASI) for Semantic and
Pragmatic Annotation. LREC 2006.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from workbench.errors import BadInput


def nominal_matrix(n_categories: int) -> np.ndarray:
    """Nominal distance matrix: 0 on the diagonal, 1 elsewhere."""
    raise NotImplementedError


def ordinal_matrix(marginals: np.ndarray) -> np.ndarray:
    """Krippendorff's ordinal distance from the category marginals ``n_g`` in rank order."""
    raise NotImplementedError


def interval_matrix(values: Sequence[float]) -> np.ndarray:
    """Interval distance ``(c - k) ** 2`` between numeric categories."""
    raise NotImplementedError


def ratio_matrix(values: Sequence[float]) -> np.ndarray:
    """Ratio distance ``((c - k) / (c + k)) ** 2`` between non-negative numeric categories."""
    raise NotImplementedError


def jaccard_distance(a, b) -> float:
    """Jaccard distance between two sets."""
    raise NotImplementedError


def masi_distance(a, b) -> float:
    """MASI distance (Passonneau 2006) between two sets."""
    raise NotImplementedError


def kendall_tau_distance(a, b) -> float:
    """Normalised Kendall tau distance between two orderings of the same candidates."""
    raise NotImplementedError


def span_f1_distance(a, b) -> float:
    """``1 - token-level F1`` between two span annotations."""
    raise NotImplementedError


def pairwise_matrix(categories: Sequence, distance: Callable[[object, object], float]) -> np.ndarray:
    """Distance matrix between categories for a callable ``distance(a, b)``."""
    raise NotImplementedError
