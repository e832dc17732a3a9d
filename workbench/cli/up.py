"""``workbench up``: the embedded Argilla server, the demo project and the dashboard, in one idempotent step."""

from __future__ import annotations

import click

from workbench.cli.server import print_state
from workbench.server import launcher


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface Argilla and the dashboard listen on.")
@click.option("--port", default=6900, show_default=True, type=click.IntRange(1, 65535), help="Argilla's port.")
@click.option("--dashboard-port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="The dashboard's port.")
@click.option("--no-dashboard", is_flag=True, help="Do not start the dashboard.")
def up(host: str, port: int, dashboard_port: int, no_dashboard: bool) -> None:
    """Start Argilla, load the demo project and serve the dashboard (idempotent: safe to run again).

    Everything keeps running in the background; `workbench server stop` stops it all.
    """
    st = launcher.status()
    if st.state is not None and st.healthy:
        click.echo(f"the Workbench server is already running at {st.state.url}")
        state = st.state
    else:
        if st.state is not None:
            click.echo("a previous server is partly down; restarting it")
            launcher.stop()
        state = launcher.start(host, port)
        print_state(state)
    from workbench import demo

    click.echo(demo.load_demo(state.url))
    if no_dashboard:
        return
    url = launcher.start_dashboard(host, dashboard_port)
    click.echo(f"dashboard at {url}: sign in with an Argilla account: the owner (password in "
               f"{launcher.config.credentials_path()}) sees everything; ana / ben / chloe see their own figures")
