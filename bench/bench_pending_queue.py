"""Pending-queue latency of the workbench-sql search engine through the real HTTP API.

Starts the embedded server (``workbench.server.launcher``) under a throwaway home, creates a
dataset and three annotators with the Argilla SDK, measures how fast records are logged through
the API, then fills the server's own tables directly with SQL (records, suggestions and the three
annotators' responses) to 10k and then 100k records. At each size it times the request the web
UI's annotation queue makes (``POST /api/v1/me/datasets/{id}/records/search`` with
``response.status in [pending] AND record.status in [pending]``, include responses and
suggestions, 10 records) as one annotator, plus a few other searches. The reference, measured in
the same run, is the same request on a 50-record dataset, where the search itself costs next to
nothing: what remains is argilla-server's own work for the request (authorisation, loading the 10
records with their responses and suggestions, serialisation).

Usage::

    python bench/bench_pending_queue.py [--sizes 10000 100000] [--repeats 60]
                                        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
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
import uuid
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

WORDS = ("apple banana cherry delta echo falcon garden harbor island jungle kettle lemon "
         "meadow nectar orange pepper quartz river silver timber umbrella violet walnut").split()
LABELS = ["positive", "negative", "neutral"]
ANNOTATORS = 3


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def timed(session, method, url, repeats, warmup=5, **kw):
    out = []
    for i in range(warmup + repeats):
        t0 = time.perf_counter()
        r = session.request(method, url, **kw)
        dt = time.perf_counter() - t0
        r.raise_for_status()
        if i >= warmup:
            out.append(dt * 1000.0)
    return out, r.json()


def fmt(ms):
    return f"median {statistics.median(ms):7.1f} ms  p95 {pct(ms, 0.95):7.1f} ms"


class Filler:
    """Inserts records and responses straight into argilla-server's tables."""

    def __init__(self, database_url: str, dataset_id: uuid.UUID, question_ids: dict, user_ids: list, rng,
                 vector_settings_id=None, vector_dim: int = 0):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        url = make_url(database_url)
        self.sqlite = url.get_backend_name() == "sqlite"
        url = url.set(drivername="sqlite" if self.sqlite else "postgresql+psycopg2")
        self.engine = create_engine(url)
        self.dataset_id = dataset_id
        self.q = question_ids
        self.users = user_ids
        self.rng = rng
        self.clock = datetime.utcnow()
        self.vs = vector_settings_id
        self.dim = vector_dim

    def _id(self, u: uuid.UUID):
        return u.hex if self.sqlite else str(u)

    def _ts(self):
        self.clock += timedelta(microseconds=10)
        return self.clock.strftime("%Y-%m-%d %H:%M:%S.%f")

    def add(self, n: int, batch: int = 5000) -> float:
        from sqlalchemy import column, insert, table

        rng = self.rng
        # Core inserts (not text()) so that SQLAlchemy batches rows into multi-VALUES statements
        rec_sql = insert(table("records", *map(column, ("id", "fields", "external_id", "dataset_id", "inserted_at",
                                                         "updated_at", "metadata", "status"))))
        sug_sql = insert(table("suggestions", *map(column, ("id", "value", "score", "agent", "type", "record_id",
                                                             "question_id", "inserted_at", "updated_at"))))
        res_sql = insert(table("responses", *map(column, ("id", "values", "status", "record_id", "user_id",
                                                           "inserted_at", "updated_at"))))
        vec_sql = insert(table("vectors", *map(column, ("id", "value", "record_id", "vector_settings_id",
                                                         "inserted_at", "updated_at"))))
        t0 = time.perf_counter()
        done = 0
        while done < n:
            m = min(batch, n - done)
            recs, sugs, resps, vecs = [], [], [], []
            for _ in range(m):
                rid = uuid.uuid4()
                statuses = []
                for user in self.users:
                    if rng.random() < 0.30:  # each annotator has answered ~30% of the records
                        status = rng.choices(["submitted", "draft", "discarded"], [0.8, 0.1, 0.1])[0]
                        statuses.append(status)
                        values = None if status == "discarded" else json.dumps({"label": {"value": rng.choice(LABELS)}})
                        ts = self._ts()
                        resps.append(dict(id=self._id(uuid.uuid4()), values=values, status=status,
                                          record_id=self._id(rid), user_id=self._id(user), inserted_at=ts, updated_at=ts))
                ts = self._ts()
                recs.append(dict(
                    id=self._id(rid), external_id=uuid.uuid4().hex, dataset_id=self._id(self.dataset_id),
                    inserted_at=ts, updated_at=ts,
                    fields=json.dumps({"text": " ".join(rng.choice(WORDS) for _ in range(12))}),
                    metadata=json.dumps({"source": rng.choice(["web", "book", "chat"]), "length": rng.randint(1, 500)}),
                    status="completed" if "submitted" in statuses else "pending",
                ))
                ts = self._ts()
                sugs.append(dict(id=self._id(uuid.uuid4()), value=json.dumps(rng.choice(LABELS)),
                                 score=json.dumps(round(rng.random(), 3)), agent="bench-model", type="model",
                                 record_id=self._id(rid), question_id=self._id(self.q["label"]),
                                 inserted_at=ts, updated_at=ts))
                if self.dim:
                    vecs.append(dict(id=self._id(uuid.uuid4()), record_id=self._id(rid), vector_settings_id=self._id(self.vs),
                                     value=json.dumps([round(rng.gauss(0, 1), 5) for _ in range(self.dim)]),
                                     inserted_at=ts, updated_at=ts))
            with self.engine.begin() as conn:
                conn.execute(rec_sql, recs)
                conn.execute(sug_sql, sugs)
                if resps:
                    conn.execute(res_sql, resps)
                if vecs:
                    conn.execute(vec_sql, vecs)
            done += m
        rate = n / (time.perf_counter() - t0)
        if not self.sqlite:
            # steady state: what autovacuum reaches shortly after a bulk load (planner statistics
            # and visibility map; without them PostgreSQL plans for empty tables)
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for name in ("records", "responses", "suggestions", "vectors"):
                    conn.exec_driver_sql(f"VACUUM ANALYZE {name}")
        return rate


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--repeats", type=int, default=60)
    ap.add_argument("--log-records", type=int, default=1000, help="records logged through the SDK to measure records/s")
    ap.add_argument("--database-url", default=None, help="PostgreSQL server URL (default: SQLite under a temp home)")
    ap.add_argument("--vector-dim", type=int, default=32, help="dimension of the vectors filled in (0: no vectors)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="leave the server and its home in place (for profiling)")
    args = ap.parse_args(argv)

    import argilla as rg
    import requests

    from workbench.server import launcher

    home = Path(tempfile.mkdtemp(prefix="wb-bench-home-"))
    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ.pop("ARGILLA_REDIS_URL", None)
    os.environ["WORKBENCH_OWNER_USERNAME"] = "owner"
    os.environ["WORKBENCH_OWNER_PASSWORD"] = secrets.token_hex(12)
    os.environ["WORKBENCH_OWNER_API_KEY"] = secrets.token_hex(20)
    drop = None
    if args.database_url:
        from argilla_helpers import create_postgres_database

        os.environ["ARGILLA_DATABASE_URL"], drop = create_postgres_database(args.database_url, "wb_bench")
    else:
        os.environ.pop("ARGILLA_DATABASE_URL", None)

    rng = random.Random(args.seed)
    state = ds = token = None
    users = []
    try:
        t0 = time.perf_counter()
        state = launcher.start("127.0.0.1", launcher.free_port())
        print(f"server up in {time.perf_counter() - t0:.1f} s at {state.url} ({launcher.redact_url(launcher.database_url())})")
        client = rg.Argilla(api_url=state.url, api_key=os.environ["WORKBENCH_OWNER_API_KEY"])
        ws = rg.Workspace(name="bench").create()
        users = []
        for i in range(ANNOTATORS):
            password = secrets.token_hex(8)
            user = rg.User(username=f"annotator{i}", password=password, role="annotator").create()
            ws.add_user(user)
            users.append((user, password))
        settings = rg.Settings(
            fields=[rg.TextField(name="text")],
            questions=[rg.LabelQuestion(name="label", labels=LABELS)],
            metadata=[rg.TermsMetadataProperty(name="source"), rg.IntegerMetadataProperty(name="length")],
            vectors=[rg.VectorField(name="emb", dimensions=args.vector_dim)] if args.vector_dim else [],
        )
        ds = rg.Dataset(name="queue", workspace=ws, settings=settings, client=client).create()
        small = rg.Dataset(name="small", workspace=ws, settings=settings, client=client).create()

        # records logged per second through the API (the SDK's normal path)
        batch = [
            rg.Record(fields={"text": " ".join(rng.choice(WORDS) for _ in range(12))},
                      metadata={"source": rng.choice(["web", "book", "chat"]), "length": rng.randint(1, 500)},
                      suggestions=[rg.Suggestion("label", rng.choice(LABELS), score=round(rng.random(), 3), agent="bench-model")],
                      vectors={"emb": [rng.gauss(0, 1) for _ in range(args.vector_dim)]} if args.vector_dim else None)
            for _ in range(args.log_records)
        ]
        t0 = time.perf_counter()
        ds.records.log(batch, batch_size=256)
        log_rate = args.log_records / (time.perf_counter() - t0)
        print(f"logged {args.log_records} records through the API: {log_rate:.0f} records/s")

        small.records.log(batch[:50])

        session = requests.Session()
        token = session.post(f"{state.url}/api/v1/token",
                             data={"username": users[0][0].username, "password": users[0][1]}).json()["access_token"]
        session.headers["Authorization"] = f"Bearer {token}"

        question_ids = {q.name: q.id for q in ds.settings.questions}
        vs_id = ds.settings.vectors["emb"].id if args.vector_dim else None
        filler = Filler(launcher.database_url(), ds.id, question_ids, [u.id for u, _ in users], rng, vs_id, args.vector_dim)
        present = args.log_records
        search_url = f"{state.url}/api/v1/me/datasets/{ds.id}/records/search"
        params = [("include", "responses"), ("include", "suggestions"), ("offset", "0"), ("limit", "10")]
        queue = {"query": {}, "filters": {"and": [
            {"type": "terms", "scope": {"entity": "response", "property": "status"}, "values": ["pending"]},
            {"type": "terms", "scope": {"entity": "record", "property": "status"}, "values": ["pending"]},
        ]}}
        submitted = {"query": {}, "filters": {"and": [
            {"type": "terms", "scope": {"entity": "response", "property": "status"}, "values": ["submitted"]}]}}
        text_q = {"query": {"text": {"q": "apple river"}}, "filters": queue["filters"]}
        meta_q = {"query": {}, "filters": {"and": queue["filters"]["and"] + [
            {"type": "terms", "scope": {"entity": "metadata", "metadata_property": "source"}, "values": ["web"]},
            {"type": "range", "scope": {"entity": "metadata", "metadata_property": "length"}, "ge": 100, "le": 200}]}}
        for size in sorted(args.sizes):
            if size > present:
                t0 = time.perf_counter()
                rate = filler.add(size - present)
                present = size
                print(f"\n== {size} records (SQL fill {rate:.0f} rows/s, {time.perf_counter() - t0:.1f} s)")
            print(f"  machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            small_url = f"{state.url}/api/v1/me/datasets/{small.id}/records/search"
            ref, _ = timed(session, "POST", small_url, args.repeats, params=params, json=queue)
            q, body = timed(session, "POST", search_url, args.repeats, params=params, json=queue)
            print(f"  reference: queue, 50 records {fmt(ref)}")
            print(f"  pending queue (UI request)   {fmt(q)}  total={body['total']}  "
                  f"p95 = {pct(q, 0.95) / statistics.median(ref):.1f}x reference median; "
                  f"search share ~{statistics.median(q) - statistics.median(ref):.0f} ms")
            for label, payload in (("submitted tab", submitted), ("queue + text query", text_q), ("queue + metadata", meta_q)):
                ms, body = timed(session, "POST", search_url, max(10, args.repeats // 3), params=params, json=payload)
                print(f"  {label:<28} {fmt(ms)}  total={body['total']}")
            ms, body = timed(session, "GET", f"{state.url}/api/v1/me/datasets/{ds.id}/metrics", max(10, args.repeats // 3))
            print(f"  my metrics (progress)        {fmt(ms)}  {body}")
            if args.vector_dim:
                anchor = session.post(search_url, params=params, json=queue).json()["items"][0]["record"]["id"]
                similar = {"query": {"vector": {"name": "emb", "record_id": anchor, "order": "most_similar"}},
                           "filters": queue["filters"]}
                t0 = time.perf_counter()
                session.post(search_url, params=params, json=similar).raise_for_status()
                first = (time.perf_counter() - t0) * 1000
                ms, body = timed(session, "POST", search_url, max(10, args.repeats // 3), warmup=0, params=params, json=similar)
                print(f"  find similar (queue, top 10) {fmt(ms)}  first call {first:.0f} ms (loads the vectors)")
        return 0
    finally:
        if args.keep and state is not None:
            from workbench import config

            # the secrets go to mode-600 files under the kept home, never to the terminal
            kept = f"kept: WORKBENCH_HOME={home} url={state.url} dataset={ds.id if ds else None} " \
                   f"owner credentials in {config.credentials_path()}"
            if users:
                annotator_file = home / "bench-annotator0.json"
                config.atomic_write_text(annotator_file, json.dumps(
                    {"username": users[0][0].username, "password": users[0][1], "token": token}, indent=2) + "\n", mode=0o600)
                kept += f", annotator0 credentials and token in {annotator_file}"
            print(kept)
        else:  # (a return here would swallow the exception that ended the bench)
            if state is not None:
                launcher.stop()
            if drop is not None:
                drop()
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
