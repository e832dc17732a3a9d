"""20 annotators submit 1,000 responses at once through the REST API, as the web UI does.

Each annotator logs in with ``POST /api/v1/token``, fetches its own pending queue with the UI's
query, and submits 50 distinct records of it (``POST /api/v1/records/{id}/responses``), 20 threads
at once. A second test has the 20 annotators open their queues at the same moment (the search
path, which the response path does not touch). Afterwards, read back as the owner: no request failed, and every one of the 1,000
responses is stored once, under the right user, with the value that user sent. Latency is printed,
not asserted (benchmarks live in bench/bench_load.py).

No retries: a 'database is locked' (or any other) error is a failure and is reported with counts.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from argilla_helpers import (
    annotator_session, create_annotator, dataset_records_with_responses, login, pending_queue,
    percentile, submit_response,
)

pytestmark = pytest.mark.argilla

N_ANNOTATORS = 20
PER_ANNOTATOR = 50
N_RECORDS = 60
LABELS = ["positive", "negative", "neutral"]


def expected_values(username: str, record_id: str) -> dict:
    """The answer an annotator gives a record: a deterministic function of both, so it can be checked."""
    rng = random.Random(f"{username}/{record_id}")
    return {"sentiment": rng.choice(LABELS), "quality": rng.randint(1, 5)}


def _make_dataset(client, workspace, name: str):
    import argilla as rg

    settings = rg.Settings(
        fields=[rg.TextField(name="text")],
        questions=[
            rg.LabelQuestion(name="sentiment", labels=LABELS),
            rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5]),
        ],
        # Every annotator may answer every record: a record completes with 20 submissions.
        distribution=rg.TaskDistribution(min_submitted=N_ANNOTATORS),
    )
    dataset = rg.Dataset(name=name, workspace=workspace, settings=settings, client=client).create()
    dataset.records.log([{"text": f"Load record {i}: something to label.", "id": f"load-{i}"} for i in range(N_RECORDS)])
    return dataset


@pytest.fixture(scope="module")
def team(argilla_server, client):
    """A workspace with 20 annotators, each logged in: {username: (user_id, token)}."""
    import argilla as rg

    tag = uuid.uuid4().hex[:8]
    workspace = rg.Workspace(name=f"ws-load-{tag}", client=client).create()
    members = {}
    for i in range(N_ANNOTATORS):
        user, password = create_annotator(client, f"load{i:02d}-{tag}", workspace)
        members[user.username] = (str(user.id), login(argilla_server.api_url, user.username, password))
    return workspace, members


def test_twenty_annotators_open_their_queues_at_once(argilla_server, client, team, unique_name):
    api = argilla_server.api_url
    workspace, members = team
    dataset = _make_dataset(client, workspace, f"ds-{unique_name}")
    start = threading.Barrier(N_ANNOTATORS)

    def open_queue(username: str) -> tuple[str, int, int, float]:
        session = annotator_session(members[username][1])
        start.wait(timeout=120)
        t0 = time.perf_counter()
        resp, queue, total = pending_queue(session, api, str(dataset.id), limit=10)
        seconds = time.perf_counter() - t0
        session.close()
        return (resp.text[:300] if resp.status_code != 200 else ""), resp.status_code, total, seconds

    with ThreadPoolExecutor(max_workers=N_ANNOTATORS) as pool:
        results = list(pool.map(open_queue, members))
    seconds = [r[3] for r in results]
    print(f"\n{N_ANNOTATORS} simultaneous queue searches: max {max(seconds) * 1000:.0f} ms")
    failed = [(status, body) for body, status, _, _ in results if status != 200]
    assert not failed, (
        f"{len(failed)} of {N_ANNOTATORS} simultaneous queue searches failed "
        f"(statuses {dict(Counter(s for s, _ in failed))}); first: {failed[0][1]}"
    )
    assert [r[2] for r in results] == [N_RECORDS] * N_ANNOTATORS


def test_twenty_annotators_submit_a_thousand_responses(argilla_server, client, team, unique_name):
    api = argilla_server.api_url
    workspace, members = team
    dataset = _make_dataset(client, workspace, f"ds-{unique_name}")

    # Each annotator takes 50 distinct records of its own pending queue, in its own order. The
    # queues are fetched one annotator at a time; the concurrent phase is the submissions.
    plans: dict[str, list[dict]] = {}
    for username, (_, token) in members.items():
        with annotator_session(token) as session:
            resp, queue, total = pending_queue(session, api, str(dataset.id), limit=N_RECORDS)
        assert resp.status_code == 200, f"{username}'s queue: HTTP {resp.status_code} {resp.text[:300]}"
        assert total == N_RECORDS and len(queue) == N_RECORDS, (username, total, len(queue))
        plans[username] = random.Random(username).sample(queue, PER_ANNOTATOR)

    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []  # "METHOD what -> status: body"
    sent: dict[tuple[str, str], dict] = {}  # (user_id, record_id) -> values
    start = threading.Barrier(N_ANNOTATORS)

    def annotate(username: str) -> int:
        user_id, token = members[username]
        session = annotator_session(token)
        start.wait(timeout=120)
        done = 0
        for record in plans[username]:
            values = expected_values(username, record["id"])
            try:
                resp, seconds = submit_response(session, api, record["id"], values)
            except requests.RequestException as exc:  # a timeout or a dropped connection: a failure
                with lock:
                    failures.append(f"{username} POST record {record['id']} -> exception: {exc!r}"[:300])
                continue
            with lock:
                latencies.append(seconds)
                if 200 <= resp.status_code < 300:
                    sent[(user_id, record["id"])] = values
                    done += 1
                else:
                    failures.append(f"{username} POST record {record['id']} -> {resp.status_code}: {resp.text[:200]}")
        session.close()
        return done

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=N_ANNOTATORS) as pool:
        done = list(pool.map(annotate, members))
    wall = time.perf_counter() - t0

    total = N_ANNOTATORS * PER_ANNOTATOR
    if latencies:
        print(
            f"\n{len(latencies)} response POSTs by {N_ANNOTATORS} concurrent annotators in {wall:.1f} s "
            f"({len(latencies) / wall:.1f}/s): p50 {percentile(latencies, 50) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )
    locked = sum("database is locked" in f for f in failures)
    by_status = Counter(f.split(" -> ")[1].split(":")[0] for f in failures)
    assert not failures, (
        f"{len(failures)} of {len(latencies)} requests failed (by status {dict(by_status)}; "
        f"{locked} 'database is locked'); first: {failures[:3]}"
    )
    assert sum(done) == total

    # Read everything back as the owner: exactly the 1,000 responses sent, none lost or doubled.
    records = dataset_records_with_responses(api, argilla_server.api_key, str(dataset.id))
    stored = [(r["id"], resp) for r in records for resp in (r.get("responses") or [])]
    assert len(stored) == total, f"server holds {len(stored)} responses, {total} were accepted"
    seen = Counter((resp["user_id"], record_id) for record_id, resp in stored)
    doubled = [k for k, n in seen.items() if n > 1]
    assert not doubled, f"{len(doubled)} (user, record) pairs have more than one response: {doubled[:3]}"
    assert set(seen) == set(sent), "stored (user, record) pairs differ from those sent"
    wrong = [
        (record_id, resp["user_id"], resp["values"])
        for record_id, resp in stored
        if resp["status"] != "submitted"
        or resp["values"] != {k: {"value": v} for k, v in sent[(resp["user_id"], record_id)].items()}
    ]
    assert not wrong, f"{len(wrong)} responses hold other values than were sent: {wrong[:3]}"

    # The server's task distribution counted the concurrent submissions: a record is completed
    # exactly when all 20 annotators submitted it.
    per_record = Counter(record_id for record_id, _ in stored)
    status_wrong = [
        (r["id"], r["status"], per_record[r["id"]])
        for r in records
        if r["status"] != ("completed" if per_record[r["id"]] >= N_ANNOTATORS else "pending")
    ]
    assert not status_wrong, f"record status disagrees with its submitted count: {status_wrong[:5]}"
