"""Benchmark: how long the ``workbench`` command takes to answer when it needs no heavy library.

Issue #15 ("Every CLI command takes 4-8 s to start, --help included"): goal ``workbench --help``
< 0.5 s and commands that need no heavy library < 1 s, whole process, on this 2-core machine.

Each command runs in a fresh process with a fresh, empty ``WORKBENCH_HOME`` (no server running),
best of ``--repeat`` runs, interleaved. The reference, measured in the same run, is the bare
interpreter (``python -c pass``) and ``python -c "import click"``: the floor any click CLI pays.
Prints wall seconds, the ratio to the bare interpreter and whether the goal holds; exits 1 when a
goal is missed, so a regression shows. The machine load (``os.getloadavg``) is printed before and
after, since other work may share the machine.

Run: ``python bench/bench_cli_startup.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKBENCH = [sys.executable, "-m", "workbench.cli"]
#: (label, argv, goal in seconds or None for a reference)
CASES = [
    ("python -c pass (reference)", [sys.executable, "-c", "pass"], None),
    ("python -c 'import click' (reference)", [sys.executable, "-c", "import click"], None),
    ("workbench --help", WORKBENCH + ["--help"], 0.5),
    ("workbench --version", WORKBENCH + ["--version"], 1.0),
    ("workbench round --help", WORKBENCH + ["round", "--help"], 1.0),
    ("workbench task validate tasks/*.yaml", WORKBENCH + ["task", "validate", *map(str, sorted((ROOT / "tasks").glob("*.yaml")))], 1.0),
    ("workbench server status", WORKBENCH + ["server", "status"], 1.0),
    ("workbench export list", WORKBENCH + ["export", "list"], 1.0),
    ("workbench gold --help", WORKBENCH + ["gold", "--help"], 1.0),
]


def _time(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode not in (0, 1):  # `server status` exits 1 when nothing runs
        raise SystemExit(f"{' '.join(argv[2:])} exited {done.returncode}: {done.stderr[-400:]}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}")
    home = Path(tempfile.mkdtemp(prefix="wb-bench-cli-"))
    env = dict(os.environ, WORKBENCH_HOME=str(home / "home"))
    env.pop("CI", None)
    try:
        best = {label: float("inf") for label, _, _ in CASES}
        for _ in range(args.repeat):
            for label, argv, _ in CASES:
                best[label] = min(best[label], _time(argv, env))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    floor = best[CASES[0][0]]
    missed = 0
    print(f"{'command':42} {'best s':>7} {'x python':>9}  goal")
    for label, _, goal in CASES:
        verdict = "" if goal is None else (f"< {goal} s: " + ("met" if best[label] < goal else "MISSED"))
        missed += goal is not None and best[label] >= goal
        print(f"{label:42} {best[label]:7.3f} {best[label] / floor:9.1f}  {verdict}")
    print(f"load after: {os.getloadavg()}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
