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
            module, attr, _ = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter) -> None:
        """The command list of ``--help``, from :data:`COMMANDS`' summaries: listing the commands
        imports none of them (importing them all took 1.7 s)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names), default=0)  # as click's own listing
        rows = []
        for name in names:
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(limit=limit)))
            else:
                rows.append((name, click.utils.make_default_short_help(COMMANDS[name][2], limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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


#: command name -> (module, attribute, summary): each module is imported only when its command
#: runs, so `workbench agreement` does not pay for importing the server, the dashboard, Presidio or
#: distilabel, and `workbench --help` lists the summaries without importing any of them
#: (tests/test_cli_help.py checks that each summary is its command's own short help).
COMMANDS = {
    "agreement": ("workbench.cli.agreement", "agreement",
                  "Inter-annotator agreement of the annotations in FILE (CSV), per question."),
    "candidates": ("workbench.cli.candidates", "candidates",
                   "Candidate records: ingest logs or curated data, generate and judge with LLMs, push to Argilla."),
    "coverage": ("workbench.cli.coverage", "coverage",
                 "The mix of TASK's candidate pool, labelled records and last export against its coverage plan."),
    "dashboard": ("workbench.cli.dashboard", "dashboard",
                  "Serve the agreement dashboard (sign in with your Argilla username and password)."),
    "export": ("workbench.cli.export", "export",
               "Turn a task's accepted labels into a training-ready dataset, and check, list or compare versions."),
    "feedback": ("workbench.cli.feedback", "feedback",
                 "Production feedback: import thumbs, edits and rejections, summarise them, make next-round seeds."),
    "gate": ("workbench.cli.gate", "gate",
             "Judge TASK's latest calibration round against its calibration policy."),
    "gold": ("workbench.cli.gold", "gold",
             "Gold answers: experts' reference answers and adjudications, kept apart from raw responses."),
    "guidelines": ("workbench.cli.guidelines", "guidelines",
                   "Versioned annotation guidelines (guidelines/<id>/v1.md, v2.md, ...)."),
    "redact": ("workbench.cli.redact", "redact_cmd",
               "Redact PII in a JSONL or CSV FILE and report counts per entity type."),
    "round": ("workbench.cli.rounds", "round_group",
              "Calibration, recalibration and production rounds of a task."),
    "server": ("workbench.cli.server", "server",
               "Run the embedded Argilla server (API, web UI, worker, Redis) under the Workbench home."),
    "sync": ("workbench.cli.sync", "sync_cmd",
             "Copy every response and suggestion of the recorded rounds from Argilla into the history store."),
    "task": ("workbench.cli.task", "task",
             "Labelling tasks declared in tasks/<name>.yaml."),
    "up": ("workbench.cli.up", "up",
           "Start Argilla, load the demo project and serve the dashboard (idempotent: safe to run again)."),
    "users": ("workbench.cli.users", "users",
              "Annotators, experts and admins, from a roster file."),
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
