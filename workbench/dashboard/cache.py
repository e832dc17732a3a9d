"""The Streamlit caching of the dashboard: what the pages call (``cached_*``), and nothing else.

The store handle and the project's tasks are kept with ``st.cache_resource``. The views are
``st.cache_data`` keyed on the store's watermark (:meth:`workbench.store.HistoryStore.content_version`,
re-read at most every 2 seconds), so nothing is read or recomputed unless the data changed; a
task's history is kept with ``st.cache_resource`` (shared, not copied) and the views built on it
cached separately.

Each entry point takes ``(url, demo, version, scope)`` first (``ui.Context.key``): ``scope`` is what
the viewer may see (:class:`~workbench.dashboard.access.Scope`, their Argilla workspaces). The
views are computed and cached once per store version, for everyone; the access rules
(:mod:`workbench.dashboard.access`) are applied on the way out (lists filtered, a task outside the
scope or another person's figures refused with ``PermissionError``), never cached into them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.dashboard import access, load, sources, views
from workbench.dashboard.access import Scope
from workbench.dashboard.history import TaskHistory
from workbench.dashboard.sources import Source
from workbench.store import HistoryStore


@st.cache_resource(show_spinner=False)
def _store(url: str, demo: bool) -> HistoryStore:
    return sources.open_store(url, demo)


def get_store(source: Source) -> HistoryStore:
    return _store(source.url, source.demo)


@st.cache_data(ttl=2, show_spinner=False)
def cached_version(url: str, demo: bool) -> str:
    """:meth:`~workbench.store.HistoryStore.content_version`, re-read at most every 2 seconds per process."""
    return _store(url, demo).content_version()


def source_version(source: Source) -> str:
    return cached_version(source.url, source.demo)


def store_is_empty(source: Source) -> bool:
    return get_store(source).rounds().empty


@st.cache_resource(show_spinner=False)
def _tasks(signature: str) -> tuple[dict, str]:
    return sources.load_project_tasks()


def project_tasks() -> tuple[dict, str]:
    """``(name -> Task, problem)``: the project's task files (reloaded when a file changes)."""
    return _tasks(sources.tasks_signature())


def _with_clear(wrapper, cached):
    wrapper.clear = cached.clear  # (tests and benchmarks clear the cache through the entry point)
    return wrapper


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_rounds(url: str, demo: bool, version: str) -> pd.DataFrame:
    return _store(url, demo).rounds()


def may_see_task(url: str, demo: bool, version: str, scope: Scope, task: str) -> bool:
    """Whether ``scope`` may see ``task`` of this store (every round of it in one of its workspaces)."""
    return scope.sees_task(_cached_rounds(url, demo, version), task)


def may_open_task(url: str, demo: bool, version: str, scope: Scope, task: str) -> bool:
    """:func:`~workbench.dashboard.access.may_open_task` on this store's rounds and the project's tasks."""
    return access.may_open_task(scope, _cached_rounds(url, demo, version), task, project_tasks()[0])


def require_task(url: str, demo: bool, version: str, scope: Scope, task: str) -> None:
    """``PermissionError`` unless ``scope`` may see ``task``."""
    access.require_task(scope, _cached_rounds(url, demo, version), task)


def cached_rounds(url: str, demo: bool, version: str, scope: Scope) -> pd.DataFrame:
    """The store's rounds of the tasks ``scope`` may see."""
    return scope.visible_rounds(_cached_rounds(url, demo, version))


cached_rounds = _with_clear(cached_rounds, _cached_rounds)


@st.cache_data(show_spinner="Reading the history store ...", max_entries=8)
def _cached_overview(url: str, demo: bool, version: str) -> list[views.TaskOverview]:
    return load.overview_view(_store(url, demo), project_tasks()[0])


def cached_overview(url: str, demo: bool, version: str, scope: Scope) -> list[views.TaskOverview]:
    rounds = _cached_rounds(url, demo, version)
    return [v for v in _cached_overview(url, demo, version) if scope.sees_task(rounds, v.task)]


cached_overview = _with_clear(cached_overview, _cached_overview)


@st.cache_data(show_spinner="Computing agreement ...", max_entries=64)
def _cached_calibration(url: str, demo: bool, version: str, task: str, round_no: int) -> views.CalibrationView:
    return load.calibration_view(_store(url, demo), *project_tasks(), task, round_no)


def cached_calibration(url: str, demo: bool, version: str, scope: Scope, task: str,
                       round_no: int) -> views.CalibrationView:
    require_task(url, demo, version, scope, task)
    return _cached_calibration(url, demo, version, task, round_no)


cached_calibration = _with_clear(cached_calibration, _cached_calibration)


@st.cache_resource(show_spinner="Reading the task's history ...", max_entries=4)
def cached_history(url: str, demo: bool, version: str, task: str) -> TaskHistory:
    """The task's history, shared (not copied) between the cached views built on it.

    ``st.cache_resource``: ``st.cache_data`` would pickle the million-row tables on the first call
    and unpickle a copy on every hit (seconds each time). Pages never touch it: they call the
    cached views and :func:`cached_task_meta`, whose results are small. Nothing may modify it.
    """
    return load.task_history(_store(url, demo), project_tasks()[0], task)


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_task_meta(url: str, demo: bool, version: str, task: str) -> views.TaskMeta:
    return views.task_meta(cached_history(url, demo, version, task))


def cached_task_meta(url: str, demo: bool, version: str, scope: Scope, task: str) -> views.TaskMeta:
    require_task(url, demo, version, scope, task)
    return _cached_task_meta(url, demo, version, task)


cached_task_meta = _with_clear(cached_task_meta, _cached_task_meta)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_annotator(url: str, demo: bool, version: str, task: str, annotator: str, viewer_name: str,
                      viewer_role: str) -> views.AnnotatorView:
    return views.annotator_view(cached_history(url, demo, version, task), annotator, viewer_name=viewer_name,
                                viewer_role=viewer_role)


def cached_annotator(url: str, demo: bool, version: str, scope: Scope, task: str, annotator: str, viewer_name: str,
                     viewer_role: str) -> views.AnnotatorView:
    """:func:`~workbench.dashboard.views.annotator_view` on the cached history; the access rules (the
    task in the viewer's scope, :func:`~workbench.dashboard.access.may_see_annotator`) are checked
    before the cache is consulted, so a refused view is never served from it."""
    require_task(url, demo, version, scope, task)
    access.require_annotator(viewer_name, viewer_role, annotator)
    return _cached_annotator(url, demo, version, task, annotator, viewer_name, viewer_role)


cached_annotator = _with_clear(cached_annotator, _cached_annotator)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_drift(url: str, demo: bool, version: str, task: str, question: str | None) -> views.DriftView:
    return views.drift_view(cached_history(url, demo, version, task), question, load.bars(project_tasks()[0], task))


def cached_drift(url: str, demo: bool, version: str, scope: Scope, task: str, question: str | None) -> views.DriftView:
    require_task(url, demo, version, scope, task)
    return _cached_drift(url, demo, version, task, question)


cached_drift = _with_clear(cached_drift, _cached_drift)


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_guidelines(url: str, demo: bool, version: str, task: str) -> views.GuidelinesView:
    return load.guidelines_view(*project_tasks(), task, cached_history(url, demo, version, task))


def cached_guidelines(url: str, demo: bool, version: str, scope: Scope, task: str) -> views.GuidelinesView:
    require_task(url, demo, version, scope, task)
    return _cached_guidelines(url, demo, version, task)


cached_guidelines = _with_clear(cached_guidelines, _cached_guidelines)


@st.cache_data(show_spinner="Measuring the judges ...", max_entries=32)
def _cached_judges(url: str, demo: bool, version: str, task: str, round_no: int) -> views.JudgesView:
    return load.judges_view(_store(url, demo), project_tasks()[0], task, round_no)


def cached_judges(url: str, demo: bool, version: str, scope: Scope, task: str, round_no: int) -> views.JudgesView:
    require_task(url, demo, version, scope, task)
    return _cached_judges(url, demo, version, task, round_no)


cached_judges = _with_clear(cached_judges, _cached_judges)
