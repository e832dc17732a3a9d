"""The Overview's coverage section: built by a pure view builder, shown to leads, not to annotators."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from test_dashboard_apptest import _app, _open, _sign_in, _texts, demo_store_url, env, fake_argilla  # noqa: F401
from workbench.analytics.coverage import compare_mix
from workbench.coverage import CoverageReport, SetCoverage
from workbench.dashboard import views
from workbench.dashboard.demo_history import DEMO_TASK
from workbench.dashboard.markup import escape
from workbench.tasks import CoveragePlan


def test_coverage_section_is_one_table_per_plan_with_every_set():
    plan = CoveragePlan("source", (("a", 0.5), ("b", 0.5)), 0.05)
    rep = CoverageReport("t", (plan,), [
        SetCoverage("candidate pool", False, "no candidates stored"),
        SetCoverage("labelled", True, "", {"source": compare_mix({"a": 90, "b": 10}, plan.shares(), 0.05)}),
        SetCoverage("last export", True, "", {"source": compare_mix({"a": 5, "b": 5}, plan.shares(), 0.05)}),
    ], 0.95, "goodman")
    sec = views.coverage_section(rep)
    (heading, table, flagged), = sec.plans
    assert heading == "source: target a 50%, b 50%, tolerance +-5%"
    assert list(table.columns) == views.COVERAGE_COLUMNS
    assert table[["set", "value", "records"]].values.tolist() == [
        ["labelled", "a", 90], ["labelled", "b", 10], ["last export", "a", 5], ["last export", "b", 5]]
    # 90 a / 10 b: a <= 55% needs 164 in all (90/163 = 0.552), b >= 45% of 164 = 73.8: 74, so 64 more
    assert table.loc[(table["set"] == "labelled") & (table["value"] == "b"), "to add"].item() == 64
    assert flagged == ["labelled: a (over)", "labelled: b (under)"]
    assert sec.notes == ["candidate pool: no candidates stored"]


def _labelled_by_hand(url: str) -> Counter:
    """Independent of workbench.coverage: items answered (submitted) in the demo's production rounds,
    from the tidy answers table, with their `source` from the demo's own records."""
    from workbench import demo_data
    from workbench.dashboard.demo_history import DEMO_SEED, N_RECORDS
    from workbench.store import HistoryStore

    store = HistoryStore(url)
    rounds = store.rounds(DEMO_TASK)
    prod = set(rounds.loc[rounds["kind"] == "production", "round"].astype(int))
    tidy = store.tidy(task=DEMO_TASK)
    items = set(tidy.loc[tidy["round"].astype(int).isin(prod), "item"])
    store.close()
    source = {r.id: r.metadata["source"] for r in demo_data.generate_records(N_RECORDS, seed=DEMO_SEED)}
    return Counter(source[i] for i in items)


def test_leads_see_the_mix_of_the_labelled_records_annotators_do_not(env):  # noqa: F811
    at = _open(_sign_in(_app(), "lead"), "overview")
    assert not at.exception
    text = _texts(at)
    heading = escape("source: target gen-a 35%, gen-b 35%, seed-set 30%, tolerance +-5%")  # (as the page writes it)
    assert "Coverage against the plan" in text and heading in [m.value for m in at.markdown]
    shown = next(df.value for df in at.dataframe if list(df.value.columns) == views.COVERAGE_COLUMNS)
    lab = shown[shown["set"] == "labelled"]
    assert dict(zip(lab["value"], lab["records"])) == dict(_labelled_by_hand(env))
    assert "no export of task" in text  # the last export: none yet, and why
    at = _open(_sign_in(_app(), "ana"), "overview")
    assert not at.exception
    text = _texts(at)
    assert "Coverage against the plan" not in text and "seed-set 30" not in text
    assert not any(isinstance(df.value, pd.DataFrame) and "to add" in df.value.columns for df in at.dataframe)
