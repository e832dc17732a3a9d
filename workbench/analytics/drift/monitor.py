"""Watching each annotator's gold stream for a sustained drop in agreement.

:func:`monitor_gold_agreement` runs, per annotator, a one-sided Bernoulli CUSUM on the
disagreements with gold (:mod:`~workbench.analytics.drift.cusum`), or an EWMA chart
(:mod:`~workbench.analytics.drift.ewma`), in these steps:

1. :func:`_options`: check the options (:class:`MonitorOptions`);
2. :func:`_streams`: each annotator's gold observations in time order, numbered (``seq``);
3. :func:`_baseline`: the accuracy the chart is designed on (:class:`Baseline`): given, the task's
   bar, or estimated from a calibration window (:func:`baseline_accuracy`, a Jeffreys lower bound
   after Gandy & Kvaloy 2013);
4. :func:`_cusum_trace` or :func:`_ewma_trace`: the chart over the monitored observations
   (:class:`ChartTrace`);
5. :func:`_summary`: one row per annotator with the alarms counted and the first one placed.

:func:`open_alarms` gives the alarms still open in each annotator's latest round.

Reference
---------
Gandy, A. & Kvaloy, J. T. (2013). Guaranteed conditional performance of control charts via
    bootstrap methods. *Scandinavian Journal of Statistics* 40(4), 647-668.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from workbench.analytics.drift.cusum import bernoulli_cusum_arl, cusum_lattice, cusum_restart, design_bernoulli_cusum
from workbench.analytics.drift.ewma import ewma
from workbench.analytics.drift.validation import check_observations
from workbench.errors import BadInput

__all__ = ["Baseline", "ChartMethod", "ChartTrace", "ControlChart", "MonitorOptions", "baseline_accuracy",
           "monitor_gold_agreement", "open_alarms"]

#: The charts :func:`monitor_gold_agreement` draws.
ChartMethod = Literal["cusum", "ewma"]

#: The columns of the observations the points table keeps, in this order, where present.
_POINT_COLUMNS = ("annotator", "time", "guideline_version", "item", "question", "correct")


@dataclass
class ControlChart:
    """Result of :func:`monitor_gold_agreement`.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per gold observation: ``annotator, seq, time, guideline_version, item,
        question, correct, phase`` (``"baseline"`` or ``"monitor"``), ``statistic``, ``limit``
        (constant for CUSUM, time-varying for EWMA), ``alarm`` (true where the chart
        signals). Baseline rows have NaN statistic.
    summary : pandas.DataFrame
        One row per annotator: ``annotator, baseline_accuracy, baseline_source, target_accuracy,
        n_baseline, n_monitored, n_alarms, first_alarm_seq, first_alarm_time,
        first_alarm_version``, and for CUSUM ``h, design_arl0, design_arl1, arl0_at_estimate,
        arl1_at_estimate`` (see :func:`monitor_gold_agreement`).
    method : {"cusum", "ewma"}
    params : dict
        The options the chart was made with.
    """

    points: pd.DataFrame
    summary: pd.DataFrame
    method: ChartMethod
    params: dict[str, object] = field(default_factory=dict)

    @property
    def alarms(self) -> pd.DataFrame:
        """The signal points only."""
        return self.points.loc[self.points["alarm"]].reset_index(drop=True)


def baseline_accuracy(window: ArrayLike, *, guarantee: float | None = 0.9) -> float:
    """In-control accuracy for a chart, from an annotator's calibration window of 0/1 agreements.

    With ``guarantee=None``: the point estimate ``(k + 1/2) / (n + 1)``. Otherwise the lower
    ``1 - guarantee`` quantile of the Jeffreys posterior ``Beta(k + 1/2, n - k + 1/2)``, so
    that the true accuracy is at least this value with probability about ``guarantee``.

    Examples
    --------
    >>> baseline_accuracy([1] * 9 + [0], guarantee=None)
    0.8636363636363636
    >>> round(baseline_accuracy([1] * 9 + [0], guarantee=0.9), 4) == round(float(stats.beta.ppf(0.1, 9.5, 1.5)), 4)
    True
    """
    x = np.asarray(window)
    n, k = len(x), int(np.count_nonzero(x))
    if n == 0:
        raise BadInput("the calibration window is empty")
    if guarantee is None:
        return (k + 0.5) / (n + 1)
    if not 0 < guarantee < 1:
        raise BadInput(f"guarantee must be in (0, 1) or None, got {guarantee!r}")
    return float(stats.beta.ppf(1 - guarantee, k + 0.5, n - k + 0.5))


@dataclass(frozen=True)
class MonitorOptions:
    """The options of :func:`monitor_gold_agreement`, checked (see its parameters)."""

    method: ChartMethod
    drop: float
    arl0: float
    baseline: float | Mapping[Hashable, float] | None
    baseline_n: int
    baseline_guarantee: float | None
    restart: bool
    lam: float
    L: float
    bar: float | None

    def params(self) -> dict[str, object]:
        """The chart's ``params``: what it was designed with (the EWMA's constants for EWMA)."""
        params: dict[str, object] = dict(drop=self.drop, arl0=self.arl0, baseline_n=self.baseline_n,
                                         baseline_guarantee=self.baseline_guarantee, restart=self.restart)
        if self.method == "ewma":
            params.update(lam=self.lam, L=self.L)
        return params


@dataclass(frozen=True)
class Baseline:
    """The in-control accuracy one annotator's chart is designed on.

    Attributes
    ----------
    accuracy : float
    n_baseline : int
        Observations of the calibration window (0 when the accuracy is given or the task's bar).
    source : str
        ``"given"``, ``"task bar"``, ``"estimated"`` or ``"estimated, <guarantee> lower bound"``.
    charted : bool
        False when the annotator has no observation beyond the window: no chart.
    """

    accuracy: float
    n_baseline: int
    source: str
    charted: bool = True


@dataclass(frozen=True)
class ChartTrace:
    """One annotator's chart over the monitored observations.

    Attributes
    ----------
    statistic, alarm : numpy.ndarray
        The statistic (CUSUM in its own units, or the EWMA) and where the chart signals.
    limit : numpy.ndarray or float
        The control limit (one number for CUSUM, time-varying for EWMA).
    target_accuracy : float
        The out-of-control accuracy the chart is designed to detect.
    run_lengths : dict
        CUSUM only: ``h, design_arl0, design_arl1, arl0_at_estimate, arl1_at_estimate``.
    """

    statistic: np.ndarray
    limit: np.ndarray | float
    alarm: np.ndarray
    target_accuracy: float
    run_lengths: dict[str, float] = field(default_factory=dict)


def _options(*, method: str, drop: float, arl0: float, baseline: float | Mapping[Hashable, float] | None,
             baseline_n: int, baseline_guarantee: float | None, restart: bool, lam: float, L: float,
             bar: float | None) -> MonitorOptions:
    """The options, checked in this order (the first bad one is named)."""
    if method not in ("cusum", "ewma"):
        raise BadInput(f"method must be 'cusum' or 'ewma', got {method!r}")
    if not 0 < drop < 1:
        raise BadInput(f"drop must be between 0 and 1 (0.15 = 15 points), got {drop!r}")
    if baseline_guarantee is not None and not 0 < baseline_guarantee < 1:
        raise BadInput(f"baseline_guarantee must be in (0, 1) or None, got {baseline_guarantee!r}")
    if int(baseline_n) < 1:
        raise BadInput(f"baseline_n must be a positive number of observations, got {baseline_n!r}")
    if bar is not None and not 0 < bar < 1:
        raise BadInput(f"bar must be an accuracy in (0, 1), got {bar!r}")
    return MonitorOptions(method=method, drop=drop, arl0=arl0, baseline=baseline, baseline_n=baseline_n,  # type: ignore[arg-type]
                          baseline_guarantee=baseline_guarantee, restart=restart, lam=lam, L=L, bar=bar)


def _streams(obs: pd.DataFrame) -> pd.DataFrame:
    """The points table before charting: observations by annotator then time, with ``seq``
    numbering each annotator's gold observations 0, 1, 2, ..."""
    d = obs.sort_values(["annotator", "time"], kind="stable", ignore_index=True)
    d = d.loc[:, [c for c in _POINT_COLUMNS if c in d.columns]]
    d.insert(1, "seq", d.groupby("annotator", sort=False).cumcount().to_numpy())
    return d


def _baseline(annotator: Hashable, x: np.ndarray, *, opts: MonitorOptions) -> Baseline:
    """The accuracy ``annotator``'s chart is designed on, from their 0/1 agreements ``x``: given,
    the task's bar (too few observations for a window), or estimated from the window."""
    known = opts.baseline.get(annotator) if isinstance(opts.baseline, Mapping) else opts.baseline
    if known is not None:
        if not 0 < known < 1:
            raise BadInput(f"baseline accuracy for annotator {annotator!r} must be in (0, 1), got {known!r}")
        return Baseline(float(known), 0, "given")
    if opts.bar is not None and len(x) <= opts.baseline_n:  # too few for a window: against the task's bar
        return Baseline(float(opts.bar), 0, "task bar")
    n_base = min(int(opts.baseline_n), len(x))
    acc0 = baseline_accuracy(x[:n_base], guarantee=opts.baseline_guarantee)
    src = "estimated" if opts.baseline_guarantee is None else f"estimated, {opts.baseline_guarantee:g} lower bound"
    return Baseline(acc0, n_base, src, charted=len(x) > opts.baseline_n)


def _cusum_trace(xm: np.ndarray, *, x: np.ndarray, accuracy: float, opts: MonitorOptions) -> ChartTrace:
    """The Bernoulli CUSUM on the disagreements of the monitored observations ``xm`` (of all the
    annotator's observations ``x``), designed on ``accuracy``."""
    # Error rate p0 kept where a drop of `drop` is still a valid rate and the LLR is finite.
    p0 = min(max(1 - accuracy, 0.005), 0.995 - opts.drop)
    des = design_bernoulli_cusum(round(p0, 4), round(p0 + opts.drop, 4), arl0=opts.arl0)
    if opts.restart:
        t, sig = cusum_restart(1 - xm, des.m, des.a, des.H)
    else:
        t = cusum_lattice(1 - xm, des.m, des.a)
        above = t >= des.H
        sig = above & ~np.concatenate([[False], above[:-1]])
    est = baseline_accuracy(x, guarantee=None)  # all of the annotator's answers
    p_est = min(max(1 - est, 0.0), 1.0)
    return ChartTrace(statistic=t / des.m, limit=des.h, alarm=sig, target_accuracy=1 - (p0 + opts.drop),
                      run_lengths=dict(h=des.h, design_arl0=des.arl0, design_arl1=des.arl1,
                                       arl0_at_estimate=bernoulli_cusum_arl(p_est, des),
                                       arl1_at_estimate=bernoulli_cusum_arl(min(p_est + opts.drop, 1.0), des)))


def _ewma_trace(xm: np.ndarray, *, accuracy: float, opts: MonitorOptions) -> ChartTrace:
    """The lower-sided EWMA of the monitored 0/1 agreements ``xm`` around ``accuracy``; an alarm
    where it first crosses below the limit."""
    sigma = math.sqrt(accuracy * (1 - accuracy))
    z, lcl, _ = ewma(xm, mu0=accuracy, sigma=sigma, lam=opts.lam, L=opts.L)
    below = z < lcl
    return ChartTrace(statistic=z, limit=lcl, alarm=below & ~np.concatenate([[False], below[:-1]]),
                      target_accuracy=accuracy - opts.drop)


def _summary(points: pd.DataFrame, rows: list[dict[str, object]]) -> pd.DataFrame:
    """The summary: one row per annotator, with the alarms counted and the first one placed."""
    summary = pd.DataFrame(rows)
    first = points.loc[points["alarm"]].drop_duplicates("annotator")
    counts = points.groupby("annotator", sort=False)["alarm"].sum()
    summary["n_alarms"] = summary["annotator"].map(counts).fillna(0).astype(int)
    first = first.set_index("annotator")
    summary["first_alarm_seq"] = summary["annotator"].map(first["seq"]).astype("Int64")
    summary["first_alarm_time"] = summary["annotator"].map(first["time"])
    summary["first_alarm_version"] = summary["annotator"].map(first["guideline_version"])
    return summary


def monitor_gold_agreement(
    obs: pd.DataFrame,
    *,
    method: ChartMethod = "cusum",
    drop: float = 0.15,
    arl0: float = 2000.0,
    baseline: float | Mapping[Hashable, float] | None = None,
    baseline_n: int = 200,
    baseline_guarantee: float | None = 0.9,
    restart: bool = True,
    lam: float = 0.1,
    L: float = 3.0,
    bar: float | None = None,
) -> ControlChart:
    """Watch each annotator's "agreed with gold" stream for a sustained drop.

    Parameters
    ----------
    obs : pandas.DataFrame
        Output of :func:`gold_observations` (needs ``annotator, time, correct``).
    method : {"cusum", "ewma"}
        ``"cusum"`` (default, recommended): one-sided Bernoulli CUSUM on disagreements with
        gold, designed for a rise of the error rate from ``1 - baseline`` to
        ``1 - baseline + drop`` with in-control ARL ``arl0``. ``"ewma"``: lower-sided EWMA of
        the 0/1 agreement with limits ``mu0 - L sigma sqrt(...)``, ``sigma = sqrt(mu0 (1 - mu0))``
        (normal-theory limits, whose false-alarm rate on 0/1 data is not the nominal one: see
        docs/drift.md).
    drop : float
        Accuracy drop to detect (0.15 = 15 points).
    arl0 : float
        CUSUM in-control average run length, in gold observations.
    baseline : float or dict, optional
        Known in-control accuracy (one number, or per annotator; annotators missing from the
        dict are estimated). Where it is given, every observation is monitored. Otherwise the
        accuracy is estimated from the annotator's first ``baseline_n`` gold observations (the
        calibration window) and monitoring starts after them.
    baseline_n : int
        Size of the calibration window. Annotators with fewer observations get no chart
        (``n_monitored = 0``).
    baseline_guarantee : float or None
        How the estimated baseline is turned into the chart's in-control accuracy. A chart
        designed on an *optimistic* estimate raises false alarms again and again, so by default
        the accuracy used is the lower ``1 - baseline_guarantee`` quantile of the Jeffreys
        posterior ``Beta(k + 1/2, n - k + 1/2)`` (k agreements in the n window observations):
        with probability about ``baseline_guarantee`` the true error rate is at most the
        designed ``p0``, and then the true in-control ARL is at least ``arl0`` (the idea of
        guaranteed conditional performance, Gandy & Kvaloy 2013, here with a parametric bound
        instead of their bootstrap). ``None`` uses the point estimate ``(k + 1/2) / (n + 1)``:
        faster detection, but about half the annotators then get a chart whose real ARL is
        below ``arl0`` (see docs/drift.md).
    restart : bool
        CUSUM only: reset the statistic to 0 after each signal (so every alarm is a fresh
        detection). Without restart only the first crossing of each excursion is an alarm.
    lam, L : float
        EWMA smoothing constant and limit width.
    bar : float, optional
        The task's bar (its gate's minimum gold agreement). An annotator with no more than
        ``baseline_n`` gold observations - a small programme, or someone new - has no window to
        estimate a baseline from; with ``bar`` given, their chart is designed on the bar as the
        in-control accuracy and monitors from their first gold answer (``baseline_source`` "task
        bar"): it alarms when the annotator runs ``drop`` below the bar, so a collapse from 0.85
        to 0.20 at answer 10 alarms within a few answers, and an annotator above the bar alarms
        less often than ``arl0`` says. Without ``bar`` they get no chart (``n_monitored = 0``).

    Returns
    -------
    ControlChart
        The summary's ``design_arl0, design_arl1`` are the chart's run lengths at the accuracy it
        was designed for (the lower bound of the baseline, or the bar); ``arl0_at_estimate,
        arl1_at_estimate`` are its expected run lengths at the annotator's estimated accuracy
        ``(k + 1/2)/(n + 1)`` and that minus ``drop``: what to expect of this chart as it runs
        (longer than the design's, since the design uses a lower bound).
    """
    check_observations(obs, "correct")
    opts = _options(method=method, drop=drop, arl0=arl0, baseline=baseline, baseline_n=baseline_n,
                    baseline_guarantee=baseline_guarantee, restart=restart, lam=lam, L=L, bar=bar)
    d = _streams(obs)
    x_all = d["correct"].to_numpy().astype(np.int64)
    n = len(d)
    stat = np.full(n, np.nan)
    limit = np.full(n, np.nan)
    alarm = np.zeros(n, dtype=bool)
    phase = np.full(n, "monitor", dtype=object)
    rows: list[dict[str, object]] = []
    for ann, idx in d.groupby("annotator", sort=False).indices.items():
        x = x_all[idx]
        base = _baseline(ann, x, opts=opts)
        if not base.charted:
            phase[idx] = "baseline"
            rows.append(dict(annotator=ann, baseline_accuracy=base.accuracy, baseline_source=base.source,
                             target_accuracy=np.nan, n_baseline=base.n_baseline, n_monitored=0, n_alarms=0))
            continue
        phase[idx[:base.n_baseline]] = "baseline"
        mon = idx[base.n_baseline:]
        xm = x[base.n_baseline:]
        if opts.method == "cusum":
            trace = _cusum_trace(xm, x=x, accuracy=base.accuracy, opts=opts)
        else:
            trace = _ewma_trace(xm, accuracy=base.accuracy, opts=opts)
        stat[mon] = trace.statistic
        limit[mon] = trace.limit
        alarm[mon] = trace.alarm
        rows.append(dict(annotator=ann, baseline_accuracy=base.accuracy, baseline_source=base.source,
                         n_baseline=base.n_baseline, n_monitored=len(xm), target_accuracy=trace.target_accuracy,
                         **trace.run_lengths))
    d["phase"] = phase
    d["statistic"] = stat
    d["limit"] = limit
    d["alarm"] = alarm
    return ControlChart(points=d, summary=_summary(d, rows), method=opts.method, params=opts.params())


def open_alarms(chart: ControlChart | None, obs: pd.DataFrame) -> pd.DataFrame:
    """Annotators whose chart signalled in the latest round they have gold judgements in: the
    open drift alarms (the dashboard's Drift page shows them; ``workbench export`` leaves their
    answers out). ``chart`` is :func:`monitor_gold_agreement`'s result on ``obs``
    (:func:`gold_observations`); columns ``annotator, round, first_alarm_time, n_alarms``."""
    if chart is None or chart.alarms.empty:
        return pd.DataFrame(columns=["annotator", "round", "first_alarm_time", "n_alarms"])
    pts = chart.points.merge(obs[["annotator", "seq", "round"]], on=["annotator", "seq"], how="left")
    last = pts.groupby("annotator")["round"].max()
    al = pts[pts["alarm"]]
    al = al[al["round"] == al["annotator"].map(last)]
    if al.empty:
        return pd.DataFrame(columns=["annotator", "round", "first_alarm_time", "n_alarms"])
    out = al.groupby("annotator").agg(round=("round", "max"), first_alarm_time=("time", "min"),
                                      n_alarms=("alarm", "size")).reset_index()
    return out
