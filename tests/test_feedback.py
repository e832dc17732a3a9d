"""Feedback as numbers and as seeds: token edit distance (against a textbook dynamic programme),
trivial edits, Wilson intervals (against statsmodels), the summary (against counts worked by
hand), and `feedback seeds` (DPO pairs, KTO rows, seed prompts deduplicated against the pool
and readable by `candidates ingest`). Import itself is tested in test_feedback_formats.py."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analytics.feedback import (
    classify_edit, edit_size, levenshtein, summarize, tokenize, wilson_interval,
)


def brute_levenshtein(a, b) -> int:
    """The textbook Wagner-Fischer table, cell by cell."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    return d[len(a)][len(b)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abcde"), max_size=30), st.lists(st.sampled_from("abcde"), max_size=30))
def test_levenshtein_equals_the_textbook_table(a, b):
    assert levenshtein(a, b) == brute_levenshtein(a, b)


def test_edit_size_counts_tokens():
    out, edit = "Take 200 mg every 6 hours.", "Take 400 mg every 8 hours, with food."
    d, ratio = edit_size(out, edit)
    assert d == brute_levenshtein(tokenize(out), tokenize(edit)) == 5  # 2 substitutions, 3 insertions (", with food")
    assert ratio == pytest.approx(5 / 7)


@pytest.mark.parametrize("output, edit, kind", [
    ("Same text.", "Same text.", "unchanged"),
    ("Take 2 tablets daily.", "Take 2  tablets\ndaily. ", "whitespace"),
    ("take 2 tablets daily", "Take 2 tablets, daily!", "punctuation"),
    ("Call <PERSON> on <PHONE_NUMBER> today.", "Call today.", "pii_only"),
    ("Email <EMAIL_ADDRESS:9f86d081884c7d65> now", "Email now", "pii_only"),
    ("Take 2 tablets daily.", "Take 1 tablet daily.", "substantive"),
    ("Call <PERSON> today.", "Call the pharmacy today.", "substantive"),
])
def test_classify_edit(output, edit, kind):
    assert classify_edit(output, edit) == kind


def test_wilson_interval_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    for n in (1, 2, 5, 13, 100, 1000):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            for conf in (0.95, 0.9):
                lo, hi = wilson_interval(k, n, conf)
                elo, ehi = proportion_confint(k, n, alpha=1 - conf, method="wilson")
                assert (float(lo), float(hi)) == pytest.approx((elo, ehi), abs=1e-12), (k, n, conf)
    lo, hi = wilson_interval(np.array([0, 3]), np.array([0, 10]))
    assert np.isnan(lo[0]) and np.isnan(hi[0]) and not np.isnan(lo[1])


def _signals(rows):
    df = pd.DataFrame(rows, columns=["id", "interaction_id", "kind", "label", "occurred_at", "model_version", "topic",
                                     "edit_tokens", "edit_ratio", "edit_class"])
    df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True)
    return df


def test_summary_counts_worked_by_hand():
    inter = pd.DataFrame({"id": ["i1", "i2", "i3", "i4", "i5"], "model_version": ["v1", "v1", "v1", "v2", None],
                          "topic": [None] * 5})
    sig = _signals([
        ("s1", "i1", "thumbs", 1, "2025-01-01", "v1", None, None, None, None),
        ("s2", "i1", "thumbs", 0, "2025-01-02", "v1", None, None, None, None),  # changed mind: down counts
        ("s3", "i2", "thumbs", 1, "2025-01-01", "v1", None, None, None, None),
        ("s4", "i3", "edit", None, "2025-01-01", "v1", None, 4, 0.5, "substantive"),
        ("s5", "i3", "edit", None, "2025-01-01", "v1", None, 0, 0.0, "whitespace"),
        ("s6", "i4", "thumbs", 0, "2025-01-01", "v2", None, None, None, None),
        ("s7", "i4", "rejection", None, "2025-01-01", "v2", None, None, None, None),
        ("s8", "i9", "thumbs", 0, "2025-01-01", None, None, None, None, None),  # interaction not imported
    ])
    overall = summarize(inter, sig).iloc[0]
    assert (overall["interactions"], overall["thumbs"], overall["thumbs_down"]) == (5, 4, 3)
    assert (overall["edits"], overall["substantive_edits"], overall["trivial_edits"], overall["rejections"]) == (2, 1, 1, 1)
    assert overall["down_rate"] == 0.75 and overall["median_edit_tokens"] == 4
    by = summarize(inter, sig, "model_version")
    assert by.loc["v1", ["interactions", "thumbs", "thumbs_down"]].tolist() == [3, 2, 1]
    assert by.loc["v2", ["thumbs", "thumbs_down", "rejections"]].tolist() == [1, 1, 1]
    assert by.loc["(unknown)", ["interactions", "thumbs"]].tolist() == [1, 1]
    lo, hi = wilson_interval(1, 2)
    assert (by.loc["v1", "down_low"], by.loc["v1", "down_high"]) == pytest.approx((float(lo), float(hi)))


# -------------------------------------------------------------------------------- seeds (store rows written directly)


@pytest.fixture()
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(h))
    return h


def _store_rows(interactions, signals):
    """Rows in the store's column order, from short tuples."""
    from workbench.feedback.events import interaction_id

    now = "2025-06-01T00:00:00+00:00"
    irows = [(interaction_id("jsonl", sid), "jsonl", sid, prompt, output, model, None, t, None, None, "f.jsonl", 1, now)
             for sid, prompt, output, model, t in interactions]
    srows = [(f"s_{sid}", "jsonl", sid, interaction_id("jsonl", target), kind, label, edit, t, None, None, "f.jsonl", 1, now)
             for sid, target, kind, label, edit, t in signals]
    return irows, srows


def _fill(interactions, signals):
    from workbench.feedback.store import FeedbackStore

    with FeedbackStore() as store:
        store.add(*_store_rows(interactions, signals))
        return store.signals()


def test_dpo_rows_from_edits(home):
    from workbench.feedback.seeds import dpo_rows

    out = "Take 200 mg every 6 hours."
    sig = _fill(
        [("a", "Dose of ibuprofen?", out, "v1", "2025-01-01T00:00:00+00:00"),
         ("b", "Store insulin?", "In the fridge.", "v1", "2025-01-01T00:00:00+00:00"),
         ("c", "Call who?", "Call <PERSON> today.", "v1", "2025-01-01T00:00:00+00:00"),
         ("d", "Antacid?", "Any antacid.", "v1", "2025-01-01T00:00:00+00:00"),
         ("e", "Failed run?", None, "v1", "2025-01-01T00:00:00+00:00")],
        [("e1", "a", "edit", None, "Take 300 mg.", "2025-01-02T00:00:00+00:00"),  # superseded by e2
         ("e2", "a", "edit", None, "Take 400 mg every 8 hours, with food.", "2025-01-03T00:00:00+00:00"),
         ("e3", "b", "edit", None, "in the fridge", "2025-01-02T00:00:00+00:00"),   # punctuation/case
         ("e4", "c", "edit", None, "Call today.", "2025-01-02T00:00:00+00:00"),      # PII only
         ("e5", "d", "edit", None, "Any  antacid. ", "2025-01-02T00:00:00+00:00"),   # whitespace
         ("e6", "e", "edit", None, "something", "2025-01-02T00:00:00+00:00"),         # no output
         ("e7", "zz", "edit", None, "orphan", "2025-01-02T00:00:00+00:00")])         # interaction not imported
    rows, report = dpo_rows(sig)
    assert len(rows) == 1 and report.rows == 1
    (r,) = rows
    assert r["prompt"] == [{"role": "user", "content": "Dose of ibuprofen?"}]
    assert r["chosen"] == [{"role": "assistant", "content": "Take 400 mg every 8 hours, with food."}]
    assert r["rejected"] == [{"role": "assistant", "content": out}]
    assert r["edit_tokens"] == brute_levenshtein(tokenize(out), tokenize(r["chosen"][0]["content"]))
    assert report.left_out == {"superseded by a later edit": 1, "trivial edit (punctuation)": 1,
                               "trivial edit (pii only)": 1, "trivial edit (whitespace)": 1,
                               "no model output": 1, "interaction not imported yet": 1}


def test_kto_rows_take_the_latest_thumb(home):
    from workbench.feedback.seeds import kto_rows

    sig = _fill([("a", "Q1?", "A1.", "v1", "2025-01-01T00:00:00+00:00"), ("b", "Q2?", "A2.", "v2", "2025-01-01T00:00:00+00:00")],
                [("t1", "a", "thumbs", 1, None, "2025-01-02T00:00:00+00:00"),
                 ("t2", "a", "thumbs", 0, None, "2025-01-03T00:00:00+00:00"),
                 ("t3", "b", "thumbs", 1, None, "2025-01-02T00:00:00+00:00")])
    rows, report = kto_rows(sig)
    assert {(r["prompt"][0]["content"], r["completion"][0]["content"], r["label"]) for r in rows} == {
        ("Q1?", "A1.", False), ("Q2?", "A2.", True)}
    assert report.left_out == {"earlier thumb of the same interaction": 1}


@pytest.fixture(scope="module")
def redactor():
    from workbench.pii import PiiConfig, PiiRedactor

    r = PiiRedactor(PiiConfig())
    r.analyzer  # noqa: B018
    return r


def test_seed_prompts_are_deduplicated_against_the_pool_and_ingestible(home, tmp_path, redactor):
    from workbench.candidates import storage
    from workbench.candidates.sources import ingest_file
    from workbench.cli import main

    pool_file = tmp_path / "pool.jsonl"
    pool_file.write_text(json.dumps({"instruction": "Can I take ibuprofen together with lisinopril for my blood pressure?"}) + "\n")
    ingest_file(pool_file, source="curated", licence="CC-BY-4.0", redactor=redactor)
    t = "2025-01-01T00:00:00+00:00"
    _fill([("a", "Can I take ibuprofen together with lisinopril for my blood pressure??", "Yes.", "v1", t),  # near copy of the pool
           ("b", "Why does metformin upset my stomach so much in the morning?", "It doesn't.", "v1", t),
           ("c", "why does metformin upset my stomach so much in the morning?", "No.", "v1", t),          # copy of b
           ("d", "Is it safe to split extended-release tablets in half?", "Sure.", "v2", t),
           ("e", "Which vitamins should I avoid with warfarin?", "A1.", "v2", t)],
          [("r1", "a", "rejection", None, None, t), ("r2", "b", "rejection", None, None, t),
           ("r3", "c", "thumbs", 0, None, t), ("r4", "d", "thumbs", 0, None, t), ("r5", "d", "rejection", None, None, t),
           ("r6", "e", "thumbs", 1, None, t)])  # a thumb up: not a failure
    res = CliRunner().invoke(main, ["feedback", "seeds", "medical-qa-rating", "--kind", "prompts", "--no-semantic"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    out = home / "feedback" / "seeds" / "medical-qa-rating" / "prompts.jsonl"
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert sorted((r["instruction"], r["reason"]) for r in rows) == [
        ("Is it safe to split extended-release tablets in half?", "rejection"),
        ("Why does metformin upset my stomach so much in the morning?", "rejection")]
    assert all(r["prompt"] == r["instruction"] for r in rows)
    assert "duplicate of a prompt in the candidate pool 1" in res.output
    assert "duplicate of another failed prompt 1" in res.output
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600

    before = len(storage.read_pool())
    rep = ingest_file(out, source="logs", licence="production feedback", redactor=redactor)
    assert rep.added == 2 and len(storage.read_pool()) == before + 2


def test_summary_command_json_and_since(home):
    from workbench.cli import main

    _fill([("a", "Q1?", "A1.", "v1", "2025-01-01T00:00:00+00:00"), ("b", "Q2?", "A two.", "v2", "2025-03-01T00:00:00+00:00")],
          [("t1", "a", "thumbs", 0, None, "2025-01-02T00:00:00+00:00"),
           ("t2", "b", "thumbs", 1, None, "2025-03-02T00:00:00+00:00"),
           ("e1", "b", "edit", None, "A second, longer answer.", "2025-03-02T00:00:00+00:00")])
    res = CliRunner().invoke(main, ["feedback", "summary", "--json"], catch_exceptions=False)
    data = json.loads(res.output)
    (overall,) = data["overall"]
    assert (overall["interactions"], overall["thumbs"], overall["thumbs_down"], overall["substantive_edits"]) == (2, 2, 1, 1)
    assert overall["median_edit_tokens"] == brute_levenshtein(tokenize("A two."), tokenize("A second, longer answer."))
    res = CliRunner().invoke(main, ["feedback", "summary", "--json", "--since", "2025-02-01"], catch_exceptions=False)
    (overall,) = json.loads(res.output)["overall"]
    assert (overall["interactions"], overall["thumbs"], overall["thumbs_down"]) == (1, 1, 0)
    res = CliRunner().invoke(main, ["feedback", "summary", "--since", "last week"])
    assert res.exit_code == 2 and "--since: 'last week' is not a date" in res.output
    res = CliRunner().invoke(main, ["feedback", "summary"], catch_exceptions=False)
    assert "v1" in res.output and "100.0% [" in res.output
