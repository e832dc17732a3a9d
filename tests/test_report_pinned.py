"""``question_report`` and ``report`` give, to the last digit, what they gave before the refactor
of issue #18.

A refactor pin, not a correctness test (tests/test_report.py checks the figures against
published values and the krippendorff package): tests/data/report_pinned.json holds the whole
:class:`~workbench.analytics.report.QuestionReport` (``to_dict`` and every field, tables with
their dtypes) down each path of ``question_report`` (levels, gold as a table, Series or mapping,
non-human raters, a custom distance, set-valued answers, undefined alpha, mixed values),
produced by tests/data/make_report_pinned.py from the code before ``question_report`` was broken
into steps.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from data_scripts import load

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def pinned():
    make = load("make_report_pinned")
    return make.read_fixture(), make.outputs(), load("pinned_json")


def test_every_pinned_report_is_still_produced(pinned):
    old, new, _ = pinned
    assert sorted(new) == sorted(old)


@pytest.mark.parametrize("key", sorted(json.loads((DATA / "report_pinned.json").read_text())["outputs"]))
def test_report_is_unchanged(pinned, key):
    old, new, pj = pinned
    assert pj.differences(old[key], new[key], key) == []
