"""Plotly figures of the dashboard. Pure: tables in, ``plotly.graph_objects.Figure`` out.

Reliability bands are shown as colour *and* text (never colour alone): reliable (green),
tentative (amber), unreliable (red), undefined (grey).

Plotly reads a little HTML in every label (``<a href>``, ``<b>``, ``<br>``), and Argilla puts no
restriction on usernames, nor do tasks on labels: every name or label from the data goes through
:func:`plain` (HTML-escaped, which Plotly shows as typed).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

BAND_COLOURS = {"reliable": "#1a7f37", "tentative": "#b7791f", "unreliable": "#c53030", "undefined": "#718096"}
SERIES_COLOURS = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b", "#975a16", "#4a5568"]


def _layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(title=dict(text=plain(title), y=0.98, yanchor="top"), height=height + 30,
                      margin=dict(l=10, r=10, t=90, b=10), template="plotly_white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    return fig


def alpha_intervals(rows: pd.DataFrame) -> go.Figure:
    """Alpha per question with its bootstrap interval, coloured by band, thresholds as ticks.

    ``rows``: ``question, alpha, low, high, band, alpha_reliable, alpha_tentative``.
    """
    fig = go.Figure()
    for band, grp in rows.groupby("band", sort=False):
        err_hi = (grp["high"] - grp["alpha"]).where(grp["high"].notna())
        err_lo = (grp["alpha"] - grp["low"]).where(grp["low"].notna())
        fig.add_trace(go.Scatter(
            x=grp["alpha"], y=_plain_all(grp["question"]), mode="markers+text", name=band,
            text=[f"{a:.3f} {band}" if pd.notna(a) else "undefined" for a in grp["alpha"]],
            textposition="top center", marker=dict(size=14, color=BAND_COLOURS.get(band, "#718096"),
                                                   symbol="diamond"),
            error_x=dict(type="data", symmetric=False, array=err_hi.fillna(0), arrayminus=err_lo.fillna(0),
                         thickness=2, width=6)))
    fig.add_trace(go.Scatter(x=rows["alpha_reliable"], y=_plain_all(rows["question"]), mode="markers", name="reliable threshold",
                             marker=dict(symbol="line-ns-open", size=22, color=BAND_COLOURS["reliable"],
                                         line=dict(width=3))))
    fig.add_trace(go.Scatter(x=rows["alpha_tentative"], y=_plain_all(rows["question"]), mode="markers",
                             name="tentative threshold",
                             marker=dict(symbol="line-ns-open", size=22, color=BAND_COLOURS["tentative"],
                                         line=dict(width=3))))
    fig.update_xaxes(title="Krippendorff's alpha (95% bootstrap interval)", range=[min(-0.1, float(
        np.nanmin(rows["low"].fillna(rows["alpha"]).fillna(0).to_numpy(dtype=float))) - 0.05), 1.02])
    return _layout(fig, "Agreement per question against the task's thresholds", height=140 + 70 * len(rows))


def plain(value) -> str:
    """A name or label as Plotly must show it: HTML-escaped (``<a href=...>`` is shown, not a link).

    >>> plain('<a href="http://x.example">ana</a>')
    '&lt;a href="http://x.example"&gt;ana&lt;/a&gt;'
    """
    return html.escape(str(value), quote=False)


def _plain_all(values) -> list[str]:
    return [plain(v) for v in values]


def pair_heatmap(matrix: pd.DataFrame, n_common: pd.DataFrame, title: str, zmin: float = -0.2) -> go.Figure:
    """Annotator x annotator agreement (diagonal blank), with the items in common on hover."""
    z = matrix.to_numpy(dtype=float).copy()
    np.fill_diagonal(z, np.nan)
    text = [[("" if i == j or not np.isfinite(z[i, j]) else f"{z[i, j]:.2f}") for j in range(z.shape[1])]
            for i in range(z.shape[0])]
    fig = go.Figure(go.Heatmap(
        z=z, x=_plain_all(matrix.columns), y=_plain_all(matrix.index), zmin=zmin, zmax=1, colorscale="RdYlGn",
        text=text, texttemplate="%{text}", customdata=n_common.to_numpy(),
        hovertemplate="%{y} vs %{x}: %{z:.3f}<br>%{customdata} items in common<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=160 + 45 * len(matrix))


def count_heatmap(table: pd.DataFrame, title: str, xtitle: str, ytitle: str) -> go.Figure:
    """A count matrix (label confusion), counts written in the cells."""
    z = table.to_numpy(dtype=float)
    fig = go.Figure(go.Heatmap(z=z, x=_plain_all(table.columns), y=_plain_all(table.index),
                               colorscale="Blues", text=z.astype(int), texttemplate="%{text}",
                               hovertemplate=f"{ytitle} %{{y}}, {xtitle} %{{x}}: %{{z}}<extra></extra>"))
    fig.update_xaxes(title=xtitle)
    fig.update_yaxes(title=ytitle, autorange="reversed")
    return _layout(fig, title, height=200 + 40 * len(table))


def confused_pairs_matrix(pairs: pd.DataFrame, categories) -> pd.DataFrame:
    """The ``confused_pairs`` table as a symmetric label x label matrix of annotator-pair splits."""
    labels = [str(c) for c in categories]
    for a, b in zip(pairs["label_a"], pairs["label_b"]):
        for x in (a, b):
            if x not in labels:
                labels.append(x)
    m = pd.DataFrame(0, index=labels, columns=labels, dtype=int)
    for a, b, n in zip(pairs["label_a"], pairs["label_b"], pairs["pairs"]):
        m.loc[a, b] += int(n)
        m.loc[b, a] += int(n)
    return m


def _version_lines(fig: go.Figure, changes: pd.DataFrame) -> None:
    for rec in changes.itertuples(index=False):
        t = pd.Timestamp(rec.time)
        fig.add_vline(x=t.to_pydatetime(), line=dict(color="#4a5568", dash="dash", width=1))
        fig.add_annotation(x=t.to_pydatetime(), y=1.0, yref="paper", text=f"guideline v{int(rec.guideline_version)}",
                           showarrow=False, xanchor="left", font=dict(size=11, color="#4a5568"))


def rate_series(series: dict, changes: pd.DataFrame, title: str, ytitle: str) -> go.Figure:
    """Agreement rate over time, one line per named series (with +-1 standard error band)."""
    fig = go.Figure()
    for k, (name, s) in enumerate(series.items()):
        if s is None or s.empty:
            continue
        s = s.groupby("period", as_index=False).apply(
            lambda g: pd.Series({"rate": np.average(g["rate"], weights=g["n"]), "n": g["n"].sum()}),
            include_groups=False)
        se = np.sqrt(s["rate"] * (1 - s["rate"]) / s["n"])
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        fig.add_trace(go.Scatter(x=s["period"], y=s["rate"], mode="lines+markers", name=plain(name),
                                 line=dict(color=colour), customdata=s["n"],
                                 error_y=dict(type="data", array=se, thickness=1, color=colour),
                                 hovertemplate="%{x|%Y-%m-%d}: %{y:.2f} (n=%{customdata})<extra>" + plain(name) + "</extra>"))
    _version_lines(fig, changes)
    fig.update_yaxes(title=ytitle, range=[0, 1.05])
    fig.update_xaxes(title="week (dated by its Monday)")
    return _layout(fig, title)


def control_chart(points: pd.DataFrame, summary: pd.DataFrame, changes: pd.DataFrame, title: str) -> go.Figure:
    """CUSUM statistic per annotator against its decision limit; alarms marked; version changes as lines."""
    fig = go.Figure()
    mon = points[points["phase"] == "monitor"]
    for k, (ann, grp) in enumerate(mon.groupby("annotator", sort=True)):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        fig.add_trace(go.Scatter(x=grp["time"], y=grp["statistic"], mode="lines", name=plain(ann),
                                 line=dict(color=colour, width=1.5)))
        fig.add_trace(go.Scatter(x=grp["time"], y=grp["limit"], mode="lines", name=f"{plain(ann)} limit h",
                                 line=dict(color=colour, dash="dot", width=1), showlegend=False,
                                 hovertemplate="decision limit %{y:.2f}<extra>" + plain(ann) + "</extra>"))
        al = grp[grp["alarm"]]
        if len(al):
            fig.add_trace(go.Scatter(x=al["time"], y=al["statistic"], mode="markers", name=f"{plain(ann)} alarm",
                                     marker=dict(symbol="x", size=12, color="#c53030", line=dict(width=2))))
    _version_lines(fig, changes)
    fig.update_yaxes(title="CUSUM of disagreements with gold")
    fig.update_xaxes(title="time")
    return _layout(fig, title, height=420)


def distribution_bars(dist: pd.DataFrame, question: str) -> go.Figure:
    """Share of each label: the annotator against the rest of the team."""
    d = dist[dist["question"] == question]
    fig = go.Figure()
    for k, (who, grp) in enumerate(d.groupby("who", sort=False)):
        fig.add_trace(go.Bar(x=_plain_all(grp["value"]), y=grp["share"], name=plain(who), customdata=grp["n"],
                             marker_color=SERIES_COLOURS[k % len(SERIES_COLOURS)],
                             hovertemplate="%{x}: %{y:.0%} (%{customdata} answers)<extra>" + plain(who) + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="share of answers", tickformat=".0%")
    return _layout(fig, f"{plain(question)}: label distribution", height=320)


def version_alpha(by_version: pd.DataFrame) -> go.Figure:
    """Alpha per guideline version, one line per question, with intervals."""
    fig = go.Figure()
    for k, (q, grp) in enumerate(by_version.groupby("question", sort=True)):
        grp = grp.sort_values("guideline_version")
        a = grp["alpha"].astype(float)
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        fig.add_trace(go.Scatter(
            x=[f"v{int(v)}" for v in grp["guideline_version"]], y=a, mode="lines+markers", name=plain(q),
            line=dict(color=colour),
            error_y=dict(type="data", symmetric=False, array=(grp["high"].astype(float) - a).fillna(0),
                         arrayminus=(a - grp["low"].astype(float)).fillna(0))))
    fig.update_yaxes(title="Krippendorff's alpha")
    fig.update_xaxes(title="guideline version", type="category")
    return _layout(fig, "Team agreement per guideline version")


def judge_bars(table: pd.DataFrame, metric: str, title: str) -> go.Figure:
    """One bar per rater (judges highlighted) for ``metric``."""
    t = table.dropna(subset=[metric])
    colours = ["#6b46c1" if m == "judge" else "#a0aec0" for m in t["measured"]]
    fig = go.Figure(go.Bar(x=_plain_all(t["annotator"]), y=t[metric], marker_color=colours,
                           text=[f"{v:.2f}" for v in t[metric]], textposition="outside"))
    fig.update_yaxes(range=[min(0, float(t[metric].min()) - 0.05) if len(t) else 0, 1.1])
    return _layout(fig, title, height=320)
