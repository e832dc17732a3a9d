"""Tests for workbench.analytics.drift (and the simulated annotators it is checked against).

Reference recursions are written out by hand here, from the textbooks:

* EWMA: Montgomery, D. C. (2009), Introduction to Statistical Quality Control, 6th ed.,
  section 9.2: z_i = lam x_i + (1 - lam) z_{i-1}, z_0 = mu0, limits
  mu0 +/- L sigma sqrt(lam / (2 - lam) (1 - (1 - lam)^(2i))) (eqs. 9.22, 9.24, 9.25).
* Bernoulli CUSUM: Reynolds, M. R. & Stoumbos, Z. G. (1999), A CUSUM chart for monitoring a
  proportion when inspecting continuously, J. Quality Technology 31(1): B_n = max(0, B_{n-1} +
  X_n - gamma), gamma = ln((1-p0)/(1-p1)) / ln(p1 (1-p0) / (p0 (1-p1))), signal at B_n >= h.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from workbench.analytics import drift
from workbench.analytics.simulate import SimulatedAnnotator, simulate_annotations, simulate_gold_stream
from workbench.errors import BadInput


# ------------------------------------------------------------------ hand-written references


def ewma_by_hand(x, mu0, sigma, lam, L):
    z, out, lcl, ucl = mu0, [], [], []
    for i, xi in enumerate(x, start=1):
        z = lam * xi + (1 - lam) * z
        w = L * sigma * math.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * i)))
        out.append(z)
        lcl.append(mu0 - w)
        ucl.append(mu0 + w)
    return out, lcl, ucl


def cusum_by_hand(y, gamma, h=None, restart=False):
    b, out, sig = 0.0, [], []
    for yi in y:
        b = max(0.0, b + yi - gamma)
        out.append(b)
        fired = h is not None and b >= h - 1e-9
        sig.append(fired)
        if fired and restart:
            b = 0.0
    return np.array(out), np.array(sig)


def labels_frame(rows):
    df = pd.DataFrame(rows, columns=["item", "annotator", "question", "value", "time"])
    df["time"] = pd.to_datetime(df["time"])
    df["round"] = 0
    df["guideline_version"] = "v1"
    return df


# ------------------------------------------------------------------ EWMA


def test_ewma_matches_montgomery_recursion():
    rng = np.random.default_rng(0)
    x = rng.normal(10, 1, 40)
    z, lcl, ucl = drift.ewma(x, mu0=10, sigma=1, lam=0.1, L=2.7)
    hz, hl, hu = ewma_by_hand(x, 10, 1, 0.1, 2.7)
    np.testing.assert_allclose(z, hz, rtol=1e-12)
    np.testing.assert_allclose(lcl, hl, rtol=1e-12)
    np.testing.assert_allclose(ucl, hu, rtol=1e-12)
    # Montgomery Example 9.2: z_1 = 0.1 * 9.45 + 0.9 * 10 = 9.945; first limits 10.27 / 9.73.
    z, lcl, ucl = drift.ewma([9.45], mu0=10, sigma=1, lam=0.1, L=2.7)
    assert z[0] == pytest.approx(9.945)
    assert (round(lcl[0], 2), round(ucl[0], 2)) == (9.73, 10.27)


def test_ewma_limits_widen_to_the_asymptotic_width():
    _, lcl, _ = drift.ewma(np.ones(500), mu0=0.9, sigma=0.3, lam=0.2, L=3)
    assert np.all(np.diff(lcl) <= 0)
    assert lcl[-1] == pytest.approx(0.9 - 3 * 0.3 * math.sqrt(0.2 / 1.8))


# ------------------------------------------------------------------ Bernoulli CUSUM


def test_cusum_matches_reynolds_stoumbos_recursion():
    d = drift.design_bernoulli_cusum(0.1, 0.25, arl0=500)
    rng = np.random.default_rng(1)
    y = (rng.random(3000) < 0.2).astype(int)
    hand, _ = cusum_by_hand(y, d.gamma)
    np.testing.assert_allclose(drift.bernoulli_cusum(y, d), hand, atol=1e-9)
    # replicates along the last axis give the same rows
    y2 = (rng.random((3, 400)) < 0.3).astype(int)
    s2 = drift.bernoulli_cusum(y2, d)
    for r in range(3):
        np.testing.assert_allclose(s2[r], cusum_by_hand(y2[r], d.gamma)[0], atol=1e-9)


def test_cusum_reference_value_is_the_llr_value():
    p0, p1 = 0.2, 0.35
    d = drift.design_bernoulli_cusum(p0, p1, max_denominator=1000)
    exact = math.log((1 - p0) / (1 - p1)) / math.log(p1 * (1 - p0) / (p0 * (1 - p1)))
    assert abs(d.gamma - exact) < 1e-3
    assert p0 < d.gamma < p1


def test_cusum_arl_exact_on_two_in_a_row():
    # m=2, a=1, H=2: signals at the first two events in a row; E[wait] = (1 + p) / p^2.
    d = drift.BernoulliCusumDesign(p0=0.3, p1=0.6, gamma=0.5, m=2, a=1, H=2, h=1.0, arl0=0, arl1=0)
    for p in (0.2, 0.5, 0.7):
        assert drift.bernoulli_cusum_arl(p, d) == pytest.approx((1 + p) / p**2, rel=1e-10)


def test_design_meets_arl_target_with_smallest_limit():
    d = drift.design_bernoulli_cusum(0.1, 0.25, arl0=800)
    assert d.arl0 >= 800
    smaller = drift.BernoulliCusumDesign(**{**d.__dict__, "H": d.H - 1})
    assert drift.bernoulli_cusum_arl(0.1, smaller) < 800
    assert d.arl1 < d.arl0 / 10
    # The run-length distribution agrees with the ARL: E[RL] = sum_t P(RL > t).
    cdf = drift.bernoulli_cusum_run_length_cdf(0.25, d, 3000)
    assert 1 + np.sum(1 - cdf[:-1]) == pytest.approx(d.arl1, rel=1e-6)


def test_stable_annotator_false_alarms_at_designed_rate():
    """In control, the share of runs with an alarm within N matches the exact P(RL <= N)."""
    d = drift.design_bernoulli_cusum(0.1, 0.25, arl0=1000)
    n, reps = 300, 3000
    x = simulate_gold_stream(n, 0.9, replicates=reps, seed=11)
    s = drift.bernoulli_cusum(1 - x, d)
    fired = (s >= d.h - 1e-9).any(axis=1).mean()
    expected = drift.bernoulli_cusum_run_length_cdf(0.1, d, n)[-1]
    margin = 4 * math.sqrt(expected * (1 - expected) / reps)
    assert abs(fired - expected) < margin, (fired, expected)
    assert expected < 0.30  # and the designed rate itself is a low one for 300 gold items


def test_stable_annotator_seeded_run_no_alarm_with_long_arl():
    sim = simulate_annotations([SimulatedAnnotator("stable", accuracy=0.9)], n_items=1500, seed=5)
    chart = drift.monitor_gold_agreement(drift.gold_observations(sim.labels, sim.gold), baseline=0.9, arl0=20000)
    # P(any alarm in 1500 | ARL0 >= 20000) is about 7%; the seeded run has none.
    assert chart.summary.loc[0, "n_alarms"] == 0


def test_fifteen_point_drop_detected_after_change_not_before():
    change = 800
    sim = simulate_annotations(
        [SimulatedAnnotator("stable", 0.9), SimulatedAnnotator("dropper", 0.9, drop=0.15, change_at=change)],
        n_items=1600, seed=21,
    )
    obs = drift.gold_observations(sim.labels, sim.gold)
    chart = drift.monitor_gold_agreement(obs, baseline=0.9, arl0=20000)
    summary = chart.summary.set_index("annotator")
    first = summary.loc["dropper", "first_alarm_seq"]
    assert first is not pd.NA and change <= first < change + 400
    assert summary.loc["dropper", "first_alarm_time"] >= sim.labels.loc[sim.labels["item"] == change, "time"].min()
    assert summary.loc["stable", "n_alarms"] == 0


def test_fifteen_point_drop_detection_rate_over_replicates():
    d = drift.design_bernoulli_cusum(0.1, 0.25, arl0=1000)
    change, n, reps = 200, 700, 1000
    x = simulate_gold_stream(n, 0.9, drop=0.15, change_at=change, replicates=reps, seed=3)
    s = drift.bernoulli_cusum(1 - x, d)
    above = s >= d.h - 1e-9
    first = np.where(above.any(axis=1), above.argmax(axis=1), n)
    before = (first < change).mean()
    p_before = drift.bernoulli_cusum_run_length_cdf(0.1, d, change)[-1]
    assert before < p_before + 4 * math.sqrt(p_before * (1 - p_before) / reps)
    after = first[first >= change]
    assert (after < n).mean() > 0.99
    delay = np.median(after - change)
    assert 0.5 * d.arl1 < delay < 1.5 * d.arl1


def test_monitor_statistic_and_restart_match_hand_recursion():
    rng = np.random.default_rng(8)
    n = 900
    obs = pd.DataFrame({
        "annotator": np.repeat(["a", "b"], n),
        "time": np.tile(pd.date_range("2024-01-01", periods=n, freq="h"), 2),
        "guideline_version": "v1",
        "correct": np.concatenate([rng.random(n) < 0.9, rng.random(n) < 0.7]),
    })
    chart = drift.monitor_gold_agreement(obs, baseline_n=100, arl0=300, baseline_guarantee=None)
    for ann in ("a", "b"):
        pts = chart.points.loc[chart.points["annotator"] == ann]
        x = obs.loc[obs["annotator"] == ann, "correct"].to_numpy().astype(int)
        acc0 = (x[:100].sum() + 0.5) / 101
        p0 = round(1 - acc0, 4)
        d = drift.design_bernoulli_cusum(p0, round(p0 + 0.15, 4), arl0=300)
        hand, sig = cusum_by_hand(1 - x[100:], d.gamma, d.h, restart=True)
        mon = pts.loc[pts["phase"] == "monitor"]
        np.testing.assert_allclose(mon["statistic"].to_numpy(), hand, atol=1e-9)
        np.testing.assert_array_equal(mon["alarm"].to_numpy(), sig)
        assert pts.loc[pts["phase"] == "baseline", "statistic"].isna().all()
        row = chart.summary.set_index("annotator").loc[ann]
        assert row["n_alarms"] == sig.sum()
    assert chart.summary.set_index("annotator").loc["b", "n_alarms"] > 0


def _stream(annotator: str, correct) -> pd.DataFrame:
    correct = np.asarray(correct, dtype=bool)
    return pd.DataFrame({"annotator": annotator, "guideline_version": 1, "correct": correct,
                         "time": pd.date_range("2026-01-05", periods=len(correct), freq="h")})


def test_a_small_programme_is_charted_against_the_task_bar_from_the_first_answer():
    """Issue #13: with 30 gold answers in all nobody got a chart (the baseline window is 200), so
    a collapse from 0.85 to 0.20 at answer 10 never alarmed. Against the bar it alarms within a
    few answers of the collapse, and a steady annotator above the bar raises none."""
    rng = np.random.default_rng(13)
    collapse = np.r_[rng.random(10) < 0.85, rng.random(20) < 0.20]
    steady = rng.random(30) < 0.90
    obs = pd.concat([_stream("collapses", collapse), _stream("steady", steady)], ignore_index=True)

    unaided = drift.monitor_gold_agreement(obs).summary.set_index("annotator")
    assert (unaided["n_monitored"] == 0).all() and (unaided["n_alarms"] == 0).all()

    chart = drift.monitor_gold_agreement(obs, bar=0.7)
    summary = chart.summary.set_index("annotator")
    assert list(summary["baseline_source"]) == ["task bar", "task bar"]
    assert (summary["n_monitored"] == 30).all() and (summary["n_baseline"] == 0).all()
    assert summary.loc["collapses", "n_alarms"] >= 1
    assert 10 <= summary.loc["collapses", "first_alarm_seq"] < 25
    assert summary.loc["steady", "n_alarms"] == 0
    assert summary.loc["collapses", "target_accuracy"] == pytest.approx(0.55)


def test_a_long_stream_keeps_its_own_baseline_when_a_bar_is_given():
    x = np.random.default_rng(3).random(400) < 0.9
    with_bar = drift.monitor_gold_agreement(_stream("a", x), bar=0.7).summary.iloc[0]
    without = drift.monitor_gold_agreement(_stream("a", x)).summary.iloc[0]
    assert with_bar["baseline_source"] == without["baseline_source"] == "estimated, 0.9 lower bound"
    assert with_bar["baseline_accuracy"] == without["baseline_accuracy"]


def test_summary_gives_design_run_lengths_and_those_at_the_estimated_accuracy():
    """Issue #13: the summary's ARLs described the design at the Jeffreys lower bound, not the
    chart as it runs; both are given now, under names that say which is which."""
    x = np.random.default_rng(5).random(1200) < 0.9
    row = drift.monitor_gold_agreement(_stream("a", x)).summary.iloc[0]
    k, n = int(x.sum()), len(x)
    p_est = 1 - (k + 0.5) / (n + 1)
    acc0 = drift.baseline_accuracy(x[:200], guarantee=0.9)
    p0 = round(min(max(1 - acc0, 0.005), 0.995 - 0.15), 4)
    design = drift.design_bernoulli_cusum(p0, round(p0 + 0.15, 4), arl0=2000)
    assert row["design_arl0"] == pytest.approx(design.arl0) and row["design_arl1"] == pytest.approx(design.arl1)
    assert row["arl0_at_estimate"] == pytest.approx(drift.bernoulli_cusum_arl(p_est, design))
    assert row["arl1_at_estimate"] == pytest.approx(drift.bernoulli_cusum_arl(p_est + 0.15, design))
    # the design sits at a lower bound of the accuracy: as it runs, the chart waits longer
    assert row["arl0_at_estimate"] > row["design_arl0"] and row["arl1_at_estimate"] > row["design_arl1"]
    assert "arl0" not in row.index  # no unlabelled run length left


def test_bar_outside_zero_one_is_bad_input():
    with pytest.raises(BadInput, match="bar must be an accuracy in"):
        drift.monitor_gold_agreement(_stream("a", [True, False]), bar=70)


def test_baseline_guarantee_keeps_in_control_arl_above_target():
    """Exact over the binomial law of the calibration window: with the 0.9 lower bound, at least
    ~90% of annotators get a chart whose true in-control ARL reaches the target; with the
    point estimate only about half do."""
    n, acc, target = 200, 0.9, 2000
    pmf = stats.binom.pmf(np.arange(n + 1), n, acc)

    def coverage(guarantee):
        cover = 0.0
        for k in np.flatnonzero(pmf > 1e-7):
            a0 = drift.baseline_accuracy(np.r_[np.ones(k), np.zeros(n - k)], guarantee=guarantee)
            p0 = round(min(max(1 - a0, 0.005), 0.995 - 0.15), 4)
            d = drift.design_bernoulli_cusum(p0, round(p0 + 0.15, 4), arl0=target)
            cover += pmf[k] * (drift.bernoulli_cusum_arl(1 - acc, d) >= target)
        return cover

    assert coverage(0.9) >= 0.87
    assert coverage(None) < 0.65


def test_monitor_ewma_alarm_points_are_first_crossings():
    x = np.r_[np.ones(50), np.zeros(20), np.ones(30)].astype(bool)
    obs = pd.DataFrame({"annotator": "a", "guideline_version": "v1", "correct": x,
                        "time": pd.date_range("2024-01-01", periods=len(x), freq="h")})
    chart = drift.monitor_gold_agreement(obs, method="ewma", baseline=0.9, lam=0.2, L=3)
    z, lcl, _ = ewma_by_hand(x.astype(float), 0.9, math.sqrt(0.09), 0.2, 3)
    below = np.array(z) < np.array(lcl)
    np.testing.assert_allclose(chart.points["statistic"], z)
    assert chart.points["alarm"].sum() == 1
    assert chart.summary.loc[0, "first_alarm_seq"] == int(np.argmax(below)) >= 50


# ------------------------------------------------------------------ agreement tables


def test_gold_observations_accuracy_and_abs_error():
    df = labels_frame([
        (1, "a", "rating", 3, "2024-01-01"), (1, "b", "rating", 5, "2024-01-01"),
        (2, "a", "rating", 2, "2024-01-02"), (3, "a", "rating", 4, "2024-01-03"),
        (1, "a", "topic", "x", "2024-01-01"),
    ])
    gold = pd.DataFrame({"item": [1, 2, 1], "question": ["rating", "rating", "topic"], "value": [3, 4, "x"]})
    obs = drift.gold_observations(df, gold, numeric_questions=["rating"])
    assert len(obs) == 4  # item 3 has no gold
    a = obs.loc[obs["annotator"] == "a"]
    assert a["question"].tolist() == ["rating", "topic", "rating"]  # time, then item, then question
    assert a["correct"].tolist() == [True, True, False]
    assert a.loc[a["question"] == "rating", "abs_error"].tolist() == [0.0, 2.0]
    assert obs.loc[obs["question"] == "topic", "abs_error"].isna().all()
    assert obs.loc[obs["annotator"] == "b", "abs_error"].tolist() == [2.0]


def test_team_observations_leave_one_out_matches_brute_force():
    rng = np.random.default_rng(4)
    rows = []
    for item in range(60):
        for ann in rng.choice(list("abcdef"), size=rng.integers(1, 7), replace=False):
            for _ in range(rng.integers(1, 3)):  # repeated judgements
                rows.append((item, ann, "q", rng.choice(["x", "y", "z"], p=[0.6, 0.3, 0.1]), "2024-01-01"))
    df = labels_frame(rows)
    got = drift.team_observations(df, min_others=2)
    got_blocked = drift.team_observations(df, min_others=2, max_cells=7)
    pd.testing.assert_frame_equal(got, got_blocked)
    expected = []
    for r in df.itertuples():
        others = df.loc[(df["item"] == r.item) & (df["annotator"] != r.annotator)]
        counts = others["value"].value_counts()
        ok = others["annotator"].nunique() >= 2 and len(counts) and (counts == counts.max()).sum() == 1
        expected.append((r.item, r.annotator, r.value, counts.idxmax() if ok else None,
                         float(counts.idxmax() == r.value) if ok else np.nan))
    exp = pd.DataFrame(expected, columns=["item", "annotator", "value", "team_value", "agrees_team"])
    key = ["item", "annotator", "value"]
    g = got.sort_values(key, kind="stable").reset_index(drop=True)
    e = exp.sort_values(key, kind="stable").reset_index(drop=True)
    assert g["team_value"].where(g["team_value"].notna(), None).tolist() == e["team_value"].tolist()
    np.testing.assert_array_equal(g["agrees_team"].to_numpy(), e["agrees_team"].to_numpy())


def test_team_observations_within_round_and_strict_majority():
    df = labels_frame([
        (1, "a", "q", "x", "2024-01-01"), (1, "b", "q", "x", "2024-01-01"), (1, "c", "q", "y", "2024-01-01"),
        (1, "d", "q", "z", "2024-01-01"),
        (1, "a", "q", "y", "2024-02-01"), (1, "b", "q", "y", "2024-02-01"), (1, "c", "q", "y", "2024-02-01"),
    ])
    df["round"] = [0, 0, 0, 0, 1, 1, 1]
    pooled = drift.team_observations(df)
    by_round = drift.team_observations(df, within=("round",))
    d_pooled = pooled.loc[pooled["annotator"] == "d"].iloc[0]
    assert d_pooled["team_value"] == "y"  # others: x, x, y, y, y, y
    # in round 0 the others of d are a:x, b:x, c:y -> plurality x
    assert by_round.loc[by_round["annotator"] == "d", "team_value"].iloc[0] == "x"
    strict = drift.team_observations(df, within=("round",), strict_majority=True)
    c0 = strict.loc[(strict["annotator"] == "c") & (strict["time"] < "2024-01-15")].iloc[0]
    assert c0["team_value"] == "x"  # a:x, b:x, d:z -> 2 of 3
    a0 = strict.loc[(strict["annotator"] == "a") & (strict["time"] < "2024-01-15")].iloc[0]
    assert pd.isna(a0["team_value"])  # b:x, c:y, d:z -> no majority


def test_team_observations_sorted_by_annotator_then_time_with_time_zones():
    df = labels_frame([
        (1, "b", "q", "x", "2024-01-03"), (1, "a", "q", "x", "2024-01-02"), (1, "c", "q", "x", "2024-01-01"),
        (2, "a", "q", "y", "2024-01-01"), (2, "b", "q", "y", "2024-01-01"), (2, "c", "q", "x", "2024-01-04"),
    ])
    df["time"] = df["time"].dt.tz_localize("Europe/Paris")
    out = drift.team_observations(df, min_others=1)
    assert list(zip(out["annotator"], out["item"])) == [("a", 2), ("a", 1), ("b", 2), ("b", 1), ("c", 1), ("c", 2)]
    assert str(out["time"].dt.tz) == "Europe/Paris"
    assert out.loc[(out["annotator"] == "c") & (out["item"] == 2), "team_value"].item() == "y"


def test_agreement_series_and_by_version():
    sim = simulate_annotations(
        [SimulatedAnnotator("a", 0.9), SimulatedAnnotator("b", 0.8)], n_items=500, version_changes=[300], seed=2
    )
    obs = drift.gold_observations(sim.labels, sim.gold)
    series = drift.agreement_series(obs, freq="W")
    manual = obs.groupby(["annotator", pd.Grouper(key="time", freq="W"), "guideline_version"])["correct"].agg(["size", "mean"])
    manual.index = manual.index.rename("period", level="time")
    merged = series.set_index(["annotator", "period", "guideline_version"]).join(manual)
    np.testing.assert_array_equal(merged["n"], merged["size"])
    np.testing.assert_allclose(merged["rate"], merged["mean"])
    assert series["version_change"].sum() == 2  # v2 appears once per annotator
    flagged = series.loc[series["version_change"]]
    assert set(flagged["guideline_version"]) == {"v2"}
    by_v = drift.agreement_by_version(obs)
    assert by_v["guideline_version"].tolist() == ["v1", "v2", "v1", "v2"]
    assert by_v["n"].sum() == len(obs)


def test_rolling_agreement_matches_pandas_rolling():
    rng = np.random.default_rng(6)
    obs = pd.DataFrame({"annotator": np.repeat(["a", "b"], 80), "guideline_version": "v1",
                        "time": np.tile(pd.date_range("2024-01-01", periods=80, freq="h"), 2),
                        "correct": rng.random(160) < 0.8})
    got = drift.rolling_agreement(obs, window=10)
    ref = obs.groupby("annotator")["correct"].transform(lambda s: s.astype(float).rolling(10).mean())
    np.testing.assert_allclose(got["rolling_rate"].to_numpy(), ref.to_numpy(), equal_nan=True)


# ------------------------------------------------------------------ distribution shift


def test_homogeneity_equals_scipy_on_known_tables():
    table = np.array([[30, 14, 6], [20, 22, 18]])
    r = drift.homogeneity_test(table)
    chi2, p, dof, _ = stats.chi2_contingency(table)
    assert (r.statistic, r.pvalue, r.dof, r.method) == (pytest.approx(chi2), pytest.approx(p), dof, "chi2")
    assert r.cramers_v == pytest.approx(math.sqrt(chi2 / (table.sum() * 1)))
    pa, pb = table[0] / table[0].sum(), table[1] / table[1].sum()
    m = (pa + pb) / 2
    kl = lambda u, w: float(np.sum(u * np.log2(u / w)))  # noqa: E731
    assert r.js_distance == pytest.approx(math.sqrt((kl(pa, m) + kl(pb, m)) / 2))
    g = drift.homogeneity_test(table, test="g")
    g_ref = stats.chi2_contingency(table, lambda_="log-likelihood")
    assert (g.statistic, g.pvalue, g.method) == (pytest.approx(g_ref[0]), pytest.approx(g_ref[1]), "g-test")
    t22 = [[25, 15], [12, 28]]
    r22 = drift.homogeneity_test(t22)
    assert r22.statistic == pytest.approx(stats.chi2_contingency(t22)[0])  # Yates, as scipy


def test_sparse_tables_use_exact_fallbacks():
    t22 = [[3, 1], [0, 4]]
    r = drift.homogeneity_test(t22)
    assert r.method == "fisher-exact" and r.pvalue == pytest.approx(stats.fisher_exact(t22)[1])
    # 2x3 sparse: the Monte Carlo p-value approaches the exact permutation p-value computed by
    # enumerating every table with these margins (multivariate hypergeometric probabilities).
    table = np.array([[4, 1, 0], [1, 3, 3]])
    r = drift.homogeneity_test(table, n_resamples=20000, seed=1)
    assert r.method == "monte-carlo"
    col, n0 = table.sum(axis=0), table[0].sum()
    x2_obs = r.statistic
    p_exact = 0.0
    for top in itertools.product(*(range(c + 1) for c in col)):
        if sum(top) != n0:
            continue
        t = np.array([top, col - np.array(top)], dtype=float)
        prob = np.prod([math.comb(int(c), int(k)) for c, k in zip(col, top)]) / math.comb(int(col.sum()), int(n0))
        nz = t[:, t.sum(axis=0) > 0]
        exp = nz.sum(1, keepdims=True) * nz.sum(0, keepdims=True) / nz.sum()
        if ((nz - exp) ** 2 / exp).sum() >= x2_obs - 1e-9:
            p_exact += prob
    assert abs(r.pvalue - p_exact) < 4 * math.sqrt(p_exact * (1 - p_exact) / 20000) + 1e-4
    assert drift.homogeneity_test(table, sparse_rule=False).method == "chi2"


def test_slow_shift_is_flagged_and_stable_is_not():
    sim = simulate_annotations(
        [SimulatedAnnotator(f"s{i}", 0.85) for i in range(4)]
        + [SimulatedAnnotator("shifter", 0.85, shift_label="A", shift_max=0.3)],
        n_items=2000, version_changes=[1000], seed=9,
    )
    mid = sim.labels.loc[sim.labels["item"] == 1000, "time"].min()
    res = drift.shift_vs_own_past(sim.labels, at=mid).set_index("annotator")
    assert res.loc["shifter", "p_adjusted"] < 0.01
    assert (res.drop(index="shifter")["pvalue"] > 0.01).all()
    assert res.loc["shifter", "cramers_v"] > res.drop(index="shifter")["cramers_v"].max()
    by_version = drift.shift_vs_own_past(sim.labels, versions=("v1", "v2")).set_index("annotator")
    np.testing.assert_allclose(by_version["pvalue"], res["pvalue"])  # same split here
    team = drift.shift_vs_team(sim.labels).set_index("annotator")
    assert team.loc["shifter", "p_adjusted"] < 1e-3
    assert (team.drop(index="shifter")["n_team"] == 4 * 2000).all()


def test_shift_p_adjusted_is_benjamini_hochberg():
    sim = simulate_annotations([SimulatedAnnotator(f"s{i}", 0.8) for i in range(6)], n_items=300, seed=4)
    res = drift.shift_vs_own_past(sim.labels, at=sim.labels["time"].median())
    expected = multipletests(res["pvalue"], method="fdr_bh")[1]
    np.testing.assert_allclose(res["p_adjusted"], expected)


def test_window_limits_the_compared_labels():
    sim = simulate_annotations([SimulatedAnnotator("a", 0.8)], n_items=400, step="1h", seed=1)
    at = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=200)
    res = drift.shift_vs_own_past(sim.labels, at=at, window="50h")
    assert (res.loc[0, "n_before"], res.loc[0, "n_after"]) == (50, 50)


# ------------------------------------------------------------------ bad input


def test_bad_input_missing_columns_named():
    df = labels_frame([(1, "a", "q", "x", "2024-01-01")]).drop(columns=["guideline_version"])
    gold = pd.DataFrame({"item": [1], "question": ["q"], "value": ["x"]})
    with pytest.raises(BadInput, match=r"labels.csv: missing column\(s\) 'guideline_version'"):
        drift.gold_observations(df, gold, source="labels.csv")
    with pytest.raises(BadInput, match=r"gold.csv: missing column\(s\) 'value'"):
        drift.gold_observations(labels_frame([(1, "a", "q", "x", "2024-01-01")]), gold.drop(columns="value"),
                                gold_source="gold.csv")


def test_bad_input_no_gold():
    df = labels_frame([(1, "a", "q", "x", "2024-01-01")])
    with pytest.raises(BadInput, match="no gold values"):
        drift.gold_observations(df, pd.DataFrame(columns=["item", "question", "value"]))
    with pytest.raises(BadInput, match="no judgement falls on a gold"):
        drift.gold_observations(df, pd.DataFrame({"item": [2], "question": ["q"], "value": ["x"]}))


def test_bad_input_values_named():
    df = labels_frame([(1, "a", "q", "x", "2024-01-01")])
    df["time"] = ["yesterday-ish"]
    with pytest.raises(BadInput, match="field 'time' has value 'yesterday-ish'"):
        drift.validate_labels(df)
    gold = pd.DataFrame({"item": [1, 1], "question": ["q", "q"], "value": ["x", "y"]})
    with pytest.raises(BadInput, match="conflicting gold values"):
        drift.validate_gold(gold)
    with pytest.raises(BadInput, match="p1 must exceed p0"):
        drift.design_bernoulli_cusum(0.3, 0.2)
    with pytest.raises(BadInput, match="exactly one of at="):
        drift.shift_vs_own_past(labels_frame([(1, "a", "q", "x", "2024-01-01")]))
    with pytest.raises(BadInput, match="'guideline_version' never has value 'v9'"):
        drift.shift_vs_own_past(labels_frame([(1, "a", "q", "x", "2024-01-01")]), versions=("v1", "v9"))


def test_against_bar_interval_is_statsmodels_wilson_and_flags_only_a_clear_shortfall():
    from statsmodels.stats.proportion import proportion_confint

    from workbench.analytics.drift import against_bar

    rng = np.random.default_rng(4)
    rows = []
    for name, acc, n in (("poor-from-start", 0.2, 12), ("fine", 0.9, 40), ("just-under", 0.7, 15),
                         ("few", 0.5, 2)):
        rows += [(name, "q", 1, bool(c)) for c in rng.random(n) < acc]
    obs = pd.DataFrame(rows, columns=["annotator", "question", "round", "correct"])
    out = against_bar(obs, {"q": 0.75}).set_index("annotator")
    for _name, r in out.iterrows():
        lo, hi = proportion_confint(int(round(r["agreement"] * r["n_gold"])), r["n_gold"], alpha=0.05, method="wilson")
        assert r["low"] == pytest.approx(lo, abs=1e-12) and r["high"] == pytest.approx(hi, abs=1e-12)
    assert out["below_bar"].to_dict() == {"few": False, "fine": False, "just-under": False, "poor-from-start": True}


def test_against_bar_reads_each_annotators_latest_round_only():
    from workbench.analytics.drift import against_bar

    obs = pd.DataFrame({"annotator": ["c"] * 20, "question": "q", "round": [1] * 10 + [2] * 10,
                        "correct": [False] * 10 + [True] * 10})
    out = against_bar(obs, 0.75)
    assert out.loc[0, "round"] == 2 and out.loc[0, "n_gold"] == 10 and not out.loc[0, "below_bar"]
