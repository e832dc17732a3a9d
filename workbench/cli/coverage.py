"""``workbench coverage TASK``: the mix of the candidate pool, of what is labelled and of the last
export against the task's coverage plan (docs/coverage.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from workbench.cli import common


@click.command("coverage")
@click.argument("task_name", metavar="TASK")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Candidates config (default: candidates/<task>.yaml in the project); maps candidate values "
                   "onto the task's metadata.")
@click.option("--confidence", type=click.FloatRange(0.5, 1, max_open=True), default=0.95, show_default=True,
              help="Coverage of the intervals on each share.")
@click.option("--method", type=click.Choice(["goodman", "wilson"]), default="goodman", show_default=True,
              help="goodman: simultaneous intervals over every category; wilson: each category alone.")
@click.option("--demo", is_flag=True, help="Read the demo history (what `workbench dashboard --demo` shows) and its exports.")
@common.STORE_OPTION
def coverage(task_name: str, as_json: bool, config_path: Path | None, confidence: float, method: str, demo: bool,
             store_url: str | None) -> None:
    """The mix of TASK's candidate pool, labelled records and last export against its coverage plan.

    Each share comes with an interval; a category is flagged under- or over-represented when its
    whole interval lies outside target +- tolerance, and the report says how many more records of
    each category would bring every share within tolerance. Exit 2 when the task has no plan.
    """
    from workbench.coverage import coverage_report
    from workbench.errors import BadInput
    from workbench.store import HistoryStore

    task = common.task(task_name)
    if not task.coverage:
        raise BadInput(f"task {task.name!r} has no coverage plan: add `coverage:` to {task.source or 'its task file'} "
                       "(docs/coverage.md)")
    if demo:
        if store_url:
            raise BadInput("--demo and --store: choose one (--demo reads the demo history's own store)")
        from workbench.dashboard.demo_history import demo_store_path, fill_demo_store

        store = HistoryStore(f"sqlite:///{demo_store_path()}")
        fill_demo_store(store)
    else:
        store = HistoryStore(store_url) if store_url else common.store()
    report = coverage_report(task, store, config_path=config_path, demo=demo, confidence=confidence, method=method)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True))
    else:
        click.echo(report.text())
