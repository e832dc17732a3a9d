"""Breakdowns checked against the krippendorff package, scikit-learn and brute-force loops."""

from __future__ import annotations

import itertools

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from workbench.analytics import breakdowns as bd
from workbench.analytics.reliability import ReliabilityData, from_wide
from workbench.errors import BadInput


def random_data(seed, n_ann=5, n_items=60, v=4, missing=0.25, labels=None):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, v, n_items)
    codes = np.where(rng.random((n_ann, n_items)) < 0.7, truth, rng.integers(0, v, (n_ann, n_items)))
    codes[rng.random(codes.shape) < missing] = -1
    cats = tuple(labels) if labels else tuple(range(1, v + 1))
    return ReliabilityData(
        codes=codes.astype(np.int32),
        categories=cats,
        annotators=tuple(f"a{i}" for i in range(n_ann)),
        items=tuple(f"i{j}" for j in range(n_items)),
        ordered=labels is None,
    )


def matrix(rd, numeric=True):
    """annotators x items float matrix (category values or codes) with nan for missing."""
    vals = np.asarray(rd.categories, dtype=float) if numeric else np.arange(len(rd.categories), dtype=float)
    return np.where(rd.codes >= 0, vals[np.maximum(rd.codes, 0)], np.nan)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_ann=st.integers(2, 6), v=st.integers(2, 5))
def test_label_alphas_equal_binarised_krippendorff(seed, n_ann, v):
    rd = random_data(seed, n_ann=n_ann, v=v)
    table = bd.label_alphas(rd)
    m = matrix(rd, numeric=False)
    for c in range(v):
        binary = np.where(np.isnan(m), np.nan, (m == c).astype(float))
        pairable = (~np.isnan(binary)).sum(axis=0) >= 2
        values = binary[:, pairable]
        values = values[~np.isnan(values)]
        if len(np.unique(values)) < 2:
            assert np.isnan(table["alpha"][c])
            continue
        expected = krippendorff.alpha(reliability_data=binary, level_of_measurement="nominal")
        assert table["alpha"][c] == pytest.approx(expected, abs=1e-9)
        assert table["n_values"][c] == int((values == 1).sum())


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_leave_one_out_equals_krippendorff_without_the_row(level, seed):
    rd = random_data(seed, n_ann=5)
    table = bd.leave_one_out(rd, level)
    m = matrix(rd)
    full = krippendorff.alpha(reliability_data=m, level_of_measurement=level)
    for a in range(rd.n_annotators):
        expected = krippendorff.alpha(reliability_data=np.delete(m, a, axis=0), level_of_measurement=level)
        assert table["alpha_without"][a] == pytest.approx(expected, abs=1e-9)
        assert table["change"][a] == pytest.approx(expected - full, abs=1e-9)


def test_leave_one_out_with_two_annotators_is_undefined_with_a_note():
    table = bd.leave_one_out([[1, 2, 3], [1, 2, 2]])
    assert table["alpha_without"].isna().all()
    assert (table["note"] == "fewer than two annotators without them").all()


def brute_item(rd, delta, j):
    vals = [rd.codes[a, j] for a in range(rd.n_annotators) if rd.codes[a, j] >= 0]
    pairs = [(x, y) for x, y in itertools.permutations(range(len(vals)), 2)]
    dis = np.mean([vals[x] != vals[y] for x, y in pairs])
    dist = np.mean([delta[vals[x], vals[y]] for x, y in pairs])
    return len(vals), dis, dist


@pytest.mark.parametrize("level", ["nominal", "interval"])
def test_item_disagreement_brute_force(level):
    rd = random_data(3, n_ann=4, n_items=40)
    table = bd.item_disagreement(rd, level)
    delta = bd.level_distance(rd, level)
    m = matrix(rd)
    pairable = (~np.isnan(m)).sum(axis=0) >= 2
    assert len(table) == pairable.sum()
    # D_e as the krippendorff package implies it: alpha = 1 - D_o / D_e
    for _, row in table.iterrows():
        n, dis, dist = brute_item(rd, delta, row["position"])
        assert row["n_values"] == n
        assert row["disagreeing_pairs"] == pytest.approx(dis)
        assert row["disagreement"] == pytest.approx(dist)
    # masses are each item's share of the observed disagreement: they sum to 1, and weighting
    # the per-item mean distances by m_u gives back D_o * n
    assert table["mass"].sum() == pytest.approx(1.0)
    mass_raw = table["disagreement"] * table["n_values"]
    assert np.allclose(table["mass"], mass_raw / mass_raw.sum())
    # sorted by mass, most disputed first
    assert (np.diff(table["mass"].to_numpy()) <= 1e-12).all()


def test_item_disagreement_relative_to_expected_disagreement():
    rd = random_data(5, n_ann=5, n_items=80)
    table = bd.item_disagreement(rd, "nominal")
    m = matrix(rd)
    alpha = krippendorff.alpha(reliability_data=m, level_of_measurement="nominal")
    # sum_u m_u * relative_u / n  equals D_o / D_e = 1 - alpha
    n = table["n_values"].sum()
    assert (table["n_values"] * table["relative_disagreement"]).sum() / n == pytest.approx(1 - alpha)


def test_item_disagreement_labels_and_top():
    rd = from_wide(pd.DataFrame({"x": ["a", "a", "b"], "y": ["a", "b", "b"], "z": ["a", "c", "b"]}))
    table = bd.item_disagreement(rd, top=1)
    assert len(table) == 1
    assert table["item"][0] == 1
    assert table["labels"][0] == "a x1, b x1, c x1"


def test_annotator_disagreement_brute_force():
    rd = random_data(7, n_ann=4, n_items=30)
    table = bd.annotator_disagreement(rd, "nominal")
    for a in range(rd.n_annotators):
        dists = []
        for j in range(rd.n_items):
            c = rd.codes[a, j]
            others = [rd.codes[b, j] for b in range(rd.n_annotators) if b != a and rd.codes[b, j] >= 0]
            if c >= 0 and others:
                dists.append(np.mean([c != o for o in others]))
        assert table["disagreement"][a] == pytest.approx(np.mean(dists))
        assert table["n_pairable"][a] == len(dists)


def test_robust_z_flags_the_outlier_only():
    z = bd.robust_z([0.2, 0.21, 0.19, 0.2, 0.6])
    assert z[-1] > 10
    assert np.all(np.abs(z[:-1]) < 1)


def test_pairwise_agreement_against_brute_force_and_sklearn():
    rd = random_data(11, n_ann=4, n_items=50, labels=("no", "yes", "maybe"), v=3)
    pw = bd.pairwise_agreement(rd)
    for a, b in itertools.combinations(range(4), 2):
        both = (rd.codes[a] >= 0) & (rd.codes[b] >= 0)
        x, y = rd.codes[a][both], rd.codes[b][both]
        na, nb = rd.annotators[a], rd.annotators[b]
        assert pw.n_common.loc[na, nb] == both.sum()
        assert pw.percent.loc[na, nb] == pytest.approx((x == y).mean())
        assert pw.kappa.loc[na, nb] == pytest.approx(cohen_kappa_score(x, y))
    long = pw.long()
    assert len(long) == 6
    means = pw.mean_with_others()
    a0 = [pw.percent.loc["a0", o] for o in ("a1", "a2", "a3")]
    assert means["mean_percent"][0] == pytest.approx(np.mean(a0))


def test_confused_pairs_counts_annotator_pairs():
    rd = from_wide([["x", "x", "y", "x"], ["y", "x", "y", "z"], ["y", "x", "z", "z"]])
    pairs = bd.confused_pairs(rd)
    got = {(r.label_a, r.label_b): (r.pairs, r.items) for r in pairs.itertuples()}
    # item 0: x,y,y -> 2 x/y pairs; item 2: y,y,z -> 2 y/z pairs; item 3: x,z,z -> 2 x/z pairs
    assert got == {("x", "y"): (2, 1), ("y", "z"): (2, 1), ("x", "z"): (2, 1)}
    assert pairs["share"].sum() == pytest.approx(1.0)


def test_gold_agreement_and_confusion():
    rd = random_data(13, n_ann=3, n_items=40, labels=("a", "b", "c"), v=3)
    rng = np.random.default_rng(0)
    gold_codes = rng.integers(0, 3, 40)
    gold_items = [f"i{j}" for j in range(0, 40, 2)]  # every other item is gold
    gold = {item: rd.categories[gold_codes[int(item[1:])]] for item in gold_items}
    table = bd.gold_agreement(rd, gold)
    for a in range(3):
        js = [j for j in range(0, 40, 2) if rd.codes[a, j] >= 0]
        x = rd.codes[a, js]
        g = gold_codes[js]
        assert table["n_gold"][a] == len(js)
        assert table["accuracy"][a] == pytest.approx((x == g).mean())
        assert table["kappa"][a] == pytest.approx(cohen_kappa_score(x, g))
    conf = bd.gold_confusion(rd, pd.DataFrame({"item": list(gold), "value": list(gold.values())}), "a1")
    js = [j for j in range(0, 40, 2) if rd.codes[1, j] >= 0]
    expected = pd.crosstab(
        pd.Series([rd.categories[gold_codes[j]] for j in js], name="gold"),
        pd.Series([rd.categories[rd.codes[1, j]] for j in js], name="given"),
    ).reindex(index=list("abc"), columns=list("abc"), fill_value=0)
    assert (conf.to_numpy() == expected.to_numpy()).all()


def test_gold_value_nobody_gave_extends_the_categories():
    rd = from_wide([["a", "b"], ["a", "a"]])
    full, codes, row = bd.align_gold(rd, {0: "a", 1: "c"})
    assert full.categories == ("a", "b", "c")
    assert codes.tolist() == [0, 2]
    assert full.annotators[-1] == row == "gold"
    table = bd.gold_agreement(rd, {0: "a", 1: "c"})
    assert table["accuracy"].tolist() == [0.5, 0.5]


def test_gold_outside_an_explicit_order_is_refused():
    rd = from_wide([["low", "high"], ["low", "low"]], order=["low", "high"])
    with pytest.raises(BadInput, match="gold: item 1 has gold value 'medium'"):
        bd.align_gold(rd, {1: "medium"})


def test_gold_duplicate_item_is_refused():
    rd = from_wide([["a", "b"], ["a", "a"]])
    with pytest.raises(BadInput, match="item 0 has more than one gold value"):
        bd.gold_agreement(rd, pd.DataFrame({"item": [0, 0], "value": ["a", "b"]}))


def test_consensus_majority_ties_and_median():
    data = [[1, 1, 1, 3], [1, 2, 2, 3], [2, 2, 3, 1], [2, 3, 3, 1]]
    # items (columns): {1,1,2,2} tie; {1,2,2,3} -> 2 (code 1); {1,2,3,3} -> 3 (code 2); {3,3,1,1} tie
    assert bd.consensus(data).tolist() == [-1, 1, 2, -1]
    # medians: the two middle values 1|2, 2|2, 2|3, 1|3 -> only item 1 has one median
    assert bd.consensus(data, level="ordinal").tolist() == [-1, 1, -1, -1]
    odd = [[1, 1, 3], [2, 2, 3], [3, 3, 1]]
    assert bd.consensus(odd, level="ordinal").tolist() == [1, 1, 2]


def test_rater_vs_consensus_measures_the_rater_like_a_human():
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 200)
    humans = np.where(rng.random((4, 200)) < 0.85, truth, rng.integers(0, 3, (4, 200)))
    # the "llm" copies the majority of the humans exactly where one exists
    counts = np.stack([(humans == c).sum(axis=0) for c in range(3)], axis=1)
    majority = bd.consensus_from_counts(counts, "majority")
    llm = np.where(majority >= 0, majority, 0)
    codes = np.vstack([humans, llm[None, :]]).astype(np.int32)
    rd = ReliabilityData(codes=codes, categories=("a", "b", "c"), annotators=("h1", "h2", "h3", "h4", "llm"),
                         items=tuple(range(200)))
    gold = {j: ("a", "b", "c")[truth[j]] for j in range(200)}
    res = bd.rater_vs_consensus(rd, "llm", gold=gold)
    row = res.rater_row
    assert row["annotator"] == "llm" and row["is_rater"]
    assert row["consensus_percent"] == 1.0
    assert row["n_consensus"] == (majority >= 0).sum()
    assert row["gold_accuracy"] == pytest.approx((llm == truth).mean())
    # each human is measured against the majority of the three others
    for i, name in enumerate(["h1", "h2", "h3", "h4"]):
        others = np.delete(humans, i, axis=0)
        oc = np.stack([(others == c).sum(axis=0) for c in range(3)], axis=1)
        ref = bd.consensus_from_counts(oc, "majority")
        ok = ref >= 0
        hrow = res.table[res.table["annotator"] == name].iloc[0]
        assert hrow["n_consensus"] == ok.sum()
        assert hrow["consensus_percent"] == pytest.approx((humans[i][ok] == ref[ok]).mean())
        assert hrow["consensus_kappa"] == pytest.approx(cohen_kappa_score(humans[i][ok], ref[ok]))
    assert res.human_median["consensus_percent"] < 1.0


def test_rater_vs_consensus_errors_name_the_annotator():
    rd = from_wide([[1, 2], [1, 1], [2, 2]])
    with pytest.raises(BadInput, match="annotator 'llm' is not in the data"):
        bd.rater_vs_consensus(rd, "llm")
    with pytest.raises(BadInput, match="also listed among the humans"):
        bd.rater_vs_consensus(rd, 0, humans=[0, 1])


# ---------------------------------------------------------------- free-text agreement (textsim)

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics.pairwise import cosine_similarity  # noqa: E402

from workbench.analytics import textsim  # noqa: E402

TEXTS = ["The answer is too long.", "Answer too long", "off-topic reply", "", "Off topic!", "rude tone", "rude"]


def test_jaccard_similarity_matrix_brute_force():
    import re

    sets = [set(re.findall(r"\b\w+\b", t.lower())) for t in TEXTS]
    sim = textsim.text_similarity_matrix(TEXTS, "jaccard")
    for i, j in itertools.product(range(len(TEXTS)), repeat=2):
        union = sets[i] | sets[j]
        expected = 1.0 if i == j or not union else len(sets[i] & sets[j]) / len(union)
        assert sim[i, j] == pytest.approx(expected)


def test_char_ngram_similarity_is_tfidf_cosine():
    texts = [t for t in TEXTS if t]
    sim = textsim.text_similarity_matrix(texts, "char_ngram")
    x = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)
    expected = cosine_similarity(x)
    np.fill_diagonal(expected, 1.0)
    assert np.allclose(sim, expected)


def brute_alpha(values_by_item, delta):
    """Krippendorff's alpha from its definition, pair by pair (values_by_item: list of lists)."""
    units = [u for u in values_by_item if len(u) >= 2]
    all_values = [v for u in units for v in u]
    n = len(all_values)
    d_o = sum(
        sum(delta(u[i], u[j]) for i in range(len(u)) for j in range(len(u)) if i != j) / (len(u) - 1) for u in units
    ) / n
    d_e = sum(delta(all_values[i], all_values[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    return 1 - d_o / d_e


@pytest.mark.parametrize("method", ["jaccard", "char_ngram"])
def test_text_agreement_alpha_and_means_brute_force(method):
    rng = np.random.default_rng(3)
    phrases = ["too long", "far too long", "off topic", "rude tone", "rude", "fine", "missing source"]
    rows = []
    for item in range(15):
        base = rng.integers(0, len(phrases))
        for a in ("a", "b", "c"):
            if rng.random() < 0.2:
                continue
            pick = base if rng.random() < 0.7 else rng.integers(0, len(phrases))
            rows.append({"item": item, "annotator": a, "value": phrases[pick]})
    df = pd.DataFrame(rows)
    res = textsim.text_agreement(df, method)
    distinct = sorted(set(df["value"]))
    sim = textsim.text_similarity_matrix(distinct, method)
    index = {t: i for i, t in enumerate(distinct)}

    def delta(x, y):
        return 1.0 - sim[index[x], index[y]]

    groups = [list(g["value"]) for _, g in df.groupby("item")]
    assert res.alpha == pytest.approx(brute_alpha(groups, delta), abs=1e-9)
    per_item = [
        np.mean([sim[index[u[i]], index[u[j]]] for i in range(len(u)) for j in range(i + 1, len(u))])
        for u in groups
        if len(u) >= 2
    ]
    assert res.mean_similarity == pytest.approx(np.mean(per_item))
    assert res.n_items == len(per_item)
    assert res.items["mean_similarity"].is_monotonic_increasing
    assert res.to_dict()["kind"] == "text-similarity agreement (not categorical)"


def test_text_agreement_identical_texts_everywhere_is_undefined_alpha():
    df = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": ["a", "b"] * 2, "value": ["same"] * 4})
    res = textsim.text_agreement(df, "jaccard")
    assert res.mean_similarity == 1.0
    assert res.alpha is None and "alpha is undefined" in res.alpha_note


def test_text_agreement_close_wording_scores_higher_than_unrelated():
    close = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": ["a", "b"] * 2,
                          "value": ["The reply is too long", "reply is too long", "cites no source", "no source cited"]})
    far = close.assign(value=["The reply is too long", "wrong language", "cites no source", "great answer"])
    assert textsim.text_agreement(close).mean_similarity > 0.5 > textsim.text_agreement(far).mean_similarity
    assert textsim.text_agreement(close).alpha > textsim.text_agreement(far).alpha


def test_text_agreement_refuses_unknown_method_and_non_text():
    with pytest.raises(BadInput, match="method 'bleu' is not one of jaccard, char_ngram"):
        textsim.text_agreement(pd.DataFrame({"item": [1], "annotator": ["a"], "value": ["x"]}), "bleu")
    with pytest.raises(BadInput, match="value 1 is not a string"):
        textsim.text_agreement([[1, 2], [1, 2]])
