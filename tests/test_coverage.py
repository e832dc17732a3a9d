"""The coverage core (workbench/analytics/coverage.py): intervals against published values and
statsmodels, the flag rule, the fewest additions against an exhaustive search, and the fill of a
round against an exhaustive search and against first-come."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from statsmodels.stats.proportion import multinomial_proportions_confint, proportion_confint

from workbench.analytics.coverage import (MISSING, additions_to_close, classify, compare_mix, fill_toward_target,
                                          mix_distance, share_intervals, within)
from workbench.errors import BadInput


# -- intervals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("r, n, low, high", [  # Newcombe (1998), Table II, method 3 (score)
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)])
def test_wilson_matches_newcombe_1998(r, n, low, high):
    lo, hi = share_intervals([r, n - r], method="wilson")
    assert round(float(lo[0]), 4) == low and round(float(hi[0]), 4) == high


def test_wilson_and_goodman_match_statsmodels():
    rng = np.random.default_rng(3)
    for _ in range(50):
        k = int(rng.integers(2, 7))
        counts = rng.integers(0, 60, size=k)
        counts[0] += 1
        for conf in (0.9, 0.95, 0.99):
            lo, hi = share_intervals(counts, confidence=conf, method="wilson")
            slo, shi = proportion_confint(counts, counts.sum(), alpha=1 - conf, method="wilson")
            np.testing.assert_allclose(lo, slo, atol=1e-12)
            np.testing.assert_allclose(hi, shi, atol=1e-12)
            g = multinomial_proportions_confint(counts, alpha=1 - conf, method="goodman")
            lo, hi = share_intervals(counts, confidence=conf)
            np.testing.assert_allclose(lo, g[:, 0], atol=1e-12)
            np.testing.assert_allclose(hi, g[:, 1], atol=1e-12)


def test_goodman_is_wider_than_wilson_and_no_records_is_the_unit_interval():
    lo_w, hi_w = share_intervals([30, 50, 20], method="wilson")
    lo_g, hi_g = share_intervals([30, 50, 20], method="goodman")
    assert (lo_g < lo_w).all() and (hi_g > hi_w).all()
    lo, hi = share_intervals([0, 0, 0])
    assert lo.tolist() == [0, 0, 0] and hi.tolist() == [1, 1, 1]


def test_interval_coverage_by_simulation():
    """Goodman's intervals hold together in at least 95% of samples (simultaneous coverage)."""
    rng = np.random.default_rng(0)
    p = np.array([0.5, 0.3, 0.15, 0.05])
    hits = 0
    for _ in range(2000):
        c = rng.multinomial(200, p)
        lo, hi = share_intervals(c)
        hits += bool(((lo <= p) & (p <= hi)).all())
    assert hits / 2000 >= 0.94


# -- the flag rule -----------------------------------------------------------------------------

def test_classify_rule():
    # band 0.25 .. 0.35
    assert classify(0.30, 0.2, 0.4, 0.30, 0.05) == "ok"
    assert classify(0.25, 0.2, 0.3, 0.30, 0.05) == "ok"  # on the band's edge
    assert classify(0.10, 0.05, 0.2499, 0.30, 0.05) == "under"  # the whole interval below the band
    assert classify(0.10, 0.05, 0.25, 0.30, 0.05) == "under?"  # the interval touches the band
    assert classify(0.50, 0.3501, 0.6, 0.30, 0.05) == "over"
    assert classify(0.50, 0.34, 0.6, 0.30, 0.05) == "over?"
    assert classify(float("nan"), 0, 1, 0.3, 0.05, n=0, count=0) == "no data"
    # in records: 5 of 20 is exactly 0.3 - 0.05, inside although (0.3 - 0.05) * 20 is 4.999... in floats
    assert within(5, 20, 0.3, 0.05) and not within(4, 20, 0.3, 0.05) and within(7, 20, 0.3, 0.05)
    assert classify(0.25, 0.1, 0.45, 0.3, 0.05, n=20, count=5) == "ok"


def test_compare_mix_table():
    m = compare_mix({"b": 30, "a": 150, "zz": 10, MISSING: 10}, {"a": 0.5, "b": 0.3, "c": 0.2}, 0.05)
    t = m.table.set_index("category")
    assert list(t.index) == ["a", "b", "c", "zz", MISSING]
    assert m.n == 200 and t.loc["a", "share"] == 0.75 and t.loc["c", "count"] == 0
    assert t.loc["a", "status"] == "over" and t.loc["c", "status"] == "under" and t.loc["b", "status"] == "under"
    assert not t.loc["zz", "planned"] and t.loc["zz", "target"] == 0
    assert m.flagged == ["a", "b", "c"]  # 'zz' (5%, target 0, band up to 5%) is not outside its band
    assert t.loc["zz", "status"] == "ok"
    assert m.needed_total == int(t["needed"].sum()) > 0
    lo, hi = share_intervals([150, 30, 0, 10, 10])  # k = every row, for Goodman
    np.testing.assert_allclose(t["low"].to_numpy(), lo)
    d = m.to_dict()
    assert d["categories"][0]["category"] == "a" and isinstance(d["categories"][0]["needed"], int)


def test_compare_mix_with_no_records_says_what_to_add():
    m = compare_mix({}, {"a": 0.5, "b": 0.5}, 0.1)
    assert set(m.table["status"]) == {"no data"} and m.table["needed"].tolist() == [1, 1]


@pytest.mark.parametrize("call", [
    lambda: compare_mix({"a": 1}, {"a": 0.5, "b": 0.4}, 0.05),
    lambda: compare_mix({"a": 1}, {"a": 1.0}, 0),
    lambda: compare_mix({"a": -1}, {"a": 1.0}, 0.05),
    lambda: share_intervals([1, 2], method="exact"),
    lambda: additions_to_close([1, 2], [0.5, 0.6], 0.05),
    lambda: fill_toward_target([["a"]], [{"a": 1.0}], -1),
])
def test_bad_arguments_are_bad_input(call):
    with pytest.raises(BadInput):
        call()


# -- the fewest additions: against an exhaustive search -----------------------------------------

def _brute_min_total(counts, targets_pct, tol_pct, limit):
    """The smallest sum of additions (each category 0..limit) that puts every share within the
    band, in exact integer arithmetic: |100 (c + a) - T M| <= tau M."""
    c = np.asarray(counts)
    grids = np.array(list(itertools.product(range(limit + 1), repeat=len(c))))
    m = c.sum() + grids.sum(axis=1)
    x = c + grids
    ok = (np.abs(100 * x - np.outer(m, targets_pct)) <= tol_pct * m[:, None]).all(axis=1) & (m > 0)
    return int(grids[ok].sum(axis=1).min()) if ok.any() else None


def test_additions_are_the_fewest_by_exhaustive_search():
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(300):
        k = int(rng.integers(2, 4))
        cuts = np.sort(rng.choice(np.arange(1, 20), size=k - 1, replace=False)) * 5  # shares in 5% steps
        pct = np.diff(np.concatenate([[0], cuts, [100]]))
        tol = int(rng.choice([2, 5, 10, 15]))
        counts = rng.integers(0, 9, size=k)
        a = additions_to_close(counts, pct / 100, tol / 100)
        x, m = counts + a, counts.sum() + a.sum()
        assert (np.abs(100 * x - pct * m) <= tol * m).all() and (a >= 0).all()  # feasible, exactly
        if a.sum() > 16:
            continue  # the search below would be too big
        assert a.sum() == _brute_min_total(counts, pct, tol, int(a.sum())), (counts, pct, tol, a)
        checked += 1
    assert checked > 150


def test_additions_hand_worked():
    # 70 a / 30 b against 50/50 +- 5: a may be at most 55%, so 128 in all (70/128 = 0.547; 127 gives 0.551),
    # of which b 58 (0.453 >= 0.45)
    assert additions_to_close([70, 30], [0.5, 0.5], 0.05).tolist() == [0, 28]
    assert additions_to_close([50, 50], [0.5, 0.5], 0.05).tolist() == [0, 0]
    # a value the plan does not name (target 0) can only be diluted: 10 of them need 200 in all at 5%
    assert additions_to_close([0, 10], [1.0, 0.0], 0.05).tolist() == [190, 0]


# -- filling a round toward the target -------------------------------------------------------------

def _mix(cats, picks, existing=None):
    out = dict(existing or {})
    for p in picks:
        out[cats[p][0]] = out.get(cats[p][0], 0) + 1
    return out


def test_fill_is_optimal_for_one_plan_by_exhaustive_search():
    rng = np.random.default_rng(5)
    for _ in range(600):
        k = int(rng.integers(2, 5))
        avail = rng.integers(0, 6, size=k)
        if not avail.sum():
            continue
        ex = {f"c{i}": int(v) for i, v in enumerate(rng.integers(0, 5, size=k))}
        t = rng.dirichlet(np.ones(k))
        target = {f"c{i}": float(v) for i, v in enumerate(t / t.sum())}
        n = int(rng.integers(1, avail.sum() + 1))
        cats = [[f"c{i}"] for i in range(k) for _ in range(avail[i])]
        picks = fill_toward_target(cats, [target], n, existing=[ex], seed=int(rng.integers(100)))
        assert len(picks) == n == len(set(picks))
        best = min(mix_distance({f"c{i}": ex[f"c{i}"] + x[i] for i in range(k)}, target)
                   for x in itertools.product(*[range(a + 1) for a in avail]) if sum(x) == n)
        assert mix_distance(_mix(cats, picks, ex), target) <= best + 1e-12


def test_fill_on_a_skewed_pool_is_closer_than_first_come():
    rng = np.random.default_rng(2)
    pool = [["A"]] * 400 + [["B"]] * 75 + [["C"]] * 25
    order = rng.permutation(len(pool))
    cats = [pool[i] for i in order]
    target = {"A": 0.4, "B": 0.4, "C": 0.2}
    picks = fill_toward_target(cats, [target], 100, seed=1)
    assert _mix(cats, picks) == {"A": 40, "B": 40, "C": 20}  # the target exactly: the pool has enough of each
    first_come = _mix(cats, range(100))
    assert mix_distance(_mix(cats, picks), target) == 0 < 0.2 < mix_distance(first_come, target)
    # within a category, pool order; the whole is deterministic for a seed
    for c in "ABC":
        mine = [p for p in picks if cats[p][0] == c]
        assert mine == sorted(mine) == [i for i, x in enumerate(cats) if x[0] == c][:len(mine)]
    assert fill_toward_target(cats, [target], 100, seed=1) == picks
    # C runs out: the rest split A and B evenly
    few_c = [["A"]] * 400 + [["B"]] * 75 + [["C"]] * 10
    assert _mix(few_c, fill_toward_target(few_c, [target], 100)) == {"A": 45, "B": 45, "C": 10}


def test_fill_counts_what_is_there_and_takes_off_plan_values_last():
    cats = [["A"]] * 10 + [["x"]] * 10 + [["B"]] * 3
    got = fill_toward_target(cats, [{"A": 0.5, "B": 0.5}], 6, existing=[{"A": 4}])
    # 10 in the end, 5 A and 5 B wanted: B (all 3 the pool has), then A to 5; then A and x are both at or
    # above target (a tie the seed breaks), so one more of each
    assert [cats[p][0] for p in got][:4] == ["B", "B", "B", "A"]
    assert _mix(cats, got) in ({"A": 2, "B": 3, "x": 1}, {"A": 1, "B": 3, "x": 2})


def test_fill_with_two_plans_beats_first_come():
    rng = np.random.default_rng(4)
    topics = rng.choice(["t1", "t2", "t3"], size=600, p=[0.7, 0.2, 0.1])
    kinds = rng.choice(["qa", "edge"], size=600, p=[0.95, 0.05])
    cats = [[a, b] for a, b in zip(topics, kinds)]
    targets = [{"t1": 1 / 3, "t2": 1 / 3, "t3": 1 / 3}, {"qa": 0.8, "edge": 0.2}]
    picks = fill_toward_target(cats, targets, 90, seed=0)

    def dist(ps):
        return sum(mix_distance(_mix([[c[p]] for c in cats], ps), t) for p, t in enumerate(targets))

    assert dist(picks) < 0.1 < 0.5 < dist(range(90))
