"""``push_candidates`` on the real embedded Argilla: prompt embeddings are pushed as vectors, and a
later push dedups against the records already there through those stored vectors, embedding only
its new prompts.

The embedder is a stand-in that counts what it is asked to embed: each prompt gets a fixed random
unit vector, and a planted paraphrase gets (almost) the vector of the prompt it paraphrases, so
only the semantic stage can catch it (the two share few character shingles).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

pytestmark = pytest.mark.argilla

PARAPHRASES = {
    "Can a grown-up take paracetamol together with a cold remedy?":
        "Is it fine for adults to combine acetaminophen with flu tablets?",
    "How many hours of sleep does a teenager need?": "What amount of nightly rest suits adolescents?",
}


def _vector(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(PARAPHRASES.get(text, text).encode()).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(384)
    if text in PARAPHRASES:  # near, not equal: cosine ~0.99
        v = v + 0.15 * np.random.default_rng(seed + 1).standard_normal(384)
    return (v / np.linalg.norm(v)).astype(np.float32)


class CountingEmbedder:
    def __init__(self):
        self.calls: list[list[str]] = []

    def __call__(self, texts):
        self.calls.append(list(texts))
        return np.stack([_vector(t) for t in texts])

    @property
    def texts(self) -> list[str]:
        return [t for call in self.calls for t in call]


def _candidate(prompt: str, generator: str, judge: int = 4) -> dict:
    from workbench.demo_data import record_id

    answer = f"{generator}: rest, fluids, and see a doctor if {prompt[:30].lower()} persists."
    return {"id": record_id({"instruction": prompt, "response": answer}), "task": "medical-qa-rating",
            "seed_id": "s", "instruction": prompt, "response": answer, "origin": "seed",
            "instruction_source": "logs", "response_source": "synthetic", "generator": generator,
            "licence": "test", "pii": {"flagged": False, "counts": {}},
            "scores": {"judge": judge, "judge_rationale": "Fine.", "judge_model": "judge-m", "judge_style": "rubric"},
            "run": "t", "created_at": "2026-01-01T00:00:00+00:00"}


def _cands(prompts) -> list[dict]:
    return [_candidate(p, g) for p in prompts for g in ("teacher-a", "teacher-b")]


FIRST = ["How much water should an adult drink each day?", "Is ibuprofen safe with a stomach ulcer?",
         "Can a grown-up take paracetamol together with a cold remedy?",
         "How many hours of sleep does a teenager need?", "What helps a mild sunburn?"]
SECOND_NEW = ["When should a sprained ankle be X-rayed?", "Does vitamin D help in winter?"]
SECOND_PARAPHRASES = list(PARAPHRASES.values())  # of two prompts already pushed


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(scope="module")
def task_cfg():
    from workbench.candidates.genconfig import parse_config
    from workbench.tasks import find_task

    task = find_task("medical-qa-rating")
    llm = {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "judge-m", "api_key_env": None}
    cfg = parse_config(task, {"llms": {"j": llm}, "teachers": ["j"], "judge": {"llm": "j", "rationale_question": "critique"}},
                       "test")
    return task, cfg


def _vectors(ds) -> dict[str, tuple[str, list]]:
    from workbench.candidates.push import PROMPT_VECTOR

    return {str(r.id): (r.fields["instruction"], r.vectors.get(PROMPT_VECTOR))
            for r in ds.records(with_vectors=[PROMPT_VECTOR], with_suggestions=False, with_responses=False)}


def test_repush_embeds_only_new_prompts_and_dedups_against_stored_vectors(argilla_server, client, home, task_cfg,
                                                                          unique_name):
    from workbench.candidates import storage
    from workbench.candidates.push import PROMPT_VECTOR, push_candidates

    task, cfg = task_cfg
    path = storage.task_dir(task.name) / "candidates.jsonl"
    storage.write_jsonl(path, _cands(FIRST))
    emb = CountingEmbedder()
    rep = push_candidates(client, task, cfg, dataset=unique_name, workspace=unique_name, embedder=emb)
    assert rep.pushed == 2 * len(FIRST) and rep.duplicates == 0
    assert sorted(emb.texts) == sorted(FIRST)  # every prompt embedded once, for dedup and vector alike
    assert rep.embedded == len(FIRST)
    ds = client.datasets(name=unique_name, workspace=unique_name)
    assert PROMPT_VECTOR in {v.name for v in ds.settings.vectors}
    stored = _vectors(ds)
    assert len(stored) == 2 * len(FIRST)
    for prompt, vec in stored.values():
        np.testing.assert_allclose(vec, _vector(prompt), atol=1e-6)

    # second push: two new prompts and two paraphrases of pushed ones
    storage.write_jsonl(path, _cands(FIRST + SECOND_NEW + SECOND_PARAPHRASES))
    emb2 = CountingEmbedder()
    rep2 = push_candidates(client, task, cfg, dataset=unique_name, workspace=unique_name, embedder=emb2)
    assert sorted(emb2.texts) == sorted(SECOND_NEW + SECOND_PARAPHRASES)  # nothing already in the dataset
    assert rep2.already == 2 * len(FIRST) and rep2.pushed == 2 * len(SECOND_NEW)
    assert rep2.duplicates == 2 * len(SECOND_PARAPHRASES) and rep2.duplicates_by_stage["semantic"] == 2
    dups = storage.read_jsonl(storage.task_dir(task.name) / "duplicates.jsonl")
    by_prompt = {d["instruction"]: d["duplicate"] for d in dups}
    first_ids = {rid for rid, (p, _) in stored.items()}
    for original, para in PARAPHRASES.items():
        d = by_prompt[para]
        assert d["stage"] == "semantic" and d["of_existing_record"] and len(d["duplicate_of"]) == 1
        assert d["duplicate_of"][0] in first_ids and stored[d["duplicate_of"][0]][0] == original
        assert d["duplicate_of_prompt"] == original
    assert all(row["record_id"] not in stored for row in dups)  # each held-back candidate has its own id
    stored2 = _vectors(ds)
    assert {p for p, _ in stored2.values()} == set(FIRST + SECOND_NEW)
    for prompt, vec in stored2.values():
        np.testing.assert_allclose(vec, _vector(prompt), atol=1e-6)

    # third push, nothing new: nothing sent; only the held-back paraphrases (in no dataset) are
    # embedded again to be checked again
    emb3 = CountingEmbedder()
    rep3 = push_candidates(client, task, cfg, dataset=unique_name, workspace=unique_name, embedder=emb3)
    assert rep3.pushed == 0 and rep3.duplicates == 2 * len(SECOND_PARAPHRASES)
    assert sorted(emb3.texts) == sorted(SECOND_PARAPHRASES) and rep3.embedded == 2


def test_records_without_a_stored_vector_are_embedded_from_their_text(argilla_server, client, home, task_cfg,
                                                                      unique_name):
    """A dataset pushed without vectors: the next push embeds those records' prompts (once) to
    dedup against them; the paraphrase is still caught."""
    from workbench.candidates import storage
    from workbench.candidates.push import push_candidates

    task, cfg = task_cfg
    path = storage.task_dir(task.name) / "candidates.jsonl"
    storage.write_jsonl(path, _cands(FIRST[:3]))
    emb = CountingEmbedder()
    rep = push_candidates(client, task, cfg, dataset=unique_name, workspace=unique_name, embedder=emb, vectors=False)
    assert rep.pushed == 6
    ds = client.datasets(name=unique_name, workspace=unique_name)
    assert all(v is None for _, v in _vectors(ds).values())

    para = PARAPHRASES[FIRST[2]]
    storage.write_jsonl(path, _cands(FIRST[:3] + [para, SECOND_NEW[0]]))
    emb2 = CountingEmbedder()
    rep2 = push_candidates(client, task, cfg, dataset=unique_name, workspace=unique_name, embedder=emb2)
    assert sorted(emb2.texts) == sorted(FIRST[:3] + [para, SECOND_NEW[0]])  # each once
    assert rep2.pushed == 2 and rep2.duplicates == 2


def test_push_into_a_dataset_made_without_candidate_properties_adds_them(argilla_server, client, home, task_cfg,
                                                                         unique_name):
    """A dataset that exists already with only the task's own settings: the push creates the
    candidate metadata properties and the prompt vector on it (each once), and the records carry them."""
    from workbench.argilla_client import ensure_dataset
    from workbench.candidates import storage
    from workbench.candidates.push import CANDIDATE_METADATA, PROMPT_VECTOR, push_candidates
    from workbench.dataset_settings import settings_for

    task, cfg = task_cfg
    _, created = ensure_dataset(client, unique_name, unique_name, settings_for(task, None, client=client))
    assert created
    before = client.datasets(name=unique_name, workspace=unique_name)
    candidate_names = {name for name, *_ in CANDIDATE_METADATA} - {m.name for m in task.metadata}
    assert not candidate_names & {m.name for m in before.settings.metadata}
    assert PROMPT_VECTOR not in {v.name for v in before.settings.vectors}

    storage.write_jsonl(storage.task_dir(task.name) / "candidates.jsonl", _cands(FIRST[:2]))
    for _ in range(2):  # the second push finds them all there and adds nothing twice
        rep = push_candidates(client, task, cfg, dataset=unique_name, workspace=unique_name, embedder=CountingEmbedder())
        assert not rep.created
        ds = client.datasets(name=unique_name, workspace=unique_name)
        names = [m.name for m in ds.settings.metadata]
        assert candidate_names <= set(names) and len(names) == len(set(names))
        assert [v.name for v in ds.settings.vectors].count(PROMPT_VECTOR) == 1
    records = list(ds.records(with_vectors=[PROMPT_VECTOR], with_suggestions=False, with_responses=False))
    assert len(records) == 4
    for r in records:
        assert r.metadata["generator"] in ("teacher-a", "teacher-b")
        np.testing.assert_allclose(r.vectors[PROMPT_VECTOR], _vector(r.fields["instruction"]), atol=1e-6)


def test_push_with_a_refused_key_says_so_without_a_traceback(argilla_server, home, tmp_path):
    """The SDK's credentials error used to end the command in a 700-line traceback that listed the
    key among the local variables."""
    import os
    import subprocess
    import sys

    import yaml

    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"llms": {"j": {"kind": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "m",
                                                  "api_key_env": None}}, "teachers": ["j"]}))
    r = subprocess.run([sys.executable, "-m", "workbench.cli", "candidates", "push", "medical-qa-rating", "--config", str(cfg),
                        "--api-url", argilla_server.api_url, "--api-key", "wb-wrong-key-123"],
                       env={**os.environ, "WORKBENCH_HOME": str(home)}, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stderr[-2000:]
    assert r.stderr.strip().splitlines()[-1] == (f"error: Argilla at {argilla_server.api_url} refused the API key (HTTP 401): "
                                                 "give an owner's or admin's key with --api-key or ARGILLA_API_KEY"), r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    assert "wb-wrong-key-123" not in r.stdout + r.stderr
