"""The Argilla client layer: idempotent operations on any Argilla server through the ``argilla`` SDK.

Nothing here assumes the embedded server: it talks to whatever ``api_url`` it is given (the
embedded one, or a team's deployment with Elasticsearch and PostgreSQL). Every ``ensure_*``
function can be re-run: it creates what is missing and leaves what exists.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import argilla as rg
import requests

from workbench.errors import BadInput, ServiceError

# The SDK warns when a lookup finds nothing ("User ... not found") and logs batch-size notes: for
# the ensure_* functions below a miss is expected, not news.
logging.getLogger("argilla.sdk").setLevel(logging.ERROR)

_T = TypeVar("_T")


def quiet(lookup: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """``lookup(*args, **kwargs)`` without the SDK's "... not found" warning: a lookup that finds
    nothing returns None, which the callers expect (``quiet(client.workspaces, name)``)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not found", category=UserWarning)
        return lookup(*args, **kwargs)


@dataclass(frozen=True)
class Connection:
    api_url: str
    api_key: str

    def __repr__(self) -> str:  # the key never reaches a log
        return f"Connection(api_url={self.api_url!r}, api_key='***')"


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``, the port filled in from the scheme when absent."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def connection(api_url: str | None = None, api_key: str | None = None) -> Connection:
    """Where to reach Argilla: explicit arguments, else ``ARGILLA_API_URL``/``ARGILLA_API_KEY``,
    else the embedded server recorded under the Workbench home with the owner's key.

    The embedded owner's key is only ever sent to the embedded server itself (same scheme, host
    and port as its recorded state): any other URL needs its own key, or this raises ``BadInput``
    naming the option or variable that is missing.
    """
    env_url, env_key = os.environ.get("ARGILLA_API_URL") or None, os.environ.get("ARGILLA_API_KEY") or None
    url, key = api_url or env_url, api_key or env_key
    if url and key:
        return Connection(url.rstrip("/"), key)
    from workbench import config
    from workbench.server import launcher

    state = launcher.read_state()
    if url is None:
        if state is None:
            raise ServiceError(
                "no Argilla to talk to: start the embedded one with `workbench server start`, "
                "or set ARGILLA_API_URL and ARGILLA_API_KEY"
            )
        return Connection(state.url.rstrip("/"), key or config.owner_credentials().api_key)
    if state is not None and _origin(url) == _origin(state.url):
        return Connection(url.rstrip("/"), config.owner_credentials().api_key)
    where = (f"--api-url {launcher.redact_url(url)}" if api_url
             else f"ARGILLA_API_URL={launcher.redact_url(url)}")
    embedded = f"the embedded server at {state.url}" if state is not None else "the embedded server (not running)"
    raise BadInput(
        f"{where} is set but no API key for it: pass --api-key or set ARGILLA_API_KEY "
        f"(the embedded owner's key is only sent to {embedded})"
    )


def client(conn: Connection) -> rg.Argilla:
    try:
        requests.get(f"{conn.api_url}/api/v1/status", timeout=5).raise_for_status()
    except requests.RequestException as exc:
        raise ServiceError(f"Argilla at {conn.api_url} does not answer ({exc.__class__.__name__})") from None
    return rg.Argilla(api_url=conn.api_url, api_key=conn.api_key, timeout=120)


def ensure_workspace(cl: rg.Argilla, name: str) -> rg.Workspace:
    ws = quiet(cl.workspaces, name)
    if ws is None:
        ws = rg.Workspace(name=name, client=cl).create()
    return ws


def ensure_user(cl: rg.Argilla, username: str, *, password: str, role: str = "annotator",
                workspaces: tuple[str, ...] = (), first_name: str | None = None) -> tuple[rg.User, bool]:
    """Create ``username`` if missing (returns ``created=True``); an existing user keeps its password."""
    if len(password) < 8:
        raise BadInput(f"user {username!r}: password must have at least 8 characters")
    user = quiet(cl.users, username)
    created = False
    if user is None:
        user = rg.User(username=username, password=password, role=role, first_name=first_name or username,
                       client=cl).create()
        created = True
    for ws_name in workspaces:
        ws = ensure_workspace(cl, ws_name)
        if username not in {u.username for u in ws.users}:
            user.add_to_workspace(ws)
    return user, created


def ensure_dataset(cl: rg.Argilla, name: str, workspace: str, settings: rg.Settings) -> tuple[rg.Dataset, bool]:
    """The dataset ``name`` in ``workspace``, created with ``settings`` when missing."""
    ws = ensure_workspace(cl, workspace)
    ds = quiet(cl.datasets, name=name, workspace=ws)
    if ds is not None:
        return ds, False
    ds = rg.Dataset(name=name, workspace=ws, settings=settings, client=cl)
    ds.create()
    return ds, True


def user_token(api_url: str, username: str, password: str) -> str:
    """An access token for ``username``, as the web UI gets one (``POST /api/v1/token``)."""
    try:
        resp = requests.post(f"{api_url}/api/v1/token", data={"username": username, "password": password}, timeout=30)
    except requests.RequestException as exc:
        raise ServiceError(f"Argilla at {api_url} does not answer ({exc.__class__.__name__})") from None
    if resp.status_code not in (200, 201):
        raise ServiceError(f"Argilla refused the login of {username!r} (HTTP {resp.status_code})")
    return resp.json()["access_token"]
