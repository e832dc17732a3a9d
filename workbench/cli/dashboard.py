"""``workbench dashboard``: the Streamlit dashboard (app.py) on a local port, telemetry off."""

from __future__ import annotations

import os
import sys

import click

from workbench.server.dashboard_command import app_path, streamlit_command
from workbench.errors import ServiceError


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
