"""Functional core: pure agreement analytics over tidy annotation tables and numpy arrays.

No I/O, no Argilla, no Streamlit here. Agreement works per question on
:class:`ReliabilityData` (annotators x items, integer codes), built from a tidy table with
:func:`validate_annotations` + :func:`to_reliability_data`, or from a wide matrix with
:func:`from_wide`; every coefficient also accepts an annotators x items array (nan = missing).

>>> from workbench.analytics import from_wide, krippendorff_alpha, percent_agreement
>>> rd = from_wide([[1, 2, 3, 3], [1, 2, 3, 2]])
>>> percent_agreement(rd)
0.75
"""

from workbench.analytics.alpha import (
    LEVELS,
    AlphaResult,
    alpha_with_interval,
    coincidence_matrix,
    krippendorff_alpha,
)
from workbench.analytics.coefficients import (
    GWET_WEIGHTS,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    gwet_weights,
    pairwise_cohen_kappa,
    percent_agreement,
)
from workbench.analytics.diagnosis import Diagnosis, Thresholds, Verdict, diagnose
from workbench.analytics.drift import (
    BernoulliCusumDesign,
    ControlChart,
    HomogeneityResult,
    agreement_by_version,
    agreement_series,
    baseline_accuracy,
    bernoulli_cusum,
    design_bernoulli_cusum,
    ewma,
    gold_observations,
    homogeneity_test,
    monitor_gold_agreement,
    rolling_agreement,
    shift_vs_own_past,
    shift_vs_team,
    team_observations,
)
from workbench.analytics.distances import (
    jaccard_distance,
    kendall_tau_distance,
    masi_distance,
    span_f1_distance,
)
from workbench.analytics.report import QuestionReport, question_report, report
from workbench.analytics.reliability import (
    TIDY_COLUMNS,
    ReliabilityData,
    as_reliability_data,
    from_wide,
    to_reliability_data,
    validate_annotations,
)

_LAZY = {"TextAgreement": "workbench.analytics.textsim", "text_agreement": "workbench.analytics.textsim"}


def __getattr__(name: str):
    """Text agreement, imported on first use: it loads scikit-learn, which nothing else here needs
    (a `workbench export` process does not pay for it)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "BernoulliCusumDesign",
    "ControlChart",
    "HomogeneityResult",
    "agreement_by_version",
    "agreement_series",
    "baseline_accuracy",
    "bernoulli_cusum",
    "design_bernoulli_cusum",
    "ewma",
    "gold_observations",
    "homogeneity_test",
    "monitor_gold_agreement",
    "rolling_agreement",
    "shift_vs_own_past",
    "shift_vs_team",
    "team_observations",
    "Diagnosis",
    "QuestionReport",
    "Thresholds",
    "Verdict",
    "diagnose",
    "question_report",
    "report",
    "TextAgreement",
    "text_agreement",
    "GWET_WEIGHTS",
    "LEVELS",
    "TIDY_COLUMNS",
    "AlphaResult",
    "ReliabilityData",
    "alpha_with_interval",
    "as_reliability_data",
    "coincidence_matrix",
    "cohen_kappa",
    "fleiss_kappa",
    "from_wide",
    "gwet_ac1",
    "gwet_ac2",
    "gwet_weights",
    "jaccard_distance",
    "kendall_tau_distance",
    "krippendorff_alpha",
    "masi_distance",
    "pairwise_cohen_kappa",
    "percent_agreement",
    "span_f1_distance",
    "to_reliability_data",
    "validate_annotations",
]
