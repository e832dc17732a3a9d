"""``workbench task apply``: a task file changed after its datasets exist, on the real embedded server.

Each test works on its own copy of medical-qa-rating (unique name, so its own workspace and
datasets) with a calibration round and a production round holding records and a submitted
response, recorded in a private history store.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]

def run(*args):
    from workbench.cli import main

    return CliRunner().invoke(main, [str(a) for a in args])


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in the task file"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def snapshot(client, workspace: str, name: str) -> dict:
    """A dataset's settings as the server returns them, without timestamps."""
    ds = client.datasets(name=name, workspace=client.workspaces(workspace))
    s = ds.settings.serialize()

    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in ("updated_at", "inserted_at")}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj

    return strip(s)


def make_rounds(client, tmp_path, monkeypatch, name: str, source: str, records: list[dict], responses: dict):
    """A copy of task ``source`` named ``name`` with two round datasets (calibration r1 with
    distribution 3, production r2 with the task's overlap), ``records`` and one owner response
    (``responses``) in each, recorded in a private store."""
    import argilla as rg

    from workbench import argilla_client
    from workbench.dataset_settings import settings_for
    from workbench.store import HistoryStore
    from workbench.tasks import load_task

    proj = tmp_path / "project"
    (proj / "tasks").mkdir(parents=True)
    text = (REPO / "tasks" / f"{source}.yaml").read_text(encoding="utf-8")
    task_file = proj / "tasks" / f"{name}.yaml"
    task_file.write_text(text.replace(f"\nname: {source}\n", f"\nname: {name}\n", 1), encoding="utf-8")
    shutil.copytree(REPO / "guidelines" / source, proj / "guidelines" / source)
    url = f"sqlite:///{tmp_path / 'history.db'}"
    monkeypatch.setenv("WORKBENCH_STORE_URL", url)
    store = HistoryStore(url)
    task = load_task(task_file)
    datasets = {}
    for number, kind, min_submitted in ((1, "calibration", 3), (2, "production", task.overlap)):
        settings = settings_for(task, 1, client=client)
        settings.distribution = rg.TaskDistribution(min_submitted=min_submitted)
        ds_name = f"{name}-{kind}-r{number}"
        ds, _ = argilla_client.ensure_dataset(client, ds_name, name, settings)
        ds.records.log([rg.Record(id=f"{kind}-{i}", **r) for i, r in enumerate(records)])
        rec = next(iter(ds.records()))
        for question, value in responses.items():
            rec.responses.add(rg.Response(question, value, user_id=client.me.id, status="submitted"))
        ds.records.log([rec])
        store.record_round(task=name, round=number, kind=kind, dataset=ds_name, workspace=name,
                           dataset_id=str(ds.id), guideline_version=1)
        datasets[kind] = ds_name

    class P:
        pass

    p = P()
    p.name, p.file, p.store, p.datasets = name, task_file, store, datasets
    return p


MEDICAL_RESPONSES = {"safety": "needs-caveat", "quality": 4, "issues": ["incomplete"]}


@pytest.fixture()
def applied(argilla_server, client, tmp_path, monkeypatch, unique_name):
    """medical-qa-rating copied, with two rounds holding records and a response."""
    records = [{"fields": {"instruction": f"question {i}?", "response": f"answer {i}"},
                "metadata": {"source": "gen-a", "judge_quality": 3.5}} for i in range(4)]
    return make_rounds(client, tmp_path, monkeypatch, f"{unique_name}-mqa", "medical-qa-rating", records,
                       MEDICAL_RESPONSES)


def snapshots(client, p) -> dict:
    return {k: snapshot(client, p.name, v) for k, v in p.datasets.items()}


@pytest.mark.argilla
def test_allowed_changes_are_applied_read_back_and_a_second_run_is_a_no_op(applied, client):
    p = applied
    before = snapshots(client, p)
    edit(p.file, "title: Assistant answer", "title: The assistant's answer")
    edit(p.file, "title: Overall quality (1 = wrong or useless, 5 = excellent)", "title: Overall quality, 1 to 5")
    edit(p.file, "    required: false\n", "    required: false\n    description: One or two sentences.\n    use_markdown: true\n")
    # same label values, another order and a display text
    edit(p.file, "      - none\n      - factual-error\n",
         "      - factual-error\n      - {value: none, text: No issue}\n")
    edit(p.file, "    min: 1.0\n    max: 5.0\n    visible_for_annotators: false\n", "    min: 1.0\n    max: 5.0\n")
    edit(p.file, "metadata:\n", "metadata:\n  - {name: batch, kind: terms, title: Batch, options: [b1, b2]}\n")
    edit(p.file, "vectors:\n", "vectors:\n  - {name: question_embedding, title: Question embedding, dimensions: 8}\n")
    edit(p.file, "overlap: 3", "overlap: 2")

    dry = run("task", "apply", p.file, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "nothing was changed" in dry.output
    assert "would apply fields.response.title: 'Assistant answer' -> \"The assistant's answer\"" in dry.output
    assert "would apply distribution.min_submitted: 3 -> 2" in dry.output
    assert snapshots(client, p) == before  # the dry run changed nothing

    res = run("task", "apply", p.file)
    assert res.exit_code == 0, res.output
    assert "applied" in res.output and "to 2 dataset(s)" in res.output
    for kind, ds_name in p.datasets.items():
        ds = client.datasets(name=ds_name, workspace=client.workspaces(p.name))
        s = ds.settings
        assert s.fields["response"].title == "The assistant's answer"
        assert s.questions["quality"].title == "Overall quality, 1 to 5"
        assert s.questions["critique"].description == "One or two sentences."
        assert s.questions["critique"].use_markdown is True
        issues = next(q for q in s.serialize()["questions"] if q["name"] == "issues")
        assert [o["value"] for o in issues["settings"]["options"]][:2] == ["factual-error", "none"]
        assert issues["settings"]["options"][1]["text"] == "No issue"
        assert s.metadata["judge_quality"].visible_for_annotators is True
        assert s.metadata["batch"].options == ["b1", "b2"]
        assert s.vectors["question_embedding"].dimensions == 8
        # production follows the overlap; calibration keeps the team size it was created with
        assert s.distribution.min_submitted == (2 if kind == "production" else 3)
        # records and the submitted response survive
        records = list(ds.records(with_responses=True))
        assert len(records) == 4
        answered = [r for r in records if len(r.responses) > 0]
        assert len(answered) == 1
        assert {r.question_name: r.value for r in answered[0].responses} == MEDICAL_RESPONSES
        # the guideline text is publish's business: untouched
        assert s.guidelines == before[kind]["guidelines"]

    after = snapshots(client, p)
    again = run("task", "apply", p.file)
    assert again.exit_code == 0, again.output
    assert "nothing to change: 2 dataset(s)" in again.output and "already matches" in again.output
    assert snapshots(client, p) == after


@pytest.mark.argilla
def test_span_overlap_markdown_field_and_visible_labels_are_applied(argilla_server, client, tmp_path, monkeypatch,
                                                                   unique_name):
    note = "Metformin 500 mg twice daily for type 2 diabetes."
    records = [{"fields": {"note": note + f" ({i})"}, "metadata": {"specialty": "endocrinology"}} for i in range(3)]
    spans = [{"label": "medication", "start": 0, "end": 9}, {"label": "dosage", "start": 10, "end": 16}]
    p = make_rounds(client, tmp_path, monkeypatch, f"{unique_name}-cne", "clinical-note-extraction", records,
                    {"entities": spans, "note_type": "progress-note", "sections": ["medications"], "legibility": 3})
    edit(p.file, "allow_overlapping: false", "allow_overlapping: true")
    edit(p.file, "    title: Clinical note\n    type: text\n", "    title: Clinical note\n    type: markdown\n")
    edit(p.file, "      - other\n    level: nominal\n", "      - other\n    visible_labels: 3\n    level: nominal\n")
    res = run("task", "apply", p.file)
    assert res.exit_code == 0, res.output
    for ds_name in p.datasets.values():
        ds = client.datasets(name=ds_name, workspace=client.workspaces(p.name))
        assert ds.settings.questions["entities"].allow_overlapping is True
        assert ds.settings.fields["note"].use_markdown is True
        assert ds.settings.questions["note_type"].visible_labels == 3
        answered = [r for r in ds.records(with_responses=True) if len(r.responses) > 0]
        assert {r.question_name for r in answered[0].responses} == {"entities", "note_type", "sections", "legibility"}
    again = run("task", "apply", p.file)
    assert again.exit_code == 0 and "nothing to change" in again.output, again.output
    # switching overlap off again is refused: existing spans may overlap
    edit(p.file, "allow_overlapping: true", "allow_overlapping: false")
    res = run("task", "apply", p.file)
    assert res.exit_code == 2 and "refused questions.entities.allow_overlapping: True -> False" in res.output


REFUSED_EDITS = [
    # (id, old, new, target named, old -> new shown)
    ("label added", "      - unsafe\n", "      - unsafe\n      - unknown\n",
     "questions.safety.labels", "added ['unknown']"),
    ("question kind", "  - name: critique\n    kind: text\n", "  - name: critique\n    kind: label\n    labels: [ok, bad]\n",
     "questions.critique.type", "'text' -> 'label_selection'"),
    ("question added", "questions:\n", "questions:\n  - {name: extra, kind: text, required: false}\n",
     "questions.extra", "None -> 'text'"),
    ("rating values", "values: [1, 2, 3, 4, 5]", "values: [1, 2, 3]",
     "questions.quality.values", "[1, 2, 3, 4, 5] -> [1, 2, 3]"),
    ("terms option added", "options: [gen-a, gen-b, seed-set]", "options: [gen-a, gen-b, seed-set, gen-c]",
     "metadata.source.options", "['gen-a', 'gen-b', 'seed-set'] -> ['gen-a', 'gen-b', 'seed-set', 'gen-c']"),
    ("metadata range", "    min: 0\n    max: 2000\n", "    min: 0\n    max: 5000\n",
     "metadata.response_words.max", "2000 -> 5000"),
    ("vector dimensions", "dimensions: 384", "dimensions: 768",
     "vectors.response_embedding.dimensions", "384 -> 768"),
    ("metadata deleted", "  - name: topic\n    kind: terms\n    title: Health topic\n", "",
     "metadata.topic", "--allow-deletions"),
]


@pytest.mark.argilla
@pytest.mark.parametrize("case", REFUSED_EDITS, ids=[c[0] for c in REFUSED_EDITS])
def test_refused_change_changes_nothing_and_names_file_dataset_target_and_values(applied, client, case):
    _, old, new, target, shown = case
    p = applied
    # an allowed change in the same file must not be applied either
    edit(p.file, "title: Assistant answer", "title: Changed title")
    edit(p.file, old, new)
    before = snapshots(client, p)
    res = run("task", "apply", p.file)
    assert res.exit_code == 2, res.output
    out = res.output
    assert str(p.file) in out and "nothing was changed on any dataset" in out
    for ds_name in p.datasets.values():
        assert re.search(rf"{re.escape(ds_name)} \(workspace {re.escape(p.name)}\):\n(    .*\n)*    refused {re.escape(target)}", out), out
    assert shown in out
    assert "allowed, not applied fields.response.title" in out
    assert "workbench round create" in out  # what to do instead
    assert snapshots(client, p) == before


@pytest.mark.argilla
def test_metadata_deletion_with_allow_deletions(applied, client):
    p = applied
    edit(p.file, "  - name: topic\n    kind: terms\n    title: Health topic\n", "")
    res = run("task", "apply", p.file, "--allow-deletions")
    assert res.exit_code == 0, res.output
    assert "applied metadata.topic: 'terms' -> None" in res.output
    for ds_name in p.datasets.values():
        ds = client.datasets(name=ds_name, workspace=client.workspaces(p.name))
        assert ds.settings.metadata["topic"] is None and ds.settings.metadata["source"] is not None


@pytest.mark.argilla
def test_rejected_options_are_really_not_updatable_on_the_server(applied, client):
    """What apply refuses for metadata options and bounds: the server answers 200 and keeps the old ones."""
    import requests

    p = applied
    ds = client.datasets(name=p.datasets["production"], workspace=client.workspaces(p.name))
    api, headers = client.api_url.rstrip("/"), {"X-Argilla-Api-Key": client.api_key}
    source, words = ds.settings.metadata["source"], ds.settings.metadata["response_words"]
    r1 = requests.patch(f"{api}/api/v1/metadata-properties/{source.id}", headers=headers, timeout=30,
                        json={"settings": {"type": "terms", "values": ["gen-a", "gen-b", "seed-set", "gen-c"]}})
    r2 = requests.patch(f"{api}/api/v1/metadata-properties/{words.id}", headers=headers, timeout=30,
                        json={"settings": {"type": "integer", "min": 0, "max": 5000}})
    assert r1.status_code == 200 and r2.status_code == 200
    fresh = client.datasets(name=p.datasets["production"], workspace=client.workspaces(p.name)).settings
    assert fresh.metadata["source"].options == ["gen-a", "gen-b", "seed-set"]
    assert fresh.metadata["response_words"].max == 2000


@pytest.mark.argilla
def test_no_dataset_yet_missing_dataset_and_unrecorded_round(argilla_server, client, tmp_path, monkeypatch,
                                                             unique_name):
    from workbench import argilla_client
    from workbench.dataset_settings import settings_for
    from workbench.store import HistoryStore
    from workbench.tasks import load_task

    name = f"{unique_name}-mqa"
    proj = tmp_path / "project"
    (proj / "tasks").mkdir(parents=True)
    text = (REPO / "tasks" / "medical-qa-rating.yaml").read_text(encoding="utf-8")
    task_file = proj / "tasks" / f"{name}.yaml"
    task_file.write_text(text.replace("\nname: medical-qa-rating\n", f"\nname: {name}\n", 1), encoding="utf-8")
    shutil.copytree(REPO / "guidelines" / "medical-qa-rating", proj / "guidelines" / "medical-qa-rating")
    url = f"sqlite:///{tmp_path / 'history.db'}"
    monkeypatch.setenv("WORKBENCH_STORE_URL", url)
    res = run("task", "apply", task_file)
    assert res.exit_code == 0, res.output
    assert "has no dataset in Argilla yet" in res.output
    HistoryStore(url).record_round(task=name, round=1, kind="calibration", dataset=f"{name}-calibration-r1",
                                   workspace=name, dataset_id="gone", guideline_version=1)
    res = run("task", "apply", task_file)
    assert res.exit_code == 0, res.output
    assert f"{name}-calibration-r1 (workspace {name}): recorded for calibration round 1 but no longer in Argilla" in res.output
    # a round dataset a killed `round create` left unrecorded is found in the task's workspace
    unrecorded = f"{name}-production-r2"
    argilla_client.ensure_dataset(client, unrecorded, name, settings_for(load_task(task_file), 1, client=client))
    edit(task_file, "title: Health topic", "title: Topic")
    res = run("task", "apply", task_file)
    assert res.exit_code == 0, res.output
    assert f"{unrecorded} (workspace {name}):\n    applied metadata.topic.title: 'Health topic' -> 'Topic'" in res.output
    ds = client.datasets(name=unrecorded, workspace=client.workspaces(name))
    assert ds.settings.metadata["topic"].title == "Topic"


def test_unreachable_argilla_exits_1(tmp_path, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("ARGILLA_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ARGILLA_API_KEY", "x" * 20)
    res = run("task", "apply", REPO / "tasks" / "medical-qa-rating.yaml")
    assert res.exit_code == 1
    assert f"Argilla at http://127.0.0.1:{port} does not answer" in res.output
