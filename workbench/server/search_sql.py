"""SQL text for Workbench's search engine, for SQLite and PostgreSQL.

The builders here turn argilla-server's search-engine filter objects into SQL over the server's
own tables (``records``, ``responses``, ``suggestions``, ``vectors``). They do no I/O: the caller
resolves names (questions, metadata properties, fields) to the rows describing them, builds the
SQL with :class:`SqlBuilder` and runs it.

Values from requests always travel as bound parameters. Names (metadata properties, questions,
fields) are inlined as quoted SQL string literals, after the caller has checked they exist in the
dataset; enumerated values (record and response statuses) are inlined after validation against
their enumerations.

Text search follows the subset of Elasticsearch's ``simple_query_string`` syntax that Argilla's
search box uses: terms are matched as whole words, case-insensitively, every term must match
(``default_operator: AND``); ``"quoted phrases"``, ``prefix*``, ``-negation``, ``a | b`` and
``( )`` grouping are understood; fuzziness and slop (``~``) are refused with an error.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union
from uuid import UUID

__all__ = [
    "UnsupportedSearch",
    "SqlBuilder",
    "TextNode",
    "parse_text_query",
    "text_node_regexes",
    "python_word_regex",
    "to_datetime",
    "id_bounds",
]

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

#: Question types whose response and suggestion values can be filtered (what Argilla's
#: Elasticsearch mapping indexes; the other types are stored but not indexed there).
FILTERABLE_QUESTION_TYPES = ("label_selection", "multi_label_selection", "rating")
RECORD_STATUSES = ("pending", "completed")
RESPONSE_STATUSES = ("draft", "submitted", "discarded")
SUGGESTION_TYPES = ("model", "human")
_SAFE_NAME = re.compile(r"^[^\"'\\\x00]+$")


class UnsupportedSearch(ValueError):
    """A search the SQL engine cannot answer exactly; the message names what was asked."""


# ----------------------------------------------------------------------------------------------
# text query parsing (subset of Elasticsearch simple_query_string)
# ----------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*", re.UNICODE)


@dataclasses.dataclass(frozen=True)
class TextNode:
    """A node of a parsed text query.

    ``kind`` is one of ``"and"``, ``"or"``, ``"not"`` (with ``children``), ``"words"`` (every word
    in ``words`` must occur; ``prefix`` makes the last one a prefix), ``"phrase"`` (the words in
    order, adjacent) or ``"none"`` (matches nothing).
    """

    kind: str
    children: Tuple["TextNode", ...] = ()
    words: Tuple[str, ...] = ()
    prefix: bool = False


def _lex(q: str) -> List[Tuple[str, str]]:
    """Split a query string into tokens: ('op', c), ('phrase', text), ('term', text)."""
    tokens: List[Tuple[str, str]] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
            continue
        if c == "~":
            raise UnsupportedSearch(
                f"text query {q!r}: fuzziness and slop ('~') are not supported by the workbench-sql search engine"
            )
        if c in "|()":
            tokens.append(("op", c))
            i += 1
            continue
        if c in "+-" and (not tokens or tokens[-1][0] == "op" or q[i - 1].isspace()):
            tokens.append(("op", c))
            i += 1
            continue
        if c == '"':
            j = i + 1
            buf = []
            while j < n and q[j] != '"':
                if q[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(q[j])
                j += 1
            tokens.append(("phrase", "".join(buf)))
            i = j + 1
            continue
        j = i
        buf = []
        while j < n and not q[j].isspace() and q[j] not in '|()"~':
            if q[j] == "\\" and j + 1 < n:
                j += 1
            buf.append(q[j])
            j += 1
        if j < n and q[j] == "~":
            raise UnsupportedSearch(
                f"text query {q!r}: fuzziness and slop ('~') are not supported by the workbench-sql search engine"
            )
        tokens.append(("term", "".join(buf)))
        i = j
    return tokens


def parse_text_query(q: str) -> TextNode:
    """Parse a ``simple_query_string``-style query into a :class:`TextNode` tree.

    Examples
    --------
    >>> parse_text_query("Hello world").kind  # words are ANDed, as Elasticsearch's default operator
    'and'
    >>> parse_text_query("cat | dog").kind
    'or'
    >>> parse_text_query('"new york" -city').children[1].kind
    'not'
    """
    tokens = _lex(q)
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def parse_or() -> Optional[TextNode]:
        nonlocal pos
        parts = [parse_and()]
        while peek() == ("op", "|"):
            pos += 1
            parts.append(parse_and())
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else TextNode("or", tuple(parts))

    def parse_and() -> Optional[TextNode]:
        nonlocal pos
        parts = []
        while True:
            t = peek()
            if t is None or t == ("op", "|") or t == ("op", ")"):
                break
            node = parse_unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else TextNode("and", tuple(parts))

    def parse_unary() -> Optional[TextNode]:
        nonlocal pos
        t = peek()
        if t == ("op", "-"):
            pos += 1
            inner = parse_unary()
            return None if inner is None else TextNode("not", (inner,))
        if t == ("op", "+"):
            pos += 1
            return parse_unary()
        return parse_primary()

    def parse_primary() -> Optional[TextNode]:
        nonlocal pos
        t = peek()
        if t is None:
            return None
        pos += 1
        kind, text = t
        if t == ("op", "("):
            inner = parse_or()
            if peek() == ("op", ")"):
                pos += 1
            return inner
        if kind == "op":  # stray ')' or operator: ignored, like Lucene's lenient parser
            return None
        if kind == "phrase":
            words = tuple(_WORD.findall(text))
            if not words:
                return None
            return TextNode("phrase", words=words)
        prefix = text.endswith("*")
        words = tuple(_WORD.findall(text.rstrip("*")))
        if not words:
            return None
        return TextNode("words", words=words, prefix=prefix)

    node = parse_or()
    while pos < len(tokens):  # unbalanced ')' : keep parsing what follows
        pos += 1
        rest = parse_or()
        if rest is not None:
            node = rest if node is None else TextNode("and", (node, rest))
    return node if node is not None else TextNode("none")


def python_word_regex(words: Sequence[str], *, phrase: bool, prefix: bool) -> str:
    """Python regular expression matching ``words`` as whole words (a phrase if ``phrase``)."""
    parts = [re.escape(w) for w in words]
    body = r"\W+".join(parts)
    end = "" if prefix else r"(?!\w)"
    return r"(?<!\w)" + body + end


def _pg_word_regex(words: Sequence[str], *, phrase: bool, prefix: bool) -> str:
    parts = [re.sub(r"([^\w\s])", r"\\\1", w) for w in words]
    body = r"\W+".join(parts)
    end = "" if prefix else r"\M"
    return r"\m" + body + end


def text_node_regexes(node: TextNode) -> List[Tuple[Tuple[str, ...], bool, bool]]:
    """Flatten the atoms of a text tree (used by tests and by the SQL builder)."""
    out = []
    if node.kind in ("and", "or", "not"):
        for child in node.children:
            out.extend(text_node_regexes(child))
    elif node.kind in ("words", "phrase"):
        out.append((node.words, node.kind == "phrase", node.prefix))
    return out


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ----------------------------------------------------------------------------------------------
# value conversion
# ----------------------------------------------------------------------------------------------


def to_datetime(value: Union[str, float, int, datetime], what: str) -> datetime:
    """Turn a range bound on ``inserted_at``/``updated_at`` into a naive UTC datetime.

    Strings are ISO 8601 (a trailing ``Z`` or an offset is converted to UTC); numbers are epoch
    milliseconds, as Elasticsearch's default date format reads them.

    >>> to_datetime("2024-05-01T10:00:00Z", "inserted_at")
    datetime.datetime(2024, 5, 1, 10, 0)
    >>> to_datetime(0, "inserted_at")
    datetime.datetime(1970, 1, 1, 0, 0)
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        dt = datetime.fromtimestamp(float(value) / 1000.0, tz=timezone.utc)
    else:
        text = str(value).strip()
        try:
            dt = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            try:
                dt = datetime.fromtimestamp(float(text) / 1000.0, tz=timezone.utc)
            except ValueError:
                raise UnsupportedSearch(
                    f"range filter on record {what}: {value!r} is neither an ISO 8601 date nor epoch milliseconds"
                ) from None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


# ----------------------------------------------------------------------------------------------
# SQL builder
# ----------------------------------------------------------------------------------------------


class SqlBuilder:
    """Accumulates bound parameters and emits dialect-specific SQL fragments.

    Parameters
    ----------
    dialect : {"sqlite", "postgresql"}
        Name of the SQLAlchemy dialect of the server's database.
    """

    def __init__(self, dialect: str):
        if dialect not in (SQLITE, POSTGRESQL):
            raise UnsupportedSearch(f"database dialect {dialect!r} is not supported (sqlite or postgresql only)")
        self.dialect = dialect
        self.params: Dict[str, Any] = {}
        #: extra FROM items (joins on ``records r``) that conditions asked for
        self.joins: List[str] = []
        self._n = 0
        self._alias_n = 0

    @property
    def sqlite(self) -> bool:
        return self.dialect == SQLITE

    # -- parameters and literals --------------------------------------------------------------

    def bind(self, value: Any) -> str:
        name = f"p{self._n}"
        self._n += 1
        self.params[name] = value
        return f":{name}"

    def uuid(self, value: Union[UUID, str]) -> str:
        u = value if isinstance(value, UUID) else UUID(str(value))
        return self.bind(u.hex if self.sqlite else u)

    def dt(self, value: datetime) -> str:
        if self.sqlite:
            return self.bind(value.strftime("%Y-%m-%d %H:%M:%S.%f"))
        return self.bind(value)

    def alias(self, prefix: str) -> str:
        self._alias_n += 1
        return f"{prefix}{self._alias_n}"

    @staticmethod
    def lit(name: str) -> str:
        """A name as a quoted SQL string literal (names never contain quotes or backslashes)."""
        if not _SAFE_NAME.match(name):
            raise UnsupportedSearch(f"name {name!r} contains characters the SQL search engine does not accept")
        return "'" + name.replace("'", "''") + "'"

    def in_list(self, values: Sequence[Any]) -> str:
        return "(" + ", ".join(self.bind(v) for v in values) + ")"

    # -- JSON access ---------------------------------------------------------------------------

    def _sqlite_path(self, keys: Sequence[str]) -> str:
        if not keys:
            return "'$'"
        for k in keys:
            self.lit(k)
        return "'$" + "".join(f'."{k}"' for k in keys) + "'"

    def _pg_chain(self, col: str, keys: Sequence[str], last_text: bool) -> str:
        if not keys:
            return col if not last_text else f"({col} #>> '{{}}')"
        expr = col
        for i, k in enumerate(keys):
            op = "->>" if (last_text and i == len(keys) - 1) else "->"
            expr = f"{expr} {op} {self.lit(k)}"
        return f"({expr})"

    def json_text(self, col: str, keys: Sequence[str]) -> str:
        """Scalar at ``keys`` as text (JSON text for arrays and objects)."""
        if self.sqlite:
            return f"CAST(json_extract({col}, {self._sqlite_path(keys)}) AS TEXT)"
        return self._pg_chain(col, keys, last_text=True)

    def json_num(self, col: str, keys: Sequence[str]) -> str:
        """Scalar at ``keys`` as a float, NULL unless it is a JSON number."""
        if self.sqlite:
            path = self._sqlite_path(keys)
            return f"(CASE WHEN json_type({col}, {path}) IN ('integer', 'real') THEN json_extract({col}, {path}) END)"
        node = self._pg_chain(col, keys, last_text=False)
        text = self._pg_chain(col, keys, last_text=True)
        return f"(CASE WHEN json_typeof({node}) = 'number' THEN CAST({text} AS double precision) END)"

    def json_elements(self, col: str, keys: Sequence[str]) -> Tuple[str, str, str]:
        """A FROM item over the value at ``keys``: its elements if it is an array, else itself.

        Returns ``(from_sql, text_expr, number_expr)``; ``number_expr`` is NULL for non-numbers.
        """
        a = self.alias("je")
        if self.sqlite:
            path = self._sqlite_path(keys)
            return (
                f"json_each({col}, {path}) AS {a}",
                f"(CASE WHEN {a}.type IN ('integer', 'real', 'text') THEN CAST({a}.value AS TEXT) END)",
                f"(CASE WHEN {a}.type IN ('integer', 'real') THEN {a}.value END)",
            )
        node = self._pg_chain(col, keys, last_text=False)
        from_sql = (
            f"json_array_elements(CASE WHEN json_typeof({node}) = 'array' THEN {node} "
            f"ELSE json_build_array({node}) END) AS {a}(e)"
        )
        return (
            from_sql,
            f"(CASE WHEN json_typeof({a}.e) IN ('string', 'number') THEN {a}.e #>> '{{}}' END)",
            f"(CASE WHEN json_typeof({a}.e) = 'number' THEN CAST({a}.e #>> '{{}}' AS double precision) END)",
        )

    def exists_element(self, col: str, keys: Sequence[str], cond_on: str, values: Any) -> str:
        """``EXISTS`` an element at ``keys`` whose text is in ``values`` (``cond_on="terms"``),
        whose number is in ``values`` (``"numbers"``) or in the range ``values=(ge, le)``.

        A scalar counts as a one-element list. On SQLite scalars take a fast path (no table-valued
        ``json_each`` per row), which matters for filters over 100k records.
        """
        from_sql, text_expr, num_expr = self.json_elements(col, keys)
        elem_cond = self._value_cond(cond_on, values, text_expr, num_expr)
        exists = f"EXISTS (SELECT 1 FROM {from_sql} WHERE {elem_cond})"
        if not self.sqlite:
            return exists
        path = self._sqlite_path(keys)
        scalar = f"json_extract({col}, {path})"
        jtype = f"json_type({col}, {path})"
        if cond_on == "terms":
            scalar_cond = f"CAST({scalar} AS TEXT) IN {self.in_list(values)}"
            types = "('text', 'integer', 'real')"
        else:
            scalar_cond = self._value_cond(cond_on, values, scalar, scalar)
            types = "('integer', 'real')"
        return f"(CASE WHEN {jtype} = 'array' THEN {exists} WHEN {jtype} IN {types} THEN {scalar_cond} ELSE 0 END)"

    def _value_cond(self, cond_on: str, values: Any, text_expr: str, num_expr: str) -> str:
        if cond_on == "terms":
            return f"{text_expr} IN {self.in_list(values)}"
        if cond_on == "numbers":
            return f"{num_expr} IN {self.in_list(values)}"
        if cond_on == "range":
            return self.range_cond(num_expr, *values)
        raise ValueError(cond_on)  # pragma: no cover - programming error

    def aggregate_element(self, col: str, keys: Sequence[str], func: str, numeric: bool) -> str:
        from_sql, text_expr, num_expr = self.json_elements(col, keys)
        return f"(SELECT {func}({num_expr if numeric else text_expr}) FROM {from_sql})"

    def range_cond(self, expr: str, ge: Optional[Any], le: Optional[Any]) -> str:
        conds = []
        if ge is not None:
            conds.append(f"{expr} >= {self.bind(ge)}")
        if le is not None:
            conds.append(f"{expr} <= {self.bind(le)}")
        if not conds:
            return f"{expr} IS NOT NULL"
        return "(" + " AND ".join(conds) + ")"

    # -- text search ---------------------------------------------------------------------------

    def regex_match(self, pattern_py: str, pattern_pg: str, text_expr: str, words: Sequence[str] = ()) -> str:
        if self.sqlite:
            regex = f"wb_regexp({self.bind(pattern_py)}, {text_expr})"
            ascii_words = [w for w in words if w.isascii()]
            if not ascii_words:
                return regex
            # LIKE is case-insensitive for ASCII and runs in C: it discards most rows before the
            # (Python) regular expression sees them.
            likes = [f"{text_expr} LIKE {self.bind('%' + _like_escape(w) + '%')} ESCAPE '\\'" for w in ascii_words]
            return "(" + " AND ".join(likes + [regex]) + ")"
        return f"({text_expr} ~* {self.bind(pattern_pg)})"

    def text_condition(self, node: TextNode, field_exprs: Sequence[str]) -> str:
        """SQL condition for a parsed text query over the given field text expressions.

        Each word or phrase may match in any of the fields (term-centric, like
        ``simple_query_string`` over several fields).
        """
        if node.kind == "none" or not field_exprs:
            return "1 = 0"
        if node.kind == "and":
            return "(" + " AND ".join(self.text_condition(c, field_exprs) for c in node.children) + ")"
        if node.kind == "or":
            return "(" + " OR ".join(self.text_condition(c, field_exprs) for c in node.children) + ")"
        if node.kind == "not":
            return f"(NOT COALESCE({self.text_condition(node.children[0], field_exprs)}, 0 = 1))"
        if node.kind == "phrase":
            atoms = [(node.words, True, node.prefix)]
        else:
            # each word of a term is its own required clause; the prefix applies to the last one
            atoms = [((w,), False, node.prefix and i == len(node.words) - 1) for i, w in enumerate(node.words)]
        conds = []
        for words, phrase, prefix in atoms:
            py = python_word_regex(words, phrase=phrase, prefix=prefix)
            pg = _pg_word_regex(words, phrase=phrase, prefix=prefix)
            alts = [self.regex_match(py, pg, f, words) for f in field_exprs]
            conds.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
        return conds[0] if len(conds) == 1 else "(" + " AND ".join(conds) + ")"

    def field_text_expr(self, field_name: str, field_type: str, record_alias: str = "r") -> Optional[str]:
        """Searchable text of a record field (None for fields that are not searchable)."""
        col = f"{record_alias}.fields"
        if field_type in ("text", "custom"):
            return self.json_text(col, [field_name])
        if field_type == "chat":
            a = self.alias("ch")
            if self.sqlite:
                return (
                    f"(SELECT group_concat(json_extract({a}.value, '$.content'), char(10)) "
                    f"FROM json_each({col}, {self._sqlite_path([field_name])}) AS {a})"
                )
            node = self._pg_chain(col, [field_name], last_text=False)
            return (
                f"(SELECT string_agg({a}.e ->> 'content', E'\\n') FROM json_array_elements("
                f"CASE WHEN json_typeof({node}) = 'array' THEN {node} ELSE '[]'::json END) AS {a}(e))"
            )
        return None  # image fields are not indexed for text search


def id_bounds(parts: int) -> List[UUID]:
    """The ``parts - 1`` ids that cut the UUID space into ``parts`` ranges of equal width.

    >>> [u.hex[:4] for u in id_bounds(4)]
    ['4000', '8000', 'c000']
    """
    return [UUID(int=(i << 128) // parts) for i in range(1, parts)]
