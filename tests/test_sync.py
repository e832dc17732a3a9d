"""Argilla -> history store against the real embedded server: responses posted as annotators through
the REST API (as the web UI does), guideline versions in force, edits as versions, idempotent and
incremental syncs, a sync killed mid-write, Argilla down, and the gold commands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.argilla_client import Connection
from workbench.cli import main
from workbench.errors import ServiceError
from workbench.store import HistoryStore
from workbench.sync import sync

import argilla_helpers as ah

REPO = Path(__file__).resolve().parents[1]


def _settings(rg, guidelines="v1: rate the answer"):
    return rg.Settings(
        guidelines=guidelines,
        fields=[rg.TextField(name="text")],
        questions=[
            rg.LabelQuestion(name="safety", labels=["safe", "unsafe"]),
            rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5], required=False),
            rg.MultiLabelQuestion(name="issues", labels=["a", "b", "c"], required=False),
            rg.RankingQuestion(name="rank", values=["x", "y", "z"], required=False),
            rg.SpanQuestion(name="ents", field="text", labels=["PER", "LOC"], required=False),
            rg.TextQuestion(name="note", required=False),
        ],
        distribution=rg.TaskDistribution(min_submitted=2),
    )


def _now():
    return datetime.now(timezone.utc)


def _settle():
    """Let the server's clock, as its HTTP Date header shows it, pass what was just written.

    A sync's watermark is that header (whole seconds, refreshed about once a second by uvicorn),
    so records written in the ~2 s before a sync are read again by the next one.
    """
    time.sleep(2.5)


class Project:
    """A workspace, a dataset registered as a round, annotators with tokens, and a store."""

    def __init__(self, server, client, name, store_url, *, n_records=4, n_annotators=2, round=1):
        import argilla as rg

        self.server, self.client, self.name = server, client, name
        self.ws = rg.Workspace(name=name, client=client).create()
        self.ds = rg.Dataset(name=f"{name}-r{round}", workspace=self.ws, settings=_settings(rg), client=client).create()
        self.records = [{"text": f"Alice went to Paris {i}", "id": f"{name}-item{i}", "safety": "safe"}
                        for i in range(n_records)]
        self.ds.records.log(self.records)
        self.store = HistoryStore(store_url)
        self.task = f"task-{name}"
        self.store.record_round(task=self.task, round=round, kind="calibration", dataset=self.ds.name,
                                workspace=name, dataset_id=str(self.ds.id), guideline_version=1)
        self.store.record_guideline_publication(task=self.task, dataset_id=str(self.ds.id), version=1)
        self.annotators = {}
        for k in range(n_annotators):
            username = f"{name}a{k}"
            user, password = ah.create_annotator(client, username, self.ws)
            self.annotators[username] = ah.annotator_session(ah.login(server.api_url, username, password))
        self.ids = {r["external_id"]: r["id"] for r in ah.dataset_records_with_responses(
            server.api_url, server.api_key, str(self.ds.id))}

    @property
    def conn(self):
        return Connection(self.server.api_url, self.server.api_key)

    def submit(self, username, item, values, status="submitted"):
        resp, _ = ah.submit_response(self.annotators[username], self.server.api_url, self.ids[item], values, status)
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    def edit(self, username, response_id, values, status="submitted"):
        resp = self.annotators[username].put(f"{self.server.api_url}/api/v1/responses/{response_id}",
                                             json=ah.response_payload(values, status), timeout=60)
        assert resp.status_code == 200, resp.text

    def item(self, i):
        return f"{self.name}-item{i}"


@pytest.fixture()
def project(argilla_server, client, unique_name, tmp_path):
    p = Project(argilla_server, client, unique_name, f"sqlite:///{tmp_path / 'history.db'}")
    yield p
    p.store.close()


@pytest.mark.argilla
def test_responses_land_with_user_value_round_and_guideline_version(project):
    p = project
    a0, a1 = list(p.annotators)
    p.submit(a0, p.item(0), {"safety": "unsafe", "quality": 2, "issues": ["c", "a"],
                             "rank": [{"value": "y", "rank": 1}, {"value": "x", "rank": 2}, {"value": "z", "rank": 3}],
                             "ents": [{"start": 14, "end": 19, "label": "LOC"}, {"start": 0, "end": 5, "label": "PER"}],
                             "note": "risky"})
    p.submit(a0, p.item(1), {"safety": "safe"})
    time.sleep(1.1)
    # Publish guideline v2: update the dataset's guidelines and record the publication
    p.ds.settings.guidelines = "v2: rate the answer, mind the caveats"
    p.ds.update()
    p.store.record_guideline_publication(task=p.task, dataset_id=str(p.ds.id), version=2, published_at=_now())
    time.sleep(1.1)
    p.submit(a1, p.item(0), {"safety": "safe", "quality": 5})
    p.submit(a1, p.item(1), {}, status="discarded")  # discarded with no values (crashes SDK 2.8.0 reads)
    p.submit(a0, p.item(2), {"safety": "unsafe"})

    report = sync(p.conn, p.store)
    assert [d.mode for d in report.datasets] == ["full"]
    assert report.datasets[0].records_fetched == 4
    tidy = p.store.tidy()
    got = {(r.annotator, r.item, r.question): (r.value, r.guideline_version, r.round, r.task, r.dataset)
           for r in tidy.itertuples()}
    ctx = (1, p.task, p.ds.name)
    assert got == {
        (a0, p.item(0), "safety"): ("unsafe", 1, *ctx),
        (a0, p.item(0), "quality"): (2, 1, *ctx),
        (a0, p.item(0), "issues"): (["a", "c"], 1, *ctx),
        (a0, p.item(0), "rank"): (["y", "x", "z"], 1, *ctx),
        (a0, p.item(0), "ents"): ([{"start": 0, "end": 5, "label": "PER"}, {"start": 14, "end": 19, "label": "LOC"}],
                                  1, *ctx),
        (a0, p.item(0), "note"): ("risky", 1, *ctx),
        (a0, p.item(1), "safety"): ("safe", 1, *ctx),
        (a1, p.item(0), "safety"): ("safe", 2, *ctx),
        (a1, p.item(0), "quality"): (5, 2, *ctx),
        (a0, p.item(2), "safety"): ("unsafe", 2, *ctx),
    }
    # times are the submission times Argilla recorded, in UTC
    assert tidy["time"].dt.tz is not None and tidy["time"].min() > tidy["time"].max() - __import__("pandas").Timedelta("1min")
    versions = p.store.response_versions()
    discarded = versions[versions["status"] == "discarded"]
    assert list(discarded["annotator"]) == [a1] and list(discarded["item"]) == [p.item(1)]
    # suggestions logged with the records (the "safety" key in each record dict)
    sugg = p.store.suggestions()
    assert sorted(sugg["item"]) == sorted(p.item(i) for i in range(4))
    assert set(sugg["question"]) == {"safety"} and set(sugg["value"]) == {"safe"}


@pytest.mark.argilla
def test_record_content_is_stored_once_and_again_only_when_it_changes(project):
    """What `workbench export` reads: each record's fields and metadata, as a new version when changed."""
    import argilla as rg

    p = project
    p.submit(list(p.annotators)[0], p.item(0), {"safety": "safe"})
    sync(p.conn, p.store)
    recs = p.store.records(task=p.task).set_index("item")
    assert sorted(recs.index) == sorted(p.item(i) for i in range(4))
    assert recs.loc[p.item(1), "fields"] == {"text": "Alice went to Paris 1"}
    assert recs.loc[p.item(1), "round"] == 1 and recs.loc[p.item(1), "kind"] == "calibration"
    before = p.store.counts()["record_versions"]
    assert before == 4
    sync(p.conn, p.store, full=True)
    assert p.store.counts()["record_versions"] == before  # nothing changed, nothing added
    p.ds.settings.metadata.add(rg.TermsMetadataProperty(name="source", options=["logs", "curated"]))
    p.ds.update()
    rec = next(r for r in p.ds.records if r.id == p.item(1))
    rec.metadata["source"] = "logs"
    p.ds.records.log([rec])
    sync(p.conn, p.store, full=True)
    assert p.store.counts()["record_versions"] == before + 1
    assert p.store.records(task=p.task).set_index("item").loc[p.item(1), "metadata"] == {"source": "logs"}


@pytest.mark.argilla
def test_edit_keeps_the_earlier_value_and_resync_adds_nothing(project):
    p = project
    a0 = list(p.annotators)[0]
    rid = p.submit(a0, p.item(0), {"safety": "safe", "quality": 3})
    _settle()
    first = sync(p.conn, p.store)
    assert first.new_response_versions == 1
    p.edit(a0, rid, {"safety": "unsafe", "quality": 1})
    second = sync(p.conn, p.store)
    assert second.new_response_versions == 1
    assert second.datasets[0].mode == "rescan"  # a UI edit moves only the dataset's last_activity_at
    hist = p.store.response_history(question="safety")
    assert list(hist["version"]) == [1, 2] and list(hist["value"]) == ["safe", "unsafe"]
    assert hist["time"].iloc[1] > hist["time"].iloc[0]
    assert list(p.store.tidy(question="quality")["value"]) == [1]
    counts = p.store.counts()
    _settle()
    third = sync(p.conn, p.store)
    assert third.new_response_versions == 0 and third.new_suggestion_versions == 0
    assert third.datasets[0].mode == "incremental" and third.datasets[0].records_fetched == 0
    res = CliRunner().invoke(main, ["sync", "--store", p.store.url, "--api-url", p.server.api_url,
                                    "--api-key", p.server.api_key])
    assert res.exit_code == 0, res.output
    assert f"{p.ds.name}: incremental, 0 records read, 0 new response versions" in res.output
    assert p.store.counts()["response_versions"] == counts["response_versions"]
    assert p.store.counts()["suggestion_versions"] == counts["suggestion_versions"]
    full = sync(p.conn, p.store, full=True)  # even reading everything again adds nothing
    assert full.datasets[0].records_fetched == 4 and full.new_response_versions == 0


@pytest.mark.argilla
def test_concurrent_syncs_add_each_version_once(project):
    import threading

    p = project
    for k, name in enumerate(p.annotators):
        for i in range(4):
            p.submit(name, p.item(i), {"safety": "safe" if (i + k) % 2 else "unsafe"})
    stores = [HistoryStore(p.store.url) for _ in range(3)]
    errors = []

    def run(store):
        try:
            sync(p.conn, store, full=True)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    versions = p.store.response_versions()
    assert len(versions) == 8 and set(versions["version"]) == {1}
    for s in stores:
        s.close()


@pytest.mark.argilla
def test_missing_dataset_is_reported_not_fatal(project):
    p = project
    p.store.record_round(task=p.task, round=9, kind="production", dataset="gone", workspace=p.name,
                         dataset_id="00000000-0000-4000-8000-000000000000", guideline_version=1)
    report = sync(p.conn, p.store)
    assert {d.dataset: d.mode for d in report.datasets} == {p.ds.name: "full", "gone": "missing"}
    assert "gone: not found in Argilla" in str(report)


@pytest.mark.argilla
def test_incremental_sync_reads_only_changed_records(argilla_server, client, unique_name, tmp_path):
    import argilla as rg

    url = f"sqlite:///{tmp_path / 'h.db'}"
    p = Project(argilla_server, client, unique_name, url, n_records=30)
    other = Project(argilla_server, client, unique_name + "b", url, n_records=5, n_annotators=1, round=2)
    u0, u1 = (client.users(name) for name in p.annotators)

    def log(items, label, text="Alice went to Paris"):  # the owner logs responses on behalf of annotators
        p.ds.records.log([
            rg.Record(id=item, fields={"text": text}, responses=[
                rg.Response("safety", label, user_id=u0.id, status="submitted"),
                rg.Response("safety", "safe", user_id=u1.id, status="submitted")])
            for item in items])

    log([p.item(i) for i in range(30)], "safe")
    other.submit(list(other.annotators)[0], other.item(0), {"safety": "safe"})
    _settle()
    first = sync(p.conn, p.store)
    assert [(d.dataset, d.mode, d.records_fetched) for d in first.datasets] == [
        (p.ds.name, "full", 30), (other.ds.name, "full", 5)]
    assert first.new_response_versions == 61

    # Two records rewritten (new text) with changed responses: only those two are read
    log([p.item(3), p.item(17)], "unsafe", text="Bob went to Rome")
    _settle()
    second = sync(p.conn, p.store)
    assert [(d.mode, d.records_fetched) for d in second.datasets] == [("incremental", 2), ("incremental", 0)]
    # both annotators' responses on them were rewritten (new updated_at): a version each, and
    # only u0's value changed
    assert second.new_response_versions == 4
    assert second.api_calls < first.api_calls  # nothing to page through, no questions to look up
    hist = p.store.response_history(task=p.task)
    assert sorted(hist[hist["version"] == 2]["value"]) == ["safe", "safe", "unsafe", "unsafe"]
    tidy = p.store.tidy(task=p.task)
    assert set(tidy[tidy["value"] == "unsafe"]["item"]) == {p.item(3), p.item(17)}
    assert set(tidy[tidy["value"] == "unsafe"]["annotator"]) == {u0.username}

    # An annotator answering in the UI: that dataset is read again (Argilla cannot say which
    # record), the other one is not
    other.submit(list(other.annotators)[0], other.item(1), {"safety": "unsafe"})
    _settle()
    third = sync(p.conn, p.store)
    assert [(d.mode, d.records_fetched) for d in third.datasets] == [("incremental", 0), ("rescan", 5)]
    assert third.new_response_versions == 1

    # A value changed in bulk with no change of status, fields or metadata leaves no trace Argilla
    # can be polled for: the incremental sync misses it, --full catches it
    log([p.item(5)], "unsafe")
    _settle()
    assert sync(p.conn, p.store).new_response_versions == 0
    full = sync(p.conn, p.store, full=True)
    assert full.new_response_versions == 2 and full.records_fetched == 35
    p.store.close()
    other.store.close()


_KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time
    from workbench.argilla_client import Connection
    from workbench.store import HistoryStore
    from workbench.sync import sync

    def pause(stage, dataset):
        if stage == "responses-written":
            open(sys.argv[4], "w").close()
            time.sleep(120)

    sync(Connection(sys.argv[1], sys.argv[2]), HistoryStore(sys.argv[3]), on_progress=pause)
""")


def _snapshot(store):
    versions = store.response_versions().drop(columns=["synced_at"])
    return store.counts(), store.sync_state(store.rounds()["dataset_id"].iloc[0]), versions.to_dict("records")


@pytest.mark.argilla
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killed_sync_leaves_the_store_as_it_was_and_rerun_completes(argilla_server, client, unique_name,
                                                                      tmp_path, backend):
    import argilla as rg

    if backend == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'h.db'}", None
    else:
        from test_store import _postgres_store
        url, drop = _postgres_store()
    p = Project(argilla_server, client, unique_name, url, n_records=60)
    try:
        uid = client.users(list(p.annotators)[0]).id
        p.ds.records.log([rg.Record(id=p.item(i), fields={"text": "x"},
                                    responses=[rg.Response("safety", "safe", user_id=uid, status="submitted")]) for i in range(30)])
        sync(p.conn, p.store)
        p.ds.records.log([rg.Record(id=p.item(i), fields={"text": "x"},
                                    responses=[rg.Response("safety", "unsafe", user_id=uid, status="submitted")]) for i in range(60)])
        before = _snapshot(p.store)
        marker = tmp_path / "paused"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, argilla_server.api_url, argilla_server.api_key,
                                 url, str(marker)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while not marker.exists():
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the sync subprocess never reached the write stage"
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)  # mid-transaction: response rows written, not committed
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL
        assert _snapshot(p.store) == before
        again = sync(p.conn, p.store)
        assert again.new_response_versions == 60  # 30 edited, 30 new
        expected = {(r["external_id"], resp["values"]["safety"]["value"])
                    for r in ah.dataset_records_with_responses(argilla_server.api_url, argilla_server.api_key,
                                                               str(p.ds.id)) for resp in r["responses"]}
        tidy = p.store.tidy(question="safety")
        assert set(zip(tidy["item"], tidy["value"])) == expected and len(tidy) == 60
        assert set(p.store.response_history(question="safety")["version"]) == {1, 2}
    finally:
        p.store.close()
        if drop:
            drop()


def test_argilla_down_exits_1_with_a_clear_message(tmp_path):
    from workbench.server.launcher import free_port

    url = f"sqlite:///{tmp_path / 'h.db'}"
    store = HistoryStore(url)
    store.record_round(task="t", round=1, kind="calibration", dataset="d", workspace="w", dataset_id="x",
                       guideline_version=1)
    before = store.counts()
    store.close()
    port = free_port()
    res = CliRunner().invoke(main, ["sync", "--store", url, "--api-url", f"http://127.0.0.1:{port}", "--api-key", "k"])
    assert res.exit_code == 1
    assert f"Argilla at http://127.0.0.1:{port} does not answer" in res.output
    assert "Traceback" not in res.output
    assert HistoryStore(url).counts() == before


@pytest.mark.argilla
def test_workspace_datasets_sync_without_a_round(argilla_server, client, unique_name, tmp_path):
    import argilla as rg

    ws = rg.Workspace(name=unique_name, client=client).create()
    ds = rg.Dataset(name="loose", workspace=ws, settings=_settings(rg), client=client).create()
    ds.records.log([{"text": "x", "id": "only-item"}])
    user, password = ah.create_annotator(client, unique_name + "u", ws)
    session = ah.annotator_session(ah.login(argilla_server.api_url, user.username, password))
    rid = ah.dataset_records_with_responses(argilla_server.api_url, argilla_server.api_key, str(ds.id))[0]["id"]
    assert ah.submit_response(session, argilla_server.api_url, rid, {"safety": "safe"})[0].status_code == 201
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.db'}")
    conn = Connection(argilla_server.api_url, argilla_server.api_key)
    assert sync(conn, store).datasets == []  # no round recorded: nothing to sync
    report = sync(conn, store, workspaces=(unique_name,))
    assert [d.dataset for d in report.datasets] == ["loose"]
    tidy = store.tidy()
    assert list(zip(tidy["item"], tidy["annotator"], tidy["value"])) == [("only-item", user.username, "safe")]
    assert tidy["round"].isna().all() and tidy["task"].isna().all()
    with pytest.raises(ServiceError, match="workspace 'nope' not found"):
        sync(conn, store, workspaces=("nope",))
    store.close()


def test_watch_keeps_going_when_argilla_is_down(tmp_path):
    from workbench.server.launcher import free_port
    from workbench.sync import watch

    store = HistoryStore(f"sqlite:///{tmp_path / 'h.db'}")
    lines = []
    cycles = watch(Connection(f"http://127.0.0.1:{free_port()}", "k"), store, interval=0.01, max_cycles=3,
                   echo=lines.append)
    assert cycles == 3 and len(lines) == 3
    assert all("does not answer" in line and "retrying" in line for line in lines)
    store.close()


def test_gold_import_set_adjudicate(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    good = tmp_path / "gold.csv"
    good.write_text('item,question,value,set_by\n'
                    'q1,safety,unsafe,dr-a\n'
                    'q1,quality,4,dr-a\n'
                    'q2,issues,"[""overconfident"", ""factual-error""]",dr-b\n', encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["gold", "import", "medical-qa-rating", str(good), "--store", url])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["gold", "adjudicate", "medical-qa-rating", "q1", "safety", "needs-caveat",
                               "--by", "lead", "--store", url])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["gold", "set", "medical-qa-rating", "q2", "quality", "3", "--by", "dr-c", "--store", url])
    assert res.exit_code == 0, res.output
    assert "(expert, by dr-c)" in res.output
    res = runner.invoke(main, ["gold", "set", "medical-qa-rating", "q2", "quality", "11", "--by", "dr-c", "--store", url])
    assert res.exit_code == 2 and "11" in res.output
    # setting the current value again (set or adjudicate) appends nothing
    n = len(HistoryStore(url).gold_history("medical-qa-rating"))
    res = runner.invoke(main, ["gold", "set", "medical-qa-rating", "q2", "quality", "3", "--by", "dr-d", "--store", url])
    assert res.exit_code == 0 and "unchanged" in res.output, res.output
    res = runner.invoke(main, ["gold", "adjudicate", "medical-qa-rating", "q1", "safety", "needs-caveat",
                               "--by", "lead", "--store", url])
    assert res.exit_code == 0 and "unchanged" in res.output, res.output
    assert len(HistoryStore(url).gold_history("medical-qa-rating")) == n
    gold = HistoryStore(url).gold("medical-qa-rating").set_index(["item", "question"])
    assert gold.loc[("q2", "quality"), "value"] == 3
    assert gold.loc[("q2", "quality"), "kind"] == "expert"
    assert gold.loc[("q1", "safety"), "value"] == "needs-caveat"
    assert gold.loc[("q1", "safety"), "kind"] == "adjudicated"
    assert gold.loc[("q1", "quality"), "value"] == 4
    assert gold.loc[("q2", "issues"), "value"] == ["factual-error", "overconfident"]
    assert gold.loc[("q2", "issues"), "set_by"] == "dr-b"

    bad = tmp_path / "bad.csv"
    bad.write_text("item,question,value,set_by\nq3,safety,maybe,dr-a\nq4,quality,9,dr-a\nq5,colour,red,dr-a\n"
                   "q6,safety,,dr-a\n", encoding="utf-8")
    res = runner.invoke(main, ["gold", "import", "medical-qa-rating", str(bad), "--store", url])
    assert res.exit_code == 2
    assert f"{bad}:2: value: 'maybe' is not a label of safety" in res.output
    assert f"{bad}:3: value: '9' is not a rating of quality" in res.output
    assert f"{bad}:4: question: 'colour' is not a question" in res.output
    assert f"{bad}:5: value: empty" in res.output
    assert len(HistoryStore(url).gold_history("medical-qa-rating")) == 5  # import 3 + set 1 + adjudicate 1; nothing from the bad file
    res = runner.invoke(main, ["gold", "import", "medical-qa-rating", str(tmp_path / "none.csv"), "--store", url])
    assert res.exit_code == 2 and "none.csv: file does not exist" in res.output
