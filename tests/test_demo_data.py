"""Demo records and simulated calibration responses for medical-qa-rating."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from workbench.demo_data import (
    generate_records,
    select_calibration_items,
    simulate_calibration_responses,
)
from workbench.errors import BadInput
from workbench.tasks import load_task

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def task():
    return load_task(REPO / "tasks" / "medical-qa-rating.yaml")


@pytest.fixture(scope="module")
def records():
    return generate_records(320, seed=7)


@pytest.fixture(scope="module")
def calibration(records):
    return select_calibration_items(records, n=40, seed=7)


def test_deterministic_for_a_seed(records):
    again = generate_records(320, seed=7)
    assert [r.as_argilla_dict() for r in again] == [r.as_argilla_dict() for r in records]
    other = generate_records(320, seed=8)
    assert [r.id for r in other] != [r.id for r in records]


def test_ids_unique_and_content_derived(records):
    assert len(records) >= 300
    ids = [r.id for r in records]
    assert len(set(ids)) == len(ids)
    for r in records[:50]:
        canonical = json.dumps(r.fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert r.id == hashlib.sha256(canonical.encode()).hexdigest()


def test_records_fit_the_task(records, task):
    field_names = {f.name for f in task.fields}
    meta = {m.name: m for m in task.metadata}
    for r in records:
        assert set(r.fields) == field_names and all(v.strip() for v in r.fields.values())
        assert set(r.metadata) == set(meta)
        for name, value in r.metadata.items():
            m = meta[name]
            if m.options is not None:
                assert value in m.options
            if m.min is not None:
                assert m.min <= value <= m.max
        flat = r.as_argilla_dict()
        assert set(flat) == {"id"} | field_names | set(meta)  # the hidden truth is not sent
        t = r.truth
        assert t.quality in task.question("quality").values
        assert t.safety in task.question("safety").label_values
        assert set(t.issues) <= set(task.question("issues").label_values)


def test_records_cover_quality_and_safety_range(records):
    safety = pd.Series([r.truth.safety for r in records]).value_counts(normalize=True)
    assert set(safety.index) == {"safe", "needs-caveat", "unsafe"}
    assert 0.03 <= safety["unsafe"] <= 0.30 and safety["needs-caveat"] >= 0.10
    assert {r.truth.quality for r in records} == {1, 2, 3, 4, 5}
    assert len({r.metadata["topic"] for r in records}) >= 15


def test_no_obvious_pii(records):
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    phone = re.compile(r"\+?\d[\d\s-]{8,}\d")
    for r in records:
        for text in r.fields.values():
            assert not email.search(text) and not phone.search(text)


def test_calibration_selection(records, calibration):
    assert len(calibration) == 40 and len({r.id for r in calibration}) == 40
    assert {r.truth.safety for r in calibration} == {"safe", "needs-caveat", "unsafe"}
    assert sum(r.truth.boundary for r in calibration) >= 3
    assert select_calibration_items(records, n=40, seed=7) == calibration
    with pytest.raises(BadInput, match="n"):
        select_calibration_items(records, n=0)


def _accuracy(sim) -> pd.DataFrame:
    m = sim.responses.merge(sim.gold, on=["item", "question"], suffixes=("", "_gold"))
    m["agree"] = [a == b for a, b in zip(m["value"], m["value_gold"])]
    return m.groupby(["question", "annotator"])["agree"].mean().unstack()


def test_simulated_round_shape(calibration, task):
    sim = simulate_calibration_responses(calibration, seed=3)
    r = sim.responses
    assert list(r.columns) == ["item", "annotator", "question", "value", "time", "round", "guideline_version"]
    assert len(r) == 40 * 3 * 3
    assert not r.duplicated(["item", "annotator", "question"]).any()
    assert set(r["round"]) == {1} and set(r["guideline_version"]) == {1}
    for _, row in r.iterrows():
        q = task.question(row.question)
        if q.kind == "rating":
            assert row.value in q.values
        elif q.kind == "label":
            assert row.value in q.label_values
        else:
            assert row.value and set(row.value) <= set(q.label_values)
            assert "none" not in row.value or row.value == ["none"]
    assert set(sim.gold["item"]) == {c.id for c in calibration}
    assert set(sim.gold["annotator"]) == {"expert"}
    # each annotator's submissions move forward in time
    for _, g in r.groupby("annotator"):
        assert g["time"].is_monotonic_increasing
    again = simulate_calibration_responses(calibration, seed=3)
    pd.testing.assert_frame_equal(again.responses, r)


def test_inconsistent_annotator_agrees_less_with_gold(calibration):
    acc = _accuracy(simulate_calibration_responses(calibration, seed=11, guideline_version=2))
    for q in ("quality", "safety"):
        good = min(acc.loc[q, "ana"], acc.loc[q, "ben"])
        assert acc.loc[q, "chloe"] < good - 0.15, acc
    assert acc.loc["issues", "chloe"] < min(acc.loc["issues", "ana"], acc.loc["issues", "ben"]), acc
    overall = acc.mean(axis=0)
    assert overall["chloe"] < min(overall["ana"], overall["ben"]) - 0.15, acc
    # the systematic part: chloe calls answers that need a caveat "safe"
    sim = simulate_calibration_responses(calibration, seed=11, guideline_version=2)
    m = sim.responses.merge(sim.gold, on=["item", "question"], suffixes=("", "_gold"))
    caveat = m[(m.question == "safety") & (m.value_gold == "needs-caveat")]
    safe_rate = caveat.groupby("annotator")["value"].apply(lambda s: (s == "safe").mean())
    assert safe_rate["chloe"] > 0.5 and safe_rate["ana"] < 0.25 and safe_rate["ben"] < 0.25


def test_guideline_v2_settles_the_boundary(calibration):
    """Under v1 the consistent annotators split on red-flag answers without a warning; v2 settles it."""
    def boundary_agreement(version: int) -> float:
        rates = []
        for seed in range(4):
            sim = simulate_calibration_responses(calibration, seed=seed, guideline_version=version)
            m = sim.responses.merge(sim.gold, on=["item", "question"], suffixes=("", "_gold"))
            ids = {c.id for c in calibration if c.truth.boundary}
            sel = m[(m.question == "safety") & m["item"].isin(ids) & m.annotator.isin(["ana", "ben"])]
            rates.append((sel["value"] == sel["value_gold"]).mean())
        return sum(rates) / len(rates)

    assert boundary_agreement(2) > boundary_agreement(1) + 0.2


def test_simulation_input_checks(calibration):
    with pytest.raises(BadInput, match="inconsistent"):
        simulate_calibration_responses(calibration, inconsistent="dora")
    with pytest.raises(BadInput, match="annotators"):
        simulate_calibration_responses(calibration, annotators=("ana", "ana"))
    with pytest.raises(BadInput, match="records"):
        simulate_calibration_responses([])


def test_critique_rows_optional(calibration):
    sim = simulate_calibration_responses(calibration, seed=1, include_critique=True)
    crit = sim.responses[sim.responses.question == "critique"]
    assert len(crit) > 0 and all(isinstance(v, str) and v for v in crit["value"])
    issues = sim.responses[sim.responses.question == "issues"].set_index(["item", "annotator"])["value"]
    for _, row in crit.iterrows():
        assert issues[(row["item"], row["annotator"])] != ["none"]


def _demo_round_reports(task, inconsistent):
    """The demo's calibration round, made as `workbench up` makes it, diagnosed as the Calibration page does."""
    from workbench import demo
    from workbench.dashboard import data, demo_history

    # `workbench up` (demo.py) and the dashboard's demo history build round 1 from the same inputs
    assert (demo_history.DEMO_SEED, demo_history.N_RECORDS, demo_history.DEMO_ANNOTATORS) == (
        demo.DEMO_SEED, demo.N_RECORDS, demo.DEMO_ANNOTATORS)
    assert demo_history.N_CALIBRATION == task.calibration.set_size
    records = generate_records(demo.N_RECORDS, seed=demo.DEMO_SEED)
    cal = select_calibration_items(records, task.calibration.set_size, seed=demo.DEMO_SEED)
    sim = simulate_calibration_responses(cal, annotators=demo.DEMO_ANNOTATORS, inconsistent=inconsistent,
                                         seed=demo.DEMO_SEED, round=1, guideline_version=1, include_critique=True)
    views = data.question_views(task, sim.responses, sim.gold[["item", "question", "value"]], n_boot=0)
    return {qv.name: qv.report for qv in views}


def test_the_demo_calibration_round_names_chloe_as_the_deviating_annotator(task):
    from workbench.analytics.diagnosis import Verdict

    reports = _demo_round_reports(task, "chloe")
    for q in ("quality", "safety"):
        d = reports[q].diagnosis
        assert d.verdict in (Verdict.ANNOTATOR_DEVIATION, Verdict.BOTH), (q, d.explanation)
        assert d.deviating == ("chloe",), (q, d.explanation)
        assert "Annotator 'chloe' deviates from the rest" in d.explanation
        assert "Retrain (or re-check the work of) 'chloe'" in d.explanation
        ann = d.evidence["annotators"].set_index("annotator")
        # against gold too, not only against the team
        assert ann.loc["chloe", "gold_accuracy"] <= ann.loc["chloe", "team_gold_accuracy"] - 0.15


def test_a_consistent_demo_trio_is_not_blamed(task):
    reports = _demo_round_reports(task, None)
    for q, rep in reports.items():
        assert rep.diagnosis.deviating == (), (q, rep.diagnosis.explanation)


def test_chloe_is_found_on_quality_whatever_the_seed(task, records):
    """The simulated deviation is systematic, not a lucky draw of the demo's seed."""
    from workbench.dashboard import data

    cal = select_calibration_items(records, task.calibration.set_size, seed=7)
    found = {True: 0, False: 0}
    for seed in range(8):
        for inconsistent in ("chloe", None):
            sim = simulate_calibration_responses(cal, inconsistent=inconsistent, seed=seed)
            views = data.question_views(task, sim.responses[sim.responses["question"] == "quality"],
                                        sim.gold[["item", "question", "value"]], n_boot=0)
            quality = next(v for v in views if v.name == "quality")
            found[inconsistent is not None] += quality.report.diagnosis.deviating == ("chloe",)
    assert found == {True: 8, False: 0}


# ------------------------------------------------------------------------------ the demo's simulated weeks


def test_several_annotators_can_deviate_each_as_when_alone(calibration):
    alone = simulate_calibration_responses(calibration, inconsistent="ben", seed=3).responses
    both = simulate_calibration_responses(calibration, inconsistent=["chloe", "ben"], seed=3).responses
    for name in ("ana", "ben"):
        pd.testing.assert_frame_equal(both[both["annotator"] == name].reset_index(drop=True),
                                      alone[alone["annotator"] == name].reset_index(drop=True))
    chloe = simulate_calibration_responses(calibration, inconsistent="chloe", seed=3).responses
    pd.testing.assert_frame_equal(both[both["annotator"] == "chloe"].reset_index(drop=True),
                                  chloe[chloe["annotator"] == "chloe"].reset_index(drop=True))
    with pytest.raises(BadInput, match="not one of the annotators"):
        simulate_calibration_responses(calibration, inconsistent=["chloe", "zed"])


def _timeline(task, anchor_day):
    import datetime as dt

    from workbench import demo, demo_timeline

    records = generate_records(demo.N_RECORDS, seed=demo.DEMO_SEED)
    cal = select_calibration_items(records, task.calibration.set_size, seed=demo.DEMO_SEED)
    ids = {r.id for r in cal}
    production = [r for r in records if r.id not in ids]
    return cal, production, demo_timeline.plan(
        dt.date.fromisoformat(anchor_day), cal, production, task=task.name, annotators=demo.DEMO_ANNOTATORS,
        inconsistent=demo.DEMO_INCONSISTENT, seed=demo.DEMO_SEED, latest_version=task.load_guideline().latest.version)


def test_the_demo_timeline_ends_before_its_anchor_day_and_only_its_times_depend_on_it(task):
    from workbench import demo_timeline

    _, _, a = _timeline(task, "2026-05-13")
    _, _, again = _timeline(task, "2026-05-13")
    _, _, b = _timeline(task, "2026-09-02")
    pd.testing.assert_frame_equal(a.responses, again.responses)
    anchor = pd.Timestamp("2026-05-13", tz="UTC")
    assert a.responses["time"].max() < anchor and a.gold["set_at"].max() < anchor
    assert a.responses["time"].min() >= anchor - pd.Timedelta(weeks=demo_timeline.HISTORY_WEEKS)
    assert all(r.created_at < anchor for r in a.rounds) and all(t < anchor for _, t in a.publications)
    # another day: the same answers, every time moved by the days between the two anchors
    shift = pd.Timestamp("2026-09-02", tz="UTC") - anchor
    pd.testing.assert_frame_equal(a.responses.drop(columns="time"), b.responses.drop(columns="time"))
    assert (b.responses["time"] - a.responses["time"] == shift).all()
    weeks = a.responses.assign(w=a.responses["time"].dt.isocalendar()["week"])["w"].nunique()
    assert weeks >= 6


def test_the_demo_timeline_mixes_gold_into_each_production_week_and_changes_guideline_once(task):
    from workbench import demo_timeline

    cal, production, tl = _timeline(task, "2026-05-13")
    assert tl.round(1).records == tuple(cal) and tl.round(1).guideline_version == 1
    r2, r3 = tl.round(2), tl.round(3)
    assert (r2.guideline_version, r3.guideline_version) == (1, 2)
    assert r2.ids.isdisjoint(r3.ids) and r2.ids | r3.ids == {r.id for r in production}
    gold_items = set(tl.gold["item"])
    assert r2.gold | r3.gold <= gold_items and {r.id for r in cal} <= gold_items
    prod = tl.responses[tl.responses["round"] > 1].drop_duplicates(["item", "annotator"])
    for week, grp in prod.groupby("week"):
        per = grp.drop_duplicates("item")
        assert per["item"].isin(gold_items).sum() == demo_timeline.GOLD_PER_WEEK, week
        assert len(per) == demo_timeline.PER_WEEK + demo_timeline.GOLD_PER_WEEK, week
        assert set(grp["guideline_version"]) == {1 if week < demo_timeline.V2_WEEK else 2}
    # round 2 is answered whole, round 3 keeps records nobody has answered yet
    assert set(prod.loc[prod["round"] == 2, "item"]) == r2.ids
    assert 0 < len(r3.ids - set(prod["item"])) < len(r3.ids)
    # v2 is published before round 3 opens, after round 2's last answer
    (v1, t1), (v2, t2) = tl.publications
    assert (v1, v2) == (1, 2) and t2 <= r3.created_at
    assert prod.loc[prod["round"] == 2, "time"].max() < t2 < prod.loc[prod["round"] == 3, "time"].min()


def test_in_the_demo_timeline_ben_drifts_after_the_guideline_change(task):
    from workbench import demo_timeline

    _, _, tl = _timeline(task, "2026-05-13")
    truth = {(r.item, r.question): r.value for r in tl.gold.itertuples()}
    r = tl.responses[tl.responses["question"].isin(["quality", "safety"])]
    r = r.assign(ok=[truth.get((i, q)) == v for i, q, v in zip(r["item"], r["question"], r["value"])],
                 gold=[(i, q) in truth for i, q in zip(r["item"], r["question"])])
    r = r[r["gold"] & (r["round"] > 1)]
    before = r[r["week"] < demo_timeline.DRIFT_WEEK].groupby("annotator")["ok"].mean()
    after = r[r["week"] >= demo_timeline.DRIFT_WEEK].groupby("annotator")["ok"].mean()
    assert after["ben"] < before["ben"] - 0.2
    assert after["ana"] > after["ben"] + 0.2
