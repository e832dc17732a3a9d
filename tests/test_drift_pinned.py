"""The drift functions give, to the last digit, what they gave before the refactor of issue #18.

A refactor pin, not a correctness test (tests/test_drift.py checks the figures against hand
recursions and published values): tests/data/drift_pinned.json holds the full output (tables
with their dtypes, charts, designs, tests) of the functions of ``workbench.analytics.drift`` on
seeded simulated annotators, produced by tests/data/make_drift_pinned.py from the code before
``drift.py`` was split into modules of one concern and ``monitor_gold_agreement`` into steps.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from data_scripts import load

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def pinned():
    make = load("make_drift_pinned")
    return make.read_fixture(), make.outputs(), load("pinned_json")


def test_every_pinned_output_is_still_produced(pinned):
    old, new, _ = pinned
    assert sorted(new) == sorted(old)
    assert len([k for k in old if k.startswith("monitor/")]) == 9  # every path of monitor_gold_agreement


@pytest.mark.parametrize("key", sorted(json.loads((DATA / "drift_pinned.json").read_text())["outputs"]))
def test_output_is_unchanged(pinned, key):
    old, new, pj = pinned
    assert pj.differences(old[key], new[key], key) == []
