"""The diagnosis on simulated teams whose trouble is known by construction."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench.analytics.diagnosis import Thresholds, Verdict, band, diagnose
from workbench.analytics.reliability import ReliabilityData
from workbench.analytics.simulate_teams import gold_sample, judge, named_open_share, simulate_team
from workbench.errors import BadInput

LABELS = ("needs-caveat", "refuse", "safe", "unsafe")
CAVEAT, SAFE = 0, 2
NAMES = ("ann", "bob", "carol", "dan", "eve", "fay", "gus", "hal")


def simulate(
    seed,
    *,
    n_items=400,
    n_ann=8,
    accuracy=0.92,
    missing=0.1,
    flipper=None,
    ambiguous_share=0.0,
):
    """Annotators who are right with ``accuracy`` and otherwise pick another label at random.

    ``flipper``: that annotator says 'safe' wherever the truth is 'needs-caveat'.
    ``ambiguous_share``: on that share of items every annotator picks 'needs-caveat' or
    'safe' at random (the guideline does not decide between them).
    """
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, len(LABELS), n_items)
    right = rng.random((n_ann, n_items)) < accuracy
    other = (truth + rng.integers(1, len(LABELS), (n_ann, n_items))) % len(LABELS)
    codes = np.where(right, truth, other)
    if flipper is not None:
        codes[flipper] = np.where(truth == CAVEAT, SAFE, codes[flipper])
    ambiguous = np.array([], dtype=int)
    if ambiguous_share:
        ambiguous = rng.choice(n_items, int(ambiguous_share * n_items), replace=False)
        codes[:, ambiguous] = np.where(rng.random((n_ann, len(ambiguous))) < 0.5, CAVEAT, SAFE)
    codes[rng.random(codes.shape) < missing] = -1
    rd = ReliabilityData(
        codes=codes.astype(np.int32),
        categories=LABELS,
        annotators=NAMES[:n_ann],
        items=tuple(f"item-{j}" for j in range(n_items)),
    )
    gold = {f"item-{j}": LABELS[truth[j]] for j in range(n_items)}
    return rd, gold, {f"item-{j}" for j in ambiguous}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_systematic_flipper_is_named_as_deviating(seed):
    rd, _, _ = simulate(seed, flipper=2)
    d = diagnose(rd)
    assert d.verdict is Verdict.ANNOTATOR_DEVIATION
    assert d.deviating == ("carol",)
    ann = d.evidence["annotators"].set_index("annotator")
    assert ann.loc["carol", "alpha_without"] >= d.alpha + 0.05
    assert f"alpha without them rises from {d.alpha:.2f} to {ann.loc['carol', 'alpha_without']:.2f}" in d.explanation
    assert "says 'safe' where the others' consensus says 'needs-caveat'" in d.explanation
    top = d.evidence["confusions"].iloc[0]
    assert (top["annotator"], top["says"], top["reference_says"]) == ("carol", "safe", "needs-caveat")
    assert not d.ambiguous_items


def test_a_flipper_with_gold_is_compared_with_gold_and_the_team():
    rd, gold, _ = simulate(4, flipper=2)
    d = diagnose(rd, gold=gold)
    assert d.verdict is Verdict.ANNOTATOR_DEVIATION and d.deviating == ("carol",)
    ann = d.evidence["annotators"].set_index("annotator")
    assert ann.loc["carol", "gold_accuracy"] < ann.loc["carol", "team_gold_accuracy"] - 0.15
    assert "their agreement with gold is" in d.explanation
    conf = d.evidence["confusions"].iloc[0]
    assert (conf["says"], conf["reference"], conf["reference_says"]) == ("safe", "gold", "needs-caveat")
    # the count is the number of needs-caveat gold items carol rated and called safe
    carol = rd.codes[2]
    truth = np.array([LABELS.index(gold[i]) for i in rd.items])
    assert conf["count"] == int(((truth == CAVEAT) & (carol == SAFE)).sum())
    assert f"says 'safe' where gold says 'needs-caveat' {conf['count']} times" in d.explanation


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_b_items_everyone_splits_on_point_at_the_guideline(seed):
    rd, _, ambiguous = simulate(seed, accuracy=0.97, ambiguous_share=0.3)
    d = diagnose(rd)
    assert d.verdict is Verdict.AMBIGUOUS_GUIDELINE
    assert d.deviating == ()
    assert d.confused_labels[0] == ("needs-caveat", "safe")
    flagged = set(d.ambiguous_items)
    assert len(flagged) >= 0.5 * len(ambiguous)
    assert len(flagged & ambiguous) >= 0.9 * len(flagged)
    pairs = d.evidence["confused_pairs"].iloc[0]
    # most annotators were on each side: the split is the team's, not one person's
    assert pairs["annotators_a"] >= 6 and pairs["annotators_b"] >= 6
    assert "split mostly between 'needs-caveat' and 'safe'" in d.explanation
    assert d.concentration["n_split"] >= 1.3 * d.concentration["null_split"]


@pytest.mark.parametrize("seed", [0, 1])
def test_b_and_a_together_give_both(seed):
    rd, _, _ = simulate(seed, n_items=1000, accuracy=0.97, ambiguous_share=0.2, flipper=5)
    d = diagnose(rd)
    assert d.verdict is Verdict.BOTH
    assert d.deviating == ("fay",)
    assert d.confused_labels[0] == ("needs-caveat", "safe")


@pytest.mark.parametrize("seed", [0, 1])
def test_c_everyone_agreeing_needs_no_diagnosis(seed):
    rd, _, _ = simulate(seed, accuracy=0.99)
    d = diagnose(rd)
    assert d.verdict is Verdict.RELIABLE and d.band == "reliable"
    assert "no diagnosis needed" in d.explanation
    assert d.deviating == () and d.ambiguous_items == ()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_d_uniform_noise_is_neither(seed):
    rd, _, _ = simulate(seed, accuracy=0.6)
    d = diagnose(rd)
    assert d.band == "unreliable"
    assert d.verdict is Verdict.DIFFUSE
    assert d.deviating == () and d.ambiguous_items == ()
    assert "Neither pattern is concentrated" in d.explanation
    assert "No annotator stands out" in d.explanation
    assert 0.7 < d.concentration["ratio"] < 1.3


def test_in_a_team_of_three_a_deviant_is_found_by_the_model_against_resampled_items():
    """Three annotators, a flipper on 400 items: the latent-class model puts carol's error rate
    at several times the others', the gap is many bootstrap standard errors, and nobody else is
    flagged. (Replaces a test of the team-MAD score, which the model replaced.)"""
    for seed in range(10):
        rd, _, _ = simulate(seed, n_items=400, n_ann=3, flipper=2)
        d = diagnose(rd)
        assert d.deviating == ("carol",), (seed, d.explanation)
        ann = d.evidence["annotators"].set_index("annotator")
        assert ann.loc["carol", "z"] >= 2.5 and ann.loc["carol", "error_ratio"] >= 2
        assert ann.loc["carol", "error_gap"] == pytest.approx(
            ann.loc["carol", "error_rate"] - ann.drop("carol")["error_rate"].median())
        assert not ann.drop("carol")["flagged"].any()
        assert "by the latent-class model their value is wrong on" in d.explanation


def test_in_a_noisy_consistent_team_of_three_blame_goes_only_where_the_sample_shows_it():
    """Three equally noisy annotators (80% accuracy) on 40 items. Equal accuracy does not make
    equal samples: on 3 of these 30 teams one annotator's sample error rate is about twice the
    others' (seed 10: carol 12 wrong of 35 against 3/35 and 6/38), and the model names them. It
    names nobody else, nobody where the samples are alike, and says why when it names nobody.
    (The team-MAD score this replaces named nobody on these teams, and missed a third of the
    flippers in the test above.)"""
    blamed = 0
    for seed in range(30):
        rd, gold, _ = simulate(seed, n_items=40, n_ann=3, accuracy=0.8)
        d = diagnose(rd)
        if d.deviating:
            blamed += 1
            truth = np.array([LABELS.index(gold[i]) for i in rd.items])
            err = np.array([(rd.codes[a][rd.codes[a] >= 0] != truth[rd.codes[a] >= 0]).mean() for a in range(3)])
            (who,) = d.deviating
            a = rd.annotators.index(who)
            assert err[a] == err.max() and err[a] >= 1.5 * np.median(np.delete(err, a)), (seed, err)
        elif d.verdict is not Verdict.RELIABLE:
            assert "No annotator stands out (most often wrong by the model" in d.explanation
    assert blamed <= 3


def test_thresholds_are_configurable():
    rd, _, _ = simulate(0, accuracy=0.99)
    strict = Thresholds(reliable=0.999, tentative=0.99)
    d = diagnose(rd, thresholds=strict)
    assert d.band == "unreliable"
    assert d.verdict is not Verdict.RELIABLE
    assert "below 0.990" in d.explanation
    rd2, _, _ = simulate(0, flipper=2)
    # a flipper is not flagged when a much larger alpha gain is demanded
    assert diagnose(rd2, thresholds=Thresholds(min_gain=0.5)).deviating == ()


def test_thresholds_are_validated():
    with pytest.raises(BadInput, match="tentative <= reliable"):
        Thresholds(reliable=0.6, tentative=0.7)
    with pytest.raises(BadInput, match="split_share"):
        Thresholds(split_share=0.8)
    with pytest.raises(BadInput, match="excess_draws"):
        Thresholds(excess_draws=1)
    with pytest.raises(BadInput, match="open_alpha"):
        Thresholds(open_alpha=0)
    with pytest.raises(BadInput, match="error_ratio"):
        Thresholds(error_ratio=0.5)
    with pytest.raises(BadInput, match="max_model_items"):
        Thresholds(max_model_items=0)


def test_band_edges_follow_krippendorff():
    assert band(0.800) == "reliable"
    assert band(0.7999) == "tentative"
    assert band(0.667) == "tentative"
    assert band(0.6669) == "unreliable"
    assert band(float("nan")) == "undefined"


def test_undefined_alpha_gets_its_own_verdict():
    d = diagnose([["x", "x", "x"], ["x", "x", "x"]])
    assert d.verdict is Verdict.UNDEFINED and d.alpha is None
    assert "undefined" in d.explanation


def test_two_annotators_without_gold_cannot_be_blamed():
    rd, gold, _ = simulate(0, n_ann=2, accuracy=0.7)
    d = diagnose(rd)
    assert d.deviating == ()
    # was "diffuse", whose advice (nothing to fix on items or people) two annotators cannot support
    assert d.verdict is Verdict.UNDETERMINED
    assert "cannot be attributed to either" in d.explanation
    assert "add a third annotator" in d.explanation
    # with gold, the worse of the two is named when the gap is large
    codes = rd.codes.copy()
    truth = np.array([LABELS.index(gold[i]) for i in rd.items])
    codes[0] = np.where(codes[0] >= 0, truth, -1)  # ann is always right
    rd2 = ReliabilityData(codes=codes, categories=LABELS, annotators=rd.annotators, items=rd.items)
    d2 = diagnose(rd2, gold=gold)
    assert d2.deviating == ("bob",)


def test_deviating_from_the_team_but_not_from_gold_is_not_retraining():
    rd, gold, _ = simulate(1, n_ann=4, accuracy=0.9)
    codes = rd.codes.copy()
    truth = np.array([LABELS.index(gold[i]) for i in rd.items])
    # everyone but carol systematically says safe for needs-caveat; carol follows gold
    for a in range(rd.n_annotators):
        if a != 2:
            codes[a] = np.where((truth == CAVEAT) & (codes[a] >= 0), SAFE, codes[a])
    codes[2] = np.where(codes[2] >= 0, truth, -1)
    rd2 = ReliabilityData(codes=codes, categories=LABELS, annotators=rd.annotators, items=rd.items)
    plain = diagnose(rd2)
    assert plain.deviating == ("carol",)  # without gold she looks like the odd one out
    d = diagnose(rd2, gold=gold)
    assert d.deviating == ()
    assert "'carol' differ from the team but agree with gold" in d.explanation


def test_diagnosis_is_reproducible_and_json_ready():
    rd, gold, _ = simulate(2, accuracy=0.97, ambiguous_share=0.3)
    a = diagnose(rd, gold=gold, thresholds=Thresholds(seed=7))
    b = diagnose(rd, gold=gold, thresholds=Thresholds(seed=7))
    assert a.explanation == b.explanation
    text = json.dumps(a.to_dict(), allow_nan=False)
    back = json.loads(text)
    assert back["verdict"] == "ambiguous_guideline"
    assert back["evidence"]["disputed_items"][0]["item"] in a.ambiguous_items


def test_too_few_items_is_inconclusive():
    rd, _, _ = simulate(0, n_items=12, accuracy=0.6)
    d = diagnose(rd)
    assert d.verdict in (Verdict.INCONCLUSIVE, Verdict.ANNOTATOR_DEVIATION)
    assert d.concentration["tested"] is False
    assert "too few to tell" in d.explanation


# --------------------------------------------------------------------------------------------
# Calibration-sized teams (3-5 annotators, 80 items): issue #13, "the diagnosis with three
# annotators". The teams come from workbench.analytics.simulate_teams, the same simulation as
# bench/bench_diagnosis.py, where `judge` defines the right verdict of each case.
# --------------------------------------------------------------------------------------------


def _right(case, n_annotators, seeds, **kw):
    teams = [simulate_team(case, n_annotators=n_annotators, n_items=80, seed=s) for s in seeds]
    return teams, [diagnose(t.data) for t in teams], kw


def test_a_team_of_three_with_open_items_is_an_ambiguous_guideline():
    """30% of the items open between two labels, everyone picking either at random: the old
    item-split test never counted a 2-to-1 split and read 'diffuse' on every such team."""
    teams, diags, _ = _right("ambiguous", 3, range(20))
    right = [judge(t, d, check_items=False) for t, d in zip(teams, diags)]
    assert sum(right) >= 18, [d.verdict.value for d in diags]
    named = sum(len(d.ambiguous_items) for d in diags)
    assert sum(len(set(d.ambiguous_items) & t.open_items) for t, d in zip(teams, diags)) >= 0.7 * named
    for t, d in zip(teams, diags):
        assert d.deviating == ()
        assert "Neither retraining one person nor fixing a few items will help" not in d.explanation
        if d.verdict is Verdict.AMBIGUOUS_GUIDELINE:
            cats = t.data.categories
            assert d.confused_labels[0] == tuple(sorted(t.open_pair, key=cats.index))
            assert "Clarify the guideline for these items" in d.explanation
            # honest about what three annotators cannot tell apart, and what would
            assert "an item split two to one cannot be told from a team that confuses these labels" in d.explanation
            assert "another annotator or gold on them would confirm" in d.explanation
            table = d.evidence["disputed_items"]
            assert list(table["item"]) == list(d.ambiguous_items) and (table["p_open"] >= 0.5).all()


def test_a_team_of_three_with_one_deviating_annotator_names_them():
    teams, diags, _ = _right("deviant", 3, range(20))
    assert sum(judge(t, d) for t, d in zip(teams, diags)) >= 18, [(d.verdict.value, d.deviating) for d in diags]
    for t, d in zip(teams, diags):
        if d.deviating:
            assert d.deviating == (t.deviant,)
            assert f"Retrain (or re-check the work of) {t.deviant!r}" in d.explanation
            assert d.ambiguous_items == ()


@pytest.mark.parametrize("n_annotators", [4, 5])
def test_a_deviant_and_open_items_together_are_both(n_annotators):
    teams, diags, _ = _right("both", n_annotators, range(20))
    right = [judge(t, d, check_items=False) for t, d in zip(teams, diags)]
    assert sum(right) >= 16, [(d.verdict.value, d.deviating, t.deviant) for t, d in zip(teams, diags)]
    for t, d, ok in zip(teams, diags, right):
        if ok:
            assert d.verdict is Verdict.BOTH and d.deviating == (t.deviant,)
            assert "Retrain" in d.explanation and "Clarify the guideline" in d.explanation


def test_a_team_that_agrees_passes_and_uniform_noise_is_diffuse():
    teams, diags, _ = _right("agree", 3, range(5))
    assert all(d.verdict is Verdict.RELIABLE for d in diags)
    teams, diags, _ = _right("noise", 3, range(20))
    assert sum(judge(t, d) for t, d in zip(teams, diags)) >= 17, [(d.verdict.value, d.deviating) for d in diags]
    for d in diags:
        if d.verdict is Verdict.DIFFUSE:
            assert d.deviating == () and d.ambiguous_items == ()
            assert "Neither pattern is concentrated" in d.explanation


def _boundary_reader(seed, n_items=80):
    """ana, ben and cleo right 90% of the time; ben calls most 'caveat' items 'safe' (his own
    reading of that boundary), which makes him wrong on about a fifth of the items: not enough,
    on 80 items, to count as a deviation overall."""
    labels = ("caveat", "refuse", "safe", "unsafe")
    rng = np.random.default_rng(seed)
    truth = rng.choice(4, n_items, p=[0.2, 0.25, 0.3, 0.25])
    codes = np.where(rng.random((3, n_items)) < 0.9, truth, (truth + rng.integers(1, 4, (3, n_items))) % 4)
    codes[1] = np.where((truth == 0) & (rng.random(n_items) < 0.9), 2, codes[1])
    items = tuple(f"i{j}" for j in range(n_items))
    rd = ReliabilityData(codes=codes.astype(np.int32), categories=labels, annotators=("ana", "ben", "cleo"),
                         items=items)
    return rd, {items[j]: labels[truth[j]] for j in range(n_items)}


@pytest.mark.parametrize("seed", [2, 3, 4, 5])
def test_when_the_evidence_cannot_separate_the_causes_the_diagnosis_says_so(seed):
    """One annotator takes one side of a label pair where the others take both: open items or
    his own reading of the boundary? Three annotators cannot tell; gold on those items can."""
    rd, gold = _boundary_reader(seed)
    d = diagnose(rd)
    assert d.verdict is Verdict.UNDETERMINED, d.explanation
    assert d.deviating == ()
    assert d.concentration["undetermined_pairs"] == ["caveat / safe"]  # no names here: see the redacted view
    assert d.confused_labels == (("caveat", "safe"),)
    assert d.ambiguous_items  # the items gold or another annotator would settle
    assert "The data cannot tell whether these items are open or 'ben' reads the boundary" in d.explanation
    assert "Gold values on these items, or another annotator on them, would separate the two" in d.explanation
    assert "Neither retraining" not in d.explanation
    row = d.evidence["open_pairs"].iloc[0]
    assert row["carried_by"] == "ben" and row["side_p_value"] <= 0.01

    with_gold = diagnose(rd, gold=gold)
    assert with_gold.verdict is Verdict.ANNOTATOR_DEVIATION, with_gold.explanation
    assert with_gold.deviating == ("ben",)
    assert "their own reading of that boundary, not open items" in with_gold.explanation
    # gold in the model: the items are not open (gold and the others agree on them); ben's own
    # confusion matrix fits far better than the team's error pattern (step 2b)
    ben = with_gold.evidence["annotators"].set_index("annotator").loc["ben"]
    assert ben["own_confusion_flag"] and ben["own_confusion_p"] <= 0.01
    assert (ben["own_confusion_truth"], ben["own_confusion_says"]) == ("caveat", "safe")
    # gold only after the fit (as before): the pair is found, carried by ben and settled by gold
    after = diagnose(rd, gold=gold, thresholds=Thresholds(gold_in_model=False))
    assert after.deviating == ("ben",)
    assert after.evidence["open_pairs"].iloc[0]["settled_by_gold"]


def test_a_large_round_is_fitted_on_a_sample_and_read_whole():
    team = simulate_team("ambiguous", n_annotators=4, n_items=600, seed=3)
    d = diagnose(team.data, thresholds=Thresholds(max_model_items=200))
    assert d.verdict is Verdict.AMBIGUOUS_GUIDELINE
    assert len(d.evidence["disputed_items"]) == len(d.ambiguous_items) > 120  # beyond the 200 fitted
    assert named_open_share(team, d) >= 0.7


def test_the_verdict_title_of_undetermined_is_plain():
    assert Verdict.UNDETERMINED.title.startswith("undetermined: the data cannot tell")


def test_null_split_count_of_a_large_round_is_estimated_on_a_sample_close_to_the_full_simulation():
    """The descriptive null split count is simulated on NULL_SPLIT_ITEMS items when a round has
    more, and scaled; it stays within a few percent of simulating every item."""
    from workbench.analytics import diagnosis as dg

    rng = np.random.default_rng(11)
    n = dg.NULL_SPLIT_ITEMS + 10_000
    truth = rng.integers(0, 4, n)
    codes = np.where(rng.random((3, n)) < 0.85, truth, rng.integers(0, 4, (3, n))).astype(np.int32)
    counts = np.stack([np.bincount(col, minlength=4) for col in codes.T])
    th = dg.Thresholds()
    sampled, _ = dg._split_statistics(codes, counts, "majority", th, np.random.default_rng(0))
    full = dg._null_splits(codes, counts, "majority", th.split_share, th.null_draws, np.random.default_rng(0)).sum(axis=1)
    assert sampled["null_split"] == pytest.approx(full.mean(), rel=0.05)
    assert sampled["n_split"] == int(dg._split(counts, "majority", th.split_share).sum())  # observed: every item


# --------------------------------------------------------------------------------------------
# Gold inside the model (issue #13, "gold, where the round has it"): the gold values are one
# more observer whose accuracy is held at Thresholds.gold_accuracy. The figures in the comments
# are the earlier code's (gold used only after the fit) on the same seeds.
# --------------------------------------------------------------------------------------------


def _both_three(n_items, seeds=range(20), share=1.0):
    teams = [simulate_team("both", n_annotators=3, n_items=n_items, seed=s) for s in seeds]
    golds = [gold_sample(t, share, seed=s) for t, s in zip(teams, seeds)]
    return teams, [diagnose(t.data, gold=g) for t, g in zip(teams, golds)]


@pytest.mark.parametrize("n_items, least", [(60, 16), (80, 18)])
def test_with_gold_on_every_item_a_deviant_and_open_items_in_a_team_of_three_are_both(n_items, least):
    """Earlier: 11 of 20 (60 items) and 12 of 20 (80 items), with gold or without."""
    teams, diags = _both_three(n_items)
    right = [judge(t, d, check_items=False) for t, d in zip(teams, diags)]
    assert sum(right) >= least, [(d.verdict.value, d.deviating, t.deviant) for t, d in zip(teams, diags)]
    for t, d, ok in zip(teams, diags, right):
        if ok:
            assert d.deviating == (t.deviant,)
            assert f"Retrain (or re-check the work of) {t.deviant!r}" in d.explanation
            assert "Clarify the guideline for these items" in d.explanation
            assert "gold on each of them is already in the model" in d.explanation


def test_with_gold_the_open_items_are_found():
    """Named items against the open ones by construction, over 20 teams of three at 60 items.
    Earlier: precision 0.73, recall 0.52; now about 0.85 and 0.79."""
    teams, diags = _both_three(60)
    named = sum(len(d.ambiguous_items) for d in diags)
    hits = sum(len(set(d.ambiguous_items) & t.open_items) for t, d in zip(teams, diags))
    assert hits >= 0.8 * named
    assert hits >= 0.7 * sum(len(t.open_items) for t in teams)
    for t, d in zip(teams, diags):
        if d.confused_labels:
            cats = t.data.categories
            assert d.confused_labels[0] == tuple(sorted(t.open_pair, key=cats.index))


def test_with_gold_on_half_the_items_a_team_of_three_at_80_items_is_mostly_both():
    """Earlier (gold on every item): 12 of 20."""
    teams, diags = _both_three(80, share=0.5)
    assert sum(judge(t, d, check_items=False) for t, d in zip(teams, diags)) >= 16


def test_gold_in_the_model_names_nobody_in_teams_without_a_deviant():
    """The gold anchor, the own-matrix test and gold's confirmation of a short z must not blame
    good annotators: open items only, a team that agrees, uniform noise (three annotators)."""
    for case, least in (("ambiguous", 18), ("noise", 18)):
        teams = [simulate_team(case, n_annotators=3, n_items=80, seed=s) for s in range(20)]
        diags = [diagnose(t.data, gold=t.gold) for t in teams]
        assert sum(judge(t, d, check_items=False) for t, d in zip(teams, diags)) >= least, (
            case, [(d.verdict.value, d.deviating) for d in diags])
    teams = [simulate_team("agree", n_annotators=3, n_items=80, seed=s) for s in range(5)]
    assert all(diagnose(t.data, gold=t.gold).verdict is Verdict.RELIABLE for t in teams)


#: The diagnosis without gold on fixed seeds (teams of three, 60 items), as it was before gold
#: entered the model: (case, seed, verdict, deviating, number of items named, the first three).
NO_GOLD = [
    ("deviant", 0, "annotator_deviation", ("ana",), 0, ()),
    ("deviant", 1, "annotator_deviation", ("chloe",), 0, ()),
    ("ambiguous", 0, "both", ("chloe",), 21, ("item-000", "item-036", "item-002")),
    ("ambiguous", 1, "ambiguous_guideline", (), 18, ("item-018", "item-050", "item-015")),
    ("both", 0, "both", ("ben",), 13, ("item-003", "item-008", "item-009")),
    ("both", 4, "undetermined", (), 40, ("item-003", "item-005", "item-006")),
    ("both", 6, "annotator_deviation", ("ana",), 0, ()),
    ("both", 7, "diffuse", (), 0, ()),
    ("both", 9, "ambiguous_guideline", (), 15, ("item-029", "item-051", "item-016")),
    ("both", 11, "annotator_deviation", ("ana",), 0, ()),
    ("noise", 0, "diffuse", (), 0, ()),
]


@pytest.mark.parametrize("case, seed, verdict, deviating, n_named, first", NO_GOLD)
def test_without_gold_the_diagnosis_is_unchanged(case, seed, verdict, deviating, n_named, first):
    d = diagnose(simulate_team(case, n_annotators=3, n_items=60, seed=seed).data)
    assert (d.verdict.value, d.deviating, len(d.ambiguous_items), d.ambiguous_items[:3]) == (
        verdict, deviating, n_named, first)


def test_what_would_separate_the_causes_when_three_annotators_cannot():
    """Teams of three with a deviant and open items, no gold: the text says what the data cannot
    tell and what would (gold on which items, another annotator)."""
    # a deviant found, the open items short of the test: two annotators remain to show them
    t = simulate_team("both", n_annotators=3, n_items=60, seed=11)
    d = diagnose(t.data)
    assert d.verdict is Verdict.ANNOTATOR_DEVIATION and d.deviating == (t.deviant,)
    assert f"With {t.deviant!r} set aside, 2 annotators remain to show items the guideline leaves open" in d.explanation
    assert "too few to show them reliably" in d.explanation and "cannot be ruled out" in d.explanation
    assert "Gold values on the 12 items where the others split between 'L1' and 'L2'" in d.explanation
    assert "or another annotator on them, would tell whether they are open" in d.explanation
    # with gold on those items it is both
    g = diagnose(t.data, gold=t.gold)
    assert g.verdict is Verdict.BOTH and g.deviating == (t.deviant,)
    # a deviant and no open items: two annotators remain, nothing came close; say so, without alarm
    t = simulate_team("deviant", n_annotators=3, n_items=60, seed=0)
    d = diagnose(t.data)
    assert d.verdict is Verdict.ANNOTATOR_DEVIATION
    assert "too few to show them reliably (the closest label pair" in d.explanation
    assert "cannot be ruled out" not in d.explanation

    # open items found, the deviant short of the z: say so, and what would tell
    t = simulate_team("both", n_annotators=3, n_items=60, seed=9)
    d = diagnose(t.data)
    assert d.verdict is Verdict.AMBIGUOUS_GUIDELINE
    assert f"{t.deviant!r} meets every condition of a deviation but the z" in d.explanation
    assert "Gold values on some of the items" in d.explanation and "or more items, would tell" in d.explanation

    # both found with two annotators beside the deviant: the split items are one against one
    t = simulate_team("both", n_annotators=3, n_items=60, seed=0)
    d = diagnose(t.data)
    assert d.verdict is Verdict.BOTH
    assert f"With only 2 annotators beside {t.deviant!r}, an item they split on is one against one" in d.explanation
    assert "another annotator or gold on them would confirm" in d.explanation
    # with gold on half the items, it names the listed items that still lack it
    d = diagnose(t.data, gold=gold_sample(t, 0.5, seed=0))
    if d.verdict is Verdict.BOTH and d.ambiguous_items:
        assert "have no gold value" in d.explanation or "already in the model" in d.explanation


def test_a_team_that_shares_a_reading_against_gold_is_not_one_annotators_confusion():
    """Everyone but carol gives 'safe' for 'needs-caveat'; carol and gold do not. With gold in the
    model the pair is the team's reading, carol is not blamed, and the text says gold sides with her."""
    rd, gold, _ = simulate(1, n_ann=4, accuracy=0.9)
    codes = rd.codes.copy()
    truth = np.array([LABELS.index(gold[i]) for i in rd.items])
    for a in range(rd.n_annotators):
        if a != 2:
            codes[a] = np.where((truth == CAVEAT) & (codes[a] >= 0), SAFE, codes[a])
    codes[2] = np.where(codes[2] >= 0, truth, -1)
    rd2 = ReliabilityData(codes=codes, categories=LABELS, annotators=rd.annotators, items=rd.items)
    d = diagnose(rd2, gold=gold)
    assert d.deviating == () and d.verdict is not Verdict.UNDETERMINED
    assert "the rest of the team reads that boundary differently from gold" in d.explanation
    assert "Do not retrain 'carol'" in d.explanation


def test_gold_enters_the_model_as_an_anchor_of_fixed_accuracy():
    from workbench.analytics.latent_class import fit_latent_class

    t = simulate_team("both", n_annotators=3, n_items=80, seed=1)
    cats = t.data.categories
    gold_row = np.array([cats.index(t.gold[i]) for i in t.data.items])
    codes = np.vstack([t.data.codes, gold_row[None, :]])
    fit = fit_latent_class(codes, len(cats), fixed_accuracy={3: 0.95})
    assert fit.accuracy[3] == 0.95 and fit.fixed_accuracy == ((3, 0.95),)
    assert fit.emissions[3].diagonal() == pytest.approx(np.full(len(cats), 0.95))
    # the deviant's estimated accuracy is below the others'
    dev = t.data.annotators.index(t.deviant)
    assert fit.accuracy[dev] < np.delete(fit.accuracy[:3], dev).min()
    with pytest.raises(ValueError, match="fixed_accuracy"):
        fit_latent_class(codes, len(cats), fixed_accuracy={3: 1.0})
    with pytest.raises(BadInput, match="gold_accuracy"):
        Thresholds(gold_accuracy=0.4)


def test_the_level_and_band_types_name_exactly_the_levels_alpha_takes_and_the_bands_band_gives():
    from typing import get_args

    from workbench.analytics.alpha import LEVELS
    from workbench.analytics.diagnosis import Band, Level

    assert get_args(Level) == LEVELS
    assert {band(a) for a in (0.9, 0.7, 0.1, None, float("nan"))} == set(get_args(Band))


def test_the_json_helpers_live_in_records_and_diagnosis_exports_no_private_serialiser():
    import workbench.analytics.diagnosis as dg
    from workbench.analytics.records import frame_records, json_scalar

    assert not hasattr(dg, "_json_scalar")
    d = diagnose([[1, 2, 3, 1] * 10, [1, 2, 3, 1] * 10, [1, 2, 3, 2] * 10])
    out = d.to_dict()
    assert out["evidence"]["annotators"] == frame_records(d.evidence["annotators"])
    assert out["deviating"] == [json_scalar(a) for a in d.deviating] == [2]
    assert json.loads(json.dumps(out, allow_nan=False)) == out  # no NaN left anywhere
