"""``workbench round create``: calibration, recalibration and production rounds of a task.

Talks to the Argilla found by :func:`workbench.argilla_client.connection` (``ARGILLA_API_URL``/
``ARGILLA_API_KEY``, else the embedded server) and to the history store (``WORKBENCH_STORE_URL``,
else ``history.db`` under the Workbench home).
"""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli import common


@click.group("round")
def round_group() -> None:
    """Calibration, recalibration and production rounds of a task."""


@round_group.command("create")
@click.argument("task_name", metavar="TASK")
@click.option("--kind", type=click.Choice(["calibration", "recalibration", "production", "review"]), required=True,
              help="calibration/recalibration: every annotator answers the calibration set; "
                   "production: the task's overlap, with gold items mixed in; "
                   "review: a sample of each annotator's production records for the task's experts (docs/review.md).")
@click.option("--items", "items_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Candidate items, JSON lines with the task's fields (and metadata). "
                   "Required except for the demo task.")
@click.option("--size", type=int, default=None, help="Production: at most this many ordinary items.")
@click.option("--force-reason", default=None,
              help="Production: open it although the calibration gate has not passed; the reason is recorded.")
@click.option("--roster", "roster_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Roster that says who annotates (default: the last one synced).")
@click.option("--per-annotator", type=int, default=None, help="Review: this many records per annotator.")
@click.option("--margin", type=float, default=None,
              help="Review: half-width of each annotator's accuracy interval (default 0.05).")
@click.option("--confidence", type=float, default=None, help="Review: confidence of that interval (default 0.95).")
@click.option("--expected-accuracy", type=float, default=None,
              help="Review: a prior accuracy for the sample size (default 0.5, the worst case).")
@click.option("--by-label", default=None, help="Review: also stratify by the annotator's answer to this question.")
def round_create(task_name: str, kind: str, items_file: Path | None, size: int | None, force_reason: str | None,
                 roster_file: Path | None, per_annotator: int | None, margin: float | None, confidence: float | None,
                 expected_accuracy: float | None, by_label: str | None) -> None:
    """Create the next round of TASK: dataset <task>-<kind>-r<N> in workspace <task>.

    Refuses (exit 2) a calibration round with fewer than two annotators, and a production round
    while the task's calibration gate fails, unless --force-reason is given. Re-running after an
    interrupted creation resumes it without duplicating records. A review round goes to workspace
    <task>-review, whose only members are the task's experts; it prints each annotator's sample size.
    """
    from workbench.roster import load_roster
    from workbench.rounds import create_round

    task = common.task(task_name)
    roster = load_roster(roster_file) if roster_file else None
    _, cl = common.argilla()
    store = common.store()
    report = create_round(cl, store, task, kind, items_file=items_file, size=size, force_reason=force_reason,
                          roster=roster, per_annotator=per_annotator, margin=margin, confidence=confidence,
                          expected_accuracy=expected_accuracy, by_label=by_label)
    click.echo(str(report))
