"""Candidates with ``kind: ollama`` backends, end to end through ``workbench candidates generate``:
the same distilabel pipeline as the OpenAI-compatible one (teachers, rubric judge, DEITA scores),
every backend an ``OllamaLLM`` talking Ollama's native /api/chat to the fake LLM server (a test
fixture, not a model). One teacher times out on one seed, the judge gets a reply that is not JSON
for another and unparseable text for a third: those records are kept aside with their reasons and
everything else goes through.

No Argilla here (push is the same for every backend and is tested in test_candidates_e2e.py).
"""

from __future__ import annotations

import json
import re

import yaml
from click.testing import CliRunner

from fake_llm_server import FakeLLMServer

PLANTED = ["Peter Novak", "07700 900123", "maria.gonzalez@example.org", "Maria Gonzalez", "415-555-0132"]
LEAK = "(call +1 212-555-0199 or write to alan.turing@example.com)"
LEAKED = ["212-555-0199", "alan.turing@example.com"]

LOGS = [
    {"instruction": "I am Peter Novak, call me on 07700 900123. Can I take ibuprofen if I have a stomach ulcer?"},
    {"instruction": "Is it safe to exercise with a cold? Write to maria.gonzalez@example.org"},  # teacher-b times out
    {"instruction": "How long does a tension headache last? Maria Gonzalez, +1 415-555-0132"},  # judge: broken reply
    {"instruction": "What helps a mild sunburn?"},  # judge: unparseable text
    {"instruction": "Does honey help a sore throat?", "response": "Yes, a spoonful can soothe it (not for babies)."},
]


def _config(host: str) -> dict:
    def llm(model, timeout=60):
        return {"kind": "ollama", "host": host, "model": model, "timeout": timeout,
                "generation": {"options": {"temperature": 0.7, "num_predict": 256}}}

    return {
        # teacher-b gives up after 10 s (ample on a loaded machine): the server stalls 30 s
        "llms": {"teacher-a": llm("teacher-a"), "teacher-b": llm("teacher-b", 10), "judge": llm("judge-m")},
        "teachers": ["teacher-a", "teacher-b"],
        "judge": {"llm": "judge", "style": "rubric", "rationale_question": "critique"},
        "deita": {"llm": "judge"},
    }


_RATING = re.compile(r"^Rating: (\d+)\nRationale: (.*)$", re.S)


def test_generate_with_ollama_backends(tmp_path, monkeypatch):
    from workbench.candidates import storage
    from workbench.cli import main

    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")  # the client's fallback: must not be used
    runner = CliRunner()
    logs = tmp_path / "logs.jsonl"
    logs.write_text("".join(json.dumps(r) + "\n" for r in LOGS))
    r = runner.invoke(main, ["candidates", "ingest", str(logs), "--source", "logs", "--licence", "support logs"])
    assert r.exit_code == 0, r.output

    broken_judge = lambda p, m: "# Rubric" in p and "tension headache" in p  # noqa: E731
    garbled_judge = lambda p, m: "# Rubric" in p and "sunburn" in p  # noqa: E731
    with FakeLLMServer(stall_when=[lambda p, m: m == "teacher-b" and "exercise" in p], stall_seconds=30,
                       broken_when=[broken_judge], garbage_when=[garbled_judge], leak=LEAK) as srv:
        host = srv.host
        cfg_path = tmp_path / "candidates.yaml"
        cfg_path.write_text(yaml.safe_dump(_config(host)))
        r = runner.invoke(main, ["candidates", "generate", "medical-qa-rating", "--config", str(cfg_path)])
        assert r.exit_code == 0, r.output
        seen = list(srv.requests)
        # what the server answered each judge prompt, had it answered properly
        judged = {}
        for q in seen:
            prompt = "\n".join(m["content"] for m in q["body"]["messages"])
            if q["body"]["model"] == "judge-m" and "# Rubric" in prompt:
                judged[prompt] = srv.answer(prompt, "judge-m")

    assert "5 seeds ->" in r.output and "2 seeds gave no candidate and will be retried next run" in r.output, r.output

    # Every request was a native, non-streaming Ollama chat with the configured options; no other
    # path, protocol or host was used (OLLAMA_HOST pointed at a dead port).
    assert seen and {(q["path"], q["api"], q["body"]["stream"]) for q in seen} == {("/api/chat", "ollama", False)}
    assert {q["body"]["model"] for q in seen} == {"teacher-a", "teacher-b", "judge-m"}
    assert all(q["body"]["options"] == {"temperature": 0.7, "num_predict": 256} for q in seen)
    prompts = ["\n".join(m["content"] for m in q["body"]["messages"]) for q in seen]
    for p in prompts:  # no planted PII and nothing an LLM leaked reached any request
        for s in PLANTED + LEAKED:
            assert s not in p
    assert any("<PERSON>" in p for p in prompts) and any("<EMAIL_ADDRESS>" in p for p in prompts)

    cands = storage.read_candidates("medical-qa-rating")
    by_topic = {}
    for c in cands:
        topic = next(t for t in ("ibuprofen", "exercise", "honey") if t in c["instruction"])
        by_topic.setdefault(topic, set()).add(c["generator"])
    # nothing else lost: the exercise prompt kept teacher-a's answer, the logged answer joins the teachers
    assert by_topic == {"ibuprofen": {"teacher-a", "teacher-b"}, "exercise": {"teacher-a"},
                        "honey": {"logs", "teacher-a", "teacher-b"}}
    for c in cands:
        s = c["scores"]
        assert s["judge_model"] == s["quality_model"] == s["complexity_model"] == "judge-m"
        assert s["complexity"] >= 1 and 1 <= s["quality"] <= s["quality_scale"]
        # the judgement is the one the server sent for this very prompt and answer, parsed
        [reply] = [a for p, a in judged.items() if c["response"] in p and c["instruction"] in p]
        rating, rationale = _RATING.match(reply).groups()
        assert (s["judge"], s["judge_rationale"]) == (int(rating), rationale)
    assert len({c["scores"]["judge"] for c in cands}) > 1  # ratings differ by answer, not a constant
    stored = "".join(p.read_text() for p in (home / "candidates").rglob("*.jsonl"))
    for s in PLANTED + LEAKED:
        assert s not in stored

    rejects = storage.read_jsonl(storage.task_dir("medical-qa-rating") / "rejects.jsonl")
    by_stage = {}
    for x in rejects:
        by_stage.setdefault(x["stage"], []).append(x)
    assert set(by_stage) == {"teacher", "judge"}
    [timeout] = by_stage["teacher"]
    assert "exercise" in timeout["instruction"] and timeout["model"] == "teacher-b"
    assert timeout["reason"] == f"timed out after 10 s (teacher-b at {host})"
    broken = [x for x in by_stage["judge"] if "tension headache" in x["instruction"]]
    garbled = [x for x in by_stage["judge"] if "sunburn" in x["instruction"]]
    assert len(broken) == len(garbled) == 2 and len(by_stage["judge"]) == 4  # both teachers' answers each
    assert all(x["reason"].startswith(f"unreadable reply from judge-m at {host}: not JSON") and x["raw_output"] is None
               for x in broken)
    assert all(x["reason"] == "unparseable output: no 'Rating: <n>' line" and "not sure what you mean" in x["raw_output"]
               for x in garbled)
    done = storage.read_done("medical-qa-rating")
    pool = storage.read_pool()
    assert sorted(pool[s]["instruction"][:20] for s in set(pool) - set(done)) == ["How long does a tens",
                                                                                 "What helps a mild su"]
