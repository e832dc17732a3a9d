"""Feedback import, format by format: LangSmith (data built with the langsmith SDK's own Run and
Feedback classes and serialiser), Helicone and Weave (fixtures from their documented export
schemas, tests/data/feedback/README.md), plain JSON lines with a mapping; redaction at import,
the raw store, content ids (re-imports and overlapping files), per-record rejects and the
whole-file refusals."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.errors import BadInput

DATA = Path(__file__).parent / "data" / "feedback"
PLANTED = ["Priya Raghunathan", "priya.r@example.co.uk", "Tomasz Horvat", "tomasz.horvat@example.net",
           "ana.silva@example.com", "Maria Gonzalez", "maria.gonzalez@example.org"]


@pytest.fixture(scope="module")
def redactor():
    from workbench.pii import PiiConfig, PiiRedactor

    r = PiiRedactor(PiiConfig())
    r.analyzer  # noqa: B018 - load once for the module
    return r


@pytest.fixture()
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(h))
    return h


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "feedback" / "feedback.sqlite3")


def _all_text(home: Path) -> str:
    """Every byte Workbench wrote under home/feedback (the store and the rejects), as text."""
    out = []
    for p in (home / "feedback").rglob("*"):
        if p.is_file():
            out.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


# -------------------------------------------------------------------------------- LangSmith


def _ls():
    from langsmith._internal._serde import dumps_json
    from langsmith.schemas import Feedback, Run

    return Run, Feedback, dumps_json


NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _run(i: int, prompt: str, answer: str | None, model: str = "pharma-ft-v1", **kw):
    Run, _, _ = _ls()
    return Run(id=uuid.UUID(int=i), name="ChatOpenAI", run_type="llm", start_time=NOW - dt.timedelta(hours=i),
               end_time=NOW - dt.timedelta(hours=i) + dt.timedelta(seconds=2),
               inputs={"messages": [[{"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "SystemMessage"],
                                      "kwargs": {"content": "You are a pharmacy assistant."}},
                                     {"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "HumanMessage"],
                                      "kwargs": {"content": prompt}}]]},
               outputs=({"generations": [[{"text": answer, "type": "ChatGeneration"}]]} if answer is not None else None),
               extra={"metadata": {"ls_model_name": model, "topic": kw.pop("topic", None)}}, **kw)


def _fb(i: int, run_i: int, key: str = "user_score", **kw):
    _, Feedback, _ = _ls()
    return Feedback(id=uuid.UUID(int=10_000 + i), run_id=uuid.UUID(int=run_i), trace_id=uuid.UUID(int=run_i), key=key,
                    created_at=NOW - dt.timedelta(minutes=i), modified_at=NOW, **kw)


def _write(path: Path, objs) -> Path:
    _, _, dumps = _ls()
    path.write_bytes(b"".join((o if isinstance(o, bytes) else dumps(o)) + b"\n" for o in objs))
    return path


def test_langsmith_runs_and_feedback_from_the_sdk_schema(home, tmp_path, redactor):
    from workbench.feedback.importer import import_file
    from workbench.raw_store import RawStore

    f = _write(tmp_path / "runs.jsonl", [
        _run(1, "Hi, I'm Priya Raghunathan (priya.r@example.co.uk). Is 400 mg ibuprofen safe?",
             "Yes for most adults, with food.", topic="dosing"),
        _fb(1, 1, score=0),
        _fb(2, 1, key="correction", correction={"output": "Usually, for short use with food; not with kidney disease."}),
        _run(2, "How do I store insulin?", "In the fridge until opened.", model="pharma-ft-v2"),
        _fb(3, 2, score=True),
        _fb(4, 2, key="correctness", score=0.4),                                  # another scale: skipped
        _fb(5, 2, key="helpfulness", score=1, feedback_source={"type": "model"}),  # an evaluator: skipped
        _run(3, "Which antacid is best?", None),                                  # failed run: no output
        _fb(6, 3, key="rejected"),
        _run(4, "child step", "x", parent_run_id=uuid.UUID(int=1)),               # child run: skipped
    ])
    rep = import_file(f, "langsmith", redactor=redactor)
    assert (rep.read, rep.interactions_seen, rep.interactions_added) == (10, 3, 3)
    assert rep.signals_by_kind == {"thumbs": 2, "edit": 1, "rejection": 1}
    assert rep.skipped == 3 and rep.rejected == 0
    assert rep.pii_counts == {"EMAIL_ADDRESS": 1, "PERSON": 1}

    db = _db(home)
    rows = {r[0]: r[1:] for r in db.execute("SELECT source_id, prompt, output, model_version, topic FROM interactions")}
    one = rows[str(uuid.UUID(int=1))]
    assert one[0] == "Hi, I'm <PERSON> (<EMAIL_ADDRESS>). Is 400 mg ibuprofen safe?"  # the last user turn, redacted
    assert one[1:] == ("Yes for most adults, with food.", "pharma-ft-v1", "dosing")
    assert rows[str(uuid.UUID(int=3))][1] is None
    kinds = sorted(db.execute("SELECT kind, label FROM signals").fetchall(), key=str)
    assert kinds == sorted([("thumbs", 0), ("thumbs", 1), ("edit", None), ("rejection", None)], key=str)
    for s in PLANTED[:2]:
        assert s not in _all_text(home)
    # the original is in the raw store only, owner-only
    raw_id = db.execute("SELECT raw_id FROM interactions WHERE raw_id IS NOT NULL").fetchone()[0]
    with RawStore() as raw:
        assert "Priya Raghunathan" in raw.get(raw_id)["prompt"]
    assert stat.S_IMODE(os.stat(home / "feedback" / "feedback.sqlite3").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(home / "feedback").st_mode) == 0o700

    # again: nothing added; an overlapping file adds only what is new
    again = import_file(f, "langsmith", redactor=redactor)
    assert (again.interactions_added, again.signals_added) == (0, 0)
    g = _write(tmp_path / "more.jsonl", [_run(2, "How do I store insulin?", "In the fridge until opened.", model="pharma-ft-v2"),
                                         _fb(3, 2, score=True), _run(5, "New question?", "New answer."), _fb(7, 5, score=0)])
    more = import_file(g, "langsmith", redactor=redactor)
    assert (more.interactions_added, more.signals_added) == (1, 1)
    assert db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 4


def test_langsmith_feedback_before_its_runs_waits_and_then_joins(home, tmp_path, redactor):
    from workbench.feedback.importer import import_file
    from workbench.feedback.store import FeedbackStore

    fb = _write(tmp_path / "feedback.jsonl", [_fb(1, 7, score=False), _fb(2, 8, value="thumbs_up")])
    rep = import_file(fb, "langsmith", redactor=redactor)
    assert rep.signals_added == 2 and rep.waiting == 2
    runs = _write(tmp_path / "runs.jsonl", [_run(7, "Is grapefruit ok with statins?", "No."), _run(8, "Q?", "A.")])
    rep = import_file(runs, "langsmith", redactor=redactor)
    assert rep.waiting == 0
    with FeedbackStore() as store:
        sig = store.signals()
    assert sig["has_interaction"].all()
    assert dict(zip(sig["prompt"], sig["label"])) == {"Is grapefruit ok with statins?": 0, "Q?": 1}


def test_langsmith_run_with_its_feedback_on_one_line(home, tmp_path, redactor):
    from workbench.feedback.importer import import_file

    _, _, dumps = _ls()
    run = json.loads(dumps(_run(1, "Dose of amoxicillin for a child?", "Ask your pharmacist; it depends on weight.")))
    fbs = [json.loads(dumps(_fb(1, 1, score=0)))]
    f = tmp_path / "combined.jsonl"
    f.write_text(json.dumps({"run": run, "feedback": fbs}) + "\n")
    rep = import_file(f, "langsmith", redactor=redactor)
    assert (rep.interactions_added, rep.signals_added) == (1, 1)


# -------------------------------------------------------------------------------- Helicone, Weave


def test_helicone_request_export(home, redactor):
    from workbench.feedback.importer import import_file
    from workbench.feedback.store import FeedbackStore

    rep = import_file(DATA / "helicone_export.jsonl", "helicone", redactor=redactor)
    assert (rep.read, rep.interactions_seen, rep.interactions_added) == (4, 4, 3)  # line 4 repeats line 2
    assert rep.signals_by_kind == {"thumbs": 3, "rejection": 1} and rep.signals_added == 3
    with FeedbackStore() as store:
        inter = store.interactions().set_index("source_id")
        sig = store.signals()
    first = inter.loc["7d3c1c1e-0000-4000-8000-000000000001"]
    assert first["prompt"] == "Hello, I'm <PERSON> (<EMAIL_ADDRESS>). Can I take ibuprofen with lisinopril?"
    assert first["output"].startswith("Ibuprofen can reduce") and first["model_version"] == "gpt-4o-mini-2024-07-18"
    assert first["topic"] == "interactions"
    assert sorted(sig.loc[sig["kind"] == "thumbs", "label"]) == [0, 1]
    assert sig.loc[sig["kind"] == "rejection", "prompt"].tolist() == ["What is the maximum daily dose of paracetamol for an adult?"]
    for s in PLANTED[2:4]:
        assert s not in _all_text(home)


def test_weave_calls_with_feedback(home, redactor):
    from workbench.feedback.importer import import_file
    from workbench.feedback.store import FeedbackStore

    rep = import_file(DATA / "weave_calls.jsonl", "weave", redactor=redactor)
    assert rep.interactions_added == 2  # the child call is skipped
    assert rep.signals_by_kind == {"thumbs": 2, "edit": 1}
    assert rep.skip_reasons == {"feedback of type 'wandb.note.1'": 1, "child call (its root call is imported)": 1}
    with FeedbackStore() as store:
        sig = store.signals().set_index("kind")
        inter = store.interactions()
    assert set(inter["model_version"]) == {"llama-3.1-8b-ft-v3"} and set(inter["topic"]) == {"side effects"}
    labels = sig.loc["thumbs"].set_index("prompt")["label"].to_dict()
    assert labels == {"Does metformin cause stomach upset?": 1,  # 👍🏽: a thumb up in any skin tone
                            "Can statins cause muscle pain? Mail me at <EMAIL_ADDRESS>": 0}
    assert sig.loc["edit", "edit"].startswith("Yes, in about 1 in 10 people.")
    assert "ana.silva@example.com" not in _all_text(home)


# -------------------------------------------------------------------------------- JSONL + mapping


MAPPING = """\
id: event.id
prompt: request.prompt
output: response.text
edit: user.final_text
score: user.thumb
rejected: user.dismissed
timestamp: ts
model_version: model
"""


def _event(i, ts="2025-05-01T12:00:00+02:00", **over):
    e = {"event": {"id": f"e{i}"}, "request": {"prompt": f"question {i}?"}, "response": {"text": f"answer {i}."},
         "user": {"thumb": "up"}, "ts": ts, "model": "v7"}
    for k, v in over.items():
        e[k] = v
    return json.dumps(e)


def test_jsonl_with_a_mapping_and_its_rejects(home, tmp_path, redactor):
    from workbench.feedback.importer import import_file
    from workbench.feedback.mapping import Mapping

    mp = tmp_path / "map.yaml"
    mp.write_text(MAPPING)
    lines = [
        _event(1),
        _event(2, user={"thumb": -1, "final_text": "a better answer 2, with the dose."}),
        _event(3, user={"dismissed": True}),
        _event(4, ts="2025-05-01T12:00:00"),                              # no timezone
        _event(5, ts=(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).isoformat()),  # future
        _event(6, request={"prompt": ""}),                               # an output but no prompt
        _event(7, user={"thumb": "maybe"}),                               # not a thumb
        _event(8, request={"prompt": "I'm Maria Gonzalez, maria.gonzalez@example.org"}, ts="yesterday"),
        "not json at all",
    ]
    f = tmp_path / "events.jsonl"
    f.write_text("\n".join(lines) + "\n")
    rep = import_file(f, "jsonl", redactor=redactor, mapping=Mapping.from_file(mp))
    assert (rep.read, rep.interactions_added, rep.rejected) == (9, 3, 6)
    assert rep.signals_by_kind == {"thumbs": 2, "edit": 1, "rejection": 1}
    rejects = {r["line"]: r for r in map(json.loads, Path(rep.rejects_path).read_text().splitlines())}
    assert rejects[4]["field"] == "ts" and "without a timezone" in rejects[4]["reason"]
    assert "in the future" in rejects[5]["reason"]
    assert rejects[6]["field"] == "request.prompt" and rejects[6]["reason"] == "an output but no prompt"
    assert rejects[7]["field"] == "user.thumb" and "not a thumb" in rejects[7]["reason"]
    assert rejects[8]["field"] == "ts" and "Maria" not in rejects[8]["reason"]
    assert "not valid JSON" in rejects[9]["reason"]
    text = _all_text(home)
    assert "Maria Gonzalez" not in text and "maria.gonzalez@example.org" not in text  # rejects are redacted too
    assert stat.S_IMODE(os.stat(rep.rejects_path).st_mode) == 0o600
    db = _db(home)
    (t,) = db.execute("SELECT occurred_at FROM interactions WHERE source_id = 'e1'").fetchone()
    assert t == "2025-05-01T10:00:00+00:00"  # stored as UTC

    # timezone: UTC in the mapping takes naive times as UTC
    mp.write_text(MAPPING + "timezone: UTC\n")
    g = tmp_path / "naive.jsonl"
    g.write_text(_event(4, ts="2025-05-01T12:00:00") + "\n")
    assert import_file(g, "jsonl", redactor=redactor, mapping=Mapping.from_file(mp)).interactions_added == 1


@pytest.mark.parametrize("text, message", [
    ("prompt: p\ntimestamp: t\n", "missing field 'id'"),
    ("id: i\nprompt: p\n", "missing field 'timestamp'"),
    ("id: i\nprompt: p\ntimestamp: t\nanswer: a\n", "unknown key 'answer'"),
    ("id: i\nprompt: [a, b]\ntimestamp: t\n", "field 'prompt' must name a field"),
    ("id: i\nprompt: p\ntimestamp: t\ntimezone: Europe/Paris\n", "only UTC"),
    ("- id\n", "expected a mapping"),
])
def test_mapping_problems_name_the_field(tmp_path, text, message):
    from workbench.feedback.mapping import Mapping

    mp = tmp_path / "map.yaml"
    mp.write_text(text)
    with pytest.raises(BadInput, match=message) as exc:
        Mapping.from_file(mp)
    assert str(mp) in str(exc.value)


# -------------------------------------------------------------------------------- whole-file refusals (CLI)


def _cli(*args):
    from workbench.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_bad_files_exit_2_and_write_nothing(home, tmp_path):
    """These are refused before the redactor loads: nothing under home/feedback."""
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    arr = tmp_path / "arr.json"
    arr.write_text('[\n {"request_id": "1"}\n]\n')
    notjson = tmp_path / "notes.txt"
    notjson.write_text("hello\nworld\n")
    cases = [
        (["feedback", "import", str(DATA / "helicone_export.jsonl"), "--from", "splunk"], "unknown format 'splunk'"),
        (["feedback", "import", str(tmp_path / "nope.jsonl"), "--from", "weave"], "file does not exist"),
        (["feedback", "import", str(empty), "--from", "weave"], "empty file"),
        (["feedback", "import", str(arr), "--from", "helicone"], "line 1: a JSON array, not JSON lines"),
        (["feedback", "import", str(notjson), "--from", "helicone"], "line 1: not valid JSON"),
        (["feedback", "import", str(DATA / "helicone_export.jsonl"), "--from", "langsmith"],
         "line 1: not a LangSmith run or feedback (field 'id' missing)"),
        (["feedback", "import", str(DATA / "weave_calls.jsonl"), "--from", "helicone"],
         "line 1: not a Helicone request (field 'request_id' missing)"),
        (["feedback", "import", str(DATA / "weave_calls.jsonl"), "--from", "jsonl"], "needs --mapping"),
        (["feedback", "import", str(DATA / "weave_calls.jsonl"), "--from", "weave", "--mapping", str(arr)],
         "--mapping is for --from jsonl"),
    ]
    for args, message in cases:
        res = _cli(*args)
        assert res.exit_code == 2, (args, res.output)
        assert message in res.output, (args, res.output)
        assert "Traceback" not in res.output
    assert not (home / "feedback").exists()


def test_a_file_whose_every_record_is_bad_exits_2_naming_the_rejects(home, tmp_path, redactor):
    from workbench.feedback.importer import import_file

    f = tmp_path / "future.jsonl"
    f.write_text("\n".join(json.dumps({"request_id": f"r{i}", "request_created_at": "2999-01-01T00:00:00Z",
                                       "request_body": {"messages": [{"role": "user", "content": "q"}]}})
                           for i in range(3)) + "\n")
    with pytest.raises(BadInput, match=r"no record could be imported \(3 kept aside in .*rejects.*first: line 1: "
                                       r"request_created_at: timestamp in the future"):
        import_file(f, "helicone", redactor=redactor)


def test_batches_give_the_same_store_as_one_batch(tmp_path, monkeypatch, redactor):
    """Streaming in batches of 2 lines stores exactly what one batch stores (batch edges lose nothing)."""
    from workbench.feedback.importer import import_file

    f = _write(tmp_path / "runs.jsonl", [o for i in range(1, 8) for o in (_run(i, f"q{i}?", f"a{i}."), _fb(i, i, score=i % 2))]
               + [b"{broken"])
    dumps = []
    for batch in (2, 1000):
        h = tmp_path / f"home{batch}"
        monkeypatch.setenv("WORKBENCH_HOME", str(h))
        rep = import_file(f, "langsmith", redactor=redactor, batch_lines=batch)
        assert (rep.interactions_added, rep.signals_added, rep.rejected) == (7, 7, 1)
        db = _db(h)
        dumps.append((sorted(db.execute("SELECT id, prompt, output, occurred_at FROM interactions")),
                      sorted(db.execute("SELECT id, interaction_id, kind, label FROM signals"))))
    assert dumps[0] == dumps[1]


def test_import_command_reports_and_shows_progress_on_stderr(home):
    res = _cli("feedback", "import", str(DATA / "weave_calls.jsonl"), "--from", "weave", "--progress", "--json")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)  # stdout holds the report only
    assert (report["interactions_added"], report["signals_added"], report["rejected"]) == (2, 3, 0)
    assert report["pii_counts"] == {"EMAIL_ADDRESS": 1}
    assert f"import {DATA / 'weave_calls.jsonl'}:" in res.stderr and "lines" in res.stderr
    again = _cli("feedback", "import", str(DATA / "weave_calls.jsonl"), "--from", "weave")
    assert "0 interactions added (2 already stored), 0 signals added (3 already stored)" in again.stdout


def test_langsmith_times_are_utc_and_never_in_the_future(home, tmp_path, redactor):
    from workbench.feedback.importer import import_file

    _, Feedback, _ = _ls()
    naive = dt.datetime(2025, 3, 1, 9, 30)  # LangSmith serves UTC without an offset
    fb = Feedback(id=uuid.UUID(int=77), run_id=uuid.UUID(int=1), trace_id=uuid.UUID(int=1), key="user_score", score=1,
                  created_at=naive, modified_at=naive)
    future = _run(2, "q?", "a.")
    future_line = json.loads(_ls()[2](future))
    future_line["start_time"] = (NOW + dt.timedelta(days=1)).isoformat()
    f = _write(tmp_path / "t.jsonl", [_run(1, "q1?", "a1."), fb, json.dumps(future_line).encode()])
    rep = import_file(f, "langsmith", redactor=redactor)
    assert (rep.interactions_added, rep.signals_added, rep.rejected) == (1, 1, 1)
    assert rep.reject_reasons == [f"line 3: start_time: timestamp in the future ({future_line['start_time'][:19]}+00:00)"]
    (t,) = _db(home).execute("SELECT occurred_at FROM signals").fetchone()
    assert t == "2025-03-01T09:30:00+00:00"
