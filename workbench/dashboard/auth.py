"""Login with Argilla credentials, and who may see what.

The dashboard has no accounts of its own: a user signs in with their Argilla username and
password, which are checked by the Argilla server itself (``POST /api/v1/token``, as Argilla's
web UI does); the token then reads the user's role (``GET /api/v1/me``) and workspaces
(``GET /api/v1/me/workspaces``). The password is never stored; the token stays in the
server-side session only.

A sign-in is not trusted for the rest of the session: every page view asks Argilla again who the
token belongs to (:func:`current_user`; the answer is kept for ``WORKBENCH_DASHBOARD_SESSION_TTL``
seconds, default 5, per token). A token Argilla refuses (the user deleted, renamed, or the token
expired) ends the session; a changed role or workspace membership applies from that view on.

Rules
-----
* No page renders anything but the sign-in form until the user has signed in.
* ``owner`` and ``admin`` (annotation leads) see every page and every person's figures, of the
  tasks they may see.
* An ``annotator`` sees team aggregates and their own page only: the Overview, the Calibration
  page (team coefficients, items and label pairs, their own row), their own Annotator page and
  the Guidelines. Never another person's name or figure; the Drift and Judges pages (which
  compare named people) and the Feedback page (production feedback and its expert review) are
  for leads.
* Workspaces: an owner sees every task; anyone else only the tasks whose every round was created
  in an Argilla workspace they are a member of (:class:`Scope`). Other tasks, their rounds and
  datasets are neither listed nor served for a typed URL.

The access rules themselves (roles, pages, :class:`Scope`, ``may_see_annotator``, redaction) are
:mod:`workbench.dashboard.access`; this module re-exports the names the shell uses.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass

import requests

from workbench.dashboard.access import (  # noqa: F401 (the access rules, re-exported)
    EVERYTHING, LEADS, PAGES, Scope, allowed_pages, is_lead, may_open, may_see_annotator, scope_of)
from workbench.errors import ServiceError

SESSION_KEY = "wb_user"
SESSION_TTL_ENV = "WORKBENCH_DASHBOARD_SESSION_TTL"
DEFAULT_SESSION_TTL = 5.0




@dataclass(frozen=True)
class User:
    """A signed-in user. ``repr`` hides the token."""

    username: str
    role: str
    token: str = ""
    workspaces: tuple = ()
    user_id: str = ""

    @property
    def is_lead(self) -> bool:
        return is_lead(self.role)

    @property
    def scope(self) -> Scope:
        """What this user may see: owners everything, others their workspaces' tasks."""
        return scope_of(self.role, self.workspaces)

    def __repr__(self) -> str:
        return f"User(username={self.username!r}, role={self.role!r})"


class LoginFailed(Exception):
    """Wrong username or password (Argilla said so)."""


class SessionEnded(Exception):
    """Argilla no longer accepts the session's token (user deleted or renamed, token expired)."""


def argilla_url() -> str:
    """Where Argilla is: ``WORKBENCH_ARGILLA_URL``, ``ARGILLA_API_URL``, else the embedded server."""
    url = os.environ.get("WORKBENCH_ARGILLA_URL") or os.environ.get("ARGILLA_API_URL")
    if url:
        return url.rstrip("/")
    from workbench.server import launcher

    state = launcher.read_state()
    if state is None:
        raise ServiceError("no Argilla to sign in against: start it with `workbench server start`, "
                           "or set ARGILLA_API_URL")
    return state.url.rstrip("/")


def _get(api_url: str, path: str, token: str, timeout: float) -> requests.Response:
    try:
        return requests.get(f"{api_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
    except requests.RequestException as exc:
        raise ServiceError(f"Argilla at {api_url} does not answer ({exc.__class__.__name__})") from None


def whoami(api_url: str, token: str, *, timeout: float = 15.0, username: str = "") -> User:
    """The user ``token`` belongs to, as Argilla sees them now: role, id and workspaces.

    Raises
    ------
    SessionEnded
        Argilla refuses the token (401/403: the user was deleted or renamed, or the token expired).
    ServiceError
        Argilla did not answer, or answered something unexpected.
    """
    me = _get(api_url, "/api/v1/me", token, timeout)
    if me.status_code in (401, 403, 404):
        raise SessionEnded("Argilla no longer accepts this sign-in (the account was removed or changed, "
                           "or the sign-in expired)")
    if me.status_code != 200:
        raise ServiceError(f"Argilla at {api_url} answered HTTP {me.status_code} to /api/v1/me")
    info = me.json()
    role = str(info.get("role", ""))
    if not role:
        raise ServiceError(f"Argilla at {api_url} did not say which role {username or 'this user'!r} has")
    workspaces: tuple = ()
    if role != "owner":  # (an owner sees every task; Argilla lists every workspace for them anyway)
        ws = _get(api_url, "/api/v1/me/workspaces", token, timeout)
        if ws.status_code in (401, 403):
            raise SessionEnded("Argilla no longer accepts this sign-in")
        if ws.status_code != 200:
            raise ServiceError(f"Argilla at {api_url} answered HTTP {ws.status_code} to /api/v1/me/workspaces")
        workspaces = tuple(sorted(str(w["name"]) for w in ws.json().get("items", []) if w.get("name")))
    return User(username=str(info.get("username") or username), role=role, token=token, workspaces=workspaces,
                user_id=str(info.get("id") or ""))


def login(api_url: str, username: str, password: str, *, timeout: float = 15.0) -> User:
    """Check ``username``/``password`` with Argilla and return the user with their role and workspaces.

    Raises
    ------
    LoginFailed
        Argilla refused the credentials.
    ServiceError
        Argilla did not answer, or answered something unexpected.
    """
    if not username or not password:
        raise LoginFailed("enter your Argilla username and password")
    try:
        resp = requests.post(f"{api_url}/api/v1/token", data={"username": username, "password": password},
                             timeout=timeout)
    except requests.RequestException as exc:
        raise ServiceError(f"Argilla at {api_url} does not answer ({exc.__class__.__name__})") from None
    if resp.status_code in (401, 403, 422):
        raise LoginFailed("Argilla did not accept this username and password")
    if resp.status_code not in (200, 201):
        raise ServiceError(f"Argilla at {api_url} answered HTTP {resp.status_code} to the sign-in")
    token = resp.json().get("access_token")
    if not token:
        raise ServiceError(f"Argilla at {api_url} returned no access token")
    try:
        user = whoami(api_url, token, timeout=timeout, username=username)
    except SessionEnded:
        raise ServiceError(f"Argilla at {api_url} refused the token it had just issued") from None
    remember(api_url, user)
    return user


# --------------------------------------------------------------------------------------------
# The session check on every page view
# --------------------------------------------------------------------------------------------

_checked: dict[str, tuple[float, User]] = {}
_checked_lock = threading.Lock()
_MAX_CHECKED = 4096


def _clock() -> float:
    return time.monotonic()


def session_ttl() -> float:
    """Seconds Argilla's answer about a token is kept (``WORKBENCH_DASHBOARD_SESSION_TTL``, default 5;
    0 asks Argilla on every page view)."""
    raw = os.environ.get(SESSION_TTL_ENV, "")
    try:
        ttl = float(raw) if raw.strip() else DEFAULT_SESSION_TTL
    except ValueError:
        return DEFAULT_SESSION_TTL
    return max(0.0, ttl)


def _key(api_url: str, token: str) -> str:
    return hashlib.sha256(f"{api_url}\0{token}".encode()).hexdigest()


def remember(api_url: str, user: User) -> None:
    """Keep ``user`` as Argilla's answer about their token for :func:`session_ttl` seconds (the
    sign-in does; a benchmark that signs nobody in can seed a session this way)."""
    now = _clock()
    with _checked_lock:
        if len(_checked) >= _MAX_CHECKED:
            for k in [k for k, (until, _) in _checked.items() if until <= now]:
                del _checked[k]
            while len(_checked) >= _MAX_CHECKED:
                del _checked[next(iter(_checked))]
        _checked[_key(api_url, user.token)] = (now + session_ttl(), user)


def forget(api_url: str | None, token: str) -> None:
    """Drop what is known about ``token`` (sign-out)."""
    if api_url:
        with _checked_lock:
            _checked.pop(_key(api_url, token), None)


def current_user(api_url: str, user: User) -> User:
    """The session's ``user`` as Argilla sees them now (current role and workspaces).

    Argilla is asked with the session's token at most once per :func:`session_ttl` seconds per
    token; in between the last answer is used.

    Raises
    ------
    SessionEnded
        Argilla refuses the token, or it now belongs to another account than at sign-in (a user
        deleted and created again under the same name).
    ServiceError
        Argilla cannot be asked (the caller shows nothing until it can).
    """
    if not user.token:
        raise SessionEnded("this session has no Argilla sign-in")
    key = _key(api_url, user.token)
    with _checked_lock:
        hit = _checked.get(key)
    if hit is not None and _clock() < hit[0]:
        fresh = hit[1]
    else:
        try:
            fresh = whoami(api_url, user.token, username=user.username)
        except SessionEnded:
            forget(api_url, user.token)
            raise
        remember(api_url, fresh)
    if (user.user_id and fresh.user_id and fresh.user_id != user.user_id) or fresh.username != user.username:
        forget(api_url, user.token)
        raise SessionEnded("the Argilla account you signed in with no longer exists")
    return fresh
