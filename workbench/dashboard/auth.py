"""Login with Argilla credentials, and who may see what.

The dashboard has no accounts of its own: a user signs in with their Argilla username and
password, which are checked by the Argilla server itself (``POST /api/v1/token``, as Argilla's
web UI does); the token then reads the user's role (``GET /api/v1/me``). The password is never
stored; the token stays in the server-side session only.

Rules
-----
* No page renders anything but the sign-in form until the user has signed in.
* ``owner`` and ``admin`` (annotation leads) see every page and every person's figures.
* An ``annotator`` sees team aggregates and their own page only: the Overview, the Calibration
  page (team coefficients, items and label pairs, their own row), their own Annotator page and
  the Guidelines. Never another person's name or figure; the Drift and Judges pages (which
  compare named people) are for leads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import requests

from workbench.errors import ServiceError

LEADS = ("owner", "admin")
SESSION_KEY = "wb_user"


@dataclass(frozen=True)
class User:
    """A signed-in user. ``repr`` hides the token."""

    username: str
    role: str
    token: str = ""

    @property
    def is_lead(self) -> bool:
        return self.role in LEADS

    def __repr__(self) -> str:
        return f"User(username={self.username!r}, role={self.role!r})"


class LoginFailed(Exception):
    """Wrong username or password (Argilla said so)."""


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


def login(api_url: str, username: str, password: str, *, timeout: float = 15.0) -> User:
    """Check ``username``/``password`` with Argilla and return the user with their role.

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
        me = requests.get(f"{api_url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
    except requests.RequestException as exc:
        raise ServiceError(f"Argilla at {api_url} does not answer ({exc.__class__.__name__})") from None
    if me.status_code != 200:
        raise ServiceError(f"Argilla at {api_url} answered HTTP {me.status_code} to /api/v1/me")
    info = me.json()
    role = str(info.get("role", ""))
    if not role:
        raise ServiceError(f"Argilla at {api_url} did not say which role {username!r} has")
    return User(username=str(info.get("username") or username), role=role, token=token)


# Pages: key -> (title, who may open it)
PAGES = {
    "overview": ("Overview", "everyone"),
    "calibration": ("Calibration round", "everyone"),
    "annotator": ("Annotator", "everyone"),
    "drift": ("Drift", "leads"),
    "guidelines": ("Guidelines", "everyone"),
    "judges": ("Judges", "leads"),
}


def allowed_pages(user: User) -> list[str]:
    """The pages ``user`` may open, in menu order."""
    return [k for k, (_, who) in PAGES.items() if who == "everyone" or user.is_lead]


def may_open(user: User | None, page: str) -> bool:
    return user is not None and page in allowed_pages(user)


def may_see_annotator(user: User, annotator: str) -> bool:
    """Leads see everyone; an annotator only themself."""
    return user.is_lead or user.username == annotator
