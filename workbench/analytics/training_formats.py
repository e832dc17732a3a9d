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
from typing import Sequence

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
    frame = pd.DataFrame({
        "item": items["item"].to_numpy(),
        "prompt": [f.get(prompt, "") for f in items["fields"]],
        "completion": [f.get(completion, "") for f in items["fields"]],
        "rating": [lab.get(rank_by) for lab in items["labels"]],
        "labels": items["labels"].to_numpy(),
    })
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
    rows = []
    for text, bi, bc, br, bl, wi, wc, wr in zip(prompts[enough], b["item"][enough], b["completion"][enough],
                                                  b["rating"][enough], b["labels"][enough], w["item"][enough],
                                                  w["completion"][enough], w["rating"][enough]):
        if not accepts(bl, accept):
            counts["chosen-not-accepted"] += 1
            continue
        rows.append({"id": f"{bi}>{wi}", "chosen_id": bi, "rejected_id": wi, "prompt": _user(text),
                     "chosen": _assistant(bc), "rejected": _assistant(wc),
                     "score_chosen": float(br), "score_rejected": float(wr)})
    return rows, {k: v for k, v in counts.items() if v}


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
