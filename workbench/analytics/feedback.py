"""Production feedback as numbers: edit sizes, trivial edits, thumbs-down rates with intervals.

Edit size
    The token-level Levenshtein distance between the model's output and the user's edit: the
    fewest token insertions, deletions and substitutions that turn one into the other
    (Levenshtein 1966; Wagner & Fischer 1974). Tokens are runs of word characters, single
    punctuation characters, and redaction placeholders (``<PERSON>``, ``<EMAIL_ADDRESS:9f8..>``)
    as one token each (:func:`tokenize`). The *edit ratio* is the distance over the output's
    token count. The distance is computed row by row of the Wagner-Fischer table, each row with
    numpy: deletions and substitutions elementwise, insertions by a running minimum
    (``D[i, j] = min_k (T[k] + j - k)``, i.e. ``minimum.accumulate(T - j) + j``), after
    stripping the common prefix and suffix.

Trivial edits (:func:`classify_edit`)
    ``unchanged``: the same text; ``whitespace``: the same tokens; ``punctuation``: the same
    words once case and punctuation are ignored; ``pii_only``: the same words once redaction
    placeholders are removed from both (the redaction differed), or the edit only deletes runs
    of tokens each holding a placeholder and at most two other words (the user took personal
    data out: "call <PERSON> on <PHONE_NUMBER> today" -> "call today"); otherwise
    ``substantive``. Only substantive edits become DPO pairs.

Rates
    The thumbs-down rate with the Wilson score interval (Wilson 1927; Agresti & Coull 1998):
    ``(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``, ``z`` the normal quantile of
    ``1 - (1 - confidence)/2``. It stays inside [0, 1] and is usable for small counts and rates
    near 0 or 1, where the normal (Wald) interval is not.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from workbench.errors import BadInput

EDIT_CLASSES = ("unchanged", "whitespace", "punctuation", "pii_only", "substantive")
TRIVIAL = frozenset({"unchanged", "whitespace", "punctuation", "pii_only"})

_TOKEN = re.compile(r"<[A-Z][A-Z_]*(?::[^>\s]*)?>|\w+|[^\w\s]")
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*(?::[^>\s]*)?>")
_WORD = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    """Word runs, single punctuation characters and redaction placeholders.

    >>> tokenize("Call <PERSON> at 5pm, ok?")
    ['Call', '<PERSON>', 'at', '5pm', ',', 'ok', '?']
    """
    return _TOKEN.findall(text)


def levenshtein(a: Sequence, b: Sequence) -> int:
    """Levenshtein distance between two sequences (of tokens, or characters).

    >>> levenshtein("kitten", "sitting"), levenshtein([], ["a", "b"]), levenshtein(["a"], ["a"])
    (3, 2, 0)
    """
    a, b = list(a), list(b)
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if not a or not b:
        return len(a) + len(b)
    if len(a) < len(b):
        a, b = b, a
    codes: dict = {}
    ca = np.array([codes.setdefault(t, len(codes)) for t in a], dtype=np.int64)
    cb = np.array([codes.setdefault(t, len(codes)) for t in b], dtype=np.int64)
    j = np.arange(len(cb) + 1, dtype=np.int64)
    prev = j.copy()
    for i, x in enumerate(ca, start=1):
        t = np.empty_like(prev)
        t[0] = i
        t[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (cb != x))
        prev = np.minimum.accumulate(t - j) + j
    return int(prev[-1])


def edit_size(output: str, edit: str) -> tuple[int, float]:
    """``(token distance, distance / tokens of the output)``.

    >>> edit_size("The dose is 5 mg daily.", "The dose is 10 mg twice daily.")
    (2, 0.2857142857142857)
    """
    a, b = tokenize(output), tokenize(edit)
    d = levenshtein(a, b)
    return d, d / max(len(a), 1)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


#: Words other than placeholders that a deletion may take with the personal data it removes
#: ("call <PERSON> *on* <PHONE_NUMBER>") and still count as removing PII only.
PII_CONNECTOR_WORDS = 2


def _pii_tokens(text: str) -> list[str]:
    return [t if _PLACEHOLDER.fullmatch(t) else t.casefold() for t in _TOKEN.findall(text)
            if _PLACEHOLDER.fullmatch(t) or _WORD.fullmatch(t)]


def _only_pii_deleted(output: str, edit: str) -> bool:
    """Whether ``edit`` is ``output`` with runs of tokens deleted, each run holding a redaction
    placeholder and at most :data:`PII_CONNECTOR_WORDS` other words (leftmost alignment)."""
    src, kept = _pii_tokens(output), _pii_tokens(edit)
    runs: list[list[str]] = []
    cur: list[str] = []
    j = 0
    for tok in src:
        if j < len(kept) and tok == kept[j]:
            if cur:
                runs.append(cur)
                cur = []
            j += 1
        else:
            cur.append(tok)
    if cur:
        runs.append(cur)
    if j < len(kept) or not runs:
        return False
    for run in runs:
        holders = sum(1 for t in run if _PLACEHOLDER.fullmatch(t))
        if not holders or len(run) - holders > PII_CONNECTOR_WORDS:
            return False
    return True


def classify_edit(output: str, edit: str) -> str:
    """Which kind of change an edit makes (:data:`EDIT_CLASSES`).

    >>> classify_edit("Take 2 tablets.", "Take  2 tablets. ")
    'whitespace'
    >>> classify_edit("take 2 tablets", "Take 2 tablets!")
    'punctuation'
    >>> classify_edit("Ask <PERSON> at <EMAIL_ADDRESS>.", "Ask at.")
    'pii_only'
    >>> classify_edit("Take 2 tablets.", "Take 1 tablet.")
    'substantive'
    """
    if output == edit:
        return "unchanged"
    if tokenize(output) == tokenize(edit):
        return "whitespace"
    if _words(output) == _words(edit):
        return "punctuation"
    if _words(_PLACEHOLDER.sub(" ", output)) == _words(_PLACEHOLDER.sub(" ", edit)) or _only_pii_deleted(output, edit):
        return "pii_only"
    return "substantive"


def wilson_interval(k, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of ``k`` successes in ``n`` trials (arrays or numbers); NaN where ``n`` is 0.

    >>> lo, hi = wilson_interval(0, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.0, 0.2775)
    """
    if not 0 < confidence < 1:
        raise BadInput(f"confidence must be in (0, 1), got {confidence!r}")
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(k < 0) or np.any(k > n):
        raise BadInput("wilson_interval: successes must be between 0 and the number of trials")
    z = norm.ppf(1 - (1 - confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    lo = np.where(n > 0, lo, np.nan)
    hi = np.where(n > 0, hi, np.nan)
    return lo, hi


def latest_thumbs(signals: pd.DataFrame) -> pd.DataFrame:
    """One thumb per interaction: the latest (a user who changed their mind counts once)."""
    thumbs = signals[signals["kind"] == "thumbs"]
    return thumbs.sort_values(["occurred_at", "id"], kind="stable").drop_duplicates("interaction_id", keep="last")


SUMMARY_COLUMNS = ("interactions", "thumbs", "thumbs_down", "down_rate", "down_low", "down_high", "edits",
                   "substantive_edits", "trivial_edits", "median_edit_tokens", "mean_edit_ratio", "rejections")


def summarize(interactions: pd.DataFrame, signals: pd.DataFrame, by: str | None = None,
              confidence: float = 0.95) -> pd.DataFrame:
    """Volumes and rates, overall (``by=None``) or per value of ``by`` (``model_version``, ``topic``).

    ``interactions``: ``id`` and the ``by`` column; ``signals``: ``id, interaction_id, kind,
    label, occurred_at`` and the ``by`` column (of their interaction), and for edits
    ``edit_tokens``, ``edit_ratio``, ``edit_class``. A missing ``by`` value is ``(unknown)``.
    Columns: :data:`SUMMARY_COLUMNS`.
    """
    key = "_all" if by is None else by
    inter = interactions.assign(_all="all") if by is None else interactions
    sig = signals.assign(_all="all") if by is None else signals
    inter_key = inter[key].fillna("(unknown)").astype(str)
    sig = sig.assign(**{key: sig[key].fillna("(unknown)").astype(str)})
    out = pd.DataFrame({"interactions": inter_key.value_counts()})
    thumbs = latest_thumbs(sig)
    g = thumbs.groupby(key)["label"]
    out["thumbs"] = g.size()
    out["thumbs_down"] = g.apply(lambda s: int((s == 0).sum()))
    edits = sig[sig["kind"] == "edit"]
    out["edits"] = edits.groupby(key).size()
    subst = edits[edits.get("edit_class", pd.Series(index=edits.index, dtype=object)) == "substantive"]
    out["substantive_edits"] = subst.groupby(key).size()
    out["rejections"] = sig[sig["kind"] == "rejection"].groupby(key).size()
    for c in ("interactions", "thumbs", "thumbs_down", "edits", "substantive_edits", "rejections"):
        out[c] = out[c].fillna(0).astype(int) if c in out else 0
    out["trivial_edits"] = out["edits"] - out["substantive_edits"]
    out["median_edit_tokens"] = subst.groupby(key)["edit_tokens"].median() if len(subst) else np.nan
    out["mean_edit_ratio"] = subst.groupby(key)["edit_ratio"].mean() if len(subst) else np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        out["down_rate"] = np.where(out["thumbs"] > 0, out["thumbs_down"] / out["thumbs"].where(out["thumbs"] > 0, 1), np.nan)
    lo, hi = wilson_interval(out["thumbs_down"].to_numpy(), out["thumbs"].to_numpy(), confidence)
    out["down_low"], out["down_high"] = lo, hi
    out = out[list(SUMMARY_COLUMNS)]
    out.index.name = by or "all"
    return out.sort_values(["interactions", "thumbs"], ascending=False, kind="stable")


def edit_table(outputs: Sequence, edits: Sequence) -> pd.DataFrame:
    """``edit_tokens``, ``edit_ratio`` and ``edit_class`` of each (output, edit) pair; a missing
    output (the interaction is not imported yet) gives NaN and class ``None``."""
    tokens: list[float] = []
    ratios: list[float] = []
    classes: list[str | None] = []
    for o, e in zip(outputs, edits):
        if not isinstance(o, str) or not isinstance(e, str):
            tokens.append(np.nan)
            ratios.append(np.nan)
            classes.append(None)
            continue
        d, r = edit_size(o, e)
        tokens.append(d)
        ratios.append(r)
        classes.append(classify_edit(o, e))
    return pd.DataFrame({"edit_tokens": tokens, "edit_ratio": ratios, "edit_class": classes})
