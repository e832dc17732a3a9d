"""Each annotator against the task's bar (its gate's minimum gold agreement), from the first answer.

:func:`against_bar` gives the share of gold answers agreed with in the annotator's latest round,
its Wilson score interval, and whether the interval lies below the bar; :func:`pooled_bar` is the
bar of a chart pooled over questions.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from workbench.errors import BadInput

__all__ = ["BAR_COLUMNS", "against_bar", "pooled_bar"]

BAR_COLUMNS = ("annotator", "question", "round", "n_gold", "agreement", "low", "high", "bar", "below_bar")


def against_bar(obs: pd.DataFrame | None, bars: float | Mapping[str, float], *,
                confidence: float = 0.95) -> pd.DataFrame:
    """Each annotator's agreement with gold against the task's own bar, from the first gold answer.

    The CUSUM watches an annotator against their *own* past, so someone poor from the start never
    alarms, and it starts only after a baseline window. This check needs neither: per annotator
    and question, in the latest round the annotator has gold answers in, the share of gold
    answers agreed with and its Wilson score interval; ``below_bar`` is True when the interval's
    upper bound lies below the task's bar (``min_gold_agreement``), i.e. the annotator is below
    the bar at this confidence, however few answers there are (few answers give a wide interval,
    so they flag only a clear shortfall). One look at the current data: looking again after every
    answer raises the false-alarm rate above ``1 - confidence`` (docs/drift.md).

    Parameters
    ----------
    obs : pandas.DataFrame
        :func:`gold_observations` (``annotator, question, round, correct``).
    bars : float or mapping
        The bar, or question -> bar (questions missing from the mapping are left out).
    confidence : float
        Two-sided coverage of the interval.

    >>> obs = pd.DataFrame({"annotator": ["c"] * 10 + ["a"] * 10, "question": "q", "round": 1,
    ...                     "correct": [True] * 2 + [False] * 8 + [True] * 9 + [False]})
    >>> against_bar(obs, 0.75)[["annotator", "n_gold", "agreement", "below_bar"]]
      annotator  n_gold  agreement  below_bar
    0         a      10        0.9      False
    1         c      10        0.2       True
    """
    if not 0 < confidence < 1:
        raise BadInput(f"confidence: must be within (0, 1); got {confidence!r}")
    if obs is None or len(obs) == 0:
        return pd.DataFrame(columns=list(BAR_COLUMNS))
    df = obs[["annotator", "question", "round", "correct"]]
    if not isinstance(bars, (int, float)):
        df = df[df["question"].isin(list(bars))]
    last = df.groupby("annotator")["round"].transform("max")
    df = df[df["round"] == last]
    g = df.groupby(["annotator", "question"], sort=True).agg(round=("round", "max"), n_gold=("correct", "size"),
                                                             k=("correct", "sum")).reset_index()
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    n = g["n_gold"].to_numpy(dtype=float)
    p = g["k"].to_numpy(dtype=float) / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    bar = g["question"].map(lambda q: float(bars) if isinstance(bars, (int, float)) else float(bars[q]))
    out = g.assign(agreement=p, low=np.clip(centre - half, 0, 1), high=np.clip(centre + half, 0, 1), bar=bar)
    out["below_bar"] = out["high"] < out["bar"]
    return out[list(BAR_COLUMNS)].reset_index(drop=True)


def pooled_bar(bars: float | Mapping[str, float | None] | None) -> float | None:
    """The bar of a chart pooled over questions: the lowest of the questions' bars (a pooled
    stream below it is below every question's bar), None without bars.

    >>> pooled_bar({"quality": 0.7, "safety": 0.8}), pooled_bar({})
    (0.7, None)
    """
    values = [float(v) for v in (bars.values() if isinstance(bars, Mapping) else [bars]) if v is not None]
    return min(values) if values else None
