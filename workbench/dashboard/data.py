"""A facade over the dashboard's data modules, for scripts, benchmarks and tests that work with a
:class:`Source` (which history store) rather than through the cached entry points.

The work itself is split by concern (docs/dashboard.md, "Code layout"):

* :class:`workbench.store.HistoryStore` - the reads of the store (its methods: no SQL in the dashboard);
* :mod:`workbench.dashboard.history` - a task's history and the fast paths on its integer codes;
* :mod:`workbench.dashboard.views` - the pages' view models, pure builders (no Streamlit, no I/O);
* :mod:`workbench.dashboard.load` - what each view needs, read and handed to its builder;
* :mod:`workbench.dashboard.access` - roles, workspaces, what an annotator may see;
* :mod:`workbench.dashboard.cache` - the Streamlit caching, the ``cached_*`` entry points pages call;
* :mod:`workbench.dashboard.sources` - which store, and the project's task files.

Pages do not import this module. Nothing here computes: each ``*_view(source, ...)`` opens the
store and the tasks as the cache keeps them and calls :mod:`~workbench.dashboard.load`.
"""

from __future__ import annotations

import pandas as pd

# re-exported for scripts, benchmarks and tests (the names they have always used)
from workbench.analytics import team_observations  # noqa: F401
from workbench.analytics.drift import open_alarms, pooled_bar  # noqa: F401
from workbench.dashboard import load, views
from workbench.dashboard.access import redact_calibration, redact_gate, redact_overview  # noqa: F401
from workbench.dashboard.cache import (  # noqa: F401
    cached_annotator, cached_calibration, cached_drift, cached_guidelines, cached_history, cached_judges,
    cached_overview, cached_rounds, cached_task_meta, cached_version, get_store, may_open_task, may_see_task,
    project_tasks, require_task, source_version, store_is_empty)
from workbench.dashboard.history import (  # noqa: F401
    HISTORY_LABEL_COLUMNS, TEAM_COLUMNS, HistoryCodes, TaskHistory, history_codes, label_text, label_text_codes,
    label_texts, rounds_label, shift_own_past, shift_team, with_label_texts)
from workbench.dashboard.load import EXPORT_COLUMNS, export_versions, read_dataset  # noqa: F401
from workbench.dashboard.sources import Source, demo_source, project_source  # noqa: F401
from workbench.dashboard.views import (  # noqa: F401
    ALPHA_CI, ALPHA_N_BOOT, ALPHA_SEED, BY_VERSION_COLUMNS, CHART_POINTS, GOLD_BY_VERSION_COLUMNS, REPORT_LEVELS,
    AnnotatorView, CalibrationView, ChartSample, DriftView, GuidelinesView, JudgeQuestion, JudgesView, QuestionView,
    TaskMeta, TaskOverview, alphas_by_version, alphas_by_version_slow, annotator_view, chart_sample, gold_by_version,
    label_distribution, question_order, question_views, report_questions, task_meta, thin_chart_points,
    version_changes)
from workbench.errors import BadInput  # noqa: F401
from workbench.store import TIDY_COLUMNS, HistoryStore


# the store's reads under the names scripts, benchmarks and tests have always used

def store_version(store: HistoryStore) -> str:
    return store.content_version()


def round_row(store: HistoryStore, task: str, round_no: int) -> dict | None:
    return store.round_row(task, round_no)


def read_task(store: HistoryStore, task: str) -> pd.DataFrame:
    """Every round of ``task``, as :func:`read_dataset` reads one (with ``record_id``), in round order."""
    parts = [read_dataset(store, r) for r in store.rounds(task).to_dict("records")]
    if not parts:
        return pd.DataFrame(columns=list(TIDY_COLUMNS) + ["record_id"])
    return pd.concat(parts, ignore_index=True)


def read_task_labels(store: HistoryStore, task_name: str, questions=None, columns=None) -> pd.DataFrame:
    return store.task_answers(task_name, questions, columns)


def overview_view(source: Source) -> list[TaskOverview]:
    return load.overview_view(get_store(source), project_tasks()[0])


def calibration_view(source: Source, task_name: str, round_no: int, *, n_boot: int = ALPHA_N_BOOT) -> CalibrationView:
    return load.calibration_view(get_store(source), *project_tasks(), task_name, round_no, n_boot=n_boot)


def task_history(source: Source, task_name: str) -> TaskHistory:
    return load.task_history(get_store(source), project_tasks()[0], task_name)


def _bars(task_name: str | None) -> dict:
    return load.bars(project_tasks()[0], task_name)


def drift_view(source: Source, history: TaskHistory, question: str | None = None, task: str | None = None) -> DriftView:
    return views.drift_view(history, question, _bars(task))


def guidelines_view(source: Source, task_name: str, history: TaskHistory, *,
                    n_boot: int = ALPHA_N_BOOT) -> GuidelinesView:
    return load.guidelines_view(*project_tasks(), task_name, history, n_boot=n_boot)


def judges_view(source: Source, task_name: str, round_no: int) -> JudgesView:
    return load.judges_view(get_store(source), project_tasks()[0], task_name, round_no)
