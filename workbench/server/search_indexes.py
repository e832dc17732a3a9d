"""The extra indexes the ``workbench-sql`` search engine's queries use, and how they are created.

Kept apart from :mod:`workbench.server.search_engine` because importing argilla-server (which
that module does) registers a SQLite ``PRAGMA`` hook on every SQLAlchemy engine of the process,
which breaks PostgreSQL engines; this module imports only SQLAlchemy, so tests and tools can
ensure or inspect the indexes in-process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Tuple, Union

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["INDEXES", "ensure_indexes"]

#: Extra indexes for the queries this engine runs (name, table, columns). Created by
#: :func:`ensure_indexes`; ``IF NOT EXISTS`` makes it idempotent.
INDEXES: Tuple[Tuple[str, str, Tuple[str, ...]], ...] = (
    ("ix_wb_records_dataset_status_id", "records", ("dataset_id", "status", "id")),
    ("ix_wb_records_dataset_id_id", "records", ("dataset_id", "id")),
    ("ix_wb_records_dataset_inserted", "records", ("dataset_id", "inserted_at", "id")),
    # probes by record id that also check the dataset and status from the index alone (a user's
    # responses joined to their records: progress, the submitted/draft/discarded tabs); the
    # id leads, so a probe's key comparisons differ at once instead of after a shared dataset id
    ("ix_wb_records_id_dataset_status", "records", ("id", "dataset_id", "status")),
    ("ix_wb_responses_user_status_record", "responses", ("user_id", "status", "record_id")),
    ("ix_wb_vectors_settings_updated", "vectors", ("vector_settings_id", "updated_at")),
)


def ensure_indexes(sync_engine_or_url: Union[Engine, str]) -> List[str]:
    """Create the extra indexes this engine's queries use; idempotent.

    Parameters
    ----------
    sync_engine_or_url : sqlalchemy.engine.Engine or str
        A synchronous SQLAlchemy engine, or a database URL (an async driver such as
        ``sqlite+aiosqlite`` or ``postgresql+asyncpg`` is replaced by its synchronous default).

    Returns
    -------
    list of str
        Names of the indexes ensured.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.engine import Engine, make_url

    own = False
    if isinstance(sync_engine_or_url, Engine):
        engine = sync_engine_or_url
    else:
        url = make_url(str(sync_engine_or_url))
        driver = url.drivername
        if driver.startswith("sqlite"):
            url = url.set(drivername="sqlite")
        elif driver.startswith("postgresql"):
            url = url.set(drivername="postgresql+psycopg2")
        else:
            raise ValueError(f"ensure_indexes: database {driver!r} is not supported (sqlite or postgresql only)")
        engine = create_engine(url)
        own = True
    try:
        with engine.begin() as conn:
            for name, table, columns in INDEXES:
                cols = ", ".join(columns)
                conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({cols})")
            if engine.dialect.name == "postgresql":
                for table in ("records", "responses", "suggestions", "vectors"):
                    conn.exec_driver_sql(f"ANALYZE {table}")
    finally:
        if own:
            engine.dispose()
    return [name for name, _, _ in INDEXES]
