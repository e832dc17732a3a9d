"""How often the calibration diagnosis gives the right verdict, on simulated teams.

For each case of :mod:`workbench.analytics.simulate_teams` (one deviating annotator; 30% of
the items open between two labels; both; a team that agrees; uniform noise), each team size
and each number of items, simulates ``--replicates`` seeded teams (3-5 labels, good
annotators right 85-90% of the time), runs :func:`workbench.analytics.diagnosis.diagnose`
on each, and prints the share of right verdicts (definitions in
``workbench/analytics/simulate_teams.py`` and docs/diagnosis.md), the verdicts given, the
time of one diagnosis of 80 items x 5 annotators, and the machine load.

Usage::

    python bench/bench_diagnosis.py                       # 50 replicates, 3/4/5 annotators, 60/80 items
    python bench/bench_diagnosis.py --replicates 20 --annotators 3 --items 80
    python bench/bench_diagnosis.py --gold                 # gold on every item passed to the diagnosis
    python bench/bench_diagnosis.py --gold-share 0.25      # gold on a seeded quarter of the items
    python bench/bench_diagnosis.py --gold --gold-error 0.1   # an expert wrong on 10% of the items
    python bench/bench_diagnosis.py --gold --threshold gold_in_model=0   # gold only after the fit (as before)
    python bench/bench_diagnosis.py --gold --first-replicate 1000 --misses   # seeds 1000-1049, list the misses
    python bench/bench_diagnosis.py --gold --verdicts after.jsonl   # each replicate's verdict, to compare two versions
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.analytics.diagnosis import Thresholds, diagnose  # noqa: E402
from workbench.analytics.simulate_teams import CASES, gold_sample, judge, named_open_share, simulate_team  # noqa: E402

SHORT = {
    "reliable": "rel", "ambiguous_guideline": "amb", "annotator_deviation": "dev", "both": "both",
    "diffuse": "diff", "inconclusive": "inc", "undefined": "undef", "undetermined": "undet",
}


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def run_cell(case, n_ann, n_items, reps, seed, gold_share, th=Thresholds(), gold_error=0.0, first=0, misses=None,
             dump=None):
    right, right_verdict, verdicts, precision, recall = 0, 0, collections.Counter(), [], []
    dev_kind_right = collections.Counter()
    for r in range(first, first + reps):
        team = simulate_team(case, n_annotators=n_ann, n_items=n_items, seed=seed * 100_000 + r)
        gold = gold_sample(team, gold_share, seed=seed * 100_000 + r, error=gold_error) if gold_share > 0 else None
        d = diagnose(team.data, gold=gold, thresholds=th)
        ok = judge(team, d)
        if dump is not None:
            dump.write(json.dumps({"case": case, "annotators": n_ann, "items": n_items, "seed": seed * 100_000 + r,
                                   "verdict": d.verdict.value, "deviating": list(d.deviating),
                                   "items_named": list(d.ambiguous_items)}) + "\n")
        right += ok
        right_verdict += judge(team, d, check_items=False)
        if misses is not None and not judge(team, d, check_items=False):
            misses.append((case, n_ann, n_items, seed * 100_000 + r, d.verdict.value, tuple(d.deviating),
                           team.deviant, team.deviant_kind))
        tag = SHORT.get(d.verdict.value, d.verdict.value)
        if d.verdict.value in ("annotator_deviation", "both") and team.deviant is not None:
            if tuple(d.deviating) != (team.deviant,):
                tag += "(wrong person)"
        verdicts[tag] += 1
        if d.ambiguous_items and team.open_items:
            precision.append(named_open_share(team, d))
            recall.append(len(set(d.ambiguous_items) & team.open_items) / len(team.open_items))
        if team.deviant_kind:
            dev_kind_right[team.deviant_kind, ok] += 1
    return right / reps, right_verdict / reps, verdicts, precision, recall, dev_kind_right


def time_one(n_ann=5, n_items=80, repeat=15, gold_share=0.0):
    team = simulate_team("both", n_annotators=n_ann, n_items=n_items, seed=12345)
    gold = gold_sample(team, gold_share, seed=12345) if gold_share > 0 else None
    diagnose(team.data, gold=gold)  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        diagnose(team.data, gold=gold)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), float(np.max(times))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--replicates", type=int, default=50)
    p.add_argument("--items", type=int, nargs="+", default=[60, 80])
    p.add_argument("--annotators", type=int, nargs="+", default=[3, 4, 5])
    p.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--first-replicate", type=int, default=0, metavar="N",
                   help="replicates N .. N + replicates - 1 (team seeds seed * 100000 + r): e.g. 1000 for a seed range"
                        " disjoint from the default 0-49")
    p.add_argument("--misses", action="store_true", help="list each replicate whose verdict or people are wrong")
    p.add_argument("--verdicts", metavar="FILE", help="write each replicate's verdict, people and items (JSON lines)"
                   " to FILE, to compare two versions of the code replicate by replicate")
    p.add_argument("--gold", action="store_true", help="pass every item's gold value to the diagnosis")
    p.add_argument("--gold-share", type=float, default=None, metavar="SHARE",
                   help="pass gold values on a seeded random share of the items (0 to 1)")
    p.add_argument("--gold-error", type=float, default=0.0, metavar="SHARE",
                   help="with gold: replace this share of the gold values by another label (an expert who errs)")
    p.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                   help="override a field of diagnosis.Thresholds (repeatable), e.g. --threshold z_min=2.5")
    args = p.parse_args(argv)
    overrides = {}
    for item in args.threshold:
        name, _, value = item.partition("=")
        if name not in Thresholds.__dataclass_fields__:
            p.error(f"--threshold: no field {name!r} in Thresholds")
        kind = type(getattr(Thresholds(), name))
        overrides[name] = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
    th = Thresholds(**overrides)
    if args.gold_share is not None and not 0 <= args.gold_share <= 1:
        p.error("--gold-share: expected a share in [0, 1]")
    gold_share = 1.0 if args.gold else (args.gold_share or 0.0)
    gold_text = (" (no gold)" if gold_share == 0 else " (gold on every item)" if gold_share == 1
                 else f" (gold on a seeded {gold_share:.0%} of the items)")
    if gold_share > 0 and args.gold_error > 0:
        gold_text = gold_text[:-1] + f", {args.gold_error:.0%} of the gold values wrong)"
    if overrides:
        print("thresholds changed: " + ", ".join(f"{k}={v}" for k, v in overrides.items()))

    first = args.seed * 100_000 + args.first_replicate
    print(f"team seeds {first}-{first + args.replicates - 1}")
    print(f"load average (1/5/15 min) at start: {load()} on {os.cpu_count()} CPUs")
    t_start = time.perf_counter()
    cols = [(a, n) for a in args.annotators for n in args.items]
    results = {}
    misses = [] if args.misses else None
    dump = open(args.verdicts, "w", encoding="utf-8") if args.verdicts else None
    for case in args.cases:
        for a, n in cols:
            results[case, a, n] = run_cell(case, a, n, args.replicates, args.seed, gold_share, th, args.gold_error,
                                           args.first_replicate, misses, dump)
    if dump is not None:
        dump.close()
    elapsed = time.perf_counter() - t_start

    head = "| case | " + " | ".join(f"{a} ann x {n}" for a, n in cols) + " |"
    for k, what in ((0, "right verdict, people and items (at least 2/3 of the named items open)"),
                    (1, "right verdict and people (items named, not checked)")):
        print(f"\nshare of replicates with the {what}, {args.replicates} seeded replicates per cell"
              f"{gold_text}:\n")
        print(head)
        print("|---|" + "---|" * len(cols))
        for case in args.cases:
            print(f"| {case} | " + " | ".join(f"{results[case, a, n][k]:.2f}" for a, n in cols) + " |")

    print("\nverdicts given (rel reliable, amb ambiguous guideline, dev annotator deviation, diff diffuse,"
          " undet undetermined, inc inconclusive):\n")
    for case in args.cases:
        for a, n in cols:
            _, _, verdicts, precision, recall, kinds = results[case, a, n]
            v = ", ".join(f"{k} {c}" for k, c in verdicts.most_common())
            extra = (f"; named items: {np.mean(precision):.2f} open (precision), {np.mean(recall):.2f} of the open"
                     " ones named (recall)" if precision else "")
            if kinds:
                extra += "; right by deviant kind: " + ", ".join(
                    f"{kind} {kinds[kind, True]}/{kinds[kind, True] + kinds[kind, False]}"
                    for kind in ("confuser", "sloppy"))
            print(f"  {case:<9} {a} ann x {n:>3}: {v}{extra}")

    if misses:
        print("\nreplicates with the wrong verdict or people (case, annotators, items, team seed, verdict, named,"
              " deviant, kind):\n")
        for m in misses:
            print("  " + " ".join(map(str, m)))

    med, worst = time_one(gold_share=gold_share)
    med3, _ = time_one(3, 80, gold_share=gold_share)
    print(f"\none diagnosis of 80 items x 5 annotators{gold_text}: median {med * 1000:.0f} ms (max {worst * 1000:.0f}"
          f" ms); 80 x 3: {med3 * 1000:.0f} ms")
    print(f"whole run {elapsed:.0f} s; load average at end: {load()}")


if __name__ == "__main__":
    main()
