"""Candidates end to end on the real embedded Argilla: ingest a logs file with planted PII and
planted paraphrase duplicates, generate with the fake LLM server (Self-Instruct, Evol-Instruct, two
teachers, rubric judge, DEITA) where one teacher times out and the judge garbles one prompt's
verdicts, push through the CLI, then read everything back through Argilla's REST API.

One pipeline run for the whole file (distilabel starts a process per step).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import requests
import yaml
from click.testing import CliRunner

from fake_llm_server import FakeLLMServer

pytestmark = pytest.mark.argilla

PLANTED = ["Peter Novak", "07700 900123", "maria.gonzalez@example.org", "Maria Gonzalez", "415-555-0132",
           "4111 1111 1111 1111"]
#: What the fake server adds to every query it writes and answer it gives, as an LLM leaking PII would.
LEAK = "(call +1 212-555-0199 or write to alan.turing@example.com)"
LEAKED = ["212-555-0199", "alan.turing@example.com"]

PARAPHRASE_A = "How much water should an adult drink each day?"
PARAPHRASE_B = "How much water should a grown-up drink every day?"

LOGS = [
    {"instruction": PARAPHRASE_A, "response": "About 1.5 to 2 litres of fluid for most adults, more in hot weather."},
    {"instruction": PARAPHRASE_B},
    {"instruction": "I am Peter Novak, call me on 07700 900123. Can I take ibuprofen if I have a stomach ulcer?"},
    {"instruction": "What helps a mild sunburn?"},  # every LLM garbles this family
    {"instruction": "Is it safe to exercise with a cold? Write to maria.gonzalez@example.org"},  # teacher-b times out
    {"instruction": "How long does a tension headache last? Maria Gonzalez, +1 415-555-0132, card 4111 1111 1111 1111"},
]


def _config(base_url: str) -> dict:
    def llm(model, timeout=60):
        return {"kind": "openai", "base_url": base_url, "model": model, "api_key_env": None, "timeout": timeout, "max_retries": 0}

    return {
        # teacher-b gives up after 10 s (ample on a loaded machine): the fake server stalls 30 s
        # on the prompts about exercise
        "llms": {"teacher-a": llm("teacher-a"), "teacher-b": llm("teacher-b", 10), "judge": llm("judge-m")},
        "self_instruct": {"llm": "teacher-a", "num_instructions": 2},
        "evol_instruct": {"llm": "teacher-a"},
        "teachers": ["teacher-a", "teacher-b"],
        "judge": {"llm": "judge", "style": "rubric", "rationale_question": "critique"},
        "deita": {"llm": "judge"},
        "metadata": {"judge_quality": "judge", "response_words": "response_words"},
    }


def _records(api_url: str, api_key: str, dataset_id: str) -> list[dict]:
    resp = requests.get(f"{api_url}/api/v1/datasets/{dataset_id}/records",
                        params={"include": ["suggestions"], "limit": 1000},
                        headers={"X-Argilla-Api-Key": api_key}, timeout=60)
    resp.raise_for_status()
    return resp.json()["items"]


def test_candidates_end_to_end(argilla_server, client, tmp_path, monkeypatch, unique_name):
    import argilla as rg

    from workbench.candidates import storage
    from workbench.cli import main
    from workbench.dedup import DedupConfig, dedup_candidates

    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    # what this run writes is checked, not the state of the machine's home: distilabel may have
    # run here before (issue #15), so its default cache is compared before and after
    user_cache = Path.home() / ".cache" / "distilabel"
    cache_before = sorted(user_cache.rglob("*")) if user_cache.exists() else None
    monkeypatch.setenv("ARGILLA_API_URL", argilla_server.api_url)
    monkeypatch.setenv("ARGILLA_API_KEY", argilla_server.api_key)
    runner = CliRunner()

    logs = tmp_path / "support-logs.jsonl"
    logs.write_bytes(b"\n".join([json.dumps(r).encode() for r in LOGS] + [b'{"instruction": "caf\xe9?"}',
                                                                         json.dumps(LOGS[0]).encode()]) + b"\n")
    r = runner.invoke(main, ["candidates", "ingest", str(logs), "--source", "logs", "--licence", "support logs, ToS 4.2"])
    assert r.exit_code == 0, r.output
    assert "8 records read; 6 added to the pool as logs, 0 already there, 1 repeated in the file" in r.output
    assert "1 record kept aside" in r.output

    # With bs4 importable, building the Distiset would fetch BibTeX from arxiv2bibtex.org for the
    # steps with arXiv references: make bs4 importable and watch for such requests.
    import types

    fetched: list[str] = []
    real_get = requests.get

    def spy_get(url, *a, **kw):
        if "arxiv" in str(url):
            fetched.append(str(url))
            raise requests.ConnectionError("no network in tests")
        return real_get(url, *a, **kw)

    monkeypatch.setitem(sys.modules, "bs4", types.SimpleNamespace(BeautifulSoup=object))
    monkeypatch.setattr(requests, "get", spy_get)

    garbled_judge = lambda p, m: "# Rubric" in p and "tension headache" in p  # noqa: E731
    with FakeLLMServer(garbage_when=["sunburn", garbled_judge], stall_when=[lambda p, m: m == "teacher-b" and "exercise" in p],
                       stall_seconds=30, leak=LEAK) as llm:
        cfg_path = tmp_path / "candidates.yaml"
        cfg_path.write_text(yaml.safe_dump(_config(llm.base_url)))
        r = runner.invoke(main, ["candidates", "generate", "medical-qa-rating", "--config", str(cfg_path)])
        assert r.exit_code == 0, r.output
        prompts = llm.prompts()
        models = set(llm.models())

    # the sunburn family (all garbled) and the headache family (every verdict garbled) gave no
    # candidate: their seeds are not marked done, so the next run retries them
    assert "6 seeds ->" in r.output and "2 seeds gave no candidate and will be retried next run" in r.output, r.output
    done = storage.read_done("medical-qa-rating")
    pool = storage.read_pool()
    retry = sorted(pool[s]["instruction"][:24] for s in set(pool) - set(done))
    assert retry == ["How long does a tension ", "What helps a mild sunbur"]
    assert models == {"teacher-a", "teacher-b", "judge-m"}
    assert fetched == []
    # No planted PII, and nothing an LLM leaked, reached any LLM request.
    for p in prompts:
        for s in PLANTED + LEAKED:
            assert s not in p
    assert any("<EMAIL_ADDRESS>" in p for p in prompts)  # the leak was redacted, not dropped

    cands = storage.read_candidates("medical-qa-rating")
    rejects = storage.read_jsonl(storage.task_dir("medical-qa-rating") / "rejects.jsonl")
    stages = {(x["stage"], x.get("model")) for x in rejects}
    assert ("teacher", "teacher-b") in stages and ("judge", "judge-m") in stages and ("self-instruct", "teacher-a") in stages
    timeouts = [x for x in rejects if x["stage"] == "teacher"]
    assert timeouts and all(x["reason"].startswith("timed out after 10 s (teacher-b at http://127.0.0.1") for x in timeouts), \
        [(x["model"], x["reason"]) for x in timeouts]
    assert all("exercise" in x["instruction"] for x in timeouts)
    judged_badly = [x for x in rejects if x["stage"] == "judge"]
    assert judged_badly and all("tension headache" in x["instruction"] for x in judged_badly)
    assert all(x["reason"] == "unparseable output: no 'Rating: <n>' line" for x in judged_badly)
    # nothing else lost: the exercise prompts kept teacher-a's answers, the others have both teachers
    exercise = [c for c in cands if "exercise" in c["instruction"]]
    assert exercise and {c["generator"] for c in exercise} == {"teacher-a"}
    ibuprofen = [c for c in cands if "ibuprofen" in c["instruction"]]
    assert {c["generator"] for c in ibuprofen} == {"teacher-a", "teacher-b"}
    assert {c["origin"] for c in ibuprofen} == {"seed", "self-instruct", "evol-instruct"}
    assert not any("sunburn" in c["instruction"] or "tension headache" in c["instruction"] for c in cands)
    seed_a = [c for c in cands if c["instruction"] == PARAPHRASE_A]
    assert {c["generator"] for c in seed_a} == {"logs", "teacher-a", "teacher-b"}  # the logged answer joins the teachers
    for c in cands:
        s = c["scores"]
        assert s["judge"] in (1, 2, 3, 4, 5) and s["complexity"] >= 1 and s["quality"] >= 1
    stored = "".join(p.read_text() for p in (home / "candidates").rglob("*.jsonl"))
    for s in PLANTED + LEAKED:
        assert s not in stored
    assert (sorted(user_cache.rglob("*")) if user_cache.exists() else None) == cache_before  # nothing written there
    assert list((home / "distilabel-cache").iterdir())

    # The planted paraphrases: MinHash alone keeps both, the semantic stage catches them.
    import pandas as pd

    pair = pd.DataFrame({"id": ["a", "b"], "text": [PARAPHRASE_A, PARAPHRASE_B]})
    assert len(dedup_candidates(pair, "text", None, "id", config=DedupConfig(semantic=None))[0]) == 2
    assert len(dedup_candidates(pair, "text", None, "id")[0]) == 1

    name = f"{unique_name}-cands"
    r = runner.invoke(main, ["candidates", "push", "medical-qa-rating", "--config", str(cfg_path), "--dataset", name,
                             "--workspace", unique_name])
    assert r.exit_code == 0, r.output
    ds = client.datasets(name=name, workspace=unique_name)
    recs = _records(argilla_server.api_url, argilla_server.api_key, str(ds.id))
    report_line = next(line for line in r.output.splitlines() if "pushed to dataset" in line)
    assert f"{len(recs)} records pushed to dataset {name}" in report_line and "created" in report_line
    dups = storage.read_jsonl(storage.task_dir("medical-qa-rating") / "duplicates.jsonl")
    assert len(recs) + len(dups) == len(cands)

    # no PII anywhere in Argilla
    dump = json.dumps(recs)
    for s in PLANTED + LEAKED:
        assert s not in dump
    assert "<PERSON>" in dump
    # no duplicates: one of the paraphrased seeds only, no repeated content
    seeds_in = {x["fields"]["instruction"] for x in recs} & {PARAPHRASE_A, PARAPHRASE_B}
    assert len(seeds_in) == 1
    assert any(d["instruction"] in (PARAPHRASE_A, PARAPHRASE_B) and d["duplicate"]["stage"] == "semantic" for d in dups)
    # every held-back candidate points at records that are in the dataset
    pushed_ids = {x["external_id"] for x in recs}
    assert all(d["duplicate"]["duplicate_of"] and set(d["duplicate"]["duplicate_of"]) <= pushed_ids for d in dups)
    assert len({x["external_id"] for x in recs}) == len(recs)
    assert len({(x["fields"]["instruction"], x["fields"]["response"]) for x in recs}) == len(recs)
    # scores as suggestions with agent names, and as metadata
    by_id = {c["id"]: c for c in cands}
    questions = {str(q.id): q.name for q in ds.settings.questions}
    for x in recs:
        c = by_id[x["external_id"]]
        sugg = {questions[s["question_id"]]: s for s in x["suggestions"]}
        assert sugg["quality"]["value"] == c["scores"]["judge"] and sugg["quality"]["agent"] == "judge:judge-m"
        assert sugg["quality"]["type"] == "model"
        assert sugg["critique"]["value"] == c["scores"]["judge_rationale"] and sugg["critique"]["agent"] == "judge:judge-m"
        m = x["metadata"]
        assert m["judge_score"] == m["judge_quality"] == c["scores"]["judge"]
        assert m["deita_score"] == pytest.approx(m["deita_complexity"] * m["deita_quality"])
        assert m["instruction_source"] in ("logs", "synthetic") and m["generator"] == c["generator"]
        assert m["licence"] == "support logs, ToS 4.2"
    flagged = [x for x in recs if "ibuprofen" in x["fields"]["instruction"]]  # the seed had a name and a phone
    assert flagged and all(x["metadata"]["pii_flagged"] == "yes" and x["metadata"]["pii_entities"] >= 2 for x in flagged)
    judge_prop = next(p for p in ds.settings.metadata if p.name == "judge_score")
    assert judge_prop.visible_for_annotators is False

    # re-running changes nothing
    before = {x["id"]: x["updated_at"] for x in recs}
    r = runner.invoke(main, ["candidates", "push", "medical-qa-rating", "--config", str(cfg_path), "--dataset", name,
                             "--workspace", unique_name])
    assert r.exit_code == 0, r.output
    assert f"0 records pushed to dataset {name} (workspace {unique_name}); {len(recs)} already there" in r.output
    after = {x["id"]: x["updated_at"] for x in _records(argilla_server.api_url, argilla_server.api_key, str(ds.id))}
    assert after == before

    # an interrupted push resumes: same records, none twice
    from workbench.candidates.genconfig import load_config
    from workbench.candidates.push import push_candidates
    from workbench.tasks import find_task

    task = find_task("medical-qa-rating")
    cfg = load_config(task, cfg_path)

    class Interrupted(Exception):
        pass

    def stop(n):
        raise Interrupted(n)

    resume = f"{unique_name}-resume"
    with pytest.raises(Interrupted):
        push_candidates(client, task, cfg, dataset=resume, workspace=unique_name, batch_size=5, on_batch=stop)
    ds2 = client.datasets(name=resume, workspace=unique_name)
    assert len(_records(argilla_server.api_url, argilla_server.api_key, str(ds2.id))) == 5
    rep = push_candidates(client, task, cfg, dataset=resume, workspace=unique_name, batch_size=5)
    assert rep.already == 5 and rep.pushed == len(recs) - 5
    recs2 = _records(argilla_server.api_url, argilla_server.api_key, str(ds2.id))
    assert sorted(x["external_id"] for x in recs2) == sorted(x["external_id"] for x in recs)
    assert isinstance(ds2, rg.Dataset)
