"""Annotator drift: agreement over time, control charts and label-distribution shift.

Everything here is a pure function over a tidy *labels* table (one row per judgement) and a
*gold* table; nothing reads files or talks to Argilla.

==================  =================================================================
labels column       meaning
==================  =================================================================
item                the unit judged (record id)
annotator           who judged it
question            which question of the item
value               the answer (a hashable label or a number)
time                when it was given (datetime, or text ``pandas.to_datetime`` reads)
round               calibration round / batch the judgement belongs to
guideline_version   the guideline version the annotator worked under
==================  =================================================================

Gold is a table ``item, question, value``: the accepted answer for gold and calibration items.
Gold items keep flowing into production queues and calibration items are repeated, so each
annotator produces a stream of "agreed with gold" observations over time.

Three questions are answered:

1. **How well does each annotator agree, over time and across guideline versions?**
   :func:`gold_observations` and :func:`team_observations` give one row per judgement
   (agreement with gold; agreement with the leave-one-out majority of the other annotators);
   :func:`agreement_series`, :func:`agreement_by_version` and :func:`rolling_agreement` turn
   them into tidy time series for charts, the guideline version carried along.
2. **Has an annotator's accuracy dropped, durably?** :func:`monitor_gold_agreement` runs a
   one-sided Bernoulli CUSUM (Reynolds & Stoumbos 1999) on the stream of disagreements with
   gold, designed for a given drop (default 15 points) and in-control average run length,
   with exact ARLs from a Markov chain (:func:`design_bernoulli_cusum`). An EWMA chart with
   time-varying limits (Montgomery 2009, section 9.2) is offered for display.
3. **Has an annotator's label distribution moved?** :func:`shift_vs_own_past` (before vs
   after a time or a guideline version) and :func:`shift_vs_team` (the annotator vs everyone
   else in the same period) run a chi-square test of homogeneity (:func:`homogeneity_test`,
   an exact or Monte Carlo fallback for sparse tables), with Cramér's V and the
   Jensen-Shannon distance as effect sizes and Benjamini-Hochberg adjusted p-values.

One module per concern, each importing only those above it in this list; this package re-exports
their public names, so ``from workbench.analytics.drift import ...`` is the way in:

==============================  ===========================================================
module                          concern
==============================  ===========================================================
:mod:`.validation`              the labels and gold tables, checked
:mod:`.observations`            one row per judgement: agreement with gold, with the team
:mod:`.series`                  agreement over time and across guideline versions
:mod:`.run_length`              exact run lengths of a lattice CUSUM (Markov chain)
:mod:`.cusum`                   the Bernoulli CUSUM: design and statistic
:mod:`.ewma`                    the EWMA chart
:mod:`.monitor`                 each annotator's gold stream charted (and open alarms)
:mod:`.bar`                     each annotator against the task's bar
:mod:`.shift`                   label-distribution shift: tests of homogeneity
:mod:`.from_store`              the history store's tables as these functions' tables
==============================  ===========================================================

References
----------
Montgomery, D. C. (2009). *Introduction to Statistical Quality Control*, 6th ed., Wiley.
    Section 9.1 (CUSUM) and 9.2 (EWMA; control limits eq. 9.24-9.25).
Reynolds, M. R., Jr. & Stoumbos, Z. G. (1999). A CUSUM chart for monitoring a proportion when
    inspecting continuously. *Journal of Quality Technology* 31(1), 87-108.
Brook, D. & Evans, D. A. (1972). An approach to the probability distribution of CUSUM run
    length. *Biometrika* 59(3), 539-549.
Gandy, A. & Kvaloy, J. T. (2013). Guaranteed conditional performance of control charts via
    bootstrap methods. *Scandinavian Journal of Statistics* 40(4), 647-668.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1),
    289-300.
"""

from workbench.analytics.drift.bar import BAR_COLUMNS, against_bar, pooled_bar
from workbench.analytics.drift.cusum import (
    BernoulliCusumDesign,
    bernoulli_cusum,
    bernoulli_cusum_arl,
    bernoulli_cusum_run_length_cdf,
    cusum_lattice,
    cusum_restart,
    design_bernoulli_cusum,
)
from workbench.analytics.drift.ewma import ewma
from workbench.analytics.drift.from_store import gold_table, hashable, labels_table, monitor_gold, with_hashable_values
from workbench.analytics.drift.monitor import (
    ChartMethod,
    ControlChart,
    baseline_accuracy,
    monitor_gold_agreement,
    open_alarms,
)
from workbench.analytics.drift.observations import (
    gold_observations,
    team_observations,
    team_votes,
    value_codes,
    value_codes_per_question,
)
from workbench.analytics.drift.series import agreement_by_version, agreement_series, rolling_agreement
from workbench.analytics.drift.shift import (
    HomogeneityMethod,
    HomogeneityResult,
    HomogeneityTest,
    homogeneity_test,
    shift_vs_own_past,
    shift_vs_own_past_counts,
    shift_vs_team,
    shift_vs_team_counts,
)
from workbench.analytics.drift.validation import GOLD_COLUMNS, LABEL_COLUMNS, validate_gold, validate_labels

# The names these two had while drift was one module, for the callers that still use them
# (bench/bench_drift_detector.py, tests/test_dashboard_fast_paths.py); use the public names.
_cusum_restart = cusum_restart
_value_codes_per_question = value_codes_per_question

__all__ = [
    "BAR_COLUMNS",
    "GOLD_COLUMNS",
    "LABEL_COLUMNS",
    "BernoulliCusumDesign",
    "ChartMethod",
    "ControlChart",
    "HomogeneityMethod",
    "HomogeneityResult",
    "HomogeneityTest",
    "against_bar",
    "agreement_by_version",
    "agreement_series",
    "baseline_accuracy",
    "bernoulli_cusum",
    "bernoulli_cusum_arl",
    "bernoulli_cusum_run_length_cdf",
    "cusum_lattice",
    "cusum_restart",
    "design_bernoulli_cusum",
    "ewma",
    "gold_observations",
    "gold_table",
    "hashable",
    "homogeneity_test",
    "labels_table",
    "monitor_gold",
    "monitor_gold_agreement",
    "open_alarms",
    "pooled_bar",
    "rolling_agreement",
    "shift_vs_own_past",
    "shift_vs_own_past_counts",
    "shift_vs_team",
    "shift_vs_team_counts",
    "team_observations",
    "team_votes",
    "validate_gold",
    "validate_labels",
    "value_codes",
    "value_codes_per_question",
    "with_hashable_values",
]
