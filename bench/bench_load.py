"""Load benchmark: concurrent annotators submitting responses to the embedded Argilla server.

Starts its own embedded server (temporary Workbench home, free port, own Redis) for each database
backend, then measures, in the same run:

* reference: one annotator alone, ``GET /api/v1/me`` and ``POST /api/v1/records/{id}/responses``
  one after the other (the serial latency of a trivial and of a response request);
* load: N annotators at once (threads, one ``requests`` session each, logged in with
  ``POST /api/v1/token``), each submitting M responses to distinct records of its own pending queue,
  with the payload the web UI posts; p50/p95/p99/max latency, throughput, errors (no retries), and
  the responses counted back on the server afterwards;
* logging: records per second through the SDK's ``dataset.records.log`` for 2,000 records.

SQLite always; PostgreSQL too when ``--database-url postgresql://USER@HOST:PORT/DB`` is given (a
fresh database is created on that server for the run and dropped afterwards; DB only names the
database used for the admin connection).

    python bench/bench_load.py
    python bench/bench_load.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

Only loopback traffic. Figures depend on what else the (shared, 2-core) machine is doing: the load
average is printed, and the ratios against the serial reference of the same run are the figures
to compare between runs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import requests  # noqa: E402

from argilla_helpers import (  # noqa: E402
    annotator_session, create_annotator, dataset_records_with_responses, embedded_server, fresh_postgres_database,
    login, pending_queue, percentile, submit_response,
)

LABELS = ["positive", "negative", "neutral"]


# ----------------------------------------------------------------------------------------------
# server and database lifecycle
# ----------------------------------------------------------------------------------------------


def check_postgres_url(admin_url: str) -> None:
    """Exit naming ``--database-url`` unless it is a postgresql:// URL of a server that answers
    (checked before the SQLite pass, not minutes later)."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    try:
        url = make_url(admin_url)
    except sa.exc.ArgumentError:
        raise SystemExit("--database-url: not a database URL (expected postgresql://USER@HOST:PORT/DB)") from None
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() != "postgresql":
        raise SystemExit(f"--database-url: {shown!r} is not a postgresql:// URL")
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the URL's problem here
        raise SystemExit(f"--database-url: {shown!r}: cannot connect ({exc.__class__.__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''})") from None


@contextmanager
def fresh_postgres(admin_url: str):
    """Create a fresh database on the server of ``admin_url``; yield its asyncpg URL; drop it."""
    with fresh_postgres_database(admin_url, "workbench_bench") as url:
        yield url


@contextmanager
def bench_server(database_url: str | None):
    """Start the embedded server under a temporary home; yield (api_url, owner api key); stop it."""
    from workbench.server.launcher import redact_url

    t0 = time.perf_counter()
    with embedded_server(database_url, home_prefix="wb-bench-home-") as server:
        print(f"  server up at {server.api_url} in {time.perf_counter() - t0:.1f} s "
              f"({redact_url(server.database_url)})", flush=True)
        yield server.api_url, server.api_key


# ----------------------------------------------------------------------------------------------
# measurements
# ----------------------------------------------------------------------------------------------


def make_dataset(client, workspace, name: str, n_records: int, min_submitted: int):
    import argilla as rg

    settings = rg.Settings(
        fields=[rg.TextField(name="text")],
        questions=[
            rg.LabelQuestion(name="sentiment", labels=LABELS),
            rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5]),
        ],
        distribution=rg.TaskDistribution(min_submitted=min_submitted),
    )
    dataset = rg.Dataset(name=name, workspace=workspace, settings=settings, client=client).create()
    if n_records:
        dataset.records.log([{"text": f"Bench record {i}: something to label.", "id": f"b-{i}"} for i in range(n_records)])
    return dataset


def answer(username: str, record_id: str) -> dict:
    rng = random.Random(f"{username}/{record_id}")
    return {"sentiment": rng.choice(LABELS), "quality": rng.randint(1, 5)}


def summary(latencies: list[float]) -> dict:
    return {
        "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99), "max": max(latencies),
    }


def run_backend(label: str, database_url: str | None, args) -> dict:
    import argilla as rg

    print(f"\n[{label}]", flush=True)
    out: dict = {"backend": label}
    with bench_server(database_url) as (api, owner_key):
        client = rg.Argilla(api_url=api, api_key=owner_key)
        workspace = rg.Workspace(name=f"bench-{uuid.uuid4().hex[:6]}", client=client).create()
        members = {}
        for i in range(args.annotators):
            user, password = create_annotator(client, f"bench{i:02d}-{workspace.name}", workspace)
            members[user.username] = (str(user.id), login(api, user.username, password))

        # Reference: one annotator alone, requests one after the other.
        solo_name, (_, solo_token) = next(iter(members.items()))
        solo_ds = make_dataset(client, workspace, "solo", args.per_annotator, 1)
        with annotator_session(solo_token) as solo:
            me = []
            for _ in range(args.per_annotator):
                t0 = time.perf_counter()
                solo.get(f"{api}/api/v1/me", timeout=60).raise_for_status()
                me.append(time.perf_counter() - t0)
            resp, queue, _ = pending_queue(solo, api, str(solo_ds.id), limit=args.per_annotator)
            resp.raise_for_status()
            serial = []
            for record in queue:
                r, seconds = submit_response(solo, api, record["id"], answer(solo_name, record["id"]))
                if r.status_code != 201:
                    raise SystemExit(f"serial reference POST failed: HTTP {r.status_code} {r.text[:300]}")
                serial.append(seconds)
        out["me_p50"] = percentile(me, 50)
        out["serial"] = summary(serial)
        print(f"  serial reference: GET /me p50 {out['me_p50'] * 1000:.0f} ms, "
              f"POST response p50 {out['serial']['p50'] * 1000:.0f} ms", flush=True)

        # Load: every annotator submits distinct records of its own queue, all at once.
        n_records = max(args.records, args.per_annotator)
        dataset = make_dataset(client, workspace, "load", n_records, args.annotators)
        plans = {}
        for username, (_, token) in members.items():
            with annotator_session(token) as s:
                resp, queue, _ = pending_queue(s, api, str(dataset.id), limit=n_records)
            resp.raise_for_status()
            plans[username] = random.Random(username).sample(queue, args.per_annotator)

        lock = threading.Lock()
        latencies: list[float] = []
        statuses: Counter = Counter()
        locked = 0
        barrier = threading.Barrier(args.annotators)

        def annotate(username: str) -> None:
            nonlocal locked
            with annotator_session(members[username][1]) as s:
                barrier.wait(timeout=300)
                for record in plans[username]:
                    try:
                        r, seconds = submit_response(s, api, record["id"], answer(username, record["id"]))
                    except requests.RequestException as exc:
                        with lock:
                            statuses[type(exc).__name__] += 1
                        continue
                    with lock:
                        latencies.append(seconds)
                        statuses[r.status_code] += 1
                        locked += "database is locked" in r.text

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.annotators) as pool:
            list(pool.map(annotate, members))
        wall = time.perf_counter() - t0
        stored = sum(len(r.get("responses") or []) for r in dataset_records_with_responses(api, owner_key, str(dataset.id)))
        ok = sum(n for code, n in statuses.items() if isinstance(code, int) and 200 <= code < 300)
        out.update(
            load=summary(latencies), wall=wall, throughput=ok / wall, sent=sum(statuses.values()), ok=ok,
            errors={str(k): v for k, v in statuses.items() if not (isinstance(k, int) and 200 <= k < 300)},
            locked=locked, stored=stored,
        )
        print(f"  load: {out['sent']} POSTs in {wall:.1f} s, {ok} accepted, {stored} stored, "
              f"errors {out['errors'] or 0}", flush=True)

        # SDK logging throughput.
        log_ds = make_dataset(client, workspace, "logging", 0, 1)
        records = [{"text": f"Logged record {i}: " + "lorem ipsum " * 8, "id": f"l-{i}"} for i in range(args.log_records)]
        t0 = time.perf_counter()
        log_ds.records.log(records)
        out["log_rate"] = args.log_records / (time.perf_counter() - t0)
        print(f"  SDK log: {out['log_rate']:.0f} records/s", flush=True)
    return out


def run_backends(run, args) -> tuple[list, tuple, tuple]:
    """``run(label, database_url, args)`` on SQLite (unless ``--skip-sqlite``) and on a fresh
    PostgreSQL database (with ``--database-url``); returns the results and the load average
    before and after."""
    if args.database_url:
        check_postgres_url(args.database_url)
    load_before = os.getloadavg()
    results = []
    if not args.skip_sqlite:
        results.append(run("sqlite", None, args))
    if args.database_url:
        with fresh_postgres(args.database_url) as pg_url:
            results.append(run("postgresql", pg_url, args))
    return results, load_before, os.getloadavg()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotators", type=int, default=20)
    parser.add_argument("--per-annotator", type=int, default=50)
    parser.add_argument("--records", type=int, default=60, help="records in the load dataset (>= per-annotator)")
    parser.add_argument("--log-records", type=int, default=2000)
    parser.add_argument("--database-url", help="postgresql://USER@HOST:PORT/DB: also run on a fresh PostgreSQL database")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    results, load_before, load_after = run_backends(run_backend, args)

    ms = lambda s: f"{s * 1000:.0f}"  # noqa: E731
    print(f"\n{args.annotators} annotators x {args.per_annotator} responses; SDK log of {args.log_records} records; "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after (2 cores)")
    header = ("backend", "serial p50 ms", "load p50 ms", "p95 ms", "p99 ms", "max ms", "p50/serial",
              "resp/s", "errors", "db locked", "stored", "log rec/s")
    rows = [header]
    for r in results:
        rows.append((
            r["backend"], ms(r["serial"]["p50"]), ms(r["load"]["p50"]), ms(r["load"]["p95"]), ms(r["load"]["p99"]),
            ms(r["load"]["max"]), f"{r['load']['p50'] / r['serial']['p50']:.1f}x", f"{r['throughput']:.1f}",
            str(sum(r["errors"].values())), str(r["locked"]), f"{r['stored']}/{r['sent']}", f"{r['log_rate']:.0f}",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
    if len(results) == 2:
        a, b = results
        print(f"\npostgresql/sqlite: throughput {b['throughput'] / a['throughput']:.2f}x, "
              f"load p50 {b['load']['p50'] / a['load']['p50']:.2f}x, SDK logging {b['log_rate'] / a['log_rate']:.2f}x")
    bad = [r["backend"] for r in results if r["errors"] or r["stored"] != r["ok"]]
    if bad:
        print(f"\nerrors or lost responses on: {', '.join(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
