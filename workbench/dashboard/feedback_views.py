"""The Feedback page's views (leads only): production feedback over time, its thumbs-down rate with
an interval, edit sizes, and how far the experts' review of it has got.

Pure: tables in, tables out; no Streamlit, no store. The page (``pages/feedback.py``) reads the
feedback store (:class:`workbench.feedback.store.FeedbackStore`) and the feedback review rounds
(:func:`workbench.feedback.review.reviewed_feedback`) and draws what these functions return. The
numbers are :mod:`workbench.analytics.feedback`'s (the rate and its Wilson interval, edit sizes)
and :func:`workbench.analytics.training_formats.feedback_verdicts` (what the export makes of a
reviewed record), so the page, ``workbench feedback summary`` and the export agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.analytics.feedback import edit_table, summarize
from workbench.analytics.training_formats import FEEDBACK_VERDICTS, feedback_verdicts

#: Event types on the timeline, in legend order.
EVENT_TYPES = ("answer", "thumb up", "thumb down", "edit", "rejection")
#: Bucket of the timeline by the span of the events: days up to 62 days, weeks up to two years, else months.
PERIODS = ((62, "D", "day"), (731, "W", "week"), (None, "M", "month"))

RATE_COLUMNS = ("model version", "interactions", "thumbs", "thumbs down", "down rate", "95% interval low",
                "95% interval high", "edits", "substantive edits", "median edit tokens", "rejections")
PROGRESS_COLUMNS = ("task", "kind", "dataset", "records", "reviewed", "share reviewed", *FEEDBACK_VERDICTS[:3],
                    "unreviewed", "exported")


@dataclass
class FeedbackView:
    """``timeline``: ``period, event, model_version, events`` (counts per bucket); ``rates``: one row
    per model version and one ``all`` (:data:`RATE_COLUMNS`); ``edits``: the edits whose
    interaction is imported, with ``edit_tokens, edit_ratio, edit_class, model_version``;
    ``edit_classes``: ``edit class, edits``."""

    n_interactions: int
    n_signals: int
    waiting: int  # signals whose interaction is not imported yet
    period: str  # "day", "week" or "month"
    timeline: pd.DataFrame
    rates: pd.DataFrame
    edits: pd.DataFrame
    edit_classes: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.n_interactions == 0 and self.n_signals == 0


def event_type(kind: pd.Series, label: pd.Series) -> pd.Series:
    """A signal's type on the timeline: ``thumb up``/``thumb down`` (by ``label``), ``edit``, ``rejection``."""
    out = kind.map({"edit": "edit", "rejection": "rejection"})
    thumbs = kind == "thumbs"
    out[thumbs] = label[thumbs].map({1: "thumb up", 0: "thumb down"})
    return out


def choose_period(times: pd.Series) -> tuple[str, str]:
    """``(pandas frequency, name)`` of the timeline's bucket for events at ``times`` (:data:`PERIODS`)."""
    span = (times.max() - times.min()).days if len(times) else 0
    return next((freq, name) for days, freq, name in PERIODS if days is None or span <= days)


def _bucket(times: pd.Series, freq: str) -> pd.Series:
    return times.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period(freq).dt.start_time


def timeline(interactions: pd.DataFrame, signals: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Events per ``freq`` bucket (start of the day/week/month, UTC), type and model version: each
    interaction is an ``answer`` at its time; each signal counts at its own time, with its
    interaction's model version (``(unknown)`` when there is none or it is not imported yet)."""
    parts = [pd.DataFrame({"time": interactions["occurred_at"], "event": "answer",
                           "model_version": interactions["model_version"]})]
    if len(signals):
        parts.append(pd.DataFrame({"time": signals["occurred_at"], "event": event_type(signals["kind"], signals["label"]),
                                   "model_version": signals["model_version"]}))
    ev = pd.concat(parts, ignore_index=True)
    ev = ev[ev["event"].notna()]
    if ev.empty:
        return pd.DataFrame(columns=["period", "event", "model_version", "events"])
    ev["model_version"] = ev["model_version"].fillna("(unknown)").astype(str)
    ev["period"] = _bucket(ev["time"], freq)
    out = ev.groupby(["period", "event", "model_version"]).size().rename("events").reset_index()
    order = {e: i for i, e in enumerate(EVENT_TYPES)}
    return out.sort_values(["period", "event", "model_version"], key=lambda s: s.map(order) if s.name == "event" else s,
                           kind="stable").reset_index(drop=True)


def _rates(interactions: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    overall = summarize(interactions, signals)
    by_version = summarize(interactions, signals, "model_version")
    both = pd.concat([overall.rename(index={"all": "(all)"}), by_version])
    out = pd.DataFrame({
        "model version": both.index.astype(str), "interactions": both["interactions"].to_numpy(),
        "thumbs": both["thumbs"].to_numpy(), "thumbs down": both["thumbs_down"].to_numpy(),
        "down rate": both["down_rate"].to_numpy(), "95% interval low": both["down_low"].to_numpy(),
        "95% interval high": both["down_high"].to_numpy(), "edits": both["edits"].to_numpy(),
        "substantive edits": both["substantive_edits"].to_numpy(),
        "median edit tokens": both["median_edit_tokens"].to_numpy(), "rejections": both["rejections"].to_numpy()})
    return out[list(RATE_COLUMNS)].reset_index(drop=True)


def feedback_view(interactions: pd.DataFrame, signals: pd.DataFrame) -> FeedbackView:
    """The page's figures from the feedback store's ``interactions`` and ``signals`` tables
    (:meth:`FeedbackStore.interactions`, :meth:`FeedbackStore.signals`)."""
    edits_mask = (signals["kind"] == "edit") & signals["output"].notna()
    edits = signals[edits_mask]
    table = edit_table(edits["output"].tolist(), edits["edit"].tolist())
    table.index = edits.index
    signals = signals.join(table)
    edit_rows = signals.loc[edits_mask, ["edit_tokens", "edit_ratio", "edit_class", "model_version"]] \
        .assign(model_version=lambda d: d["model_version"].fillna("(unknown)").astype(str)).reset_index(drop=True)
    classes = edit_rows["edit_class"].value_counts().rename_axis("edit class").rename("edits").reset_index()
    times = pd.concat([interactions["occurred_at"], signals["occurred_at"]], ignore_index=True)
    freq, name = choose_period(times)
    return FeedbackView(
        n_interactions=len(interactions), n_signals=len(signals), waiting=int((~signals["has_interaction"]).sum()),
        period=name, timeline=timeline(interactions, signals, freq), rates=_rates(interactions, signals),
        edits=edit_rows, edit_classes=classes)


def review_progress(reviews) -> pd.DataFrame:
    """One row per feedback review dataset: records pushed, how many an expert answered, the
    verdicts (:func:`feedback_verdicts`) and how many the export takes (the accepted ones).

    ``reviews``: ``(task, ReviewedFeedback)`` pairs (:func:`workbench.feedback.review.reviewed_feedback`)."""
    rows = []
    for task, rev in reviews:
        v = feedback_verdicts(rev.records["item"].tolist(), rev.answers)
        n = len(v)
        counts = {k: int((v == k).sum()) for k in FEEDBACK_VERDICTS}
        reviewed = n - counts["unreviewed"]
        rows.append({"task": task, "kind": rev.kind, "dataset": ", ".join(rev.datasets), "records": n,
                     "reviewed": reviewed, "share reviewed": reviewed / n if n else float("nan"),
                     **{k: counts[k] for k in FEEDBACK_VERDICTS[:3]}, "unreviewed": counts["unreviewed"],
                     "exported": counts["accepted"]})
    return pd.DataFrame(rows, columns=list(PROGRESS_COLUMNS))
