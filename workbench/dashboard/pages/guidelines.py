"""Guidelines: versions side by side with their diff, and agreement per version per question."""

from __future__ import annotations

import streamlit as st

from workbench.dashboard import cache, charts, ui, views
from workbench.errors import WorkbenchError
from workbench.guidelines import diff_versions


def render(ctx: ui.Context) -> None:
    st.title("Guidelines")
    tasks, problem = cache.project_tasks()
    rounds = cache.cached_rounds(*ctx.key)
    names = sorted(set(tasks) | set(views.labelling_tasks(rounds)))
    if not names:
        if problem:  # a task or guideline file that cannot be read: say which, rather than "no task"
            st.error(problem)
        else:
            ui.empty("No task is defined and no round is recorded.", "add a task under tasks/ (see docs).")
        return
    task = ui.qp_select("Task", names, "task")
    in_store = len(rounds) and task in set(rounds["task"])
    view = cache.cached_guidelines(*ctx.key, task) if in_store else None
    versions = view.versions if view is not None else []
    trouble = (view.problem if view is not None else "") or problem
    if not versions and task in tasks:
        try:
            versions = list(tasks[task].load_guideline().versions)
        except WorkbenchError as exc:
            trouble = str(exc)
    if not versions and trouble:
        # e.g. a guideline file that is not UTF-8: the message names the file and the line
        st.error(trouble)
    elif not versions:
        ui.empty(f"No guideline versions found for {task!r}.", "write guidelines/<id>/v1.md (see docs).")
    else:
        labels = {v.version: v.label for v in versions}
        nums = list(labels)
        c1, c2 = st.columns(2)
        old = ui.qp_select("Older version", nums, "old", format_func=lambda n: labels[n],
                           index=max(0, len(nums) - 2), container=c1)
        new = ui.qp_select("Newer version", nums, "new", format_func=lambda n: labels[n], index=len(nums) - 1,
                           container=c2)
        vo = next(v for v in versions if v.version == old)
        vn = next(v for v in versions if v.version == new)
        left, right = st.columns(2)
        for col, v in ((left, vo), (right, vn)):
            with col:
                st.markdown(f"**{v.label}** by {v.author}")
                if v.changelog:
                    st.caption(f"Changes: {v.changelog}")
                with st.container(height=420):
                    st.markdown(v.body)
        st.subheader(f"Diff v{old} -> v{new}")
        st.code(diff_versions(vo, vn), language="diff")
    st.subheader("Agreement per guideline version")
    if view is None or view.by_version.empty:
        ui.empty("No answers under any guideline version yet.", "run a calibration round and `workbench sync`.")
        return
    bv = view.by_version
    ok = bv.dropna(subset=["alpha"])
    if len(ok):
        ui.figure(charts.version_alpha(ok), view.n_items, view.n_annotators,
                  "alpha pools the rounds run under each version (an annotator's latest answer per item); each "
                  "version's items and rounds are in the table below", key="ver-alpha", rounds=view.rounds)
    # the same texts as the Calibration page's (a version run in one round reads as that round there)
    shown = bv[["guideline_version", "question"]].assign(
        sample=[ui.sample_text(n, r) for n, r in zip(bv["n_items"], bv["rounds"])],
        **{f"alpha ({views.ALPHA_CI:.0%} CI)": [ui.alpha_text(a, lo, hi)
                                                for a, lo, hi in zip(bv["alpha"], bv["low"], bv["high"])]})
    shown = shown.join(bv.drop(columns=["guideline_version", "question"]))
    ui.table(shown, f"{task}-alpha-by-guideline-version", column_config=ui.number_columns(ui.ALPHA_COLUMNS),
             caption=f"Interval: a {views.ALPHA_N_BOOT:,}-resample bootstrap over items (seed {views.ALPHA_SEED}), the "
                     "Calibration page's.")
    if len(view.gold_by_version):
        ui.table(view.gold_by_version, f"{task}-gold-accuracy-by-guideline-version",
                 caption="Share of answers on gold items that match the expert's, per question and version (team): "
                         "n_answers answers on n_items gold items.")
