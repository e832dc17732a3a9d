"""Versioned guidelines: loading, validation, diff and the text shown in Argilla."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.errors import BadInput
from workbench.guidelines import (
    ARGILLA_GUIDELINES_MAX_CHARS,
    diff_versions,
    load_guideline,
    render_for_argilla,
    validate_guideline,
)

REPO = Path(__file__).resolve().parents[1]


def version_file(folder: Path, name: str, *, version="1", date="2026-01-05", author="A. Author",
                 changelog="First.", body="# Guide\n\nLabel things.\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["---"]
    if version is not None:
        lines.append(f"version: {version}")
    if date is not None:
        lines.append(f"date: {date}")
    if author is not None:
        lines.append(f"author: {author}")
    if changelog is not None:
        lines.append(f"changelog: {changelog}")
    lines.append("---")
    path = folder / name
    path.write_text("\n".join(lines) + "\n" + body)
    return path


def test_shipped_guidelines_load_in_order():
    g = load_guideline(REPO / "guidelines" / "medical-qa-rating")
    assert [v.version for v in g] == [1, 2]
    assert g.latest.version == 2 and g.latest.date == dt.date(2026, 3, 1)
    assert g.versions[0].date < g.versions[1].date
    assert "needs-caveat" in g.latest.changelog and g.latest.author
    c = load_guideline(REPO / "guidelines" / "clinical-note-extraction")
    assert [v.version for v in c] == [1]


def test_versions_sorted_numerically(tmp_path):
    d = tmp_path / "g"
    for n in (1, 2, 10):
        version_file(d, f"v{n}.md", version=str(n), date=f"2026-01-{n:02d}")
    assert [v.version for v in load_guideline(d)] == [1, 2, 10]


@pytest.mark.parametrize("missing", ["version", "date", "author"])
def test_missing_front_matter_field(tmp_path, missing):
    d = tmp_path / "g"
    f = version_file(d, "v1.md", **{missing: None})
    g, problems = validate_guideline(d)
    assert g is None
    hits = [p for p in problems if p.field == missing]
    assert hits and hits[0].file == str(f) and "missing" in hits[0].message
    with pytest.raises(BadInput, match=missing):
        load_guideline(d)


def test_bad_date_names_value_and_line(tmp_path):
    d = tmp_path / "g"
    version_file(d, "v1.md", date="March 1st")
    _, problems = validate_guideline(d)
    p = next(p for p in problems if p.field == "date")
    assert "'March 1st'" in p.message and p.line == 3  # '---' is line 1, version line 2, date line 3


def test_changelog_required_after_v1(tmp_path):
    d = tmp_path / "g"
    version_file(d, "v1.md", changelog=None)
    version_file(d, "v2.md", version="2", date="2026-02-01", changelog=None)
    _, problems = validate_guideline(d)
    assert [p.field for p in problems] == ["changelog"] and "v2" in problems[0].message


def test_duplicate_versions(tmp_path):
    d = tmp_path / "g"
    version_file(d, "v1.md")
    version_file(d, "v01.md", date="2026-01-06")  # also version 1
    _, problems = validate_guideline(d)
    p = next(p for p in problems if p.field == "version")
    assert "duplicate version 1" in p.message


def test_version_must_match_file_name(tmp_path):
    d = tmp_path / "g"
    version_file(d, "v2.md", version="3")
    _, problems = validate_guideline(d)
    p = next(p for p in problems if p.field == "version")
    assert "3" in p.message and "v2.md" in p.message and p.line == 2


@pytest.mark.parametrize("second_date", ["2026-01-05", "2025-12-31"])
def test_dates_must_increase(tmp_path, second_date):
    d = tmp_path / "g"
    version_file(d, "v1.md", date="2026-01-05")
    v2 = version_file(d, "v2.md", version="2", date=second_date, changelog="More.")
    _, problems = validate_guideline(d)
    assert len(problems) == 1
    p = problems[0]
    assert p.file == str(v2) and p.field == "date" and second_date in p.message and "2026-01-05" in p.message


def test_empty_or_missing_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    _, problems = validate_guideline(tmp_path / "empty")
    assert "no versions" in problems[0].message
    _, problems = validate_guideline(tmp_path / "absent")
    assert "does not exist" in problems[0].message


def test_no_front_matter(tmp_path):
    d = tmp_path / "g"
    d.mkdir()
    (d / "v1.md").write_text("# Just a body\n")
    _, problems = validate_guideline(d)
    assert problems[0].field == "front matter" and problems[0].line == 1


def test_too_long_for_argilla(tmp_path):
    d = tmp_path / "g"
    version_file(d, "v1.md", body="x" * (ARGILLA_GUIDELINES_MAX_CHARS + 1) + "\n")
    _, problems = validate_guideline(d)
    assert problems and "10000" in problems[0].message


def test_render_for_argilla_stamps_version():
    g = load_guideline(REPO / "guidelines" / "medical-qa-rating")
    text = render_for_argilla(g.get("v2"))
    first = text.splitlines()[0]
    assert "Guideline v2 (2026-03-01)" in first
    assert g.get(2).body.strip() in text
    assert len(text) <= ARGILLA_GUIDELINES_MAX_CHARS
    assert "Guideline v1 (2026-01-12)" in render_for_argilla(g.get(1)).splitlines()[0]


def test_diff_contains_changed_lines_and_both_changelogs():
    g = load_guideline(REPO / "guidelines" / "medical-qa-rating")
    v1, v2 = g.get(1), g.get(2)
    out = diff_versions(v1, v2)
    added = [line for line in v2.body.splitlines() if line and line not in v1.body.splitlines()]
    assert added
    for line in added:
        assert f"+{line}" in out.splitlines()
    assert out.splitlines()[0].startswith("--- medical-qa-rating/v1.md")
    assert v1.changelog.splitlines()[0] in out and v2.changelog.splitlines()[0] in out
    assert out.index("Changelog v1") < out.index("Changelog v2")


def test_diff_removed_line(tmp_path):
    d = tmp_path / "g"
    version_file(d, "v1.md", body="# G\nkeep this\ndrop this\n")
    version_file(d, "v2.md", version="2", date="2026-02-01", changelog="Dropped a rule.", body="# G\nkeep this\n")
    g = load_guideline(d)
    out = diff_versions(g.get(1), g.get(2))
    assert "-drop this" in out.splitlines() and " keep this" in out.splitlines()
    assert "Dropped a rule." in out


def test_unknown_version_names_known(tmp_path):
    g = load_guideline(REPO / "guidelines" / "medical-qa-rating")
    with pytest.raises(BadInput, match=r"v7.*v1, v2"):
        g.get(7)
    with pytest.raises(BadInput, match="'latest'"):
        g.get("latest")


def test_cli_diff_and_show(monkeypatch):
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(REPO))
    runner = CliRunner()
    res = runner.invoke(main, ["guidelines", "diff", "medical-qa-rating", "1", "v2"])
    assert res.exit_code == 0, res.output
    assert "+Apply the **literal reader test**" in res.output and "Changelog v2" in res.output
    res = runner.invoke(main, ["guidelines", "show", "medical-qa-rating", "1"])
    assert res.exit_code == 0 and "Guideline v1 (2026-01-12)" in res.output.splitlines()[0]
    res = runner.invoke(main, ["guidelines", "show", "medical-qa-rating"])
    assert "Guideline v2" in res.output.splitlines()[0]
    res = runner.invoke(main, ["guidelines", "diff", "medical-qa-rating", "1", "9"])
    assert res.exit_code == 2 and "v9" in res.output
    res = runner.invoke(main, ["guidelines", "diff", "no-such-task", "1", "2"])
    assert res.exit_code == 2 and "no-such-task" in res.output
