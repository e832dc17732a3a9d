"""Issue #13: after `workbench up`, the history store holds weeks of simulated work, not one instant.

The demo is loaded on the session's embedded server (SQLite, or PostgreSQL in the second pass of
scripts/test.sh) into a workspace and a history store of this module's own; its simulated answers
get their times in the server's database before the sync (workbench/server/backdate.py).
"""

from __future__ import annotations

import base64
import threading
import types
import uuid
from http.server import ThreadingHTTPServer

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from workbench import demo, demo_timeline
from workbench.server import backdate
from workbench.store import HistoryStore

pytestmark = pytest.mark.argilla

TASK = demo.DEMO_TASK


def _argilla_times(db_url: str, workspace: str) -> list[tuple]:
    """Every record's, response's and suggestion's times in the demo datasets of ``workspace``, read
    straight from argilla-server's database."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT 'record', r.external_id, r.inserted_at, r.updated_at FROM records r "
                "JOIN datasets d ON d.id = r.dataset_id JOIN workspaces w ON w.id = d.workspace_id WHERE w.name = :ws "
                "UNION ALL SELECT 'response', r.external_id || '/' || u.username, s.inserted_at, s.updated_at "
                "FROM responses s JOIN records r ON r.id = s.record_id JOIN users u ON u.id = s.user_id "
                "JOIN datasets d ON d.id = r.dataset_id JOIN workspaces w ON w.id = d.workspace_id WHERE w.name = :ws "
                "UNION ALL SELECT 'suggestion', r.external_id, g.inserted_at, g.updated_at FROM suggestions g "
                "JOIN records r ON r.id = g.record_id JOIN datasets d ON d.id = r.dataset_id "
                "JOIN workspaces w ON w.id = d.workspace_id WHERE w.name = :ws"), {"ws": workspace}).all()
    finally:
        engine.dispose()
    return sorted(tuple(str(v) for v in r) for r in rows)


def _store_state(url: str) -> dict:
    store = HistoryStore(url)
    try:
        versions = store.response_versions()
        return dict(counts=store.counts(), rounds=store.rounds(TASK).to_dict("records"),
                    publications=store.publications().to_dict("records"),
                    gold=store.gold_history(TASK).to_dict("records"),
                    times=sorted(zip(versions["response_id"], versions["inserted_at"].astype(str),
                                     versions["updated_at"].astype(str))))
    finally:
        store.close()


@pytest.fixture(scope="module")
def loaded(argilla_server, tmp_path_factory):
    """The demo loaded twice into this module's workspace and store, with what each run left."""
    workspace = f"t{uuid.uuid4().hex[:10]}"
    url = f"sqlite:///{tmp_path_factory.mktemp('span') / 'history.db'}"
    db_url = backdate.embedded_database_url(argilla_server.api_url)
    assert db_url is not None  # the session server is the embedded one
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_STORE_URL", url)
        first = demo.load_demo(argilla_server.api_url, argilla_server.api_key, workspace=workspace)
        after_first = (_store_state(url), _argilla_times(db_url, workspace))
        second = demo.load_demo(argilla_server.api_url, argilla_server.api_key, workspace=workspace)
        after_second = (_store_state(url), _argilla_times(db_url, workspace))
    store = HistoryStore(url)
    try:
        tidy = store.tidy(task=TASK)
        gold = store.gold(TASK)
        versions = store.response_versions()
    finally:
        store.close()
    yield types.SimpleNamespace(url=url, workspace=workspace, db_url=db_url, first=first, second=second,
                                after_first=after_first, after_second=after_second, tidy=tidy, gold=gold,
                                versions=versions, now=pd.Timestamp.now(tz="UTC"))


def _weeks(times: pd.Series) -> set:
    iso = times.dt.isocalendar()
    return set(zip(iso["year"], iso["week"]))


def test_the_store_spans_weeks_of_simulated_work_all_in_the_past(loaded):
    tidy, versions, now = loaded.tidy, loaded.versions, loaded.now
    assert loaded.first.simulated and loaded.first.times_set > 0
    assert len(_weeks(tidy["time"])) >= 4
    assert (tidy["time"] < now).all() and (versions["inserted_at"] < now).all() and (versions["updated_at"] < now).all()
    # the last N weeks ending today: nothing older than the history's first day, the last answer within a week
    assert tidy["time"].min() >= now - pd.Timedelta(weeks=demo_timeline.HISTORY_WEEKS, days=1)
    assert tidy["time"].max() >= now - pd.Timedelta(weeks=1)
    # every round's answers lie in its own weeks: calibration first, then round 2, then round 3
    by_round = tidy.groupby("round")["time"].agg(["min", "max"])
    assert by_round.loc[1, "max"] < by_round.loc[2, "min"] and by_round.loc[2, "max"] < by_round.loc[3, "min"]
    # (the calibration round is the one the demo always had: 80 items, every annotator)
    assert tidy[tidy["round"] == 1].groupby("annotator")["item"].nunique().to_dict() == dict.fromkeys(
        demo.DEMO_ANNOTATORS, 80)


def test_gold_flows_into_production_week_after_week(loaded):
    tidy, gold = loaded.tidy, loaded.gold
    prod = tidy[tidy["round"].isin([2, 3])]
    on_gold = prod[prod["item"].isin(set(gold["item"]))]
    assert len(_weeks(on_gold["time"])) >= 4
    assert set(on_gold["round"]) == {2, 3}
    # gold items are mixed into the rounds, a minority of each week's records
    share = prod.assign(gold=prod["item"].isin(set(gold["item"]))).drop_duplicates("item")["gold"].mean()
    assert 0 < share < 0.5


def test_production_runs_under_two_guideline_versions(loaded, client):
    prod = loaded.tidy[loaded.tidy["round"].isin([2, 3])]
    assert set(prod["guideline_version"]) == {1, 2}
    assert set(prod.loc[prod["round"] == 2, "guideline_version"]) == {1}
    assert set(prod.loc[prod["round"] == 3, "guideline_version"]) == {2}
    store = HistoryStore(loaded.url)
    try:
        pubs = store.publications(f"task:{TASK}")
    finally:
        store.close()
    assert list(pubs["version"]) == [1, 2] and (pubs["published_at"] < loaded.now).all()
    ws = client.workspaces(loaded.workspace)
    assert "v1" in client.datasets(name=demo.PRODUCTION_V1_DATASET, workspace=ws).settings.guidelines
    assert "v2" in client.datasets(name=demo.PRODUCTION_DATASET, workspace=ws).settings.guidelines


def test_only_the_drifting_annotator_has_an_open_alarm(loaded):
    from workbench.analytics.drift import gold_table, labels_table, monitor_gold, open_alarms, pooled_bar
    from workbench.tasks import find_task

    task = find_task(TASK)
    labels = labels_table(loaded.tidy[loaded.tidy["question"].isin(["quality", "safety", "issues"])])
    obs, chart = monitor_gold(labels, gold_table(loaded.gold), bar=pooled_bar(task.calibration.min_gold_agreements()))
    alarms = open_alarms(chart, obs)
    assert list(alarms["annotator"]) == [demo.DEMO_DRIFTING]
    assert int(alarms["round"].iloc[0]) == 3
    # after the guideline change, once the drift began
    drift_from = demo_timeline.session_start(loaded.first.timeline.start, demo_timeline.DRIFT_WEEK)
    assert alarms["first_alarm_time"].iloc[0] >= pd.Timestamp(drift_from)
    assert chart.summary.set_index("annotator").loc[["ana", "chloe"], "n_alarms"].tolist() == [0, 0]


def test_argilla_and_the_store_show_the_same_times(loaded, argilla_server, client):
    """What an annotator sees in Argilla (their past submissions) is what the store holds."""
    import requests

    ds = client.datasets(name=demo.PRODUCTION_V1_DATASET, workspace=client.workspaces(loaded.workspace))
    users = {str(client.users(n).id): n for n in demo.DEMO_ANNOTATORS}
    resp = requests.get(f"{argilla_server.api_url}/api/v1/datasets/{ds.id}/records",
                        params={"include": "responses", "limit": 1000},
                        headers={"X-Argilla-Api-Key": argilla_server.api_key}, timeout=60)
    resp.raise_for_status()
    shown = {(rec["external_id"], users[r["user_id"]]): (r["inserted_at"], r["updated_at"])
             for rec in resp.json()["items"] for r in rec["responses"]}
    assert len(shown) == 96 * 3
    stored = loaded.tidy[loaded.tidy["dataset"] == demo.PRODUCTION_V1_DATASET].drop_duplicates(["item", "annotator"])
    assert len(stored) == len(shown)
    for item, annotator, time in zip(stored["item"], stored["annotator"], stored["time"]):
        inserted, updated = shown[(item, annotator)]
        assert pd.Timestamp(inserted).tz_localize("UTC") == pd.Timestamp(updated).tz_localize("UTC") == time


def test_a_second_load_writes_nothing_and_moves_no_time(loaded):
    assert loaded.second.times_set == 0 and loaded.second.responses_synced == 0 and loaded.second.gold_set == 0
    assert not any(loaded.second.records_logged.values()) and loaded.second.responses_logged == 0
    assert "nothing created" in str(loaded.second)
    assert loaded.after_second == loaded.after_first


def test_an_interrupted_load_is_completed_by_the_next(argilla_server, loaded, monkeypatch, tmp_path):
    """Killed after logging (before the times are set), then after setting them (before the sync):
    each next run completes the demo, with the same answers at the same times as an uninterrupted one."""
    workspace = f"t{uuid.uuid4().hex[:10]}"
    url = f"sqlite:///{tmp_path / 'history.db'}"
    monkeypatch.setenv("WORKBENCH_STORE_URL", url)
    import workbench.sync as sync_mod

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    for module, name in ((backdate, "set_times"), (sync_mod, "sync")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, killed)
        with pytest.raises(KeyboardInterrupt):
            demo.load_demo(argilla_server.api_url, argilla_server.api_key, workspace=workspace)
        monkeypatch.setattr(module, name, real)
    done = demo.load_demo(argilla_server.api_url, argilla_server.api_key, workspace=workspace)
    assert not any(done.records_logged.values()) and done.times_set == 0 and done.responses_synced > 0

    store = HistoryStore(url)
    try:
        tidy = store.tidy(task=TASK)
    finally:
        store.close()
    if done.timeline.start == loaded.first.timeline.start:  # (both loaded on the same day)
        cols = ["item", "annotator", "question", "time", "round", "guideline_version"]
        key = ["round", "item", "annotator", "question"]
        ours = tidy[cols].sort_values(key, ignore_index=True)
        theirs = loaded.tidy[cols].sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(ours.drop(columns="time").astype(str), theirs.drop(columns="time").astype(str))
        assert (ours["time"] == theirs["time"]).all()
    assert len(_weeks(tidy["time"])) >= 4 and (tidy["time"] < pd.Timestamp.now(tz="UTC")).all()
    assert "nothing created" in str(demo.load_demo(argilla_server.api_url, argilla_server.api_key, workspace=workspace))


def test_on_another_argilla_the_demo_says_it_has_no_simulated_weeks(argilla_server, client, monkeypatch, tmp_path):
    workspace = f"t{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("WORKBENCH_STORE_URL", f"sqlite:///{tmp_path / 'history.db'}")
    monkeypatch.setattr(backdate, "embedded_database_url", lambda api_url: None)
    made = demo.load_demo(argilla_server.api_url, argilla_server.api_key, workspace=workspace)
    assert not made.simulated and made.times_set == 0
    assert "not Workbench's embedded server" in str(made)
    ws = client.workspaces(workspace)
    prod = client.datasets(name=demo.PRODUCTION_DATASET, workspace=ws)
    assert prod.progress()["completed"] == 0
    cal = client.datasets(name=demo.CALIBRATION_DATASET, workspace=ws)
    assert cal.progress()["completed"] == 80


# ------------------------------------------------------------------------------ the dashboard on it


def _xs(trace) -> list:
    x = trace.get("x")
    if isinstance(x, dict) and "bdata" in x:
        return np.frombuffer(base64.b64decode(x["bdata"]), dtype=np.dtype(x["dtype"])).tolist()
    return list(x or [])


@pytest.fixture()
def dashboard(loaded, monkeypatch, tmp_path):
    from test_dashboard_apptest import _FakeArgillaAuth  # (the stand-in for Argilla's sign-in)

    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeArgillaAuth)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("WORKBENCH_ARGILLA_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("WORKBENCH_STORE_URL", loaded.url)
    monkeypatch.setenv("WORKBENCH_DASHBOARD_DEMO", "0")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    try:
        yield loaded
    finally:
        server.shutdown()
        server.server_close()


def test_dashboard_pages_show_the_weeks(dashboard):
    from test_dashboard_apptest import _app, _chart_specs, _open, _sign_in

    today = pd.Timestamp.now(tz="UTC")
    at = _sign_in(_app(), "lead")

    _open(at, "drift", task=TASK)
    assert not at.exception, [e.value for e in at.exception]
    cusum = next(s for s in _chart_specs(at) if "CUSUM" in s["layout"]["title"]["text"])
    lines = {t["name"]: t for t in cusum["data"]}
    for name in demo.DEMO_ANNOTATORS:
        assert len(set(_xs(lines[name]))) > 1, name
        limit = lines[f"{name} limit h"]  # the dotted decision limit the captions mention
        assert limit["line"]["dash"] == "dot" and len(set(_xs(limit))) > 1
    assert any(f"Open alarms: {demo.DEMO_DRIFTING} (round 3)" in e.value for e in at.error)
    assert any(c.value.startswith("Guideline changes: v2 from round 3") for c in at.caption)
    assert any("v1" in c.value and "v2" in c.value for c in at.caption if "chi-square" in c.value)

    _open(at, "annotator", task=TASK, annotator=demo.DEMO_DRIFTING)
    assert any("Drift alarm" in e.value for e in at.error)
    series = next(s for s in _chart_specs(at) if "per week" in s["layout"]["title"]["text"])
    for trace in series["data"]:
        weeks = {pd.Timestamp(x) for x in _xs(trace)}
        assert len(weeks) >= 4, trace["name"]
        assert all((w.tz_localize("UTC") if w.tzinfo is None else w) <= today for w in weeks), trace["name"]
    _open(at, "annotator", task=TASK, annotator="ana")
    assert not any("Drift alarm" in e.value for e in at.error)

    _open(at, "guidelines", task=TASK)
    table = next(d.value for d in at.dataframe if "alpha" in d.value.columns and "guideline_version" in d.value.columns)
    assert set(table["guideline_version"]) == {1, 2}

    _open(at, "overview")
    assert not at.exception
    assert demo.DEMO_DRIFTING in " ".join(str(d.value.to_csv()) for d in at.dataframe) + " ".join(
        e.value for e in at.error)
