"""Drift (leads): control charts per annotator (all questions pooled, or one), guideline-version
changes marked, and label-distribution shift tests."""

from __future__ import annotations

import streamlit as st

from workbench.dashboard import cache, charts, ui, views


def render(ctx: ui.Context) -> None:
    st.title("Drift")
    rounds = cache.cached_rounds(*ctx.key)
    if rounds.empty:
        ui.empty("The history store holds no round yet.",
                 "`workbench round create TASK --kind calibration`, answer it in Argilla, then `workbench sync`.")
        return
    c1, c2 = st.columns(2)
    task = ui.qp_select("Task", views.labelling_tasks(rounds), "task", container=c1)
    meta = cache.cached_task_meta(*ctx.key, task)
    questions = ["(all questions)"] + sorted(meta.questions)
    q = ui.qp_select("Question", questions, "question", container=c2)
    view = cache.cached_drift(*ctx.key, task, None if q == "(all questions)" else q)
    if view.note:
        ui.empty("No control chart.", view.note)  # (fixed text)
    elif len(view.summary):
        if len(view.points):  # the monitored points (thinned for drawing when there are many)
            ui.figure(charts.control_chart(view.points, view.summary, view.version_changes,
                                           "Bernoulli CUSUM per annotator (disagreements with gold)"),
                      view.n_items, view.n_annotators, key="drift-cusum",
                      caption=ui.chart_basis(view.sample, ui.esc(view.chart_note) if view.chart_note else ""))
        else:
            ui.empty("Every annotator is still in the chart's baseline window.",
                     f"monitoring starts after {view.sample.n_baseline} gold answers per annotator; "
                     "keep gold items flowing into production rounds.")
        ui.table(view.summary, f"{task}-drift-summary",
                 caption="n_monitored: the gold answers drawn for the annotator (the Annotator page's count); "
                         "design: one-sided Bernoulli CUSUM for a 15-point accuracy drop, in-control ARL 2,000 "
                         "gold answers, baseline from the annotator's first gold answers (Jeffreys lower bound).")
        if len(view.alarms):
            st.error("Open alarms: " + ", ".join(f"{ui.esc(a)} (round {int(r)})" for a, r in
                                                  zip(view.alarms["annotator"], view.alarms["round"])))
    if len(view.against_bar):
        st.subheader("Against the task's bar")
        below = view.against_bar[view.against_bar["below_bar"]]
        if len(below):
            st.error("Below the task's bar: " + ", ".join(
                f"{ui.esc(a)} on {ui.esc(q)} ({x:.2f}, 95% CI up to {h:.2f}, bar {b:.2f})" for a, q, x, h, b in
                zip(below["annotator"], below["question"], below["agreement"], below["high"], below["bar"])))
        ui.table(view.against_bar, f"{task}-against-bar",
                 caption="Each annotator's agreement with gold in their latest round with gold, with its 95% Wilson "
                         "interval, against the task's min_gold_agreement: flagged when the whole interval lies "
                         "below the bar. Unlike the CUSUM above (each annotator against their own past, after a "
                         "baseline window), this sees someone who is poor from the first gold answer.")
    if len(view.version_changes):
        st.caption("Guideline changes: " + ", ".join(
            f"v{int(v)} from round {int(r)} ({t:%Y-%m-%d})" for v, t, r in
            zip(view.version_changes["guideline_version"], view.version_changes["time"], view.version_changes["round"])))
    st.subheader("Label-distribution shift")
    ui.problems(view.problems)
    if view.versions_compared and len(view.shift_versions):
        old, new = view.versions_compared
        ui.table(view.shift_versions, f"{task}-shift-v{old}-v{new}",
                 caption=f"Each annotator's labels under guideline v{old} against v{new} (chi-square homogeneity, "
                         "Cramer's V, Jensen-Shannon distance, Benjamini-Hochberg adjusted).")
    else:
        st.caption("Only one guideline version in the data: no before/after comparison.")
    if len(view.shift_team):
        ui.table(view.shift_team, f"{task}-shift-vs-team",
                 caption="Each annotator against everyone else over the whole task.")
