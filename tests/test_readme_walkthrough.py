"""The README, followed as a new user would: every command of its ``bash`` blocks runs as written,
in order, in one shell, in a fresh home (issue #15: "a fresh clone in a fresh home, following only
the README, runs every command in it as written").

Conventions the README keeps so that this can check it:

* a ```` ```bash ```` block holds commands to run, one per line (a trailing ``\\`` continues a
  line); reference syntax with placeholders goes in ```` ```text ```` blocks, Python in
  ```` ```python ```` blocks (run here too, after the shell commands before them);
* a command expected to fail says so in its comment: ``# exits 1: ...``;
* outputs go under ``~`` (the test's fresh ``HOME``), never into the checkout.

``make test`` is the one command not run: it is what runs this test. ``make up`` gets free ports
through ``PORT`` and ``DASHBOARD_PORT`` (the Makefile's own variables, which the README names).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


from workbench.server import launcher

REPO = Path(__file__).resolve().parents[1]
NOT_WALKED = {"make test": "it is what runs this test"}


@dataclass
class Step:
    line: int  # README line the command starts on
    kind: str  # "bash" or "python"
    code: str
    exit_code: int = 0


def readme_steps(text: str) -> list[Step]:
    """The runnable steps of a README: each command of a ``bash`` block, each ``python`` block."""
    steps, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        fence = re.fullmatch(r"```(\w*)\s*", lines[i])
        if not fence:
            i += 1
            continue
        kind, start, body = fence.group(1), i + 1, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        if kind == "python":
            steps.append(Step(start + 1, "python", "\n".join(body)))
        elif kind == "bash":
            j = 0
            while j < len(body):
                first = j
                command = body[j]
                while command.rstrip().endswith("\\") and j + 1 < len(body):
                    j += 1
                    command = command.rstrip()[:-1].rstrip() + " " + body[j].strip()
                j += 1
                code, _, comment = command.partition(" #")
                if not code.strip() or code.strip().startswith("#"):
                    continue
                expected = re.match(r"\s*exits (\d+)", comment)
                steps.append(Step(start + first + 1, "bash", code.strip(), int(expected.group(1)) if expected else 0))
    return steps


def test_readme_steps_are_read_as_written():
    text = "intro\n```bash\nmake up   # starts it\nworkbench gate t   # exits 1: fails\n# a comment\n" \
           "workbench a \\\n  --b c\n```\n```text\nworkbench TASK [--x]\n```\n```python\nprint(1)\n```\n"
    steps = readme_steps(text)
    assert [(s.kind, s.code, s.exit_code) for s in steps] == [
        ("bash", "make up", 0), ("bash", "workbench gate t", 1), ("bash", "workbench a --b c", 0),
        ("python", "print(1)", 0)]
    assert [s.line for s in steps] == [3, 4, 6, 13]


def test_every_readme_command_runs_as_written_in_a_fresh_home(tmp_path):
    steps = [s for s in readme_steps((REPO / "README.md").read_text(encoding="utf-8")) if s.code not in NOT_WALKED]
    assert any(s.code == "make up" for s in steps) and len(steps) >= 15
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "ARGILLA_", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), PORT=str(launcher.free_port()), DASHBOARD_PORT=str(launcher.free_port()),
               PATH=os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p))
    env.pop("CI", None)
    script = ["set -u", f"cd {REPO}"]
    for n, step in enumerate(steps):
        out = tmp_path / f"step{n}.out"
        if step.kind == "python":
            code = tmp_path / f"step{n}.py"
            code.write_text(step.code, encoding="utf-8")
            command = f"python {code}"
        else:
            command = step.code
        script.append(f"{{ {command} ; }} > {out} 2>&1 < /dev/null; echo $? > {tmp_path / f'step{n}.rc'}")
        script.append(f"[ \"$(cat {tmp_path / f'step{n}.rc'})\" = {step.exit_code} ] || exit 99")
    try:
        subprocess.run(["bash", "-c", "\n".join(script)], env=env, cwd=REPO, timeout=1700)
        for n, step in enumerate(steps):
            rc_file = tmp_path / f"step{n}.rc"
            assert rc_file.exists(), f"README line {step.line}: {step.code!r} never ran (an earlier step stopped the walk)"
            rc = int(rc_file.read_text())
            output = (tmp_path / f"step{n}.out").read_text(errors="replace")
            assert rc == step.exit_code, f"README line {step.line}: {step.code!r} exited {rc}:\n{output[-3000:]}"
            assert "Traceback (most recent call last)" not in output or step.kind == "python", (step.code, output[-3000:])
    finally:
        workbench = shutil.which("workbench", path=str(REPO / ".venv" / "bin")) or f"{sys.executable} -m workbench.cli"
        subprocess.run(f"{workbench} server stop", shell=True, env=env, cwd=REPO, capture_output=True, timeout=120)
