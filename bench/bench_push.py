"""Candidates pushed per second by ``workbench candidates push``, against the SDK's own
``Dataset.records.log`` on the same records in the same run.

Starts the embedded server (``workbench.server.launcher``) under a throwaway Workbench home, writes
N synthetic candidates (two answers per prompt, judge and DEITA scores, PII counts) to the home's
candidate store, and times, each on a fresh dataset of the task:

* the SDK reference: ``records.log`` of the very records the push builds (same ids, fields,
  metadata, suggestions), default batch size, and again with the push's batch size;
* ``push_candidates`` without dedup into a dataset the push creates (settings, metadata
  properties), and into an existing empty dataset (read the store, build records, read the
  dataset's ids, log the missing ones);
* ``push_candidates`` with dedup (exact, MinHash and semantic over the prompts) into an existing
  empty dataset, with the prompt embeddings pushed as vectors (the default);
* a second push onto the full dataset (nothing to send: the cost of checking), and one onto the
  dataset pushed with vectors after adding 10% new prompts: the prompts already there are compared
  through their stored vectors, only the new ones are embedded.

The SDK comparison rows push without vectors (``vectors=False``), as the SDK reference sends none.

The rate column counts records sent per second of the whole call; "vs SDK" divides it by the
SDK's rate at the same batch size.

Usage::

    python bench/bench_push.py [--n 600] [--batch-size 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

TOPICS = ("water intake", "sunburn", "ibuprofen", "a cold", "tension headaches", "sleep", "hay fever", "back pain",
          "heartburn", "vitamin D", "blood pressure", "migraines", "eczema", "insomnia", "a sprained ankle", "earache")
ASKS = ("What should I know about {t} when {c}?", "Is it safe to manage {t} at home if {c}?",
        "How long does {t} usually last when {c}?", "Which warning signs about {t} matter if {c}?")
CONTEXTS = ("I am {a} years old", "I take {m} daily", "I am pregnant", "I have asthma", "my child is {k}",
            "I work night shifts", "I have type 2 diabetes", "I run {r} km a week")


def candidates(n: int, seed: int = 0, first_case: int = 0) -> list[dict]:
    from workbench.demo_data import record_id

    rng = random.Random(seed)
    out, i = [], first_case
    while len(out) < n:
        ctx = rng.choice(CONTEXTS).format(a=rng.randint(18, 90), m=rng.choice(["metformin", "aspirin", "statins"]),
                                          k=rng.randint(1, 15), r=rng.randint(5, 80))
        prompt = rng.choice(ASKS).format(t=rng.choice(TOPICS), c=ctx) + f" (case {i})"
        i += 1
        for g in ("teacher-a", "teacher-b"):
            answer = (f"{g}: for {prompt[:40]}... most people can start with rest and fluids; "
                      f"see a doctor if it lasts more than {rng.randint(2, 14)} days.")
            out.append({
                "id": record_id({"instruction": prompt, "response": answer}), "task": "medical-qa-rating",
                "seed_id": f"s{i}", "instruction": prompt, "response": answer, "origin": "seed",
                "instruction_source": "logs", "response_source": "synthetic", "generator": g, "licence": "bench",
                "pii": {"flagged": i % 3 == 0, "counts": {"PERSON": 1} if i % 3 == 0 else {}},
                "scores": {"complexity": float(rng.randint(1, 4)), "complexity_scale": 5, "complexity_model": "judge-m",
                           "quality": float(rng.randint(1, 3)), "quality_scale": 3, "quality_model": "judge-m",
                           "judge": rng.randint(1, 5), "judge_rationale": "Correct but brief.", "judge_model": "judge-m",
                           "judge_style": "rubric", "deita": None},
                "run": "bench", "created_at": "2026-01-01T00:00:00+00:00",
            })
    return out[:n]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=600, help="candidates (two answers per prompt)")
    ap.add_argument("--batch-size", type=int, default=100, help="records per request of the push")
    ap.add_argument("--repeats", type=int, default=3, help="alternating SDK / push runs")
    args = ap.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="wb-bench-push-"))
    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ.pop("ARGILLA_REDIS_URL", None)
    os.environ.pop("ARGILLA_DATABASE_URL", None)
    os.environ["WORKBENCH_OWNER_USERNAME"] = "owner"
    os.environ["WORKBENCH_OWNER_PASSWORD"] = secrets.token_hex(12)
    os.environ["WORKBENCH_OWNER_API_KEY"] = secrets.token_hex(20)

    import argilla as rg

    from workbench.candidates import storage
    from workbench.candidates.genconfig import parse_config
    from workbench.candidates.push import _dataset, metadata_properties, push_candidates, record_content
    from workbench.dataset_settings import settings_for
    from workbench.rounds import item_id
    from workbench.server import launcher
    from workbench.tasks import find_task

    task = find_task("medical-qa-rating")
    llm = {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "judge-m", "api_key_env": None}
    cfg = parse_config(task, {"llms": {"j": llm}, "teachers": ["j"], "judge": {"llm": "j", "rationale_question": "critique"},
                              "deita": {"llm": "j"}, "metadata": {"judge_quality": "judge", "response_words": "response_words"}},
                       "bench")
    cands = candidates(args.n)
    storage.write_jsonl(storage.task_dir(task.name) / "candidates.jsonl", cands)
    state = None
    try:
        t0 = time.perf_counter()
        state = launcher.start("127.0.0.1", launcher.free_port())
        print(f"server up in {time.perf_counter() - t0:.1f} s at {state.url}; {args.n} candidates, "
              f"{len({c['instruction'] for c in cands})} prompts")
        cl = rg.Argilla(api_url=state.url, api_key=os.environ["WORKBENCH_OWNER_API_KEY"])
        rg.Workspace(name=task.name, client=cl).create()

        def sdk(name: str, batch_size: int | None) -> float:
            settings = settings_for(task, None, client=cl)
            for p in metadata_properties(task, cl):
                settings.metadata.add(p)
            ds = rg.Dataset(name=name, workspace=task.name, settings=settings, client=cl)
            ds.create()
            records = []
            for c in cands:
                f, m, s = record_content(task, cfg, c)
                records.append(rg.Record(id=item_id(task, f), fields=f, metadata=m,
                                         suggestions=[rg.Suggestion(question_name=q, value=v, agent=a, type="model") for q, v, a in s]))
            t = time.perf_counter()
            ds.records.log(records, **({"batch_size": batch_size} if batch_size else {}))
            return time.perf_counter() - t

        # SDK and push alternate on fresh datasets (the server slows as its database grows)
        sdk_times, push_times = [], []
        for r in range(args.repeats):
            sdk_times.append(sdk(f"sdk-{r}", args.batch_size))
            _dataset(cl, task, f"push-{r}", task.name)
            rep = push_candidates(cl, task, cfg, dataset=f"push-{r}", dedup=False, batch_size=args.batch_size,
                                  vectors=False)
            assert rep.pushed == args.n
            push_times.append(rep.seconds)
        t_sdk_b, t_push = statistics.median(sdk_times), statistics.median(push_times)
        t_sdk = sdk("sdk-default", None)
        rep_c = push_candidates(cl, task, cfg, dataset="push-create", dedup=False, batch_size=args.batch_size,
                                vectors=False)
        from workbench import embeddings

        t = time.perf_counter()
        embeddings.load_model(precision="auto")  # once per process: kept out of the push timings
        t_load = time.perf_counter() - t
        _dataset(cl, task, "push-dedup", task.name)
        rep_d = push_candidates(cl, task, cfg, dataset="push-dedup", dedup=True, batch_size=args.batch_size)
        rep_again = push_candidates(cl, task, cfg, dataset="push-0", dedup=False, batch_size=args.batch_size)
        assert rep_again.pushed == 0 and rep_again.already == args.n
        more = candidates(args.n // 10, seed=1, first_case=args.n)
        storage.write_jsonl(storage.task_dir(task.name) / "candidates.jsonl", cands + more)
        rep_more = push_candidates(cl, task, cfg, dataset="push-dedup", dedup=True, batch_size=args.batch_size)
        n_prompts = len({c["instruction"] for c in cands})

        rows = [
            (f"SDK records.log (batch {args.batch_size}), median of {args.repeats}", args.n, t_sdk_b),
            (f"workbench push (batch {args.batch_size}), median of {args.repeats}", args.n, t_push),
            ("SDK records.log (default batch 256)", args.n, t_sdk),
            ("workbench push, creating the dataset", rep_c.pushed, rep_c.seconds),
            (f"workbench push + dedup + vectors ({rep_d.duplicates} held back)", rep_d.pushed, rep_d.seconds),
            (f"re-push + 10% new ({rep_more.embedded} prompts embedded)", rep_more.pushed, rep_more.seconds),
        ]
        print(f"\n{'':52} {'records':>8} {'seconds':>8} {'rec/s':>8} {'vs SDK':>7}")
        for label, n, secs in rows:
            print(f"{label:52} {n:8d} {secs:8.2f} {n / secs:8.1f} {(n / secs) / (args.n / t_sdk_b):7.2f}")
        print(f"{'workbench push again (nothing to send)':52} {0:8d} {rep_again.seconds:8.2f} "
              f"{'':>8} {rep_again.seconds / t_sdk_b:6.2f}x of the SDK log time")
        print(f"model load {t_load:.1f} s (once per process); first push embedded {rep_d.embedded} of {n_prompts} "
              f"prompts, the re-push {rep_more.embedded} (the {len({c['instruction'] for c in more})} new ones; "
              f"{rep_more.already} records already there compared through their stored vectors)")
        print(f"runs: SDK {', '.join(f'{t:.1f}' for t in sdk_times)} s; push {', '.join(f'{t:.1f}' for t in push_times)} s")
        print(json.dumps({"n": args.n, "sdk_default_s": round(t_sdk, 3), "sdk_batch_s": round(t_sdk_b, 3),
                          "push_create_s": round(rep_c.seconds, 3), "push_s": round(t_push, 3),
                          "push_dedup_s": round(rep_d.seconds, 3), "dedup_held_back": rep_d.duplicates,
                          "repush_more_s": round(rep_more.seconds, 3), "repush_more_embedded": rep_more.embedded,
                          "repush_s": round(rep_again.seconds, 3)}))
    finally:
        if state is not None:
            launcher.stop()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
