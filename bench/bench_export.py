"""Export speed and memory on 1,000,000 responses (200,000 items x 5 annotators).

Builds a SQLite history store through the store's own write API: task medical-qa-rating, a
passing calibration round of 80 items, then one production round of ``--items`` items (two
candidate answers per prompt, so DPO has pairs) answered by 5 annotators on quality and safety,
each record with its fields (~350 characters) and metadata (source, judge score). Then, each in
its own process, ``--repeat`` times (the range is reported: the machine may be shared):

* ``workbench export TASK --format sft`` and ``--format dpo`` (whole process: start-up, reading
  the store, final labels, filters, split, Parquet, hashes): wall time, CPU time (user + system)
  and peak memory (max RSS);
* ``workbench export verify`` of each;
* reference 1 (issue #12's): ``datasets.Dataset.from_list(rows).to_parquet(...)`` of the exported
  rows (read back from the export first; only the write is timed): what the `datasets` library
  takes to write the rows that come out;
* reference 2 (the same input): ``pandas.read_sql_query`` of the responses the export reads (every
  current response of the task's rounds: item, annotator, user id, status, guideline version,
  answers, 1,000,400 rows) from the same SQLite store, then
  ``datasets.Dataset.from_pandas(...).to_parquet(...)``: reading and writing are timed, and the
  reference's whole process too.

Ratios: the export's whole process against reference 1's write, against reference 2's read and
write, and against reference 2's whole process (start-up included on both sides). The load
(``/proc/loadavg``) is printed at the start and the end of every measurement. Workbench's modules
run from bytecode (cached in the work folder), as the references' libraries do.

Targets (issue #12): export <= 2x "the time datasets takes to write the same rows" and < 60 s;
verify < 10 s. The export reads and aggregates a million responses to write some 50,000 rows,
so against reference 1 the ratio cannot approach 2x; reference 2 moves the same volume in.

Usage: python bench/bench_export.py [--items 200000] [--store FILE] [--repeat 3] [--json FILE] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
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


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def _run(cmd: list[str], env: dict) -> dict:
    """One process: wall seconds, CPU seconds (user + system), peak RSS (MiB), output, load before/after."""
    load0 = _load()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    kb = [int(line.split()[1]) for line in out.stderr.splitlines() if line.startswith("MAXRSS_KB")]
    return dict(wall=wall, cpu=cpu, rss=(kb[-1] / 1024) if kb else None, stdout=out.stdout, load=(load0, _load()))


def timed(args: list[str], env: dict) -> dict:
    """``workbench ARGS`` in its own process (see :func:`_run`)."""
    return _run([sys.executable, "-c", _LAUNCH, *args], env)


# reference 2: the responses the export reads, read from the same store with pandas, written with datasets
RESPONSES_REFERENCE = r"""
import resource, sys, time, sqlite3
t0 = time.perf_counter()
import pandas as pd
import datasets
datasets.disable_progress_bars()
con = sqlite3.connect(sys.argv[1])
ids = [r[0] for r in con.execute("select dataset_id from rounds where task = ?", (sys.argv[3],))]
q = ("select item, annotator, user_id, status, guideline_version, answers from response_latest "
     f"where dataset_id in ({', '.join('?' for _ in ids)})")
t1 = time.perf_counter()
df = pd.read_sql_query(q, con, params=ids)
t2 = time.perf_counter()
datasets.Dataset.from_pandas(df, preserve_index=False).to_parquet(sys.argv[2])
t3 = time.perf_counter()
print(f"{t2 - t1:.3f} {t3 - t2:.3f} {len(df)} {t1 - t0:.3f}")
print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""

# reference 1: the exported rows, written with datasets (only the write is timed)
REFERENCE = r"""
import resource, sys, time, glob
import pyarrow.parquet as pq
import datasets
datasets.disable_progress_bars()
rows = []
for f in sorted(glob.glob(sys.argv[1] + "/data/*.parquet")):
    rows += pq.read_table(f).to_pylist()
t0 = time.perf_counter()
datasets.Dataset.from_list(rows).to_parquet(sys.argv[2])
print(f"{time.perf_counter() - t0:.3f} {len(rows)}")
print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _span(values: list[float], fmt: str = "{:.1f}") -> str:
    """'x' for one value, 'min-max (median m)' for several."""
    v = sorted(values)
    if len(v) == 1:
        return fmt.format(v[0])
    return f"{fmt.format(v[0])}-{fmt.format(v[-1])} (median {fmt.format(statistics.median(v))})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=200_000)
    ap.add_argument("--store", type=Path, default=None, help="reuse (or build once into) this SQLite file")
    ap.add_argument("--repeat", type=int, default=1, help="measure this many times (each in new processes)")
    ap.add_argument("--json", type=Path, default=None, help="also write every measurement to this JSON file")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    store_file = args.store or work / "history.db"
    url = f"sqlite:///{store_file}"
    print(f"machine: {os.cpu_count()} CPUs, load {_load()} (1, 5, 15 min)")
    if not store_file.exists():
        t0 = time.perf_counter()
        n = build(url, args.items)
        print(f"built store: {n:,} responses in {time.perf_counter() - t0:.0f} s ({store_file})")
    env = {**os.environ, "WORKBENCH_HOME": str(work / "home"), "WORKBENCH_PROJECT_DIR": str(REPO),
           "HF_DATASETS_OFFLINE": "1", "PYTHONPYCACHEPREFIX": str(work / "pycache")}
    # Workbench's modules run from their bytecode, as the libraries of the references do (a shell with
    # PYTHONDONTWRITEBYTECODE would have every process compile them again); it goes to the work folder
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", "import workbench.cli.export, workbench.export.build, "
                    "workbench.export.folder, workbench.analytics.drift"], env=env, check=True)
    runs: list[dict] = []
    for rep in range(args.repeat):
        run: dict = {"repeat": rep + 1}
        for fmt in ("sft", "dpo"):
            out = work / f"{fmt}-{rep}"
            e = timed(["export", TASK, "--format", fmt, "--store", url, "--output", str(out)], env)
            v = timed(["export", "verify", str(out)], env)
            assert v["stdout"].startswith("OK"), v["stdout"]
            r = _run([sys.executable, "-c", REFERENCE, str(out), str(work / f"ref-{fmt}.parquet")], env)
            ref_write, rows = float(r["stdout"].split()[0]), int(r["stdout"].split()[1])
            manifest = json.loads((out / "manifest.json").read_text())
            run[fmt] = dict(export_s=e["wall"], export_cpu_s=e["cpu"], peak_mib=e["rss"], load=e["load"],
                            verify_s=v["wall"], rows=rows, rows_by_split=manifest["counts"]["rows"],
                            ref1_write_s=ref_write, ref1_process_s=r["wall"], ref1_peak_mib=r["rss"])
            print(f"[{rep + 1}] {fmt}: {rows:,} rows {manifest['counts']['rows']}; export {e['wall']:.1f} s "
                  f"(CPU {e['cpu']:.1f} s), peak RSS {e['rss']:.0f} MiB, load {e['load'][0]} -> {e['load'][1]}; "
                  f"verify {v['wall']:.1f} s; reference 1 (datasets writing the exported rows) {ref_write:.2f} s: "
                  f"ratio {e['wall'] / ref_write:.1f}x", flush=True)
            shutil.rmtree(out, ignore_errors=True)
        r = _run([sys.executable, "-c", RESPONSES_REFERENCE, str(store_file), str(work / "responses.parquet"), TASK],
                 env)
        read_s, write_s, n, startup_s = r["stdout"].split()
        run["ref2"] = dict(read_s=float(read_s), write_s=float(write_s), rows=int(n), startup_s=float(startup_s),
                           process_s=r["wall"], cpu_s=r["cpu"], peak_mib=r["rss"], load=r["load"])
        ref2 = float(read_s) + float(write_s)
        print(f"[{rep + 1}] reference 2 (pandas reading the {int(n):,} responses from the store + datasets writing "
              f"them): read {float(read_s):.2f} s + write {float(write_s):.2f} s = {ref2:.2f} s; whole process "
              f"{r['wall']:.1f} s (CPU {r['cpu']:.1f} s), peak RSS {r['rss']:.0f} MiB, load {r['load'][0]} -> "
              f"{r['load'][1]}; export / that: "
              + ", ".join(f"{f} {run[f]['export_s'] / ref2:.1f}x (whole process against whole process "
                          f"{run[f]['export_s'] / r['wall']:.1f}x)" for f in ("sft", "dpo")), flush=True)
        runs.append(run)
    print(f"\nsummary over {len(runs)} run(s), load at the end {_load()}:")
    for fmt in ("sft", "dpo"):
        m = [r[fmt] for r in runs]
        ref2 = [r["ref2"]["read_s"] + r["ref2"]["write_s"] for r in runs]
        print(f"  {fmt}: export {_span([x['export_s'] for x in m])} s (CPU {_span([x['export_cpu_s'] for x in m])} s, "
              f"target < 60 s); peak RSS {_span([x['peak_mib'] for x in m], '{:.0f}')} MiB; "
              f"verify {_span([x['verify_s'] for x in m])} s (target < 10 s)")
        print(f"       reference 1 {_span([x['ref1_write_s'] for x in m], '{:.2f}')} s -> ratio "
              f"{_span([x['export_s'] / x['ref1_write_s'] for x in m])}x (target <= 2x); "
              f"reference 2 {_span(ref2, '{:.2f}')} s -> ratio "
              f"{_span([x['export_s'] / y for x, y in zip(m, ref2)])}x; against reference 2's whole process "
              f"{_span([x['export_s'] / r['ref2']['process_s'] for x, r in zip(m, runs)])}x")
    print(f"  reference 2 whole process {_span([r['ref2']['process_s'] for r in runs])} s, peak RSS "
          f"{_span([r['ref2']['peak_mib'] for r in runs], '{:.0f}')} MiB")
    if args.json:
        args.json.write_text(json.dumps({"cpus": os.cpu_count(), "runs": runs}, indent=1))
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
