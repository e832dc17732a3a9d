"""Feedback (leads): production feedback imported with `workbench feedback import` - events over time
by type and model version, the thumbs-down rate with its Wilson interval, edit sizes - and how far
the experts' review of the feedback pushed with `workbench feedback seeds --push` has got.

Reads the feedback store (``<home>/feedback/feedback.sqlite3``, texts redacted at import; the page
shows counts only, never a text) and the feedback review rounds of the history store the user may
see (``<task>-feedback``, in the experts' workspace ``<task>-review``). Uncached: the feedback
store is read on each view.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from workbench.dashboard import cache, feedback_views, ui

ALL_VERSIONS = "(all model versions)"


def _feedback_tables():
    """The feedback store's tables, or None when nothing was imported (the store is not created here)."""
    from workbench.feedback.store import FILE_NAME, FeedbackStore, default_dir

    if not (default_dir() / FILE_NAME).is_file():
        return None
    with FeedbackStore() as store:
        return store.interactions(), store.signals()


def _timeline_chart(view: feedback_views.FeedbackView, version: str) -> go.Figure:
    t = view.timeline if version == ALL_VERSIONS else view.timeline[view.timeline["model_version"] == version]
    t = t.groupby(["period", "event"], sort=False)["events"].sum().reset_index()
    fig = go.Figure([go.Bar(x=g["period"], y=g["events"], name=event)
                     for event in feedback_views.EVENT_TYPES if len(g := t[t["event"] == event])])
    fig.update_layout(barmode="group", title=f"Events per {view.period}" + ("" if version == ALL_VERSIONS else f", {version}"),
                      xaxis_title=f"{view.period} (UTC)", yaxis_title="events", height=360,
                      margin=dict(l=40, r=20, t=60, b=40))
    return fig


def _rate_chart(rates) -> go.Figure:
    r = rates[rates["thumbs"] > 0]
    fig = go.Figure(go.Scatter(
        x=r["down rate"], y=r["model version"], mode="markers",
        error_x=dict(type="data", symmetric=False, array=r["95% interval high"] - r["down rate"],
                     arrayminus=r["down rate"] - r["95% interval low"])))
    fig.update_layout(title="Thumbs-down rate with its 95% Wilson interval", xaxis_title="share of thumbs down",
                      xaxis_range=[0, 1], height=120 + 40 * len(r), margin=dict(l=40, r=20, t=60, b=40))
    return fig


def _edit_chart(edits) -> go.Figure:
    fig = go.Figure([go.Histogram(x=g["edit_tokens"], name=cls)
                     for cls, g in edits.groupby("edit_class", sort=True)])
    fig.update_layout(barmode="stack", title="Edit size (token-level Levenshtein distance)",
                      xaxis_title="tokens changed", yaxis_title="edits", height=360, margin=dict(l=40, r=20, t=60, b=40))
    return fig


def _review_section(ctx: ui.Context) -> None:
    from workbench.feedback.review import REVIEW_KINDS, reviewed_feedback, round_kind

    st.header("Expert review of the feedback")
    rounds = cache.cached_rounds(*ctx.key)
    kinds = {round_kind(k): k for k in REVIEW_KINDS}
    fb = rounds[rounds["kind"].isin(list(kinds)) & rounds["task"].str.endswith("-feedback")] if len(rounds) else rounds
    if fb is None or fb.empty:
        ui.empty("No feedback has been pushed for review (or none in your workspaces).",
                 "`workbench feedback seeds TASK --kind dpo --push`, let the experts answer in Argilla, then "
                 "`workbench sync`.")
        return
    store = cache.get_store(ctx.source)
    reviews, ids = [], []
    for key, kind in sorted({(t, kinds[k]) for t, k in zip(fb["task"], fb["kind"])}):
        task = key.removesuffix("-feedback")
        rev = reviewed_feedback(store, task, kind)
        if rev is not None:
            reviews.append((task, rev))
            ids.append(fb.loc[(fb["task"] == key) & (fb["kind"] == round_kind(kind)), "dataset_id"].iloc[0])
    table = feedback_views.review_progress(reviews)
    config = None
    if ctx.argilla_url and not ctx.source.demo:
        table["open in Argilla"] = [f"{ctx.argilla_url}/dataset/{i}/annotation-mode" for i in ids]
        config = {"open in Argilla": ui.LINK_COLUMN}
    ui.table(table, "feedback-review-progress", column_config=config,
             caption="reviewed: records an expert answered; accepted: every expert who answered said yes - only "
                     "these reach `workbench export TASK --format dpo|kto` (exported); rejected: an expert said "
                     "no; unsure: otherwise. Figures as of the last `workbench sync`.")


def render(ctx: ui.Context) -> None:
    if not ctx.user.is_lead:  # (the menu does not offer it; a typed URL is refused by the shell too)
        raise PermissionError("the Feedback page is for annotation leads (owner or admin)")
    st.title("Feedback")
    tables = _feedback_tables()
    view = feedback_views.feedback_view(*tables) if tables is not None else None
    if view is None or view.empty:
        ui.empty("No production feedback has been imported.",
                 "`workbench feedback import FILE --from langsmith|helicone|weave|jsonl` (see docs/feedback.md).")
    else:
        st.markdown(f"**{view.n_interactions:,}** model answers and **{view.n_signals:,}** feedback events "
                    "(thumbs, edits, rejections) imported; texts are redacted and not shown here.")
        if view.waiting:
            st.caption(f"{ui.plural(view.waiting, 'feedback event')} wait for their answer (not imported yet).")
        versions = sorted(set(view.timeline["model_version"]))
        version = ui.qp_select("Model version", [ALL_VERSIONS, *versions], "model_version")
        shown = view.timeline if version == ALL_VERSIONS else view.timeline[view.timeline["model_version"] == version]
        ui.figure(_timeline_chart(view, version), 0, 0, key="feedback-timeline",
                  caption=f"Based on {ui.plural(int(shown['events'].sum()), 'event')}, counted at their own time, "
                          f"per {view.period} (UTC).")
        rates = view.rates
        if (rates["thumbs"] > 0).any():
            r = rates[rates["thumbs"] > 0]
            ui.figure(_rate_chart(rates), 0, 0, key="feedback-rate",
                      caption=f"Based on {ui.plural(int(r['thumbs'].iloc[0]), 'thumb')} (the latest per answer); "
                              "the Wilson score interval stays meaningful for few thumbs and rates near 0 or 1.")
        ui.table(rates, "feedback-rates", column_config=ui.number_columns(
            ["down rate", "95% interval low", "95% interval high"]))
        if len(view.edits):
            ui.figure(_edit_chart(view.edits), 0, 0, key="feedback-edits",
                      caption=f"Based on {ui.plural(len(view.edits), 'edit')}; only substantive edits become DPO "
                              "pairs (whitespace, punctuation and PII-only edits are left out).")
            ui.table(view.edit_classes, "feedback-edit-classes")
    _review_section(ctx)
