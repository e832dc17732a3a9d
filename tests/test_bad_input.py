"""Hostile and malformed input to the CLI and the dashboard (issue #14, "Bad input to the CLI").

Every case must end in one message naming the file and the line (and field where there is one),
exit code 2, no traceback and no personal data echoed, and nothing half-written. The inputs are
built in ``tmp_path``: YAML nested 5,000 levels deep, a YAML alias bomb, JSON nested 100,000 (and
900) levels deep, JSON lines that are valid JSON but not objects, a guideline that is not UTF-8.

The cases that need the PII analyzer (long texts, ``--progress``, ingest) are in test_pii.py and
test_candidates.py, which load it once for their module.
"""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_tasks import GUIDE

from workbench.errors import BadInput

REPO = Path(__file__).resolve().parents[1]

#: Planted in every hostile file: no message may show it.
SECRET = "Ingrid Secretperson 555-0199"

TASK = """\
name: demo
guideline: demo-guide
fields:
  - name: text
    type: text
questions:
  - name: quality
    kind: rating
    values: [1, 2, 3]
"""



def _run(*args: str):
    from workbench.cli import main

    return CliRunner().invoke(main, list(args))


def _refused(res, *expected: str) -> str:
    """Assert a clean refusal (exit 2, no traceback, no secret) whose output holds ``expected``."""
    out = res.output
    assert res.exit_code == 2, out
    assert isinstance(res.exception, SystemExit), repr(res.exception)  # not a RecursionError, MemoryError ...
    assert "Traceback" not in out and "RecursionError" not in out, out
    assert SECRET not in out and "Secretperson" not in out, out
    for text in expected:
        assert text in out, out
    return out


def _project(root: Path, *, task: str = TASK, guide: bytes | None = None) -> Path:
    """A project folder (tasks/demo.yaml, guidelines/demo-guide/v1.md)."""
    (root / "tasks").mkdir(parents=True, exist_ok=True)
    (root / "guidelines" / "demo-guide").mkdir(parents=True, exist_ok=True)
    (root / "tasks" / "demo.yaml").write_text(task)
    (root / "guidelines" / "demo-guide" / "v1.md").write_bytes(guide if guide is not None else GUIDE.encode())
    return root


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(REPO))
    return tmp_path


# --------------------------------------------------------------------------------------------
# Hostile YAML
# --------------------------------------------------------------------------------------------


def deep_yaml(levels: int = 5_000) -> str:
    """A mapping whose one value is a flow list nested ``levels`` deep around a secret."""
    return f"name: {'[' * levels}'{SECRET}'{']' * levels}\n"


def alias_bomb() -> str:
    """"Billion laughs": nine levels of nine aliases each (9**9 strings once expanded)."""
    lines = [f"a0: &a0 ['{SECRET}', '{SECRET}', '{SECRET}', '{SECRET}', '{SECRET}', '{SECRET}', '{SECRET}', "
             f"'{SECRET}', '{SECRET}']"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def _yaml_cases(tmp_path: Path, text: str) -> list[tuple[list[str], str]]:
    """(command line, name of the hostile file) for every YAML the CLI reads: task file, roster,
    PII config, candidates (generation) config, guideline front matter."""
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(text)
    roster = tmp_path / "roster.yaml"
    roster.write_text(text)
    guide = ("---\n" + text + "---\n# Guide\n").encode()
    proj = _project(tmp_path / "proj", guide=guide)
    return [
        (["task", "validate", str(hostile)], str(hostile)),
        (["users", "sync", str(roster)], str(roster)),
        (["redact", str(tmp_path / "in.jsonl"), "--config", str(hostile)], str(hostile)),
        (["candidates", "generate", "medical-qa-rating", "--config", str(hostile)], str(hostile)),
        (["task", "validate", str(proj / "tasks" / "demo.yaml")], str(proj / "guidelines" / "demo-guide" / "v1.md")),
    ]


def test_yaml_nested_5000_deep_is_refused_by_every_yaml_reader(env, tmp_path):
    for args, shown in _yaml_cases(tmp_path, deep_yaml()):
        res = _run(*args)
        out = _refused(res, "nested deeper than 64 levels")
        # the file and its line: line 1 of the file, line 2 for front matter (it starts there)
        assert re.search(rf"{re.escape(shown)}:[12]: ", out), (args, out)


def test_yaml_alias_bomb_is_refused_at_once_by_every_yaml_reader(env, tmp_path):
    for args, shown in _yaml_cases(tmp_path, alias_bomb()):
        started = time.monotonic()
        res = _run(*args)
        assert time.monotonic() - started < 30, args
        out = _refused(res, "aliases expand to more than 10,000 nodes")
        assert re.search(rf"{re.escape(shown)}:\d+: (front matter: )?alias \*a\d at column \d+", out), (args, out)


def test_yaml_recursive_alias_is_refused(env, tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text("name: demo\nfields: &f\n  - name: text\n    more: *f\n")
    _refused(_run("task", "validate", str(f)), f"{f}:4: alias *f at column 11 refers to a node that contains it")


@pytest.mark.parametrize("value, why", [("2026-13-45", "month must be in 1..12"),
                                        ("9" * 5_000, "Exceeds the limit (4300 digits) for integer string conversion")],
                         ids=["impossible-date", "5000-digit-integer"])
def test_yaml_values_python_cannot_build_are_named_not_tracebacks(env, tmp_path, value, why):
    task = tmp_path / "t.yaml"
    task.write_text(f"name: demo\ntitle: {value}\n")
    roster = tmp_path / "r.yaml"
    roster.write_text(f"users:\n  - username: ana\n    role: {value}\n")
    for args, where in [(["task", "validate", str(task)], f"{task}:2: "),
                        (["users", "sync", str(roster)], f"{roster}:3: users[0].role: "),
                        (["redact", str(tmp_path / "in.jsonl"), "--config", str(task)], f"{task}:2: ")]:
        _refused(_run(*args), f"{where}malformed YAML: the value at column ", f"cannot be read ({why})")


def test_yaml_with_a_few_aliases_and_merge_keys_still_loads():
    from workbench.safe_load import loads_yaml

    text = "base: &b {model: m, retries: 2}\nteacher:\n  <<: *b\n  model: n\nothers: [*b, *b]\n"
    data = loads_yaml(text, "c.yaml")
    assert data["teacher"] == {"model": "n", "retries": 2} and data["others"] == [data["base"]] * 2


def test_yaml_limits_in_the_loader_itself():
    from workbench.safe_load import MAX_DEPTH, loads_yaml

    # the mapping is level 1: 63 lists inside it make exactly the limit
    assert loads_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "x.yaml")
    with pytest.raises(BadInput, match=r"^x.yaml:3: nested deeper than 64 levels \(lists and mappings\) at column 67"):
        loads_yaml("a: 1\nb: 2\nc: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH, "x.yaml")
    with pytest.raises(BadInput, match=r"^g.md:5: nested deeper"):  # front matter: lines counted in the file
        loads_yaml("a: 1\nb: 2\nc: " + "[" * 70 + "]" * 70, "g.md", first_line=3)


# --------------------------------------------------------------------------------------------
# Hostile JSON
# --------------------------------------------------------------------------------------------


def deep_json(levels: int) -> str:
    return "[" * levels + json.dumps(SECRET) + "]" * levels


def deep_object(levels: int) -> dict:
    value: object = SECRET
    for _ in range(levels):
        value = {"k": value}
    return value


@pytest.mark.parametrize("line", [deep_json(100_000), json.dumps({"text": "hi", "nest": deep_object(900)})],
                         ids=["100000-deep", "900-objects-deep"])
def test_redact_refuses_deep_json_before_any_analysis(env, tmp_path, line):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "first"}) + "\n" + line + "\n")
    out = _refused(_run("redact", str(src)), f"{src}: line 2: nested deeper than 64 levels (arrays/objects) at column")
    assert len(out.splitlines()) == 1  # one line, not a traceback
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["in.jsonl"]  # nothing written


def test_redact_refuses_a_number_python_cannot_read(env, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "a", "n": ' + "9" * 5000 + "}\n")
    _refused(_run("redact", str(src)), f"{src}: line 1: unreadable value")


def test_redact_never_echoes_a_line_that_is_not_an_object(env, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "ok"}) + "\n" + json.dumps([f"{SECRET} lives at 12 Elm Street", 7]) + "\n")
    out = _refused(_run("redact", str(src)), f"{src}: line 2: expected a JSON object, got a list of 2 items")
    assert "Elm Street" not in out
    src.write_text(json.dumps(SECRET) + "\n")
    _refused(_run("redact", str(src)), f"{src}: line 1: expected a JSON object, got text of {len(SECRET)} characters (not shown)")
    assert not (tmp_path / "in.redacted.jsonl").exists()


def test_gold_import_refuses_a_deep_value_naming_file_line_and_field(env, tmp_path):
    f = tmp_path / "gold.csv"
    store = ["--store", f"sqlite:///{tmp_path / 'h.db'}"]
    f.write_text("item,question,value,set_by\ni1,quality,3,expert\ni2,quality," + "[" * 60_000 + "]" * 60_000
                 + ",expert\n")
    _refused(_run("gold", "import", "medical-qa-rating", str(f), *store),
             f"{f}:3: value: nested deeper than 64 levels (arrays/objects) at column 65")
    # a cell longer than the csv module reads (131,072 characters): the line, not a traceback
    f.write_text("item,question,value,set_by\ni1,quality,3,expert\ni2,quality," + deep_json(100_000) + ",expert\n")
    _refused(_run("gold", "import", "medical-qa-rating", str(f), *store),
             f"{f}:3: not a readable CSV row (field larger than field limit (131072))")
    assert not (tmp_path / "h.db").exists()  # refused before the store is opened


def test_gold_import_refuses_a_file_that_is_not_utf8(env, tmp_path):
    f = tmp_path / "gold.csv"
    f.write_bytes(b"item,question,value,set_by\ni1,quality,3,caf\xe9\n")
    _refused(_run("gold", "import", "medical-qa-rating", str(f), "--store", f"sqlite:///{tmp_path / 'h.db'}"),
             f"{f}: line 2: byte 0xe9 at column 17 is not UTF-8 text")


def test_items_file_refuses_deep_lines_and_never_echoes_values(env, tmp_path):
    """``--items`` (``round create``, ``gold template``): every problem by line and field, no value shown."""
    f = tmp_path / "items.jsonl"
    f.write_text("\n".join([
        json.dumps({"instruction": "What is a fever?", "response": "A raised temperature."}),
        json.dumps([SECRET]),
        json.dumps({"instruction": [SECRET], "response": "x"}),
        json.dumps({"instruction": "q", "response": "r", "metadata": [SECRET]}),
        json.dumps({"instruction": "q", "response": "r", "topic": {"who": SECRET}}),
        '{"instruction": ' + deep_json(100_000) + "}",
    ]) + "\n")
    out = _refused(_run("gold", "template", "medical-qa-rating", "--items", str(f), "--by", "x"),
                   f"{f}:2: expected an object with the fields ['instruction', 'response'], got a list of 1 item",
                   f"{f}:3: instruction: must be non-empty text, got a list of 1 item",
                   f"{f}:4: metadata: must be an object, got a list of 1 item",
                   f"{f}:5: metadata.topic: must be text, got an object with 1 key",
                   f"{f}:6: nested deeper than 64 levels (arrays/objects) at column 80")  # the object is level 1
    assert "Traceback" not in out


def test_files_workbench_wrote_refuse_deep_json_when_edited(env, tmp_path):
    from workbench.candidates.storage import read_jsonl
    from workbench.export.folder import read_manifest
    from workbench.roster import last_synced_roster, synced_roster_path

    f = tmp_path / "pool.jsonl"
    f.write_text('{"id": "a"}\n' + deep_json(100_000) + "\n")
    with pytest.raises(BadInput, match=rf"^{re.escape(str(f))}:2: nested deeper than 64 levels .* at column 65; "):
        read_jsonl(f)
    synced_roster_path().parent.mkdir(parents=True, exist_ok=True)
    synced_roster_path().write_text(deep_json(100_000))
    with pytest.raises(BadInput, match="not a roster snapshot .*nested deeper than 64 levels"):
        last_synced_roster()
    synced_roster_path().write_text("[1, 2]")
    with pytest.raises(BadInput, match="not a roster snapshot"):
        last_synced_roster()
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "manifest.json").write_text(deep_json(100_000))
    with pytest.raises(BadInput, match="manifest.json: not valid JSON"):
        read_manifest(tmp_path / "export")


def test_loads_json_names_where_line_and_column_never_the_value():
    from workbench.safe_load import loads_json

    assert loads_json('{"a": [1, 2]}', "c.json") == {"a": [1, 2]}
    with pytest.raises(BadInput) as exc:
        loads_json('{\n  "name": ' + deep_json(1_000) + "\n}", "c.json")
    assert str(exc.value) == "c.json: nested deeper than 64 levels (arrays/objects) at line 2, column 74"
    with pytest.raises(BadInput) as exc:
        loads_json('{"name": "' + SECRET + '",}', "c.json")
    assert str(exc.value).startswith("c.json: not valid JSON: ") and "(line 1, column" in str(exc.value)
    assert SECRET not in str(exc.value)


def test_json_depth_check_ignores_brackets_inside_strings_and_is_fast():
    from workbench.safe_load import MAX_DEPTH, json_too_deep, loads

    assert loads(json.dumps({"text": "[" * 10_000 + "{" * 10_000})) == {"text": "[" * 10_000 + "{" * 10_000}
    assert loads(json.dumps({"t": 'a \\" [[[[ "'}))  # escaped quotes do not end the string
    assert json_too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH) is None
    assert json_too_deep('{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}") == 6 + MAX_DEPTH - 1
    rows = json.dumps([{"text": "x" * 40, "messages": [{"role": "user", "content": "hi"}]} for _ in range(50_000)])
    started = time.perf_counter()
    assert len(loads(rows)) == 50_000
    assert time.perf_counter() - started < 5


# --------------------------------------------------------------------------------------------
# Text that is not UTF-8
# --------------------------------------------------------------------------------------------


def _latin1_guide() -> bytes:
    return GUIDE.replace("Label things.", "Label caf\xe9 things.").encode("latin-1")


def test_cli_names_the_guideline_file_that_is_not_utf8(env, tmp_path, monkeypatch):
    proj = _project(tmp_path / "proj", guide=_latin1_guide())
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(proj))
    shown = f"{proj / 'guidelines' / 'demo-guide' / 'v1.md'}:7: byte 0xe9 at column 10 is not UTF-8 text"
    _refused(_run("guidelines", "list", "demo"), shown)
    _refused(_run("guidelines", "list", "demo-guide"), shown)
    _refused(_run("task", "validate", str(proj / "tasks" / "demo.yaml")), shown)


@pytest.mark.parametrize("with_round", [True, False], ids=["task-in-store", "no-round-yet"])
def test_dashboard_guidelines_page_names_the_file_that_is_not_utf8(tmp_path, monkeypatch, with_round):
    from streamlit.testing.v1 import AppTest

    from workbench.store import HistoryStore

    proj = _project(tmp_path / "proj", guide=_latin1_guide())
    url = f"sqlite:///{tmp_path / 'history.db'}"
    store = HistoryStore(url)
    if with_round:
        store.record_round(task="demo", round=1, kind="calibration", dataset="demo-r1", workspace="demo",
                           dataset_id="d1", guideline_version=1)
    store.close()
    monkeypatch.setenv("WORKBENCH_PROJECT_DIR", str(proj))
    monkeypatch.setenv("WORKBENCH_STORE_URL", url)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))

    def page():
        import os

        from workbench.dashboard import data, ui
        from workbench.dashboard.auth import User
        from workbench.dashboard.pages import guidelines

        source = data.Source(os.environ["WORKBENCH_STORE_URL"])
        guidelines.render(ui.Context(user=User("lead", "owner"), source=source,
                                     version=data.source_version(source), argilla_url=None))

    at = AppTest.from_function(page, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "v1.md:7: byte 0xe9 at column 10 is not UTF-8 text" in errors, errors
    infos = " ".join(i.value for i in at.info)
    assert "No guideline versions found" not in infos and "No task is defined" not in infos


# --------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_say_items_size_rate_and_time_left():
    from workbench.progress import Progress

    clock, out = _Clock(), io.StringIO()
    p = Progress("redact big.jsonl", 1_000, enabled=True, stream=out, every=5, clock=clock)
    p.start()
    clock.now = 10
    p.advance(250, chars=30_000_000)
    clock.now = 11
    p.advance(250, chars=30_000_000)  # within 5 s of the last line: not written
    clock.now = 40
    p.advance(500, chars=40_000_000)  # the last one always is
    p.close()
    lines = out.getvalue().splitlines()
    assert lines == [
        "redact big.jsonl: 0/1,000 records (0%)",
        "redact big.jsonl: 250/1,000 records (25%), 30.0 MB of text, 25.0 records/s, about 30 s left",
        "redact big.jsonl: 1,000/1,000 records (100%), 100.0 MB of text, 25.0 records/s, done in 40 s",
    ]


def test_progress_is_silent_unless_a_terminal_or_forced():
    from workbench.progress import Progress

    out = io.StringIO()
    p = Progress("x", 3, stream=out)
    p.start()
    p.advance(3)
    p.close()
    assert out.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    p = Progress("x", 3, stream=tty)
    p.start()
    p.advance(3)
    p.close()
    assert tty.getvalue().startswith("\r\x1b[Kx: 0/3 records") and tty.getvalue().endswith("done in 0 s\n")


def test_slices_bound_characters_and_items():
    from workbench.progress import slices

    sizes = [3] * 10 + [50] + [1] * 7
    got = list(slices(sizes, max_chars=10, max_items=4))
    assert got[0] == (0, 3) and (10, 11) in got and got[-1][1] == len(sizes)
    assert all(b > a for a, b in got) and all(b - a <= 4 for a, b in got)
    assert [i for a, b in got for i in range(a, b)] == list(range(len(sizes)))
