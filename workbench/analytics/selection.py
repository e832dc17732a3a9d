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


def _reason_frame(items, reason: str, question: str = "") -> pd.DataFrame:
    return pd.DataFrame({"item": list(items), "reason": reason, "question": question})


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


def _pairs_in(items: pd.Series, annotators: pd.Series, keep_items: pd.Series, keep_annotators: pd.Series) -> np.ndarray:
    """Which (item, annotator) rows of the first pair of columns are among the second's: integer
    codes over both and ``numpy.isin`` (a MultiIndex of a million string pairs is slow)."""
    n = len(items)
    ic, _ = pd.factorize(pd.concat([items, keep_items], ignore_index=True), sort=False)
    ac, au = pd.factorize(pd.concat([annotators, keep_annotators], ignore_index=True), sort=False)
    code = ic.astype(np.int64) * max(len(au), 1) + ac
    return np.isin(code[:n], code[n:])


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
        Tidy answers of the submitted responses: ``item, annotator, question, value`` (and
        ``guideline_version`` when superseded versions are excluded).
    gold : pandas.DataFrame, optional
        Gold rows (``item, question, value, kind``): expert gold marks gold items, adjudicated
        answers are final values.
    rules : SelectionRules
    """
    items = pd.Index(pd.unique(pd.Series(list(items), dtype=object)))
    gold = gold if gold is not None else pd.DataFrame(columns=["item", "question", "value", "kind"])
    left: list[pd.DataFrame] = []
    remaining = items

    def drop(mask: np.ndarray, reason: str) -> None:
        nonlocal remaining
        if mask.any():
            left.append(_reason_frame(remaining[mask], reason))
            remaining = remaining[~mask]

    drop(remaining.isin(list(rules.calibration_items)), "calibration-item")
    drop(remaining.isin(gold.loc[gold["kind"] == "expert", "item"].unique()), "gold-item")

    resp = responses[responses["item"].isin(remaining)]
    submitted = resp[resp["status"] == "submitted"]
    n_sub = submitted["item"].value_counts()
    n_dis = resp.loc[resp["status"] == "discarded", "item"].value_counts()
    s = n_sub.reindex(remaining, fill_value=0).to_numpy()
    d = n_dis.reindex(remaining, fill_value=0).to_numpy()
    drop((d > 0) & (d >= s), "discarded")
    s = n_sub.reindex(remaining, fill_value=0).to_numpy()
    drop(s == 0, "not-answered")

    usable = submitted[submitted["item"].isin(remaining)]
    if rules.excluded_annotators:
        usable = usable[~usable["annotator"].isin(list(rules.excluded_annotators))]
    if rules.superseded_guidelines:
        usable = usable[~usable["guideline_version"].isin(list(rules.superseded_guidelines))]
    n_use = usable["item"].value_counts().reindex(remaining, fill_value=0).to_numpy()
    drop(n_use == 0, "excluded-answers")
    n_use = usable["item"].value_counts().reindex(remaining, fill_value=0).to_numpy()
    drop(n_use < rules.min_answers, "too-few-answers")

    ans = answers[answers["item"].isin(remaining)]
    ans = ans[_pairs_in(ans["item"], ans["annotator"], usable["item"], usable["annotator"])]
    final = final_labels(ans[["item", "annotator", "question", "value"]], rules.kinds, gold,
                         aggregation=rules.aggregation, tie=rules.tie, orders=rules.orders, seed=rules.seed)
    final = final[final["item"].isin(remaining)]

    counts_extra: dict[str, int] = {}
    for q in rules.decisive:
        fq = final[final["question"] == q].set_index("item")
        value = fq["value"].reindex(remaining)
        has = value.map(lambda v: v is not None and not (isinstance(v, float) and np.isnan(v))).to_numpy(dtype=bool)
        tie = fq["tie"].reindex(remaining).fillna(False).to_numpy(dtype=bool)
        mask = ~has
        if mask.any():
            left.append(_reason_frame(remaining[mask], "no-final-label", q))
            counts_extra[f"no-final-label:{q}:tie"] = int((mask & tie).sum())
            counts_extra[f"no-final-label:{q}:unanswered"] = int((mask & ~tie).sum())
            remaining = remaining[~mask]
    for q in rules.decisive:
        conf = final[final["question"] == q].set_index("item")["confidence"].reindex(remaining).to_numpy(dtype=float)
        mask = conf < rules.min_item_agreement
        if mask.any():
            left.append(_reason_frame(remaining[mask], "low-agreement", q))
            counts_extra[f"low-agreement:{q}"] = int(mask.sum())
            remaining = remaining[~mask]

    kept = _kept_table(remaining, final, usable, rules)
    left_out = pd.concat(left, ignore_index=True) if left else pd.DataFrame(columns=["item", "reason", "question"])
    counts = {r: int((left_out["reason"] == r).sum()) for r in REASONS if (left_out["reason"] == r).any()}
    counts.update({k: v for k, v in counts_extra.items() if v})
    return Selection(items=kept, left_out=left_out, counts=counts)


def _kept_table(remaining: pd.Index, final: pd.DataFrame, usable: pd.DataFrame, rules: SelectionRules) -> pd.DataFrame:
    """One row per kept item with its labels, confidences and provenance of the answers."""
    order = sorted(remaining)
    pos = {item: i for i, item in enumerate(order)}
    labels: list = [{} for _ in order]
    conf: list = [{} for _ in order]
    adjudicated = np.zeros(len(order), dtype=bool)
    final = final[final["item"].isin(remaining) & ~final["question"].map(
        lambda q: rules.kinds.get(q) in ("text", "span"))]
    rows = final["item"].map(pos).to_numpy()
    confidence = final["confidence"].to_numpy(dtype=float)
    for r, q, v, c in zip(rows.tolist(), final["question"].tolist(), final["value"].tolist(), confidence.tolist()):
        labels[r][q] = v
        conf[r][q] = None if c != c else c  # NaN -> None
    adjudicated[rows[(final["method"] == "adjudicated").to_numpy()]] = True
    use = usable[usable["item"].isin(remaining)]
    item_arr = use["item"].to_numpy()
    annotators = sorted_unique_lists(item_arr, use["annotator"].to_numpy())
    versions = sorted_unique_lists(item_arr, use["guideline_version"].astype("float").fillna(-1).astype(int).to_numpy())
    n = use["item"].value_counts()
    decisive = rules.decisive
    agreement = [min([c[q] for q in decisive if c.get(q) is not None], default=1.0) for c in conf]
    return pd.DataFrame({
        "item": order,
        "labels": labels,
        "confidence": conf,
        "agreement": agreement,
        "n_answers": n.reindex(order, fill_value=0).to_numpy(dtype=np.int64),
        "annotators": [annotators.get(i, []) for i in order],
        "guideline_versions": [[v for v in versions.get(i, []) if v >= 0] for i in order],
        "adjudicated": adjudicated,
    })
