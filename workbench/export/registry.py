"""Every export version made, and the units its holdouts took, under the Workbench home.

::

    home/exports/registry.jsonl            one JSON line per version: task, format, hash, date, path, counts,
                                           gate state, forced reason, signer
    home/exports/<task>/holdout-keys.txt   hashed keys of every unit any export of the task held out
    home/exports/<task>/<format>-<hash12>/ the default output folder of an export

Both files are owner-only (mode 600) and appended to with one write per line, after the export
folder is complete and renamed into place: a killed export is never listed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from workbench import config
from workbench.errors import BadInput
from workbench.safe_load import loads


def exports_dir() -> Path:
    path = config.home() / "exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _append(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, "".join(line + "\n" for line in lines).encode("utf-8"))
    finally:
        os.close(fd)


def holdout_keys(task: str) -> frozenset:
    path = exports_dir() / task / "holdout-keys.txt"
    if not path.is_file():
        return frozenset()
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def remember_holdout(task: str, keys: list[str]) -> int:
    """Add the keys not yet remembered; returns how many were new."""
    new = sorted(set(keys) - holdout_keys(task))
    if new:
        _append(exports_dir() / task / "holdout-keys.txt", new)
    return len(new)


def record_version(entry: dict) -> None:
    _append(exports_dir() / "registry.jsonl", [json.dumps(entry, sort_keys=True, ensure_ascii=False)])


def versions(task: str | None = None) -> list[dict]:
    """Every recorded version (of ``task``), oldest first."""
    path = exports_dir() / "registry.jsonl"
    if not path.is_file():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = loads(line)  # nesting limited (workbench.safe_load)
        except ValueError:
            raise BadInput(f"{path}: line {n} is not valid JSON (edited by hand?)") from None
        if task is None or entry.get("task") == task:
            out.append(entry)
    return out
