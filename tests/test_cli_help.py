"""Every command and group of the CLI answers --help with exit code 0."""


def test_every_command_has_help():
    from click.testing import CliRunner

    from workbench.cli import main

    runner = CliRunner()

    def walk(group, path):
        yield path
        for name, cmd in getattr(group, "commands", {}).items():
            yield from walk(cmd, path + [name])

    for path in walk(main, []):
        result = runner.invoke(main, path + ["--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output
