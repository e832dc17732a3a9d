"""The diagnosis on simulated teams whose trouble is known by construction."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench.analytics.diagnosis import Thresholds, Verdict, band, diagnose
from workbench.analytics.reliability import ReliabilityData
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


def test_in_a_team_of_three_a_deviant_is_found_by_resampling_items_not_by_the_mad_of_three():
    """Three annotators: the MAD of three relative disagreements is one difference (how
    differently the deviant happens to disagree with each of the other two), so the team-MAD
    score missed a clear flipper on a third of these teams. Scored against resampling the items
    it is found on every one."""
    old = Thresholds(small_team=3)  # below three annotators the small-team rule never applies
    missed_before = 0
    for seed in range(10):
        rd, _, _ = simulate(seed, n_items=400, n_ann=3, flipper=2)
        d = diagnose(rd)
        assert d.deviating == ("carol",), (seed, d.explanation)
        ann = d.evidence["annotators"].set_index("annotator")
        assert ann.loc["carol", "z"] >= 3.5 > ann.drop("carol")["z"].max()
        assert ann.loc["carol", "excess"] == pytest.approx(
            ann.loc["carol", "relative"] - ann.drop("carol")["relative"].median())
        assert "against resampling the items: a team of 3 is too small for a robust spread" in d.explanation
        missed_before += diagnose(rd, thresholds=old).deviating != ("carol",)
    assert missed_before >= 3


def test_in_a_noisy_consistent_team_of_three_nobody_is_blamed():
    """Three equally noisy annotators on 40 items: the team-MAD score blamed one of them on a
    tenth of such teams; the item-resampling score blames nobody."""
    old = Thresholds(small_team=3)
    blamed_before = 0
    for seed in range(30):
        rd, _, _ = simulate(seed, n_items=40, n_ann=3, accuracy=0.8)
        d = diagnose(rd)
        assert d.deviating == (), (seed, d.explanation)
        if d.verdict is not Verdict.RELIABLE:
            assert "largest z against resampling the items" in d.explanation
        blamed_before += bool(diagnose(rd, thresholds=old).deviating)
    assert blamed_before >= 1


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
    assert "cannot be attributed to either" in d.explanation
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
