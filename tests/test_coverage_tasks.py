"""``coverage:`` in a task file: the plan's shape, and every bad plan named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.tasks import CoveragePlan, load_task, validate_task_file

REPO = Path(__file__).resolve().parents[1]
GUIDE = "---\nversion: 1\ndate: 2026-01-05\nauthor: A\n---\n# Guide\nLabel things.\n"
BASE = """\
name: cov
guideline: g
fields: [{name: text}]
questions: [{name: q, kind: label, labels: [a, b]}]
metadata:
  - {name: topic, kind: terms, options: [cardiology, respiratory, other]}
  - {name: kind, kind: terms}
  - {name: words, kind: integer}
"""


def write(tmp_path: Path, coverage: str) -> Path:
    (tmp_path / "tasks").mkdir(exist_ok=True)
    (tmp_path / "guidelines" / "g").mkdir(parents=True, exist_ok=True)
    (tmp_path / "guidelines" / "g" / "v1.md").write_text(GUIDE)
    f = tmp_path / "tasks" / "cov.yaml"
    f.write_text(BASE + coverage)
    return f


def problems(tmp_path: Path, coverage: str) -> list:
    task, probs = validate_task_file(write(tmp_path, coverage), shown="tasks/cov.yaml")
    assert task is None
    return probs


def line_of(text: str, marker: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if marker in line)


def test_one_plan_as_a_mapping(tmp_path):
    task = load_task(write(tmp_path, "coverage:\n  property: topic\n  tolerance: 0.1\n"
                                     "  target: {cardiology: 0.3, respiratory: 0.3, other: 0.4}\n"))
    assert task.coverage == (CoveragePlan("topic", (("cardiology", 0.3), ("respiratory", 0.3), ("other", 0.4)), 0.1),)
    assert task.coverage[0].shares() == {"cardiology": 0.3, "respiratory": 0.3, "other": 0.4}


def test_several_plans_as_a_list_default_tolerance_and_no_plan(tmp_path):
    task = load_task(write(tmp_path, "coverage:\n  - property: topic\n    target: {cardiology: 1}\n"
                                     "  - {property: kind, target: {qa: 0.25, edge-case: 0.75}, tolerance: 0.02}\n"))
    assert [(p.property, p.tolerance) for p in task.coverage] == [("topic", 0.05), ("kind", 0.02)]
    # a property without options takes any value; decimal shares need only sum to 1 within 1e-9
    assert load_task(write(tmp_path, "")).coverage == ()
    ok = load_task(write(tmp_path, "coverage: {property: kind, target: {a: 0.1, b: 0.2, c: 0.7}}\n"))
    assert [v for v, _ in ok.coverage[0].target] == ["a", "b", "c"]


@pytest.mark.parametrize("coverage, marker, field, words", [
    ("coverage:\n  property: topic\n  target: {cardiology: 0.5, respiratory: 0.3, other: 0.3}\n",
     "target:", "coverage.target", ["sum to 1.1", "not 1"]),
    ("coverage:\n  property: topic\n  target:\n    cardiology: 0.5\n    cardio: 0.5\n",
     "cardio: 0.5", "coverage.target.cardio", ["'cardio' is not a value", "options: cardiology, respiratory, other"]),
    ("coverage:\n  property: topics\n  target: {a: 1}\n",
     "property: topics", "coverage.property", ["'topics' is not a metadata property", "terms properties: topic, kind"]),
    ("coverage:\n  property: words\n  target: {a: 1}\n",
     "property: words", "coverage.property", ["'words' is an integer property"]),
    ("coverage:\n  property: kind\n  target:\n    a: 1.2\n    b: -0.2\n",
     "b: -0.2", "coverage.target.b", ["share -0.2 of 'b' is negative"]),
    ("coverage:\n  property: kind\n  target: {a: high}\n",
     "target:", "coverage.target.a", ["share 'high' of 'a' must be a number"]),
    ("coverage:\n  property: kind\n  tolerance: 0\n  target: {a: 1}\n",
     "tolerance: 0", "coverage.tolerance", ["0 is outside (0, 1)"]),
    ("coverage:\n  property: kind\n",
     "property: kind", "coverage", ["missing 'target'"]),
    ("coverage:\n  property: kind\n  target: {a: 1}\n  shares: {a: 1}\n",
     "shares:", "coverage.shares", ["unknown key 'shares'"]),
    ("coverage:\n  - {property: kind, target: {a: 1}}\n  - {property: kind, target: {b: 1}}\n",
     "target: {b: 1}", "coverage[1].property", ["already has a coverage plan at coverage[0]", "line"]),
    ("coverage: [topic]\n", "coverage:", "coverage[0]", ["must be a mapping"]),
    ("coverage: topic\n", "coverage:", "coverage", ["must be a mapping"]),
])
def test_bad_plan_named_with_file_line_and_field(tmp_path, coverage, marker, field, words):
    probs = problems(tmp_path, coverage)
    hits = [p for p in probs if p.field == field]
    assert hits, [str(p) for p in probs]
    p = hits[0]
    assert p.file == "tasks/cov.yaml" and p.line == line_of(BASE + coverage, marker)
    for w in words:
        assert w in p.message, p.message


def test_bad_plan_exits_2_with_the_location_and_nothing_else(tmp_path, monkeypatch):
    f = write(tmp_path, "coverage:\n  property: topic\n  target: {cardiology: 0.6, respiratory: 0.6}\n")
    res = CliRunner().invoke(main, ["coverage", str(f)])
    assert res.exit_code == 2, res.output
    assert f"{f}:{line_of(f.read_text(), 'target:')}: coverage.target: the shares sum to 1.2" in res.output
    assert "Traceback" not in res.output


def test_shipped_demo_task_has_a_plan_over_a_declared_property():
    task = load_task(REPO / "tasks" / "medical-qa-rating.yaml")
    (plan,) = task.coverage
    prop = next(m for m in task.metadata if m.name == plan.property)
    assert prop.kind == "terms" and set(plan.shares()) <= set(prop.options)
    assert abs(sum(plan.shares().values()) - 1) <= 1e-9
