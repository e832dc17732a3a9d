"""``workbench export``: accepted labels -> a training-ready, versioned, signed dataset (docs/export.md).

``workbench export TASK [options]`` makes a version; ``export verify``, ``export list`` and
``export diff`` check, list and compare versions. (A task named like one of those three is
exported with ``workbench export make NAME``.)
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import click

from workbench.cli import common
from workbench.errors import BadInput


class _ExportGroup(click.Group):
    """``export TASK ...`` runs ``export make TASK ...``; ``export verify|list|diff`` their commands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["make"] + list(args)
        return super().parse_args(ctx, args)


@click.group("export", cls=_ExportGroup)
def export() -> None:
    """Turn a task's accepted labels into a training-ready dataset, and check, list or compare versions.

    \b
    workbench export TASK [--format sft|dpo|kto|labels] [--rounds production] [--holdout 0.1]
                          [--seed N] [--output DIR] [--sign KEY.pem] [--force-reason TEXT]
    workbench export verify DIR [--key PUB.pem]
    workbench export list [TASK]
    workbench export diff DIR_A DIR_B
    workbench export keygen PRIVATE.pem PUBLIC.pem
    """


def _split_rounds(value: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in value.split(",") if p.strip())
    if not parts:
        raise BadInput(f"--rounds: {value!r} names no round (use kinds, numbers or dataset names, comma-separated)")
    return parts


@export.command("make")
@click.argument("task_name", metavar="TASK")
@click.option("--format", "fmt", type=click.Choice(["sft", "dpo", "kto", "labels"]), default="sft", show_default=True,
              help="TRL's dataset type (sft: messages; dpo: prompt/chosen/rejected; kto: prompt/completion/label) "
                   "or a labels table.")
@click.option("--rounds", default="production", show_default=True,
              help="Rounds to export: kinds, round numbers or dataset names, comma-separated.")
@click.option("--holdout", type=float, default=0.1, show_default=True,
              help="Share of each label's human-written units held out as the test split.")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True, help="Seed of the holdout split.")
@click.option("--output", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A new folder (default: <home>/exports/TASK/FORMAT-<hash>).")
@click.option("--sign", "sign_key", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Sign with this EC private key (PEM) through OpenSSF model-signing.")
@click.option("--force-reason", default=None, help="Export although the latest calibration failed; recorded.")
@click.option("--exclude-superseded", is_flag=True,
              help="Leave out answers given under the guideline versions the task marks superseded.")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@click.option("--dvc", "use_dvc", is_flag=True,
              help="Version the export with DVC: dvc add the folder (inside a DVC repository) and push it.")
@click.option("--demo", is_flag=True,
              help="Export the demo history (what `workbench dashboard --demo` shows) instead of the project's store.")
@common.STORE_OPTION
def make(task_name: str, fmt: str, rounds: str, holdout: float, seed: int, output: Path | None,
         sign_key: Path | None, force_reason: str | None, exclude_superseded: bool, as_json: bool, use_dvc: bool,
         demo: bool, store_url: str | None) -> None:
    """Export TASK's accepted labels as a Hugging Face dataset folder (Parquet, card, manifest).

    Refused (exit 1) when the task's latest calibration did not pass, unless --force-reason.
    The same inputs give byte-identical files and the same dataset hash.
    """
    from workbench.export import registry
    from workbench.export.build import ExportRequest, plan_export
    from workbench.export.folder import AlreadyExported, write_export
    from workbench.store import HistoryStore

    if force_reason is not None and not force_reason.strip():
        raise BadInput("--force-reason: give the reason in words (it is recorded in the manifest)")
    signer = signer_id = None
    if sign_key is not None:
        from workbench import signing

        signer, signer_id = signing.folder_signer(sign_key)
    if use_dvc:
        from workbench.export.versioning import dvc_root

        if output is None:
            raise BadInput("--dvc: choose --output inside the DVC repository (the default output is under the "
                           "Workbench home)")
        dvc_root(output)
    task = common.task(task_name)
    if demo:
        if store_url:
            raise BadInput("--demo and --store: choose one (--demo reads the demo history's own store)")
        from workbench.dashboard.demo_history import demo_store_path, fill_demo_store

        store = HistoryStore(f"sqlite:///{demo_store_path()}")
        fill_demo_store(store)
    else:
        store = HistoryStore(store_url)
    request = ExportRequest(format=fmt, rounds=_split_rounds(rounds), holdout=holdout, seed=seed,
                            exclude_superseded=exclude_superseded, force_reason=force_reason,
                            previous_holdout=registry.holdout_keys(task.name))
    plan = plan_export(store, task, request)
    try:
        folder, manifest = write_export(plan, task, output, default_parent=registry.exports_dir() / task.name,
                                        sign=signer)
    except AlreadyExported as same:
        click.echo(f"already exported: {same.path} holds this version ({same.manifest['dataset_hash']}); "
                   "nothing written")
        return
    registry.remember_holdout(task.name, plan.holdout_keys)
    dvc = None
    if use_dvc:
        from workbench.export.versioning import dvc_add_and_push

        dvc = dvc_add_and_push(folder)
    registry.record_version({
        "task": task.name, "format": fmt, "dataset_hash": manifest["dataset_hash"], "path": str(folder.resolve()),
        "store": "demo" if demo else "project",
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "rows": manifest["counts"]["rows"], "left_out": sum(manifest["counts"]["left_out"].values()),
        "gate_passed": manifest["gate_passed"], "forced_reason": manifest["forced_reason"],
        "signer": signer_id,
        "workbench_version": manifest["workbench_version"],
        "dvc": {"file": str(dvc.dvc_file), "md5": dvc.md5, "remote": dvc.remote} if dvc else None})
    if as_json:
        click.echo(json.dumps(manifest, indent=2, sort_keys=True))
        return
    click.echo(summary(folder, manifest, signed=sign_key is not None))
    if dvc is not None:
        click.echo(f"  DVC: {dvc.dvc_file} (md5 {dvc.md5}); "
                   + (f"pushed to remote {dvc.remote!r}" if dvc.remote else "no default remote: added, not pushed")
                   + "; commit the .dvc file with git")


def summary(folder: Path, manifest: dict, *, signed: bool) -> str:
    c = manifest["counts"]
    lines = [f"exported {manifest['task']} as {manifest['format']} to {folder}",
             f"  dataset hash {manifest['dataset_hash']}" + (" (signed: manifest.sig)" if signed else ""),
             "  rows: " + ", ".join(f"{k} {v:,}" for k, v in c["rows"].items())
             + f" from {c['items_kept']:,} of {c['items']:,} items"]
    if c["left_out"]:
        lines.append("  left out: " + ", ".join(f"{k} {v:,}" for k, v in c["left_out"].items()))
    if manifest.get("forced_reason"):
        lines.append(f"  past a failed gate, because: {manifest['forced_reason']}")
    if c["holdout_units_eligible"] == 0:
        lines.append("  note: no unit may go to the holdout (none is human-written or logged by the task's "
                     "export.holdout_sources or the candidate metadata): there is no test split")
    lines.append(f"  load it: datasets.load_dataset({str(folder)!r}); check it: workbench export verify {folder}")
    return "\n".join(lines)


@export.command("verify")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--key", "public_key", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="EC public key (PEM) to check manifest.sig with.")
@click.pass_context
def verify(ctx: click.Context, folder: Path, public_key: Path | None) -> None:
    """Check FOLDER's files against its manifest (and its signature with --key). Exit 0 when all holds, 1 if not."""
    from workbench.export.folder import SIGNATURE, check_files, read_manifest

    if not folder.is_dir():
        raise BadInput(f"{folder}: no such folder")
    if public_key is not None:
        from workbench import signing

        signing.public_fingerprint(public_key)  # an unreadable or malformed key is bad input (exit 2)
    manifest = read_manifest(folder)
    problems = check_files(folder)
    sig = folder / SIGNATURE
    signature_note = "not signed"
    if public_key is not None:
        from workbench import signing

        if not sig.is_file():
            problems.append(f"{SIGNATURE}: missing (the export was not signed, or the signature was removed)")
        else:
            problem = signing.verify_problem(folder, public_key, sig)
            if problem:
                problems.append(f"signature: {problem}")
            else:
                signature_note = "signature verified"
    elif sig.is_file():
        signature_note = "signed, signature not checked (pass --key PUB.pem)"
    if problems:
        click.echo(f"FAIL {folder}:")
        for p in problems:
            click.echo(f"  - {p}")
        ctx.exit(1)
    click.echo(f"OK {folder}: {len(manifest['files'])} files match dataset hash {manifest['dataset_hash']} "
               f"({signature_note})")


@export.command("list")
@click.argument("task_name", metavar="[TASK]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON lines.")
def list_cmd(task_name: str | None, as_json: bool) -> None:
    """Every export version made (of TASK): date, hash, rows, gate state, signer, folder."""
    from workbench.export import registry

    entries = registry.versions(task_name)
    if as_json:
        for e in entries:
            click.echo(json.dumps(e, sort_keys=True))
        return
    if not entries:
        click.echo("no exports yet" + (f" of task {task_name!r}" if task_name else ""))
        return
    click.echo(f"{'created (UTC)':<20} {'task':<20} {'format':<6} {'hash':<12} {'rows':<22} {'gate':<7} "
               f"{'signer':<18} folder")
    for e in entries:
        rows = ", ".join(f"{k} {v}" for k, v in e.get("rows", {}).items())
        gate = "pass" if e.get("gate_passed") else "forced"
        where = e.get("path", "")
        if where and not Path(where).is_dir():
            where += " (gone)"
        click.echo(f"{e.get('created_at', '')[:19]:<20} {e.get('task', ''):<20} {e.get('format', ''):<6} "
                   f"{e.get('dataset_hash', '')[:12]:<12} {rows:<22} {gate:<7} {(e.get('signer') or '-')[:18]:<18} "
                   f"{where}")


@export.command("diff")
@click.argument("folder_a", type=click.Path(path_type=Path, file_okay=False))
@click.argument("folder_b", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def diff(folder_a: Path, folder_b: Path, as_json: bool) -> None:
    """What changed from FOLDER_A to FOLDER_B: rows added, removed, relabelled, moved; label shift."""
    import pandas as pd

    from workbench.analytics.export_diff import compare_exports
    from workbench.export.folder import read_manifest, read_rows

    frames = []
    for folder in (folder_a, folder_b):
        if not folder.is_dir():
            raise BadInput(f"{folder}: no such folder")
        manifest = read_manifest(folder)
        rows = read_rows(folder)
        labels_key = "labels_chosen" if manifest.get("format") == "dpo" else "labels"
        frames.append((manifest, pd.DataFrame({"id": [r["id"] for r in rows], "split": [r["split"] for r in rows],
                                               "labels": [r.get(labels_key) or {} for r in rows]})))
    (ma, a), (mb, b) = frames
    if ma.get("task") != mb.get("task") or ma.get("format") != mb.get("format"):
        click.echo(f"note: comparing {ma.get('task')}/{ma.get('format')} with {mb.get('task')}/{mb.get('format')}",
                   err=True)
    d = compare_exports(a, b)
    if as_json:
        click.echo(json.dumps({"a": ma.get("dataset_hash"), "b": mb.get("dataset_hash"), **d.to_dict()}, indent=2))
        return
    click.echo(f"{folder_a} ({ma.get('dataset_hash', '')[:12]}) -> {folder_b} ({mb.get('dataset_hash', '')[:12]})")
    click.echo(f"  rows added {len(d.added)}, removed {len(d.removed)}, relabelled {len(d.relabelled)}, "
               f"moved between splits {len(d.moved)}, unchanged {d.unchanged}")
    for q, shift in d.label_shift.items():
        moves = ", ".join(f"{k}: {x}->{y}" for k, (x, y) in shift.items() if x != y)
        click.echo(f"  {q}: " + (moves or "no change"))


@export.command("keygen")
@click.argument("private_key", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("public_key", type=click.Path(path_type=Path, dir_okay=False))
def keygen(private_key: Path, public_key: Path) -> None:
    """Make a P-256 key pair for signing exports: PRIVATE_KEY (mode 600) and PUBLIC_KEY (PEM)."""
    from workbench import signing

    signing.generate_key_pair(private_key, public_key)
    click.echo(f"wrote {private_key} (private, mode 600: keep it secret) and {public_key} (public: give it to "
               f"whoever verifies); fingerprint {signing.public_fingerprint(public_key)}")
