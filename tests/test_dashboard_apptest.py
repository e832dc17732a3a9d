"""The dashboard through Streamlit's AppTest: every page, sign-in, and who may see what.

Sign-in goes to a small stand-in for Argilla's auth endpoints (``POST /api/v1/token``,
``GET /api/v1/me``, ``GET /api/v1/me/workspaces``: every user a member of the demo's workspace)
served on localhost, so these tests need no Argilla server; the browser test
(tests/test_dashboard_browser.py) signs in against the real one. The history store is a SQLite
store filled with the demo history through the store's write API.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pandas as pd
import pytest

from workbench.analytics.drift import gold_table, labels_table, monitor_gold
from workbench.dashboard import auth, data
from workbench.dashboard.demo_history import DEMO_ANNOTATORS, DEMO_TASK, DEMO_WORKSPACE, fill_demo_store
from workbench.store import HistoryStore

APP = str(Path(__file__).resolve().parents[1] / "app.py")
USERS = {"lead": ("lead-password", "owner"), "adm": ("adm-password", "admin"),
         "ana": ("ana-password", "annotator"), "ben": ("ben-password", "annotator")}
PAGES = ("overview", "calibration", "annotator", "drift", "guidelines", "judges", "feedback")


class _FakeArgillaAuth(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        user, password = form.get("username", [""])[0], form.get("password", [""])[0]
        if self.path == "/api/v1/token" and USERS.get(user, (None,))[0] == password:
            return self._send(201, {"access_token": f"token-{user}", "token_type": "bearer"})
        return self._send(401, {"detail": "Unauthorized"})

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        user = auth.removeprefix("Bearer token-")
        if self.path == "/api/v1/me" and auth.startswith("Bearer token-") and user in USERS:
            return self._send(200, {"id": f"id-{user}", "username": user, "role": USERS[user][1]})
        if self.path == "/api/v1/me/workspaces" and auth.startswith("Bearer token-") and user in USERS:
            return self._send(200, {"items": [{"id": "ws-demo", "name": DEMO_WORKSPACE}]})
        return self._send(401, {"detail": "Unauthorized"})


@pytest.fixture(scope="module")
def fake_argilla():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeArgillaAuth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def demo_store_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'history.db'}"
    store = HistoryStore(url)
    fill_demo_store(store)
    store.close()
    return url


@pytest.fixture()
def env(monkeypatch, fake_argilla, demo_store_url, tmp_path):
    monkeypatch.setenv("WORKBENCH_ARGILLA_URL", fake_argilla)
    monkeypatch.setenv("WORKBENCH_STORE_URL", demo_store_url)
    monkeypatch.setenv("WORKBENCH_DASHBOARD_DEMO", "0")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    return demo_store_url


def _app(**query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at


def _sign_in(at, user, password=None):
    at.run()
    at.text_input[0].input(user)
    at.text_input[1].input(USERS[user][0] if password is None else password)
    at.button[0].click()
    at.run()
    return at


def _open(at, page, **query):
    at.query_params.clear()
    at.query_params["page"] = page
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    return at


def _texts(at) -> str:
    """Everything the page shows, as text: element protos (markdown, tables as Arrow, chart JSON)."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for df in at.dataframe:
        out.append(df.value.to_csv())
    return "\n".join(out)


def _charts(at):
    return at.get("plotly_chart")


def _length(values) -> int:
    """Number of values in a Plotly trace array (plain list, or plotly's typed-array dict)."""
    if values is None:
        return 0
    if isinstance(values, dict) and "bdata" in values:
        return len(base64.b64decode(values["bdata"])) // np.dtype(values["dtype"]).itemsize
    return len(values)


def _chart_specs(at):
    return [json.loads(c.proto.spec) for c in _charts(at)]


# ------------------------------------------------------------------------------ sign-in


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_anything_before_sign_in(env, page):
    at = _app(page=page, task=DEMO_TASK, round="1", annotator="ben")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Workbench dashboard"]
    assert len(at.text_input) == 2 and at.text_input[1].proto.type == at.text_input[1].proto.PASSWORD
    assert not _charts(at) and not at.dataframe and not at.metric
    assert "ben" not in "".join(m.value for m in at.markdown)


def test_wrong_password_is_refused_by_argilla(env):
    at = _sign_in(_app(), "ana", password="not-her-password")
    assert "did not accept" in " ".join(e.value for e in at.error)
    assert [t.value for t in at.title] == ["Workbench dashboard"]
    assert "wb_user" not in at.session_state


def test_sign_in_reads_the_role_and_sign_out_forgets_it(env):
    at = _sign_in(_app(), "ana")
    assert at.session_state["wb_user"].role == "annotator"
    assert "Signed in as **ana** (annotator)" in " ".join(m.value for m in at.sidebar.markdown)
    at.sidebar.button[0].click()
    at.run()
    assert "wb_user" not in at.session_state
    assert [t.value for t in at.title] == ["Workbench dashboard"]


def test_a_session_argilla_cannot_confirm_shows_nothing_until_it_can(env, monkeypatch, fake_argilla):
    """Every page view asks Argilla about the session's token (after the TTL): while Argilla does not
    answer, no page is drawn, and the session is kept for when it answers again."""
    import socket

    monkeypatch.setenv("WORKBENCH_DASHBOARD_SESSION_TTL", "0")
    at = _sign_in(_app(), "lead")
    _open(at, "calibration", task=DEMO_TASK, round="1")
    assert at.dataframe
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # (nothing listens there once closed)
    monkeypatch.setenv("WORKBENCH_ARGILLA_URL", dead)
    _open(at, "calibration", task=DEMO_TASK, round="1")
    assert any("cannot be checked with Argilla" in e.value for e in at.error)
    assert not at.dataframe and not _charts(at) and not at.metric
    assert at.session_state["wb_user"].username == "lead"
    monkeypatch.setenv("WORKBENCH_ARGILLA_URL", fake_argilla)
    _open(at, "calibration", task=DEMO_TASK, round="1")
    assert at.dataframe


# ------------------------------------------------------------------------------ pages (lead)


@pytest.mark.parametrize("user", ["lead", "adm"])
def test_a_lead_opens_every_page_without_an_error(env, user):
    at = _sign_in(_app(), user)
    for page in PAGES:
        _open(at, page)
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not [e for e in at.error if "for annotation leads" in e.value], page
        assert len(at.title) == 1
    menu = at.sidebar.radio[0]
    assert list(menu.options) == ["Overview", "Calibration round", "Annotator", "Drift", "Guidelines", "Judges", "Feedback"]


def test_every_chart_has_data_and_says_what_it_rests_on(env):
    at = _sign_in(_app(), "lead")
    for page in PAGES:
        _open(at, page)
        specs = _chart_specs(at)
        if page not in ("overview", "feedback"):  # (the demo imports no production feedback: that page says
            assert specs, f"{page} shows no chart on the demo history"  # what to run, tests/test_dashboard_feedback.py)
        for spec in specs:
            traces = spec["data"]
            assert any(max(_length(t.get(k)) for k in ("x", "y", "z")) > 0 for t in traces), (page, spec["layout"])
        captions = [c.value for c in at.caption if c.value.startswith("Based on ")]
        assert len(captions) >= len(specs), page


def test_calibration_page_alpha_matches_the_krippendorff_package(env):
    import krippendorff

    at = _sign_in(_app(), "lead")
    _open(at, "calibration", task=DEMO_TASK, round="1")
    assert not at.exception
    summary = next(d.value for d in at.dataframe if "alpha_reliable" in d.value.columns)
    shown = dict(zip(summary["question"], summary["alpha"]))
    tidy = HistoryStore(env).tidy(task=DEMO_TASK, round=1)
    q = tidy[tidy["question"] == "quality"].pivot(index="annotator", columns="item", values="value")
    expected = krippendorff.alpha(reliability_data=q.to_numpy(dtype=float), level_of_measurement="interval")
    assert shown["quality"] == pytest.approx(expected, abs=1e-9)
    s = tidy[tidy["question"] == "safety"].pivot(index="annotator", columns="item", values="value")
    codes = s.apply(lambda col: col.map({"safe": 0.0, "needs-caveat": 1.0, "unsafe": 2.0})).to_numpy(dtype=float)
    assert shown["safety"] == pytest.approx(
        krippendorff.alpha(reliability_data=codes, level_of_measurement="ordinal"), abs=1e-9)
    # bands are written as words, not only colours
    assert set(summary["band"]) <= {"RELIABLE", "TENTATIVE", "UNRELIABLE", "UNDEFINED"}
    assert (summary.loc[summary["question"] == "safety", "band"] == "UNRELIABLE").all()
    # the round's gate is shown and names what failed
    assert any("Gate FAILED" in e.value for e in at.error)
    # the pair heatmap lists every annotator
    heat = [s for s in _chart_specs(at) if s["data"][0]["type"] == "heatmap" and "pair" in s["layout"]["title"]["text"]]
    assert heat and set(heat[0]["data"][0]["x"]) == set(DEMO_ANNOTATORS)


def test_calibration_page_shows_the_demo_deviating_annotator(env):
    at = _sign_in(_app(), "lead")
    for q in ("quality", "safety"):
        _open(at, "calibration", task=DEMO_TASK, round="1", question=q)
        assert not at.exception
        md = [m.value for m in at.markdown]
        assert "**annotator deviation: retraining needed**" in md or "**ambiguous guideline and annotator deviation**" in md, q
        assert "Annotators behind it: **chloe**" in md, q
    summary = next(d.value for d in at.dataframe if "alpha_reliable" in d.value.columns)
    verdicts = dict(zip(summary["question"], summary["verdict"]))
    assert "annotator deviation" in verdicts["quality"] and "annotator deviation" in verdicts["safety"]
    # round 2 (recalibration, chloe retrained): nobody is named
    _open(at, "calibration", task=DEMO_TASK, round="2", question="quality")
    assert not any(m.value.startswith("Annotators behind it") for m in at.markdown)


def test_selectors_follow_the_url_and_write_it_back(env):
    at = _sign_in(_app(), "lead")
    _open(at, "calibration", task=DEMO_TASK, round="2")
    assert at.selectbox(key="qp_round").value == 2
    at.selectbox(key="qp_round").set_value(1).run()
    assert at.query_params["round"] == ["1"] or at.query_params["round"] == "1"
    assert "calibration round 1" in " ".join(m.value for m in at.markdown)


def test_annotator_page_for_a_lead_shows_the_drifting_annotator_alarm(env):
    at = _sign_in(_app(), "lead")
    _open(at, "annotator", task=DEMO_TASK, annotator="ben")
    assert not at.exception
    assert any("Drift alarm" in e.value for e in at.error)
    _open(at, "annotator", task=DEMO_TASK, annotator="ana")
    assert not any("Drift alarm" in e.value for e in at.error)


# ------------------------------------------------------------------------------ access rules


def test_an_annotator_sees_only_allowed_pages_in_the_menu(env):
    at = _sign_in(_app(), "ana")
    assert list(at.sidebar.radio[0].options) == ["Overview", "Calibration round", "Annotator", "Guidelines"]


@pytest.mark.parametrize("page", ["drift", "judges"])
def test_an_annotator_cannot_open_lead_pages_by_url(env, page):
    at = _sign_in(_app(), "ana")
    _open(at, page, task=DEMO_TASK)
    assert any("for annotation leads" in e.value for e in at.error)
    assert not _charts(at) and not at.dataframe


def test_an_annotator_cannot_open_another_annotators_page_by_url(env):
    at = _sign_in(_app(), "ana")
    _open(at, "annotator", task=DEMO_TASK, annotator="ben")
    assert any("only your own figures" in e.value for e in at.error)
    assert not _charts(at) and not at.dataframe
    assert not [s for s in at.selectbox if s.label == "Annotator"]  # no widget to pick someone else


def test_an_annotator_never_sees_another_persons_name_or_figures(env):
    at = _sign_in(_app(), "ana")
    others = [a for a in DEMO_ANNOTATORS if a != "ana"]
    for page in ("overview", "calibration", "annotator", "guidelines"):
        for rnd in ("1", "2", "5"):
            _open(at, page, task=DEMO_TASK, round=rnd)
            assert not at.exception, (page, [e.value for e in at.exception])
            text = _texts(at)
            for name in others:
                hit = re.search(rf"\b{name}\b", text)
                assert hit is None, (page, rnd, name, text[max(0, hit.start() - 200):hit.end() + 100])
    _open(at, "annotator", task=DEMO_TASK)
    assert "**ana**" in " ".join(m.value for m in at.markdown)
    assert _charts(at)


def test_the_data_layer_refuses_another_annotators_view(env):
    source = data.Source(env)
    history = data.task_history(source, DEMO_TASK)
    with pytest.raises(PermissionError):
        data.annotator_view(history, "ben", viewer_name="ana", viewer_role="annotator")
    view = data.annotator_view(history, "ben", viewer_name="lead", viewer_role="owner")
    assert view.n_judgements > 0
    # the counts the page writes under its charts come with the view (the page never reads the history)
    labels = history.labels
    assert view.n_items_by_question == {q: labels[labels["question"] == q]["item"].nunique()
                                        for q in sorted(labels["question"].unique())}
    assert view.n_gold_items == history.gold_obs["item"].nunique() > 0
    # the cached form refuses too, also after a lead's view of the same person is in the cache
    version = data.source_version(source)
    member = auth.Scope(frozenset({DEMO_WORKSPACE}))
    assert data.cached_annotator(env, False, version, auth.EVERYTHING, DEMO_TASK, "ben", "lead",
                                 "owner").n_judgements == view.n_judgements
    with pytest.raises(PermissionError):
        data.cached_annotator(env, False, version, member, DEMO_TASK, "ben", "ana", "annotator")
    # nor for a lead whose workspaces do not hold the task
    with pytest.raises(PermissionError):
        data.cached_annotator(env, False, version, auth.Scope(frozenset({"elsewhere"})), DEMO_TASK, "ben", "adm",
                              "admin")


def test_redacted_calibration_keeps_team_figures_and_only_own_rows(env):
    source = data.Source(env)
    full = data.calibration_view(source, DEMO_TASK, 1, n_boot=0)
    red = data.redact_calibration(full, "ana")
    for f, r in zip(full.questions, red.questions):
        assert r.report.alpha.value == f.report.alpha.value
        assert list(r.report.annotators["annotator"]) == ["ana"]
        assert r.report.pairwise is None
        assert "chloe" not in r.report.diagnosis.explanation and "ben" not in r.report.diagnosis.explanation
    assert all(a.annotator == "ana" for a in red.gate.annotators)
    assert not any(n in " ".join(red.gate.reasons) for n in ("ben", "chloe"))


def test_overview_totals_and_alarms_equal_those_of_the_whole_history(env):
    """The Overview reads counts with SQL and only gold items' answers; the figures are those of
    the task's whole history read in full."""
    [view] = [v for v in data.overview_view(data.Source(env)) if v.task == DEMO_TASK]
    store = HistoryStore(env)
    try:
        tidy = data.read_task(store, DEMO_TASK)
        gold = gold_table(store.gold(DEMO_TASK))
    finally:
        store.close()
    assert view.responses == len(tidy[["item", "annotator", "dataset"]].drop_duplicates())
    assert (view.items, view.annotators) == (tidy["item"].nunique(), tidy["annotator"].nunique())
    obs, chart = monitor_gold(labels_table(tidy), gold)
    expected = data.open_alarms(chart, obs)
    assert not expected.empty  # the demo's drifting annotator
    assert view.alarms.reset_index(drop=True).equals(expected.reset_index(drop=True)), (view.alarms, expected)


# ------------------------------------------------------------------------------ caching and empty states


def test_nothing_is_recomputed_until_the_store_changes(env, monkeypatch):
    from workbench.dashboard import load

    calls = []
    real = load.calibration_view

    def counting(*args, **kwargs):
        calls.append(args[3:5])  # (store, tasks, problem, task, round)
        return real(*args, **kwargs)

    monkeypatch.setattr(load, "calibration_view", counting)
    data.cached_calibration.clear()
    data.cached_version.clear()
    at = _sign_in(_app(), "lead")
    _open(at, "calibration", task=DEMO_TASK, round="1")
    _open(at, "calibration", task=DEMO_TASK, round="1")
    assert calls == [(DEMO_TASK, 1)]
    store = HistoryStore(env)
    before = data.store_version(store)
    store.set_gold(task="other-task", item="x", question="q", value="a", set_by="test")
    assert data.store_version(store) != before
    data.cached_version.clear()  # the watermark is re-read at most every 2 s; do not wait in a test
    _open(at, "calibration", task=DEMO_TASK, round="1")
    assert calls == [(DEMO_TASK, 1), (DEMO_TASK, 1)]


def test_an_empty_store_says_what_to_do_next(env, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_STORE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    at = _sign_in(_app(), "lead")
    for page in ("overview", "calibration", "annotator", "drift", "judges"):
        _open(at, page)
        assert not at.exception
        assert any("Next:" in i.value and "workbench" in i.value for i in at.info), page


def test_an_empty_store_falls_back_to_the_demo_history_with_a_banner(env, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_STORE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("WORKBENCH_DASHBOARD_DEMO", "auto")
    monkeypatch.setenv("WORKBENCH_DASHBOARD_DEMO_DB", str(Path(env.removeprefix("sqlite:///"))))
    at = _sign_in(_app(), "lead")
    _open(at, "calibration", task=DEMO_TASK, round="1")
    assert any("demo history" in w.value for w in at.warning)
    assert _charts(at)
    assert at.selectbox(key="qp_task").value == DEMO_TASK


def test_read_dataset_gives_what_store_tidy_gives_with_edits_and_drafts(tmp_path):
    import datetime as dt

    from workbench.store import TIDY_COLUMNS, ResponseRow

    store = HistoryStore(f"sqlite:///{tmp_path / 'h.db'}")
    t0 = dt.datetime(2026, 1, 1, 9)
    for rnd in (1, 2):
        store.record_round(task="t", round=rnd, kind="calibration", dataset=f"d{rnd}", workspace="w",
                           dataset_id=f"id{rnd}", guideline_version=rnd)

    def row(item, user, value, status="submitted", minutes=0):
        when = t0 + dt.timedelta(minutes=minutes)
        return ResponseRow(record_id=f"r-{item}", item=item, user_id=f"u-{user}", annotator=user,
                           response_id=f"{item}-{user}", status=status, values={"q": value, "m": [value, "z"]},
                           inserted_at=when, updated_at=when)

    first = [row(i, u, v) for i, u, v in (("a", "x", "yes"), ("a", "y", "no"), ("b", "x", "no"), ("b", "y", "no"))]
    for rnd in (1, 2):
        store.write_dataset_sync(dataset_id=f"id{rnd}", name=f"d{rnd}", workspace="w", responses=first,
                                 suggestions=[], watermark=t0)
    # round 1: one answer edited, one turned back into a draft
    edited = [row("a", "x", "no", minutes=5), row("a", "y", "no"), row("b", "x", "no", status="draft", minutes=6),
              row("b", "y", "no")]
    store.write_dataset_sync(dataset_id="id1", name="d1", workspace="w", responses=edited, suggestions=[],
                             watermark=t0 + dt.timedelta(hours=1))
    key = ["item", "annotator", "question"]
    for rnd in (1, 2):
        expected = store.tidy(task="t", round=rnd).sort_values(key).reset_index(drop=True)
        got = data.read_dataset(store, data.round_row(store, "t", rnd))[list(TIDY_COLUMNS)]
        got = got.sort_values(key).reset_index(drop=True)
        assert got.astype(str).equals(expected.astype(str)), (rnd, got, expected)
    r1 = data.read_dataset(store, data.round_row(store, "t", 1))
    assert ("b", "x") not in set(zip(r1["item"], r1["annotator"]))  # the draft is not counted
    assert r1[(r1["item"] == "a") & (r1["annotator"] == "x") & (r1["question"] == "q")]["value"].tolist() == ["no"]


def test_control_chart_points_are_thinned_for_drawing_with_every_alarm_and_peak_kept():
    rng = np.random.default_rng(3)
    n = 20_000
    stat = np.cumsum(rng.normal(0, 1, n)).clip(0)
    alarm = np.zeros(n, dtype=bool)
    alarm[rng.choice(n, 25, replace=False)] = True
    pts = pd.DataFrame({"annotator": "a", "seq": np.arange(n), "item": [f"i{k}" for k in range(n)],
                        "time": pd.date_range("2026-01-01", periods=n, freq="min", tz="UTC"),
                        "phase": ["baseline"] * 200 + ["monitor"] * (n - 200), "statistic": stat, "limit": 5.0,
                        "alarm": alarm})
    small = pts[pts["seq"] < 900].assign(annotator="b")
    both = pd.concat([pts, small], ignore_index=True)
    out, note = data.thin_chart_points(both, max_points=1000)
    a = out[out["annotator"] == "a"]
    mon = pts[pts["phase"] == "monitor"]
    assert len(a) < 1100 and (out["phase"] == "monitor").all()
    assert set(mon.loc[mon["alarm"], "seq"]) <= set(a["seq"])  # every alarm kept
    assert a["statistic"].max() == mon["statistic"].max()  # the peak kept
    assert a["seq"].iloc[-1] == n - 1 and a["seq"].iloc[0] == 200 and a["seq"].is_monotonic_increasing
    assert out[out["annotator"] == "b"]["seq"].tolist() == list(range(200, 900))  # under the bound: all drawn
    assert "a (" in note and "b (" not in note
    assert data.thin_chart_points(small)[1] == ""


def _seeded_history_store(path):
    """Three rounds under guideline versions 1-3 (a publication mid-round), five annotators, edits
    (several versions per response), drafts, gold on a third of the items."""
    import datetime as dt
    import random

    from workbench.store import ResponseRow

    rng = random.Random(4)
    store = HistoryStore(f"sqlite:///{path}")
    t0 = dt.datetime(2026, 1, 5, 9)
    users = [f"ann{k}" for k in range(5)]
    for rnd in (1, 2, 3):
        ds = f"id{rnd}"
        store.record_round(task="t", round=rnd, kind="calibration" if rnd == 1 else "production", dataset=f"d{rnd}",
                           workspace="w", dataset_id=ds, guideline_version=rnd, created_at=t0 + dt.timedelta(days=7 * rnd))
        store.record_guideline_publication(task="t", dataset_id=ds, version=rnd + 1,
                                           published_at=t0 + dt.timedelta(days=7 * rnd + 3))
        state = {}
        for step in range(3):
            rows = []
            for i in range(40):
                for u in users:
                    if (i, u) not in state or rng.random() < 0.3:
                        state[(i, u)] = {"q": rng.choice("abc"), "p": rng.randint(1, 5)}
                    when = t0 + dt.timedelta(days=7 * rnd + step * 2, minutes=i)
                    rows.append(ResponseRow(
                        record_id=f"r{i}", item=f"item-{rnd}-{i}", user_id=f"u-{u}", annotator=u,
                        response_id=f"{rnd}-{i}-{u}", status="draft" if step and rng.random() < 0.1 else "submitted",
                        values=state[(i, u)], inserted_at=when, updated_at=when))
            store.write_dataset_sync(dataset_id=ds, name=f"d{rnd}", workspace="w", responses=rows, suggestions=[],
                                     watermark=t0)
        for i in range(0, 40, 3):
            store.set_gold(task="t", item=f"item-{rnd}-{i}", question="q", value=rng.choice("abc"), set_by="expert")
            store.set_gold(task="t", item=f"item-{rnd}-{i}", question="p", value=rng.randint(1, 5), set_by="expert")
    return store


def _equal(a, b, where):
    if isinstance(a, pd.DataFrame):
        assert a.reset_index(drop=True).astype(str).equals(b.reset_index(drop=True).astype(str)), (where, a, b)
    else:
        assert a == b, (where, a, b)


def test_task_views_from_the_latest_table_equal_those_of_the_full_history_read(tmp_path, monkeypatch):
    """The Annotator and Drift views built from the one-call read of the latest-version table equal
    those built the former way: every round read with the latest-version query over all versions."""
    import dataclasses

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    store = _seeded_history_store(tmp_path / "h.db")
    assert store.response_history()["version"].max() >= 3
    url = store.url
    new = data.task_history(data.Source(url), "t")
    store.read_latest_table = False  # the reference: per round, latest versions looked up over every version
    tidy = data.read_task(store, "t")
    labels = labels_table(tidy).drop(columns=["record_id"])
    gold = gold_table(store.gold("t"))
    obs, chart = monitor_gold(labels, gold)
    ref = data.TaskHistory(labels=labels, gold=gold, gold_obs=obs, chart=chart, rounds=store.rounds("t"),
                           annotators=tuple(sorted(labels["annotator"].unique())))
    ref._team = data.team_observations(labels, within=("round",))
    ref._texts = labels.assign(value=labels["value"].map(data.label_text))  # the former per-row mapping
    ref._codes = False  # the reference takes the former pandas way in every view (no integer codes)
    assert len(new.labels) == len(tidy) > 0 and chart is not None and new.codes is not None
    # the history keeps the drift functions' columns only (the store reads no others)
    assert list(new.labels.columns) == list(data.HISTORY_LABEL_COLUMNS)
    _equal(new.labels, ref.labels[list(data.HISTORY_LABEL_COLUMNS)], "labels")
    for f in ("gold", "gold_obs", "team_obs", "rounds", "annotators"):
        _equal(getattr(new, f), getattr(ref, f), f)
    _equal(new.chart.points, ref.chart.points, "chart")
    for ann in ref.annotators:
        a = data.annotator_view(new, ann, viewer_name="lead", viewer_role="owner")
        b = data.annotator_view(ref, ann, viewer_name="lead", viewer_role="owner")
        for f in dataclasses.fields(a):
            _equal(getattr(a, f.name), getattr(b, f.name), (ann, f.name))
    for q in (None, "q", "p"):
        a, b = data.drift_view(data.Source(url), new, q), data.drift_view(data.Source(url), ref, q)
        for f in dataclasses.fields(a):
            _equal(getattr(a, f.name), getattr(b, f.name), (q, f.name))
    from types import SimpleNamespace

    qs = {"q": SimpleNamespace(kind="label", level="nominal", categories=("a", "b", "c")),
          "p": SimpleNamespace(kind="rating", level="interval", categories=())}
    by_version = data.alphas_by_version(new, qs, n_boot=50)
    assert len(by_version) >= 6 and by_version["alpha"].notna().all()
    pd.testing.assert_frame_equal(by_version, data.alphas_by_version_slow(ref.labels, qs, n_boot=50))
    store.close()


def test_overview_lists_the_exported_versions_of_the_task(env):
    """After `workbench export`, the Overview shows the version: format, hash, rows, gate state."""
    from click.testing import CliRunner

    from workbench.cli import main

    res = CliRunner().invoke(main, ["export", DEMO_TASK, "--store", env, "--holdout", "0.2"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    digest = res.output.split("dataset hash ", 1)[1].split()[0]
    at = _open(_sign_in(_app(), "lead"), "overview")
    assert not at.exception
    text = _texts(at)
    assert "Exported dataset versions" in text and digest[:16] in text and "passed" in text


def test_drift_page_shows_each_annotator_against_the_tasks_bar(env):
    """The demo's ben drifts in the last rounds: below the task's bar on his latest gold answers."""
    at = _open(_sign_in(_app(), "lead"), "drift", task=DEMO_TASK)
    assert not at.exception
    text = _texts(at)
    assert "Against the task" in text and "Below the task" in text
    flagged = [e.value for e in at.error if "Below the task's bar" in e.value]
    assert flagged and "ben on quality" in flagged[0] and "ana" not in flagged[0]


# ------------------------------------------------------------------------------ problems reach the page


def test_a_refused_shift_test_is_said_on_the_page_not_left_as_an_empty_table(env, monkeypatch):
    """When the analytics core refuses a computation (BadInput), the Drift and Annotator pages say
    why in a warning naming the problem, instead of drawing nothing."""
    from workbench.dashboard import cache, views
    from workbench.dashboard.markup import escape
    from workbench.errors import BadInput

    reason = "labels: the test refuses this table"

    def refuse(*args, **kwargs):
        raise BadInput(reason)

    monkeypatch.setattr(views, "shift_team", refuse)
    cache.cached_drift.clear()
    cache.cached_annotator.clear()
    at = _sign_in(_app(), "lead")
    _open(at, "drift", task=DEMO_TASK)
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(w.value for w in at.warning)
    assert escape(f"labels against the team: {reason}") in warnings, warnings
    _open(at, "annotator", task=DEMO_TASK, annotator=DEMO_ANNOTATORS[0])
    assert not at.exception, [e.value for e in at.exception]
    warnings = " ".join(w.value for w in at.warning)
    assert escape(f"labels against the team: {reason}") in warnings, warnings
    monkeypatch.undo()
    cache.cached_drift.clear()
    cache.cached_annotator.clear()


def test_a_round_without_a_task_file_says_so_on_the_judges_page(env, monkeypatch):
    from workbench.dashboard import cache, load
    from workbench.dashboard.markup import escape
    from workbench.errors import BadInput

    def refuse(*args, **kwargs):
        raise BadInput("task 'x' round 1: not found")

    monkeypatch.setattr(load, "judges_view", refuse)
    cache.cached_judges.clear()
    at = _sign_in(_app(), "lead")
    _open(at, "judges", task=DEMO_TASK, round="1")
    assert not at.exception, [e.value for e in at.exception]
    assert escape("task 'x' round 1: not found") in " ".join(i.value for i in at.info)
    monkeypatch.undo()
    cache.cached_judges.clear()
