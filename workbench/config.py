"""Where Workbench keeps its state, and the settings it reads from the environment.

Everything lives under one home folder (``WORKBENCH_HOME``, default ``~/.workbench``)::

    home/
      credentials.json      owner username/password/API key, the server's token secret (mode 600)
      argilla/              ARGILLA_HOME_PATH: the SQLite database of the embedded server
      run/                  PID files, logs and the Redis socket of the processes ``workbench server`` started
      tmp/<process>/        a private TMPDIR per server process, removed on stop

The home and everything Workbench writes in it are readable by their owner only: the home is
mode 700 (an existing home with wider bits is narrowed on first use), Workbench's processes run
with umask 077 (:func:`use_private_umask`), and :func:`atomic_write` writes mode 600 by default.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, MutableMapping, TextIO, overload

from workbench import safe_load
from workbench.errors import BadInput

#: Environment that keeps every upstream package off the network and its telemetry off.
OFFLINE_ENV = {
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
    "DVC_NO_ANALYTICS": "1",
}


@overload
def apply_offline_env(env: None = None) -> MutableMapping[str, str]: ...


@overload
def apply_offline_env(env: dict[str, str]) -> dict[str, str]: ...


def apply_offline_env(env: dict[str, str] | None = None) -> MutableMapping[str, str]:
    """Set the no-network, no-telemetry variables in ``env`` (``os.environ`` by default), keeping explicit user choices."""
    target: MutableMapping[str, str] = os.environ if env is None else env
    for key, value in OFFLINE_ENV.items():
        target.setdefault(key, value)
    return target


#: The umask of every Workbench process: what it creates is readable by its owner only.
PRIVATE_UMASK = 0o077


def use_private_umask() -> int:
    """Make files and folders this process creates owner-only (umask 077); returns the old umask.
    The CLI, the dashboard and the server's processes call it first thing."""
    return os.umask(PRIVATE_UMASK)


def home() -> Path:
    """The Workbench home folder, created on first use with mode 700; an existing one that its
    owner made readable by others is narrowed to 700 (what is in it holds secrets and personal data)."""
    path = Path(os.environ.get("WORKBENCH_HOME") or Path.home() / ".workbench").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = path.stat()
    if st.st_mode & 0o077 and st.st_uid == os.getuid():
        path.chmod(0o700)
    return path


def make_private(root: Path) -> int:
    """Remove group and other permissions from ``root`` and everything below it that this user
    owns (a home written by an older Workbench, or by a process with a wider umask); returns how
    many entries were narrowed. Symbolic links are not followed."""
    narrowed = 0
    uid = os.getuid()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [""] + dirnames + filenames:
            p = os.path.join(dirpath, name) if name else dirpath
            try:
                st = os.lstat(p)
            except FileNotFoundError:  # removed meanwhile (a temporary file)
                continue
            if st.st_uid == uid and st.st_mode & 0o077 and not stat.S_ISLNK(st.st_mode):
                os.chmod(p, stat.S_IMODE(st.st_mode) & 0o700)
                narrowed += 1
    return narrowed


def run_dir() -> Path:
    path = home() / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def atomic_write(path: Path, render: Callable[[TextIO], object], mode: int = 0o600, newline: str | None = None) -> None:
    """Call ``render(fh)`` on a temporary UTF-8 text file next to ``path`` (opened with ``newline``),
    then rename it over ``path``: readers see the old file or the new one, never half of one, and
    on any failure the temporary file is removed and ``path`` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            render(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` with :func:`atomic_write`."""
    atomic_write(path, lambda fh: fh.write(text), mode)


@dataclass(frozen=True)
class OwnerCredentials:
    """The embedded server's owner account. ``repr`` hides the secrets."""

    username: str
    password: str
    api_key: str

    def __repr__(self) -> str:  # never leak secrets into logs or tracebacks
        return f"OwnerCredentials(username={self.username!r}, password='***', api_key='***')"


def _generate_secret(length: int = 24) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def credentials_path() -> Path:
    return home() / "credentials.json"


def read_json_object(path: Path, *, holds: str, fix: str) -> dict:
    """The JSON object stored in ``path``.

    Raises ``BadInput`` naming the file, what it should hold and ``fix`` (what the user can do) when
    it is not UTF-8 text, not JSON or not an object; its contents are never quoted (they may be
    secrets).
    """
    try:
        data = safe_load.loads(path.read_text(encoding="utf-8"))  # (depth-limited: a hand-edited file)
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text; {fix}") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); {fix}") from None
    if not isinstance(data, dict):
        raise BadInput(f"{path}: must hold a JSON object with {holds}, not a {type(data).__name__}; {fix}")
    return data


def _stored_credentials() -> dict:
    """The credentials file's object ({} when there is none); refused when group or others may read it."""
    path = credentials_path()
    if not path.exists():
        return {}
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise BadInput(
            f"{path}: mode is {oct(mode)}, but a credentials file must be readable by its owner only; "
            f"run `chmod 600 {path}`"
        )
    return read_json_object(path, holds="username, password and api_key",
                            fix="fix it, or remove it to have new owner credentials generated")


def _store_credentials(data: dict) -> None:
    atomic_write_text(credentials_path(), json.dumps(data, indent=2) + "\n", mode=0o600)


def owner_credentials() -> OwnerCredentials:
    """Owner credentials: from ``WORKBENCH_OWNER_USERNAME/PASSWORD/API_KEY`` when set, else from the
    credentials file, else generated once and written to the credentials file with mode 600.

    A credentials file readable by group or others is refused rather than trusted.
    """
    path = credentials_path()
    stored = _stored_credentials()
    if any(k in stored for k in ("username", "password", "api_key")):  # (not a file with the token secret only)
        for field in ("username", "password", "api_key"):
            if not isinstance(stored.get(field), str) or not stored.get(field):
                raise BadInput(f"{path}: field {field!r} is missing or empty")
    env = {
        "username": os.environ.get("WORKBENCH_OWNER_USERNAME"),
        "password": os.environ.get("WORKBENCH_OWNER_PASSWORD"),
        "api_key": os.environ.get("WORKBENCH_OWNER_API_KEY"),
    }
    if env["password"] is not None and len(env["password"]) < 8:
        raise BadInput("WORKBENCH_OWNER_PASSWORD: Argilla requires at least 8 characters")
    generated = {"username": "owner", "password": _generate_secret(), "api_key": _generate_secret(40)}
    merged = {k: env[k] or stored.get(k) or generated[k] for k in generated}
    if any(stored.get(k) != v for k, v in merged.items()):
        _store_credentials({**stored, **merged})  # other secrets in the file (the token secret) are kept
    return OwnerCredentials(**merged)


def token_secret() -> str:
    """The key the server signs its session tokens with (argilla-server's ``ARGILLA_AUTH_SECRET_KEY``):
    that variable when set, else generated once and kept in the credentials file (mode 600), so
    that the sign-ins of annotators survive a server restart. argilla-server's own default is a
    new random key per process, which ends every session on restart."""
    env = os.environ.get("ARGILLA_AUTH_SECRET_KEY")
    if env:
        return env
    stored = _stored_credentials()
    secret = stored.get("token_secret")
    if isinstance(secret, str) and len(secret) >= 32:
        return secret
    secret = secrets.token_hex(32)
    _store_credentials({**stored, "token_secret": secret})
    return secret
