"""``workbench coverage TASK``: the candidate pool, the labelled records and the last export read
from where they live, against the plan; and the export's dataset card and manifest.

The labelled set is checked on a store written here (counts worked out by hand: calibration items,
drafts, discards and unanswered records left out, a re-annotated item counted once with its latest
metadata); the export on the demo history, against the `source` of the rows read back from Parquet.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.store import HistoryStore, RecordRow, ResponseRow

REPO = Path(__file__).resolve().parents[1]
GUIDE = "---\nversion: 1\ndate: 2026-01-05\nauthor: A\n---\n# Guide\nLabel things.\n"
TASK = """\
name: cov
guideline: g
fields: [{name: instruction}, {name: response}]
questions: [{name: ok, kind: label, labels: [good, bad]}, {name: score, kind: rating, values: [1, 2, 3]}]
metadata:
  - {name: source, kind: terms, options: [a, b, c]}
coverage:
  property: source
  tolerance: 0.1
  target: {a: 0.5, b: 0.3, c: 0.2}
"""
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone.utc)


@pytest.fixture()
def env(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "tasks").mkdir(parents=True)
    (project / "guidelines" / "g").mkdir(parents=True)
    (project / "guidelines" / "g" / "v1.md").write_text(GUIDE)
    (project / "tasks" / "cov.yaml").write_text(TASK)
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(project))
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    return project


def run(*args, code: int = 0):
    res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == code, res.output
    return res


def _round(store, number, kind, records, answers):
    """records: item -> source; answers: (item, annotator, status)."""
    name, did = f"cov-{kind}-r{number}", f"ds-{number}"
    when = T0 + dt.timedelta(days=number)
    store.record_round(task="cov", round=number, kind=kind, dataset=name, workspace="w", dataset_id=did,
                       guideline_version=1, created_at=when)
    rows = [ResponseRow(record_id=f"{did}-{item}", item=item, user_id=f"u-{who}", annotator=who,
                        response_id=f"{did}-{item}-{who}", status=status, values={"ok": "good"} if status != "discarded" else {},
                        inserted_at=when, updated_at=when) for item, who, status in answers]
    recs = [RecordRow(record_id=f"{did}-{item}", item=item, fields={"instruction": item, "response": "r"},
                      metadata={"source": src} if src else {}) for item, src in records.items()]
    store.write_dataset_sync(dataset_id=did, name=name, workspace="w", responses=rows, suggestions=[],
                             watermark=when, records=recs)


def test_labelled_set_counts_submitted_production_items_once_with_latest_metadata(env, tmp_path):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    store = HistoryStore(url)
    # calibration: never data, not counted
    _round(store, 1, "calibration", {"k1": "a", "k2": "a"}, [("k1", "ann", "submitted"), ("k2", "bob", "submitted")])
    _round(store, 2, "production",
           {"p1": "a", "p2": "a", "p3": "b", "p4": "b", "p5": "c", "p6": "a", "p7": "c", "p8": None},
           [("p1", "ann", "submitted"), ("p1", "bob", "submitted"), ("p2", "ann", "submitted"),
            ("p3", "ann", "submitted"), ("p4", "bob", "draft"), ("p5", "ann", "discarded"),
            ("p4", "ann", "draft"), ("p8", "ann", "submitted")])  # p6, p7: nobody answered
    # p3 again in a later round, its metadata now says c; p9 new
    _round(store, 3, "production", {"p3": "c", "p9": "b"}, [("p3", "bob", "submitted"), ("p9", "ann", "submitted")])
    store.close()
    # by hand: p1 a, p2 a, p3 c (latest), p8 (missing), p9 b
    res = run("coverage", "cov", "--store", url, "--json")
    rep = json.loads(res.output)
    sets = {s["set"]: s for s in rep["sets"]}
    lab = sets["labelled"]
    assert lab["available"]
    cats = {c["category"]: c for c in lab["plans"]["source"]["categories"]}
    assert {k: v["count"] for k, v in cats.items()} == {"a": 2, "b": 1, "c": 1, "(missing)": 1}
    assert lab["plans"]["source"]["n"] == 5 and cats["(missing)"]["target"] == 0
    assert not sets["candidate pool"]["available"] and "no candidates stored" in sets["candidate pool"]["note"]
    assert not sets["last export"]["available"] and "workbench export cov" in sets["last export"]["note"]
    text = run("coverage", "cov", "--store", url).output
    assert "labelled: 5 records" in text and "(missing)" in text


def test_pool_counts_what_push_would_send(env, tmp_path):
    from workbench.candidates import storage

    (env / "candidates").mkdir()
    (env / "candidates" / "cov.yaml").write_text(
        "llms: {j: {kind: openai, base_url: 'http://127.0.0.1:9/v1', model: m, api_key_env: null}}\n"
        "teachers: [j]\njudge: {llm: j, question: score}\nfields: {instruction: instruction, response: response}\n"
        "metadata: {source: generator}\n")
    gens = ["a"] * 6 + ["b"] * 3 + ["zz"]  # zz is no option of `source`: pushed without it
    cands = [{"id": f"c{i}", "task": "cov", "instruction": f"q{i}", "response": f"r{i}", "generator": g, "origin": "seed",
              "instruction_source": "logs", "response_source": "synthetic", "licence": "t", "pii": {"flagged": False},
              "scores": {}} for i, g in enumerate(gens)]
    storage.write_jsonl(storage.task_dir("cov") / "candidates.jsonl", cands)
    rep = json.loads(run("coverage", "cov", "--json", "--store", f"sqlite:///{tmp_path / 'h.db'}").output)
    pool = next(s for s in rep["sets"] if s["set"] == "candidate pool")
    assert pool["available"], pool["note"]
    cats = {c["category"]: c for c in pool["plans"]["source"]["categories"]}
    assert {k: v["count"] for k, v in cats.items()} == {"a": 6, "b": 3, "c": 0, "(missing)": 1}
    # by hand: c needs 0.1 of the total, so 2 c make 12 in all (a 0.5, b 0.25, c 0.167, missing 0.083, each
    # within +-0.1 of 0.5, 0.3, 0.2, 0); 1 c (11 in all) is 0.09 < 0.1
    assert {k: v["needed"] for k, v in cats.items()} == {"a": 0, "b": 0, "c": 2, "(missing)": 0}
    assert pool["plans"]["source"]["needed_total"] == 2 and cats["c"]["status"] in ("under", "under?")


def test_task_without_a_plan_is_exit_2(env):
    (env / "tasks" / "plain.yaml").write_text(TASK.replace("name: cov", "name: plain").split("coverage:")[0])
    res = run("coverage", "plain", code=2)
    assert "has no coverage plan" in res.output and "docs/coverage.md" in res.output


# ---------------------------------------------------------------- the export: manifest, card, last export

@pytest.fixture(scope="module")
def demo_store_file(tmp_path_factory) -> Path:
    from workbench.dashboard import demo_history

    path = tmp_path_factory.mktemp("cov-store") / "history.db"
    store = HistoryStore(f"sqlite:///{path}")
    demo_history.fill_demo_store(store)
    store.close()
    return path


def test_export_card_and_manifest_show_the_mix_and_coverage_reads_it(demo_store_file, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(REPO))
    url = f"sqlite:///{demo_store_file}"
    out = tmp_path / "sft"
    run("export", "medical-qa-rating", "--store", url, "--output", out)
    m = json.loads((out / "manifest.json").read_text())
    # independent: the `source` in the provenance of every row written
    rows = [r for f in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    seen = Counter(r["provenance"]["source"] for r in rows)
    (cov,) = m["coverage"]
    assert cov["property"] == "source" and cov["counts"] == dict(sorted(seen.items()))
    assert cov["target"] == {"gen-a": 0.35, "gen-b": 0.35, "seed-set": 0.3} and cov["tolerance"] == 0.05
    card = (out / "README.md").read_text()
    assert "## Coverage against the plan" in card
    for value, n in seen.items():
        assert f"| {value} | {n:,} | {n / len(rows):.1%} |" in card
    rep = json.loads(run("coverage", "medical-qa-rating", "--store", url, "--json").output)
    last = next(s for s in rep["sets"] if s["set"] == "last export")
    assert last["available"] and out.name in last["note"]
    assert {c["category"]: c["count"] for c in last["plans"]["source"]["categories"]} == dict(seen)
