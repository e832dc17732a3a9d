"""The raw store: the only place unredacted candidate text is kept.

Annotators only ever see redacted text. The raw text a candidate was redacted from stays here, in
a SQLite file under ``<Workbench home>/raw/`` that only its owner can read: the folder has mode
700 and the file mode 600, set with ``os.open``/``os.mkdir`` modes and checked on every open (so a
permissive umask cannot widen them), and a store whose folder or file is readable by group or
others, or owned by someone else, is refused rather than used. SQLite creates its journal with
the database file's permissions.

Rules for callers: raw text goes from here to nowhere else. It is never logged to Argilla, never
put in an LLM prompt, never written next to the redacted output. Records are keyed by a
content-derived candidate id (see :func:`content_id`), so storing the same candidate twice is a
no-op and a redacted record can be traced back to its raw text by whoever may read this store.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import stat
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from workbench.errors import BadInput

DIR_MODE = 0o700
FILE_MODE = 0o600
FILE_NAME = "raw.sqlite3"


def default_dir() -> Path:
    """``<Workbench home>/raw``."""
    from workbench import config

    return config.home() / "raw"


def content_id(content: str | Mapping[str, Any], key: bytes | str | None = None, prefix: str = "c") -> str:
    """A stable id derived from ``content`` (a text, or a record as canonical JSON).

    With ``key`` the id is an HMAC-SHA256, so nobody without the key can confirm a guess of the
    raw text from the id (ids travel with the redacted records); without it, a plain SHA-256.

    >>> content_id("hello")
    'c_2cf24dba5fb0a30e26e83b2ac5b9e29e'
    >>> content_id({"b": 1, "a": "x"}) == content_id({"a": "x", "b": 1})
    True
    >>> content_id("hello", key="k") != content_id("hello")
    True
    """
    if isinstance(content, str):
        data = content.encode("utf-8")
    elif isinstance(content, Mapping):
        data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    else:
        raise BadInput(f"content_id: expected a text or a mapping, got {type(content).__name__}")
    if key is None:
        digest = hashlib.sha256(data).hexdigest()
    else:
        digest = hmac.new(key.encode("utf-8") if isinstance(key, str) else key, data, hashlib.sha256).hexdigest()
    return f"{prefix}_{digest[:32]}"


def _check_private(path: Path, expected: int, what: str) -> None:
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise BadInput(f"{path}: the raw store {what} is a symbolic link; refusing to follow it")
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        raise BadInput(
            f"{path}: the raw store {what} has mode {oct(mode)}, readable beyond its owner; it must be "
            f"{oct(expected)} (run `chmod {expected:o} {path}` after checking who has read it)"
        )
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise BadInput(f"{path}: the raw store {what} belongs to uid {st.st_uid}, not to this user ({os.getuid()})")


class RawStore:
    """Access-restricted store of raw records keyed by candidate id.

    Parameters
    ----------
    directory : path, optional
        Folder of the store (default ``<Workbench home>/raw``), created with mode 700.
    """

    def __init__(self, directory: str | os.PathLike | None = None):
        self.directory = Path(directory) if directory is not None else default_dir()
        self.path = self.directory / FILE_NAME
        self._prepare()
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS raw (candidate_id TEXT PRIMARY KEY, record TEXT NOT NULL, stored_at TEXT NOT NULL)"
        )
        _check_private(self.path, FILE_MODE, "file")

    def _prepare(self) -> None:
        if not os.path.lexists(self.directory):
            self.directory.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.mkdir(self.directory, DIR_MODE)
            except FileExistsError:
                pass
            else:
                os.chmod(self.directory, DIR_MODE)  # whatever the umask did
        elif not self.directory.is_dir():
            raise BadInput(f"{self.directory}: the raw store folder is not a folder")
        _check_private(self.directory, DIR_MODE, "folder")
        if not os.path.lexists(self.path):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            except FileExistsError:
                pass
            else:
                os.fchmod(fd, FILE_MODE)
                os.close(fd)
        _check_private(self.path, FILE_MODE, "file")

    def __repr__(self) -> str:
        return f"RawStore({str(self.directory)!r})"

    # -- writing -----------------------------------------------------------------------------

    @staticmethod
    def _check_id(candidate_id: Any) -> str:
        if not isinstance(candidate_id, str) or not candidate_id or len(candidate_id) > 200:
            raise BadInput(f"raw store: candidate id must be a non-empty string of at most 200 characters, got {candidate_id!r:.80}")
        return candidate_id

    def put(self, candidate_id: str, record: Mapping[str, Any] | str) -> bool:
        """Store ``record`` (a mapping, or a text) under ``candidate_id``.

        Returns True when stored, False when the same record was already there. A different
        record under an existing id is refused: ids are derived from content, so that is a bug.
        """
        return self.put_many([(candidate_id, record)]) == 1

    def put_many(self, items: Iterable[tuple[str, Mapping[str, Any] | str]]) -> int:
        """Store many ``(candidate_id, record)`` pairs in one transaction; returns how many were new."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        new = 0
        with closing(self._conn.cursor()) as cur:
            cur.execute("BEGIN IMMEDIATE")
            try:
                for candidate_id, record in items:
                    self._check_id(candidate_id)
                    if not isinstance(record, (str, Mapping)):
                        raise BadInput(f"raw store: record {candidate_id!r} must be a text or a mapping, got {type(record).__name__}")
                    payload = json.dumps(record if isinstance(record, str) else dict(record), sort_keys=True, ensure_ascii=False)
                    row = cur.execute("SELECT record FROM raw WHERE candidate_id = ?", (candidate_id,)).fetchone()
                    if row is None:
                        cur.execute("INSERT INTO raw VALUES (?, ?, ?)", (candidate_id, payload, now))
                        new += 1
                    elif row[0] != payload:
                        raise BadInput(f"raw store: candidate id {candidate_id!r} already holds a different record")
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return new

    def delete(self, candidate_id: str) -> bool:
        """Remove a record (e.g. on an erasure request); True when there was one."""
        cur = self._conn.execute("DELETE FROM raw WHERE candidate_id = ?", (self._check_id(candidate_id),))
        return cur.rowcount > 0

    # -- reading -----------------------------------------------------------------------------

    def get(self, candidate_id: str) -> dict | str | None:
        """The raw record stored under ``candidate_id``, or None."""
        row = self._conn.execute("SELECT record FROM raw WHERE candidate_id = ?", (self._check_id(candidate_id),)).fetchone()
        return None if row is None else json.loads(row[0])

    def __contains__(self, candidate_id: object) -> bool:
        if not isinstance(candidate_id, str):
            return False
        return self._conn.execute("SELECT 1 FROM raw WHERE candidate_id = ?", (candidate_id,)).fetchone() is not None

    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM raw").fetchone()[0]

    def ids(self) -> Iterator[str]:
        """Every stored candidate id, sorted."""
        for (cid,) in self._conn.execute("SELECT candidate_id FROM raw ORDER BY candidate_id"):
            yield cid

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "RawStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
