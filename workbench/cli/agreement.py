"""``workbench agreement FILE``: inter-annotator agreement of a CSV of annotations.

Reads a CSV in *long* form (one row per judgement: item, annotator, value and optionally
question columns) or *wide* form (first column the item id, then one column per annotator;
an empty cell or ``.`` is a missing judgement), and prints, per question, Krippendorff's
alpha with a bootstrap interval, the other coefficients labelled with their weighting, the
per-annotator, per-label and per-item breakdowns and the diagnosis. ``--json`` prints the
same as JSON (strict: no NaN; undefined values are null with a note).

Exit codes: 0 on success; 2 for input the user can fix (file, column, value named), including
a question whose alpha is undefined (every value the same).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import textwrap
from pathlib import Path

import click
import numpy as np
import pandas as pd

from workbench.analytics.alpha import LEVELS
from workbench.analytics.diagnosis import Thresholds
from workbench.analytics.report import QuestionReport, question_report
from workbench.errors import BadInput

MISSING = ("", ".")
SET_SEPARATOR = "|"


def _line(row: int) -> int:
    """CSV line of a data row (the header is line 1)."""
    return int(row) + 2


def _not_utf8(path: Path) -> str:
    """Where a file first stops being UTF-8 text: "line N: byte 0xXX at byte K of the line"
    (the byte, never the text around it)."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return f"line {n}: byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line is not UTF-8 text"
    return "not UTF-8 text"


def _read_csv(path: Path, what: str = "file", *, coded: bool = False) -> pd.DataFrame:
    """The CSV as a table of text cells, header names stripped. Every cell stripped too, or, with
    ``coded``, each column left as read but categorical (the parser keeps one string per distinct
    cell, not one per cell: :func:`_coded` strips the distinct texts)."""
    if not path.exists():
        raise BadInput(f"{path}: no such {what}")
    if path.is_dir():
        raise BadInput(f"{path}: is a folder, not a CSV {what}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not a CSV text file: {_not_utf8(path)} (a CSV file must be UTF-8)") from None
    except csv.Error as exc:
        raise BadInput(f"{path}: not a readable CSV file ({exc})") from None
    if not header:
        raise BadInput(f"{path}: the file is empty (expected a CSV header line)")
    header = [h.strip() for h in header]
    seen = set()
    for h in header:
        if h in seen:
            raise BadInput(f"{path}: column {h!r} appears twice in the header")
        seen.add(h)
    try:
        # na_filter=False: every cell is text ("" for an empty one), as with keep_default_na=False
        df = pd.read_csv(path, dtype="category" if coded else str, keep_default_na=False, na_filter=False,
                         encoding="utf-8-sig", skipinitialspace=True, low_memory=not coded)
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not a CSV text file: {_not_utf8(path)} (a CSV file must be UTF-8)") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise BadInput(f"{path}: not a readable CSV file ({str(exc).strip().splitlines()[0]})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if len(df.columns) < 2:
        raise BadInput(
            f"{path}: found a single column ({df.columns[0]!r}); expected a comma-separated CSV with an item"
            " column and annotator or value columns"
        )
    return df if coded else df.apply(lambda col: col.str.strip())


def _coded(columns) -> tuple[np.ndarray, np.ndarray]:
    """The cells of ``columns`` (stacked one after the other) as integer codes into their distinct
    stripped texts, which are sorted as ``pandas.factorize(..., sort=True)`` sorts them (so a
    categorical of them factorises to the same ids as the texts would). Python work is done
    once per distinct text, not per cell."""
    parts, distinct, offset = [], [], 0
    for col in columns:
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = col.cat.codes.to_numpy()  # int8/16/32: the smallest that holds them
            texts = col.cat.categories.to_numpy(dtype=object)
        else:
            codes, texts = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=False)
        parts.append(codes.astype(np.intp) + offset if offset else codes)
        distinct.append(texts)
        offset += len(texts)
    texts = np.concatenate(distinct) if distinct else np.empty(0, dtype=object)
    stripped = np.empty(len(texts), dtype=object)
    stripped[:] = [t.strip() if isinstance(t, str) else t for t in texts]
    if len(parts) == 1 and stripped.tolist() == texts.tolist() and pd.Index(texts).is_monotonic_increasing:
        return parts[0], texts  # the parser's categories: distinct, sorted, nothing to strip
    remap, uniques = pd.factorize(stripped, sort=True, use_na_sentinel=False)
    codes = remap[np.concatenate(parts)] if parts else np.empty(0, dtype=np.intp)
    return codes, np.asarray(uniques, dtype=object)


def _require(df: pd.DataFrame, path: Path, column: str, option: str) -> None:
    if column not in df.columns:
        raise BadInput(
            f"{path}: missing column {column!r} (columns: {', '.join(map(repr, df.columns))});"
            f" name the right one with {option}"
        )


@dataclasses.dataclass
class _Annotations:
    """The judgements of a CSV file, coded: judgement ``k`` is item ``items[item[k]]``, annotator
    ``annotators[annotator[k]]``, question ``questions[question[k]]``, value text
    ``texts[value[k]]``, read from cell ``cell[k]`` of the value columns stacked (long format: the
    data row; wide: ``j * n_rows + i`` for row ``i`` of annotator column ``j``). ``items`` and
    ``annotators`` are sorted (see :func:`_coded`). No Python object per judgement."""

    path: Path
    item: np.ndarray
    items: np.ndarray
    annotator: np.ndarray
    annotators: np.ndarray
    question: np.ndarray
    questions: np.ndarray
    value: np.ndarray
    texts: np.ndarray
    cell: np.ndarray
    n_rows: int
    columns: tuple

    def __len__(self) -> int:
        return len(self.value)

    def take(self, rows: np.ndarray) -> "_Annotations":
        return dataclasses.replace(
            self, item=self.item[rows], annotator=self.annotator[rows], question=self.question[rows],
            value=self.value[rows], cell=self.cell[rows],
        )

    def line(self, k: int) -> int:
        return _line(int(self.cell[k]) % max(self.n_rows, 1))

    def column(self, k: int) -> str:
        return self.columns[int(self.cell[k]) // max(self.n_rows, 1)]

    def where(self, k: int) -> str:
        return f"{self.path}: line {self.line(k)}, column {self.column(k)!r}"

    def frame(self) -> pd.DataFrame:
        """The judgements as the tidy table of texts the per-cell parser built (item, annotator,
        question, value, _line, _column): for tests."""
        n = max(self.n_rows, 1)
        return pd.DataFrame({
            "item": self.items[self.item] if len(self) else [],
            "annotator": self.annotators[self.annotator] if len(self) else [],
            "question": self.questions[self.question] if len(self) else [],
            "value": self.texts[self.value] if len(self) else [],
            "_line": self.cell % n + 2,
            "_column": np.asarray(self.columns, dtype=object)[self.cell // n] if len(self) else [],
        })


def _first(mask) -> int:
    return int(np.flatnonzero(mask)[0])


def _from_long(df, path, item_col, annotator_col, value_col, question_col, question_explicit,
               default_q) -> _Annotations:
    _require(df, path, item_col, "--item-column")
    _require(df, path, annotator_col, "--annotator-column")
    _require(df, path, value_col, "--value-column")
    if question_col in df.columns:
        question, questions = _coded([df[question_col]])
    elif question_explicit:
        _require(df, path, question_col, "--question-column")
    else:
        question, questions = np.zeros(len(df), dtype=np.intp), np.array([default_q], dtype=object)
    coded = {}
    for col in (item_col, annotator_col):
        codes, texts = coded[col] = _coded([df[col]])
        empty = np.flatnonzero(texts == "")
        if len(empty) and (codes == empty[0]).any():
            raise BadInput(f"{path}: line {_line(_first(codes == empty[0]))}, column {col!r} is empty")
    value, texts = _coded([df[value_col]])
    return _Annotations(path, *coded[item_col], *coded[annotator_col], question, questions, value, texts,
                        np.arange(len(df)), len(df), (value_col,))


def _from_wide(df, path, default_q) -> _Annotations:
    item_col = df.columns[0]
    annotators = list(df.columns[1:])
    n = len(df)
    item, items = _coded([df[item_col]])
    empty = np.flatnonzero(items == "")
    if len(empty) and (item == empty[0]).any():
        raise BadInput(f"{path}: line {_line(_first(item == empty[0]))}, column {item_col!r} (the item id) is empty")
    if len(items) < n:
        dup = np.bincount(item, minlength=len(items))[item] > 1
        first = item[_first(dup)]
        lines = [_line(i) for i in np.flatnonzero(item == first)]
        raise BadInput(
            f"{path}: item {items[first]!r} appears on lines {', '.join(map(str, lines))}; in wide format each item"
            " has one row"
        )
    value, texts = _coded([df[a] for a in annotators])
    rank, names = pd.factorize(np.array(annotators, dtype=object), sort=True)
    return _Annotations(
        path, np.tile(item, len(annotators)), items, np.repeat(rank, n), np.asarray(names, dtype=object),
        np.zeros(n * len(annotators), dtype=np.intp), np.array([default_q], dtype=object), value, texts,
        np.arange(n * len(annotators)), n, tuple(annotators),
    )


def _number(text: str):
    try:
        x = float(text)
    except ValueError:
        return None
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() else x


def _where(path, row) -> str:
    return f"{path}: line {row['_line']}, column {row['_column']!r}"


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit - 3] + "...")


@dataclasses.dataclass
class _Question:
    """One question's judgements: their positions in the annotations and their values (numbers,
    label texts or label sets), in file order."""

    name: str
    code: int
    rows: np.ndarray
    values: np.ndarray
    numeric: bool = False


def _at(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]``, without a copy when ``rows`` is every position (one question)."""
    return values if len(rows) == len(values) else values[rows]


def _by_question(ann: _Annotations) -> list[tuple[int, np.ndarray]]:
    """(question code, positions of its judgements) per question, in order of first appearance."""
    first = [0] if len(ann.questions) == 1 else pd.unique(ann.question)
    if len(first) == 1:
        return [(int(first[0]), np.arange(len(ann)))]
    order = np.argsort(ann.question, kind="stable")
    bounds = np.cumsum(np.bincount(ann.question, minlength=len(ann.questions)))
    starts = bounds - np.bincount(ann.question, minlength=len(ann.questions))
    return [(int(q), order[starts[q]:bounds[q]]) for q in first]


def _pairs(ann: _Annotations, codes: np.ndarray, n: int) -> dict:
    """question code -> the distinct ``codes`` (value or annotator codes) of its judgements, in order
    of first appearance."""
    if len(ann.questions) == 1:
        return {0: pd.unique(codes)}
    pairs = pd.unique(ann.question.astype(np.int64) * max(n, 1) + codes)
    q, c = np.divmod(pairs, max(n, 1))
    order = np.argsort(q, kind="stable")
    q, c = q[order], c[order]
    cuts = np.flatnonzero(np.diff(q)) + 1
    return {int(g[0]): cs for g, cs in zip(np.split(q, cuts), np.split(c, cuts)) if len(g)}


def _lookup(n: int, positions, objects) -> np.ndarray:
    out = np.empty(n, dtype=object)
    for p, o in zip(positions, objects):
        out[p] = o
    return out


def _parse_values(ann: _Annotations, path: Path, level: str, order,
                  missing=MISSING) -> tuple[_Annotations, list, list | None, dict]:
    """Drop missing values and turn the text into numbers / label sets as the level needs.

    The value coding rule (the same as the Python API's, see
    :func:`workbench.analytics.reliability.as_text_if_mixed`), per question: when every value of
    the question reads as a number, the values are numbers (``1``, ``1.0`` and ``01`` are one
    value); otherwise every value is a label compared as written (``1`` and ``1.0`` are two), and
    the question's note says which value made it so. Cells equal to one of ``missing`` are missing
    judgements. Returns the annotations left, the questions (:class:`_Question`, in order of first
    appearance), the order and the notes per question.

    Every decision is taken once per distinct text of a question, never per judgement."""
    texts = ann.texts
    marks = set(missing)
    dropped = np.array([t in marks for t in texts], dtype=bool)[ann.value] if len(ann) else np.zeros(0, bool)
    n_missing = int(dropped.sum())
    if n_missing:
        ann = ann.take(np.flatnonzero(~dropped))
    if len(ann) == 0:
        raise BadInput(f"{path}: no values (every value cell is one of the missing markers "
                       f"{', '.join(map(repr, missing))})")
    notes: dict = {}
    if n_missing and tuple(missing) != MISSING:
        notes["*"] = f"{n_missing} value cells read as missing ({', '.join(map(repr, missing))})"
    groups = _by_question(ann)
    if level in ("jaccard", "masi"):
        sets = _lookup(len(texts), range(len(texts)),
                       (frozenset(p.strip() for p in t.split(SET_SEPARATOR) if p.strip()) for t in texts))
        questions = [_Question(ann.questions[q], q, rows, sets[_at(ann.value, rows)]) for q, rows in groups]
        return ann, questions, order, notes
    numbers = [_number(t) for t in texts]
    is_number = np.array([x is not None for x in numbers], dtype=bool)
    order_numbers = order is None or all(_number(o) is not None for o in order)
    used = _pairs(ann, ann.value, len(texts))
    numeric: dict = {}
    for q, rows in groups:
        vs = used[q]
        numeric[q] = False
        if is_number[vs].all():
            numeric[q] = order_numbers
            continue
        if level in ("interval", "ratio") or (level == "ordinal" and order is None):
            need = (
                f"--level {level} needs numbers"
                if level != "ordinal"
                else "--level ordinal needs numbers, or the order of the labels with --order a,b,c"
            )
            k = rows[_first(~is_number[_at(ann.value, rows)])]
            raise BadInput(f"{ann.where(k)}: value {texts[ann.value[k]]!r} is not a number ({need})")
        if is_number[vs].any():
            k = rows[_first(~is_number[_at(ann.value, rows)])]
            text = texts[ann.value[k]]
            same_number: dict = {}
            for v in vs[is_number[vs]]:
                same_number.setdefault(numbers[v], set()).add(texts[v])
            clash = next((sorted(g) for g in same_number.values() if len(g) > 1), None)
            note = (f"values are labels compared as written, because {_short(text)} (line {ann.line(k)}) is "
                    f"not a number")
            if clash:
                note += f": {' and '.join(map(_short, clash[:3]))} are different labels"
            note += f"; if {_short(text)} marks a missing answer, pass --missing {text}"
            notes[ann.questions[q]] = note
    if order is not None and order_numbers and all(numeric.values()):
        order = [_number(o) for o in order]
    # The values of all questions make one column, whose type pandas infers from the distinct values
    # (and only from them): all whole numbers -> int64, numbers -> float64 (so 1 reads 1.0 where
    # another value is 2.5), any text -> objects as they are.
    distinct = [numbers[v] if numeric[q] else texts[v] for q, _ in groups for v in used[q]]
    typed = pd.Series(distinct).to_numpy() if distinct else np.empty(0, dtype=object)
    questions, start, value_of = [], 0, {}
    for q, rows in groups:
        vs = used[q]
        lookup = np.zeros(len(texts), dtype=typed.dtype)  # only the question's own values are read
        lookup[vs] = typed[start:start + len(vs)]
        value_of[q] = lookup
        start += len(vs)
        questions.append(_Question(ann.questions[q], q, rows, lookup[_at(ann.value, rows)], numeric[q]))
    if order is not None:
        allowed = set(order)
        first_bad = None
        for question in questions:
            vs = used[question.code]
            bad = [v for v in vs if value_of[question.code][v] not in allowed]
            if bad:
                k = question.rows[_first(np.isin(_at(ann.value, question.rows), bad))]
                first_bad = k if first_bad is None else min(first_bad, k)
        if first_bad is not None:
            value = value_of[ann.question[first_bad]][ann.value[first_bad]]
            raise BadInput(
                f"{ann.where(first_bad)}: value {value!r} is not in --order ({', '.join(map(str, order))})"
            )
    return ann, questions, order, notes


def _check_duplicates(ann: _Annotations, path: Path, questions: list) -> None:
    n_items, n_annotators = len(ann.items), len(ann.annotators)
    space = n_items * n_annotators * len(ann.questions)
    if space < 2 ** 62:
        key = ann.annotator.astype(np.int64) * n_items + ann.item
        if len(ann.questions) > 1:
            key += ann.question.astype(np.int64) * (n_annotators * n_items)
        if space <= 8 * len(key) + 1_000_000:  # a count per possible key is cheap
            if np.bincount(key, minlength=space).max(initial=0) <= 1:
                return
        elif len(pd.unique(key)) == len(key):
            return
        dup = pd.Series(key).duplicated(keep=False).to_numpy()
    else:
        key = None
        dup = pd.DataFrame({"q": ann.question, "a": ann.annotator, "i": ann.item}).duplicated(keep=False).to_numpy()
    if dup.any():
        k = _first(dup)
        if key is not None:
            same = np.flatnonzero(key == key[k])
        else:
            same = np.flatnonzero((ann.question == ann.question[k]) & (ann.annotator == ann.annotator[k])
                                  & (ann.item == ann.item[k]))
        q = f", question {ann.questions[ann.question[k]]!r}" if len(questions) > 1 else ""
        raise BadInput(
            f"{path}: duplicate annotation: item {ann.items[ann.item[k]]!r} by annotator"
            f" {ann.annotators[ann.annotator[k]]!r}{q}"
            f" on lines {', '.join(str(ann.line(i)) for i in same)}; each annotator may answer an item once"
        )


def _check_annotators(ann: _Annotations, path: Path, raters, questions: list) -> None:
    by_question = _pairs(ann, ann.annotator, len(ann.annotators))
    for question in questions:
        everyone = [ann.annotators[a] for a in by_question[question.code]]
        names = [a for a in everyone if a not in raters]
        q = question.name
        if len(names) < 2:
            who = ", ".join(map(repr, names)) or "none"
            raise BadInput(
                f"{path}: question {q!r} has {len(names)} annotator{'s' if len(names) != 1 else ''} with values"
                f" ({who}); agreement needs at least two"
            )
        for r in raters:
            if r not in set(everyone):
                raise BadInput(f"{path}: --rater {r!r} is not an annotator of question {q!r}")


def _question_rows(ann: _Annotations, question: _Question) -> pd.DataFrame:
    """The tidy rows of one question for :func:`question_report`: item and annotator as categoricals
    of the sorted ids (they factorise as the texts would, without hashing a string per row)."""
    rows = question.rows

    def categorical(codes, names):  # the codes are valid by construction
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(pd.Index(names, dtype=object)),
                                         validate=False)

    return pd.DataFrame({
        "item": categorical(_at(ann.item, rows), ann.items),
        "annotator": categorical(_at(ann.annotator, rows), ann.annotators),
        "question": categorical(np.zeros(len(rows), dtype=np.int8), [question.name]),
        "value": question.values,
    })


def _annotations(df, file, fmt, item_column, annotator_column, value_column, question_column, question_explicit,
                 level, order_list, missing, raters):
    """Read, parse and check the annotations of ``df`` (read from ``file``): the annotations, the
    questions (:class:`_Question`), the order and the value notes; BadInput names file, line, column
    and value of the first problem."""
    default_q = file.stem
    if fmt == "long":
        ann = _from_long(df, file, item_column, annotator_column, value_column, question_column, question_explicit,
                         default_q)
    else:
        ann = _from_wide(df, file, default_q)
    ann, questions, order_list, value_notes = _parse_values(ann, file, level, order_list, missing)
    _check_duplicates(ann, file, questions)
    _check_annotators(ann, file, set(raters), questions)
    return ann, questions, order_list, value_notes


def _read_gold(path: Path, item_col: str, value_col: str, question_col: str, level: str, order, numeric: bool):
    df = _read_csv(path, "gold file")
    if item_col not in df.columns:
        item_col = "item" if "item" in df.columns else df.columns[0]
    candidates = [c for c in (value_col, "gold", "value") if c in df.columns and c != item_col]
    if candidates:
        vcol = candidates[0]
    else:
        rest = [c for c in df.columns if c not in (item_col, question_col)]
        if len(rest) != 1:
            raise BadInput(
                f"{path}: cannot tell which column holds the gold values (columns: {', '.join(map(repr, df.columns))});"
                f" name it {value_col!r} or 'gold'"
            )
        vcol = rest[0]
    gold = pd.DataFrame({
        "item": df[item_col],
        "value": df[vcol],
        "_line": [_line(i) for i in range(len(df))],
        "_column": vcol,
    })
    if question_col in df.columns:
        gold["question"] = df[question_col]
    gold = gold[~gold["value"].isin(MISSING)].copy()
    if level in ("jaccard", "masi"):
        gold["value"] = [frozenset(p.strip() for p in t.split(SET_SEPARATOR) if p.strip()) for t in gold["value"]]
    elif numeric:
        nums = [_number(t) for t in gold["value"]]
        if any(x is None for x in nums):
            i = next(k for k, x in enumerate(nums) if x is None)
            row = gold.iloc[i]
            raise BadInput(f"{_where(path, row)}: gold value {row['value']!r} is not a number, unlike the annotations")
        gold["value"] = nums
    keys = ["item", "question"] if "question" in gold.columns else ["item"]
    dup = gold.duplicated(subset=keys, keep=False)
    if dup.any():
        first = gold[dup].iloc[0]
        lines = gold[dup & (gold["item"] == first["item"])]["_line"]
        raise BadInput(f"{path}: item {first['item']!r} has more than one gold value (lines {', '.join(map(str, lines))})")
    if order is not None and level not in ("jaccard", "masi"):
        bad = ~gold["value"].isin(set(order))
        if bad.any():
            row = gold[bad].iloc[0]
            raise BadInput(f"{_where(path, row)}: gold value {row['value']!r} is not in --order ({', '.join(map(str, order))})")
    return gold.drop(columns=["_line", "_column"])


# ---------------------------------------------------------------- rendering


def _num(x, digits=4) -> str:
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"


def _render(rep: QuestionReport, path: Path, multi: bool) -> str:
    out = []
    head = f"{path.name}: question {rep.question!r}" if multi else f"{path.name}"
    out.append(f"{head} - level {rep.level}")
    out.append(
        f"  {rep.n_items} items ({rep.n_pairable_items} with two or more values), {rep.n_annotators} annotators,"
        f" {rep.n_annotations} annotations"
    )
    out.append("")
    rows = [rep.alpha, *rep.coefficients]
    width = max(len(c.label) for c in rows) + 2
    out.append(f"  {'coefficient':<{width}}{'value':>8}   interval")
    for c in rows:
        value = _num(c.value) if c.value is not None else "undefined"
        interval = ""
        if c.low is not None:
            interval = f"[{_num(c.low)}, {_num(c.high)}]"
            if c.key == "alpha":
                interval += f" {rep.ci:.0%} bootstrap over items, {rep.n_boot} resamples"
        out.append(f"  {c.label:<{width}}{value:>8}   {interval}".rstrip())
        if c.note:
            out.extend(textwrap.wrap(c.note, 96, initial_indent="      note: ", subsequent_indent="            "))
    out.append("")
    th = Thresholds()
    bands = {
        "reliable": f"reliable (alpha >= {th.reliable:.3f})",
        "tentative": f"tentative ({th.tentative:.3f} <= alpha < {th.reliable:.3f})",
        "unreliable": f"unreliable (alpha < {th.tentative:.3f})",
        "undefined": "undefined",
    }
    out.append(f"  reliability (Krippendorff): {bands[rep.band]}")
    out.append(f"  diagnosis: {rep.diagnosis.verdict.title}")
    out.extend(textwrap.wrap(rep.diagnosis.explanation, 96, initial_indent="    ", subsequent_indent="    "))
    if rep.alpha.value is None:
        return "\n".join(out)

    t = rep.annotators
    out.append("")
    cols = [("n", "n_annotations", 0), ("alpha without", "alpha_without", 4), ("change", "alpha_change", 4)]
    if "mean_percent" in t.columns:
        cols += [("mean % agree", "mean_percent", 3), ("mean kappa", "mean_kappa", 3)]
    if "gold_accuracy" in t.columns:
        cols += [("gold n", "n_gold", 0), ("gold acc", "gold_accuracy", 3), ("gold kappa", "gold_kappa", 3)]
    name_w = max(12, *(len(str(a)) for a in t["annotator"])) + 2
    out.append("  " + f"{'annotator':<{name_w}}" + "".join(f"{h:>14}" for h, _, _ in cols))
    for _, r in t.iterrows():
        cells = []
        for _, key, digits in cols:
            v = r[key]
            cells.append(f"{int(v):>14}" if digits == 0 and pd.notna(v) else f"{_num(v, digits):>14}")
        flag = "  <- deviates" if r["annotator"] in rep.diagnosis.deviating else ""
        out.append("  " + f"{str(r['annotator']):<{name_w}}" + "".join(cells) + flag)

    out.append("")
    out.append("  labels (one-vs-rest alpha)")
    lw = max(8, *(len(str(x)) for x in rep.labels["label"])) + 2
    for _, r in rep.labels.iterrows():
        note = f"  ({r['note']})" if r["note"] else ""
        out.append(f"    {str(r['label']):<{lw}}{int(r['n_values']):>7} values {r['share']:>6.1%}   alpha {_num(r['alpha'])}{note}")

    if len(rep.confused_pairs):
        out.append("")
        out.append("  most confused label pairs")
        for _, r in rep.confused_pairs.head(5).iterrows():
            out.append(f"    {r['label_a']} / {r['label_b']}: {r['pairs']} annotator pairs in {r['items']} items ({r['share']:.0%})")

    for name, ra in rep.raters.items():
        out.append("")
        row = ra.rater_row
        med = ra.human_median
        text = (
            f"  rater {name!r} (not human) vs the humans' {ra.method}: {int(row['n_consensus'])} items,"
            f" agreement {_num(row['consensus_percent'], 3)}, {ra.kappa_label} {_num(row['consensus_kappa'], 3)}"
            f" (humans vs the others: {_num(med.get('consensus_percent'), 3)}, {_num(med.get('consensus_kappa'), 3)})"
        )
        if "gold_accuracy" in ra.table.columns:
            text += f"; gold accuracy {_num(row['gold_accuracy'], 3)} (humans {_num(med.get('gold_accuracy'), 3)})"
        text += f"; alpha with it added {_num(rep.rater_alpha[name].value)}"
        out.extend(textwrap.wrap(text, 100, subsequent_indent="    "))

    if len(rep.disputed_items):
        out.append("")
        out.append("  most disputed items")
        for _, r in rep.disputed_items.head(10).iterrows():
            out.append(f"    {str(r['item']):<16} {r['labels']}")
    if rep.gold_confusion is not None:
        out.append("")
        out.append("  confusion vs gold (rows: gold, columns: given)")
        out.extend("    " + line for line in rep.gold_confusion.to_string().splitlines())
    for note in rep.notes:
        out.append(f"  note: {note}")
    return "\n".join(out)


@click.command("agreement")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["long", "wide"]), default="long", show_default=True,
              help="long: one row per judgement; wide: first column the item, one column per annotator.")
@click.option("--item-column", default="item", show_default=True, help="Long format: column of item ids.")
@click.option("--annotator-column", default="annotator", show_default=True, help="Long format: column of annotator names.")
@click.option("--value-column", default="value", show_default=True, help="Long format: column of the values.")
@click.option("--question-column", default="question", show_default=True,
              help="Long format: column of question names (optional; one question if absent).")
@click.option("--level", type=click.Choice(list(LEVELS)), default="nominal", show_default=True,
              help="Level of measurement of the values (jaccard/masi: label sets separated by '|').")
@click.option("--order", default=None, help="Order of the labels, lowest first, comma-separated (ordinal labels).")
@click.option("--gold", type=click.Path(path_type=Path), default=None,
              help="CSV of gold values: the item column and a value (or 'gold') column, optionally question.")
@click.option("--rater", "raters", multiple=True,
              help="An annotator that is not human (LLM judge, suggestion agent): measured against the humans' consensus. Repeatable.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Bootstrap resamples for alpha's interval (0: none).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Seed of the bootstrap and the diagnosis (reproducible output).")
@click.option("--missing", "missing_markers", default=None, metavar="TEXT[,TEXT...]",
              help="Cell values that mark a missing judgement, besides an empty cell and '.' (e.g. n/a,NA).")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_context
def agreement(ctx, file, fmt, item_column, annotator_column, value_column, question_column, level, order, gold,
              raters, bootstrap, seed, missing_markers, as_json):
    """Inter-annotator agreement of the annotations in FILE (CSV), per question.

    Prints Krippendorff's alpha with a bootstrap interval, percent agreement, Fleiss' kappa,
    Gwet's AC1/AC2 and Cohen's kappa, each labelled with its weighting, then the
    per-annotator, per-label and per-item breakdowns and a diagnosis of low agreement.
    """
    order_list = [o.strip() for o in order.split(",")] if order else None
    if order_list is not None and any(o == "" for o in order_list):
        raise BadInput(f"--order {order!r}: empty label in the list")
    df = _read_csv(file, coded=True)
    explicit = fmt == "long" and ctx.get_parameter_source("question_column") not in (
        click.core.ParameterSource.DEFAULT, None,
    )
    missing = MISSING + tuple(m.strip() for m in missing_markers.split(",") if m.strip()) if missing_markers else MISSING
    ann, questions, order_list, value_notes = _annotations(
        df, file, fmt, item_column, annotator_column, value_column, question_column, explicit, level, order_list,
        missing, raters,
    )
    gold_df = None
    if gold is not None:
        numeric = all(q.numeric for q in questions)
        gold_df = _read_gold(gold, item_column, value_column, question_column, level, order_list, numeric)
        if "question" not in gold_df.columns:
            gold_df["question"] = None
            if len(questions) > 1:
                raise BadInput(f"{gold}: the annotations have {len(questions)} questions; the gold file needs a {question_column!r} column")
            gold_df["question"] = questions[0].name

    reports = {}
    for question in questions:
        q = question.name
        try:
            reports[q] = question_report(
                _question_rows(ann, question),
                level=level,
                order=order_list,
                gold=gold_df,
                n_boot=bootstrap,
                seed=seed,
                raters=list(raters) or None,
                thresholds=Thresholds(seed=seed if seed is not None else 0),
                question=q,
            )
        except BadInput as exc:
            raise BadInput(f"{file}: {exc}") from None

    for q in reports:  # the value coding rule, said where it applied
        extra = tuple(n for n in (value_notes.get("*"), value_notes.get(q)) if n)
        if extra:
            reports[q] = dataclasses.replace(reports[q], notes=tuple(reports[q].notes) + extra)
    multi = len(reports) > 1 or fmt == "long" and question_column in df.columns
    if as_json:
        payload = {"file": str(file), "level": level, "questions": {str(q): r.to_dict() for q, r in reports.items()}}
        click.echo(json.dumps(payload, indent=2, allow_nan=False))
    else:
        click.echo("\n\n".join(_render(r, file, multi) for r in reports.values()))
    undefined = [(q, r) for q, r in reports.items() if r.alpha.value is None]
    if undefined:
        q, r = undefined[0]
        raise BadInput(f"{file}: question {q!r}: {r.alpha.note}")
