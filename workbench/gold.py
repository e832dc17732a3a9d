"""Gold answers as the user writes them: values from the command line or a CSV cell, checked
against a task's questions, and the gold CSV (``item, question, value, set_by[, kind]``).

Domain logic shared by ``workbench gold ...``; no click, no store: the checked rows go to
:meth:`workbench.store.HistoryStore.set_gold_many` (or ``set_gold``). Every problem is a
:class:`~workbench.errors.BadInput` naming the file and line (or argument), the column and the value.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from workbench.errors import BadInput
from workbench.safe_load import JsonLimitError, json_error_message, loads, read_text

if TYPE_CHECKING:
    from workbench.tasks import Task

GOLD_CSV_COLUMNS = ("item", "question", "value", "set_by")


def parse_value(text: str, where: str = "value") -> Any:
    """A gold value from the command line or a CSV cell: JSON when it parses (numbers, lists), else text.

    JSON nested deeper than :data:`workbench.safe_load.MAX_DEPTH` is refused (:class:`BadInput`
    naming ``where``, e.g. ``gold.csv:3``) rather than taken as text.
    """
    text = text.strip()
    try:
        return loads(text)
    except JsonLimitError as exc:
        raise BadInput(f"{where}: value: {json_error_message(exc, line=False)}") from None
    except json.JSONDecodeError:
        return text


def check_gold_value(task: Task, question_name: str, value: Any, *, where: str) -> Any:
    """``value`` made canonical for ``question_name`` of ``task``; :class:`BadInput` naming ``where``.

    ``where`` names the source (``file.csv:3``, ``argument VALUE``) for the message.
    """
    from workbench.store import normalise_value

    try:
        q = task.question(question_name)
    except BadInput:
        raise BadInput(f"{where}: question: {question_name!r} is not a question of task {task.name!r} "
                       f"(known: {', '.join(x.name for x in task.questions)})") from None
    shown = value if isinstance(value, str) else json.dumps(value)
    if q.kind == "label":
        if not isinstance(value, str) or value not in q.label_values:
            raise BadInput(f"{where}: value: {shown!r} is not a label of {q.name} ({', '.join(q.label_values)})")
    elif q.kind == "rating":
        if isinstance(value, bool) or not isinstance(value, int) or value not in q.values:
            raise BadInput(f"{where}: value: {shown!r} is not a rating of {q.name} ({', '.join(map(str, q.values))})")
    elif q.kind == "multi_label":
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not value or any(v not in q.label_values for v in value):
            raise BadInput(f"{where}: value: {shown!r} is not a list of labels of {q.name} "
                           f"({', '.join(q.label_values)})")
    elif q.kind == "ranking":
        if not isinstance(value, list) or sorted(map(str, value)) != sorted(q.label_values):
            raise BadInput(f"{where}: value: {shown!r} must rank every option of {q.name} once, best first "
                           f"({', '.join(q.label_values)})")
    elif q.kind == "span":
        ok = isinstance(value, list) and all(
            isinstance(s, dict) and isinstance(s.get("start"), int) and isinstance(s.get("end"), int)
            and s["start"] <= s["end"] and s.get("label") in q.label_values for s in value)
        if not ok:
            raise BadInput(f"{where}: value: {shown!r} is not a JSON list of spans "
                           f'{{"start": int, "end": int, "label": one of {", ".join(q.label_values)}}}')
    elif q.kind == "text" and not isinstance(value, str):
        value = shown
    return normalise_value(q.kind, value)


def _csv_rows(reader: csv.DictReader, path: Path) -> Iterator[dict[str, Any]]:
    """The rows of ``reader``; a row the csv module cannot read (a cell longer than its field limit,
    for one) is a :class:`BadInput` naming the file and line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadInput(f"{path}:{reader.reader.line_num}: not a readable CSV row ({exc})") from None
        yield row


def read_gold_csv(task: Task, path: Path) -> list[dict]:
    """Rows of a gold CSV (columns item, question, value, set_by; optional kind), checked against ``task``.

    Every problem is reported (``file:line: column: ...``), not only the first. Two rows giving
    the same item, question and kind different values are refused; identical ones are allowed.
    """
    text = read_text(path)  # BadInput naming the line and byte that are not UTF-8
    reader = csv.DictReader(text.splitlines())
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise BadInput(f"{path}:1: header: not a readable CSV line ({exc})") from None
    missing = [c for c in GOLD_CSV_COLUMNS if c not in header]
    if missing:
        raise BadInput(f"{path}:1: header: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                       f"(found: {', '.join(header) or 'nothing'}; expected {', '.join(GOLD_CSV_COLUMNS)}[, kind])")
    rows, problems = [], []
    seen: dict[tuple[str, str, str], tuple[int, str]] = {}  # (item, question, kind) -> (line, encoded value)
    next_line = 2
    for row in _csv_rows(reader, path):
        line, where = next_line, f"{path}:{next_line}"  # where the row starts (quoted fields may span lines)
        next_line = reader.line_num + 1
        empty = [c for c in GOLD_CSV_COLUMNS if not (row.get(c) or "").strip()]
        if empty:
            problems.append(f"{where}: {empty[0]}: empty")
            continue
        kind = (row.get("kind") or "expert").strip()
        if kind not in ("expert", "adjudicated"):
            problems.append(f"{where}: kind: {kind!r} is not expert or adjudicated")
            continue
        try:
            value = check_gold_value(task, row["question"].strip(), parse_value(row["value"], where), where=where)
        except BadInput as exc:
            problems.append(str(exc))
            continue
        item, question = row["item"].strip(), row["question"].strip()
        key, encoded = (item, question, kind), json.dumps(value, sort_keys=True)
        if key in seen and seen[key][1] != encoded:
            problems.append(f"{where}: value: {row['value'].strip()!r} contradicts line {seen[key][0]}, which gives "
                            f"{kind} gold of item {item!r}, question {question!r} another value "
                            f"(one answer per item, question and kind)")
            continue
        seen.setdefault(key, (line, encoded))
        rows.append(dict(item=item, question=question, value=value, set_by=row["set_by"].strip(), kind=kind))
    if problems:
        raise BadInput("\n".join(problems))
    return rows
