"""``workbench task ...`` and ``workbench guidelines ...``: check task files, read and compare guidelines."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.errors import BadInput
from workbench.guidelines import diff_versions, load_guideline, render_for_argilla
from workbench.tasks import Task, find_task, project_dir, validate_task_file


@click.group()
def task() -> None:
    """Labelling tasks declared in tasks/<name>.yaml."""


def _summary(t: Task) -> str:
    parts = []
    for q in t.questions:
        if q.kind == "rating":
            detail = f"{q.values[0]}-{q.values[-1]}"
        elif q.kind == "text":
            detail = "free text"
        else:
            detail = f"{len(q.labels)} labels" + (" ordered" if q.order and q.kind == "label" else "")
        parts.append(f"{q.name} ({q.kind}, {detail}, level {q.level}{'' if q.required else ', optional'})")
    g = t.load_guideline()
    lines = [
        f"{t.source}: ok - task '{t.name}': {len(t.fields)} field{'s' if len(t.fields) != 1 else ''}, "
        f"{len(t.questions)} question{'s' if len(t.questions) != 1 else ''}, {len(t.metadata)} metadata, "
        f"{len(t.vectors)} vector{'s' if len(t.vectors) != 1 else ''}",
        "  questions: " + "; ".join(parts),
        f"  overlap {t.overlap}; calibration set {t.calibration.set_size}, gold rate {t.calibration.gold_rate:g}; "
        f"guideline '{g.id}' {g.latest.label} ({len(g)} version{'s' if len(g) != 1 else ''})",
    ]
    return "\n".join(lines)


@task.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--guidelines-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of guideline folders (default: guidelines/ next to the file's tasks/ folder).")
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], guidelines_dir: Path | None) -> None:
    """Check task FILES; print every problem as FILE:LINE: FIELD: message.

    Exit 0 when all files are valid, 2 when any problem is found.
    """
    n_problems = 0
    for f in files:
        t, problems = validate_task_file(f, guidelines_dir=guidelines_dir)
        for p in problems:
            click.echo(str(p), err=True)
        n_problems += len(problems)
        if t is not None:
            click.echo(_summary(t))
    if n_problems:
        click.echo(f"{n_problems} problem{'s' if n_problems != 1 else ''} in {len(files)} file{'s' if len(files) != 1 else ''}", err=True)
        ctx.exit(2)


@task.command("apply")
@click.argument("task_file", metavar="TASK_FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--allow-deletions", is_flag=True,
              help="Delete metadata properties and vectors the file no longer declares (their values on "
                   "every record are lost). Without it such a deletion is refused.")
def apply(task_file: Path, dry_run: bool, allow_deletions: bool) -> None:
    """Bring the existing Argilla datasets of TASK_FILE's rounds in line with the file.

    Changes Argilla allows on a dataset that has records are applied: titles, descriptions,
    label order and display texts, visible labels, markdown, span overlap switched on, metadata
    visibility, new metadata properties and vectors, the production overlap. The guidelines text
    is left to `workbench guidelines publish`. If any change is one Argilla refuses (a question
    or field added, removed or retyped, label values added or renamed, rating values, required,
    metadata options or bounds, vector dimensions), nothing is changed on any dataset: create a
    new round for the changed task instead.

    Prints every change. Exit 0 when applied or nothing to do, 2 when refused (nothing changed),
    1 when Argilla cannot be reached.
    """
    from workbench import argilla_client
    from workbench.store import HistoryStore
    from workbench.task_apply import apply_task
    from workbench.tasks import load_task

    t = load_task(task_file)  # a bad file is refused before any connection
    cl = argilla_client.client(argilla_client.connection())
    report = apply_task(cl, HistoryStore(), t, dry_run=dry_run, allow_deletions=allow_deletions)
    click.echo(str(report))


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
