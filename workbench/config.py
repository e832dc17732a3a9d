"""Where Workbench keeps its state, and the settings it reads from the environment.

Everything lives under one home folder (``WORKBENCH_HOME``, default ``~/.workbench``)::

    home/
      credentials.json      owner username/password/API key (mode 600)
      argilla/              ARGILLA_HOME_PATH: the SQLite database of the embedded server
      run/                  PID files, ports and logs of the processes ``workbench server`` started
      tmp/<process>/        a private TMPDIR per server process, removed on stop
"""

from __future__ import annotations

import json
import os
import secrets
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path

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


def apply_offline_env(env: dict | None = None) -> dict:
    """Set the no-network, no-telemetry variables in ``env`` (``os.environ`` by default), keeping explicit user choices."""
    target = os.environ if env is None else env
    for key, value in OFFLINE_ENV.items():
        target.setdefault(key, value)
    return target


def home() -> Path:
    """The Workbench home folder, created on first use."""
    path = Path(os.environ.get("WORKBENCH_HOME") or Path.home() / ".workbench").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_dir() -> Path:
    path = home() / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path


def atomic_write(path: Path, render, mode: int = 0o644, newline: str | None = None) -> None:
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


def atomic_write_text(path: Path, text: str, mode: int = 0o644) -> None:
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
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text; {fix}") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); {fix}") from None
    if not isinstance(data, dict):
        raise BadInput(f"{path}: must hold a JSON object with {holds}, not a {type(data).__name__}; {fix}")
    return data


def owner_credentials() -> OwnerCredentials:
    """Owner credentials: from ``WORKBENCH_OWNER_USERNAME/PASSWORD/API_KEY`` when set, else from the
    credentials file, else generated once and written to the credentials file with mode 600.

    A credentials file readable by group or others is refused rather than trusted.
    """
    path = credentials_path()
    stored: dict = {}
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise BadInput(
                f"{path}: mode is {oct(mode)}, but a credentials file must be readable by its owner only; "
                f"run `chmod 600 {path}`"
            )
        stored = read_json_object(path, holds="username, password and api_key",
                                  fix="fix it, or remove it to have new owner credentials generated")
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
    if merged != stored:
        atomic_write_text(path, json.dumps(merged, indent=2) + "\n", mode=0o600)
    return OwnerCredentials(**merged)
