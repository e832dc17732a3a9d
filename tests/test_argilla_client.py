"""Which URL and key ``argilla_client.connection`` picks, against the session's embedded server.

The embedded owner's key must only ever be paired with the embedded server's own URL: any other
URL without a key of its own is refused, naming the option or variable that is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from workbench.argilla_client import connection
from workbench.errors import BadInput


@pytest.fixture
def no_env_connection(monkeypatch):
    monkeypatch.delenv("ARGILLA_API_URL", raising=False)
    monkeypatch.delenv("ARGILLA_API_KEY", raising=False)


def test_defaults_to_the_embedded_server_with_the_owner_key(argilla_server, no_env_connection):
    conn = connection()
    assert conn.api_url == argilla_server.api_url.rstrip("/")
    assert conn.api_key == argilla_server.api_key


def test_embedded_url_without_key_gets_the_owner_key(argilla_server, no_env_connection):
    conn = connection(argilla_server.api_url + "/")
    assert conn.api_key == argilla_server.api_key


@pytest.mark.parametrize("other", ["https://other-host.example", "{scheme}s://{host}:{port}", "{scheme}://{host}:{port1}",
                                   "{scheme}://other-host.example:{port}"])
def test_other_url_without_key_is_refused_and_the_key_not_shown(argilla_server, no_env_connection, other):
    parts = urlsplit(argilla_server.api_url)
    url = other.format(scheme=parts.scheme, host=parts.hostname, port=parts.port, port1=parts.port + 1)
    with pytest.raises(BadInput) as info:
        connection(url)
    message = str(info.value)
    assert "--api-url" in message and "--api-key" in message and "ARGILLA_API_KEY" in message
    assert argilla_server.api_key not in message


def test_env_url_without_env_key_is_refused(argilla_server, monkeypatch):
    monkeypatch.setenv("ARGILLA_API_URL", "https://other-host.example")
    monkeypatch.delenv("ARGILLA_API_KEY", raising=False)
    with pytest.raises(BadInput) as info:
        connection()
    message = str(info.value)
    assert "ARGILLA_API_URL=https://other-host.example" in message and "ARGILLA_API_KEY" in message
    assert argilla_server.api_key not in message


def test_explicit_and_env_keys_go_with_their_urls(argilla_server, monkeypatch):
    monkeypatch.setenv("ARGILLA_API_URL", "https://team.example/")
    monkeypatch.setenv("ARGILLA_API_KEY", "team-key")
    assert (connection().api_url, connection().api_key) == ("https://team.example", "team-key")
    conn = connection("https://other.example", "other-key")
    assert (conn.api_url, conn.api_key) == ("https://other.example", "other-key")


def test_sync_cli_to_another_host_without_key_exits_2_without_the_owner_key(argilla_server, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("ARGILLA_API_URL", "ARGILLA_API_KEY")}
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "sync", "--api-url", "https://other-host.example",
         "--store", f"sqlite:///{tmp_path / 'history.db'}"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--api-key" in result.stderr
    assert argilla_server.api_key not in result.stdout + result.stderr
    assert not (tmp_path / "history.db").exists()
