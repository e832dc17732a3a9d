"""``candidates push --limit N [--fill-to-plan]``: which records a limited push sends, first-come or
toward the task's coverage plan, counting what the dataset holds already."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from click.testing import CliRunner

from workbench.analytics.coverage import count_values, mix_distance
from workbench.cli import main
from workbench.errors import BadInput
from workbench.tasks import find_task

PLAN = {"gen-a": 0.35, "gen-b": 0.35, "seed-set": 0.30}  # tasks/medical-qa-rating.yaml


def _skewed(n_a=80, n_b=15, n_s=5, seed=0) -> list[dict]:
    metas = [{"source": "gen-a"}] * n_a + [{"source": "gen-b"}] * n_b + [{"source": "seed-set"}] * n_s
    return [metas[i] for i in np.random.default_rng(seed).permutation(len(metas))]


def test_fill_to_plan_is_closer_to_the_plan_than_first_come():
    from workbench.candidates.push import choose_records

    task = find_task("medical-qa-rating")
    assert task.coverage[0].shares() == PLAN
    new = _skewed()
    first, line_first = choose_records(task, new, [], 20, fill_to_plan=False)
    fill, line_fill = choose_records(task, new, [], 20, fill_to_plan=True)
    assert first == list(range(20)) and len(fill) == 20 == len(set(fill))
    mix_first = count_values([new[i] for i in first], "source")
    mix_fill = count_values([new[i] for i in fill], "source")
    assert mix_fill["seed-set"] == 5  # all the pool has (6 wanted)
    assert mix_distance(mix_fill, PLAN) < mix_distance(mix_first, PLAN)
    assert f"distance to plan {mix_distance(mix_fill, PLAN):.3f}" in line_fill
    assert f"first-come would give distance {mix_distance(mix_first, PLAN):.3f}" in line_fill
    assert "first-come (pool order)" in line_first
    # what the dataset holds counts: 10 gen-b there already, so no gen-b is taken
    there = [{"source": "gen-b"}] * 10
    fill2, _ = choose_records(task, new, there, 10, fill_to_plan=True)
    assert "gen-b" not in {new[i]["source"] for i in fill2}
    assert choose_records(task, new, there, 10, fill_to_plan=True, seed=3)[0] == \
        choose_records(task, new, there, 10, fill_to_plan=True, seed=3)[0]


def test_bad_selection_is_bad_input_before_anything_is_read(tmp_path, monkeypatch):
    from workbench.candidates.push import check_selection

    qa, notes = find_task("medical-qa-rating"), find_task("clinical-note-extraction")
    with pytest.raises(BadInput, match="needs --limit"):
        check_selection(qa, None, True)
    with pytest.raises(BadInput, match="has no coverage plan"):
        check_selection(notes, 5, True)
    with pytest.raises(BadInput, match="positive integer"):
        check_selection(qa, 0, False)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    # exit 2 without a config, candidates or a server: the check comes first
    res = CliRunner().invoke(main, ["candidates", "push", "clinical-note-extraction", "--limit", "3", "--fill-to-plan",
                                    "--api-url", "http://127.0.0.1:9"])
    assert res.exit_code == 2 and "has no coverage plan" in res.output, res.output
    res = CliRunner().invoke(main, ["candidates", "push", "medical-qa-rating", "--fill-to-plan"])
    assert res.exit_code == 2 and "needs --limit" in res.output, res.output


def _embed(texts):
    out = []
    for t in texts:
        v = np.random.default_rng(int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")).standard_normal(384)
        out.append(v / np.linalg.norm(v))
    return np.asarray(out, dtype=np.float32)


@pytest.mark.argilla
def test_limited_pushes_into_argilla_first_come_then_toward_the_plan(argilla_server, client, tmp_path, monkeypatch,
                                                                     unique_name):
    from workbench.candidates import storage
    from workbench.candidates.genconfig import parse_config
    from workbench.candidates.push import push_candidates
    from workbench.demo_data import record_id

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    task = find_task("medical-qa-rating")
    llm = {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "judge-m", "api_key_env": None}
    cfg = parse_config(task, {"llms": {"j": llm}, "teachers": ["j"], "judge": {"llm": "j"},
                              "metadata": {"source": "generator"}}, "test")
    cands = []
    for i, m in enumerate(_skewed(40, 8, 6, seed=1)):
        prompt, answer = f"Question {i}: is remedy {i} fine for a cold?", f"Answer {i} from {m['source']}."
        cands.append({"id": record_id({"instruction": prompt, "response": answer}), "task": task.name, "seed_id": str(i),
                      "instruction": prompt, "response": answer, "origin": "seed", "instruction_source": "logs",
                      "response_source": "synthetic", "generator": m["source"], "licence": "test",
                      "pii": {"flagged": False, "counts": {}}, "scores": {}})
    storage.write_jsonl(storage.task_dir(task.name) / "candidates.jsonl", cands)
    kw = dict(dataset=unique_name, workspace=unique_name, dedup=False, embedder=_embed)

    rep = push_candidates(client, task, cfg, limit=6, **kw)  # first-come: the first six of the pool
    assert rep.pushed == 6 and rep.held_back == len(cands) - 6

    def in_dataset():
        ds = client.datasets(name=unique_name, workspace=unique_name)
        return {str(r.id): r.metadata.get("source") for r in ds.records(with_suggestions=False, with_responses=False)}

    first_six = {c["id"] for c in cands[:6]}
    assert set(in_dataset()) == first_six
    rep = push_candidates(client, task, cfg, limit=14, fill_to_plan=True, seed=0, **kw)
    assert rep.pushed == 14 and "toward the coverage plan" in rep.summary()
    got = in_dataset()
    assert len(got) == 20 and first_six <= set(got)
    mix = count_values([{"source": v} for v in got.values()], "source")
    # independent: first-come would have taken the next 14 of the pool
    fc = count_values([{"source": c["generator"]} for c in cands[:20]], "source")
    assert mix_distance(mix, PLAN) < mix_distance(fc, PLAN)
    assert mix["seed-set"] == 6  # 30% of 20: the pool's six
    assert f"distance to plan {mix_distance(mix, PLAN):.3f}" in rep.summary()
