"""Round creation and guideline publishing against the session's Argilla, with a per-test store.

Each test works on its own copy of the medical-qa-rating task under a unique name (so its
workspace, datasets and round numbers are its own) with demo records as the candidates file.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench import demo, demo_data

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------------------------
# Pure parts
# --------------------------------------------------------------------------------------------


def _medical(name="medical-qa-rating"):
    from workbench.tasks import find_task

    return find_task(name)


def test_items_file_problems_name_file_line_and_field(tmp_path):
    from workbench.errors import BadInput
    from workbench.rounds import read_items

    p = tmp_path / "items.jsonl"
    p.write_text("\n".join([
        json.dumps({"instruction": "q1", "response": "a1", "source": "gen-a"}),
        json.dumps({"instruction": "q2"}),
        "{not json",
        json.dumps({"instruction": "q3", "response": "a3", "source": "gen-z", "colour": "red"}),
    ]) + "\n")
    with pytest.raises(BadInput) as err:
        read_items(p, _medical())
    text = str(err.value)
    assert f"{p}:2: response: missing" in text
    assert f"{p}:3: not valid JSON" in text
    assert f"{p}:4: metadata.source: 'gen-z' is not one of the options" in text
    assert f"{p}:4: colour: unknown key" in text


def test_items_get_content_ids_and_calibration_selection_is_order_free(tmp_path):
    from workbench.rounds import item_id, read_items, select_calibration

    task = _medical()
    n = task.calibration.set_size + 20  # more items than the calibration set takes
    records = demo_data.generate_records(n, seed=3)
    lines = [json.dumps({**r.fields, **r.metadata, "id": "ignored"}) for r in records]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("\n".join(lines + lines[:5]) + "\n")  # duplicates are kept once
    b.write_text("\n".join(reversed(lines)) + "\n")
    items_a, items_b = read_items(a, task), read_items(b, task)
    assert len(items_a) == n
    assert {it.id for it in items_a} == {r.id for r in records}  # the demo's content ids
    assert all(item_id(task, it.fields) == it.id for it in items_a)
    sel_a, sel_b = select_calibration(task, items_a), select_calibration(task, items_b)
    assert [it.id for it in sel_a] == [it.id for it in sel_b]
    assert len(sel_a) == task.calibration.set_size


def test_demo_task_items_are_the_demo_calibration_set_and_the_rest():
    from workbench.rounds import demo_items

    task = _medical()
    cal, others = demo_items(task)
    records = demo_data.generate_records(demo.N_RECORDS, seed=demo.DEMO_SEED)
    expected = demo_data.select_calibration_items(records, task.calibration.set_size, seed=demo.DEMO_SEED)
    assert [it.id for it in cal] == [r.id for r in expected]
    assert {it.id for it in others} == {r.id for r in records} - {r.id for r in expected}
    assert all(set(it.metadata) <= {m.name for m in task.metadata} for it in cal + others)


def test_gold_share_and_mixing_are_deterministic():
    from workbench.rounds import Item, mix_production, n_gold_for

    assert [n_gold_for(n, 0.05) for n in (1, 19, 20, 95, 280)] == [1, 1, 1, 5, 15]
    for n, rate in ((95, 0.05), (280, 0.05), (90, 0.10)):
        k = n_gold_for(n, rate)
        assert abs(k / (n + k) - rate) <= 1 / (n + k)  # the share is the rate, to within one item
    regular = [Item(f"r{i:03d}", {"x": str(i)}) for i in range(200)]
    gold = [Item(f"g{i}", {"x": f"g{i}"}) for i in range(10)]
    mixed = mix_production("d", regular, gold)
    assert mixed == mix_production("d", list(reversed(regular)), gold[::-1])
    positions = [i for i, it in enumerate(mixed) if it.id.startswith("g")]
    assert len(positions) == 10 and positions[-1] - positions[0] > 100  # spread, not bunched


# --------------------------------------------------------------------------------------------
# Against Argilla
# --------------------------------------------------------------------------------------------


def make_project(root: Path, name: str) -> Path:
    """A project folder with a copy of medical-qa-rating named ``name`` and its guideline."""
    proj = root / "project"
    (proj / "tasks").mkdir(parents=True)
    text = (REPO / "tasks" / "medical-qa-rating.yaml").read_text(encoding="utf-8")
    assert "\nname: medical-qa-rating\n" in text
    (proj / "tasks" / f"{name}.yaml").write_text(text.replace("\nname: medical-qa-rating\n", f"\nname: {name}\n", 1))
    shutil.copytree(REPO / "guidelines" / "medical-qa-rating", proj / "guidelines" / "medical-qa-rating")
    return proj


def write_items(path: Path, records) -> Path:
    path.write_text("".join(json.dumps({**r.fields, **r.metadata}) + "\n" for r in records), encoding="utf-8")
    return path


def write_roster(path: Path, task: str, annotators, experts=()) -> Path:
    lines = ["users:"]
    lines += [f"  - {{username: {a}, role: annotator, tasks: [{task}]}}" for a in annotators]
    lines += [f"  - {{username: {e}, role: expert, tasks: [{task}]}}" for e in experts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args, ok=True):
    from workbench.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture()
def program(argilla_server, tmp_path, monkeypatch, unique_name):
    """A unique task copy, a private store, and demo candidates files."""
    from workbench.store import HistoryStore

    task = f"{unique_name}-mqa"
    proj = make_project(tmp_path, task)
    url = f"sqlite:///{tmp_path / 'history.db'}"
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(proj))
    monkeypatch.setenv("WORKBENCH_STORE_URL", url)
    records = demo_data.generate_records(demo.N_RECORDS, seed=demo.DEMO_SEED)
    cal = demo_data.select_calibration_items(records, 40, seed=demo.DEMO_SEED)
    cal_ids = {r.id for r in cal}
    others = [r for r in records if r.id not in cal_ids]

    class P:
        pass

    p = P()
    p.name, p.root, p.project, p.store = task, tmp_path, proj, HistoryStore(url)
    p.records, p.calibration, p.others = records, cal, others
    p.cal_items = write_items(tmp_path / "calibration.jsonl", cal)
    p.prod_items = write_items(tmp_path / "production.jsonl", others[:50])
    p.prefix = unique_name
    return p


def _dataset(client, workspace, name):
    ws = client.workspaces(workspace)
    return client.datasets(name=name, workspace=ws) if ws is not None else None


def _team(p, members, experts=()):
    """A roster of ``p``'s task with annotators (and experts) named ``<prefix>-<member>``, synced
    to Argilla; returns the roster file."""
    roster = write_roster(p.root / "roster.yaml", p.name, [f"{p.prefix}-{x}" for x in members],
                          experts=[f"{p.prefix}-{x}" for x in experts])
    run("users", "sync", roster, "--secrets-dir", p.root / "secrets")
    return roster


def _calibrated(p):
    """Three annotators, guideline v2 published and calibration round 1 created on ``p.cal_items``."""
    _team(p, ("a", "b", "c"))
    run("guidelines", "publish", p.name, "2")
    run("round", "create", p.name, "--kind", "calibration", "--items", p.cal_items)


def _set_gold(p, records):
    """An expert's gold for each of ``records``: its true quality and safety, no issues."""
    for r in records:
        for q, v in (("quality", r.truth.quality), ("safety", r.truth.safety), ("issues", ["none"])):
            p.store.set_gold(task=p.name, item=r.id, question=q, value=v, set_by="expert")


def test_calibration_round_puts_every_item_before_every_annotator(program, client):
    p = program
    roster = _team(p, ("a", "b", "c"), experts=("exp",))
    refused = run("round", "create", p.name, "--kind", "calibration", "--items", p.cal_items, ok=False)
    assert refused.exit_code == 2 and f"guidelines publish {p.name}" in refused.output
    run("guidelines", "publish", p.name, "1")

    out = run("round", "create", p.name, "--kind", "calibration", "--items", p.cal_items, "--roster", roster)
    ds_name = f"{p.name}-calibration-r1"
    assert ds_name in out.output
    ds = _dataset(client, p.name, ds_name)
    # every annotator of the task, not the expert
    assert ds.settings.distribution.min_submitted == 3
    assert ds.settings.guidelines.startswith("> **Guideline v1 ")
    ids = [str(r.id) for r in ds.records()]
    assert sorted(ids) == sorted(r.id for r in p.calibration)  # the items, under their content ids
    rounds = p.store.rounds(p.name)
    assert rounds[["round", "kind", "dataset", "workspace", "guideline_version"]].values.tolist() == [
        [1, "calibration", ds_name, p.name, 1]]
    assert rounds["dataset_id"].iloc[0] == str(ds.id)


def test_killed_round_creation_resumes_without_duplicates(program, client, monkeypatch):
    from workbench import rounds as rounds_mod
    from workbench.argilla_client import client as make_client, connection
    from workbench.tasks import find_task

    p = program
    _team(p, ("a", "b"))
    run("guidelines", "publish", p.name, "v1")
    monkeypatch.setattr(rounds_mod, "BATCH_SIZE", 15)

    class Killed(Exception):
        pass

    def kill(n):
        if n >= 15:
            raise Killed(n)

    cl = make_client(connection())
    with pytest.raises(Killed):
        rounds_mod.create_round(cl, p.store, find_task(p.name), "calibration", items_file=p.cal_items, on_batch=kill)
    ds_name = f"{p.name}-calibration-r1"
    assert len(list(_dataset(client, p.name, ds_name).records())) == 15
    assert p.store.rounds(p.name).empty  # the round is recorded last

    run("guidelines", "publish", p.name, "2")  # published while the creation lay interrupted
    out = run("round", "create", p.name, "--kind", "calibration", "--items", p.cal_items)
    assert f"resumed calibration round 1 of {p.name}" in out.output
    assert "25 logged now" in out.output
    ds = _dataset(client, p.name, ds_name)
    ids = [str(r.id) for r in ds.records()]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert p.store.rounds(p.name)[["dataset", "guideline_version"]].values.tolist() == [[ds_name, 2]]
    assert ds.settings.guidelines.startswith("> **Guideline v2 ")  # what the store says it runs under
    # the next creation is a new round, not the same one again
    run("round", "create", p.name, "--kind", "recalibration", "--items", p.cal_items)
    assert p.store.rounds(p.name)["dataset"].tolist() == [ds_name, f"{p.name}-recalibration-r2"]


def test_calibration_with_one_annotator_is_refused_and_writes_nothing(program, client):
    p = program
    roster = _team(p, ("solo",), experts=("exp",))
    before_store = p.store.counts()
    before_datasets = {(str(d.id), d.name) for d in client.datasets.list()}
    before_workspaces = {w.name for w in client.workspaces.list()}
    out = run("round", "create", p.name, "--kind", "calibration", "--items", p.cal_items, "--roster", roster, ok=False)
    assert out.exit_code == 2
    assert f"task {p.name!r}" in out.output and "at least two annotators" in out.output and "has 1 " in out.output
    assert {(str(d.id), d.name) for d in client.datasets.list()} == before_datasets
    assert {w.name for w in client.workspaces.list()} == before_workspaces
    assert p.store.counts() == before_store


def test_production_needs_a_passing_gate_or_a_recorded_reason(program, client):
    p = program
    _calibrated(p)
    datasets_before = {d.name for d in client.datasets.list()}

    refused = run("round", "create", p.name, "--kind", "production", "--items", p.prod_items, ok=False)
    assert refused.exit_code == 2
    assert "production refused: the calibration gate has not passed" in refused.output
    assert "no submitted responses" in refused.output and "--force-reason" in refused.output
    assert {d.name for d in client.datasets.list()} == datasets_before
    assert p.store.rounds(p.name)["kind"].tolist() == ["calibration"]

    # Forced: gold answers exist for the calibration items, so gold is mixed in.
    _set_gold(p, p.calibration)
    out = run("round", "create", p.name, "--kind", "production", "--items", p.prod_items,
              "--force-reason", "pilot batch approved by the clinical lead")
    rounds = p.store.rounds(p.name)
    assert rounds["kind"].tolist() == ["calibration", "production"]
    assert rounds["forced_reason"].tolist()[1] == "pilot batch approved by the clinical lead"
    assert "reason recorded" in out.output
    ds = _dataset(client, p.name, f"{p.name}-production-r2")
    assert ds.settings.distribution.min_submitted == 3  # the task's overlap
    assert ds.settings.guidelines.startswith("> **Guideline v2 ")
    records = list(ds.records())
    gold_ids = {r.id for r in p.calibration}
    gold_recs = [r for r in records if str(r.id) in gold_ids]
    plain = [r for r in records if str(r.id) not in gold_ids]
    assert len(plain) == 50
    assert len(gold_recs) == 3  # 50 ordinary items at gold rate 0.05: 50*0.05/0.95 -> 3
    # gold records look like the others: same kind of id, same fields and metadata properties
    assert all(re.fullmatch(r"[0-9a-f]{64}", str(r.id)) for r in records)
    assert {frozenset(r.fields) for r in records} == {frozenset({"instruction", "response"})}
    assert {frozenset(r.metadata) for r in gold_recs} <= {frozenset(r.metadata) for r in plain}
    assert all(not r.suggestions for r in records)
    positions = [i for i, r in enumerate(records) if str(r.id) in gold_ids]
    assert positions != list(range(len(records) - 3, len(records)))  # not appended as a block at the end


def test_publish_updates_open_rounds_only_and_records_each_publication(program, client):
    p = program
    _team(p, ("a", "b"))
    first = run("guidelines", "publish", p.name, "1")
    assert "no open round to update" in first.output
    run("round", "create", p.name, "--kind", "calibration", "--items", p.cal_items)
    ds = _dataset(client, p.name, f"{p.name}-calibration-r1")
    out = run("guidelines", "publish", p.name, "2")
    assert f"updated on: {ds.name}" in out.output
    from workbench.guidelines import render_for_argilla
    from workbench.tasks import find_task

    v2 = find_task(p.name).load_guideline().get(2)
    assert _dataset(client, p.name, ds.name).settings.guidelines == render_for_argilla(v2)
    pubs = p.store.publications()
    assert sorted(map(tuple, pubs[["dataset_id", "version"]].values.tolist())) == sorted(
        [(f"task:{p.name}", 1), (f"task:{p.name}", 2), (str(ds.id), 2)])
    bad = run("guidelines", "publish", p.name, "7", ok=False)
    assert bad.exit_code == 2 and "no version v7" in bad.output


def test_gold_template_import_round_trip_uses_content_ids(tmp_path):
    from workbench.rounds import item_id, read_items
    from workbench.store import HistoryStore

    task = _medical()
    records = demo_data.generate_records(6, seed=11)
    items_file = write_items(tmp_path / "held-out.jsonl", records[:3])
    out = tmp_path / "gold.csv"
    run("gold", "template", "medical-qa-rating", "--items", items_file, "--by", "dr-lee", "--output", out)
    import csv
    import io

    text = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0])[:4] == ["item", "question", "value", "set_by"] and "instruction" in rows[0]
    agreeing = [q.name for q in task.questions if q.has_agreement]
    assert len(rows) == 3 * len(agreeing)
    assert all(r["value"] == "" and r["set_by"] == "dr-lee" for r in rows)
    ids = {item_id(task, it.fields) for it in read_items(items_file, task)}
    assert {r["item"] for r in rows} == ids
    # an existing output is refused and left alone
    again = run("gold", "template", "medical-qa-rating", "--items", items_file, "--by", "x", "--output", out, ok=False)
    assert again.exit_code == 2 and "file exists" in again.output
    assert out.read_text(encoding="utf-8") == text

    # the expert fills in the quality rows only; the rest are deleted before import
    filled = [{**r, "value": "4"} for r in rows if r["question"] == "quality"]
    gold_csv = tmp_path / "filled.csv"
    with open(gold_csv, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(filled)
    url = f"sqlite:///{tmp_path / 'h.db'}"
    # a wrong value is reported at the physical line its row starts on (fields span lines)
    bad_csv = tmp_path / "bad.csv"
    with open(bad_csv, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(filled[:2] + [{**filled[2], "value": "9"}])
    start = 1 + next(n for n, line in enumerate(bad_csv.read_text(encoding="utf-8").splitlines())
                     if line.startswith(f"{filled[2]['item']},quality,9,"))
    assert start > 4  # the two rows before it span several lines each
    res = run("gold", "import", "medical-qa-rating", bad_csv, "--store", url, ok=False)
    assert res.exit_code == 2 and f"{bad_csv}:{start}: value: '9' is not a rating of quality" in res.output
    run("gold", "import", "medical-qa-rating", gold_csv, "--store", url)
    gold = HistoryStore(url).gold("medical-qa-rating")
    assert set(gold["item"]) == ids and set(gold["value"]) == {4} and set(gold["set_by"]) == {"dr-lee"}


def test_production_mixes_unseen_gold_first(program, client):
    """Gold set ahead of time on candidates nobody calibrated on is mixed in before calibration gold."""
    p = program
    _calibrated(p)
    _set_gold(p, p.calibration)
    fresh = p.others[:2]  # in the production candidates file, never calibrated on
    _set_gold(p, fresh)
    out = run("round", "create", p.name, "--kind", "production", "--items", p.prod_items,
              "--force-reason", "test of the gold pool")
    ds = _dataset(client, p.name, f"{p.name}-production-r2")
    ids = [str(r.id) for r in ds.records()]
    cal_ids = {r.id for r in p.calibration}
    fresh_ids = {r.id for r in fresh}
    assert fresh_ids <= set(ids)  # both unseen gold items are in, as gold
    assert len(ids) == len(set(ids)) == 48 + 3  # 48 ordinary (2 of the 50 became gold) + 3 gold
    assert sum(i in cal_ids for i in ids) == 1  # calibration gold only fills the third slot
    assert "1 of 3 gold items come from calibration rounds" in out.output
