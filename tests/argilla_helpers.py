"""Shared helpers for tests and benchmarks that act as annotators against a real Argilla server.

Annotators log in the way the web UI does (``POST /api/v1/token`` with username/password form
data) and submit responses through the same REST endpoint the UI calls the first time a record is
answered: ``POST /api/v1/records/{record_id}/responses`` with
``{"status": "submitted", "values": {question_name: {"value": ...}}}`` (found in the UI bundle
shipped with argilla-server 2.8.0; the UI uses ``PUT /api/v1/responses/{id}`` only to change an
existing response).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import requests

#: the environment the embedded server is started under (saved and restored around it)
SERVER_ENV_KEYS = (
    "WORKBENCH_HOME", "ARGILLA_DATABASE_URL", "ARGILLA_REDIS_URL",
    "WORKBENCH_OWNER_USERNAME", "WORKBENCH_OWNER_PASSWORD", "WORKBENCH_OWNER_API_KEY",
)


@dataclass(frozen=True)
class EmbeddedServer:
    api_url: str
    api_key: str
    owner_username: str
    owner_password: str
    database_url: str
    home: Path


def create_postgres_database(base_url: str, prefix: str) -> tuple[str, Callable[[], None]]:
    """Create a new database ``<prefix>_<random>`` on the PostgreSQL server of ``base_url``; return
    its asyncpg URL and a function that drops it (ending its connections first)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url).set(drivername="postgresql+psycopg2")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
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


@contextmanager
def fresh_postgres_database(base_url: str, prefix: str) -> Iterator[str]:
    """:func:`create_postgres_database` as a context: yield the URL, drop the database on exit."""
    url, drop = create_postgres_database(base_url, prefix)
    try:
        yield url
    finally:
        drop()


@contextmanager
def embedded_server(database_url: str | None, *, home_prefix: str) -> Iterator[EmbeddedServer]:
    """Start the embedded server (API, UI, worker, its own Redis) on a free port under a fresh
    temporary home, with a generated owner and ``database_url`` (None: SQLite under the home);
    yield where it is; stop it, restore the environment and remove the home."""
    from workbench.server import launcher

    saved = {k: os.environ.get(k) for k in SERVER_ENV_KEYS}
    home = Path(tempfile.mkdtemp(prefix=home_prefix))
    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ.pop("ARGILLA_REDIS_URL", None)
    os.environ["WORKBENCH_OWNER_USERNAME"] = "owner"
    os.environ["WORKBENCH_OWNER_PASSWORD"] = secrets.token_hex(12)
    os.environ["WORKBENCH_OWNER_API_KEY"] = secrets.token_hex(20)
    if database_url:
        os.environ["ARGILLA_DATABASE_URL"] = database_url
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
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(home, ignore_errors=True)


@dataclass(frozen=True)
class Annotator:
    username: str
    password: str
    user_id: str
    token: str


def create_annotator(client, username: str, workspace, *, password: str | None = None) -> tuple[Any, str]:
    """Create an annotator user with a password (SDK, as owner) and add it to ``workspace``.

    Returns the SDK ``User`` and the password.
    """
    import argilla as rg

    password = password or secrets.token_hex(8)
    user = rg.User(username=username, password=password, role="annotator", client=client).create()
    user.add_to_workspace(workspace)
    return user, password


def login(api_url: str, username: str, password: str, *, session: requests.Session | None = None) -> str:
    """An access token for ``username`` from ``POST /api/v1/token`` (form data), as the UI logs in."""
    http = session or requests
    resp = http.post(
        f"{api_url}/api/v1/token", data={"username": username, "password": password}, timeout=30
    )
    if resp.status_code != 201:
        raise AssertionError(f"login of {username!r} failed: HTTP {resp.status_code} {resp.text[:300]}")
    return resp.json()["access_token"]


def annotator_session(token: str) -> requests.Session:
    """A ``requests`` session that sends the annotator's bearer token."""
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    return s


def response_payload(values: dict[str, Any], status: str = "submitted") -> dict:
    """The body the UI posts: each question's answer wrapped as ``{"value": ...}``."""
    return {"status": status, "values": {name: {"value": value} for name, value in values.items()}}


def submit_response(
    session: requests.Session, api_url: str, record_id: str, values: dict[str, Any], status: str = "submitted"
) -> tuple[requests.Response, float]:
    """POST one response as the UI does; return the HTTP response and its latency in seconds."""
    t0 = time.perf_counter()
    resp = session.post(
        f"{api_url}/api/v1/records/{record_id}/responses", json=response_payload(values, status), timeout=120
    )
    return resp, time.perf_counter() - t0


#: The filter the UI's annotation queue sends ("Pending" tab): records this user has not answered
#: and that still need answers under the dataset's task distribution.
PENDING_QUEUE_QUERY = {
    "query": {},
    "filters": {
        "and": [
            {"type": "terms", "scope": {"entity": "response", "property": "status"}, "values": ["pending"]},
            {"type": "terms", "scope": {"entity": "record", "property": "status"}, "values": ["pending"]},
        ]
    },
}


def pending_queue(
    session: requests.Session, api_url: str, dataset_id: str, *, offset: int = 0, limit: int = 50
) -> tuple[requests.Response, list[dict], int]:
    """One page of the user's pending queue, fetched as the UI does.

    Returns the HTTP response, the page's records and the total number of pending records (both
    empty/0 when the request failed; check the status).
    """
    resp = session.post(
        f"{api_url}/api/v1/me/datasets/{dataset_id}/records/search",
        params={"include": ["responses", "suggestions"], "offset": offset, "limit": limit},
        json=PENDING_QUEUE_QUERY,
        timeout=120,
    )
    if resp.status_code != 200:
        return resp, [], 0
    body = resp.json()
    return resp, [item["record"] for item in body["items"]], body["total"]


def record_responses(api_url: str, owner_api_key: str, record_id: str) -> list[dict]:
    """All responses on one record, read back through the REST API as the owner."""
    resp = requests.get(
        f"{api_url}/api/v1/records/{record_id}",
        params={"include": ["responses"]},
        headers={"X-Argilla-Api-Key": owner_api_key},
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json().get("responses") or []


def dataset_records_with_responses(api_url: str, owner_api_key: str, dataset_id: str) -> list[dict]:
    """Every record of a dataset with all users' responses, paging through the owner's REST list."""
    out: list[dict] = []
    offset, limit = 0, 500
    while True:
        resp = requests.get(
            f"{api_url}/api/v1/datasets/{dataset_id}/records",
            params={"include": ["responses"], "offset": offset, "limit": limit},
            headers={"X-Argilla-Api-Key": owner_api_key},
            timeout=60,
        )
        resp.raise_for_status()
        items = resp.json()["items"]
        out.extend(items)
        if len(items) < limit:
            return out
        offset += limit


def percentile(values: Iterable[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of ``values``.

    >>> percentile([15, 20, 35, 40, 50], 30), percentile([15, 20, 35, 40, 50], 100)
    (20, 50)
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within [0, 100], got {q!r}")
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n*q/100), at least 1
    return ordered[int(rank) - 1]
