"""The export's rules in the functional core: final labels, filters, holdout split, TRL formats,
dataset hash, diff. Pure functions on small tables; the CLI end to end is tests/test_export.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analytics.dataset_hash import dataset_hash
from workbench.analytics.export_diff import compare_exports
from workbench.analytics.final_labels import final_labels
from workbench.analytics.selection import SelectionRules, select_items
from workbench.analytics.splits import holdout_split, unit_hash
from workbench.analytics.training_formats import accepts, dpo_rows, is_human_written, kto_rows, sft_rows
from workbench.errors import BadInput


def _answers(rows):
    return pd.DataFrame(rows, columns=["item", "annotator", "question", "value"])


# ---------------------------------------------------------------- final labels


def test_majority_agrees_with_crowd_kit_majority_vote_where_there_is_no_tie():
    from crowdkit.aggregation import MajorityVote

    rng = np.random.default_rng(3)
    rows = [(f"i{i}", f"a{a}", "q", str(rng.integers(0, 3))) for i in range(400) for a in range(5)
            if rng.random() < 0.8]
    df = _answers(rows)
    ours = final_labels(df, {"q": "label"}).set_index("item")
    theirs = MajorityVote().fit_predict(df.rename(columns={"item": "task", "annotator": "worker", "value": "label"}))
    clear = ours[~ours["tie"]]
    assert len(clear) > 250
    assert (clear["value"] == theirs.reindex(clear.index)).all()
    # a tie under "drop" gives no value
    assert ours.loc[ours["tie"], "value"].isna().all()


def test_confidence_is_the_share_of_annotators_who_gave_the_final_value():
    df = _answers([("a", "x", "q", 4), ("a", "y", "q", 4), ("a", "z", "q", 2), ("a", "w", "q", 4)])
    row = final_labels(df, {"q": "rating"}).iloc[0]
    assert row["value"] == 4 and isinstance(row["value"], int)
    assert row["confidence"] == pytest.approx(0.75)
    assert row["n_answers"] == 4


@pytest.mark.parametrize("tie, expected", [("drop", None), ("lowest", "safe"), ("highest", "unsafe")])
def test_tie_rule_follows_the_questions_order(tie, expected):
    df = _answers([("a", "x", "s", "unsafe"), ("a", "y", "s", "safe")])
    out = final_labels(df, {"s": "label"}, tie=tie, orders={"s": ["safe", "needs-caveat", "unsafe"]})
    assert out.iloc[0]["value"] == expected
    assert bool(out.iloc[0]["tie"])


def test_multi_label_keeps_labels_chosen_by_more_than_half():
    df = _answers([("a", "x", "m", ["none"]), ("a", "y", "m", ["factual-error", "unclear"]),
                   ("a", "z", "m", ["factual-error"])])
    out = final_labels(df, {"m": "multi_label"}, orders={"m": ["none", "factual-error", "unclear"]})
    assert out.iloc[0]["value"] == ["factual-error"]
    # per label: none 2/3 agree (left out), factual-error 2/3, unclear 2/3
    assert out.iloc[0]["confidence"] == pytest.approx(2 / 3)


def test_adjudication_overrides_the_votes_and_expert_gold_does_not():
    df = _answers([("a", "x", "q", "no"), ("a", "y", "q", "no"), ("b", "x", "q", "no")])
    gold = pd.DataFrame({"item": ["a", "b"], "question": ["q", "q"], "value": ["yes", "yes"],
                         "kind": ["adjudicated", "expert"]})
    out = final_labels(df, {"q": "label"}, gold).set_index("item")
    assert out.loc["a", "value"] == "yes" and out.loc["a", "method"] == "adjudicated"
    assert out.loc["a", "confidence"] == 1.0
    assert out.loc["b", "value"] == "no"


def test_dawid_skene_outvotes_a_spammer_majority_cannot():
    """Two reliable annotators and three who answer at random: Dawid-Skene learns whom to trust."""
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 300)
    rows = []
    for i, t in enumerate(truth):
        for a in ("good1", "good2"):
            rows.append((f"i{i}", a, "q", int(t if rng.random() < 0.9 else 1 - t)))
        for a in ("spam1", "spam2", "spam3"):
            rows.append((f"i{i}", a, "q", int(rng.integers(0, 2))))
    df = _answers(rows)
    truth_of = {f"i{i}": int(t) for i, t in enumerate(truth)}
    mv = final_labels(df, {"q": "rating"}, tie="lowest")
    ds = final_labels(df, {"q": "rating"}, aggregation="dawid-skene")
    acc = lambda out: np.mean([v == truth_of[i] for i, v in zip(out["item"], out["value"])])  # noqa: E731
    assert acc(ds) > acc(mv) + 0.05
    assert ((ds["confidence"] > 0.5) & (ds["confidence"] <= 1)).all()
    # posteriors are rounded to ten decimals (their last bits differ between machines' CPUs), and
    # rounding is all that is done to them: crowd-kit's own posterior, rounded, is the confidence
    from crowdkit.aggregation import DawidSkene

    np.random.seed(0)
    proba = DawidSkene(n_iter=100).fit_predict_proba(
        df.rename(columns={"item": "task", "annotator": "worker", "value": "label"})[["task", "worker", "label"]])
    own = proba.max(axis=1).reindex(ds["item"]).to_numpy()
    assert np.array_equal(ds["confidence"].to_numpy(), np.round(own, 10))
    assert not np.array_equal(own, np.round(own, 10))  # (so the rounding is seen to happen)


def test_bad_arguments_are_named():
    df = _answers([("a", "x", "q", 1), ("a", "x", "q", 2)])
    with pytest.raises(BadInput, match="more than once"):
        final_labels(df, {"q": "rating"})
    with pytest.raises(BadInput, match="tie: 'coin'"):
        final_labels(df.iloc[:1], {"q": "rating"}, tie="coin")
    with pytest.raises(BadInput, match=r"questions \['q'\] have no kind"):
        final_labels(df.iloc[:1], {})


# ---------------------------------------------------------------- selection


def _responses(rows):
    return pd.DataFrame(rows, columns=["item", "annotator", "status", "guideline_version"])


def test_each_left_out_item_gets_the_first_reason_that_applies():
    items = ["cal", "gold", "disc", "pending", "excl", "few", "tie", "low", "ok"]
    responses = _responses([
        ("cal", "x", "submitted", 2), ("gold", "x", "submitted", 2),
        ("disc", "x", "discarded", 2), ("disc", "y", "submitted", 2),
        ("excl", "bad", "submitted", 2), ("excl", "y", "submitted", 1),
        ("few", "x", "submitted", 2),
        ("tie", "x", "submitted", 2), ("tie", "y", "submitted", 2),
        ("low", "x", "submitted", 2), ("low", "y", "submitted", 2), ("low", "z", "submitted", 2),
        ("ok", "x", "submitted", 2), ("ok", "y", "submitted", 2),
    ])
    answers = _answers([
        ("cal", "x", "q", "a"), ("gold", "x", "q", "a"), ("disc", "y", "q", "a"),
        ("excl", "bad", "q", "a"), ("excl", "y", "q", "a"), ("few", "x", "q", "a"),
        ("tie", "x", "q", "a"), ("tie", "y", "q", "b"),
        ("low", "x", "q", "a"), ("low", "y", "q", "a"), ("low", "z", "q", "b"),
        ("ok", "x", "q", "a"), ("ok", "y", "q", "a"),
    ])
    gold = pd.DataFrame({"item": ["gold"], "question": ["q"], "value": ["a"], "kind": ["expert"]})
    rules = SelectionRules(kinds={"q": "label"}, decisive=("q",), min_answers=2, min_item_agreement=0.7,
                           excluded_annotators=frozenset({"bad"}), superseded_guidelines=frozenset({1}),
                           calibration_items=frozenset({"cal"}))
    sel = select_items(items, responses, answers, gold, rules=rules)
    reasons = dict(zip(sel.left_out["item"], sel.left_out["reason"]))
    assert reasons == {"cal": "calibration-item", "gold": "gold-item", "disc": "discarded",
                       "pending": "not-answered", "excl": "excluded-answers", "few": "too-few-answers",
                       "tie": "no-final-label", "low": "low-agreement"}
    assert sel.items["item"].tolist() == ["ok"]
    assert sel.items.iloc[0]["labels"] == {"q": "a"}
    assert sel.counts["no-final-label:q:tie"] == 1 and sel.counts["low-agreement:q"] == 1


def test_excluded_annotators_answers_do_not_count_towards_the_label():
    items = ["i"]
    responses = _responses([("i", a, "submitted", 1) for a in ("x", "y", "z")])
    answers = _answers([("i", "x", "q", "a"), ("i", "y", "q", "b"), ("i", "z", "q", "b")])
    rules = SelectionRules(kinds={"q": "label"}, decisive=("q",), excluded_annotators=frozenset({"y", "z"}))
    sel = select_items(items, responses, answers, rules=rules)
    assert sel.items.iloc[0]["labels"] == {"q": "a"}
    assert sel.items.iloc[0]["annotators"] == ["x"]


# ---------------------------------------------------------------- holdout


def test_holdout_is_stable_when_new_units_arrive_and_keeps_earlier_holdout():
    keys = [f"u{i}" for i in range(400)]
    strata = ["a" if i % 3 else "b" for i in range(400)]
    first = holdout_split(keys[:200], strata[:200], np.ones(200, bool), fraction=0.2, seed=5)
    held_first = {k for k, h in zip(keys[:200], first) if h}
    second = holdout_split(keys, strata, np.ones(400, bool), fraction=0.2, seed=5, previous=held_first)
    held_second = {k for k, h in zip(keys, second) if h}
    assert held_first <= held_second
    # stratified: each label's share is the fraction, up to rounding
    for s in ("a", "b"):
        idx = [i for i in range(400) if strata[i] == s]
        assert abs(second[idx].sum() - round(0.2 * len(idx))) <= 1


def test_holdout_never_takes_an_ineligible_unit():
    keys = [f"u{i}" for i in range(100)]
    eligible = np.array([i % 2 == 0 for i in range(100)])
    held = holdout_split(keys, ["x"] * 100, eligible, fraction=0.3, seed=1, previous={"u1", "u3"})
    assert not held[~eligible].any()
    assert held.sum() == round(0.3 * 50)


def test_holdout_depends_on_the_seed_and_checks_its_fraction():
    keys = [f"u{i}" for i in range(50)]
    a = holdout_split(keys, ["x"] * 50, np.ones(50, bool), fraction=0.2, seed=1)
    b = holdout_split(keys, ["x"] * 50, np.ones(50, bool), fraction=0.2, seed=2)
    assert (a != b).any()
    assert unit_hash("u1", 1) != unit_hash("u1", 2)
    with pytest.raises(BadInput, match="holdout: must be a share in \\[0, 1\\); got 1.5"):
        holdout_split(keys, ["x"] * 50, np.ones(50, bool), fraction=1.5)


def test_holdout_eligibility_comes_from_declared_sources_or_candidate_metadata():
    assert is_human_written({"response_source": "logs", "instruction_source": "logs", "origin": "seed"}, ())
    assert not is_human_written({"response_source": "logs", "instruction_source": "logs", "origin": "evol-instruct"}, ())
    assert not is_human_written({"source": "gen-a"}, (("source", ("seed-set",)),))


# ---------------------------------------------------------------- formats


def _items(rows):
    return pd.DataFrame(rows, columns=["item", "fields", "labels"])


ACCEPT = (("quality", "min", (4,)), ("safety", "in", ("safe",)))


def test_sft_rows_are_trl_messages_of_accepted_items_only():
    items = _items([("a", {"p": "Q1", "c": "A1"}, {"quality": 5, "safety": "safe"}),
                    ("b", {"p": "Q2", "c": "A2"}, {"quality": 5, "safety": "unsafe"}),
                    ("c", {"p": "Q3", "c": "A3"}, {"quality": 3, "safety": "safe"})])
    rows, rejected = sft_rows(items, prompt="p", completion="c", accept=ACCEPT)
    assert rows == [{"id": "a", "messages": [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}]}]
    assert rejected == ["b", "c"]
    kto = kto_rows(items, prompt="p", completion="c", accept=ACCEPT)
    assert [r["label"] for r in kto] == [True, False, False]
    assert kto[0]["completion"] == [{"role": "assistant", "content": "A1"}]


def test_dpo_pairs_best_against_worst_answer_of_each_prompt():
    items = _items([("a", {"p": "Q", "c": "best"}, {"quality": 5, "safety": "safe"}),
                    ("b", {"p": "Q", "c": "mid"}, {"quality": 3, "safety": "safe"}),
                    ("c", {"p": "Q", "c": "worst"}, {"quality": 1, "safety": "unsafe"}),
                    ("d", {"p": "R", "c": "x"}, {"quality": 4, "safety": "safe"}),
                    ("e", {"p": "R", "c": "y"}, {"quality": 4, "safety": "safe"}),
                    ("f", {"p": "S", "c": "only"}, {"quality": 5, "safety": "safe"})])
    rows, counts = dpo_rows(items, prompt="p", completion="c", rank_by="quality", min_margin=1, accept=ACCEPT)
    assert len(rows) == 1
    r = rows[0]
    assert r["prompt"] == [{"role": "user", "content": "Q"}]
    assert r["chosen"] == [{"role": "assistant", "content": "best"}]
    assert r["rejected"] == [{"role": "assistant", "content": "worst"}]
    assert (r["chosen_id"], r["rejected_id"], r["score_chosen"], r["score_rejected"]) == ("a", "c", 5.0, 1.0)
    assert counts == {"margin": 1, "single-answer": 1}


def test_accept_rules():
    assert accepts({"q": 4}, (("q", "max", (4,)),)) and not accepts({"q": 5}, (("q", "max", (4,)),))
    assert not accepts({"m": ["none", "harmful-advice"]}, (("m", "none_of", ("harmful-advice",)),))
    assert not accepts({}, (("q", "min", (1,)),))


# ---------------------------------------------------------------- hash and diff


def test_dataset_hash_changes_with_any_file_digest_or_name():
    files = {"data/train-00000-of-00001.parquet": "a" * 64, "README.md": "b" * 64}
    h = dataset_hash(files)
    assert dataset_hash({**files, "README.md": "c" * 64}) != h
    assert dataset_hash({"data/test-00000-of-00001.parquet": "a" * 64, "README.md": "b" * 64}) != h
    assert dataset_hash({**files, "extra": "d" * 64}) != h
    with pytest.raises(BadInput, match="no SHA-256"):
        dataset_hash({"x": "zz"})


def test_diff_names_relabelled_and_moved_rows():
    a = pd.DataFrame({"id": ["x", "y", "w"], "split": ["train", "train", "train"],
                      "labels": [{"q": 1}, {"q": 2}, {"q": 3}]})
    b = pd.DataFrame({"id": ["x", "y", "w"], "split": ["train", "train", "test"],
                      "labels": [{"q": 1}, {"q": 5}, {"q": 3}]})
    d = compare_exports(a, b)
    assert (d.relabelled, d.moved, d.unchanged, d.added, d.removed) == (["y"], ["w"], 1, [], [])
    assert d.label_shift["q"] == {"1": [1, 1], "2": [1, 0], "3": [1, 1], "5": [0, 1]}


def test_tie_rules_per_question():
    df = _answers([("a", "x", "s", "unsafe"), ("a", "y", "s", "safe"), ("a", "x", "q", 3), ("a", "y", "q", 4)])
    out = final_labels(df, {"s": "label", "q": "rating"}, tie={"s": "highest", "q": "lowest"},
                       orders={"s": ["safe", "needs-caveat", "unsafe"]}).set_index("question")
    assert out.loc["s", "value"] == "unsafe" and out.loc["q", "value"] == 3
    with pytest.raises(BadInput, match="tie.q: 'up'"):
        final_labels(df, {"s": "label", "q": "rating"}, tie={"q": "up"})


def test_rankings_aggregate_by_mean_position_and_make_pairs_of_first_and_last():
    from workbench.analytics.training_formats import dpo_rows_from_ranking

    df = _answers([("a", "x", "r", ["ans1", "ans2", "ans3"]), ("a", "y", "r", ["ans2", "ans1", "ans3"]),
                   ("a", "z", "r", ["ans1", "ans3", "ans2"])])
    row = final_labels(df, {"r": "ranking"}).iloc[0]
    assert row["value"] == ["ans1", "ans2", "ans3"] and row["method"] == "mean-rank"
    assert row["confidence"] == pytest.approx(2 / 3)
    items = _items([("a", {"p": "Q", "ans1": "best", "ans2": "mid", "ans3": "worst"}, {"r": row["value"]})])
    rows, counts = dpo_rows_from_ranking(items, prompt="p", ranking="r", accept=())
    assert [(r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in rows] == [("best", "worst")]


def test_edits_most_common_wins_and_trivial_edits_are_left_out():
    from workbench.analytics.training_formats import choose_edits, dpo_rows_from_edits

    t = pd.Timestamp("2026-01-01", tz="UTC")
    answers = pd.DataFrame({"item": ["a", "a", "a", "b", "c"], "annotator": ["x", "y", "z", "x", "x"],
                            "value": ["Better answer.", "better answer", "Other", "  the ORIGINAL!  ", ""],
                            "time": [t, t + pd.Timedelta("1h"), t + pd.Timedelta("2h"), t, t]})
    originals = {"a": "orig a", "b": "The original", "c": "orig c"}
    edits, skipped = choose_edits(answers, originals)
    # 'Better answer.' and 'better answer' are different texts: one each, 'Other' too; the latest wins the tie
    assert edits == {"a": "Other"} and skipped == {"trivial": 1, "empty": 1}
    items = _items([("a", {"p": "Q", "c": "orig a"}, {})])
    rows = dpo_rows_from_edits(items, edits, prompt="p", completion="c")
    assert rows[0]["chosen"][0]["content"] == "Other" and rows[0]["rejected"][0]["content"] == "orig a"


# ---------------------------------------------------------------- the columnar paths give what the row paths give


def _random_selection_inputs(rng, n_items=60):
    items = [f"it{i:03d}" for i in rng.permutation(n_items)]
    annotators = ["x", "y", "z", "w", "bad"]
    resp, ans = [], []
    for item in items:
        for a in rng.choice(annotators, int(rng.integers(0, 5)), replace=False):
            status = str(rng.choice(["submitted", "submitted", "submitted", "discarded", "draft"]))
            version = None if rng.random() < 0.1 else int(rng.integers(1, 3))
            resp.append((item, str(a), status, version))
            if status == "submitted":
                if rng.random() < 0.9:
                    ans.append((item, str(a), "q", str(rng.choice(["a", "b", "c", "legacy"]))))
                if rng.random() < 0.9:
                    ans.append((item, str(a), "r", int(rng.integers(1, 6))))
                if rng.random() < 0.8:
                    ans.append((item, str(a), "m", sorted(rng.choice(["u", "v", "w"], int(rng.integers(1, 3)),
                                                                     replace=False).tolist())))
                if rng.random() < 0.3:
                    ans.append((item, str(a), "t", "free text"))
    responses = pd.DataFrame(resp, columns=["item", "annotator", "status", "guideline_version"])
    responses["guideline_version"] = responses["guideline_version"].astype("Int64")
    answers = _answers(ans)
    gold = pd.DataFrame({"item": [items[0], items[1], items[2]], "question": ["q", "r", "q"],
                         "value": ["a", 2, "b"], "kind": ["expert", "adjudicated", "adjudicated"]})
    return items + ["never-answered"], responses, answers, gold


def test_select_items_gives_the_same_with_categorical_columns_and_its_columns_match_its_table():
    """The export hands select_items categorical columns (codes read from the store): the same
    selection as with plain columns; and KeptItems (the columns the export reads) agrees with
    Selection.items (the table)."""
    rng = np.random.default_rng(5)
    kinds = {"q": "label", "r": "rating", "m": "multi_label", "t": "text"}
    for case in range(25):
        items, responses, answers, gold = _random_selection_inputs(rng)
        rules = SelectionRules(kinds=kinds, decisive=("q", "r")[: 1 + case % 2],
                               orders={"q": ["a", "b", "c"], "r": [1, 2, 3, 4, 5], "m": ["u", "v", "w"]},
                               tie={"q": "highest", "r": "lowest"} if case % 3 else "drop",
                               min_answers=1 + case % 2, min_item_agreement=0.5 if case % 4 == 0 else 0.0,
                               excluded_annotators=frozenset({"bad"}) if case % 2 else frozenset(),
                               superseded_guidelines=frozenset({1}) if case % 5 == 0 else frozenset(),
                               calibration_items=frozenset({items[5]}))
        plain = select_items(items, responses, answers, gold, rules=rules)
        cat = select_items(items, responses.astype({"item": "category", "annotator": "category",
                                                    "status": "category"}),
                           answers.astype({"item": "category", "annotator": "category", "question": "category"}),
                           gold, rules=rules)
        pd.testing.assert_frame_equal(cat.items, plain.items)
        pd.testing.assert_frame_equal(cat.left_out, plain.left_out)
        assert cat.counts == plain.counts
        kept, table = plain.kept, plain.items
        assert kept.item.tolist() == table["item"].tolist()
        assert kept.annotator_lists() == table["annotators"].tolist()
        assert kept.guideline_version_lists() == table["guideline_versions"].tolist()
        for q in kept.questions:
            assert kept.values[q].tolist() == [lab.get(q) for lab in table["labels"]]
            assert kept.present[q].tolist() == [q in lab for lab in table["labels"]]
        assert kept.agreement.tolist() == table["agreement"].tolist()


def test_accepted_mask_agrees_with_accepts_item_by_item():
    from workbench.analytics.training_formats import accepted_mask

    rng = np.random.default_rng(9)
    pool = {"r": [1, 2, 3, 4, 5, 4.0, 3.5, True, None, float("nan")], "s": ["safe", "unsafe", None, 1],
            "m": [["none"], ["harm"], ["none", "harm"], [], None]}
    rules = [(("r", "min", (4,)),), (("r", "max", (3,)), ("s", "in", ("safe",))), (("m", "none_of", ("harm",)),),
             (("s", "in", ("safe",)), ("r", "min", (2,)), ("m", "none_of", ("harm",))), (("missing", "in", ("x",)),)]
    for rule in rules:
        n = 300
        values = {q: np.empty(n, dtype=object) for q in pool}
        for q, options in pool.items():
            values[q][:] = [options[i] for i in rng.integers(0, len(options), n)]
        got = accepted_mask(values, n, rule)
        want = [accepts({q: values[q][i] for q in values}, rule) for i in range(n)]
        assert got.tolist() == want, rule


def test_provenance_columns_are_provenance_row_by_row():
    from workbench.analytics.training_formats import provenance, provenance_columns

    metas = [{"source": "seed-set", "pii_flagged": "yes", "pii_entities": "2", "judge_quality": 4},
             {"source": 3, "pii_flagged": True, "pii_entities": 2.0, "judge_score": "x", "licence": None},
             {}, None, {"instruction_source": "logs", "response_source": "curated", "origin": "seed",
                        "deita_score": "0.5", "generator": "g", "pii_flagged": "NO", "pii_entities": "many"}]
    kept = {"rounds": [[1], [1, 2], [], None, [3]], "guideline_versions": [[2], [], [1, 2], [1], []],
            "annotators": [["u1"], ["u1", "u2"], [], [], ["u3"]], "n_answers": [1, 2, 0, 3, 1],
            "agreement": [1.0, 0.5, 1.0, 0.75, 1.0], "adjudicated": [False, True, False, False, True]}
    cols = provenance_columns(metas, kept)
    for i, m in enumerate(metas):
        assert {k: v[i] for k, v in cols.items()} == provenance(m, {k: v[i] for k, v in kept.items()})


def test_dpo_pairs_from_ranks_are_the_pairs_pandas_sorts_give():
    from workbench.analytics.training_formats import _dpo_pairs_ranked, _dpo_pairs_sorted, dpo_pairs

    rng = np.random.default_rng(1)
    for case in range(300):
        n = int(rng.integers(0, 50))
        item = np.array([f"i{j:03d}" for j in rng.permutation(200)[:n]], dtype=object)
        prompt = [str(rng.choice(["p", "q", "r", "é", ""])) for _ in range(n)]
        completion = [rng.choice(["a", "b", "c", None]) for _ in range(n)]
        rating = [None if rng.random() < 0.2 else (int(rng.integers(1, 6)) if case % 2 else float(rng.integers(1, 6)))
                  for _ in range(n)]
        accepted = rng.random(n) < 0.7
        margin = float(rng.choice([0, 1, 2]))
        fast = _dpo_pairs_ranked(item, prompt, completion, rating, accepted, margin)
        slow = _dpo_pairs_sorted(item, prompt, completion, rating, accepted, min_margin=margin)
        assert fast is not None and fast.__dict__ == slow.__dict__, case
    # values the ranks do not cover take pandas' path
    odd = dpo_pairs(np.array(["a", "b"], dtype=object), ["p", "p"], ["x", "y"], ["4", "2"], np.array([True, True]),
                    min_margin=0)
    assert _dpo_pairs_ranked(np.array(["a", "b"], dtype=object), ["p", "p"], ["x", "y"], ["4", "2"],
                             np.array([True, True]), 0) is None and odd.chosen == [0]


def test_sorted_unique_csr_and_argsort_texts():
    from workbench.analytics.selection import argsort_texts, sorted_unique_csr, sorted_unique_lists

    rng = np.random.default_rng(2)
    rows = rng.integers(0, 30, 500)
    names = np.array([str(x) for x in rng.choice(["b", "a", "é", "A", "a\x00", "zz"], 500)], dtype=object)
    offsets, values = sorted_unique_csr(rows, 32, names)
    lists = sorted_unique_lists(rows, names)
    assert [values[offsets[r]:offsets[r + 1]].tolist() for r in range(32)] == [lists.get(r, []) for r in range(32)]
    cat_offsets, cat_values = sorted_unique_csr(rows, 32, pd.Categorical(names, categories=["zz", "é", "b", "a", "A",
                                                                                           "a\x00"]))
    assert cat_offsets.tolist() == offsets.tolist() and cat_values.tolist() == values.tolist()
    for texts in (names, np.array(["b", "a", "c"], dtype=object), np.array([], dtype=object)):
        assert argsort_texts(texts).tolist() == np.argsort(texts, kind="stable").tolist()
    with pytest.raises(TypeError):  # (what numpy's own sort does with texts and numbers)
        argsort_texts(np.array(["b", "a", 3], dtype=object))
