"""``workbench gate``: judge a task's latest calibration round against its calibration policy.

Reads the history store (``WORKBENCH_STORE_URL``, else ``history.db`` under the Workbench home);
``--sync`` first pulls from the Argilla found by :func:`workbench.argilla_client.connection`.
"""

from __future__ import annotations

import json

import click

from workbench.cli import common


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

    task = common.task(task_name)
    store = common.store()
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
