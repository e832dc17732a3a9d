"""The ``workbench`` command line (click).

Each command group (or top-level command) lives in its own module next to this one, named after
it, and is registered here; common.py holds the options and helpers several of them share.
Exit codes: 0 on success, 2 on bad input (a file, field or value the user can correct), 1 when a
service fails.
"""

from __future__ import annotations

import os
import sys

import click

from workbench.config import apply_offline_env, use_private_umask
from workbench.errors import WorkbenchError


class WorkbenchGroup(click.Group):
    """A click group that turns :class:`WorkbenchError` into a one-line message and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=WorkbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workbench")
def main() -> None:
    """Workbench: calibrated, monitored annotation on Argilla."""
    apply_offline_env()
    use_private_umask()  # what Workbench writes (its home above all) is readable by its owner only
    os.environ.setdefault("TQDM_DISABLE", "1")  # the SDK's progress bars clutter command output
    import workbench.embeddings  # noqa: F401 - sets OMP_WAIT_POLICY before any command loads torch


def _register() -> None:
    from workbench.cli import (agreement, candidates, dashboard, export, gate, gold, guidelines, redact, rounds, server,
                               sync, task, up, users)

    main.add_command(server.server)
    main.add_command(up.up)
    main.add_command(task.task)
    main.add_command(guidelines.guidelines)
    main.add_command(agreement.agreement)
    main.add_command(sync.sync_cmd)
    main.add_command(gold.gold)
    main.add_command(users.users)
    main.add_command(rounds.round_group)
    main.add_command(gate.gate)
    main.add_command(candidates.candidates)
    main.add_command(dashboard.dashboard)
    main.add_command(redact.redact_cmd)
    main.add_command(export.export)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
