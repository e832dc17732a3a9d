"""Final labels: one answer per item and question from several annotators' answers (and gold).

What a training set needs is one label per item, never the raw votes. :func:`final_labels` turns
a tidy table of answers (``item, annotator, question, value``) into one row per ``(item,
question)`` with the final value, how it was reached and how sure it is:

==============  ==================================================================================
column          meaning
==============  ==================================================================================
item            the item
question        the question
value           the final answer (None when no rule gives one: a tie under ``tie="drop"``)
method          ``adjudicated`` (a lead's adjudication), ``expert-review`` (an expert's answer in a
                review round), ``majority`` or ``dawid-skene``
confidence      majority: the share of the item's annotators who gave ``value`` (for
                multi-label, the mean over labels of the share that agrees with the final
                decision on that label); Dawid-Skene: the posterior probability of ``value``;
                1.0 for an adjudicated or expert-reviewed answer; None when ``value`` is None
n_answers       how many annotators answered the question on the item
tie             True when the most frequent answers tied (``value`` then follows the tie rule)
==============  ==================================================================================

Rules, in order:

1. An **adjudicated** answer (``gold`` rows of kind ``adjudicated``) is the final value,
   whatever the votes say.
2. Otherwise an **expert review** (``gold`` rows of kind ``review``: an expert's answer on a
   production item sampled for review, :mod:`workbench.review`) is the final value of an item the
   annotators answered.
3. Otherwise the **aggregation**:

   * ``majority``: the most frequent answer (label and rating questions). A tie between the most
     frequent answers follows ``tie``: ``"drop"`` gives no value (the export leaves such items
     out and counts them), ``"lowest"`` / ``"highest"`` take the tied answer that comes first /
     last in the question's order (the label order of the task, or numeric order for ratings:
     ``"highest"`` on an ordinal safety scale ordered safe < unsafe is the cautious choice).
     Multi-label questions: each label is in the final set when more than half of the item's
     annotators selected it; exactly half is a tie on that label, settled by ``tie`` (``"drop"``
     drops the item's value, ``"lowest"`` leaves the label out, ``"highest"`` keeps it).
   * ``dawid-skene``: the label with the highest posterior under Dawid and Skene's (1979)
     latent-class model fitted by EM over every item of the question (crowd-kit's
     :class:`crowdkit.aggregation.DawidSkene`); annotators are weighted by their estimated
     confusion matrices. Single-choice questions only (label and rating, taken as nominal).

Ranking questions (``method`` ``mean-rank``): the candidates ordered by their mean position over
the annotators who ranked them (Borda's count), ties by the question's order; confidence is the
share of annotators whose first choice is the final first choice. Free-text and span questions
have no final value here (``value`` None, ``method`` ``"none"``).

References
----------
Dawid, A. P., & Skene, A. M. (1979). Maximum likelihood estimation of observer error-rates using
the EM algorithm. Journal of the Royal Statistical Society C, 28(1), 20-28.

>>> import pandas as pd
>>> answers = pd.DataFrame({"item": ["a", "a", "a", "b", "b"], "annotator": ["x", "y", "z", "x", "y"],
...                         "question": ["q"] * 5, "value": ["yes", "yes", "no", "yes", "no"]})
>>> final_labels(answers, {"q": "label"})[["item", "value", "confidence", "tie"]]
  item value  confidence    tie
0    a   yes    0.666667  False
1    b  None         NaN   True
>>> final_labels(answers, {"q": "label"}, tie="highest", orders={"q": ["no", "yes"]})["value"].tolist()
['yes', 'yes']
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.errors import BadInput

AGGREGATIONS = ("majority", "dawid-skene")
TIE_RULES = ("drop", "lowest", "highest")
SINGLE_CHOICE = ("label", "rating")
MULTI_CHOICE = ("multi_label",)
COLUMNS = ("item", "question", "value", "method", "confidence", "n_answers", "tie")


def _check(answers: pd.DataFrame, kinds: Mapping[str, str], aggregation: str,
           tie: str | Mapping[str, str]) -> None:
    missing = [c for c in ("item", "annotator", "question", "value") if c not in answers.columns]
    if missing:
        raise BadInput(f"answers: missing columns {missing!r} (need item, annotator, question, value)")
    if aggregation not in AGGREGATIONS:
        raise BadInput(f"aggregation: {aggregation!r} is not one of {', '.join(AGGREGATIONS)}")
    for q, rule in (tie.items() if isinstance(tie, Mapping) else [("", tie)]):
        if rule not in TIE_RULES:
            raise BadInput(f"tie{'.' + q if q else ''}: {rule!r} is not one of {', '.join(TIE_RULES)}")
    unknown = sorted(set(answers["question"].unique()) - set(kinds))
    if unknown:
        raise BadInput(f"answers: questions {unknown!r} have no kind (known: {sorted(kinds)!r})")
    dup = _duplicated(answers, ["item", "annotator", "question"])
    if dup.any():
        row = answers[dup].iloc[0]
        raise BadInput(f"answers: annotator {row['annotator']!r} answered question {row['question']!r} of item "
                       f"{row['item']!r} more than once (one current answer per annotator expected)")


def _duplicated(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """``frame.duplicated(columns)``; categorical columns combined from their codes (no hashing of values)."""
    if len(frame) and all(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in columns):
        sizes = [len(frame[c].cat.categories) + 1 for c in columns]
        if float(np.prod([float(size) for size in sizes])) < 2.0 ** 62:
            key = np.zeros(len(frame), dtype=np.int64)
            for c, size in zip(columns, sizes):
                key = key * size + (frame[c].cat.codes.to_numpy().astype(np.int64) + 1)  # (missing: 0)
            return pd.Series(pd.Series(key).duplicated().to_numpy(), index=frame.index)
    return frame.duplicated(columns)


def _rank_of(uniques: Sequence, order: Sequence | None, kind: str) -> np.ndarray:
    """Position of each distinct answer in the question's order (unknown answers after the known)."""
    if order is None and kind == "rating":
        order = sorted(uniques)
    pos = {v: i for i, v in enumerate(order or ())}
    return np.array([pos.get(v, len(pos) + i) for i, v in enumerate(uniques)], dtype=float)


def _single_majority(item_codes: np.ndarray, n_items: int, values: pd.Series, rank_order, kind: str,
                     tie: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(value per item, confidence, n_answers, tie) for one single-choice question: vote counts
    per (item, answer) with one bincount."""
    codes, uniques = pd.factorize(values, sort=False)
    k = len(uniques)
    counts = np.bincount(item_codes * k + codes, minlength=n_items * k).reshape(n_items, k)
    n = counts.sum(axis=1)
    top = counts.max(axis=1)
    winners = counts == top[:, None]
    is_tie = winners.sum(axis=1) > 1
    if tie == "drop" or not is_tie.any():
        pick = counts.argmax(axis=1)
    else:
        rank = _rank_of(list(uniques), rank_order, kind)
        masked = np.where(winners, rank[None, :], np.inf if tie == "lowest" else -np.inf)
        pick = masked.argmin(axis=1) if tie == "lowest" else masked.argmax(axis=1)
    plain = np.empty(k, dtype=object)
    plain[:] = _plain(np.asarray(uniques, dtype=object))  # (each distinct answer converted once)
    conf = top / np.maximum(n, 1)
    keep = n > 0
    if tie == "drop":
        keep &= ~is_tie
    value = plain[pick] if k else np.full(n_items, None, dtype=object)
    value[~keep] = None
    conf = np.where(keep, conf, np.nan)
    return value, conf, n, is_tie & (n > 0)


def _plain(values: np.ndarray) -> list:
    """numpy scalars as Python scalars (so that final values compare and serialise as the answers did)."""
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _multi_majority(item_codes: np.ndarray, n_items: int, values: pd.Series, order, tie: str):
    """Per-label majority for one multi-label question."""
    n = np.bincount(item_codes, minlength=n_items)
    lens = np.fromiter((len(v) if isinstance(v, (list, tuple, set, frozenset)) else 0 for v in values),
                       dtype=np.int64, count=len(values))
    flat = [x for v in values if isinstance(v, (list, tuple, set, frozenset)) for x in v]
    rows = np.repeat(item_codes, lens)
    codes, labels = pd.factorize(pd.Series(flat, dtype=object), sort=False)
    k = max(len(labels), 1)
    sel = np.bincount(rows * k + codes, minlength=n_items * k).reshape(n_items, k) if len(flat) else \
        np.zeros((n_items, k), dtype=np.int64)
    half = n[:, None] / 2.0
    chosen = sel > half
    tied = (sel == half) & (n[:, None] > 0)
    if tie == "highest":
        chosen |= tied
    share = np.where(chosen, sel, n[:, None] - sel) / np.maximum(n, 1)[:, None]
    conf = share.mean(axis=1) if len(flat) else np.ones(n_items)
    is_tie = tied.any(axis=1)
    rank = _rank_of(list(labels), order, "multi_label")
    ordered = np.argsort(rank, kind="stable")
    labels_l = [labels[j] for j in ordered]
    value: list[list | None] = []
    for i in range(n_items):
        if n[i] == 0 or (tie == "drop" and is_tie[i]):
            value.append(None)
        else:
            row = chosen[i, ordered] if len(flat) else np.zeros(0, dtype=bool)
            value.append([lab for lab, c in zip(labels_l, row) if c])
    keep = np.array([v is not None for v in value], dtype=bool)
    return value, np.where(keep, conf, np.nan), n, is_tie


#: Decimals kept of a Dawid-Skene posterior (see :func:`_dawid_skene`).
POSTERIOR_DECIMALS = 10


def _dawid_skene(sub: pd.DataFrame, item_index: pd.Index, seed: int, n_iter: int):
    """Dawid-Skene through crowd-kit: (value per item, posterior of it, n_answers)."""
    from crowdkit.aggregation import DawidSkene  # a maintained implementation (crowd-kit, Apache-2.0)

    frame = pd.DataFrame({"task": sub["item"].to_numpy(), "worker": sub["annotator"].to_numpy(),
                          "label": sub["value"].to_numpy()})
    np.random.seed(seed)  # crowd-kit's initialisation is majority vote; the seed only pins any tie-breaking
    proba = DawidSkene(n_iter=n_iter).fit_predict_proba(frame)
    proba = proba.reindex(item_index)
    best = proba.to_numpy(dtype=float)
    has = ~np.isnan(best).all(axis=1)
    pick = np.nanargmax(np.where(np.isnan(best), -1.0, best), axis=1)
    value = [proba.columns[j] if h else None for j, h in zip(pick, has)]
    conf = np.where(has, best[np.arange(len(best)), pick], np.nan)
    # The posterior ends an iterative floating-point computation (logs and exponentials) whose last
    # bits depend on the machine: numpy picks its vectorised exp/log by the CPU's instruction set,
    # and exports of the same store made on two machines differed in Dawid-Skene confidences only.
    # Rounded to POSTERIOR_DECIMALS, the same inputs give the same export bytes on any machine.
    conf = np.round(conf, POSTERIOR_DECIMALS)
    return _plain(np.asarray(value, dtype=object)), conf


def _mean_rank(item_codes: np.ndarray, n_items: int, values: pd.Series, order) -> tuple[list, np.ndarray, np.ndarray]:
    """Per item: candidates by mean position (best first), and the share whose first choice agrees."""
    rows = []
    for code, ranking in zip(item_codes.tolist(), values.tolist()):
        if isinstance(ranking, (list, tuple)):
            for pos, cand in enumerate(ranking):
                rows.append((code, cand, pos))
    n = np.bincount(item_codes, minlength=n_items)
    if not rows:
        return [None] * n_items, np.full(n_items, np.nan), n
    df = pd.DataFrame(rows, columns=["item", "cand", "pos"])
    rank_of = {v: i for i, v in enumerate(order or ())}
    mean = df.groupby(["item", "cand"], sort=False)["pos"].mean().reset_index()
    mean["tie_break"] = mean["cand"].map(lambda c: (rank_of.get(c, len(rank_of)), str(c)))
    mean = mean.sort_values(["item", "pos", "tie_break"], kind="stable")
    value: list = [None] * n_items
    for code, g in mean.groupby("item", sort=False):
        value[int(code)] = [c.item() if isinstance(c, np.generic) else c for c in g["cand"]]
    firsts = df[df["pos"] == 0]
    agree = np.zeros(n_items)
    for code, cand in zip(firsts["item"].tolist(), firsts["cand"].tolist()):
        if value[code] and value[code][0] == cand:
            agree[code] += 1
    conf = np.where(n > 0, agree / np.maximum(n, 1), np.nan)
    return value, conf, n


def final_labels(
    answers: pd.DataFrame,
    kinds: Mapping[str, str],
    gold: pd.DataFrame | None = None,
    *,
    aggregation: str = "majority",
    tie: str | Mapping[str, str] = "drop",
    orders: Mapping[str, Sequence] | None = None,
    seed: int = 0,
    n_iter: int = 100,
) -> pd.DataFrame:
    """The final value of each answered ``(item, question)``; see the module docstring.

    Parameters
    ----------
    answers : pandas.DataFrame
        Tidy answers (``item, annotator, question, value``): one current answer per annotator,
        item and question.
    kinds : mapping
        Question name -> kind (``label``, ``rating``, ``multi_label``, ``text``, ``ranking``,
        ``span``).
    gold : pandas.DataFrame, optional
        Gold rows (``item, question, value, kind``); only ``kind == "adjudicated"`` rows and, below
        them, ``kind == "review"`` rows (expert review) set final values here (expert gold items
        are the export's to leave out).
    aggregation : {"majority", "dawid-skene"}
    tie : {"drop", "lowest", "highest"} or mapping
        One rule for every question, or question -> rule (questions not in the mapping: ``"drop"``).
    orders : mapping, optional
        Question name -> its answers in order (label order of the task), for the tie rule.
    seed, n_iter : int
        Dawid-Skene only.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, ordered by question then item (in the answers' order of first
        appearance).
    """
    _check(answers, kinds, aggregation, tie)
    orders = orders or {}
    parts = []
    for question, sub in _by_question(answers):
        kind = kinds[question]
        rule = tie.get(question, "drop") if isinstance(tie, Mapping) else tie
        item_codes, items = pd.factorize(sub["item"], sort=False)
        n_items = len(items)
        is_tie = np.zeros(n_items, dtype=bool)
        if kind in SINGLE_CHOICE and aggregation == "dawid-skene":
            value, conf = _dawid_skene(sub, pd.Index(items), seed, n_iter)
            n = np.bincount(item_codes, minlength=n_items)
            method = "dawid-skene"
        elif kind in SINGLE_CHOICE:
            value, conf, n, is_tie = _single_majority(item_codes, n_items, sub["value"].reset_index(drop=True),
                                                      orders.get(question), kind, rule)
            method = "majority"
        elif kind in MULTI_CHOICE:
            value, conf, n, is_tie = _multi_majority(item_codes, n_items, sub["value"].reset_index(drop=True),
                                                     orders.get(question), rule)
            method = "majority"
        elif kind == "ranking":
            value, conf, n = _mean_rank(item_codes, n_items, sub["value"].reset_index(drop=True),
                                        orders.get(question))
            method = "mean-rank"
        else:
            n = np.bincount(item_codes, minlength=n_items)
            value, conf, method = [None] * n_items, np.full(n_items, np.nan), "none"
        parts.append(pd.DataFrame({"item": np.asarray(items, dtype=object), "question": question,
                                   "value": pd.Series(value, dtype=object), "method": method,
                                   "confidence": conf, "n_answers": n.astype(np.int64), "tie": is_tie}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))
    if gold is not None and len(gold):
        reviewed = gold[gold["kind"] == "review"]
        if len(reviewed):
            out = _apply_reviews(out, reviewed)
        adj = gold[gold["kind"] == "adjudicated"]
        if len(adj):
            out = _apply_adjudications(out, adj)
    return out[list(COLUMNS)].reset_index(drop=True)


def _by_question(answers: pd.DataFrame):
    """(question, its rows) in question order, as ``answers.groupby("question", sort=True)``
    (rows in their order, missing questions left out) - and for a categorical column too, in the
    order of the questions' names rather than of the categories, with no empty groups."""
    codes, names = pd.factorize(answers["question"])
    names = list(names)
    for j in sorted(range(len(names)), key=names.__getitem__):
        yield names[j], answers.iloc[np.flatnonzero(codes == j)]


def _apply_reviews(out: pd.DataFrame, reviewed: pd.DataFrame) -> pd.DataFrame:
    """Expert-review answers replace the aggregate of the items the annotators answered (an item
    nobody answered gets no row from a review: it is not production output).

    >>> out = final_labels(pd.DataFrame({"item": ["a", "a", "b"], "annotator": ["x", "y", "x"],
    ...                                  "question": "q", "value": ["no", "no", "no"]}), {"q": "label"},
    ...                    pd.DataFrame({"item": ["a", "z"], "question": "q", "value": ["yes", "yes"],
    ...                                  "kind": "review"}))
    >>> out[["item", "value", "method", "confidence"]].values.tolist()
    [['a', 'yes', 'expert-review', 1.0], ['b', 'no', 'majority', 1.0]]
    """
    reviewed = reviewed.drop_duplicates(["item", "question"], keep="last")
    key = pd.MultiIndex.from_frame(out[["item", "question"]].astype(object))
    rkey = pd.MultiIndex.from_frame(reviewed[["item", "question"]].astype(object))
    hit = key.isin(rkey)
    if not hit.any():
        return out
    lookup = dict(zip(zip(reviewed["item"], reviewed["question"]), reviewed["value"]))
    out = out.copy()
    out.loc[hit, "value"] = pd.Series([lookup[k] for k in key[hit]], index=out.index[hit], dtype=object)
    out.loc[hit, "method"] = "expert-review"
    out.loc[hit, "confidence"] = 1.0
    out.loc[hit, "tie"] = False
    return out


def _apply_adjudications(out: pd.DataFrame, adj: pd.DataFrame) -> pd.DataFrame:
    """Adjudicated answers replace the aggregate (and add rows for items nobody answered)."""
    adj = adj.drop_duplicates(["item", "question"], keep="last")
    key = pd.MultiIndex.from_frame(out[["item", "question"]])
    akey = pd.MultiIndex.from_frame(adj[["item", "question"]])
    hit = key.isin(akey)
    lookup = dict(zip(zip(adj["item"], adj["question"]), adj["value"]))
    out = out.copy()
    out.loc[hit, "value"] = pd.Series([lookup[k] for k in key[hit]], index=out.index[hit], dtype=object)
    out.loc[hit, "method"] = "adjudicated"
    out.loc[hit, "confidence"] = 1.0
    out.loc[hit, "tie"] = False
    extra = adj[~akey.isin(key)]
    if len(extra):
        out = pd.concat([out, pd.DataFrame({
            "item": extra["item"].to_numpy(), "question": extra["question"].to_numpy(),
            "value": pd.Series(list(extra["value"]), dtype=object), "method": "adjudicated", "confidence": 1.0,
            "n_answers": 0, "tie": False})], ignore_index=True)
    return out
