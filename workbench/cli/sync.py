"""``workbench sync`` (Argilla -> history store) and ``workbench gold ...`` (expert gold and adjudications)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click

from workbench.errors import BadInput

_STORE_OPTION = click.option(
    "--store", "store_url", default=None, metavar="URL",
    help="SQLAlchemy URL of the history store (default: WORKBENCH_STORE_URL, else <home>/history.db).")


@click.command("sync")
@click.option("--task", default=None, help="Only the rounds of this task.")
@click.option("--full", is_flag=True, help="Read every record again instead of what changed since the last sync.")
@click.option("--watch", is_flag=True, help="Keep syncing every --interval seconds until interrupted (Ctrl-C).")
@click.option("--interval", type=click.FloatRange(min=1.0), default=30.0, show_default=True,
              help="Seconds between syncs with --watch.")
@click.option("--workspace", "workspaces", multiple=True,
              help="Also sync every dataset of this Argilla workspace (repeatable).")
@_STORE_OPTION
@click.option("--api-url", default=None, help="Argilla URL (default: ARGILLA_API_URL, else the embedded server).")
@click.option("--api-key", default=None, help="Owner/admin API key (default: ARGILLA_API_KEY, else the embedded owner's).")
def sync_cmd(task: str | None, full: bool, watch: bool, interval: float, workspaces: tuple[str, ...],
             store_url: str | None, api_url: str | None, api_key: str | None) -> None:
    """Copy every response and suggestion of the recorded rounds from Argilla into the history store.

    Edited responses keep their earlier values as earlier versions; running sync again adds
    nothing new. Each dataset is written in one transaction, so an interrupted sync leaves the
    store as it was for the dataset it was writing. Without --full only what changed is read:
    records updated since the last sync, or every record of a dataset where annotators answered
    or edited in the UI since then (Argilla's API cannot tell which records those were).

    With --watch, syncs every --interval seconds until interrupted; an unreachable Argilla is
    reported and retried at the next tick. Exit 1 when Argilla cannot be reached (without --watch).
    """
    from workbench import sync as sync_mod
    from workbench.argilla_client import connection
    from workbench.store import HistoryStore

    if interval != 30.0 and not watch:
        raise BadInput(f"--interval {interval:g}: only meaningful with --watch")
    conn = connection(api_url, api_key)
    store = HistoryStore(store_url)
    try:
        if watch:
            if full:
                click.echo(sync_mod.sync(conn, store, task=task, full=True, workspaces=workspaces))
            click.echo(f"watching {conn.api_url} every {interval:g} s (Ctrl-C to stop)")
            sync_mod.watch(conn, store, interval=interval, task=task, workspaces=workspaces, echo=click.echo)
            return
        report = sync_mod.sync(conn, store, task=task, full=full, workspaces=workspaces)
        if not report.datasets:
            click.echo("nothing to sync: no round is recorded" + (f" for task {task!r}" if task else "")
                       + " (create one with `workbench round create`, or pass --workspace)")
            return
        click.echo(report)
    finally:
        store.close()


# ---------------------------------------------------------------------------------------- gold


def _parse_value(text: str):
    """A gold value from the command line or a CSV cell: JSON when it parses (numbers, lists), else text."""
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def check_gold_value(task, question_name: str, value, *, where: str):
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


def _record_gold(task_name: str, item: str, question: str, value: str, set_by: str, store_url: str | None,
                 *, kind: str) -> None:
    """Check VALUE against the task's question and append it to the store's gold as ``kind``."""
    from workbench.store import HistoryStore
    from workbench.tasks import find_task

    t = find_task(task_name)
    v = check_gold_value(t, question, _parse_value(value), where="argument VALUE")
    store = HistoryStore(store_url)
    try:
        store.set_gold(task=t.name, item=item, question=question, value=v, set_by=set_by, kind=kind)
    finally:
        store.close()
    click.echo(f"gold {t.name}/{item}/{question} = {json.dumps(v)} ({kind}, by {set_by})")


@click.group()
def gold() -> None:
    """Gold answers: experts' reference answers and adjudications, kept apart from raw responses."""


@gold.command("set")
@click.argument("task_name", metavar="TASK")
@click.argument("item")
@click.argument("question")
@click.argument("value")
@click.option("--by", "set_by", required=True, help="Who set this gold answer (recorded with the time).")
@_STORE_OPTION
def gold_set(task_name: str, item: str, question: str, value: str, set_by: str, store_url: str | None) -> None:
    """Set the expert gold answer of ITEM's QUESTION to VALUE (JSON for lists/numbers, else text).

    Gold is append-only: the latest answer wins, earlier ones stay in the history.
    """
    _record_gold(task_name, item, question, value, set_by, store_url, kind="expert")


@gold.command("adjudicate")
@click.argument("task_name", metavar="TASK")
@click.argument("item")
@click.argument("question")
@click.argument("value")
@click.option("--by", "set_by", required=True, help="Who adjudicated (recorded with the time).")
@_STORE_OPTION
def gold_adjudicate(task_name: str, item: str, question: str, value: str, set_by: str,
                    store_url: str | None) -> None:
    """Resolve a disagreement on ITEM's QUESTION with VALUE; an adjudication beats expert gold."""
    _record_gold(task_name, item, question, value, set_by, store_url, kind="adjudicated")


GOLD_CSV_COLUMNS = ("item", "question", "value", "set_by")


def read_gold_csv(task, path: Path) -> list[dict]:
    """Rows of a gold CSV (columns item, question, value, set_by; optional kind), checked against ``task``.

    Every problem is reported (``file:line: column: ...``), not only the first. Two rows giving
    the same item, question and kind different values are refused; identical ones are allowed.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in GOLD_CSV_COLUMNS if c not in header]
    if missing:
        raise BadInput(f"{path}:1: header: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                       f"(found: {', '.join(header) or 'nothing'}; expected {', '.join(GOLD_CSV_COLUMNS)}[, kind])")
    rows, problems = [], []
    seen: dict[tuple[str, str, str], tuple[int, str]] = {}  # (item, question, kind) -> (line, encoded value)
    next_line = 2
    for row in reader:
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
            value = check_gold_value(task, row["question"].strip(), _parse_value(row["value"]), where=where)
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


@gold.command("import")
@click.argument("task_name", metavar="TASK")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_STORE_OPTION
def gold_import(task_name: str, file: Path, store_url: str | None) -> None:
    """Import gold answers of TASK from a CSV FILE with columns item,question,value,set_by (optional kind).

    Values are JSON when they parse (ratings, ["a","b"] for multi-label) and text otherwise. The
    whole file is checked first; nothing is imported if any row is wrong (exit 2). Rows equal to
    the gold of their kind already in force are skipped (reported as unchanged), so importing a
    file again adds nothing; the others are written in one transaction: all or none.
    """
    from workbench.store import HistoryStore
    from workbench.tasks import find_task

    t = find_task(task_name)
    rows = read_gold_csv(t, file)
    store = HistoryStore(store_url)
    try:
        written = store.set_gold_many(t.name, rows)
    finally:
        store.close()
    click.echo(f"imported {written} new gold answer{'s' if written != 1 else ''} for task {t.name} from {file} "
               f"({len(rows) - written} unchanged)")


@gold.command("template")
@click.argument("task_name", metavar="TASK")
@click.option("--items", "items_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Candidate items (JSON lines with the task's fields), as for `round create --items`.")
@click.option("--by", "set_by", required=True, help="The expert who will answer (goes into the set_by column).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the CSV (default: standard output). An existing file is refused.")
def gold_template(task_name: str, items_file: Path, set_by: str, output: Path | None) -> None:
    """A gold CSV for an expert to fill in: one row per item and agreement question, value empty.

    Ids are content-derived, as in Argilla. The task's fields follow as context columns, which
    `gold import` ignores. Delete the rows left unanswered before importing. Gold on items that
    never were in a calibration round is what production rounds mix in first: annotators cannot
    recognise items they have never seen.
    """
    import io

    from workbench.config import atomic_write_text
    from workbench.rounds import read_items
    from workbench.tasks import find_task

    t = find_task(task_name)
    items = read_items(items_file, t)
    if output is not None and output.exists():
        raise BadInput(f"{output}: --output: file exists; choose another name or delete it first")
    questions = [q for q in t.questions if q.has_agreement]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*GOLD_CSV_COLUMNS, *(f.name for f in t.fields)])
    for it in items:
        for q in questions:
            w.writerow([it.id, q.name, "", set_by, *(it.fields.get(f.name, "") for f in t.fields)])
    if output is None:
        click.echo(buf.getvalue(), nl=False)
    else:
        atomic_write_text(output, buf.getvalue())
        click.echo(f"wrote {len(items) * len(questions)} rows ({len(items)} items x {len(questions)} questions) to {output}",
                   err=True)


@gold.command("show")
@click.argument("task_name", metavar="TASK")
@click.option("--history", is_flag=True, help="Every gold answer ever set, not only the ones in force.")
@_STORE_OPTION
def gold_show(task_name: str, history: bool, store_url: str | None) -> None:
    """Print TASK's gold answers in force (adjudications beat expert gold), as CSV."""
    from workbench.store import HistoryStore
    from workbench.tasks import find_task

    t = find_task(task_name)  # an unknown task is refused (exit 2), not shown as an empty CSV
    store = HistoryStore(store_url)
    try:
        df = store.gold_history(t.name) if history else store.gold(t.name)
    finally:
        store.close()
    df = df.assign(value=[json.dumps(v) if not isinstance(v, str) else v for v in df["value"]],
                   set_at=df["set_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    click.echo(df.to_csv(index=False), nl=False)
