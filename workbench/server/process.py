"""Entry points of the processes the launcher starts: ``python -m workbench.server.process ROLE``.

Roles:

``init``
    Run argilla-server's database migrations, create or update the owner user from the credentials
    the launcher passes in the environment, and create the search engine's indexes. Idempotent.
``api``
    Serve argilla-server's API and web UI with uvicorn.
``worker``
    Run the rq worker for argilla-server's background jobs.

Every role registers Workbench's search engine before argilla-server is imported, because
argilla-server builds its app at import time and its jobs look the engine up by name. Settings
arrive as ``ARGILLA_*`` variables; the owner's secrets arrive as ``WORKBENCH_OWNER_*`` variables
and are never printed.

The api and worker log through Python's logging to ``WORKBENCH_LOG_FILE`` (set by the launcher),
rotated at :data:`~workbench.server.launcher.LOG_MAX_BYTES`. argilla-server's error handler is
replaced by one that never writes a request's values (a submitted password) or a failed SQL
statement with its bound parameters into the log or a response body (:func:`_quiet_errors`).

This module is the only place that imports argilla-server's internals; nothing else in Workbench
assumes the embedded server.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import traceback
import uuid
from types import TracebackType

#: What an unhandled exception's message may put into the log (a failed statement's SQL is longer).
LOGGED_MESSAGE_CHARS = 300


def _configure_sqlite() -> None:
    """WAL journal and a busy timeout, so that 20 annotators writing at once do not get
    'database is locked' (SQLite's default rollback journal serialises readers behind writers)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - runs in the server
        module = type(dbapi_connection).__module__
        if "sqlite" not in module:
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _configure_logging() -> None:
    """Every logger to ``WORKBENCH_LOG_FILE`` through a rotating handler (a crashed process's
    tracebacks still reach its raw output file)."""
    path = os.environ.get("WORKBENCH_LOG_FILE")
    if not path:
        return
    from logging.handlers import RotatingFileHandler

    from workbench.server.launcher import LOG_BACKUPS, LOG_MAX_BYTES

    max_bytes = int(os.environ.get("WORKBENCH_LOG_MAX_BYTES") or LOG_MAX_BYTES)
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.setFormatter(ShortExceptionFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("WORKBENCH_LOG_LEVEL", "warning").upper())
    logging.getLogger("rq.worker").setLevel(logging.INFO)  # a line per job, as rq's own set-up logs


def short_message(error: BaseException, limit: int = LOGGED_MESSAGE_CHARS) -> str:
    """The first line of ``error``'s message, cut at ``limit`` characters (an SQLAlchemy error's
    message carries the whole statement and its parameters on later lines)."""
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    return first if len(first) <= limit else first[:limit] + f"... ({len(first)} characters)"


#: What ``sys.exc_info()`` returns (as typeshed's ``logging.Formatter.formatException`` takes it).
_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class ShortExceptionFormatter(logging.Formatter):
    """Logs an exception as its traceback's frames and :func:`short_message` (uvicorn logs every
    500 with the exception, whose message may be a whole SQL statement with its parameters)."""

    def formatException(self, ei: _ExcInfo) -> str:
        _, value, tb = ei
        if value is None:  # no exception: nothing to shorten
            return super().formatException(ei)
        frames = "".join(traceback.format_tb(tb)).rstrip()
        return f"Traceback (most recent call last):\n{frames}\n{type(value).__name__}: {short_message(value)}"


def _quiet_errors() -> None:
    """argilla-server's handler of unhandled exceptions logs each with its full message (for a
    failed search, ~430 KB of SQL with its bound parameters; for a request validation error, the
    values submitted, such as a password) and answers 500 with that message in the body. Ours
    logs the type, a short message, a reference and the traceback's frames, and answers with the
    type and the reference only. Validation errors keep argilla-server's 422 body (which drops
    the submitted values) and are logged by field and reason."""
    from fastapi.exceptions import RequestValidationError

    from argilla_server.errors import error_handler
    from argilla_server.errors.base_errors import BadRequestError, GenericServerError, ServerError, ValidationError

    log = logging.getLogger("argilla")

    def to_argilla_error(cls: type, error: Exception) -> ServerError:
        if isinstance(error, ServerError):
            return error
        if isinstance(error, RequestValidationError):
            log.warning("request validation failed: %s", "; ".join(
                f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in error.errors()))
            return ValidationError(error)
        if isinstance(error, AssertionError):
            return BadRequestError(str(error))
        ref = uuid.uuid4().hex[:12]
        log.error("unhandled %s.%s (ref %s): %s\n%s", type(error).__module__, type(error).__name__, ref,
                  short_message(error), "".join(traceback.format_tb(error.__traceback__)).rstrip())
        generic = GenericServerError(error)
        generic.message = f"internal server error (ref {ref}: the server log has the details)"
        generic.args = ()
        return generic

    error_handler.APIErrorHandler._exception_to_argilla_error = classmethod(to_argilla_error)


def _prepare() -> None:
    from workbench.config import apply_offline_env, use_private_umask

    use_private_umask()
    _configure_logging()
    apply_offline_env()
    os.environ.setdefault("ARGILLA_ENABLE_TELEMETRY", "false")
    _configure_sqlite()
    import workbench.server.search_engine  # noqa: F401  (registers the engine by name)


def run_init() -> None:
    _prepare()
    from alembic.config import main as alembic_main

    from argilla_server.database import ALEMBIC_CONFIG_FILE

    alembic_main(argv=["-c", ALEMBIC_CONFIG_FILE, "upgrade", "head"])
    asyncio.run(_ensure_owner())
    from argilla_server.database import database_url_sync

    from workbench.server.search_indexes import ensure_indexes

    ensure_indexes(database_url_sync())


async def _ensure_owner() -> None:
    from argilla_server.contexts import accounts
    from argilla_server.database import AsyncSessionLocal
    from argilla_server.models import User, UserRole

    username = os.environ["WORKBENCH_OWNER_USERNAME"]
    password = os.environ["WORKBENCH_OWNER_PASSWORD"]
    api_key = os.environ["WORKBENCH_OWNER_API_KEY"]
    async with AsyncSessionLocal() as session:
        user = await accounts.get_user_by_username(session, username)
        if user is None:
            await User.create(
                session,
                first_name=username,
                username=username,
                role=UserRole.owner,
                password_hash=accounts.hash_password(password),
                api_key=api_key,
            )
            print(f"created owner user {username!r}")
            return
        changes = {}
        if user.api_key != api_key:
            changes["api_key"] = api_key
        if not accounts.verify_password(password, user.password_hash):
            changes["password_hash"] = accounts.hash_password(password)
        if user.role != UserRole.owner:
            changes["role"] = UserRole.owner
        if changes:
            await user.update(session, **changes)
            print(f"updated owner user {username!r}: {', '.join(sorted(changes))}")


def run_api(host: str, port: int) -> None:
    _prepare()
    import uvicorn

    from argilla_server._app import app

    _private_web_ui()
    _quiet_errors()
    log_config = None if os.environ.get("WORKBENCH_LOG_FILE") else uvicorn.config.LOGGING_CONFIG
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("WORKBENCH_LOG_LEVEL", "warning"),
                log_config=log_config)


def _private_web_ui() -> None:
    """Import argilla-server's app, which copies its web UI into this process's TMPDIR with the
    package's modes (644), and narrow that copy to the owner at once (a worker would otherwise make
    the copy later, when a job first imports the app)."""
    import tempfile
    from pathlib import Path

    import argilla_server._app  # noqa: F401

    from workbench.config import make_private

    make_private(Path(tempfile.gettempdir()))


def run_worker() -> None:
    _prepare()
    _private_web_ui()
    from rq import Worker

    from argilla_server.jobs.queues import DEFAULT_QUEUE, HIGH_QUEUE, REDIS_CONNECTION

    Worker([HIGH_QUEUE, DEFAULT_QUEUE], connection=REDIS_CONNECTION).work(with_scheduler=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.server.process")
    parser.add_argument("role", choices=["init", "api", "worker"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6900)
    args = parser.parse_args(argv)
    if args.role == "init":
        run_init()
    elif args.role == "api":
        run_api(args.host, args.port)
    else:
        run_worker()
    return 0


if __name__ == "__main__":
    sys.exit(main())
