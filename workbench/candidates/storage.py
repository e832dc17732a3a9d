"""Where candidates live between ``ingest``, ``generate`` and ``push``: JSON-lines files under the
Workbench home. Every text in them has been through PII redaction.

::

    home/candidates/
      pool.jsonl                  ingested records (all sources), keyed by content id
      rejects/ingest-*.jsonl      records an ingest refused, with the reason (redacted text)
      <task>/candidates.jsonl     generated and scored candidates of the task
      <task>/rejects.jsonl        candidates an LLM stage failed on (reason, stage, model, run)
      <task>/filtered.jsonl       candidates DEITA filtering left out
      <task>/seeds-done.json      seed id -> run id of the seeds already expanded for the task
      <task>/duplicates.jsonl     candidates a push left out as duplicates
      <task>/.lock                held while a command writes the task's files
    home/distilabel-cache/        distilabel's cache, one folder per run (``cache clear`` empties it)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from typing import Any, Iterable, Iterator

from workbench import config
from workbench.errors import BadInput
from workbench.safe_load import json_error_message, loads, read_text


def candidates_dir() -> Path:
    path = config.home() / "candidates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def task_dir(task: str) -> Path:
    path = candidates_dir() / task
    path.mkdir(parents=True, exist_ok=True)
    return path


def pool_path() -> Path:
    return candidates_dir() / "pool.jsonl"


def rejects_dir() -> Path:
    path = candidates_dir() / "rejects"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_root() -> Path:
    """``home/distilabel-cache``: distilabel's cache and run folders (never ``~/.cache``)."""
    path = config.home() / "distilabel-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_jsonl(path: Path) -> list[dict]:
    """The objects of a JSON-lines file written by this module ([] when it does not exist)."""
    if not path.exists():
        return []
    out = []
    # split on "\n" only: a JSON string may hold U+2028, which str.splitlines would split on
    for n, line in enumerate(read_text(path).split("\n"), start=1):  # read_text names a byte that is not UTF-8
        if not line.strip():
            continue
        try:
            out.append(loads(line))  # nesting limited
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}:{n}: {json_error_message(exc, line=False)}; the file was edited or damaged") from None
    return out


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    """Replace ``path`` atomically with ``rows``."""
    config.atomic_write_text(path, "".join(_dumps(r) + "\n" for r in rows), mode=0o600)


def append_jsonl(path: Path, rows: Iterable[dict]) -> int:
    """Append ``rows`` (one ``write`` per row on an ``O_APPEND`` descriptor, so concurrent
    writers never interleave within a line). Returns the number of rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        for r in rows:
            os.write(fd, (_dumps(r) + "\n").encode("utf-8"))
            n += 1
    finally:
        os.close(fd)
    return n


def read_pool() -> dict[str, dict]:
    """Ingested records by id, in ingest order."""
    return {r["id"]: r for r in read_jsonl(pool_path())}


def read_candidates(task: str) -> list[dict]:
    return read_jsonl(task_dir(task) / "candidates.jsonl")


def read_done(task: str) -> dict[str, str]:
    path = task_dir(task) / "seeds-done.json"
    if not path.exists():
        return {}
    try:
        return dict(loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError, ValueError):
        raise BadInput(f"{path}: not a JSON object of seed id -> run id; the file was edited or damaged") from None


def write_done(task: str, done: dict[str, str]) -> None:
    config.atomic_write_text(task_dir(task) / "seeds-done.json", json.dumps(done, indent=1, sort_keys=True) + "\n", mode=0o600)


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    """Hold an exclusive lock on ``candidates/<name>/.lock`` (one writer per task or pool)."""
    path = (candidates_dir() / name / ".lock") if name != "pool" else candidates_dir() / ".pool.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BadInput(f"{path}: another workbench candidates command is writing {name!r}; wait for it to finish") from None
        yield
    finally:
        os.close(fd)
