"""`feedback import` of LangSmith-format events with PII redaction: speed against `candidates ingest`, and memory.

Builds LangSmith exports with the `langsmith` SDK's own schema classes and serialiser (one
``Run`` line and one ``Feedback`` line per event: a chat run whose user turn names a person and an
e-mail address about half the time, and a thumb; every 10th event also an edit), and the same
prompts and answers as a ``candidates ingest`` JSONL (``instruction``, ``response``).

Speed (in this process, one ``PiiRedactor`` loaded once and shared, so start-up is out of both
sides; ``--repeat`` rounds alternating which goes first, each into a fresh home):

* ``workbench.feedback.importer.import_file`` of the LangSmith file (``--speed-events`` events);
* ``workbench.candidates.sources.ingest_file`` of the same texts (the reference: the same
  redaction of the same prompts and answers, no parsing of the SDK schema, no signals).

Printed: events/s of each and the overhead ratio import / ingest (issue #16's target: the
import's own overhead at most 20% on top of the redaction, i.e. a ratio <= 1.2).

Memory (each size in its own process; its peak RSS, ``VmHWM``; with the real redactor its two
forked redaction workers are not included): ``import_file`` at ``--sizes`` events. With ``--memory-redactor
none`` (default) the redactor is a stand-in that returns the text unchanged, so the sizes can
be large (10k vs 100k) and the figure is the import's own memory (parsing, batches, the store);
``--memory-redactor presidio`` runs the real one (slow: keep the sizes small).

Usage: python bench/bench_feedback_import.py [--speed-events 1500] [--repeat 2] [--sizes 10000,100000]
       [--memory-redactor none|presidio] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

NAMES = ["Priya Raghunathan", "Tomasz Horvat", "Maria Gonzalez", "Emeka Eze", "Xiaoling Lin"]
DRUGS = ["ibuprofen", "lisinopril", "metformin", "atorvastatin", "amoxicillin", "omeprazole", "warfarin"]


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def build(n: int, folder: Path) -> tuple[Path, Path]:
    """(LangSmith export, candidates-ingest JSONL of the same texts) with ``n`` events."""
    from langsmith._internal._serde import dumps_json
    from langsmith.schemas import Feedback, Run

    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    ls_path, ingest_path = folder / f"langsmith-{n}.jsonl", folder / f"ingest-{n}.jsonl"
    with open(ls_path, "wb") as ls, open(ingest_path, "w", encoding="utf-8") as ing:
        for i in range(n):
            drug, other = DRUGS[i % 7], DRUGS[(i * 3 + 1) % 7]
            who = f"Hi, I'm {NAMES[i % 5]} ({NAMES[i % 5].split()[0].lower()}.{i}@example.org). " if i % 2 else ""
            prompt = f"{who}Can I take {drug} together with {other} if I am {20 + i % 60} years old? (case {i})"
            answer = (f"{drug.capitalize()} and {other} can usually be taken together, but ask your pharmacist "
                      f"about your dose; take {drug} with food. Reference {i}.")
            rid = uuid.UUID(int=i + 1)
            t = start + dt.timedelta(seconds=i)
            run = Run(id=rid, name="ChatOpenAI", run_type="llm", start_time=t, end_time=t + dt.timedelta(seconds=2),
                      inputs={"messages": [{"role": "system", "content": "You are a pharmacy assistant."},
                                           {"role": "user", "content": prompt}]},
                      outputs={"generations": [[{"text": answer, "type": "ChatGeneration"}]]},
                      extra={"metadata": {"ls_model_name": f"pharma-ft-v{1 + i % 3}", "topic": drug}})
            ls.write(dumps_json(run) + b"\n")
            fb = Feedback(id=uuid.UUID(int=10**9 + i), run_id=rid, trace_id=rid, key="user_score", score=i % 3 != 0,
                          created_at=t + dt.timedelta(minutes=1), modified_at=t + dt.timedelta(minutes=1))
            ls.write(dumps_json(fb) + b"\n")
            if i % 10 == 0:
                ed = Feedback(id=uuid.UUID(int=2 * 10**9 + i), run_id=rid, trace_id=rid, key="correction",
                              correction={"output": answer.replace("usually", "often not")},
                              created_at=t + dt.timedelta(minutes=2), modified_at=t + dt.timedelta(minutes=2))
                ls.write(dumps_json(ed) + b"\n")
            ing.write(json.dumps({"instruction": prompt, "response": answer}) + "\n")
    return ls_path, ingest_path


def speed(n: int, repeat: int, folder: Path) -> dict:
    from workbench.candidates.sources import ingest_file
    from workbench.feedback.importer import import_file
    from workbench.pii import PiiConfig, PiiRedactor

    ls_path, ingest_path = build(n, folder)
    red = PiiRedactor(PiiConfig())
    red.analyzer  # noqa: B018 - loaded once, shared by both sides
    red.redact_batch(["warm up, Priya Raghunathan, priya@example.org"] * 8)
    times = {"import": [], "ingest": []}
    loads = []
    for r in range(repeat):
        order = ("import", "ingest") if r % 2 == 0 else ("ingest", "import")
        for side in order:
            os.environ["WORKBENCH_HOME"] = tempfile.mkdtemp(prefix=f"bench-fb-{side}-", dir=folder)
            loads.append(loadavg())
            t0 = time.perf_counter()
            if side == "import":
                rep = import_file(ls_path, "langsmith", redactor=red)
                assert rep.interactions_added == n, rep.summary()
            else:
                rep = ingest_file(ingest_path, source="logs", licence="bench", redactor=red)
                assert rep.added == n, rep.summary()
            times[side].append(time.perf_counter() - t0)
            print(f"  {side:<6} {n} events: {times[side][-1]:7.1f} s ({n / times[side][-1]:6.1f} events/s), load {loads[-1]}",
                  flush=True)
    imp, ing = statistics.median(times["import"]), statistics.median(times["ingest"])
    return {"events": n, "import_s": times["import"], "ingest_s": times["ingest"], "import_events_per_s": n / imp,
            "ingest_events_per_s": n / ing, "overhead_ratio": imp / ing, "loads": loads}


class _Identity:
    """A stand-in redactor: the text unchanged, nothing found (measures the import's own memory)."""

    def redact_batch(self, texts):
        from workbench.pii import RedactionResult

        return [RedactionResult(t, {}, False) for t in texts]


def _memory_child(path: str, redactor: str) -> None:
    from workbench.feedback.importer import import_file

    if redactor == "presidio":
        from workbench.pii import PiiConfig, PiiRedactor

        red = PiiRedactor(PiiConfig())
    else:
        red = _Identity()
    t0 = time.perf_counter()
    rep = import_file(path, "langsmith", redactor=red)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so
    # a child of this (large, redactor-loaded) process would report the parent's size
    hwm = next(int(x.split()[1]) for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM:"))
    print(json.dumps({"seconds": time.perf_counter() - t0, "interactions": rep.interactions_added, "maxrss_kb": hwm}))


def memory(sizes: list[int], redactor: str, folder: Path) -> list[dict]:
    out = []
    for n in sizes:
        ls_path, _ = build(n, folder)
        home = tempfile.mkdtemp(prefix="bench-fb-mem-", dir=folder)
        load = loadavg()
        proc = subprocess.run([sys.executable, __file__, "--memory-child", str(ls_path), "--memory-redactor", redactor],
                              capture_output=True, text=True, env={**os.environ, "WORKBENCH_HOME": home}, check=True)
        child = json.loads(proc.stdout.strip().splitlines()[-1])
        row = {"events": n, "file_mb": ls_path.stat().st_size / 1e6, "seconds": child["seconds"],
               "peak_rss_mb": child["maxrss_kb"] / 1024, "load": load}
        print(f"  {n:>7} events ({row['file_mb']:.0f} MB): {row['seconds']:.1f} s, peak RSS {row['peak_rss_mb']:.0f} MB "
              f"(redactor: {redactor}), load {load}", flush=True)
        out.append(row)
        ls_path.unlink()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speed-events", type=int, default=1500)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--memory-redactor", choices=["none", "presidio"], default="none")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        _memory_child(args.memory_child, args.memory_redactor)
        return
    from workbench.config import apply_offline_env

    apply_offline_env()
    result = {"load_start": loadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-feedback-") as tmp:
        folder = Path(tmp)
        if args.speed_events:
            print(f"speed: {args.speed_events} events, {args.repeat} rounds (load {result['load_start']})", flush=True)
            sp = speed(args.speed_events, args.repeat, folder)
            print(f"  import {sp['import_events_per_s']:.1f} events/s, candidates ingest {sp['ingest_events_per_s']:.1f} "
                  f"events/s: overhead ratio import/ingest {sp['overhead_ratio']:.2f} (target <= 1.20)", flush=True)
            result["speed"] = sp
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        if sizes:
            print(f"memory: {sizes} events, redactor {args.memory_redactor}", flush=True)
            mem = memory(sizes, args.memory_redactor, folder)
            if len(mem) >= 2:
                print(f"  peak RSS ratio {mem[-1]['events']} / {mem[0]['events']} events: "
                      f"{mem[-1]['peak_rss_mb'] / mem[0]['peak_rss_mb']:.2f} (flat = 1.0; file size ratio "
                      f"{mem[-1]['file_mb'] / mem[0]['file_mb']:.1f})", flush=True)
            result["memory"] = mem
    result["load_end"] = loadavg()
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
