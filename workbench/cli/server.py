"""``workbench server start|stop|status``: the embedded Argilla server (``workbench up`` is in cli/up.py)."""

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
    print_state(state)


@server.command()
def stop() -> None:
    """Stop the processes that `workbench server start` started."""
    try:
        dashboard = launcher.dashboard_state()
    except launcher.BadInput:
        dashboard = None  # stop() stops the server and then names the broken dashboard file
    state = launcher.stop()
    parts = [p.role for p in state.processes] + (["dashboard"] if dashboard else [])
    click.echo(f"stopped the Workbench server at {state.url} ({', '.join(parts)})")


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
            "components": st.components, "dashboard": st.dashboard_url,
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
        click.echo(f"dashboard:     {st.dashboard_url or 'not running (`workbench up` or `workbench dashboard` serves it)'}")
        if not st.healthy:
            click.echo("some parts are down: `workbench server stop && workbench server start` restarts them")
    if not st.healthy:
        raise SystemExit(1)


def print_state(state: launcher.ServerState) -> None:
    """Where the server that ``state`` describes answers, and where its owner's credentials are."""
    click.echo(f"Argilla is up at {state.url}")
    click.echo(f"  database:      {state.database}")
    click.echo(f"  search engine: {state.search_engine}")
    click.echo(f"  redis:         {state.redis_url}")
    click.echo(f"  owner login:   credentials in {launcher.config.credentials_path()} (mode 600)")
