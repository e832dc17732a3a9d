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

A text query is bounded before any SQL is built, so that one request cannot make a statement of
hundreds of kilobytes, a regular expression SQLite refuses ("pattern too complex") or a parse
deeper than Python's recursion limit: at most :data:`MAX_QUERY_CHARS` characters,
:data:`MAX_QUERY_TERMS` words (a phrase's words count one each), :data:`MAX_TERM_CHARS`
characters per word, and :data:`MAX_QUERY_DEPTH` levels of parentheses and ``-``/``+``
operators. A query over these limits is refused with :class:`UnsupportedSearch` naming the limit
(HTTP 422 through the engine).
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union
from uuid import UUID

__all__ = [
    "UnsupportedSearch",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "MAX_TERM_CHARS",
    "MAX_QUERY_DEPTH",
    "MAX_TEXT_CLAUSES",
    "MAX_OFFSET",
    "MIN_EPOCH_MS",
    "MAX_EPOCH_MS",
    "check_offset_limit",
    "check_text_clauses",
    "finite_number",
    "SqlBuilder",
    "TextNode",
    "parse_text_query",
    "text_node_regexes",
    "python_word_regex",
    "to_datetime",
    "db_datetime_text",
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

#: The longest text query accepted, in characters.
MAX_QUERY_CHARS = 2000
#: The most words a text query may hold (each word of a phrase counts).
MAX_QUERY_TERMS = 32
#: The longest word of a text query, in characters.
MAX_TERM_CHARS = 100
#: The deepest nesting of parentheses and ``-``/``+`` operators in a text query.
MAX_QUERY_DEPTH = 16
#: The most (word, field) pairs a text query may compare: words x searchable fields searched.
MAX_TEXT_CLAUSES = 1024
#: The largest ``offset`` (and ``limit``) of a search: the largest signed 32-bit integer, far
#: beyond any dataset and well inside what SQLite's and PostgreSQL's 64-bit integers bind.
MAX_OFFSET = 2**31 - 1


class UnsupportedSearch(ValueError):
    """A search the SQL engine cannot answer exactly, or one over its limits; the message names
    what was asked (never a whole query: see :func:`_excerpt`)."""


def _excerpt(text: str, n: int = 40) -> str:
    """``text`` quoted for a message, cut at ``n`` characters (a refused query may be 50 KB).

    >>> _excerpt("apple~2")
    "'apple~2'"
    >>> _excerpt("x" * 100, 5)
    "'xxxxx'... (100 characters)"
    """
    return repr(text) if len(text) <= n else f"{text[:n]!r}... ({len(text):,} characters)"


def _shown_number(value: Any) -> str:
    """A number for a message, without printing thousands of digits."""
    text = str(value)
    return text if len(text) <= 30 else f"a {len(text):,}-character number"


def finite_number(value: Any, what: str) -> float:
    """``value`` as a finite float, or :class:`UnsupportedSearch` naming ``what``.

    >>> finite_number("2.5", "filter on metadata property 'x'")
    2.5
    >>> finite_number("1e400", "filter on metadata property 'x'")
    Traceback (most recent call last):
    ...
    workbench.server.search_sql.UnsupportedSearch: filter on metadata property 'x': '1e400' is out of range (allowed: finite numbers, -1.8e308 to 1.8e308)
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UnsupportedSearch(f"{what}: {_excerpt(str(value))} is not a number") from None
    except OverflowError:  # an int too large for a float
        number = math.inf
    if not math.isfinite(number):
        shown = repr(value) if isinstance(value, str) and len(value) <= 30 else _shown_number(value)
        raise UnsupportedSearch(f"{what}: {shown} is out of range (allowed: finite numbers, -1.8e308 to 1.8e308)")
    return number


def check_offset_limit(offset: Any, limit: Any) -> Tuple[int, int]:
    """``offset`` and ``limit`` of a search as ints, or :class:`UnsupportedSearch` naming the one
    out of range (0 to :data:`MAX_OFFSET`).

    >>> check_offset_limit(0, 50)
    (0, 50)
    >>> check_offset_limit(10**20, 50)
    Traceback (most recent call last):
    ...
    workbench.server.search_sql.UnsupportedSearch: offset 100000000000000000000 is out of range (allowed: 0 to 2147483647)
    """
    out = []
    for name, value in (("offset", offset), ("limit", limit)):
        if not isinstance(value, int) or not 0 <= value <= MAX_OFFSET:
            raise UnsupportedSearch(f"{name} {_shown_number(value)} is out of range (allowed: 0 to {MAX_OFFSET})")
        out.append(int(value))
    return out[0], out[1]


def check_text_clauses(node: "TextNode", n_fields: int) -> None:
    """Refuse a text query whose words times the fields searched exceed :data:`MAX_TEXT_CLAUSES`
    (each pair is a comparison per record, and a bound parameter or two in the statement)."""
    words = sum(len(words) for words, _, _ in text_node_regexes(node))
    if words * n_fields > MAX_TEXT_CLAUSES:
        raise UnsupportedSearch(
            f"text query: {words} words over {n_fields} searchable fields make {words * n_fields:,} word/field "
            f"comparisons; the limit is {MAX_TEXT_CLAUSES:,} (search one field, or use fewer words)"
        )


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
                f"text query {_excerpt(q)}: fuzziness and slop ('~') are not supported by the workbench-sql search engine"
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
                f"text query {_excerpt(q)}: fuzziness and slop ('~') are not supported by the workbench-sql search engine"
            )
        tokens.append(("term", "".join(buf)))
        i = j
    return tokens


def parse_text_query(q: str) -> TextNode:
    """Parse a ``simple_query_string``-style query into a :class:`TextNode` tree.

    Raises :class:`UnsupportedSearch` for what the engine does not answer (``~``) and for a query
    over the limits (:data:`MAX_QUERY_CHARS`, :data:`MAX_QUERY_TERMS`, :data:`MAX_TERM_CHARS`,
    :data:`MAX_QUERY_DEPTH`), naming the limit.

    Examples
    --------
    >>> parse_text_query("Hello world").kind  # words are ANDed, as Elasticsearch's default operator
    'and'
    >>> parse_text_query("cat | dog").kind
    'or'
    >>> parse_text_query('"new york" -city').children[1].kind
    'not'
    >>> parse_text_query("(" * 1000 + "apple")
    Traceback (most recent call last):
    ...
    workbench.server.search_sql.UnsupportedSearch: text query nests parentheses and '-'/'+' operators more than 16 levels deep; the limit is 16 levels
    """
    if len(q) > MAX_QUERY_CHARS:
        raise UnsupportedSearch(f"text query is {len(q):,} characters long; the limit is {MAX_QUERY_CHARS:,} characters")
    tokens = _lex(q)
    pos = 0
    depth = 0

    def deeper() -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_QUERY_DEPTH:
            raise UnsupportedSearch(
                f"text query nests parentheses and '-'/'+' operators more than {MAX_QUERY_DEPTH} levels deep; "
                f"the limit is {MAX_QUERY_DEPTH} levels"
            )

    def peek() -> Optional[Tuple[str, str]]:
        return tokens[pos] if pos < len(tokens) else None

    def parse_or() -> Optional[TextNode]:
        nonlocal pos
        parts = [parse_and()]
        while peek() == ("op", "|"):
            pos += 1
            parts.append(parse_and())
        found = [p for p in parts if p is not None]
        if not found:
            return None
        return found[0] if len(found) == 1 else TextNode("or", tuple(found))

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
        nonlocal pos, depth
        t = peek()
        if t in (("op", "-"), ("op", "+")):
            pos += 1
            deeper()
            inner = parse_unary()
            depth -= 1
            if t == ("op", "+") or inner is None:
                return inner
            if inner.kind == "not":  # --a is a
                return inner.children[0]
            return TextNode("not", (inner,))
        return parse_primary()

    def parse_primary() -> Optional[TextNode]:
        nonlocal pos, depth
        t = peek()
        if t is None:
            return None
        pos += 1
        kind, text = t
        if t == ("op", "("):
            deeper()
            inner = parse_or()
            depth -= 1
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

    parts = [parse_or()]
    while pos < len(tokens):  # unbalanced ')' : keep parsing what follows (ANDed, one flat node)
        pos += 1
        parts.append(parse_or())
    found = [p for p in parts if p is not None]
    if not found:
        return TextNode("none")
    node = found[0] if len(found) == 1 else TextNode("and", tuple(found))
    words = [w for ws, _, _ in text_node_regexes(node) for w in ws]
    if len(words) > MAX_QUERY_TERMS:
        raise UnsupportedSearch(f"text query has {len(words):,} words; the limit is {MAX_QUERY_TERMS} words")
    longest = max(words, key=len)
    if len(longest) > MAX_TERM_CHARS:
        raise UnsupportedSearch(
            f"text query has a word of {len(longest):,} characters ({_excerpt(longest, 20)}); "
            f"the limit is {MAX_TERM_CHARS} characters per word"
        )
    return node


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


#: The epoch milliseconds of the first and the last instant a datetime holds (years 1 to 9999).
MIN_EPOCH_MS = -62135596800000
MAX_EPOCH_MS = 253402300799999


def to_datetime(value: Union[str, float, int, datetime], what: str) -> datetime:
    """Turn a range bound on ``inserted_at``/``updated_at`` into a naive UTC datetime.

    Strings are ISO 8601 (a trailing ``Z`` or an offset is converted to UTC); numbers are epoch
    milliseconds, as Elasticsearch's default date format reads them. A value outside the years 1
    to 9999 (in UTC) is refused with :class:`UnsupportedSearch` naming ``what`` and the range.

    >>> to_datetime("2024-05-01T10:00:00Z", "inserted_at")
    datetime.datetime(2024, 5, 1, 10, 0)
    >>> to_datetime(0, "inserted_at")
    datetime.datetime(1970, 1, 1, 0, 0)
    >>> to_datetime(1e30, "inserted_at")
    Traceback (most recent call last):
    ...
    workbench.server.search_sql.UnsupportedSearch: range filter on record inserted_at: 1e+30 is out of range (allowed: epoch milliseconds from -62135596800000 to 253402300799999, or ISO 8601 dates from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)
    """

    def out_of_range() -> UnsupportedSearch:
        shown = _excerpt(value) if isinstance(value, str) else _shown_number(value)
        return UnsupportedSearch(
            f"range filter on record {what}: {shown} is out of range (allowed: epoch milliseconds from {MIN_EPOCH_MS} "
            f"to {MAX_EPOCH_MS}, or ISO 8601 dates from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)"
        )

    def from_epoch_ms(ms: Any) -> datetime:
        try:
            ms = float(ms)
        except OverflowError:  # an int too large for a float
            raise out_of_range() from None
        if not (math.isfinite(ms) and MIN_EPOCH_MS <= ms <= MAX_EPOCH_MS):
            raise out_of_range()
        return datetime(1970, 1, 1) + timedelta(milliseconds=ms)

    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)):
        return from_epoch_ms(value)
    else:
        text = str(value).strip()
        try:
            dt = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise UnsupportedSearch(
                    f"range filter on record {what}: {_excerpt(str(value))} is neither an ISO 8601 date nor epoch milliseconds"
                ) from None
            return from_epoch_ms(number)
    if dt.tzinfo is not None:
        try:
            dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
            raise out_of_range() from None
    return dt


def db_datetime_text(dt: datetime) -> str:
    """A datetime as argilla-server's SQLite tables store it (text that sorts as time does).

    >>> db_datetime_text(datetime(1, 2, 3, 4, 5, 6))
    '0001-02-03 04:05:06.000000'
    """
    return dt.isoformat(sep=" ", timespec="microseconds")


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
            return self.bind(db_datetime_text(value))
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
            # a record whose field is missing (NULL) matches a negation; IS NOT TRUE nests less
            # than NOT COALESCE(...) in SQLite's parser, whose stack is 100 entries deep
            return f"({self.text_condition(node.children[0], field_exprs)} IS NOT TRUE)"
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
