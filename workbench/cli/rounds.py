"""The annotation programme: ``users sync``, ``round create``, ``guidelines publish`` and ``gate``.

Every command talks to the Argilla found by :func:`workbench.argilla_client.connection`
(``ARGILLA_API_URL``/``ARGILLA_API_KEY``, else the embedded server) and to the history store
(``WORKBENCH_STORE_URL``, else ``history.db`` under the Workbench home).
"""

from __future__ import annotations

import json
from pathlib import Path

import click



def _argilla():
    from workbench import argilla_client

    conn = argilla_client.connection()
    return conn, argilla_client.client(conn)


def _store():
    from workbench.store import HistoryStore

    return HistoryStore()


def _task(name: str):
    from workbench.tasks import find_task

    return find_task(name)


# --------------------------------------------------------------------------------------------
# users
# --------------------------------------------------------------------------------------------


@click.group()
def users() -> None:
    """Annotators, experts and admins, from a roster file."""


@users.command("sync")
@click.argument("roster", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--secrets-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the new users' passwords file (default: <WORKBENCH_HOME>/secrets).")
def users_sync(roster: Path, secrets_dir: Path | None) -> None:
    """Create or update the users of ROSTER (YAML or CSV) in Argilla.

    Sets each user's role and task workspaces (one workspace per task). New users get a
    generated password, written once to a new file readable only by you (mode 600) whose path
    is printed; passwords are never printed. Existing users keep theirs. Running it again with
    the same roster changes nothing. Exit 2 (naming file, line, field and value) for a bad roster.
    """
    from workbench.roster import load_roster, sync_users

    r = load_roster(roster)
    conn, cl = _argilla()
    report = sync_users(cl, r, api_url=conn.api_url, secrets_directory=secrets_dir)
    click.echo(str(report))


# --------------------------------------------------------------------------------------------
# rounds
# --------------------------------------------------------------------------------------------


@click.group("round")
def round_group() -> None:
    """Calibration, recalibration and production rounds of a task."""


@round_group.command("create")
@click.argument("task_name", metavar="TASK")
@click.option("--kind", type=click.Choice(["calibration", "recalibration", "production"]), required=True,
              help="calibration/recalibration: every annotator answers the calibration set; "
                   "production: the task's overlap, with gold items mixed in.")
@click.option("--items", "items_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Candidate items, JSON lines with the task's fields (and metadata). "
                   "Required except for the demo task.")
@click.option("--size", type=int, default=None, help="Production: at most this many ordinary items.")
@click.option("--force-reason", default=None,
              help="Production: open it although the calibration gate has not passed; the reason is recorded.")
@click.option("--roster", "roster_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Roster that says who annotates (default: the last one synced).")
def round_create(task_name: str, kind: str, items_file: Path | None, size: int | None, force_reason: str | None,
                 roster_file: Path | None) -> None:
    """Create the next round of TASK: dataset <task>-<kind>-r<N> in workspace <task>.

    Refuses (exit 2) a calibration round with fewer than two annotators, and a production round
    while the task's calibration gate fails, unless --force-reason is given. Re-running after an
    interrupted creation resumes it without duplicating records.
    """
    from workbench.roster import load_roster
    from workbench.rounds import create_round

    task = _task(task_name)
    roster = load_roster(roster_file) if roster_file else None
    _, cl = _argilla()
    store = _store()
    report = create_round(cl, store, task, kind, items_file=items_file, size=size, force_reason=force_reason,
                          roster=roster)
    click.echo(str(report))


# --------------------------------------------------------------------------------------------
# guidelines publish (a subcommand of the `guidelines` group in cli/task.py)
# --------------------------------------------------------------------------------------------


@click.command("publish")
@click.argument("task_name", metavar="TASK")
@click.argument("version")
def guidelines_publish(task_name: str, version: str) -> None:
    """Publish guideline VERSION (e.g. 2 or v2) of TASK.

    Sets the guidelines text (version stamped) of the task's open rounds in Argilla and records
    the publication in the history store, so new rounds run under it and every response is
    attributed to the version in force when it was submitted.
    """
    from workbench.publish import publish_guideline

    task = _task(task_name)
    task.load_guideline().get(version)  # a bad version is refused before any connection
    _, cl = _argilla()
    report = publish_guideline(cl, _store(), task, version)
    click.echo(str(report))


# --------------------------------------------------------------------------------------------
# gate
# --------------------------------------------------------------------------------------------


@click.command("gate")
@click.argument("task_name", metavar="TASK")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--criterion", type=click.Choice(["point", "lower"]), default="point", show_default=True,
              help="Compare alpha's point estimate, or its bootstrap interval's lower bound, with alpha_reliable.")
@click.option("--sync", "do_sync", is_flag=True, help="Pull the task's responses from Argilla into the store first.")
@click.option("--n-boot", type=click.IntRange(0, 100_000), default=1000, show_default=True,
              help="Bootstrap resamples for alpha's interval.")
@click.pass_context
def gate(ctx: click.Context, task_name: str, as_json: bool, criterion: str, do_sync: bool, n_boot: int) -> None:
    """Judge TASK's latest calibration round against its calibration policy.

    Per question: alpha >= alpha_reliable (point estimate by default; --criterion lower uses the
    interval's lower bound); per annotator: exact agreement with gold >= min_gold_agreement.
    Reads the history store as of the last sync (--sync pulls first).
    Exit 0 when the gate passes, 1 when it fails, 2 for bad input.
    """
    from workbench.gate import format_gate, gate_for_task

    task = _task(task_name)
    store = _store()
    if do_sync:
        from workbench import argilla_client
        from workbench.sync import sync

        sync(argilla_client.connection(), store, task=task.name)
    result = gate_for_task(store, task, criterion=criterion, n_boot=n_boot)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        click.echo(format_gate(result))
    ctx.exit(0 if result.passed else 1)


def register(main: click.Group) -> None:
    """Add these commands to the ``workbench`` group (and ``publish`` to ``workbench guidelines``)."""
    from workbench.cli import task as task_cli

    main.add_command(users)
    main.add_command(round_group)
    main.add_command(gate)
    task_cli.guidelines.add_command(guidelines_publish)


__all__ = ["users", "round_group", "guidelines_publish", "gate", "register"]
