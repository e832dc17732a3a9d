"""Reading YAML and JSON that a user hands to Workbench, with limits that keep hostile input cheap.

Every YAML file the CLI or the dashboard reads (task files, guideline front matter, rosters, PII
and candidates configs) and every JSON value it parses from a user's file (JSON-lines records,
gold values, snapshots a user may have edited) goes through this module, so that:

* nesting deeper than :data:`MAX_DEPTH` levels is refused up front, with the line (and column)
  where it goes too deep, instead of a ``RecursionError`` in the parser or, later, in
  ``copy.deepcopy`` or a recursive walk after all the work was done;
* YAML aliases that would expand to more than :data:`MAX_ALIAS_NODES` nodes ("billion laughs"),
  and aliases to the node that contains them, are refused while the file is composed, before
  anything expands them;
* text that is not UTF-8 is named by line and byte, never shown.

Messages name where the problem is (file, line, column), never the value found there: the
value may be personal data.

Entry points: :func:`read_text` (UTF-8 text of a file), :func:`load_yaml` / :func:`loads_yaml`
(plain data), :class:`LimitedLoader` (for code that composes nodes itself, to keep line numbers),
:func:`loads` (``json.loads`` plus the depth limit) and :func:`loads_json` (the same, raising
:class:`~workbench.errors.BadInput` naming where).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Any, Literal, overload

import yaml

from workbench.errors import BadInput

#: Deepest nesting of lists and mappings accepted in YAML and JSON (Workbench's own formats need
#: fewer than ten levels; Python's recursion limit is reached near a thousand).
MAX_DEPTH = 64

#: Most nodes that the aliases of one YAML document may add when expanded (a task file or config
#: that reuses a block with ``<<: *defaults`` a few times adds tens).
MAX_ALIAS_NODES = 10_000


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------


def utf8_problem(data: bytes) -> tuple[int, str] | None:
    """Where ``data`` stops being UTF-8 text: ``(line, "byte 0xXX at column C is not UTF-8 text")``
    (the byte, never the text around it), or None.

    >>> utf8_problem(b"ok\\ncaf\\xe9\\n")
    (2, 'byte 0xe9 at column 4 is not UTF-8 text')
    >>> utf8_problem("caf\\u00e9".encode()) is None
    True
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return line, f"byte 0x{data[exc.start]:02x} at column {column} is not UTF-8 text"
    return None


def decode_utf8(data: bytes, shown: str) -> str:
    """``data`` as text (a leading byte-order mark dropped); :class:`BadInput` naming ``shown``,
    the line and the byte that is not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    problem = utf8_problem(data)
    if problem is not None:
        raise BadInput(f"{shown}: line {problem[0]}: {problem[1]}; re-save the file as UTF-8")
    return data.decode("utf-8")


def read_text(path: Path | str, shown: str | None = None) -> str:
    """The UTF-8 text of ``path``; :class:`BadInput` naming the file (as ``shown``) when it is
    missing, a folder, unreadable or not UTF-8 (line and byte named)."""
    path = Path(path)
    shown = shown or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{shown}: file does not exist") from None
    except IsADirectoryError:
        raise BadInput(f"{shown}: is a folder, not a file") from None
    except OSError as exc:
        raise BadInput(f"{shown}: cannot be read ({exc.strerror})") from None
    return decode_utf8(data, shown)


# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------


class YamlLimitError(yaml.MarkedYAMLError):
    """A YAML document nested too deep or whose aliases expand too much (see the module docstring)."""


class LimitedLoader(yaml.SafeLoader):
    """PyYAML's ``SafeLoader`` that refuses, while composing, nesting deeper than :data:`MAX_DEPTH`
    and aliases adding more than :data:`MAX_ALIAS_NODES` nodes in all.

    The expanded size of every composed node is kept (a node: one, plus its children's sizes), so
    that each alias adds the size of the node it stands for; an alias met while its node is still
    being composed (``&a [*a]``) would expand forever and is refused too.
    """

    max_depth = MAX_DEPTH
    max_alias_nodes = MAX_ALIAS_NODES

    def __init__(self, stream: str | bytes | IO) -> None:
        super().__init__(stream)
        self._depth = 0
        self._alias_nodes = 0
        self._sizes: dict[int, int] = {}

    def compose_document(self) -> yaml.Node | None:
        node = super().compose_document()
        self._alias_nodes = 0
        self._sizes = {}
        return node

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._count_alias(self.peek_event())
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                mark = self.peek_event().start_mark
                raise YamlLimitError(None, None, f"nested deeper than {self.max_depth} levels (lists and mappings) "
                                     f"at column {mark.column + 1}", mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._sizes[id(node)] = self._expanded_size(node)
        return node

    def _count_alias(self, event: yaml.AliasEvent) -> None:
        target = self.anchors.get(event.anchor)
        if target is None:
            return  # the composer reports the undefined alias
        size = self._sizes.get(id(target))
        where = f"alias *{event.anchor} at column {event.start_mark.column + 1}"
        if size is None:
            raise YamlLimitError(None, None, f"{where} refers to a node that contains it (it would expand forever)",
                                 event.start_mark)
        self._alias_nodes += size
        if self._alias_nodes > self.max_alias_nodes:
            raise YamlLimitError(None, None, f"{where}: aliases expand to more than {self.max_alias_nodes:,} nodes "
                                 "(refused: an alias bomb?); write the repeated values out or use fewer aliases",
                                 event.start_mark)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """PyYAML's, with a value it cannot build (a date such as 2026-13-45, an integer of more
        than 4,300 digits) reported as a YAML error at the value instead of a ``ValueError``."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"the value at column {node.start_mark.column + 1} cannot be read "
                f"({str(exc).split(':')[0]})", node.start_mark) from None

    def _expanded_size(self, node: yaml.Node) -> int:
        if isinstance(node, yaml.SequenceNode):
            return 1 + sum(self._sizes.get(id(child), 1) for child in node.value)
        if isinstance(node, yaml.MappingNode):
            return 1 + sum(self._sizes.get(id(k), 1) + self._sizes.get(id(v), 1) for k, v in node.value)
        return 1


def yaml_error_line(exc: yaml.YAMLError, first_line: int = 1) -> int | None:
    """The file line of a YAML error (``first_line``: the file line where the YAML text starts)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + first_line if mark is not None else None


def yaml_error_message(exc: yaml.YAMLError) -> str:
    """What is wrong, without PyYAML's quote of the line: "nested deeper than 64 levels ..." for a
    limit, else "malformed YAML: <context> <problem>"."""
    if isinstance(exc, YamlLimitError):
        return exc.problem
    if isinstance(exc, yaml.MarkedYAMLError):
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        return f"malformed YAML: {what}"
    return f"malformed YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def loads_yaml(text: str, shown: str, *, first_line: int = 1) -> Any:
    """Plain data from one YAML document (``yaml.safe_load`` with the limits).

    Raises
    ------
    BadInput
        ``shown:line: message`` for malformed YAML, too deep nesting or too many aliases.
    """
    try:
        return yaml.load(text, Loader=LimitedLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        line = yaml_error_line(exc, first_line)
        raise BadInput(f"{shown}{f':{line}' if line else ''}: {yaml_error_message(exc)}") from None


def load_yaml(path: Path | str, shown: str | None = None) -> Any:
    """Plain data from a YAML (or JSON) file: :func:`read_text` then :func:`loads_yaml`."""
    shown = shown or str(path)
    return loads_yaml(read_text(path, shown), shown)


@overload
def compose_yaml(text: str, *, all_documents: Literal[False] = False) -> yaml.Node | None: ...


@overload
def compose_yaml(text: str, *, all_documents: Literal[True]) -> list[yaml.Node]: ...


def compose_yaml(text: str, *, all_documents: bool = False) -> yaml.Node | list[yaml.Node] | None:
    """The node tree(s) of ``text`` with the limits (``yaml.compose`` / ``yaml.compose_all``); raises
    ``yaml.YAMLError`` (:class:`YamlLimitError` for a limit) for the caller to place in its file."""
    if all_documents:
        return list(yaml.compose_all(text, Loader=LimitedLoader))
    return yaml.compose(text, Loader=LimitedLoader)


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------


class JsonLimitError(json.JSONDecodeError):
    """JSON nested deeper than :data:`MAX_DEPTH`, or a number Python refuses to read; a
    ``JSONDecodeError``, so code that handles malformed JSON handles it too."""


#: A JSON string (an unterminated one runs to the end), or a bracket outside strings.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.S)


def json_too_deep(text: str, limit: int = MAX_DEPTH) -> int | None:
    """Index in ``text`` of the bracket that opens level ``limit + 1``, or None when the nesting
    stays within ``limit``. Brackets inside strings do not count.

    >>> json_too_deep('[[["[[[["]]]', limit=3) is None
    True
    >>> json_too_deep('{"a": [[1]]}', limit=2)
    7
    """
    if text.count("[") + text.count("{") <= limit:
        return None  # the common case, at the speed of str.count
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        c = text[m.start()]
        if c == "[" or c == "{":
            depth += 1
            if depth > limit:
                return m.start()
        elif c == "]" or c == "}":
            depth -= 1
    return None


def loads(text: str | bytes, limit: int = MAX_DEPTH) -> Any:
    """``json.loads`` refusing nesting deeper than ``limit`` before it parses.

    Raises
    ------
    JsonLimitError
        For too deep nesting (``msg`` says so, ``pos``/``lineno``/``colno`` where) or an integer
        longer than Python reads; a ``json.JSONDecodeError``.
    json.JSONDecodeError
        For malformed JSON.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    pos = json_too_deep(text, limit)
    if pos is not None:
        raise JsonLimitError(f"nested deeper than {limit} levels (arrays/objects)", text, pos)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more than 4,300 digits
        raise JsonLimitError(f"unreadable value ({str(exc).split(':')[0]})", text, 0) from None


def json_error_message(exc: json.JSONDecodeError, *, line: bool = True) -> str:
    """``"not valid JSON: <msg> (line L, column C)"`` or, for a limit, ``"<msg> at line L, column C"``;
    ``line=False`` leaves the line out (JSON lines, where the caller names it)."""
    at = f"line {exc.lineno}, column {exc.colno}" if line else f"column {exc.colno}"
    if isinstance(exc, JsonLimitError):
        return f"{exc.msg} at {at}"
    return f"not valid JSON: {exc.msg} ({at})"


def loads_json(text: str | bytes, where: str, *, limit: int = MAX_DEPTH, line: bool = True) -> Any:
    """:func:`loads`, raising :class:`BadInput` ``"<where>: <what> (line L, column C)"``.

    ``where`` names the source (``"data.jsonl: line 3"``); ``line=False`` when ``where`` already
    names the line (one JSON value per line).
    """
    try:
        return loads(text, limit)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{where}: {json_error_message(exc, line=line)}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{where}: not UTF-8 text") from None
