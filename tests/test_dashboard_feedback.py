"""The dashboard's Feedback page (leads only), through Streamlit's AppTest, and its pure views.

The feedback store and a feedback review round are written here with their own write APIs; what
the page must show is counted here with loops and statsmodels' Wilson interval. Sign-in goes to the
stand-in for Argilla's auth endpoints of tests/test_dashboard_apptest.py (every user a member of the
demo's workspace only: the owner sees everything, the admin not the experts' workspace).
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
from http.server import ThreadingHTTPServer

import numpy as np
import pandas as pd
import pytest
from test_dashboard_apptest import _FakeArgillaAuth, _app, _chart_specs, _charts, _open, _sign_in

from workbench.dashboard.demo_history import DEMO_TASK, fill_demo_store
from workbench.store import HistoryStore

T0 = dt.datetime(2025, 3, 1, 9, tzinfo=dt.timezone.utc)


def _iso(days: float) -> str:
    return (T0 + dt.timedelta(days=days)).isoformat()


# interaction: (id, model version, day, output); signals: (id, interaction, kind, label, edit, day)
INTERACTIONS = [("i1", "v1", 0, "Take 2 g."), ("i2", "v1", 1, "Rest."), ("i3", "v2", 3, "Call a doctor."),
                ("i4", "v2", 3.5, "Drink water."), ("i5", None, 9, "Sleep."), ("i6", "v2", 10, None)]
SIGNALS = [("s1", "i1", "thumbs", 0, None, 0.1), ("s2", "i1", "thumbs", 1, None, 0.2),  # i1: changed to up
           ("s3", "i2", "thumbs", 0, None, 1.1), ("s4", "i3", "thumbs", 0, None, 3.1),
           ("s5", "i4", "thumbs", 1, None, 3.6), ("s6", "i5", "thumbs", 0, None, 9.2),
           ("s7", "i3", "edit", None, "Call a doctor today if the fever stays above 39 degrees.", 3.2),
           ("s8", "i4", "edit", None, "drink water", 3.7),  # case and punctuation only
           ("s9", "i2", "rejection", None, None, 1.2),
           ("s10", "i-missing", "thumbs", 0, None, 11)]  # its interaction is not imported


def _fill_feedback_store():
    from workbench.feedback.store import FeedbackStore

    now = _iso(30)
    with FeedbackStore() as fs:
        fs.add([(i, "jsonl", i, f"Question {i}?", out, v, None, _iso(d), None, None, "f", 1, now)
                for i, v, d, out in INTERACTIONS],
               [(s, "jsonl", s, i, kind, label, edit, _iso(d), None, None, "f", 1, now)
                for s, i, kind, label, edit, d in SIGNALS])


REVIEW = {"fs_a": ["yes"], "fs_b": ["yes", "no"], "fs_c": ["unsure"], "fs_d": [], "fs_e": ["yes", "yes"]}


def _write_review(store):
    from workbench.feedback.review import dataset_name, feedback_task, round_kind, workspace_name
    from workbench.store import RecordRow, ResponseRow

    when = T0 + dt.timedelta(days=40)
    name, ws = dataset_name(DEMO_TASK, "dpo"), workspace_name(DEMO_TASK)
    store.record_round(task=feedback_task(DEMO_TASK), round=1, kind=round_kind("dpo"), dataset=name, workspace=ws,
                       dataset_id="fb-dpo-ds", guideline_version=0, created_at=when)
    store.write_dataset_sync(
        dataset_id="fb-dpo-ds", name=name, workspace=ws, suggestions=[], watermark=when,
        records=[RecordRow(record_id=f"r-{i}", item=i, fields={"prompt": "p", "output": "o", "edit": "e"},
                           metadata={"source": "feedback:jsonl"}) for i in REVIEW],
        responses=[ResponseRow(record_id=f"r-{i}", item=i, user_id=f"u{k}", annotator=f"exp{k}", response_id=f"x-{i}-{k}",
                               status="submitted", values={"edit_improves": v}, inserted_at=when, updated_at=when)
                   for i, answers in REVIEW.items() for k, v in enumerate(answers)])


@pytest.fixture(scope="module")
def fake_argilla():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeArgillaAuth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('dash-fb') / 'history.db'}"
    store = HistoryStore(url)
    fill_demo_store(store)
    _write_review(store)
    store.close()
    return url


@pytest.fixture()
def env(monkeypatch, fake_argilla, store_url, tmp_path):
    monkeypatch.setenv("WORKBENCH_ARGILLA_URL", fake_argilla)
    monkeypatch.setenv("WORKBENCH_STORE_URL", store_url)
    monkeypatch.setenv("WORKBENCH_DASHBOARD_DEMO", "0")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    _fill_feedback_store()
    return store_url


def _values(values) -> list:
    """A Plotly trace array as numbers (a plain list, or plotly's base64 typed array)."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"])).tolist()
    return list(values)


def _latest_thumbs() -> dict:
    """interaction -> its latest thumb, by a loop over SIGNALS (a thumb whose answer is not imported
    yet counts, as in `workbench feedback summary`)."""
    out, when = {}, {}
    for _s, i, kind, label, _, d in SIGNALS:
        if kind == "thumbs" and d >= when.get(i, -1):
            out[i], when[i] = label, d
    return out


def test_a_lead_sees_rates_events_edits_and_review_progress(env):
    from statsmodels.stats.proportion import proportion_confint

    at = _sign_in(_app(), "lead")
    assert "Feedback" in list(at.sidebar.radio[0].options)
    _open(at, "feedback")
    assert not at.exception, [e.value for e in at.exception]
    frames = {tuple(d.value.columns): d.value for d in at.dataframe}
    rates = next(v for k, v in frames.items() if "down rate" in k).set_index("model version")
    thumbs = _latest_thumbs()
    down = sum(1 for v in thumbs.values() if v == 0)
    lo, hi = proportion_confint(down, len(thumbs), alpha=0.05, method="wilson")
    assert (rates.loc["(all)", "thumbs"], rates.loc["(all)", "thumbs down"]) == (len(thumbs), down)
    assert rates.loc["(all)", "95% interval low"] == pytest.approx(lo)
    assert rates.loc["(all)", "95% interval high"] == pytest.approx(hi)
    version = {i: v or "(unknown)" for i, v, *_ in INTERACTIONS}
    for v in ("v1", "v2", "(unknown)"):
        mine = [lab for i, lab in thumbs.items() if version.get(i, "(unknown)") == v]
        assert rates.loc[v, "thumbs down"] == mine.count(0) and rates.loc[v, "thumbs"] == len(mine)
    # the timeline counts every answer and every event once
    spec = next(s for s in _chart_specs(at) if s["layout"]["title"]["text"].startswith("Events per"))
    totals = {t["name"]: sum(_values(t["y"])) for t in spec["data"]}
    want = {"answer": len(INTERACTIONS), "edit": 2, "rejection": 1,
            "thumb up": sum(1 for s in SIGNALS if s[2] == "thumbs" and s[3] == 1),
            "thumb down": sum(1 for s in SIGNALS if s[2] == "thumbs" and s[3] == 0)}
    assert totals == want
    # edits: both have a model output; one is substantive, one punctuation only
    classes = next(v for k, v in frames.items() if "edit class" in k).set_index("edit class")["edits"].to_dict()
    assert classes == {"substantive": 1, "punctuation": 1}
    # the review: by the rule, accepted when every expert who answered said yes
    prog = next(v for k, v in frames.items() if "share reviewed" in k).iloc[0]
    answered = {i: a for i, a in REVIEW.items() if a}
    accepted = sum(1 for a in answered.values() if set(a) == {"yes"})
    assert (prog["records"], prog["reviewed"], prog["accepted"], prog["rejected"], prog["unsure"], prog["unreviewed"],
            prog["exported"]) == (len(REVIEW), len(answered), accepted, 1, 1, 1, accepted)
    assert "fb-dpo-ds/annotation-mode" in prog["open in Argilla"]


def test_the_model_version_selector_narrows_the_timeline(env):
    at = _sign_in(_app(), "lead")
    _open(at, "feedback", model_version="v1")
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    v1 = {i for i, v, *_ in INTERACTIONS if v == "v1"}
    n = len(v1) + sum(1 for s in SIGNALS if s[1] in v1)
    assert f"Based on {n} events" in captions


def test_an_annotator_neither_sees_nor_opens_the_feedback_page(env):
    at = _sign_in(_app(), "ana")
    assert "Feedback" not in list(at.sidebar.radio[0].options)
    _open(at, "feedback")
    assert any("for annotation leads" in e.value for e in at.error)
    assert not _charts(at) and not at.dataframe and not at.metric


def test_an_admin_outside_the_experts_workspace_does_not_see_its_review_datasets(env):
    at = _sign_in(_app(), "adm")
    _open(at, "feedback")
    assert not at.exception
    assert not [d for d in at.dataframe if "share reviewed" in d.value.columns]
    assert any("none in your workspaces" in i.value for i in at.info)


def test_nothing_imported_says_what_to_run(env, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "empty-home"))
    at = _sign_in(_app(), "lead")
    _open(at, "feedback")
    assert not at.exception
    assert any("workbench feedback import" in i.value for i in at.info)
    assert not (tmp_path / "empty-home" / "feedback").exists()  # the page creates no store


# ------------------------------------------------------------------------------ pure views


def test_timeline_buckets_against_a_loop():
    from workbench.dashboard.feedback_views import choose_period, timeline

    inter = pd.DataFrame({"occurred_at": pd.to_datetime([_iso(d) for *_, d, _ in INTERACTIONS], utc=True),
                          "model_version": [v for _, v, *_ in INTERACTIONS]})
    version = {i: v for i, v, *_ in INTERACTIONS}
    sig = pd.DataFrame({"occurred_at": pd.to_datetime([_iso(s[5]) for s in SIGNALS], utc=True),
                        "kind": [s[2] for s in SIGNALS], "label": [s[3] for s in SIGNALS],
                        "model_version": [version.get(s[1]) for s in SIGNALS]})
    assert choose_period(inter["occurred_at"]) == ("D", "day")
    got = timeline(inter, sig, "W").set_index(["period", "event", "model_version"])["events"].to_dict()
    want: dict = {}
    for _i, v, d, _ in INTERACTIONS:
        t = T0 + dt.timedelta(days=d)
        key = (pd.Timestamp((t - dt.timedelta(days=t.weekday())).date()), "answer", v or "(unknown)")
        want[key] = want.get(key, 0) + 1
    for _, i, kind, label, _, d in SIGNALS:
        t = T0 + dt.timedelta(days=d)
        ev = {"edit": "edit", "rejection": "rejection"}.get(kind) or ("thumb up" if label == 1 else "thumb down")
        key = (pd.Timestamp((t - dt.timedelta(days=t.weekday())).date()), ev, version.get(i) or "(unknown)")
        want[key] = want.get(key, 0) + 1
    assert got == want


def test_the_other_pages_still_open_with_a_feedback_review_round_in_the_store(env):
    at = _sign_in(_app(), "lead")
    for page in ("overview", "calibration", "annotator", "drift", "guidelines", "judges"):
        _open(at, page, task=DEMO_TASK)
        assert not at.exception, (page, [e.value for e in at.exception])
    for page in ("annotator", "drift", "guidelines"):  # the expert rounds' store keys are no task to choose
        _open(at, page, task=DEMO_TASK)
        options = [s for s in at.selectbox if s.label == "Task"][0].options
        assert DEMO_TASK in options and not [o for o in options if o.endswith(("-feedback", "-review"))], page
    _open(at, "overview")
    assert not [h for h in at.subheader if h.value.endswith(("-feedback", "-review"))]


def test_expert_rounds_are_not_labelling_tasks():
    from workbench.dashboard.views import labelling_tasks
    from workbench.feedback.review import REVIEW_KINDS, round_kind
    from workbench.gate import EXPERT_KINDS
    from workbench.rounds import KINDS

    assert {round_kind(k) for k in REVIEW_KINDS} | {"review"} <= set(EXPERT_KINDS)
    assert set(KINDS) - set(EXPERT_KINDS) == {"calibration", "recalibration", "production"}
    rounds = pd.DataFrame({"task": ["t", "t", "t-review", "t-feedback", "u"],
                           "kind": ["calibration", "production", "review", "feedback-dpo", "production"]})
    assert labelling_tasks(rounds) == ["t", "u"]
    assert labelling_tasks(rounds.iloc[:0]) == []
