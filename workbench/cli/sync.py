"""``workbench sync``: Argilla -> history store."""

from __future__ import annotations

import click

from workbench.cli.common import STORE_OPTION
from workbench.errors import BadInput


@click.command("sync")
@click.option("--task", default=None, help="Only the rounds of this task.")
@click.option("--full", is_flag=True, help="Read every record again instead of what changed since the last sync.")
@click.option("--watch", is_flag=True, help="Keep syncing every --interval seconds until interrupted (Ctrl-C).")
@click.option("--interval", type=click.FloatRange(min=1.0), default=30.0, show_default=True,
              help="Seconds between syncs with --watch.")
@click.option("--workspace", "workspaces", multiple=True,
              help="Also sync every dataset of this Argilla workspace (repeatable).")
@STORE_OPTION
@click.option("--api-url", default=None, help="Argilla URL (default: ARGILLA_API_URL, else the embedded server).")
@click.option("--api-key", default=None, help="Owner/admin API key (default: ARGILLA_API_KEY, else the embedded owner's).")
def sync_cmd(task: str | None, full: bool, watch: bool, interval: float, workspaces: tuple[str, ...],
             store_url: str | None, api_url: str | None, api_key: str | None) -> None:
    """Copy every response and suggestion of the recorded rounds from Argilla into the history store.

    Edited responses keep their earlier values as earlier versions; running sync again adds
    nothing new. Each dataset is written in one transaction, so an interrupted sync leaves the
    store as it was for the dataset it was writing. Without --full only what changed is read:
    records updated since the last sync, or every record of a dataset where annotators answered
    or edited in the UI since then (Argilla's API cannot tell which records those were).

    With --watch, syncs every --interval seconds until interrupted; an unreachable Argilla is
    reported and retried at the next tick. Exit 1 when Argilla cannot be reached (without --watch).
    """
    from workbench import sync as sync_mod
    from workbench.argilla_client import connection
    from workbench.store import HistoryStore

    if interval != 30.0 and not watch:
        raise BadInput(f"--interval {interval:g}: only meaningful with --watch")
    conn = connection(api_url, api_key)
    store = HistoryStore(store_url)
    try:
        if watch:
            if full:
                click.echo(sync_mod.sync(conn, store, task=task, full=True, workspaces=workspaces))
            click.echo(f"watching {conn.api_url} every {interval:g} s (Ctrl-C to stop)")
            sync_mod.watch(conn, store, interval=interval, task=task, workspaces=workspaces, echo=click.echo)
            return
        report = sync_mod.sync(conn, store, task=task, full=full, workspaces=workspaces)
        if not report.datasets:
            click.echo("nothing to sync: no round is recorded" + (f" for task {task!r}" if task else "")
                       + " (create one with `workbench round create`, or pass --workspace)")
            return
        click.echo(report)
    finally:
        store.close()
