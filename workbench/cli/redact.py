"""``workbench redact FILE``: a redacted copy of a JSONL or CSV file.

Every string of every record is redacted, nested ones included (or only those in ``--fields a,b``) with the PII settings
of ``--config FILE`` (YAML/JSON, see ``docs/pii.md``) or the defaults, and the result is written
to ``--output`` (default: next to the input, ``name.redacted.jsonl`` / ``name.redacted.csv``)
through a temporary file renamed into place, so a failure never leaves a half-written output.
The whole input is read and checked before the analyzer starts: an empty file, bytes that are
not UTF-8 (byte offset and line named), a malformed JSON line or CSV row (line named), a JSON
line nested deeper than :data:`workbench.safe_load.MAX_DEPTH` levels or holding something other
than an object, or a missing field exits with code 2 and writes nothing; no message shows a
record's text. Texts of any length are redacted (long ones in overlapping chunks). Progress
(records, MB, rate, time left) goes to stderr when it is a terminal, or with ``--progress``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from workbench.errors import BadInput, describe
from workbench.safe_load import json_error_message, loads

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BadInput(
            f"{path}: line {line}: byte 0x{data[exc.start]:02x} at byte offset {exc.start} (column {column})"
            " is not UTF-8 text; re-save the file as UTF-8"
        ) from None


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    raise BadInput(f"{path}: unknown file type {suffix or '(no suffix)'!r}; expected .jsonl or .csv")


def read_records(path: Path) -> tuple[str, list[dict], list[int], list[str] | None]:
    """Parse a JSONL or CSV file; returns (kind, records, line numbers, CSV header or None)."""
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if path.is_dir():
        raise BadInput(f"{path}: is a folder, not a JSONL or CSV file")
    kind = _kind(path)
    data = path.read_bytes()
    text = _decode(path, data)
    if not text.strip():
        raise BadInput(f"{path}: the file is empty (no records to redact)")
    records: list[dict] = []
    lines: list[int] = []
    if kind == "jsonl":
        # split on "\n" only: a JSON string may hold U+2028, which str.splitlines would split on
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                value = loads(line)  # nesting limited, so nothing later recurses too deep
            except json.JSONDecodeError as exc:
                raise BadInput(f"{path}: line {number}: {json_error_message(exc, line=False)}") from None
            if not isinstance(value, dict):  # the value is not shown: it may be personal data
                raise BadInput(f"{path}: line {number}: expected a JSON object, got {describe(value)}")
            records.append(value)
            lines.append(number)
        return kind, records, lines, None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise BadInput(f"{path}: line 1: not a readable CSV header ({exc})") from None
    header = [h.strip() for h in header]
    if not any(header):
        raise BadInput(f"{path}: line 1: the CSV header is empty")
    seen = set()
    for name in header:
        if name in seen:
            raise BadInput(f"{path}: line 1: column {name!r} appears twice in the header")
        seen.add(name)
    try:
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise BadInput(
                    f"{path}: line {number}: {len(row)} fields where the header has {len(header)}"
                )
            records.append(dict(zip(header, row)))
            lines.append(number)
    except csv.Error as exc:
        raise BadInput(f"{path}: line {reader.line_num}: not a readable CSV row ({exc})") from None
    if not records:
        raise BadInput(f"{path}: the file has a header but no records to redact")
    return kind, records, lines, header


def check_fields(path: Path, records: list[dict], lines: list[int], fields: list[str] | None) -> None:
    """Refuse a named field that a record lacks or holds as a value that is neither text nor a
    whole number (``null`` is fine)."""
    if fields is None:
        return
    for record, line in zip(records, lines):
        for name in fields:
            if name not in record:
                raise BadInput(
                    f"{path}: line {line}: missing field {name!r} (fields: {', '.join(map(repr, record))})"
                )
            value = record[name]
            if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int, dict, list))):
                # the value itself is not shown: it may be personal data
                raise BadInput(
                    f"{path}: line {line}: field {name!r} is a {type(value).__name__}, not text or a whole"
                    " number; name only text fields with --fields"
                )


def default_output(path: Path, kind: str) -> Path:
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(f"{stem}.redacted.{'csv' if kind == 'csv' else 'jsonl'}")


def _chars(value) -> int:
    """Characters of text in a record's values (nested ones included), for progress and slicing."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_chars(v) for v in value.values())
    if isinstance(value, list):
        return sum(_chars(v) for v in value)
    return 0


def redact_with_progress(redactor, records: list[dict], fields: list[str] | None, progress) -> list:
    """``redactor.redact_records`` over slices of the records (see :func:`workbench.progress.slices`),
    advancing ``progress`` after each; the same results as one call."""
    from workbench.progress import slices

    sizes = [_chars(r) for r in records]
    results: list = []
    progress.start()
    for start, stop in slices(sizes):
        results.extend(redactor.redact_records(records[start:stop], fields))
        progress.advance(stop - start, chars=sum(sizes[start:stop]))
    progress.close()
    return results


def write_atomic(out: Path, render) -> None:
    """Call ``render(fh)`` on a temporary file next to ``out``, then rename it over ``out``."""
    from workbench.config import atomic_write

    atomic_write(out, render, newline="")


@click.command("redact")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write the redacted records (default: FILE's name + .redacted.jsonl/.csv).")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="PII settings (YAML or JSON): entities, thresholds, operator, spacy_model, ...")
@click.option("--fields", default=None, metavar="A,B",
              help="Comma-separated top-level fields to redact, with everything nested in them (default: every string).")
@click.option("--annotate", is_flag=True,
              help="Add pii_flagged (true/false) and pii_counts (per entity type) to every output record.")
@click.option("--progress/--no-progress", default=None,
              help="Show progress (records, MB, rate, time left) on stderr (default: when stderr is a terminal).")
def redact_cmd(file: Path, output: Path | None, config_file: Path | None, fields: str | None, annotate: bool,
               progress: bool | None) -> None:
    """Redact PII in a JSONL or CSV FILE and report counts per entity type."""
    from workbench.pii import PiiConfig, PiiRedactor
    from workbench.progress import Progress

    config = PiiConfig.from_file(config_file) if config_file is not None else PiiConfig()
    field_list = None
    if fields is not None:
        field_list = [f.strip() for f in fields.split(",") if f.strip()]
        if not field_list:
            raise BadInput(f"--fields: {fields!r} names no field")
    kind, records, lines, header = read_records(file)
    check_fields(file, records, lines, field_list)
    out = output if output is not None else default_output(file, kind)
    if out.resolve() == file.resolve():
        raise BadInput(f"{out}: the output would overwrite the input; choose another --output")
    if annotate and header is not None:
        clash = [c for c in ("pii_flagged", "pii_counts") if c in header]
        if clash:
            raise BadInput(f"{file}: column {clash[0]!r} already exists; --annotate would overwrite it")

    redactor = PiiRedactor(config)
    meter = Progress(f"redact {file}", len(records), enabled=progress)
    results = redact_with_progress(redactor, records, field_list, meter)

    rows = []
    for res in results:
        row = dict(res.record)
        if annotate:
            row["pii_flagged"] = res.flagged
            row["pii_counts"] = res.counts_by_entity
        rows.append(row)

    def render(fh) -> None:
        if kind == "jsonl":
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        columns = list(header) + (["pii_flagged", "pii_counts"] if annotate else [])
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            if annotate:
                row = {**row, "pii_flagged": "true" if row["pii_flagged"] else "false",
                       "pii_counts": json.dumps(row["pii_counts"], sort_keys=True)}
            writer.writerow(row)

    write_atomic(out, render)

    totals: dict[str, int] = {}
    for res in results:
        for entity, n in res.counts_by_entity.items():
            totals[entity] = totals.get(entity, 0) + n
    flagged = sum(r.flagged for r in results)
    click.echo(f"redacted {len(results)} records ({flagged} with PII) -> {out}")
    if totals:
        width = max(len(e) for e in totals)
        for entity in sorted(totals):
            click.echo(f"  {entity:<{width}}  {totals[entity]}")
    else:
        click.echo("  no PII found")
