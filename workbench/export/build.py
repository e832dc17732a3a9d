"""Plan an export: read the task's rounds, responses, gold and record content from the history
store, and turn them into rows per split with the functional core.

Nothing is written here (see :mod:`workbench.export.folder`). The steps, each a call into
``workbench.analytics``:

1. the gate of every calibration round (:func:`workbench.gate.gate_for_task` for the latest):
   a failed latest gate refuses the export unless a reason is given;
2. :func:`~workbench.analytics.selection.select_items`: final labels, the filters, the reasons;
3. :mod:`~workbench.analytics.training_formats`: rows in the chosen format, with provenance;
4. :func:`~workbench.analytics.splits.holdout_split`: the never-synthetic, stable holdout.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Sequence

import pandas as pd

from workbench.analytics.gate import GateResult, evaluate_gate
from workbench.analytics.selection import REASONS, SelectionRules, select_items, sorted_unique_lists
from workbench.analytics.splits import holdout_split
from workbench.analytics.training_formats import (FORMATS, choose_edits, dpo_rows, dpo_rows_from_edits,
                                                  dpo_rows_from_ranking, is_human_written, kto_rows, labels_rows,
                                                  provenance, sft_rows)
from workbench.errors import BadInput, WorkbenchError
from workbench.gate import CALIBRATION_KINDS
from workbench.store import decode_values
from workbench.tasks import Task

AGGREGATED_KINDS = ("label", "rating", "multi_label")


class GateRefused(WorkbenchError):
    """The task's latest calibration did not pass and no ``--force-reason`` was given (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked for (``workbench export TASK ...``)."""

    format: str = "sft"
    rounds: tuple[str, ...] = ("production",)
    holdout: float = 0.1
    seed: int = 0
    exclude_superseded: bool = False
    force_reason: str | None = None
    previous_holdout: frozenset = frozenset()  # unit keys held out by earlier exports of the task


@dataclass
class ExportPlan:
    """Rows per split, ready to write, and the manifest (without file hashes)."""

    task: str
    format: str
    splits: dict[str, list[dict]]
    manifest: dict
    holdout_keys: list[str] = field(default_factory=list)  # unit keys in the holdout (hashed)


def workbench_version() -> str:
    try:
        return version("workbench")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def unit_key(text: str) -> str:
    """What the holdout remembers of a unit: a hash of its key (never the text itself)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _select_rounds(rounds: pd.DataFrame, task: Task, wanted: Sequence[str]) -> pd.DataFrame:
    if rounds.empty:
        raise BadInput(f"task {task.name!r} has no rounds in the history store: create them with "
                       f"`workbench round create {task.name} --kind ...` and run `workbench sync`")
    keep = pd.Series(False, index=rounds.index)
    for w in wanted:
        w = str(w).strip()
        hit = (rounds["kind"] == w) | (rounds["dataset"] == w) | (rounds["round"].astype(str) == w)
        if not hit.any():
            known = ", ".join(f"{r.round} ({r.kind}, {r.dataset})" for r in rounds.itertuples())
            raise BadInput(f"--rounds: {w!r} is no round kind, number or dataset of task {task.name!r} "
                           f"(rounds: {known})")
        keep |= hit
    chosen = rounds[keep]
    cal = chosen[chosen["kind"].isin(CALIBRATION_KINDS)]
    if len(cal):
        raise BadInput(f"--rounds: {', '.join(map(str, cal['round']))} are calibration rounds: their items measure "
                       f"annotators and are never exported; choose production rounds")
    return chosen


def _gates(store, task: Task, rounds: pd.DataFrame, gold: pd.DataFrame, n_boot: int) -> list[GateResult]:
    """The gate of every calibration round of the task, oldest first."""
    out = []
    for r in rounds[rounds["kind"].isin(CALIBRATION_KINDS)].sort_values("round").itertuples():
        responses = store.tidy(task=task.name, dataset=r.dataset)
        out.append(evaluate_gate(task, responses, gold, round_number=int(r.round), dataset=r.dataset, kind=r.kind,
                                 n_boot=n_boot, seed=0))
    return out


def _gate_summary(g: GateResult) -> dict:
    return {"round": g.round, "dataset": g.dataset, "kind": g.kind, "passed": g.passed,
            "guideline_versions": [int(v) for v in g.guideline_versions],
            "questions": [{"question": q.question, "alpha": q.alpha, "low": q.low, "high": q.high,
                           "alpha_reliable": q.alpha_reliable, "band": q.band, "passed": q.passed}
                          for q in g.questions],
            "failing_annotators": list(g.failing_annotators), "reasons": list(g.reasons)}


def drift_exclusions(store, task: Task, gold: pd.DataFrame) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(annotators with an open drift alarm on their gold answers - the Drift page's CUSUM,
    annotators below the task's bar in their latest round with gold - the Drift page's Wilson
    check), from the gold answers in the store and the task's ``gold``."""
    from workbench.analytics.drift import against_bar, gold_table, labels_table, monitor_gold, open_alarms, pooled_bar

    bars = task.calibration.min_gold_agreements()
    obs, chart = monitor_gold(labels_table(store.tidy(task=task.name, gold_items_only=True)), gold_table(gold),
                              bar=pooled_bar(bars))
    if obs is None:
        return (), ()
    alarms = tuple(sorted(open_alarms(chart, obs)["annotator"]))
    checked = against_bar(obs, bars)
    below = tuple(sorted(set(checked.loc[checked["below_bar"], "annotator"])))
    return alarms, below


def decisive_questions(task: Task, fmt: str) -> tuple[str, ...]:
    """The questions whose final value an item needs for ``fmt``."""
    pol = task.export
    if fmt == "labels":
        return tuple(q.name for q in task.questions if q.kind in AGGREGATED_KINDS)
    names = [q for q, _, _ in pol.accept]
    if fmt == "dpo" and pol.rank_by:
        names.append(pol.rank_by)
    return tuple(dict.fromkeys(names))


def _check_format(task: Task, fmt: str) -> None:
    if fmt not in FORMATS:
        raise BadInput(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    pol = task.export
    where = f"{task.source or task.name}: export"
    if fmt == "labels":
        if not any(q.kind in AGGREGATED_KINDS for q in task.questions):
            raise BadInput(f"--format labels: task {task.name!r} has no label, rating or multi_label question")
        return
    if not pol.prompt or not pol.completion:
        raise BadInput(f"--format {fmt}: {where}: name the fields that hold the prompt and the answer "
                       f"(export.prompt, export.completion; fields: {', '.join(f.name for f in task.fields)})")
    if fmt in ("sft", "kto") and not pol.accept:
        raise BadInput(f"--format {fmt}: {where}.accept: say which final answers make a good example "
                       f"(e.g. accept: {{quality: {{min: 4}}}})")
    if fmt == "dpo" and not pol.rank_by and not pol.edit:
        ratings = [q.name for q in task.questions if q.kind in ("rating", "ranking")]
        raise BadInput(f"--format dpo: {where}.rank_by: DPO pairs need a rating or ranking question to rank "
                       f"answers by, or export.edit (a text question with edited answers) (rating and ranking "
                       f"questions: {', '.join(ratings) or 'none'})")


def plan_export(store, task: Task, request: ExportRequest, *, n_boot: int = 1000) -> ExportPlan:
    """Everything an export will contain (see the module docstring); raises :class:`GateRefused`
    or ``BadInput`` (unknown round, format that does not fit, nothing left after the filters)."""
    fmt = request.format
    _check_format(task, fmt)
    if not 0 <= request.holdout < 1:
        raise BadInput(f"--holdout: must be a share in [0, 1); got {request.holdout!r}")
    all_rounds = store.rounds(task.name)
    chosen = _select_rounds(all_rounds, task, request.rounds)
    gold = store.gold(task.name)
    gates = _gates(store, task, all_rounds, gold, n_boot)
    latest_gate = gates[-1] if gates else None
    if latest_gate is None or not latest_gate.passed:
        if not request.force_reason:
            why = latest_gate.reasons if latest_gate else (f"task {task.name!r} has no calibration round",)
            raise GateRefused(f"task {task.name!r}: the latest calibration did not pass, so nothing is exported: "
                              + "; ".join(why) + ". Fix and recalibrate, or export anyway with --force-reason TEXT "
                              "(recorded in the manifest)")
    ids = list(chosen["dataset_id"])
    records = store.records(dataset=ids, decode=False)  # fields and metadata decoded for kept items only
    responses = store.latest_responses(dataset=ids, columns=("dataset_id", "item", "user_id", "annotator", "status",
                                                             "guideline_version"))
    if len(responses) and records.empty:
        raise BadInput(f"the history store has responses but no record content for {', '.join(chosen['dataset'])}: "
                       "run `workbench sync` (this version of Workbench stores fields and metadata)")
    cal_ids = list(all_rounds.loc[all_rounds["kind"].isin(CALIBRATION_KINDS), "dataset_id"])
    calibration_items = frozenset(store.item_ids(dataset=cal_ids)) if cal_ids else frozenset()
    answers = store.tidy(task=task.name, dataset=ids, columns=["item", "annotator", "question", "value", "round",
                                                               "time"])
    round_of = dict(zip(chosen["dataset_id"], chosen["round"].astype(int)))
    responses = responses.assign(round=responses["dataset_id"].map(round_of))
    records = records.assign(round=records["dataset_id"].map(round_of))
    several_rounds = bool(records["item"].duplicated().any())
    if several_rounds:  # an item answered by one annotator in two rounds: the later round's answer is current
        answers = answers.sort_values("round", kind="stable").drop_duplicates(["item", "annotator", "question"],
                                                                               keep="last")
        responses = responses.sort_values("round", kind="stable").drop_duplicates(["item", "annotator"], keep="last")

    pol = task.export
    failing = tuple(latest_gate.failing_annotators) if latest_gate is not None else ()
    drifting, below_bar = drift_exclusions(store, task, gold)
    excluded = frozenset(failing) | frozenset(drifting) | frozenset(below_bar)
    decisive = decisive_questions(task, fmt)
    rules = SelectionRules(
        kinds={q.name: q.kind for q in task.questions}, decisive=decisive,
        orders={q.name: list(q.categories) for q in task.questions if q.kind in AGGREGATED_KINDS},
        aggregation=pol.aggregation, tie=dict(pol.tie) if isinstance(pol.tie, tuple) else pol.tie,
        min_answers=pol.min_answers,
        min_item_agreement=pol.min_item_agreement, excluded_annotators=excluded,
        superseded_guidelines=frozenset(pol.superseded_guidelines) if request.exclude_superseded else frozenset(),
        calibration_items=calibration_items, seed=request.seed)
    items = records["item"].drop_duplicates() if len(records) else responses["item"].drop_duplicates()
    edit_table = pd.DataFrame(columns=["item", "annotator", "value", "time"])
    if fmt == "dpo" and pol.edit:  # the edits of the annotators whose answers count
        e = answers[(answers["question"] == pol.edit) & ~answers["annotator"].isin(list(excluded))]
        edit_table = e[["item", "annotator", "value", "time"]]
    sel = select_items(items, responses, answers, gold, rules=rules)

    # join each kept item with its record content (the latest round's record) and provenance
    by_round = records.sort_values("round", kind="stable") if several_rounds else records
    fields_by_item = dict(zip(by_round["item"], by_round["fields"]))  # the latest round's record wins
    metadata_by_item = dict(zip(by_round["item"], by_round["metadata"]))
    kept = sel.items.copy()
    if kept.empty:
        raise BadInput(_empty_message(task, fmt, sel.counts, len(items)))
    empty = "{}"
    kept_fields = decode_values([fields_by_item.get(i, empty) for i in kept["item"]])
    kept_metadata = decode_values([metadata_by_item.get(i, empty) for i in kept["item"]])
    user_ids = dict(zip(responses["annotator"], responses["user_id"]))
    del answers, responses  # (the biggest tables: what follows works on the kept items)
    if len(chosen) == 1:  # (provenance copies the list)
        rounds_by_item = dict.fromkeys(records["item"], [int(chosen["round"].iloc[0])])
    else:
        rounds_by_item = sorted_unique_lists(records["item"].to_numpy(), records["round"].to_numpy())
    kept["fields"] = kept_fields
    kept["metadata"] = kept_metadata
    kept["rounds"] = [rounds_by_item.get(i, []) for i in kept["item"]]
    kept["annotators"] = [sorted(user_ids.get(a, a) for a in names) for names in kept["annotators"]]
    position = {item: i for i, item in enumerate(kept["item"])}
    columns = {c: kept[c].tolist() for c in ("metadata", "annotators", "guideline_versions", "rounds", "n_answers",
                                              "agreement", "adjudicated")}

    def _provenance(item: str) -> dict:
        i = position[item]
        return provenance(columns["metadata"][i], {c: v[i] for c, v in columns.items()})

    human = {i: is_human_written(m, pol.holdout_sources) for i, m in zip(kept["item"], kept["metadata"])}

    format_counts: dict = {}
    if fmt == "sft":
        rows, not_accepted = sft_rows(kept, prompt=pol.prompt, completion=pol.completion, accept=pol.accept)
        if not_accepted:
            format_counts["not-accepted"] = len(not_accepted)
    elif fmt == "kto":
        rows = kto_rows(kept, prompt=pol.prompt, completion=pol.completion, accept=pol.accept)
    elif fmt == "dpo":
        rows = []
        if pol.rank_by and task.question(pol.rank_by).kind == "ranking":
            rows, no_pair = dpo_rows_from_ranking(kept, prompt=pol.prompt, ranking=pol.rank_by, accept=pol.accept)
            format_counts.update({f"no-pair:{k}": v for k, v in no_pair.items()})
        elif pol.rank_by:
            rows, no_pair = dpo_rows(kept, prompt=pol.prompt, completion=pol.completion, rank_by=pol.rank_by,
                                     min_margin=pol.min_margin, accept=pol.accept)
            format_counts.update({f"no-pair:{k}": v for k, v in no_pair.items()})
        if pol.edit:
            edit_answers = edit_table[edit_table["item"].isin(set(kept["item"]))]
            originals = {i: f.get(pol.completion, "") for i, f in zip(kept["item"], kept["fields"])}
            edits, skipped = choose_edits(edit_answers, originals)
            rows += dpo_rows_from_edits(kept, edits, prompt=pol.prompt, completion=pol.completion)
            format_counts.update({f"edit-left-out:{k}": v for k, v in skipped.items()})
    else:
        rows = labels_rows(kept, [f.name for f in task.fields])
    if not rows:
        raise BadInput(_empty_message(task, fmt, {**sel.counts, **format_counts}, len(items), kept=len(kept)))

    labels_of = dict(zip(kept["item"], kept["labels"]))
    members = []  # items behind each row (a DPO pair has two)
    for r in rows:
        members.append([r["chosen_id"], r["rejected_id"]] if fmt == "dpo" else [r["id"]])
        if fmt == "dpo":
            r["provenance_chosen"] = _provenance(r["chosen_id"])
            r["provenance_rejected"] = _provenance(r["rejected_id"])
            r["labels_chosen"] = labels_of[r["chosen_id"]]
            r["labels_rejected"] = labels_of[r["rejected_id"]]
        else:
            r["provenance"] = _provenance(r["id"])
            if fmt != "labels":
                r["labels"] = labels_of[r["id"]]

    # the holdout: units are prompts (answers to one prompt stay together), items for labels
    fields_of = dict(zip(kept["item"], kept["fields"]))
    if fmt == "labels":
        keys = [unit_key("item:" + m[0]) for m in members]
    else:
        keys = [unit_key("prompt:" + str(fields_of[m[0]].get(pol.prompt, ""))) for m in members]
    first_q = decisive[0] if decisive else None
    strata_by_key: dict = {}
    eligible_by_key: dict = {}
    for k, m in zip(keys, members):
        strata_by_key.setdefault(k, repr(labels_of[m[0]].get(first_q)) if first_q else "")
        eligible_by_key[k] = eligible_by_key.get(k, True) and all(human[i] for i in m)
    ukeys = sorted(strata_by_key)
    held = holdout_split(ukeys, [strata_by_key[k] for k in ukeys], [eligible_by_key[k] for k in ukeys],
                         fraction=request.holdout, seed=request.seed, previous=request.previous_holdout)
    held_keys = {k for k, h in zip(ukeys, held) if h}
    splits: dict[str, list[dict]] = {"train": [], "test": []}
    for k, r in zip(keys, rows):
        splits["test" if k in held_keys else "train"].append(r)
    for name in splits:
        splits[name].sort(key=lambda r: r["id"])
    splits = {k: v for k, v in splits.items() if v}

    left_out = {k: v for k, v in sel.counts.items()}
    left_out.update(format_counts)
    n_eligible = sum(eligible_by_key.values())
    manifest = {
        "task": task.name,
        "format": fmt,
        "trl_type": {"sft": "conversational language modeling", "dpo": "conversational preference",
                     "kto": "conversational unpaired preference", "labels": None}[fmt],
        "rounds": [{"round": int(r.round), "kind": r.kind, "dataset": r.dataset,
                    "guideline_version": int(r.guideline_version)} for r in chosen.sort_values("round").itertuples()],
        "guideline_versions": sorted({v for i in kept["guideline_versions"] for v in i}),
        "calibration": [_gate_summary(g) for g in gates],
        "gate_passed": bool(latest_gate is not None and latest_gate.passed),
        "forced_reason": request.force_reason if not (latest_gate is not None and latest_gate.passed) else None,
        "rules": {"aggregation": pol.aggregation, "tie": dict(pol.tie) if isinstance(pol.tie, tuple) else pol.tie, "min_answers": pol.min_answers,
                  "min_item_agreement": pol.min_item_agreement, "decisive_questions": list(decisive),
                  "accept": [[q, op, list(v)] for q, op, v in pol.accept], "rank_by": pol.rank_by,
                  "min_margin": pol.min_margin, "excluded_annotators": sorted(user_ids.get(a, a) for a in excluded),
                  "excluded_by_gate": sorted(user_ids.get(a, a) for a in failing),
                  "excluded_by_drift_alarm": sorted(user_ids.get(a, a) for a in drifting),
                  "excluded_below_task_bar": sorted(user_ids.get(a, a) for a in below_bar),
                  "superseded_guidelines_excluded": sorted(rules.superseded_guidelines),
                  "holdout": request.holdout, "seed": request.seed,
                  "holdout_sources": {p: list(v) for p, v in pol.holdout_sources} or "candidate metadata"},
        "counts": {"items": int(len(items)), "items_kept": int(len(kept)), "rows": {k: len(v) for k, v in splits.items()},
                   "left_out": {k: left_out[k] for k in _ordered(left_out)},
                   "holdout_units_eligible": int(n_eligible), "holdout_units": len(held_keys)},
        "store_watermark": _iso(store.watermark(task.name)),
        "workbench_version": workbench_version(),
        "writer": {"pyarrow": _version("pyarrow")},
    }
    return ExportPlan(task=task.name, format=fmt, splits=splits, manifest=manifest, holdout_keys=sorted(held_keys))


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _iso(when) -> str | None:
    return None if when is None else pd.Timestamp(when).isoformat()


def _ordered(counts: dict) -> list[str]:
    order = {r: i for i, r in enumerate(REASONS)}
    return sorted(counts, key=lambda k: (order.get(k.split(":")[0], len(order)), k))


def _empty_message(task: Task, fmt: str, counts: dict, n_items: int, kept: int = 0) -> str:
    what = "; ".join(f"{k}: {v}" for k, v in ((k, counts[k]) for k in _ordered(counts))) or "nothing"
    return (f"task {task.name!r}: nothing to export as {fmt}: of {n_items} items in the chosen rounds, {kept} passed "
            f"the filters, and no row was left. Left out: {what}")

