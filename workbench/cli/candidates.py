"""``workbench candidates ...``: ingest, generate (distilabel), push to Argilla, clear the cache."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("candidates")
def candidates() -> None:
    """Candidate records: ingest logs or curated data, generate and judge with LLMs, push to Argilla.

    Every text is PII-redacted at ingest, before it is stored, sent to an LLM or pushed. See
    docs/candidates.md.
    """


def _redactor(pii_config: Path | None):
    from workbench.pii import PiiConfig, PiiRedactor

    return PiiRedactor(PiiConfig.from_file(pii_config) if pii_config else PiiConfig())


@candidates.command("ingest")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--source", type=click.Choice(["logs", "curated", "synthetic"]), required=True,
              help="What the records are: real traffic (logs), written or checked by people (curated), or model output.")
@click.option("--licence", required=True, help="Under which terms the records may be used (stored with every record).")
@click.option("--instruction-column", default="instruction", show_default=True, help="Column holding the prompt.")
@click.option("--response-column", default=None, help="Column holding an answer (default: 'response' when present).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="File format (default: from the suffix).")
@click.option("--pii-config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PII settings (YAML/JSON of workbench.pii.PiiConfig); default: the built-in ones.")
@click.option("--progress/--no-progress", default=None,
              help="Show the redaction's progress (texts, MB, rate) on stderr (default: when stderr is a terminal).")
def ingest(file: Path, source: str, licence: str, instruction_column: str, response_column: str | None,
           fmt: str | None, pii_config: Path | None, progress: bool | None) -> None:
    """Add the records of FILE (.jsonl, .csv, .parquet) to the candidate pool, PII redacted.

    A record that cannot be read (bad JSON, non-UTF-8 bytes, a missing or non-text field) is kept
    aside in a rejects file with its line and the reason; the others are ingested. Exit 2 when
    the file as a whole is unusable (missing, empty, no prompt column) or no record could be read.
    """
    from workbench.candidates.sources import check_licence, ingest_file, read_records

    check_licence(licence)
    read_records(file, instruction_column=instruction_column, response_column=response_column, fmt=fmt)  # fail fast
    report = ingest_file(file, source=source, licence=licence, redactor=_redactor(pii_config),
                         instruction_column=instruction_column, response_column=response_column, fmt=fmt,
                         progress=progress)
    click.echo(report.summary())


@candidates.command("generate")
@click.argument("task_name", metavar="TASK")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Candidates config (default: candidates/<task>.yaml in the project).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many seeds in this run.")
def generate(task_name: str, config_path: Path | None, limit: int | None) -> None:
    """Expand the pool's seeds for TASK, answer them with the teacher LLMs, judge and score them.

    Runs one distilabel pipeline (Self-Instruct, Evol-Instruct, teachers, judge, DEITA as the
    config says). Seeds already expanded for TASK are skipped, so running it again only
    processes new seeds. Failed or unparseable LLM output is kept aside per record in
    <home>/candidates/TASK/rejects.jsonl. Exit 1 when no request succeeded.
    """
    from workbench.candidates.genconfig import load_config
    from workbench.candidates.pipeline import check_api_keys, config_summary, generate as run
    from workbench.tasks import find_task

    task = find_task(task_name)
    cfg = load_config(task, config_path)
    check_api_keys(cfg)
    click.echo(f"task {task.name}: {config_summary(cfg)}")
    click.echo(run(task, cfg, limit=limit).summary())


@candidates.command("push")
@click.argument("task_name", metavar="TASK")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Candidates config (default: candidates/<task>.yaml in the project).")
@click.option("--dataset", default=None, help="Dataset name (default: the config's, else <task>-candidates).")
@click.option("--workspace", default=None, help="Workspace (default: the config's, else the task's name).")
@click.option("--no-dedup", is_flag=True, help="Push duplicate prompts too.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="At most this many new records in this push (default: all); first-come unless --fill-to-plan.")
@click.option("--fill-to-plan", is_flag=True,
              help="Choose the --limit records that bring the dataset's mix closest to the task's coverage plan "
                   "(docs/coverage.md) instead of the first in the pool.")
@click.option("--seed", type=int, default=0, show_default=True, help="Breaks ties in --fill-to-plan's choice.")
@click.option("--api-url", default=None, help="Argilla URL (default: ARGILLA_API_URL, else the embedded server).")
@click.option("--api-key", default=None, help="Owner/admin API key (default: ARGILLA_API_KEY, else the embedded owner's).")
def push(task_name: str, config_path: Path | None, dataset: str | None, workspace: str | None, no_dedup: bool,
         limit: int | None, fill_to_plan: bool, seed: int, api_url: str | None, api_key: str | None) -> None:
    """Push TASK's candidates to Argilla with judge and DEITA scores as suggestions and metadata.

    Record ids come from content, so running it again pushes nothing twice and an interrupted
    push resumes. Duplicate prompts are held back (<home>/candidates/TASK/duplicates.jsonl).
    """
    from workbench import argilla_client
    from workbench.candidates.genconfig import load_config
    from workbench.candidates.push import check_selection, push_candidates
    from workbench.tasks import find_task

    from workbench.errors import BadInput

    task = find_task(task_name)
    check_selection(task, limit, fill_to_plan)  # before anything is read or sent
    cfg = load_config(task, config_path)
    conn = argilla_client.connection(api_url, api_key)
    try:
        cl = argilla_client.client(conn)
    except Exception as exc:  # the SDK checks the key when the client is made
        if type(exc).__name__ != "ArgillaCredentialsError":
            raise
        raise BadInput(f"Argilla at {conn.api_url} refused the API key (HTTP 401): give an owner's or admin's key "
                       "with --api-key or ARGILLA_API_KEY") from None
    click.echo(push_candidates(cl, task, cfg, dataset=dataset, workspace=workspace, dedup=not no_dedup, limit=limit,
                               fill_to_plan=fill_to_plan, seed=seed).summary())


@candidates.command("example")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write it to this file (refused if it exists) instead of printing it.")
@click.option("--local", is_flag=True,
              help="The config for the local model that `workbench candidates serve-local` serves "
                   "(SmolLM2-135M-Instruct: tests the plumbing, not quality).")
def example(output: Path | None, local: bool) -> None:
    """The annotated example candidates config (copy it to candidates/TASK.yaml and edit)."""
    from workbench.candidates.genconfig import example_text
    from workbench.config import atomic_write_text
    from workbench.errors import BadInput

    text = example_text(local=local)
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists():
        raise BadInput(f"{output}: --output: file exists; remove it or choose another path")
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, text)
    from workbench.tasks import project_dir

    if output.resolve().parent == (project_dir() / "candidates").resolve():  # where generate looks for it
        then = f"workbench candidates generate {output.stem}"
    else:
        then = f"workbench candidates generate TASK --config {output}"
    if local:
        click.echo(f"{output}: example config for the local model written; start the model with "
                   f"`workbench candidates serve-local` (installed by `make local-model`), then run `{then}`")
        return
    click.echo(f"{output}: annotated example config written; edit llms: (base_url, model, api_key_env) and "
               f"teachers:, then run `{then}`")


@candidates.command("serve-local")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (the server takes no key).")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True,
              help="Port; the config of `workbench candidates example --local` expects 8765.")
@click.option("--threads", type=click.IntRange(min=1), default=None, help="CPU threads (default: every core).")
@click.option("--n-ctx", type=click.IntRange(min=256), default=4096, show_default=True, help="Context size in tokens.")
def serve_local(host: str, port: int, threads: int | None, n_ctx: int) -> None:
    """Serve the local model over the OpenAI protocol until Ctrl-C.

    SmolLM2-135M-Instruct (a 98 MB GGUF) on llama-cpp-python's OpenAI-compatible server, installed
    by `make local-model`; nothing is downloaded. `workbench candidates example --local` writes a
    config for it, with grammars that force the formats the pipeline parses. A 135M model tests
    the plumbing, not quality (docs/candidates.md, "A real local model").
    """
    import signal

    from workbench.candidates.local_model import MODEL_NAME, LocalServer
    from workbench.errors import ServiceError

    def stop(signum, frame):  # SIGTERM: stop the server too, as Ctrl-C does
        raise KeyboardInterrupt

    srv = LocalServer(host=host, port=port, threads=threads, n_ctx=n_ctx)
    interrupted = False
    signal.signal(signal.SIGTERM, stop)
    with srv:
        click.echo(f"{MODEL_NAME} at {srv.base_url} ({srv.threads} threads, pid {srv.proc.pid}); Ctrl-C stops it",
                   err=True)
        try:
            code = srv.proc.wait()
        except KeyboardInterrupt:
            interrupted, code = True, 0
    if not interrupted and code != 0:
        raise ServiceError(f"the local model server exited with code {code}")


@candidates.group("cache")
def cache() -> None:
    """distilabel's cache under <home>/distilabel-cache."""


@cache.command("clear")
def cache_clear() -> None:
    """Remove every run folder of distilabel's cache (logs of past runs go with them)."""
    from workbench.candidates.pipeline import clear_cache
    from workbench.candidates.storage import cache_root

    n, size = clear_cache()
    click.echo(f"{cache_root()}: removed {n} entr{'ies' if n != 1 else 'y'} ({size / 1e6:.1f} MB)")
