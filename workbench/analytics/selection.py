"""Which labelled items go into a training export, with their final labels, and why the rest stay out.

:func:`select_items` takes a task's production items, the annotators' responses and answers on
them, and the gold, and returns a :class:`Selection`: the items kept with their final labels
(:func:`workbench.analytics.final_labels.final_labels`), and every item left out with the first
reason that applies, in this order:

====================  ============================================================================
reason                the item ...
====================  ============================================================================
calibration-item      was in a calibration round: it measures annotators and is never trained on
gold-item             has an expert's gold answer: gold items measure annotators in production
discarded             was discarded by at least as many annotators as submitted it
not-answered          has no submitted response yet
excluded-answers      has submitted answers, but only from excluded annotators (a failed gate, an
                      open drift alarm) or under superseded guideline versions
too-few-answers       has fewer usable submitted responses than the task's ``min_answers``
no-final-label        a decisive question has no final value: ``tie`` (the most frequent answers
                      tied and the tie rule is ``drop``) or ``unanswered``
low-agreement         a decisive question's final value has confidence (agreement on the item)
                      below ``min_item_agreement``
====================  ============================================================================

The counts say how many items each reason removed (``no-final-label`` and ``low-agreement`` also
per question), so an export can say which filter removed what.

>>> import pandas as pd
>>> items = pd.Series(["a", "b", "c"])
>>> responses = pd.DataFrame({"item": ["a", "a", "b"], "annotator": ["x", "y", "x"],
...                           "status": ["submitted", "submitted", "discarded"], "guideline_version": [1, 1, 1]})
>>> answers = pd.DataFrame({"item": ["a", "a"], "annotator": ["x", "y"], "question": ["q", "q"],
...                         "value": ["yes", "yes"]})
>>> sel = select_items(items, responses, answers, rules=SelectionRules(kinds={"q": "label"}, decisive=("q",)))
>>> sel.items[["item", "agreement"]].to_dict("records"), sel.counts
([{'item': 'a', 'agreement': 1.0}], {'discarded': 1, 'not-answered': 1})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.analytics.final_labels import final_labels
from workbench.errors import BadInput

REASONS = ("calibration-item", "gold-item", "discarded", "not-answered", "excluded-answers", "too-few-answers",
           "no-final-label", "low-agreement")


@dataclass(frozen=True)
class SelectionRules:
    """The task's export rules (see the module docstring).

    ``kinds``/``orders``: question kinds and answer orders (for the tie rule); ``decisive``: the
    questions whose final value an item needs (those the training format reads).
    """

    kinds: Mapping[str, str]
    decisive: tuple[str, ...] = ()
    orders: Mapping[str, Sequence] = field(default_factory=dict)
    aggregation: str = "majority"
    tie: str | Mapping[str, str] = "drop"
    min_answers: int = 1
    min_item_agreement: float = 0.0
    excluded_annotators: frozenset = frozenset()
    superseded_guidelines: frozenset = frozenset()
    calibration_items: frozenset = frozenset()
    seed: int = 0

    def __post_init__(self):
        unknown = [q for q in self.decisive if q not in self.kinds]
        if unknown:
            raise BadInput(f"decisive: {unknown!r} are not questions of the task ({', '.join(self.kinds)})")
        if not 0 <= self.min_item_agreement <= 1:
            raise BadInput(f"min_item_agreement: must be within [0, 1]; got {self.min_item_agreement!r}")
        if self.min_answers < 1:
            raise BadInput(f"min_answers: must be at least 1; got {self.min_answers!r}")


@dataclass
class Selection:
    """What :func:`select_items` kept and left out.

    ``items``: one row per kept item (``item, labels, confidence, agreement, n_answers,
    annotators, guideline_versions, adjudicated``), ordered by item. ``labels``/``confidence``
    are dicts question -> final value / its confidence; ``agreement`` is the lowest confidence
    over the decisive questions (1.0 when there are none). ``left_out``: ``item, reason,
    question``. ``counts``: reason (``reason:question`` for per-question reasons too) -> items.
    """

    items: pd.DataFrame
    left_out: pd.DataFrame
    counts: dict


def sorted_unique_lists(keys: np.ndarray, values: np.ndarray) -> dict:
    """key -> sorted list of its distinct values, with integer codes and one ``numpy.unique``
    (no per-group Python lambda, no sort of strings).

    >>> sorted_unique_lists(np.array(["b", "a", "b", "b"]), np.array([2, 1, 1, 2]))
    {'b': [1, 2], 'a': [1]}
    """
    if len(keys) == 0:
        return {}
    kc, ku = pd.factorize(pd.Series(keys, copy=False), sort=False)
    vc, vu = pd.factorize(pd.Series(values, copy=False), sort=True)
    width = max(len(vu), 1)
    pairs = np.unique(kc.astype(np.int64) * width + vc)
    k, v = pairs // width, pairs % width
    cuts = np.flatnonzero(k[1:] != k[:-1]) + 1
    starts = np.concatenate([[0], cuts])
    plain = [x.item() if isinstance(x, np.generic) else x for x in vu]
    keys_plain = list(ku)
    return {keys_plain[k[s]]: [plain[j] for j in chunk.tolist()] for s, chunk in zip(starts, np.split(v, cuts))}


def select_items(items: Sequence[str] | pd.Series, responses: pd.DataFrame, answers: pd.DataFrame,
                 gold: pd.DataFrame | None = None, *, rules: SelectionRules) -> Selection:
    """Final labels of the items that pass the task's rules; the others with their reason.

    Parameters
    ----------
    items : sequence of str
        The items of the rounds being exported.
    responses : pandas.DataFrame
        One row per current response: ``item, annotator, status, guideline_version``.
    answers : pandas.DataFrame
        Tidy answers of the submitted responses: ``item, annotator, question, value``.
    gold : pandas.DataFrame, optional
        Gold rows (``item, question, value, kind``): expert gold marks gold items, adjudicated
        answers are final values.
    rules : SelectionRules

    Every filter works on integer codes (item positions, annotator codes) with ``numpy.bincount``
    and ``numpy.isin``: a million responses are filtered without hashing a string twice.
    """
    items = pd.Index(pd.unique(pd.Series(list(items), dtype=object)))
    n = len(items)
    gold = gold if gold is not None else pd.DataFrame(columns=["item", "question", "value", "kind"])
    reason = np.full(n, -1, dtype=np.int64)  # index into REASONS, -1 while the item is kept
    question_of = np.full(n, "", dtype=object)

    def drop(mask: np.ndarray, why: str, question: str = "") -> np.ndarray:
        hit = mask & (reason < 0)
        reason[hit] = REASONS.index(why)
        question_of[hit] = question
        return hit

    drop(items.isin(list(rules.calibration_items)), "calibration-item")
    drop(items.isin(gold.loc[gold["kind"] == "expert", "item"].unique()), "gold-item")

    r_item = items.get_indexer(responses["item"])
    known = r_item >= 0
    status = responses["status"].to_numpy()
    submitted = known & (status == "submitted")
    n_sub = np.bincount(r_item[submitted], minlength=n)
    n_dis = np.bincount(r_item[known & (status == "discarded")], minlength=n)
    drop((n_dis > 0) & (n_dis >= n_sub), "discarded")
    drop(n_sub == 0, "not-answered")

    usable = submitted.copy()
    if rules.excluded_annotators:
        usable &= ~responses["annotator"].isin(list(rules.excluded_annotators)).to_numpy()
    if rules.superseded_guidelines:
        usable &= ~responses["guideline_version"].isin(list(rules.superseded_guidelines)).to_numpy()
    n_use = np.bincount(r_item[usable], minlength=n)
    drop(n_use == 0, "excluded-answers")
    drop(n_use < rules.min_answers, "too-few-answers")
    usable &= known
    usable[known] &= reason[r_item[known]] < 0

    # the answers of the usable responses of the items still in: (item, annotator) codes
    a_item = items.get_indexer(answers["item"])
    both = pd.concat([responses["annotator"], answers["annotator"]], ignore_index=True)
    ann_codes, ann_names = pd.factorize(both, sort=False)
    width = max(len(ann_names), 1)
    r_pair = r_item.astype(np.int64) * width + ann_codes[:len(responses)]
    a_pair = a_item.astype(np.int64) * width + ann_codes[len(responses):]
    take = (a_item >= 0) & np.isin(a_pair, r_pair[usable])
    ans = answers.loc[take, ["item", "annotator", "question", "value"]]
    final = final_labels(ans, rules.kinds, gold, aggregation=rules.aggregation, tie=rules.tie, orders=rules.orders,
                         seed=rules.seed)
    f_item = items.get_indexer(final["item"])
    final = final[(f_item >= 0)]
    f_item = f_item[f_item >= 0]
    final = final[reason[f_item] < 0]
    f_item = f_item[reason[f_item] < 0]

    counts_extra: dict[str, int] = {}
    for q in rules.decisive:
        at = (final["question"] == q).to_numpy()
        has = np.zeros(n, dtype=bool)
        tie = np.zeros(n, dtype=bool)
        has[f_item[at]] = ~pd.isna(final["value"].to_numpy()[at])
        tie[f_item[at]] = final["tie"].to_numpy(dtype=bool)[at]
        hit = drop(~has, "no-final-label", q)
        if hit.any():
            counts_extra[f"no-final-label:{q}:tie"] = int((hit & tie).sum())
            counts_extra[f"no-final-label:{q}:unanswered"] = int((hit & ~tie).sum())
    for q in rules.decisive:
        at = (final["question"] == q).to_numpy()
        conf = np.full(n, np.nan)
        conf[f_item[at]] = final["confidence"].to_numpy(dtype=float)[at]
        hit = drop(conf < rules.min_item_agreement, "low-agreement", q)
        if hit.any():
            counts_extra[f"low-agreement:{q}"] = int(hit.sum())

    alive = reason < 0
    keep_final = alive[f_item]
    kept = _kept_table(items, alive, final[keep_final], f_item[keep_final], r_item[usable & alive[np.maximum(r_item, 0)]],
                       responses.loc[usable & alive[np.maximum(r_item, 0)]], rules)
    out = np.flatnonzero(~alive)
    left_out = pd.DataFrame({"item": items[out].to_numpy(dtype=object), "reason": [REASONS[r] for r in reason[out]],
                             "question": question_of[out]})
    counts = {r: int(c) for r, c in zip(REASONS, np.bincount(reason[~alive], minlength=len(REASONS))) if c}
    counts.update({k: v for k, v in counts_extra.items() if v})
    return Selection(items=kept, left_out=left_out, counts=counts)


def _kept_table(items: pd.Index, alive: np.ndarray, final: pd.DataFrame, f_item: np.ndarray, u_item: np.ndarray,
                usable: pd.DataFrame, rules: SelectionRules) -> pd.DataFrame:
    """One row per kept item (ordered by item) with its labels, confidences and who answered."""
    kept_pos = np.flatnonzero(alive)
    names = items[kept_pos].to_numpy(dtype=object)
    order = np.argsort(names, kind="stable")
    kept_pos, names = kept_pos[order], names[order]
    row_of = np.full(len(items), -1, dtype=np.int64)
    row_of[kept_pos] = np.arange(len(kept_pos))
    m = len(kept_pos)
    labels: list = [{} for _ in range(m)]
    conf: list = [{} for _ in range(m)]
    adjudicated = np.zeros(m, dtype=bool)
    use = ~final["question"].map(lambda q: rules.kinds.get(q) in ("text", "span")).to_numpy(dtype=bool)
    rows = row_of[f_item[use]]
    sub = final[use]
    for r, q, v, c in zip(rows.tolist(), sub["question"].tolist(), sub["value"].tolist(),
                          sub["confidence"].to_numpy(dtype=float).tolist()):
        labels[r][q] = v
        conf[r][q] = None if c != c else c  # NaN -> None
    adjudicated[rows[(sub["method"] == "adjudicated").to_numpy()]] = True
    u_rows = row_of[u_item]
    annotators = sorted_unique_lists(u_rows, usable["annotator"].to_numpy())
    versions = sorted_unique_lists(u_rows, usable["guideline_version"].astype("float").fillna(-1).astype(int)
                                   .to_numpy())
    n_answers = np.bincount(u_rows, minlength=m) if m else np.zeros(0, dtype=np.int64)
    decisive = rules.decisive
    agreement = [min([c[q] for q in decisive if c.get(q) is not None], default=1.0) for c in conf]
    return pd.DataFrame({
        "item": list(names),
        "labels": labels,
        "confidence": conf,
        "agreement": agreement,
        "n_answers": n_answers.astype(np.int64),
        "annotators": [annotators.get(i, []) for i in range(m)],
        "guideline_versions": [[v for v in versions.get(i, []) if v >= 0] for i in range(m)],
        "adjudicated": adjudicated,
    })
