"""The team roster: who annotates which task, and ``workbench users sync`` to mirror it in Argilla.

A roster is a YAML or CSV file, one person per entry::

    # roster.yaml
    users:
      - username: ana
        role: annotator             # annotator | admin | expert
        expertise: [general-practice, pharmacy]
        tasks: [medical-qa-rating]

    # roster.csv (lists separated by ';')
    username,role,expertise,tasks
    ana,annotator,general-practice;pharmacy,medical-qa-rating

Roles: an *annotator* answers the task's rounds; an *expert* gives the gold answers (an Argilla
annotator who is not counted among the task's annotators); an *admin* manages datasets (Argilla
role ``admin``). Every problem is reported with its file, line, field and value
(``roster.yaml:7: users[1].role: unknown role 'reviewer' (allowed: annotator, admin, expert)``),
all of them, not just the first.

:func:`sync_users` creates missing users (with a generated password), sets the Argilla role,
and makes each user's task workspaces (one workspace per task, named after it) match the
roster: missing memberships are added, memberships of *task* workspaces no longer listed are
removed; other workspaces are left alone. Passwords are generated for **new** users only and
are delivered once, in a new file readable by its owner only (mode 600) whose path is returned;
they are never printed nor logged, and an existing user's password is never read nor changed.
Re-running the same roster changes nothing and writes no file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import BadInput
from workbench.guidelines import Problem, problems_error, read_text_file
from workbench.safe_load import LimitedLoader, compose_yaml, loads, yaml_error_line, yaml_error_message

ROLES = ("annotator", "admin", "expert")
#: Argilla role of each roster role.
ARGILLA_ROLE = {"annotator": "annotator", "expert": "annotator", "admin": "admin"}
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_KEYS = {"username", "role", "expertise", "tasks", "first_name", "last_name"}
PASSWORD_BYTES = 18  # 24 URL-safe characters


@dataclass(frozen=True)
class RosterEntry:
    """One person of the roster."""

    username: str
    role: str
    expertise: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    first_name: str | None = None
    last_name: str | None = None
    line: int | None = field(default=None, compare=False)

    @property
    def argilla_role(self) -> str:
        return ARGILLA_ROLE[self.role]


@dataclass(frozen=True)
class Roster:
    """A validated roster."""

    source: str
    entries: tuple[RosterEntry, ...]

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, username: str) -> RosterEntry | None:
        for e in self.entries:
            if e.username == username:
                return e
        return None

    def annotators(self, task: str) -> tuple[str, ...]:
        """Usernames with role ``annotator`` on ``task``, in roster order."""
        return tuple(e.username for e in self.entries if e.role == "annotator" and task in e.tasks)

    def experts(self, task: str) -> tuple[str, ...]:
        return tuple(e.username for e in self.entries if e.role == "expert" and task in e.tasks)

    def to_json(self) -> str:
        """The roster without line numbers (it holds no secrets)."""
        return json.dumps({"source": self.source, "users": [
            {k: v for k, v in asdict(e).items() if k != "line"} for e in self.entries]}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Roster":
        data = loads(text)  # json.loads with nesting limited
        return cls(data.get("source", "roster"), tuple(
            RosterEntry(username=u["username"], role=u["role"], expertise=tuple(u.get("expertise") or ()),
                        tasks=tuple(u.get("tasks") or ()), first_name=u.get("first_name"), last_name=u.get("last_name"))
            for u in data.get("users", [])))


def known_task_names(project: Path | None = None) -> tuple[str, ...]:
    """Names of the tasks in ``<project>/tasks`` (a task's name is its file's stem)."""
    from workbench.tasks import project_dir

    folder = (project or project_dir()) / "tasks"
    if not folder.is_dir():
        return ()
    return tuple(sorted({p.stem for p in [*folder.glob("*.yaml"), *folder.glob("*.yml")]}))


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _as_list(value: Any) -> tuple[list[str] | None, str | None]:
    """A YAML list or a ';'/','-separated string -> list of non-empty strings; else an error text."""
    if value is None:
        return [], None
    if isinstance(value, str):
        parts = [p.strip() for p in re.split(r"[;,]", value)]
        return [p for p in parts if p], None
    if isinstance(value, list):
        out = []
        for v in value:
            if not isinstance(v, (str, int)) or isinstance(v, bool) or not str(v).strip():
                return None, f"{v!r} is not a name"
            out.append(str(v).strip())
        return out, None
    return None, f"{value!r} must be a list (YAML) or names separated by ';' (CSV)"


def _yaml_rows(text: str, shown: str, problems: list[Problem]) -> list[tuple[int | None, str, dict, dict]]:
    """(line, path prefix, values, line of each key) for each user of a YAML roster."""
    try:
        root = compose_yaml(text)  # nesting and aliases limited
    except yaml.YAMLError as exc:
        problems.append(Problem(shown, yaml_error_line(exc), "", yaml_error_message(exc)))
        return []
    if root is None:
        problems.append(Problem(shown, 1, "users", "empty roster: expected 'users:' with one entry per person"))
        return []
    seq = root
    prefix = "users"
    if isinstance(root, yaml.MappingNode):
        seq = None
        for k, v in root.value:
            if k.value == "users":
                seq = v
            else:
                problems.append(Problem(shown, k.start_mark.line + 1, str(k.value), "unknown key (a roster has only 'users:')"))
        if seq is None:
            problems.append(Problem(shown, 1, "users", "missing: the list of people"))
            return []
    elif isinstance(root, yaml.SequenceNode):
        prefix = ""
    if not isinstance(seq, yaml.SequenceNode):
        problems.append(Problem(shown, seq.start_mark.line + 1, prefix or "users", "must be a list of people (- username: ...)"))
        return []
    loader = LimitedLoader("")  # a SafeLoader that reports unreadable values as YAML errors
    rows = []
    for i, node in enumerate(seq.value):
        path = f"{prefix}[{i}]"
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem(shown, line, path, "must be a mapping (username, role, expertise, tasks)"))
            continue
        values, lines = {}, {}
        for k, v in node.value:
            key = str(k.value)
            if key in values:
                problems.append(Problem(shown, k.start_mark.line + 1, f"{path}.{key}", "given twice"))
                continue
            try:
                values[key] = loader.construct_object(v, deep=True)
            except yaml.YAMLError as exc:  # e.g. a date that does not exist
                problems.append(Problem(shown, yaml_error_line(exc), f"{path}.{key}", yaml_error_message(exc)))
                continue
            finally:
                loader.constructed_objects.clear()
            lines[key] = v.start_mark.line + 1
        rows.append((line, path, values, lines))
    return rows


def _csv_rows(text: str, shown: str, problems: list[Problem]) -> list[tuple[int | None, str, dict, dict]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(shown, 1, "", "empty roster: expected a header line username,role,expertise,tasks"))
        return []
    except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
        problems.append(Problem(shown, reader.line_num, "", f"not a readable CSV line ({exc})"))
        return []
    header = [h.strip() for h in header]
    for h in header:
        if h not in _KEYS:
            problems.append(Problem(shown, 1, h, f"unknown column (allowed: {', '.join(sorted(_KEYS))})"))
    for need in ("username", "role"):
        if need not in header:
            problems.append(Problem(shown, 1, need, "missing column"))
    if problems:
        return []
    rows = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # the rest of the file cannot be read reliably
            problems.append(Problem(shown, reader.line_num, "", f"not a readable CSV row ({exc})"))
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(shown, line, "", f"{len(cells)} cells, but the header has {len(header)} columns"))
            continue
        values = {h: c.strip() for h, c in zip(header, cells) if c.strip() != "" or h in ("username", "role")}
        rows.append((line, f"row {line}", values, {k: line for k in values}))
    return rows


def validate_roster(path: Path | str, *, known_tasks: tuple[str, ...] | None = None,
                    shown: str | None = None) -> tuple[Roster | None, list[Problem]]:
    """Read and check a roster file (``.yaml``/``.yml`` or ``.csv``).

    Parameters
    ----------
    path : path-like
    known_tasks : tuple of str, optional
        Task names a roster may refer to; default the tasks of the project (:func:`known_task_names`).
    shown : str, optional
        How to name the file in problems.

    Returns
    -------
    (Roster or None, list of Problem)
        The roster when there is no problem; every problem otherwise (duplicate username, unknown
        role, unknown task, malformed entries), each with file, line, field and value.
    """
    path = Path(path)
    shown = shown or str(path)
    text, unread = read_text_file(path, shown)
    if text is None:
        return None, unread
    problems: list[Problem] = []
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(text, shown, problems)
    elif path.suffix.lower() in (".yaml", ".yml"):
        rows = _yaml_rows(text, shown, problems)
    else:
        return None, [Problem(shown, None, "", f"unknown roster format {path.suffix or '(none)'!r}: use .yaml, .yml or .csv")]
    tasks_known = known_task_names() if known_tasks is None else tuple(known_tasks)
    entries: list[RosterEntry] = []
    seen: dict[str, int | None] = {}
    for line, path_, values, lines in rows:
        before = len(problems)

        def add(key: str, message: str) -> None:
            problems.append(Problem(shown, lines.get(key, line), f"{path_}.{key}", message))

        for key in values:
            if key not in _KEYS:
                add(key, f"unknown field (allowed: {', '.join(sorted(_KEYS))})")
        username = values.get("username")
        if username is None or (isinstance(username, str) and not username.strip()):
            add("username", "missing")
            username = None
        elif not isinstance(username, (str, int)) or isinstance(username, bool) or not _USERNAME.match(str(username)):
            add("username", f"{username!r} is not a valid username (letters, digits, '.', '_', '-'; starts with a letter or digit)")
            username = None
        else:
            username = str(username)
            folded = username.lower()
            if folded in seen:
                first = seen[folded]
                add("username", f"duplicate username {username!r} (already on line {first})" if first else
                    f"duplicate username {username!r}")
            else:
                seen[folded] = lines.get("username", line)
        role = values.get("role")
        if role is None or role == "":
            add("role", f"missing (one of: {', '.join(ROLES)})")
        elif role not in ROLES:
            add("role", f"unknown role {role!r} (allowed: {', '.join(ROLES)})")
        expertise, err = _as_list(values.get("expertise"))
        if err:
            add("expertise", err)
        tasks, err = _as_list(values.get("tasks"))
        if err:
            add("tasks", err)
            tasks = []
        for t in tasks or []:
            if t not in tasks_known:
                add("tasks", f"unknown task {t!r} (known: {', '.join(tasks_known) or 'none'})")
        if tasks is not None and len(set(tasks)) != len(tasks):
            add("tasks", f"task listed twice in {tasks!r}")
        if role in ("annotator", "expert") and tasks == []:
            add("tasks", f"missing: an {role} needs at least one task")
        names = {}
        for key in ("first_name", "last_name"):
            v = values.get(key)
            if v is not None and (not isinstance(v, str) or not v.strip()):
                add(key, f"{v!r} must be non-empty text")
            elif v is not None:
                names[key] = v.strip()
        if len(problems) == before and username is not None:
            entries.append(RosterEntry(username=username, role=role, expertise=tuple(expertise or ()),
                                       tasks=tuple(tasks or ()), line=line, **names))
    if not rows and not problems:
        problems.append(Problem(shown, 1, "users", "empty roster: nobody listed"))
    if problems:
        return None, sorted(problems, key=lambda p: p.line or 0)
    return Roster(shown, tuple(entries)), []


def load_roster(path: Path | str, *, known_tasks: tuple[str, ...] | None = None) -> Roster:
    """A validated roster; :class:`BadInput` listing every problem otherwise."""
    roster, problems = validate_roster(path, known_tasks=known_tasks)
    if problems:
        raise problems_error(problems)
    return roster


# --------------------------------------------------------------------------------------------
# The last synced roster (no secrets), so rounds know who annotates a task
# --------------------------------------------------------------------------------------------


def synced_roster_path() -> Path:
    from workbench.config import home

    return home() / "roster.json"


def last_synced_roster() -> Roster | None:
    """The roster of the last ``workbench users sync`` (None if there was none)."""
    p = synced_roster_path()
    if not p.exists():
        return None
    try:
        return Roster.from_json(p.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadInput(f"{p}: not a roster snapshot ({exc}); run `workbench users sync ROSTER` again") from None


# --------------------------------------------------------------------------------------------
# Syncing users to Argilla
# --------------------------------------------------------------------------------------------


@dataclass
class SyncReport:
    """What :func:`sync_users` did. Holds no password."""

    created: list[str] = field(default_factory=list)
    role_changed: list[tuple[str, str, str]] = field(default_factory=list)  # (user, old, new)
    added: list[tuple[str, str]] = field(default_factory=list)  # (user, workspace)
    removed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    secrets_file: Path | None = None

    @property
    def changed(self) -> bool:
        return bool(self.created or self.role_changed or self.added or self.removed)

    def __str__(self) -> str:
        lines = []
        for u in self.created:
            lines.append(f"created user {u}")
        for u, old, new in self.role_changed:
            lines.append(f"changed role of {u}: {old} -> {new}")
        for u, ws in self.added:
            lines.append(f"added {u} to workspace {ws}")
        for u, ws in self.removed:
            lines.append(f"removed {u} from workspace {ws}")
        if not self.changed:
            lines.append(f"nothing to change: {len(self.unchanged)} user(s) already match the roster")
        if self.secrets_file is not None:
            lines.append(f"passwords of the {len(self.created)} new user(s) were written once to {self.secrets_file} "
                         "(mode 600): hand them over, then delete the file; they are not shown again")
        return "\n".join(lines)


def role_of(user) -> str:
    """An Argilla user's role as plain text (the SDK gives an enum)."""
    return str(getattr(user.role, "value", user.role))


def generate_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


class _SecretsFile:
    """A new mode-600 file that receives new users' passwords, created on the first one."""

    def __init__(self, directory: Path, api_url: str):
        self.directory = Path(directory)
        self.api_url = api_url
        self.path: Path | None = None
        self._fh = None

    def write(self, username: str, password: str) -> None:
        if self._fh is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            os.chmod(self.directory, 0o700)
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            path = self.directory / f"new-users-{stamp}-{secrets.token_hex(3)}.csv"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.fchmod(fd, 0o600)
            self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self.path = path
            self._fh.write(f"# Argilla at {self.api_url}: first passwords of new users. Deliver, then delete this file.\n")
            self._fh.write("username,password\n")
        self._fh.write(f"{username},{password}\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def secrets_dir() -> Path:
    from workbench.config import home

    return home() / "secrets"


def sync_users(cl, roster: Roster, *, api_url: str = "", secrets_directory: Path | None = None,
               task_names: tuple[str, ...] | None = None) -> SyncReport:
    """Make Argilla's users match ``roster`` (see the module docstring).

    Parameters
    ----------
    cl : argilla.Argilla
        Client with owner rights.
    roster : Roster
    api_url : str
        Written into the secrets file so the passwords come with where to use them.
    secrets_directory : Path, optional
        Where the new-passwords file goes (default ``<home>/secrets``).
    task_names : tuple of str, optional
        Task workspaces the roster governs (default: the project's tasks). A user is removed
        only from these workspaces, never from others.

    Returns
    -------
    SyncReport
    """
    import argilla as rg

    from workbench.argilla_client import ensure_workspace, quiet

    governed = set(known_task_names() if task_names is None else task_names) | {t for e in roster for t in e.tasks}
    report = SyncReport()
    vault = _SecretsFile(secrets_directory or secrets_dir(), api_url)
    workspaces: dict[str, Any] = {}

    def workspace(name: str, create: bool):
        if name not in workspaces:
            ws = ensure_workspace(cl, name) if create else quiet(cl.workspaces, name)
            if ws is None:
                return None
            workspaces[name] = ws
        return workspaces[name]

    members: dict[str, set[str]] = {}

    def members_of(name: str) -> set[str]:
        if name not in members:
            ws = workspace(name, create=False)
            members[name] = set() if ws is None else {u.username for u in ws.users}
        return members[name]

    try:
        for e in roster:
            user = quiet(cl.users, e.username)
            changed = False
            if user is None:
                password = generate_password()
                vault.write(e.username, password)  # delivered before the account exists: never lost
                user = rg.User(username=e.username, password=password, role=e.argilla_role,
                               first_name=e.first_name or e.username, last_name=e.last_name, client=cl).create()
                del password
                report.created.append(e.username)
                changed = True
            elif role_of(user) != e.argilla_role:
                if role_of(user) == "owner":
                    raise BadInput(f"{roster.source}:{e.line}: {e.username}: role: {e.role!r}, but {e.username!r} is the "
                                   "Argilla owner; the owner's role is not changed by a roster")
                cl.api.http_client.patch(f"/api/v1/users/{user.id}", json={"role": e.argilla_role}).raise_for_status()
                report.role_changed.append((e.username, role_of(user), e.argilla_role))
                changed = True
            for t in e.tasks:
                if e.username not in members_of(t):
                    ws = workspace(t, create=True)
                    members[t] = members_of(t)
                    user.add_to_workspace(ws)
                    members[t].add(e.username)
                    report.added.append((e.username, t))
                    changed = True
            for t in sorted(governed - set(e.tasks)):
                if e.username in members_of(t):
                    user.remove_from_workspace(workspace(t, create=False))
                    members[t].discard(e.username)
                    report.removed.append((e.username, t))
                    changed = True
            if not changed:
                report.unchanged.append(e.username)
    finally:
        vault.close()
        report.secrets_file = vault.path
    from workbench.config import atomic_write_text

    snapshot = synced_roster_path()
    if not snapshot.exists() or snapshot.read_text(encoding="utf-8") != roster.to_json():
        atomic_write_text(snapshot, roster.to_json(), mode=0o600)
    return report
