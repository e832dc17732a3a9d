"""Tidy annotation tables: validation and reshaping into reliability data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analytics import ReliabilityData, from_wide, to_reliability_data, validate_annotations
from workbench.errors import BadInput


def _tidy(rows, question="q"):
    return pd.DataFrame(
        [{"item": i, "annotator": a, "question": question, "value": v} for i, a, v in rows]
    )


# --- validate_annotations --------------------------------------------------------------------


def test_validate_names_the_missing_column_and_the_source():
    df = pd.DataFrame({"item": [1], "annotator": ["a"], "answer": ["x"]})
    with pytest.raises(BadInput, match=r"votes\.parquet: missing column\(s\) 'question', 'value'"):
        validate_annotations(df, source="votes.parquet")


def test_validate_rejects_an_empty_table():
    with pytest.raises(BadInput, match="export.csv: the table is empty"):
        validate_annotations(pd.DataFrame(columns=["item", "annotator", "question", "value"]), source="export.csv")


def test_validate_names_the_first_duplicate():
    df = _tidy([(1, "a", "x"), (2, "a", "y"), (2, "b", "y"), (2, "a", "z"), (3, "c", "w"), (3, "c", "w")])
    with pytest.raises(BadInput, match=r"duplicate annotation for item=2, annotator='a', question='q' \(rows 1, 3\); 4 rows"):
        validate_annotations(df)


def test_validate_names_an_empty_key_cell():
    df = _tidy([(1, "a", "x"), (2, None, "y")])
    with pytest.raises(BadInput, match="column 'annotator' is empty in row 1"):
        validate_annotations(df)


def test_validate_drops_missing_values_and_makes_values_hashable():
    df = _tidy([(1, "a", ["x", "y"]), (1, "b", None), (2, "a", np.int64(3)), (2, "b", {"z"})])
    df["round"] = [1, 1, 2, 2]
    out = validate_annotations(df)
    assert list(out["value"]) == [("x", "y"), 3, frozenset({"z"})]
    assert type(out["value"][1]) is int
    assert list(out["round"]) == [1, 2, 2]  # optional columns are kept


# --- to_reliability_data --------------------------------------------------------------------


def test_layout_annotators_by_items_with_gaps():
    df = _tidy([("i2", "bob", "no"), ("i1", "ann", "yes"), ("i1", "bob", "no"), ("i3", "cy", "yes")])
    rd = to_reliability_data(df)
    assert rd.annotators == ("ann", "bob", "cy")
    assert rd.items == ("i1", "i2", "i3")
    assert rd.categories == ("no", "yes")
    assert rd.codes.dtype == np.int32
    assert rd.codes.tolist() == [[1, -1, -1], [0, 0, -1], [-1, -1, 1]]
    assert not rd.ordered


def test_numbers_are_in_numeric_order_not_string_order():
    df = _tidy([(1, "a", 10), (1, "b", 9), (2, "a", 2.0), (2, "b", 10)])
    rd = to_reliability_data(df)
    assert rd.categories == (2, 9, 10)
    assert rd.ordered
    assert rd.values_matrix().tolist() == [[10.0, 2.0], [9.0, 10.0]]


def test_order_gives_the_ordinal_order_and_keeps_unused_labels():
    df = _tidy([(1, "a", "good"), (1, "b", "bad"), (2, "a", "good")])
    rd = to_reliability_data(df, order=["bad", "ok", "good"])
    assert rd.categories == ("bad", "ok", "good") and rd.ordered
    assert rd.codes.tolist() == [[2, 2], [0, -1]]


def test_value_outside_the_order_is_named():
    df = _tidy([(1, "a", "good"), (1, "b", "great")])
    with pytest.raises(BadInput, match=r"question 'q': value 'great' is not in the given order \('bad', 'good'\)"):
        to_reliability_data(df, order=["bad", "good"])
    with pytest.raises(BadInput, match="order: value 'bad' is listed twice"):
        to_reliability_data(df, order=["bad", "good", "great", "bad"])


def test_rows_of_several_questions_are_refused():
    df = pd.concat([_tidy([(1, "a", "x")], "tone"), _tidy([(1, "a", "y")], "topic")])
    with pytest.raises(BadInput, match="rows of 2 questions \\('tone', 'topic'\\)"):
        to_reliability_data(df)


def test_duplicate_item_annotator_is_refused():
    df = _tidy([(1, "a", "x"), (1, "a", "y")])
    with pytest.raises(BadInput, match=r"question 'q': duplicate annotation for item=1, annotator='a'"):
        to_reliability_data(df)


def test_multi_label_values_become_sets_and_plain_labels_singletons():
    df = _tidy([(1, "a", ["x", "y"]), (1, "b", ("y", "x")), (2, "a", "x"), (2, "b", frozenset())])
    rd = to_reliability_data(df)
    assert rd.categories == (frozenset(), frozenset({"x"}), frozenset({"x", "y"}))
    assert rd.codes.tolist() == [[2, 1], [2, 0]]


def test_as_sets_false_keeps_orderings():
    df = _tidy([(1, "a", ["x", "y"]), (1, "b", ("y", "x"))])
    rd = to_reliability_data(df, as_sets=False)
    assert set(rd.categories) == {("x", "y"), ("y", "x")}


def test_values_matrix_refuses_labels_naming_one():
    rd = to_reliability_data(_tidy([(1, "a", "few"), (1, "b", "many")]))
    with pytest.raises(BadInput, match="value 'few' is not a number"):
        rd.values_matrix()


def test_numbers_mixed_with_text_are_all_labels_as_text():
    """Issue #13: 1 and "1" were silently two categories; the rule (the CLI's too): a question
    that mixes numbers and text codes every value as its text."""
    rd = to_reliability_data(_tidy([(1, "a", 1), (1, "b", "1"), (2, "a", 1.0), (2, "b", "many")]))
    assert rd.categories == ("1", "1.0", "many")
    assert rd.codes[0, 0] == rd.codes[1, 0]  # 1 and "1": one label
    with pytest.raises(BadInput, match="value '1' is not a number"):
        rd.values_matrix()


tidy_rows = st.lists(
    st.tuples(
        st.integers(0, 6),
        st.sampled_from(["ann", "bob", "cy", "dee"]),
        st.one_of(st.integers(-3, 3), st.sampled_from(["lo", "mid", "hi"]).map(lambda s: s)),
    ),
    min_size=1,
    max_size=30,
    unique_by=lambda r: (r[0], r[1]),
)


@settings(max_examples=60, deadline=None)
@given(tidy_rows, st.booleans())
def test_every_annotation_lands_in_its_cell(rows, numeric_only):
    if numeric_only:
        rows = [(i, a, v if isinstance(v, int) else len(v)) for i, a, v in rows]
    rd = to_reliability_data(_tidy(rows))
    assert int((rd.codes >= 0).sum()) == len(rows)
    mixed = len({type(v) for _, _, v in rows}) > 1  # numbers and text: every value as its text
    for item, annotator, value in rows:
        code = rd.codes[rd.annotators.index(annotator), rd.items.index(item)]
        assert rd.categories[code] == (str(value) if mixed else value)
    assert len(set(rd.categories)) == len(rd.categories)


# --- from_wide ------------------------------------------------------------------------------


def test_from_wide_dataframe_one_column_per_annotator_with_csv_strings():
    frame = pd.DataFrame({"obs1": ["1", ".", "10"], "obs2": ["2", "9", ""]}, index=["u1", "u2", "u3"])
    rd = from_wide(frame)
    assert rd.annotators == ("obs1", "obs2") and rd.items == ("u1", "u2", "u3")
    assert rd.categories == (1, 2, 9, 10)
    np.testing.assert_array_equal(rd.values_matrix(), [[1, np.nan, 10], [2, 9, np.nan]])


def test_from_wide_annotators_by_items_array_with_nan():
    rd = from_wide(np.array([[1.5, np.nan], [2.0, 1.5]]))
    assert rd.annotators == (0, 1) and rd.items == (0, 1)
    assert rd.categories == (1.5, 2.0)
    assert rd.codes.tolist() == [[0, -1], [1, 0]]


def test_from_wide_labels_stay_labels():
    rd = from_wide([["yes", "no", "."], ["yes", "2", "no"]])
    assert rd.categories == ("2", "no", "yes")
    assert not rd.ordered


def test_reliability_data_checks_its_shape():
    with pytest.raises(BadInput, match="codes have shape \\(2, 2\\) but there are 1 annotators"):
        ReliabilityData(np.zeros((2, 2), dtype=np.int32), (0,), ("a",), (1, 2))
    with pytest.raises(BadInput, match="codes must lie in -1..0"):
        ReliabilityData(np.array([[0, 3]]), (0,), ("a",), (1, 2))


# --- issue #13: fast paths give what the general code gave ----------------------------------

from decimal import Decimal  # noqa: E402

from workbench.analytics import reliability  # noqa: E402


def _mixes_by_loop(values) -> bool:
    """The definition: some value is a str and some value is a real number (not a bool)."""
    return any(isinstance(v, str) for v in values) and any(reliability.is_number(v) for v in values)


ANSWERS = st.one_of(
    st.integers(-3, 3), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.sampled_from(["x", "1", "", "n/a"]), st.sampled_from([np.str_("y"), np.int64(2), np.float64(2.5), np.nan]),
    st.sampled_from([Decimal("1.5"), b"x", 1 + 2j, frozenset({"a"}), ("a", "b")]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ANSWERS, max_size=8))
def test_mixes_numbers_and_text_decides_in_c_as_the_loop_does(values):
    obj = np.empty(len(values), dtype=object)
    obj[:] = values
    assert reliability.mixes_numbers_and_text(obj) == _mixes_by_loop(values)
    assert reliability.mixes_numbers_and_text(list(values)) == _mixes_by_loop(values)
    for typed in (np.array([1, 2]), np.array([1.5, np.nan]), np.array(["1", "x"]), np.array([True])):
        assert reliability.mixes_numbers_and_text(typed) == _mixes_by_loop(list(typed)) is False


def _factorize_as_pandas(series):
    try:
        codes, uniq = pd.factorize(series, sort=True)
    except TypeError:
        codes, uniq = pd.factorize(series, sort=False)
    return codes, tuple(uniq.tolist())


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([["b", "a", "c", "d"], [3, 1, 2, 10], [1.5, 0.5, 2.0, 3.0], ["10", "9", "x", "01"]]),
       st.permutations(range(4)), st.integers(1, 4), st.lists(st.integers(-1, 3), max_size=25), st.booleans())
def test_categorical_ids_factorise_as_pandas_does(pool, perm, k, codes, ordered):
    """A categorical item/annotator column (the CLI passes them so) gets the ids and codes that
    pandas.factorize(sort=True) gives it (category order), from its codes alone: unused and
    missing (-1) categories included."""
    categories = [pool[i] for i in perm[:k]]
    codes = [c if c < k else -1 for c in codes]
    series = pd.Series(pd.Categorical.from_codes(codes, categories=categories, ordered=ordered))
    expected_codes, expected_ids = _factorize_as_pandas(series)
    got_codes, got_ids = reliability._factorize_ids(series)
    assert got_codes.tolist() == expected_codes.tolist()
    assert [(type(v), v) for v in got_ids] == [(type(v), v) for v in expected_ids]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-50, 50), min_size=1, max_size=40), st.sampled_from([np.int64, np.int32, np.float64]))
def test_unique_numbers_is_numpy_unique(values, dtype):
    values = np.array(values, dtype=dtype)
    uniq, codes = reliability._unique_numbers(values)
    expected, inverse = np.unique(values, return_inverse=True)
    assert uniq.dtype == values.dtype and uniq.tolist() == expected.tolist()
    assert codes.dtype == np.int32 and codes.tolist() == inverse.reshape(-1).tolist()
