"""``workbench gold ...``: expert gold answers and adjudications, kept apart from raw responses.

Parsing and checking the values and the gold CSV is :mod:`workbench.gold`; the answers are
appended to the history store (``--store``, else ``WORKBENCH_STORE_URL``, else ``history.db``
under the Workbench home).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click

from workbench.cli.common import STORE_OPTION
from workbench.errors import BadInput
from workbench.gold import GOLD_CSV_COLUMNS, check_gold_value, parse_value, read_gold_csv


def _record_gold(task_name: str, item: str, question: str, value: str, set_by: str, store_url: str | None,
                 *, kind: str) -> None:
    """Check VALUE against the task's question and append it to the store's gold as ``kind``
    (nothing is appended when it is already the latest gold of that kind: re-running is a no-op)."""
    from workbench.store import HistoryStore
    from workbench.tasks import find_task

    t = find_task(task_name)
    v = check_gold_value(t, question, parse_value(value, "argument VALUE"), where="argument VALUE")
    store = HistoryStore(store_url)
    try:
        written = store.set_gold_many(t.name, [dict(item=item, question=question, value=v, set_by=set_by,
                                                     kind=kind)])
    finally:
        store.close()
    if written:
        click.echo(f"gold {t.name}/{item}/{question} = {json.dumps(v)} ({kind}, by {set_by})")
    else:
        click.echo(f"gold {t.name}/{item}/{question} = {json.dumps(v)} ({kind}) unchanged: already the latest "
                   f"{kind} answer; nothing appended")


@click.group()
def gold() -> None:
    """Gold answers: experts' reference answers and adjudications, kept apart from raw responses."""


@gold.command("set")
@click.argument("task_name", metavar="TASK")
@click.argument("item")
@click.argument("question")
@click.argument("value")
@click.option("--by", "set_by", required=True, help="Who set this gold answer (recorded with the time).")
@STORE_OPTION
def gold_set(task_name: str, item: str, question: str, value: str, set_by: str, store_url: str | None) -> None:
    """Set the expert gold answer of ITEM's QUESTION to VALUE (JSON for lists/numbers, else text).

    Gold is append-only: the latest answer wins, earlier ones stay in the history; setting the
    current value again appends nothing.
    """
    _record_gold(task_name, item, question, value, set_by, store_url, kind="expert")


@gold.command("adjudicate")
@click.argument("task_name", metavar="TASK")
@click.argument("item")
@click.argument("question")
@click.argument("value")
@click.option("--by", "set_by", required=True, help="Who adjudicated (recorded with the time).")
@STORE_OPTION
def gold_adjudicate(task_name: str, item: str, question: str, value: str, set_by: str,
                    store_url: str | None) -> None:
    """Resolve a disagreement on ITEM's QUESTION with VALUE; an adjudication beats expert gold."""
    _record_gold(task_name, item, question, value, set_by, store_url, kind="adjudicated")


@gold.command("import")
@click.argument("task_name", metavar="TASK")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@STORE_OPTION
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
@STORE_OPTION
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
