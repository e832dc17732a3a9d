"""Rows in the formats trainers read as they are (TRL's dataset types), from selected items.

Every row builder takes the selected items (:class:`workbench.analytics.selection.Selection`'s
``items`` joined with each item's ``fields``) and returns plain dict rows:

=======  ==========================================================================================
format   columns (TRL's conversational types)
=======  ==========================================================================================
sft      ``messages``: ``[{"role": "user", "content": prompt}, {"role": "assistant", "content":
         completion}]`` for every item whose final labels pass the task's ``accept`` rule
dpo      ``prompt`` (the user turn), ``chosen`` / ``rejected`` (assistant turns): per prompt, the
         answer with the highest final ``rank_by`` rating against the one with the lowest, when
         they differ by at least ``min_margin`` and the chosen one passes ``accept``; or, with a
         ``rank_by`` ranking question over answer fields, the final ranking's first against its
         last; and, with an ``edit`` question, the annotators' edited answer against the original
kto      ``prompt``, ``completion``, ``label`` (True when the final labels pass ``accept``)
labels   ``id``, one column per field, ``labels`` (question -> final value) and ``confidence``
=======  ==========================================================================================

Each row also carries ``id`` (the item, or ``chosen_id``/``rejected_id`` for pairs) so that a
training example can be traced back to its record and provenance.

>>> rules = (("quality", "min", (4,)), ("safety", "in", ("safe",)))
>>> accepts({"quality": 5, "safety": "safe"}, rules), accepts({"quality": 5, "safety": "unsafe"}, rules)
(True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.errors import BadInput

FORMATS = ("sft", "dpo", "kto", "labels")

Rule = tuple  # (question, "in" | "min" | "max" | "none_of", values)


def accepts(labels: dict, rules: Sequence[Rule]) -> bool:
    """Whether final ``labels`` pass every rule (a missing label fails its rule)."""
    for question, op, values in rules:
        v = labels.get(question)
        if v is None:
            return False
        if op == "in" and v not in values:
            return False
        if op == "min" and not v >= values[0]:
            return False
        if op == "max" and not v <= values[0]:
            return False
        if op == "none_of" and any(x in values for x in v):
            return False
    return True


def _objects(values) -> np.ndarray:
    """``values`` as a 1-d object array, element by element (lists stay elements)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _memo_key(value):
    """A key under which ``value`` can stand for every equal value of its type (None: do not memoise)."""
    t = type(value)
    return (t, value) if t in (str, int, float, bool, type(None)) else None


def accepted_mask(values: Mapping[str, Sequence], n: int, rules: Sequence[Rule]) -> np.ndarray:
    """:func:`accepts` for ``n`` items given as columns: item ``i``'s labels are
    ``{q: values[q][i]}`` (a question not in ``values``: no label). Each rule is decided once per
    distinct value, in order, and only for the items that passed the rules before it, as
    :func:`accepts` does.

    >>> accepted_mask({"quality": [5, 3, None]}, 3, (("quality", "min", (4,)),)).tolist()
    [True, False, False]
    """
    ok = np.ones(n, dtype=bool)
    for question, op, vals in rules:
        column = values.get(question)
        if column is None:
            return np.zeros(n, dtype=bool)
        rule = ((question, op, vals),)
        rows = np.flatnonzero(ok)
        sub = column[rows] if isinstance(column, np.ndarray) and column.dtype == object else \
            _objects([column[i] for i in rows.tolist()])
        plain = len(sub) and pd.api.types.infer_dtype(sub, skipna=False) in ("string", "integer", "floating",
                                                                              "boolean", "mixed-integer-float")
        if plain:  # one decision per distinct value (equal values decide alike: the rules compare by value)
            codes, uniques = pd.factorize(sub)
            decided = np.array([accepts({question: v}, rule) for v in uniques] + [False], dtype=bool)
            passed = decided[codes]
            missing = np.flatnonzero(codes < 0)  # (NaN: decided on its own)
            passed[missing] = [accepts({question: sub[i]}, rule) for i in missing.tolist()]
        else:
            memo: dict = {}
            passed = np.ones(len(sub), dtype=bool)
            for j, v in enumerate(sub.tolist()):
                key = _memo_key(v)
                if key is None:
                    passed[j] = accepts({question: v}, rule)
                else:
                    hit = memo.get(key)
                    if hit is None:
                        hit = memo[key] = accepts({question: v}, rule)
                    passed[j] = hit
        ok[rows[~passed]] = False
    return ok


def turns(role: str, texts: Sequence) -> list[tuple]:
    """A conversation column of one turn per row: ``((role, str(text)),)`` (what :func:`_user` and
    :func:`_assistant` make, as tuples)."""
    return [((role, str(t)),) for t in texts]


def _user(text) -> list[dict]:
    return [{"role": "user", "content": str(text)}]


def _assistant(text) -> list[dict]:
    return [{"role": "assistant", "content": str(text)}]


def _need(items: pd.DataFrame, *names: str | None) -> None:
    for n in names:
        if n is None:
            raise BadInput("the task's export section names no prompt/completion field")
    missing = [c for c in ("item", "fields", "labels") if c not in items.columns]
    if missing:
        raise BadInput(f"items: missing columns {missing!r}")


def sft_rows(items: pd.DataFrame, *, prompt: str, completion: str, accept: Sequence[Rule]) -> tuple[list[dict], list[str]]:
    """(rows, items not accepted) for supervised fine-tuning."""
    _need(items, prompt, completion)
    rows, rejected = [], []
    for item, fields, labels in zip(items["item"], items["fields"], items["labels"]):
        if accepts(labels, accept):
            rows.append({"id": item, "messages": _user(fields.get(prompt, "")) + _assistant(fields.get(completion, ""))})
        else:
            rejected.append(item)
    return rows, rejected


def kto_rows(items: pd.DataFrame, *, prompt: str, completion: str, accept: Sequence[Rule]) -> list[dict]:
    """Unpaired preference rows: every item, labelled desirable when it passes ``accept``."""
    _need(items, prompt, completion)
    return [{"id": item, "prompt": _user(fields.get(prompt, "")), "completion": _assistant(fields.get(completion, "")),
             "label": bool(accepts(labels, accept))}
            for item, fields, labels in zip(items["item"], items["fields"], items["labels"])]


def dpo_rows(items: pd.DataFrame, *, prompt: str, completion: str, rank_by: str, min_margin: float,
             accept: Sequence[Rule]) -> tuple[list[dict], dict]:
    """Preference pairs: per prompt, best-rated against worst-rated answer.

    Returns (rows, counts) where counts says how many prompts gave no pair and why
    (``single-answer``, ``margin``: best and worst differ by less than ``min_margin``,
    ``chosen-not-accepted``). Among equally rated answers the one with the smallest item id is
    taken, so the same inputs give the same pairs.
    """
    _need(items, prompt, completion)
    if not rank_by:
        raise BadInput("dpo needs a rating question to rank answers by: set export.rank_by in the task file")
    item = items["item"].to_numpy(dtype=object)
    prompts = [f.get(prompt, "") for f in items["fields"]]
    completions = [f.get(completion, "") for f in items["fields"]]
    accepted = np.fromiter((accepts(lab, accept) for lab in items["labels"]), dtype=bool, count=len(items))
    pairs = dpo_pairs(item, prompts, completions, [lab.get(rank_by) for lab in items["labels"]], accepted,
                      min_margin=min_margin)
    rows = [{"id": f"{item[b]}>{item[w]}", "chosen_id": item[b], "rejected_id": item[w], "prompt": _user(text),
             "chosen": _assistant(completions[b]), "rejected": _assistant(completions[w]),
             "score_chosen": sb, "score_rejected": sw}
            for b, w, text, sb, sw in zip(pairs.chosen, pairs.rejected, pairs.prompt, pairs.score_chosen,
                                          pairs.score_rejected)]
    return rows, pairs.counts


@dataclass
class Pairs:
    """DPO pairs as columns: positions of the chosen and rejected answers, the prompt, the scores,
    and how many prompts gave no pair, by reason."""

    chosen: list
    rejected: list
    prompt: list
    score_chosen: list
    score_rejected: list
    counts: dict


def dpo_pairs(item: np.ndarray, prompt: Sequence, completion: Sequence, rating: Sequence, accepted: np.ndarray, *,
              min_margin: float) -> Pairs:
    """:func:`dpo_rows`' pairs over columns (one entry per answer: its item - distinct -, prompt
    text, completion text, final rating or None, and whether it passes ``accept``); the pairs
    come ordered by prompt.

    Texts and numbers are sorted as integer ranks (one sort of the distinct prompts); other
    values take pandas' sorts, which give the same pairs (tested)."""
    fast = _dpo_pairs_ranked(np.asarray(item, dtype=object), list(prompt), list(completion), list(rating),
                             np.asarray(accepted, dtype=bool), min_margin)
    return fast if fast is not None else _dpo_pairs_sorted(item, prompt, completion, rating, accepted,
                                                           min_margin=min_margin)


def _text_ranks(values: np.ndarray) -> np.ndarray | None:
    """Each text's rank among the distinct texts (code point order); None unless all are str."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    if pd.api.types.infer_dtype(values, skipna=False) != "string" or "\x00" in "".join(values):
        return None  # (numpy's fixed-width texts drop trailing NULs)
    if (values[1:] > values[:-1]).all():  # already in order, all distinct (the export's items are)
        return np.arange(len(values))
    codes, uniques = pd.factorize(values)
    order = np.argsort(np.asarray(uniques, dtype=object).astype(str), kind="stable")
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    return rank[codes]


def _dpo_pairs_ranked(item, prompt, completion, rating, accepted, min_margin) -> Pairs | None:
    n = len(item)
    has = np.fromiter((r is not None and r == r for r in rating), dtype=bool, count=n)  # (notna)
    rows = np.flatnonzero(has)
    ratings = _objects([rating[i] for i in rows.tolist()])
    if len(rows) and pd.api.types.infer_dtype(ratings, skipna=False) not in ("integer", "floating",
                                                                              "mixed-integer-float"):
        return None
    prompts = _objects([prompt[i] for i in rows.tolist()])
    p_rank = _text_ranks(prompts)
    i_rank = _text_ranks(item[rows])
    if p_rank is None or i_rank is None or len(set(i_rank.tolist())) != len(rows):
        return None
    try:
        c_code = pd.factorize(np.array([completion[i] for i in rows.tolist()] + [None], dtype=object)[:-1])[0]
    except TypeError:
        return None
    value = ratings.astype(float) if len(rows) else np.zeros(0)
    # the distinct answers of each prompt: the first (by item) of each completion
    by_item = np.lexsort((i_rank, p_rank))
    width = int(c_code.max()) + 2 if len(rows) else 1
    _, first = np.unique(p_rank[by_item] * width + (c_code[by_item] + 1), return_index=True)
    keep = by_item[np.sort(first)]
    size = np.bincount(p_rank[keep], minlength=int(p_rank.max()) + 1 if len(rows) else 0)
    counts = {"single-answer": int(((size > 0) & (size < 2)).sum()), "margin": 0, "chosen-not-accepted": 0}

    def first_of_each(order):
        o = keep[order]
        starts = np.flatnonzero(np.concatenate([[True], p_rank[o][1:] != p_rank[o][:-1]])) if len(o) else o
        return o[starts]

    best = first_of_each(np.lexsort((i_rank[keep], -value[keep], p_rank[keep])))
    worst = first_of_each(np.lexsort((i_rank[keep], value[keep], p_rank[keep])))
    two = size[p_rank[best]] >= 2
    best, worst = best[two], worst[two]
    enough = (value[best] - value[worst]) >= min_margin
    counts["margin"] = int((~enough).sum())
    best, worst = best[enough], worst[enough]
    ok = accepted[rows[best]]
    counts["chosen-not-accepted"] = int((~ok).sum())
    best, worst = best[ok], worst[ok]
    return Pairs(chosen=rows[best].tolist(), rejected=rows[worst].tolist(), prompt=prompts[best].tolist(),
                 score_chosen=[float(x) for x in ratings[best]], score_rejected=[float(x) for x in ratings[worst]],
                 counts={k: v for k, v in counts.items() if v})


def _dpo_pairs_sorted(item, prompt, completion, rating, accepted, *, min_margin: float) -> Pairs:
    frame = pd.DataFrame({"item": item, "prompt": list(prompt), "completion": list(completion),
                          "rating": list(rating), "pos": np.arange(len(item))})
    frame = frame[frame["rating"].notna()]
    # one sort per side instead of one per prompt: distinct answers per prompt, then the best and
    # the worst of each (ties: the smallest item id)
    frame = frame.sort_values(["prompt", "item"], kind="stable").drop_duplicates(["prompt", "completion"])
    size = frame.groupby("prompt", sort=True).size()
    best = frame.sort_values(["prompt", "rating", "item"], ascending=[True, False, True], kind="stable") \
        .drop_duplicates("prompt").set_index("prompt")
    worst = frame.sort_values(["prompt", "rating", "item"], ascending=[True, True, True], kind="stable") \
        .drop_duplicates("prompt").set_index("prompt")
    counts = {"single-answer": int((size < 2).sum()), "margin": 0, "chosen-not-accepted": 0}
    prompts = size.index[size >= 2]
    b, w = best.loc[prompts], worst.loc[prompts]
    enough = (b["rating"].to_numpy(dtype=float) - w["rating"].to_numpy(dtype=float)) >= min_margin
    counts["margin"] = int((~enough).sum())
    bp, wp = b["pos"].to_numpy()[enough], w["pos"].to_numpy()[enough]
    ok = np.asarray(accepted, dtype=bool)[bp]
    counts["chosen-not-accepted"] = int((~ok).sum())
    return Pairs(chosen=bp[ok].tolist(), rejected=wp[ok].tolist(), prompt=list(prompts[enough][ok]),
                 score_chosen=[float(x) for x in b["rating"][enough][ok]],
                 score_rejected=[float(x) for x in w["rating"][enough][ok]],
                 counts={k: v for k, v in counts.items() if v})


def dpo_rows_from_ranking(items: pd.DataFrame, *, prompt: str, ranking: str,
                          accept: Sequence[Rule]) -> tuple[list[dict], dict]:
    """Preference pairs from a ranking question over answer fields of one record: the final
    ranking's first field against its last (``chosen_id`` and ``rejected_id`` are the item)."""
    _need(items, prompt)
    rows, counts = [], {"single-answer": 0, "chosen-not-accepted": 0}
    for item, fields, labels in zip(items["item"], items["fields"], items["labels"]):
        order = labels.get(ranking) or []
        if len(order) < 2 or fields.get(order[0]) == fields.get(order[-1]):
            counts["single-answer"] += 1
            continue
        if accept and not accepts(labels, accept):
            counts["chosen-not-accepted"] += 1
            continue
        rows.append({"id": f"{item}:{order[0]}>{order[-1]}", "chosen_id": item, "rejected_id": item,
                     "prompt": _user(fields.get(prompt, "")), "chosen": _assistant(fields.get(order[0], "")),
                     "rejected": _assistant(fields.get(order[-1], "")), "score_chosen": None,
                     "score_rejected": None})
    return rows, {k: v for k, v in counts.items() if v}


def _plain_text(text: str) -> str:
    return re.sub(r"[\W_]+", "", str(text).casefold())


def choose_edits(answers: pd.DataFrame, originals: dict) -> tuple[dict, dict]:
    """The edited answer of each item, from annotators' answers to an edit question
    (``item, annotator, value, time``): the most common edit (ties: the latest), leaving out
    empty edits and trivial ones (equal to the original but for case, spaces and punctuation).
    Returns (item -> edit, counts of the edits left out by reason)."""
    counts = {"empty": 0, "trivial": 0}
    keep = []
    for item, value, when in zip(answers["item"], answers["value"], answers["time"]):
        text = "" if value is None else str(value).strip()
        if not text:
            counts["empty"] += 1
        elif _plain_text(text) == _plain_text(originals.get(item, "")):
            counts["trivial"] += 1
        else:
            keep.append((item, text, when))
    if not keep:
        return {}, {k: v for k, v in counts.items() if v}
    df = pd.DataFrame(keep, columns=["item", "text", "time"])
    stats = df.groupby(["item", "text"], sort=False).agg(n=("time", "size"), last=("time", "max")).reset_index()
    stats = stats.sort_values(["item", "n", "last", "text"], ascending=[True, False, False, True], kind="stable")
    best = stats.drop_duplicates("item")
    return dict(zip(best["item"], best["text"])), {k: v for k, v in counts.items() if v}


def dpo_rows_from_edits(items: pd.DataFrame, edits: dict, *, prompt: str, completion: str) -> list[dict]:
    """Preference pairs from edits: the annotators' edited answer (chosen) over the original."""
    _need(items, prompt, completion)
    return [{"id": f"{item}:edit", "chosen_id": item, "rejected_id": item, "prompt": _user(fields.get(prompt, "")),
             "chosen": _assistant(edits[item]), "rejected": _assistant(fields.get(completion, "")),
             "score_chosen": None, "score_rejected": None}
            for item, fields in zip(items["item"], items["fields"]) if item in edits]


def labels_rows(items: pd.DataFrame, field_names: Sequence[str]) -> list[dict]:
    """One row per item: its fields and final labels (classification and other non-generative tasks)."""
    _need(items)
    return [dict({"id": item}, **{f: fields.get(f) for f in field_names}, labels=labels, confidence=conf)
            for item, fields, labels, conf in zip(items["item"], items["fields"], items["labels"], items["confidence"])]


#: The provenance each exported row carries, with its type (the shell writes these as columns).
PROVENANCE = (
    ("source", "str"), ("instruction_source", "str"), ("response_source", "str"), ("origin", "str"),
    ("generator", "str"), ("licence", "str"), ("pii_redacted", "bool"), ("pii_entities", "int"),
    ("judge_score", "float"), ("deita_score", "float"), ("rounds", "list[int]"), ("guideline_versions", "list[int]"),
    ("annotators", "list[str]"), ("n_answers", "int"), ("agreement", "float"), ("gold", "str"),
)


def _as(kind: str, value):
    if value is None:
        return None
    try:
        if kind == "str":
            return str(value)
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            return value if isinstance(value, bool) else {"yes": True, "no": False}.get(str(value).lower())
    except (TypeError, ValueError):
        return None
    return value


def provenance(metadata: dict, kept: dict) -> dict:
    """The provenance of one exported item: where its text came from (the record's metadata, as
    ``candidates push`` or the task's own metadata set it) and how its labels were reached (the
    selected item's row: annotator ids, guideline versions, rounds, agreement, adjudication).

    >>> p = provenance({"pii_flagged": "yes", "pii_entities": 2, "source": "seed-set"},
    ...                {"annotators": ["u1"], "guideline_versions": [2], "rounds": [3], "n_answers": 1,
    ...                 "agreement": 1.0, "adjudicated": False})
    >>> p["pii_redacted"], p["pii_entities"], p["source"], p["gold"]
    (True, 2, 'seed-set', 'none')
    """
    m = metadata or {}
    raw = {
        "source": m.get("source"), "instruction_source": m.get("instruction_source"),
        "response_source": m.get("response_source"), "origin": m.get("origin"), "generator": m.get("generator"),
        "licence": m.get("licence"), "pii_redacted": m.get("pii_flagged"), "pii_entities": m.get("pii_entities"),
        "judge_score": m.get("judge_score", m.get("judge_quality")), "deita_score": m.get("deita_score"),
        "rounds": list(kept.get("rounds") or []), "guideline_versions": list(kept.get("guideline_versions") or []),
        "annotators": list(kept.get("annotators") or []), "n_answers": kept.get("n_answers"),
        "agreement": kept.get("agreement"), "gold": "adjudicated" if kept.get("adjudicated") else "none",
    }
    return {name: (raw[name] if kind.startswith("list") else _as(kind, raw[name])) for name, kind in PROVENANCE}


def provenance_columns(metadata: Sequence[dict], kept: Mapping[str, Sequence]) -> dict[str, list]:
    """:func:`provenance` of many items as columns: ``metadata[i]`` and ``kept[c][i]`` are item
    ``i``'s; returns name -> one value per item, the same values (tested)."""
    ms = [m or {} for m in metadata]
    raw: dict[str, list] = {
        "source": [m.get("source") for m in ms], "instruction_source": [m.get("instruction_source") for m in ms],
        "response_source": [m.get("response_source") for m in ms], "origin": [m.get("origin") for m in ms],
        "generator": [m.get("generator") for m in ms], "licence": [m.get("licence") for m in ms],
        "pii_redacted": [m.get("pii_flagged") for m in ms], "pii_entities": [m.get("pii_entities") for m in ms],
        "judge_score": [m.get("judge_score", m.get("judge_quality")) for m in ms],
        "deita_score": [m.get("deita_score") for m in ms],
        "rounds": [list(v or []) for v in kept["rounds"]],
        "guideline_versions": [list(v or []) for v in kept["guideline_versions"]],
        "annotators": [list(v or []) for v in kept["annotators"]], "n_answers": list(kept["n_answers"]),
        "agreement": list(kept["agreement"]),
        "gold": ["adjudicated" if a else "none" for a in kept["adjudicated"]],
    }
    return {name: (raw[name] if kind.startswith("list") else [None if v is None else _as(kind, v) for v in raw[name]])
            for name, kind in PROVENANCE}


def is_human_written(metadata: dict, holdout_sources: Sequence[tuple[str, Sequence]]) -> bool:
    """Whether a record may go to the holdout: the task's ``holdout_sources`` (metadata property ->
    values that mark human-written or logged records) when declared, else the candidate metadata
    (prompt and answer both from ``logs`` or ``curated``, origin ``seed``). No evidence: False.

    >>> is_human_written({"instruction_source": "logs", "response_source": "curated"}, ())
    True
    >>> is_human_written({"instruction_source": "logs", "response_source": "synthetic"}, ())
    False
    >>> is_human_written({"source": "seed-set"}, (("source", ("seed-set",)),)), is_human_written({}, ())
    (True, False)
    """
    m = metadata or {}
    if holdout_sources:
        return all(m.get(prop) in values for prop, values in holdout_sources)
    human = ("logs", "curated")
    if m.get("instruction_source") in human and m.get("response_source") in human:
        return m.get("origin") in (None, "seed")
    return False


# --------------------------------------------------------------------------------------------
# Production feedback reviewed by experts (workbench feedback seeds --push, docs/feedback.md)
# --------------------------------------------------------------------------------------------

#: What each expert verdict on a feedback record means for an export: only ``accepted`` is exported.
FEEDBACK_VERDICTS = ("accepted", "rejected", "unsure", "unreviewed")


def feedback_verdicts(items: Sequence[str], answers: pd.DataFrame) -> np.ndarray:
    """The experts' verdict on each feedback record ``items[i]``, from ``answers``: the submitted
    answers (``item``, ``value``: ``yes``/``no``/``unsure``, one row per expert) to the record's
    review question ("does the edit improve the answer?", "is the thumb about the answer?").

    ``accepted`` when at least one expert answered and every one said ``yes``; ``rejected`` when
    one said ``no``; ``unsure`` otherwise; ``unreviewed`` without a submitted answer. Only accepted
    records become training rows: unreviewed feedback never reaches an export, and one expert's
    doubt is enough to keep a record out.

    >>> a = pd.DataFrame({"item": ["a", "b", "b", "c", "e", "e"], "value": ["yes", "yes", "no", "unsure", "yes", "yes"]})
    >>> feedback_verdicts(["a", "b", "c", "d", "e"], a).tolist()
    ['accepted', 'rejected', 'unsure', 'unreviewed', 'accepted']
    """
    values: dict = {}
    for item, value in zip(answers["item"].tolist(), answers["value"].tolist()):
        values.setdefault(item, set()).add(value)
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        got = values.get(item)
        out[i] = ("unreviewed" if not got else "accepted" if got == {"yes"} else "rejected" if "no" in got
                  else "unsure")
    return out


@dataclass
class FeedbackRows:
    """The accepted feedback records of one kind as export rows (columns as the export writes them:
    conversations as tuples of ``(role, content)`` turns), with what the shell needs for each row:
    ``prompts`` (the holdout's unit is the prompt), ``metadata`` (for
    :func:`provenance_columns`: ``source`` = ``feedback``, the prompt and the answers logged in
    production, ``generator`` = the model version) and ``experts`` (who accepted it); ``counts``:
    ``records``, ``reviewed``, and one count per verdict."""

    columns: dict
    prompts: list
    metadata: list
    experts: list
    counts: dict

    def __len__(self) -> int:
        return len(self.prompts)


def feedback_rows(kind: str, records: pd.DataFrame, answers: pd.DataFrame) -> FeedbackRows:
    """Export rows from the feedback records the experts accepted (:func:`feedback_verdicts`).

    ``records``: ``item``, ``fields`` (``prompt``, ``output``, and for ``dpo`` the user's ``edit``)
    and ``metadata`` (``source`` such as ``feedback:langsmith``, ``source_id`` and
    ``interaction_source_id``: the source's own ids of the signal and of the model's answer,
    ``model_version``, and for ``kto`` ``thumb``: up/down), one row per record; ``answers``:
    ``item``, ``annotator`` (the expert), ``value``.

    ``dpo`` rows: ``prompt``, ``chosen`` (the user's edit), ``rejected`` (the model's output); ``id``
    and ``chosen_id`` name the edit (``<source>:<source_id>``), ``rejected_id`` the model's answer
    (``<source>:<interaction_source_id>``). ``kto`` rows: ``prompt``, ``completion`` (the model's
    output), ``label`` (True for a thumb up). Rows are in ``records``' order.

    >>> recs = pd.DataFrame({"item": ["s1", "s2"], "fields": [{"prompt": "Dose?", "output": "2", "edit": "1"}] * 2,
    ...                      "metadata": [{"source": "feedback:langsmith", "source_id": "f1", "interaction_source_id": "r1",
    ...                                    "model_version": "v2"}, {}]})
    >>> fb = feedback_rows("dpo", recs, pd.DataFrame({"item": ["s1"], "annotator": ["ann"], "value": ["yes"]}))
    >>> fb.columns["id"], fb.columns["rejected_id"], fb.columns["chosen"], fb.metadata[0]["generator"], fb.counts["unreviewed"]
    (['feedback:langsmith:f1'], ['feedback:langsmith:r1'], [(('assistant', '1'),)], 'v2', 1)
    """
    if kind not in ("dpo", "kto"):
        raise BadInput(f"feedback rows: kind {kind!r} is not dpo or kto")
    items = records["item"].tolist()
    verdicts = feedback_verdicts(items, answers)
    counts = {"records": len(items), "reviewed": int((verdicts != "unreviewed").sum()),
              **{v: int((verdicts == v).sum()) for v in FEEDBACK_VERDICTS}}
    take = np.flatnonzero(verdicts == "accepted").tolist()
    experts: dict = {}
    for item, who in zip(answers["item"].tolist(), answers["annotator"].tolist()):
        experts.setdefault(item, set()).add(str(who))
    fields = records["fields"].tolist()
    metas = [m or {} for m in records["metadata"].tolist()]
    ids, other_ids, prompts, meta_out, by = [], [], [], [], []
    for i in take:
        f, m = fields[i] or {}, metas[i]
        src = str(m.get("source") or "feedback")
        ids.append(f"{src}:{m.get('source_id') or items[i]}")
        other_ids.append(f"{src}:{m.get('interaction_source_id') or items[i]}")
        prompts.append(str(f.get("prompt", "")))
        meta_out.append({"source": "feedback", "instruction_source": "logs", "response_source": "logs",
                         "generator": m.get("model_version")})
        by.append(sorted(experts.get(items[i], ())))
    outputs = [str((fields[i] or {}).get("output", "")) for i in take]
    if kind == "dpo":
        columns = {"id": ids, "chosen_id": list(ids), "rejected_id": other_ids, "prompt": turns("user", prompts),
                   "chosen": turns("assistant", [str((fields[i] or {}).get("edit", "")) for i in take]),
                   "rejected": turns("assistant", outputs), "score_chosen": [None] * len(take),
                   "score_rejected": [None] * len(take)}
    else:
        columns = {"id": ids, "prompt": turns("user", prompts), "completion": turns("assistant", outputs),
                   "label": [metas[i].get("thumb") == "up" for i in take]}
    return FeedbackRows(columns, prompts, meta_out, by, counts)
