"""``workbench server start|stop|status`` and ``workbench up``."""

from __future__ import annotations

import click

from workbench.server import launcher


@click.group()
def server() -> None:
    """Run the embedded Argilla server (API, web UI, worker, Redis) under the Workbench home."""


@server.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface the API and UI listen on.")
@click.option("--port", default=6900, show_default=True, type=click.IntRange(1, 65535), help="Port of the API and UI.")
@click.option("--timeout", default=180, show_default=True, type=click.IntRange(5, 3600), help="Seconds to wait for the API.")
def start(host: str, port: int, timeout: int) -> None:
    """Start the embedded Argilla server and wait until it answers."""
    click.echo(f"starting the embedded Argilla server on {host}:{port} ...")
    state = launcher.start(host, port, timeout=timeout)
    _print_state(state)


@server.command()
def stop() -> None:
    """Stop the processes that `workbench server start` started."""
    state = launcher.stop()
    click.echo(f"stopped the Workbench server at {state.url} ({', '.join(p.role for p in state.processes)})")


@server.command()
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable status.")
def status(as_json: bool) -> None:
    """Say where the server is, which database and search engine, and whether each part is alive.

    Exits 0 when everything is healthy, 1 when nothing runs or a part is dead.
    """
    st = launcher.status()
    if as_json:
        import json

        click.echo(json.dumps({
            "running": st.running, "healthy": st.healthy, "api_ok": st.api_ok, "redis_ok": st.redis_ok,
            "components": st.components,
            "state": None if st.state is None else {k: v for k, v in st.state.__dict__.items() if k != "processes"},
        }, indent=2))
    elif st.state is None:
        click.echo("no Workbench server is running (start one with `workbench server start`)")
    else:
        s = st.state
        click.echo(f"url:           {s.url}")
        click.echo(f"home:          {s.home}")
        click.echo(f"database:      {s.database}")
        click.echo(f"search engine: {s.search_engine}")
        click.echo(f"redis:         {s.redis_url} ({'ours' if s.redis_owned else 'external'}, "
                   f"{'answers' if st.redis_ok else 'NOT answering'})")
        click.echo(f"api:           {'answers' if st.api_ok else 'NOT answering'}")
        for role, state in st.components.items():
            proc = s.process(role)
            pid = f" pid {proc.pid}" if proc else ""
            click.echo(f"  {role:<8} {state}{pid}")
        if not st.healthy:
            click.echo("some parts are down: `workbench server stop && workbench server start` restarts them")
    if not st.healthy:
        raise SystemExit(1)


def _print_state(state: launcher.ServerState) -> None:
    click.echo(f"Argilla is up at {state.url}")
    click.echo(f"  database:      {state.database}")
    click.echo(f"  search engine: {state.search_engine}")
    click.echo(f"  redis:         {state.redis_url}")
    click.echo(f"  owner login:   credentials in {launcher.config.credentials_path()} (mode 600)")


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
        _print_state(state)
    from workbench import demo

    click.echo(demo.load_demo(state.url))
    if no_dashboard:
        return
    url = launcher.start_dashboard(host, dashboard_port)
    click.echo(f"dashboard at {url}: sign in with an Argilla account: the owner (password in "
               f"{launcher.config.credentials_path()}) sees everything; ana / ben / chloe see their own figures")
