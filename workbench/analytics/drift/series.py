"""Agreement over time, for charts: per period, per guideline version, and moving.

Each function takes the observations of :func:`~workbench.analytics.drift.gold_observations`
(``column="correct"``) or :func:`~workbench.analytics.drift.team_observations`
(``column="agrees_team"``) and returns a tidy table, the guideline version carried along so a
chart can mark where the guideline changed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analytics.drift.validation import check_observations
from workbench.errors import BadInput

__all__ = ["agreement_by_version", "agreement_series", "rolling_agreement"]


def _version_order(obs: pd.DataFrame) -> dict[object, int]:
    """Guideline versions in order of first appearance in time."""
    first = obs.groupby("guideline_version", sort=False)["time"].min().sort_values(kind="stable")
    return {v: i for i, v in enumerate(first.index)}


def agreement_series(obs: pd.DataFrame, *, column: str = "correct", freq: str = "W") -> pd.DataFrame:
    """Agreement rate per annotator per calendar period, split by guideline version.

    Parameters
    ----------
    obs : pandas.DataFrame
        Output of :func:`gold_observations` (``column="correct"``) or
        :func:`team_observations` (``column="agrees_team"``). NaN values are left out.
    column : str
        The 0/1 agreement column to average.
    freq : str
        A pandas frequency for the periods (``"D"``, ``"W"``, ``"MS"``, ``"h"``...). The
        ``period`` label is pandas' bin label: the start of the day, hour or month (``"MS"``),
        but the *end* (Sunday) of the week for ``"W"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator, period, guideline_version, n, rate, se`` (binomial standard
        error), ``mae`` when the observations carry ``abs_error``, and ``version_change``:
        true on the first row of each guideline version after an annotator's first, so a chart
        can mark where the guideline changed. A period that spans a version change has one row
        per version. Sorted by annotator, period and version order.

    Examples
    --------
    >>> obs = pd.DataFrame({"annotator": "a", "guideline_version": ["v1", "v1", "v2"],
    ...     "time": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]),
    ...     "correct": [True, False, True]})
    >>> agreement_series(obs, freq="D")[["period", "guideline_version", "n", "rate", "version_change"]]
          period guideline_version  n  rate  version_change
    0 2024-01-01                v1  2   0.5           False
    1 2024-01-02                v2  1   1.0            True
    """
    check_observations(obs, column)
    d = obs.loc[obs[column].notna(), ["annotator", "time", "guideline_version", column]
                + (["abs_error"] if "abs_error" in obs.columns else [])]
    d = d.assign(_x=d[column].astype(float))
    aggs = {"n": ("_x", "size"), "rate": ("_x", "mean")}
    if "abs_error" in d.columns:
        aggs["mae"] = ("abs_error", "mean")
    out = (
        d.groupby(["annotator", pd.Grouper(key="time", freq=freq), "guideline_version"], observed=True, sort=False)
        .agg(**aggs)
        .reset_index()
        .rename(columns={"time": "period"})
    )
    out = out.loc[out["n"] > 0]
    out["se"] = np.sqrt(out["rate"] * (1 - out["rate"]) / out["n"])
    rank = out["guideline_version"].map(_version_order(d))
    out = out.assign(_r=rank).sort_values(["annotator", "period", "_r"], kind="stable", ignore_index=True)
    first_of_version = ~out.duplicated(["annotator", "guideline_version"])
    first_of_annotator = ~out.duplicated(["annotator"])
    out["version_change"] = (first_of_version & ~first_of_annotator).to_numpy()
    cols = ["annotator", "period", "guideline_version", "n", "rate", "se"] + (["mae"] if "mae" in out else [])
    return out.loc[:, cols + ["version_change"]]


def agreement_by_version(obs: pd.DataFrame, *, column: str = "correct") -> pd.DataFrame:
    """Agreement rate per annotator per guideline version (versions in order of first use).

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator, guideline_version, n, rate, se, [mae], first_time, last_time``.
    """
    check_observations(obs, column)
    d = obs.loc[obs[column].notna()]
    d = d.assign(_x=d[column].astype(float))
    aggs = {"n": ("_x", "size"), "rate": ("_x", "mean"), "first_time": ("time", "min"), "last_time": ("time", "max")}
    if "abs_error" in d.columns:
        aggs["mae"] = ("abs_error", "mean")
    out = d.groupby(["annotator", "guideline_version"], observed=True, sort=False).agg(**aggs).reset_index()
    out["se"] = np.sqrt(out["rate"] * (1 - out["rate"]) / out["n"])
    out = out.assign(_r=out["guideline_version"].map(_version_order(d)))
    out = out.sort_values(["annotator", "_r"], kind="stable", ignore_index=True)
    cols = ["annotator", "guideline_version", "n", "rate", "se"] + (["mae"] if "mae" in out else [])
    return out.loc[:, cols + ["first_time", "last_time"]]


def rolling_agreement(obs: pd.DataFrame, *, column: str = "correct", window: int = 50) -> pd.DataFrame:
    """Per-observation moving agreement rate over each annotator's last ``window`` observations.

    Returns the observations (NaN values of ``column`` dropped, sorted by annotator and time)
    with a ``rolling_rate`` column, NaN until an annotator has ``window`` observations.
    Computed with cumulative sums, no per-row loop.

    Examples
    --------
    >>> obs = pd.DataFrame({"annotator": "a", "guideline_version": "v1",
    ...     "time": pd.date_range("2024-01-01", periods=4, freq="D"), "correct": [1, 0, 1, 1]})
    >>> rolling_agreement(obs, window=2)["rolling_rate"].tolist()
    [nan, 0.5, 0.5, 1.0]
    """
    check_observations(obs, column)
    if int(window) < 1:
        raise BadInput(f"window must be a positive number of observations, got {window!r}")
    d = obs.loc[obs[column].notna()].sort_values(["annotator", "time"], kind="stable", ignore_index=True)
    x = d[column].astype(float).to_numpy()
    pos = d.groupby("annotator", sort=False).cumcount().to_numpy()
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(len(x))
    ok = pos >= window - 1
    rate = np.full(len(x), np.nan)
    rate[ok] = (c[i[ok] + 1] - c[i[ok] + 1 - window]) / window
    d["rolling_rate"] = rate
    return d
