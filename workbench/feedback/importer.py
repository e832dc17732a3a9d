"""``workbench feedback import``: stream an export file, redact every text, store events once.

The file is read line by line in batches of :data:`BATCH_LINES` (memory stays flat in the file's
size): each line is parsed by its format's parser (:mod:`.langsmith`, :mod:`.helicone`,
:mod:`.weave`, or a declared mapping, :mod:`.mapping`), every text of the batch (prompts, outputs,
edits, and the content of records kept aside) goes through one
:meth:`workbench.pii.PiiRedactor.redact_batch` call, the same redaction as ``candidates ingest``,
and the batch is written in one transaction. Originals of texts in which PII was found go to the
raw store (mode 600) and nowhere else.

Problems:

* the file as a whole (missing, empty, a JSON array instead of JSON lines, an unknown format, a
  mapping missing a field, none of its first :data:`SNIFF_LINES` records in the claimed format):
  :class:`~workbench.errors.BadInput` naming the file, the line and the field; nothing is written;
* one record (not JSON, not UTF-8, not the claimed format, a missing or bad field, an output
  without a prompt, a timestamp in the future or without a timezone): kept aside in
  ``<home>/feedback/rejects/import-<file>-<time>.jsonl`` with its line, field and reason (its
  content redacted); every other record is imported. When no record could be imported, exit 2
  naming the rejects file and the first problem.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from workbench.errors import BadInput
from workbench.feedback import helicone, langsmith, weave
from workbench.feedback.events import Interaction, RecordProblem, Signal
from workbench.feedback.mapping import Mapping, make_parser
from workbench.feedback.store import FeedbackStore, default_dir, pii_json, private_dir
from workbench.pii import SALT_ENV
from workbench.raw_store import RawStore, content_id
from workbench.safe_load import JsonLimitError, loads

FORMATS = ("langsmith", "helicone", "weave", "jsonl")
BATCH_LINES = 2000
SNIFF_LINES = 50
SHOWN = 5
#: Characters of a kept-aside line stored (redacted) in the rejects file.
MAX_REJECT_CHARS = 20_000
_NAMES = {"langsmith": "LangSmith run or feedback", "helicone": "Helicone request", "weave": "Weave call",
          "jsonl": "record with the mapped fields"}


@dataclass
class ImportReport:
    file: str
    fmt: str
    read: int = 0
    interactions_added: int = 0
    interactions_seen: int = 0
    signals_added: int = 0
    signals_seen: int = 0
    signals_by_kind: dict = field(default_factory=dict)
    skipped: int = 0
    skip_reasons: dict = field(default_factory=dict)
    rejected: int = 0
    rejects_path: str | None = None
    reject_reasons: list = field(default_factory=list)
    pii_flagged: int = 0
    pii_counts: dict = field(default_factory=dict)
    waiting: int = 0

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def summary(self) -> str:
        s = lambda n, w: f"{n} {w}{'s' if n != 1 else ''}"  # noqa: E731
        lines = [f"{self.file}: {s(self.read, 'record')} read as {self.fmt}; "
                 f"{s(self.interactions_added, 'interaction')} added ({self.interactions_seen - self.interactions_added} already stored), "
                 f"{s(self.signals_added, 'signal')} added ({self.signals_seen - self.signals_added} already stored)"]
        if self.signals_by_kind:
            lines.append("  signals read: " + ", ".join(f"{k} {v}" for k, v in sorted(self.signals_by_kind.items())))
        if self.pii_flagged:
            counts = ", ".join(f"{k} {v}" for k, v in sorted(self.pii_counts.items()))
            lines.append(f"  PII found and redacted in {self.pii_flagged} of the events read ({counts}); originals only in the raw store")
        else:
            lines.append("  no PII found in the events read")
        if self.skipped:
            top = ", ".join(f"{r} ({n})" for r, n in Counter(self.skip_reasons).most_common(3))
            lines.append(f"  {s(self.skipped, 'item')} skipped: {top}")
        if self.waiting:
            lines.append(f"  {s(self.waiting, 'signal')} in the store wait for their interaction (import the runs/calls they belong to)")
        if self.rejected:
            lines.append(f"  {s(self.rejected, 'record')} kept aside: {self.rejects_path}")
            lines += [f"    {r}" for r in self.reject_reasons[:SHOWN]]
            if self.rejected > SHOWN:
                lines.append(f"    ... and {self.rejected - SHOWN} more (see the rejects file)")
        return "\n".join(lines)


def check_format(fmt: str, has_mapping: bool) -> str:
    """``fmt`` if known and given a mapping exactly when it needs one."""
    if fmt not in FORMATS:
        raise BadInput(f"--from: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if fmt == "jsonl" and not has_mapping:
        raise BadInput("--from jsonl needs --mapping MAP.yaml naming the fields (id, prompt, timestamp, output, "
                       "edit, score, rejected, model_version, topic); see docs/feedback.md")
    if fmt != "jsonl" and has_mapping:
        raise BadInput(f"--mapping is for --from jsonl; --from {fmt} reads its own schema")
    return fmt


def parser_for(fmt: str, mapping: Mapping | None):
    """``(looks_like, parse)`` of a format."""
    check_format(fmt, mapping is not None)
    if fmt == "jsonl":
        assert mapping is not None  # check_format refuses jsonl without a mapping
        return make_parser(mapping)
    module = {"langsmith": langsmith, "helicone": helicone, "weave": weave}[fmt]
    return module.looks_like, module.parse


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if raw.strip():
                yield n, raw.rstrip(b"\r\n")


def _decode(raw: bytes) -> tuple[Any, str | None]:
    """(object, None) or (None, reason)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line)"
    try:
        return loads(text), None
    except JsonLimitError as exc:
        return None, f"{exc.msg} at column {exc.colno}"
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg} at column {exc.colno})"


def check_file(path: Path, fmt: str, looks_like) -> int:
    """Refuse a file that is wholly wrong before anything is written: missing, empty, a JSON array,
    no JSON in its first lines, or none of its first :data:`SNIFF_LINES` JSON records in the
    claimed format. Returns its number of lines (for the progress line)."""
    if not path.exists():
        raise BadInput(f"{path}: file does not exist")
    if path.is_dir():
        raise BadInput(f"{path}: is a folder; give an export file (JSON lines)")
    n_json, scanned, matched = 0, 0, False
    bad_json: tuple[int, str] | None = None
    mismatch: tuple[int, str] | None = None
    for n, raw in _lines(path):
        scanned += 1
        if scanned == 1 and raw.lstrip().startswith(b"["):
            raise BadInput(f"{path}: line {n}: a JSON array, not JSON lines; export one object per line "
                           f"(e.g. @helicone/export --format jsonl)")
        obj, why = _decode(raw)
        if why is not None:
            bad_json = bad_json or (n, why)
        else:
            n_json += 1
            missing = looks_like(obj)
            if missing is None:
                matched = True
                break
            mismatch = mismatch or (n, missing)
        if n_json >= SNIFF_LINES or scanned >= 20 * SNIFF_LINES:
            break
    if not scanned:
        raise BadInput(f"{path}: empty file: no records")
    if not matched:
        if mismatch is not None:
            n, missing = mismatch
            what = f"field {missing!r} missing" if missing else "not a JSON object"
            raise BadInput(f"{path}: line {n}: not a {_NAMES[fmt]} ({what}), nor is any of the first {n_json} "
                           f"records; is it a --from {fmt} export?")
        assert bad_json is not None  # no line matched nor mismatched: every line scanned was bad JSON
        n, why = bad_json
        raise BadInput(f"{path}: line {n}: {why}; the file is not JSON lines")
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) + 1


@dataclass
class _Reject:
    line: int
    field: str
    reason: str
    content: str


def import_file(path: Path | str, fmt: str, *, redactor, mapping: Mapping | None = None,
                progress: bool | None = False, batch_lines: int = BATCH_LINES,
                store_dir: Path | None = None, now: datetime | None = None) -> ImportReport:
    """Import the events of ``path`` (format ``fmt``) into the feedback store.

    Parameters
    ----------
    path : path-like
    fmt : {"langsmith", "helicone", "weave", "jsonl"}
    redactor : workbench.pii.PiiRedactor
        Redacts every text before it is stored (and the content of records kept aside).
    mapping : Mapping, optional
        Required for ``jsonl``.
    progress : bool or None
        Progress on stderr (records, MB, rate); None: when stderr is a terminal.
    """
    path = Path(path)
    looks_like, parse = parser_for(fmt, mapping)
    total = check_file(path, fmt, looks_like)
    report = ImportReport(file=str(path), fmt=fmt)
    meter = None
    if progress is not False:
        from workbench.progress import Progress

        meter = Progress(f"import {path}", total, unit="lines", enabled=progress)
        meter.start()
    salt = os.environ.get(SALT_ENV) or None
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")
    rejects_path = private_dir(default_dir() if store_dir is None else Path(store_dir)) / "rejects"
    rejects_file = private_dir(rejects_path) / f"import-{path.stem}-{stamp}.jsonl"
    skip_reasons: Counter = Counter()
    done_lines = 0
    with FeedbackStore(store_dir) as store, RawStore() as raw_store:
        batch: list[tuple[int, bytes]] = []

        def flush() -> None:
            nonlocal done_lines
            if not batch:
                return
            last = batch[-1][0]
            _import_batch(batch, parse, redactor, store, raw_store, report, skip_reasons, rejects_file, path, salt)
            if meter is not None:
                meter.advance(last - done_lines, chars=sum(len(r) for _, r in batch))
            done_lines = last
            batch.clear()

        for n, raw in _lines(path):
            batch.append((n, raw))
            if len(batch) >= batch_lines:
                flush()
        flush()
        report.waiting = store._conn.execute(
            "SELECT COUNT(*) FROM signals s WHERE NOT EXISTS (SELECT 1 FROM interactions i WHERE i.id = s.interaction_id)"
        ).fetchone()[0]
    if meter is not None:
        if meter.done < meter.total:
            meter.advance(meter.total - meter.done)
        meter.close()
    report.skip_reasons = dict(skip_reasons)
    if report.rejected:
        report.rejects_path = str(rejects_file)
    if report.rejected and not (report.interactions_seen or report.signals_seen):
        first = report.reject_reasons[0]
        raise BadInput(f"{path}: no record could be imported ({report.rejected} kept aside in {rejects_file}); first: {first}")
    return report


def _import_batch(batch, parse, redactor, store: FeedbackStore, raw_store: RawStore, report: ImportReport,
                  skip_reasons: Counter, rejects_file: Path, path: Path, salt) -> None:
    items: list[tuple[int, Any]] = []
    rejects: list[_Reject] = []
    for n, raw in batch:
        report.read += 1
        obj, why = _decode(raw)
        if why is not None:
            rejects.append(_Reject(n, "", why, raw.decode("utf-8", "replace")[:MAX_REJECT_CHARS]))
            continue
        try:
            parsed, skipped = parse(obj)
        except RecordProblem as exc:
            rejects.append(_Reject(n, exc.field, exc.reason, raw.decode("utf-8", "replace")[:MAX_REJECT_CHARS]))
            continue
        for reason in skipped:
            skip_reasons[reason] += 1
            report.skipped += 1
        items += [(n, it) for it in parsed]
    # what is already stored (an earlier import, an overlapping file) is counted, not redacted again
    have_i = store.existing("interactions", [it.id for _, it in items if isinstance(it, Interaction)])
    have_s = store.existing("signals", [it.id for _, it in items if isinstance(it, Signal)])
    for _, it in items:
        if it.id in (have_i if isinstance(it, Interaction) else have_s):
            if isinstance(it, Interaction):
                report.interactions_seen += 1
            else:
                report.signals_seen += 1
                report.signals_by_kind[it.kind] = report.signals_by_kind.get(it.kind, 0) + 1
    items = [(n, it) for n, it in items if it.id not in (have_i if isinstance(it, Interaction) else have_s)]

    texts: list[str] = []

    def slot(text: str | None) -> int | None:
        """Index of ``text`` in the batch to redact (None for no text: nothing to redact)."""
        if text is None:
            return None
        texts.append(text)
        return len(texts) - 1

    slots: list[tuple[int | None, ...]] = [(slot(it.prompt), slot(it.output)) if isinstance(it, Interaction) else (slot(it.edit),) for _, it in items]
    reject_slots = [slot(rj.content) for rj in rejects]
    results = redactor.redact_batch(texts) if texts else []

    def redacted(i: int | None):
        return (None, {}) if i is None else (results[i].text, results[i].counts_by_entity)

    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    inter_rows, signal_rows, raw_items = [], [], []
    for (n, it), sl in zip(items, slots):
        if isinstance(it, Interaction):
            (prompt, pc), (output, oc) = redacted(sl[0]), redacted(sl[1])
            counts = Counter(pc) + Counter(oc)
            raw_id = None
            if counts:
                raw = {"prompt": it.prompt} | ({"output": it.output} if it.output is not None else {})
                raw_id = content_id(raw, key=salt)
                raw_items.append((raw_id, raw))
            inter_rows.append((it.id, it.source, it.source_id, prompt, output, it.model_version, it.topic,
                               it.occurred_at.isoformat(), pii_json(dict(counts)), raw_id, path.name, n, now))
            report.interactions_seen += 1
        else:
            edit, ec = redacted(sl[0])
            counts = Counter(ec)
            raw_id = None
            if counts:
                raw = {"edit": it.edit}
                raw_id = content_id(raw, key=salt)
                raw_items.append((raw_id, raw))
            signal_rows.append((it.id, it.source, it.source_id, it.interaction_id, it.kind, it.label, edit,
                                it.occurred_at.isoformat(), pii_json(dict(counts)), raw_id, path.name, n, now))
            report.signals_seen += 1
            report.signals_by_kind[it.kind] = report.signals_by_kind.get(it.kind, 0) + 1
        if counts:
            report.pii_flagged += 1
            for k, v in counts.items():
                report.pii_counts[k] = report.pii_counts.get(k, 0) + v
    if raw_items:
        raw_store.put_many(raw_items)
    new_i, new_s = store.add(inter_rows, signal_rows)
    report.interactions_added += new_i
    report.signals_added += new_s
    if rejects:
        fd = os.open(rejects_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            for rj, i in zip(rejects, reject_slots):
                row = {"file": path.name, "line": rj.line, "field": rj.field, "reason": rj.reason,
                       "content": redacted(i)[0], "rejected_at": now}
                os.write(fd, (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        finally:
            os.close(fd)
        report.rejected += len(rejects)
        for rj in rejects:
            if len(report.reject_reasons) < SHOWN:
                report.reject_reasons.append(f"line {rj.line}: {rj.field + ': ' if rj.field else ''}{rj.reason}")
