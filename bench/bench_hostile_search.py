"""Denial of service by one annotator: 20 annotators work while one sends hostile searches.

Starts its own embedded server (temporary Workbench home, free port, own Redis), creates a
workspace with N annotators and one hostile annotator, and runs three phases of the same length
(``--seconds``, so the whole run is bounded in time):

1. baseline: the N annotators work as the web UI does, each in a loop: fetch its pending queue
   (``POST /api/v1/me/datasets/{id}/records/search``, 10 records with responses and suggestions),
   then submit a response to the first record (``POST /api/v1/records/{id}/responses``);
2. hostile: the same, while the hostile annotator (``--hostile-threads`` connections at once, one
   token) sends, back to back, the searches an outside review found to hurt: a 3,000-word and a
   20,000-word text query, a 50,000-character word, 1,000 nested parentheses, 1,000 leading
   ``-``, ``ge: 1e30`` on ``inserted_at``, ``offset=10^20``, and the most expensive query the
   limits allow (32 words over a dataset of long texts, each word found only at the end of every
   text), which runs into the search time limit;
3. baseline again (so that drift in the machine's load shows).

Prints p50/p95 of the annotators' requests in each phase, the ratio of their p95 with the hostile
user to their p95 without (both baselines pooled; the target is at most 2x), what the hostile
requests got (status codes, time), and the load average. Fails (exit 1) when an annotator request
failed, a hostile request got a 5xx or a body with SQL in it, or the ratio is above 2.

    python bench/bench_hostile_search.py
    python bench/bench_hostile_search.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

Only loopback traffic. The machine is shared (2 cores): the load average is printed with the
figures.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import requests  # noqa: E402

from argilla_helpers import (  # noqa: E402
    annotator_session, create_annotator, login, pending_queue, percentile, submit_response,
)
from bench_load import answer, bench_server, make_dataset, run_backends  # noqa: E402

#: words each long text ends with (and the most expensive query the limits allow searches)
NEEDLES = [f"needle{i}" for i in range(32)]
#: what a response body must never hold: SQL, or a bound parameter of the engine's statements
LEAKS = ("SELECT", "json_extract", "wb_regexp", "(?<!\\", "%needle")


def hostile_requests(big_id: str, work_id: str) -> list[tuple[str, str, dict, dict]]:
    """(name, dataset id, query parameters, body) of each hostile search, in the order sent."""
    rng = random.Random(3)
    vocab = "the river stone cloud garden apple banana cherry alpha beta gamma delta".split()

    def text(q: str) -> dict:
        return {"query": {"text": {"q": q}}}

    date = {"filters": {"and": [{"type": "range", "scope": {"entity": "record", "property": "inserted_at"}, "ge": 1e30}]}}
    page = {"limit": 10}
    return [
        ("3,000 words", big_id, page, text(" ".join(rng.choice(vocab) for _ in range(3000)))),
        ("20,000 words", big_id, page, text(" ".join(rng.choice(vocab) for _ in range(20000)))),
        ("a 50,000-character word", big_id, page, text("a" * 50000)),
        ("1,000 nested parentheses", big_id, page, text("(" * 1000 + "apple" + ")" * 900)),
        ("1,000 leading '-'", big_id, page, text("-" * 1000 + "apple")),
        ("inserted_at ge 1e30", work_id, page, date),
        ("offset 10^20", work_id, {"limit": 10, "offset": 10**20}, {}),
        ("32 words, the most the limits allow", big_id, page, text(" ".join(NEEDLES))),
    ]


def make_big_dataset(client, workspace, n_records: int, filler_words: int):
    """Records whose one text field is ``filler_words`` words, none of them a needle, followed by
    the 32 needles: every needle's LIKE and regular expression reads the whole text."""
    import argilla as rg

    settings = rg.Settings(fields=[rg.TextField(name="text")], questions=[rg.LabelQuestion(name="label", labels=["a", "b"])])
    dataset = rg.Dataset(name="hostile-big", workspace=workspace, settings=settings, client=client).create()
    rng = random.Random(1)
    filler = " ".join(f"nee{rng.randint(0, 999)}" for _ in range(filler_words))
    dataset.records.log([{"text": f"{filler} {' '.join(NEEDLES)}", "id": f"big-{i}"} for i in range(n_records)])
    return dataset


def run_phase(label: str, api: str, members: dict, work_id: str, seconds: float, hostile: dict | None) -> dict:
    """Annotators work for ``seconds`` (and the hostile user attacks, if given); return latencies."""
    stop_at = [0.0]
    lock = threading.Lock()
    lat: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    hostile_log: list[tuple[str, int | str, float, bool]] = []  # (name, status, seconds, leaked)
    n_threads = len(members) + (hostile["threads"] if hostile else 0)
    barrier = threading.Barrier(n_threads + 1)

    def annotate(username: str) -> None:
        with annotator_session(members[username]) as s:
            barrier.wait(timeout=300)
            while time.perf_counter() < stop_at[0]:
                t0 = time.perf_counter()
                try:
                    resp, queue, _ = pending_queue(s, api, work_id, limit=10)
                except requests.RequestException as exc:
                    with lock:
                        failures.append(f"{username} queue: {exc!r}"[:200])
                    continue
                with lock:
                    lat["queue"].append(time.perf_counter() - t0)
                if resp.status_code != 200 or not queue:
                    with lock:
                        failures.append(f"{username} queue: HTTP {resp.status_code} {resp.text[:150]}")
                    time.sleep(0.5)
                    continue
                record = queue[0]
                try:
                    r, sec = submit_response(s, api, record["id"], answer(username, record["id"]))
                except requests.RequestException as exc:
                    with lock:
                        failures.append(f"{username} POST: {exc!r}"[:200])
                    continue
                with lock:
                    lat["post"].append(sec)
                    if not 200 <= r.status_code < 300:
                        failures.append(f"{username} POST: HTTP {r.status_code} {r.text[:150]}")

    def attack(offset: int) -> None:
        reqs = hostile["requests"]
        with annotator_session(hostile["token"]) as s:
            barrier.wait(timeout=300)
            i = offset
            while time.perf_counter() < stop_at[0]:
                name, ds_id, params, body = reqs[i % len(reqs)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = s.post(f"{api}/api/v1/me/datasets/{ds_id}/records/search", params=params, json=body, timeout=300)
                    status, text = r.status_code, r.text
                except requests.RequestException as exc:
                    status, text = type(exc).__name__, ""
                with lock:
                    hostile_log.append((name, status, time.perf_counter() - t0, any(x in text for x in LEAKS)))

    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        futures = [pool.submit(annotate, u) for u in members]
        if hostile:
            futures += [pool.submit(attack, k * 3) for k in range(hostile["threads"])]
        stop_at[0] = time.perf_counter() + seconds
        barrier.wait(timeout=300)
        for f in futures:
            f.result()
    both = lat["queue"] + lat["post"]
    out = {
        "label": label, "n": len(both), "p50": percentile(both, 50), "p95": percentile(both, 95),
        "queue_p95": percentile(lat["queue"], 95) if lat["queue"] else float("nan"),
        "post_p95": percentile(lat["post"], 95) if lat["post"] else float("nan"),
        "all": both, "failures": failures, "hostile": hostile_log,
    }
    print(f"  {label}: {len(both)} annotator requests in {seconds:.0f} s, p50 {out['p50'] * 1000:.0f} ms, "
          f"p95 {out['p95'] * 1000:.0f} ms (queue p95 {out['queue_p95'] * 1000:.0f} ms, "
          f"response p95 {out['post_p95'] * 1000:.0f} ms), {len(failures)} failed"
          + (f"; hostile requests: {len(hostile_log)}" if hostile else ""), flush=True)
    return out


def run_backend(label: str, database_url: str | None, args) -> dict:
    import argilla as rg

    print(f"\n[{label}]", flush=True)
    with bench_server(database_url) as (api, owner_key):
        client = rg.Argilla(api_url=api, api_key=owner_key)
        workspace = rg.Workspace(name=f"hostile-{uuid.uuid4().hex[:6]}", client=client).create()
        members = {}
        for i in range(args.annotators):
            user, password = create_annotator(client, f"worker{i:02d}-{workspace.name}", workspace)
            members[user.username] = login(api, user.username, password)
        bad, password = create_annotator(client, f"hostile-{workspace.name}", workspace)
        hostile_token = login(api, bad.username, password)
        # every annotator may answer every record, and no record completes during the run
        work = make_dataset(client, workspace, "work", args.records, args.annotators + 2)
        t0 = time.perf_counter()
        big = make_big_dataset(client, workspace, args.big_records, args.filler_words)
        print(f"  {args.annotators} annotators; work dataset of {args.records} records; hostile dataset of "
              f"{args.big_records} records x {args.filler_words + len(NEEDLES)} words (logged in "
              f"{time.perf_counter() - t0:.0f} s)", flush=True)
        hostile = {"token": hostile_token, "threads": args.hostile_threads,
                   "requests": hostile_requests(str(big.id), str(work.id))}
        phases = [
            run_phase("baseline", api, members, str(work.id), args.seconds, None),
            run_phase("with hostile user", api, members, str(work.id), args.seconds, hostile),
            run_phase("baseline again", api, members, str(work.id), args.seconds, None),
        ]
    base = phases[0]["all"] + phases[2]["all"]
    return {"backend": label, "phases": phases, "base_p95": percentile(base, 95), "hostile_p95": phases[1]["p95"]}


def report(result: dict, timeout: str) -> bool:
    phases = result["phases"]
    ratio = result["hostile_p95"] / result["base_p95"]
    print(f"\n[{result['backend']}] annotators' p95 without the hostile user (both baselines): "
          f"{result['base_p95'] * 1000:.0f} ms; with: {result['hostile_p95'] * 1000:.0f} ms; ratio {ratio:.2f}x (target <= 2x)")
    by_name: dict[str, list] = defaultdict(list)
    for name, status, sec, leaked in phases[1]["hostile"]:
        by_name[name].append((status, sec, leaked))
    print(f"  hostile requests (search time limit {timeout}):")
    ok = ratio <= 2.0
    for name, rows in by_name.items():
        statuses = Counter(s for s, _, _ in rows)
        leaked = sum(1 for *_, x in rows if x)
        secs = [s for _, s, _ in rows]
        print(f"    {name}: {len(rows)} sent, statuses {dict(statuses)}, max {max(secs):.2f} s"
              + (f", {leaked} bodies with SQL" if leaked else ""))
        if leaked or any(not isinstance(s, int) or s >= 500 for s in statuses):
            ok = False
    failures = [f for p in phases for f in p["failures"]]
    if failures:
        print(f"  {len(failures)} annotator requests failed; first: {failures[:3]}")
        ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotators", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each of the three phases")
    parser.add_argument("--records", type=int, default=400, help="records in the annotators' dataset")
    parser.add_argument("--big-records", type=int, default=800, help="records in the dataset the hostile user searches")
    parser.add_argument("--filler-words", type=int, default=2000, help="words before the needles in each long text")
    parser.add_argument("--hostile-threads", type=int, default=2, help="hostile requests in flight at once (one user)")
    parser.add_argument("--database-url", help="postgresql://USER@HOST:PORT/DB: also run on a fresh PostgreSQL database")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    timeout = os.environ.get("WORKBENCH_SEARCH_TIMEOUT_S") or "10 s (default)"
    results, load_before, load_after = run_backends(run_backend, args)
    ok = all([report(r, timeout) for r in results])
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"\nload average {load_before[0]:.2f} before, {load_after[0]:.2f} after (2 cores); uptime: {uptime}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
