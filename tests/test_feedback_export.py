"""Reviewed production feedback reaches `workbench export`, unreviewed feedback never does.

The feedback review datasets (`feedback seeds --push`) are written into a history store as a
sync writes them (records and the experts' responses, under the task key `<task>-feedback`), then
`workbench export TASK --format dpo|kto` runs; what it must contain is computed here from what
was written, with a loop of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

TASK = "medical-qa-rating"
WHEN = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)


@pytest.fixture()
def demo_store(tmp_path, monkeypatch):
    from workbench.dashboard import demo_history
    from workbench.store import HistoryStore

    url = f"sqlite:///{tmp_path / 'history.db'}"
    store = HistoryStore(url)
    demo_history.fill_demo_store(store)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(Path(__file__).resolve().parents[1]))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    yield url, store
    store.close()


def _export(url, out, fmt):
    from workbench.cli import main

    res = CliRunner().invoke(main, ["export", TASK, "--store", url, "--format", fmt, "--holdout", "0",
                                    "--output", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = pq.read_table(out / "data" / "train-00000-of-00001.parquet").to_pylist()
    return rows, json.loads((out / "manifest.json").read_text())


def _digest(folder: Path) -> dict:
    """SHA-256 of every data file, and of the manifest less what changes from run to run."""
    out = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((folder / "data").iterdir())}
    m = json.loads((folder / "manifest.json").read_text())
    for k in ("created_at", "files", "store_watermark", "workbench_version", "writer", "dataset_hash", "output"):
        m.pop(k, None)
    out["manifest"] = json.dumps(m, sort_keys=True)
    return out


#: (answers of the experts exp1/exp2 as (status, value); what the export must make of the record)
CASES = {
    "yes": ([("submitted", "yes")], "accepted"),
    "two-yes": ([("submitted", "yes"), ("submitted", "yes")], "accepted"),
    "no": ([("submitted", "no")], "rejected"),
    "yes-and-no": ([("submitted", "yes"), ("submitted", "no")], "rejected"),
    "unsure": ([("submitted", "unsure")], "unsure"),
    "yes-and-unsure": ([("submitted", "yes"), ("submitted", "unsure")], "unsure"),
    "draft-yes": ([("draft", "yes")], "unreviewed"),
    "discarded": ([("discarded", None)], "unreviewed"),
    "nobody": ([], "unreviewed"),
}


def _write_review(store, kind: str, number: int) -> dict:
    """One feedback review dataset of ``kind`` as `workbench sync` writes it; returns item -> (record, case)."""
    from workbench.feedback.review import QUESTIONS, dataset_name, feedback_task, round_kind, workspace_name
    from workbench.store import RecordRow, ResponseRow

    question = QUESTIONS[kind][0]
    name, ws, did = dataset_name(TASK, kind), workspace_name(TASK), f"fb-{kind}-id"
    store.record_round(task=feedback_task(TASK), round=number, kind=round_kind(kind), dataset=name, workspace=ws,
                       dataset_id=did, guideline_version=0, created_at=WHEN)
    records, responses, made = [], [], {}
    for k, (case, (answers, _)) in enumerate(CASES.items()):
        item = f"fs_{kind}_{case}"
        fields = {"prompt": f"How much paracetamol for case {case}?", "output": f"Take {k + 2} g."}
        meta = {"source": "feedback:langsmith", "source_id": f"fb-{kind}-{k}", "interaction_source_id": f"run-{k}",
                "model_version": f"v{k % 2 + 1}"}
        if kind == "dpo":
            fields["edit"] = f"Take at most {k + 1} g a day, with food."
            meta["edit_tokens"] = 6
        else:
            meta["thumb"] = "up" if k % 2 else "down"
        records.append(RecordRow(record_id=f"r-{item}", item=item, fields=fields, metadata=meta))
        for e, (status, value) in enumerate(answers):
            responses.append(ResponseRow(record_id=f"r-{item}", item=item, user_id=f"uid-exp{e + 1}",
                                         annotator=f"exp{e + 1}", response_id=f"x-{item}-{e}", status=status,
                                         values={} if value is None else {question: value, "note": "checked"},
                                         inserted_at=WHEN, updated_at=WHEN))
        made[item] = (fields, meta, case)
    store.write_dataset_sync(dataset_id=did, name=name, workspace=ws, responses=responses, suggestions=[],
                             watermark=WHEN, records=records)
    return made


def _expected(made: dict) -> dict:
    """item -> verdict, by the rule written out: every expert who submitted said yes."""
    out = {}
    for item, (_, _, case) in made.items():
        submitted = [v for s, v in CASES[case][0] if s == "submitted"]
        out[item] = ("unreviewed" if not submitted else "accepted" if all(v == "yes" for v in submitted)
                     else "rejected" if "no" in submitted else "unsure")
        assert out[item] == CASES[case][1]
    return out


@pytest.mark.parametrize("kind", ["dpo", "kto"])
def test_only_feedback_the_experts_accepted_is_exported_with_its_provenance(demo_store, tmp_path, kind):
    url, store = demo_store
    before_rows, before_manifest = _export(url, tmp_path / "before", kind)
    assert "feedback" not in before_manifest
    made = _write_review(store, kind, 1)
    verdict = _expected(made)
    rows, manifest = _export(url, tmp_path / "after", kind)

    fb = {r["id"]: r for r in rows if r["id"].startswith("feedback:")}
    accepted = sorted(i for i, v in verdict.items() if v == "accepted")
    assert sorted(fb) == sorted(f"feedback:langsmith:{made[i][1]['source_id']}" for i in accepted)
    for item in accepted:
        fields, meta, case = made[item]
        r = fb[f"feedback:langsmith:{meta['source_id']}"]
        assert r["prompt"] == [{"role": "user", "content": fields["prompt"]}]
        prov = r["provenance_chosen"] if kind == "dpo" else r["provenance"]
        assert (prov["source"], prov["generator"], prov["instruction_source"], prov["response_source"]) == \
            ("feedback", meta["model_version"], "logs", "logs")
        assert prov["annotators"] == (["uid-exp1", "uid-exp2"] if case == "two-yes" else ["uid-exp1"])
        if kind == "dpo":
            assert r["chosen"] == [{"role": "assistant", "content": fields["edit"]}]
            assert r["rejected"] == [{"role": "assistant", "content": fields["output"]}]
            assert r["rejected_id"] == f"feedback:langsmith:{meta['interaction_source_id']}"
            assert r["provenance_rejected"] == prov
        else:
            assert r["completion"] == [{"role": "assistant", "content": fields["output"]}]
            assert r["label"] is (meta["thumb"] == "up")
    # the task's own rows are exactly what they were
    assert [r for r in rows if not r["id"].startswith("feedback:")] == before_rows
    counts = pd.Series(verdict).value_counts().to_dict()
    f = manifest["feedback"]
    assert (f["records"], f["reviewed"], f["accepted"], f["rejected"], f["unsure"], f["unreviewed_left_out"], f["rows"]) == \
        (len(made), len(made) - counts["unreviewed"], counts["accepted"], counts["rejected"], counts["unsure"],
         counts["unreviewed"], len(accepted))
    assert f["datasets"] == [f"{TASK}-feedback-{kind}"]
    assert manifest["counts"]["rows"]["train"] == len(before_rows) + len(accepted)


def test_feedback_of_the_other_kind_and_other_formats_leave_the_export_byte_identical(demo_store, tmp_path):
    url, store = demo_store
    _export(url, tmp_path / "dpo-before", "dpo")
    _export(url, tmp_path / "sft-before", "sft")
    _write_review(store, "kto", 1)  # kto reviews: nothing for dpo or sft
    _export(url, tmp_path / "dpo-after", "dpo")
    _export(url, tmp_path / "sft-after", "sft")
    assert _digest(tmp_path / "dpo-after") == _digest(tmp_path / "dpo-before")
    assert _digest(tmp_path / "sft-after") == _digest(tmp_path / "sft-before")
    # and the task's own figures do not count the experts' feedback answers as annotations
    assert not {"exp1", "exp2"} & set(store.tidy(task=TASK)["annotator"])


def test_sync_of_one_task_includes_its_feedback_reviews(demo_store):
    from workbench.feedback.review import feedback_task
    from workbench.sync import _targets

    url, store = demo_store
    _write_review(store, "dpo", 1)
    ids = {t.dataset_id for t in _targets(None, store, TASK, ())}
    assert "fb-dpo-id" in ids
    assert ids == set(store.rounds(TASK)["dataset_id"]) | set(store.rounds(feedback_task(TASK))["dataset_id"])


def test_verdicts_against_a_hand_worked_table():
    from workbench.analytics.training_formats import feedback_verdicts

    answers = pd.DataFrame({"item": ["a", "b", "b", "c", "c", "d", "f", "f", "f"],
                            "value": ["yes", "no", "no", "unsure", "no", "unsure", "yes", "yes", "yes"]})
    got = feedback_verdicts(["a", "b", "c", "d", "e", "f"], answers).tolist()
    assert got == ["accepted", "rejected", "rejected", "unsure", "unreviewed", "accepted"]


def test_rows_concat_fills_what_one_side_lacks_with_nulls():
    import pyarrow as pa

    from workbench.export.rows import Rows

    a = Rows({"id": ["x"], "labels": {"q": [1]}, "p": {"s": ["a"]}}, 1)
    b = Rows({"id": ["y", "z"], "p": {"s": ["b", "c"]}}, 2)
    schema = pa.schema([("id", pa.string()), ("labels", pa.struct([("q", pa.int64())])),
                        ("p", pa.struct([("s", pa.string())]))])
    assert a.concat(b).table(schema).to_pylist() == [
        {"id": "x", "labels": {"q": 1}, "p": {"s": "a"}}, {"id": "y", "labels": {"q": None}, "p": {"s": "b"}},
        {"id": "z", "labels": {"q": None}, "p": {"s": "c"}}]


def test_seed_prompts_are_deduplicated_against_previous_exports(demo_store, tmp_path):
    """Two real exports of the task (sft: the prompt in `messages`; dpo: in `prompt`) are in the
    registry; failed prompts that repeat (or nearly repeat) one of their prompts are left out."""
    import shutil

    from workbench.cli import main
    from workbench.feedback.events import interaction_id
    from workbench.feedback.store import FeedbackStore

    url, _ = demo_store
    sft_rows, _ = _export(url, tmp_path / "sft", "sft")
    dpo_rows, _ = _export(url, tmp_path / "dpo", "dpo")
    in_sft = sft_rows[0]["messages"][0]["content"]
    in_dpo = next(r["prompt"][0]["content"] for r in dpo_rows if r["prompt"][0]["content"] != in_sft)
    fresh = "Is it safe to split extended-release tablets in half before swallowing them?"
    t = "2025-01-01T00:00:00+00:00"
    prompts = {"a": in_sft, "b": in_dpo + "?", "c": fresh}  # b: a near copy (MinHash)
    with FeedbackStore() as fs:
        fs.add([(interaction_id("jsonl", k), "jsonl", k, p, "No.", "v1", None, t, None, None, "f", 1, t)
                for k, p in prompts.items()],
               [(f"s{k}", "jsonl", f"s{k}", interaction_id("jsonl", k), "rejection", None, None, t, None, None, "f", 1, t)
                for k in prompts])
    args = ["feedback", "seeds", TASK, "--kind", "prompts", "--no-semantic", "--output", str(tmp_path / "p.jsonl")]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert [r["instruction"] for r in rows] == [fresh]
    assert "duplicate of a prompt in a previous export 2" in res.output
    assert "of 2 previous exports of medical-qa-rating" in res.output
    # an export folder that was moved away is named, and the others are still checked
    shutil.move(str(tmp_path / "sft"), str(tmp_path / "sft-moved"))
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0 and "not found at" in res.output and "moved or deleted" in res.output
    rows = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert sorted(r["instruction"] for r in rows) == sorted([fresh, in_sft])
