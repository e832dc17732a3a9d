"""``workbench feedback ...``: import production feedback, summarise it, turn it into seeds."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import click

from workbench.cli import common


@click.group("feedback")
def feedback() -> None:
    """Production feedback: import thumbs, edits and rejections, summarise them, make next-round seeds.

    Every text is PII-redacted at import, before it is stored. See docs/feedback.md.
    """


def _since(value: str | None) -> str | None:
    """``--since`` as ISO UTC text (a date is its midnight UTC)."""
    from workbench.errors import BadInput

    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"--since: {value!r} is not a date (YYYY-MM-DD) or an ISO 8601 time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat()


@feedback.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--from", "fmt", required=True, metavar="langsmith|helicone|weave|jsonl",
              help="The export's format: LangSmith runs/feedback, Helicone requests, Weave calls, or JSON lines with --mapping.")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="For --from jsonl: YAML naming the fields (id, prompt, timestamp, output, edit, score, rejected, model_version, topic).")
@click.option("--pii-config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PII settings (YAML/JSON of workbench.pii.PiiConfig), as for `candidates ingest`; default: the built-in ones.")
@click.option("--progress/--no-progress", default=None,
              help="Show progress (lines, MB, rate) on stderr (default: when stderr is a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
def import_cmd(file: Path, fmt: str, mapping: Path | None, pii_config: Path | None, progress: bool | None,
               as_json: bool) -> None:
    """Import the events of FILE (JSON lines), PII redacted; importing it again adds nothing twice.

    A record that cannot be read (not JSON, not the claimed format, a missing field, an output
    without a prompt, a timestamp in the future or without a timezone) is kept aside in a rejects
    file with its line, field and reason; the others are imported. Exit 2 when the file as a whole
    is wrong (missing, empty, not the format it claims) or no record could be imported.
    """
    from workbench.feedback.importer import check_file, check_format, import_file, parser_for
    from workbench.feedback.mapping import Mapping
    from workbench.pii import PiiConfig, PiiRedactor

    fmt = check_format(fmt.strip().lower(), mapping is not None)
    mp = Mapping.from_file(mapping) if mapping is not None else None
    looks_like, _ = parser_for(fmt, mp)
    check_file(file, fmt, looks_like)  # fail fast, before the redactor loads
    redactor = PiiRedactor(PiiConfig.from_file(pii_config) if pii_config else PiiConfig())
    report = import_file(file, fmt, redactor=redactor, mapping=mp, progress=progress)
    click.echo(json.dumps(report.to_dict(), indent=1, sort_keys=True) if as_json else report.summary())


def _frames(since: str | None):
    from workbench.analytics.feedback import edit_table
    from workbench.feedback.store import FeedbackStore

    with FeedbackStore() as store:
        interactions = store.interactions(since)
        signals = store.signals(since)
    edits = signals["kind"] == "edit"
    table = edit_table(signals.loc[edits, "output"].tolist(), signals.loc[edits, "edit"].tolist())
    table.index = signals.index[edits]
    signals = signals.join(table)
    return interactions, signals


def _fmt_rate(row) -> str:
    if row["thumbs"] == 0:
        return "-"
    return f"{row['down_rate']:.1%} [{row['down_low']:.1%}, {row['down_high']:.1%}]"


def _table(df, name: str) -> list[str]:
    lines = [f"{name:<24} {'interactions':>12} {'thumbs':>7} {'down rate [95% Wilson]':>26} {'edits':>6} "
             f"{'subst.':>6} {'med. tokens':>11} {'rejections':>10}"]
    for key, row in df.iterrows():
        med = "-" if row["median_edit_tokens"] != row["median_edit_tokens"] else f"{row['median_edit_tokens']:.0f}"
        lines.append(f"{str(key)[:24]:<24} {int(row['interactions']):>12} {int(row['thumbs']):>7} {_fmt_rate(row):>26} "
                     f"{int(row['edits']):>6} {int(row['substantive_edits']):>6} {med:>11} {int(row['rejections']):>10}")
    return lines


@feedback.command("summary")
@click.option("--since", default=None, help="Only events from this date (YYYY-MM-DD, UTC) or ISO 8601 time on.")
@click.option("--json", "as_json", is_flag=True, help="Print the tables as JSON.")
def summary(since: str | None, as_json: bool) -> None:
    """Volumes, thumbs-down rate (with a 95% Wilson interval), edit sizes and rejections, by model version and topic."""
    from workbench.analytics.feedback import summarize

    since_iso = _since(since)
    interactions, signals = _frames(since_iso)
    tables = {"overall": summarize(interactions, signals), "model_version": summarize(interactions, signals, "model_version")}
    if interactions["topic"].notna().any():
        tables["topic"] = summarize(interactions, signals, "topic")
    waiting = int((~signals["has_interaction"]).sum())
    if as_json:
        out = {"since": since_iso, "signals_waiting_for_interaction": waiting,
               **{name: json.loads(t.reset_index().to_json(orient="records")) for name, t in tables.items()}}
        click.echo(json.dumps(out, indent=1))
        return
    if interactions.empty and signals.empty:
        click.echo("no feedback imported yet" + (f" since {since_iso}" if since_iso else "") +
                   ": run `workbench feedback import FILE --from langsmith|helicone|weave|jsonl`")
        return
    for name, t in tables.items():
        click.echo("\n".join(_table(t, "all" if name == "overall" else name)))
        click.echo("")
    if waiting:
        click.echo(f"{waiting} signal{'s' if waiting != 1 else ''} wait for their interaction (not imported yet)")


@feedback.command("seeds")
@click.argument("task_name", metavar="TASK")
@click.option("--kind", type=click.Choice(["dpo", "kto", "prompts"]), default="dpo", show_default=True,
              help="dpo: edits as preference pairs; kto: thumbs as labelled completions; prompts: failed prompts as seeds.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the JSONL (default: <home>/feedback/seeds/TASK/KIND.jsonl).")
@click.option("--since", default=None, help="Only events from this date (YYYY-MM-DD, UTC) or ISO 8601 time on.")
@click.option("--no-semantic", is_flag=True, help="prompts: deduplicate exact and near copies only (no embedding model).")
@click.option("--push", is_flag=True,
              help="dpo/kto: also push the rows to the review dataset TASK-feedback-KIND in workspace TASK-review.")
@click.option("--api-url", default=None, help="Argilla URL for --push (default: ARGILLA_API_URL, else the embedded server).")
@click.option("--api-key", default=None, help="Owner/admin API key for --push (default: ARGILLA_API_KEY, else the embedded owner's).")
@common.STORE_OPTION
def seeds(task_name: str, kind: str, output: Path | None, since: str | None, no_semantic: bool, push: bool,
          api_url: str | None, api_key: str | None, store_url: str | None) -> None:
    """Turn the stored feedback into candidates for TASK's next round (TRL column conventions, JSONL).

    --kind prompts writes `instruction` rows that `workbench candidates ingest --source logs` reads,
    deduplicated against the candidate pool and the prompts of TASK's previous exports.
    --push sends dpo or kto rows to an Argilla review dataset of the task (experts' workspace),
    once each, and records it in the history store: after `workbench sync`, `workbench export TASK
    --format dpo|kto` adds the rows the experts accepted (answered yes), and only those.
    """
    if push and kind == "prompts":
        from workbench.errors import BadInput

        raise BadInput("--push: only --kind dpo or kto is reviewed in Argilla (prompts go to `workbench candidates ingest`)")
    from workbench import config
    from workbench.feedback.seeds import dpo_rows, kto_rows, prompt_rows
    from workbench.feedback.store import FeedbackStore, default_dir, private_dir
    from workbench.tasks import find_task

    task = find_task(task_name)
    since_iso = _since(since)
    with FeedbackStore() as store:
        signals = store.signals(since_iso)
    if kind == "dpo":
        rows, report = dpo_rows(signals)
    elif kind == "kto":
        rows, report = kto_rows(signals)
    else:
        from workbench.candidates import storage
        from workbench.dedup import DedupConfig

        from workbench.export import registry
        from workbench.feedback.seeds import export_prompts

        pool = storage.read_pool()
        versions = registry.versions(task.name)
        export_ids, export_texts, notes = export_prompts(versions, task.export.prompt)
        cfg = DedupConfig(semantic=None) if no_semantic else DedupConfig()
        rows, report = prompt_rows(signals, pool_ids=list(pool), pool_texts=[r["instruction"] for r in pool.values()],
                                   export_ids=export_ids, export_texts=export_texts, dedup_config=cfg)
        click.echo(f"checked against {len(pool)} prompt{'s' if len(pool) != 1 else ''} of the candidate pool and "
                   f"{len(export_texts)} of {len(versions)} previous export{'s' if len(versions) != 1 else ''} of "
                   f"{task.name}")
        for note in notes:
            click.echo(f"  note: {note}")
    if output is None:
        output = private_dir(private_dir(default_dir() / "seeds") / task.name) / f"{kind}.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    config.atomic_write_text(output, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))
    click.echo(report.summary(str(output)))
    if push:
        from workbench import argilla_client
        from workbench.errors import BadInput
        from workbench.feedback.review import check_task_key, push_review
        from workbench.roster import known_task_names
        from workbench.store import HistoryStore

        check_task_key(task.name, known_task_names())
        conn = argilla_client.connection(api_url, api_key)
        try:
            cl = argilla_client.client(conn)
        except Exception as exc:  # the SDK checks the key when the client is made
            if type(exc).__name__ != "ArgillaCredentialsError":
                raise
            raise BadInput(f"Argilla at {conn.api_url} refused the API key (HTTP 401): give an owner's or admin's key "
                           "with --api-key or ARGILLA_API_KEY") from None
        store = HistoryStore(store_url)
        try:
            click.echo(push_review(cl, task.name, kind, rows, store=store).summary())
        finally:
            store.close()
