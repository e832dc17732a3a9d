"""Export speed and memory on 1,000,000 responses (200,000 items x 5 annotators).

Builds a SQLite history store through the store's own write API: task medical-qa-rating, a
passing calibration round of 80 items, then one production round of ``--items`` items (two
candidate answers per prompt, so DPO has pairs) answered by 5 annotators on quality and safety,
each record with its fields (~350 characters) and metadata (source, judge score). Then, each in
its own process:

* ``workbench export TASK --format sft`` and ``--format dpo`` (whole process: start-up, reading
  the store, final labels, filters, split, Parquet, hashes), wall time and peak memory (max RSS);
* ``workbench export verify`` of each;
* reference 1: ``datasets.Dataset.from_list(rows).to_parquet(...)`` of the exported rows (read
  back from the export first; only the write is timed): what the `datasets` library takes to
  write the rows that come out;
* reference 2: ``datasets.Dataset.from_pandas(...).to_parquet(...)`` of the 1,000,400 responses
  the export reads (item, annotator, status, answers as stored): what it takes to write what goes
  in.

Targets (issue #12): export <= 2x "the time datasets takes to write the same rows" and < 60 s;
verify < 10 s. The export reads and aggregates a million responses to write some 50,000 rows,
so against reference 1 the ratio cannot approach 2x; reference 2 measures the same volume.

Usage: python bench/bench_export.py [--items 200000] [--store FILE] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

TASK = "medical-qa-rating"
ANNOTATORS = tuple(f"a{i}" for i in range(5))
SAFETY = ("safe", "needs-caveat", "unsafe")
NS = uuid.UUID("5d0c7b3e-8a61-4f0e-9c53-2a7e3f1b9d42")
WORDS = ("take", "water", "rest", "doctor", "dose", "symptoms", "fever", "child", "daily", "pain", "sleep",
         "check", "advice", "if", "when", "the", "a", "with", "after", "before", "call", "urgent", "care")


def _text(rng, n_words: int) -> str:
    return " ".join(rng.choice(WORDS, n_words))


def build(url: str, n_items: int) -> int:
    from workbench.store import HistoryStore, RecordRow, ResponseRow

    store = HistoryStore(url)
    rng = np.random.default_rng(0)
    users = {a: str(uuid.uuid5(NS, a)) for a in ANNOTATORS}
    start = dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc)
    total = 0
    for rnd, kind, items in ((1, "calibration", 80), (2, "production", n_items)):
        name = f"{TASK}-{kind}-r{rnd}"
        ds_id = str(uuid.uuid5(NS, name))
        created = start + dt.timedelta(weeks=rnd - 1)
        store.record_round(task=TASK, round=rnd, kind=kind, dataset=name, workspace="bench", dataset_id=ds_id,
                           guideline_version=1, created_at=created)
        truth_q = rng.integers(1, 6, items)
        truth_s = rng.choice(3, items, p=[0.6, 0.3, 0.1])
        noise = 0.02 if kind == "calibration" else 0.15
        prompts = [_text(rng, 12) for _ in range(max(1, items // 2))]
        records, rows = [], []
        for i in range(items):
            item = f"{kind}-{i:07d}"
            rid = str(uuid.uuid5(NS, f"{name}/{item}"))
            records.append(RecordRow(record_id=rid, item=item, fields={
                "instruction": prompts[i // 2 % len(prompts)], "response": _text(rng, 50)},
                metadata={"source": ("seed-set" if i % 10 == 0 else "gen-a"), "judge_quality": float(truth_q[i])}))
            for a in ANNOTATORS:
                q = int(truth_q[i] if rng.random() > noise else min(5, max(1, truth_q[i] + rng.choice([-1, 1]))))
                s = SAFETY[truth_s[i] if rng.random() > noise else rng.integers(0, 3)]
                when = created + dt.timedelta(seconds=i)
                values = {"quality": q, "safety": s}
                if kind == "calibration":  # the gate checks every question with an agreement level
                    values["issues"] = ["none"] if s == "safe" else ["missing-caveat"]
                rows.append(ResponseRow(record_id=rid, item=item, user_id=users[a], annotator=a,
                                        response_id=str(uuid.uuid5(NS, f"{rid}/{a}")), status="submitted",
                                        values=values, inserted_at=when, updated_at=when))
        store.write_dataset_sync(dataset_id=ds_id, name=name, workspace="bench", responses=rows, suggestions=[],
                                 watermark=created + dt.timedelta(days=6), records=records)
        total += len(rows)
        if kind == "calibration":  # gold for the gate: the truth
            store.set_gold_many(TASK, [dict(item=f"{kind}-{i:07d}", question="quality", value=int(truth_q[i]),
                                            set_by="bench", kind="expert") for i in range(items)]
                                + [dict(item=f"{kind}-{i:07d}", question="safety", value=SAFETY[truth_s[i]],
                                        set_by="bench", kind="expert") for i in range(items)]
                                + [dict(item=f"{kind}-{i:07d}", question="issues", set_by="bench", kind="expert",
                                        value=["none"] if truth_s[i] == 0 else ["missing-caveat"])
                                   for i in range(items)])
    store.close()
    return total


_LAUNCH = ("import resource, runpy, sys\n"
           "sys.argv = ['workbench'] + sys.argv[1:]\n"
           "try:\n    runpy.run_module('workbench.cli', run_name='__main__')\n"
           "finally:\n    print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")


def timed(args: list[str], env: dict) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one ``workbench ARGS`` process."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _LAUNCH, *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"workbench {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    kb = [int(line.split()[1]) for line in out.stderr.splitlines() if line.startswith("MAXRSS_KB")][-1]
    return wall, kb / 1024, out.stdout


RESPONSES_REFERENCE = r"""
import sys, time, sqlite3
import pandas as pd
import datasets
datasets.disable_progress_bars()
con = sqlite3.connect(sys.argv[1])
df = pd.read_sql_query("select item, annotator, status, answers from response_latest", con)
t0 = time.perf_counter()
datasets.Dataset.from_pandas(df, preserve_index=False).to_parquet(sys.argv[2])
print(f"{time.perf_counter() - t0:.3f} {len(df)}")
"""

REFERENCE = r"""
import sys, time, glob
import pyarrow.parquet as pq
import datasets
datasets.disable_progress_bars()
rows = []
for f in sorted(glob.glob(sys.argv[1] + "/data/*.parquet")):
    rows += pq.read_table(f).to_pylist()
t0 = time.perf_counter()
datasets.Dataset.from_list(rows).to_parquet(sys.argv[2])
print(f"{time.perf_counter() - t0:.3f} {len(rows)}")
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=200_000)
    ap.add_argument("--store", type=Path, default=None, help="reuse (or build once into) this SQLite file")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    store_file = args.store or work / "history.db"
    url = f"sqlite:///{store_file}"
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if not store_file.exists():
        t0 = time.perf_counter()
        n = build(url, args.items)
        print(f"built store: {n:,} responses in {time.perf_counter() - t0:.0f} s ({store_file})")
    env = {**os.environ, "WORKBENCH_HOME": str(work / "home"), "WORKBENCH_PROJECT_DIR": str(REPO),
           "HF_DATASETS_OFFLINE": "1"}
    results = {}
    for fmt in ("sft", "dpo"):
        out = work / fmt
        wall, rss, _ = timed(["export", TASK, "--format", fmt, "--store", url, "--output", str(out)], env)
        vwall, _, vout = timed(["export", "verify", str(out)], env)
        assert vout.startswith("OK"), vout
        ref_out = subprocess.run([sys.executable, "-c", REFERENCE, str(out), str(work / f"ref-{fmt}.parquet")],
                                 env=env, capture_output=True, text=True, check=True).stdout.split()
        ref, rows = float(ref_out[0]), int(ref_out[1])
        manifest = json.loads((out / "manifest.json").read_text())
        results[fmt] = dict(export_s=wall, peak_mib=rss, verify_s=vwall, reference_s=ref, rows=rows)
        print(f"{fmt}: {rows:,} rows ({manifest['counts']['rows']}); export {wall:.1f} s, peak RSS {rss:.0f} MiB; "
              f"verify {vwall:.1f} s; datasets writing the same rows to Parquet {ref:.1f} s; "
              f"ratio {wall / ref:.2f}x (target <= 2x and < 60 s; verify < 10 s)")
    ref_out = subprocess.run([sys.executable, "-c", RESPONSES_REFERENCE, str(store_file), str(work / "responses.parquet")],
                             env=env, capture_output=True, text=True, check=True).stdout.split()
    ref, n = float(ref_out[0]), int(ref_out[1])
    print(f"reference 2: datasets writing the {n:,} responses the export reads (item, annotator, status, answers) "
          f"to Parquet: {ref:.1f} s; export / that: " + ", ".join(f"{f} {r['export_s'] / ref:.1f}x"
                                                                  for f, r in results.items()))
    print(f"load at the end {os.getloadavg()[0]:.1f}")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
