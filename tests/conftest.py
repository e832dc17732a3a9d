"""Session fixtures: one real embedded Argilla server per test session.

The server runs under its own temporary Workbench home on free ports, with its own Redis. The
database is SQLite unless ``WORKBENCH_TEST_DATABASE_URL`` names a PostgreSQL server, in which case
a fresh database is created on it for the session and dropped afterwards. CI runs the Argilla
tests once each way.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pytest
from argilla_helpers import EmbeddedServer, embedded_server, fresh_postgres_database

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("WORKBENCH_TEST_ARTIFACTS", REPO / "test-artifacts"))

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test that uses the embedded server (directly or through another fixture)
    ``argilla``, so the PostgreSQL pass (``-m argilla``, scripts/test.sh) runs all of them: a mark
    written by hand was missing on twelve of them."""
    for item in items:
        if "argilla_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.argilla)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def argilla_server(tmp_path_factory) -> EmbeddedServer:
    """A real argilla-server (API, web UI, rq worker, Redis) started once for the session."""
    with contextlib.ExitStack() as stack:
        pg = os.environ.get("WORKBENCH_TEST_DATABASE_URL")
        db_url = stack.enter_context(fresh_postgres_database(pg, "workbench_test")) if pg else None
        yield stack.enter_context(embedded_server(db_url, home_prefix="wb-test-home-"))


@pytest.fixture(scope="session")
def client(argilla_server):
    """An ``argilla.Argilla`` SDK client logged in as the owner."""
    import argilla as rg

    return rg.Argilla(api_url=argilla_server.api_url, api_key=argilla_server.api_key)


@pytest.fixture()
def unique_name() -> str:
    """A short unique name for datasets/workspaces/users created by one test."""
    return f"t{uuid.uuid4().hex[:10]}"
