"""Benchmark: Krippendorff's alpha and its bootstrap on 1,000,000 annotations.

Data: 100,000 items x 10 annotators, 20% of cells missing, 5 categories (annotators agree with
a latent truth 70% of the time), i.e. ~800,000 present values out of 1,000,000 cells.

Prints, for each level of measurement, our time and the ``krippendorff`` package's time on the
same float matrix (nan = missing) and their ratio (ours / theirs, lower is better); then the
time of a 1,000-resample item bootstrap (target < 5 s), both with the scheme
``alpha_with_interval`` picks and with unit draws forced, next to an estimate of the same
bootstrap done by calling ``krippendorff.alpha`` on each resample (timed on a few resamples and
scaled up, labelled as such).

Run: ``python bench/bench_alpha.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import statistics
import time

import krippendorff
import numpy as np

from workbench.analytics import alpha_with_interval, from_wide, krippendorff_alpha
from workbench.analytics.alpha import _bootstrap_distribution, _Prepared

N_ITEMS, N_ANNOTATORS, N_CATEGORIES, MISSING = 100_000, 10, 5, 0.2
LEVELS = ("nominal", "ordinal", "interval", "ratio")
REPEATS = 5
N_BOOT = 1000
REFERENCE_RESAMPLES = 5


def make_data(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, N_CATEGORIES, N_ITEMS)
    noise = rng.integers(0, N_CATEGORIES, (N_ANNOTATORS, N_ITEMS))
    values = np.where(rng.random((N_ANNOTATORS, N_ITEMS)) < 0.7, truth, noise).astype(float) + 1
    values[rng.random(values.shape) < MISSING] = np.nan
    return values


def best_of(fn, repeats=REPEATS):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def row(label, ours, theirs, note=""):
    ratio = f"{ours / theirs:8.3f}" if theirs else "       -"
    theirs_s = f"{theirs:10.3f}" if theirs else "         -"
    print(f"{label:<44} {ours:9.3f} {theirs_s} {ratio}  {note}")


def main() -> None:
    values = make_data()
    present = int((~np.isnan(values)).sum())
    print(
        f"data: {N_ITEMS:,} items x {N_ANNOTATORS} annotators = {values.size:,} cells,"
        f" {present:,} values ({MISSING:.0%} missing), {N_CATEGORIES} categories"
    )
    print(f"{'task':<44} {'ours (s)':>9} {'ref (s)':>10} {'ratio':>8}")
    coded_time, rd = best_of(lambda: from_wide(values))
    row("code the matrix (from_wide)", coded_time, None)
    for level in LEVELS:
        theirs, ref = best_of(lambda: krippendorff.alpha(reliability_data=values, level_of_measurement=level))
        ours_array, a1 = best_of(lambda: krippendorff_alpha(values, level))
        ours_coded, a2 = best_of(lambda: krippendorff_alpha(rd, level))
        assert abs(a1 - ref) < 1e-9 and a1 == a2, (level, a1, a2, ref)
        row(f"alpha {level} from the float matrix", ours_array, theirs, f"alpha={a1:.6f}")
        row(f"alpha {level} from ReliabilityData", ours_coded, theirs)

    for level in LEVELS:
        start = time.perf_counter()
        result = alpha_with_interval(rd, level, n_boot=N_BOOT, seed=1)
        boot_time = time.perf_counter() - start
        rng = np.random.default_rng(2)
        prep = _Prepared(rd, level, None)
        units = prep.units
        ref_times = []
        for _ in range(REFERENCE_RESAMPLES):
            picks = units[rng.integers(0, len(units), len(units))]
            start = time.perf_counter()
            krippendorff.alpha(reliability_data=values[:, picks], level_of_measurement=level)
            ref_times.append(time.perf_counter() - start)
        ref_estimate = statistics.median(ref_times) * N_BOOT
        scheme = "patterns" if prep.use_patterns() else "units"
        row(
            f"bootstrap {N_BOOT} x {level} ({scheme})",
            boot_time,
            ref_estimate,
            f"[{result.low:.4f}, {result.high:.4f}]; ref = {REFERENCE_RESAMPLES} resamples x {N_BOOT // REFERENCE_RESAMPLES}",
        )
    start = time.perf_counter()
    forced = _bootstrap_distribution(_Prepared(rd, "nominal", None), N_BOOT, seed=1, scheme="units")
    units_time = time.perf_counter() - start
    row(f"bootstrap {N_BOOT} x nominal (units forced)", units_time, None, f"sd={np.nanstd(forced):.5f}")
    print("target: alpha no slower than krippendorff (ratio <= 1); bootstrap < 5 s")


if __name__ == "__main__":
    main()
