"""The dashboard's trust in a session, against the session's real Argilla server (Streamlit AppTest).

* A sign-in is re-checked with Argilla on every page view (the answer kept a few seconds per
  token; ``WORKBENCH_DASHBOARD_SESSION_TTL`` is 1 s here): a demoted lead loses lead rights, a
  deleted user's session ends.
* Argilla's workspace membership decides which tasks, rounds and datasets a user is shown, in
  menus and for a typed URL; owners see everything.
* Record snippets read from Argilla with a user's token are cached per user.
* Text from the URL is written into Markdown escaped.
* An annotator's calibration view singles out no other annotator: no name, no per-person gate
  reason, no count of those who failed.

The history store is the demo history with its rounds moved into a workspace made for this
module, plus a second task in a second workspace. Users are made for this module too, except
``ana``, the demo's annotator (the store's answers are hers), made with the demo's password as
``workbench up`` makes her.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from pathlib import Path

import pytest
import requests

from test_dashboard_apptest import _open as open_page
from test_dashboard_apptest import _sign_in as sign_in
from test_dashboard_apptest import _texts

from workbench.dashboard import auth, data, ui
from workbench.dashboard.demo_history import DEMO_ANNOTATORS, DEMO_TASK, fill_demo_store
from workbench.store import HistoryStore, ResponseRow

pytestmark = [pytest.mark.argilla]

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DEMO_PASSWORD = "workbench-demo"  # workbench.demo's password for ana, ben and chloe
PASSWORD = "trust-test-password"
INJECTION = "[click me](http://evil.example/x) ![pic](http://evil.example/p.png)"


# ------------------------------------------------------------------------------ fixtures


def _owner(server) -> dict:
    return {"X-Argilla-Api-Key": server.api_key}


def _user_id(server, username: str) -> str:
    resp = requests.get(f"{server.api_url}/api/v1/users", headers=_owner(server), timeout=30)
    resp.raise_for_status()
    return next(u["id"] for u in resp.json()["items"] if u["username"] == username)


def _set_role(server, username: str, role: str) -> None:
    resp = requests.patch(f"{server.api_url}/api/v1/users/{_user_id(server, username)}", json={"role": role},
                          headers=_owner(server), timeout=30)
    assert resp.status_code == 200, resp.text


def _delete_user(server, username: str) -> None:
    resp = requests.delete(f"{server.api_url}/api/v1/users/{_user_id(server, username)}", headers=_owner(server),
                           timeout=30)
    assert resp.status_code == 200, resp.text


@pytest.fixture(scope="module")
def world(argilla_server, client, tmp_path_factory):
    """Workspaces A (the demo task) and B (a task of its own), users in them, and the history store."""
    from workbench.argilla_client import ensure_user, ensure_workspace

    p = f"t{uuid.uuid4().hex[:8]}"
    ws_a, ws_b = f"{p}-ws-a", f"{p}-ws-b"
    for ws in (ws_a, ws_b):
        ensure_workspace(client, ws)
    users = {
        "lead_a": (f"{p}-lead-a", "admin", ws_a),
        "lead_b": (f"{p}-lead-b", "admin", ws_b),
        "demoted": (f"{p}-demoted", "admin", ws_a),
        "doomed": (f"{p}-doomed", "annotator", ws_a),
        "outsider": (f"{p}-outsider", "annotator", ws_b),
    }
    for name, role, ws in users.values():
        ensure_user(client, name, password=PASSWORD, role=role, workspaces=(ws,))
    ensure_user(client, "ana", password=DEMO_PASSWORD, role="annotator", workspaces=(ws_a,))
    try:
        auth.login(argilla_server.api_url, "ana", DEMO_PASSWORD)
    except auth.LoginFailed:  # made before with another password: give her the demo's
        resp = requests.patch(f"{argilla_server.api_url}/api/v1/users/{_user_id(argilla_server, 'ana')}",
                              json={"password": DEMO_PASSWORD}, headers=_owner(argilla_server), timeout=30)
        assert resp.status_code == 200, resp.text

    url = f"sqlite:///{tmp_path_factory.mktemp('trust') / 'history.db'}"
    store = HistoryStore(url)
    fill_demo_store(store)
    with store.engine.begin() as conn:  # the demo's rounds and datasets live in workspace A
        conn.exec_driver_sql("UPDATE rounds SET workspace = ?", (ws_a,))
        conn.exec_driver_sql("UPDATE datasets SET workspace = ?", (ws_a,))
    secret_task, secret_dataset = f"{p}-secret-task", f"{p}-secret-dataset"
    t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)
    store.record_round(task=secret_task, round=1, kind="calibration", dataset=secret_dataset, workspace=ws_b,
                       dataset_id=f"{p}-secret-id", guideline_version=1, created_at=t0)
    rows = [ResponseRow(record_id=f"r{i}", item=f"item-{i}", user_id=f"u-{who}", annotator=who,
                        response_id=f"{i}-{who}", status="submitted", values={"label": "ab"[(i + k) % 2]},
                        inserted_at=t0, updated_at=t0)
            for i in range(6) for k, who in enumerate((f"{p}-dora", f"{p}-eve"))]
    store.write_dataset_sync(dataset_id=f"{p}-secret-id", name=secret_dataset, workspace=ws_b, responses=rows,
                             suggestions=[], watermark=t0)
    store.close()
    return dict(url=url, api_url=argilla_server.api_url, ws_a=ws_a, ws_b=ws_b, secret_task=secret_task,
                secret_dataset=secret_dataset, secret_annotator=f"{p}-dora",
                **{k: v[0] for k, v in users.items()})


@pytest.fixture()
def env(monkeypatch, world, tmp_path):
    monkeypatch.setenv("WORKBENCH_ARGILLA_URL", world["api_url"])
    monkeypatch.setenv("WORKBENCH_STORE_URL", world["url"])
    monkeypatch.setenv("WORKBENCH_DASHBOARD_DEMO", "0")
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(auth.SESSION_TTL_ENV, "1")
    return world


def _app(**query):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in query.items():
        at.query_params[k] = v
    return at


def _sign_in(username: str, password: str = PASSWORD):
    at = sign_in(_app(), username, password)
    assert not at.exception, [e.value for e in at.exception]
    assert isinstance(at.session_state["wb_user"], auth.User), [e.value for e in at.error]
    return at


def _open(at, page, **query):
    open_page(at, page, **query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _menu(at) -> list[str]:
    return list(at.sidebar.radio[0].options) if len(at.sidebar.radio) else []


def _after_session_ttl() -> None:
    time.sleep(auth.session_ttl() + 0.2)


# ------------------------------------------------------------------------------ 1. the session is re-checked


def test_a_demoted_lead_loses_lead_rights_on_the_next_view(env, argilla_server):
    at = _sign_in(env["demoted"])
    assert at.session_state["wb_user"].role == "admin" and "Drift" in _menu(at)
    _open(at, "drift", task=DEMO_TASK)
    assert not [e for e in at.error if "for annotation leads" in e.value] and at.get("plotly_chart")

    _set_role(argilla_server, env["demoted"], "annotator")
    _after_session_ttl()
    _open(at, "drift", task=DEMO_TASK)
    assert at.session_state["wb_user"].role == "annotator"
    assert any("for annotation leads" in e.value for e in at.error)
    assert not at.get("plotly_chart") and not at.dataframe
    _open(at, "overview")
    assert _menu(at) == ["Overview", "Calibration round", "Annotator", "Guidelines"]
    _open(at, "annotator", task=DEMO_TASK, annotator="chloe")  # other people's pages went with the role
    assert any("only your own figures" in e.value for e in at.error) and not at.dataframe


def test_a_deleted_user_is_signed_out_on_the_next_view(env, argilla_server):
    at = _sign_in(env["doomed"])
    _open(at, "overview")
    assert [t.value for t in at.title] == ["Overview"]

    _delete_user(argilla_server, env["doomed"])
    _after_session_ttl()
    _open(at, "calibration", task=DEMO_TASK, round="1")
    assert "wb_user" not in at.session_state
    assert [t.value for t in at.title] == ["Workbench dashboard"]  # the sign-in form, nothing else
    assert len(at.text_input) == 2 and not at.dataframe and not at.get("plotly_chart")
    assert any("session has ended" in w.value for w in at.warning)


def test_argilla_is_asked_once_per_token_within_the_ttl_and_again_after_it(env, monkeypatch, argilla_server, client):
    """The check is cheap (one answer per token kept for the TTL) and a change applies once it expires."""
    monkeypatch.setenv(auth.SESSION_TTL_ENV, "60")
    now = [1000.0]
    monkeypatch.setattr(auth, "_clock", lambda: now[0])
    calls = []
    real = auth._get
    monkeypatch.setattr(auth, "_get", lambda api, path, token, timeout: calls.append(path) or real(api, path, token,
                                                                                                        timeout))
    from workbench.argilla_client import ensure_user

    name = f"{env['lead_a']}-ttl"
    ensure_user(client, name, password=PASSWORD, role="admin", workspaces=(env["ws_a"],))
    user = auth.login(env["api_url"], name, PASSWORD)
    assert user.role == "admin" and user.workspaces == (env["ws_a"],)
    calls.clear()
    for _ in range(3):
        assert auth.current_user(env["api_url"], user).role == "admin"
    assert calls == []  # the sign-in's answer serves the page views within the TTL
    _set_role(argilla_server, name, "annotator")
    now[0] += 30
    assert auth.current_user(env["api_url"], user).role == "admin" and calls == []
    now[0] += 31
    again = auth.current_user(env["api_url"], user)
    assert again.role == "annotator" and not again.is_lead
    assert calls == ["/api/v1/me", "/api/v1/me/workspaces"]
    _delete_user(argilla_server, name)
    now[0] += 61
    with pytest.raises(auth.SessionEnded):
        auth.current_user(env["api_url"], user)


# ------------------------------------------------------------------------------ 2. workspaces


def test_a_workspace_admin_sees_only_the_tasks_of_their_workspaces(env):
    secret, secret_ds = env["secret_task"], env["secret_dataset"]
    at = _sign_in(env["lead_a"])
    for page in ("overview", "calibration", "annotator", "drift", "guidelines", "judges"):
        _open(at, page)
        text = _texts(at)
        assert secret not in text and secret_ds not in text and env["secret_annotator"] not in text, page
    _open(at, "overview")
    assert DEMO_TASK in _texts(at)
    _open(at, "calibration")
    assert list(at.selectbox(key="qp_task").options) == [DEMO_TASK]
    # nor by a typed URL
    for page, query in (("calibration", {"round": "1"}), ("judges", {"round": "1"}), ("drift", {}),
                        ("annotator", {"annotator": env["secret_annotator"]}), ("guidelines", {}),
                        ("overview", {})):
        _open(at, page, task=secret, **query)
        assert any("There is no task" in e.value for e in at.error), page
        assert not at.dataframe and not at.get("plotly_chart") and not at.metric, page
        assert secret_ds not in _texts(at) and env["secret_annotator"] not in _texts(at), page
    # the data layer refuses it too
    scope = at.session_state["wb_user"].scope
    version = data.source_version(data.Source(env["url"]))
    with pytest.raises(PermissionError):
        data.cached_calibration(env["url"], False, version, scope, secret, 1)
    assert list(data.cached_rounds(env["url"], False, version, scope)["task"].unique()) == [DEMO_TASK]

    # the admin of workspace B sees B's task and not A's; the owner sees both
    at = _open(_sign_in(env["lead_b"]), "overview")
    text = _texts(at)
    assert secret in text and secret_ds in text and DEMO_TASK not in text
    _open(at, "calibration", task=DEMO_TASK, round="1")
    assert not at.dataframe and "medical-qa-rating-calibration-r1" not in _texts(at)


def test_the_owner_sees_every_workspaces_tasks(env, argilla_server):
    at = _open(_sign_in(argilla_server.owner_username, argilla_server.owner_password), "overview")
    text = _texts(at)
    assert env["secret_task"] in text and DEMO_TASK in text


def test_an_annotator_sees_only_her_workspaces_tasks(env):
    at = _open(_sign_in("ana", DEMO_PASSWORD), "overview")
    text = _texts(at)
    assert DEMO_TASK in text and env["secret_task"] not in text and env["secret_dataset"] not in text
    _open(at, "guidelines", task=env["secret_task"])
    assert not at.dataframe and any("There is no task" in e.value for e in at.error)


# ------------------------------------------------------------------------------ 3. record snippets per user


def test_record_snippets_read_with_one_users_token_are_not_served_to_another(env, client, argilla_server):
    import argilla as rg

    ws = client.workspaces(env["ws_a"])
    ds = rg.Dataset(name=f"{env['ws_a']}-records", workspace=ws, client=client, settings=rg.Settings(
        fields=[rg.TextField(name="text")], questions=[rg.LabelQuestion(name="label", labels=["a", "b"])]))
    ds.create()
    ds.records.log([{"text": "Confidential zebra notes about the patient in ward seven"}])
    listed = requests.get(f"{env['api_url']}/api/v1/datasets/{ds.id}/records", headers=_owner(argilla_server),
                          timeout=30)
    listed.raise_for_status()
    [record] = listed.json()["items"]
    record_id = record["id"]  # (Argilla's id of the record, as the history store keeps it)
    lead = auth.login(env["api_url"], env["lead_a"], PASSWORD)
    outsider = auth.login(env["api_url"], env["outsider"], PASSWORD)
    # Argilla refuses the record to the annotator of workspace B
    assert requests.get(f"{env['api_url']}/api/v1/records/{record_id}", timeout=30,
                        headers={"Authorization": f"Bearer {outsider.token}"}).status_code in (403, 404)

    source = data.Source(env["url"])
    ui._record_search.clear()

    def links(user):
        ctx = ui.Context(user=user, source=source, version="", argilla_url=env["api_url"])
        return ui.record_links(ctx, str(ds.id), ["item-1"], {"item-1": record_id})

    [lead_link] = links(lead)
    assert lead_link and "zebra" in lead_link
    assert links(outsider) == [None]  # the lead's snippet is not served from the cache
    assert links(lead) == [lead_link]


# ------------------------------------------------------------------------------ 4. Markdown from the URL


def _escaped(body: str) -> None:
    assert "](" not in body and "![" not in body and "http://" not in body, body
    assert r"\[click me\]\(http\:\/\/evil\.example\/x\)" in body, body


def test_markdown_in_the_url_is_shown_literally(env):
    at = _sign_in("ana", DEMO_PASSWORD)
    _open(at, "annotator", task=DEMO_TASK, annotator=INJECTION)
    [box] = [e for e in at.error if "only your own figures" in e.value]
    _escaped(box.value)
    _open(at, INJECTION)
    [box] = [e for e in at.error if "There is no page" in e.value]
    _escaped(box.value)
    _open(at, "overview", task=INJECTION)
    [box] = [e for e in at.error if "There is no task" in e.value]
    _escaped(box.value)


def test_markup_escape_and_code_spans():
    from workbench.dashboard.markup import code, escape

    assert escape("a\nb") == "a b"
    assert escape(":red[x] $x$ www.evil.example") == r"\:red\[x\] \$x\$ www\.evil\.example"
    assert code("a`b") == "``a`b``" and code("`x") == "`` `x ``"


# ------------------------------------------------------------------------------ 5. the calibration view


def test_an_annotators_calibration_view_singles_out_no_other_annotator(env, argilla_server):
    others = [a for a in DEMO_ANNOTATORS if a != "ana"]
    full = data.calibration_view(data.Source(env["url"]), DEMO_TASK, 1, n_boot=0)
    failing = set(full.gate.failing_annotators)
    assert set(others) & failing and "ana" in failing  # others fail the gold bar, and so does ana
    expected = [r for r in full.gate.reasons if not any(r.startswith(f"{n}:") for n in others)]

    at = _sign_in("ana", DEMO_PASSWORD)
    for q in ("quality", "safety", "issues"):
        _open(at, "calibration", task=DEMO_TASK, round="1", question=q)
        text = _texts(at)
        for name in others:
            assert re.search(rf"\b{name}\b", text) is None, (q, name)
        [gate] = [e.value for e in at.error if e.value.startswith("Gate FAILED")]
        shown = [line[2:] for line in gate.split("\n") if line.startswith("- ")]
        assert shown == [ui.esc(r) for r in expected], shown  # team-level checks and her own, nothing else
        assert "an annotator" not in text and "annotator(s)" not in text, q
        assert "below min\\_gold\\_agreement" in gate  # (her own failure is hers to see)
    _open(at, "overview")
    assert "an annotator" not in _texts(at)

    # the lead, on the same page, sees each person's failures
    lead = _open(_sign_in(env["lead_a"]), "calibration", task=DEMO_TASK, round="1")
    [gate] = [e.value for e in lead.error if e.value.startswith("Gate FAILED")]
    assert "chloe" in gate and "ben" in gate
