"""``workbench users sync``: annotators, experts and admins from a roster file, in Argilla."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli import common


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
    conn, cl = common.argilla()
    report = sync_users(cl, r, api_url=conn.api_url, secrets_directory=secrets_dir)
    click.echo(str(report))
