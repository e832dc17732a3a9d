"""The dashboard's shell: sign-in, data source, navigation; each page lives in ``pages/``.

``app.py`` at the repository root calls :func:`run`. Navigation is a sidebar menu kept in the
``page`` query parameter (so every view has a URL); the menu lists only the pages the signed-in
user may open, and a URL naming any other page shows a refusal, not the page.

Every page view first asks Argilla who the session's token belongs to now
(:func:`workbench.dashboard.auth.current_user`, cached a few seconds per token): a refused token
ends the session, and the current role and workspaces decide what is shown. A ``task`` in the URL
outside the user's workspaces is refused before any page runs.
"""

from __future__ import annotations

import importlib
import os

import streamlit as st

from workbench.dashboard import auth
from workbench.dashboard.markup import escape
from workbench.errors import WorkbenchError

NOTICE_KEY = "wb_notice"


def _login_form(api_url: str | None, problem: str) -> None:
    st.title("Workbench dashboard")
    st.write("Sign in with your Argilla username and password.")
    notice = st.session_state.pop(NOTICE_KEY, "")
    if notice:
        st.warning(escape(notice))
    if problem:
        st.error(escape(problem))
        return
    with st.form("login"):
        username = st.text_input("Argilla username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        try:
            user = auth.login(api_url, username.strip(), password)
        except auth.LoginFailed as exc:
            st.error(escape(exc))
            return
        except WorkbenchError as exc:
            st.error(f"Sign-in is not possible right now: {escape(exc)}")
            return
        st.session_state[auth.SESSION_KEY] = user
        st.rerun()


def _current_user(api_url: str | None, problem: str, user: auth.User) -> auth.User:
    """The session's user as Argilla sees them now; ends the session (sign-in form) when Argilla
    refuses its token, and shows nothing while Argilla cannot be asked."""
    if api_url is None:
        st.error(f"Your sign-in cannot be checked with Argilla right now: {escape(problem)}")
        st.stop()
    try:
        fresh = auth.current_user(api_url, user)
    except auth.SessionEnded as exc:
        st.session_state.pop(auth.SESSION_KEY, None)
        st.session_state[NOTICE_KEY] = f"Your session has ended: {exc}. Sign in again."
        _login_form(api_url, "")
        st.stop()
    except WorkbenchError as exc:
        st.error(f"Your sign-in cannot be checked with Argilla right now ({escape(exc)}); nothing is shown "
                 "until it can.")
        st.stop()
    st.session_state[auth.SESSION_KEY] = fresh
    return fresh


def _choose_source():
    """The project's store, or the demo history when asked for (or while the store is empty)."""
    from workbench.dashboard import cache, sources

    mode = os.environ.get("WORKBENCH_DASHBOARD_DEMO", "auto").lower()
    project = sources.project_source()
    if mode in ("1", "true", "yes"):
        return sources.demo_source(), "WORKBENCH_DASHBOARD_DEMO is set: showing the demo history, not your project."
    try:
        empty = cache.store_is_empty(project)
    except WorkbenchError as exc:
        st.error(f"The history store cannot be read: {escape(exc)}")
        st.stop()
    if empty and mode not in ("0", "false", "no"):
        return sources.demo_source(), (
            f"The history store ({escape(project.label)}) has no rounds yet, so this is the **demo history** "
            "(simulated annotators, not your project). Create a calibration round with "
            "`workbench round create TASK --kind calibration`, let annotators answer in Argilla, then run "
            "`workbench sync`; the dashboard switches to your data by itself.")
    return project, ""


def run() -> None:
    st.set_page_config(page_title="Workbench dashboard", layout="wide")
    try:
        api_url, problem = auth.argilla_url(), ""
    except WorkbenchError as exc:
        api_url, problem = None, str(exc)
    user = st.session_state.get(auth.SESSION_KEY)
    if not isinstance(user, auth.User):
        _login_form(api_url, problem)
        st.stop()
    user = _current_user(api_url, problem, user)

    pages = auth.allowed_pages(user)
    requested = st.query_params.get("page", pages[0])
    with st.sidebar:
        st.markdown(f"Signed in as **{escape(user.username)}** ({escape(user.role)})")
        if st.button("Sign out"):
            st.session_state.pop(auth.SESSION_KEY, None)
            auth.forget(api_url, user.token)
            st.query_params.clear()
            st.rerun()
    if requested not in pages:
        if requested in auth.PAGES:
            st.error(f"The {auth.PAGES[requested][0]} page is for annotation leads (owner or admin). "
                     f"You are signed in as {escape(user.username)} ({escape(user.role)}).")
        else:
            st.error(f"There is no page {escape(repr(requested))}.")
        st.stop()
    if st.session_state.get("qp_page") != requested:
        st.session_state["qp_page"] = requested

    def _go():
        st.query_params.clear()
        st.query_params["page"] = st.session_state["qp_page"]

    page = st.sidebar.radio("Page", pages, key="qp_page", format_func=lambda p: auth.PAGES[p][0], on_change=_go)
    st.query_params["page"] = page

    # Imported only after sign-in: the sign-in form appears without loading the analytics stack.
    from workbench.dashboard import cache
    from workbench.dashboard.ui import Context

    source, banner = _choose_source()
    if banner:
        st.warning(banner)
    ctx = Context(user=user, source=source, version=cache.source_version(source), argilla_url=api_url)
    st.sidebar.caption(f"Data: {escape(source.label)}")
    asked_task = st.query_params.get("task")
    if asked_task is not None and not cache.may_open_task(*ctx.key, asked_task):
        st.error(f"There is no task {escape(repr(asked_task))} in your Argilla workspaces.")
        st.stop()
    module = importlib.import_module(f"workbench.dashboard.pages.{page}")
    try:
        module.render(ctx)
    except PermissionError as exc:
        st.error(escape(exc))
    except WorkbenchError as exc:
        st.error(escape(exc))
