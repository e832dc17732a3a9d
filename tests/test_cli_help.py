"""Every command and group of the CLI answers --help with exit code 0, and the top-level listing
shows each command's own summary without importing the command."""

import subprocess
import sys

import click
from click.testing import CliRunner

from workbench.cli import COMMANDS, main


def _walk(group, ctx, path):
    yield path
    if isinstance(group, click.Group):
        for name in group.list_commands(ctx):
            yield from _walk(group.get_command(ctx, name), ctx, path + [name])


def test_every_command_has_help():
    runner = CliRunner()
    paths = list(_walk(main, click.Context(main), []))
    assert len(paths) > len(COMMANDS) + 10  # the groups' subcommands are walked too
    for path in paths:
        result = runner.invoke(main, path + ["--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_the_listing_summaries_are_the_commands_own_short_help():
    ctx = click.Context(main)
    for name, (_, _, summary) in COMMANDS.items():
        assert main.get_command(ctx, name).get_short_help_str(limit=1000) == summary, name


def test_help_lists_every_command_without_importing_any():
    code = ("import sys; from click.testing import CliRunner; from workbench.cli import main, COMMANDS; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m, _, _ in COMMANDS.values() if m in sys.modules)); "
            "print(all(n in r.output for n in COMMANDS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"  # no command module was imported to list them
    assert out[1] == "True"
