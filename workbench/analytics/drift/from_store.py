"""From the history store's tables to the tables the drift functions take, and the chart of them.

The store keeps answers as JSON (a multi-label answer is a list); the drift functions group and
compare answers, so :func:`labels_table` and :func:`gold_table` make them hashable and the
versions and rounds integers. :func:`monitor_gold` is what the dashboard and the export run: the
gold observations and their CUSUM, pooled over questions or for one.
"""

from __future__ import annotations

import json
from collections.abc import Hashable

import pandas as pd

from workbench.analytics.drift.monitor import ControlChart, monitor_gold_agreement
from workbench.analytics.drift.observations import gold_observations
from workbench.errors import BadInput

__all__ = ["gold_table", "hashable", "labels_table", "monitor_gold", "with_hashable_values"]


def hashable(value: object) -> Hashable:
    """A hashable form of a stored answer: lists become tuples (dicts as canonical JSON)."""
    if isinstance(value, list):
        return tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else hashable(v) for v in value)
    return value


def _may_hold_lists(values: pd.Series) -> bool:
    """False when no value is a list. Lists are unhashable, so when ``pd.unique`` (C speed) goes
    through, there is none; otherwise each value is checked."""
    if values.dtype != object:
        return False
    try:
        pd.unique(values.to_numpy())
        return False
    except TypeError:
        return bool(values.map(lambda v: isinstance(v, list)).any())


def with_hashable_values(df: pd.DataFrame, column: str = "value") -> pd.DataFrame:
    """``df`` with :func:`hashable` answers in ``column`` (the same frame when none is a list)."""
    if len(df) and _may_hold_lists(df[column]):
        df = df.assign(**{column: df[column].map(hashable)})
    return df


def labels_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """The store's tidy responses as the drift functions' labels table: timed rows only, hashable
    values, integer versions and rounds (-1 where there is none)."""
    timed = tidy["time"].notna()
    df = tidy if timed.all() else tidy.loc[timed]
    df = with_hashable_values(df).copy(deep=False)  # (a new frame sharing the other columns: no deep copy)
    df["guideline_version"] = df["guideline_version"].astype("float").fillna(-1).astype(int)
    df["round"] = df["round"].astype("float").fillna(-1).astype(int)
    return df


def gold_table(gold: pd.DataFrame | None) -> pd.DataFrame:
    """The store's gold as the drift functions' gold table (``item, question, value``, hashable)."""
    if gold is None or gold.empty:
        return pd.DataFrame(columns=["item", "question", "value"])
    return with_hashable_values(gold[["item", "question", "value"]])


def monitor_gold(labels: pd.DataFrame, gold: pd.DataFrame, question: str | None = None, *,
                 bar: float | None = None) -> tuple[pd.DataFrame, ControlChart] | tuple[None, None]:
    """``(obs, chart)``: :func:`gold_observations` and the CUSUM (:func:`monitor_gold_agreement`) of
    every annotator's gold stream, pooled over questions or for one; ``(None, None)`` without gold
    judgements. ``labels`` and ``gold`` as :func:`labels_table` and :func:`gold_table` make them;
    ``bar`` (the task's minimum gold agreement) charts annotators with too few answers for a
    baseline window against the bar."""
    if gold.empty or labels.empty:
        return None, None
    lab = labels if question is None else labels[labels["question"] == question]
    g = gold if question is None else gold[gold["question"] == question]
    if lab.empty or g.empty:
        return None, None
    lab = lab[lab["item"].isin(g["item"].unique())]  # only these meet gold (the same observations, less to check)
    try:
        obs = gold_observations(lab, g)
    except BadInput:
        return None, None
    return obs, monitor_gold_agreement(obs, bar=bar)
