"""Throughput of ``workbench sync`` (Argilla -> history store) on a real embedded server.

Starts the embedded server (``workbench.server.launcher``) under a throwaway Workbench home,
creates a dataset with two questions (a label and a rating) and ``--annotators`` annotators, and
loads ``--responses`` submitted responses, each record with a judge's suggestion. ``--load sdk``
loads them with the SDK's bulk record log (the owner logs every annotator's response): on this
2-core machine that ran at ~20-100 responses/s, so 100,000 would take 20-80 minutes. ``--load sql``
(default) writes the same rows straight into the server's own tables (as
``bench_pending_queue.py`` does), which takes seconds; the sync reads them through the REST API
either way. Then it times:

* **read only** (the reference, same run): paging through every record with its responses and
  suggestions over the REST API one page after the other, doing nothing with them (the sync
  requests up to three pages at once, and writes the store);
* **full sync** into a fresh store (SQLite file by default, ``--store-url`` for another);
* **no-change sync**: incremental, nothing changed since;
* **record-level incremental**: 1% of the records rewritten through the bulk log (new field text,
  changed responses) - the sync reads only those records;
* **UI edits**: 1% of the responses edited by their annotators through
  ``PUT /api/v1/responses/{id}`` as the web UI does. Argilla records no per-record trace of those,
  so the sync reads the whole dataset again ("rescan") and appends only the changed versions.

It prints seconds, responses/s and the ratio of each sync to the read-only reference.

Usage::

    python bench/bench_sync.py [--responses 100000] [--annotators 3] [--store-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

LABELS = ["safe", "needs-caveat", "unsafe"]
WORDS = "apple banana cherry delta echo falcon garden harbor island jungle kettle lemon meadow".split()


def load_sql(database_url, dataset_id, questions, user_ids, n_records, rnd, batch=5000):
    """Insert records, their suggestion and every annotator's submitted response into the server's tables."""
    import json
    import uuid
    from datetime import datetime, timedelta

    from sqlalchemy import column, create_engine, insert, table
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    sqlite = url.get_backend_name() == "sqlite"
    engine = create_engine(url.set(drivername="sqlite" if sqlite else "postgresql+psycopg2"))
    ident = (lambda u: u.hex) if sqlite else str
    clock = [datetime.utcnow() - timedelta(minutes=10)]

    def ts():
        clock[0] += timedelta(microseconds=3)
        return clock[0].strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else clock[0]

    rec_sql = insert(table("records", *map(column, ("id", "fields", "external_id", "dataset_id", "inserted_at",
                                                     "updated_at", "metadata", "status"))))
    sug_sql = insert(table("suggestions", *map(column, ("id", "value", "score", "agent", "type", "record_id",
                                                         "question_id", "inserted_at", "updated_at"))))
    res_sql = insert(table("responses", *map(column, ("id", "values", "status", "record_id", "user_id",
                                                       "inserted_at", "updated_at"))))
    for start in range(0, n_records, batch):
        recs, sugs, resps = [], [], []
        for i in range(start, min(n_records, start + batch)):
            rid = uuid.uuid4()
            t = ts()
            recs.append(dict(id=ident(rid), fields=json.dumps({"text": " ".join(rnd.choices(WORDS, k=12))}),
                             external_id=f"item{i}", dataset_id=ident(dataset_id), inserted_at=t, updated_at=t,
                             metadata=None, status="completed"))
            sugs.append(dict(id=ident(uuid.uuid4()), value=json.dumps(rnd.choice(LABELS)),
                             score=json.dumps(round(rnd.random(), 3)), agent="judge", type="model",
                             record_id=ident(rid), question_id=ident(uuid.UUID(questions["safety"])),
                             inserted_at=t, updated_at=t))
            for u in user_ids:
                t = ts()
                resps.append(dict(id=ident(uuid.uuid4()), values=json.dumps(
                    {"safety": {"value": rnd.choice(LABELS)}, "quality": {"value": rnd.randint(1, 5)}}),
                    status="submitted", record_id=ident(rid), user_id=ident(u), inserted_at=t, updated_at=t))
        with engine.begin() as conn:
            conn.execute(rec_sql, recs)
            conn.execute(sug_sql, sugs)
            conn.execute(res_sql, resps)
    engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--responses", type=int, default=100_000, help="responses to load (default 100000)")
    ap.add_argument("--annotators", type=int, default=3, help="annotators answering every record (default 3)")
    ap.add_argument("--store-url", default=None, help="history store URL (default: a fresh SQLite file)")
    ap.add_argument("--batch", type=int, default=500, help="records per bulk log request (default 500)")
    ap.add_argument("--edit-share", type=float, default=0.01, help="share of responses edited (default 0.01)")
    ap.add_argument("--load", choices=("sql", "sdk"), default="sql",
                    help="load the data into the server's tables directly (sql, default) or via the SDK bulk log")
    args = ap.parse_args()

    home = Path(tempfile.mkdtemp(prefix="wb-bench-sync-"))
    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ.pop("ARGILLA_DATABASE_URL", None)
    os.environ["WORKBENCH_OWNER_USERNAME"] = "owner"
    os.environ["WORKBENCH_OWNER_PASSWORD"] = secrets.token_hex(12)
    os.environ["WORKBENCH_OWNER_API_KEY"] = api_key = secrets.token_hex(20)
    os.environ.pop("WORKBENCH_STORE_URL", None)

    import argilla as rg
    import requests

    from workbench.argilla_client import Connection
    from workbench.server import launcher
    from workbench.store import HistoryStore
    from workbench.sync import _pages_all, _Api, sync

    state = launcher.start("127.0.0.1", launcher.free_port())
    try:
        url = state.url
        cl = rg.Argilla(api_url=url, api_key=api_key, timeout=600)
        ws = rg.Workspace(name="bench", client=cl).create()
        settings = rg.Settings(
            fields=[rg.TextField(name="text")],
            questions=[rg.LabelQuestion(name="safety", labels=LABELS),
                       rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5])],
            distribution=rg.TaskDistribution(min_submitted=args.annotators))
        ds = rg.Dataset(name="bench-r1", workspace=ws, settings=settings, client=cl).create()
        users, passwords = [], {}
        for k in range(args.annotators):
            pw = secrets.token_hex(8)
            u = rg.User(username=f"ann{k}", password=pw, role="annotator", client=cl).create()
            u.add_to_workspace(ws)
            users.append(u)
            passwords[u.username] = pw
        n_records = -(-args.responses // args.annotators)
        rnd = random.Random(7)

        def record(i, text=None):
            return rg.Record(
                id=f"item{i}", fields={"text": text or " ".join(rnd.choices(WORDS, k=12))},
                responses=[r for u in users for r in (
                    rg.Response("safety", rnd.choice(LABELS), user_id=u.id, status="submitted"),
                    rg.Response("quality", rnd.randint(1, 5), user_id=u.id, status="submitted"))],
                suggestions=[rg.Suggestion("safety", rnd.choice(LABELS), score=round(rnd.random(), 3), agent="judge")])

        t0 = time.perf_counter()
        if args.load == "sdk":
            for start in range(0, n_records, args.batch):
                ds.records.log([record(i) for i in range(start, min(n_records, start + args.batch))],
                               batch_size=args.batch)
        else:
            questions = {q["name"]: q["id"] for q in requests.get(
                f"{url}/api/v1/datasets/{ds.id}/questions", headers={"X-Argilla-Api-Key": api_key},
                timeout=60).json()["items"]}
            load_sql(launcher.database_url(), ds.id, questions, [u.id for u in users], n_records, rnd)
        load_s = time.perf_counter() - t0
        n_resp = n_records * args.annotators
        print(f"loaded {n_records:,} records, {n_resp:,} responses (2 questions each) in {load_s:.1f} s "
              f"({n_resp / load_s:,.0f} responses/s, {'SDK bulk log' if args.load == 'sdk' else 'SQL into the server tables'})")

        conn = Connection(url, api_key)
        store_url = args.store_url or f"sqlite:///{home / 'history.db'}"
        store = HistoryStore(store_url)
        store.record_round(task="bench", round=1, kind="production", dataset=ds.name, workspace="bench",
                           dataset_id=str(ds.id), guideline_version=1)
        store.record_guideline_publication(task="bench", dataset_id=str(ds.id), version=1)

        api = _Api(conn)
        t0 = time.perf_counter()
        n_read = sum(len(page) for page in _pages_all(api, str(ds.id), concurrency=1))
        ref_s = time.perf_counter() - t0
        assert n_read == n_records, (n_read, n_records)
        print(f"reference: reading {n_read:,} records with responses over REST: {ref_s:.2f} s "
              f"({n_resp / ref_s:,.0f} responses/s)")

        def report(label, rep, seconds):
            d = rep.datasets[0]
            print(f"{label:<28} {seconds:8.2f} s  {d.mode:<11} records read {d.records_fetched:>7,}  "
                  f"new versions {rep.new_response_versions:>7,}  "
                  f"{(d.responses_seen / seconds) if seconds else 0:>9,.0f} responses/s  x{seconds / ref_s:.2f} of reference"
                  f"  (read {d.read_seconds:.2f} s, write {d.write_seconds:.2f} s)")

        time.sleep(2.5)  # let the server's Date header pass the load (see workbench.sync)
        t0 = time.perf_counter()
        rep = sync(conn, store)
        full_s = time.perf_counter() - t0
        report("full sync", rep, full_s)
        assert rep.new_response_versions == n_resp, rep
        tidy_t0 = time.perf_counter()
        tidy = store.tidy(task="bench")
        tidy_s = time.perf_counter() - tidy_t0
        assert len(tidy) == 2 * n_resp
        print(f"store.tidy(): {len(tidy):,} judgements in {tidy_s:.2f} s")

        t0 = time.perf_counter()
        rep = sync(conn, store)
        report("no-change sync", rep, time.perf_counter() - t0)
        assert rep.new_response_versions == 0

        # 1% of the records rewritten through the bulk log (fields and responses)
        n_edit = max(1, int(n_records * args.edit_share))
        picked = rnd.sample(range(n_records), n_edit)
        for start in range(0, n_edit, args.batch):
            ds.records.log([record(i, text="rewritten " + str(i)) for i in picked[start:start + args.batch]],
                           batch_size=args.batch)
        time.sleep(2.5)
        t0 = time.perf_counter()
        rep = sync(conn, store)
        report(f"incremental ({n_edit:,} records)", rep, time.perf_counter() - t0)
        assert rep.datasets[0].records_fetched == n_edit, rep

        # 1% of the responses edited by annotators through the UI's REST call
        n_ui = max(1, int(n_resp * args.edit_share))
        tokens = {u: requests.post(f"{url}/api/v1/token", data={"username": u, "password": p}, timeout=30).json()
                  ["access_token"] for u, p in passwords.items()}
        owner = requests.Session()
        owner.headers["X-Argilla-Api-Key"] = api_key
        versions = store.response_versions()
        latest = versions.sort_values("version").groupby(["record_id", "user_id"]).tail(1)
        chosen = latest[latest["status"] == "submitted"].sample(n=n_ui, random_state=3)
        by_id = {u.username: u for u in users}

        def edit(row):
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {tokens[row.annotator]}"
            # the response id is the stored one; the record's current response keeps it across edits
            resp = s.put(f"{url}/api/v1/responses/{row.response_id}", timeout=120, json={
                "status": "submitted", "values": {"safety": {"value": "unsafe"}, "quality": {"value": 1}}})
            resp.raise_for_status()

        assert by_id  # annotators exist
        t0 = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(edit, chosen.itertuples()))
        print(f"edited {n_ui:,} responses through PUT /api/v1/responses/{{id}} in {time.perf_counter() - t0:.1f} s")
        time.sleep(2.5)
        t0 = time.perf_counter()
        rep = sync(conn, store)
        report(f"after UI edits ({n_ui:,})", rep, time.perf_counter() - t0)
        assert rep.datasets[0].mode == "rescan"
        print(f"(versions appended: {rep.new_response_versions:,} of {n_ui:,} edits; an edit that sets the values a "
              f"response already had does not change it in Argilla and adds no version)")
        store.close()
    finally:
        launcher.stop()
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
