"""The candidate pipeline's own distilabel steps: top-level classes in workbench.candidates.steps
with declared columns that chain, the same output as before they moved out of a closure, and
distilabel imported only when a pipeline is built.

(The steps' behaviour is tested in tests/test_candidates.py, the whole pipeline in
tests/test_candidates_e2e.py.)
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from data_scripts import load

DATA = Path(__file__).resolve().parent / "data"
PINNED = json.loads((DATA / "candidates_steps_pinned.json").read_text())["outputs"]
STEP_NAMES = ["RedactingStep", "Families", "Instructions", "Responses", "Candidates", "RubricJudge"]
LLMS = {"a": {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "ma", "api_key_env": None},
        "j": {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "mj", "api_key_env": None}}


@pytest.fixture()
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(h))
    return h


@pytest.fixture(scope="module")
def now():
    """The steps' outputs as the current code gives them (tests/data/make_candidates_steps_pinned.py)."""
    return load("make_candidates_steps_pinned").outputs()


def test_the_pinned_cases_cover_every_step():
    assert {key.split("/")[0] for key in PINNED} == {"families", "instructions", "responses", "candidates",
                                                      "rubric-judge"}
    assert sum(len(v.get("rejects", [])) for v in PINNED.values()) >= 10  # the failure paths are in


@pytest.mark.parametrize("key", sorted(PINNED))
def test_step_output_and_rejects_are_unchanged(now, key):
    assert now[key] == PINNED[key]


def test_steps_are_top_level_classes_of_their_own_module():
    from distilabel.steps import Step, StepInput

    from workbench.candidates import pipeline, steps

    assert sorted(pipeline.steps()) == sorted(STEP_NAMES)
    for name in STEP_NAMES:
        cls = getattr(steps, name)
        assert pipeline.steps()[name] is cls
        assert (cls.__module__, cls.__qualname__) == ("workbench.candidates.steps", name)
        assert issubclass(cls, Step)
        assert pickle.loads(pickle.dumps(cls)) is cls  # found by its name, as a worker process finds it
    for name in ("Families", "Instructions", "Responses", "Candidates"):
        process = getattr(steps, name).process
        assert process.__annotations__["inputs"] is StepInput  # what distilabel looks for, not a string


def test_every_output_row_has_the_declared_output_columns(now):
    for key, result in now.items():
        for batch in result.get("batches", []):
            for row in batch:
                missing = [c for c in result["outputs"] if c not in row]
                assert missing == [], (key, missing)


@pytest.mark.parametrize("judge", ["rubric", "ultrafeedback"])
def test_the_declared_columns_chain_in_a_full_pipeline(home, tmp_path, judge):
    """distilabel's own check of a pipeline (each step's inputs among its predecessors' outputs,
    after mappings; ``process`` takes a ``StepInput``) passes with every optional stage on."""
    from workbench.candidates.genconfig import parse_config
    from workbench.candidates.pipeline import build_pipeline, distilabel_environment
    from workbench.candidates.steps import Candidates, Families, Instructions, Responses, RubricJudge
    from workbench.tasks import find_task

    task = find_task("medical-qa-rating")
    cfg = parse_config(task, {"llms": LLMS, "teachers": ["a", "j"], "self_instruct": {"llm": "a"},
                              "evol_instruct": {"llm": "a"}, "deita": {"llm": "j"},
                              "judge": {"llm": "j", "style": judge}}, "c.yaml")
    seeds = [{"seed_id": "s1", "instruction": "Is tea fine?", "response": "", "seed_source": "logs"}]
    with distilabel_environment(tmp_path / "run"):
        pipeline = build_pipeline(task, cfg, seeds, run_id="r1", run_dir=tmp_path / "run",
                                  rejects_path=tmp_path / "rejects.jsonl")
        pipeline.dag.validate()
    ours = {name: type(pipeline.dag.get_step(name)["step"]) for name in pipeline.dag
            if type(pipeline.dag.get_step(name)["step"]).__module__ == "workbench.candidates.steps"}
    expected = {"families": Families, "instructions": Instructions, "responses": Responses, "candidates": Candidates}
    if judge == "rubric":
        expected["judge"] = RubricJudge
    assert ours == expected


def test_the_pipeline_module_and_the_cli_help_do_not_import_distilabel():
    code = ("import sys\n"
            "import workbench.candidates.pipeline, workbench.candidates.outputs\n"
            "from click.testing import CliRunner\n"
            "from workbench.cli import main\n"
            "for args in (['--help'], ['candidates', '--help'], ['candidates', 'generate', '--help']):\n"
            "    assert CliRunner().invoke(main, args).exit_code == 0, args\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'distilabel'))\n"
            "print('workbench.candidates.steps' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:2] == ["[]", "False"]
