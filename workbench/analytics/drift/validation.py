"""The tables the drift functions take: a tidy *labels* table and a *gold* table, checked.

See :mod:`workbench.analytics.drift` for what each column means. Every check names the table
(``source``), the field and the row of the first bad value, never the answer itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import BadInput

LABEL_COLUMNS = ("item", "annotator", "question", "value", "time", "round", "guideline_version")
GOLD_COLUMNS = ("item", "question", "value")

__all__ = ["GOLD_COLUMNS", "LABEL_COLUMNS", "check_observations", "require_frame", "validate_gold", "validate_labels"]


def require_frame(df: object, required: Sequence[str], source: str) -> None:
    """Raise :class:`BadInput` unless ``df`` is a DataFrame with the ``required`` columns (naming the
    missing ones, the required ones and the ones found)."""
    if not isinstance(df, pd.DataFrame):
        raise BadInput(f"{source}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise BadInput(
            f"{source}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"required: {', '.join(required)}; found: {', '.join(map(str, df.columns)) or 'none'}"
        )


def _first_null(df: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    for col in columns:
        null = df[col].isna().to_numpy()
        if null.any():
            row = df.index[np.argmax(null)]
            raise BadInput(f"{source}: field {col!r} is empty at row {row!r}; every judgement needs one")


def validate_labels(labels: pd.DataFrame, *, source: str = "labels") -> pd.DataFrame:
    """Check a tidy labels table and return it with ``time`` as ``datetime64``.

    Parameters
    ----------
    labels : pandas.DataFrame
        One row per judgement with the columns of :data:`LABEL_COLUMNS`.
    source : str
        What the table came from (a file name); used in error messages.

    Returns
    -------
    pandas.DataFrame
        The table (a shallow copy when ``time`` had to be parsed).

    Raises
    ------
    BadInput
        If a column is missing, the table is empty, a required field is empty, or a time
        cannot be read (the first bad value is named).

    Examples
    --------
    >>> validate_labels(pd.DataFrame({"item": [1]}), source="l.csv")
    Traceback (most recent call last):
    ...
    workbench.errors.BadInput: l.csv: missing column(s) 'annotator', 'question', 'value', 'time', 'round', 'guideline_version'; required: item, annotator, question, value, time, round, guideline_version; found: item
    """
    require_frame(labels, LABEL_COLUMNS, source)
    if len(labels) == 0:
        raise BadInput(f"{source}: the labels table has no rows")
    _first_null(labels, ("item", "annotator", "question", "value", "time"), source)
    if not pd.api.types.is_datetime64_any_dtype(labels["time"]):
        parsed = pd.to_datetime(labels["time"], errors="coerce")
        bad = parsed.isna().to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise BadInput(
                f"{source}: field 'time' has value {labels['time'].iloc[i]!r} at row {labels.index[i]!r}, "
                "which is not a date/time"
            )
        labels = labels.assign(time=parsed)
    return labels


def validate_gold(gold: pd.DataFrame, *, source: str = "gold") -> pd.DataFrame:
    """Check a gold table (``item, question, value``) and return it without duplicate rows.

    Raises
    ------
    BadInput
        If a column is missing, there is no gold at all, a value is empty, or one
        (item, question) has two different gold values.

    Examples
    --------
    >>> validate_gold(pd.DataFrame({"item": [], "question": [], "value": []}))
    Traceback (most recent call last):
    ...
    workbench.errors.BadInput: gold: no gold values (0 rows); drift against gold needs at least one gold item
    """
    require_frame(gold, GOLD_COLUMNS, source)
    if len(gold) == 0:
        raise BadInput(f"{source}: no gold values (0 rows); drift against gold needs at least one gold item")
    _first_null(gold, GOLD_COLUMNS, source)
    gold = gold.loc[:, list(GOLD_COLUMNS)].drop_duplicates()
    dup = gold.duplicated(["item", "question"], keep=False).to_numpy()
    if dup.any():
        first = gold.loc[dup].iloc[0]
        values = gold.loc[dup & (gold["item"] == first["item"]).to_numpy() & (gold["question"] == first["question"]).to_numpy(), "value"]
        raise BadInput(
            f"{source}: item {first['item']!r}, question {first['question']!r} has conflicting gold "
            f"values {sorted(map(repr, values))}"
        )
    return gold


def check_observations(obs: pd.DataFrame, column: str) -> None:
    """Raise :class:`BadInput` unless ``obs`` (observations of :func:`~workbench.analytics.drift.gold_observations`
    or :func:`~workbench.analytics.drift.team_observations`) has ``annotator, time,
    guideline_version`` and the agreement ``column``."""
    require_frame(obs, ("annotator", "time", "guideline_version", column), "observations")
