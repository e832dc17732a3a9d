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


class KeptItems:
    """The items :func:`select_items` kept, as columns (one entry per kept item, ordered by item):
    what an export reads without building a dict per item.

    ``item``: the names. ``questions``: the questions with a final value here (every question
    with a final row, less text and span questions), and per question ``values`` (object array,
    None where there is no value), ``confidence`` (NaN where none) and ``present`` (the item has a
    final row for it). ``agreement``, ``n_answers``, ``adjudicated``: as in :class:`Selection`.
    ``annotators`` / ``guideline_versions``: per item the sorted distinct names / versions, as
    ``(offsets, values)`` (item ``i``'s are ``values[offsets[i]:offsets[i + 1]]``).
    :meth:`frame` is the table :attr:`Selection.items` documents.
    """

    def __init__(self, *, item, questions, values, confidence, present, agreement, n_answers, adjudicated,
                 annotators, guideline_versions, final_rows):
        self.item = item
        self.questions = questions
        self.values = values
        self.confidence = confidence
        self.present = present
        self.agreement = agreement
        self.n_answers = n_answers
        self.adjudicated = adjudicated
        self.annotators = annotators
        self.guideline_versions = guideline_versions
        self._final_rows = final_rows  # (kept row, question, value, confidence) in the final table's order
        self._frame = None

    def __len__(self) -> int:
        return len(self.item)

    def annotator_lists(self, rows=None) -> list[list]:
        """Per kept item (or per position of ``rows``) the sorted list of its annotators' names."""
        return csr_lists(self.annotators, rows)

    def guideline_version_lists(self, rows=None) -> list[list]:
        return csr_lists(self.guideline_versions, rows)

    def frame(self) -> pd.DataFrame:
        """One row per kept item: ``item, labels, confidence, agreement, n_answers, annotators,
        guideline_versions, adjudicated`` (``labels``/``confidence``: dicts question -> final
        value / its confidence, None for NaN)."""
        if self._frame is None:
            m = len(self.item)
            labels: list = [{} for _ in range(m)]
            conf: list = [{} for _ in range(m)]
            rows, questions, values, confidences = self._final_rows
            for r, q, v, c in zip(rows.tolist(), questions, values, confidences.tolist()):
                labels[r][q] = v
                conf[r][q] = None if c != c else c  # NaN -> None
            self._frame = pd.DataFrame({
                "item": list(self.item),
                "labels": labels,
                "confidence": conf,
                "agreement": self.agreement.tolist(),
                "n_answers": self.n_answers.astype(np.int64),
                "annotators": self.annotator_lists(),
                "guideline_versions": self.guideline_version_lists(),
                "adjudicated": self.adjudicated,
            })
        return self._frame


@dataclass
class Selection:
    """What :func:`select_items` kept and left out.

    ``items``: one row per kept item (``item, labels, confidence, agreement, n_answers,
    annotators, guideline_versions, adjudicated``), ordered by item. ``labels``/``confidence``
    are dicts question -> final value / its confidence; ``agreement`` is the lowest confidence
    over the decisive questions (1.0 when there are none). ``kept``: the same as columns
    (:class:`KeptItems`). ``left_out``: ``item, reason, question``. ``counts``: reason
    (``reason:question`` for per-question reasons too) -> items.
    """

    kept: KeptItems
    left_out: pd.DataFrame
    counts: dict

    @property
    def items(self) -> pd.DataFrame:
        return self.kept.frame()


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


def sorted_unique_csr(rows: np.ndarray, n_rows: int, values) -> tuple[np.ndarray, np.ndarray]:
    """Per row ``0..n_rows-1`` the sorted distinct ``values`` given for it (``rows[i]`` got
    ``values[i]``), as ``(offsets, values)``: row ``r``'s are ``values[offsets[r]:offsets[r + 1]]``.
    A categorical is sorted by its values, not its category order.

    >>> offsets, vals = sorted_unique_csr(np.array([1, 0, 1, 1]), 3, np.array(["b", "a", "a", "b"], dtype=object))
    >>> offsets.tolist(), vals.tolist()
    ([0, 1, 3, 3], ['a', 'a', 'b'])
    """
    codes, uniques = _sorted_factorize(values)
    width = max(len(uniques), 1)
    pairs = np.unique(np.asarray(rows, dtype=np.int64) * width + codes)
    offsets = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs // width, minlength=n_rows), out=offsets[1:])
    plain = np.empty(len(uniques), dtype=object)
    plain[:] = [x.item() if isinstance(x, np.generic) else x for x in uniques]
    return offsets, plain[pairs % width]


def csr_lists(csr: tuple[np.ndarray, np.ndarray], rows=None) -> list[list]:
    """The lists of :func:`sorted_unique_csr`'s ``(offsets, values)``: one per row, or per position
    of ``rows``.

    >>> csr_lists((np.array([0, 1, 3, 3]), np.array(["a", "a", "b"], dtype=object)), [1, 2])
    [['a', 'b'], []]
    """
    offsets, values = csr
    plain = values.tolist()
    starts, ends = offsets[:-1].tolist(), offsets[1:].tolist()
    if rows is None:
        return [plain[a:b] for a, b in zip(starts, ends)]
    return [plain[starts[r]:ends[r]] for r in rows]


def _sorted_factorize(values) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values sorted), as ``pandas.factorize(..., sort=True)`` of plain values;
    a categorical's categories are sorted by value."""
    v = values.array if isinstance(values, pd.Series) else values
    if isinstance(v, pd.Categorical):
        cats = np.asarray(v.categories, dtype=object)
        _, order = pd.factorize(cats, sort=True)  # (the categories are distinct)
        rank = pd.Index(order).get_indexer(cats)
        codes = np.asarray(v.codes, dtype=np.int64)
        return rank[codes], np.asarray(order, dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, copy=False), sort=True)
    return codes.astype(np.int64), np.asarray(uniques)


def argsort_texts(values: np.ndarray) -> np.ndarray:
    """``numpy.argsort(values, kind="stable")`` of an object array; texts are compared as a
    fixed-width unicode array (code point order, as Python compares them) instead of one Python
    comparison at a time.

    >>> argsort_texts(np.array(["b", "a", "c", "a"], dtype=object)).tolist()
    [1, 3, 0, 2]
    """
    if len(values) and pd.api.types.infer_dtype(values, skipna=False) == "string" \
            and "\x00" not in "".join(values):  # (numpy drops trailing NULs: such texts are compared as Python does)
        return np.argsort(values.astype(str), kind="stable")
    return np.argsort(values, kind="stable")


def _positions(index: pd.Index, values) -> np.ndarray:
    """Position in ``index`` of each value (-1 where absent); a categorical is looked up once per category."""
    v = values.array if isinstance(values, pd.Series) else values
    if isinstance(v, pd.Categorical):
        pos = np.append(index.get_indexer(v.categories), -1)
        return pos[np.asarray(v.codes, dtype=np.int64)]  # (code -1 -> the appended -1)
    return index.get_indexer(values)


def _equals(values, value) -> np.ndarray:
    """``values == value`` element by element, as a boolean array (a categorical compared once per category)."""
    v = values.array if isinstance(values, pd.Series) else values
    if isinstance(v, pd.Categorical):
        hit = np.append(np.asarray(v.categories == value, dtype=bool), False)
        return hit[np.asarray(v.codes, dtype=np.int64)]
    return np.asarray(np.asarray(values, dtype=object) == value, dtype=bool)


def _names_and_codes(a, b) -> tuple[np.ndarray, np.ndarray, int]:
    """Codes of two columns of names over their joint distinct names: (codes of a, codes of b, count)."""
    va = a.array if isinstance(a, pd.Series) else a
    vb = b.array if isinstance(b, pd.Series) else b
    if isinstance(va, pd.Categorical) and isinstance(vb, pd.Categorical):
        names = pd.Index(np.concatenate([np.asarray(va.categories, dtype=object),
                                         np.asarray(vb.categories, dtype=object)])).unique()
        return _positions(names, a), _positions(names, b), len(names)
    codes, names = pd.factorize(pd.concat([pd.Series(a, copy=False), pd.Series(b, copy=False)], ignore_index=True),
                                sort=False)
    return codes[:len(a)], codes[len(a):], len(names)


def _member(keys: np.ndarray, wanted: np.ndarray, size: int) -> np.ndarray:
    """``numpy.isin(keys, wanted)`` for non-negative integer keys below ``size`` (a lookup table
    when it is small enough, else a sort)."""
    if size <= 50_000_000:
        table = np.zeros(max(size, 1), dtype=bool)
        table[wanted] = True
        return table[keys]
    return np.isin(keys, wanted)


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
    and lookup tables: a million responses are filtered without hashing a string twice, and
    categorical columns (as an export builds them) are looked up once per category.
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

    r_item = _positions(items, responses["item"])
    known = r_item >= 0
    submitted = known & _equals(responses["status"], "submitted")
    n_sub = np.bincount(r_item[submitted], minlength=n)
    n_dis = np.bincount(r_item[known & _equals(responses["status"], "discarded")], minlength=n)
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
    a_item = _positions(items, answers["item"])
    r_ann, a_ann, width = _names_and_codes(responses["annotator"], answers["annotator"])
    width = max(width, 1)
    r_pair = r_item.astype(np.int64) * width + r_ann
    a_pair = a_item.astype(np.int64) * width + a_ann
    take = a_item >= 0
    take[take] = _member(a_pair[take], r_pair[usable], n * width)
    ans = answers[["item", "annotator", "question", "value"]]
    if not take.all():
        ans = ans[take]
    final = final_labels(ans, rules.kinds, gold, aggregation=rules.aggregation, tie=rules.tie, orders=rules.orders,
                         seed=rules.seed)
    f_item = items.get_indexer(final["item"])
    final = final[(f_item >= 0)]
    f_item = f_item[f_item >= 0]
    final = final[reason[f_item] < 0]
    f_item = f_item[reason[f_item] < 0]

    counts_extra: dict[str, int] = {}
    fq_codes, fq_names = pd.factorize(final["question"])
    fq_index = {q: j for j, q in enumerate(fq_names)}
    for q in rules.decisive:
        at = fq_codes == fq_index.get(q, -2)
        has = np.zeros(n, dtype=bool)
        tie = np.zeros(n, dtype=bool)
        has[f_item[at]] = ~pd.isna(final["value"].to_numpy()[at])
        tie[f_item[at]] = final["tie"].to_numpy(dtype=bool)[at]
        hit = drop(~has, "no-final-label", q)
        if hit.any():
            counts_extra[f"no-final-label:{q}:tie"] = int((hit & tie).sum())
            counts_extra[f"no-final-label:{q}:unanswered"] = int((hit & ~tie).sum())
    for q in rules.decisive:
        at = fq_codes == fq_index.get(q, -2)
        conf = np.full(n, np.nan)
        conf[f_item[at]] = final["confidence"].to_numpy(dtype=float)[at]
        hit = drop(conf < rules.min_item_agreement, "low-agreement", q)
        if hit.any():
            counts_extra[f"low-agreement:{q}"] = int(hit.sum())

    alive = reason < 0
    keep_final = alive[f_item]
    in_kept = usable & alive[np.maximum(r_item, 0)]
    kept = _kept_items(items, alive, final[keep_final], f_item[keep_final], r_item[in_kept],
                       responses["annotator"][in_kept], responses["guideline_version"][in_kept], rules)
    out = np.flatnonzero(~alive)
    left_out = pd.DataFrame({"item": items[out].to_numpy(dtype=object), "reason": [REASONS[r] for r in reason[out]],
                             "question": question_of[out]})
    counts = {r: int(c) for r, c in zip(REASONS, np.bincount(reason[~alive], minlength=len(REASONS))) if c}
    counts.update({k: v for k, v in counts_extra.items() if v})
    return Selection(kept=kept, left_out=left_out, counts=counts)


def _kept_items(items: pd.Index, alive: np.ndarray, final: pd.DataFrame, f_item: np.ndarray, u_item: np.ndarray,
                u_annotator, u_version, rules: SelectionRules) -> KeptItems:
    """The kept items (ordered by item) with their labels, confidences and who answered, as columns."""
    kept_pos = np.flatnonzero(alive)
    names = items[kept_pos].to_numpy(dtype=object)
    order = argsort_texts(names)
    kept_pos, names = kept_pos[order], names[order]
    row_of = np.full(len(items), -1, dtype=np.int64)
    row_of[kept_pos] = np.arange(len(kept_pos))
    m = len(kept_pos)
    question = final["question"].to_numpy(dtype=object)
    q_codes, q_names = pd.factorize(question)
    use = np.append(np.array([rules.kinds.get(q) not in ("text", "span") for q in q_names], dtype=bool),
                    True)[q_codes]  # (code -1, a missing question: as rules.kinds.get(None))
    rows = row_of[f_item[use]]
    sub_q = question[use]
    sub_v = final["value"].to_numpy(dtype=object)[use]
    sub_c = final["confidence"].to_numpy(dtype=float)[use]
    adjudicated = np.zeros(m, dtype=bool)
    adjudicated[rows[(final["method"].to_numpy(dtype=object)[use] == "adjudicated")]] = True
    values, confidence, present = {}, {}, {}
    for q in pd.unique(sub_q):
        at = sub_q == q
        v = np.full(m, None, dtype=object)
        c = np.full(m, np.nan)
        p = np.zeros(m, dtype=bool)
        v[rows[at]] = sub_v[at]  # (one final row per item and question)
        c[rows[at]] = sub_c[at]
        p[rows[at]] = True
        values[q], confidence[q], present[q] = v, c, p
    # agreement: the lowest confidence over the decisive questions the item has one for, else 1.0
    lowest = np.full(m, np.inf)
    has_any = np.zeros(m, dtype=bool)
    for q in rules.decisive:
        if q in confidence:
            c = confidence[q]
            ok = ~np.isnan(c)
            lowest[ok] = np.minimum(lowest[ok], c[ok])
            has_any |= ok
    agreement = np.where(has_any, lowest, 1.0)
    u_rows = row_of[u_item]
    versions = pd.Series(u_version, copy=False).astype("float").fillna(-1).astype(int).to_numpy()
    v_off, v_val = sorted_unique_csr(u_rows, m, versions)
    nonneg = v_val.astype(np.int64) >= 0 if len(v_val) else np.zeros(0, dtype=bool)
    if not nonneg.all():  # (a version stored as NULL: no version)
        owner = np.repeat(np.arange(m), np.diff(v_off))
        v_off = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner[nonneg], minlength=m), out=v_off[1:])
        v_val = v_val[nonneg]
    return KeptItems(
        item=names, questions=tuple(values), values=values, confidence=confidence, present=present,
        agreement=agreement, n_answers=(np.bincount(u_rows, minlength=m) if m else np.zeros(0)).astype(np.int64),
        adjudicated=adjudicated, annotators=sorted_unique_csr(u_rows, m, u_annotator),
        guideline_versions=(v_off, v_val), final_rows=(rows, sub_q, sub_v, sub_c))
