"""Giving records, responses and suggestions of the embedded server their times, in its own database.

argilla-server stamps every record, response and suggestion with the time it is written
(``inserted_at``, ``updated_at``), and its API has no way to say otherwise. The demo's simulated
weeks of work (:mod:`workbench.demo`, :mod:`workbench.demo_timeline`) are written through the API
like any answer and then given their simulated times here, directly in argilla-server's own
database (SQLite or PostgreSQL), before they are synced: Argilla's web UI, ``workbench sync``, the
history store and the export then all see the same times.

Only Workbench's embedded server is touched (:func:`embedded_database_url` says whether an API URL
is it, and where its database is), and only rows inserted at or after ``since`` (the rows the demo
has just written): a row already given its time keeps it, and so does a response an annotator
changed afterwards (a change moves ``updated_at``, never ``inserted_at``). Running it again
therefore changes nothing. Everything is written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from workbench.errors import ServiceError

# The columns used here of argilla-server 2.8's tables (argilla_server/models/database.py): ids are
# UUIDs (CHAR(32) on SQLite, uuid on PostgreSQL), times naive UTC, as SQLAlchemy's types store them.
_md = sa.MetaData()
_users = sa.Table("users", _md, sa.Column("id", sa.Uuid, primary_key=True), sa.Column("username", sa.String))
_records = sa.Table(
    "records", _md, sa.Column("id", sa.Uuid, primary_key=True), sa.Column("dataset_id", sa.Uuid),
    sa.Column("external_id", sa.String), sa.Column("inserted_at", sa.DateTime), sa.Column("updated_at", sa.DateTime))
_responses = sa.Table(
    "responses", _md, sa.Column("id", sa.Uuid, primary_key=True), sa.Column("record_id", sa.Uuid),
    sa.Column("user_id", sa.Uuid), sa.Column("inserted_at", sa.DateTime), sa.Column("updated_at", sa.DateTime))
_suggestions = sa.Table(
    "suggestions", _md, sa.Column("id", sa.Uuid, primary_key=True), sa.Column("record_id", sa.Uuid),
    sa.Column("inserted_at", sa.DateTime), sa.Column("updated_at", sa.DateTime))


@dataclass
class DatasetTimes:
    """The times one dataset's rows should have, keyed as the API shows them: records by external
    id, ``item -> (inserted_at, updated_at)``; responses by ``(item, username) -> time`` (inserted
    and updated then); suggestions: every suggestion of those records at ``suggestions_at``."""

    dataset_id: str
    records: dict = field(default_factory=dict)
    responses: dict = field(default_factory=dict)
    suggestions_at: dt.datetime | None = None


@dataclass
class Backdated:
    records: int = 0
    responses: int = 0
    suggestions: int = 0

    @property
    def total(self) -> int:
        return self.records + self.responses + self.suggestions


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), "127.0.0.1" if host == "localhost" else host, port


def embedded_database_url(api_url: str) -> str | None:
    """The (synchronous) SQLAlchemy URL of the embedded server's database when ``api_url`` is the
    embedded server of this Workbench home, running and started on the database this environment
    names (``ARGILLA_DATABASE_URL``, else SQLite under the home); None otherwise."""
    from workbench.server import launcher

    try:
        state = launcher.read_state()
    except ServiceError:
        return None
    if state is None or _origin(state.url) != _origin(api_url):
        return None
    api = state.process("api")
    if api is None or not api.alive():
        return None
    url = launcher.database_url()
    if launcher.redact_url(url) != state.database:  # started on another database than this environment names
        if "***" in state.database:
            return None  # (its password is not kept: only this environment's URL could have it)
        url = state.database  # (no password to hide: the URL the server was started with, as it was)
    parsed = sa.engine.make_url(url)
    driver = "sqlite" if parsed.get_backend_name() == "sqlite" else "postgresql+psycopg2"
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def _naive_utc(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when


def set_times(db_url: str, datasets: list[DatasetTimes], *, since: dt.datetime) -> Backdated:
    """Give the rows of ``datasets`` inserted at or after ``since`` their planned times (see the
    module notes); rows not in the plan, and rows inserted before ``since``, are left alone.
    Returns how many rows were changed (0 when everything already had its time)."""
    since = _naive_utc(since)
    done = Backdated()
    kwargs = {"connect_args": {"timeout": 60}} if db_url.startswith("sqlite") else {}
    engine = sa.create_engine(db_url, **kwargs)
    try:
        with engine.begin() as conn:
            for plan in datasets:
                _dataset(conn, plan, since, done)
    except SQLAlchemyError as exc:
        raise ServiceError(f"could not set the demo's times in the embedded server's database: "
                           f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:200]}") from None
    finally:
        engine.dispose()
    return done


def _update(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> int:
    if rows:
        conn.execute(table.update().where(table.c.id == sa.bindparam("_id")).values(
            inserted_at=sa.bindparam("_ins"), updated_at=sa.bindparam("_upd")), rows)
    return len(rows)


def _dataset(conn: sa.Connection, plan: DatasetTimes, since: dt.datetime, done: Backdated) -> None:
    ds = uuid.UUID(str(plan.dataset_id))
    rec, resp, sug, usr = _records, _responses, _suggestions, _users
    records = conn.execute(sa.select(rec.c.id, rec.c.external_id, rec.c.inserted_at)
                           .where(rec.c.dataset_id == ds)).all()
    item_of = {r.id: r.external_id for r in records}
    rows = []
    for r in records:
        times = plan.records.get(r.external_id)
        if times is not None and r.inserted_at is not None and r.inserted_at >= since:
            rows.append({"_id": r.id, "_ins": _naive_utc(times[0]), "_upd": _naive_utc(times[1])})
    done.records += _update(conn, rec, rows)

    rows = []
    q = sa.select(resp.c.id, resp.c.record_id, usr.c.username, resp.c.inserted_at).select_from(
        resp.join(rec, rec.c.id == resp.c.record_id).join(usr, usr.c.id == resp.c.user_id)).where(
        rec.c.dataset_id == ds, resp.c.inserted_at >= since)
    for r in conn.execute(q):
        when = plan.responses.get((item_of.get(r.record_id), r.username))
        if when is not None:
            rows.append({"_id": r.id, "_ins": _naive_utc(when), "_upd": _naive_utc(when)})
    done.responses += _update(conn, resp, rows)

    if plan.suggestions_at is not None:
        at = _naive_utc(plan.suggestions_at)
        q = sa.select(sug.c.id, sug.c.record_id).select_from(sug.join(rec, rec.c.id == sug.c.record_id)).where(
            rec.c.dataset_id == ds, sug.c.inserted_at >= since)
        rows = [{"_id": r.id, "_ins": at, "_upd": at} for r in conn.execute(q)
                if item_of.get(r.record_id) in plan.records]
        done.suggestions += _update(conn, sug, rows)
