"""Where imported feedback lives: a SQLite file next to the history store, ``<home>/feedback/feedback.sqlite3``.

Two tables, both keyed by content ids of the source's own ids (so re-importing a file, or an
overlapping one, adds nothing twice: ``INSERT OR IGNORE``):

``interactions``
    ``id, source, source_id, prompt, output, model_version, topic, occurred_at, pii_counts,
    raw_id, file, line, imported_at``
``signals``
    ``id, source, source_id, interaction_id, kind, label, edit, occurred_at, pii_counts, raw_id,
    file, line, imported_at``

Every text in them is redacted; the originals of texts in which PII was found are in the raw
store (:mod:`workbench.raw_store`) under ``raw_id``. The folder is mode 700 and the file mode 600,
as the raw store's. Times are ISO 8601 UTC text (they sort as text).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from workbench import config
from workbench.errors import BadInput

FILE_NAME = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS interactions (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, source_id TEXT NOT NULL, prompt TEXT NOT NULL, output TEXT,
    model_version TEXT, topic TEXT, occurred_at TEXT NOT NULL, pii_counts TEXT, raw_id TEXT,
    file TEXT, line INTEGER, imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS signals (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, source_id TEXT NOT NULL, interaction_id TEXT NOT NULL,
    kind TEXT NOT NULL, label INTEGER, edit TEXT, occurred_at TEXT NOT NULL, pii_counts TEXT, raw_id TEXT,
    file TEXT, line INTEGER, imported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS signals_interaction ON signals (interaction_id);
CREATE INDEX IF NOT EXISTS signals_kind ON signals (kind, occurred_at);
CREATE INDEX IF NOT EXISTS interactions_time ON interactions (occurred_at);
"""

INTERACTION_COLUMNS = ("id", "source", "source_id", "prompt", "output", "model_version", "topic", "occurred_at",
                       "pii_counts", "raw_id", "file", "line", "imported_at")
SIGNAL_COLUMNS = ("id", "source", "source_id", "interaction_id", "kind", "label", "edit", "occurred_at",
                  "pii_counts", "raw_id", "file", "line", "imported_at")


def default_dir() -> Path:
    return config.home() / "feedback"


def private_dir(path: Path) -> Path:
    """``path`` created with mode 700 (an existing one is narrowed)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


class FeedbackStore:
    """The feedback tables; ``with FeedbackStore() as store: ...``."""

    def __init__(self, directory: Path | str | None = None):
        self.directory = private_dir(Path(directory) if directory is not None else default_dir())
        self.path = self.directory / FILE_NAME
        if not self.path.exists():
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None)
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise BadInput(f"{self.path}: not a feedback store ({exc}); move it away and import again") from None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "FeedbackStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, interactions: Sequence[tuple], signals: Sequence[tuple]) -> tuple[int, int]:
        """Insert rows (tuples in :data:`INTERACTION_COLUMNS` / :data:`SIGNAL_COLUMNS` order) in one
        transaction; rows whose id is already stored are left as they are. Returns how many
        interactions and signals were new."""
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            before_i = self._conn.total_changes
            cur.executemany(f"INSERT OR IGNORE INTO interactions VALUES ({','.join('?' * len(INTERACTION_COLUMNS))})",
                            interactions)
            new_i = self._conn.total_changes - before_i
            before_s = self._conn.total_changes
            cur.executemany(f"INSERT OR IGNORE INTO signals VALUES ({','.join('?' * len(SIGNAL_COLUMNS))})", signals)
            new_s = self._conn.total_changes - before_s
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return new_i, new_s

    def existing(self, table: str, ids: Sequence[str]) -> set[str]:
        """The ``ids`` already stored in ``table`` (``interactions`` or ``signals``)."""
        if table not in ("interactions", "signals"):
            raise BadInput(f"feedback store: no table {table!r}")
        found: set[str] = set()
        ids = list(dict.fromkeys(ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            found.update(r[0] for r in self._conn.execute(
                f"SELECT id FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def counts(self) -> dict:
        return {"interactions": self._conn.execute("SELECT COUNT(*) FROM interactions").fetchone()[0],
                "signals": self._conn.execute("SELECT COUNT(*) FROM signals").fetchone()[0]}

    def interactions(self, since: str | None = None) -> pd.DataFrame:
        """Interactions (``occurred_at >= since`` when given) as a table, times as UTC timestamps."""
        q = "SELECT id, source, source_id, prompt, output, model_version, topic, occurred_at FROM interactions"
        df = pd.read_sql_query(q + (" WHERE occurred_at >= ?" if since else "") + " ORDER BY occurred_at, id",
                               self._conn, params=(since,) if since else None)
        df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True, format="ISO8601")
        return df

    def signals(self, since: str | None = None, kinds: Iterable[str] | None = None) -> pd.DataFrame:
        """Signals joined with their interaction (``interaction_source_id``, ``prompt``, ``output``,
        ``model_version``, ``topic``; null for a signal whose interaction is not imported yet)."""
        where, params = [], []
        if since:
            where.append("s.occurred_at >= ?")
            params.append(since)
        if kinds:
            kinds = list(kinds)
            where.append(f"s.kind IN ({','.join('?' * len(kinds))})")
            params += kinds
        q = ("SELECT s.id, s.source, s.source_id, s.interaction_id, s.kind, s.label, s.edit, s.occurred_at, "
             "i.id IS NOT NULL AS has_interaction, i.source_id AS interaction_source_id, i.prompt, i.output, "
             "i.model_version, i.topic "
             "FROM signals s LEFT JOIN interactions i ON i.id = s.interaction_id"
             + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY s.occurred_at, s.id")
        df = pd.read_sql_query(q, self._conn, params=params or None)
        df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True, format="ISO8601")
        df["has_interaction"] = df["has_interaction"].astype(bool)
        return df


def pii_json(counts: dict) -> str | None:
    return json.dumps(counts, sort_keys=True) if counts else None
