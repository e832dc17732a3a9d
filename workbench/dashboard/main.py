"""The dashboard's shell: sign-in, data source, navigation; each page lives in ``pages/``.

``app.py`` at the repository root calls :func:`run`. Navigation is a sidebar menu kept in the
``page`` query parameter (so every view has a URL); the menu lists only the pages the signed-in
user may open, and a URL naming any other page shows a refusal, not the page.
"""

from __future__ import annotations

import importlib
import os

import streamlit as st

from workbench.dashboard import auth
from workbench.errors import WorkbenchError


def _login_form(api_url: str | None, problem: str) -> None:
    st.title("Workbench dashboard")
    st.write("Sign in with your Argilla username and password.")
    if problem:
        st.error(problem)
        return
    with st.form("login"):
        username = st.text_input("Argilla username")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        try:
            user = auth.login(api_url, username.strip(), password)
        except auth.LoginFailed as exc:
            st.error(str(exc))
            return
        except WorkbenchError as exc:
            st.error(f"Sign-in is not possible right now: {exc}")
            return
        st.session_state[auth.SESSION_KEY] = user
        st.rerun()


def _choose_source():
    """The project's store, or the demo history when asked for (or while the store is empty)."""
    from workbench.dashboard import data

    mode = os.environ.get("WORKBENCH_DASHBOARD_DEMO", "auto").lower()
    project = data.project_source()
    if mode in ("1", "true", "yes"):
        return data.demo_source(), "WORKBENCH_DASHBOARD_DEMO is set: showing the demo history, not your project."
    try:
        empty = data.store_is_empty(project)
    except WorkbenchError as exc:
        st.error(f"The history store cannot be read: {exc}")
        st.stop()
    if empty and mode not in ("0", "false", "no"):
        return data.demo_source(), (
            f"The history store ({project.label}) has no rounds yet, so this is the **demo history** "
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

    pages = auth.allowed_pages(user)
    requested = st.query_params.get("page", pages[0])
    with st.sidebar:
        st.markdown(f"Signed in as **{user.username}** ({user.role})")
        if st.button("Sign out"):
            st.session_state.pop(auth.SESSION_KEY, None)
            st.query_params.clear()
            st.rerun()
    if requested not in pages:
        if requested in auth.PAGES:
            st.error(f"The {auth.PAGES[requested][0]} page is for annotation leads (owner or admin). "
                     f"You are signed in as {user.username} ({user.role}).")
        else:
            st.error(f"There is no page {requested!r}.")
        st.stop()
    if st.session_state.get("qp_page") != requested:
        st.session_state["qp_page"] = requested

    def _go():
        st.query_params.clear()
        st.query_params["page"] = st.session_state["qp_page"]

    page = st.sidebar.radio("Page", pages, key="qp_page", format_func=lambda p: auth.PAGES[p][0], on_change=_go)
    st.query_params["page"] = page

    # Imported only after sign-in: the sign-in form appears without loading the analytics stack.
    from workbench.dashboard import data
    from workbench.dashboard.ui import Context

    source, banner = _choose_source()
    if banner:
        st.warning(banner)
    ctx = Context(user=user, source=source, version=data.source_version(source), argilla_url=api_url)
    st.sidebar.caption(f"Data: {source.label}")
    module = importlib.import_module(f"workbench.dashboard.pages.{page}")
    try:
        module.render(ctx)
    except PermissionError as exc:
        st.error(str(exc))
    except WorkbenchError as exc:
        st.error(str(exc))
