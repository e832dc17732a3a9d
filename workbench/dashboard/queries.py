"""The dashboard's reads of the history store: one function per query, each taking the
:class:`~workbench.store.HistoryStore` and returning plain data (DataFrames, tuples, strings).

The only module of the dashboard that reads the store's tables with SQL. These functions become
``HistoryStore`` methods later (``workbench/store.py`` is being changed separately); until then they
live here so that the rest of the dashboard never touches a table. No Streamlit here.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from workbench import store as store_mod
from workbench.store import HistoryStore


def store_version(store: HistoryStore) -> str:
    """A cheap watermark of the store's content: changes whenever anything is appended.

    Responses, suggestions, gold, rounds and guideline publications are append-only, so their
    row counts change with every write; ``sync_state`` adds the time of the last sync and
    ``datasets`` a renamed dataset. One SQL round trip. On SQLite the two big tables are measured
    by their largest rowid instead of a count (rows are never deleted, so it grows with every
    insert; a count walks a whole index: ~0.2 s at a million responses, the max ~1 ms).
    """
    t = store_mod

    def size(table):
        if store.engine.dialect.name == "sqlite":
            return sa.select(sa.func.max(sa.literal_column("rowid"))).select_from(table).scalar_subquery()
        return sa.select(sa.func.count()).select_from(table).scalar_subquery()

    cols = [
        size(t.response_versions_t),
        size(t.suggestion_versions_t),
        sa.select(sa.func.count()).select_from(t.gold_t).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.rounds_t).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.publications_t).scalar_subquery(),
        sa.select(sa.func.max(t.sync_state_t.c.last_sync_at)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(t.datasets_t).scalar_subquery(),
    ]
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(*cols)).one()
    return "|".join("" if v is None else str(v) for v in row)


def volumes(store: HistoryStore) -> pd.DataFrame:
    """Per dataset: submitted responses (latest version), items and annotators, with one query
    over the store's table of latest versions."""
    lt = store_mod.response_latest_t
    q = sa.select(
        lt.c.dataset_id, sa.func.count().label("responses"), sa.func.count(sa.distinct(lt.c.record_id)).label("items"),
        sa.func.count(sa.distinct(lt.c.user_id)).label("annotators"),
    ).where(lt.c.status == "submitted").group_by(lt.c.dataset_id)
    with store.engine.connect() as conn:
        res = conn.execute(q)
        return pd.DataFrame(res.all(), columns=["dataset_id", "responses", "items", "annotators"])


def task_totals(store: HistoryStore, dataset_ids) -> tuple[int, int, int]:
    """(responses, items, annotators) of a task's datasets: latest versions, status submitted; one query."""
    lt = store_mod.response_latest_t
    q = sa.select(sa.func.count(), sa.func.count(sa.distinct(lt.c.item)), sa.func.count(sa.distinct(lt.c.annotator))) \
        .where(lt.c.dataset_id.in_([str(d) for d in dataset_ids]), lt.c.status == "submitted")
    with store.engine.connect() as conn:
        n, items, annotators = conn.execute(q).one()
    return int(n), int(items), int(annotators)


def round_row(store: HistoryStore, task: str, round_no: int) -> dict | None:
    """One round of ``task`` as a dict (a row of ``store.rounds``), None when there is none."""
    r = store.rounds(task)
    r = r[r["round"] == int(round_no)]
    return None if r.empty else r.iloc[0].to_dict()


def read_dataset(store: HistoryStore, row: dict) -> pd.DataFrame:
    """The submitted answers of one round (``row`` from :func:`round_row`): ``store.tidy`` for that
    task and round (latest version of each response, status submitted), plus the Argilla
    ``record_id``. ``tidy`` applies the filters before it looks up latest versions, so a round
    costs in proportion to its own size, not to the store's."""
    return store.tidy(task=row["task"], round=int(row["round"]), extra_columns=("record_id",))


def read_task(store: HistoryStore, task: str) -> pd.DataFrame:
    """Every round of ``task``, as :func:`read_dataset` reads one."""
    rounds = store.rounds(task)
    parts = [read_dataset(store, r) for r in rounds.to_dict("records")]
    if not parts:
        return pd.DataFrame(columns=list(store_mod.TIDY_COLUMNS) + ["record_id"])
    return pd.concat(parts, ignore_index=True)


def read_task_labels(store: HistoryStore, task_name: str, questions=None, columns=None) -> pd.DataFrame:
    """The task's answers as :func:`read_task` gives them (rounds in the store's round order, each
    as :func:`read_dataset` orders it) without ``record_id``, only for ``questions`` (None: all)
    and only ``columns`` (None: every tidy column).

    One ``tidy`` call per round (that round's dataset), concatenated in the store's round order:
    the rows come out in the right order with no re-sorting, and only the columns asked for are
    read and converted."""
    rounds = store.rounds(task_name)
    parts = [store.tidy(task=task_name, round=int(r), dataset=d, question=questions, columns=columns)
             for r, d in zip(rounds["round"], rounds["dataset_id"])]
    parts = [p for p in parts if len(p)] or parts[:1]
    if not parts:
        return store.tidy(task=task_name, question=questions, columns=columns)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def gold_answers_of_task(store: HistoryStore, task: str) -> pd.DataFrame:
    """The task's submitted answers on gold items only (what the Overview's alarms need)."""
    return store.tidy(task=task, gold_items_only=True)
