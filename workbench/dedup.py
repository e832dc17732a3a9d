"""Deduplication of candidate records: exact, near-duplicate (MinHash LSH) and semantic.

Annotators should only see candidates that say something new. :func:`dedup_candidates` runs
three stages, each on the survivors of the one before, both *within* the new batch and *against*
the records already in the task's datasets (``existing``):

``exact``
    identical after normalisation (Unicode NFKC, case folding, runs of whitespace collapsed to
    one space, ends stripped), found by a 128-bit BLAKE2b hash of the normalised text.
``minhash``
    near-duplicates: estimated Jaccard similarity of the sets of character ``ngram``-shingles of
    the normalised texts at least ``threshold`` (default 0.7). Signatures are MinHash sketches
    computed with NumPy (vectorised over all shingles of a chunk of documents), candidate pairs
    come from LSH banding with the band/row split that ``datasketch`` 1.6.5 picks for the
    threshold, every candidate pair is verified by its estimated Jaccard, and the verified
    pairs are joined into clusters (connected components, i.e. union-find).
``semantic``
    SemDedup-style: sentence embeddings (:mod:`workbench.embeddings`), k-means clusters
    (``MiniBatchKMeans``, about ``docs_per_cluster`` documents per cluster; no clustering, i.e.
    an exact all-pairs comparison, below ``exact_below`` documents), and a candidate is dropped
    when its cosine similarity to a record already kept in its ``probes`` nearest clusters
    reaches ``threshold`` (default 0.85, calibrated on hand-written paraphrases; see
    ``docs/dedup.md``).

Which record is kept: the best-scored one (highest ``score``; unscored rows rank last; ties go
to the earliest row), and records already pushed (``existing``) are never dropped: a new
candidate that duplicates one of them is dropped in its favour whatever its score.

Every dropped candidate keeps a pointer to the record it duplicates (``duplicate_of``, the
stage, the similarity, and whether the target is an existing record), and
:class:`DedupReport` counts what each stage removed.

The stages are also available one at a time, as pure functions over arrays
(:func:`exact_matches`, :func:`minhash_matches`, :func:`semantic_matches`) and as small steps
(:class:`ExactStep`, :class:`MinHashStep`, :class:`SemanticStep`) that
:func:`dedup_candidates` chains.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from workbench.errors import BadInput

__all__ = [
    "DedupConfig",
    "DedupReport",
    "DedupStep",
    "ExactStep",
    "ExistingRecords",
    "Matches",
    "MinHashConfig",
    "MinHashStep",
    "SemanticConfig",
    "SemanticStep",
    "STAGES",
    "content_hash",
    "content_hashes",
    "dedup_candidates",
    "estimated_jaccard",
    "exact_matches",
    "lsh_bands",
    "lsh_candidate_pairs",
    "minhash_matches",
    "minhash_signatures",
    "normalize_text",
    "priority_ranks",
    "semantic_matches",
]

STAGES = ("exact", "minhash", "semantic")

#: Columns added to the dropped table (refused in the input, so nothing is overwritten).
POINTER_COLUMNS = ("duplicate_of", "dedup_stage", "dedup_similarity", "duplicate_of_existing", "duplicate_root")

Embedder = Callable[[Sequence[str]], np.ndarray]


# --------------------------------------------------------------------------------------------
# Normalisation and exact hashes
# --------------------------------------------------------------------------------------------


def normalize_text(text: str) -> str:
    """Normalise a text for duplicate detection.

    Unicode NFKC (compatibility forms such as full-width letters and ligatures become plain
    ones), case folding, and every run of whitespace collapsed to one space, ends stripped.

    Examples
    --------
    >>> normalize_text("  Ｈｅｌｌｏ,\\n\\tWORLD  ")
    'hello, world'
    >>> normalize_text("Stra\\u00dfe \\ufb01ne") == normalize_text("STRASSE fine")
    True
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def content_hash(text: str) -> str:
    """Hex BLAKE2b-128 digest of the normalised text: equal for texts that differ only in case,
    whitespace or Unicode compatibility forms.

    Examples
    --------
    >>> content_hash("Hello  world") == content_hash("hello world\\n")
    True
    >>> len(content_hash(""))
    32
    """
    return hashlib.blake2b(normalize_text(text).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def content_hashes(texts: Sequence[str]) -> np.ndarray:
    """:func:`content_hash` of each text, as an object array of hex strings."""
    return np.array([content_hash(t) for t in texts], dtype=object)


def priority_ranks(scores: Sequence[float] | np.ndarray | None, n: int | None = None) -> np.ndarray:
    """Rank of each row in the keep order: 0 is kept first.

    Higher score first; missing scores (NaN or ``None``) last; ties by position (earliest first).
    With ``scores=None`` the order is the row order (``n`` rows).

    Examples
    --------
    >>> priority_ranks([0.5, 0.9, float("nan"), 0.9]).tolist()
    [2, 0, 3, 1]
    >>> priority_ranks(None, 3).tolist()
    [0, 1, 2]
    """
    if scores is None:
        if n is None:
            raise BadInput("priority_ranks: give scores or n")
        return np.arange(n, dtype=np.int64)
    s = np.asarray(pd.to_numeric(pd.Series(scores, dtype=object), errors="raise"), dtype=float)
    key = np.where(np.isnan(s), -np.inf, s)
    order = np.lexsort((np.arange(len(s)), -key))
    ranks = np.empty(len(s), dtype=np.int64)
    ranks[order] = np.arange(len(s))
    return ranks


# --------------------------------------------------------------------------------------------
# Matches: the result of one stage
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Matches:
    """Rows a stage drops, each with the record it duplicates.

    Attributes
    ----------
    dropped : int array
        Positions (in the batch the stage saw) of the dropped rows.
    target : int array
        For each dropped row, the position of the record it duplicates: in the batch when
        ``target_existing`` is False, else in ``existing``.
    target_existing : bool array
        Whether the target is an existing record.
    similarity : float array
        1.0 for exact duplicates, estimated Jaccard for MinHash, cosine for semantic.
    """

    dropped: np.ndarray
    target: np.ndarray
    target_existing: np.ndarray
    similarity: np.ndarray

    @staticmethod
    def empty() -> "Matches":
        return Matches(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, bool), np.empty(0, float))

    def __len__(self) -> int:
        return len(self.dropped)


def _matches(dropped: ArrayLike, target: ArrayLike, target_existing: ArrayLike, similarity: ArrayLike) -> Matches:
    dropped = np.asarray(dropped, dtype=np.int64)
    order = np.argsort(dropped, kind="stable")
    return Matches(
        dropped[order],
        np.asarray(target, dtype=np.int64)[order],
        np.asarray(target_existing, dtype=bool)[order],
        np.asarray(similarity, dtype=float)[order],
    )


def exact_matches(
    hashes: Sequence[str] | np.ndarray, priority: np.ndarray, existing_hashes: Sequence[str] | np.ndarray | None = None
) -> Matches:
    """Exact duplicates by content hash.

    Within the batch the best-priority row of each hash is kept; a hash that an existing record
    has drops every batch row with it (pointing at the first such existing record).

    Examples
    --------
    >>> h = content_hashes(["a b", "A  B", "c", "C"])
    >>> m = exact_matches(h, priority_ranks([0.1, 0.9, 0.5, 0.5]), content_hashes(["c"]))
    >>> m.dropped.tolist(), m.target.tolist(), m.target_existing.tolist()
    ([0, 2, 3], [1, 0, 0], [False, True, True])
    """
    hashes = list(hashes)
    first_existing: dict[str, int] = {}
    for j, h in enumerate(existing_hashes if existing_hashes is not None else ()):
        first_existing.setdefault(h, j)
    best: dict[str, int] = {}
    for i in np.argsort(priority, kind="stable"):
        best.setdefault(hashes[i], int(i))
    dropped: list[int] = []
    target: list[int] = []
    is_existing: list[bool] = []
    for i, h in enumerate(hashes):
        if h in first_existing:
            dropped.append(i)
            target.append(first_existing[h])
            is_existing.append(True)
        elif best[h] != i:
            dropped.append(i)
            target.append(best[h])
            is_existing.append(False)
    return _matches(dropped, target, is_existing, np.ones(len(dropped)))


# --------------------------------------------------------------------------------------------
# MinHash signatures and LSH
# --------------------------------------------------------------------------------------------

_U64 = np.uint64
_POLY = _U64(0x100000001B3)  # FNV-64 prime, multiplier of the rolling shingle hash
_FMIX1 = _U64(0xFF51AFD7ED558CCD)
_FMIX2 = _U64(0xC4CEB9FE1A85EC53)
_SHINGLES_PER_CHUNK = 1 << 16  # ~512 KB of uint64: stays in cache


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place: spreads every input bit over the output."""
    x ^= x >> _U64(33)
    x *= _FMIX1
    x ^= x >> _U64(33)
    x *= _FMIX2
    x ^= x >> _U64(33)
    return x


def _shingle_hashes(norm_texts: Sequence[str], ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every character ``ngram`` of each text (texts shorter than ``ngram``
    are padded with NUL to one shingle), concatenated; plus each text's offset."""
    padded = [t if len(t) >= ngram else t + "\0" * (ngram - len(t)) for t in norm_texts]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    cps = np.frombuffer("".join(padded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    width = len(cps) - ngram + 1
    h = cps[:width].copy()
    for k in range(1, ngram):
        h *= _POLY
        h += cps[k : k + width]
    _fmix64(h)
    counts = lengths - ngram + 1
    offsets = np.cumsum(counts) - counts
    starts = np.cumsum(lengths) - lengths
    positions = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(starts - offsets, counts)
    return h[positions] >> _U64(32), offsets


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64, endpoint=True)
    b = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64, endpoint=True)
    return a, b


def minhash_signatures(
    texts: Sequence[str], num_perm: int = 128, ngram: int = 5, seed: int = 1, normalize: bool = True
) -> np.ndarray:
    """MinHash signatures of the sets of character ``ngram``-shingles of each text.

    Each shingle is hashed to 32 bits (a rolling polynomial hash of its code points, mixed with
    MurmurHash3's finaliser); permutation ``j`` maps a shingle hash ``x`` to the top 32 bits of
    ``(a_j * x + b_j) mod 2**64`` (Dietzfelbinger's multiply-add-shift family, strongly universal
    for 32-bit keys) and the signature keeps the minimum per permutation. The fraction of equal
    entries of two signatures estimates the Jaccard similarity of the shingle sets, with standard
    error ``sqrt(J (1 - J) / num_perm)``.

    Parameters
    ----------
    texts : sequence of str
    num_perm : int
        Signature length.
    ngram : int
        Shingle length in characters (5 like distilabel's ``MinHashDedup(tokenizer="ngrams")``).
    seed : int
        Seed of the permutations; signatures are only comparable with the same seed,
        ``num_perm`` and ``ngram``.
    normalize : bool
        Shingle :func:`normalize_text` of each text (True) or the raw text.

    Returns
    -------
    numpy.ndarray of uint32, shape (len(texts), num_perm)

    Examples
    --------
    >>> s = minhash_signatures(["the cat sat on the mat", "The cat sat on the  mat!", "dogs bark"])
    >>> float(estimated_jaccard(s[0], s[1])) > 0.7, float(estimated_jaccard(s[0], s[2])) < 0.2
    (True, True)
    """
    _check_minhash_params(num_perm, ngram)
    texts = [normalize_text(t) for t in texts] if normalize else list(texts)
    a, b = _permutations(num_perm, seed)
    sig = np.empty((len(texts), num_perm), dtype=np.uint32)
    start = 0
    while start < len(texts):
        # documents of about _SHINGLES_PER_CHUNK shingles at a time bound the memory
        stop, budget = start, 0
        while stop < len(texts) and (stop == start or budget + len(texts[stop]) <= _SHINGLES_PER_CHUNK):
            budget += max(len(texts[stop]), ngram)
            stop += 1
        x, offsets = _shingle_hashes(texts[start:stop], ngram)
        buf = np.empty_like(x)
        for j in range(num_perm):
            np.multiply(x, a[j], out=buf)
            np.add(buf, b[j], out=buf)
            sig[start:stop, j] = np.minimum.reduceat(buf, offsets) >> _U64(32)
        start = stop
    return sig


def estimated_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Fraction of equal entries of two signatures (or of two stacks of signatures, row-wise)."""
    return np.mean(np.asarray(sig_a) == np.asarray(sig_b), axis=-1)


def _check_minhash_params(num_perm: int, ngram: int) -> None:
    if not isinstance(num_perm, (int, np.integer)) or num_perm < 2:
        raise BadInput(f"dedup config: field minhash.num_perm must be an integer >= 2, got {num_perm!r}")
    if not isinstance(ngram, (int, np.integer)) or ngram < 1:
        raise BadInput(f"dedup config: field minhash.ngram must be an integer >= 1, got {ngram!r}")


def lsh_bands(threshold: float, num_perm: int, false_positive_weight: float = 0.5) -> tuple[int, int]:
    """Number of bands and rows per band for an LSH at Jaccard ``threshold``, as
    ``datasketch.MinHashLSH`` 1.6.5 chooses them: the split minimising
    ``w * P(false positive) + (1 - w) * P(false negative)`` over the Jaccard range.

    datasketch's default weight is 0.5, which at threshold 0.7 with 128 permutations gives
    14 bands of 9 rows: a pair with Jaccard 0.7 becomes a candidate only 44% of the time, and
    one with 0.8 only 87%. Since every candidate is verified here, :class:`MinHashConfig`
    weights false positives at 0.1 instead (20 bands of 6 rows: 92% at 0.7, 99.8% at 0.8).

    Examples
    --------
    >>> lsh_bands(0.7, 128)
    (14, 9)
    >>> lsh_bands(0.7, 128, false_positive_weight=0.1)
    (20, 6)
    """
    if not 0 < false_positive_weight < 1:
        raise BadInput(
            f"dedup config: field minhash.lsh_false_positive_weight must be in (0, 1), got {false_positive_weight!r}"
        )
    return _optimal_bands(float(threshold), int(num_perm), float(false_positive_weight))


@functools.lru_cache(maxsize=64)
def _optimal_bands(threshold: float, num_perm: int, fp_weight: float) -> tuple[int, int]:
    from datasketch.lsh import _optimal_param  # numerical integration, ~0.1 s: cached

    bands, rows = _optimal_param(threshold, num_perm, fp_weight, 1 - fp_weight)
    return int(bands), int(rows)


def lsh_candidate_pairs(
    signatures: np.ndarray, bands: int, rows: int, n_new: int | None = None, window: int = 64
) -> np.ndarray:
    """Pairs of rows that share an LSH bucket in at least one band.

    Rows are bucketed per band by a 64-bit hash of their ``rows`` signature values; within a
    bucket each row is paired with the next ``window`` rows (all pairs of buckets up to
    ``window + 1`` rows). With ``n_new`` set, rows from ``n_new`` on are existing records and
    pairs of two existing records are left out.

    Returns
    -------
    numpy.ndarray of int64, shape (P, 2)
        Unique pairs ``(i, j)`` with ``i < j``.
    """
    sig = np.asarray(signatures)
    n = len(sig)
    if n_new is None:
        n_new = n
    if bands * rows > sig.shape[1]:
        raise BadInput(f"dedup config: {bands} bands x {rows} rows exceed num_perm={sig.shape[1]}")
    codes = []
    for band in range(bands):
        key = np.zeros(n, dtype=np.uint64)
        for c in range(band * rows, (band + 1) * rows):
            key *= _POLY
            key += sig[:, c].astype(np.uint64)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        for d in range(1, window + 1):
            same = sorted_key[d:] == sorted_key[:-d]
            if not same.any():
                break
            i, j = order[:-d][same], order[d:][same]
            lo, hi = np.minimum(i, j), np.maximum(i, j)
            keep = lo < n_new
            codes.append(lo[keep] * n + hi[keep])
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.unique(np.concatenate(codes))
    return np.stack([pairs // n, pairs % n], axis=1)


def _components(n: int, edges: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def minhash_matches(
    signatures: np.ndarray,
    priority: np.ndarray,
    threshold: float = 0.7,
    existing_signatures: np.ndarray | None = None,
    bands: int | None = None,
    rows: int | None = None,
    window: int = 64,
    false_positive_weight: float = 0.1,
) -> Matches:
    """Near-duplicates by MinHash LSH, clustered by union-find.

    Candidate pairs (:func:`lsh_candidate_pairs`) whose estimated Jaccard reaches ``threshold``
    are joined into clusters (connected components). In a cluster with an existing record every
    new row is dropped and points at the existing member most similar to it; otherwise the
    best-priority row is kept and the others point at it. Because clusters are transitive, a
    dropped row can be less similar than ``threshold`` to the row it points at (a chain
    A~B~C); its ``similarity`` says so.
    """
    sig = np.asarray(signatures)
    n = len(sig)
    priority = np.asarray(priority)
    if existing_signatures is not None and len(existing_signatures):
        ex = np.asarray(existing_signatures)
        if ex.shape[1] != sig.shape[1]:
            raise BadInput(
                f"existing records: field minhashes has {ex.shape[1]} values per record, "
                f"but num_perm is {sig.shape[1]}"
            )
        sig = np.concatenate([sig, ex.astype(sig.dtype, copy=False)])
    if bands is None or rows is None:
        bands, rows = lsh_bands(threshold, sig.shape[1], false_positive_weight)
    pairs = lsh_candidate_pairs(sig, bands, rows, n_new=n, window=window)
    sims = np.empty(len(pairs))
    for s in range(0, len(pairs), 100_000):
        p = pairs[s : s + 100_000]
        sims[s : s + 100_000] = estimated_jaccard(sig[p[:, 0]], sig[p[:, 1]])
    edges = pairs[sims >= threshold]
    if len(edges) == 0:
        return Matches.empty()
    labels = _components(len(sig), edges)
    in_edge = np.zeros(len(sig), dtype=bool)
    in_edge[edges.ravel()] = True
    new = np.flatnonzero(in_edge[:n])
    existing_nodes = np.flatnonzero(in_edge[n:]) + n
    comps_with_existing = np.unique(labels[existing_nodes])
    has_existing = np.isin(labels[new], comps_with_existing)

    dropped, target, is_existing, similarity = [], [], [], []
    # clusters without an existing record: keep the best-priority member
    plain = new[~has_existing]
    if len(plain):
        order = plain[np.lexsort((priority[plain], labels[plain]))]
        first = np.r_[True, labels[order][1:] != labels[order][:-1]]
        best = order[first][np.cumsum(first) - 1]
        d = order[~first]
        dropped.append(d)
        target.append(best[~first])
        is_existing.append(np.zeros(len(d), bool))
        similarity.append(estimated_jaccard(sig[d], sig[best[~first]]))
    # clusters with existing records: every new member points at its most similar existing one
    with_ex = new[has_existing]
    if len(with_ex):
        ex_by_label: dict[int, np.ndarray] = {}
        ex_sorted = existing_nodes[np.argsort(labels[existing_nodes], kind="stable")]
        labs = labels[ex_sorted]
        cuts = np.flatnonzero(np.r_[True, labs[1:] != labs[:-1], True])
        for a, b in zip(cuts[:-1], cuts[1:]):
            ex_by_label[int(labs[a])] = ex_sorted[a:b]
        t = np.empty(len(with_ex), np.int64)
        sim_ex = np.empty(len(with_ex))
        for k, i in enumerate(with_ex):
            members = ex_by_label[int(labels[i])]
            sim = estimated_jaccard(sig[members], sig[i])
            best_k = int(np.argmax(sim))
            t[k], sim_ex[k] = members[best_k] - n, sim[best_k]
        dropped.append(with_ex)
        target.append(t)
        is_existing.append(np.ones(len(with_ex), bool))
        similarity.append(sim_ex)
    return _matches(*(np.concatenate(v) for v in (dropped, target, is_existing, similarity)))


# --------------------------------------------------------------------------------------------
# Semantic (SemDedup-style)
# --------------------------------------------------------------------------------------------


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T`` of unit rows, summed in float64 and rounded to float32. A float32 matrix
    product rounds differently at different positions of its kernel's tiles (so two identical
    rows can get cosines one ulp apart, and a tie becomes a win depending on the CPU); float64
    sums rounded to float32 give the same cosine for the same pair of rows wherever it sits."""
    return (a.astype(np.float64) @ b.astype(np.float64).T).astype(np.float32)


def semantic_matches(
    embeddings: np.ndarray,
    priority: np.ndarray,
    threshold: float = 0.85,
    existing_embeddings: np.ndarray | None = None,
    docs_per_cluster: int = 100,
    exact_below: int = 2048,
    seed: int = 0,
    probes: int = 2,
) -> Matches:
    """Semantic duplicates: cosine similarity of L2-normalised embeddings within k-means clusters.

    Existing records are kept; then the new rows are visited in priority order and a row is
    dropped when its cosine similarity to a row already kept reaches ``threshold``, pointing at
    the most similar kept row. Every dropped row is thus at least ``threshold`` similar to a kept
    one (no chains).

    With fewer than ``exact_below`` rows (new plus existing) a row is compared with every kept
    row. Otherwise, as in SemDedup, ``MiniBatchKMeans`` with ``ceil(N / docs_per_cluster)``
    clusters partitions the rows and a row is compared only with the kept rows of its ``probes``
    nearest clusters (1 is plain SemDedup, which misses duplicates split across a cluster
    boundary; 2 catches most of those at twice the comparisons).

    The comparisons are matrix products over blocks of rows (in priority order): a block
    against the rows kept before it, cluster by cluster, then against itself; only rows with an
    earlier near-duplicate inside their block are settled one at a time. The decisions, ties
    included, are those of comparing one row at a time with the rows kept so far (tested);
    cosines agree with it to float32 rounding.
    """
    x = _as_unit_float32(embeddings, "embeddings")
    n = len(x)
    priority = np.asarray(priority)
    if existing_embeddings is not None and len(existing_embeddings):
        ex = _as_unit_float32(existing_embeddings, "existing embeddings")
        if ex.shape[1] != x.shape[1]:
            raise BadInput(
                f"existing records: field embeddings has dimension {ex.shape[1]}, "
                f"but the new embeddings have {x.shape[1]}"
            )
        x = np.concatenate([x, ex])
    total = len(x)
    if n == 0 or total < 2:
        return Matches.empty()
    if total < exact_below:
        home = np.zeros(total, dtype=np.int64)
        near = np.zeros((total, 1), dtype=np.int64)
        k = 1
    else:
        from sklearn.cluster import MiniBatchKMeans

        k = max(1, math.ceil(total / docs_per_cluster))
        # a rough partition is enough (probes cover the boundaries); k-means++ and many epochs
        # cost more than the comparisons they save
        # (compute_labels=False: the probes below assign every row; the centres are the same)
        km = MiniBatchKMeans(n_clusters=k, init="random", n_init=1, max_iter=10, batch_size=4096, random_state=seed,
                             compute_labels=False)
        km.fit(x)
        near = _nearest_centroids(x, km.cluster_centers_.astype(np.float32), min(max(1, probes), k))
        home = near[:, 0]
    # Rows are decided in priority order, in blocks: a block is first compared (matrix products)
    # with the rows kept before it in each cluster it probes, then with its own earlier rows;
    # only rows with an earlier near-duplicate inside the block are settled one by one.
    # Candidates are ranked as the one-row-at-a-time greedy ranks them: highest cosine, then
    # nearest probed cluster, then earliest kept (existing records first).
    sizes = np.bincount(home, minlength=k)
    slab_start = np.r_[0, np.cumsum(sizes)[:-1]]
    fill = np.zeros(k, dtype=np.int64)
    kept_rows = np.empty(total, dtype=np.int64)
    kept_vecs = np.empty_like(x)

    def keep(rows: np.ndarray) -> None:  # rows in keep order; appended to their home slabs
        if not len(rows):
            return
        h = home[rows]
        by_home = np.argsort(h, kind="stable")
        rows, h = rows[by_home], h[by_home]
        first = np.r_[True, h[1:] != h[:-1]]
        rank_in_home = np.arange(len(rows)) - np.flatnonzero(first)[np.cumsum(first) - 1]
        at = slab_start[h] + fill[h] + rank_in_home
        kept_rows[at], kept_vecs[at] = rows, x[rows]
        np.add.at(fill, h, 1)

    keep(np.arange(n, total))  # existing records are kept, never dropped
    p = near.shape[1]
    dropped, target, similarity = [], [], []
    order = np.argsort(priority, kind="stable")
    for s in range(0, n, _SEMANTIC_BLOCK):
        block = order[s : s + _SEMANTIC_BLOCK]
        b = len(block)
        near_b = near[block]
        # 1. against the rows kept before this block, cluster by cluster
        best = np.full((b, p), -np.inf, dtype=np.float32)
        best_row = np.full((b, p), -1, dtype=np.int64)
        flat = near_b.ravel()
        by_cluster = np.argsort(flat, kind="stable")
        clusters = flat[by_cluster]
        cuts = np.flatnonzero(np.r_[True, clusters[1:] != clusters[:-1], True])
        for a, z in zip(cuts[:-1], cuts[1:]):
            c = clusters[a]
            lo, hi = slab_start[c], slab_start[c] + fill[c]
            if hi == lo:
                continue
            pos = by_cluster[a:z]
            r, q = pos // p, pos % p
            sims = _cosines(x[block[r]], kept_vecs[lo:hi])
            j = np.argmax(sims, axis=1)
            best[r, q] = sims[np.arange(len(r)), j]
            best_row[r, q] = kept_rows[lo + j]
        q_best = np.argmax(best, axis=1)  # ties: the nearer probed cluster, as the greedy does
        pre_sim = best[np.arange(b), q_best]
        pre_row = best_row[np.arange(b), q_best]
        # 2. within the block: pairs (i, j), j before i, j's home probed by i, cosine >= threshold
        sims = _cosines(x[block], x[block])
        ii, jj = np.nonzero(np.tril(sims >= threshold, -1))
        probe = np.argmax(near_b[ii] == home[block[jj]][:, None], axis=1)
        member = near_b[ii, probe] == home[block[jj]]
        ii, jj, probe = ii[member], jj[member], probe[member]
        is_kept = pre_sim < threshold
        tgt_sim, tgt_row = pre_sim.copy(), pre_row.copy()
        if len(ii):
            pair_sim = sims[ii, jj]
            starts = np.searchsorted(ii, np.arange(b + 1))
            for i in np.unique(ii):
                js = jj[starts[i] : starts[i + 1]]
                ok = is_kept[js]
                if not ok.any():
                    continue
                js, ps, ss = js[ok], probe[starts[i] : starts[i + 1]][ok], pair_sim[starts[i] : starts[i + 1]][ok]
                top = np.flatnonzero(ss == ss.max())
                top = top[np.lexsort((js[top], ps[top]))[0]]  # nearer cluster, then kept earlier
                better = ss[top] > tgt_sim[i] or (ss[top] == tgt_sim[i] and ps[top] < q_best[i])
                if better:
                    tgt_sim[i], tgt_row[i] = ss[top], block[js[top]]
                is_kept[i] = False
        d = np.flatnonzero(~is_kept)
        dropped.append(block[d])
        target.append(tgt_row[d])
        similarity.append(tgt_sim[d])
        keep(block[is_kept])
    dropped, target, similarity = (np.concatenate(v) for v in (dropped, target, similarity))
    is_existing = target >= n
    return _matches(dropped, np.where(is_existing, target - n, target), is_existing, similarity.astype(float))


#: rows decided per block by the semantic stage (its in-block similarity matrix is block x block)
_SEMANTIC_BLOCK = 1024


def _nearest_centroids(x: np.ndarray, centroids: np.ndarray, p: int) -> np.ndarray:
    """Indices of the ``p`` centroids nearest each row, nearest first (chunked)."""
    out = np.empty((len(x), p), dtype=np.int64)
    c_sq = np.einsum("ij,ij->i", centroids, centroids)
    for s in range(0, len(x), 8192):
        d = c_sq[None, :] - 2 * (x[s : s + 8192] @ centroids.T)  # |x|^2 is constant per row
        idx = np.argpartition(d, p - 1, axis=1)[:, :p] if p < d.shape[1] else np.tile(np.arange(p), (len(d), 1))
        order = np.argsort(np.take_along_axis(d, idx, axis=1), axis=1)
        out[s : s + 8192] = np.take_along_axis(idx, order, axis=1)
    return out


def _as_unit_float32(v: np.ndarray, what: str) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    if v.ndim != 2:
        raise BadInput(f"{what}: expected a 2-d array (rows x dimensions), got shape {v.shape}")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    if np.any(~np.isfinite(norms)) or np.any(norms == 0):
        bad = int(np.flatnonzero(~np.isfinite(norms[:, 0]) | (norms[:, 0] == 0))[0])
        raise BadInput(f"{what}: row {bad} is zero or not finite")
    return v / norms


# --------------------------------------------------------------------------------------------
# Configuration, existing records, steps
# --------------------------------------------------------------------------------------------


def _check_threshold(value: object, field_name: str) -> None:
    if not isinstance(value, (int, float)) or not 0 < float(value) <= 1:
        raise BadInput(f"dedup config: field {field_name} must be a number in (0, 1], got {value!r}")


@dataclass(frozen=True)
class MinHashConfig:
    """Near-duplicate stage settings (see :func:`minhash_signatures`, :func:`minhash_matches`)."""

    threshold: float = 0.7
    num_perm: int = 128
    ngram: int = 5
    seed: int = 1
    window: int = 64
    lsh_false_positive_weight: float = 0.1

    def __post_init__(self) -> None:
        _check_threshold(self.threshold, "minhash.threshold")
        _check_minhash_params(self.num_perm, self.ngram)
        lsh_bands(self.threshold, self.num_perm, self.lsh_false_positive_weight)


@dataclass(frozen=True)
class SemanticConfig:
    """Semantic stage settings (see :func:`semantic_matches` and :mod:`workbench.embeddings`)."""

    threshold: float = 0.85
    docs_per_cluster: int = 100
    exact_below: int = 2048
    seed: int = 0
    batch_size: int = 64
    probes: int = 2
    #: model arithmetic (:mod:`workbench.embeddings`): "auto" is bfloat16 where the CPU has it
    #: natively (about 2-3x faster; cosines within ~0.007 of float32), else float32
    precision: str = "auto"

    def __post_init__(self) -> None:
        _check_threshold(self.threshold, "semantic.threshold")
        if self.precision not in ("float32", "bfloat16", "auto"):
            raise BadInput(
                f"dedup config: field semantic.precision must be float32, bfloat16 or auto, got {self.precision!r}"
            )
        if not isinstance(self.probes, int) or self.probes < 1:
            raise BadInput(f"dedup config: field semantic.probes must be an integer >= 1, got {self.probes!r}")
        if not isinstance(self.docs_per_cluster, int) or self.docs_per_cluster < 2:
            raise BadInput(
                f"dedup config: field semantic.docs_per_cluster must be an integer >= 2, got {self.docs_per_cluster!r}"
            )


@dataclass(frozen=True)
class DedupConfig:
    """Which stages run, and how. ``None`` turns a stage off."""

    exact: bool = True
    minhash: MinHashConfig | None = field(default_factory=MinHashConfig)
    semantic: SemanticConfig | None = field(default_factory=SemanticConfig)


@dataclass
class ExistingRecords:
    """Records already in the task's datasets, that new candidates must not duplicate.

    Give the texts, or the precomputed forms each stage needs (cheaper for large datasets:
    compute them once with :meth:`precompute` and keep them with the dataset; a form that is
    missing is computed from the texts on every call): content hashes
    (:func:`content_hashes`), MinHash signatures (:func:`minhash_signatures` with the same
    ``num_perm``, ``ngram`` and ``seed``) and unit embeddings (:func:`workbench.embeddings.embed`,
    same model).
    """

    ids: Sequence
    texts: Sequence[str] | None = None
    content_hashes: np.ndarray | None = None
    minhashes: np.ndarray | None = None
    embeddings: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.ids = list(self.ids)
        for name in ("texts", "content_hashes", "minhashes", "embeddings"):
            value = getattr(self, name)
            if value is not None and len(value) != len(self.ids):
                raise BadInput(
                    f"existing records: field {name} has {len(value)} rows but ids has {len(self.ids)}"
                )
        if self.texts is not None:
            for i, t in enumerate(self.texts):
                if not isinstance(t, str):
                    raise BadInput(f"existing records: field texts, row {i} (id {self.ids[i]!r}) is {t!r}, not a string")

    def __len__(self) -> int:
        return len(self.ids)

    def need(self, name: str, stage: str) -> np.ndarray | None:
        value = getattr(self, name)
        if value is None and self.texts is None:
            raise BadInput(f"existing records: the {stage} stage needs field {name} or texts; both are missing")
        return value

    @classmethod
    def precompute(
        cls, ids: Sequence, texts: Sequence[str], config: DedupConfig = DedupConfig(), embedder: Embedder | None = None
    ) -> "ExistingRecords":
        """Every form the stages of ``config`` need, computed once from the texts."""
        rec = cls(ids=ids, texts=texts)
        if config.exact:
            rec.content_hashes = content_hashes(texts)
        if config.minhash is not None:
            m = config.minhash
            rec.minhashes = minhash_signatures(texts, m.num_perm, m.ngram, m.seed)
        if config.semantic is not None:
            rec.embeddings = _embedder(config.semantic, embedder)(list(texts))
        return rec


class DedupStep(Protocol):
    """One stage: finds which of ``texts`` duplicate an earlier/better row or an existing record."""

    name: str

    def find(self, texts: Sequence[str], priority: np.ndarray, existing: ExistingRecords | None) -> Matches: ...


@dataclass
class ExactStep:
    name: str = "exact"

    def find(self, texts: Sequence[str], priority: np.ndarray, existing: ExistingRecords | None = None) -> Matches:
        ex = None
        if existing is not None and len(existing):
            ex = existing.need("content_hashes", self.name)
            if ex is None:
                assert existing.texts is not None  # need() refuses a missing form without texts
                ex = content_hashes(existing.texts)
        return exact_matches(content_hashes(texts), priority, ex)


@dataclass
class MinHashStep:
    config: MinHashConfig = field(default_factory=MinHashConfig)
    name: str = "minhash"

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        c = self.config
        return minhash_signatures(texts, c.num_perm, c.ngram, c.seed)

    def find(self, texts: Sequence[str], priority: np.ndarray, existing: ExistingRecords | None = None) -> Matches:
        ex = None
        if existing is not None and len(existing):
            ex = existing.need("minhashes", self.name)
            if ex is None:
                assert existing.texts is not None  # need() refuses a missing form without texts
                ex = self.signatures(existing.texts)
        c = self.config
        return minhash_matches(
            self.signatures(texts), priority, c.threshold, ex, window=c.window,
            false_positive_weight=c.lsh_false_positive_weight,
        )


def _embedder(config: SemanticConfig, embedder: Embedder | None) -> Embedder:
    if embedder is not None:
        return embedder
    from workbench import embeddings

    return lambda texts: embeddings.embed(texts, batch_size=config.batch_size, precision=config.precision)


@dataclass
class SemanticStep:
    config: SemanticConfig = field(default_factory=SemanticConfig)
    embedder: Embedder | None = None
    name: str = "semantic"

    def find(self, texts: Sequence[str], priority: np.ndarray, existing: ExistingRecords | None = None) -> Matches:
        embed = _embedder(self.config, self.embedder)
        ex = None
        if existing is not None and len(existing):
            ex = existing.need("embeddings", self.name)
            if ex is None:
                assert existing.texts is not None  # need() refuses a missing form without texts
                ex = embed(list(existing.texts))
        if len(texts) == 0:
            return Matches.empty()
        c = self.config
        return semantic_matches(
            embed(list(texts)), priority, c.threshold, ex, c.docs_per_cluster, c.exact_below, c.seed, c.probes
        )


# --------------------------------------------------------------------------------------------
# The pipeline over a DataFrame
# --------------------------------------------------------------------------------------------


@dataclass
class DedupReport:
    """What :func:`dedup_candidates` removed, stage by stage."""

    n_input: int
    n_kept: int
    removed: dict[str, int]
    removed_vs_existing: dict[str, int]
    seconds: dict[str, float]
    n_existing: int = 0

    @property
    def n_removed(self) -> int:
        return self.n_input - self.n_kept

    def to_dict(self) -> dict:
        return {
            "n_input": self.n_input,
            "n_existing": self.n_existing,
            "n_kept": self.n_kept,
            "n_removed": self.n_removed,
            "removed": dict(self.removed),
            "removed_vs_existing": dict(self.removed_vs_existing),
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }

    def __str__(self) -> str:
        lines = [f"dedup: {self.n_input} candidates, {self.n_kept} kept, {self.n_removed} removed"]
        for stage, count in self.removed.items():
            lines.append(
                f"  {stage:<9} {count:>7} removed ({self.removed_vs_existing.get(stage, 0)} "
                f"duplicate existing records)  {self.seconds.get(stage, 0.0):.2f} s"
            )
        return "\n".join(lines)


def _steps(config: DedupConfig, embedder: Embedder | None) -> list:
    steps: list = []
    if config.exact:
        steps.append(ExactStep())
    if config.minhash is not None:
        steps.append(MinHashStep(config.minhash))
    if config.semantic is not None:
        steps.append(SemanticStep(config.semantic, embedder))
    return steps


def dedup_candidates(
    df: pd.DataFrame,
    text_column: str = "text",
    score_column: str | None = None,
    id_column: str | None = "id",
    existing: ExistingRecords | None = None,
    config: DedupConfig = DedupConfig(),
    embedder: Embedder | None = None,
    steps: Sequence[DedupStep] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, DedupReport]:
    """Drop the candidates that duplicate another candidate or an existing record.

    Parameters
    ----------
    df : DataFrame
        One row per candidate.
    text_column : str
        The text compared.
    score_column : str or None
        Higher is better (e.g. a judge score); the best-scored member of a group of duplicates
        is kept, ties and missing scores resolved by row order. ``None``: the earliest is kept.
    id_column : str or None
        Unique ids used in the pointers; ``None`` uses the index.
    existing : ExistingRecords or None
        Records already pushed; never dropped, and candidates that duplicate them are dropped.
    config : DedupConfig
    embedder : callable or None
        ``texts -> (n, d) array`` for the semantic stage; default :func:`workbench.embeddings.embed`.
    steps : sequence of steps or None
        Overrides the steps built from ``config``.

    Returns
    -------
    kept : DataFrame
        The surviving rows, in input order, unchanged.
    dropped : DataFrame
        The dropped rows, in input order, with ``duplicate_of`` (id of the record duplicated),
        ``dedup_stage``, ``dedup_similarity``, ``duplicate_of_existing`` and ``duplicate_root``
        (``duplicate_of`` followed to a kept or existing record).
    report : DedupReport
    """
    _validate_frame(df, text_column, score_column, id_column)
    n = len(df)
    texts = df[text_column].tolist()
    ids = df.index.tolist() if id_column is None else df[id_column].tolist()
    scores = None if score_column is None else df[score_column].tolist()
    priority = priority_ranks(scores, n)
    existing_ids = [] if existing is None else list(existing.ids)

    alive = np.arange(n)
    dup_of: list = [None] * n
    stage_of: list = [None] * n
    sim_of = np.full(n, np.nan)
    of_existing = np.zeros(n, dtype=bool)
    target_row = np.full(n, -1, dtype=np.int64)  # row of the batch target, -1 for existing
    removed, removed_ex, seconds = {}, {}, {}
    for step in steps if steps is not None else _steps(config, embedder):
        t0 = time.perf_counter()
        sub = [texts[i] for i in alive]
        m = step.find(sub, priority[alive], existing)
        rows = alive[m.dropped]
        for r, t, is_ex, s in zip(rows, m.target, m.target_existing, m.similarity):
            stage_of[r] = step.name
            sim_of[r] = s
            of_existing[r] = is_ex
            if is_ex:
                dup_of[r] = existing_ids[t]
            else:
                target_row[r] = alive[t]
                dup_of[r] = ids[alive[t]]
        keep = np.ones(len(alive), dtype=bool)
        keep[m.dropped] = False
        alive = alive[keep]
        removed[step.name] = len(m)
        removed_ex[step.name] = int(m.target_existing.sum())
        seconds[step.name] = time.perf_counter() - t0

    dropped_rows = np.flatnonzero(~np.isin(np.arange(n), alive))
    root = []
    for r in dropped_rows:
        while target_row[r] >= 0 and stage_of[target_row[r]] is not None:
            r = target_row[r]
        root.append(dup_of[r])
    dropped = df.iloc[dropped_rows].copy()
    dropped["duplicate_of"] = [dup_of[r] for r in dropped_rows]
    dropped["dedup_stage"] = [stage_of[r] for r in dropped_rows]
    dropped["dedup_similarity"] = sim_of[dropped_rows]
    dropped["duplicate_of_existing"] = of_existing[dropped_rows]
    dropped["duplicate_root"] = root
    report = DedupReport(
        n_input=n, n_kept=len(alive), removed=removed, removed_vs_existing=removed_ex,
        seconds=seconds, n_existing=len(existing_ids),
    )
    return df.iloc[alive].copy(), dropped, report


def _validate_frame(df: pd.DataFrame, text_column: str, score_column: str | None, id_column: str | None) -> None:
    if not isinstance(df, pd.DataFrame):
        raise BadInput(f"dedup_candidates: expected a pandas DataFrame, got {type(df).__name__}")
    for what, col in (("text_column", text_column), ("score_column", score_column), ("id_column", id_column)):
        if col is not None and col not in df.columns:
            raise BadInput(f"candidates: {what} {col!r} is not a column (columns: {', '.join(map(str, df.columns))})")
    clash = [c for c in POINTER_COLUMNS if c in df.columns]
    if clash:
        raise BadInput(f"candidates: column {clash[0]!r} is reserved for the dedup pointers; rename it")
    ids = pd.Series(df.index if id_column is None else df[id_column].to_numpy())
    if ids.duplicated().any():
        raise BadInput(f"candidates: field {id_column or 'index'} has a repeated id {ids[ids.duplicated()].iloc[0]!r}")
    bad = df[text_column].map(lambda t: not isinstance(t, str))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise BadInput(
            f"candidates: field {text_column}, row {row} (id {ids.iloc[row]!r}) "
            f"is {df[text_column].iloc[row]!r}, not a string"
        )
    if score_column is not None:
        values = pd.to_numeric(df[score_column], errors="coerce")
        bad = values.isna() & df[score_column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise BadInput(
                f"candidates: field {score_column}, row {row} is {df[score_column].iloc[row]!r}, not a number"
            )
