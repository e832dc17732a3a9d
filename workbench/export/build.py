"""Plan an export: read the task's rounds, responses, gold and record content from the history
store, and turn them into rows per split with the functional core.

Nothing is written here (see :mod:`workbench.export.folder`). The steps, each a call into
``workbench.analytics``:

1. the gate of every calibration round (:func:`workbench.gate.gate_for_task` for the latest):
   a failed latest gate refuses the export unless a reason is given;
2. :func:`~workbench.analytics.selection.select_items`: final labels, the filters, the reasons;
3. :mod:`~workbench.analytics.training_formats`: rows in the chosen format, with provenance;
4. :func:`~workbench.analytics.splits.holdout_split`: the never-synthetic, stable holdout.

A million responses are read once, as integer codes (:meth:`HistoryStore.response_codes`), and
handed to the rules as categorical columns; the kept items stay columns
(:class:`~workbench.analytics.selection.KeptItems`), record content is decoded only for the items
behind rows, and the rows go to the writer as columns (:class:`~workbench.export.rows.Rows`).
docs/export.md ("Measured") has the figures; tests/test_export_identity.py checks that the files
are the ones the row-by-row code wrote.
"""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Sequence

import numpy as np
import pandas as pd

from workbench.analytics.gate import GateResult, evaluate_gate
from workbench.analytics.selection import (REASONS, KeptItems, SelectionRules, argsort_texts, csr_lists,
                                          select_items, sorted_unique_csr)
from workbench.analytics.splits import holdout_split
from workbench.analytics.training_formats import (FORMATS, FeedbackRows, accepted_mask, choose_edits, dpo_pairs,
                                                  feedback_rows, is_human_written, provenance_columns, turns)
from workbench.errors import BadInput, WorkbenchError
from workbench.export.rows import Rows
from workbench.feedback.review import reviewed_feedback
from workbench.review_store import review_gold_rows
from workbench.gate import CALIBRATION_KINDS
from workbench.store import decode_objects
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
    splits: "dict[str, Rows]"  # rows per split, ordered by id
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
    or ``BadInput`` (unknown round, format that does not fit, nothing left after the filters).

    Python's cyclic garbage collector is paused meanwhile: reading a million responses makes
    millions of objects and no reference cycles, and its passes over them cost a tenth of the
    time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _plan_export(store, task, request, n_boot=n_boot)
    finally:
        if enabled:
            gc.enable()


def _plan_export(store, task: Task, request: ExportRequest, *, n_boot: int) -> ExportPlan:
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
    pol = task.export
    # every current response of the chosen rounds, read once as integer codes (every status: the
    # filters count discards); record content as stored, decoded only for the items rows need
    records = store.record_texts(ids)
    resp = store.response_codes(ids, with_time=bool(fmt == "dpo" and pol.edit))
    if len(resp) and records.empty:
        raise BadInput(f"the history store has responses but no record content for {', '.join(chosen['dataset'])}: "
                       "run `workbench sync` (this version of Workbench stores fields and metadata)")
    cal_ids = list(all_rounds.loc[all_rounds["kind"].isin(CALIBRATION_KINDS), "dataset_id"])
    calibration_items = frozenset(store.item_ids(dataset=cal_ids)) if cal_ids else frozenset()
    round_of = dict(zip(chosen["dataset_id"], chosen["round"].astype(int)))
    row_round = np.array([round_of[d] for d in resp.dataset_ids], dtype=np.int64)[resp.dataset]
    responses = pd.DataFrame({"item": resp.categorical("item"), "annotator": resp.categorical("annotator"),
                              "user_id": resp.categorical("user_id"), "status": resp.categorical("status"),
                              "guideline_version": resp.guideline_versions(), "round": row_round})
    # the submitted responses' answers, one row per question (store.tidy's rows, in its order)
    submitted = np.flatnonzero((np.asarray(resp.statuses, dtype=object) == "submitted")[resp.status]) \
        if len(resp) else np.zeros(0, dtype=np.int64)
    rep, questions, values = resp.spread(submitted)
    answers = pd.DataFrame({"item": resp.categorical("item", rep), "annotator": resp.categorical("annotator", rep),
                            "question": questions, "value": values, "round": row_round[rep]})
    if fmt == "dpo" and pol.edit:
        answers["time"] = resp.times(submitted).take(np.searchsorted(submitted, rep))
    records = records.assign(round=records["dataset_id"].map(round_of))
    several_rounds = bool(records["item"].duplicated().any())
    if several_rounds:  # an item answered by one annotator in two rounds: the later round's answer is current
        answers = answers.sort_values("round", kind="stable").drop_duplicates(["item", "annotator", "question"],
                                                                               keep="last")
        responses = responses.sort_values("round", kind="stable").drop_duplicates(["item", "annotator"], keep="last")

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
    items = records["item"].drop_duplicates() if len(records) else responses["item"].astype(object).drop_duplicates()
    edit_table = pd.DataFrame(columns=["item", "annotator", "value", "time"])
    if fmt == "dpo" and pol.edit:  # the edits of the annotators whose answers count
        e = answers[(answers["question"] == pol.edit) & ~answers["annotator"].isin(list(excluded))]
        edit_table = e[["item", "annotator", "value", "time"]]
    reviews = review_gold_rows(store, task)  # expert review: final labels after adjudication, before aggregation
    sel = select_items(items, responses, answers, pd.concat([gold, reviews], ignore_index=True) if len(reviews) else gold,
                       rules=rules)
    kept = sel.kept
    expert_review = _expert_review(store, task, reviews, answers, kept, rules) if len(reviews) else None
    if not len(kept):
        raise BadInput(_empty_message(task, fmt, sel.counts, len(items)))
    user_ids = _last_user_ids(responses)
    del answers, responses, resp  # (the biggest tables: what follows works on the kept items)
    content = _Content(records.sort_values("round", kind="stable") if several_rounds else records, kept.item)
    # rounds of each kept item: those of its records
    rec_row = pd.Index(kept.item).get_indexer(records["item"])
    on = rec_row >= 0
    kept_rounds = sorted_unique_csr(rec_row[on], len(kept), records["round"].to_numpy()[on])

    rows, members, format_counts = _format_rows(task, fmt, kept, content, edit_table)
    feedback = _feedback(store, task, fmt)  # production feedback the experts accepted (dpo, kto); None: no review
    if not len(rows) and not (feedback is not None and len(feedback[0])):
        raise BadInput(_empty_message(task, fmt, {**sel.counts, **format_counts}, len(items), kept=len(kept)))

    # labels and provenance of the items behind each row (a DPO pair has two)
    label_names = [q.name for q in task.questions if q.kind in ("label", "rating", "multi_label", "ranking")]

    def labels_of(pos: np.ndarray) -> dict:
        return {q: (kept.values[q][pos].tolist() if q in kept.values else [None] * len(pos)) for q in label_names}

    user_lists: dict = {}  # annotators' names -> their user ids, sorted (few distinct teams)

    def users(names: list) -> list:
        key = tuple(names)
        out = user_lists.get(key)
        if out is None:
            out = user_lists[key] = sorted(user_ids.get(a, a) for a in names)
        return out

    def provenance_of(pos: np.ndarray) -> dict:
        annotators = kept.annotator_lists(pos.tolist())
        return provenance_columns(content.metadata(pos), {
            "annotators": [users(names) for names in annotators],
            "guideline_versions": kept.guideline_version_lists(pos.tolist()),
            "rounds": csr_lists(kept_rounds, pos.tolist()),
            "n_answers": kept.n_answers[pos].tolist(), "agreement": kept.agreement[pos].tolist(),
            "adjudicated": kept.adjudicated[pos].tolist()})

    if fmt == "dpo":
        rows.columns.update(provenance_chosen=provenance_of(members[0]), provenance_rejected=provenance_of(members[1]),
                            labels_chosen=labels_of(members[0]), labels_rejected=labels_of(members[1]))
    else:
        rows.columns["provenance"] = provenance_of(members[0])
        if fmt != "labels":
            rows.columns["labels"] = labels_of(members[0])

    # the holdout: units are prompts (answers to one prompt stay together), items for labels
    first = members[0]
    if fmt == "labels":
        keys = [unit_key("item:" + i) for i in kept.item[first].tolist()]
    else:
        keys = [unit_key("prompt:" + str(f.get(pol.prompt, ""))) for f in content.fields(first)]
    first_q = decisive[0] if decisive else None
    strata = [repr(v) for v in kept.values[first_q][first].tolist()] if first_q in kept.values else \
        ["None" if first_q else ""] * len(first)
    human = np.ones(len(rows), dtype=bool)
    for pos in members:  # every item behind the row is human-written or logged
        human &= np.fromiter((is_human_written(m, pol.holdout_sources) for m in content.metadata(pos)), dtype=bool,
                             count=len(pos))
    if feedback is not None and len(feedback[0]):
        rows, keys, strata, human = _add_feedback(task, fmt, feedback[0], rows, keys, strata, human)
    strata_by_key: dict = {}
    eligible_by_key: dict = {}
    for k, s, h in zip(keys, strata, human.tolist()):
        strata_by_key.setdefault(k, s)
        eligible_by_key[k] = eligible_by_key.get(k, True) and h
    ukeys = sorted(strata_by_key)
    held = holdout_split(ukeys, [strata_by_key[k] for k in ukeys],
                         np.array([eligible_by_key[k] for k in ukeys], dtype=bool),
                         fraction=request.holdout, seed=request.seed, previous=request.previous_holdout)
    held_keys = {k for k, h in zip(ukeys, held) if h}
    in_test = np.fromiter((k in held_keys for k in keys), dtype=bool, count=len(keys))
    row_ids = np.asarray(rows.columns["id"], dtype=object)
    splits: dict[str, Rows] = {}
    for name, mask in (("train", ~in_test), ("test", in_test)):
        pos = np.flatnonzero(mask)
        if len(pos):  # ordered by id (stable: rows with equal ids keep their order)
            splits[name] = rows.take(pos[argsort_texts(row_ids[pos])].tolist())

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
        "guideline_versions": sorted(set(kept.guideline_versions[1].tolist())),
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
        **({"expert_review": expert_review} if expert_review is not None else {}),
        **({"feedback": feedback[1]} if feedback is not None else {}),
        "store_watermark": _iso(store.watermark(task.name)),
        "workbench_version": workbench_version(),
        "writer": {"pyarrow": _version("pyarrow")},
    }
    if task.coverage:  # (only then: the manifest of a task without a plan stays as it was)
        from workbench.analytics.coverage import count_values

        metas = content.metadata(first)  # the item behind each row (a DPO pair's chosen answer)
        manifest["coverage"] = [{"property": p.property, "tolerance": p.tolerance, "target": dict(p.target),
                                 "counts": count_values(metas, p.property)} for p in task.coverage]
    return ExportPlan(task=task.name, format=fmt, splits=splits, manifest=manifest, holdout_keys=sorted(held_keys))


def _expert_review(store, task: Task, reviews: pd.DataFrame, answers: pd.DataFrame, kept: KeptItems,
                   rules: SelectionRules) -> dict:
    """The manifest's ``expert_review``: the review rounds, and how many exported items an expert
    reviewed and how many of those the review changed (the expert's answer differs from the
    annotators' aggregate on a decisive question)."""
    from workbench.analytics.final_labels import final_labels
    from workbench.analytics.review_sample import review_changes
    from workbench.review_store import review_task

    decisive = set(rules.decisive)
    rev = reviews[reviews["item"].isin(set(kept.item.tolist())) & reviews["question"].isin(decisive)]
    changes = review_changes(rev, pd.DataFrame(columns=["item", "question", "value"]))
    if len(rev):
        a = answers[answers["question"].isin(decisive).to_numpy()
                    & ~answers["annotator"].isin(list(rules.excluded_annotators)).to_numpy()]
        if rules.aggregation != "dawid-skene":  # (Dawid-Skene is fitted on every item, as in the export)
            a = a[a["item"].isin(set(rev["item"])).to_numpy()]
        a = a[["item", "annotator", "question", "value"]].astype({"item": object, "annotator": object,
                                                                   "question": object})
        changes = review_changes(rev, final_labels(a, rules.kinds, None, aggregation=rules.aggregation, tie=rules.tie,
                                                   orders=rules.orders, seed=rules.seed))
    return {"rounds": list(store.rounds(review_task(task.name))["dataset"]), **changes.to_dict(),
            "rule": "an expert's answer in a review round is the final label, after adjudicated gold and before "
                    "aggregation"}


def _feedback(store, task: Task, fmt: str) -> tuple[FeedbackRows, dict] | None:
    """The rows of the production feedback the task's experts accepted in its feedback review
    datasets of ``fmt`` (docs/feedback.md), and the manifest's ``feedback`` section; None (nothing
    read beyond the rounds table) when the task has no such dataset or ``fmt`` is not dpo/kto."""
    reviewed = reviewed_feedback(store, task.name, fmt)
    if reviewed is None:
        return None
    answers = reviewed.answers.assign(annotator=reviewed.answers["user_id"].fillna(reviewed.answers["annotator"]))
    fb = feedback_rows(fmt, reviewed.records, answers)
    c = fb.counts
    return fb, {"datasets": reviewed.datasets, "question": reviewed.question, "records": c["records"],
                "reviewed": c["reviewed"], "accepted": c["accepted"], "rejected": c["rejected"], "unsure": c["unsure"],
                "unreviewed_left_out": c["unreviewed"], "rows": len(fb),
                "rule": "a feedback record is exported when every expert who reviewed it answered yes; rejected, "
                        "unsure and unreviewed records are left out"}


def _add_feedback(task: Task, fmt: str, fb: FeedbackRows, rows: Rows, keys: list, strata: list,
                  human: np.ndarray) -> tuple[Rows, list, list, np.ndarray]:
    """``rows`` followed by the accepted feedback rows (no task labels; provenance: source
    ``feedback``, generator the model version, annotators the experts who accepted it), with their
    holdout units (the prompt, as the task's rows), stratum and eligibility."""
    n = len(fb)
    prov = provenance_columns(fb.metadata, {"annotators": fb.experts, "guideline_versions": [[]] * n,
                                            "rounds": [[]] * n, "n_answers": [len(e) for e in fb.experts],
                                            "agreement": [None] * n, "adjudicated": [False] * n})
    columns = dict(fb.columns)
    if fmt == "dpo":
        columns.update(provenance_chosen=prov, provenance_rejected=prov)
    else:
        columns["provenance"] = prov
    eligible = np.fromiter((is_human_written(m, task.export.holdout_sources) for m in fb.metadata), dtype=bool, count=n)
    return (rows.concat(Rows(columns, n)), list(keys) + [unit_key("prompt:" + p) for p in fb.prompts],
            list(strata) + ["'feedback'"] * n, np.concatenate([human, eligible]))


def _last_user_ids(responses: pd.DataFrame) -> dict:
    """Annotator -> the user id of their last response in ``responses`` (categorical columns)."""
    ann, uid = responses["annotator"].array, responses["user_id"].array
    codes, ucodes = np.asarray(ann.codes, dtype=np.int64), np.asarray(uid.codes, dtype=np.int64)
    if not len(codes):
        return {}
    present, first_reversed = np.unique(codes[::-1], return_index=True)
    last = len(codes) - 1 - first_reversed
    return {ann.categories[a]: uid.categories[ucodes[i]] for a, i in zip(present.tolist(), last.tolist())}


class _Content:
    """Fields and metadata of the kept items (the last record of each item in ``records`` wins:
    the latest round's), each decoded once, when a row first needs it."""

    def __init__(self, records: pd.DataFrame, items: np.ndarray):
        rec_items = records["item"].to_numpy(dtype=object)
        codes, uniques = pd.factorize(rec_items)
        present, first_reversed = np.unique(codes[::-1], return_index=True)
        last = np.full(len(uniques), -1, dtype=np.int64)
        last[present] = len(codes) - 1 - first_reversed
        where = pd.Index(uniques).get_indexer(items)
        self._record = np.where(where >= 0, last[np.maximum(where, 0)], -1)
        self._texts = {c: records[c].to_numpy(dtype=object) for c in ("fields", "metadata")}
        self._decoded = {c: np.empty(len(items), dtype=object) for c in self._texts}
        self._done = {c: np.zeros(len(items), dtype=bool) for c in self._texts}

    def _get(self, column: str, pos: np.ndarray) -> list[dict]:
        pos = np.asarray(pos, dtype=np.int64)
        need = np.unique(pos[~self._done[column][pos]])
        if len(need):
            texts = self._texts[column]
            decoded = self._decoded[column]
            for i, value in zip(need.tolist(), decode_objects(texts[r] if r >= 0 else "{}"
                                                              for r in self._record[need].tolist())):
                decoded[i] = value
            self._done[column][need] = True
        return self._decoded[column][pos].tolist()

    def fields(self, pos: np.ndarray) -> list[dict]:
        return self._get("fields", pos)

    def metadata(self, pos: np.ndarray) -> list[dict]:
        return self._get("metadata", pos)


_DPO_COLUMNS = ("id", "chosen_id", "rejected_id", "prompt", "chosen", "rejected", "score_chosen", "score_rejected")


def _format_rows(task: Task, fmt: str, kept: KeptItems, content: _Content,
                 edit_table: pd.DataFrame) -> tuple[Rows, list[np.ndarray], dict]:
    """The rows of ``fmt`` (training_formats' rules, as columns), the kept items behind each row
    (one position array per member: two for DPO pairs, chosen then rejected) and the counts of
    what the format left out."""
    pol = task.export
    n = len(kept)
    every = np.arange(n)
    counts: dict = {}
    if fmt in ("sft", "kto"):
        accepted = accepted_mask(kept.values, n, pol.accept)
        pos = np.flatnonzero(accepted) if fmt == "sft" else every
        fields = content.fields(pos)
        prompts = [f.get(pol.prompt, "") for f in fields]
        completions = [f.get(pol.completion, "") for f in fields]
        if fmt == "sft":
            if n - len(pos):
                counts["not-accepted"] = int(n - len(pos))
            messages = [(("user", str(p)), ("assistant", str(c))) for p, c in zip(prompts, completions)]
            return Rows({"id": kept.item[pos].tolist(), "messages": messages}, len(pos)), [pos], counts
        return Rows({"id": kept.item.tolist(), "prompt": turns("user", prompts),
                     "completion": turns("assistant", completions), "label": accepted.tolist()}, n), [every], counts
    if fmt == "labels":
        fields = content.fields(every)
        label_columns: dict = {"id": kept.item.tolist()}
        label_columns.update({f.name: [x.get(f.name) for x in fields] for f in task.fields})
        label_columns["labels"] = {q: kept.values[q].tolist() for q in kept.values}
        label_columns["confidence"] = {q: [None if c != c else c for c in kept.confidence[q].tolist()]
                                       for q in kept.confidence}
        return Rows(label_columns, n), [every], counts
    # dpo: pairs from a ranking or from ratings, then pairs from edits
    columns: dict = {c: [] for c in _DPO_COLUMNS}
    chosen: list = []
    rejected: list = []

    def add(ids, chosen_pos, rejected_pos, prompts, chosen_texts, rejected_texts, score_chosen, score_rejected):
        columns["id"] += ids
        columns["chosen_id"] += kept.item[np.asarray(chosen_pos, dtype=np.int64)].tolist()
        columns["rejected_id"] += kept.item[np.asarray(rejected_pos, dtype=np.int64)].tolist()
        columns["prompt"] += turns("user", prompts)
        columns["chosen"] += turns("assistant", chosen_texts)
        columns["rejected"] += turns("assistant", rejected_texts)
        columns["score_chosen"] += score_chosen
        columns["score_rejected"] += score_rejected
        chosen.extend(chosen_pos)
        rejected.extend(rejected_pos)

    if pol.rank_by and task.question(pol.rank_by).kind == "ranking":
        fields = content.fields(every)
        rank_accepted = accepted_mask(kept.values, n, pol.accept) if pol.accept else None
        ranking = kept.values.get(pol.rank_by)
        no_pair = {"single-answer": 0, "chosen-not-accepted": 0}
        take = []
        for i, (item, f) in enumerate(zip(kept.item.tolist(), fields)):
            order = (ranking[i] if ranking is not None else None) or []
            if len(order) < 2 or f.get(order[0]) == f.get(order[-1]):
                no_pair["single-answer"] += 1
            elif rank_accepted is not None and not rank_accepted[i]:
                no_pair["chosen-not-accepted"] += 1
            else:
                take.append((i, f"{item}:{order[0]}>{order[-1]}", f.get(pol.prompt, ""), f.get(order[0], ""),
                             f.get(order[-1], "")))
        add([t[1] for t in take], [t[0] for t in take], [t[0] for t in take], [t[2] for t in take],
            [t[3] for t in take], [t[4] for t in take], [None] * len(take), [None] * len(take))
        counts.update({f"no-pair:{k}": v for k, v in no_pair.items() if v})
    elif pol.rank_by:
        fields = content.fields(every)
        completions = [f.get(pol.completion, "") for f in fields]
        rating = kept.values[pol.rank_by].tolist() if pol.rank_by in kept.values else [None] * n
        pairs = dpo_pairs(kept.item, [f.get(pol.prompt, "") for f in fields], completions, rating,
                          accepted_mask(kept.values, n, pol.accept), min_margin=pol.min_margin)
        ids = [f"{b}>{w}" for b, w in zip(kept.item[np.asarray(pairs.chosen, dtype=np.int64)].tolist(),
                                           kept.item[np.asarray(pairs.rejected, dtype=np.int64)].tolist())]
        add(ids, pairs.chosen, pairs.rejected, pairs.prompt, [completions[b] for b in pairs.chosen],
            [completions[w] for w in pairs.rejected], pairs.score_chosen, pairs.score_rejected)
        counts.update({f"no-pair:{k}": v for k, v in pairs.counts.items()})
    if pol.edit:
        fields = content.fields(every)
        edit_answers = edit_table[edit_table["item"].isin(set(kept.item.tolist()))]
        originals = {i: f.get(pol.completion, "") for i, f in zip(kept.item.tolist(), fields)}
        edits, skipped = choose_edits(edit_answers, originals)
        edited = [i for i, item in enumerate(kept.item.tolist()) if item in edits]
        add([f"{kept.item[i]}:edit" for i in edited], edited, edited, [fields[i].get(pol.prompt, "") for i in edited],
            [edits[kept.item[i]] for i in edited], [fields[i].get(pol.completion, "") for i in edited],
            [None] * len(edited), [None] * len(edited))
        counts.update({f"edit-left-out:{k}": v for k, v in skipped.items()})
    return (Rows(columns, len(columns["id"])),
            [np.asarray(chosen, dtype=np.int64), np.asarray(rejected, dtype=np.int64)], counts)


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

