"""Agreement coefficients other than Krippendorff's alpha.

All take :class:`~workbench.analytics.reliability.ReliabilityData` (or an annotators x items
array with ``nan`` for missing). Notation (Gwet 2014, *Handbook of Inter-Rater Reliability*,
4th ed., ch. 2-3): ``r_ik`` is the number of annotators who put item ``i`` in category ``k``,
``r_i = sum_k r_ik``, ``n'`` the number of items with ``r_i >= 2``, ``q`` the number of
categories, ``w_kl`` agreement weights (identity when unweighted) and
``r*_ik = sum_l w_kl r_il``.

* percent agreement ``p_a = (1/n') sum_{i: r_i >= 2} sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))``
* Fleiss' kappa (generalised to varying numbers of ratings per item):
  ``p_e = sum_kl w_kl pi_k pi_l`` with ``pi_k = (1/n) sum_i r_ik / r_i`` over the items with
  at least one rating.
* Gwet's AC1/AC2: ``p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)``, ``T_w = sum_kl w_kl``.
* Cohen's kappa: the two annotators' joint distribution on the items both rated.

Each coefficient is ``(p_a - p_e) / (1 - p_e)``.

References
----------
Gwet, K. L. (2014). Handbook of Inter-Rater Reliability, 4th ed. Advanced Analytics.
Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
Bulletin 76(5), 378-382.
Cohen, J. (1960, 1968). A coefficient of agreement for nominal scales; Weighted kappa.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import BadInput

GWET_WEIGHTS = ("identity", "ordinal", "linear", "quadratic", "radical", "ratio", "circular", "bipolar")


def percent_agreement(data) -> float:
    """Pairwise percent agreement (Gwet's definition; equals irrCAC's ``pa``).

    The share of agreeing ordered pairs of ratings within each item, averaged over the items
    rated at least twice. Unweighted.
    """
    raise NotImplementedError


def cohen_kappa(data, a, b, *, weights=None) -> float:
    """Cohen's kappa between annotators ``a`` and ``b`` on the items both rated.

    Parameters
    ----------
    data : ReliabilityData
    a, b : annotator names
    weights : {None, "linear", "quadratic"}
        Disagreement weights ``|x - y|`` or ``(x - y) ** 2`` on the category *values* when they
        are numbers, else on their ranks in ``data.categories`` (every category of the
        question, not only those the two annotators used).
    """
    raise NotImplementedError


def pairwise_cohen_kappa(data, *, weights=None) -> pd.DataFrame:
    """Cohen's kappa for every pair of annotators (annotator x annotator DataFrame).

    The diagonal is 1.0; a pair with no shared item, or whose kappa is undefined, is NaN.
    """
    raise NotImplementedError


def fleiss_kappa(data) -> float:
    """Fleiss' kappa, unweighted, generalised to varying numbers of ratings per item."""
    raise NotImplementedError


def gwet_ac1(data) -> float:
    """Gwet's AC1 (unweighted)."""
    raise NotImplementedError


def gwet_ac2(data, *, weights="ordinal") -> float:
    """Gwet's AC2 with Gwet's agreement weights.

    NOTE: Gwet's ``"ordinal"`` weights are NOT Krippendorff's ordinal distance; AC2 with
    ordinal weights is not comparable with ordinal alpha.
    """
    raise NotImplementedError
