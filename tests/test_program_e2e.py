"""The annotation programme end to end on the session's Argilla, as a team would run it.

Validate a task, publish guideline v1, create users from a roster, open a calibration round,
have three annotators answer it through the REST API the web UI uses (one of them
systematically inconsistent), set the expert's gold, sync, and see the gate fail naming that
annotator; publish v2, recalibrate with a consistent team, see the gate pass; open a production
round with gold mixed in, answer some of it across a guideline change, sync again and find every
response under the guideline version in force when it was submitted.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import requests

from workbench import demo, demo_data
from workbench.argilla_client import user_token

from test_rounds import _dataset, make_project, run, write_items, write_roster

pytestmark = pytest.mark.argilla


def _record_uuids(api_url: str, api_key: str, dataset_id: str) -> dict[str, str]:
    """external id -> Argilla record id, read as the owner."""
    resp = requests.get(f"{api_url}/api/v1/datasets/{dataset_id}/records", params={"limit": 1000},
                        headers={"X-Argilla-Api-Key": api_key}, timeout=60)
    resp.raise_for_status()
    return {r["external_id"]: r["id"] for r in resp.json()["items"]}


def _answer(api_url: str, tokens: dict[str, str], uuids: dict[str, str], responses: pd.DataFrame) -> int:
    """POST each annotator's answers the way the UI does the first time a record is answered."""
    n = 0
    for (item, annotator), grp in responses.groupby(["item", "annotator"], sort=False):
        values = {}
        for r in grp.itertuples():
            v = r.value
            values[r.question] = {"value": list(v) if r.question == "issues" else (int(v) if r.question == "quality" else v)}
        resp = requests.post(f"{api_url}/api/v1/records/{uuids[item]}/responses",
                             json={"status": "submitted", "values": values},
                             headers={"Authorization": f"Bearer {tokens[annotator]}"}, timeout=60)
        assert resp.status_code == 201, resp.text
        n += 1
    return n


def _first_passing_seed(task, records, annotators, gold) -> int:
    """The first seed whose consistent-team simulation clears the task's bars by the gate's own core.

    The gate is a statistical decision: a consistent simulated team clears the task's alpha and
    gold bars in most seeds but not all (issues' alpha hovers around its 0.70 bar). The end-to-end
    test needs one that does; what it checks is that the same data, once answered in Argilla,
    synced and read back from the store, gets the same verdict and the same figures.
    """
    from workbench.gate import evaluate_gate

    for seed in range(100):
        sim = demo_data.simulate_calibration_responses(records, annotators=annotators, inconsistent=None, seed=seed,
                                                       round=2, guideline_version=2)
        if evaluate_gate(task, sim.responses, gold, n_boot=0).passed:
            return seed
    raise AssertionError("no consistent simulation passes the gate in 100 seeds")


def test_calibrate_recalibrate_then_produce(argilla_server, client, tmp_path, monkeypatch, unique_name):
    from workbench.argilla_client import connection
    from workbench.gate import evaluate_gate, gate_for_task
    from workbench.rounds import n_gold_for
    from workbench.store import HistoryStore
    from workbench.sync import sync
    from workbench.tasks import find_task

    name = f"{unique_name}-mqa"
    proj = make_project(tmp_path, name)
    url = f"sqlite:///{tmp_path / 'history.db'}"
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(proj))
    monkeypatch.setenv("WORKBENCH_STORE_URL", url)
    store = HistoryStore(url)
    api, key = argilla_server.api_url, argilla_server.api_key

    # 1. The task validates; guideline v1 is published before any round exists.
    run("task", "validate", proj / "tasks" / f"{name}.yaml")
    run("guidelines", "publish", name, "1")
    task = find_task(name)

    # 2. The team, from a roster: three annotators and an expert; passwords come once, in a file.
    ana, ben, chloe, expert = (f"{unique_name}-{x}" for x in ("ana", "ben", "chloe", "expert"))
    roster = write_roster(tmp_path / "roster.yaml", name, [ana, ben, chloe], experts=[expert])
    out = run("users", "sync", roster, "--secrets-dir", tmp_path / "secrets")
    (secrets_file,) = (tmp_path / "secrets").iterdir()
    passwords = dict(line.split(",", 1) for line in secrets_file.read_text().splitlines()[2:])
    assert all(pw not in out.output for pw in passwords.values())
    tokens = {u: user_token(api, u, passwords[u]) for u in (ana, ben, chloe)}

    # 3. Calibration round 1 under v1: every annotator on every item.
    records = demo_data.generate_records(demo.N_RECORDS, seed=demo.DEMO_SEED)
    cal = demo_data.select_calibration_items(records, task.calibration.set_size, seed=demo.DEMO_SEED)
    cal_ids = {r.id for r in cal}
    others = [r for r in records if r.id not in cal_ids]
    run("round", "create", name, "--kind", "calibration", "--items", write_items(tmp_path / "cal.jsonl", cal))
    r1 = _dataset(client, name, f"{name}-calibration-r1")
    assert r1.settings.distribution.min_submitted == 3

    team = (ana, ben, chloe)
    sim1 = demo_data.simulate_calibration_responses(cal, annotators=team, inconsistent=chloe, seed=demo.DEMO_SEED,
                                                    round=1, guideline_version=1)
    assert _answer(api, tokens, _record_uuids(api, key, str(r1.id)), sim1.responses) == 3 * len(cal)
    assert r1.progress()["completed"] == len(cal)

    # 4. The expert's gold, then sync: the gate fails and names the inconsistent annotator.
    for g in sim1.gold.itertuples():
        store.set_gold(task=name, item=g.item, question=g.question, value=g.value, set_by=expert)
    sync(connection(), store, task=name)
    tidy1 = store.tidy(task=name, dataset=r1.name)
    assert len(tidy1) == 3 * 3 * len(cal)  # annotators x questions x items
    failed = run("gate", name, "--json", "--n-boot", "200", ok=False)
    assert failed.exit_code == 1
    verdict = json.loads(failed.output[failed.output.index("{"):])
    assert verdict["passed"] is False and verdict["dataset"] == r1.name
    assert chloe in verdict["failing_annotators"]
    assert any(r.startswith(f"{chloe}: quality: agreement with gold") for r in verdict["reasons"])
    # Argilla's copy of the answers gives the same figures as the simulated table itself.
    direct = evaluate_gate(task, sim1.responses, sim1.gold, n_boot=0)
    via_store = gate_for_task(store, task, n_boot=0)
    assert [q.alpha for q in via_store.questions] == pytest.approx([q.alpha for q in direct.questions], abs=1e-12)
    assert [(a.annotator, a.question, a.agreement) for a in via_store.annotators] == \
        [(a.annotator, a.question, pytest.approx(a.agreement)) for a in direct.annotators]

    # 5. Guideline v2; the finished round 1 keeps the text its annotators read.
    out = run("guidelines", "publish", name, "2")
    assert f"finished rounds left as they were: {r1.name}" in out.output
    assert _dataset(client, name, r1.name).settings.guidelines.startswith("> **Guideline v1 ")

    # 6. Recalibration under v2 with a consistent team: the gate passes.
    refused = run("round", "create", name, "--kind", "production", "--items",
                  write_items(tmp_path / "prod.jsonl", others[:50]), ok=False)
    assert refused.exit_code == 2 and "calibration gate has not passed" in refused.output
    run("round", "create", name, "--kind", "recalibration", "--items", tmp_path / "cal.jsonl")
    r2 = _dataset(client, name, f"{name}-recalibration-r2")
    assert r2.settings.guidelines.startswith("> **Guideline v2 ")
    seed = _first_passing_seed(task, cal, team, sim1.gold)
    sim2 = demo_data.simulate_calibration_responses(cal, annotators=team, inconsistent=None, seed=seed,
                                                    round=2, guideline_version=2)
    _answer(api, tokens, _record_uuids(api, key, str(r2.id)), sim2.responses)
    sync(connection(), store, task=name)
    passed = run("gate", name, "--n-boot", "200")
    assert passed.output.startswith(f"gate {name}: PASS - round 2 ({r2.name}, recalibration, guideline v2)")
    via_store = gate_for_task(store, task, n_boot=0)
    direct = evaluate_gate(task, sim2.responses, sim1.gold, n_boot=0)
    assert [q.alpha for q in via_store.questions] == pytest.approx([q.alpha for q in direct.questions], abs=1e-12)

    # 7. Production round 3: the task's overlap, gold items mixed in, under v2.
    out = run("round", "create", name, "--kind", "production", "--items", tmp_path / "prod.jsonl")
    r3 = _dataset(client, name, f"{name}-production-r3")
    assert r3.settings.distribution.min_submitted == task.overlap
    prod_ids = [str(r.id) for r in r3.records()]
    gold_in_prod = [i for i in prod_ids if i in cal_ids]
    assert len(prod_ids) == 50 + n_gold_for(50, task.calibration.gold_rate)
    assert len(gold_in_prod) == n_gold_for(50, task.calibration.gold_rate) > 0
    assert set(store.gold(name)["item"]) >= set(gold_in_prod)  # their gold answers are in the store
    assert store.rounds(name)["forced_reason"].isna().all()

    # Two annotators answer under v2, then the lead rolls back to v1 and they answer more.
    uuids = _record_uuids(api, key, str(r3.id))
    truth = {r.id: r.truth for r in records}

    def answer_production(ids):
        rows = [(i, a, q, v) for i in ids for a in (ana, ben) for q, v in (
            ("quality", truth[i].quality), ("safety", truth[i].safety), ("issues", list(truth[i].issues) or ["none"]))]
        _answer(api, tokens, uuids, pd.DataFrame(rows, columns=["item", "annotator", "question", "value"]))

    early = [gold_in_prod[0], *[i for i in prod_ids if i not in cal_ids][:2]]
    late = [i for i in prod_ids if i not in cal_ids][2:5]
    answer_production(early)
    out = run("guidelines", "publish", name, "1")
    assert f"updated on: {r3.name}" in out.output
    answer_production(late)
    sync(connection(), store, task=name)

    # 8. Every response carries the guideline version in force when it was submitted.
    tidy = store.tidy(task=name)
    expected = {r1.name: 1, r2.name: 2}
    versions = {}
    for r in tidy.itertuples():
        if r.dataset in expected:
            want = expected[r.dataset]
        else:
            assert r.dataset == r3.name
            want = 2 if r.item in early else 1
        versions[(r.dataset, r.item, r.annotator)] = (int(r.guideline_version), want)
    assert all(got == want for got, want in versions.values())
    counts = tidy.groupby("dataset").size().to_dict()
    assert counts == {r1.name: 9 * len(cal), r2.name: 9 * len(cal), r3.name: 3 * 2 * (len(early) + len(late))}
    assert set(tidy.loc[tidy["dataset"] == r3.name, "round"]) == {3}
