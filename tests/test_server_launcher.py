"""The embedded server's CLI as a user runs it: start/stop/status and every fault the issue names.

Each test runs ``workbench`` in a subprocess with its own ``WORKBENCH_HOME``, so the session
server of ``conftest.py`` is untouched except where a test checks that a second start is refused.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from workbench.server import launcher

pytestmark = pytest.mark.argilla


def run_cli(*args: str, home: Path, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env["WORKBENCH_HOME"] = str(home)
    for key in ("ARGILLA_REDIS_URL", "WORKBENCH_OWNER_USERNAME", "WORKBENCH_OWNER_PASSWORD", "WORKBENCH_OWNER_API_KEY"):
        full_env.pop(key, None)
    # Never the session server's database: a start under another home would take over its owner
    # account (the init step sets the owner's key to that home's credentials). A test that wants a
    # database passes it in ``env``.
    full_env.pop("ARGILLA_DATABASE_URL", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args], env=full_env, capture_output=True, text=True, timeout=timeout
    )


def home_snapshot(home: Path) -> dict[str, bytes]:
    """Every file of the home except logs, which a failed start is allowed to append to."""
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in home.rglob("*")
        if p.is_file() and p.suffix != ".log" and p.name != "lock"
    }


@pytest.fixture()
def own_home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    yield home
    if (home / "run" / "server.json").exists():
        run_cli("server", "stop", home=home)


def test_second_start_is_refused_and_names_the_running_server(argilla_server):
    result = run_cli("server", "start", "--port", str(launcher.free_port()), home=argilla_server.home)
    assert result.returncode == 1
    assert "already running" in result.stderr
    assert argilla_server.api_url in result.stderr
    # the running server is untouched
    assert launcher.api_ok(argilla_server.api_url, argilla_server.api_key)


def test_status_reports_url_database_engine_and_live_parts(argilla_server):
    result = run_cli("server", "status", "--json", home=argilla_server.home)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["healthy"] is True
    assert data["state"]["url"] == argilla_server.api_url
    assert data["state"]["search_engine"] == "workbench-sql"
    assert data["components"] == {"redis": "alive", "worker": "alive", "api": "alive"}
    expected_backend = "postgresql" if "postgresql" in argilla_server.database_url else "sqlite"
    assert data["state"]["database"].startswith(expected_backend)
    # the owner's secrets never appear in status output
    assert argilla_server.owner_password not in result.stdout
    assert argilla_server.api_key not in result.stdout


def test_stop_with_nothing_running(own_home):
    result = run_cli("server", "stop", home=own_home)
    assert result.returncode == 1
    assert "no Workbench server is running" in result.stderr


def test_status_with_nothing_running(own_home):
    result = run_cli("server", "status", home=own_home)
    assert result.returncode == 1
    assert "no Workbench server is running" in result.stdout


def test_port_taken(own_home):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        before = home_snapshot(own_home)
        result = run_cli("server", "start", "--port", str(port), home=own_home)
    assert result.returncode == 1
    assert f"port {port}" in result.stderr and "in use" in result.stderr
    assert not (own_home / "run" / "server.json").exists()
    after = home_snapshot(own_home)
    assert {k: v for k, v in after.items() if k != "credentials.json"} == before


def test_redis_that_does_not_answer(own_home):
    dead = launcher.free_port()
    result = run_cli("server", "start", "--port", str(launcher.free_port()), home=own_home,
                     env={"ARGILLA_REDIS_URL": f"redis://127.0.0.1:{dead}/0"})
    assert result.returncode == 1
    assert "Redis" in result.stderr and "does not answer" in result.stderr
    assert not (own_home / "run" / "server.json").exists()


def test_unsupported_database_url_is_bad_input(own_home):
    result = run_cli("server", "start", "--port", str(launcher.free_port()), home=own_home,
                     env={"ARGILLA_DATABASE_URL": "mysql://root:hunter2@localhost/argilla"})
    assert result.returncode == 2
    assert "ARGILLA_DATABASE_URL" in result.stderr and "mysql" in result.stderr
    assert "hunter2" not in result.stderr  # the password is never echoed


def test_unreachable_database_fails_cleanly(own_home):
    dead = launcher.free_port()
    redis_before = _redis_processes()
    result = run_cli("server", "start", "--port", str(launcher.free_port()), home=own_home,
                     env={"ARGILLA_DATABASE_URL": f"postgresql://wb:secretpw@127.0.0.1:{dead}/argilla"})
    assert result.returncode == 1
    assert "could not prepare the database" in result.stderr
    assert "secretpw" not in result.stderr
    assert not (own_home / "run" / "server.json").exists()
    # nothing it started is left running: neither a Python child nor its Redis
    assert not _processes_with_home(own_home)
    assert not [pid for pid in _redis_processes() - redis_before if _cwd_under(pid, own_home)]


def test_start_stop_cycle_and_killed_worker(own_home):
    port = launcher.free_port()
    result = run_cli("server", "start", "--port", str(port), home=own_home)
    assert result.returncode == 0, result.stderr
    assert f"http://127.0.0.1:{port}" in result.stdout
    creds = json.loads((own_home / "credentials.json").read_text())
    assert (own_home / "credentials.json").stat().st_mode & 0o777 == 0o600
    assert creds["password"] not in result.stdout + result.stderr
    # the UI is served
    page = requests.get(f"http://127.0.0.1:{port}/", timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
    state = json.loads((own_home / "run" / "server.json").read_text())
    worker_pid = next(p["pid"] for p in state["processes"] if p["role"] == "worker")
    tmpdirs = [p["tmpdir"] for p in state["processes"]]
    assert all(Path(t).is_dir() for t in tmpdirs)

    os.kill(worker_pid, signal.SIGKILL)
    time.sleep(0.5)
    status = run_cli("server", "status", home=own_home)
    assert status.returncode == 1
    assert "worker" in status.stdout and "dead" in status.stdout

    stopped = run_cli("server", "stop", home=own_home)
    assert stopped.returncode == 0, stopped.stderr
    assert not (own_home / "run" / "server.json").exists()
    assert not any(Path(t).exists() for t in tmpdirs), "per-process temporary folders are removed on stop"
    assert not _processes_with_home(own_home)
    assert not any(launcher._pid_is_ours(p["pid"], p["start_ticks"]) for p in state["processes"])
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", timeout=5)

    # a restart on the same home keeps the data and the credentials
    again = run_cli("server", "start", "--port", str(port), home=own_home)
    assert again.returncode == 0, again.stderr
    assert json.loads((own_home / "credentials.json").read_text()) == creds
    me = requests.get(f"http://127.0.0.1:{port}/api/v1/me", headers={"X-Argilla-Api-Key": creds["api_key"]}, timeout=10)
    assert me.status_code == 200 and me.json()["role"] == "owner"

    # a broken dashboard.json does not keep the server running: stop stops it, then names the file
    broken = own_home / "run" / launcher.DASHBOARD_STATE
    broken.write_text("{not json")
    stopped = run_cli("server", "stop", home=own_home)
    assert stopped.returncode == 2, stopped.stderr
    assert str(broken) in stopped.stderr and "stopped the server" in stopped.stderr
    assert not (own_home / "run" / "server.json").exists()
    assert not _processes_with_home(own_home)


def test_credentials_file_readable_by_others_is_refused(own_home):
    path = own_home / "credentials.json"
    path.write_text(json.dumps({"username": "owner", "password": "x" * 12, "api_key": "y" * 20}))
    path.chmod(0o644)
    result = run_cli("server", "start", "--port", str(launcher.free_port()), home=own_home)
    assert result.returncode == 2
    assert "credentials.json" in result.stderr and "chmod 600" in result.stderr
    assert "x" * 12 not in result.stderr


@pytest.mark.parametrize("text", [b"[]", b'"owner"', b"{not json", b'{"password": "\xff\xfe"}'])
def test_credentials_file_that_is_not_an_object_is_refused(own_home, text):
    path = own_home / "credentials.json"
    path.write_bytes(text)
    path.chmod(0o600)
    result = run_cli("server", "start", "--port", str(launcher.free_port()), home=own_home)
    assert result.returncode == 2, result.stderr
    assert str(path) in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == text  # left for the user to fix, not overwritten
    assert not (own_home / "run" / "server.json").exists()


@pytest.mark.parametrize("text", ["[]", "{not json", '{"url": "http://x"}', '{"url": "http://x", "process": {"pid": 1}}',
                                  '{"url": 3, "process": {}}'])
def test_broken_dashboard_state_is_bad_input_naming_the_file(tmp_path, monkeypatch, text):
    from workbench.errors import BadInput

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    path = tmp_path / "run" / launcher.DASHBOARD_STATE
    path.parent.mkdir()
    path.write_text(text)
    for read in (launcher.dashboard_state, launcher.stop_dashboard):
        with pytest.raises(BadInput) as info:
            read()
        assert str(path) in str(info.value) and "remove" in str(info.value)
    assert path.read_text() == text


def _cwd_under(pid: int, home: Path) -> bool:
    """Our Redis runs in ``<home>/run/redis`` (its --dir), which tells it from other Redis servers."""
    try:
        return os.readlink(f"/proc/{pid}/cwd").startswith(str(home))
    except OSError:
        return False


def _redis_processes() -> set[int]:
    found = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if "redis-server" in os.readlink(proc / "exe"):
                    found.add(int(proc.name))
            except OSError:
                pass
    return found


def _processes_with_home(home: Path) -> list[int]:
    """Python children of a start under ``home`` (Redis rewrites its own environment, so it is
    checked by PID or by ``_redis_processes`` instead)."""
    needle = f"WORKBENCH_HOME={home}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        if needle in env and launcher.MARKER_ENV.encode() in b"\0".join(env) and stat.rsplit(")", 1)[1].split()[0] != "Z":
            found.append(int(proc.name))
    return found
