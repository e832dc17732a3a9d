"""Versioned annotation guidelines.

A guideline lives in its own folder, ``guidelines/<guideline-id>/``, with one Markdown file per
version (``v1.md``, ``v2.md``, ...) so that every version an annotator ever worked under stays
readable. Each file starts with YAML front matter::

    ---
    version: 2
    date: 2026-03-01
    author: Dr. A. Mensah (clinical review lead)
    changelog: |
      Clarified when a response is "unsafe" rather than "needs-caveat".
    ---
    # Body in Markdown ...

Rules checked by :func:`validate_guideline` (each problem names file, line and field):

* ``version`` (a positive integer equal to the number in the file name), ``date`` (ISO date) and
  ``author`` are required; ``changelog`` is required from version 2 on;
* no two files declare the same version;
* dates strictly increase with the version;
* the text rendered for Argilla (:func:`render_for_argilla`) fits Argilla's 10,000-character
  limit on dataset guidelines.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

from workbench.errors import BadInput
from workbench.safe_load import LimitedLoader, compose_yaml, utf8_problem, yaml_error_line, yaml_error_message

#: argilla-server 2.8 refuses dataset guidelines longer than this (``DATASET_GUIDELINES_MAX_LENGTH``).
ARGILLA_GUIDELINES_MAX_CHARS = 10_000

_VERSION_FILE = re.compile(r"^v(\d+)\.md$")
_FRONT_KEYS = {"version", "date", "author", "changelog", "title"}


@dataclass(frozen=True)
class Problem:
    """One problem found in a file: where it is and what is wrong.

    ``str(problem)`` reads ``file:line: field: message``, the form editors and CI logs link to.

    >>> str(Problem("tasks/x.yaml", 14, "questions[2].labels", "duplicate label 'unsafe'"))
    "tasks/x.yaml:14: questions[2].labels: duplicate label 'unsafe'"
    """

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def read_text_file(path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    """The UTF-8 text of ``path``, or None and the problem (named ``shown``) that stopped the read.

    Bytes that are not UTF-8 are named by line and column (``file:3: byte 0xe9 at column 7 is not
    UTF-8 text; re-save the file as UTF-8``), never shown.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None, [Problem(shown, None, "", "file does not exist")]
    except OSError as exc:
        return None, [Problem(shown, None, "", f"cannot read: {exc.strerror or exc}")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    problem = utf8_problem(data)
    if problem is not None:
        return None, [Problem(shown, problem[0], "", f"{problem[1]}; re-save the file as UTF-8")]
    return data.decode("utf-8"), []


def problems_error(problems: list[Problem]) -> BadInput:
    """One :class:`BadInput` whose message lists every problem, one per line."""
    head = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found"
    return BadInput(head + ":\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class GuidelineVersion:
    """One version of a guideline: its front matter and its Markdown body."""

    guideline_id: str
    version: int
    date: dt.date
    author: str
    changelog: str
    body: str
    path: Path
    title: str | None = None

    @property
    def label(self) -> str:
        """``"v2 (2026-03-01)"``."""
        return f"v{self.version} ({self.date.isoformat()})"


@dataclass(frozen=True)
class Guideline:
    """All versions of one guideline, oldest first."""

    id: str
    path: Path
    versions: tuple[GuidelineVersion, ...]

    def __iter__(self) -> Iterator[GuidelineVersion]:
        return iter(self.versions)

    def __len__(self) -> int:
        return len(self.versions)

    @property
    def latest(self) -> GuidelineVersion:
        return self.versions[-1]

    def get(self, version: int | str) -> GuidelineVersion:
        """The version numbered ``version`` (``2``, ``"2"`` or ``"v2"``); BadInput names the known ones."""
        number = parse_version(version, source=str(self.path))
        for v in self.versions:
            if v.version == number:
                return v
        known = ", ".join(f"v{v.version}" for v in self.versions)
        raise BadInput(f"{self.path}: version: no version v{number} of guideline '{self.id}' (known: {known})")


def parse_version(value: int | str, *, source: str = "version") -> int:
    """``2``, ``"2"`` or ``"v2"`` -> ``2``.

    >>> parse_version("v3"), parse_version(3), parse_version("12")
    (3, 3, 12)
    """
    if isinstance(value, bool):
        raise BadInput(f"{source}: version: {value!r} is not a version number (use 1, 2, ... or v1, v2, ...)")
    if isinstance(value, int):
        number = value
    else:
        m = re.fullmatch(r"[vV]?(\d+)", str(value).strip())
        if not m:
            raise BadInput(f"{source}: version: {value!r} is not a version number (use 1, 2, ... or v1, v2, ...)")
        number = int(m.group(1))
    if number < 1:
        raise BadInput(f"{source}: version: {value!r} must be 1 or more")
    return number


def _split_front_matter(text: str, shown: str) -> tuple[str | None, str, list[Problem]]:
    """Return (front matter text, body, problems). Front matter starts on line 2."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, text, [Problem(shown, 1, "front matter", "the file must start with a '---' line, then version/date/author")]
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1:]).strip("\n") + "\n", []
    return None, text, [Problem(shown, 1, "front matter", "no closing '---' line after the front matter")]


def _key_lines(front: str) -> dict[str, int]:
    """Line number (in the file; front matter starts on line 2) of each top-level key."""
    out: dict[str, int] = {}
    try:
        node = compose_yaml(front)
    except yaml.YAMLError:
        return out
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            out[str(k.value)] = v.start_mark.line + 2
    return out


def read_version_file(path: Path, *, guideline_id: str | None = None, shown: str | None = None) -> tuple[GuidelineVersion | None, list[Problem]]:
    """Parse one ``vN.md`` file; return the version (None if unusable) and every problem found."""
    path = Path(path)
    shown = shown or str(path)
    gid = guideline_id or path.parent.name
    text, unread = read_text_file(path, shown)
    if text is None:
        return None, unread
    front, body, problems = _split_front_matter(text, shown)
    if front is None:
        return None, problems
    try:
        meta = yaml.load(front, Loader=LimitedLoader) or {}  # noqa: S506 - a SafeLoader, nesting and aliases limited
    except yaml.YAMLError as exc:
        return None, [Problem(shown, yaml_error_line(exc, first_line=2) or 2, "front matter", yaml_error_message(exc))]
    if not isinstance(meta, dict):
        return None, [Problem(shown, 2, "front matter", f"expected 'key: value' lines, got {type(meta).__name__}")]
    lines = _key_lines(front)
    end_line = front.count("\n") + 2

    def line_of(key: str) -> int:
        return lines.get(key, 2)

    for key in meta:
        if key not in _FRONT_KEYS:
            problems.append(Problem(shown, line_of(str(key)), str(key), f"unknown front-matter key (allowed: {', '.join(sorted(_FRONT_KEYS))})"))

    m = _VERSION_FILE.match(path.name)
    file_version = int(m.group(1)) if m else None
    if m is None:
        problems.append(Problem(shown, None, "", "guideline files must be named v1.md, v2.md, ..."))

    version = meta.get("version")
    if version is None:
        problems.append(Problem(shown, end_line, "version", "missing (add 'version: N' to the front matter)"))
    elif isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(Problem(shown, line_of("version"), "version", f"{version!r} is not a positive integer"))
        version = None
    elif file_version is not None and version != file_version:
        problems.append(Problem(shown, line_of("version"), "version", f"{version} does not match the file name {path.name}"))

    date = meta.get("date")
    if date is None:
        problems.append(Problem(shown, end_line, "date", "missing (add 'date: YYYY-MM-DD' to the front matter)"))
    elif isinstance(date, dt.datetime):
        date = date.date()
    elif not isinstance(date, dt.date):
        try:
            date = dt.date.fromisoformat(str(date))
        except ValueError:
            problems.append(Problem(shown, line_of("date"), "date", f"{date!r} is not an ISO date (YYYY-MM-DD)"))
            date = None

    author = meta.get("author")
    if author is None or not str(author).strip():
        problems.append(Problem(shown, line_of("author") if "author" in meta else end_line, "author", "missing (who wrote or approved this version)"))

    changelog = meta.get("changelog")
    changelog = "" if changelog is None else str(changelog).strip()
    if not changelog and isinstance(version, int) and version > 1:
        problems.append(Problem(shown, line_of("changelog") if "changelog" in meta else end_line, "changelog", f"missing: say what changed in v{version}"))
    if not body.strip():
        problems.append(Problem(shown, end_line, "body", "empty: the guideline text goes after the front matter"))

    if problems or version is None or date is None:
        return None, problems
    title = meta.get("title")
    gv = GuidelineVersion(
        guideline_id=gid,
        version=version,
        date=date,
        author=str(author).strip(),
        changelog=changelog or "First version.",
        body=body,
        path=path,
        title=str(title) if title else None,
    )
    rendered = render_for_argilla(gv)
    if len(rendered) > ARGILLA_GUIDELINES_MAX_CHARS:
        problems.append(Problem(shown, None, "body", f"{len(rendered)} characters once rendered; Argilla accepts at most {ARGILLA_GUIDELINES_MAX_CHARS}"))
        return None, problems
    return gv, []


def validate_guideline(directory: Path | str) -> tuple[Guideline | None, list[Problem]]:
    """Read every ``v*.md`` in ``directory``; return the guideline (None if any problem) and all problems."""
    directory = Path(directory)
    if not directory.is_dir():
        return None, [Problem(str(directory), None, "", "guideline folder does not exist")]
    files = sorted(p for p in directory.iterdir() if p.suffix == ".md")
    if not files:
        return None, [Problem(str(directory), None, "", "guideline has no versions (expected v1.md, v2.md, ...)")]
    problems: list[Problem] = []
    versions: list[GuidelineVersion] = []
    seen: dict[int, Path] = {}
    for f in files:
        gv, probs = read_version_file(f, guideline_id=directory.name)
        problems.extend(probs)
        if gv is None:
            continue
        if gv.version in seen:
            problems.append(Problem(str(f), 2, "version", f"duplicate version {gv.version} (also in {seen[gv.version].name})"))
            continue
        seen[gv.version] = f
        versions.append(gv)
    versions.sort(key=lambda v: v.version)
    for prev, cur in zip(versions, versions[1:]):
        if cur.date <= prev.date:
            problems.append(Problem(
                str(cur.path), None, "date",
                f"{cur.date.isoformat()} is not after v{prev.version}'s date {prev.date.isoformat()}: dates must increase with the version",
            ))
    if problems:
        return None, problems
    return Guideline(id=directory.name, path=directory, versions=tuple(versions)), []


def load_guideline(directory: Path | str) -> Guideline:
    """Load a guideline folder; versions come oldest first.

    Raises
    ------
    BadInput
        Listing every problem (file, line, field) if any file is invalid.
    """
    guideline, problems = validate_guideline(directory)
    if problems:
        raise problems_error(problems)
    assert guideline is not None  # validate_guideline returns None only with problems
    return guideline


def render_for_argilla(version: GuidelineVersion) -> str:
    """The Markdown to set as the Argilla dataset guidelines, with the version stamped at the top.

    The stamp tells annotators which version they are reading, so a question like "did you label
    this under v1 or v2?" has an answer visible in the UI.
    """
    title = version.title or f"Guideline for {version.guideline_id}"
    changes = " ".join(version.changelog.split())
    head = [
        f"> **Guideline v{version.version} ({version.date.isoformat()})** - {title}",
        f"> Author: {version.author}. Changes in this version: {changes}",
        "",
    ]
    # No trailing newline: the SDK strips surrounding whitespace, and this way the text read back
    # from Argilla equals the text sent.
    return "\n".join(head) + "\n" + version.body.strip()


def diff_versions(old: GuidelineVersion, new: GuidelineVersion, *, context: int = 3) -> str:
    """A unified diff of the bodies of two versions, followed by both changelog entries."""
    a = old.body.splitlines(keepends=True)
    b = new.body.splitlines(keepends=True)
    diff = "".join(difflib.unified_diff(
        a, b,
        fromfile=f"{old.guideline_id}/v{old.version}.md ({old.date.isoformat()})",
        tofile=f"{new.guideline_id}/v{new.version}.md ({new.date.isoformat()})",
        n=context,
    ))
    if diff and not diff.endswith("\n"):
        diff += "\n"
    if not diff:
        diff = "(bodies are identical)\n"
    out = [diff, "\n"]
    for v in (old, new):
        out.append(f"Changelog v{v.version} ({v.date.isoformat()}, {v.author}):\n")
        out.extend(f"  {line}\n" for line in v.changelog.splitlines())
    return "".join(out)
