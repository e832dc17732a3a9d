"""Percent agreement, kappas and Gwet's AC1/AC2 against published values and reference packages."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from irrCAC.raw import CAC
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from workbench.analytics import (
    cohen_kappa,
    fleiss_kappa,
    from_wide,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    pairwise_cohen_kappa,
    percent_agreement,
)
from workbench.analytics.reliability import ReliabilityData
from workbench.errors import BadInput

HAYES = Path(__file__).resolve().parent / "data" / "reference" / "hayes-krippendorff-2007.csv"
NAN = float("nan")


@pytest.fixture(scope="module")
def hayes() -> ReliabilityData:
    return from_wide(pd.read_csv(HAYES, dtype=str).set_index("Unit"))


def test_hayes_published_gwet_ac1_and_percent_agreement(hayes):
    # Gwet (2015), as listed in the reference data README.
    assert round(gwet_ac1(hayes), 4) == 0.5093
    assert round(percent_agreement(hayes), 3) == 0.625


def test_gwet_ordinal_weights_are_not_krippendorff_ordinal(hayes):
    # The README warns: AC2 with Gwet's ordinal weights is a different quantity.
    assert round(gwet_ac2(hayes, weights="ordinal"), 4) != round(krippendorff_alpha(hayes, "ordinal"), 4)


# --- reference packages --------------------------------------------------------------------


@st.composite
def ratings(draw, values=(1, 2, 3, 4, 6), complete=False, max_annotators=5, max_items=20):
    n_annotators = draw(st.integers(2, max_annotators))
    n_items = draw(st.integers(2, max_items))
    domain = draw(st.lists(st.sampled_from(values), min_size=2, max_size=len(values), unique=True))
    cell = st.sampled_from(domain) if complete else st.one_of(st.sampled_from(domain), st.none())
    cells = draw(st.lists(cell, min_size=n_annotators * n_items, max_size=n_annotators * n_items))
    return np.array([NAN if c is None else float(c) for c in cells]).reshape(n_annotators, n_items)


def _irr(matrix, weights="identity") -> CAC:
    frame = pd.DataFrame(matrix.T)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CAC(frame, weights=weights, digits=15)


def _usable(matrix) -> bool:
    """At least one item rated twice and two distinct values overall (the coefficients exist), and
    at least two rated items: irrCAC divides by (n_subjects - 1) for its variance and raises
    ZeroDivisionError on a single subject."""
    present = ~np.isnan(matrix)
    return (bool((present.sum(axis=0) >= 2).any()) and len(np.unique(matrix[present])) >= 2
            and int(present.any(axis=0).sum()) >= 2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ratings())
def test_gwet_percent_agreement_and_fleiss_match_irrcac(matrix):
    assume(_usable(matrix))
    cac = _irr(matrix)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gwet = cac.gwet()["est"]
        fleiss = cac.fleiss()["est"]
    assert gwet_ac1(matrix) == pytest.approx(gwet["coefficient_value"], abs=1e-9)
    assert percent_agreement(matrix) == pytest.approx(gwet["pa"], abs=1e-9)
    if fleiss["pe"] < 1 - 1e-12:
        assert fleiss_kappa(matrix) == pytest.approx(fleiss["coefficient_value"], abs=1e-9)
    else:
        with pytest.raises(BadInput, match="undefined"):
            fleiss_kappa(matrix)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ratings(), st.sampled_from(["ordinal", "linear", "quadratic", "radical", "ratio", "circular", "bipolar"]))
def test_gwet_ac2_matches_irrcac_with_its_weights(matrix, weights):
    assume(_usable(matrix))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _irr(matrix, weights).gwet()["est"]["coefficient_value"]
    assert gwet_ac2(matrix, weights=weights) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(ratings(complete=True))
def test_fleiss_kappa_matches_statsmodels_on_complete_data(matrix):
    assume(len(np.unique(matrix)) >= 2)
    rd = from_wide(matrix)
    table = np.stack([(rd.codes == k).sum(axis=0) for k in range(len(rd.categories))], axis=1)
    assert fleiss_kappa(rd) == pytest.approx(sm_fleiss_kappa(table, method="fleiss"), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(ratings(values=(0, 1, 2, 3, 4)), st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_kappa_matches_sklearn(matrix, weights):
    # Categories 0..4 consecutive and passed as sklearn's labels: sklearn's index-based weights
    # then equal our value-based ones (see cohen_kappa's docstring for the difference).
    rd = from_wide(matrix, order=[0, 1, 2, 3, 4])
    x, y = matrix[0], matrix[1]
    both = ~np.isnan(x) & ~np.isnan(y)
    assume(both.any())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cohen_kappa_score(x[both], y[both], labels=[0, 1, 2, 3, 4], weights=weights)
    if np.isnan(expected):
        with pytest.raises(BadInput, match="undefined"):
            cohen_kappa(rd, 0, 1, weights=weights)
    else:
        assert cohen_kappa(rd, 0, 1, weights=weights) == pytest.approx(expected, abs=1e-9)


def test_weighted_kappa_uses_values_where_sklearn_uses_label_positions():
    # Values 1, 2, 5: linear disagreement |1-2| = 1, |2-5| = 3, |1-5| = 4 (sklearn: 1, 1, 2).
    rd = from_wide([[1, 2, 5, 1], [2, 2, 5, 5]])
    # joint: (1,2), (2,2), (5,5), (1,5); a = (1/2, 1/4, 1/4), b = (0, 1/2, 1/2)
    observed = (1 * 1 + 4 * 1) / 4
    expected = 0.5 * 0.5 * 1 + 0.5 * 0.5 * 4 + 0.25 * 0.5 * 3 + 0.25 * 0.5 * 3
    assert cohen_kappa(rd, 0, 1, weights="linear") == pytest.approx(1 - observed / expected)
    sklearn = cohen_kappa_score([1, 2, 5, 1], [2, 2, 5, 5], weights="linear")
    assert cohen_kappa(rd, 0, 1, weights="linear") != pytest.approx(sklearn)


def test_pairwise_cohen_kappa_is_the_pairwise_table():
    matrix = [[1, 2, 3, 1, NAN], [1, 2, 2, 1, NAN], [1, 2, 3, 2, 3], [NAN, NAN, NAN, NAN, 3]]
    table = pairwise_cohen_kappa(matrix)
    assert list(table.index) == list(table.columns) == [0, 1, 2, 3]
    assert np.allclose(np.diag(table), 1.0)
    assert table.loc[0, 2] == table.loc[2, 0] == pytest.approx(cohen_kappa(matrix, 0, 2))
    assert np.isnan(table.loc[0, 3])  # no shared item
    assert np.isnan(table.loc[2, 3])  # one shared item, both '3': undefined


# --- errors --------------------------------------------------------------------------------


def test_errors_name_the_problem():
    rd = from_wide(pd.DataFrame({"ann": ["good", "bad", None], "bob": ["good", "good", None], "cy": [None, None, "bad"]}))
    with pytest.raises(BadInput, match="annotator 'dan' is not in the data"):
        cohen_kappa(rd, "ann", "dan")
    with pytest.raises(BadInput, match="'ann' and 'cy' share no rated item"):
        cohen_kappa(rd, "ann", "cy")
    with pytest.raises(BadInput, match="linear-weighted kappa needs ordered values"):
        cohen_kappa(rd, "ann", "bob", weights="linear")
    with pytest.raises(BadInput, match="quadratic weights needs ordered values"):
        gwet_ac2(rd, weights="quadratic")
    with pytest.raises(BadInput, match="weights 'cubic' is not one of"):
        gwet_ac2(rd, weights="cubic")
    with pytest.raises(BadInput, match="ratio weights: a category is 0"):
        gwet_ac2([[0, 1, 2], [0, 1, 1]], weights="ratio")
    with pytest.raises(BadInput, match="no item has ratings from two or more annotators"):
        percent_agreement([[1, NAN], [NAN, 2]])
    with pytest.raises(BadInput, match=r"needs at least two categories; every rating is 'yes'"):
        gwet_ac1(from_wide([["yes", "yes"], ["yes", "yes"]]))
    with pytest.raises(BadInput, match=r"Fleiss' kappa is undefined: chance agreement is 1 \(every rating is 'yes'\)"):
        fleiss_kappa(from_wide([["yes", "yes"], ["yes", "yes"]]))
