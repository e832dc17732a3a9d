"""Expert review rounds as the history store holds them: where they are recorded, and what they say.

A task's review rounds (:mod:`workbench.review` creates them) are recorded in the store under the
task key ``<task>-review`` (:func:`review_task`), also the name of their Argilla workspace. This
module reads them back (layer 2: the store and the core only, so the gate can use it):
:func:`review_answers` (the experts' current answer per item and question), :func:`sampled_for`
(which annotators each reviewed item was drawn for), :func:`production_answers` (the annotators'
answers under review), :func:`accuracy_for_task` (each annotator's accuracy against expert
review, with Wilson's interval) and :func:`review_gold_rows` (the experts' answers as rows of kind
``review`` for the export's final labels).
"""

from __future__ import annotations

import pandas as pd

from workbench.analytics import review_sample as core
from workbench.tasks import Task

REVIEW_KIND = "review"
SAMPLED_FOR = "review_for"
#: Question kinds whose expert answer can become a final label in an export.
FINAL_KINDS = ("label", "multi_label", "rating")


def review_task(task: str) -> str:
    """The store's task key and the Argilla workspace of ``task``'s review rounds: ``<task>-review``."""
    return f"{task}-{REVIEW_KIND}"


def production_ids(store, task: str) -> list[str]:
    """The Argilla dataset ids of ``task``'s production rounds, as the store records them."""
    rounds = store.rounds(task)
    return list(rounds.loc[rounds["kind"] == "production", "dataset_id"])


def production_answers(store, task: Task) -> pd.DataFrame:
    """Submitted answers of the task's production rounds, gold items left out (tidy; the latest
    round's answer when an item was in two)."""
    ids = production_ids(store, task.name)
    if not ids:
        return pd.DataFrame(columns=["item", "annotator", "question", "value", "round"])
    tidy = store.tidy(task=task.name, dataset=ids)
    gold = store.gold(task.name)
    if len(gold):
        tidy = tidy[~tidy["item"].isin(set(gold.loc[gold["kind"] == "expert", "item"]))]
    tidy = tidy.sort_values("round", kind="stable").drop_duplicates(["item", "annotator", "question"], keep="last")
    return tidy.reset_index(drop=True)


# --------------------------------------------------------------------------------------------


def review_answers(store, task: str) -> pd.DataFrame:
    """The experts' current answers: ``item, question, value, expert, time`` - per item and question
    the latest submitted one over the task's review rounds."""
    tidy = store.tidy(task=review_task(task))
    if tidy.empty:
        return pd.DataFrame(columns=["item", "question", "value", "expert", "time"])
    tidy = tidy[tidy["value"].map(lambda v: v is not None)]
    tidy = tidy.sort_values(["time", "round"], kind="stable").drop_duplicates(["item", "question"], keep="last")
    return tidy.rename(columns={"annotator": "expert"})[["item", "question", "value", "expert", "time"]] \
        .reset_index(drop=True)


def sampled_for(store, task: str) -> pd.DataFrame:
    """``item, annotator``: the annotators each reviewed item was drawn for (``review_for``)."""
    recs = store.records(task=review_task(task))
    rows = [(item, str(a)) for item, meta in zip(recs["item"], recs["metadata"])
            for a in ((meta or {}).get(SAMPLED_FOR) or [])]
    return pd.DataFrame(rows, columns=["item", "annotator"]).drop_duplicates().reset_index(drop=True)


def accuracy_for_task(store, task: Task, *, confidence: float = 0.95) -> pd.DataFrame:
    """Each annotator's accuracy against expert review, per question with an agreement level
    (:func:`workbench.analytics.review_sample.review_accuracy`); empty without reviews."""
    reviews = review_answers(store, task.name)
    if reviews.empty:
        return pd.DataFrame(columns=list(core.ACCURACY_COLUMNS))
    wanted = {q.name for q in task.questions if q.has_agreement}
    reviews = reviews[reviews["question"].isin(wanted)]
    return core.review_accuracy(reviews, production_answers(store, task), sampled_for(store, task.name),
                                confidence=confidence)


def review_gold_rows(store, task: Task) -> pd.DataFrame:
    """The experts' answers to label, multi-label and rating questions as gold-like rows
    (``item, question, value, set_by, set_at, kind="review"``) for the export's final labels;
    empty (and nothing read beyond the rounds table) when the task has no review round."""
    cols = ["item", "question", "value", "set_by", "set_at", "kind"]
    if store.rounds(review_task(task.name)).empty:
        return pd.DataFrame(columns=cols)
    rev = review_answers(store, task.name)
    kinds = {q.name: q.kind for q in task.questions}
    rev = rev[rev["question"].map(kinds).isin(FINAL_KINDS)]
    return pd.DataFrame({"item": rev["item"].to_numpy(dtype=object), "question": rev["question"].to_numpy(dtype=object),
                         "value": pd.Series(list(rev["value"]), dtype=object), "set_by": rev["expert"].to_numpy(dtype=object),
                         "set_at": rev["time"].to_numpy(), "kind": "review"})[cols]
