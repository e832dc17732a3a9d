"""``workbench dashboard``: the Streamlit dashboard (app.py) on a local port, telemetry off."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from workbench.errors import ServiceError


def app_path() -> Path:
    """The dashboard's Streamlit entry point (``app.py`` at the root of the Workbench checkout)."""
    import workbench

    return Path(workbench.__file__).resolve().parent.parent / "app.py"


def streamlit_command(port: int, host: str) -> list[str]:
    """The ``streamlit run`` command line: headless, on ``host:port``, no usage statistics."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.port", str(port), "--server.address", host, "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
        # no file watcher: the checkout (with its .venv) is far too large to watch, and a served
        # dashboard does not need to reload on edits
        "--server.fileWatcherType", "none", "--server.runOnSave", "false",
        "--client.toolbarMode", "viewer",
    ]


@click.command("dashboard")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--demo", is_flag=True, help="Show the demo history instead of the project's history store.")
def dashboard(port: int, host: str, demo: bool) -> None:
    """Serve the agreement dashboard (sign in with your Argilla username and password).

    Reads the history store (WORKBENCH_STORE_URL, else history.db under the Workbench home) and
    signs users in against Argilla (ARGILLA_API_URL, else the embedded server). Runs until Ctrl-C.
    """
    app = app_path()
    if not app.is_file():
        raise ServiceError(f"the dashboard entry point {app} is missing (run from a Workbench checkout)")
    env = dict(os.environ)
    from workbench.config import apply_offline_env

    apply_offline_env(env)
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    if demo:
        env["WORKBENCH_DASHBOARD_DEMO"] = "1"
    click.echo(f"Workbench dashboard on http://{host}:{port} (Ctrl-C to stop)", err=True)
    cmd = streamlit_command(port, host)
    sys.stdout.flush()
    sys.stderr.flush()
    # Replace this process with streamlit, so that a signal to `workbench dashboard` (Ctrl-C, a
    # service manager's SIGTERM) reaches the server itself and leaves no orphan behind.
    os.execve(cmd[0], cmd, env)
