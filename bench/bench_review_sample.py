"""Expert review sample sizes: interval coverage and review effort, by seeded simulation.

A *programme* is one production run: each annotator has ``N`` production records, each correct
with the annotator's true accuracy ``p`` (independently); the review draws each annotator's
sample without replacement, sized for a 5-point margin at 95% confidence
(:func:`workbench.analytics.review_sample.sample_size`: Cochran's n0 = 385 with the
finite-population correction), and reports the accuracy with Wilson's 95% interval
(:func:`~workbench.analytics.review_sample.wilson_interval`). Over ``--programmes`` programmes per
production volume, the bench reports:

* coverage: the share of (programme, annotator) intervals that contain the annotator's true
  accuracy ``p`` (target 95 +- 2%), and the share that contain the population's realised share
  of correct records (what the expert would find reviewing everything; the interval is
  conservative for it when the sample is a large part of ``N``);
* the mean half-width of the interval (the margin actually achieved);
* review effort: records per annotator, against the naive "review 10% of everything", and the
  margin the naive 10% sample achieves at p = 0.5 (with the finite-population correction).

The sample itself is drawn with :func:`~workbench.analytics.review_sample.stratified_sample` on
the first programme of each volume (checking it gives the planned size), and with numpy's
hypergeometric draw on the others (the number of correct records in a simple random sample of n
from N with K correct), which is the same distribution and keeps the bench fast.

Usage: python bench/bench_review_sample.py [--programmes 2000] [--seed 0] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.analytics.review_sample import sample_size, stratified_sample, wilson_interval

ACCURACIES = (0.55, 0.70, 0.80, 0.90, 0.95, 0.98)
VOLUMES = (200, 1000, 5000, 20000)
MARGIN, CONFIDENCE = 0.05, 0.95


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()
    except OSError:  # pragma: no cover
        return "unknown"


def simulate(volume: int, programmes: int, rng: np.random.Generator) -> dict:
    n = sample_size(MARGIN, CONFIDENCE, volume)
    cover_p = cover_pop = 0
    widths = []
    total = 0
    for prog in range(programmes):
        for a, p in enumerate(ACCURACIES):
            correct = rng.random(volume) < p
            K = int(correct.sum())
            if prog == 0:  # the real sampler once per volume: the planned size, from this annotator's records
                recs = pd.DataFrame({"annotator": "x", "item": [f"i{j}" for j in range(volume)]})
                drawn = stratified_sample(recs, {"x": n}, seed=a)
                assert len(drawn) == n
                k = int(correct[drawn["item"].str[1:].astype(int).to_numpy()].sum())
            else:
                k = int(rng.hypergeometric(K, volume - K, n))
            low, high = wilson_interval(k, n, CONFIDENCE)
            cover_p += low <= p <= high
            cover_pop += low <= K / volume <= high
            widths.append((high - low) / 2)
            total += 1
    naive = max(1, math.ceil(0.10 * volume))
    z = 1.959963984540054
    naive_margin = z * math.sqrt(0.25 / naive * (volume - naive) / max(volume - 1, 1))
    return {"volume": volume, "n": n, "naive_10pct": naive, "coverage_true": cover_p / total,
            "coverage_population": cover_pop / total, "mean_half_width": float(np.mean(widths)),
            "max_half_width": float(np.max(widths)), "naive_margin": naive_margin, "intervals": total}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--programmes", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"load at start: {loadavg()}")
    print(f"annotators' true accuracies: {', '.join(map(str, ACCURACIES))}; margin {MARGIN} at {CONFIDENCE:.0%}; "
          f"{args.programmes} programmes per volume, seed {args.seed}")
    t0 = time.perf_counter()
    rows = [simulate(v, args.programmes, rng) for v in VOLUMES]
    print(f"\n{'N/annotator':>11} {'review n':>8} {'naive 10%':>9} {'n / naive':>9} {'naive margin':>12} "
          f"{'covers p':>8} {'covers K/N':>10} {'mean half-width':>15} {'max':>6}")
    for r in rows:
        print(f"{r['volume']:>11} {r['n']:>8} {r['naive_10pct']:>9} {r['n'] / r['naive_10pct']:>9.2f} "
              f"{r['naive_margin']:>12.3f} {r['coverage_true']:>8.3f} {r['coverage_population']:>10.3f} "
              f"{r['mean_half_width']:>15.3f} {r['max_half_width']:>6.3f}")
    pooled = sum(r["coverage_true"] * r["intervals"] for r in rows) / sum(r["intervals"] for r in rows)
    print(f"\npooled coverage of the true accuracy: {pooled:.3f} (target 0.95 +- 0.02) over "
          f"{sum(r['intervals'] for r in rows)} intervals; {time.perf_counter() - t0:.1f} s")
    print(f"load at end: {loadavg()}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "pooled_coverage": pooled}, indent=1) + "\n")


if __name__ == "__main__":
    main()
