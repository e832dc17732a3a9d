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
    broken.unlink()

    # the dashboard `workbench up` serves: status shows where it is, stop says it stopped it
    assert run_cli("server", "start", "--port", str(port), home=own_home).returncode == 0
    assert "dashboard:     not running" in run_cli("server", "status", home=own_home).stdout
    code = f"from workbench.server import launcher; print(launcher.start_dashboard(port={launcher.free_port()}))"
    dash = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, WORKBENCH_HOME=str(own_home)),
                          capture_output=True, text=True, timeout=180)
    assert dash.returncode == 0, dash.stderr
    dash_url = dash.stdout.strip()
    assert f"dashboard:     {dash_url}" in run_cli("server", "status", home=own_home).stdout
    assert json.loads(run_cli("server", "status", "--json", home=own_home).stdout)["dashboard"] == dash_url
    stopped = run_cli("server", "stop", home=own_home)
    assert stopped.returncode == 0 and stopped.stdout.rstrip().endswith(", dashboard)"), stopped.stdout
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{dash_url}/_stcore/health", timeout=5)
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


# ----------------------------------------------------------------------------------------------
# issue #14: Redis, files and logs that other local users cannot use
# ----------------------------------------------------------------------------------------------


def _tcp_listening_inodes() -> set[str]:
    """Socket inodes of every TCP socket in LISTEN state (state 0A) on this machine."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A":
                inodes.add(cols[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[8:-1])
    return found


def _as_nobody(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), user="nobody", capture_output=True, text=True, timeout=30)


def test_home_is_owner_only_and_redis_listens_on_no_tcp_port(own_home):
    """Issue #14: the rq worker unpickles what Redis holds, so whoever reaches Redis runs code as
    the server's user; the home holds the owner's API key (argilla.db) and the logs."""
    port = launcher.free_port()
    result = run_cli("server", "start", "--port", str(port), home=own_home)
    assert result.returncode == 0, result.stderr
    state = json.loads((own_home / "run" / "server.json").read_text())
    assert state["redis_url"].startswith("unix://")
    socket_path = state["redis_url"][len("unix://"):].split("?")[0]
    redis_pid = next(p["pid"] for p in state["processes"] if p["role"] == "redis")
    assert not _socket_inodes(redis_pid) & _tcp_listening_inodes(), "our Redis listens on a TCP port"
    assert launcher.redis_ping(state["redis_url"])

    wide = [str(p.relative_to(own_home)) for p in [own_home, *own_home.rglob("*")]
            if not p.is_symlink() and p.stat().st_mode & 0o077]
    assert not wide, f"{len(wide)} entries readable by group or others: {wide[:5]}"
    assert (own_home / "argilla" / "argilla.db").exists() and (own_home / "run" / "api.log").exists()
    assert Path(socket_path).parent.stat().st_mode & 0o077 == 0

    if os.geteuid() == 0:  # what another local user can do (root bypasses modes, so ask as nobody)
        ping = _as_nobody("redis-cli", "-s", socket_path, "ping")
        assert "PONG" not in ping.stdout
        read = _as_nobody("head", "-c", "16", str(own_home / "argilla" / "argilla.db"))
        assert read.returncode != 0 and "Permission denied" in read.stderr


def test_sessions_survive_a_restart_and_logs_hold_no_password(own_home):
    """Issue #14: the token secret is generated once (kept with the credentials), so annotators
    signed in keep working across a restart; a password submitted with a validation error never
    reaches a log, and a 500 names no internals."""
    port = launcher.free_port()
    assert run_cli("server", "start", "--port", str(port), home=own_home).returncode == 0
    creds = json.loads((own_home / "credentials.json").read_text())
    api = f"http://127.0.0.1:{port}/api/v1"
    owner = {"X-Argilla-Api-Key": creds["api_key"]}
    token = requests.post(f"{api}/token", data={"username": creds["username"], "password": creds["password"]},
                          timeout=10).json()["access_token"]
    marker = "Zq7!pw"  # too short: Argilla answers 422
    bad = requests.post(f"{api}/users", headers=owner, timeout=10,
                        json={"username": "ann-short", "first_name": "A", "password": marker, "role": "annotator"})
    assert bad.status_code == 422 and marker not in bad.text
    ws = requests.post(f"{api}/workspaces", headers=owner, json={"name": "w-logs"}, timeout=10).json()["id"]
    ds = requests.post(f"{api}/datasets", headers=owner, json={"name": "d-logs", "workspace_id": ws}, timeout=10).json()
    failed = requests.get(f"{api}/datasets/{ds['id']}/records", params={"offset": 10**20}, headers=owner, timeout=10)
    assert failed.status_code in (422, 500)
    if failed.status_code == 500:
        assert "ref " in failed.json()["detail"]["params"]["message"]
        assert "INTEGER" not in failed.text

    assert run_cli("server", "stop", home=own_home).returncode == 0
    assert run_cli("server", "start", "--port", str(port), home=own_home).returncode == 0
    me = requests.get(f"{api}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert me.status_code == 200 and me.json()["username"] == creds["username"]
    for log in (own_home / "run").glob("*.*"):
        if log.is_file():
            text = log.read_text(encoding="utf-8", errors="replace")
            assert marker not in text, log.name
            assert creds["password"] not in text and creds["api_key"] not in text, log.name
    assert "body.password: String should have at least 8 characters" in (own_home / "run" / "api.log").read_text()


QUIET_ERRORS = r"""
import io, logging, sys
from sqlalchemy.exc import OperationalError
from workbench.server import process
process._quiet_errors()
from argilla_server.errors.error_handler import APIErrorHandler
stream = io.StringIO()
handler = logging.StreamHandler(stream)
handler.setFormatter(process.ShortExceptionFormatter("%(levelname)s %(name)s: %(message)s"))
logging.getLogger().handlers[:] = [handler]
sql = "SELECT records.id FROM records WHERE fields LIKE ? " + "OR fields LIKE ? " * 20000
try:
    raise OperationalError(sql, ("%SECRET-PARAM%",) * 20001, Exception("LIKE or GLOB pattern too complex"))
except OperationalError as exc:
    error = APIErrorHandler._exception_to_argilla_error(exc)
    logging.getLogger("uvicorn.error").error("Exception in ASGI application", exc_info=exc)
print(repr(error.arguments))
print("LOG", stream.getvalue())
"""


def test_unhandled_errors_put_no_sql_or_parameters_in_the_body_or_the_log():
    """argilla-server logs a failed statement whole (~430 KB for one long search) and answers 500
    with it; Workbench's handler and log formatter keep a short message and a reference."""
    out = subprocess.run([sys.executable, "-c", QUIET_ERRORS], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    body, log = out.stdout.split("LOG", 1)
    assert "SECRET-PARAM" not in out.stdout and "SELECT" not in body
    assert "internal server error (ref " in body and "sqlalchemy.exc.OperationalError" in body
    assert len(log) < 20_000 and "OperationalError" in log and "Traceback" in log


def test_server_logs_rotate_and_are_owner_only(tmp_path):
    log = tmp_path / "api.log"
    script = ("import logging, os\nos.umask(0o077)\nfrom workbench.server import process\nprocess._configure_logging()\n"
              "for i in range(3000):\n    logging.getLogger('argilla').warning('line %05d %s', i, 'x' * 60)\n")
    env = {**os.environ, "WORKBENCH_LOG_FILE": str(log), "WORKBENCH_LOG_MAX_BYTES": "20000"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["api.log", "api.log.1", "api.log.2", "api.log.3"]
    assert all(f.stat().st_size <= 20000 for f in files)
    assert all(f.stat().st_mode & 0o077 == 0 for f in files)
    assert "line 02999" in log.read_text()


def test_rotate_log_at_start_keeps_a_bounded_number_of_old_logs(tmp_path):
    log = tmp_path / "redis.log"
    for i in range(6):
        log.write_text(f"run {i}\n" * 10)
        launcher.rotate_log(log, max_bytes=10, backups=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["redis.log.1", "redis.log.2", "redis.log.3"]
    assert (tmp_path / "redis.log.1").read_text().startswith("run 5")
    assert not launcher.rotate_log(tmp_path / "missing.log")


@pytest.mark.parametrize("url, shown", [
    ("postgresql://u:pw@db/x", "postgresql://u:***@db/x"),
    ("postgresql://u@db/x?sslmode=require&password=s3cr3t", "postgresql://u@db/x?password=***&sslmode=require"),
    ("postgresql://u@db/x?PASSWORD=s3cr3t", "postgresql://u@db/x?PASSWORD=***"),
    ("redis://:pw@127.0.0.1:1/0", "redis://:***@127.0.0.1:1/0"),
])
def test_redact_url_hides_passwords_in_the_user_part_and_the_query(url, shown):
    assert launcher.redact_url(url) == shown
