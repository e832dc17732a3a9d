"""Overview: every task, its rounds, the gate of its latest calibration, volume, open alarms, the
guideline version in force and (for the leads) the mix against the task's coverage plan."""

from __future__ import annotations

import streamlit as st

from workbench.dashboard import access, cache, load, sources, ui, views
from workbench.errors import WorkbenchError


def _registry_mark() -> str:
    """Changes whenever an export is recorded (the coverage section shows the last one)."""
    from workbench.export import registry

    path = registry.exports_dir() / "registry.jsonl"
    return str(path.stat().st_mtime_ns) if path.is_file() else ""


@st.cache_data(show_spinner=False, max_entries=32)
def _coverage(url: str, demo: bool, version: str, task_name: str, tasks_mark: str, export_mark: str):
    """The coverage section of one task, or None when it has no plan; a message when it cannot be read."""
    from workbench.coverage import coverage_report

    task = cache.project_tasks()[0].get(task_name)
    if task is None or not task.coverage:
        return None
    try:
        report = coverage_report(task, cache.get_store(sources.Source(url=url, demo=demo)), demo=demo)
    except WorkbenchError as exc:
        return str(exc)
    return views.coverage_section(report)


def _coverage_block(ctx: ui.Context, task: str) -> None:
    """Leads only: the candidate pool, the labelled records and the last export against the plan."""
    section = _coverage(ctx.source.url, ctx.source.demo, ctx.version, task, sources.tasks_signature(),
                        _registry_mark())
    if section is None:
        return
    st.subheader("Coverage against the plan")
    if isinstance(section, str):
        ui.problems([section])
        return
    for heading, table, flagged in section.plans:
        st.markdown(ui.esc(heading))
        if flagged:
            st.warning("Outside the tolerance beyond sampling noise: " + ui.esc("; ".join(flagged)))
        if len(table):
            ui.table(table, f"{task}-coverage-{heading.split(':')[0]}",
                     caption=("Share with a simultaneous 95% interval (Goodman); flagged when the interval lies wholly "
                              "outside target +- tolerance ('under?'/'over?': outside by its share only). 'to add': "
                              "the fewest records of each value that bring every share within tolerance. "
                              "`workbench coverage " + task + "` prints the same; docs/coverage.md."),
                     column_config={"share": st.column_config.NumberColumn(format="percent"),
                                    "target": st.column_config.NumberColumn(format="percent")})
    for note in section.notes:
        st.caption(ui.esc(note))


def render(ctx: ui.Context) -> None:
    st.title("Overview")
    overviews = cache.cached_overview(*ctx.key)
    if not overviews:
        ui.empty("The history store holds no round yet.",
                 "create a calibration round with `workbench round create TASK --kind calibration`, let the "
                 "annotators answer it in Argilla, then run `workbench sync`.")
        return
    if not ctx.user.is_lead:
        overviews = access.redact_overview(overviews, ctx.user.username)
        st.caption("You see team figures and your own; other people's figures are for the annotation leads.")
    for v in overviews:
        st.header(ui.esc(v.title))
        st.caption(f"task {ui.code(v.task)}" + (f" - {ui.esc(v.note)}" if v.note else ""))
        c = st.columns(6)
        c[0].metric("Rounds", len(v.rounds))
        c[1].metric("Responses labelled", f"{v.responses:,}")
        c[2].metric("Items", f"{v.items:,}")
        c[3].metric("Annotators", v.annotators)
        in_force = f"v{v.guideline_in_force}" if v.guideline_in_force is not None else "n/a"
        c[4].metric("Guideline in force", in_force,
                    help="the version the latest round was created under")
        c[5].metric("Open alarms" if ctx.user.is_lead else "Your open alarms", len(v.alarms),
                    help="annotators whose gold-agreement CUSUM chart signalled in their latest round")
        if v.guideline_latest is not None and v.guideline_in_force is not None and v.guideline_latest > v.guideline_in_force:
            st.info(f"Guideline v{v.guideline_latest} is written but not in force yet: publish it with "
                    f"{ui.code(f'workbench guidelines publish {v.task}')}.")
        if v.gate is None:
            if v.known:
                ui.empty("No calibration round for this task, so the gate has nothing to judge.",
                         f"{ui.code(f'workbench round create {v.task} --kind calibration')}.")
        else:
            g = v.gate
            where = f"round {g.round} ({ui.esc(g.kind)}, {ui.esc(g.dataset)})"
            if g.passed:
                st.success(f"Gate PASSED on {where}: production rounds may open.")
            else:
                shown = [ui.esc(r) for r in g.reasons[:3]]
                st.error(f"Gate FAILED on {where}" + (": " + "; ".join(shown) if shown else ".")
                         + (f" (and {len(g.reasons) - 3} more)" if len(g.reasons) > 3 else ""))
                if not ctx.user.is_lead:
                    st.caption("You see the gate's team-level checks and your own agreement with gold; each "
                               "person's checks are for the annotation leads.")
            st.markdown(f"[Open the calibration round]({ui.page_link('calibration', task=v.task, round=g.round)})")
        rounds = v.rounds.drop(columns=["dataset_id"]).copy()
        rounds["created_at"] = rounds["created_at"].dt.strftime("%Y-%m-%d %H:%M")
        rounds["guideline_version"] = "v" + rounds["guideline_version"].astype(str)
        rounds["details"] = [ui.page_link("calibration", task=v.task, round=r) for r in rounds["round"]]
        ui.table(rounds, f"{v.task}-rounds",
                 caption="Responses: latest submitted answer per annotator and record.",
                 column_config={"details": st.column_config.LinkColumn("details", display_text="agreement")})
        exports = load.export_versions(v.task, demo=ctx.source.demo)
        if len(exports):
            st.subheader("Exported dataset versions")
            ui.table(exports, f"{v.task}-exports",
                     caption="Made by `workbench export`; check one with `workbench export verify FOLDER`.")
        elif ctx.user.is_lead:
            st.caption(f"No dataset exported yet: {ui.code(f'workbench export {v.task}')} makes a training-ready "
                       "version.")
        if ctx.user.is_lead:  # (the mix of the data is the leads' to plan; annotators do not see it)
            _coverage_block(ctx, v.task)
        if len(v.alarms):
            st.subheader("Open alarms")
            al = v.alarms.copy()
            al["first_alarm_time"] = al["first_alarm_time"].dt.strftime("%Y-%m-%d %H:%M")
            ui.table(al, f"{v.task}-alarms")
