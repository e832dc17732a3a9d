"""``workbench task ...``: check task files and apply them to the existing rounds in Argilla."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.tasks import Task, validate_task_file


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
