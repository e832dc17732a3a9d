"""Roster files: validation (file, line, field, value) and `workbench users sync` against Argilla."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.errors import BadInput
from workbench.roster import load_roster, role_of, validate_roster

REPO = Path(__file__).resolve().parents[1]
TASKS = ("medical-qa-rating", "clinical-note-extraction")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_example_roster_is_valid_against_the_shipped_tasks():
    roster = load_roster(REPO / "roster.example.yaml")
    assert roster.annotators("medical-qa-rating") == ("amara.okafor", "bruno.lima", "chen.wei")
    assert roster.experts("medical-qa-rating") == ("dr.mensah",)
    assert roster.get("lead.ops").argilla_role == "admin"
    assert roster.get("dr.mensah").argilla_role == "annotator"


def test_yaml_and_csv_rosters_read_the_same(tmp_path):
    y = _write(tmp_path, "r.yaml", """users:
  - username: ana
    role: annotator
    expertise: [gp, pharmacy]
    tasks: [medical-qa-rating]
  - {username: eve, role: expert, expertise: [er], tasks: [medical-qa-rating, clinical-note-extraction]}
""")
    c = _write(tmp_path, "r.csv", "username,role,expertise,tasks\nana,annotator,gp;pharmacy,medical-qa-rating\n"
               "eve,expert,er,medical-qa-rating;clinical-note-extraction\n")
    ry, rc = load_roster(y, known_tasks=TASKS), load_roster(c, known_tasks=TASKS)
    assert ry.entries == rc.entries
    assert ry.get("ana").expertise == ("gp", "pharmacy")
    assert ry.get("eve").tasks == TASKS


def test_duplicate_username_names_file_line_field_and_value(tmp_path):
    p = _write(tmp_path, "r.yaml", """users:
  - username: ana
    role: annotator
    tasks: [medical-qa-rating]
  - username: ben
    role: annotator
    tasks: [medical-qa-rating]
  - username: Ana
    role: annotator
    tasks: [medical-qa-rating]
""")
    roster, problems = validate_roster(p, known_tasks=TASKS)
    assert roster is None
    assert len(problems) == 1
    text = str(problems[0])
    assert text.startswith(f"{p}:8: users[2].username: ")
    assert "duplicate username 'Ana'" in text and "line 2" in text


def test_every_problem_is_reported_with_its_line(tmp_path):
    p = _write(tmp_path, "r.yaml", """users:
  - username: ana
    role: reviewer
    tasks: [medical-qa-rating]
  - username: ben
    role: annotator
    tasks: [medical-qa-ratings]
  - username: "-bad name"
    role: admin
  - username: dee
    role: expert
    colour: blue
    tasks: [clinical-note-extraction]
""")
    _, problems = validate_roster(p, known_tasks=TASKS)
    got = {(pr.line, pr.field) for pr in problems}
    assert got == {(3, "users[0].role"), (7, "users[1].tasks"), (8, "users[2].username"), (12, "users[3].colour")}
    by_field = {pr.field: pr.message for pr in problems}
    assert "unknown role 'reviewer'" in by_field["users[0].role"] and "annotator, admin, expert" in by_field["users[0].role"]
    assert "unknown task 'medical-qa-ratings'" in by_field["users[1].tasks"]
    with pytest.raises(BadInput) as err:
        load_roster(p, known_tasks=TASKS)
    assert "4 problems" in str(err.value) and f"{p}:3: users[0].role" in str(err.value)


def test_csv_problems_name_the_row_line(tmp_path):
    p = _write(tmp_path, "r.csv", "username,role,expertise,tasks\nana,annotator,gp,medical-qa-rating\n"
               "ana,annotator,,medical-qa-rating\nbo,boss,,medical-qa-rating\ncy,annotator,,\n")
    _, problems = validate_roster(p, known_tasks=TASKS)
    assert [(pr.line, pr.field.split(".")[-1]) for pr in problems] == [(3, "username"), (4, "role"), (5, "tasks")]
    assert "'boss'" in problems[1].message


def test_unknown_format_and_missing_file(tmp_path):
    _, problems = validate_roster(tmp_path / "nope.yaml", known_tasks=TASKS)
    assert [str(p) for p in problems] == [f"{tmp_path / 'nope.yaml'}: file does not exist"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("users: caf\xe9\n".encode("latin-1"))
    _, problems = validate_roster(latin, known_tasks=TASKS)
    assert [str(p) for p in problems] == [f"{latin}:1: byte 0xe9 at column 11 is not UTF-8 text; re-save the file as UTF-8"]
    _, problems = validate_roster(_write(tmp_path, "r.txt", "x"), known_tasks=TASKS)
    assert "'.txt'" in str(problems[0])


def test_cli_exit_2_on_bad_roster_before_any_connection(tmp_path, monkeypatch):
    from workbench.cli import main

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))  # no server recorded there
    p = _write(tmp_path, "r.yaml", "users:\n  - {username: ana, role: annotator, tasks: [medical-qa-rating]}\n"
               "  - {username: ana, role: annotator, tasks: [medical-qa-rating]}\n")
    result = CliRunner().invoke(main, ["users", "sync", str(p)])
    assert result.exit_code == 2
    assert f"{p}:3: users[1].username" in result.output and "duplicate username 'ana'" in result.output


# --------------------------------------------------------------------------------------------
# Against the session's Argilla
# --------------------------------------------------------------------------------------------


@pytest.mark.argilla
def test_users_sync_creates_once_delivers_passwords_once_and_is_idempotent(argilla_server, client, unique_name, tmp_path):
    from workbench.argilla_client import user_token
    from workbench.cli import main

    a, b, x = f"{unique_name}-a", f"{unique_name}-b", f"{unique_name}-x"
    roster = _write(tmp_path, "roster.yaml", f"""users:
  - {{username: {a}, role: annotator, expertise: [gp], tasks: [medical-qa-rating]}}
  - {{username: {b}, role: annotator, tasks: [medical-qa-rating, clinical-note-extraction]}}
  - {{username: {x}, role: expert, tasks: [medical-qa-rating]}}
""")
    secrets = tmp_path / "secrets"
    runner = CliRunner()
    first = runner.invoke(main, ["users", "sync", str(roster), "--secrets-dir", str(secrets)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    files = list(secrets.iterdir())
    assert len(files) == 1
    assert str(files[0]) in first.output
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    rows = dict(line.split(",", 1) for line in files[0].read_text().splitlines()[2:])
    assert set(rows) == {a, b, x}
    for name, password in rows.items():
        assert password not in first.output  # never on stdout
        assert user_token(argilla_server.api_url, name, password)  # the delivered password works

    users = {u.username: u for u in client.users.list()}
    assert role_of(users[a]) == "annotator" and role_of(users[x]) == "annotator"
    ws = {w.name: {u.username for u in w.users} for w in client.workspaces.list() if w.name in TASKS}
    assert {a, b, x} <= ws["medical-qa-rating"]
    assert b in ws["clinical-note-extraction"] and a not in ws["clinical-note-extraction"]

    second = runner.invoke(main, ["users", "sync", str(roster), "--secrets-dir", str(secrets)], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert "nothing to change" in second.output
    assert len(list(secrets.iterdir())) == 1  # no new secrets file, old passwords never shown again
    assert all(p not in second.output for p in rows.values())

    # A changed roster: b leaves clinical-note-extraction, x becomes an admin, c is new.
    c = f"{unique_name}-c"
    roster.write_text(f"""users:
  - {{username: {a}, role: annotator, tasks: [medical-qa-rating]}}
  - {{username: {b}, role: annotator, tasks: [medical-qa-rating]}}
  - {{username: {x}, role: admin, tasks: [medical-qa-rating]}}
  - {{username: {c}, role: annotator, tasks: [clinical-note-extraction]}}
""")
    third = runner.invoke(main, ["users", "sync", str(roster), "--secrets-dir", str(secrets)], catch_exceptions=False)
    assert third.exit_code == 0, third.output
    assert f"removed {b} from workspace clinical-note-extraction" in third.output
    assert f"changed role of {x}: annotator -> admin" in third.output
    new_files = [f for f in secrets.iterdir() if f != files[0]]
    assert len(new_files) == 1
    assert [line.split(",")[0] for line in new_files[0].read_text().splitlines()[2:]] == [c]
    assert role_of(client.users(x)) == "admin"
    cne = {u.username for u in client.workspaces("clinical-note-extraction").users}
    assert c in cne and b not in cne
    # the existing users' passwords still work: nothing reset them
    assert user_token(argilla_server.api_url, a, rows[a])
    assert os.stat(secrets).st_mode & 0o077 == 0
