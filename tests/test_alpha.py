"""Krippendorff's alpha: published values, the reference implementation, the fast bootstrap."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from workbench.analytics import (
    alpha_with_interval,
    coincidence_matrix,
    from_wide,
    kendall_tau_distance,
    krippendorff_alpha,
    masi_distance,
    jaccard_distance,
    span_f1_distance,
    to_reliability_data,
)
from workbench.analytics.alpha import _bootstrap_alphas, _bootstrap_distribution, _Prepared
from workbench.analytics.reliability import ReliabilityData
from workbench.errors import BadInput

HAYES = Path(__file__).resolve().parent / "data" / "reference" / "hayes-krippendorff-2007.csv"

NAN = float("nan")

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
# Communication, University of Pennsylvania, https://repository.upenn.edu/asc_papers/43 --
# section C, "Nominal data, any number of observers, missing data": observers A-D, units 1-12
# ("." = missing in the paper). Published: nominal 0.743, ordinal 0.815, interval 0.849,
# ratio 0.797.
KRIPPENDORFF_2011 = [
    # unit: 1    2    3    4    5    6    7    8    9    10   11   12
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],  # observer A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],  # observer B
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],  # observer C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],  # observer D
]


@pytest.fixture(scope="module")
def hayes() -> ReliabilityData:
    table = pd.read_csv(HAYES, dtype=str).set_index("Unit")
    return from_wide(table)


# --- published values ---------------------------------------------------------------------


def test_hayes_krippendorff_2007_published_values(hayes):
    # README of the reference data: ordinal 0.7598 (paper), interval 0.757, nominal 0.477.
    assert hayes.n_annotators == 5 and hayes.n_items == 40
    assert round(krippendorff_alpha(hayes, "ordinal"), 4) == 0.7598
    assert round(krippendorff_alpha(hayes, "interval"), 3) == 0.757
    assert round(krippendorff_alpha(hayes, "nominal"), 3) == 0.477


def test_hayes_via_the_tidy_table_gives_the_same_numbers(hayes):
    wide = pd.read_csv(HAYES, na_values=["."])
    tidy = wide.melt(id_vars="Unit", var_name="annotator", value_name="value").rename(columns={"Unit": "item"})
    tidy["question"] = "score"
    rd = to_reliability_data(tidy)
    for level in ("nominal", "ordinal", "interval", "ratio"):
        assert krippendorff_alpha(rd, level) == krippendorff_alpha(hayes, level)


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_worked_example(level, published):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def test_krippendorff_2011_coincidences_and_pairable_values():
    # Section C of the paper: unit 12 (a single value) is not pairable; n = 40 pairable values.
    # Value 1 occurs in unit 1 (1, 1, 1), unit 6 (1, 2, 3, 4), unit 8 (1, 1, 2, 1), unit 11 (1, 1):
    # o[1,1] = 3*2/2 + 3*2/3 + 2*1/1 = 7 and o[1,2] = 1/3 + 3*1/3 = 4/3; n_1 = 3+1+3+2 = 9.
    # Value 5 occurs only in unit 10 (5, 5, 5): o[5,5] = n_5 = 3.
    o = coincidence_matrix(KRIPPENDORFF_2011)
    assert o.sum() == pytest.approx(40)
    assert np.array_equal(o, o.T)
    assert o[0, 0] == pytest.approx(7.0)
    assert o[0, 1] == pytest.approx(4 / 3)
    assert o[0].sum() == pytest.approx(9.0)
    assert o[4, 4] == pytest.approx(3.0) and o[4].sum() == pytest.approx(3.0)


def test_ordinal_labels_with_an_order_match_the_numeric_codes():
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    labelled = [[None if isinstance(v, float) and math.isnan(v) else names[v] for v in row] for row in KRIPPENDORFF_2011]
    rd = from_wide(labelled, order=list(names.values()))
    assert krippendorff_alpha(rd, "ordinal") == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011, "ordinal"), abs=1e-12)
    assert round(krippendorff_alpha(rd, "nominal"), 3) == 0.743


# --- against the krippendorff package ------------------------------------------------------


@st.composite
def reliability_matrices(draw, values=(0, 1, 2, 3, 5, 8), max_annotators=6, max_items=25):
    n_annotators = draw(st.integers(2, max_annotators))
    n_items = draw(st.integers(2, max_items))
    domain = draw(st.lists(st.sampled_from(values), min_size=2, max_size=len(values), unique=True))
    cells = draw(
        st.lists(
            st.one_of(st.sampled_from(domain), st.none()),
            min_size=n_annotators * n_items,
            max_size=n_annotators * n_items,
        )
    )
    matrix = np.array([NAN if c is None else float(c) for c in cells]).reshape(n_annotators, n_items)
    return matrix


def _pairable_values(matrix):
    present = ~np.isnan(matrix)
    pairable = present.sum(axis=0) >= 2
    return matrix[:, pairable][present[:, pairable]]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reliability_matrices())
def test_alpha_matches_krippendorff_package_at_every_level(matrix):
    pairable = _pairable_values(matrix)
    assume(len(np.unique(pairable)) >= 2)
    for level in ("nominal", "ordinal", "interval", "ratio"):
        ours = krippendorff_alpha(matrix, level)
        theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)
        assert ours == pytest.approx(theirs, abs=1e-9), level


@settings(max_examples=40, deadline=None)
@given(reliability_matrices())
def test_alpha_is_undefined_exactly_when_pairable_values_do_not_vary(matrix):
    pairable = _pairable_values(matrix)
    if len(np.unique(pairable)) >= 2:
        assert math.isfinite(krippendorff_alpha(matrix, "nominal"))
    else:
        with pytest.raises(BadInput, match="alpha is undefined"):
            krippendorff_alpha(matrix, "nominal")


# --- set-valued, ranking and span answers against a brute-force definition ----------------


def _alpha_by_definition(columns, distance):
    """alpha = 1 - D_o / D_e straight from Krippendorff's pairs definition (no coincidences).

    ``columns`` is a list of units, each the list of its values.
    """
    units = [u for u in columns if len(u) >= 2]
    values = [v for u in units for v in u]
    n = len(values)
    observed = sum(
        sum(distance(a, b) for a, b in itertools.permutations(u, 2)) / (len(u) - 1) for u in units
    ) / n
    expected = sum(distance(a, b) for a, b in itertools.permutations(values, 2)) / (n * (n - 1))
    return 1 - observed / expected


def _columns(rd: ReliabilityData):
    return [[rd.categories[c] for c in rd.codes[:, j] if c >= 0] for j in range(rd.n_items)]


label_sets = st.frozensets(st.sampled_from("abcd"), min_size=0, max_size=3)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda k: st.lists(st.lists(st.one_of(label_sets, st.none()), min_size=k, max_size=k), min_size=2, max_size=8)
    )
)
def test_set_valued_alpha_matches_the_definition(rows):
    rows = [[(None if v is None else v) for v in row] for row in rows]
    matrix = np.empty((len(rows[0]), len(rows)), dtype=object)
    for j, row in enumerate(rows):
        for i, v in enumerate(row):
            matrix[i, j] = v
    rd = from_wide(matrix, missing=(None,))
    cols = _columns(rd)
    for level, dist in (("jaccard", jaccard_distance), ("masi", masi_distance)):
        try:
            expected = _alpha_by_definition(cols, dist)
        except ZeroDivisionError:
            with pytest.raises(BadInput, match="alpha is undefined"):
                krippendorff_alpha(rd, level)
            continue
        assert krippendorff_alpha(rd, level) == pytest.approx(expected, abs=1e-9)


def test_jaccard_and_masi_on_single_labels_equal_nominal():
    single = [["a", "b", "a", None], ["a", "b", "b", "c"], ["b", "b", "a", "c"]]
    rd = from_wide(single)
    nominal = krippendorff_alpha(rd, "nominal")
    as_sets = from_wide([[None if v is None else {v} for v in row] for row in single])
    assert krippendorff_alpha(as_sets, "jaccard") == pytest.approx(nominal, abs=1e-12)
    assert krippendorff_alpha(as_sets, "masi") == pytest.approx(nominal, abs=1e-12)


def test_rankings_with_kendall_tau_distance_match_the_definition():
    rankings = [
        [("x", "y", "z"), ("y", "x", "z"), ("x", "y", "z"), ("z", "y", "x")],
        [("x", "y", "z"), ("y", "x", "z"), ("x", "z", "y"), ("z", "x", "y")],
        [("x", "z", "y"), None, ("x", "y", "z"), ("z", "y", "x")],
    ]
    rd = from_wide(rankings, as_sets=False)
    assert all(isinstance(c, tuple) for c in rd.categories)
    expected = _alpha_by_definition(_columns(rd), kendall_tau_distance)
    assert krippendorff_alpha(rd, distance=kendall_tau_distance) == pytest.approx(expected, abs=1e-12)


def test_spans_with_token_f1_distance_match_the_definition():
    a = ((0, 2, "PER"),)
    b = ((0, 3, "PER"),)
    c = ((5, 7, "LOC"),)
    d = ((0, 2, "PER"), (5, 7, "LOC"))
    spans = [[a, c, d, ()], [b, c, d, ()], [a, None, c, a]]
    rd = from_wide(spans, missing=(None,), as_sets=False)
    expected = _alpha_by_definition(_columns(rd), span_f1_distance)
    assert krippendorff_alpha(rd, distance=span_f1_distance) == pytest.approx(expected, abs=1e-12)


def test_distance_matrix_hook_equals_the_level():
    rd = from_wide(KRIPPENDORFF_2011)
    values = np.asarray(rd.categories, dtype=float)
    matrix = (values[:, None] - values[None, :]) ** 2
    assert krippendorff_alpha(rd, distance=matrix) == krippendorff_alpha(rd, "interval")
    assert krippendorff_alpha(rd, distance=lambda x, y: float(x != y)) == krippendorff_alpha(rd, "nominal")


# --- bootstrap -----------------------------------------------------------------------------


def _slow_alphas(rd, indices, level, distance=None):
    return np.array([krippendorff_alpha(rd.select_items(row), level, distance=distance) for row in indices])


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("basis", ["units", "patterns"])
def test_fast_bootstrap_equals_the_slow_one_exactly_for_the_same_resamples(hayes, level, basis):
    rng = np.random.default_rng(7)
    indices = rng.integers(0, hayes.n_items, size=(150, hayes.n_items))
    fast = _bootstrap_alphas(hayes, indices, level, basis=basis)
    slow = _slow_alphas(hayes, indices, level)
    assert np.array_equal(fast, slow)  # bit for bit, not approximately


def test_fast_bootstrap_without_the_contribution_table_is_exact_too(hayes, monkeypatch):
    # Many categories make the per-item contribution table too big; the per-resample fallback
    # must give the same bits.
    monkeypatch.setattr("workbench.analytics.alpha._CONTRIB_ELEMENTS", 0)
    rng = np.random.default_rng(8)
    indices = rng.integers(0, hayes.n_items, size=(40, hayes.n_items))
    for level in ("nominal", "ordinal"):
        assert np.array_equal(_bootstrap_alphas(hayes, indices, level, basis="units"), _slow_alphas(hayes, indices, level))


def test_fast_bootstrap_is_exact_with_a_custom_distance_and_unpairable_items():
    rd = from_wide([[{"a"}, {"a", "b"}, None, {"c"}, {"b"}], [{"a"}, {"b"}, {"c"}, None, {"b", "c"}], [None, {"a", "b"}, None, {"c"}, {"b"}]])
    rng = np.random.default_rng(3)
    indices = rng.integers(0, rd.n_items, size=(100, rd.n_items))
    slow = []
    for row in indices:
        try:
            slow.append(krippendorff_alpha(rd.select_items(row), distance=masi_distance))
        except BadInput:
            slow.append(np.nan)
    fast = _bootstrap_alphas(rd, indices, distance=masi_distance)
    assert np.array_equal(fast, np.array(slow), equal_nan=True)


def test_bootstrap_is_reproducible_with_a_seed(hayes):
    first = alpha_with_interval(hayes, "ordinal", n_boot=300, seed=11)
    again = alpha_with_interval(hayes, "ordinal", n_boot=300, seed=11)
    other = alpha_with_interval(hayes, "ordinal", n_boot=300, seed=12)
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)


def test_interval_contains_the_point_estimate_and_reports_the_data(hayes):
    result = alpha_with_interval(hayes, "ordinal", n_boot=500, ci=0.9, seed=1)
    assert result.low < result.alpha < result.high
    assert result.alpha == krippendorff_alpha(hayes, "ordinal")
    assert (result.n_items, result.n_annotators, result.ci, result.n_boot) == (40, 5, 0.9, 500)
    assert result.alpha == pytest.approx(1 - result.observed_disagreement / result.expected_disagreement)
    no_boot = alpha_with_interval(hayes, "ordinal", n_boot=0)
    assert (no_boot.low, no_boot.high, no_boot.ci) == (None, None, None)


def _large_patterned_sample():
    """300 items, 4 annotators, 3 categories, no gaps: few distinct item patterns."""
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 300)
    noisy = np.where(rng.random((4, 300)) < 0.75, truth, rng.integers(0, 3, (4, 300)))
    return from_wide(noisy.astype(float))


@pytest.mark.parametrize("which", ["hayes", "patterned"])
def test_fast_bootstrap_spread_agrees_with_a_slow_reference_bootstrap(hayes, which):
    rd = hayes if which == "hayes" else _large_patterned_sample()
    prep = _Prepared(rd, "ordinal", None)
    assert prep.use_patterns() == (which == "patterned")  # both drawing schemes are covered
    fast = _bootstrap_distribution(prep, 2000, seed=21)
    rng = np.random.default_rng(99)
    pairable = prep.units
    picks = pairable[rng.integers(0, len(pairable), size=(2000, len(pairable)))]
    slow = _slow_alphas(rd, picks, "ordinal")
    # SDs of two independent 2000-resample bootstraps: relative standard error ~1.6% each.
    assert np.std(fast) == pytest.approx(np.std(slow), rel=0.1)
    assert np.mean(fast) == pytest.approx(np.mean(slow), abs=0.25 * np.std(slow))


# --- errors --------------------------------------------------------------------------------


def test_error_one_annotator():
    with pytest.raises(BadInput, match="at least two annotators; got 1"):
        krippendorff_alpha([[1, 2, 3]])


def test_error_every_value_the_same_names_the_value():
    rd = from_wide([["yes", "yes", None], ["yes", "yes", "no"]])
    with pytest.raises(BadInput, match=r"alpha is undefined: every pairable value is 'yes'"):
        krippendorff_alpha(rd)


def test_error_no_pairable_values():
    with pytest.raises(BadInput, match="no pairable values"):
        krippendorff_alpha([[1, NAN], [NAN, 2]])


def test_error_interval_on_labels_names_the_value():
    rd = from_wide([["good", "bad"], ["good", "good"]])
    with pytest.raises(BadInput, match=r"interval-level alpha needs numbers; value 'bad' is not a number"):
        krippendorff_alpha(rd, "interval")
    with pytest.raises(BadInput, match=r"ratio-level alpha needs numbers"):
        alpha_with_interval(rd, "ratio")


def test_error_ordinal_on_unordered_labels_and_unknown_level():
    rd = from_wide([["good", "bad"], ["good", "good"]])
    with pytest.raises(BadInput, match="ordinal alpha needs ordered values"):
        krippendorff_alpha(rd, "ordinal")
    with pytest.raises(BadInput, match="level 'cardinal' is not one of"):
        krippendorff_alpha(rd, "cardinal")


def test_error_ratio_with_negative_values_and_bad_distance_matrix():
    with pytest.raises(BadInput, match="value -1 is negative"):
        krippendorff_alpha([[-1, 2], [1, 2]], "ratio")
    with pytest.raises(BadInput, match=r"distance matrix has shape \(2, 2\); expected \(3, 3\)"):
        krippendorff_alpha([[1, 2, 3], [1, 2, 2]], distance=np.ones((2, 2)))


def test_error_bootstrap_arguments():
    with pytest.raises(BadInput, match="ci must lie strictly between 0 and 1; got 95"):
        alpha_with_interval(KRIPPENDORFF_2011, ci=95)
    with pytest.raises(BadInput, match="n_boot must be a whole number"):
        alpha_with_interval(KRIPPENDORFF_2011, n_boot=-1)


@pytest.mark.parametrize("seed", [-1, 1.5, "7"])
def test_alpha_with_interval_refuses_a_bad_seed_naming_it(seed):
    with pytest.raises(BadInput, match=rf"seed: must be a non-negative integer; got {seed!r}"):
        alpha_with_interval([[1, 2, 3], [1, 2, 2]], n_boot=10, seed=seed)


def test_core_seeded_functions_refuse_a_negative_seed():
    from workbench.analytics.diagnosis import Thresholds
    from workbench.analytics.drift import homogeneity_test
    from workbench.analytics.simulate import SimulatedAnnotator, simulate_annotations, simulate_gold_stream

    with pytest.raises(BadInput, match="thresholds: seed: must be a non-negative integer; got -3"):
        Thresholds(seed=-3)
    with pytest.raises(BadInput, match="got -1"):
        homogeneity_test([[10, 20], [20, 10]], seed=-1)
    with pytest.raises(BadInput, match="got -2"):
        simulate_annotations([SimulatedAnnotator("a", accuracy=1.0)], n_items=5, seed=-2)
    with pytest.raises(BadInput, match="got -4"):
        simulate_gold_stream(10, 0.9, seed=-4)
    # a Generator and None stay accepted
    assert alpha_with_interval([[1, 2, 3, 1, 2, 3], [1, 2, 2, 1, 2, 3]], n_boot=10, seed=np.random.default_rng(0)).low is not None


def _many_categories(n_categories: int, n_items: int = 400, seed: int = 0):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_categories, n_items)
    rows = []
    for _a in range(3):
        noisy = np.where(rng.random(n_items) < 0.3, rng.integers(0, n_categories, n_items), truth)
        rows.append([f"c{v}" for v in noisy])
    return rows


def test_bootstrap_in_batches_gives_the_same_alphas_bit_for_bit(monkeypatch):
    """Many categories: resamples are computed in batches bounded by the memory budget; the
    alphas are exactly those of one batch."""
    from workbench.analytics import alpha as alpha_mod

    data = _many_categories(120)
    whole = alpha_mod._bootstrap_distribution(alpha_mod._Prepared(data, "nominal", None), 200, seed=3)
    monkeypatch.setattr(alpha_mod, "_CHUNK_ELEMENTS", 4 * 120 * 120 * 7)  # batches of 7 resamples
    batched = alpha_mod._bootstrap_distribution(alpha_mod._Prepared(data, "nominal", None), 200, seed=3)
    assert np.array_equal(whole, batched, equal_nan=True)


def test_bootstrap_memory_stays_bounded_with_850_categories():
    """Memory does not grow with the number of resamples held at once: 850 categories (400 used
    in pairs) and 200 resamples at once would be 200 x 400 x 400 x 8 bytes = 256 MB per array, and
    several such arrays; batched, 200 resamples peak within a few MB of 20 (numpy's allocations
    are traced by tracemalloc)."""
    import tracemalloc

    data = _many_categories(850, n_items=300)
    peaks, results = [], []
    for n_boot in (20, 200):
        tracemalloc.start()
        try:
            results.append(alpha_with_interval(data, "nominal", n_boot=n_boot, seed=1))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert all(r.low is not None and r.low <= r.alpha <= r.high for r in results)
    assert peaks[1] - peaks[0] < 32 * 2**20, [p / 2**20 for p in peaks]
    assert peaks[1] < 600 * 2**20, [p / 2**20 for p in peaks]
