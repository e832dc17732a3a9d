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
from typing import Any, Iterable, Sequence

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
    sqlite_with_rowid=False,
)

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

# (the unique constraints above index each version key)


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


def decode_values(texts) -> list:
    """:func:`decode_value` over many texts; each distinct scalar is decoded once (answers repeat a
    lot), lists and dicts are decoded per row so that no two rows share a mutable value."""
    memo: dict[str, Any] = {}
    out = []
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


def _bulk_insert(conn, table: sa.Table, rows: list[tuple], page: int = 2000) -> None:
    """Insert ``rows`` (tuples in ``table``'s column order) inside ``conn``'s transaction, fast.

    SQLAlchemy's executemany spends most of its time converting parameters row by row; for SQLite
    and psycopg2 the tuples go to the driver directly (datetimes already made driver-ready by
    :func:`_db_time`), other dialects go through SQLAlchemy.
    """
    if not rows:
        return
    cols = [c.name for c in table.columns]
    name, driver = conn.dialect.name, conn.dialect.driver
    dbapi_error = conn.dialect.loaded_dbapi.Error
    sql = None
    try:
        if name == "sqlite":
            sql = f'INSERT INTO "{table.name}" ({", ".join(cols)}) VALUES ({", ".join("?" for _ in cols)})'
            cur = conn.connection.driver_connection.cursor()
            try:
                cur.executemany(sql, rows)
            finally:
                cur.close()
        elif name == "postgresql" and driver == "psycopg2":
            from psycopg2.extras import execute_values

            sql = f'INSERT INTO "{table.name}" ({", ".join(cols)}) VALUES %s'
            cur = conn.connection.driver_connection.cursor()
            try:
                execute_values(cur, sql, rows, page_size=page)
            finally:
                cur.close()
        else:
            for start in range(0, len(rows), page):
                conn.execute(table.insert(), [dict(zip(cols, r)) for r in rows[start:start + page]])
    except dbapi_error as exc:  # the driver's own error: raise it as SQLAlchemy would (IntegrityError, ...)
        raise sa.exc.DBAPIError.instance(sql, None, exc, dbapi_error, dialect=conn.dialect) from exc


def _delete_latest(conn, keys: list[tuple[str, str, str]], page: int = 2000) -> None:
    """Delete the ``response_latest`` rows of ``(dataset_id, record_id, user_id)`` keys, in ``conn``'s transaction."""
    if not keys:
        return
    t = response_latest_t
    if conn.dialect.name == "sqlite":
        cur = conn.connection.driver_connection.cursor()
        try:
            cur.executemany('DELETE FROM "response_latest" WHERE dataset_id = ? AND record_id = ? AND user_id = ?', keys)
        finally:
            cur.close()
        return
    for start in range(0, len(keys), page):
        chunk = keys[start:start + page]
        conn.execute(t.delete().where(sa.tuple_(t.c.dataset_id, t.c.record_id, t.c.user_id).in_(chunk)))


def _db_time(dialect_name: str):
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

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        kwargs: dict = {"future": True}
        if self.url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 60}
            database = sa.engine.make_url(self.url).database
            if database and database != ":memory:":
                os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
        try:
            self.engine = sa.create_engine(self.url, **kwargs)
            if self.url.startswith("sqlite"):
                @sa.event.listens_for(self.engine, "connect")
                def _pragmas(dbapi_conn, _):  # noqa: ANN001
                    cur = dbapi_conn.cursor()
                    cur.execute("PRAGMA journal_mode=WAL")
                    cur.execute("PRAGMA synchronous=NORMAL")
                    cur.execute("PRAGMA cache_size=-262144")  # up to 256 MiB of pages for bulk syncs
                    cur.close()
            metadata.create_all(self.engine)
            self._ensure_latest()
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
            out = [(dataset_id, r.record_id, r.user_id, r.version, r.id, r.response_id, r.item, r.annotator, r.status,
                    dbt(r.inserted_at), dbt(r.updated_at), r.guideline_version, dbt(r.synced_at),
                    answers_text(encoded.get(r.id, {}))) for r in rows]
            conn.execute(lt.delete().where(lt.c.dataset_id == dataset_id))
            _bulk_insert(conn, lt, out)
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
                     guideline_version: int, created_at=None, forced_reason: str | None = None) -> None:
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

    def record_guideline_publication(self, *, task: str, dataset_id: str, version: int, published_at=None) -> None:
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

    def guideline_version_at(self, dataset_id: str, when) -> int | None:
        """The guideline version in force on ``dataset_id`` at ``when``.

        That is the version of the latest publication at or before ``when``. When nothing was
        published by then, the version the dataset's round was created with (``record_round``);
        ``None`` if the dataset is not a recorded round either.
        """
        return self._version_lookup(str(dataset_id))(to_utc(when))

    def _version_lookup(self, dataset_id: str):
        with self.engine.connect() as conn:
            return self._version_lookup_conn(conn, dataset_id)

    # ------------------------------------------------------------------ gold

    def set_gold(self, *, task: str, item: str, question: str, value, set_by: str, kind: str = "expert",
                 set_at=None) -> None:
        """Append a gold answer for ``(task, item, question)``.

        ``kind`` is ``"expert"`` (an expert's reference answer) or ``"adjudicated"`` (the
        resolution of a disagreement). Gold never overwrites: the latest row per kind wins in
        :meth:`gold`, and earlier ones stay as history (:meth:`gold_history`).
        """
        row = _gold_row(task=task, item=item, question=question, value=value, set_by=set_by, kind=kind,
                        set_at=to_utc(set_at) or utcnow())
        with self.engine.begin() as conn:
            conn.execute(gold_t.insert(), [row])

    def set_gold_many(self, task: str, rows: Iterable[dict], *, set_at=None) -> int:
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

    def _upsert_dataset(self, conn, dataset_id: str, name: str, workspace: str) -> None:
        row = conn.execute(sa.select(datasets_t).where(datasets_t.c.dataset_id == dataset_id)).first()
        if row is None:
            conn.execute(datasets_t.insert(), [dict(dataset_id=dataset_id, name=name, workspace=workspace)])
        elif (row.name, row.workspace) != (name, workspace):  # a renamed dataset: the name is metadata
            conn.execute(datasets_t.update().where(datasets_t.c.dataset_id == dataset_id).values(
                name=name, workspace=workspace))

    def sync_state(self, dataset_id: str) -> dict | None:
        """The marks of the last completed sync of ``dataset_id``: ``watermark`` (records updated before
        it have been read), ``activity`` (the dataset's ``last_activity_at`` then) and ``last_sync_at``;
        ``None`` if it was never synced."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sync_state_t).where(sync_state_t.c.dataset_id == str(dataset_id))).first()
        return None if row is None else dict(row._mapping)

    @staticmethod
    def _latest_keys(conn, table: sa.Table, second: str | None, dataset_id: str,
                     record_ids: set[str] | None = None) -> dict:
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
            return {key(r): (r[n], r[n + 1]) for r in conn.execute(query(None))}
        out: dict = {}
        ids = sorted(record_ids)
        for start in range(0, len(ids), 500):
            out.update({key(r): (r[n], r[n + 1]) for r in conn.execute(query(ids[start:start + 500]))})
        return out

    def latest_response_keys(self, dataset_id: str, conn=None, record_ids: set[str] | None = None
                             ) -> dict[tuple[str, str], tuple[int, str]]:
        """``(record_id, user_id) -> (latest version, content hash)`` of a dataset's stored responses."""
        if conn is not None:
            return self._latest_keys(conn, response_versions_t, "user_id", dataset_id, record_ids)
        with self.engine.connect() as c:
            return self._latest_keys(c, response_versions_t, "user_id", dataset_id, record_ids)

    def write_dataset_sync(self, *, dataset_id: str, name: str, workspace: str, responses: Iterable[ResponseRow],
                           suggestions: Iterable[SuggestionRow], watermark: datetime | None,
                           activity: str | None = None, fetched_record_ids: dict[str, str] | None = None,
                           records: Iterable[RecordRow] = (), on_progress=None) -> DatasetWrite:
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
            version_rows, value_rows = [], []
            latest_rows: dict[tuple[str, str], tuple] = {}  # (record, user) -> its response_latest row
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
                if prev is not None and prev[1] == h:
                    continue
                version = (prev[0] + 1) if prev else 1
                latest[key] = (version, h)
                vid = os.urandom(16).hex()
                gv = lookup(updated or inserted)
                version_rows.append((
                    vid, dataset_id, r.record_id, r.user_id, version, r.response_id, r.item, r.annotator, r.status,
                    dbt(inserted), dbt(updated), gv, h, db_now))
                value_rows.extend([(vid, q, v) for q, v in encoded.items()])
                if prev is not None:
                    replaced.add(key)
                latest_rows[key] = (dataset_id, r.record_id, r.user_id, version, vid, r.response_id, r.item,
                                    r.annotator, r.status, dbt(inserted), dbt(updated), gv, db_now,
                                    answers_text(encoded))
            if fetched_record_ids:
                present = {(r.record_id, r.user_id) for r in responses}
                names = self._annotator_names(conn, dataset_id)
                deleted_hash = _DELETED_HASH
                for (record_id, user_id), (version, h) in list(latest.items()):
                    if record_id in fetched_record_ids and (record_id, user_id) not in present and h != deleted_hash:
                        latest[(record_id, user_id)] = (version + 1, deleted_hash)
                        vid = os.urandom(16).hex()
                        who = names.get(user_id, user_id)
                        version_rows.append((
                            vid, dataset_id, record_id, user_id, version + 1, "",
                            fetched_record_ids[record_id], who, "deleted", None, None, None,
                            deleted_hash, db_now))
                        replaced.add((record_id, user_id))
                        latest_rows[(record_id, user_id)] = (
                            dataset_id, record_id, user_id, version + 1, vid, "", fetched_record_ids[record_id], who,
                            "deleted", None, None, None, db_now, "{}")
            if on_progress:
                on_progress("responses-read")
            _bulk_insert(conn, response_versions_t, version_rows)
            if on_progress:
                on_progress("responses-written")
            _bulk_insert(conn, response_values_t, value_rows)
            # a response never stored before has no response_latest row (they derive from versions)
            _delete_latest(conn, [(dataset_id, r, u) for r, u in replaced])
            _bulk_insert(conn, response_latest_t, list(latest_rows.values()))

            slatest = self._latest_keys(conn, suggestion_versions_t, "question", dataset_id,
                                        {x.record_id for x in suggestions})
            srows = []
            for s in suggestions:
                h = content_hash(s.value, s.score, s.agent, s.type)
                key = (s.record_id, s.question)
                prev = slatest.get(key)
                if prev is not None and prev[1] == h:
                    continue
                version = (prev[0] + 1) if prev else 1
                slatest[key] = (version, h)
                srows.append((
                    os.urandom(16).hex(), dataset_id, s.record_id, s.question, version, s.item, encode_value(s.value),
                    None if s.score is None else encode_value(s.score), s.agent, s.type, dbt(to_utc(s.updated_at)),
                    h, db_now))
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

    def _record_rows(self, conn, dataset_id: str, records: list[RecordRow], db_now, dbt) -> list[tuple]:
        """New ``record_versions`` rows for the records whose content changed (or is new)."""
        if not records:
            return []
        stored = self._latest_keys(conn, record_versions_t, None, dataset_id, {r.record_id for r in records})
        rows = []
        for r in records:
            fields, meta = encode_value(r.fields or {}), encode_value(r.metadata or {})
            h = content_hash(fields, meta, r.status)
            prev = stored.get(r.record_id)
            if prev is not None and prev[1] == h:
                continue
            version = prev[0] + 1 if prev else 1
            stored[r.record_id] = (version, h)
            rows.append((dataset_id, r.record_id, version, r.item, r.status, fields, meta,
                         dbt(to_utc(r.updated_at)), h, db_now))
        return rows

    def records(self, *, task: str | None = None, dataset: str | Sequence[str] | None = None,
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

    LATEST_RESPONSE_COLUMNS = ("dataset_id", "record_id", "item", "user_id", "annotator", "status", "guideline_version")

    def latest_responses(self, *, task: str | None = None, dataset: str | Sequence[str] | None = None,
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

    def item_ids(self, *, dataset: str | Sequence[str]) -> set[str]:
        """Every item with a stored record or response in these datasets (names or ids)."""
        ids = self._dataset_ids(task=None, round=None, dataset=dataset) or []
        rt, lt = record_versions_t, response_latest_t
        with self.engine.connect() as conn:
            out = {r[0] for r in conn.execute(sa.select(rt.c.item).where(rt.c.dataset_id.in_(ids)).distinct())}
            out |= {r[0] for r in conn.execute(sa.select(lt.c.item).where(lt.c.dataset_id.in_(ids)).distinct())}
        return out

    def response_codes(self, dataset: str | Sequence[str], *, with_time: bool = False) -> "ResponseCodes":
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

    def record_texts(self, dataset: str | Sequence[str], *, content: bool = True) -> pd.DataFrame:
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
            times = dict(conn.execute(sa.select(rd.c.dataset_id, sa.func.count()).where(
                rd.c.dataset_id.in_(ids)).group_by(rd.c.dataset_id)).all())
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
    def _annotator_names(conn, dataset_id: str) -> dict[str, str]:
        rv = response_versions_t
        return {r[0]: r[1] for r in conn.execute(sa.select(rv.c.user_id, rv.c.annotator).where(
            rv.c.dataset_id == dataset_id).distinct())}

    def _version_lookup_conn(self, conn, dataset_id: str):
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
        ids = None
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
             dataset: str | Sequence[str] | None = None, question: str | Sequence[str] | None = None,
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
            names = dict(conn.execute(sa.select(ds.c.dataset_id, ds.c.name).where(ds.c.dataset_id.in_(ids))).all())
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
                q = sa.select(*[every[c] for c in row_cols], lt.c.answers).where(lt.c.dataset_id == dataset_id)
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

    def response_history(self, *, task: str | None = None, round=None, dataset=None, question=None,
                         statuses: Sequence[str] | None = None) -> pd.DataFrame:
        """Every stored version of every response (columns :data:`HISTORY_COLUMNS`), oldest version first.

        A response edited twice in Argilla has three versions here (``version`` 1, 2, 3).
        A version with no values (a response discarded without answers) has no row here; see
        :meth:`response_versions`.
        """
        df = self._read_responses(self._responses_query(
            task=task, round=round, dataset=dataset, question=question, statuses=statuses, latest_only=False))
        return df.reset_index(drop=True)

    def response_versions(self, dataset: str | None = None) -> pd.DataFrame:
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

    def suggestions(self, *, task: str | None = None, dataset=None, question=None,
                    latest_only: bool = True) -> pd.DataFrame:
        """Stored suggestions (columns :data:`SUGGESTION_COLUMNS`); ``latest_only`` keeps the latest version."""
        sv, ds, rd = suggestion_versions_t, datasets_t, rounds_t
        frm = sv.join(ds, ds.c.dataset_id == sv.c.dataset_id, isouter=True).join(
            rd, rd.c.dataset_id == sv.c.dataset_id, isouter=True)
        if latest_only:
            sub = sa.select(sv.c.dataset_id, sv.c.record_id, sv.c.question, sa.func.max(sv.c.version).label("v")) \
                .group_by(sv.c.dataset_id, sv.c.record_id, sv.c.question).subquery()
            frm = frm.join(sub, sa.and_(sub.c.dataset_id == sv.c.dataset_id, sub.c.record_id == sv.c.record_id,
                                        sub.c.question == sv.c.question, sub.c.v == sv.c.version))
        q = sa.select(sv.c.item, sv.c.question, sv.c.value, sv.c.score, sv.c.agent, sv.c.type,
                      sv.c.updated_at.label("time"), rd.c.task, ds.c.name.label("dataset"), rd.c.round, sv.c.version,
                      sv.c.dataset_id, sv.c.record_id).select_from(frm)
        if task is not None:
            q = q.where(rd.c.task == task)
        if dataset is not None:
            q = q.where(ds.c.name.in_(_as_list(dataset)) | sv.c.dataset_id.in_(_as_list(dataset)))
        if question is not None:
            q = q.where(sv.c.question.in_(_as_list(question)))
        q = q.order_by(sv.c.dataset_id, sv.c.record_id, sv.c.question, sv.c.version)
        with self.engine.connect() as conn:
            df = pd.DataFrame(conn.execute(q).all(), columns=list(SUGGESTION_COLUMNS))
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

    def __init__(self, rows: list, names: list[str]):
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
        q_codes, names = {}, []
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
    "ROUND_COLUMNS", "GOLD_COLUMNS", "ResponseCodes", "decode_objects",
]
