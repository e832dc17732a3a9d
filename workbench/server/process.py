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

This module is the only place that imports argilla-server's internals; nothing else in Workbench
assumes the embedded server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys


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


def _prepare() -> None:
    from workbench.config import apply_offline_env

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

    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("WORKBENCH_LOG_LEVEL", "warning"))


def run_worker() -> None:
    _prepare()
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
