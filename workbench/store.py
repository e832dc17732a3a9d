"""The append-only history store: rounds, guideline publications, gold, and every response version.

Argilla keeps only the current state of a response; Workbench needs its history (what an annotator
answered before an edit, under which guideline version, in which round). :class:`HistoryStore`
keeps that history in an SQL database through SQLAlchemy Core, and hands it to the analytics core
as a *tidy* table (one row per judgement: ``item, annotator, question, value, time, round,
guideline_version``).

Where it lives
--------------
``HistoryStore(url)`` takes any SQLAlchemy URL; without one it reads ``WORKBENCH_STORE_URL``, and
without that it uses the SQLite file ``history.db`` under the Workbench home
(:func:`workbench.config.home`). SQLite and PostgreSQL are both tested.

Append-only
-----------
Response and suggestion rows are never updated nor deleted: a changed response (new ``updated_at``,
status or values) is stored as a new *version* (1, 2, ...) of the response of one annotator on one
record of one dataset; earlier versions stay. Gold is also append-only: the latest value set per
``(task, item, question, kind)`` wins. Rounds are keyed by ``(task, dataset)`` and recording the
same round twice changes nothing.

Latest versions
---------------
``response_latest`` holds, per ``(dataset, record, user)``, the latest stored version with all its
answers as one JSON object; :meth:`HistoryStore.write_dataset_sync` keeps it in the same
transaction as the versions, and :meth:`HistoryStore.tidy` reads the current answers from it. It
is derived data: a store written before it existed is filled when opened (dataset by dataset,
resumable, idempotent; :meth:`HistoryStore.rebuild_latest`). The versions stay append-only.

Summaries
---------
``submitted_counts`` (per dataset: the submitted latest responses of each record, user, item and
annotator) and ``dataset_volumes`` (per dataset: responses, records, users) are kept by
:meth:`HistoryStore.write_dataset_sync` in the same transaction, by adding each sync's change; the
dashboard's volumes and totals read them (:meth:`HistoryStore.submitted_volumes`,
:meth:`~HistoryStore.submitted_totals`, :meth:`~HistoryStore.submitted_items`). Derived data: an
older store gets them when opened (:meth:`HistoryStore.rebuild_summaries`, one transaction).

Values
------
Answers of every kind are stored as canonical JSON text and decoded back to Python:

=============  ==============================================================================
kind           stored and returned as
=============  ==============================================================================
label, text    ``str``
rating         ``int``
multi_label    ``list`` of ``str``, **sorted** (the order of selection carries no meaning), so
               ``frozenset(value)`` or ``tuple(value)`` is stable across syncs
ranking        ``list`` of candidate values, best first (Argilla's ``[{"value", "rank"}]``
               ordered by rank, ties by value; see :func:`normalise_value`)
span           ``list`` of ``{"start", "end", "label"}`` dicts sorted by (start, end, label)
=============  ==============================================================================

Times
-----
Every timestamp is stored as naive UTC and returned as timezone-aware UTC pandas timestamps.
Timezone-aware inputs are converted to UTC; naive inputs are taken as UTC (as Argilla sends them).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, NamedTuple, Sequence, TypeAlias

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from workbench.errors import BadInput, ServiceError

GOLD_KINDS = ("expert", "adjudicated")

TIDY_COLUMNS = (
    "item", "annotator", "question", "value", "time", "round", "guideline_version",
    "task", "dataset", "status", "version",
)
HISTORY_COLUMNS = TIDY_COLUMNS + ("dataset_id", "record_id", "user_id", "response_id", "inserted_at", "synced_at")
ROUND_COLUMNS = (
    "task", "round", "kind", "dataset", "workspace", "dataset_id", "guideline_version", "created_at", "forced_reason",
)
GOLD_COLUMNS = ("item", "question", "value", "set_by", "set_at", "kind")
SUGGESTION_COLUMNS = (
    "item", "question", "value", "score", "agent", "type", "time", "task", "dataset", "round", "version",
    "dataset_id", "record_id",
)

metadata = sa.MetaData()

datasets_t = sa.Table(
    "datasets", metadata,
    sa.Column("dataset_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("workspace", sa.String(255), nullable=False),
)

rounds_t = sa.Table(
    "rounds", metadata,
    sa.Column("task", sa.String(255), primary_key=True),
    sa.Column("dataset", sa.String(255), primary_key=True),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("workspace", sa.String(255), nullable=False),
    sa.Column("dataset_id", sa.String(64), nullable=False, index=True),
    sa.Column("guideline_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("forced_reason", sa.Text, nullable=True),
)

publications_t = sa.Table(
    "guideline_publications", metadata,
    sa.Column("task", sa.String(255), nullable=False),
    sa.Column("dataset_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("published_at", sa.DateTime, primary_key=True),
)

gold_t = sa.Table(
    "gold", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("task", sa.String(255), nullable=False, index=True),
    sa.Column("item", sa.String(255), nullable=False),
    sa.Column("question", sa.String(255), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("set_by", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("set_at", sa.DateTime, nullable=False),
)

# One row per stored version of one annotator's response on one record.
response_versions_t = sa.Table(
    "response_versions", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("dataset_id", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False),
    sa.Column("user_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("response_id", sa.String(64), nullable=False),
    sa.Column("item", sa.String(255), nullable=False),
    sa.Column("annotator", sa.String(255), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("inserted_at", sa.DateTime, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=True),
    sa.Column("guideline_version", sa.Integer, nullable=True),
    sa.Column("content_hash", sa.String(40), nullable=False),
    sa.Column("synced_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("dataset_id", "record_id", "user_id", "version", name="uq_response_version"),
)

# One row per question answered in a response version (a discarded response may have none).
response_values_t = sa.Table(
    "response_values", metadata,
    sa.Column("version_id", sa.String(32), sa.ForeignKey("response_versions.id"), primary_key=True),
    sa.Column("question", sa.String(255), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

suggestion_versions_t = sa.Table(
    "suggestion_versions", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("dataset_id", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False),
    sa.Column("question", sa.String(255), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("item", sa.String(255), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("score", sa.Text, nullable=True),
    sa.Column("agent", sa.String(255), nullable=True),
    sa.Column("type", sa.String(32), nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=True),
    sa.Column("content_hash", sa.String(40), nullable=False),
    sa.Column("synced_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("dataset_id", "record_id", "question", "version", name="uq_suggestion_version"),
)

# Where the last completed sync of a dataset got to (written in the same transaction as its rows).
sync_state_t = sa.Table(
    "sync_state", metadata,
    sa.Column("dataset_id", sa.String(64), primary_key=True),
    sa.Column("watermark", sa.DateTime, nullable=True),
    sa.Column("activity", sa.String(64), nullable=True),
    sa.Column("last_sync_at", sa.DateTime, nullable=False),
)

# The latest stored version of each response, kept by write_dataset_sync in the same transaction as
# the versions (derived data: rebuilt from response_versions/response_values by the migration in
# HistoryStore._ensure_latest). `answers` holds every value of that version as one canonical JSON
# object {question: value}. Reading a round's current answers is then a range scan of this table,
# clustered by dataset on SQLite, with no newer-version lookup and no join.
response_latest_t = sa.Table(
    "response_latest", metadata,
    sa.Column("dataset_id", sa.String(64), primary_key=True),
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("version_id", sa.String(32), nullable=False),
    sa.Column("response_id", sa.String(64), nullable=False),
    sa.Column("item", sa.String(255), nullable=False),
    sa.Column("annotator", sa.String(255), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("inserted_at", sa.DateTime, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=True),
    sa.Column("guideline_version", sa.Integer, nullable=True),
    sa.Column("synced_at", sa.DateTime, nullable=False),
    sa.Column("answers", sa.Text, nullable=False),
    # the answers on given items (the Overview's gold items) without scanning every response
    sa.Index("ix_response_latest_item", "item", "dataset_id"),
    sqlite_with_rowid=False,
)

# Summaries of the submitted responses (latest versions), kept by write_dataset_sync in the same
# transaction as response_latest (derived data like it: rebuilt from it by the migration in
# HistoryStore._ensure_summaries and by rebuild_latest). `submitted_counts` holds, per dataset, how
# many submitted responses each record ("r"), user ("u"), item ("i") and annotator ("a") has (rows
# with a count of zero are deleted); `dataset_volumes` the dataset's totals derived from it
# (responses, distinct records, distinct users). The Overview reads these instead of counting the
# distinct values of a million responses.
submitted_counts_t = sa.Table(
    "submitted_counts", metadata,
    sa.Column("dataset_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(1), primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    sqlite_with_rowid=False,
)

dataset_volumes_t = sa.Table(
    "dataset_volumes", metadata,
    sa.Column("dataset_id", sa.String(64), primary_key=True),
    sa.Column("responses", sa.Integer, nullable=False),
    sa.Column("items", sa.Integer, nullable=False),
    sa.Column("annotators", sa.Integer, nullable=False),
)

#: submitted_counts kinds -> the response_latest column counted
COUNT_KINDS = {"r": "record_id", "u": "user_id", "i": "item", "a": "annotator"}

# The content of each record as synced (fields and metadata: redacted text, provenance), one row per
# changed version, append-only like the responses. `workbench export` reads the latest version.
record_versions_t = sa.Table(
    "record_versions", metadata,
    sa.Column("dataset_id", sa.String(64), primary_key=True),
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("item", sa.String(255), nullable=False),
    sa.Column("status", sa.String(32), nullable=True),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("metadata", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=True),
    sa.Column("content_hash", sa.String(40), nullable=False),
    sa.Column("synced_at", sa.DateTime, nullable=False),
    sqlite_with_rowid=False,
)

# Small facts about the store itself (migration progress).
store_meta_t = sa.Table(
    "store_meta", metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", sa.Text, nullable=True),
)

LATEST_DONE = "response_latest"  # store_meta key: value "complete" once every dataset is migrated
LATEST_DATASET = "response_latest:"  # + dataset id: that dataset's rows were rebuilt
SUMMARIES_DONE = "submitted_counts"  # store_meta key: value "complete" once the summaries are built

# (the unique constraints above index each version key)


# --------------------------------------------------------------------------------------------
# Rows as written: one named tuple per appended table, fields named as the table's columns
# --------------------------------------------------------------------------------------------

#: A time as handed to the database driver by :func:`_bulk_insert` (see :func:`_db_time`): SQLite's
#: text form, a naive UTC datetime elsewhere, None for no time.
DbTime: TypeAlias = str | datetime | None

#: A time as the store's methods take it: a datetime, a pandas Timestamp or an ISO 8601 string
#: (see :func:`to_utc`); None for "now" where a method says so.
TimeLike: TypeAlias = datetime | pd.Timestamp | str | None

#: One value or several (``tidy(round=2)`` or ``tidy(round=[2, 3])``).
OneOrMany: TypeAlias = str | Sequence[str]


class ResponseVersionRow(NamedTuple):
    """One row of ``response_versions``: one stored version of one annotator's response."""

    id: str
    dataset_id: str
    record_id: str
    user_id: str
    version: int
    response_id: str
    item: str
    annotator: str
    status: str
    inserted_at: DbTime
    updated_at: DbTime
    guideline_version: int | None
    content_hash: str
    synced_at: DbTime


class ResponseValueRow(NamedTuple):
    """One row of ``response_values``: one answer of a response version, encoded by :func:`encode_value`."""

    version_id: str
    question: str
    value: str


class LatestResponseRow(NamedTuple):
    """One row of ``response_latest``: the latest version of a response with all its answers as one
    JSON object (:func:`answers_text`)."""

    dataset_id: str
    record_id: str
    user_id: str
    version: int
    version_id: str
    response_id: str
    item: str
    annotator: str
    status: str
    inserted_at: DbTime
    updated_at: DbTime
    guideline_version: int | None
    synced_at: DbTime
    answers: str

    @classmethod
    def of(cls, v: ResponseVersionRow, answers: str) -> LatestResponseRow:
        """The ``response_latest`` row of the version ``v`` whose answers are ``answers``."""
        return cls(v.dataset_id, v.record_id, v.user_id, v.version, v.id, v.response_id, v.item, v.annotator,
                   v.status, v.inserted_at, v.updated_at, v.guideline_version, v.synced_at, answers)


class SuggestionVersionRow(NamedTuple):
    """One row of ``suggestion_versions``: one stored version of a suggestion (value and score encoded)."""

    id: str
    dataset_id: str
    record_id: str
    question: str
    version: int
    item: str
    value: str
    score: str | None
    agent: str | None
    type: str | None
    updated_at: DbTime
    content_hash: str
    synced_at: DbTime


class RecordVersionRow(NamedTuple):
    """One row of ``record_versions``: one stored version of a record's content (fields and metadata encoded)."""

    dataset_id: str
    record_id: str
    version: int
    item: str
    status: str | None
    fields: str
    metadata: str
    updated_at: DbTime
    content_hash: str
    synced_at: DbTime


class StoredVersion(NamedTuple):
    """The latest stored version of a response, suggestion or record, and the hash of its content
    (what a sync compares a fetched one with)."""

    version: int
    content_hash: str


class SyncMarks(NamedTuple):
    """Where the last completed sync of a dataset got to (:meth:`HistoryStore.sync_state`)."""

    dataset_id: str
    #: records updated before it have been read
    watermark: datetime | None
    #: the dataset's ``last_activity_at`` at that sync
    activity: str | None
    last_sync_at: datetime


class SubmittedTotals(NamedTuple):
    """Submitted responses (latest versions), distinct items and distinct annotators of some datasets."""

    responses: int
    items: int
    annotators: int


#: The named tuple of the rows of each table :func:`_bulk_insert` appends to (their fields are the
#: table's columns, in order: tests/test_store.py checks it).
ROW_TYPES: dict[str, type] = {
    "response_versions": ResponseVersionRow, "response_values": ResponseValueRow,
    "response_latest": LatestResponseRow, "suggestion_versions": SuggestionVersionRow,
    "record_versions": RecordVersionRow,
}


# --------------------------------------------------------------------------------------------
# Values and times
# --------------------------------------------------------------------------------------------


def normalise_value(kind: str | None, value: Any) -> Any:
    """The canonical form of an answer of question ``kind`` (see the module docstring).

    ``kind`` is a Workbench question kind (``label``, ``multi_label``, ``rating``, ``ranking``,
    ``span``, ``text``) or an Argilla question type (``label_selection``,
    ``multi_label_selection``, ``rating``, ``ranking``, ``span``, ``text``); ``None`` leaves the
    value as it is.

    >>> normalise_value("multi_label", ["b", "a"])
    ['a', 'b']
    >>> normalise_value("ranking", [{"value": "y", "rank": 2}, {"value": "x", "rank": 1}])
    ['x', 'y']
    >>> normalise_value("span", [{"label": "PER", "start": 5, "end": 9}, {"label": "LOC", "start": 0, "end": 3}])
    [{'end': 3, 'label': 'LOC', 'start': 0}, {'end': 9, 'label': 'PER', 'start': 5}]
    """
    if value is None or kind is None:
        return value
    if kind in ("multi_label", "multi_label_selection"):
        if isinstance(value, str):
            return [value]
        return sorted(set(value), key=str)
    if kind == "ranking":
        items = list(value)
        if items and isinstance(items[0], dict):
            items.sort(key=lambda d: (d.get("rank") is None, d.get("rank") or 0, str(d.get("value"))))
            return [d["value"] for d in items]
        return items
    if kind == "span":
        spans = [dict(sorted(s.items())) for s in value]
        spans.sort(key=lambda s: (s.get("start", 0), s.get("end", 0), str(s.get("label"))))
        return spans
    if kind == "rating" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _gold_row(*, task, item, question, value, set_by, kind, set_at: datetime) -> dict:
    """One row of the gold table, checked (:class:`BadInput` for a bad kind, name or empty value)."""
    if kind not in GOLD_KINDS:
        raise BadInput(f"gold kind {kind!r} is not one of {', '.join(GOLD_KINDS)}")
    for name, v in (("task", task), ("item", item), ("question", question), ("set_by", set_by)):
        if not isinstance(v, str) or not v.strip():
            raise BadInput(f"gold {name} {v!r} must be a non-empty string")
    if value is None:
        raise BadInput(f"gold value for item {item!r}, question {question!r} is empty")
    return dict(task=task, item=str(item), question=question, value=encode_value(value), set_by=set_by,
                kind=kind, set_at=set_at)


def _json_default(obj):
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"value of type {type(obj).__name__} cannot be stored: {obj!r}")


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def encode_value(value: Any) -> str:
    """Canonical JSON text of ``value`` (sorted keys, tuples and sets as lists).

    >>> encode_value({"b": 1, "a": (1, 2)})
    '{"a":[1,2],"b":1}'
    """
    t = type(value)
    if t is str or t is int:  # the common answers: JSONEncoder.encode has C fast paths for these
        return _ENCODER.encode(value) if t is str else str(value)
    return _ENCODER.encode(value)


def decode_value(text: str | None) -> Any:
    return None if text is None else json.loads(text)


_IMMUTABLE = (str, int, float, bool, type(None))


def decode_values(texts: Iterable[str | None]) -> list[Any]:
    """:func:`decode_value` over many texts; each distinct scalar is decoded once (answers repeat a
    lot), lists and dicts are decoded per row so that no two rows share a mutable value."""
    memo: dict[str, Any] = {}
    out: list[Any] = []
    loads = json.loads
    for t in texts:
        if t is None:
            out.append(None)
            continue
        v = memo.get(t, memo)
        if v is memo:
            v = loads(t)
            if isinstance(v, _IMMUTABLE):
                memo[t] = v
        out.append(v)
    return out


def answers_text(encoded: dict[str, str]) -> str:
    """One JSON object ``{question: value}`` from values already encoded by :func:`encode_value`
    (keys sorted): ``json.loads`` of it gives each question's value as :func:`decode_value` would."""
    return "{" + ",".join(f"{_ENCODER.encode(q)}:{encoded[q]}" for q in sorted(encoded)) + "}"


def to_utc(when: Any) -> datetime | None:
    """``when`` (datetime, pandas Timestamp or ISO string) as a naive UTC datetime; ``None`` stays.

    >>> to_utc("2024-05-01T12:00:00+02:00")
    datetime.datetime(2024, 5, 1, 10, 0)
    """
    if when is None:
        return None
    if isinstance(when, pd.Timestamp):
        when = when.to_pydatetime()
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            raise BadInput(f"time {when!r} is not an ISO 8601 date-time") from None
    if not isinstance(when, datetime):
        raise BadInput(f"time {when!r} is not a date-time")
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def content_hash(*parts: Any) -> str:
    return hashlib.sha1(encode_value(list(parts)).encode("utf-8")).hexdigest()


def _response_hash(status: str, updated: datetime | None, encoded: dict[str, str]) -> str:
    """Identity of a response version's content from its already-encoded values."""
    text = "\x1f".join([status, updated.isoformat() if updated else ""]
                       + [f"{q}\x1e{encoded[q]}" for q in sorted(encoded)])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


_DELETED_HASH = _response_hash("deleted", None, {})


def _bulk_insert(conn: sa.Connection, table: sa.Table, rows: Sequence[tuple], page: int = 2000) -> None:
    """Insert ``rows`` inside ``conn``'s transaction, fast: named tuples of :data:`ROW_TYPES`
    (each field goes to the column of its name), or plain tuples in ``table``'s column order.

    SQLAlchemy's executemany spends most of its time converting parameters row by row; for SQLite
    and psycopg2 the tuples go to the driver directly (datetimes already made driver-ready by
    :func:`_db_time`), other dialects go through SQLAlchemy.
    """
    if not rows:
        return
    cols = list(getattr(type(rows[0]), "_fields", None) or [c.name for c in table.columns])
    name, driver = conn.dialect.name, conn.dialect.driver
    dbapi_error = conn.dialect.loaded_dbapi.Error
    sql = None
    try:
        if name == "sqlite":
            sql = f'INSERT INTO "{table.name}" ({", ".join(cols)}) VALUES ({", ".join("?" for _ in cols)})'
            cur = _driver(conn).cursor()
            try:  # (as exact tuples: the sqlite3 module binds a tuple subclass item by item, 1.7x slower)
                cur.executemany(sql, map(tuple, rows))
            finally:
                cur.close()
        elif name == "postgresql" and driver == "psycopg2":
            from psycopg2.extras import execute_values

            sql = f'INSERT INTO "{table.name}" ({", ".join(cols)}) VALUES %s'
            cur = _driver(conn).cursor()
            try:
                execute_values(cur, sql, rows, page_size=page)
            finally:
                cur.close()
        else:
            for start in range(0, len(rows), page):
                conn.execute(table.insert(), [dict(zip(cols, r)) for r in rows[start:start + page]])
    except dbapi_error as exc:  # the driver's own error: raise it as SQLAlchemy would (IntegrityError, ...)
        raise sa.exc.DBAPIError.instance(sql, None, exc, dbapi_error, dialect=conn.dialect) from exc


def _driver(conn: sa.Connection) -> Any:
    """The DB-API connection under ``conn`` (for the bulk paths that bypass SQLAlchemy)."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise ServiceError("history store: the database connection is closed")
    return raw


def _delete_latest(conn: sa.Connection, keys: list[tuple[str, str, str]], page: int = 2000) -> None:
    """Delete the ``response_latest`` rows of ``(dataset_id, record_id, user_id)`` keys, in ``conn``'s transaction."""
    if not keys:
        return
    t = response_latest_t
    if conn.dialect.name == "sqlite":
        cur = _driver(conn).cursor()
        try:
            cur.executemany('DELETE FROM "response_latest" WHERE dataset_id = ? AND record_id = ? AND user_id = ?', keys)
        finally:
            cur.close()
        return
    for start in range(0, len(keys), page):
        chunk = keys[start:start + page]
        conn.execute(t.delete().where(sa.tuple_(t.c.dataset_id, t.c.record_id, t.c.user_id).in_(chunk)))


def _latest_of_keys(conn: sa.Connection, dataset_id: str, keys: set[tuple[str, str]],
                    page: int = 500) -> list[tuple[str, str, str, str, str]]:
    """``(record_id, user_id, status, item, annotator)`` of the ``response_latest`` rows of
    ``(record_id, user_id)`` keys of one dataset (read before they are replaced)."""
    if not keys:
        return []
    t = response_latest_t
    records = sorted({r for r, _ in keys})
    out: list[tuple[str, str, str, str, str]] = []
    for start in range(0, len(records), page):
        q = sa.select(t.c.record_id, t.c.user_id, t.c.status, t.c.item, t.c.annotator).where(
            t.c.dataset_id == dataset_id, t.c.record_id.in_(records[start:start + page]))
        out.extend(tuple(r) for r in conn.execute(q) if (r[0], r[1]) in keys)
    return out


def _count_delta(old: Iterable[tuple[str, str, str, str, str]], new: Iterable[LatestResponseRow]) -> dict:
    """``(kind, name) -> change`` of ``submitted_counts`` when the latest rows ``old`` (as
    :func:`_latest_of_keys` reads them) are replaced by ``new``."""
    delta: dict[tuple[str, str], int] = {}
    for record_id, user_id, status, item, annotator in old:
        if status == "submitted":
            for key in (("r", record_id), ("u", user_id), ("i", item), ("a", annotator)):
                delta[key] = delta.get(key, 0) - 1
    for r in new:
        if r.status == "submitted":
            for key in (("r", r.record_id), ("u", r.user_id), ("i", r.item), ("a", r.annotator)):
                delta[key] = delta.get(key, 0) + 1
    return {k: n for k, n in delta.items() if n}


_UPSERT_COUNTS = ('INSERT INTO "submitted_counts" (dataset_id, kind, name, n) VALUES {} ON CONFLICT '
                  '(dataset_id, kind, name) DO UPDATE SET n = "submitted_counts".n + excluded.n')


def _apply_counts(conn: sa.Connection, dataset_id: str, delta: dict, page: int = 2000) -> None:
    """Add ``delta`` (:func:`_count_delta`) to a dataset's ``submitted_counts`` (rows reaching zero
    deleted) and refresh its ``dataset_volumes`` row, in ``conn``'s transaction."""
    if not delta:
        return
    t = submitted_counts_t
    rows = [(dataset_id, kind, name, n) for (kind, name), n in delta.items()]
    name, driver = conn.dialect.name, conn.dialect.driver
    if name == "sqlite":
        cur = _driver(conn).cursor()
        try:
            cur.executemany(_UPSERT_COUNTS.format("(?, ?, ?, ?)"), rows)
        finally:
            cur.close()
    elif name == "postgresql" and driver == "psycopg2":
        from psycopg2.extras import execute_values

        cur = _driver(conn).cursor()
        try:
            execute_values(cur, _UPSERT_COUNTS.format("%s"), rows, page_size=page)
        finally:
            cur.close()
    else:
        for d, kind, key, n in rows:
            where = (t.c.dataset_id == d) & (t.c.kind == kind) & (t.c.name == key)
            if conn.execute(t.update().where(where).values(n=t.c.n + n)).rowcount == 0:
                conn.execute(t.insert(), [dict(dataset_id=d, kind=kind, name=key, n=n)])
    conn.execute(t.delete().where(t.c.dataset_id == dataset_id, t.c.n == 0))
    _refresh_volumes(conn, dataset_id)


def _refresh_volumes(conn: sa.Connection, dataset_id: str) -> None:
    """A dataset's ``dataset_volumes`` row from its ``submitted_counts`` (one range scan of them)."""
    t, v = submitted_counts_t, dataset_volumes_t
    per = {k: (int(c), int(n or 0)) for k, c, n in conn.execute(
        sa.select(t.c.kind, sa.func.count(), sa.func.sum(t.c.n)).where(
            t.c.dataset_id == dataset_id, t.c.kind.in_(["r", "u"])).group_by(t.c.kind))}
    conn.execute(v.delete().where(v.c.dataset_id == dataset_id))
    conn.execute(v.insert(), [dict(dataset_id=dataset_id, responses=per.get("u", (0, 0))[1],
                                   items=per.get("r", (0, 0))[0], annotators=per.get("u", (0, 0))[0])])


def _rebuild_counts(conn: sa.Connection, dataset_id: str) -> None:
    """A dataset's ``submitted_counts`` and ``dataset_volumes`` rebuilt from its ``response_latest``
    rows, in ``conn``'s transaction (idempotent)."""
    t, lt = submitted_counts_t, response_latest_t
    conn.execute(t.delete().where(t.c.dataset_id == dataset_id))
    for kind, column in COUNT_KINDS.items():
        col = lt.c[column]
        conn.execute(t.insert().from_select(["dataset_id", "kind", "name", "n"], sa.select(
            lt.c.dataset_id, sa.literal(kind, sa.String), col, sa.func.count()).where(
            lt.c.dataset_id == dataset_id, lt.c.status == "submitted").group_by(lt.c.dataset_id, col)))
    _refresh_volumes(conn, dataset_id)


def _db_time(dialect_name: str) -> Callable[[datetime | None], DbTime]:
    """How a datetime goes to :func:`_bulk_insert`: SQLite stores SQLAlchemy's text form."""
    if dialect_name == "sqlite":
        return lambda v: None if v is None else v.isoformat(sep=" ", timespec="microseconds")
    return lambda v: v


def _utc_series(values) -> pd.Series:
    series = pd.Series(values, dtype="object")
    # (infer_dtype: every value a str, checked in C rather than a Python call per value)
    if len(series) and pd.api.types.infer_dtype(series, skipna=False) == "string":  # SQLite text, read raw (see _dt)
        return pd.to_datetime(series, utc=True, format="ISO8601")
    return pd.to_datetime(series, utc=True)


def default_url() -> str:
    """``WORKBENCH_STORE_URL``, else SQLite ``history.db`` under the Workbench home."""
    env = os.environ.get("WORKBENCH_STORE_URL")
    if env:
        return env
    from workbench import config

    return f"sqlite:///{config.home() / 'history.db'}"


# --------------------------------------------------------------------------------------------
# Rows handed over by sync
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRow:
    """One annotator's response on one record, as read from Argilla (values already normalised)."""

    record_id: str
    item: str
    user_id: str
    annotator: str
    response_id: str
    status: str
    values: dict[str, Any]
    inserted_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class SuggestionRow:
    """One suggestion (a model's proposed answer to one question of one record)."""

    record_id: str
    item: str
    question: str
    value: Any
    score: Any
    agent: str | None
    type: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class RecordRow:
    """One record's content as read from Argilla: its fields (already redacted at ingest) and metadata."""

    record_id: str
    item: str
    fields: dict[str, Any]
    metadata: dict[str, Any]
    status: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class DatasetWrite:
    """What one dataset's sync appended (counts of new version rows)."""

    responses: int
    suggestions: int
    records: int = 0


class HistoryStore:
    """The append-only history of an annotation project (see the module docstring).

    Parameters
    ----------
    url : str, optional
        SQLAlchemy database URL; default ``WORKBENCH_STORE_URL``, else ``sqlite:///<home>/history.db``.
        Tables are created when missing.
    """

    #: tidy(latest_only=True) reads the ``response_latest`` table (False: the latest-version query
    #: over every version, kept as the reference the tests compare with)
    read_latest_table = True
    #: the Overview's figures from the summaries (``dataset_volumes``, ``submitted_counts``), the
    #: answers on gold items through ``ix_response_latest_item`` and one dataset's latest suggestions
    #: read for that dataset alone (False: counted from and scanned in ``response_latest``, and every
    #: dataset's latest suggestions looked up, as before; kept as the reference the benchmark times)
    use_summaries = True

    def __init__(self, url: str | None = None) -> None:
        self.url: str = url or default_url()
        kwargs: dict = {"future": True}
        if self.url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 60}
            database = sa.engine.make_url(self.url).database
            if database and database != ":memory:":
                os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
        try:
            self.engine: sa.Engine = sa.create_engine(self.url, **kwargs)
            if self.url.startswith("sqlite"):
                @sa.event.listens_for(self.engine, "connect")
                def _pragmas(dbapi_conn, _):  # noqa: ANN001
                    cur = dbapi_conn.cursor()
                    cur.execute("PRAGMA journal_mode=WAL")
                    cur.execute("PRAGMA synchronous=NORMAL")
                    cur.execute("PRAGMA cache_size=-262144")  # up to 256 MiB of pages for bulk syncs
                    cur.close()
            metadata.create_all(self.engine)
            for index in response_latest_t.indexes:  # (create_all adds no index to a table that exists)
                index.create(self.engine, checkfirst=True)
            self._ensure_latest()
            self._ensure_summaries()
        except SQLAlchemyError as exc:
            raise ServiceError(f"history store {self._shown_url()} cannot be opened: {exc.__class__.__name__}: "
                               f"{str(exc).splitlines()[0]}") from None

    # ------------------------------------------------------------------ latest versions (derived table)

    def _ensure_latest(self) -> None:
        """Fill ``response_latest`` for a store written before it existed: dataset by dataset, each
        in its own transaction that rebuilds the dataset's rows from the versions and records that
        it did, so an interrupted migration resumes where it stopped and a repeated one changes
        nothing. Once every dataset is done the store is marked and this is one small query."""
        meta, rv = store_meta_t, response_versions_t
        with self.engine.connect() as conn:
            if conn.execute(sa.select(meta.c.value).where(meta.c.key == LATEST_DONE)).scalar() == "complete":
                return
            ids = {r[0] for r in conn.execute(sa.select(rv.c.dataset_id).distinct())}
            done = {r[0][len(LATEST_DATASET):] for r in conn.execute(
                sa.select(meta.c.key).where(meta.c.key.startswith(LATEST_DATASET, autoescape=True)))}
        for dataset_id in sorted(ids - done):
            self.rebuild_latest(dataset_id)
        with self.engine.begin() as conn:
            if conn.execute(sa.select(meta.c.key).where(meta.c.key == LATEST_DONE)).first() is None:
                conn.execute(meta.insert(), [dict(key=LATEST_DONE, value="complete")])
            else:
                conn.execute(meta.update().where(meta.c.key == LATEST_DONE).values(value="complete"))

    def _ensure_summaries(self) -> None:
        """Build ``submitted_counts`` and ``dataset_volumes`` for a store written before they
        existed, from ``response_latest``, in one transaction that also marks the store (so an
        interrupted build leaves nothing half-built and is redone; once marked, one small query)."""
        meta = store_meta_t
        with self.engine.connect() as conn:
            if conn.execute(sa.select(meta.c.value).where(meta.c.key == SUMMARIES_DONE)).scalar() == "complete":
                return
        try:
            self.rebuild_summaries()
        except sa.exc.IntegrityError:  # another process built them at the same time (PostgreSQL)
            with self.engine.connect() as conn:
                if conn.execute(sa.select(meta.c.value).where(meta.c.key == SUMMARIES_DONE)).scalar() != "complete":
                    raise

    def rebuild_summaries(self) -> None:
        """Rebuild every dataset's ``submitted_counts`` and ``dataset_volumes`` from
        ``response_latest`` (one transaction; idempotent) and mark the store as having them."""
        meta, lt = store_meta_t, response_latest_t
        with self.engine.begin() as conn:
            conn.execute(submitted_counts_t.delete())
            conn.execute(dataset_volumes_t.delete())
            for (dataset_id,) in conn.execute(sa.select(lt.c.dataset_id).distinct()).all():
                _rebuild_counts(conn, dataset_id)
            conn.execute(meta.delete().where(meta.c.key == SUMMARIES_DONE))
            conn.execute(meta.insert(), [dict(key=SUMMARIES_DONE, value="complete")])

    def rebuild_latest(self, dataset_id: str) -> int:
        """Rebuild the ``response_latest`` rows of one dataset from its stored versions (one
        transaction; idempotent). Returns the number of rows written."""
        rv, vals, lt, meta = response_versions_t, response_values_t, response_latest_t, store_meta_t
        newer = rv.alias("newer")
        is_latest = ~sa.select(sa.literal(1)).where(
            newer.c.dataset_id == rv.c.dataset_id, newer.c.record_id == rv.c.record_id,
            newer.c.user_id == rv.c.user_id, newer.c.version > rv.c.version).exists()
        key = LATEST_DATASET + dataset_id
        with self.engine.begin() as conn:
            dbt = _db_time(conn.dialect.name)
            rows = conn.execute(sa.select(
                rv.c.id, rv.c.record_id, rv.c.user_id, rv.c.version, rv.c.response_id, rv.c.item, rv.c.annotator,
                rv.c.status, rv.c.inserted_at, rv.c.updated_at, rv.c.guideline_version, rv.c.synced_at,
            ).where(rv.c.dataset_id == dataset_id, is_latest)).all()
            encoded: dict[str, dict[str, str]] = {}
            for vid, q, v in conn.execute(sa.select(vals.c.version_id, vals.c.question, vals.c.value).select_from(
                    vals.join(rv, rv.c.id == vals.c.version_id)).where(rv.c.dataset_id == dataset_id, is_latest)):
                encoded.setdefault(vid, {})[q] = v
            out = [LatestResponseRow(
                dataset_id=dataset_id, record_id=r.record_id, user_id=r.user_id, version=r.version, version_id=r.id,
                response_id=r.response_id, item=r.item, annotator=r.annotator, status=r.status,
                inserted_at=dbt(r.inserted_at), updated_at=dbt(r.updated_at), guideline_version=r.guideline_version,
                synced_at=dbt(r.synced_at), answers=answers_text(encoded.get(r.id, {}))) for r in rows]
            conn.execute(lt.delete().where(lt.c.dataset_id == dataset_id))
            _bulk_insert(conn, lt, out)
            _rebuild_counts(conn, dataset_id)
            if conn.execute(sa.select(meta.c.key).where(meta.c.key == key)).first() is None:
                conn.execute(meta.insert(), [dict(key=key, value=None)])
        return len(out)

    def _shown_url(self) -> str:
        try:
            return sa.engine.make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001
            return "<unparsable url>"

    def __repr__(self) -> str:
        return f"HistoryStore({self._shown_url()!r})"

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ rounds & publications

    def record_round(self, *, task: str, round: int, kind: str, dataset: str, workspace: str, dataset_id: str,
                     guideline_version: int, created_at: TimeLike = None, forced_reason: str | None = None) -> None:
        """Register an annotation round: dataset ``dataset`` (Argilla id ``dataset_id``) of ``task``.

        Idempotent on ``(task, dataset)``: recording the same round again changes nothing (the first
        record is kept). Every dataset registered here is pulled by :func:`workbench.sync.sync`.
        ``forced_reason`` is the reason given when a round was created past a failed gate.
        """
        row = dict(task=task, round=int(round), kind=kind, dataset=dataset, workspace=workspace,
                   dataset_id=str(dataset_id), guideline_version=int(guideline_version),
                   created_at=to_utc(created_at) or utcnow(), forced_reason=forced_reason)
        with self.engine.begin() as conn:
            exists = conn.execute(sa.select(rounds_t.c.task).where(
                rounds_t.c.task == task, rounds_t.c.dataset == dataset)).first()
            if exists is None:
                conn.execute(rounds_t.insert(), [row])
            self._upsert_dataset(conn, str(dataset_id), dataset, workspace)

    def rounds(self, task: str | None = None) -> pd.DataFrame:
        """Every recorded round (columns :data:`ROUND_COLUMNS`), by task then round number."""
        q = sa.select(*[rounds_t.c[c] for c in ROUND_COLUMNS]).order_by(rounds_t.c.task, rounds_t.c.round,
                                                                          rounds_t.c.created_at)
        if task is not None:
            q = q.where(rounds_t.c.task == task)
        with self.engine.connect() as conn:
            df = pd.DataFrame(conn.execute(q).all(), columns=list(ROUND_COLUMNS))
        df["created_at"] = _utc_series(df["created_at"])
        return df

    def record_guideline_publication(self, *, task: str, dataset_id: str, version: int,
                                     published_at: TimeLike = None) -> None:
        """Record that guideline ``version`` of ``task`` was published on dataset ``dataset_id`` at
        ``published_at`` (default now). Recording the same publication twice changes nothing."""
        row = dict(task=task, dataset_id=str(dataset_id), version=int(version),
                   published_at=to_utc(published_at) or utcnow())
        with self.engine.begin() as conn:
            exists = conn.execute(sa.select(publications_t.c.version).where(
                publications_t.c.dataset_id == row["dataset_id"], publications_t.c.version == row["version"],
                publications_t.c.published_at == row["published_at"])).first()
            if exists is None:
                conn.execute(publications_t.insert(), [row])

    def publications(self, dataset_id: str | None = None) -> pd.DataFrame:
        """Guideline publications (task, dataset_id, version, published_at), oldest first."""
        q = sa.select(publications_t).order_by(publications_t.c.dataset_id, publications_t.c.published_at)
        if dataset_id is not None:
            q = q.where(publications_t.c.dataset_id == str(dataset_id))
        with self.engine.connect() as conn:
            df = pd.DataFrame(conn.execute(q).all(), columns=["task", "dataset_id", "version", "published_at"])
        df["published_at"] = _utc_series(df["published_at"])
        return df

    def guideline_version_at(self, dataset_id: str, when: TimeLike) -> int | None:
        """The guideline version in force on ``dataset_id`` at ``when``.

        That is the version of the latest publication at or before ``when``. When nothing was
        published by then, the version the dataset's round was created with (``record_round``);
        ``None`` if the dataset is not a recorded round either.
        """
        return self._version_lookup(str(dataset_id))(to_utc(when))

    def _version_lookup(self, dataset_id: str) -> Callable[[datetime | None], int | None]:
        with self.engine.connect() as conn:
            return self._version_lookup_conn(conn, dataset_id)

    # ------------------------------------------------------------------ gold

    def set_gold(self, *, task: str, item: str, question: str, value: Any, set_by: str, kind: str = "expert",
                 set_at: TimeLike = None) -> None:
        """Append a gold answer for ``(task, item, question)``.

        ``kind`` is ``"expert"`` (an expert's reference answer) or ``"adjudicated"`` (the
        resolution of a disagreement). Gold never overwrites: the latest row per kind wins in
        :meth:`gold`, and earlier ones stay as history (:meth:`gold_history`).
        """
        row = _gold_row(task=task, item=item, question=question, value=value, set_by=set_by, kind=kind,
                        set_at=to_utc(set_at) or utcnow())
        with self.engine.begin() as conn:
            conn.execute(gold_t.insert(), [row])

    def set_gold_many(self, task: str, rows: Iterable[dict[str, Any]], *, set_at: TimeLike = None) -> int:
        """Append the gold answers ``rows`` of ``task`` in one transaction; the number appended.

        Each row is a dict of ``item``, ``question``, ``value``, ``set_by`` and optionally ``kind``
        (default ``"expert"``), as for :meth:`set_gold`. A row whose value equals the latest gold of
        its kind for its ``(item, question)`` (stored, or an earlier row of ``rows``) changes
        nothing and is skipped, so writing the same rows again appends nothing. Every row is
        checked before anything is written, and all of them are written or none (an error while
        writing rolls the whole batch back). All rows get the same ``set_at`` (default: now).
        """
        when = to_utc(set_at) or utcnow()
        new = [_gold_row(task=task, kind=r.get("kind", "expert"), set_at=when,
                         **{k: r[k] for k in ("item", "question", "value", "set_by")}) for r in rows]
        try:
            with self.engine.begin() as conn:
                q = sa.select(gold_t.c.item, gold_t.c.question, gold_t.c.kind, gold_t.c.value).where(
                    gold_t.c.task == task).order_by(gold_t.c.set_at, gold_t.c.id)
                current = {(item, question, kind): value for item, question, kind, value in conn.execute(q)}
                write = []
                for row in new:
                    key = (row["item"], row["question"], row["kind"])
                    if current.get(key) != row["value"]:
                        current[key] = row["value"]
                        write.append(row)
                if write:
                    conn.execute(gold_t.insert(), write)
        except SQLAlchemyError as exc:
            raise ServiceError(f"history store {self._shown_url()}: gold of task {task!r} not written (nothing "
                               f"was): {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from None
        return len(write)

    def gold_history(self, task: str) -> pd.DataFrame:
        """Every gold row ever set for ``task`` (columns :data:`GOLD_COLUMNS`), oldest first."""
        q = sa.select(gold_t.c.item, gold_t.c.question, gold_t.c.value, gold_t.c.set_by, gold_t.c.set_at,
                      gold_t.c.kind).where(gold_t.c.task == task).order_by(gold_t.c.set_at, gold_t.c.id)
        with self.engine.connect() as conn:
            df = pd.DataFrame(conn.execute(q).all(), columns=list(GOLD_COLUMNS))
        df["value"] = [decode_value(v) for v in df["value"]]
        df["set_at"] = _utc_series(df["set_at"])
        return df

    def gold(self, task: str, *, prefer_adjudicated: bool = True) -> pd.DataFrame:
        """The gold answer per ``(item, question)`` of ``task``: columns :data:`GOLD_COLUMNS`.

        Within a kind the latest row wins. With ``prefer_adjudicated`` an adjudicated answer beats
        an expert one regardless of time; without it, the latest of either kind wins.
        """
        hist = self.gold_history(task)
        if hist.empty:
            return hist
        hist = hist.reset_index(drop=True)
        hist["_seq"] = range(len(hist))
        latest = hist.groupby(["item", "question", "kind"], sort=False).tail(1)
        if prefer_adjudicated:
            latest = latest.assign(_rank=(latest["kind"] == "adjudicated").astype(int))
            latest = latest.sort_values(["_rank", "_seq"])
        else:
            latest = latest.sort_values("_seq")
        out = latest.groupby(["item", "question"], sort=False).tail(1)
        out = out.sort_values(["item", "question"]).reset_index(drop=True)
        return out[list(GOLD_COLUMNS)]

    # ------------------------------------------------------------------ datasets & sync state

    def _upsert_dataset(self, conn: sa.Connection, dataset_id: str, name: str, workspace: str) -> None:
        row = conn.execute(sa.select(datasets_t).where(datasets_t.c.dataset_id == dataset_id)).first()
        if row is None:
            conn.execute(datasets_t.insert(), [dict(dataset_id=dataset_id, name=name, workspace=workspace)])
        elif (row.name, row.workspace) != (name, workspace):  # a renamed dataset: the name is metadata
            conn.execute(datasets_t.update().where(datasets_t.c.dataset_id == dataset_id).values(
                name=name, workspace=workspace))

    def sync_state(self, dataset_id: str) -> SyncMarks | None:
        """The marks of the last completed sync of ``dataset_id``: ``watermark`` (records updated before
        it have been read), ``activity`` (the dataset's ``last_activity_at`` then) and ``last_sync_at``;
        ``None`` if it was never synced."""
        st = sync_state_t
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(st.c.dataset_id, st.c.watermark, st.c.activity, st.c.last_sync_at).where(
                st.c.dataset_id == str(dataset_id))).first()
        return None if row is None else SyncMarks(*row)

    @staticmethod
    def _latest_keys(conn: sa.Connection, table: sa.Table, second: str | None, dataset_id: str,
                     record_ids: set[str] | None = None) -> dict[Any, StoredVersion]:
        """``(record_id, second) -> (latest version, content hash)`` for a dataset, or for some of its
        records only (``record_ids``, looked up 500 at a time: an incremental sync of a few records
        then costs a few index lookups instead of a pass over the dataset's history). With
        ``second=None`` the versions are per record and the keys are the record ids."""
        t = table
        keys = [t.c.record_id] + ([t.c[second]] if second is not None else [])

        def query(ids):
            sub = sa.select(*[k.label(f"k{i}") for i, k in enumerate(keys)], sa.func.max(t.c.version).label("v")) \
                .where(t.c.dataset_id == dataset_id)
            q = sa.select(*keys, t.c.version, t.c.content_hash).where(t.c.dataset_id == dataset_id)
            if ids is not None:
                sub = sub.where(t.c.record_id.in_(ids))
                q = q.where(t.c.record_id.in_(ids))
            sub = sub.group_by(*keys).subquery()
            return q.join(sub, sa.and_(*[k == sub.c[f"k{i}"] for i, k in enumerate(keys)], t.c.version == sub.c.v))

        def key(r):
            return r[0] if second is None else (r[0], r[1])

        n = len(keys)
        if record_ids is not None and not record_ids:
            return {}
        if record_ids is None or len(record_ids) > 5000:
            return {key(r): StoredVersion(r[n], r[n + 1]) for r in conn.execute(query(None))}
        out: dict[Any, StoredVersion] = {}
        ids = sorted(record_ids)
        for start in range(0, len(ids), 500):
            out.update({key(r): StoredVersion(r[n], r[n + 1]) for r in conn.execute(query(ids[start:start + 500]))})
        return out

    def latest_response_keys(self, dataset_id: str, conn: sa.Connection | None = None,
                             record_ids: set[str] | None = None) -> dict[tuple[str, str], StoredVersion]:
        """``(record_id, user_id) -> (latest version, content hash)`` of a dataset's stored responses."""
        if conn is not None:
            return self._latest_keys(conn, response_versions_t, "user_id", dataset_id, record_ids)
        with self.engine.connect() as c:
            return self._latest_keys(c, response_versions_t, "user_id", dataset_id, record_ids)

    def write_dataset_sync(self, *, dataset_id: str, name: str, workspace: str, responses: Iterable[ResponseRow],
                           suggestions: Iterable[SuggestionRow], watermark: datetime | None,
                           activity: str | None = None, fetched_record_ids: dict[str, str] | None = None,
                           records: Iterable[RecordRow] = (),
                           on_progress: Callable[[str], None] | None = None) -> DatasetWrite:
        """Append what changed in one dataset, and set its sync marks, in **one transaction**.

        A response is appended as a new version when its content (status, values, ``updated_at``)
        differs from the latest stored version of the same ``(record, user)``; a suggestion when its
        value, score, agent or type differ. Anything else is skipped, so writing the same rows twice
        adds nothing. ``fetched_record_ids`` (record id -> item) lists the records read in full: a
        response stored for one of them but absent from ``responses`` gets a ``"deleted"`` version
        with no values. ``records`` (their fields and metadata) are appended as a new version when
        their content differs from the latest stored one. If the process dies before the commit the
        store is left as it was.
        ``on_progress(stage)`` is called between stages (used by tests to interrupt a sync).
        """
        dataset_id = str(dataset_id)
        now = utcnow()
        with self.engine.begin() as conn:
            self._upsert_dataset(conn, dataset_id, name, workspace)
            lookup = self._version_lookup_conn(conn, dataset_id)
            responses = list(responses)
            suggestions = list(suggestions)
            touched = {r.record_id for r in responses} | set(fetched_record_ids or ())
            latest = self.latest_response_keys(dataset_id, conn, touched)
            version_rows: list[ResponseVersionRow] = []
            value_rows: list[tuple[str, str, str]] = []
            latest_rows: dict[tuple[str, str], LatestResponseRow] = {}  # (record, user) -> its response_latest row
            replaced: set[tuple[str, str]] = set()  # keys with a stored version, so a response_latest row
            dbt = _db_time(conn.dialect.name)
            db_now = dbt(now)
            for r in responses:
                encoded = {q: encode_value(v) for q, v in (r.values or {}).items() if v is not None}
                updated = to_utc(r.updated_at)
                inserted = to_utc(r.inserted_at)
                h = _response_hash(r.status, updated, encoded)
                key = (r.record_id, r.user_id)
                prev = latest.get(key)
                if prev is not None and prev.content_hash == h:
                    continue
                version = (prev.version + 1) if prev else 1
                latest[key] = StoredVersion(version, h)
                vid = os.urandom(16).hex()
                # (positional, in field order: a million responses, and keywords cost three times as much)
                db_inserted, db_updated, gv = dbt(inserted), dbt(updated), lookup(updated or inserted)
                version_rows.append(ResponseVersionRow(
                    vid, dataset_id, r.record_id, r.user_id, version, r.response_id, r.item, r.annotator, r.status,
                    db_inserted, db_updated, gv, h, db_now))
                # (ResponseValueRow's fields; three, as a plain tuple: two per response, measured 3% of a write)
                value_rows.extend([(vid, q, v) for q, v in encoded.items()])
                if prev is not None:
                    replaced.add(key)
                latest_rows[key] = LatestResponseRow(
                    dataset_id, r.record_id, r.user_id, version, vid, r.response_id, r.item, r.annotator, r.status,
                    db_inserted, db_updated, gv, db_now, answers_text(encoded))
            if fetched_record_ids:
                present = {(r.record_id, r.user_id) for r in responses}
                names = self._annotator_names(conn, dataset_id)
                deleted_hash = _DELETED_HASH
                for (record_id, user_id), (version, h) in list(latest.items()):
                    if record_id in fetched_record_ids and (record_id, user_id) not in present and h != deleted_hash:
                        latest[(record_id, user_id)] = StoredVersion(version + 1, deleted_hash)
                        row = ResponseVersionRow(
                            id=os.urandom(16).hex(), dataset_id=dataset_id, record_id=record_id, user_id=user_id,
                            version=version + 1, response_id="", item=fetched_record_ids[record_id],
                            annotator=names.get(user_id, user_id), status="deleted", inserted_at=None,
                            updated_at=None, guideline_version=None, content_hash=deleted_hash, synced_at=db_now)
                        version_rows.append(row)
                        replaced.add((record_id, user_id))
                        latest_rows[(record_id, user_id)] = LatestResponseRow.of(row, "{}")
            if on_progress:
                on_progress("responses-read")
            _bulk_insert(conn, response_versions_t, version_rows)
            if on_progress:
                on_progress("responses-written")
            _bulk_insert(conn, response_values_t, value_rows)
            # a response never stored before has no response_latest row (they derive from versions)
            delta = _count_delta(_latest_of_keys(conn, dataset_id, replaced), latest_rows.values())
            _delete_latest(conn, [(dataset_id, r, u) for r, u in replaced])
            _bulk_insert(conn, response_latest_t, list(latest_rows.values()))
            _apply_counts(conn, dataset_id, delta)  # the summaries, in the same transaction

            slatest = self._latest_keys(conn, suggestion_versions_t, "question", dataset_id,
                                        {x.record_id for x in suggestions})
            srows: list[SuggestionVersionRow] = []
            for s in suggestions:
                h = content_hash(s.value, s.score, s.agent, s.type)
                key = (s.record_id, s.question)
                prev = slatest.get(key)
                if prev is not None and prev.content_hash == h:
                    continue
                version = (prev.version + 1) if prev else 1
                slatest[key] = StoredVersion(version, h)
                srows.append(SuggestionVersionRow(
                    id=os.urandom(16).hex(), dataset_id=dataset_id, record_id=s.record_id, question=s.question,
                    version=version, item=s.item, value=encode_value(s.value),
                    score=None if s.score is None else encode_value(s.score), agent=s.agent, type=s.type,
                    updated_at=dbt(to_utc(s.updated_at)), content_hash=h, synced_at=db_now))
            _bulk_insert(conn, suggestion_versions_t, srows)
            rrows = self._record_rows(conn, dataset_id, list(records), db_now, dbt)
            _bulk_insert(conn, record_versions_t, rrows)

            marks = dict(watermark=to_utc(watermark), activity=activity, last_sync_at=now)
            if conn.execute(sa.select(sync_state_t.c.dataset_id).where(
                    sync_state_t.c.dataset_id == dataset_id)).first() is None:
                conn.execute(sync_state_t.insert(), [dict(dataset_id=dataset_id, **marks)])
            else:
                conn.execute(sync_state_t.update().where(sync_state_t.c.dataset_id == dataset_id).values(**marks))
            if on_progress:
                on_progress("before-commit")
        return DatasetWrite(responses=len(version_rows), suggestions=len(srows), records=len(rrows))

    def _record_rows(self, conn: sa.Connection, dataset_id: str, records: list[RecordRow], db_now: DbTime,
                     dbt: Callable[[datetime | None], DbTime]) -> list[RecordVersionRow]:
        """New ``record_versions`` rows for the records whose content changed (or is new)."""
        if not records:
            return []
        stored = self._latest_keys(conn, record_versions_t, None, dataset_id, {r.record_id for r in records})
        rows = []
        for r in records:
            fields, meta = encode_value(r.fields or {}), encode_value(r.metadata or {})
            h = content_hash(fields, meta, r.status)
            prev = stored.get(r.record_id)
            if prev is not None and prev.content_hash == h:
                continue
            version = prev.version + 1 if prev else 1
            stored[r.record_id] = StoredVersion(version, h)
            rows.append(RecordVersionRow(
                dataset_id=dataset_id, record_id=r.record_id, version=version, item=r.item, status=r.status,
                fields=fields, metadata=meta, updated_at=dbt(to_utc(r.updated_at)), content_hash=h,
                synced_at=db_now))
        return rows

    def records(self, *, task: str | None = None, dataset: OneOrMany | None = None,
                decode: bool = True) -> pd.DataFrame:
        """The latest stored content of each record: columns ``dataset_id, dataset, task, round, kind,
        record_id, item, status, fields, metadata, synced_at`` (``fields``/``metadata`` decoded to dicts;
        with ``decode=False`` as their canonical JSON text, for callers that need only some),
        ordered by dataset then record id. ``dataset`` matches names or Argilla ids."""
        rt, ds, rd = record_versions_t, datasets_t, rounds_t
        newest = sa.select(rt.c.dataset_id, rt.c.record_id, sa.func.max(rt.c.version).label("v")).group_by(
            rt.c.dataset_id, rt.c.record_id).subquery()
        frm = rt.join(newest, sa.and_(newest.c.dataset_id == rt.c.dataset_id, newest.c.record_id == rt.c.record_id,
                                      newest.c.v == rt.c.version)).join(
            ds, ds.c.dataset_id == rt.c.dataset_id, isouter=True).join(rd, rd.c.dataset_id == rt.c.dataset_id,
                                                                      isouter=True)
        q = sa.select(rt.c.dataset_id, ds.c.name.label("dataset"), rd.c.task, rd.c.round, rd.c.kind, rt.c.record_id,
                      rt.c.item, rt.c.status, rt.c.fields, rt.c.metadata, rt.c.synced_at).select_from(frm)
        if task is not None:
            q = q.where(rd.c.task == task)
        if dataset is not None:
            q = q.where(ds.c.name.in_(_as_list(dataset)) | rt.c.dataset_id.in_(_as_list(dataset)))
        q = q.order_by(rt.c.dataset_id, rt.c.record_id)
        cols = ["dataset_id", "dataset", "task", "round", "kind", "record_id", "item", "status", "fields", "metadata",
                "synced_at"]
        with self.engine.connect() as conn:
            res = conn.execute(q)
            rows = res.cursor.fetchall() if conn.dialect.name == "sqlite" else res.fetchall()
            df = pd.DataFrame.from_records(rows, columns=cols)
        if decode:
            df["fields"] = decode_values(df["fields"])
            df["metadata"] = decode_values(df["metadata"])
        df["synced_at"] = _utc_series(df["synced_at"])
        df["round"] = df["round"].astype("Int64")
        return df

    LATEST_RESPONSE_COLUMNS: tuple[str, ...] = ("dataset_id", "record_id", "item", "user_id", "annotator", "status", "guideline_version")

    def latest_responses(self, *, task: str | None = None, dataset: OneOrMany | None = None,
                         columns: Sequence[str] = LATEST_RESPONSE_COLUMNS) -> pd.DataFrame:
        """The current state of every response (no answers): ``columns`` of
        :attr:`LATEST_RESPONSE_COLUMNS`, in the store's key order (dataset, record, user). A
        discarded response with no values is here (the tidy table has no row for it)."""
        bad = [c for c in columns if c not in self.LATEST_RESPONSE_COLUMNS]
        if bad or not columns:
            raise BadInput(f"columns: {bad or list(columns)!r} are not among {', '.join(self.LATEST_RESPONSE_COLUMNS)}")
        lt = response_latest_t
        q = sa.select(*[lt.c[c] for c in columns]).order_by(lt.c.dataset_id, lt.c.record_id, lt.c.user_id)
        ids = self._dataset_ids(task=task, round=None, dataset=dataset)
        if ids is not None:
            q = q.where(lt.c.dataset_id.in_(ids))
        with self.engine.connect() as conn:
            res = conn.execute(q)
            # SQLite: the driver's rows as they are (no result processing: text and integers here)
            rows = res.cursor.fetchall() if conn.dialect.name == "sqlite" else res.fetchall()
            df = pd.DataFrame.from_records(rows, columns=list(columns))
        if "guideline_version" in df.columns:
            df["guideline_version"] = df["guideline_version"].astype("Int64")
        return df

    def item_ids(self, *, dataset: OneOrMany) -> set[str]:
        """Every item with a stored record or response in these datasets (names or ids)."""
        ids = self._dataset_ids(task=None, round=None, dataset=dataset) or []
        rt, lt = record_versions_t, response_latest_t
        with self.engine.connect() as conn:
            out = {r[0] for r in conn.execute(sa.select(rt.c.item).where(rt.c.dataset_id.in_(ids)).distinct())}
            out |= {r[0] for r in conn.execute(sa.select(lt.c.item).where(lt.c.dataset_id.in_(ids)).distinct())}
        return out

    def submitted_items(self, *, dataset: OneOrMany) -> set[str]:
        """The items with a submitted response (latest version) in these datasets (names or ids):
        ``set(latest_responses(dataset=...)`` rows with status ``submitted`` ``["item"])``, read from
        the ``submitted_counts`` summary (one row per item and dataset, not one per response)."""
        ids = self._dataset_ids(task=None, round=None, dataset=dataset) or []
        if not self.use_summaries:
            resp = self.latest_responses(dataset=ids, columns=("item", "status")) if ids else pd.DataFrame()
            return set(resp.loc[resp["status"] == "submitted", "item"]) if len(resp) else set()
        t = submitted_counts_t
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(sa.select(t.c.name).where(
                t.c.dataset_id.in_(ids), t.c.kind == "i").distinct())}

    def response_codes(self, dataset: OneOrMany, *, with_time: bool = False) -> ResponseCodes:
        """The current state of every response of these datasets (names or ids), every status,
        read in one pass as integer codes: see :class:`ResponseCodes`. Rows are in the order of
        :meth:`tidy` (dataset id, record id, annotator; then user id), so the answers spread from
        them are :meth:`tidy`'s rows in its order (tested).

        What ``workbench export`` reads a million responses with: three values per row come from
        the database (the item, one text joining annotator, user, status and guideline version,
        and the answers object), each distinct text is split or decoded once, and nothing per
        row is built in Python beyond the driver's own tuples. ``with_time`` adds ``updated_at``."""
        lt = response_latest_t
        sqlite = self.engine.dialect.name == "sqlite"
        ids = sorted(self._dataset_ids(task=None, round=None, dataset=dataset) or [])
        sep = sa.literal(_WHO_SEP)
        version = lt.c.guideline_version if sqlite else sa.cast(lt.c.guideline_version, sa.String)  # (SQLite: || casts)
        who = (lt.c.annotator + sep + lt.c.user_id + sep + lt.c.status + sep
               + sa.func.coalesce(version, "", type_=sa.String)).label("who")
        cols = [lt.c.item, who, lt.c.answers] + ([self._dt(lt.c.updated_at, "time")] if with_time else [])
        if not sqlite:  # sorted below, bytewise (a database may collate text otherwise)
            cols += [lt.c.record_id, lt.c.annotator, lt.c.user_id]
        parts, sizes = [], []
        with self.engine.connect() as conn, _scan_pragmas(conn):
            for dataset_id in ids:
                q = sa.select(*cols).where(lt.c.dataset_id == dataset_id)
                res = conn.execute(q.order_by(lt.c.record_id, lt.c.annotator, lt.c.user_id) if sqlite else q)
                rows = res.cursor.fetchall() if sqlite else res.fetchall()
                part = _RowColumns(rows, [c.name for c in cols])
                del rows
                if not sqlite and len(part):
                    order = pd.DataFrame({k: part[k] for k in ("record_id", "annotator", "user_id")}).sort_values(
                        ["record_id", "annotator", "user_id"], kind="stable").index.to_numpy()
                    part = _RowColumns.from_grid(part.grid[order], part.names)
                parts.append(part)
                sizes.append(len(part))
            out = ResponseCodes.from_columns(ids, sizes, parts, with_time=with_time)
            if out is None:  # a name or status holds the separator: read those columns one by one
                cols = [lt.c.item, lt.c.annotator, lt.c.user_id, lt.c.status, lt.c.guideline_version, lt.c.answers] \
                    + ([self._dt(lt.c.updated_at, "time")] if with_time else [])
                parts = []
                for dataset_id in ids:
                    res = conn.execute(sa.select(*cols).where(lt.c.dataset_id == dataset_id).order_by(
                        lt.c.record_id, lt.c.annotator, lt.c.user_id))
                    parts.append(pd.DataFrame.from_records(res.fetchall(), columns=[c.name for c in cols]))
                out = ResponseCodes.from_frame(ids, parts, with_time=with_time)
        return out

    def record_texts(self, dataset: OneOrMany, *, content: bool = True) -> pd.DataFrame:
        """The latest stored content of each record of these datasets (names or ids): columns
        ``dataset_id, record_id, item, fields, metadata``, the last two as the stored JSON text
        (decode the ones you need with :func:`decode_objects`), ordered by dataset then record id:
        the rows of :meth:`records` (one per round the dataset is registered in, as there), less
        the columns and the decoding an export does not need (``content=False``: without
        ``fields`` and ``metadata``).

        Read in key order, every version, the latest of each record kept here (cheaper than the
        database's join with the latest versions)."""
        rt, rd = record_versions_t, rounds_t
        ids = sorted(self._dataset_ids(task=None, round=None, dataset=dataset) or [])
        cols = ["dataset_id", "record_id", "item"] + (["fields", "metadata"] if content else [])
        q = sa.select(*[rt.c[c] for c in cols]).where(rt.c.dataset_id.in_(ids)).order_by(
            rt.c.dataset_id, rt.c.record_id, rt.c.version)
        with self.engine.connect() as conn, _scan_pragmas(conn):
            res = conn.execute(q)
            rows = res.cursor.fetchall() if conn.dialect.name == "sqlite" else res.fetchall()
            times: dict[str, int] = {d: n for d, n in conn.execute(sa.select(rd.c.dataset_id, sa.func.count()).where(
                rd.c.dataset_id.in_(ids)).group_by(rd.c.dataset_id))}
        part = _RowColumns(rows, cols)
        del rows
        keep = _last_versions(part["dataset_id"].to_numpy(), part["record_id"].to_numpy())
        if any(times.get(d, 1) > 1 for d in ids):  # a dataset registered as a round of several tasks
            keep = np.repeat(keep, [max(times.get(d, 1), 1) for d in part["dataset_id"].to_numpy()[keep]])
        return pd.DataFrame({c: part[c].to_numpy()[keep] for c in cols})

    def has_record_content(self, dataset_id: str) -> bool:
        """Whether any record content of the dataset is stored (sync reads a dataset whole while it
        has none): one primary-key lookup."""
        rt = record_versions_t
        with self.engine.connect() as conn:
            return conn.execute(sa.select(rt.c.record_id).where(rt.c.dataset_id == str(dataset_id)).limit(1)
                                ).first() is not None

    def watermark(self, task: str | None = None) -> datetime | None:
        """When the store last took in anything of ``task``'s rounds (the latest ``last_sync_at``)."""
        st, rd = sync_state_t, rounds_t
        q = sa.select(sa.func.max(st.c.last_sync_at))
        if task is not None:
            q = q.select_from(st.join(rd, rd.c.dataset_id == st.c.dataset_id)).where(rd.c.task == task)
        with self.engine.connect() as conn:
            value = conn.execute(q).scalar()
        return to_utc(value)

    @staticmethod
    def _annotator_names(conn: sa.Connection, dataset_id: str) -> dict[str, str]:
        rv = response_versions_t
        return {r[0]: r[1] for r in conn.execute(sa.select(rv.c.user_id, rv.c.annotator).where(
            rv.c.dataset_id == dataset_id).distinct())}

    def _version_lookup_conn(self, conn: sa.Connection, dataset_id: str) -> Callable[[datetime | None], int | None]:
        pubs = conn.execute(sa.select(publications_t.c.published_at, publications_t.c.version).where(
            publications_t.c.dataset_id == dataset_id).order_by(publications_t.c.published_at)).all()
        base = conn.execute(sa.select(rounds_t.c.guideline_version).where(rounds_t.c.dataset_id == dataset_id)).first()
        times = [p[0] for p in pubs]
        versions = [p[1] for p in pubs]
        fallback = base[0] if base is not None else None

        def lookup(when: datetime | None) -> int | None:
            if when is None:
                return versions[-1] if versions else fallback
            i = bisect.bisect_right(times, when)
            return versions[i - 1] if i else fallback

        return lookup

    # ------------------------------------------------------------------ reading responses

    def _dt(self, col, label: str | None = None):
        """A datetime column as SQLite stores it (text, parsed by pandas in bulk: SQLAlchemy's
        per-row parsing is the slowest part of reading 100,000s of rows); unchanged elsewhere."""
        label = label or col.name
        if self.engine.dialect.name == "sqlite":
            return sa.type_coerce(col, sa.String).label(label)
        return col.label(label)

    def _responses_query(self, *, task, round, dataset, question, statuses, latest_only, columns=HISTORY_COLUMNS,
                         gold_items_only=False):
        rv, vals, ds, rd = response_versions_t, response_values_t, datasets_t, rounds_t
        every = {
            "item": rv.c.item, "annotator": rv.c.annotator, "question": vals.c.question, "value": vals.c.value,
            "time": self._dt(rv.c.updated_at, "time"), "round": rd.c.round,
            "guideline_version": rv.c.guideline_version, "task": rd.c.task, "dataset": ds.c.name.label("dataset"),
            "status": rv.c.status, "version": rv.c.version, "dataset_id": rv.c.dataset_id,
            "record_id": rv.c.record_id, "user_id": rv.c.user_id, "response_id": rv.c.response_id,
            "inserted_at": self._dt(rv.c.inserted_at), "synced_at": self._dt(rv.c.synced_at),
        }
        cols = [every[c] for c in columns]  # fewer columns read = less to fetch and convert
        frm = rv.join(vals, vals.c.version_id == rv.c.id).join(ds, ds.c.dataset_id == rv.c.dataset_id, isouter=True) \
            .join(rd, rd.c.dataset_id == rv.c.dataset_id, isouter=True)
        q = sa.select(*cols).select_from(frm)
        if latest_only:
            # The latest version is the one with no newer version: a lookup in the unique index
            # (dataset_id, record_id, user_id, version) for each row the other filters keep, so the
            # cost follows the rows asked for, not the size of the store (a GROUP BY over every
            # response version would be computed store-wide before any filter applied).
            newer = rv.alias("newer")
            q = q.where(~sa.select(sa.literal(1)).where(
                newer.c.dataset_id == rv.c.dataset_id, newer.c.record_id == rv.c.record_id,
                newer.c.user_id == rv.c.user_id, newer.c.version > rv.c.version).exists())
        if task is not None:
            q = q.where(rd.c.task == task)
        if round is not None:
            q = q.where(rd.c.round.in_(_as_list(round)))
        if dataset is not None:
            q = q.where(ds.c.name.in_(_as_list(dataset)) | rv.c.dataset_id.in_(_as_list(dataset)))
        if question is not None:
            q = q.where(vals.c.question.in_(_as_list(question)))
        if statuses is not None:
            q = q.where(rv.c.status.in_(_as_list(statuses)))
        if gold_items_only:
            gold_items = sa.select(gold_t.c.item)
            if task is not None:
                gold_items = gold_items.where(gold_t.c.task == task)
            q = q.where(rv.c.item.in_(gold_items))
        ids = self._dataset_ids(task=task, round=round, dataset=dataset)
        if ids is not None:
            # the same filters resolved to dataset ids first (small tables), so the database
            # reads only those datasets' response versions through the index
            q = q.where(rv.c.dataset_id.in_(ids))
        return q  # sorted in pandas (cheaper than SQLite's ORDER BY over a join)

    def _dataset_ids(self, *, task, round, dataset) -> list[str] | None:
        """Ids of the datasets that the ``task`` / ``round`` / ``dataset`` filters can match (None: no filter)."""
        if task is None and round is None and dataset is None:
            return None
        ids: set[str] | None = None
        with self.engine.connect() as conn:
            if task is not None or round is not None:
                q = sa.select(rounds_t.c.dataset_id)
                if task is not None:
                    q = q.where(rounds_t.c.task == task)
                if round is not None:
                    q = q.where(rounds_t.c.round.in_(_as_list(round)))
                ids = {r[0] for r in conn.execute(q)}
            if dataset is not None:
                names = [str(d) for d in _as_list(dataset)]
                by_name = {r[0] for r in conn.execute(
                    sa.select(datasets_t.c.dataset_id).where(datasets_t.c.name.in_(names)))}
                matched = by_name | set(names)
                ids = matched if ids is None else ids & matched
        assert ids is not None  # (one of the filters above was given)
        return sorted(ids)

    def _read_responses(self, q, columns=HISTORY_COLUMNS) -> pd.DataFrame:
        with self.engine.connect() as conn:
            df = pd.DataFrame.from_records(conn.execute(q).fetchall(), columns=list(columns))
        df = df.sort_values(["dataset_id", "record_id", "annotator", "question", "version"], kind="stable",
                            ignore_index=True)
        df["value"] = decode_values(df["value"])
        for c in ("time", "inserted_at", "synced_at"):
            if c in df.columns:
                df[c] = _utc_series(df[c])
        for c in ("round", "guideline_version", "version"):
            df[c] = df[c].astype("Int64")
        return df

    def tidy(self, *, task: str | None = None, round: int | Sequence[int] | None = None,
             dataset: OneOrMany | None = None, question: OneOrMany | None = None,
             statuses: Sequence[str] | None = ("submitted",), latest_only: bool = True,
             extra_columns: Sequence[str] = (), gold_items_only: bool = False,
             columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Responses as the analytics core's tidy table, one row per judgement.

        Columns :data:`TIDY_COLUMNS`: ``item`` (record external id), ``annotator`` (username),
        ``question``, ``value`` (decoded, see the module docstring), ``time`` (when the response
        was submitted or last changed, UTC), ``round``, ``guideline_version`` (in force when the
        response was submitted), ``task``, ``dataset``, ``status``, ``version``.

        With ``latest_only`` only the latest stored version of each response is kept, and
        ``statuses`` filters on the status of that version (a response submitted and later turned
        back into a draft is not counted as submitted). ``statuses=None`` keeps every status.
        ``round``, ``dataset`` and ``question`` accept one value or several; ``dataset`` matches
        the name or the Argilla id. ``round`` and ``task`` are empty for datasets that are not a
        recorded round. ``extra_columns`` appends columns of :data:`HISTORY_COLUMNS` (e.g.
        ``record_id``). ``gold_items_only`` keeps the items that have a gold answer (of ``task``,
        when given): what drift monitoring against gold needs, without reading the rest.

        ``columns`` returns only these columns (of :data:`HISTORY_COLUMNS`), in this order, instead
        of :data:`TIDY_COLUMNS` plus ``extra_columns``: the same rows in the same order, and from
        the latest-version table only what is asked for is read and converted (a task's history
        for the dashboard needs seven of the eleven).

        The filters apply before the latest versions are looked up (an index lookup per row kept),
        so reading one round costs in proportion to that round, not to the store.
        """
        asked = list(extra_columns) + (list(columns) if columns is not None else [])
        bad = [c for c in asked if c not in HISTORY_COLUMNS]
        if bad:
            what = "columns" if columns is not None and any(c in list(columns) for c in bad) else "extra_columns"
            raise BadInput(f"{what}: {bad!r} are not history columns ({', '.join(HISTORY_COLUMNS)})")
        if columns is not None:
            if not list(columns):
                raise BadInput("columns: empty; name at least one history column")
            wanted = list(dict.fromkeys(columns))
        else:
            wanted = list(TIDY_COLUMNS) + [c for c in dict.fromkeys(extra_columns) if c not in TIDY_COLUMNS]
        if latest_only and self.read_latest_table:
            return self._tidy_from_latest(task=task, round=round, dataset=dataset, question=question,
                                          statuses=statuses, wanted=wanted, gold_items_only=gold_items_only)
        read = list(dict.fromkeys(wanted + list(TIDY_COLUMNS)))  # (_read_responses converts these)
        read += [c for c in ("dataset_id", "record_id") if c not in read]  # the sort keys
        df = self._read_responses(self._responses_query(
            task=task, round=round, dataset=dataset, question=question, statuses=statuses, latest_only=latest_only,
            columns=read, gold_items_only=gold_items_only), read)
        return df[wanted].reset_index(drop=True)

    def _tidy_from_latest(self, *, task, round, dataset, question, statuses, wanted, gold_items_only) -> pd.DataFrame:
        """:meth:`tidy` (``latest_only``) read from ``response_latest``: one range scan per dataset,
        one row per response with all its answers as one JSON object, decoded once per distinct
        object and spread to one row per question with numpy; the same rows and order as the
        query over all versions (tested)."""
        lt, rd, ds = response_latest_t, rounds_t, datasets_t
        per_dataset = ("round", "task", "dataset", "dataset_id")
        sqlite = self.engine.dialect.name == "sqlite"
        base = [c for c in ("item", "annotator", "time", "guideline_version", "status", "version") if c in wanted]
        if "record_id" in wanted or not sqlite:  # (SQLite sorts by it without returning it)
            base.append("record_id")
        if not sqlite and "annotator" not in base:  # (sorted by it here)
            base.append("annotator")
        row_cols = base + [c for c in wanted if c not in per_dataset and c not in base + ["question", "value",
                                                                                           "record_id"]]
        every = {
            "item": lt.c.item, "annotator": lt.c.annotator, "time": self._dt(lt.c.updated_at, "time"),
            "guideline_version": lt.c.guideline_version, "status": lt.c.status, "version": lt.c.version,
            "record_id": lt.c.record_id, "user_id": lt.c.user_id, "response_id": lt.c.response_id,
            "inserted_at": self._dt(lt.c.inserted_at), "synced_at": self._dt(lt.c.synced_at),
        }
        ids = self._dataset_ids(task=task, round=round, dataset=dataset)
        frames = []
        with self.engine.connect() as conn:
            if ids is None:
                ids = sorted(r[0] for r in conn.execute(sa.select(lt.c.dataset_id).distinct()))
            names: dict[str, str] = {d: n for d, n in conn.execute(
                sa.select(ds.c.dataset_id, ds.c.name).where(ds.c.dataset_id.in_(ids)))}
            rounds_of: dict[str, list] = {}
            for r in conn.execute(sa.select(rd.c.dataset_id, rd.c.task, rd.c.round).where(rd.c.dataset_id.in_(ids))):
                rounds_of.setdefault(r[0], []).append((r[1], r[2]))
            gold_items = None
            if gold_items_only:
                gold_items = sa.select(gold_t.c.item)
                if task is not None:
                    gold_items = gold_items.where(gold_t.c.task == task)
            for dataset_id in sorted(ids):
                combos = rounds_of.get(dataset_id, [(None, None)])
                if task is not None:
                    combos = [c for c in combos if c[0] == task]
                if round is not None:
                    combos = [c for c in combos if c[1] in _as_list(round)]
                if not combos:
                    continue
                in_dataset = lt.c.dataset_id == dataset_id
                if gold_items is not None and sqlite and self.use_summaries:
                    # (as an expression: SQLite would otherwise range-scan the dataset in key order to
                    # skip a sort, rather than look the gold items up in ix_response_latest_item)
                    in_dataset = lt.c.dataset_id.concat("") == dataset_id
                q = sa.select(*[every[c] for c in row_cols], lt.c.answers).where(in_dataset)
                if statuses is not None:
                    q = q.where(lt.c.status.in_(_as_list(statuses)))
                if gold_items is not None:
                    q = q.where(lt.c.item.in_(gold_items))
                if sqlite:  # bytewise order, as pandas sorts; other databases may collate text otherwise
                    q = q.order_by(lt.c.record_id, lt.c.annotator)
                res = conn.execute(q)
                # SQLite: the driver's rows as they are (text, integers: no result processing to skip)
                rows = res.cursor.fetchall() if sqlite else res.fetchall()
                if sqlite:  # the rows as one 2-D object array (columns: strided views; converted below)
                    part = _RowColumns(rows, row_cols + ["answers"])
                else:
                    part = pd.DataFrame.from_records(rows, columns=row_cols + ["answers"])
                    part = part.sort_values(["record_id", "annotator"], kind="stable", ignore_index=True)
                for t, r in combos:
                    frames.append((part, dict(task=t, round=r, dataset=names.get(dataset_id), dataset_id=dataset_id)))
        constants = [c for c in per_dataset if c in wanted]
        frames = [f for f in frames if len(f[0])]
        if not frames:
            df = pd.DataFrame(columns=row_cols + ["answers"] + constants)
            for c in ("time", "inserted_at", "synced_at"):
                if c in df.columns:
                    df[c] = _utc_series(df[c])
            for c in ("round", "guideline_version", "version"):
                if c in df.columns:
                    df[c] = df[c].astype("Int64")
            df = _spread_answers(df[[c for c in df.columns if c in wanted or c == "answers"]], question)
            return df[wanted]
        # Column by column (numpy arrays; no intermediate frames to concatenate and consolidate),
        # converted per response, before the spread to one row per question (half the rows).
        columns = {}
        for c in row_cols + ["answers"]:
            arrays = [part[c].to_numpy() for part, _ in frames]
            columns[c] = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
        for c in constants:
            columns[c] = np.concatenate([np.full(len(part), const[c], dtype=object) for part, const in frames])
        for c in ("time", "inserted_at", "synced_at"):
            if c in columns:
                columns[c] = _utc_series(columns[c]).array
        for c in ("round", "guideline_version", "version"):
            if c in columns:
                columns[c] = _nullable_ints(columns[c])
        rep, questions, values = _spread_plan(columns.pop("answers"), question)
        columns["question"] = questions
        columns["value"] = _inferred(values)
        return pd.DataFrame({c: columns[c] if c in ("question", "value") else columns[c].take(rep) for c in wanted},
                            index=pd.RangeIndex(len(rep)), copy=False)

    def response_history(self, *, task: str | None = None, round: int | Sequence[int] | None = None,
                         dataset: OneOrMany | None = None, question: OneOrMany | None = None,
                         statuses: Sequence[str] | None = None) -> pd.DataFrame:
        """Every stored version of every response (columns :data:`HISTORY_COLUMNS`), oldest version first.

        A response edited twice in Argilla has three versions here (``version`` 1, 2, 3).
        A version with no values (a response discarded without answers) has no row here; see
        :meth:`response_versions`.
        """
        df = self._read_responses(self._responses_query(
            task=task, round=round, dataset=dataset, question=question, statuses=statuses, latest_only=False))
        return df.reset_index(drop=True)

    def response_versions(self, dataset: OneOrMany | None = None) -> pd.DataFrame:
        """One row per stored response version (no values): who, which record, status, times, version."""
        rv, ds = response_versions_t, datasets_t
        q = sa.select(rv.c.dataset_id, ds.c.name.label("dataset"), rv.c.record_id, rv.c.item, rv.c.user_id,
                      rv.c.annotator, rv.c.response_id, rv.c.version, rv.c.status, rv.c.inserted_at,
                      rv.c.updated_at, rv.c.guideline_version, rv.c.synced_at).select_from(
            rv.join(ds, ds.c.dataset_id == rv.c.dataset_id, isouter=True))
        if dataset is not None:
            q = q.where(ds.c.name.in_(_as_list(dataset)) | rv.c.dataset_id.in_(_as_list(dataset)))
        q = q.order_by(rv.c.dataset_id, rv.c.record_id, rv.c.user_id, rv.c.version)
        with self.engine.connect() as conn:
            res = conn.execute(q)
            df = pd.DataFrame(res.all(), columns=list(res.keys()))
        for c in ("inserted_at", "updated_at", "synced_at"):
            df[c] = _utc_series(df[c])
        return df

    def suggestions(self, *, task: str | None = None, dataset: OneOrMany | None = None,
                    question: OneOrMany | None = None, latest_only: bool = True) -> pd.DataFrame:
        """Stored suggestions (columns :data:`SUGGESTION_COLUMNS`); ``latest_only`` keeps the latest version."""
        sv, ds, rd = suggestion_versions_t, datasets_t, rounds_t
        frm = sv.join(ds, ds.c.dataset_id == sv.c.dataset_id, isouter=True).join(
            rd, rd.c.dataset_id == sv.c.dataset_id, isouter=True)
        if latest_only:
            newest = sa.select(sv.c.dataset_id, sv.c.record_id, sv.c.question, sa.func.max(sv.c.version).label("v"))
            if dataset is not None and self.use_summaries:  # (those datasets' latest versions, not every one's)
                newest = newest.where(sv.c.dataset_id.in_(self._dataset_ids(task=None, round=None, dataset=dataset) or []))
            sub = newest.group_by(sv.c.dataset_id, sv.c.record_id, sv.c.question).subquery()
            frm = frm.join(sub, sa.and_(sub.c.dataset_id == sv.c.dataset_id, sub.c.record_id == sv.c.record_id,
                                        sub.c.question == sv.c.question, sub.c.v == sv.c.version))
        time = self._dt(sv.c.updated_at, "time") if self.use_summaries else sv.c.updated_at.label("time")
        q = sa.select(sv.c.item, sv.c.question, sv.c.value, sv.c.score, sv.c.agent, sv.c.type, time, rd.c.task,
                      ds.c.name.label("dataset"), rd.c.round, sv.c.version, sv.c.dataset_id,
                      sv.c.record_id).select_from(frm)
        if task is not None:
            q = q.where(rd.c.task == task)
        if dataset is not None:
            q = q.where(ds.c.name.in_(_as_list(dataset)) | sv.c.dataset_id.in_(_as_list(dataset)))
        if question is not None:
            q = q.where(sv.c.question.in_(_as_list(question)))
        q = q.order_by(sv.c.dataset_id, sv.c.record_id, sv.c.question, sv.c.version)
        with self.engine.connect() as conn:
            res = conn.execute(q)
            # SQLite: the driver's rows as they are (text and integers; the times parsed below in bulk)
            rows = res.cursor.fetchall() if conn.dialect.name == "sqlite" and self.use_summaries else res.all()
            df = pd.DataFrame.from_records(rows, columns=list(SUGGESTION_COLUMNS))
        df["value"] = decode_values(df["value"])
        df["score"] = decode_values(df["score"])
        df["time"] = _utc_series(df["time"])
        return df

    def counts(self) -> dict[str, int]:
        """Row counts per table (for reports and tests)."""
        out = {}
        with self.engine.connect() as conn:
            for t in metadata.sorted_tables:
                out[t.name] = conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        return out

    # ------------------------------------------------------------------ what the dashboard reads

    def content_version(self) -> str:
        """A cheap watermark of the store's content: changes whenever anything is appended (the
        dashboard's caches are keyed on it).

        Responses, suggestions, gold, rounds and guideline publications are append-only, so their
        row counts change with every write; ``sync_state`` adds the time of the last sync and
        ``datasets`` a renamed dataset. One SQL round trip. On SQLite the two big tables are measured
        by their largest rowid instead of a count (rows are never deleted, so it grows with every
        insert; a count walks a whole index: ~0.2 s at a million responses, the max ~1 ms).
        """
        sqlite = self.engine.dialect.name == "sqlite"

        def count(table: sa.Table):
            return sa.select(sa.func.count()).select_from(table).scalar_subquery()

        def size(table: sa.Table):
            if sqlite:
                return sa.select(sa.func.max(sa.literal_column("rowid"))).select_from(table).scalar_subquery()
            return count(table)

        cols = [
            size(response_versions_t), size(suggestion_versions_t), count(gold_t), count(rounds_t),
            count(publications_t), sa.select(sa.func.max(sync_state_t.c.last_sync_at)).scalar_subquery(),
            count(datasets_t),
        ]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*cols)).one()
        return "|".join("" if v is None else str(v) for v in row)

    def submitted_volumes(self) -> pd.DataFrame:
        """Per dataset, its submitted responses (latest versions): columns ``dataset_id``,
        ``responses``, ``items`` (distinct records) and ``annotators`` (distinct users), in
        ``dataset_id`` order; read from the ``dataset_volumes`` summary (one row per dataset). A
        dataset with none has no row."""
        if not self.use_summaries:
            return self.submitted_volumes_counted()
        v = dataset_volumes_t
        q = sa.select(v.c.dataset_id, v.c.responses, v.c["items"], v.c.annotators).where(
            v.c.responses > 0).order_by(v.c.dataset_id)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).all(), columns=["dataset_id", "responses", "items", "annotators"])

    def submitted_totals(self, dataset_ids: Iterable[str]) -> SubmittedTotals:
        """The submitted responses (latest versions) of these datasets together, with their distinct
        items and annotators (by name: an item in two datasets counts once); one query on the
        summaries (``dataset_volumes``, ``submitted_counts``)."""
        if not self.use_summaries:
            return self.submitted_totals_counted(dataset_ids)
        ids = [str(d) for d in dataset_ids]
        v, t = dataset_volumes_t, submitted_counts_t

        def distinct(kind: str):
            return sa.select(sa.func.count(sa.distinct(t.c.name))).where(
                t.c.dataset_id.in_(ids), t.c.kind == kind).scalar_subquery()

        q = sa.select(sa.select(sa.func.coalesce(sa.func.sum(v.c.responses), 0)).where(
            v.c.dataset_id.in_(ids)).scalar_subquery(), distinct("i"), distinct("a"))
        with self.engine.connect() as conn:
            n, items, annotators = conn.execute(q).one()
        return SubmittedTotals(int(n), int(items), int(annotators))

    def submitted_volumes_counted(self) -> pd.DataFrame:
        """:meth:`submitted_volumes` counted from ``response_latest`` (the reference the tests
        compare the summaries with; a full scan of the latest responses)."""
        lt = response_latest_t
        q = sa.select(
            lt.c.dataset_id, sa.func.count().label("responses"), sa.func.count(sa.distinct(lt.c.record_id)).label("items"),
            sa.func.count(sa.distinct(lt.c.user_id)).label("annotators"),
        ).where(lt.c.status == "submitted").group_by(lt.c.dataset_id).order_by(lt.c.dataset_id)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).all(), columns=["dataset_id", "responses", "items", "annotators"])

    def submitted_totals_counted(self, dataset_ids: Iterable[str]) -> SubmittedTotals:
        """:meth:`submitted_totals` counted from ``response_latest`` (the reference)."""
        lt = response_latest_t
        q = sa.select(sa.func.count(), sa.func.count(sa.distinct(lt.c.item)), sa.func.count(sa.distinct(lt.c.annotator))) \
            .where(lt.c.dataset_id.in_([str(d) for d in dataset_ids]), lt.c.status == "submitted")
        with self.engine.connect() as conn:
            n, items, annotators = conn.execute(q).one()
        return SubmittedTotals(int(n), int(items), int(annotators))

    def round_row(self, task: str, round: int) -> dict[str, Any] | None:
        """Round ``round`` of ``task`` as a dict (a row of :meth:`rounds`), None when there is none."""
        r = self.rounds(task)
        r = r[r["round"] == int(round)]
        return None if r.empty else r.iloc[0].to_dict()

    def round_answers(self, task: str, round: int) -> pd.DataFrame:
        """The submitted answers of one round of ``task``: :meth:`tidy` for that task and round
        (latest version of each response, status submitted) plus the Argilla ``record_id``. ``tidy``
        applies the filters before it looks up latest versions, so a round costs in proportion to
        its own size, not to the store's."""
        return self.tidy(task=task, round=int(round), extra_columns=("record_id",))

    def task_answers(self, task: str, questions: OneOrMany | None = None,
                     columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The task's submitted answers, round after round in the order of :meth:`rounds` (each as
        :meth:`tidy` orders it), only for ``questions`` (None: all) and only ``columns`` (None: the
        tidy columns).

        One ``tidy`` call per round (that round's dataset), concatenated: the rows come out in the
        right order with no re-sorting, and only the columns asked for are read and converted."""
        rounds = self.rounds(task)
        parts = [self.tidy(task=task, round=int(r), dataset=d, question=questions, columns=columns)
                 for r, d in zip(rounds["round"], rounds["dataset_id"])]
        parts = [p for p in parts if len(p)] or parts[:1]
        if not parts:
            return self.tidy(task=task, question=questions, columns=columns)
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _nullable_ints(column: np.ndarray):
    """``pd.Series(column).astype("Int64").array``; a column of Python ints only without the
    per-value checks (the same array)."""
    if column.dtype == object and len(column) and pd.api.types.infer_dtype(column, skipna=False) == "integer":
        data = np.asarray(column, dtype=np.int64)
        return pd.arrays.IntegerArray(data, np.zeros(len(data), dtype=bool))
    return pd.Series(column).astype("Int64").array


#: What pandas infers from a list of such values is an object column, the same as the array itself.
_STAYS_OBJECT = ("string", "mixed-integer", "mixed")


def _inferred(values: np.ndarray):
    """The column pandas makes of ``values.tolist()`` (it infers the type, as when decode_values'
    list is assigned); answers that stay objects (texts, mixed kinds) skip the list."""
    if (len(values) and values.dtype == object and not pd.get_option("future.infer_string")
            and pd.api.types.infer_dtype(values, skipna=True) in _STAYS_OBJECT):
        return values
    return pd.Series(values.tolist(), dtype=None if len(values) else object).array


class _RowColumns:
    """Database rows (tuples) as columns: ``part[name].to_numpy()`` is that column as an object array."""

    def __init__(self, rows: Sequence[Any], names: list[str]) -> None:
        try:  # (pandas' own tuples-to-array loop, as DataFrame.from_records uses: twice numpy's speed)
            from pandas._libs.lib import to_object_array_tuples

            grid = to_object_array_tuples(rows) if rows else np.empty((0, len(names)), dtype=object)
        except (ImportError, TypeError, ValueError):
            grid = np.array(rows, dtype=object)
        self._grid = grid.reshape(len(rows), len(names))
        self._pos = {n: k for k, n in enumerate(names)}

    @classmethod
    def from_grid(cls, grid: np.ndarray, names: list[str]) -> "_RowColumns":
        out = cls.__new__(cls)
        out._grid, out._pos = grid, {n: k for k, n in enumerate(names)}
        return out

    @property
    def grid(self) -> np.ndarray:
        return self._grid

    @property
    def names(self) -> list[str]:
        return list(self._pos)

    def __len__(self) -> int:
        return len(self._grid)

    def __getitem__(self, name: str):
        column = self._grid[:, self._pos[name]]
        return pd.Series(column, dtype=object, copy=False)


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values in order of first appearance) of an object column (None: a value too)."""
    codes, uniques = pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    if len(codes) and codes.min() < 0:  # (rare: ask pandas to keep the missing values as values)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        uniques = np.asarray(uniques, dtype=object)
    return codes.astype(np.int64, copy=False), uniques


_WHO_SEP = "\x1f"  # joins annotator, user id, status and guideline version in one value per response


def _last_versions(datasets: np.ndarray, records: np.ndarray) -> np.ndarray:
    """Positions of the last row of each record (rows ordered by dataset, record, version)."""
    n = len(records)
    last = np.ones(n, dtype=bool)
    if n > 1:
        last[:-1] = (datasets[1:] != datasets[:-1]) | (records[1:] != records[:-1])
    return np.flatnonzero(last)


@contextmanager
def _scan_pragmas(conn, kib: int = 16384):
    """SQLite, for one scan that reads each page once: a page cache of ``kib`` KiB on ``conn``
    meanwhile (the store's connections keep up to 256 MiB for bulk syncs: a quarter of a gigabyte
    of pages per connection kept for nothing), and the file read through a memory map rather than
    one system call per 4 KiB page (measured: 0.3-0.5 s less system time per export). Both are
    restored after."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    cache = raw.execute("PRAGMA cache_size").fetchone()[0]
    mapped = raw.execute("PRAGMA mmap_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size=-{int(kib)}")
    raw.execute(f"PRAGMA mmap_size={1 << 32}")  # (SQLite caps it at its own limit)
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size={int(cache)}")
        raw.execute(f"PRAGMA mmap_size={int(mapped)}")


@dataclass(frozen=True)
class ResponseCodes:
    """The current responses of some datasets (:meth:`HistoryStore.response_codes`), one row per
    response (every status), as integer codes into the distinct values: row ``i`` is the
    response of ``annotators[annotator[i]]`` (user ``user_ids[user_id[i]]``) on item
    ``items[item[i]]`` of dataset ``dataset_ids[dataset[i]]``, with status
    ``statuses[status[i]]``, given under guideline version ``guideline_version[i]`` (None where
    ``guideline_version_missing[i]``), answering the JSON object ``answer_texts[answers[i]]``
    (``{question: value}``, keys sorted, as stored). Distinct values are in order of first
    appearance. :meth:`spread` gives the answers one per question, as :meth:`HistoryStore.tidy`."""

    dataset_ids: tuple
    dataset: np.ndarray
    item: np.ndarray
    items: np.ndarray
    annotator: np.ndarray
    annotators: np.ndarray
    user_id: np.ndarray
    user_ids: np.ndarray
    status: np.ndarray
    statuses: np.ndarray
    guideline_version: np.ndarray
    guideline_version_missing: np.ndarray
    answers: np.ndarray
    answer_texts: np.ndarray
    time_text: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.item)

    @classmethod
    def from_columns(cls, ids: Sequence[str], sizes: Sequence[int], parts: list, *,
                     with_time: bool) -> "ResponseCodes | None":
        """From rows of ``item, who, answers[, time]`` (``who``: annotator, user id, status and
        guideline version joined by :data:`_WHO_SEP`); None when a ``who`` does not split in
        four (a value holding the separator: read the columns one by one)."""
        def column(name):
            arrays = [p[name].to_numpy() for p in parts]
            return np.concatenate(arrays) if arrays else np.empty(0, dtype=object)

        who, whos = _codes(column("who"))
        split = [w.split(_WHO_SEP) for w in whos]  # each distinct (annotator, user, status, version) once
        if any(len(p) != 4 for p in split):
            return None
        fields = [np.array([p[k] for p in split], dtype=object) for k in range(3)]
        versions = [int(p[3]) if p[3] != "" else None for p in split]
        return cls._build(ids, sizes, column("item"), who, fields, versions, column("answers"),
                          column("time") if with_time else None)

    @classmethod
    def from_frame(cls, ids: Sequence[str], parts: list[pd.DataFrame], *, with_time: bool) -> "ResponseCodes":
        """From rows of ``item, annotator, user_id, status, guideline_version, answers[, time]``."""
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["item", "annotator", "user_id", "status", "guideline_version", "answers", "time"])
        version = frame["guideline_version"].to_numpy(dtype=object)
        keys = np.array([f"{a}{_WHO_SEP}{u}{_WHO_SEP}{s}{_WHO_SEP}{'' if v is None or v != v else int(v)}"
                         for a, u, s, v in zip(frame["annotator"], frame["user_id"], frame["status"], version)],
                         dtype=object)
        who, _ = pd.factorize(keys)
        at = np.unique(who, return_index=True)[1]  # the first row of each distinct key, in code order
        fields = [frame[c].to_numpy(dtype=object)[at] for c in ("annotator", "user_id", "status")]
        versions = [None if v is None or v != v else int(v) for v in version[at]]
        return cls._build(ids, [len(p) for p in parts], frame["item"].to_numpy(dtype=object),
                          who.astype(np.int64), fields, versions, frame["answers"].to_numpy(dtype=object),
                          frame["time"].to_numpy(dtype=object) if with_time else None)

    @classmethod
    def _build(cls, ids, sizes, item_column, who, who_fields, who_versions, answers_column, time_column):
        dataset = np.repeat(np.arange(len(ids), dtype=np.int64), np.asarray(sizes, dtype=np.int64))
        item, items = _codes(item_column)
        answers, texts = _codes(answers_column)
        ann, anns = _codes(who_fields[0])
        uid, uids = _codes(who_fields[1])
        st, sts = _codes(who_fields[2])
        gv = np.array([0 if v is None else v for v in who_versions], dtype=np.int64)
        gv_missing = np.array([v is None for v in who_versions], dtype=bool)
        return cls(dataset_ids=tuple(ids), dataset=dataset, item=item, items=items, annotator=ann[who],
                   annotators=anns, user_id=uid[who], user_ids=uids, status=st[who], statuses=sts,
                   guideline_version=gv[who], guideline_version_missing=gv_missing[who], answers=answers,
                   answer_texts=texts, time_text=time_column)

    def categorical(self, name: str, rows: np.ndarray | None = None) -> pd.Categorical:
        """``item``, ``annotator``, ``user_id`` or ``status`` of ``rows`` (default all) as a categorical
        (the categories: the distinct values, in order of first appearance)."""
        codes = getattr(self, name)
        dtypes = self.__dict__.setdefault("_dtypes", {})  # (one dtype per column: its categories checked once)
        if name not in dtypes:
            uniques = {"item": self.items, "annotator": self.annotators, "user_id": self.user_ids,
                       "status": self.statuses}[name]
            dtypes[name] = pd.CategoricalDtype(pd.Index(uniques, dtype=object))
        return pd.Categorical.from_codes(codes if rows is None else codes[rows], dtype=dtypes[name], validate=False)

    def guideline_versions(self, rows: np.ndarray | None = None):
        """The guideline versions of ``rows`` as a nullable integer array (as :meth:`HistoryStore.tidy`)."""
        data = self.guideline_version if rows is None else self.guideline_version[rows]
        mask = self.guideline_version_missing if rows is None else self.guideline_version_missing[rows]
        return pd.arrays.IntegerArray(data.copy(), mask.copy())

    def times(self, rows: np.ndarray):
        """``updated_at`` of ``rows`` as UTC timestamps, parsed as :meth:`HistoryStore.tidy` does
        (``with_time=True``)."""
        if self.time_text is None:
            raise BadInput("response_codes: read with_time=True to get times")
        return _utc_series(self.time_text[rows]).array

    def spread(self, rows: np.ndarray, question=None) -> tuple[np.ndarray, pd.Categorical, Any]:
        """The answers of ``rows`` (positions, in order) one per question, as :meth:`HistoryStore.tidy`
        spreads them: ``(row, question, value)``, output ``j`` being row ``row[j]``'s answer
        ``value[j]`` to ``question[j]``, questions in key order. Each distinct answers object is
        decoded once, so equal list or dict values of two rows are one object (read them, do not
        change them)."""
        decoded = [json.loads(t) for t in self.answer_texts]
        nk = np.fromiter((len(d) for d in decoded), dtype=np.int64, count=len(decoded))
        q_codes: dict[str, int] = {}
        names: list[str] = []
        flat_q = np.empty(int(nk.sum()), dtype=np.int64)
        flat_v = np.empty(int(nk.sum()), dtype=object)
        k = 0
        for d in decoded:
            for q, v in d.items():
                code = q_codes.get(q)
                if code is None:
                    code = q_codes[q] = len(names)
                    names.append(q)
                flat_q[k], flat_v[k] = code, v
                k += 1
        codes = self.answers[rows]
        counts = nk[codes] if len(codes) else np.zeros(0, dtype=np.int64)
        rep = np.repeat(np.asarray(rows, dtype=np.int64), counts)
        starts = np.concatenate([[0], np.cumsum(nk)[:-1]]).astype(np.int64)
        within = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
        pos = np.repeat(starts[codes], counts) + within if len(rep) else np.zeros(0, dtype=np.int64)
        if question is not None:
            wanted = np.isin(np.asarray(names, dtype=object), np.asarray(_as_list(question), dtype=object))
            keep = wanted[flat_q[pos]] if len(pos) else np.zeros(0, dtype=bool)
            rep, pos = rep[keep], pos[keep]
        questions = pd.Categorical.from_codes(flat_q[pos], categories=pd.Index(names, dtype=object)) if names else \
            pd.Categorical([], categories=pd.Index([], dtype=object))
        return rep, questions, _inferred(flat_v[pos])


def decode_objects(texts) -> list:
    """:func:`decode_value` of many JSON texts (None stays None) with one parse: the texts as
    one JSON array (the same values; no call per text)."""
    texts = list(texts)
    if not texts:
        return []
    return json.loads("[" + ",".join("null" if t is None else t for t in texts) + "]")


def _spread_answers(df: pd.DataFrame, question) -> pd.DataFrame:
    """One row per (response, question) from ``answers`` JSON objects, questions in key order (sorted).

    Each distinct object is decoded once; a list or dict value is decoded per row, so that no two
    rows share a mutable value (as :func:`decode_values`)."""
    rep, questions, values = _spread_plan(df["answers"].to_numpy(dtype=object), question)
    out = df.drop(columns=["answers"]).take(rep)
    out.index = pd.RangeIndex(len(out))
    out["question"] = questions
    out["value"] = values.tolist()  # (a list: pandas infers the type, as decode_values' list does)
    return out


def _spread_plan(answers: np.ndarray, question) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What :func:`_spread_answers` does, on the ``answers`` texts alone: ``(rep, questions,
    values)``, output row ``i`` being response ``rep[i]``'s answer ``values[i]`` to ``questions[i]``."""
    codes, uniques = pd.factorize(answers, use_na_sentinel=False)
    decoded = [json.loads(u) for u in uniques]
    nk = np.fromiter((len(d) for d in decoded), dtype=np.int64, count=len(decoded))
    flat_q = np.empty(int(nk.sum()), dtype=object)
    flat_v = np.empty(int(nk.sum()), dtype=object)
    k = 0
    for d in decoded:
        for q, v in d.items():
            flat_q[k], flat_v[k] = q, v
            k += 1
    counts = nk[codes] if len(codes) else np.zeros(0, dtype=np.int64)
    rep = np.repeat(np.arange(len(answers)), counts)
    starts = np.concatenate([[0], np.cumsum(nk)[:-1]]).astype(np.int64)
    within = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
    pos = starts[codes[rep]] + within if len(rep) else np.zeros(0, dtype=np.int64)
    if question is not None:
        wanted_q = np.isin(flat_q, np.asarray(_as_list(question), dtype=object)) if len(flat_q) else flat_q.astype(bool)
        keep = wanted_q[pos]  # (decided once per distinct answer object, not per row)
        rep, pos = rep[keep], pos[keep]
    values = flat_v[pos]
    if any(isinstance(v, (list, dict)) for v in flat_v):
        mutable = np.fromiter((isinstance(v, (list, dict)) for v in values), dtype=bool, count=len(values))
        src = answers[rep]
        qs = flat_q[pos]
        for i in np.flatnonzero(mutable):
            values[i] = json.loads(src[i])[qs[i]]
    return rep, flat_q[pos], values


def _as_list(value) -> list:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def open_store(url: str | None = None) -> HistoryStore:
    """A :class:`HistoryStore` at ``url`` (default location when ``None``)."""
    return HistoryStore(url)


__all__ = [
    "HistoryStore", "ResponseRow", "SuggestionRow", "DatasetWrite", "normalise_value", "encode_value",
    "decode_value", "to_utc", "default_url", "open_store", "GOLD_KINDS", "TIDY_COLUMNS", "HISTORY_COLUMNS",
    "ROUND_COLUMNS", "GOLD_COLUMNS", "ResponseCodes", "decode_objects", "RecordRow", "ResponseVersionRow",
    "ResponseValueRow", "LatestResponseRow", "SuggestionVersionRow", "RecordVersionRow", "StoredVersion", "SyncMarks",
    "SubmittedTotals", "ROW_TYPES", "TimeLike", "OneOrMany",
]
