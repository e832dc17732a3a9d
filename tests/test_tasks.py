"""Task YAML validation, the shipped tasks, and the task -> Argilla settings mapping."""

from __future__ import annotations

from pathlib import Path

import argilla as rg
import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.dataset_settings import compare_settings, diff_settings, settings_for
from workbench.errors import BadInput
from workbench.guidelines import load_guideline
from workbench.tasks import QUESTION_KINDS, load_task, load_tasks, validate_task_file

REPO = Path(__file__).resolve().parents[1]

GUIDE = """\
---
version: 1
date: 2026-01-05
author: Test Author
---
# Guide
Label things.
"""

VALID = """\
name: demo
title: Demo task
guideline: demo-guide
overlap: 2
fields:
  - name: text
    type: text
  - name: answer
    type: markdown
questions:
  - name: quality
    kind: rating
    values: [1, 2, 3, 4, 5]
  - name: safety
    kind: label
    labels: [safe, needs-caveat, unsafe]
    ordinal: true
    order: as-listed
  - name: issues
    kind: multi_label
    labels: [none, wrong, vague]
  - name: note
    kind: text
    required: false
calibration:
  thresholds:
    safety: {alpha_reliable: 0.8, alpha_tentative: 0.667}
"""


def project(tmp_path: Path, task_text: str, *, name: str = "demo", guide: str | None = GUIDE) -> Path:
    """A project folder with tasks/<name>.yaml and guidelines/demo-guide/v1.md; returns the task file."""
    (tmp_path / "tasks").mkdir(parents=True, exist_ok=True)
    gdir = tmp_path / "guidelines" / "demo-guide"
    gdir.mkdir(parents=True, exist_ok=True)
    if guide is not None:
        (gdir / "v1.md").write_text(guide)
    f = tmp_path / "tasks" / f"{name}.yaml"
    f.write_text(task_text)
    return f


def line_of(text: str, marker: str, nth: int = 1) -> int:
    """1-based line number of the nth line containing ``marker``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if marker in line]
    return hits[nth - 1]


def problems_for(tmp_path: Path, text: str) -> list:
    f = project(tmp_path, text)
    task, problems = validate_task_file(f, shown="tasks/demo.yaml")
    assert task is None
    return problems


def only(problems: list, field: str):
    hits = [p for p in problems if p.field == field]
    assert hits, f"no problem on {field!r}; got {[str(p) for p in problems]}"
    return hits[0]


def test_valid_task_loads_with_model(tmp_path):
    task = load_task(project(tmp_path, VALID))
    assert task.name == "demo" and task.overlap == 2
    assert [f.name for f in task.fields] == ["text", "answer"]
    assert task.fields[1].use_markdown and not task.fields[0].use_markdown
    safety = task.question("safety")
    assert safety.ordinal and safety.order == ("safe", "needs-caveat", "unsafe") and safety.level == "ordinal"
    assert task.question("quality").level == "interval" and task.question("quality").categories == (1, 2, 3, 4, 5)
    assert task.question("issues").level == "masi"
    assert task.question("note").required is False and task.question("note").level == "none"
    # thresholds: defaults for questions not mentioned, none for the text question
    names = [q for q, _ in task.calibration.thresholds]
    assert names == ["quality", "safety", "issues"]
    assert task.calibration.for_question("quality").alpha_reliable == pytest.approx(0.800)
    assert task.calibration.for_question("quality").alpha_tentative == pytest.approx(0.667)
    with pytest.raises(BadInput, match="note"):
        task.calibration.for_question("note")


BAD_CASES = [
    # (id, edit of VALID, field, marker on the expected line [or (marker, nth)], words the message must contain)
    ("unknown kind", lambda t: t.replace("kind: multi_label", "kind: multilabel"),
     "questions[2].kind", "kind: multilabel", ["'multilabel'", *QUESTION_KINDS]),
    ("duplicate label", lambda t: t.replace("labels: [none, wrong, vague]", "labels:\n      - none\n      - wrong\n      - none"),
     "questions[2].labels", ("      - none", 2), ["duplicate label 'none'"]),
    ("ordinal without order", lambda t: t.replace("    order: as-listed\n", ""),
     "questions[1]", "- name: safety", ["ordinal", "order"]),
    ("order not a permutation", lambda t: t.replace("order: as-listed", "order: [safe, unsafe, risky]"),
     "questions[1].order", "order: [safe", ["'risky'", "needs-caveat"]),
    ("rating without values", lambda t: t.replace("    values: [1, 2, 3, 4, 5]\n", ""),
     "questions[0]", "- name: quality", ["values"]),
    ("rating value out of range", lambda t: t.replace("values: [1, 2, 3, 4, 5]", "values: [1, 2, 3, 4, 50]"),
     "questions[0].values", "values: [1, 2, 3, 4, 50]", ["50", "[0, 10]"]),
    ("overlap zero", lambda t: t.replace("overlap: 2", "overlap: 0"),
     "overlap", "overlap: 0", ["0", "at least 1"]),
    ("guideline missing", lambda t: t.replace("guideline: demo-guide", "guideline: no-such-guide"),
     "guideline", "guideline: no-such-guide", ["'no-such-guide'", "does not exist"]),
    ("duplicate question name", lambda t: t.replace("- name: note", "- name: quality"),
     "questions[3].name", ("- name: quality", 2), ["duplicate name 'quality'"]),
    ("duplicate field name", lambda t: t.replace("- name: answer", "- name: text"),
     "fields[1].name", ("- name: text", 2), ["duplicate name 'text'"]),
    ("threshold above 1", lambda t: t.replace("alpha_reliable: 0.8,", "alpha_reliable: 1.2,"),
     "calibration.thresholds.safety.alpha_reliable", "alpha_reliable: 1.2", ["1.2", "[-1, 1]"]),
    ("threshold below -1", lambda t: t.replace("alpha_tentative: 0.667", "alpha_tentative: -1.5"),
     "calibration.thresholds.safety.alpha_tentative", "alpha_tentative: -1.5", ["-1.5", "[-1, 1]"]),
    ("tentative above reliable", lambda t: t.replace("alpha_tentative: 0.667", "alpha_tentative: 0.9"),
     "calibration.thresholds.safety.alpha_tentative", "alpha_tentative: 0.9", ["0.9", "0.8"]),
    ("threshold for unknown question", lambda t: t.replace("    safety: {", "    safty: {"),
     "calibration.thresholds.safty", "safty:", ["'safty'"]),
    ("misspelt key", lambda t: t.replace("labels: [none, wrong, vague]", "lables: [none, wrong, vague]"),
     "questions[2].lables", "lables:", ["unknown key 'lables'"]),
    ("level for wrong kind", lambda t: t.replace("kind: multi_label\n", "kind: multi_label\n    level: interval\n"),
     "questions[2].level", "level: interval", ["'interval'", "masi"]),
    ("span over unknown field", lambda t: t.replace("  - name: note\n    kind: text\n    required: false\n",
                                                    "  - name: spans\n    kind: span\n    field: body\n    labels: [drug]\n"),
     "questions[3].field", "field: body", ["'body'", "answer, text"]),
]


@pytest.mark.parametrize("case", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_named_with_file_line_field_value(tmp_path, case):
    _, edit, field, marker, words = case
    text = edit(VALID)
    assert text != VALID, "the edit did not apply"
    problems = problems_for(tmp_path, text)
    p = only(problems, field)
    assert p.file == "tasks/demo.yaml"
    marker, nth = marker if isinstance(marker, tuple) else (marker, 1)
    assert p.line == line_of(text, marker, nth)
    for w in words:
        assert w in p.message, (w, str(p))
    assert str(p).startswith(f"tasks/demo.yaml:{p.line}: {field}: ")


def test_duplicate_field_names_reported_on_the_second(tmp_path):
    text = VALID.replace("- name: answer", "- name: text")
    p = only(problems_for(tmp_path, text), "fields[1].name")
    assert "fields[0]" in p.message and f"line {line_of(text, '- name: text')}" in p.message


def test_malformed_yaml_gives_yaml_line(tmp_path):
    text = VALID.replace("    type: markdown", "   type: markdown")  # bad indentation
    problems = problems_for(tmp_path, text)
    assert len(problems) == 1
    assert problems[0].line == line_of(text, "   type: markdown")
    assert "malformed YAML" in problems[0].message


def test_missing_or_unreadable_task_file_is_one_problem_naming_it(tmp_path):
    task, problems = validate_task_file(tmp_path / "nope.yaml", shown="tasks/nope.yaml")
    assert task is None and [str(p) for p in problems] == ["tasks/nope.yaml: file does not exist"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9\n".encode("latin-1"))
    task, problems = validate_task_file(latin)
    assert task is None and len(problems) == 1
    # the file, line and byte that are not UTF-8; never the text around them
    assert str(problems[0]) == f"{latin}:1: byte 0xe9 at column 10 is not UTF-8 text; re-save the file as UTF-8"


def test_unclosed_flow_list_is_malformed(tmp_path):
    text = VALID.replace("values: [1, 2, 3, 4, 5]", "values: [1, 2, 3, 4, 5")
    problems = problems_for(tmp_path, text)
    assert len(problems) == 1 and "malformed YAML" in problems[0].message and problems[0].line is not None


def test_guideline_without_versions(tmp_path):
    f = project(tmp_path, VALID, guide=None)
    _, problems = validate_task_file(f)
    p = only(problems, "guideline")
    assert "no versions" in p.message and "'demo-guide'" in p.message


def test_guideline_with_invalid_version_is_reported_through_the_task(tmp_path):
    f = project(tmp_path, VALID, guide=GUIDE.replace("author: Test Author\n", ""))
    _, problems = validate_task_file(f)
    p = only(problems, "guideline")
    assert "author" in p.message and "v1.md" in p.message


def test_duplicate_yaml_key_is_caught(tmp_path):
    text = VALID.replace("overlap: 2\n", "overlap: 2\noverlap: 3\n")
    p = only(problems_for(tmp_path, text), "overlap")
    assert "twice" in p.message and p.line == line_of(text, "overlap: 3")


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    text = (VALID.replace("overlap: 2", "overlap: 0")
            .replace("kind: multi_label", "kind: multilabel")
            .replace("alpha_reliable: 0.8,", "alpha_reliable: 1.2,")
            .replace("- name: answer", "- name: text"))
    fields = {p.field for p in problems_for(tmp_path, text)}
    assert {"overlap", "questions[2].kind", "calibration.thresholds.safety.alpha_reliable", "fields[1].name"} <= fields


def test_load_task_raises_bad_input_listing_problems(tmp_path):
    f = project(tmp_path, VALID.replace("overlap: 2", "overlap: 0").replace("kind: multi_label", "kind: multilabel"))
    with pytest.raises(BadInput) as err:
        load_task(f)
    msg = str(err.value)
    assert "2 problems" in msg and ":4: overlap:" in msg and "questions[2].kind" in msg


def test_name_must_match_file(tmp_path):
    f = project(tmp_path, VALID, name="other")
    _, problems = validate_task_file(f)
    p = only(problems, "name")
    assert "'demo'" in p.message and "other.yaml" in p.message


def test_cli_validate_exit_codes(tmp_path):
    runner = CliRunner()
    good = project(tmp_path, VALID)
    res = runner.invoke(main, ["task", "validate", str(good)])
    assert res.exit_code == 0, res.output
    assert "ok" in res.output and "demo" in res.output and "overlap 2" in res.output
    bad_text = VALID.replace("overlap: 2", "overlap: 0").replace("kind: multi_label", "kind: multilabel")
    bad = project(tmp_path / "b", bad_text)
    res = runner.invoke(main, ["task", "validate", str(bad)])
    assert res.exit_code == 2
    assert f"{bad}:{line_of(bad_text, 'overlap: 0')}: overlap:" in res.output
    assert f"{bad}:{line_of(bad_text, 'kind: multilabel')}: questions[2].kind:" in res.output


# ------------------------------------------------------------------------------------------
# The shipped tasks
# ------------------------------------------------------------------------------------------


def test_shipped_tasks_validate():
    tasks = load_tasks(REPO / "tasks")
    assert set(tasks) == {"medical-qa-rating", "clinical-note-extraction"}
    runner = CliRunner()
    res = runner.invoke(main, ["task", "validate", *(str(REPO / "tasks" / f"{n}.yaml") for n in tasks)])
    assert res.exit_code == 0, res.output


def test_medical_task_content():
    t = load_task(REPO / "tasks" / "medical-qa-rating.yaml")
    assert t.question("safety").order == ("safe", "needs-caveat", "unsafe")
    assert t.question("quality").values == (1, 2, 3, 4, 5)
    assert {"factual-error", "missing-caveat", "overconfident", "off-topic", "harmful-advice"} <= set(t.question("issues").label_values)
    assert t.question("critique").kind == "text" and not t.question("critique").required
    assert t.calibration.for_question("safety").min_gold_agreement == pytest.approx(0.85)
    judge = [m for m in t.metadata if m.name.startswith("judge_")]
    assert judge and all(not m.visible_for_annotators for m in judge)
    assert len(t.load_guideline()) >= 2


def test_clinical_task_content():
    t = load_task(REPO / "tasks" / "clinical-note-extraction.yaml")
    span = t.question("entities")
    assert span.kind == "span" and span.field == "note"
    assert {"medication", "dosage", "condition"} <= set(span.label_values)
    assert t.question("note_type").kind == "label" and t.question("sections").kind == "multi_label"
    assert t.question("legibility").kind == "rating"


# ------------------------------------------------------------------------------------------
# settings_for / diff_settings
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def medical():
    return load_task(REPO / "tasks" / "medical-qa-rating.yaml")


def test_settings_for_medical(medical):
    guide = load_guideline(REPO / "guidelines" / "medical-qa-rating")
    s = settings_for(medical, guide.get(2))
    assert isinstance(s, rg.Settings)
    assert [type(f) for f in s.fields] == [rg.TextField, rg.TextField]
    assert s.fields["instruction"].use_markdown is False and s.fields["response"].use_markdown is True
    q = s.questions
    assert isinstance(q["quality"], rg.RatingQuestion) and q["quality"].values == [1, 2, 3, 4, 5]
    assert isinstance(q["safety"], rg.LabelQuestion) and q["safety"].labels == ["safe", "needs-caveat", "unsafe"]
    assert isinstance(q["issues"], rg.MultiLabelQuestion) and q["issues"].labels == list(medical.question("issues").label_values)
    assert isinstance(q["critique"], rg.TextQuestion) and q["critique"].required is False
    assert s.distribution.min_submitted == medical.overlap == 3
    assert {m.name for m in s.metadata} == {m.name for m in medical.metadata}
    assert isinstance(s.metadata["judge_quality"], rg.FloatMetadataProperty)
    assert s.metadata["judge_quality"].visible_for_annotators is False
    assert s.metadata["source"].options == ["gen-a", "gen-b", "seed-set"]
    assert s.vectors["response_embedding"].dimensions == 384
    assert s.guidelines.splitlines()[0].count("Guideline v2 (2026-03-01)") == 1
    s.validate()  # the SDK's own checks (unique names, fields and questions present)
    assert rg.Argilla._default_client is None or rg.Argilla._default_client.api_key != "offline"


def test_settings_for_ordinal_labels_follow_explicit_order(tmp_path):
    text = VALID.replace("order: as-listed", "order: [unsafe, needs-caveat, safe]")
    task = load_task(project(tmp_path, text))
    s = settings_for(task, 1)
    assert s.questions["safety"].labels == ["unsafe", "needs-caveat", "safe"]


def test_settings_for_span(tmp_path):
    t = load_task(REPO / "tasks" / "clinical-note-extraction.yaml")
    s = settings_for(t, None)
    span = s.questions["entities"]
    assert isinstance(span, rg.SpanQuestion) and span.field == "note"
    assert span.labels == ["medication", "dosage", "frequency", "condition"]
    assert span.allow_overlapping is False
    assert s.questions["legibility"].values == [1, 2, 3, 4]


def test_settings_for_refuses_foreign_guideline(medical):
    other = load_guideline(REPO / "guidelines" / "clinical-note-extraction").latest
    with pytest.raises(BadInput, match="clinical-note-extraction"):
        settings_for(medical, other)


def _targets(changes):
    return {c.target for c in changes}


def test_diff_identical_is_empty(medical):
    s = settings_for(medical, 2)
    assert diff_settings(medical, s, 2) == ([], [])
    assert diff_settings(medical, s) == ([], [])  # guideline not compared when no version is given


def test_diff_guideline_and_distribution_allowed(medical):
    existing = settings_for(medical, 1).serialize()
    existing["distribution"]["min_submitted"] = 2
    allowed, refused = diff_settings(medical, existing, 2)
    assert refused == []
    assert _targets(allowed) == {"guidelines", "distribution.min_submitted"}


def test_diff_label_rules(medical):
    wanted = settings_for(medical, 2).serialize()

    def with_safety_options(values, texts=None):
        d = settings_for(medical, 2).serialize()
        q = next(x for x in d["questions"] if x["name"] == "safety")
        q["settings"]["options"] = [{"value": v, "text": (texts or {}).get(v, v)} for v in values]
        return d

    # existing dataset lacks 'unsafe': adding a label is refused
    allowed, refused = compare_settings(wanted, with_safety_options(["safe", "needs-caveat"]))
    assert _targets(refused) == {"questions.safety.labels"} and "added ['unsafe']" in refused[0].reason
    # same labels in another order, other display text: allowed
    allowed, refused = compare_settings(wanted, with_safety_options(["unsafe", "safe", "needs-caveat"], {"safe": "Safe"}))
    assert refused == [] and _targets(allowed) == {"questions.safety.labels", "questions.safety.label_texts"}
    # a renamed label: refused
    allowed, refused = compare_settings(wanted, with_safety_options(["safe", "caveat", "unsafe"]))
    assert _targets(refused) == {"questions.safety.labels"}


def test_diff_refused_structure_changes(medical):
    wanted = settings_for(medical, 2).serialize()
    existing = settings_for(medical, 2).serialize()
    quality = next(x for x in existing["questions"] if x["name"] == "quality")
    quality["settings"]["options"] = [{"value": v} for v in (1, 2, 3, 4)]
    quality["title"] = "Old title"
    existing["questions"] = [x for x in existing["questions"] if x["name"] != "critique"]
    next(x for x in existing["fields"] if x["name"] == "response")["required"] = False
    src = next(x for x in existing["metadata"] if x["name"] == "source")
    src["settings"]["values"] = ["gen-a"]
    existing["metadata"] = [x for x in existing["metadata"] if x["name"] != "topic"]
    existing["vectors"][0]["dimensions"] = 768
    allowed, refused = compare_settings(wanted, existing)
    assert _targets(refused) == {
        "questions.quality.values", "questions.critique", "fields.response.required",
        "metadata.source.options", "vectors.response_embedding.dimensions",
    }
    assert _targets(allowed) == {"questions.quality.title", "metadata.topic"}


def test_diff_span_overlap_only_switches_on():
    t = load_task(REPO / "tasks" / "clinical-note-extraction.yaml")
    base = settings_for(t, 1).serialize()
    on = settings_for(t, 1).serialize()
    next(x for x in on["questions"] if x["name"] == "entities")["settings"]["allow_overlapping"] = True
    allowed, refused = compare_settings(on, base)  # switching on
    assert _targets(allowed) == {"questions.entities.allow_overlapping"} and refused == []
    allowed, refused = compare_settings(base, on)  # switching off
    assert _targets(refused) == {"questions.entities.allow_overlapping"} and allowed == []


# ------------------------------------------------------------------------------------------
# Against the real server: the rules diff_settings encodes are the ones argilla-server applies
# ------------------------------------------------------------------------------------------


@pytest.mark.argilla
def test_settings_round_trip_and_update_rules_on_real_server(client, unique_name, medical):
    import requests

    ws = rg.Workspace(name=unique_name, client=client).create()
    ds = rg.Dataset(name=unique_name, workspace=ws, settings=settings_for(medical, 1, client=client), client=client).create()
    fetched = client.datasets(unique_name, workspace=ws)
    # What the server stores is what settings_for asked for: no difference at all.
    assert diff_settings(medical, fetched.settings, 1) == ([], [])

    # Allowed: a new guideline version. Applying it makes the difference disappear.
    allowed, refused = diff_settings(medical, fetched.settings, 2)
    assert _targets(allowed) == {"guidelines"} and refused == []
    fetched.settings.guidelines = settings_for(medical, 2).guidelines
    fetched.update()
    assert diff_settings(medical, client.datasets(unique_name, workspace=ws).settings, 2) == ([], [])

    api = client.api_url.rstrip("/")
    headers = {"X-Argilla-Api-Key": client.api_key}
    qids = {q.name: q.id for q in client.datasets(unique_name, workspace=ws).settings.questions}

    def patch_question(name, body):
        return requests.patch(f"{api}/api/v1/questions/{qids[name]}", json=body, headers=headers, timeout=30)

    # Allowed by diff_settings -> accepted by the server: same labels, new order and texts.
    wanted = settings_for(medical, 2).serialize()
    reordered = [{"value": "unsafe", "text": "Unsafe"}, {"value": "safe", "text": "safe"}, {"value": "needs-caveat", "text": "needs-caveat"}]
    current = client.datasets(unique_name, workspace=ws).settings.serialize()
    next(q for q in current["questions"] if q["name"] == "safety")["settings"]["options"] = reordered
    allowed, refused = compare_settings(current, wanted)
    assert refused == [] and {"questions.safety.labels", "questions.safety.label_texts"} <= _targets(allowed)
    assert patch_question("safety", {"settings": {"type": "label_selection", "options": reordered}}).status_code == 200

    # Refused by diff_settings -> refused by the server: a label added.
    more = [*reordered, {"value": "unknown", "text": "unknown"}]
    next(q for q in current["questions"] if q["name"] == "safety")["settings"]["options"] = more
    _, refused = compare_settings(current, wanted)
    assert "questions.safety.labels" in _targets(refused)
    assert patch_question("safety", {"settings": {"type": "label_selection", "options": more}}).status_code == 422

    # Refused: rating options. The server's update schema has no options: they stay as they were.
    patch_question("quality", {"settings": {"type": "rating", "options": [{"value": v} for v in (1, 2, 3)]}})
    assert client.datasets(unique_name, workspace=ws).settings.questions["quality"].values == [1, 2, 3, 4, 5]

    # Refused: a new question on a published dataset.
    resp = requests.post(f"{api}/api/v1/datasets/{ds.id}/questions", headers=headers, timeout=30, json={
        "name": "extra", "title": "Extra", "required": False,
        "settings": {"type": "text"},
    })
    assert resp.status_code == 422

    # Allowed: a new metadata property, and the distribution.
    resp = requests.post(f"{api}/api/v1/datasets/{ds.id}/metadata-properties", headers=headers, timeout=30, json={
        "name": "batch", "title": "Batch", "settings": {"type": "terms"},
    })
    assert resp.status_code == 201, resp.text
    resp = requests.patch(f"{api}/api/v1/datasets/{ds.id}", headers=headers, timeout=30,
                          json={"distribution": {"strategy": "overlap", "min_submitted": 2}})
    assert resp.status_code == 200, resp.text
    allowed, refused = diff_settings(medical, client.datasets(unique_name, workspace=ws).settings, 2)
    assert refused == [] and {"metadata.batch", "distribution.min_submitted"} <= _targets(allowed)


def test_project_dir_fallback_to_the_checkout_is_said_once_on_stderr(tmp_path, monkeypatch, capsys):
    import workbench.tasks as tasks_mod

    monkeypatch.delenv("WORKBENCH_PROJECT_DIR", raising=False)
    monkeypatch.setattr(tasks_mod, "_fallback_noticed", False)
    monkeypatch.chdir(tmp_path)
    checkout = Path(tasks_mod.__file__).resolve().parent.parent
    assert tasks_mod.project_dir() == checkout
    err = capsys.readouterr().err
    assert str(tmp_path) in err and str(checkout / "tasks") in err and "WORKBENCH_PROJECT_DIR" in err
    assert tasks_mod.project_dir() == checkout
    assert capsys.readouterr().err == ""  # once per process

    # a tasks/ folder in the current directory, or the variable, is used without a word
    monkeypatch.setattr(tasks_mod, "_fallback_noticed", False)
    (tmp_path / "tasks").mkdir()
    assert tasks_mod.project_dir() == tmp_path.resolve()
    other = tmp_path / "other"
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(other))
    assert tasks_mod.project_dir() == other.resolve()
    assert capsys.readouterr().err == ""


EXPORT = """\
export:
  prompt: text
  completion: answer
  accept:
    quality: {min: 4}
    safety: [safe]
    issues: {none_of: [wrong]}
  rank_by: quality
  tie: {safety: highest, default: lowest}
  holdout_sources: {}
"""

EXPORT_CASES = [
    ("prompt not a field", lambda t: t.replace("prompt: text", "prompt: body"), "export.prompt", "prompt: body",
     ["'body'", "text, answer"]),
    ("accept unknown answer", lambda t: t.replace("safety: [safe]", "safety: [sfe]"), "export.accept.safety",
     "safety: [sfe]", ["'sfe'", "safe, needs-caveat, unsafe"]),
    ("accept on a text question", lambda t: t.replace("    safety: [safe]\n", "    safety: [safe]\n    note: [x]\n"),
     "export.accept.note", "note: [x]", ["text question"]),
    ("min on a label", lambda t: t.replace("safety: [safe]", "safety: {min: 2}"), "export.accept.safety.min",
     "safety: {min: 2}", ["rating question"]),
    ("rank_by a label", lambda t: t.replace("rank_by: quality", "rank_by: safety"), "export.rank_by",
     "rank_by: safety", ["'safety'", "ratings and rankings: quality"]),
    ("bad tie rule", lambda t: t.replace("safety: highest", "safety: coin"), "export.tie.safety", "tie:",
     ["'coin'", "drop, lowest, highest"]),
    ("misspelt key", lambda t: t.replace("rank_by:", "rankby:"), "export.rankby", "rankby:", ["unknown key"]),
]


def test_export_section_loads_with_per_question_tie_rules(tmp_path):
    task = load_task(project(tmp_path, VALID + EXPORT))
    assert task.export.prompt == "text" and task.export.completion == "answer"
    assert task.export.accept == (("quality", "min", (4,)), ("safety", "in", ("safe",)),
                                  ("issues", "none_of", ("wrong",)))
    assert dict(task.export.tie) == {"quality": "lowest", "safety": "highest", "issues": "lowest"}


@pytest.mark.parametrize("case", EXPORT_CASES, ids=[c[0] for c in EXPORT_CASES])
def test_export_section_problems_name_line_field_and_value(tmp_path, case):
    _, edit, field, marker, words = case
    text = edit(VALID + EXPORT)
    problems = problems_for(tmp_path, text)
    p = only(problems, field)
    assert p.line == line_of(text, marker)
    for w in words:
        assert w in p.message, (w, str(p))
