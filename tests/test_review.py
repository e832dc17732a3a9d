"""Expert review: the pure core (sample size, stratified sample, Wilson interval, accuracy) against
independent computations, and the export's final labels from expert review on a history store."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from scipy.stats import binomtest, norm

from workbench.analytics import review_sample as rs
from workbench.errors import BadInput

# --------------------------------------------------------------------------- sample size


def test_sample_size_matches_cochran_by_hand_and_a_brute_force_search():
    # Cochran's worked values: 1.96^2 x 0.25 / 0.05^2 = 384.16 -> 385; with N = 200: 132.
    assert rs.sample_size(0.05, 0.95) == 385
    assert rs.sample_size(0.05, 0.95, 200) == 132
    for m, c, N, p in [(0.05, 0.95, 200, 0.5), (0.03, 0.99, 5000, 0.5), (0.1, 0.9, 50, 0.5), (0.05, 0.95, 1000, 0.8),
                       (0.02, 0.95, 10**6, 0.5), (0.05, 0.95, 1, 0.5)]:
        z = norm.ppf(1 - (1 - c) / 2)
        n0 = z * z * p * (1 - p) / (m * m)
        # the smallest n whose FPC-adjusted variance p(1-p)/n * (N-n)/(N-1) meets (m/z)^2 (Cochran 4.1)
        brute = next(n for n in range(1, N + 1)
                     if N == 1 or p * (1 - p) / n * (N - n) / (N - 1) <= (m / z) ** 2 * (1 + 1e-12))
        got = rs.sample_size(m, c, N, p)
        assert got == min(N, math.ceil(n0 / (1 + (n0 - 1) / N) - 1e-9))
        assert abs(got - brute) <= 1, (m, c, N, p, got, brute)  # the two forms of the correction round apart by < 1


@pytest.mark.parametrize("kwargs, message", [
    (dict(margin=0.0, confidence=0.95), "--margin: 0.0 must be a number strictly between 0 and 0.5"),
    (dict(margin=0.5, confidence=0.95), "--margin: 0.5"),
    (dict(margin=0.05, confidence=1.0), "--confidence: 1.0 must be a number strictly between 0 and 1"),
    (dict(margin=float("nan"), confidence=0.95), "--margin: nan"),
    (dict(margin=0.05, confidence=0.95, p=1.0), "--expected-accuracy: 1.0"),
    (dict(per_annotator=0), "--per-annotator: 0 must be a whole number, at least 1"),
    (dict(per_annotator=5, margin=0.1), "give one of them"),
    (dict(), "give --per-annotator N, or --margin and --confidence"),
])
def test_bad_sizing_options_name_the_option_and_value(kwargs, message):
    with pytest.raises(BadInput) as e:
        rs.sample_sizes({"a": 100}, **kwargs)
    assert message in str(e.value)


# --------------------------------------------------------------------------- sample


def _records(seed=1):
    rng = np.random.default_rng(seed)
    rows = [(a, f"i{k}", rng.choice(["safe", "unsafe", "caveat"], p=[0.7, 0.2, 0.1]))
            for a, n in (("ana", 300), ("ben", 120), ("cy", 7)) for k in rng.choice(1000, n, replace=False)]
    return pd.DataFrame(rows, columns=["annotator", "item", "label"])


def test_sample_is_per_annotator_stable_and_free_of_input_order():
    recs = _records()
    sizes = {"ana": 50, "ben": 40, "cy": 10}
    s = rs.stratified_sample(recs, sizes, seed=3)
    assert s.groupby("annotator").size().to_dict() == {"ana": 50, "ben": 40, "cy": 7}  # capped at what cy has
    mine = set(map(tuple, recs[["annotator", "item"]].values))
    assert set(map(tuple, s[["annotator", "item"]].values)) <= mine
    assert s.equals(rs.stratified_sample(recs.sample(frac=1, random_state=5), sizes, seed=3))
    assert not s.equals(rs.stratified_sample(recs, sizes, seed=4))
    # records added later do not move those drawn: the new sample keeps every old draw that is
    # still among the first n in hash order (all of them, or it replaced them with new records)
    more = pd.concat([recs, pd.DataFrame({"annotator": "ana", "item": [f"new{k}" for k in range(30)],
                                          "label": "safe"})], ignore_index=True)
    s2 = rs.stratified_sample(more, sizes, seed=3)
    old, new = set(s[s.annotator == "ana"]["item"]), set(s2[s2.annotator == "ana"]["item"])
    assert old - new == set() or all(i.startswith("new") for i in new - old)


def test_label_strata_get_proportional_shares():
    recs = _records()
    s = rs.stratified_sample(recs, {"ana": 60, "ben": 30}, seed=0, stratum="label")
    for a, n in (("ana", 60), ("ben", 30)):
        counts = recs[recs.annotator == a]["label"].value_counts()
        got = s[s.annotator == a]["label"].value_counts()
        assert got.sum() == n
        for lab, c in counts.items():  # proportional allocation: within one of n * share
            assert abs(got.get(lab, 0) - n * c / counts.sum()) < 1, (a, lab)


# --------------------------------------------------------------------------- interval and accuracy


@pytest.mark.parametrize("k, n, c", [(40, 50, 0.95), (0, 10, 0.95), (10, 10, 0.9), (1, 3, 0.99), (380, 385, 0.95)])
def test_wilson_interval_matches_scipy(k, n, c):
    ref = binomtest(k, n).proportion_ci(c, method="wilson")
    low, high = rs.wilson_interval(k, n, c)
    assert low == pytest.approx(ref.low, abs=1e-12) and high == pytest.approx(ref.high, abs=1e-12)


def test_accuracy_counts_only_items_drawn_for_the_annotator_against_a_loop():
    rng = np.random.default_rng(7)
    items = [f"i{k}" for k in range(80)]
    truth = {i: int(rng.integers(1, 6)) for i in items}
    answers, drawn = [], []
    for a, acc in (("x", 0.9), ("y", 0.6)):
        for i in items:
            answers.append((i, a, "q", truth[i] if rng.random() < acc else 6 - truth[i] if truth[i] != 3 else 1))
            answers.append((i, a, "tags", sorted(["b", "a"]) if rng.random() < acc else ["c"]))
        drawn += [(i, a) for i in rng.choice(items, 30, replace=False)]
    answers = pd.DataFrame(answers, columns=["item", "annotator", "question", "value"])
    drawn = pd.DataFrame(drawn, columns=["item", "annotator"])
    reviews = pd.DataFrame([(i, "q", truth[i]) for i in items] + [(i, "tags", ("a", "b")) for i in items],
                           columns=["item", "question", "value"])
    got = rs.review_accuracy(reviews, answers, drawn, confidence=0.9).set_index(["annotator", "question"])
    for a in ("x", "y"):
        mine = set(drawn[drawn.annotator == a]["item"])
        for q in ("q", "tags"):
            want = {i: v for i, aa, qq, v in answers.itertuples(index=False) if aa == a and qq == q and i in mine}
            expert = {i: v for i, qq, v in reviews.itertuples(index=False) if qq == q}
            k = sum((list(v) == list(expert[i])) if q == "tags" else (v == expert[i]) for i, v in want.items())
            row = got.loc[(a, q)]
            assert (row.n_reviewed, row.n_accepted, row.n_corrected) == (30, k, 30 - k)
            ref = binomtest(k, 30).proportion_ci(0.9, method="wilson")
            assert (row.low, row.high) == (pytest.approx(ref.low), pytest.approx(ref.high))


# --------------------------------------------------------------------------- export


TASK = "medical-qa-rating"


@pytest.fixture()
def demo_store(tmp_path, monkeypatch):
    from workbench.dashboard import demo_history
    from workbench.store import HistoryStore

    url = f"sqlite:///{tmp_path / 'history.db'}"
    store = HistoryStore(url)
    demo_history.fill_demo_store(store)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(Path(__file__).resolve().parents[1]))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    return url, store


def _export(url, out):
    from workbench.cli import main

    res = CliRunner().invoke(main, ["export", TASK, "--store", url, "--format", "labels", "--holdout", "0",
                                    "--output", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = pq.read_table(out / "data" / "train-00000-of-00001.parquet").to_pylist()
    return {r["id"]: r for r in rows}, json.loads((out / "manifest.json").read_text())


def test_expert_review_sets_final_labels_and_the_manifest_counts_them(demo_store, tmp_path):
    from workbench.review import review_task
    from workbench.store import RecordRow, ResponseRow

    url, store = demo_store
    before, m0 = _export(url, tmp_path / "before")
    assert "expert_review" not in m0
    rounds = store.rounds(TASK)
    prod = list(rounds.loc[rounds["kind"] == "production", "dataset_id"])
    tidy = store.tidy(task=TASK, dataset=prod)
    tidy = tidy[tidy["item"].isin(set(before))]
    by_item = {i: g for i, g in tidy.groupby("item")}
    quality = {i: Counter(g.loc[g.question == "quality", "value"]) for i, g in by_item.items()}
    safety = {i: Counter(g.loc[g.question == "safety", "value"]) for i, g in by_item.items()}
    unanimous = sorted(i for i in by_item if len(quality[i]) == 1 and len(safety[i]) == 1)[:12]
    changed = sorted(i for i in by_item if i not in unanimous and len(quality[i]) < 5)[:8]
    assert len(unanimous) == 12 and len(changed) == 8
    expert = {i: {"quality": next(iter(quality[i])), "safety": next(iter(safety[i]))} for i in unanimous}
    expert |= {i: {"quality": next(v for v in range(1, 6) if v not in quality[i]),
                   "safety": safety[i].most_common(1)[0][0]} for i in changed}
    # the review round as a sync writes it, under <task>-review
    key, name, did = review_task(TASK), f"{TASK}-review-r1", "review-dataset-1"
    when = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)
    store.record_round(task=key, round=1, kind="review", dataset=name, workspace=key, dataset_id=did,
                       guideline_version=2, created_at=when)
    store.write_dataset_sync(
        dataset_id=did, name=name, workspace=key, suggestions=[], watermark=when,
        responses=[ResponseRow(record_id=f"r-{i}", item=i, user_id="u-exp", annotator="exp", response_id=f"x-{i}",
                               status="submitted", values=v, inserted_at=when, updated_at=when)
                   for i, v in expert.items()],
        records=[RecordRow(record_id=f"r-{i}", item=i, fields={}, metadata={"review_for": sorted(set(by_item[i]["annotator"]))})
                 for i in expert])

    after, m1 = _export(url, tmp_path / "after")
    for i, v in expert.items():
        assert {q: after[i]["labels"][q] for q in v} == v
        assert after[i]["confidence"]["quality"] == 1.0
    assert m1["expert_review"]["reviewed"] == 20 and m1["expert_review"]["changed"] == 8
    assert m1["expert_review"]["rounds"] == [name]
    # nothing else moved: every other exported item has the labels it had
    assert {i: r["labels"] for i, r in after.items() if i not in expert} == \
        {i: r["labels"] for i, r in before.items() if i not in expert}

    # accuracy against review, the gate's bar on it and the Annotator page's table, against a loop
    import dataclasses

    from workbench.dashboard.views import review_table
    from workbench.gate import gate_for_task
    from workbench.review_store import accuracy_for_task
    from workbench.tasks import find_task

    task = find_task(TASK)
    acc = accuracy_for_task(store, task).set_index(["annotator", "question"])
    want = {}
    for i, v in expert.items():
        for a, q, val in by_item[i][["annotator", "question", "value"]].itertuples(index=False):
            if q in ("quality", "safety"):
                n, k = want.get((a, q), (0, 0))
                want[(a, q)] = (n + 1, k + (val == v[q]))
    assert {key: (int(r.n_reviewed), int(r.n_accepted)) for key, r in acc.iterrows() if key[1] in ("quality", "safety")} == want
    bar = 0.9
    strict = dataclasses.replace(task, calibration=dataclasses.replace(task.calibration, min_review_accuracy=bar))
    gate = gate_for_task(store, strict, n_boot=0)
    failing = {(r.annotator, r.question) for r in gate.reviews if not r.passed}
    assert failing == {key for key, (n, k) in want.items() if k / n < bar} and failing
    assert all(any(f"{a}: {q}: accuracy against expert review" in x for x in gate.reasons) for a, q in failing)
    assert not gate_for_task(store, task, n_boot=0).reviews  # no bar, no check
    a0 = sorted({a for a, _ in want})[0]
    t = review_table(accuracy_for_task(store, task), store.tidy(task=TASK, gold_items_only=True), store.gold(TASK), a0)
    row = t.set_index("question").loc["quality"]
    assert (row["reviewed"], row["accuracy vs expert review"]) == (want[(a0, "quality")][0],
                                                                 want[(a0, "quality")][1] / want[(a0, "quality")][0])
    gold = store.gold(TASK)
    ga = store.tidy(task=TASK, gold_items_only=True)
    m = ga[(ga.annotator == a0) & (ga.question == "quality")].merge(gold[gold.kind == "expert"], on=["item", "question"])
    assert row["gold items"] == len(m) and row["gold agreement"] == pytest.approx((m.value_x == m.value_y).mean())
