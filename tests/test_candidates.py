"""Candidates: ingest (formats, per-record rejects, PII), LLM backends from config, the judge
rubric, the pipeline's own steps and LLM failure handling (against the fake LLM server), DEITA
filtering, record content for Argilla, the CLI's bad-input paths and the cache commands.

The whole distilabel pipeline runs in tests/test_candidates_e2e.py (once; it takes a while).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from fake_llm_server import FakeLLMServer

from workbench.errors import BadInput

PLANTED = ["Maria Gonzalez", "maria.gonzalez@example.org", "415-555-0132"]


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


@pytest.fixture(scope="module")
def task():
    from workbench.tasks import find_task

    return find_task("medical-qa-rating")


def _pool(home: Path) -> list[dict]:
    p = home / "candidates" / "pool.jsonl"
    return [json.loads(x) for x in p.read_text().splitlines()] if p.exists() else []


# --------------------------------------------------------------------------------------------
# Ingest
# --------------------------------------------------------------------------------------------


def test_jsonl_ingest_keeps_bad_records_aside_and_redacts_everything(home, tmp_path, redactor):
    from workbench.candidates.sources import ingest_file

    f = tmp_path / "logs.jsonl"
    lines = [
        json.dumps({"instruction": "Hi, I'm Maria Gonzalez (maria.gonzalez@example.org). Is a daily aspirin wise?",
                    "response": "Ask your doctor first; call +1 415-555-0132 for the nurse line."}).encode(),
        json.dumps({"instruction": "What helps a mild sunburn?"}).encode(),
        b'{"instruction": "caf\xe9 au lait and reflux?"}',                       # latin-1 byte: not UTF-8
        b'{"instruction": "broken json',                                          # bad JSON
        json.dumps({"prompt": "no instruction field; mail maria.gonzalez@example.org"}).encode(),  # missing field
        json.dumps({"instruction": 42}).encode(),                                 # not text
        json.dumps({"instruction": "Ok?", "response": ["a", "list"]}).encode(),   # response not text
        json.dumps({"instruction": "What helps a mild sunburn?"}).encode(),       # repeated
    ]
    f.write_bytes(b"\n".join(lines) + b"\n")
    rep = ingest_file(f, source="logs", licence="internal support logs, ToS 4.2", redactor=redactor)
    assert (rep.read, rep.added, rep.duplicates, rep.rejected) == (8, 2, 1, 5)
    assert rep.pii_flagged == 1 and rep.pii_counts.get("EMAIL_ADDRESS") == 1

    rejects = [json.loads(x) for x in Path(rep.rejects_path).read_text().splitlines()]
    by_where = {r["where"]: r for r in rejects}
    assert set(by_where) == {"line 3", "line 4", "line 5", "line 6", "line 7"}
    assert "not UTF-8" in by_where["line 3"]["reason"] and "0xe9" in by_where["line 3"]["reason"]
    assert "not valid JSON" in by_where["line 4"]["reason"]
    assert by_where["line 5"]["field"] == "instruction" and "missing" in by_where["line 5"]["reason"]
    assert "int" in by_where["line 6"]["reason"]
    assert by_where["line 7"]["field"] == "response"

    pool = _pool(home)
    assert len(pool) == 2 and {r["source"] for r in pool} == {"logs"}
    assert all(r["licence"] == "internal support logs, ToS 4.2" for r in pool)
    stored = (home / "candidates").rglob("*.jsonl")  # (the raw store is home/raw, not here)
    text = "".join(p.read_text() for p in stored)
    for s in PLANTED:
        assert s not in text  # neither the pool nor the rejects file holds the PII
    assert "<EMAIL_ADDRESS>" in text

    # the original of the record with PII is in the raw store (mode 600), and only there
    from workbench.raw_store import RawStore

    flagged = next(r for r in pool if r["pii"]["flagged"])
    with RawStore() as raw:
        assert raw.get(flagged["raw_id"])["instruction"].startswith("Hi, I'm Maria Gonzalez (maria.gonzalez@example.org)")
        assert len(raw) == 1
    assert not any("raw_id" in r for r in pool if not r["pii"]["flagged"])

    again = ingest_file(f, source="logs", licence="internal support logs, ToS 4.2", redactor=redactor)
    assert (again.added, again.already) == (0, 2)
    assert len(_pool(home)) == 2


def test_a_rejected_value_is_never_quoted_unredacted(home, tmp_path, redactor):
    """A non-text field used to be quoted in the reason as is: a mapping or list of personal data,
    or a card number stored as a number, went to the rejects file and the terminal unredacted."""
    from workbench.candidates.sources import ingest_file
    from workbench.cli import main

    f = tmp_path / "nested.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"instruction": {"name": "Maria Gonzalez", "mail": "maria.gonzalez@example.org"}},
        {"instruction": ["call 415-555-0132"]},
        {"instruction": 4111111111111111},
        {"instruction": "Is a daily aspirin wise?"},
    ]) + "\n")
    rep = ingest_file(f, source="logs", licence="x", redactor=redactor)
    assert (rep.added, rep.rejected) == (1, 3)
    summary = rep.summary()
    stored = Path(rep.rejects_path).read_text()
    for s in PLANTED + ["4111111111111111"]:
        assert s not in stored and s not in summary
    by_where = {r["where"]: r["reason"] for r in map(json.loads, stored.splitlines())}
    assert by_where["line 1"] == "field 'instruction' is dict (2 items), not text"
    assert by_where["line 2"] == "field 'instruction' is list (1 item), not text"
    assert by_where["line 3"] == "field 'instruction' is int (16 characters, not shown), not text"
    # the summary says why, not only where the rejects went
    assert "    line 1: field 'instruction' is dict (2 items), not text" in summary.splitlines()

    allbad = tmp_path / "allbad.jsonl"
    allbad.write_text(json.dumps({"instruction": {"who": "Maria Gonzalez"}}) + "\n")
    r = CliRunner().invoke(main, ["candidates", "ingest", str(allbad), "--source", "logs", "--licence", "x"])
    assert r.exit_code == 2 and "first: line 1: instruction: field 'instruction' is dict (1 item), not text" in r.output
    assert "Maria Gonzalez" not in r.output


def test_csv_and_parquet_ingest(home, tmp_path, redactor):
    import pandas as pd

    from workbench.candidates.sources import ingest_file, read_records

    c = tmp_path / "curated.csv"
    c.write_bytes(b'question,answer\n"Is it safe to exercise with a cold?","Light exercise is usually fine."\n'
                  b'"Bad \xff byte?","x"\nonly-one-value\n"How long does a tension headache last?",""\n')
    with pytest.raises(BadInput, match=r"curated.csv: no column 'instruction' \(columns found: 'question', 'answer'\); "
                                       r"name the column with --instruction-column"):
        read_records(c)
    rep = ingest_file(c, source="curated", licence="CC-BY-4.0", redactor=redactor,
                      instruction_column="question", response_column="answer")
    assert (rep.added, rep.rejected) == (2, 2)
    reasons = [json.loads(x) for x in Path(rep.rejects_path).read_text().splitlines()]
    assert {r["where"] for r in reasons} == {"line 3", "line 4"}
    # counted from 1, like the line numbers and the JSON-lines reason ("at byte 21 of the line")
    assert any(r["reason"] == "field 'question' is not UTF-8 text (byte 0xff at character 5 of the field)" for r in reasons), reasons
    assert any("1 values but the header has 2 columns" in r["reason"] for r in reasons)
    pool = {r["instruction"]: r for r in _pool(home)}
    assert pool["How long does a tension headache last?"]["response"] is None  # empty answer = none
    assert pool["Is it safe to exercise with a cold?"]["response"] == "Light exercise is usually fine."

    pq = tmp_path / "synthetic.parquet"
    pd.DataFrame({"instruction": ["Does honey help a sore throat?", None],
                  "response": ["It can soothe it.", "orphan"]}).to_parquet(pq)
    rep = ingest_file(pq, source="synthetic", licence="generated in-house", redactor=redactor)
    assert (rep.added, rep.rejected) == (1, 1)
    assert json.loads(Path(rep.rejects_path).read_text().splitlines()[0])["where"] == "row 2"
    with pytest.raises(BadInput, match=r"synthetic.parquet: no column 'text'"):
        read_records(pq, instruction_column="text")


def test_ingest_cli_bad_files_exit_2(home, tmp_path):
    from workbench.cli import main

    runner = CliRunner()
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    r = runner.invoke(main, ["candidates", "ingest", str(empty), "--source", "logs", "--licence", "x"])
    assert r.exit_code == 2 and "empty.jsonl: empty file: no records" in r.output

    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"text": "a"}\n{"text": "b"}\n')
    r = runner.invoke(main, ["candidates", "ingest", str(wrong), "--source", "logs", "--licence", "x"])
    assert r.exit_code == 2 and "no column 'instruction' (columns found: 'text')" in r.output

    allbad = tmp_path / "allbad.jsonl"
    allbad.write_bytes(b'{"instruction": 1}\n\xff\xfe\n')
    r = runner.invoke(main, ["candidates", "ingest", str(allbad), "--source", "logs", "--licence", "x"])
    assert r.exit_code == 2 and "no record could be ingested (2 kept aside in" in r.output
    assert "line 1: instruction: field 'instruction' is int" in r.output

    r = runner.invoke(main, ["candidates", "ingest", str(wrong), "--source", "logs", "--licence", "  "])
    assert r.exit_code == 2 and "--licence: empty" in r.output
    r = runner.invoke(main, ["candidates", "ingest", str(tmp_path / "x.txt"), "--source", "logs", "--licence", "x"])
    assert r.exit_code == 2 and "x.txt: file does not exist" in r.output
    assert not (home / "candidates" / "pool.jsonl").exists()


def test_ingest_redacts_long_texts_in_full_and_keeps_hostile_lines_aside(home, tmp_path, redactor):
    """Issue #14: a prompt over spaCy's max_length is redacted in full (PII at its end too); a line
    nested 100,000 levels deep or holding something other than an object is kept aside by line,
    and neither the summary nor the rejects file shows its personal data."""
    from workbench.cli import main

    filler = " ".join(["the patient asked whether the pain after meals matters"] * 20_000)  # 1.1 million characters
    f = tmp_path / "hostile.jsonl"
    f.write_text("\n".join([
        json.dumps({"instruction": filler + " Reach me: maria.gonzalez@example.org"}),
        "[" * 100_000 + json.dumps(PLANTED[0]) + "]" * 100_000,
        json.dumps([PLANTED[0], PLANTED[2]]),
    ]) + "\n")
    r = CliRunner().invoke(main, ["candidates", "ingest", str(f), "--source", "logs", "--licence", "x", "--progress"])
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output and "E088" not in r.output
    assert "line 2: nested deeper than 64 levels (arrays/objects) at column 65" in r.stdout
    assert "line 3: expected a JSON object, got list" in r.stdout
    assert re.search(r"redact .*hostile.jsonl: 3/3 texts \(100%\), [\d.]+ MB of text, .* done in", r.stderr), r.stderr
    pool = _pool(home)
    assert len(pool) == 1 and pool[0]["instruction"].endswith("Reach me: <EMAIL_ADDRESS>")
    assert len(pool[0]["instruction"]) > 1_000_000
    stored = "".join(p.read_text() for p in (home / "candidates").rglob("*.jsonl"))
    for s in PLANTED:
        assert s not in stored and s not in r.output

    only_deep = tmp_path / "deep.jsonl"
    only_deep.write_text('{"instruction": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    r = CliRunner().invoke(main, ["candidates", "ingest", str(only_deep), "--source", "logs", "--licence", "x"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert f"{only_deep}: no record could be ingested (1 kept aside in" in r.output
    assert "first: line 1: nested deeper than 64 levels (arrays/objects) at column 80" in r.output


# --------------------------------------------------------------------------------------------
# LLM backends
# --------------------------------------------------------------------------------------------


def test_llm_backends_come_from_config_and_missing_settings_say_what_to_set(monkeypatch):
    from distilabel.models.llms import LlamaCppLLM, OllamaLLM, OpenAILLM, vLLM

    from workbench.candidates.llm import build_llm, parse_llm

    cases = {
        "openai": ({"model": "m", "base_url": "http://127.0.0.1:9/v1", "api_key_env": "WB_TEST_KEY"}, OpenAILLM),
        "vllm": ({"model": "/models/m", "options": {"dtype": "float16"}}, vLLM),
        "ollama": ({"model": "llama3", "host": "http://127.0.0.1:11434"}, OllamaLLM),
    }
    monkeypatch.setenv("WB_TEST_KEY", "sekret")
    for kind, (extra, cls) in cases.items():
        llm = build_llm(parse_llm("x", {"kind": kind, **extra}, "cfg.yaml"))
        assert isinstance(llm, cls)
    assert build_llm(parse_llm("x", {"kind": "vllm", "model": "m", "options": {"dtype": "float16"}}, "c")).dtype == "float16"
    o = build_llm(parse_llm("x", {"kind": "openai", **cases["openai"][0], "timeout": 7, "max_retries": 1}, "c"))
    assert (o.base_url, o.api_key.get_secret_value(), o.timeout, o.max_retries) == ("http://127.0.0.1:9/v1", "sekret", 7, 1)
    with pytest.raises(BadInput, match="LlamaCppLLM refused the settings \\(model_path: Path does not point to a file"):
        build_llm(parse_llm("x", {"kind": "llamacpp", "model_path": "/nonexistent.gguf"}, "c"))
    assert LlamaCppLLM  # imported by name, as the config refers to it

    bad = [
        ({"kind": "openai", "model": "m", "api_key_env": None}, "cfg.yaml: llms.x.base_url: missing: set base_url to the endpoint's URL"),
        ({"kind": "openai", "base_url": "http://h/v1", "api_key_env": None}, "llms.x.model: missing: set model to"),
        ({"kind": "openai", "base_url": "http://h/v1", "model": "m"}, "llms.x.api_key_env: missing: set api_key_env to the NAME"),
        ({"kind": "gpt"}, "llms.x.kind: 'gpt': set kind to one of openai, vllm, ollama, llamacpp"),
        ({"kind": "ollama", "model": "m"}, "llms.x.host: missing"),
        ({"kind": "openai", "model": "m", "base_url": "h/v1", "api_key_env": None}, "is not an http\\(s\\) URL"),
        ({"kind": "openai", "model": "m", "base_url": "http://h/v1", "api_key_env": None, "generation": {"temprature": 1}},
         "llms.x.generation.temprature: not a generation setting of openai \\(allowed: .*temperature"),
        ({"kind": "openai", "model": "m", "base_url": "http://h/v1", "api_key_env": None, "dtype": 1}, "llms.x.dtype: unknown setting"),
    ]
    for data, message in bad:
        with pytest.raises(BadInput, match=message):
            parse_llm("x", data, "cfg.yaml")
    monkeypatch.delenv("WB_TEST_KEY")
    with pytest.raises(BadInput, match="the environment variable WB_TEST_KEY is not set: export WB_TEST_KEY="):
        build_llm(parse_llm("x", {"kind": "openai", **cases["openai"][0]}, "c"))
    monkeypatch.setitem(sys.modules, "ollama", None)  # as on an install without the ollama extra
    with pytest.raises(BadInput, match=r"llms.x: kind ollama needs the ollama client, which is not installed: "
                                       r"pip install 'workbench\[ollama\]'"):
        build_llm(parse_llm("x", {"kind": "ollama", **cases["ollama"][0]}, "c"))


def test_a_failed_request_fails_its_record_only():
    """A timeout or an HTTP error becomes a marked output for that input; the others are answered."""
    from workbench.candidates.llm import ERROR_MARK, build_llm, parse_llm

    with FakeLLMServer(stall_when=["STALL"], stall_seconds=4) as srv:
        llm = build_llm(parse_llm("t", {"kind": "openai", "base_url": srv.base_url, "model": "teacher",
                                        "api_key_env": None, "timeout": 1, "max_retries": 0}, "c"))
        llm.load()
        out = llm.generate_outputs([[{"role": "user", "content": q}] for q in ("Is tea fine?", "STALL now", "And coffee?")])
    gens = [o["generations"][0] for o in out]
    assert not gens[0].startswith(ERROR_MARK) and "teacher answer" in gens[0]
    assert gens[1].startswith(ERROR_MARK) and "timed out after 1 s (teacher at http://127.0.0.1" in gens[1]
    assert not gens[2].startswith(ERROR_MARK)

    dead = build_llm(parse_llm("d", {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "gone",
                                     "api_key_env": None, "timeout": 1, "max_retries": 0}, "c"))
    dead.load()
    [o] = dead.generate_outputs([[{"role": "user", "content": "hello"}]])
    assert o["generations"][0].startswith(ERROR_MARK + "cannot connect (gone at http://127.0.0.1:9/v1)")


def test_ollama_backend_over_the_native_api_and_its_failures_per_record(monkeypatch):
    """``kind: ollama`` through distilabel's OllamaLLM and the ``ollama`` client, against the fake
    server's /api/chat: answers arrive intact with token counts; a timeout, a reply that is not
    JSON and a refused connection each fail their own record with the real reason (distilabel
    1.5.3 alone would report an UnboundLocalError for all three). Only the configured host is
    contacted, even with OLLAMA_HOST pointing elsewhere."""
    from workbench.candidates.llm import ERROR_MARK, build_llm, parse_llm

    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # the client's fallback; must not be used
    prompts = ("Is tea fine?", "STALL now", "BROKEN reply", "And coffee?")
    with FakeLLMServer(stall_when=["STALL"], stall_seconds=4, broken_when=["BROKEN"]) as srv:
        llm = build_llm(parse_llm("t", {"kind": "ollama", "host": srv.host, "model": "teacher", "timeout": 1,
                                        "generation": {"options": {"temperature": 0.2}}}, "c"))
        llm.load()
        out = llm.generate_outputs([[{"role": "user", "content": q}] for q in prompts], **llm.get_generation_kwargs())
        expected = {q: srv.answer(q, "teacher") for q in prompts}
        requests_seen, host = list(srv.requests), srv.host
    gens = [o["generations"][0] for o in out]
    assert gens[0] == expected["Is tea fine?"] and gens[3] == expected["And coffee?"]
    assert out[0]["statistics"] == {"input_tokens": [3], "output_tokens": [len(gens[0].split())]}
    assert gens[1] == ERROR_MARK + f"timed out after 1 s (teacher at {host})"
    assert gens[2].startswith(ERROR_MARK + f"unreadable reply from teacher at {host}: not JSON")
    # what reached the server: one native, non-streaming chat request per prompt, nothing else
    assert sorted(r["body"]["messages"][0]["content"] for r in requests_seen) == sorted(prompts)
    assert {(r["path"], r["api"], r["body"]["stream"], r["body"]["model"]) for r in requests_seen} == {
        ("/api/chat", "ollama", False, "teacher")}
    assert all(r["body"]["options"] == {"temperature": 0.2} for r in requests_seen)

    dead = build_llm(parse_llm("d", {"kind": "ollama", "host": "http://127.0.0.1:9", "model": "gone", "timeout": 1}, "c"))
    dead.load()
    [o] = dead.generate_outputs([[{"role": "user", "content": "hello"}]])
    assert o["generations"][0].startswith(ERROR_MARK + "cannot connect (gone at http://127.0.0.1:9)")


# --------------------------------------------------------------------------------------------
# Config and rubric
# --------------------------------------------------------------------------------------------

LLMS = {"a": {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "ma", "api_key_env": None},
        "j": {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "mj", "api_key_env": None}}


def test_config_is_checked_against_the_task(task):
    from workbench.candidates.genconfig import parse_config
    from workbench.tasks import find_task

    cfg = parse_config(task, {"llms": LLMS, "teachers": ["a"], "judge": {"llm": "j", "rationale_question": "critique"},
                              "deita": {"llm": "j"}, "self_instruct": {"llm": "a"}}, "c.yaml")
    assert cfg.judge.question == "quality" and cfg.judge.style == "rubric"
    assert cfg.fields == {"instruction": "instruction", "response": "response"}
    assert cfg.suggestions == {"quality": "judge", "critique": "judge_rationale"}
    bad = [
        ({"llms": LLMS}, "c.yaml: teachers: missing"),
        ({"llms": LLMS, "teachers": ["z"]}, "teachers: 'z' is not defined under llms: \\(defined: a, j\\)"),
        ({"llms": LLMS, "teachers": ["a"], "judge": {"llm": "j", "question": "safety"}},
         "judge.question: 'safety' is not a rating question of task 'medical-qa-rating' \\(rating questions: quality\\)"),
        ({"llms": LLMS, "teachers": ["a"], "judge": {"llm": "q"}}, "judge.llm: 'q' is not defined under llms:"),
        ({"llms": LLMS, "teachers": ["a"], "judge": {"llm": "j", "style": "vibes"}}, "judge.style: 'vibes' is not one of rubric, ultrafeedback"),
        ({"llms": LLMS, "teachers": ["a"], "suggestions": {"quality": "deita_quality"}}, "suggestions.quality: 'deita_quality' needs a deita: section"),
        ({"llms": LLMS, "teachers": ["a"], "suggestions": {"safety": "judge"}}, "suggestions.safety: only rating and text questions"),
        ({"llms": LLMS, "teachers": ["a"], "metadata": {"judge_quality": "generator"}}, "metadata.judge_quality: a float property takes one of"),
        ({"llms": LLMS, "teachers": ["a"], "pii": {"operator": "shred"}}, "c.yaml: pii: operator: 'shred' is not one of"),
        ({"llms": LLMS, "teachers": ["a"], "dedup": {"semantic_threshold": 2}}, "dedup.semantic_threshold: 2 must be a similarity"),
        ({"llms": LLMS, "teachers": ["a"], "judg": {}}, "^c.yaml: judg: unknown setting"),
        ({"llms": LLMS, "teachers": ["a"], "batch_size": 0}, "^c.yaml: batch_size: 0 must be a whole number >= 1"),
        ({"llms": LLMS, "teachers": ["a"], "self_instruct": {"llm": "a", "n": 2}}, "^c.yaml: self_instruct.n: unknown setting"),
    ]
    for data, message in bad:
        with pytest.raises(BadInput, match=message):
            parse_config(task, data, "c.yaml")
    notes = find_task("clinical-note-extraction")
    with pytest.raises(BadInput, match="fields.note: missing: say which candidate text fills the task's field 'note'"):
        parse_config(notes, {"llms": LLMS, "teachers": ["a"]}, "c.yaml")
    with pytest.raises(BadInput, match="ultrafeedback rates 1-5, but question 'legibility' takes \\[1, 2, 3, 4\\]"):
        parse_config(notes, {"llms": LLMS, "teachers": ["a"], "fields": {"note": "response"},
                             "judge": {"llm": "j", "style": "ultrafeedback"}}, "c.yaml")


def test_shipped_example_config_is_valid(task):
    from workbench.candidates.genconfig import load_config

    cfg = load_config(task, Path(__file__).resolve().parents[1] / "workbench" / "candidates" / "example.yaml")
    assert cfg.teachers == ("teacher-a", "teacher-b") and cfg.judge.style == "rubric" and cfg.dedup is not None
    assert cfg.metadata == {"judge_quality": "judge", "response_words": "response_words"}


def test_missing_config_file_names_where_to_put_it(home, task):
    from workbench.cli import main

    r = CliRunner().invoke(main, ["candidates", "generate", "medical-qa-rating"])
    assert r.exit_code == 2
    assert "candidates/medical-qa-rating.yaml: no candidates config for task 'medical-qa-rating': create it" in r.output


def test_generate_refuses_an_unset_key_variable_before_starting(home, tmp_path, monkeypatch):
    import yaml

    from workbench.cli import main

    monkeypatch.delenv("WB_UNSET_KEY", raising=False)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"llms": {"a": {**LLMS["a"], "api_key_env": "WB_UNSET_KEY"}}, "teachers": ["a"]}))
    r = CliRunner().invoke(main, ["candidates", "generate", "medical-qa-rating", "--config", str(cfg)])
    assert r.exit_code == 2, r.output
    assert r.output.startswith(f"error: {cfg}: llms.a.api_key_env: the environment variable WB_UNSET_KEY is not set"), r.output
    assert not (home / "distilabel-cache").exists() or not any((home / "distilabel-cache").iterdir())


def test_judge_rubric_comes_from_the_guideline(task):
    from workbench.candidates.pipeline import rubric_for
    from workbench.candidates.rubric import judge_template

    rubric = rubric_for(task, "quality")
    guideline = task.load_guideline().latest.body
    assert rubric.splitlines()[0].startswith("### 1. Quality")
    assert rubric in guideline and "| 5 |" in rubric and "Safety" not in rubric
    t = judge_template(task_title=task.title, task_description=task.description, question_title="Quality",
                       values=[1, 2, 3, 4, 5], rubric=rubric)
    from jinja2 import Template

    prompt = Template(t).render(instruction="Q {{ x }}", response="A")
    assert rubric in prompt and "Q {{ x }}" in prompt and "Rating: <one of 1, 2, 3, 4, 5>" in prompt


# --------------------------------------------------------------------------------------------
# Pipeline steps (run one at a time, as distilabel allows)
# --------------------------------------------------------------------------------------------


def _step(name, tmp_path, **kw):
    from workbench.candidates.pipeline import steps

    s = steps()[name](name=name.lower(), rejects_path=str(tmp_path / "rejects.jsonl"), run_id="r1", **kw)
    s.load()
    return s


def test_families_step_redacts_llm_output_and_keeps_unparseable_aside(tmp_path):
    from workbench.candidates.llm import ERROR_MARK

    fam = _step("Families", tmp_path, use_self_instruct=True, use_evol_instruct=True, num_instructions=2)
    rows = [
        {"seed_id": "s1", "instruction": "Is tea fine?", "self_instructions": ["1. Tea and sleep?", "Email bob.jones@example.com about tea?"],
         "self_instruct_model": "ma", "evolved_instruction": "Is green tea fine at night?", "evol_model": "mb"},
        {"seed_id": "s2", "instruction": "Is soda fine?", "self_instructions": ["Sorry, no idea."], "self_instruct_model": "ma",
         "evolved_instruction": ERROR_MARK + "timed out after 1 s (mb at http://x)", "evol_model": "mb"},
    ]
    [out] = list(fam.process(rows))
    assert out[0]["family"] == ["Is tea fine?", "Tea and sleep?", "Email <EMAIL_ADDRESS> about tea?", "Is green tea fine at night?"]
    assert out[0]["family_origins"] == ["seed", "self-instruct", "self-instruct", "evol-instruct"]
    assert json.loads(out[0]["family_pii"][2]) == {"EMAIL_ADDRESS": 1}
    assert out[1]["family"] == ["Is soda fine?"]
    rejects = [json.loads(x) for x in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert {(r["seed_id"], r["stage"]) for r in rejects} == {("s2", "self-instruct"), ("s2", "evol-instruct")}
    si = next(r for r in rejects if r["stage"] == "self-instruct")
    assert "expected 2 queries, one per line; got 1 line" in si["reason"] and si["raw_output"] == "Sorry, no idea."
    assert next(r for r in rejects if r["stage"] == "evol-instruct")["reason"].startswith("timed out after 1 s")


def test_ultrafeedback_judge_and_quality_failures_are_per_answer(tmp_path):
    """UltraFeedback (stock distilabel task, fake server) then our Candidates step: a garbled
    judgement keeps that prompt's answers aside, the other prompt's answers go through."""
    from distilabel.steps.tasks import UltraFeedback

    from workbench.candidates.llm import build_llm, parse_llm

    with FakeLLMServer(garbage_when=[lambda p, m: "## Annotation" in p and "sunburn" in p]) as srv:
        judge = build_llm(parse_llm("j", {"kind": "openai", "base_url": srv.base_url, "model": "judge-m",
                                          "api_key_env": None, "timeout": 5, "max_retries": 0}, "c"))
        uf = UltraFeedback(name="ultrafeedback", llm=judge, aspect="overall-rating", input_mappings={"generations": "responses"},
                           output_mappings={"ratings": "uf_ratings", "rationales": "uf_rationales", "model_name": "uf_model"},
                           add_raw_input=False)
        uf.load()
        base = {"origin": "seed", "response_models": ["ta", "tb"], "response_sources": ["synthetic", "synthetic"],
                "response_pii": ["{}", "{}"]}
        rows = [{**base, "seed_id": "s1", "instruction": "Is tea fine?", "responses": ["Yes, in moderation.", "Mostly."]},
                {**base, "seed_id": "s2", "instruction": "What helps a mild sunburn?", "responses": ["Aloe.", "Cool water."]}]
        judged = next(uf.process_applying_mappings(rows))
    cand = _step("Candidates", tmp_path, ultrafeedback=True)
    [out] = list(cand.process(judged))
    assert [(o["seed_id"], o["generator"]) for o in out] == [("s1", "ta"), ("s1", "tb")]
    assert all(1 <= o["judge_rating"] <= 5 and o["judge_model"] == "judge-m" for o in out)
    rejects = [json.loads(x) for x in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [(r["seed_id"], r["stage"], r["generator"]) for r in rejects] == [("s2", "judge", "ta"), ("s2", "judge", "tb")]
    assert "unparseable output: no 'Rating: n' for text 1" in rejects[0]["reason"]
    assert "not sure what you mean" in rejects[0]["raw_output"]


def test_rubric_judge_parses_and_reports(tmp_path):
    from workbench.candidates.llm import ERROR_MARK
    from workbench.candidates.pipeline import steps

    j = steps()["RubricJudge"](name="judge", llm=_NoLLM(), template="{{ instruction }} {{ response }}",
                               columns=["instruction", "response"], values=[1, 2, 3, 4, 5])
    assert j.format_output("Rating: 4\nRationale: fine") == {"judge_rating": 4, "judge_rationale": "fine", "judge_error": None}
    assert j.format_output("Rating: 7\nRationale: x")["judge_error"] == "unparseable output: rating 7 is not on the scale 1, 2, 3, 4, 5"
    assert j.format_output(ERROR_MARK + "timed out after 1 s (j)")["judge_error"] == "timed out after 1 s (j)"


def _NoLLM():
    from workbench.candidates.llm import build_llm, parse_llm

    return build_llm(parse_llm("n", {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "n", "api_key_env": None}, "c"))


def test_deita_filtering_keeps_the_best_scores_among_diverse_candidates():
    from workbench.candidates.pipeline import deita_filter

    def cand(i, cx, q):
        return {"id": f"c{i}", "instruction": f"q{i}", "response": f"a{i}", "scores": {"complexity": cx, "quality": q}}

    vecs = {"q0\n\na0": [1, 0, 0], "q1\n\na1": [0.999, 0.01, 0], "q2\n\na2": [0, 1, 0], "q3\n\na3": [0, 0, 1]}

    def embedder(texts):
        v = np.array([vecs[t] for t in texts], dtype=float)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    cands = [cand(0, 2, 2), cand(1, 3, 3), cand(2, 1, 1), cand(3, 2, 1)]
    kept, left = deita_filter(cands, diversity_threshold=0.01, data_budget=None, embedder=embedder)
    # distilabel's DeitaFiltering measures each row's distance to its nearest neighbour among
    # all rows (not only the ones already selected): both near copies fall under the threshold
    assert [c["id"] for c in kept] == ["c2", "c3"] and [c["id"] for c in left] == ["c0", "c1"]
    assert all(c["deita_filter"]["nearest_neighbor_distance"] < 0.01 for c in left)
    kept, left = deita_filter(cands, diversity_threshold=0.0, data_budget=2, embedder=embedder)
    assert [c["id"] for c in kept] == ["c0", "c1"]  # the two best DEITA scores (9 and 4)


def _generate_cli(home: Path, cfg: dict, seeds: list[str], tmp_path: Path, interrupt_when=None):
    """``workbench candidates generate`` in a child process over a pool of ``seeds`` (no answers).

    A child process, killed with its distilabel workers if it does not end: a pipeline that
    waits forever must fail the test, not hang the suite. ``interrupt_when``: a function polled
    while it runs; once it is true, the process group gets SIGINT, as from Ctrl-C in a terminal."""
    import os
    import signal
    import subprocess
    import time

    import yaml

    pool = home / "candidates" / "pool.jsonl"
    pool.parent.mkdir(parents=True, exist_ok=True)
    pool.write_text("".join(json.dumps({"id": f"seed{i}", "instruction": text, "response": None, "source": "logs",
                                        "licence": "test", "origin": {"file": "t.jsonl", "where": f"line {i + 1}"},
                                        "pii": {"flagged": False, "counts": {}}}) + "\n"
                            for i, text in enumerate(seeds)))
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg))
    env = {**os.environ, "WORKBENCH_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "candidates", "generate", "medical-qa-rating",
                             "--config", str(path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    if interrupt_when is not None:
        deadline = time.monotonic() + 300
        while not interrupt_when() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("candidates generate did not finish: the distilabel pipeline is waiting for a batch that never comes")
    return proc.returncode, out


def test_generate_ends_when_the_last_batch_loses_every_row(home, tmp_path):
    """Every request of the last batch fails: our steps pass on an empty batch, which distilabel
    1.5.3 never hands to the next step, so the run used to wait forever. The first seed's
    candidates are stored and the failed one is retried next run. (Two seeds of the same prompt
    give the same candidate: the report says it was repeated, not "already stored".)"""
    with FakeLLMServer(broken_when=["exercise"]) as srv:
        llm = {"kind": "openai", "base_url": srv.base_url, "model": "teacher", "api_key_env": None, "max_retries": 0}
        code, out = _generate_cli(home, {"llms": {"a": llm}, "teachers": ["a"], "batch_size": 1},
                                  ["What helps a cough?", "What helps a cough?", "Is it safe to exercise with a cold?"],
                                  tmp_path)
    assert code == 0, out
    assert "3 seeds -> 1 new candidate (1 repeated in this run) in" in out, out
    assert "1 seed gave no candidate and will be retried next run" in out, out
    [cand] = [json.loads(x) for x in (home / "candidates" / "medical-qa-rating" / "candidates.jsonl").read_text().splitlines()]
    assert cand["instruction"] == "What helps a cough?" and cand["generator"] == "teacher"
    [rej] = [json.loads(x) for x in (home / "candidates" / "medical-qa-rating" / "rejects.jsonl").read_text().splitlines()]
    assert rej["stage"] == "teacher" and "exercise" in rej["instruction"] and "not JSON" in rej["reason"], rej


def test_push_report_counts_candidates_and_prompts_apart():
    from workbench.candidates.push import PushReport

    rep = PushReport("t", "t-candidates", "t", candidates=130, pushed=69, duplicates=61,
                     duplicates_by_stage={"exact": 0, "minhash": 3, "semantic": 26})
    line = rep.summary().splitlines()[1]
    assert line.startswith("  61 candidates held back as duplicates: the answers of 29 duplicate prompts (minhash 3, semantic 26); see ")


def test_an_interrupted_generate_stores_nothing_and_says_so(home, tmp_path):
    """Ctrl-C during a run: distilabel stops early and returns what its last step had, and
    generate used to store that and report a normal run (exit 0). Now nothing is stored, no seed
    is marked done (the next run starts them over, as documented) and the exit code is 130."""
    with FakeLLMServer(stall_when=["exercise"], stall_seconds=10) as srv:
        llm = {"kind": "openai", "base_url": srv.base_url, "model": "teacher", "api_key_env": None, "max_retries": 0,
               "timeout": 120}
        code, out = _generate_cli(home, {"llms": {"a": llm}, "teachers": ["a"], "batch_size": 1},
                                  ["What helps a cough?", "Is it safe to exercise with a cold?"], tmp_path,
                                  interrupt_when=lambda: any("exercise" in p for p in srv.prompts()))
    assert code == 130, out
    assert "generate was interrupted; nothing was stored and no seed was marked done: run it again to process " \
           "the 2 seeds" in out, out
    tdir = home / "candidates" / "medical-qa-rating"
    assert not (tdir / "candidates.jsonl").exists() and not (tdir / "seeds-done.json").exists()
    assert not (tdir / "rejects.jsonl").exists()


def test_generate_with_an_unreachable_endpoint_exits_1_naming_the_reason(home, tmp_path):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = {"kind": "openai", "base_url": f"http://127.0.0.1:{port}/v1", "model": "gone", "api_key_env": None,
           "max_retries": 0}
    code, out = _generate_cli(home, {"llms": {"a": llm}, "teachers": ["a"]}, ["What helps a cough?"], tmp_path)
    assert code == 1, out
    assert "no candidate: every request failed or was unusable (1 kept aside in" in out, out
    assert f"cannot connect (gone at http://127.0.0.1:{port}/v1)" in out, out
    assert not (home / "candidates" / "medical-qa-rating" / "candidates.jsonl").read_text()


def test_using_distilabel_does_not_make_tracebacks_print_local_variables():
    """``import distilabel`` installs rich's traceback handler with show_locals=True: an uncaught
    exception in a command that had loaded a candidates config printed every local variable of
    every frame (an SDK client's api_key among them)."""
    import subprocess

    code = ("from workbench.candidates import llm, pipeline\n"
            "llm._classes(); pipeline.steps()\n"
            "def f():\n    api_key = 'sk-never-print-me'\n    raise RuntimeError('boom')\n"
            "f()\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "RuntimeError: boom" in r.stderr, r.stderr[-2000:]
    assert "sk-never-print-me" not in r.stderr, r.stderr[-2000:]


# --------------------------------------------------------------------------------------------
# Environment: offline, cache under the home, no citation lookup
# --------------------------------------------------------------------------------------------


def test_distilabel_environment(home, monkeypatch):
    import datasets.config as dsconfig
    import distilabel.distiset as distiset_mod

    from workbench.candidates import storage
    from workbench.candidates.pipeline import distilabel_environment, no_citations

    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    before = dsconfig.HF_DATASETS_CACHE
    run = storage.cache_root() / "run-x"
    with distilabel_environment(run):
        import os

        assert os.environ["HF_HUB_OFFLINE"] == os.environ["HF_DATASETS_OFFLINE"] == os.environ["HF_HUB_DISABLE_TELEMETRY"] == "1"
        assert os.environ["DISTILABEL_CACHE_DIR"] == str(home.resolve() / "distilabel-cache")
        assert dsconfig.HF_DATASETS_CACHE == run / "hf-datasets"
        # the citation lookup would call arxiv2bibtex.org for DeitaFiltering's arXiv reference
        assert distiset_mod._grab_citations is no_citations
    assert dsconfig.HF_DATASETS_CACHE == before and distiset_mod._grab_citations is not no_citations
    assert "HF_DATASETS_OFFLINE" not in os.environ


def test_cache_clear_cli(home):
    from workbench.cli import main

    (home / "distilabel-cache" / "run-1" / "cache").mkdir(parents=True)
    (home / "distilabel-cache" / "run-1" / "cache" / "pipeline.log").write_text("x" * 1000)
    r = CliRunner().invoke(main, ["candidates", "cache", "clear"])
    assert r.exit_code == 0 and "removed 1 entry" in r.output
    assert list((home / "distilabel-cache").iterdir()) == []


# --------------------------------------------------------------------------------------------
# Records for Argilla
# --------------------------------------------------------------------------------------------


def test_record_content_suggestions_and_metadata(task):
    from workbench.candidates.genconfig import parse_config
    from workbench.candidates.push import record_content

    cfg = parse_config(task, {"llms": LLMS, "teachers": ["a"], "judge": {"llm": "j", "rationale_question": "critique"},
                              "deita": {"llm": "j"}, "metadata": {"judge_quality": "judge", "response_words": "response_words"}}, "c")
    c = {"instruction": "Is tea fine?", "response": "Yes, in moderation most days.", "origin": "evol-instruct",
         "instruction_source": "synthetic", "response_source": "synthetic", "generator": "ta", "licence": "internal",
         "pii": {"flagged": True, "counts": {"PERSON": 2, "EMAIL_ADDRESS": 1}},
         "scores": {"complexity": 3.0, "complexity_scale": 5, "complexity_model": "mj", "quality": 2.0, "quality_scale": 3,
                    "quality_model": "mj", "judge": 4, "judge_rationale": "Correct, a bit terse.", "judge_model": "mj"}}
    fields, meta, sugg = record_content(task, cfg, c)
    assert fields == {"instruction": "Is tea fine?", "response": "Yes, in moderation most days."}
    assert sugg == [("quality", 4, "judge:mj"), ("critique", "Correct, a bit terse.", "judge:mj")]
    assert meta["judge_score"] == 4.0 and meta["judge_quality"] == 4.0 and meta["response_words"] == 5
    assert meta["deita_complexity"] == 0.5 and meta["deita_quality"] == 0.5 and meta["deita_score"] == 0.25
    assert meta["pii_flagged"] == "yes" and meta["pii_entities"] == 3 and meta["origin"] == "evol-instruct"

    cfg2 = parse_config(task, {"llms": LLMS, "teachers": ["a"], "deita": {"llm": "j"},
                               "suggestions": {"quality": "deita_quality"}}, "c")
    _, _, sugg2 = record_content(task, cfg2, c)
    assert sugg2 == [("quality", 3, "deita-quality:mj")]  # 0.5 on a 1-5 scale
