"""The ``workbench`` command line (click).

Each command group lives in its own module next to this one and is registered here. Exit codes:
0 on success, 2 on bad input (a file, field or value the user can correct), 1 when a service fails.
"""

from __future__ import annotations

import os
import sys

import click

from workbench.config import apply_offline_env
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
    os.environ.setdefault("TQDM_DISABLE", "1")  # the SDK's progress bars clutter command output
    import workbench.embeddings  # noqa: F401 - sets OMP_WAIT_POLICY before any command loads torch


def _register() -> None:
    from workbench.cli import server

    main.add_command(server.server)
    main.add_command(server.up)

    from workbench.cli import task as task_cli

    main.add_command(task_cli.task)
    main.add_command(task_cli.guidelines)

    from workbench.cli import agreement as agreement_cli

    main.add_command(agreement_cli.agreement)

    from workbench.cli import sync as sync_cli

    main.add_command(sync_cli.sync_cmd)
    main.add_command(sync_cli.gold)

    from workbench.cli import rounds as rounds_cli

    rounds_cli.register(main)

    from workbench.cli import candidates as candidates_cli

    main.add_command(candidates_cli.candidates)

    from workbench.cli import dashboard as dashboard_cli

    main.add_command(dashboard_cli.dashboard)

    from workbench.cli import redact as redact_cli

    main.add_command(redact_cli.redact_cmd)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
