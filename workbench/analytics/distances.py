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
    """Nominal distance matrix: 0 on the diagonal, 1 elsewhere.

    >>> nominal_matrix(3)
    array([[0., 1., 1.],
           [1., 0., 1.],
           [1., 1., 0.]])
    """
    return 1.0 - np.eye(n_categories)


def ordinal_matrix(marginals: np.ndarray) -> np.ndarray:
    """Krippendorff's ordinal distance from the category marginals ``n_g`` in rank order.

    ``delta[c, k] = (sum_{g=c..k} n_g - (n_c + n_k) / 2) ** 2`` for ``c <= k``; symmetric.
    ``marginals`` may be a batch of shape ``(B, V)``; the result is then ``(B, V, V)``.

    Examples
    --------
    With marginals 3, 10, 8, 10, 3 the distance between the first and third rank is
    ``(3 + 10 + 8 - (3 + 8) / 2) ** 2 = 15.5 ** 2``.

    >>> float(ordinal_matrix(np.array([3, 10, 8, 10, 3]))[0, 2])
    240.25
    """
    n = np.asarray(marginals, dtype=float)
    cum = np.cumsum(n, axis=-1)
    # for c <= k: sum_{g=c..k} n_g - (n_c + n_k)/2 = cum[k] - cum[c] + (n_c - n_k)/2
    upper = cum[..., None, :] - cum[..., :, None] + (n[..., :, None] - n[..., None, :]) / 2.0
    upper = upper**2
    v = n.shape[-1]
    iu = np.triu(np.ones((v, v), dtype=bool))
    return np.where(iu, upper, np.swapaxes(upper, -1, -2))


def interval_matrix(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Interval distance ``(c - k) ** 2`` between numeric categories.

    >>> interval_matrix([1, 2, 4])
    array([[0., 1., 9.],
           [1., 0., 4.],
           [9., 4., 0.]])
    """
    x = np.asarray(values, dtype=float)
    return (x[:, None] - x[None, :]) ** 2


def ratio_matrix(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Ratio distance ``((c - k) / (c + k)) ** 2`` between non-negative numeric categories.

    >>> ratio_matrix([0, 1, 3])
    array([[0.  , 1.  , 1.  ],
           [1.  , 0.  , 0.25],
           [1.  , 0.25, 0.  ]])
    """
    x = np.asarray(values, dtype=float)
    if (x < 0).any():
        raise BadInput(
            f"value {x[x < 0][0]:g} is negative; ratio-level alpha needs values >= 0"
            " (use level='interval')"
        )
    diff = x[:, None] - x[None, :]
    total = x[:, None] + x[None, :]
    out = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0)
    return out**2


def _as_set(value) -> frozenset:
    if isinstance(value, frozenset):
        return value
    if isinstance(value, (set, list, tuple)):
        return frozenset(value)
    return frozenset([value])


def _membership(categories: Sequence) -> np.ndarray:
    """Boolean matrix categories x labels for set-valued categories."""
    sets = [_as_set(c) for c in categories]
    labels: dict[object, int] = {}
    for s in sets:
        for label in s:
            labels.setdefault(label, len(labels))
    member = np.zeros((len(sets), len(labels)), dtype=np.float64)
    for i, s in enumerate(sets):
        for label in s:
            member[i, labels[label]] = 1.0
    return member


def jaccard_matrix(categories: Sequence) -> np.ndarray:
    """Jaccard distances between set-valued categories (plain labels count as 1-element sets).

    >>> jaccard_matrix([frozenset("a"), frozenset("ab"), frozenset("c")])
    array([[0. , 0.5, 1. ],
           [0.5, 0. , 1. ],
           [1. , 1. , 0. ]])
    """
    member = _membership(categories)
    inter = member @ member.T
    size = member.sum(axis=1)
    union = size[:, None] + size[None, :] - inter
    jac = np.divide(inter, union, out=np.ones_like(inter), where=union != 0)
    return 1.0 - jac


def masi_matrix(categories: Sequence) -> np.ndarray:
    """MASI distances (Passonneau 2006) between set-valued categories.

    >>> np.round(masi_matrix([frozenset("a"), frozenset("ab"), frozenset("bc")]), 4)
    array([[0.    , 0.6667, 1.    ],
           [0.6667, 0.    , 0.8889],
           [1.    , 0.8889, 0.    ]])
    """
    member = _membership(categories)
    inter = member @ member.T
    size = member.sum(axis=1)
    union = size[:, None] + size[None, :] - inter
    jac = np.divide(inter, union, out=np.ones_like(inter), where=union != 0)
    equal = (inter == size[:, None]) & (inter == size[None, :])
    subset = (inter == size[:, None]) | (inter == size[None, :])
    monotonicity = np.where(equal, 1.0, np.where(subset, 2.0 / 3.0, np.where(inter > 0, 1.0 / 3.0, 0.0)))
    return 1.0 - jac * monotonicity


def jaccard_distance(a, b) -> float:
    """Jaccard distance between two sets: ``1 - |A & B| / |A | B|`` (0 for two empty sets).

    >>> jaccard_distance({"a", "b"}, {"b", "c"})
    0.6666666666666667
    """
    a, b = _as_set(a), _as_set(b)
    union = len(a | b)
    return 0.0 if union == 0 else 1.0 - len(a & b) / union


def masi_distance(a, b) -> float:
    """MASI distance (Passonneau 2006): ``1 - J * M``.

    ``J`` is the Jaccard index; ``M`` is 1 for equal sets, 2/3 when one set contains the other,
    1/3 for other overlapping sets and 0 for disjoint sets.

    >>> round(masi_distance({"a"}, {"a", "b"}), 4)
    0.6667
    """
    a, b = _as_set(a), _as_set(b)
    if a == b:
        return 0.0
    inter = len(a & b)
    if inter == 0:
        return 1.0
    m = 2.0 / 3.0 if (a <= b or b <= a) else 1.0 / 3.0
    return 1.0 - inter / len(a | b) * m


def kendall_tau_distance(a, b) -> float:
    """Normalised Kendall tau distance between two orderings of the same candidates.

    The fraction of the ``n (n - 1) / 2`` candidate pairs that the two orderings put in
    opposite order: 0 for identical orderings, 1 for reversed ones. Orderings are sequences
    of candidate ids, best first; both must rank the same candidates, each once.

    Raises
    ------
    BadInput
        If the orderings rank different candidates, or a candidate twice.

    Examples
    --------
    >>> kendall_tau_distance(("a", "b", "c"), ("a", "c", "b"))
    0.3333333333333333
    >>> kendall_tau_distance(("a", "b", "c"), ("c", "b", "a"))
    1.0
    """
    a, b = tuple(a), tuple(b)
    if len(set(a)) != len(a) or len(set(b)) != len(b):
        bad = a if len(set(a)) != len(a) else b
        raise BadInput(f"ranking {bad!r} lists a candidate twice")
    if set(a) != set(b):
        raise BadInput(f"rankings {a!r} and {b!r} do not rank the same candidates")
    n = len(a)
    if n < 2:
        return 0.0
    pos_b = {c: i for i, c in enumerate(b)}
    rank_b = np.array([pos_b[c] for c in a])
    discordant = int(np.sum(rank_b[:, None] > rank_b[None, :], where=np.triu(np.ones((n, n), bool), 1)))
    return discordant / (n * (n - 1) / 2)


def _span_tokens(spans) -> set:
    tokens: set[tuple[int, object]] = set()
    for span in spans:
        span = tuple(span)
        if len(span) not in (2, 3):
            raise BadInput(f"span {span!r} is not (start, end) or (start, end, label)")
        start, end = int(span[0]), int(span[1])
        if end < start:
            raise BadInput(f"span {span!r} ends before it starts")
        label = span[2] if len(span) == 3 else None
        tokens.update((t, label) for t in range(start, end))
    return tokens


def span_f1_distance(a, b) -> float:
    """``1 - token-level F1`` between two span annotations.

    Each annotation is a collection of spans ``(start, end)`` or ``(start, end, label)`` over
    token positions, ``end`` exclusive. The annotation covers the set of (token, label)
    positions; F1 between two such sets ``A`` and ``B`` is ``2 |A & B| / (|A| + |B|)``, so the
    distance is 0 for identical coverage, 1 for no overlap, and 0 when neither marks anything.
    (Character offsets work the same way, at character level.)

    Examples
    --------
    >>> span_f1_distance([(0, 4, "PER")], [(2, 4, "PER")])
    0.33333333333333337
    >>> span_f1_distance([(0, 2, "PER")], [(0, 2, "LOC")])
    1.0
    """
    ta, tb = _span_tokens(a), _span_tokens(b)
    total = len(ta) + len(tb)
    return 0.0 if total == 0 else 1.0 - 2.0 * len(ta & tb) / total


def pairwise_matrix(categories: Sequence, distance: Callable[[object, object], float]) -> np.ndarray:
    """Distance matrix between categories for a callable ``distance(a, b)``.

    The callable is evaluated once per unordered pair of distinct categories; the diagonal is
    0 (a value never disagrees with itself).

    Raises
    ------
    BadInput
        If the callable returns a negative or non-finite distance.

    Examples
    --------
    >>> pairwise_matrix([("a", "b"), ("b", "a")], kendall_tau_distance)
    array([[0., 1.],
           [1., 0.]])
    """
    v = len(categories)
    out = np.zeros((v, v))
    for i in range(v):
        for j in range(i + 1, v):
            d = float(distance(categories[i], categories[j]))
            if not np.isfinite(d) or d < 0:
                raise BadInput(
                    f"distance between {categories[i]!r} and {categories[j]!r} is {d!r};"
                    " distances must be finite and >= 0"
                )
            out[i, j] = out[j, i] = d
    return out
