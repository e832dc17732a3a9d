"""Agreement on free-text answers, measured by text similarity.

For a free-text question (a rationale, a rewritten answer, a correction) annotators never give
*the same* value, so categorical coefficients say nothing. This module measures how similar
the texts that different annotators wrote for the same item are:

* **mean pairwise similarity**: for every item, the mean similarity over the pairs of texts
  written for it by different annotators; then the mean over items (each item counts once).
* **Krippendorff's alpha with a text distance** ``delta = 1 - similarity`` (through the
  ``distance=`` hook of :func:`~workbench.analytics.alpha.krippendorff_alpha`): 1 when the
  texts of an item are identical, 0 when texts of the same item are no more alike than texts of
  different items.

This is a *text-similarity agreement*, not a categorical one: it rewards overlapping wording,
not agreeing meaning (two correct paraphrases with different words score low, and two texts
that share words but say opposite things score high). Read it as "how consistently did the
annotators write", next to categorical questions, never as a replacement for them.

Similarities (both computed over the distinct texts of the question with scikit-learn):

``"jaccard"``
    token-set Jaccard: ``|A & B| / |A | B|`` over the sets of lowercased word tokens
    (``\\b\\w+\\b``); 1 for two texts without tokens.
``"char_ngram"``
    cosine of character 3-5-gram TF-IDF vectors (``analyzer="char_wb"``, sublinear tf, IDF
    fitted on the question's texts); robust to small spelling and inflection differences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from workbench.analytics.alpha import krippendorff_alpha
from workbench.analytics.reliability import ReliabilityData, as_reliability_data, to_reliability_data
from workbench.errors import BadInput

__all__ = ["METHODS", "TextAgreement", "item_text_similarity", "text_agreement", "text_similarity_matrix"]

METHODS = ("jaccard", "char_ngram")
_LABELS = {
    "jaccard": "token-set Jaccard similarity",
    "char_ngram": "character 3-5-gram TF-IDF cosine similarity",
}
MAX_ALPHA_TEXTS = 5000  # distinct texts above which alpha's V x V distance matrix is not built


def _vectors(texts, method: str):
    texts = ["" if t is None else str(t) for t in texts]
    if method == "jaccard":
        vec = CountVectorizer(binary=True, lowercase=True, token_pattern=r"(?u)\b\w+\b")
    elif method == "char_ngram":
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True, sublinear_tf=True)
    else:
        raise BadInput(f"text similarity method {method!r} is not one of {', '.join(METHODS)}")
    try:
        return vec.fit_transform(texts).tocsr().astype(float)
    except ValueError:  # empty vocabulary: no text has a token
        from scipy import sparse

        return sparse.csr_matrix((len(texts), 1))


def _pair_similarity(x, a: np.ndarray, b: np.ndarray, method: str) -> np.ndarray:
    """Similarity of rows ``a[k]`` and ``b[k]`` of the vectors ``x``."""
    dots = np.asarray(x[a].multiply(x[b]).sum(axis=1)).ravel()
    if method == "char_ngram":
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        both_empty = (norms[a] == 0) & (norms[b] == 0)
        out = np.where(norms[a] * norms[b] > 0, dots / np.maximum(norms[a] * norms[b], 1e-300), 0.0)
        out = np.where(both_empty, 1.0, out)
        return np.where(a == b, 1.0, np.clip(out, 0.0, 1.0))
    sizes = np.asarray(x.sum(axis=1)).ravel()
    union = sizes[a] + sizes[b] - dots
    return np.where(union > 0, dots / np.maximum(union, 1e-300), 1.0)


def text_similarity_matrix(texts, method: str = "char_ngram") -> np.ndarray:
    """Similarity between every two texts (V x V, symmetric, 1 on the diagonal).

    Examples
    --------
    >>> text_similarity_matrix(["the cat sat", "The cat", "a dog"], "jaccard").round(3)
    array([[1.   , 0.667, 0.   ],
           [0.667, 1.   , 0.   ],
           [0.   , 0.   , 1.   ]])
    """
    texts = list(texts)
    x = _vectors(texts, method)
    v = len(texts)
    a, b = np.triu_indices(v, k=1)
    sim = np.eye(v)
    if len(a):
        s = _pair_similarity(x, a, b, method)
        sim[a, b] = s
        sim[b, a] = s
    return sim


def _as_text_data(data) -> ReliabilityData:
    if isinstance(data, pd.DataFrame):
        df = data
        if "value" in df.columns:
            text = df["value"].astype("string").str.strip()
            df = df.assign(value=text.where(text != "", pd.NA).astype(object))
            df = df[df["value"].notna()]
        return to_reliability_data(df, as_sets=False)
    rd = as_reliability_data(data)
    bad = next((c for c in rd.categories if not isinstance(c, str)), None)
    if bad is not None:
        raise BadInput(f"text agreement needs texts; value {bad!r} is not a string")
    return rd


def _pairs(rd: ReliabilityData):
    """All pairs of values given to the same item by different annotators: (item, code a, code b)."""
    items, ca, cb = [], [], []
    codes = rd.codes
    for p in range(rd.n_annotators):
        for q in range(p + 1, rd.n_annotators):
            both = np.flatnonzero((codes[p] >= 0) & (codes[q] >= 0))
            items.append(both)
            ca.append(codes[p, both])
            cb.append(codes[q, both])
    if not items:
        return (np.zeros(0, dtype=np.int64),) * 3
    return np.concatenate(items), np.concatenate(ca).astype(np.int64), np.concatenate(cb).astype(np.int64)


def item_text_similarity(data, method: str = "char_ngram") -> pd.DataFrame:
    """Mean pairwise similarity of the texts written for each item.

    Parameters
    ----------
    data : pandas.DataFrame or ReliabilityData
        Tidy rows of one free-text question (``item``, ``annotator``, ``value``; empty texts are
        missing) or reliability data whose categories are the texts.
    method : {"jaccard", "char_ngram"}

    Returns
    -------
    pandas.DataFrame
        One row per item with two or more texts: ``item``, ``n_texts``, ``n_pairs``,
        ``mean_similarity``, ``min_similarity``; least similar first.

    Examples
    --------
    >>> df = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": ["a", "b", "a", "b"],
    ...                    "value": ["red car", "red car", "big dog", "small cat"]})
    >>> item_text_similarity(df, "jaccard")[["item", "mean_similarity"]]
       item  mean_similarity
    0     2              0.0
    1     1              1.0
    """
    rd = _as_text_data(data)
    x = _vectors(rd.categories, method)
    item, a, b = _pairs(rd)
    sim = _pair_similarity(x, a, b, method) if len(item) else np.zeros(0)
    n = rd.n_items
    n_pairs = np.bincount(item, minlength=n)
    total = np.bincount(item, weights=sim, minlength=n)
    low = np.full(n, np.inf)
    np.minimum.at(low, item, sim)
    keep = np.flatnonzero(n_pairs > 0)
    out = pd.DataFrame({
        "item": [rd.items[i] for i in keep],
        "n_texts": (rd.codes[:, keep] >= 0).sum(axis=0),
        "n_pairs": n_pairs[keep],
        "mean_similarity": total[keep] / n_pairs[keep],
        "min_similarity": low[keep],
    })
    return out.sort_values(["mean_similarity", "min_similarity"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class TextAgreement:
    """Text-similarity agreement of a free-text question.

    Attributes
    ----------
    method : str
    label : str
        What was measured, e.g. "token-set Jaccard similarity".
    mean_similarity : float or None
        Mean over items of the items' mean pairwise similarity (None without pairable items).
    pair_mean_similarity : float or None
        Mean over all pairs (items with more annotators weigh more).
    alpha : float or None
        Krippendorff's alpha with ``delta = 1 - similarity``; None with ``alpha_note`` when
        undefined or not computed.
    alpha_note : str
    n_items, n_texts, n_distinct : int
        Items with two or more texts, texts, and distinct texts.
    items : pandas.DataFrame
        :func:`item_text_similarity`.
    """

    method: str
    label: str
    mean_similarity: float | None
    pair_mean_similarity: float | None
    alpha: float | None
    alpha_note: str
    n_items: int
    n_texts: int
    n_distinct: int
    items: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict:
        from workbench.analytics.records import frame_records

        return {
            "method": self.method,
            "label": self.label,
            "kind": "text-similarity agreement (not categorical)",
            "mean_similarity": self.mean_similarity,
            "pair_mean_similarity": self.pair_mean_similarity,
            "alpha": self.alpha,
            "alpha_note": self.alpha_note,
            "n_items": self.n_items,
            "n_texts": self.n_texts,
            "n_distinct": self.n_distinct,
            "items": frame_records(self.items),
        }


def text_agreement(data, method: str = "char_ngram", *, with_alpha: bool = True) -> TextAgreement:
    """Text-similarity agreement of a free-text question (see the module notes).

    Parameters
    ----------
    data : pandas.DataFrame or ReliabilityData
        Tidy rows of ONE free-text question, or reliability data of texts.
    method : {"jaccard", "char_ngram"}
    with_alpha : bool
        Also compute alpha with ``delta = 1 - similarity`` (needs the V x V distances between
        the distinct texts; skipped, with a note, above 5,000 distinct texts).

    Returns
    -------
    TextAgreement

    Examples
    --------
    >>> df = pd.DataFrame({"item": [1, 1, 2, 2, 3, 3], "annotator": ["a", "b"] * 3,
    ...                    "value": ["too long", "too long", "off topic", "off topic",
    ...                              "rude tone", "rude"]})
    >>> res = text_agreement(df, "jaccard")
    >>> round(res.mean_similarity, 3), round(res.alpha, 3)
    (0.833, 0.8)

    By hand: only item 3 disagrees, at distance ``1 - 1/2``, so ``D_o = 2 * 0.5 / 6``; over
    the 30 ordered pairs of the six texts ``D_e = (24 * 1 + 2 * 0.5) / 30``; alpha
    ``= 1 - (1/6) / (25/30) = 0.8``.
    """
    if method not in METHODS:
        raise BadInput(f"text similarity method {method!r} is not one of {', '.join(METHODS)}")
    rd = _as_text_data(data)
    items = item_text_similarity(rd, method)
    n_pairs = int(items["n_pairs"].sum())
    mean = float(items["mean_similarity"].mean()) if len(items) else None
    pair_mean = (
        float((items["mean_similarity"] * items["n_pairs"]).sum() / n_pairs) if n_pairs else None
    )
    alpha, note = None, ""
    v = len(rd.categories)
    if not with_alpha:
        note = "not computed"
    elif v > MAX_ALPHA_TEXTS:
        note = f"not computed: {v} distinct texts (more than {MAX_ALPHA_TEXTS}; the distance matrix would be too large)"
    else:
        distance = 1.0 - text_similarity_matrix(rd.categories, method)
        np.fill_diagonal(distance, 0.0)
        distance = np.clip(distance, 0.0, None)
        try:
            alpha = krippendorff_alpha(rd, distance=distance)
        except BadInput as exc:
            note = str(exc)
    return TextAgreement(
        method=method,
        label=_LABELS[method],
        mean_similarity=mean,
        pair_mean_similarity=pair_mean,
        alpha=alpha,
        alpha_note=note,
        n_items=len(items),
        n_texts=int((rd.codes >= 0).sum()),
        n_distinct=v,
        items=items,
    )
