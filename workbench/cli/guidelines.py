"""``workbench guidelines ...``: read, compare and publish versioned annotation guidelines."""

from __future__ import annotations

import click

from workbench.cli import common
from workbench.errors import BadInput
from workbench.guidelines import diff_versions, load_guideline, render_for_argilla
from workbench.tasks import find_task, project_dir


@click.group()
def guidelines() -> None:
    """Versioned annotation guidelines (guidelines/<id>/v1.md, v2.md, ...)."""


def _guideline_for(name: str):
    """A task name (or task file) -> its guideline; else a guideline id under <project>/guidelines."""
    project = project_dir()
    if (project / "tasks" / f"{name}.yaml").exists() or name.endswith((".yaml", ".yml")):
        return find_task(name, project=project).load_guideline()
    folder = project / "guidelines" / name
    if folder.is_dir():
        return load_guideline(folder)
    raise BadInput(f"TASK: {name!r} is neither a task in {project / 'tasks'} nor a guideline in {project / 'guidelines'}")


@guidelines.command("diff")
@click.argument("task_name", metavar="TASK")
@click.argument("v1")
@click.argument("v2")
@click.option("-U", "--context", default=3, show_default=True, help="Lines of context around each change.")
def diff(task_name: str, v1: str, v2: str, context: int) -> None:
    """Unified diff of guideline versions V1 and V2 (e.g. 1 2 or v1 v2) of TASK, plus both changelogs."""
    g = _guideline_for(task_name)
    click.echo(diff_versions(g.get(v1), g.get(v2), context=context), nl=False)


@guidelines.command("show")
@click.argument("task_name", metavar="TASK")
@click.argument("version", required=False)
def show(task_name: str, version: str | None) -> None:
    """Print VERSION (default: the latest) of TASK's guideline as Argilla will show it."""
    g = _guideline_for(task_name)
    v = g.get(version) if version is not None else g.latest
    click.echo(render_for_argilla(v))


@guidelines.command("list")
@click.argument("task_name", metavar="TASK")
def list_versions(task_name: str) -> None:
    """List the versions of TASK's guideline with their dates, authors and changelogs."""
    g = _guideline_for(task_name)
    for v in g:
        click.echo(f"v{v.version}  {v.date.isoformat()}  {v.author}")
        for line in v.changelog.splitlines():
            click.echo(f"    {line}")


@guidelines.command("publish")
@click.argument("task_name", metavar="TASK")
@click.argument("version")
def guidelines_publish(task_name: str, version: str) -> None:
    """Publish guideline VERSION (e.g. 2 or v2) of TASK.

    Sets the guidelines text (version stamped) of the task's open rounds in Argilla and records
    the publication in the history store, so new rounds run under it and every response is
    attributed to the version in force when it was submitted.
    """
    from workbench.publish import publish_guideline

    task = common.task(task_name)
    task.load_guideline().get(version)  # a bad version is refused before any connection
    _, cl = common.argilla()
    report = publish_guideline(cl, common.store(), task, version)
    click.echo(str(report))
