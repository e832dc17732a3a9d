"""The ``workbench`` command line (click).

Each command group (or top-level command) lives in its own module next to this one, named after
it, and is registered here; common.py holds the options and helpers several of them share.
Exit codes: 0 on success, 2 on bad input (a file, field or value the user can correct), 1 when a
service fails.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from workbench.config import apply_offline_env, use_private_umask
from workbench.errors import WorkbenchError


class WorkbenchGroup(click.Group):
    """A click group that turns :class:`WorkbenchError` into a one-line message and its exit code,
    and imports each command's module when the command is asked for (:data:`COMMANDS`)."""

    def list_commands(self, ctx) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx, name: str):
        if name not in self.commands and name in COMMANDS:
            module, attr = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

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


#: command name -> (module, attribute): each module is imported only when its command runs (or
#: help lists it), so `workbench agreement` does not pay for importing the server, the dashboard,
#: Presidio or distilabel.
COMMANDS = {
    "agreement": ("workbench.cli.agreement", "agreement"),
    "candidates": ("workbench.cli.candidates", "candidates"),
    "dashboard": ("workbench.cli.dashboard", "dashboard"),
    "export": ("workbench.cli.export", "export"),
    "gate": ("workbench.cli.gate", "gate"),
    "gold": ("workbench.cli.gold", "gold"),
    "guidelines": ("workbench.cli.guidelines", "guidelines"),
    "redact": ("workbench.cli.redact", "redact_cmd"),
    "round": ("workbench.cli.rounds", "round_group"),
    "server": ("workbench.cli.server", "server"),
    "sync": ("workbench.cli.sync", "sync_cmd"),
    "task": ("workbench.cli.task", "task"),
    "up": ("workbench.cli.up", "up"),
    "users": ("workbench.cli.users", "users"),
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
