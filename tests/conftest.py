"""Session fixtures: one real embedded Argilla server per test session.

The server runs under its own temporary Workbench home on free ports, with its own Redis. The
database is SQLite unless ``WORKBENCH_TEST_DATABASE_URL`` names a PostgreSQL server, in which case
a fresh database is created on it for the session and dropped afterwards. CI runs the Argilla
tests once each way.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ARTIFACTS = Path(os.environ.get("WORKBENCH_TEST_ARTIFACTS", REPO / "test-artifacts"))

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@dataclass(frozen=True)
class EmbeddedServer:
    api_url: str
    api_key: str
    owner_username: str
    owner_password: str
    database_url: str
    home: Path


def _fresh_postgres_database(base_url: str) -> tuple[str, callable]:
    """Create a new database on the PostgreSQL server of ``base_url``; return its URL and a dropper."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url).set(drivername="postgresql+psycopg2")
    name = f"workbench_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def argilla_server(tmp_path_factory) -> EmbeddedServer:
    """A real argilla-server (API, web UI, rq worker, Redis) started once for the session."""
    from workbench.server import launcher

    home = Path(tempfile.mkdtemp(prefix="wb-test-home-"))
    saved = {k: os.environ.get(k) for k in (
        "WORKBENCH_HOME", "ARGILLA_DATABASE_URL", "ARGILLA_REDIS_URL",
        "WORKBENCH_OWNER_USERNAME", "WORKBENCH_OWNER_PASSWORD", "WORKBENCH_OWNER_API_KEY",
    )}
    drop = None
    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ.pop("ARGILLA_REDIS_URL", None)
    os.environ["WORKBENCH_OWNER_USERNAME"] = "owner"
    os.environ["WORKBENCH_OWNER_PASSWORD"] = secrets.token_hex(12)
    os.environ["WORKBENCH_OWNER_API_KEY"] = secrets.token_hex(20)
    pg = os.environ.get("WORKBENCH_TEST_DATABASE_URL")
    if pg:
        db_url, drop = _fresh_postgres_database(pg)
        os.environ["ARGILLA_DATABASE_URL"] = db_url
    else:
        os.environ.pop("ARGILLA_DATABASE_URL", None)
    state = None
    try:
        state = launcher.start("127.0.0.1", launcher.free_port())
        yield EmbeddedServer(
            api_url=state.url,
            api_key=os.environ["WORKBENCH_OWNER_API_KEY"],
            owner_username="owner",
            owner_password=os.environ["WORKBENCH_OWNER_PASSWORD"],
            database_url=launcher.database_url(),
            home=home,
        )
    finally:
        if state is not None:
            launcher.stop()
        if drop is not None:
            drop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def client(argilla_server):
    """An ``argilla.Argilla`` SDK client logged in as the owner."""
    import argilla as rg

    return rg.Argilla(api_url=argilla_server.api_url, api_key=argilla_server.api_key)


@pytest.fixture()
def unique_name() -> str:
    """A short unique name for datasets/workspaces/users created by one test."""
    return f"t{uuid.uuid4().hex[:10]}"
