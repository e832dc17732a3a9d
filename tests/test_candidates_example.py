"""The annotated example candidates config ships as package data and is a valid config."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_example_is_read_as_package_data_and_written_by_the_cli(home, tmp_path):
    from workbench.candidates.genconfig import example_text, load_config
    from workbench.cli import main
    from workbench.tasks import find_task

    text = example_text()
    assert text == (REPO / "workbench" / "candidates" / "example.yaml").read_text(encoding="utf-8")
    out = tmp_path / "cfg" / "medical-qa-rating.yaml"
    r = CliRunner().invoke(main, ["candidates", "example", "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == text
    cfg = load_config(find_task("medical-qa-rating"), out)
    assert cfg.teachers == ("teacher-a", "teacher-b") and cfg.judge.style == "rubric" and cfg.dedup is not None
    # an existing file is not overwritten
    out.write_text("mine\n")
    r = CliRunner().invoke(main, ["candidates", "example", "--output", str(out)])
    assert r.exit_code == 2 and "file exists" in r.output and out.read_text() == "mine\n"
    r = CliRunner().invoke(main, ["candidates", "example"])
    assert r.exit_code == 0 and r.output == text


def test_example_written_where_generate_looks_says_to_run_generate_without_config(home, tmp_path, monkeypatch):
    from workbench.cli import main

    project = tmp_path / "project"
    (project / "tasks").mkdir(parents=True)
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(project))
    out = project / "candidates" / "medical-qa-rating.yaml"
    r = CliRunner().invoke(main, ["candidates", "example", "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.strip().endswith("then run `workbench candidates generate medical-qa-rating`"), r.output
    other = tmp_path / "elsewhere.yaml"
    r = CliRunner().invoke(main, ["candidates", "example", "--output", str(other)])
    assert r.output.strip().endswith(f"then run `workbench candidates generate TASK --config {other}`"), r.output


def test_missing_config_points_at_the_example_command(home):
    from workbench.cli import main

    r = CliRunner().invoke(main, ["candidates", "generate", "medical-qa-rating"])
    assert r.exit_code == 2
    assert "no candidates config for task 'medical-qa-rating'" in r.output
    assert "workbench candidates example --output" in r.output


def test_pyproject_ships_the_example_as_package_data():
    import tomllib

    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "example.yaml" in data["tool"]["setuptools"]["package-data"]["workbench.candidates"]
