"""Benchmark: the whole-process ``workbench agreement`` CLI on long CSVs of 1M and 2M rows.

Data (seeded): ``N`` items x 10 annotators, one row per (item, annotator) - 100,000 items for
1,000,000 rows, 200,000 for 2,000,000 - with columns ``item,annotator,value``; item ids like
``rec-0000042``, annotators ``ann01``..``ann10``; values are 1-5 ratings (each annotator agrees
with a latent truth 60-90% of the time, one weaker annotator), 10% of the value cells empty
(missing judgements); rows shuffled, as an export might list them.

Measured in the same run, each in a fresh process (so imports are counted on both sides):

(a) the reference: ``pandas.read_csv`` + pivot to annotators x items + ``krippendorff.alpha``
    (nominal), nothing else;
(b) ``workbench agreement FILE --format long --bootstrap 0 --json`` (the full report: every
    coefficient, the breakdowns, the diagnosis, disputed items);
(c) the same with ``--bootstrap 1000 --seed 1``.

Prints wall time and CPU time (user + sys of the child) of each, the ratios of (b) and (c) to
(a), the alpha of each (the CLI's must agree with krippendorff's to 1e-9, else the bench exits 1),
and the machine load (``os.getloadavg``) before and after, since other work may share the machine.
A run that takes longer than ``--timeout`` seconds (600) stops the bench.
Goal (issue #13): (b) <= 1.5 x (a) and (c) <= 2.5 x (a), on 1M and 2M rows.

Run: ``python bench/bench_agreement_cli.py [--rows 1000000 2000000] [--repeat 1] [--keep DIR]``
(``--repeat R``: best of R runs of each, interleaved; ``--keep DIR`` writes the CSVs there once and
reuses them; ``--workbench CMD`` times another checkout, e.g.
``--workbench "env PYTHONPATH=/tmp/old python -m workbench.cli"``.)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_ANNOTATORS = 10
N_CATEGORIES = 5
MISSING = 0.10
GOAL_NO_BOOT, GOAL_BOOT = 1.5, 2.5

REFERENCE = r"""
import sys
import krippendorff
import pandas as pd
df = pd.read_csv(sys.argv[1])
matrix = df.pivot(index="annotator", columns="item", values="value").to_numpy(dtype=float)
print(repr(float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))))
"""


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def make_csv(path: Path, n_rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    n_items = n_rows // N_ANNOTATORS
    truth = rng.integers(1, N_CATEGORIES + 1, n_items)
    accuracy = rng.uniform(0.6, 0.9, N_ANNOTATORS)
    accuracy[3] = 0.4  # one weaker annotator
    given = np.where(
        rng.random((N_ANNOTATORS, n_items)) < accuracy[:, None],
        truth[None, :],
        rng.integers(1, N_CATEGORIES + 1, (N_ANNOTATORS, n_items)),
    )
    ann_idx = np.repeat(np.arange(N_ANNOTATORS), n_items)
    item_idx = np.tile(np.arange(n_items), N_ANNOTATORS)
    perm = rng.permutation(len(ann_idx))
    ann_idx, item_idx = ann_idx[perm], item_idx[perm]
    values = given[ann_idx, item_idx].astype(str).astype(object)
    values[rng.random(len(values)) < MISSING] = ""
    items = np.char.add("rec-", np.char.zfill(np.arange(n_items).astype(str), 7)).astype(object)
    annotators = np.array([f"ann{a + 1:02d}" for a in range(N_ANNOTATORS)], dtype=object)
    pd.DataFrame({"item": items[item_idx], "annotator": annotators[ann_idx], "value": values}).to_csv(
        path, index=False
    )


def workbench_command() -> list[str]:
    exe = Path(sys.executable).with_name("workbench")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench.cli"]


def timed(cmd: list[str], timeout: float, cwd: Path) -> tuple[float, float, str]:
    """Wall time, CPU time (user + sys of the child) and stdout of one fresh process, run in ``cwd``
    (not the checkout: ``python -m`` would import the package in the current folder first)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout,
                              cwd=cwd)
    except subprocess.TimeoutExpired:
        sys.exit(f"timed out after {timeout:.0f} s (load {load()}): {' '.join(cmd)}")
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def report(name: str, best: dict, wall: float, cpu: float, out: str) -> bool:
    """Print one run's line (ratios against the reference); True when its alpha differs."""
    if name == "reference":
        print(f"  {name:<24}{wall:>10.2f}{cpu:>10.2f}{'1.00':>12}{'1.00':>11}", flush=True)
        return False
    ref_wall, ref_cpu, ref_out = best["reference"]
    ref_alpha = float(ref_out.strip())
    goal = GOAL_NO_BOOT if name.endswith(" 0") else GOAL_BOOT
    ratio = wall / ref_wall
    ok = "met" if ratio <= goal else "NOT met"
    print(f"  {name:<24}{wall:>10.2f}{cpu:>10.2f}{ratio:>12.2f}{cpu / ref_cpu:>11.2f}   <= {goal} {ok}")
    (q,) = json.loads(out)["questions"].values()
    alpha = q["alpha"]["value"]
    same = abs(alpha - ref_alpha) <= 1e-9
    interval = f" [{q['alpha']['low']:.4f}, {q['alpha']['high']:.4f}]" if q["alpha"]["low"] is not None else ""
    print(f"      alpha {alpha!r}{interval} vs krippendorff {ref_alpha!r}: {'agree to 1e-9' if same else 'DIFFER'}",
          flush=True)
    return not same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 2_000_000])
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workbench", default=None,
                        help="command that runs workbench, e.g. 'env PYTHONPATH=OLD python -m workbench.cli' to time"
                             " another checkout (default: the workbench next to this Python)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed to each run")
    parser.add_argument("--keep", type=Path, default=None, help="write (and reuse) the CSVs in this folder")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-agreement-"))
    folder.mkdir(parents=True, exist_ok=True)
    wb = shlex.split(args.workbench) if args.workbench else workbench_command()
    failed = False
    print(f"load before: {load()} (1/5/15 min, {os.cpu_count()} cores)")
    try:
        for n_rows in args.rows:
            path = folder / f"long-{n_rows}.csv"
            if not path.exists():
                t0 = time.perf_counter()
                make_csv(path, n_rows)
                print(f"wrote {path} in {time.perf_counter() - t0:.1f} s")
            print(f"\n{n_rows:,} rows: {n_rows // N_ANNOTATORS:,} items x {N_ANNOTATORS} annotators,"
                  f" {N_CATEGORIES} categories, {MISSING:.0%} of values empty; load {load()}")
            runs = {
                "reference": [sys.executable, "-c", REFERENCE, str(path)],
                "cli --bootstrap 0": [*wb, "agreement", str(path), "--format", "long", "--bootstrap", "0", "--json"],
                f"cli --bootstrap {args.boot}": [*wb, "agreement", str(path), "--format", "long", "--bootstrap",
                                                  str(args.boot), "--seed", "1", "--json"],
            }
            best: dict = {}
            print(f"  {'run':<24}{'wall (s)':>10}{'cpu (s)':>10}{'wall ratio':>12}{'cpu ratio':>11}   goal")
            for rep in range(args.repeat):
                for name, cmd in runs.items():
                    wall, cpu, out = timed(cmd, args.timeout, folder)
                    if name not in best or wall < best[name][0]:
                        best[name] = (wall, cpu, out)
                    if args.repeat > 1:
                        print(f"  {name:<24}{wall:>10.2f}{cpu:>10.2f}   (run {rep + 1} of {args.repeat})", flush=True)
                    else:
                        failed |= report(name, best, wall, cpu, out)
            if args.repeat > 1:
                print(f"  best of {args.repeat}:")
                for name, (wall, cpu, out) in best.items():
                    failed |= report(name, best, wall, cpu, out)
            print(f"  load after: {load()}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload after: {load()}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
