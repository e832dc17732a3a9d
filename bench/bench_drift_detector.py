"""Benchmark the annotator-drift detectors of workbench.analytics.drift on simulated annotators.

Prints, for an annotator at 90% accuracy whose accuracy may drop by 15 points:

1. Bernoulli CUSUM with a known baseline: in-control run length (false alarms per 1,000 gold
   observations, ARL0) against the exact Markov-chain value; detection rate, mean and median
   delay of a 15-point drop against the exact ARL1.
2. The same with the baseline estimated from the annotator's first calibration window, as a
   point estimate or as the 0.9 lower bound (monitor_gold_agreement's default).
3. EWMA (lam = 0.1, L = 3 and a wider L) on the same streams, for comparison.
4. Slow shift toward one label: how often the chi-square tests (own past, team) flag the
   shifting annotator and the stable ones (Benjamini-Hochberg, alpha = 0.05).
5. Timing of the drift functions on a 1,000,000-row table (100k items x 10 annotators), as
   seconds and as a ratio to a reference operation (sorting the table) timed in the same run.

Usage::

    python bench/bench_drift_detector.py            # full run (about 2-3 minutes on 2 cores)
    python bench/bench_drift_detector.py --quick     # fewer replicates, 200k-row table
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats
from scipy.signal import lfilter

from workbench.analytics import drift
from workbench.analytics.simulate import SimulatedAnnotator, simulate_annotations, simulate_gold_stream

ACC, DROP = 0.90, 0.15


def first_alarm_cusum(errors: np.ndarray, design: drift.BernoulliCusumDesign) -> np.ndarray:
    """Index of the first signal per replicate (row); n_cols when none."""
    s = drift.bernoulli_cusum(errors, design)
    above = s >= design.h - 1e-9
    return np.where(above.any(axis=1), above.argmax(axis=1), errors.shape[1])


def first_alarm_ewma(correct: np.ndarray, mu0, lam: float, L: float) -> np.ndarray:
    """Lower-sided EWMA of 0/1 agreement, mu0 per row; first index with z < LCL."""
    mu0 = np.broadcast_to(np.asarray(mu0, dtype=float), (correct.shape[0],))[:, None]
    z, _ = lfilter([lam], [1.0, -(1.0 - lam)], correct.astype(float), axis=1, zi=(1.0 - lam) * mu0)
    i = np.arange(1, correct.shape[1] + 1)
    width = L * np.sqrt(mu0 * (1 - mu0)) * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * i)))
    below = z < mu0 - width
    return np.where(below.any(axis=1), below.argmax(axis=1), correct.shape[1])


def chunks(total: int, size: int):
    for lo in range(0, total, size):
        yield min(size, total - lo)


def simulate_first_alarms(detector, reps, n, change_at=None, seed=0, chunk=250):
    out = []
    for k, r in enumerate(chunks(reps, chunk)):
        x = simulate_gold_stream(n, ACC, drop=DROP if change_at is not None else 0.0, change_at=change_at,
                                 replicates=r, seed=seed * 1000 + k)
        out.append(detector(x))
    return np.concatenate(out)


def report_in_control(name, first, n, exact_arl=None, exact_p=None, horizon=1000):
    """ARL0 estimated as exposure / alarms (run lengths censored at n count as exposure only)."""
    alarms = int((first < n).sum())
    exposure = np.minimum(first + 1, n).sum()
    arl = exposure / alarms if alarms else float("inf")
    line = f"  {name:<34} ARL0 {arl:8.1f}"
    line += f" (exact {exact_arl:7.1f})" if exact_arl is not None else " " * 16
    line += f"  false alarms/1000 obs {1000 / arl:5.2f}"
    p = (first < horizon).mean()
    line += f"  P(alarm in first {horizon}) {p:5.3f}"
    line += f" (exact {exact_p:5.3f})" if exact_p is not None else ""
    print(line)


def first_alarm_after_change(errors: np.ndarray, design: drift.BernoulliCusumDesign, change: int) -> np.ndarray:
    """Per replicate, the first alarm at or after ``change`` of the CUSUM *with restart* (what
    monitor_gold_agreement runs: a false alarm resets the chart, which goes on watching); n_cols
    when none."""
    n = errors.shape[1]
    out = np.full(len(errors), n, dtype=np.int64)
    for r, row in enumerate(errors):
        _, sig = drift._cusum_restart(row.astype(np.int64), design.m, design.a, design.H)
        hits = np.flatnonzero(sig[change:])
        if len(hits):
            out[r] = change + hits[0]
    return out


def report_drop(name, first, change, n, exact_arl1=None, after_restart=None):
    """``first``: first alarm per run (no restart); ``after_restart``: first alarm at or after the
    change with restart, for every run. Detection and delay are given over ALL runs (with
    restart) when ``after_restart`` is given, and among the runs with no earlier false alarm."""
    before = first < change
    after = first[~before]
    detected = after < n
    delay = after[detected] - change + 1
    line = f"  {name:<34} false alarm before change {before.mean():5.3f}"
    if after_restart is not None:
        det_all = after_restart < n
        d_all = after_restart[det_all] - change + 1
        line += (f"  all runs (restart): detected {det_all.mean():5.3f} delay mean {d_all.mean():6.1f} "
                 f"median {np.median(d_all):6.1f};")
    line += (f"  runs with no earlier alarm: detected {detected.mean():5.3f}"
             f"  delay mean {delay.mean():6.1f} median {np.median(delay):6.1f}")
    line += f" (exact zero-state ARL1 {exact_arl1:5.1f})" if exact_arl1 is not None else ""
    print(line)


def design_from_window(k: int, n_base: int, guarantee, arl0: float) -> drift.BernoulliCusumDesign:
    """The chart monitor_gold_agreement builds after k agreements in an n_base calibration window."""
    a0 = drift.baseline_accuracy(np.r_[np.ones(k), np.zeros(n_base - k)], guarantee=guarantee)
    p0 = round(min(max(1 - a0, 0.005), 0.995 - DROP), 4)
    return drift.design_bernoulli_cusum(p0, round(p0 + DROP, 4), arl0=arl0)


def with_estimated_baseline(x: np.ndarray, n_base: int, arl0: float, guarantee, change: int | None = None):
    """Per replicate: calibrate on the first n_base obs, design, run the CUSUM after them (with
    ``change``: the first alarm at or after it, with restart)."""
    ks = x[:, :n_base].sum(axis=1)
    first = np.empty(len(x), dtype=np.int64)
    mon = 1 - x[:, n_base:]
    for k in np.unique(ks):
        rows = ks == k
        design = design_from_window(int(k), n_base, guarantee, arl0)
        first[rows] = (first_alarm_cusum(mon[rows], design) if change is None
                       else first_alarm_after_change(mon[rows], design, change))
    return first  # index within the monitored part


def exact_estimated_baseline(n_base: int, arl0: float, guarantee):
    """Exact over k ~ Binomial(n_base, ACC): share of annotators whose chart has true ARL0 >= arl0,
    expected false alarms per 1000 in-control observations (with restart), mean zero-state ARL1."""
    pmf = stats.binom.pmf(np.arange(n_base + 1), n_base, ACC)
    cover = fa = arl1 = 0.0
    for k in np.flatnonzero(pmf > 1e-9):
        d = design_from_window(int(k), n_base, guarantee, arl0)
        a0 = drift.bernoulli_cusum_arl(1 - ACC, d)
        cover += pmf[k] * (a0 >= arl0)
        fa += pmf[k] * 1000 / a0
        arl1 += pmf[k] * drift.bernoulli_cusum_arl(1 - ACC + DROP, d)
    total = pmf[pmf > 1e-9].sum()
    return cover / total, fa / total, arl1 / total


def bench_detectors(reps: int, seed: int):
    designs = {arl0: drift.design_bernoulli_cusum(1 - ACC, 1 - ACC + DROP, arl0=arl0) for arl0 in (1000, 5000)}
    for arl0, d in designs.items():
        print(f"Bernoulli CUSUM design ARL0>={arl0}: accuracy {ACC:.2f} -> {ACC - DROP:.2f} (errors p0={d.p0:.2f} -> "
              f"p1={d.p1:.2f}), gamma={d.gamma:.4f} (= {d.a}/{d.m}), h={d.h:.3f} (H={d.H}); "
              f"exact ARL0={d.arl0:.1f}, ARL1={d.arl1:.1f}")
    n_ic = 30000
    ewmas = ((0.1, 3.0), (0.1, 3.5))

    print(f"\n[1] In control, known baseline ({reps} replicates x {n_ic} gold observations)")
    for arl0, d in designs.items():
        cdf = drift.bernoulli_cusum_run_length_cdf(d.p0, d, 1000)
        first = simulate_first_alarms(lambda x: first_alarm_cusum(1 - x, d), reps, n_ic, seed=seed)
        report_in_control(f"CUSUM (designed ARL0 {arl0})", first, n_ic, d.arl0, cdf[-1])
    for lam, L in ewmas:
        first = simulate_first_alarms(lambda x: first_alarm_ewma(x, ACC, lam, L), reps, n_ic, seed=seed)
        report_in_control(f"EWMA lam={lam} L={L}", first, n_ic)

    change, n_drop = 500, 2000
    print(f"\n[2] 15-point drop at observation {change} ({reps} replicates x {n_drop}), known baseline; "
          "delay = post-change observations up to and including the first alarm at or after the change")
    for arl0, d in designs.items():
        first = simulate_first_alarms(lambda x: first_alarm_cusum(1 - x, d), reps, n_drop, change, seed=seed + 1)
        restart = simulate_first_alarms(lambda x: first_alarm_after_change(1 - x, d, change), reps, n_drop, change,
                                        seed=seed + 1)
        report_drop(f"CUSUM (designed ARL0 {arl0})", first, change, n_drop, d.arl1, restart)
    for lam, L in ewmas:
        first = simulate_first_alarms(lambda x: first_alarm_ewma(x, ACC, lam, L), reps, n_drop, change, seed=seed + 1)
        report_drop(f"EWMA lam={lam} L={L}", first, change, n_drop)

    print("\n[3] Baseline estimated from the first calibration window (n gold observations). Exact over the "
          "binomial law of the window: share of annotators whose chart has true ARL0 >= the target, false "
          "alarms per 1000 in-control observations (with restart), mean ARL1; detection simulated "
          f"(drop at monitored obs {change})")
    for arl0, d in designs.items():
        print(f"  known baseline, ARL0 {arl0}: 100% / {1000 / d.arl0:.2f} / ARL1 {d.arl1:.1f}")
    for n_base, guarantee, arl0 in ((200, None, 5000), (200, None, 2000), (100, 0.9, 2000), (200, 0.9, 2000),
                                    (400, 0.9, 2000), (200, 0.9, 5000)):
        cover, fa, arl1 = exact_estimated_baseline(n_base, arl0, guarantee)
        firsts, restarts = [], []
        for k, r in enumerate(chunks(reps, 250)):
            x = simulate_gold_stream(n_base + n_drop, ACC, drop=DROP, change_at=n_base + change, replicates=r,
                                     seed=(seed + 3) * 1000 + k)
            firsts.append(with_estimated_baseline(x, n_base, arl0, guarantee))
            restarts.append(with_estimated_baseline(x, n_base, arl0, guarantee, change))
        name = f"n={n_base}, " + ("point est." if guarantee is None else f"{guarantee} lower bd") + f", ARL0 {arl0}"
        print(f"  {name:<34} true ARL0 >= target for {cover:6.1%}; false alarms/1000 obs {fa:5.2f}; mean ARL1 {arl1:6.1f}")
        report_drop("", np.concatenate(firsts), change, n_drop, after_restart=np.concatenate(restarts))


def bench_against_bar(reps: int, seed: int, bar: float = 0.70, horizon: int = 200):
    """[3b] Small programmes: the chart designed on the task's bar (monitor_gold_agreement(bar=...)
    for annotators with <= 200 gold answers), from the first answer. Exact chance of any alarm
    within ``horizon`` answers for annotators at, above and below the bar; simulated delay of a
    collapse (0.85 -> 0.20 at answer 10) and of a drop to the bar minus 15 points."""
    d = drift.design_bernoulli_cusum(round(1 - bar, 4), round(1 - bar + DROP, 4), arl0=2000)
    print(f"\n[3b] Against the task's bar {bar:.2f} from the first gold answer (designed ARL0 {d.arl0:.0f} at the bar, "
          f"ARL1 {d.arl1:.1f} at {bar - DROP:.2f}); exact P(any alarm within {horizon} answers), "
          f"simulated delays ({reps} replicates)")
    for acc in (bar + 0.2, bar + 0.1, bar):
        p_alarm = drift.bernoulli_cusum_run_length_cdf(1 - acc, d, horizon)[-1]
        print(f"  annotator at {acc:.2f}: P(false alarm within {horizon}) {p_alarm:6.4f}; exact ARL "
              f"{drift.bernoulli_cusum_arl(1 - acc, d):9.0f}")
    for name, before, after, change in (("collapse 0.85 -> 0.20 at answer 10", 0.85, 0.20, 10),
                                        (f"steady at {bar:.2f}, then {bar - DROP:.2f} from answer 10", bar, bar - DROP, 10)):
        rng = np.random.default_rng(seed)
        x = np.concatenate([rng.random((reps, change)) < before, rng.random((reps, horizon - change)) < after],
                           axis=1).astype(np.int8)
        first = first_alarm_after_change(1 - x, d, change)
        det = first < horizon
        delay = first[det] - change + 1
        print(f"  {name:<40} detected within {horizon} answers {det.mean():5.3f}; delay median "
              f"{np.median(delay):5.1f}, 90th percentile {np.quantile(delay, 0.9):5.1f}")


def bench_label_shift(reps: int, seed: int, n_items: int = 2000):
    print(f"\n[4] Slow shift toward label 'A' (0 -> 30% of answers over {n_items} items; 3 labels; "
          f"5 stable annotators at 85%), {reps} replicates, BH-adjusted p < 0.05")
    anns = [SimulatedAnnotator(f"stable{i}", 0.85) for i in range(5)]
    anns.append(SimulatedAnnotator("shifter", 0.85, shift_label="A", shift_max=0.3))
    hits = {"own past (1st vs 2nd half)": [0, 0], "team (whole period)": [0, 0], "team (2nd half)": [0, 0]}
    for r in range(reps):
        sim = simulate_annotations(anns, n_items=n_items, seed=seed * 100_000 + r)
        mid = sim.labels.loc[sim.labels["item"] == n_items // 2, "time"].min()
        results = {
            "own past (1st vs 2nd half)": drift.shift_vs_own_past(sim.labels, at=mid),
            "team (whole period)": drift.shift_vs_team(sim.labels),
            "team (2nd half)": drift.shift_vs_team(sim.labels, start=mid),
        }
        for name, res in results.items():
            flagged = res.set_index("annotator")["p_adjusted"] < 0.05
            hits[name][0] += int(flagged["shifter"])
            hits[name][1] += int(flagged.drop("shifter").sum())
    for name, (hit, false) in hits.items():
        print(f"  {name:<28} shifter flagged {hit / reps:5.3f}   stable annotators flagged {false / (5 * reps):5.3f} (per annotator)")


def timed(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def bench_timing(n_items: int, seed: int):
    anns = [SimulatedAnnotator(f"ann{i}", 0.88) for i in range(8)]
    anns.append(SimulatedAnnotator("dropper", 0.88, drop=0.15, change_at=n_items // 2))
    anns.append(SimulatedAnnotator("shifter", 0.88, shift_label="A", shift_max=0.3))
    sim = simulate_annotations(anns, n_items=n_items, labels=("A", "B", "C", "D"), gold_fraction=0.1,
                               step="1min", version_changes=[n_items // 3, 2 * n_items // 3], round_size=1000,
                               seed=seed)
    labels, gold = sim.labels, sim.gold
    print(f"\n[5] Timing on {len(labels):,} labels ({n_items:,} items x {len(anns)} annotators, "
          f"{len(gold):,} gold items), best of 3")
    ref, _ = timed(lambda: labels.sort_values(["annotator", "time"]))
    print(f"  reference: labels.sort_values(['annotator', 'time'])  {ref:6.3f} s")
    obs = drift.gold_observations(labels, gold)
    team = drift.team_observations(labels)
    mid = labels["time"].min() + (labels["time"].max() - labels["time"].min()) / 2
    cases = [
        ("gold_observations", lambda: drift.gold_observations(labels, gold)),
        ("team_observations (leave-one-out)", lambda: drift.team_observations(labels)),
        ("agreement_series gold, freq=D", lambda: drift.agreement_series(obs, freq="D")),
        ("agreement_series team, freq=D", lambda: drift.agreement_series(team, column="agrees_team", freq="D")),
        ("agreement_by_version gold", lambda: drift.agreement_by_version(obs)),
        ("rolling_agreement team, window=200", lambda: drift.rolling_agreement(team, column="agrees_team", window=200)),
        ("monitor_gold_agreement cusum", lambda: drift.monitor_gold_agreement(obs)),
        ("monitor_gold_agreement ewma", lambda: drift.monitor_gold_agreement(obs, method="ewma")),
        ("shift_vs_own_past (halves)", lambda: drift.shift_vs_own_past(labels, at=mid)),
        ("shift_vs_own_past (versions v1, v3)", lambda: drift.shift_vs_own_past(labels, versions=("v1", "v3"))),
        ("shift_vs_team", lambda: drift.shift_vs_team(labels)),
    ]
    total = 0.0
    for name, fn in cases:
        t, _ = timed(fn)
        total += t
        print(f"  {name:<38} {t:6.3f} s  {t / ref:6.1f} x reference")
    print(f"  {'all of the above':<38} {total:6.3f} s  {total / ref:6.1f} x reference")
    chart = drift.monitor_gold_agreement(obs)
    s = chart.summary.set_index("annotator")
    stable = s.drop(index=["dropper", "shifter"])
    expected = 0.0
    for _, row in stable.iterrows():  # exact ARL of each stable annotator's chart at its true accuracy
        p0 = round(min(max(1 - row["baseline_accuracy"], 0.005), 0.995 - DROP), 4)
        d = drift.design_bernoulli_cusum(p0, round(p0 + DROP, 4), arl0=chart.params["arl0"])
        expected += row["n_monitored"] / drift.bernoulli_cusum_arl(1 - 0.88, d)
    change_seq = int((obs.loc[obs["annotator"] == "dropper", "item"] < n_items // 2).sum())
    print(f"  on this table (monitor_gold_agreement defaults): dropper first alarm at gold obs "
          f"{s.loc['dropper', 'first_alarm_seq']} (change at {change_seq}); stable annotators: "
          f"{int(stable['n_alarms'].sum())} alarms in {int(stable['n_monitored'].sum()):,} monitored gold observations "
          f"(exact expectation for their charts: {expected:.1f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=4000)
    parser.add_argument("--shift-replicates", type=int, default=200)
    parser.add_argument("--items", type=int, default=100_000, help="items in the timing table (x 10 annotators)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.replicates, args.shift_replicates, args.items = 500, 40, 20_000
    t0 = time.perf_counter()
    bench_detectors(args.replicates, args.seed)
    bench_against_bar(args.replicates, args.seed)
    bench_label_shift(args.shift_replicates, args.seed)
    bench_timing(args.items, args.seed)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
