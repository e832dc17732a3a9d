"""Workbench's search engine for argilla-server 2.8.0: every search answered with SQL.

Importing this module registers :class:`WorkbenchSqlSearchEngine` under the name
``"workbench-sql"`` in argilla-server's search-engine registry; the server (API process and rq
worker) picks it with ``ARGILLA_SEARCH_ENGINE=workbench-sql``. No Elasticsearch or OpenSearch is
involved: searches, progress and metrics read the server's own tables (``records``,
``responses``, ``suggestions``, ``vectors``) through argilla-server's async SQLAlchemy engine, on
SQLite (aiosqlite) or PostgreSQL (asyncpg). The indexing methods are therefore no-ops.

What is answered (the filters, sorts and queries argilla-server's API can pass on):

* response status per user (``pending`` = the user has no response on the record; ``draft``,
  ``submitted``, ``discarded``), or across users when the request names none;
* record status, id, external id; ``inserted_at``/``updated_at`` ranges;
* text queries (whole words, case-insensitive, one named field or all text/chat/custom fields;
  see :mod:`workbench.server.search_sql` for the query syntax);
* metadata terms, integer and float ranges; suggestion value/score/agent/type; response values
  of label, multi-label and rating questions;
* sort by record properties, metadata, suggestion value/score/agent/type, rating responses;
* dataset and per-user progress, metadata metrics (terms counts, min/max);
* vector similarity (most/least similar by cosine, with filters and text query, top-k), scored
  like Elasticsearch's ``cosine`` similarity: ``(1 + cos) / 2``.

A search's total is counted in parts split by record id (``WORKBENCH_SEARCH_COUNT_PARTS``, default
the number of CPUs, at most 4), each on a connection of the engine's own pool at the same time:
the count walks every matching record and is most of a search's time on large datasets.

Searches the engine cannot answer exactly raise argilla-server's ``UnprocessableEntityError``,
which the API returns as HTTP 422 with a message naming the unsupported filter.

One user's search cannot stall the others (see ``docs/server-search.md``):

* text queries are bounded (length, words, word length, nesting; :mod:`workbench.server.search_sql`)
  and so are ``offset``, date and number filter values: over a bound is a 422 naming it;
* every search, similarity search and metrics query runs under a time limit
  (``WORKBENCH_SEARCH_TIMEOUT_S``, default 10 s; 0 turns it off): SQLite statements are stopped by
  a progress handler, PostgreSQL ones by ``statement_timeout``; a search stopped so is a 422 saying
  so, logged as one line;
* one user's text searches run one at a time (the others wait, within the same time limit);
* a database error becomes a short error naming its type: never the SQL or its bound parameters
  (argilla-server puts an exception's message in the response body and the log).

Without an explicit sort, a search made for a user (the web UI's ``/me`` endpoint) returns records
in an order that is deterministic for the user and differs between users, as Elasticsearch's
per-user random score does: records ordered by id (random UUIDs), starting at the user's own id
and wrapping around.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
import os
import re
import sqlite3
import threading
import time
import warnings
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union
from uuid import UUID

import numpy as np
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from argilla_server.enums import MetadataPropertyType, RecordSortField, SimilarityOrder, SortOrder
from argilla_server.errors.future import UnprocessableEntityError
from argilla_server.models import Dataset, MetadataProperty, Record, Response, Suggestion, User, VectorSettings
from argilla_server.search_engine import (
    AndFilter,
    Filter,
    FloatMetadataMetrics,
    IntegerMetadataMetrics,
    MetadataFilterScope,
    MetadataMetrics,
    Order,
    RangeFilter,
    RecordFilterScope,
    ResponseFilterScope,
    SearchEngine,
    SearchResponseItem,
    SearchResponses,
    SuggestionFilterScope,
    TermsFilter,
    TermsMetrics,
    TextQuery,
)

from workbench.server.search_sql import (
    FILTERABLE_QUESTION_TYPES,
    RECORD_STATUSES,
    RESPONSE_STATUSES,
    SUGGESTION_TYPES,
    SqlBuilder,
    UnsupportedSearch,
    check_offset_limit,
    check_text_clauses,
    db_datetime_text,
    finite_number,
    id_bounds,
    parse_text_query,
    to_datetime,
)

__all__ = ["ENGINE_NAME", "WorkbenchSqlSearchEngine"]

ENGINE_NAME = "workbench-sql"
#: Elasticsearch's default cap on terms buckets, kept for metadata metrics.
MAX_TERMS = 2**14
_LOGGER = logging.getLogger(__name__)



# ----------------------------------------------------------------------------------------------
# time limit and errors
# ----------------------------------------------------------------------------------------------

#: Default of ``WORKBENCH_SEARCH_TIMEOUT_S``: how long a search may run, in seconds.
DEFAULT_TIMEOUT_S = 10.0
#: SQLite virtual-machine steps between two checks of the time limit (a check costs a Python call).
#: One step of a text search can be long (a ``LIKE`` over a long field), so checks are frequent;
#: the regular-expression function checks the limit on every call too.
_PROGRESS_STEPS = 10_000

#: The ``time.monotonic()`` at which the current search must stop (None: no limit).
_DEADLINE: "contextvars.ContextVar[Optional[float]]" = contextvars.ContextVar("wb_search_deadline", default=None)


def search_timeout() -> float:
    """``WORKBENCH_SEARCH_TIMEOUT_S`` in seconds (default 10; 0 or less: no limit)."""
    raw = os.environ.get("WORKBENCH_SEARCH_TIMEOUT_S", "").strip()
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        return DEFAULT_TIMEOUT_S


class SearchTimedOut(Exception):
    """The search ran into its time limit (turned into a 422 by :func:`_translate_errors`)."""


class SearchDatabaseError(RuntimeError):
    """The database failed a search. The message names the error's type only: the SQL and its
    bound parameters stay out of response bodies and logs."""


def _remaining() -> Optional[float]:
    deadline = _DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()


def _timeout_message(timeout: float) -> str:
    return (
        f"workbench-sql search engine: the search was stopped at its time limit of {timeout:g} s "
        "(WORKBENCH_SEARCH_TIMEOUT_S); narrow it with fewer words or more filters"
    )


def _describe(func_name: str, args: tuple, kwargs: dict) -> str:
    """Which search, for a log line: method, dataset, user, size of the text query."""
    first = kwargs.get("dataset", kwargs.get("metadata_property", args[0] if args else None))
    parts = [func_name]
    dataset_id = getattr(first, "dataset_id", None) or getattr(first, "id", None)
    if dataset_id is not None:
        parts.append(f"dataset {dataset_id}")
    if kwargs.get("user_id") is not None:
        parts.append(f"user {kwargs['user_id']}")
    query = kwargs.get("query")
    q = getattr(query, "q", query)
    if isinstance(q, str):
        parts.append(f"text query of {len(q):,} characters")
    return ", ".join(parts)


def _translate_errors(func):
    """Run an engine method under the time limit, and turn its errors into short ones.

    :class:`UnsupportedSearch` (a search the engine does not answer, or one over its limits) and
    the time limit become argilla-server's ``UnprocessableEntityError`` (HTTP 422 with the message);
    a database error becomes :class:`SearchDatabaseError` naming its type, logged as one line. No
    error is chained to the database's, whose message holds the whole statement and its bound
    parameters (hundreds of kilobytes for a long text query).
    """

    @functools.wraps(func)
    async def wrapper(self, *args, **kwargs):
        timeout = search_timeout()
        token = _DEADLINE.set(time.monotonic() + timeout if timeout > 0 else None)
        try:
            return await func(self, *args, **kwargs)
        except UnsupportedSearch as e:
            raise _unsupported(str(e)) from None
        except RecursionError:  # a bound above was missed; still not a 500
            raise _unsupported("the search is nested too deeply") from None
        except SearchTimedOut:
            _LOGGER.warning("workbench-sql search stopped at its time limit of %g s: %s", timeout, _describe(func.__name__, args, kwargs))
            raise UnprocessableEntityError(_timeout_message(timeout)) from None
        except (SQLAlchemyError, sqlite3.Error, OverflowError) as e:
            left = _remaining()
            if left is not None and left <= 0:  # stopped by the progress handler / statement_timeout
                _LOGGER.warning("workbench-sql search stopped at its time limit of %g s: %s", timeout, _describe(func.__name__, args, kwargs))
                raise UnprocessableEntityError(_timeout_message(timeout)) from None
            orig = getattr(e, "orig", None) or e
            reason = (str(orig).strip().splitlines() or [""])[0][:200]
            _LOGGER.error("workbench-sql search failed in the database: %s: %s (%s)", type(orig).__name__, reason,
                          _describe(func.__name__, args, kwargs))
            raise SearchDatabaseError(
                f"workbench-sql search engine: the database failed the search ({type(e).__name__}); "
                "the server log has the details"
            ) from None
        finally:
            _DEADLINE.reset(token)

    return wrapper


#: One lock per (event loop, user): a user's text searches run one at a time.
_USER_LOCKS: "weakref.WeakValueDictionary[tuple, asyncio.Lock]" = weakref.WeakValueDictionary()


async def _acquire_user_lock(user_id: Any) -> asyncio.Lock:
    """The user's text-search lock, acquired within the time limit (else :class:`SearchTimedOut`)."""
    key = (id(asyncio.get_running_loop()), str(user_id))
    lock = _USER_LOCKS.get(key)
    if lock is None:
        lock = _USER_LOCKS[key] = asyncio.Lock()
    left = _remaining()
    if left is None:
        await lock.acquire()
        return lock
    try:
        await asyncio.wait_for(lock.acquire(), timeout=max(left, 0.001))
    except asyncio.TimeoutError:
        raise SearchTimedOut() from None
    return lock


# ----------------------------------------------------------------------------------------------
# database access
# ----------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> "re.Pattern[str]":
    return re.compile(pattern, re.IGNORECASE | re.UNICODE)


def _sqlite_regexp(pattern: Optional[str], value: Optional[str]) -> int:
    if pattern is None or value is None:
        return 0
    return 1 if _compiled(pattern).search(str(value)) else 0


def _sqlite_regexp_limited(state: dict, pattern: Optional[str], value: Optional[str]) -> int:
    """``wb_regexp`` of one connection: raising stops the statement once the search's time limit
    has passed (a statement of few, long steps reaches the progress handler rarely)."""
    deadline = state["deadline"]
    if deadline is not None and time.monotonic() > deadline:
        raise SearchTimedOut()
    return _sqlite_regexp(pattern, value)


def _sqlite_progress(state: dict) -> int:
    """SQLite's progress handler: non-zero stops the running statement ("interrupted") once the
    search's time limit has passed."""
    deadline = state["deadline"]
    return 1 if deadline is not None and time.monotonic() > deadline else 0


async def _setup_sqlite(conn) -> dict:
    """Register ``wb_regexp`` and the progress handler on a pooled SQLite connection (once);
    return its time-limit state (``{"deadline": monotonic time or None}``)."""
    info = conn.sync_connection.connection.info
    state = info.get("wb_state")
    if state is None:
        raw = await conn.get_raw_connection()
        aio = raw.driver_connection  # the aiosqlite connection: runs these in its own thread
        state = {"deadline": None}
        await aio.create_function("wb_regexp", 2, functools.partial(_sqlite_regexp_limited, state), deterministic=True)
        await aio.set_progress_handler(functools.partial(_sqlite_progress, state), _PROGRESS_STEPS)
        info["wb_state"] = state
    return state


_ENGINES: Dict[int, Any] = {}


def _own_engine():
    """The search engine's own async engine (and connection pool) for the running event loop.

    Not argilla-server's ``async_engine``: every API request already holds one connection of that
    pool for its session, and a search that waits for a second one deadlocks once as many requests
    run at once as the pool has connections (15 by default: 20 annotators opening their queues
    together saw every request time out). A pool of our own is never held by a request that waits
    on us. One engine per event loop, because pooled async connections belong to their loop (the
    rq worker runs each job in a fresh loop).
    """
    import asyncio

    from argilla_server.settings import settings
    from sqlalchemy.ext.asyncio import create_async_engine

    key = id(asyncio.get_running_loop())
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = create_async_engine(settings.database_url, **settings.database_engine_args)
    return engine


class _Db:
    """A connection of the search engine's own pool, with our SQLite functions registered."""

    def __init__(self) -> None:
        self._engine = _own_engine()
        self.dialect = self._engine.dialect.name
        # set while open (``async with``): the pool's connection, which is its own context manager
        self._cm: Optional[AsyncConnection] = None
        self.conn: Optional[AsyncConnection] = None

    async def __aenter__(self) -> "_Db":
        left = _remaining()
        if left is not None and left <= 0:
            raise SearchTimedOut()
        self._cm = self._engine.connect()
        self.conn = await self._cm.__aenter__()
        self._state = None
        if self.dialect == "sqlite":
            try:
                self._state = await _setup_sqlite(self.conn)
            except BaseException as e:
                await self._cm.__aexit__(type(e), e, e.__traceback__)
                raise
            self._state["deadline"] = _DEADLINE.get()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._state is not None:
            self._state["deadline"] = None
        assert self._cm is not None  # opened by __aenter__
        await self._cm.__aexit__(*exc)

    async def _execute(self, sql: str, params: Optional[dict]) -> Any:
        assert self.conn is not None  # used inside ``async with``
        left = _remaining()
        if left is not None:
            if left <= 0:
                raise SearchTimedOut()
            if self.dialect == "postgresql":
                # the rest of the time limit, for this statement (the transaction ends with the connection)
                await self.conn.execute(
                    text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(max(1, int(left * 1000)))}
                )
        return await self.conn.execute(text(sql), params or {})

    async def rows(self, sql: str, params: Optional[dict] = None) -> list:
        return (await self._execute(sql, params)).all()

    async def scalar(self, sql: str, params: Optional[dict] = None) -> Any:
        return (await self._execute(sql, params)).scalar()

    def builder(self) -> SqlBuilder:
        return SqlBuilder(self.dialect)


#: A comment left in subqueries over record ids; a count split by record id replaces it with
#: its part's range on ``col`` (elsewhere it stays a comment).
_RANGE_MARK = " /*wb-id-range:{col}*/"
_RANGE_COLS = ("rs.record_id",)


def _count_parts() -> int:
    """How many parts a search's count is split into (``WORKBENCH_SEARCH_COUNT_PARTS``, default:
    the number of CPUs, at most 4)."""
    raw = os.environ.get("WORKBENCH_SEARCH_COUNT_PARTS", "")
    try:
        n = int(raw) if raw.strip() else (os.cpu_count() or 1)
    except ValueError:
        n = 1
    return max(1, min(4, n))


async def _count(b: SqlBuilder, where: str, parts: Optional[int] = None) -> int:
    """``count(*)`` of ``FROM {where}``, split by record id into parts counted at once.

    The count walks every matching record (the page stops after ``limit``), so on a large
    dataset it is most of a search's time. Record ids are random UUIDs (version 4), so ranges
    of equal width hold about as many records each; every part runs on a connection of its own
    (SQLite releases the GIL while it steps, PostgreSQL runs them in separate backends), so on
    an idle multi-core machine the count takes about 1/parts of the time. The parts cover the
    id space exactly once: the sum is the count.
    """
    parts = _count_parts() if parts is None else parts
    sql = f"SELECT count(*) FROM {where}"
    if parts == 1:
        async with _Db() as db:
            return int(await db.scalar(sql, b.params) or 0)
    bounds = [u.hex if b.sqlite else u for u in id_bounds(parts)]

    marked = any(_RANGE_MARK.format(col=col) in sql for col in _RANGE_COLS)
    # SQLite: with a subquery narrowed to the part, "+" keeps the outer range from steering the
    # plan away from driving the search from that subquery (PostgreSQL has no "+" for uuids)
    outer = "+r.id" if marked and b.sqlite else "r.id"

    async def part(lo, hi) -> int:
        conds, params = [], dict(b.params)
        if lo is not None:
            conds.append("{col} >= :_count_lo")
            params["_count_lo"] = lo
        if hi is not None:
            conds.append("{col} < :_count_hi")
            params["_count_hi"] = hi
        part_sql = f"{sql} AND " + " AND ".join(c.format(col=outer) for c in conds)
        for col in _RANGE_COLS:  # the same range inside subqueries over record ids
            part_sql = part_sql.replace(_RANGE_MARK.format(col=col), "".join(f" AND {c.format(col=col)}" for c in conds))
        async with _Db() as db:
            return int(await db.scalar(part_sql, params) or 0)

    edges = [None, *bounds, None]
    return int(sum(await _gather(*(part(edges[i], edges[i + 1]) for i in range(parts)))))


async def _gather(*aws: Any) -> list:
    """``asyncio.gather`` that waits for every part before raising the first error, so that no
    statement of a failed (or timed-out) search is left running after its answer."""
    results = await asyncio.gather(*aws, return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _json_value(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def _unsupported(message: str) -> UnprocessableEntityError:
    return UnprocessableEntityError(f"workbench-sql search engine: {message}")


# ----------------------------------------------------------------------------------------------
# dataset schema (names -> ids and types), loaded per request
# ----------------------------------------------------------------------------------------------


@dataclass
class _Schema:
    questions: Dict[str, Tuple[UUID, str]] = dc_field(default_factory=dict)
    metadata: Dict[str, str] = dc_field(default_factory=dict)
    fields: Dict[str, str] = dc_field(default_factory=dict)


async def _load_schema(db: _Db, dataset_id: UUID, *, questions: bool, metadata: bool, fields: bool) -> _Schema:
    schema = _Schema()
    b = db.builder()
    ds = b.uuid(dataset_id)
    if questions:
        for qid, name, settings in await db.rows(f"SELECT id, name, settings FROM questions WHERE dataset_id = {ds}", b.params):
            schema.questions[name] = (_as_uuid(qid), _json_value(settings).get("type"))
    if metadata:
        for name, settings in await db.rows(f"SELECT name, settings FROM metadata_properties WHERE dataset_id = {ds}", b.params):
            schema.metadata[name] = _json_value(settings).get("type")
    if fields:
        for name, settings in await db.rows(f"SELECT name, settings FROM fields WHERE dataset_id = {ds}", b.params):
            schema.fields[name] = _json_value(settings).get("type")
    return schema


def _leaves(filter: Optional[Filter]) -> Iterable[Union[TermsFilter, RangeFilter]]:
    if filter is None:
        return
    if isinstance(filter, AndFilter):
        for f in filter.filters:
            yield from _leaves(f)
    else:
        yield filter


def _needs(filter: Optional[Filter], sort: Optional[List[Order]], query) -> Dict[str, bool]:
    scopes = [f.scope for f in _leaves(filter)] + [o.scope for o in (sort or [])]
    return {
        "questions": any(isinstance(s, (SuggestionFilterScope, ResponseFilterScope)) and getattr(s, "question", None) for s in scopes),
        "metadata": any(isinstance(s, MetadataFilterScope) for s in scopes),
        "fields": query is not None,
    }


# ----------------------------------------------------------------------------------------------
# filters -> SQL conditions over records AS r
# ----------------------------------------------------------------------------------------------


def _db_dt(b: SqlBuilder, value, what: str):
    dt = to_datetime(value, what)
    return db_datetime_text(dt) if b.sqlite else dt


def _question(schema: _Schema, name: str, what: str) -> Tuple[UUID, str]:
    if name not in schema.questions:
        raise UnsupportedSearch(f"{what}: question {name!r} not found in the dataset")
    return schema.questions[name]


def _filter_sql(b: SqlBuilder, schema: _Schema, filter: Optional[Filter], top: bool = True) -> str:
    """SQL condition on ``records AS r``. ``top`` is true while only ANDs lead from the root to
    ``filter``, which lets a condition become a join."""
    if filter is None:
        return "1 = 1"
    if isinstance(filter, AndFilter):
        parts = [_filter_sql(b, schema, f, top) for f in filter.filters]
        return "(" + " AND ".join(parts) + ")" if parts else "1 = 1"
    scope = filter.scope
    if isinstance(scope, RecordFilterScope):
        return _record_filter(b, filter, scope.property)
    if isinstance(scope, MetadataFilterScope):
        return _metadata_filter(b, schema, filter, scope.metadata_property)
    if isinstance(scope, SuggestionFilterScope):
        return _suggestion_filter(b, schema, filter, scope)
    if isinstance(scope, ResponseFilterScope):
        return _response_filter(b, schema, filter, scope, top)
    raise UnsupportedSearch(f"filter scope {scope!r} is not supported")


def _record_filter(b: SqlBuilder, filter, prop: str) -> str:
    prop = str(getattr(prop, "value", prop))
    if isinstance(filter, TermsFilter):
        if prop == "id":
            ids = []
            for v in filter.values:
                try:
                    ids.append(UUID(str(v)))
                except ValueError:
                    continue  # an id that is not a UUID matches no record, as in Elasticsearch
            return "r.id IN (" + ", ".join(b.uuid(u) for u in ids) + ")" if ids else "1 = 0"
        if prop == "external_id":
            return f"r.external_id IN {b.in_list([str(v) for v in filter.values])}"
        if prop == "status":
            statuses = [s for s in RECORD_STATUSES if s in {str(v) for v in filter.values}]
            return "r.status IN (" + ", ".join(b.lit(s) for s in statuses) + ")" if statuses else "1 = 0"
        if prop in ("inserted_at", "updated_at"):
            return f"r.{prop} IN {b.in_list([_db_dt(b, v, prop) for v in filter.values])}"
    elif isinstance(filter, RangeFilter):
        if prop in ("inserted_at", "updated_at"):
            ge = None if filter.ge is None else _db_dt(b, filter.ge, prop)
            le = None if filter.le is None else _db_dt(b, filter.le, prop)
            return b.range_cond(f"r.{prop}", ge, le)
        raise UnsupportedSearch(f"range filter on record {prop!r} is not supported (only inserted_at, updated_at)")
    raise UnsupportedSearch(f"filter on record property {prop!r} is not supported")


def _metadata_filter(b: SqlBuilder, schema: _Schema, filter, name: str) -> str:
    if name not in schema.metadata:
        raise UnsupportedSearch(f"metadata property {name!r} not found in the dataset")
    mtype = schema.metadata[name]
    if mtype == MetadataPropertyType.terms:
        if isinstance(filter, TermsFilter):
            return b.exists_element("r.metadata", [name], "terms", [str(v) for v in filter.values])
        raise UnsupportedSearch(f"range filter on terms metadata property {name!r} is not supported")
    if mtype in (MetadataPropertyType.integer, MetadataPropertyType.float):
        what = f"filter on metadata property {name!r}"
        expr = b.json_num("r.metadata", [name])
        if isinstance(filter, TermsFilter):
            nums = [_num(v, what) for v in filter.values]
            return f"{expr} IN {b.in_list(nums)}"
        ge = None if filter.ge is None else _num(filter.ge, what)
        le = None if filter.le is None else _num(filter.le, what)
        return b.range_cond(expr, ge, le)
    raise UnsupportedSearch(f"metadata property {name!r} has unknown type {mtype!r}")


def _num(value: Any, what: str) -> float:
    return finite_number(value, what)


def _suggestion_filter(b: SqlBuilder, schema: _Schema, filter, scope: SuggestionFilterScope) -> str:
    prop = scope.property or "value"
    what = f"filter on suggestion {prop!r} of question {scope.question!r}"
    qid, qtype = _question(schema, scope.question, what)
    if prop == "value":
        if qtype not in FILTERABLE_QUESTION_TYPES:
            raise UnsupportedSearch(f"{what}: values of {qtype} questions cannot be filtered (only label_selection, multi_label_selection, rating)")
        if isinstance(filter, TermsFilter):
            cond = b.exists_element("s.value", [], "terms", [str(v) for v in filter.values])
        elif qtype == "rating":
            cond = b.exists_element("s.value", [], "range", (_opt_num(filter.ge, what), _opt_num(filter.le, what)))
        else:
            raise UnsupportedSearch(f"{what}: range filters apply to rating questions only")
    elif prop == "score":
        if isinstance(filter, TermsFilter):
            cond = b.exists_element("s.score", [], "numbers", [_num(v, what) for v in filter.values])
        else:
            cond = b.exists_element("s.score", [], "range", (_opt_num(filter.ge, what), _opt_num(filter.le, what)))
    elif prop == "agent":
        if not isinstance(filter, TermsFilter):
            raise UnsupportedSearch(f"{what}: only terms filters apply to suggestion agents")
        cond = f"s.agent IN {b.in_list([str(v) for v in filter.values])}"
    elif prop == "type":
        if not isinstance(filter, TermsFilter):
            raise UnsupportedSearch(f"{what}: only terms filters apply to suggestion types")
        types = [t for t in SUGGESTION_TYPES if t in {str(v) for v in filter.values}]
        if not types:
            return "1 = 0"
        cond = "s.type IN (" + ", ".join(b.lit(t) for t in types) + ")"
    else:
        raise UnsupportedSearch(f"{what}: unknown suggestion property")
    return f"EXISTS (SELECT 1 FROM suggestions s WHERE s.record_id = r.id AND s.question_id = {b.uuid(qid)} AND {cond})"


def _opt_num(value, what):
    return None if value is None else _num(value, what)


def _response_user_cond(b: SqlBuilder, scope: ResponseFilterScope, alias: str = "rs") -> str:
    return f" AND {alias}.user_id = {b.uuid(scope.user.id)}" if scope.user is not None else ""


def _response_filter(b: SqlBuilder, schema: _Schema, filter, scope: ResponseFilterScope, top: bool = False) -> str:
    if scope.question:
        what = f"filter on responses to question {scope.question!r}"
        qid, qtype = _question(schema, scope.question, what)
        if qtype not in FILTERABLE_QUESTION_TYPES:
            raise UnsupportedSearch(f"{what}: values of {qtype} questions cannot be filtered (only label_selection, multi_label_selection, rating)")
        keys = [scope.question, "value"]
        if isinstance(filter, TermsFilter):
            cond = b.exists_element("rs.\"values\"", keys, "terms", [str(v) for v in filter.values])
        elif qtype == "rating":
            cond = b.exists_element("rs.\"values\"", keys, "range", (_opt_num(filter.ge, what), _opt_num(filter.le, what)))
        else:
            raise UnsupportedSearch(f"{what}: range filters apply to rating questions only")
        return f"EXISTS (SELECT 1 FROM responses rs WHERE rs.record_id = r.id{_response_user_cond(b, scope)} AND {cond})"
    if scope.property == "status":
        if not isinstance(filter, TermsFilter):
            raise UnsupportedSearch("range filter on response status is not supported")
        values = {str(v) for v in filter.values}
        if values == {"pending"} and top and b.sqlite:
            # The annotation queue. SQLite runs a LEFT JOIN ... IS NULL anti-join faster than a
            # correlated NOT EXISTS (no subroutine call per record).
            a = b.alias("pj")
            b.joins.append(f"LEFT JOIN responses {a} ON {a}.record_id = r.id{_response_user_cond(b, scope, a)}")
            return f"{a}.record_id IS NULL"
        statuses = [s for s in RESPONSE_STATUSES if s in values]
        inlist = "(" + ", ".join(b.lit(s) for s in statuses) + ")"
        parts = []
        user = _response_user_cond(b, scope)
        if "pending" in values:
            parts.append(f"NOT EXISTS (SELECT 1 FROM responses rs WHERE rs.record_id = r.id{user})")
        if statuses:
            if b.sqlite and scope.user is not None:
                # SQLite: one pass over the user's responses (index on responses(user_id, status,
                # record_id)) instead of a probe per record, whose unique (record_id, user_id)
                # index does not cover the status. Its cost is bounded by the user's responses,
                # which keeps both counting and sparse tabs fast.
                # (_RANGE_MARK lets a count split by record id narrow the subquery to its part)
                parts.append(
                    f"r.id IN (SELECT rs.record_id FROM responses rs WHERE rs.user_id = {b.uuid(scope.user.id)} "
                    f"AND rs.status IN {inlist}{_RANGE_MARK.format(col='rs.record_id')})"
                )
            else:
                parts.append(f"EXISTS (SELECT 1 FROM responses rs WHERE rs.record_id = r.id{user} AND rs.status IN {inlist})")
        if not parts:
            return "1 = 0"
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    raise UnsupportedSearch(f"filter on response property {scope.property!r} is not supported")


# ----------------------------------------------------------------------------------------------
# sort -> ORDER BY
# ----------------------------------------------------------------------------------------------


def _order_sql(b: SqlBuilder, schema: _Schema, sort: List[Order]) -> str:
    parts = []
    for order in sort:
        desc = str(getattr(order.order, "value", order.order)) == SortOrder.desc.value
        agg = "max" if desc else "min"
        expr = _sort_expr(b, schema, order.scope, agg)
        parts.append(f"{expr} {'DESC' if desc else 'ASC'} NULLS LAST")
    parts += ["r.inserted_at ASC", "r.id ASC"]
    return ", ".join(parts)


def _sort_expr(b: SqlBuilder, schema: _Schema, scope, agg: str) -> str:
    if isinstance(scope, RecordFilterScope):
        prop = str(getattr(scope.property, "value", scope.property))
        if prop == "status" and not b.sqlite:
            return "CAST(r.status AS TEXT)"  # lexical, as Elasticsearch sorts keywords (not enum order)
        if prop in {f.value for f in RecordSortField}:
            return f"r.{prop}"
        raise UnsupportedSearch(f"sort by record property {prop!r} is not supported")
    if isinstance(scope, MetadataFilterScope):
        name = scope.metadata_property
        if name not in schema.metadata:
            raise UnsupportedSearch(f"sort: metadata property {name!r} not found in the dataset")
        if schema.metadata[name] == MetadataPropertyType.terms:
            return b.aggregate_element("r.metadata", [name], agg, numeric=False)
        return b.json_num("r.metadata", [name])
    if isinstance(scope, SuggestionFilterScope):
        prop = scope.property or "value"
        what = f"sort by suggestion {prop!r} of question {scope.question!r}"
        qid, qtype = _question(schema, scope.question, what)
        base = f"FROM suggestions s{{extra}} WHERE s.record_id = r.id AND s.question_id = {b.uuid(qid)}"
        if prop in ("agent", "type"):
            return f"(SELECT s.{prop} {base.format(extra='')})"
        if prop == "score":
            from_sql, _, num = b.json_elements("s.score", [])
            return f"(SELECT {agg}({num}) {base.format(extra=', ' + from_sql)})"
        if prop == "value" and qtype in FILTERABLE_QUESTION_TYPES:
            from_sql, txt, num = b.json_elements("s.value", [])
            return f"(SELECT {agg}({num if qtype == 'rating' else txt}) {base.format(extra=', ' + from_sql)})"
        raise UnsupportedSearch(f"{what}: not supported for {qtype} questions")
    if isinstance(scope, ResponseFilterScope):
        if scope.question:
            what = f"sort by responses to question {scope.question!r}"
            qid, qtype = _question(schema, scope.question, what)
            if qtype != "rating":
                raise UnsupportedSearch(f"{what}: only rating responses can be sorted (by their average)")
            from_sql, _, num = b.json_elements("rs.\"values\"", [scope.question, "value"])
            return f"(SELECT avg({num}) FROM responses rs, {from_sql} WHERE rs.record_id = r.id{_response_user_cond(b, scope)})"
        raise UnsupportedSearch(f"sort by response property {scope.property!r} is not supported")
    raise UnsupportedSearch(f"sort scope {scope!r} is not supported")


# ----------------------------------------------------------------------------------------------
# text query
# ----------------------------------------------------------------------------------------------


def _text_sql(b: SqlBuilder, schema: _Schema, query: Optional[Union[TextQuery, str]]) -> str:
    if query is None:
        return "1 = 1"
    tq = TextQuery(q=query) if isinstance(query, str) else query
    if tq.field:
        if tq.field not in schema.fields:
            raise UnsupportedSearch(f"text query: field {tq.field!r} not found in the dataset")
        targets = [(tq.field, schema.fields[tq.field])]
    else:
        targets = list(schema.fields.items())
    exprs = [e for e in (b.field_text_expr(name, ftype) for name, ftype in targets) if e is not None]
    if tq.field and not exprs:
        raise UnsupportedSearch(f"text query: field {tq.field!r} of type {schema.fields[tq.field]!r} is not searchable")
    node = parse_text_query(tq.q)
    check_text_clauses(node, len(exprs))
    return b.text_condition(node, exprs)


def _where(b: SqlBuilder, schema: _Schema, dataset: Dataset, filter, query) -> Tuple[SqlBuilder, str]:
    """``records r [joins] WHERE <condition>``: what follows ``FROM`` in the engine's queries."""
    where = " AND ".join([f"r.dataset_id = {b.uuid(dataset.id)}", _filter_sql(b, schema, filter), _text_sql(b, schema, query)])
    return b, " ".join(["records r", *b.joins, "WHERE", where])


# ----------------------------------------------------------------------------------------------
# vector cache
# ----------------------------------------------------------------------------------------------


@dataclass
class _VectorMatrix:
    signature: tuple
    ids: List[Any]  # record ids as the driver returns them
    position: Dict[Any, int]
    unit: np.ndarray  # rows normalised to unit length (zero rows stay zero)


_VECTOR_CACHE: "OrderedDict[UUID, _VectorMatrix]" = OrderedDict()
#: Memory budget of the cached matrices (the most recently used one is always kept).
_VECTOR_CACHE_BYTES = int(float(os.environ.get("WORKBENCH_VECTOR_CACHE_MB", "256")) * 2**20)
_VECTOR_LOCK = threading.Lock()


def _parse_vectors(values: List[Any]) -> np.ndarray:
    """Vectors stored as JSON arrays -> float32 matrix, parsed in one C pass when possible."""
    texts = [v if isinstance(v, str) else json.dumps(v) for v in values]
    dim = len(json.loads(texts[0]))
    if dim == 0 or any(t.count(",") != dim - 1 for t in texts):
        return np.array([json.loads(t) for t in texts], dtype=np.float32)  # ragged: let numpy complain
    body = ",".join(t.strip()[1:-1] for t in texts)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            flat = np.fromstring(body, dtype=np.float64, sep=",")
    except ValueError:
        flat = np.empty(0)
    if flat.size == dim * len(texts):
        return flat.reshape(len(texts), dim).astype(np.float32)
    return np.array([json.loads(t) for t in texts], dtype=np.float32)  # ragged or unusual text


async def _vector_matrix(db: _Db, vector_settings_id: UUID) -> _VectorMatrix:
    b = db.builder()
    vs = b.uuid(vector_settings_id)
    signature = tuple(
        str(x) for x in (await db.rows(f"SELECT count(*), max(updated_at) FROM vectors WHERE vector_settings_id = {vs}", b.params))[0]
    )
    with _VECTOR_LOCK:
        cached = _VECTOR_CACHE.get(vector_settings_id)
        if cached is not None and cached.signature == signature:
            _VECTOR_CACHE.move_to_end(vector_settings_id)
            return cached
    rows = await db.rows(f"SELECT record_id, value FROM vectors WHERE vector_settings_id = {vs}", b.params)
    ids = [rid for rid, _ in rows]  # as the driver returns them: compared with other rows of the same driver
    if rows:
        matrix = _parse_vectors([v for _, v in rows])
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        unit = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    else:
        unit = np.zeros((0, 0), dtype=np.float32)
    entry = _VectorMatrix(signature, ids, {u: i for i, u in enumerate(ids)}, unit)
    with _VECTOR_LOCK:
        _VECTOR_CACHE[vector_settings_id] = entry
        _VECTOR_CACHE.move_to_end(vector_settings_id)
        while len(_VECTOR_CACHE) > 1 and sum(e.unit.nbytes for e in _VECTOR_CACHE.values()) > _VECTOR_CACHE_BYTES:
            _VECTOR_CACHE.popitem(last=False)
    return entry


# ----------------------------------------------------------------------------------------------
# the engine
# ----------------------------------------------------------------------------------------------


@SearchEngine.register(engine_name=ENGINE_NAME)
class WorkbenchSqlSearchEngine(SearchEngine):
    """argilla-server search engine answering from the server's own SQL tables."""

    @classmethod
    async def new_instance(cls) -> "WorkbenchSqlSearchEngine":
        return cls()

    async def close(self) -> None:
        return None

    async def ping(self) -> bool:
        try:
            async with _Db() as db:
                return (await db.scalar("SELECT 1")) == 1
        except Exception:  # noqa: BLE001 - ping reports, never raises
            _LOGGER.exception("workbench-sql search engine: database ping failed")
            return False

    async def info(self) -> dict:
        async with _Db() as db:
            dialect = db.dialect
        return {"engine": ENGINE_NAME, "database": dialect, "version": _version()}

    # -- indexing: nothing to do, the server's tables are the index ------------------------------

    async def create_index(self, dataset: Dataset) -> None:
        return None

    async def delete_index(self, dataset: Dataset) -> None:
        return None

    async def configure_metadata_property(self, dataset: Dataset, metadata_property: MetadataProperty) -> None:
        return None

    async def configure_index_vectors(self, vector_settings: VectorSettings) -> None:
        return None

    async def index_records(self, dataset: Dataset, records: Iterable[Record]) -> None:
        return None

    async def partial_record_update(self, record: Record, **update: Any) -> None:
        return None

    async def delete_records(self, dataset: Dataset, records: Iterable[Record]) -> None:
        return None

    async def update_record_response(self, response: Response) -> None:
        return None

    async def delete_record_response(self, response: Response) -> None:
        return None

    async def update_record_suggestion(self, suggestion: Suggestion) -> None:
        return None

    async def delete_record_suggestion(self, suggestion: Suggestion) -> None:
        return None

    # -- progress and metrics --------------------------------------------------------------------

    async def get_dataset_progress(self, dataset: Dataset) -> dict:
        if dataset.is_draft:
            return {}
        async with _Db() as db:
            b = db.builder()
            rows = await db.rows(
                f"SELECT status, count(*) FROM records WHERE dataset_id = {b.uuid(dataset.id)} GROUP BY status", b.params
            )
        counts = {str(getattr(s, "value", s)): int(n) for s, n in rows}
        return {"total": sum(counts.values()), **counts}

    async def get_dataset_user_progress(self, dataset: Dataset, user: User) -> dict:
        if dataset.is_draft:
            return {}
        async with _Db() as db:
            b = db.builder()
            join = "CROSS JOIN" if b.sqlite else "JOIN"  # SQLite: drive from the user's responses
            rows = await db.rows(
                f"SELECT rs.status, count(*) FROM responses rs {join} records r ON r.id = rs.record_id "
                f"WHERE rs.user_id = {b.uuid(user.id)} AND r.dataset_id = {b.uuid(dataset.id)} GROUP BY rs.status",
                b.params,
            )
        counts = {str(getattr(s, "value", s)): int(n) for s, n in rows}
        return {"total": sum(counts.values()), **counts}

    @_translate_errors
    async def compute_metrics_for(self, metadata_property: MetadataProperty) -> MetadataMetrics:
        mtype = metadata_property.type
        name = metadata_property.name
        async with _Db() as db:
            b = db.builder()
            ds = b.uuid(metadata_property.dataset_id)
            if mtype == MetadataPropertyType.terms:
                from_sql, txt, _ = b.json_elements("r.metadata", [name])
                rows = await db.rows(
                    f"SELECT {txt} AS term, count(DISTINCT r.id) AS docs, count(*) AS n FROM records r, {from_sql} "
                    f"WHERE r.dataset_id = {ds} AND {txt} IS NOT NULL GROUP BY {txt}",
                    b.params,
                )
                total = int(sum(n for _, _, n in rows))
                values = sorted(((str(t), int(d)) for t, d, _ in rows), key=lambda tc: (-tc[1], tc[0]))[:MAX_TERMS]
                return TermsMetrics(total=total, values=[TermsMetrics.TermCount(term=t, count=c) for t, c in values])
            expr = b.json_num("r.metadata", [name])
            lo, hi = (await db.rows(f"SELECT min({expr}), max({expr}) FROM records r WHERE r.dataset_id = {ds}", b.params))[0]
        if mtype == MetadataPropertyType.integer:
            return IntegerMetadataMetrics(min=None if lo is None else int(lo), max=None if hi is None else int(hi))
        return FloatMetadataMetrics(min=None if lo is None else float(lo), max=None if hi is None else float(hi))

    # -- search ----------------------------------------------------------------------------------

    @_translate_errors
    async def search(
        self,
        dataset: Dataset,
        query: Optional[Union[TextQuery, str]] = None,
        filter: Optional[Filter] = None,
        sort: Optional[List[Order]] = None,
        offset: int = 0,
        limit: int = 100,
        user_id: Optional[Union[UUID, str]] = None,
    ) -> SearchResponses:
        offset, limit = check_offset_limit(offset, limit)
        if query is not None and user_id is not None:
            # a query over the limits is refused at once, not after waiting for the user's lock
            parse_text_query(query if isinstance(query, str) else query.q)
            # one text search at a time per user: a user sending many at once waits for their own
            lock = await _acquire_user_lock(user_id)
            try:
                return await self._search(dataset, query, filter, sort, offset, limit, user_id)
            finally:
                lock.release()
        return await self._search(dataset, query, filter, sort, offset, limit, user_id)

    async def _search(self, dataset, query, filter, sort, offset, limit, user_id) -> SearchResponses:
        needs = _needs(filter, sort, query)
        if any(needs.values()):
            async with _Db() as db:
                schema = await _load_schema(db, dataset.id, **needs)
        else:
            schema = _Schema()
        # The connection above is released before the count and the page run, each on a
        # connection of its own: a task that waits for a connection never holds another.
        b, where = _where(SqlBuilder(_own_engine().dialect.name), schema, dataset, filter, query)
        if sort:
            page = self._sorted_ids(b, where, _order_sql(b, schema, sort), offset, limit)
        elif user_id is not None:
            page = self._user_ids(b, where, _as_uuid(user_id), offset, limit)
        else:
            page = self._sorted_ids(b, where, "r.inserted_at ASC, r.id ASC", offset, limit)
        if query is not None:
            # A text search compares every record's text in Python-registered functions (SQLite) or
            # regular expressions: it runs on one connection at a time, so that one user's text
            # searches take at most one core from the others.
            try:
                total = await _count(b, where, parts=1)
            except BaseException:
                page.close()  # never started
                raise
            ids = await page
        else:
            total, ids = await _gather(_count(b, where), page)
        return SearchResponses(items=[SearchResponseItem(record_id=_as_uuid(i), score=None) for i in ids], total=total)

    @staticmethod
    async def _sorted_ids(b: SqlBuilder, where: str, order_by: str, offset: int, limit: int) -> List[Any]:
        if limit <= 0:
            return []
        params = dict(b.params, _limit=int(limit), _offset=int(offset))
        async with _Db() as db:
            rows = await db.rows(f"SELECT r.id FROM {where} ORDER BY {order_by} LIMIT :_limit OFFSET :_offset", params)
        return [rid for (rid,) in rows]

    @staticmethod
    async def _user_ids(b: SqlBuilder, where: str, user_id: UUID, offset: int, limit: int) -> List[Any]:
        """Records ordered by id starting at the user's id and wrapping around (two index range
        scans), so each user sees a stable order of their own."""
        if limit <= 0:
            return []
        pivot = b.uuid(user_id)
        page = "SELECT r.id FROM {where} AND r.id {op} {pivot} ORDER BY r.id LIMIT :_limit OFFSET :_offset"
        params = dict(b.params, _limit=int(limit), _offset=int(offset))
        async with _Db() as db:
            ids = [rid for (rid,) in await db.rows(page.format(where=where, op=">=", pivot=pivot), params)]
            if len(ids) < limit:
                if ids:
                    after = offset + len(ids)  # the part after the pivot is exhausted
                else:
                    after = int(await db.scalar(f"SELECT count(*) FROM {where} AND r.id >= {pivot}", b.params) or 0)
                params = dict(b.params, _limit=int(limit - len(ids)), _offset=int(max(0, offset - after)))
                ids += [rid for (rid,) in await db.rows(page.format(where=where, op="<", pivot=pivot), params)]
        return ids

    # -- similarity ------------------------------------------------------------------------------

    @_translate_errors
    async def similarity_search(
        self,
        dataset: Dataset,
        vector_settings: VectorSettings,
        value: Optional[List[float]] = None,
        record: Optional[Record] = None,
        query: Optional[Union[TextQuery, str]] = None,
        filter: Optional[Filter] = None,
        max_results: int = 100,
        order: SimilarityOrder = SimilarityOrder.most_similar,
        threshold: Optional[float] = None,
    ) -> SearchResponses:
        if bool(value) == bool(record):
            raise ValueError("Must provide either vector value or record to compute the similarity search")
        excluded = None
        if not value and record is not None:  # record is set whenever value is not (checked above)
            excluded = record.id
            value = record.vector_value_by_vector_settings(vector_settings)
        if not value:
            raise ValueError("Cannot find a vector value to apply with provided info")
        q = np.asarray(value, dtype=np.float32)
        async with _Db() as db:
            vm = await _vector_matrix(db, vector_settings.id)
            if vm.unit.shape[0] == 0:
                return SearchResponses(items=[], total=0)
            if q.shape[0] != vm.unit.shape[1]:
                raise UnsupportedSearch(
                    f"similarity search: query vector has {q.shape[0]} dimensions, vector {vector_settings.name!r} has {vm.unit.shape[1]}"
                )
            mask = None
            if filter is not None or query is not None:
                schema = await _load_schema(db, dataset.id, **_needs(filter, None, query))
                b, where = _where(db.builder(), schema, dataset, filter, query)
                mask = np.zeros(vm.unit.shape[0], dtype=bool)
                for (rid,) in await db.rows(f"SELECT r.id FROM {where}", b.params):
                    pos = vm.position.get(rid)
                    if pos is not None:
                        mask[pos] = True
        norm = float(np.linalg.norm(q))
        cos = vm.unit @ (q / norm) if norm > 0 else np.zeros(vm.unit.shape[0], dtype=np.float32)
        sign = -1.0 if str(getattr(order, "value", order)) == SimilarityOrder.least_similar.value else 1.0
        scores = (1.0 + sign * cos.astype(np.float64)) / 2.0
        candidates = np.arange(vm.unit.shape[0])
        if mask is not None:
            candidates = candidates[mask]
        if excluded is not None:
            # raw ids: hex text on SQLite, UUIDs (hash-compatible with uuid.UUID) from asyncpg
            pos = vm.position.get(excluded.hex if db.dialect == "sqlite" else excluded)
            if pos is not None:
                candidates = candidates[candidates != pos]
        k = max(0, int(max_results))
        if candidates.size > k:
            part = candidates[np.argpartition(-scores[candidates], k - 1)[:k]] if k > 0 else candidates[:0]
        else:
            part = candidates
        top = part[np.lexsort((part, -scores[part]))]
        items = [SearchResponseItem(record_id=_as_uuid(vm.ids[i]), score=float(scores[i])) for i in top]
        total = len(items)
        if threshold is not None:
            items = [it for it in items if it.score >= threshold]
        return SearchResponses(items=items, total=total)


def _version() -> str:
    try:
        from workbench import __version__

        return __version__
    except Exception:  # pragma: no cover
        return "unknown"
