"""`feedback seeds --push`: seeds go to an Argilla review dataset of the task (the experts'
workspace), once each, on the real embedded server."""

from __future__ import annotations

import json

from click.testing import CliRunner


def _rows(kind: str, n: int, start: int = 0) -> list[dict]:
    rows = []
    for i in range(start, start + n):
        base = {"id": f"fs_{kind}{i:04d}", "interaction_id": f"fi_{i:04d}", "prompt": [{"role": "user", "content": f"Question {i}?"}],
                "model_version": "v1", "source": "feedback:langsmith"}
        if kind == "dpo":
            base |= {"chosen": [{"role": "assistant", "content": f"A better answer {i}."}],
                     "rejected": [{"role": "assistant", "content": f"Answer {i}."}], "edit_tokens": 2, "edit_ratio": 0.5}
        else:
            base |= {"completion": [{"role": "assistant", "content": f"Answer {i}."}], "label": i % 2 == 0}
        rows.append(base)
    return rows


def test_push_review_sends_each_row_once(argilla_server, client, unique_name):
    from workbench.feedback.review import push_review

    rep = push_review(client, unique_name, "dpo", _rows("dpo", 3))
    assert (rep.created, rep.sent, rep.workspace, rep.dataset) == (True, 3, f"{unique_name}-review", f"{unique_name}-feedback-dpo")
    again = push_review(client, unique_name, "dpo", _rows("dpo", 5))  # two new, three already there
    assert (again.created, again.sent) == (False, 2)
    ds = client.datasets(name=f"{unique_name}-feedback-dpo", workspace=f"{unique_name}-review")
    records = {str(r.id): r for r in ds.records(batch_size=100)}
    assert sorted(records) == [f"fs_dpo{i:04d}" for i in range(5)]
    r0 = records["fs_dpo0000"]
    assert (r0.fields["prompt"], r0.fields["output"], r0.fields["edit"]) == ("Question 0?", "Answer 0.", "A better answer 0.")
    assert r0.metadata["edit_tokens"] == 2 and r0.metadata["model_version"] == "v1"
    assert [q.name for q in ds.settings.questions] == ["edit_improves", "note"]
    assert list(ds.settings.questions["edit_improves"].labels) == ["yes", "no", "unsure"]

    kto = push_review(client, unique_name, "kto", _rows("kto", 2))
    ds = client.datasets(name=f"{unique_name}-feedback-kto", workspace=f"{unique_name}-review")
    thumbs = {str(r.id): r.metadata["thumb"] for r in ds.records(batch_size=100)}
    assert kto.sent == 2 and thumbs == {"fs_kto0000": "up", "fs_kto0001": "down"}


def test_seeds_push_from_the_command_line(argilla_server, tmp_path, monkeypatch):
    from workbench.cli import main
    from workbench.feedback.events import interaction_id
    from workbench.feedback.store import FeedbackStore

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    t = "2025-01-01T00:00:00+00:00"
    with FeedbackStore() as store:
        store.add([(interaction_id("jsonl", "a"), "jsonl", "a", "Dose?", "Take 2.", "v9", None, t, None, None, "f", 1, t)],
                  [("s1", "jsonl", "a:edit", interaction_id("jsonl", "a"), "edit", None, "Take 1 with food.", t, None, None,
                    "f", 1, t)])
    args = ["feedback", "seeds", "clinical-note-extraction", "--kind", "dpo", "--push",
            "--api-url", argilla_server.api_url, "--api-key", argilla_server.api_key]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "1 record pushed for review to clinical-note-extraction-review/clinical-note-extraction-feedback-dpo" in res.output
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert "0 records pushed for review" in res.output and "1 already there" in res.output
    bad = CliRunner().invoke(main, ["feedback", "seeds", "clinical-note-extraction", "--kind", "prompts", "--push"])
    assert bad.exit_code == 2 and "only --kind dpo or kto" in bad.output
    assert json.loads((tmp_path / "home" / "feedback" / "seeds" / "clinical-note-extraction" / "dpo.jsonl")
                      .read_text().splitlines()[0])["id"] == "s1"


def test_reviewed_pairs_reach_the_export_after_sync_and_unreviewed_ones_do_not(argilla_server, client, tmp_path,
                                                                              monkeypatch):
    """push (recorded as a round) -> the expert answers in Argilla -> `workbench sync` -> `workbench export`."""
    from pathlib import Path

    import argilla as rg
    import pyarrow.parquet as pq

    from workbench.argilla_client import Connection
    from workbench.dashboard import demo_history
    from workbench.feedback.review import feedback_task, push_review
    from workbench.store import HistoryStore
    from workbench.sync import sync

    task = "medical-qa-rating"
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(Path(__file__).resolve().parents[1]))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    url = f"sqlite:///{tmp_path / 'history.db'}"
    store = HistoryStore(url)
    demo_history.fill_demo_store(store)
    rows = _rows("dpo", 4, start=100)
    for i, r in enumerate(rows):
        r |= {"source_id": f"ls-feedback-{i}", "interaction_source_id": f"ls-run-{i}"}
    rep = push_review(client, task, "dpo", rows, store=store)
    assert (rep.sent, rep.round, rep.key) == (4, 1, feedback_task(task))
    again = push_review(client, task, "dpo", rows, store=store)  # the round is recorded once
    assert again.sent == 0 and len(store.rounds(feedback_task(task))) == 1
    ds = client.datasets(name=f"{task}-feedback-dpo", workspace=f"{task}-review")
    assert ds.settings.metadata["source_id"].visible_for_annotators is False

    me = client.me
    answer = {"fs_dpo0100": "yes", "fs_dpo0101": "no", "fs_dpo0102": "unsure"}  # 0103: not reviewed
    ds.records.log([rg.Record(id=str(r.id), fields=dict(r.fields), metadata=dict(r.metadata),
                              responses=[rg.Response("edit_improves", answer[str(r.id)], user_id=me.id, status="submitted")])
                    for r in ds.records(batch_size=100) if str(r.id) in answer])
    sync(Connection(argilla_server.api_url, argilla_server.api_key), store, task=task)

    from workbench.cli import main

    out = tmp_path / "export"
    res = CliRunner().invoke(main, ["export", task, "--store", url, "--format", "dpo", "--holdout", "0",
                                    "--output", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    exported = pq.read_table(out / "data" / "train-00000-of-00001.parquet").to_pylist()
    fb = [r for r in exported if r["id"].startswith("feedback:")]
    assert [(r["id"], r["rejected_id"], r["chosen"][0]["content"]) for r in fb] == \
        [("feedback:langsmith:ls-feedback-0", "feedback:langsmith:ls-run-0", "A better answer 100.")]
    assert fb[0]["provenance_chosen"]["annotators"] == [str(me.id)] and fb[0]["provenance_chosen"]["generator"] == "v1"
    m = json.loads((out / "manifest.json").read_text())["feedback"]
    assert (m["reviewed"], m["accepted"], m["rejected"], m["unsure"], m["unreviewed_left_out"]) == (3, 1, 1, 1, 1)
    store.close()
