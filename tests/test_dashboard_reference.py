"""The dashboard's per-version alphas against an independent reference.

tests/test_dashboard_fast_paths.py checks each fast path against the pandas computation it
replaced, but both call the same product code for the coefficient (``alpha_with_interval``), so a
bug shared by the two would pass there. Here the reference shares nothing with the product: the
latest answer of each annotator on each item is picked by a plain loop over the rows, the
reliability matrix is built by hand, and the coefficient comes from the ``krippendorff`` package
(Castro 2017), which implements Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability".

Value rule (README, "How values are coded"): a question whose values mix numbers and text compares
every value as written, and in Python ``1`` and ``"1"`` are one label, so the reference codes the
nominal question's values by ``str``.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from test_dashboard_fast_paths import QS, history_of, random_labels
from workbench.dashboard import data

#: question -> (krippendorff level, value -> number for the reliability matrix)
ORDER = {"lo": 0, "mid": 1, "hi": 2}
REFERENCE_LEVELS = {"q": "nominal", "o": "ordinal", "p": "interval"}


def reference_alpha(labels, version: int, question: str) -> tuple[float, int, int]:
    """(alpha, items, annotators) of one guideline version and question, computed by hand."""
    latest: dict[tuple[str, str], tuple[object, object]] = {}
    for row in labels.itertuples(index=False):
        if row.question != question or row.guideline_version != version or row.value is None:
            continue
        key = (row.item, row.annotator)
        if key not in latest or row.time >= latest[key][0]:  # the later answer wins
            latest[key] = (row.time, row.value)
    items = sorted({i for i, _ in latest})
    annotators = sorted({a for _, a in latest})
    if question == "q":
        codes = {v: k for k, v in enumerate(sorted({str(v) for _, v in latest.values()}))}
        code = lambda v: codes[str(v)]  # noqa: E731
    elif question == "o":
        code = ORDER.__getitem__
    else:
        code = float
    matrix = np.full((len(annotators), len(items)), np.nan)
    for (item, annotator), (_, value) in latest.items():
        matrix[annotators.index(annotator), items.index(item)] = code(value)
    alpha = krippendorff.alpha(reliability_data=matrix, level_of_measurement=REFERENCE_LEVELS[question],
                               value_domain=[0, 1, 2] if question == "o" else None)
    return alpha, len(items), len(annotators)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 13])
def test_per_version_alphas_equal_the_krippendorff_package_on_hand_built_matrices(seed):
    labels = random_labels(seed, n_items=120 if seed == 13 else 30, n_rounds=5 if seed == 13 else 3)
    table = data.alphas_by_version(history_of(labels), QS, n_boot=20)
    compared = 0
    for row in table.itertuples(index=False):
        if row.question not in REFERENCE_LEVELS or row.guideline_version < 0:
            continue  # masi has no reference in the package; version -1 stands for "no version"
        alpha, n_items, n_annotators = reference_alpha(labels, row.guideline_version, row.question)
        assert row.alpha == pytest.approx(alpha, abs=1e-9), (row.guideline_version, row.question)
        assert (row.n_items, row.n_annotators) == (n_items, n_annotators)
        assert row.low <= row.alpha <= row.high  # the interval holds its own point estimate
        compared += 1
    assert compared >= 6


def test_a_wrong_latest_answer_would_change_the_reference():
    """The check above can fail: taking the first answer instead of the latest moves alpha."""
    labels = random_labels(13, n_items=120, n_rounds=5)
    table = data.alphas_by_version(history_of(labels), QS, n_boot=20)
    row = table[(table["question"] == "q") & (table["guideline_version"] == 2)].iloc[0]
    earliest = labels.sort_values("time", kind="stable").drop_duplicates(
        ["item", "annotator", "question", "guideline_version"], keep="first")
    wrong, _, _ = reference_alpha(earliest, 2, "q")
    right, _, _ = reference_alpha(labels, 2, "q")
    assert row["alpha"] == pytest.approx(right, abs=1e-9)
    assert abs(wrong - right) > 1e-3
