"""Judges (leads): each LLM judge or suggestion agent measured exactly like an annotator, against
the humans' consensus and against gold, with the humans measured the same way beside it."""

from __future__ import annotations

import streamlit as st

from workbench.dashboard import cache, charts, ui, views
from workbench.errors import BadInput


def render(ctx: ui.Context) -> None:
    st.title("Judges")
    task, round_no = ui.select_round(ctx, prefer_calibration=False)
    if task is None:
        return
    try:
        view = cache.cached_judges(*ctx.key, task, int(round_no))
    except BadInput as exc:
        ui.empty(ui.esc(exc), "add the task's YAML file under tasks/.")
        return
    if view.note:
        ui.empty("No judge to measure in this round.", view.note)  # (fixed text)
        return
    st.markdown("Agents: " + ", ".join(f"**{ui.esc(a)}**" for a in view.agents) +
                ". Each is scored like a human: against the majority (median for ordered scales) of the "
                "humans, and against the expert's gold; every human is scored the same way against the other "
                "humans, for comparison.")
    for jq in view.questions:
        st.header(ui.esc(jq.question))
        if jq.error:
            st.warning(ui.esc(jq.error))
            continue
        humans = ui.fmt(jq.alpha_humans)
        with_ = ", ".join(f"with {ui.esc(a)}: {ui.fmt(v)}" for a, v in jq.alpha_with.items())
        st.markdown(f"Krippendorff's alpha of the humans: **{humans}**; {with_}.")
        t = jq.table
        c1, c2 = st.columns(2)
        with c1:
            ui.figure(charts.judge_bars(t, "consensus_kappa", f"{jq.question}: Cohen's kappa vs the humans' consensus"),
                      jq.n_items, jq.n_annotators, key=f"judge-cons-{jq.question}",
                      rounds=views.rounds_label([round_no]))
        if "gold_accuracy" in t.columns and t["gold_accuracy"].notna().any():
            with c2:
                ui.figure(charts.judge_bars(t, "gold_accuracy", f"{jq.question}: exact agreement with gold"),
                          int(t["n_gold"].max()), jq.n_annotators, key=f"judge-gold-{jq.question}",
                          rounds=views.rounds_label([round_no]), unit="gold item")
        ui.table(t, f"{task}-r{round_no}-{jq.question}-judges")
