"""Options and helpers shared by several command modules (not a command group itself)."""

from __future__ import annotations

import click

STORE_OPTION = click.option(
    "--store", "store_url", default=None, metavar="URL",
    help="SQLAlchemy URL of the history store (default: WORKBENCH_STORE_URL, else <home>/history.db).")


def argilla():
    """The Argilla connection (``ARGILLA_API_URL``/``ARGILLA_API_KEY``, else the embedded server) and an SDK client."""
    from workbench import argilla_client

    conn = argilla_client.connection()
    return conn, argilla_client.client(conn)


def store():
    """The history store (``WORKBENCH_STORE_URL``, else ``history.db`` under the Workbench home)."""
    from workbench.store import HistoryStore

    return HistoryStore()


def task(name: str):
    """The task named ``name`` (or the task file ``name``); BadInput naming where tasks are looked up."""
    from workbench.tasks import find_task

    return find_task(name)
