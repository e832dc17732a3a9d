"""Generate tests/data/candidates_steps_pinned.json: what the candidate pipeline's own distilabel
steps output and keep aside, on fixed rows down each of their paths, read by
tests/test_candidates_pipeline.py.

The fixture was first produced from the code *before* the refactor of issue #18 (the six step
classes moved out of a closure in ``workbench/candidates/pipeline.py`` into
``workbench/candidates/steps.py``; no change of behaviour intended), so the move is checked
against what the code did. It pins; tests/test_candidates.py and tests/test_candidates_e2e.py
check the behaviour itself. Regenerate it only for a deliberate change, and say which entries
changed and why.

Usage::

    python tests/data/make_candidates_steps_pinned.py            # rewrite the fixture
    python tests/data/make_candidates_steps_pinned.py --check    # compare only
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

FIXTURE = HERE / "candidates_steps_pinned.json"


def _cases(mark: str) -> list[tuple[str, str, dict, list[dict]]]:
    """``(key, step class, step options, input rows)``; ``mark`` is a failed request's marker."""
    seed = {"seed_id": "s1", "instruction": "Is tea fine for Maria Gonzalez at night?"}
    return [
        ("families/both", "Families", {"use_self_instruct": True, "use_evol_instruct": True, "num_instructions": 2}, [
            {**seed, "self_instructions": ["1. Tea and sleep?", "Email bob.jones@example.com about tea?"],
             "self_instruct_model": "ma", "evolved_instruction": "Is green tea fine at night?", "evol_model": "mb",
             "distilabel_metadata": {"raw_output_self_instruct": "1. Tea and sleep?\n2. Email ..."}},
            {"seed_id": "s2", "instruction": "Is soda fine?", "self_instructions": ["Sorry, no idea."],
             "self_instruct_model": "ma", "evolved_instruction": mark + "timed out after 1 s (mb at http://x)",
             "evol_model": "mb"},
            {"seed_id": "s3", "instruction": "Coffee?", "self_instructions": ["- Coffee?", "* Decaf at 415-555-0132?"],
             "self_instruct_model": "ma", "evolved_instruction": "   ", "evol_model": "mb"},
            {"seed_id": "s4", "instruction": "Milk?", "self_instructions": None, "self_instruct_model": "ma",
             "evolved_instruction": "Warm milk?", "evol_model": "mb",
             "distilabel_metadata": {"raw_output_self_instruct": mark + "cannot connect (ma)"}},
        ]),
        ("families/evol-only", "Families", {"use_evol_instruct": True}, [
            {**seed, "evolved_instruction": "Is tea fine at night for a child?", "evol_model": "mb"},
            {"seed_id": "s2", "instruction": "Is soda fine?", "evolved_instruction": "Is soda fine?", "evol_model": "mb"},
        ]),
        ("instructions/scored", "Instructions", {"scored": True}, [
            {"seed_id": "s1", "seed_source": "logs", "response": "Yes.", "family": ["Tea?", "Green tea?"],
             "family_origins": ["seed", "evol-instruct"], "family_models": ["", "mb"], "family_pii": ["{}", "{}"],
             "complexity_scores": [1.0, 3.5], "complexity_model": "cx"},
            {"seed_id": "s2", "seed_source": "curated", "response": None, "family": ["Soda?", "Cola?"],
             "family_origins": ["seed", "self-instruct"], "family_models": ["", "ma"], "family_pii": ["{}", "{}"],
             "complexity_scores": [2.0], "complexity_model": "cx",
             "distilabel_metadata": {"raw_output_complexity": "[1] Score: 2"}},
            {"seed_id": "s3", "seed_source": "logs", "response": "", "family": ["Milk?"], "family_origins": ["seed"],
             "family_models": [""], "family_pii": ["{}"], "complexity_scores": None, "complexity_model": "cx",
             "distilabel_metadata": {"raw_output_complexity": mark + "HTTP 500 (cx)"}},
        ]),
        ("instructions/unscored", "Instructions", {}, [
            {"seed_id": "s1", "seed_source": "logs", "response": "Yes.", "family": ["Tea?", "Green tea?"],
             "family_origins": ["seed", "evol-instruct"], "family_models": ["", "mb"], "family_pii": ["{}", '{"PERSON": 1}']},
        ]),
        ("responses/two-teachers", "Responses", {"teachers": 2}, [
            {"seed_id": "s1", "instruction": "Tea?", "origin": "seed", "seed_response": "Yes, in moderation.",
             "seed_source": "logs", "answer_0": "Ask Dr. Maria Gonzalez at maria.gonzalez@example.org.",
             "answer_model_0": "ta", "answer_1": mark + "timed out after 5 s (tb)", "answer_model_1": "tb"},
            {"seed_id": "s1", "instruction": "Green tea?", "origin": "evol-instruct", "seed_response": "",
             "seed_source": "logs", "answer_0": "  ", "answer_model_0": "ta", "answer_1": mark + "HTTP 429 (tb)",
             "answer_model_1": "tb"},
            {"seed_id": "s2", "instruction": "Soda?", "origin": "seed", "seed_response": "", "seed_source": "curated",
             "answer_0": "Rarely.", "answer_model_0": "ta", "answer_1": "Sometimes.", "answer_model_1": None},
        ]),
        ("candidates/scored-uf", "Candidates", {"scored": True, "ultrafeedback": True}, [
            {"seed_id": "s1", "instruction": "Tea?", "origin": "seed", "seed_source": "logs",
             "responses": ["Yes.", "Mostly."], "response_models": ["logs", "ta"], "response_sources": ["logs", "synthetic"],
             "response_pii": ["{}", "{}"], "quality_scores": [2.0, 4.0], "quality_model": "qm",
             "uf_ratings": [4, 9], "uf_rationales": ["fine", "off scale"], "uf_model": "uf",
             "distilabel_metadata": {"raw_output_ultrafeedback": "Rating: 4 ... Rating: 9"}},
            {"seed_id": "s2", "instruction": "Soda?", "origin": "seed", "seed_source": "logs",
             "responses": ["Rarely.", "No.", "Yes."], "response_models": ["ta", "tb", "tc"],
             "response_sources": ["synthetic"] * 3, "response_pii": ["{}"] * 3, "quality_scores": [1.0, None, 2.0],
             "quality_model": "qm", "uf_ratings": [3], "uf_rationales": ["ok"], "uf_model": "uf",
             "distilabel_metadata": {"raw_output_quality": "[1] Score: 1\n[3] Score: 2" + "x" * 400}},
            {"seed_id": "s3", "instruction": "Milk?", "origin": "self-instruct", "seed_source": "logs",
             "responses": ["Warm."], "response_models": ["ta"], "response_sources": ["synthetic"], "response_pii": ["{}"],
             "quality_scores": [5.0], "quality_model": "qm", "uf_ratings": None, "uf_rationales": None, "uf_model": "uf",
             "distilabel_metadata": {"raw_output_ultrafeedback": mark + "cannot connect (uf)"}},
        ]),
        ("candidates/plain", "Candidates", {}, [
            {"seed_id": "s1", "instruction": "Tea?", "origin": "seed", "seed_source": "logs", "responses": ["Yes."],
             "response_models": ["ta"], "response_sources": ["synthetic"], "response_pii": ['{"EMAIL_ADDRESS": 1}'],
             "instruction_pii": "{}"},
        ]),
    ]


def outputs() -> dict:
    """Every pinned step output and its rejects (without their time), by key."""
    from workbench.candidates.llm import ERROR_MARK, build_llm, parse_llm
    from workbench.candidates.pipeline import steps

    classes = steps()
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for key, name, options, rows in _cases(ERROR_MARK):
            rejects = Path(tmp) / f"{key.replace('/', '-')}.jsonl"
            step = classes[name](name=name.lower(), rejects_path=str(rejects), run_id="r1", **options)
            step.load()
            produced = [list(batch) for batch in step.process(json.loads(json.dumps(rows)))]
            kept = [json.loads(x) for x in rejects.read_text().splitlines()] if rejects.exists() else []
            for r in kept:
                r.pop("rejected_at")
            out[key] = {"inputs": list(step.inputs), "outputs": list(step.outputs), "batches": produced,
                        "rejects": kept}
    llm = build_llm(parse_llm("n", {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "n",
                                    "api_key_env": None}, "c"))
    judge = classes["RubricJudge"](name="judge", llm=llm, template="{{ instruction }} {{ response }}",
                                   columns=["instruction", "response"], values=[1, 2, 3, 4, 5])
    out["rubric-judge"] = {"inputs": list(judge.inputs), "outputs": list(judge.outputs), "format_output": [
        judge.format_output(text) for text in ("Rating: 4\nRationale: fine", "Rating: 7\nRationale: x",
                                               "no rating here", ERROR_MARK + "timed out after 1 s (j)", None)]}
    return json.loads(json.dumps(out))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="compare with the fixture, write nothing")
    args = p.parse_args(argv)
    got = outputs()
    if args.check:
        old = json.loads(FIXTURE.read_text())["outputs"]
        changed = sorted(k for k in set(old) | set(got) if old.get(k) != got.get(k))
        for key in changed:
            print(f"changed: {key}")
        return 1 if changed else 0
    doc = {"note": "Produced by tests/data/make_candidates_steps_pinned.py, first from the code before the"
                   " refactor of issue #18; see that script.", "outputs": got}
    tmp = FIXTURE.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    tmp.replace(FIXTURE)
    print(f"wrote {FIXTURE} ({len(got)} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
