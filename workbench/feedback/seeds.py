"""``workbench feedback seeds``: stored feedback as training signal for the next round.

``dpo``
    each substantive edit is a preference pair in TRL's conversational preference format:
    ``prompt`` (the user turn), ``chosen`` (the user's edit), ``rejected`` (the model's output),
    with the edit's size (``edit_tokens``, ``edit_ratio``: token-level Levenshtein distance,
    :mod:`workbench.analytics.feedback`). Edits that change only whitespace, punctuation or case,
    or only redaction placeholders (the user took personal data out), are left out and counted.
    One pair per interaction: its latest edit.
``kto``
    each interaction with a thumb is an unpaired preference row in TRL's conversational KTO
    format: ``prompt``, ``completion`` (the model's output), ``label`` (True for a thumb up).
    A user who changed their thumb counts once, with the latest.
``prompts``
    the prompts of rejected answers and of thumbs-down answers, as seeds for ``candidates
    generate`` (Evol-Instruct on what the model failed at): ``instruction`` (what ``candidates
    ingest`` reads) and ``prompt`` (TRL's prompt-only column), deduplicated among themselves,
    against the candidate pool and against the prompts of the task's previous exports
    (:func:`export_prompts`) with :func:`workbench.dedup.dedup_candidates` (exact, MinHash and,
    unless turned off, semantic).

Every row carries ``id`` (the signal's, or the interaction's for prompts), ``interaction_id``,
``model_version`` and ``source`` so a training example traces back to its event; ``dpo`` and ``kto``
rows also the source's own ids of the signal and of its interaction (``source_id``,
``interaction_source_id``: e.g. a LangSmith feedback id and run id). All texts were
redacted at import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.analytics.feedback import TRIVIAL, edit_table, latest_thumbs
from workbench.errors import BadInput

SEED_KINDS = ("dpo", "kto", "prompts")


def _user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def _assistant(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


@dataclass
class SeedReport:
    kind: str
    rows: int = 0
    left_out: dict = field(default_factory=dict)  # reason -> count
    dedup: str | None = None

    def summary(self, output: str) -> str:
        lines = [f"{self.rows} {self.kind} row{'s' if self.rows != 1 else ''} written to {output}"]
        if self.left_out:
            lines.append("  left out: " + ", ".join(f"{k} {v}" for k, v in sorted(self.left_out.items())))
        if self.dedup:
            lines.append("  " + self.dedup.replace("\n", "\n  "))
        return "\n".join(lines)


def _count(report: SeedReport, reason: str, n: int) -> None:
    if n:
        report.left_out[reason] = report.left_out.get(reason, 0) + int(n)


def _usable(signals: pd.DataFrame, report: SeedReport, need_output: bool) -> pd.DataFrame:
    waiting = ~signals["has_interaction"]
    _count(report, "interaction not imported yet", waiting.sum())
    sig = signals[~waiting]
    if need_output:
        no_output = sig["output"].isna()
        _count(report, "no model output", no_output.sum())
        sig = sig[~no_output]
    return sig


def dpo_rows(signals: pd.DataFrame) -> tuple[list[dict], SeedReport]:
    """Preference pairs from the edits in ``signals`` (:meth:`FeedbackStore.signals`)."""
    report = SeedReport("dpo")
    edits = _usable(signals[signals["kind"] == "edit"], report, need_output=True)
    edits = edits.sort_values(["occurred_at", "id"], kind="stable")
    latest = edits.drop_duplicates("interaction_id", keep="last")
    _count(report, "superseded by a later edit", len(edits) - len(latest))
    table = edit_table(latest["output"].tolist(), latest["edit"].tolist())
    latest = latest.reset_index(drop=True).join(table)
    for cls in sorted(TRIVIAL):
        _count(report, f"trivial edit ({cls.replace('_', ' ')})", (latest["edit_class"] == cls).sum())
    keep = latest[latest["edit_class"] == "substantive"]
    rows = [{"id": r.id, "interaction_id": r.interaction_id, "prompt": _user(r.prompt), "chosen": _assistant(r.edit),
             "rejected": _assistant(r.output), "edit_tokens": int(r.edit_tokens), "edit_ratio": round(float(r.edit_ratio), 4),
             "model_version": r.model_version, "source": f"feedback:{r.source}", "source_id": r.source_id,
             "interaction_source_id": r.interaction_source_id, "occurred_at": r.occurred_at.isoformat()}
            for r in keep.itertuples(index=False)]
    report.rows = len(rows)
    return rows, report


def kto_rows(signals: pd.DataFrame) -> tuple[list[dict], SeedReport]:
    """Unpaired preference rows from the thumbs in ``signals``."""
    report = SeedReport("kto")
    thumbs = signals[signals["kind"] == "thumbs"]
    latest = latest_thumbs(thumbs)
    _count(report, "earlier thumb of the same interaction", len(thumbs) - len(latest))
    latest = _usable(latest, report, need_output=True)
    rows = [{"id": r.id, "interaction_id": r.interaction_id, "prompt": _user(r.prompt), "completion": _assistant(r.output),
             "label": bool(r.label), "model_version": r.model_version, "source": f"feedback:{r.source}",
             "source_id": r.source_id, "interaction_source_id": r.interaction_source_id,
             "occurred_at": r.occurred_at.isoformat()}
            for r in latest.itertuples(index=False)]
    report.rows = len(rows)
    return rows, report


def failed_prompts(signals: pd.DataFrame) -> tuple[pd.DataFrame, SeedReport]:
    """One row per interaction that was rejected or got a (latest) thumb down: ``id`` (the
    interaction), ``prompt``, ``reason``, ``model_version``, ``source``."""
    report = SeedReport("prompts")
    rejected = signals[signals["kind"] == "rejection"].assign(reason="rejection")
    down = latest_thumbs(signals)
    down = down[down["label"] == 0].assign(reason="thumbs_down")
    both = _usable(pd.concat([rejected, down], ignore_index=True), report, need_output=False)
    both = both.sort_values(["reason", "occurred_at"], kind="stable")  # a rejection outranks a thumb down
    unique = both.drop_duplicates("interaction_id", keep="first")
    _count(report, "interaction both rejected and thumbed down (counted once)", len(both) - len(unique))
    out = pd.DataFrame({"id": unique["interaction_id"], "prompt": unique["prompt"], "reason": unique["reason"],
                        "model_version": unique["model_version"], "source": "feedback:" + unique["source"]})
    return out.reset_index(drop=True), report


def export_prompts(versions, prompt_field: str | None = None) -> tuple[list[str], list[str], list[str]]:
    """``(ids, texts, notes)``: the user prompts of the previous exports ``versions`` (entries of
    :func:`workbench.export.registry.versions`), read from their Parquet files (the ``prompt``
    column of dpo/kto exports, the user turn of sft ``messages``, the task's prompt field of a
    labels export), each text once; ids ``export:<hash12>:<row id>``. ``notes`` name the versions
    that could not be read (folder moved or deleted), which are skipped."""
    import pyarrow.parquet as pq

    from workbench.errors import BadInput as _Bad
    from workbench.export.folder import read_manifest

    ids: list[str] = []
    texts: list[str] = []
    seen: set[str] = set()
    notes: list[str] = []
    for entry in versions:
        folder = Path(entry.get("path") or "")
        try:
            files = sorted(f for f in read_manifest(folder)["files"] if f.endswith(".parquet"))
        except _Bad:
            notes.append(f"previous export {entry.get('format', '?')}-{str(entry.get('dataset_hash', '?'))[:12]} not "
                         f"found at {folder} (moved or deleted?): not checked")
            continue
        tag = str(entry.get("dataset_hash") or folder.name)[:12]
        for name in files:
            names = pq.read_schema(folder / name).names
            col = next((c for c in ("prompt", "messages", prompt_field) if c and c in names), None)
            if col is None:
                continue
            table = pq.read_table(folder / name, columns=["id", col] if "id" in names and col != "id" else [col])
            values = table.column(col).to_pylist()
            row_ids = table.column("id").to_pylist() if "id" in table.column_names else range(len(values))
            for rid, v in zip(row_ids, values):
                text = v if isinstance(v, str) else next((turn.get("content") for turn in (v or [])
                                                          if isinstance(turn, dict) and turn.get("role") == "user"), None)
                if text and text not in seen:
                    seen.add(text)
                    ids.append(f"export:{tag}:{rid}")
                    texts.append(text)
    return ids, texts, notes


def prompt_rows(signals: pd.DataFrame, *, pool_ids=(), pool_texts=(), export_ids=(), export_texts=(),
                dedup_config=None, embedder=None) -> tuple[list[dict], SeedReport]:
    """Seed prompts, deduplicated among themselves, against the pool's prompts and against the
    prompts of previous exports (``export_ids``/``export_texts``: :func:`export_prompts`)."""
    from workbench.dedup import DedupConfig, ExistingRecords, dedup_candidates

    prompts, report = failed_prompts(signals)
    if prompts.empty:
        return [], report
    all_ids, all_texts = list(pool_ids) + list(export_ids), list(pool_texts) + list(export_texts)
    existing = ExistingRecords(ids=all_ids, texts=all_texts) if all_ids else None
    kept, dropped, dreport = dedup_candidates(prompts, text_column="prompt", id_column="id", existing=existing,
                                              config=dedup_config or DedupConfig(), embedder=embedder)
    if len(dropped):
        of_existing = dropped["duplicate_of_existing"].astype(bool)
        vs_export = int((of_existing & dropped["duplicate_root"].isin(set(export_ids))).sum())
        vs_pool = int(of_existing.sum()) - vs_export
        _count(report, "duplicate of a prompt in the candidate pool", vs_pool)
        _count(report, "duplicate of a prompt in a previous export", vs_export)
        _count(report, "duplicate of another failed prompt", len(dropped) - vs_pool - vs_export)
    report.dedup = str(dreport)
    rows = [{"id": r.id, "instruction": r.prompt, "prompt": r.prompt, "reason": r.reason,
             "model_version": r.model_version, "source": r.source}
            for r in kept.itertuples(index=False)]
    report.rows = len(rows)
    return rows, report


def check_kind(kind: str) -> str:
    if kind not in SEED_KINDS:
        raise BadInput(f"--kind: {kind!r} is not one of {', '.join(SEED_KINDS)}")
    return kind
