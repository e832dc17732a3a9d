"""Benchmark: the full per-question agreement report on 1,000,000 annotations.

10 annotators, 20% of the judgements missing, 5 labels, 5% of the items with a gold value;
alpha with a 1,000-resample bootstrap, every other coefficient, the per-label, per-annotator,
pairwise, per-item and gold breakdowns and the diagnosis. Target: under 15 s on the 2-core
machine.

100,000 items x 10 annotators x 80% present is only 800,000 annotations; to report on
1,000,000 annotations the bench uses 125,000 items (125,000 x 10 x 0.8).

Reference measured in the same run: one point estimate of alpha by the ``krippendorff``
package (no bootstrap) on the same data, so the figure can be read as "the whole report costs
as much as N plain alpha computations".

Run: ``python bench/bench_report.py [--items N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def make_data(n_items: int, n_annotators: int = 10, missing: float = 0.2, n_labels: int = 5, seed: int = 0):
    rng = np.random.default_rng(seed)
    labels = np.array([f"label-{k}" for k in range(n_labels)], dtype=object)
    truth = rng.integers(0, n_labels, n_items)
    accuracy = rng.uniform(0.7, 0.95, n_annotators)
    accuracy[3] = 0.5  # one weaker annotator
    codes = np.where(
        rng.random((n_annotators, n_items)) < accuracy[:, None],
        truth[None, :],
        rng.integers(0, n_labels, (n_annotators, n_items)),
    )
    present = rng.random((n_annotators, n_items)) >= missing
    ann_idx, item_idx = np.nonzero(present)
    df = pd.DataFrame({
        "item": item_idx,
        "annotator": np.array([f"ann{a:02d}" for a in range(n_annotators)], dtype=object)[ann_idx],
        "question": "label",
        "value": labels[codes[ann_idx, item_idx]],
    })
    gold_items = rng.choice(n_items, size=n_items // 20, replace=False)
    gold = pd.DataFrame({"item": gold_items, "question": "label", "value": labels[truth[gold_items]]})
    return df, gold, codes, present


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=125_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--boot", type=int, default=1000)
    args = parser.parse_args()

    import krippendorff

    from workbench.analytics.report import question_report

    df, gold, codes, present = make_data(args.items)
    print(f"data: {len(df):,} annotations, {args.items:,} items, 10 annotators, 20% missing, 5 labels,"
          f" {len(gold):,} gold items; bootstrap {args.boot} resamples")

    # reference: the krippendorff package, one nominal alpha, no bootstrap
    matrix = np.where(present, codes, np.nan).astype(float)
    t0 = time.perf_counter()
    ref_alpha = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    t_ref = time.perf_counter() - t0

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        rep = question_report(df, level="nominal", gold=gold, n_boot=args.boot, seed=1)
        times.append(time.perf_counter() - t0)
    ours = min(times)
    print(f"alpha ours {rep.alpha.value:.6f} [{rep.alpha.low:.4f}, {rep.alpha.high:.4f}]; krippendorff {ref_alpha:.6f}")
    print(f"diagnosis: {rep.diagnosis.verdict.value} (deviating: {', '.join(map(str, rep.diagnosis.deviating)) or 'none'})")
    print(f"full report: {ours:.2f} s (best of {args.repeat}; target < 15 s)")
    print(f"reference krippendorff.alpha, one point estimate: {t_ref:.2f} s")
    print(f"ratio report / one reference alpha: {ours / t_ref:.2f}")


if __name__ == "__main__":
    main()
