"""Push feedback seeds to an Argilla review dataset of the task, so domain experts check them
before any training: does the user's edit really improve the answer? is the thumb about the
answer itself?

The dataset is ``<task>-feedback-<kind>`` (``dpo`` or ``kto``) in the task's review workspace
``<task>-review`` (the experts' workspace of :mod:`workbench.review`; annotators are not members
of it). Each seed row becomes one record:

* fields ``prompt``, ``output`` (the model's answer) and, for ``dpo``, ``edit`` (the user's edit);
* one label question, ``edit_improves`` (dpo) or ``thumb_about_answer`` (kto), with the labels
  ``yes``, ``no``, ``unsure``, and an optional ``note`` text question;
* metadata ``model_version``, ``source``, and ``edit_tokens`` (dpo) or ``thumb`` (kto: up/down);
  hidden from the reviewers: ``source_id`` and ``interaction_source_id`` (the source's own ids of
  the signal and of the model's answer, for the export's provenance);
* id: the seed row's id (a content id of the source's signal id), so pushing again sends only
  what is new (the dataset's ids are read first; nothing is upserted).

With a history store, the dataset is recorded as a round of the task key ``<task>-feedback``
(:func:`feedback_task`; kind ``feedback-dpo`` or ``feedback-kto``, workspace ``<task>-review``),
so ``workbench sync`` copies the experts' answers like any round's, and ``workbench export TASK
--format dpo|kto`` adds the records the experts accepted (:func:`reviewed_feedback` reads them
back; the rule is :func:`workbench.analytics.training_formats.feedback_rows`). A separate key
keeps the task's own figures and its expert review rounds (``<task>-review``) free of them.

All texts were redacted at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from workbench.errors import BadInput

BATCH_SIZE = 100
REVIEW_KINDS = ("dpo", "kto")
LABELS = ("yes", "no", "unsure")
QUESTIONS = {
    "dpo": ("edit_improves", "Does the user's edit really improve the answer?"),
    "kto": ("thumb_about_answer", "Is the user's thumb about the answer itself (not the product, the latency, ...)?"),
}
GUIDELINES = {
    "dpo": ("Production feedback: a user edited the model's answer. Compare the edit with the model's output. "
            "Answer **yes** when the edit is a better answer to the prompt (more correct, safer, clearer), **no** "
            "when it is worse or only different, **unsure** when you cannot tell. Only pairs answered yes should "
            "train the model."),
    "kto": ("Production feedback: a user gave the model's answer a thumb up or down (metadata `thumb`). Answer "
            "**yes** when the thumb judges the answer itself, **no** when it is about something else (speed, the "
            "product, a misunderstanding), **unsure** when you cannot tell."),
}


def dataset_name(task: str, kind: str) -> str:
    return f"{task}-feedback-{kind}"


def workspace_name(task: str) -> str:
    return f"{task}-review"


def feedback_task(task: str) -> str:
    """The history store's task key of ``task``'s feedback review datasets: ``<task>-feedback``."""
    return f"{task}-feedback"


def round_kind(kind: str) -> str:
    """The round kind a feedback review dataset is recorded with: ``feedback-dpo``, ``feedback-kto``."""
    return f"feedback-{kind}"


#: Metadata the export needs and the reviewers do not.
HIDDEN_METADATA = ("source_id", "interaction_source_id")


def settings(kind: str, client=None):
    import argilla as rg

    if kind not in REVIEW_KINDS:
        raise BadInput(f"--push: only --kind dpo or kto is reviewed in Argilla, not {kind!r} (prompts go to "
                       "`workbench candidates ingest`)")
    fields = [rg.TextField(name="prompt", title="Prompt", client=client),
              rg.TextField(name="output", title="Model's answer", client=client)]
    if kind == "dpo":
        fields.append(rg.TextField(name="edit", title="User's edit", client=client))
    qname, qtitle = QUESTIONS[kind]
    meta = [rg.TermsMetadataProperty(name="model_version", title="Model version", client=client),
            rg.TermsMetadataProperty(name="source", title="Source", client=client)]
    if kind == "dpo":
        meta.append(rg.IntegerMetadataProperty(name="edit_tokens", title="Edit size (tokens)", client=client))
    else:
        meta.append(rg.TermsMetadataProperty(name="thumb", title="Thumb", options=["up", "down"], client=client))
    meta += [rg.TermsMetadataProperty(name=n, title=n.replace("_", " ").capitalize(), visible_for_annotators=False,
                                      client=client) for n in HIDDEN_METADATA]
    return rg.Settings(
        fields=fields,
        questions=[rg.LabelQuestion(name=qname, title=qtitle, labels=list(LABELS), client=client),
                   rg.TextQuestion(name="note", title="Note (optional)", required=False, client=client)],
        metadata=meta, guidelines=GUIDELINES[kind], distribution=rg.TaskDistribution(min_submitted=1),
    )


def record_content(kind: str, row: dict) -> tuple[dict, dict]:
    """(fields, metadata) of a seed row."""
    fields = {"prompt": row["prompt"][0]["content"]}
    meta = {"source": row.get("source"), **{n: row.get(n) for n in HIDDEN_METADATA}}
    if row.get("model_version"):
        meta["model_version"] = row["model_version"]
    if kind == "dpo":
        fields["output"] = row["rejected"][0]["content"]
        fields["edit"] = row["chosen"][0]["content"]
        meta["edit_tokens"] = int(row["edit_tokens"])
    else:
        fields["output"] = row["completion"][0]["content"]
        meta["thumb"] = "up" if row["label"] else "down"
    return fields, {k: v for k, v in meta.items() if v is not None}


@dataclass
class PushReport:
    dataset: str
    workspace: str
    created: bool
    rows: int
    sent: int
    round: int | None = None  # the round number under the store key ``key`` (<task>-feedback), when recorded
    key: str | None = None

    def summary(self) -> str:
        already = self.rows - self.sent
        return (f"{self.sent} record{'s' if self.sent != 1 else ''} pushed for review to {self.workspace}/{self.dataset}"
                f"{' (created)' if self.created else ''}; {already} already there"
                + (f"; recorded as round {self.round} of {self.key} in the history store (`workbench sync` brings "
                   "the experts' answers in)" if self.round is not None else ""))


def check_task_key(task: str, known: Sequence[str]) -> None:
    """BadInput when a task of the project is named like ``task``'s feedback key."""
    key = feedback_task(task)
    if key in known:
        raise BadInput(f"task {task!r}: a task named {key!r} exists in the project, but {key!r} is the history "
                       "store key of this task's feedback reviews: rename that task")


def push_review(cl, task: str, kind: str, rows: Sequence[dict], *, store=None) -> PushReport:
    """Send the seed ``rows`` of ``kind`` that the review dataset does not hold yet; with ``store``
    (a :class:`~workbench.store.HistoryStore`), record the dataset as a round of
    :func:`feedback_task` (idempotent), so that ``workbench sync`` reads its answers."""
    import argilla as rg

    from workbench import argilla_client

    cfg = settings(kind, client=cl)
    name, ws = dataset_name(task, kind), workspace_name(task)
    ds, created = argilla_client.ensure_dataset(cl, name, ws, cfg)
    have = set() if created else {str(r.id) for r in ds.records(batch_size=500)}
    known = {m.name for m in ds.settings.metadata}  # (a dataset made before a property was added lacks it)
    todo = [r for r in rows if r["id"] not in have]
    for start in range(0, len(todo), BATCH_SIZE):
        batch = []
        for r in todo[start:start + BATCH_SIZE]:
            fields, meta = record_content(kind, r)
            batch.append(rg.Record(id=r["id"], fields=fields, metadata={k: v for k, v in meta.items() if k in known}))
        ds.records.log(batch)
    number = key = None
    if store is not None:
        key = feedback_task(task)
        rounds = store.rounds(key)
        mine = rounds[rounds["dataset"] == name]
        number = int(mine["round"].iloc[0]) if len(mine) else (int(rounds["round"].max()) + 1 if len(rounds) else 1)
        # guideline_version 0: the dataset carries its own fixed review guidelines, not a task version
        store.record_round(task=key, round=number, kind=round_kind(kind), dataset=name, workspace=ws,
                           dataset_id=str(ds.id), guideline_version=0)
    return PushReport(name, ws, created, len(rows), len(todo), number, key)


# --------------------------------------------------------------------------------------------
# Reading the reviews back (after `workbench sync`)
# --------------------------------------------------------------------------------------------


@dataclass
class ReviewedFeedback:
    """The synced feedback review datasets of one kind: ``datasets`` (names), ``question`` (the
    review question), ``records`` (``item, fields, metadata``: the latest synced content of each
    record) and ``answers`` (``item, annotator, user_id, value, time``: the experts' current
    submitted answers to the question)."""

    kind: str
    datasets: list
    question: str
    records: pd.DataFrame
    answers: pd.DataFrame


def reviewed_feedback(store, task: str, kind: str) -> ReviewedFeedback | None:
    """What the history store holds of ``task``'s feedback reviews of ``kind`` (``dpo``/``kto``);
    None, having read nothing but the rounds table, when there is no such round."""
    if kind not in REVIEW_KINDS:
        return None
    rounds = store.rounds(feedback_task(task))
    rounds = rounds[rounds["kind"] == round_kind(kind)]
    if rounds.empty:
        return None
    ids = list(rounds["dataset_id"])
    question = QUESTIONS[kind][0]
    recs = store.records(dataset=ids)
    recs = recs.sort_values(["synced_at", "item"], kind="stable").drop_duplicates("item", keep="last")
    recs = recs.sort_values("item", kind="stable")[["item", "fields", "metadata"]].reset_index(drop=True)
    answers = store.tidy(dataset=ids, question=question, extra_columns=("user_id",))
    answers = answers[["item", "annotator", "user_id", "value", "time"]].reset_index(drop=True)
    return ReviewedFeedback(kind, list(rounds["dataset"]), question, recs, answers)
