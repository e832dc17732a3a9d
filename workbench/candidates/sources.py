"""Ingest candidate prompts (and answers) from JSON lines, CSV or Parquet into the candidate pool.

Every record gets a *source kind* - ``logs`` (real traffic), ``curated`` (written or checked by
people) or ``synthetic`` (made by a model) - and the licence note it came with. Its text is PII
redacted (:class:`workbench.pii.PiiRedactor`) before anything is stored: the pool never holds the
original text, so nothing downstream (LLM prompts, Argilla) can see it. The original of a record
in which PII was found goes to the access-restricted raw store (:mod:`workbench.raw_store`), and
the pool record keeps its ``raw_id`` (an HMAC of the original keyed by ``WORKBENCH_PII_SALT`` when
that is set, so the id cannot be used to confirm a guess of the text).

Problems are of two kinds:

* the file as a whole (missing, empty, unknown format, no column holding the prompt): a
  :class:`~workbench.errors.BadInput` naming the file and the column, and nothing is written;
* one record (bad JSON, non-UTF-8 bytes, a missing or non-text field): the record is *kept aside*
  in a rejects file (``home/candidates/rejects/``, redacted too) with its line and the reason,
  and every other record is ingested.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from workbench.candidates import storage
from workbench.demo_data import record_id
from workbench.errors import BadInput
from workbench.pii import SALT_ENV
from workbench.raw_store import RawStore, content_id
from workbench.safe_load import JsonLimitError, loads

if TYPE_CHECKING:
    from workbench.pii.redaction import PiiRedactor, RedactionResult
    from workbench.progress import Progress

SOURCE_KINDS = ("logs", "curated", "synthetic")
FORMATS = ("jsonl", "csv", "parquet")
_SUFFIX_FORMAT = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
MAX_LICENCE_CHARS = 200
#: Records kept aside whose line and reason the ingest summary shows.
SHOWN_REJECTS = 5
#: A non-text number in a text field is quoted in the reason up to this many characters.
MAX_SHOWN_NUMBER = 6
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class RawRecord:
    """A record read from a file, before redaction: where it was, and its prompt and answer."""

    where: str  # "line 7" / "row 3"
    instruction: str
    response: str | None


@dataclass(frozen=True)
class Reject:
    """A record kept aside: where it was, the field at fault, why, and its (unredacted) content."""

    where: str
    field: str
    reason: str
    content: str


@dataclass
class IngestReport:
    file: str
    source: str
    licence: str
    read: int = 0
    added: int = 0
    already: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejects_path: str | None = None
    #: "where: reason" of the first records kept aside (a reason quotes no text), for the summary
    reject_reasons: list = field(default_factory=list)
    pii_flagged: int = 0
    pii_counts: dict = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"{self.file}: {self.read} record{'s' if self.read != 1 else ''} read; {self.added} added to the pool "
                 f"as {self.source}, {self.already} already there, {self.duplicates} repeated in the file"]
        if self.pii_flagged:
            counts = ", ".join(f"{k} {v}" for k, v in sorted(self.pii_counts.items()))
            lines.append(f"  PII found and redacted in {self.pii_flagged} of the records read ({counts})")
        if self.rejected:
            lines.append(f"  {self.rejected} record{'s' if self.rejected != 1 else ''} kept aside: {self.rejects_path}")
            lines += [f"    {r}" for r in self.reject_reasons[:SHOWN_REJECTS]]
            if self.rejected > SHOWN_REJECTS:
                lines.append(f"    ... and {self.rejected - SHOWN_REJECTS} more (see the rejects file)")
        return "\n".join(lines)


def detect_format(path: Path, fmt: str | None = None) -> str:
    """The file format from ``fmt`` or the file suffix.

    >>> detect_format(Path("x.JSONL"))
    'jsonl'
    >>> detect_format(Path("x.txt"))
    Traceback (most recent call last):
    ...
    workbench.errors.BadInput: x.txt: unknown format '.txt' (expected .jsonl, .csv or .parquet); pass --format jsonl|csv|parquet
    """
    if fmt is not None:
        if fmt not in FORMATS:
            raise BadInput(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        return fmt
    found = _SUFFIX_FORMAT.get(path.suffix.lower())
    if found is None:
        raise BadInput(f"{path}: unknown format {path.suffix!r} (expected .jsonl, .csv or .parquet); pass --format jsonl|csv|parquet")
    return found


def _text_value(value: Any, name: str, *, required: bool) -> tuple[str | None, str | None]:
    """(text, None) or (None, reason)."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return (None, f"missing field {name!r}") if required else (None, None)
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, f"field {name!r} is not UTF-8 text (byte 0x{value[exc.start]:02x} at byte {exc.start + 1} of the field)"
    if not isinstance(value, str):
        # the reason is stored and printed as is: a short number is shown, a long one (a card or
        # phone number?) only by its length, a list or mapping (its strings may be personal
        # data) only by its size
        if isinstance(value, (bool, int, float)):
            shown = repr(value) if len(repr(value)) <= MAX_SHOWN_NUMBER else f"{len(repr(value))} characters, not shown"
        else:
            shown = f"{len(value)} item{'s' if len(value) != 1 else ''}" if hasattr(value, "__len__") else ""
        return None, f"field {name!r} is {type(value).__name__}{f' ({shown})' if shown else ''}, not text"
    m = _SURROGATE.search(value)
    if m:
        byte = ord(m.group()) - 0xDC00
        return None, f"field {name!r} is not UTF-8 text (byte 0x{byte:02x} at character {m.start() + 1} of the field)"
    if not value.strip():
        return (None, f"field {name!r} is empty") if required else (None, None)
    return value, None


def _clean(text: str) -> str:
    """``text`` with undecodable bytes (surrogate escapes) shown as U+FFFD, safe to redact and store."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if _SURROGATE.search(text) else text


def _check(obj: dict, where: str, instruction_column: str, response_column: str | None, content: str) -> RawRecord | Reject:
    content = _clean(content)
    instruction, why = _text_value(obj.get(instruction_column), instruction_column, required=True)
    if why:
        return Reject(where, instruction_column, why, content)
    assert instruction is not None  # required: a missing value always comes with a reason
    response = None
    if response_column is not None:
        response, why = _text_value(obj.get(response_column), response_column, required=False)
        if why:
            return Reject(where, response_column, why, content)
    return RawRecord(where, instruction, response)


def _columns_error(path: Path, column: str, seen: Sequence[str], option: str) -> BadInput:
    shown = ", ".join(repr(c) for c in seen) if seen else "none"
    return BadInput(f"{path}: no column {column!r} (columns found: {shown}); name the column with {option} NAME")


def read_records(path: Path | str, *, instruction_column: str = "instruction", response_column: str | None = None,
                 fmt: str | None = None) -> tuple[list[RawRecord], list[Reject]]:
    """Read the prompt (and answer) of every record of a JSON-lines, CSV or Parquet file.

    Parameters
    ----------
    path : path-like
    instruction_column : str
        The column holding the prompt (required in every record).
    response_column : str, optional
        The column holding an answer. By default ``response`` when the file has it; when named
        explicitly the file must have it.
    fmt : {"jsonl", "csv", "parquet"}, optional
        Default: from the suffix.

    Returns
    -------
    (list of RawRecord, list of Reject)

    Raises
    ------
    BadInput
        Missing or empty file, unknown format, no column ``instruction_column`` anywhere, an
        explicitly named response column that is absent.
    """
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{path}: file does not exist")
    if path.is_dir():
        raise BadInput(f"{path}: is a folder; give a .jsonl, .csv or .parquet file")
    fmt = detect_format(path, fmt)
    if fmt == "parquet":
        rows, columns = _read_parquet(path)
        records, rejects = _from_rows(path, rows, columns, instruction_column, response_column, "row")
    else:
        data = path.read_bytes()
        if not data.strip():
            raise BadInput(f"{path}: empty file: no records")
        reader = _read_csv if fmt == "csv" else _read_jsonl
        records, rejects = reader(path, data, instruction_column, response_column)
    rejects.sort(key=lambda r: int(r.where.split()[-1]))
    return records, rejects


def _resolve_response(path: Path, columns: Sequence[str], response_column: str | None) -> str | None:
    if response_column is None:
        return "response" if "response" in columns else None
    if response_column not in columns:
        raise _columns_error(path, response_column, columns, "--response-column")
    return response_column


def _read_jsonl(path: Path, data: bytes, instruction_column: str,
                response_column: str | None) -> tuple[list[RawRecord], list[Reject]]:
    parsed: list[tuple[str, Any, str]] = []
    rejects: list[Reject] = []
    for n, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        where = f"line {n}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            rejects.append(Reject(where, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line)",
                                  raw.decode("utf-8", errors="replace")))
            continue
        try:
            obj = loads(line)  # nesting limited
        except JsonLimitError as exc:
            rejects.append(Reject(where, "", f"{exc.msg} at column {exc.colno}", line))
            continue
        except json.JSONDecodeError as exc:
            rejects.append(Reject(where, "", f"not valid JSON ({exc.msg} at column {exc.colno})", line))
            continue
        if not isinstance(obj, dict):
            rejects.append(Reject(where, "", f"expected a JSON object, got {type(obj).__name__}", line))
            continue
        parsed.append((where, obj, line))
    columns: list[str] = []
    for _, obj, _ in parsed:
        columns.extend(k for k in obj if k not in columns)
    if parsed and instruction_column not in columns:
        raise _columns_error(path, instruction_column, columns, "--instruction-column")
    if not parsed and not rejects:
        raise BadInput(f"{path}: empty file: no records")
    response_column = _resolve_response(path, columns, response_column) if parsed else response_column
    records: list[RawRecord] = []
    for where, obj, line in parsed:
        res = _check(obj, where, instruction_column, response_column, line)
        if isinstance(res, Reject):
            rejects.append(res)
        else:
            records.append(res)
    return records, rejects


def _read_csv(path: Path, data: bytes, instruction_column: str,
              response_column: str | None) -> tuple[list[RawRecord], list[Reject]]:
    text = data.decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise BadInput(f"{path}: empty file: no records") from None
    except csv.Error as exc:
        raise BadInput(f"{path}: line 1: not valid CSV ({exc})") from None
    header = [h.strip() for h in header]
    bad = [h for h in header if _SURROGATE.search(h)]
    if bad:
        raise BadInput(f"{path}: line 1: the header is not UTF-8 text")
    if instruction_column not in header:
        raise _columns_error(path, instruction_column, header, "--instruction-column")
    response_column = _resolve_response(path, header, response_column)
    records: list[RawRecord] = []
    rejects: list[Reject] = []
    prev_line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rejects.append(Reject(f"line {prev_line + 1}", "", f"not valid CSV ({exc})", ""))
            prev_line = reader.line_num
            continue
        where = f"line {prev_line + 1}"
        prev_line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        content = _clean(",".join(row))
        if len(row) != len(header):
            rejects.append(Reject(where, "", f"{len(row)} values but the header has {len(header)} columns", content))
            continue
        res = _check(dict(zip(header, row)), where, instruction_column, response_column, content)
        if isinstance(res, Reject):
            rejects.append(res)
        else:
            records.append(res)
    if not records and not rejects:
        raise BadInput(f"{path}: no records (only a header)")
    return records, rejects


def _read_parquet(path: Path) -> tuple[list[dict], list[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadInput(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    if table.num_rows == 0:
        raise BadInput(f"{path}: empty file: no records")
    return table.to_pylist(), list(table.column_names)


def _from_rows(path: Path, rows: list[dict], columns: list[str], instruction_column: str, response_column: str | None,
               unit: str) -> tuple[list[RawRecord], list[Reject]]:
    if instruction_column not in columns:
        raise _columns_error(path, instruction_column, columns, "--instruction-column")
    response_column = _resolve_response(path, columns, response_column)
    records: list[RawRecord] = []
    rejects: list[Reject] = []
    for n, row in enumerate(rows, start=1):
        content = json.dumps({k: (v.decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else v)
                              for k, v in row.items() if k in (instruction_column, response_column)},
                             ensure_ascii=False, default=str)
        res = _check(row, f"{unit} {n}", instruction_column, response_column, content)
        if isinstance(res, Reject):
            rejects.append(res)
        else:
            records.append(res)
    return records, rejects


def check_licence(licence: str | None) -> str:
    """The licence note, stripped; refused when empty or longer than 200 characters.

    >>> check_licence("  CC-BY-4.0 ")
    'CC-BY-4.0'
    """
    text = (licence or "").strip()
    if not text:
        raise BadInput("--licence: empty: say under which terms the records may be used (e.g. 'internal logs, ToS 4.2' or 'CC-BY-4.0')")
    if len(text) > MAX_LICENCE_CHARS:
        raise BadInput(f"--licence: {len(text)} characters; keep the note under {MAX_LICENCE_CHARS} (link to the full terms)")
    return text


def _redact_texts(redactor: PiiRedactor, texts: list[str], progress: Progress | None) -> list[RedactionResult]:
    """``redactor.redact_batch(texts)`` in slices (:func:`workbench.progress.slices`), advancing
    ``progress`` (a :class:`workbench.progress.Progress` counting texts, or None) after each."""
    from workbench.progress import slices

    if progress is None:
        return redactor.redact_batch(texts) if texts else []
    sizes = [len(t) for t in texts]
    out: list = []
    progress.start()
    for start, stop in slices(sizes):
        out.extend(redactor.redact_batch(texts[start:stop]))
        progress.advance(stop - start, chars=sum(sizes[start:stop]))
    progress.close()
    return out


def ingest_file(path: Path | str, *, source: str, licence: str, redactor: PiiRedactor, instruction_column: str = "instruction",
                response_column: str | None = None, fmt: str | None = None, progress: bool | None = False) -> IngestReport:
    """Read, redact and add the records of ``path`` to the candidate pool.

    Parameters
    ----------
    path : path-like
    source : {"logs", "curated", "synthetic"}
    licence : str
        A note on the terms under which the records may be used; stored with every record.
    redactor : workbench.pii.PiiRedactor
        Redacts every text (accepted records and kept-aside ones) before it is written.
    instruction_column, response_column, fmt
        See :func:`read_records`.
    progress : bool or None
        Show the redaction's progress (texts, MB, rate) on stderr; None: when stderr is a terminal.

    Returns
    -------
    IngestReport

    Raises
    ------
    BadInput
        A problem with the file as a whole (nothing is written), or no record could be
        ingested (the rejects file is written and named).
    """
    if source not in SOURCE_KINDS:
        raise BadInput(f"--source: {source!r} is not one of {', '.join(SOURCE_KINDS)}")
    licence = check_licence(licence)
    path = Path(path)
    records, rejects = read_records(path, instruction_column=instruction_column, response_column=response_column, fmt=fmt)
    report = IngestReport(file=str(path), source=source, licence=licence, read=len(records) + len(rejects))

    texts: list[str] = []
    for r in records:
        texts.append(r.instruction)
        if r.response is not None:
            texts.append(r.response)
    reject_texts = [rj.content for rj in rejects]
    meter = None
    if progress is not False:
        from workbench.progress import Progress

        meter = Progress(f"redact {path}", len(texts) + len(reject_texts), unit="texts", enabled=progress)
    results = _redact_texts(redactor, texts + reject_texts, meter)
    it = iter(results[: len(texts)])
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")

    with storage.locked("pool"):
        pool = storage.read_pool()
        seen: set[str] = set()
        added = []
        raw_items: list[tuple[str, dict]] = []
        for r in records:
            ins = next(it)
            res = next(it) if r.response is not None else None
            content = {"instruction": ins.text} | ({"response": res.text} if res is not None else {})
            rid = record_id(content)
            counts: dict[str, int] = {}
            for part in (ins, res):
                if part is not None:
                    for k, v in part.counts_by_entity.items():
                        counts[k] = counts.get(k, 0) + v
            if counts:
                report.pii_flagged += 1
                for k, v in counts.items():
                    report.pii_counts[k] = report.pii_counts.get(k, 0) + v
            if rid in seen:
                report.duplicates += 1
                continue
            seen.add(rid)
            if rid in pool:
                report.already += 1
                continue
            rec = {
                "id": rid, "instruction": ins.text, "response": res.text if res is not None else None,
                "source": source, "licence": licence,
                "origin": {"file": path.name, "where": r.where},
                "pii": {"flagged": bool(counts), "counts": counts},
                "ingested_at": now,
            }
            if counts:  # the original goes to the access-restricted raw store, and only there
                raw = {"instruction": r.instruction} | ({"response": r.response} if r.response is not None else {})
                raw_id = content_id(raw, key=os.environ.get(SALT_ENV) or None)
                rec["raw_id"] = raw_id
                raw_items.append((raw_id, raw))
            pool[rid] = rec
            added.append(rec)
        if raw_items:
            with RawStore() as raw_store:
                raw_store.put_many(raw_items)
        if added:
            storage.append_jsonl(storage.pool_path(), added)
        report.added = len(added)

    if rejects:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        rpath = storage.rejects_dir() / f"ingest-{path.stem}-{stamp}.jsonl"
        red = results[len(texts):]
        storage.append_jsonl(rpath, [
            {"file": path.name, "where": rj.where, "field": rj.field, "reason": rj.reason, "content": rr.text,
             "source": source, "rejected_at": now}
            for rj, rr in zip(rejects, red)
        ])
        report.rejected = len(rejects)
        report.rejects_path = str(rpath)
        report.reject_reasons = [f"{rj.where}: {rj.reason}" for rj in rejects[:SHOWN_REJECTS]]
    if not records:
        first = rejects[0]
        raise BadInput(f"{path}: no record could be ingested ({len(rejects)} kept aside in {report.rejects_path}); "
                       f"first: {first.where}: {first.field + ': ' if first.field else ''}{first.reason}")
    return report
