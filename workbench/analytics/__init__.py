"""Functional core: pure agreement analytics over tidy annotation tables and numpy arrays.

No I/O, no Argilla, no Streamlit here.
"""

from workbench.analytics.alpha import (
    LEVELS,
    AlphaResult,
    alpha_with_interval,
    coincidence_matrix,
    krippendorff_alpha,
)
from workbench.analytics.coefficients import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    pairwise_cohen_kappa,
    percent_agreement,
)
from workbench.analytics.distances import (
    jaccard_distance,
    kendall_tau_distance,
    masi_distance,
    span_f1_distance,
)
from workbench.analytics.reliability import (
    TIDY_COLUMNS,
    ReliabilityData,
    from_wide,
    to_reliability_data,
    validate_annotations,
)

__all__ = [
    "LEVELS",
    "TIDY_COLUMNS",
    "AlphaResult",
    "ReliabilityData",
    "alpha_with_interval",
    "coincidence_matrix",
    "cohen_kappa",
    "fleiss_kappa",
    "from_wide",
    "gwet_ac1",
    "gwet_ac2",
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
