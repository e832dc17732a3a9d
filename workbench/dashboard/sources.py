"""Where the dashboard reads from: which history store (:class:`Source`) and the project's task
files. No Streamlit: the store handle and the loaded tasks are kept by :mod:`workbench.dashboard.cache`.

Demo data
---------
Before a project has synced anything the dashboard can show the demo history
(:mod:`workbench.dashboard.demo_history`), written into its own SQLite store under the Workbench
home through the store's write API; the pages then read it exactly like real data.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workbench import store as store_mod
from workbench.errors import WorkbenchError
from workbench.store import HistoryStore


@dataclass(frozen=True)
class Source:
    """One history store the dashboard reads. ``demo`` marks the demo history."""

    url: str
    demo: bool = False

    @property
    def label(self) -> str:
        if self.demo:
            return "demo data (simulated, not your project)"
        try:
            return sa.engine.make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001
            return "history store"


def project_source() -> Source:
    """The project's history store (``WORKBENCH_STORE_URL``, else ``history.db`` under the home)."""
    return Source(store_mod.default_url())


def demo_source() -> Source:
    """The demo history, in its own SQLite store under the Workbench home (filled on first use)."""
    from workbench.dashboard.demo_history import demo_store_path

    return Source(f"sqlite:///{demo_store_path()}", demo=True)


def open_store(url: str, demo: bool) -> HistoryStore:
    """A handle on the store at ``url``; the demo history is filled on first use."""
    s = HistoryStore(url)
    if demo:
        from workbench.dashboard.demo_history import fill_demo_store

        fill_demo_store(s)
    return s


def tasks_signature() -> str:
    """Names and modification times of the project's task and guideline files (changes with any edit)."""
    from workbench.tasks import project_dir

    root = project_dir()
    files = sorted([*root.glob("tasks/*.y*ml"), *root.glob("guidelines/*/*.md")])
    return ";".join(f"{f}:{f.stat().st_mtime_ns}" for f in files)


def load_project_tasks() -> tuple[dict, str]:
    """``(name -> Task, problem)``: the project's task files, or none and why they cannot be read."""
    from workbench.tasks import load_tasks, project_dir

    try:
        return load_tasks(project_dir() / "tasks"), ""
    except WorkbenchError as exc:
        return {}, str(exc)
