"""Annotator: one person's agreement with the team and with gold over time, their labels against
the team's, their drift alarms, and the gold items where they answered differently.

An annotator sees only their own page: there is no selector, and a URL naming someone else is
refused (the data layer refuses too)."""

from __future__ import annotations

import streamlit as st

from workbench.dashboard import access, cache, charts, ui, views


def _task(ctx: ui.Context):
    rounds = cache.cached_rounds(*ctx.key)
    if rounds.empty:
        ui.empty("The history store holds no round yet.",
                 "`workbench round create TASK --kind calibration`, answer it in Argilla, then `workbench sync`.")
        return None
    return ui.qp_select("Task", views.labelling_tasks(rounds), "task")


def render(ctx: ui.Context) -> None:
    st.title("Annotator")
    task = _task(ctx)
    if task is None:
        return
    user = ctx.user
    if user.is_lead:
        meta = cache.cached_task_meta(*ctx.key, task)
        if not meta.annotators:
            ui.empty(f"No submitted answer for task {ui.esc(repr(task))} yet.",
                     "annotators answer in Argilla; then `workbench sync`.")
            return
        annotator = ui.qp_select("Annotator", list(meta.annotators), "annotator")
    else:
        asked = st.query_params.get("annotator")
        if asked is not None and not access.may_see_annotator(user, asked):
            st.error(f"You can see only your own figures ({ui.esc(user.username)}), not {ui.esc(asked)}'s.")
            return
        annotator = user.username
        st.query_params["annotator"] = annotator
    view = cache.cached_annotator(*ctx.key, task, annotator, user.username, user.role)
    if view.n_judgements == 0:
        ui.empty(f"{ui.esc(annotator)} has no submitted answer in task {ui.esc(repr(task))}.",
                 "answers appear here after the annotator submits them in Argilla and `workbench sync` runs.")
        return
    st.markdown(f"**{ui.esc(annotator)}**: {view.n_judgements} answers on {view.n_items} items in {ui.code(task)}.")
    ui.problems(view.problems)

    if len(view.alarms):
        st.error(f"Drift alarm: the gold-agreement chart signalled in round {int(view.alarms['round'].iloc[0])} "
                 f"(first at {view.alarms['first_alarm_time'].iloc[0]:%Y-%m-%d %H:%M}). Review the items below "
                 "and the current guideline.")
    elif len(view.chart_summary):
        s = view.chart_summary.iloc[0]
        if int(s.get("n_monitored", 0) or 0) == 0:
            st.info(f"No drift chart yet: the first {int(s['n_baseline'])} gold answers calibrate it "
                    "(the baseline window); monitoring starts after them.")
        else:
            st.success(f"No open drift alarm ({ui.chart_sample_text(view.chart_sample)}).")

    st.subheader("Agreement over time")
    series = {f"{annotator} vs gold": view.gold_series, f"{annotator} vs team majority": view.team_series}
    series["team (others) vs gold"] = view.team_gold_series  # an aggregate, shown to everyone
    if any(len(s) for s in series.values()):
        parts = [ui.plural(view.n_series_gold_items, "gold item")] if view.n_series_gold_items else []
        if view.n_series_team_items:
            parts.append(ui.plural(view.n_series_team_items, "item") + " with a team answer")
        based = (f"Based on {' and '.join(parts)}" + (f" of {view.series_rounds}" if view.series_rounds else "")
                 + f" and {ui.plural(view.n_team_annotators, 'annotator')}; gold: answers on items with an expert "
                 "answer; team: the majority of the other annotators on the same item in the same round.")
        ui.figure(charts.rate_series(series, view.version_changes, "Agreement with gold and with the team, per week",
                                     "share of answers agreeing"),
                  view.n_series_gold_items, view.n_team_annotators, key="ann-series", caption=based)
    else:
        ui.empty("No answer on a gold item and no item shared with other annotators yet.",
                 "mix gold items into production rounds (`gold_rate` in the task) and set the expert's answers.")

    if len(view.chart_points) and (view.chart_points["phase"] == "monitor").any():
        ui.figure(charts.control_chart(view.chart_points, view.chart_summary, view.version_changes,
                                       f"{annotator}: Bernoulli CUSUM of disagreements with gold"),
                  view.n_chart_items, 1, key="ann-cusum",
                  caption=ui.chart_basis(view.chart_sample, "an alarm when the line crosses its dotted limit"
                                         + (f"; {ui.esc(view.chart_note)}" if view.chart_note else "")))

    st.subheader("Labels against the team")
    for q in sorted(view.distribution["question"].unique()):
        d = view.distribution[view.distribution["question"] == q]
        own, rest = int(d.loc[d["who"] == annotator, "n"].sum()), int(d.loc[d["who"] != annotator, "n"].sum())
        ui.figure(charts.distribution_bars(d, q), view.n_items_by_question.get(q, 0), view.n_team_annotators,
                  f"{ui.plural(own, 'answer')} by {ui.esc(annotator)}"
                  + (f", {ui.plural(rest, 'answer')} by the others" if rest else ""), key=f"dist-{q}",
                  rounds=view.rounds)
    if len(view.shift):
        ui.table(view.shift, f"{task}-{annotator}-label-shift-vs-team",
                 caption="Chi-square test of your label distribution against everyone else's on the same task "
                         "(Benjamini-Hochberg adjusted p-values). Different items can explain a difference.")

    _review_section(ctx, task, annotator)

    st.subheader("Gold items answered differently from the expert")
    if len(view.differed):
        t = view.differed.copy()
        for c in ("value", "gold"):
            t[c] = t[c].map(views.label_text)
        t["time"] = t["time"].dt.strftime("%Y-%m-%d %H:%M")
        ui.table(t, f"{task}-{annotator}-gold-misses")
    else:
        st.caption("None.")


def _review_section(ctx: ui.Context, task: str, annotator: str) -> None:
    """Accuracy against expert review (review rounds, docs/review.md) next to gold agreement. Shown
    only when the task has a review round; counts and shares only, never which records were
    reviewed. Read here, uncached: the review rounds are small, but the production answers are
    read whole (a cached entry point in ``cache.py`` is the follow-up)."""
    from workbench.review import accuracy_for_task, review_task

    store = cache.get_store(ctx.source)
    if store.rounds(review_task(task)).empty:
        return
    tasks = cache.project_tasks()[0]
    if task not in tasks:
        return
    st.subheader("Accuracy against expert review")
    table = views.review_table(accuracy_for_task(store, tasks[task]), store.tidy(task=task, gold_items_only=True),
                               store.gold(task), annotator)
    if table["reviewed"].isna().all():
        st.caption(f"No record of {ui.esc(annotator)}'s has been reviewed by an expert yet.")
        return
    ui.table(table, f"{task}-{annotator}-expert-review",
             caption="Share of the annotator's production records, sampled for expert review, whose answer the "
                     "expert accepted (exact agreement), with its 95% Wilson interval; next to it the share of "
                     "gold items answered as the expert did.")
