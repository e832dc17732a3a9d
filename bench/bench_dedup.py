"""Benchmark: candidate deduplication (MinHash near-duplicates and semantic paraphrases).

1. MinHash: ``--n-minhash`` (100,000) synthetic ~300-character documents (words drawn from a
   Zipf-distributed made-up vocabulary), of which 10% are planted near-duplicates (1-10 words
   replaced) and 1% planted exact copies with different case/spacing. Ours: exact stage +
   MinHash stage of :func:`workbench.dedup.dedup_candidates`. Target: under 60 s.
   Reference in the same run: distilabel 1.5.3 ``MinHashDedup(tokenizer="ngrams")`` (5-grams,
   128 permutations, threshold 0.7) and ours on the first ``--n-distilabel`` (10,000) documents:
   time ratio, and planted duplicates found by each.
2. Semantic: ``--n-semantic`` (10,000) short English texts: first lines of docstrings of the
   installed packages (real, varied), plus 5% template questions each planted with a paraphrase
   (a different template for the same request). Embedding with
   all-MiniLM-L6-v2 (batches, ``--threads``) in float32 and in bfloat16, and the clustered
   comparison, are timed apart; the clustered result is checked against the all-pairs result
   (brute-force cosine), and the bfloat16 result against the float32 one.
   Target: under 60 s on CPU.
3. Calibration of the semantic threshold on the hand-written paraphrase pairs and
   topically close different questions of ``tests/test_dedup.py``.

The machine is shared: the load average is printed with the figures.

Run: ``python bench/bench_dedup.py [--n-minhash N] [--n-distilabel N] [--n-semantic N]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import workbench.embeddings  # noqa: E402,F401 - sets OMP_WAIT_POLICY=PASSIVE before torch loads OpenMP
from workbench.config import apply_offline_env

apply_offline_env()

REPO = Path(__file__).resolve().parents[1]
SYLLABLES = "ka to ri mu sen lo pa vi qua de mo ni sha tre bo lu ge fa zor pin wex dal hu ik an el".split()


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def make_minhash_docs(n: int, seed: int = 0):
    """``n`` documents; returns texts and, per document, the index of the original it copies
    (-1 for originals) and the kind ('original', 'near', 'exact')."""
    rng = np.random.default_rng(seed)
    vocab = np.array(["".join(rng.choice(SYLLABLES, rng.integers(1, 4))) for _ in range(20_000)], dtype=object)
    p = 1.0 / np.arange(1, len(vocab) + 1)
    p /= p.sum()
    n_near, n_exact = n // 10, n // 100
    n_orig = n - n_near - n_exact
    words = rng.choice(len(vocab), size=(n_orig, 70), p=p)
    originals = []
    for row in words:
        text = " ".join(vocab[row])
        originals.append(text[: text.rfind(" ", 0, 300)])
    texts, source, kind = list(originals), [-1] * n_orig, ["original"] * n_orig
    for i in rng.choice(n_orig, n_near, replace=False):
        w = originals[i].split()
        for k in rng.choice(len(w), rng.integers(1, 11), replace=False):
            w[k] = str(vocab[rng.integers(len(vocab))])
        texts.append(" ".join(w)), source.append(int(i)), kind.append("near")
    for i in rng.choice(n_orig, n_exact, replace=False):
        texts.append(originals[i].title().replace(" ", "  ")), source.append(int(i)), kind.append("exact")
    order = rng.permutation(n)
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    texts = [texts[i] for i in order]
    source = np.array([inverse[source[i]] if source[i] >= 0 else -1 for i in order])
    kind = np.array([kind[i] for i in order])
    return texts, source, kind


VERBS = ["reset", "change", "recover", "back up", "delete", "update", "share", "export", "import", "encrypt",
         "sync", "restore", "rename", "move", "archive", "print", "compress", "merge", "split", "download"]
OBJECTS = ["my password", "a spreadsheet", "my photos", "an email account", "a Git branch", "a Python virtualenv",
           "my calendar", "a PDF file", "the router settings", "my phone contacts", "a database table",
           "a shared folder", "my browser bookmarks", "a Docker image", "a video project", "my notes",
           "a WordPress site", "a USB drive", "my music library", "a project plan", "a customer list",
           "my tax documents", "a slide deck", "a chat history", "a recipe collection"]
CONTEXTS = ["on Windows", "on a Mac", "on Linux", "on an Android phone", "on an iPhone", "in the cloud",
            "without losing data", "for a small team", "from the command line", "over a slow connection",
            "on a school laptop", "before a trip", "after a crash", "in under five minutes", "for free",
            "with a script", "on a shared computer", "for my grandmother", "at work", "offline"]
TEMPLATES = ["How do I {v} {o} {c}?", "What is the best way to {v} {o} {c}?",
             "Can you explain how to {v} {o} {c}?"]
PARAPHRASE_TEMPLATES = ["I need to {v} {o} {c}. What are the steps?", "Walk me through how one would {v} {o} {c}.",
                        "{c_cap}, how can I {v} {o}?"]


def docstring_sentences(limit: int, seed: int = 2) -> list[str]:
    """Distinct first lines of docstrings of installed packages: real, varied short English."""
    import re

    site = Path(np.__file__).resolve().parents[1]
    pattern = re.compile(r'"""\s*([A-Z][^"\n]{30,140}[.?!])\s*\n')
    seen: dict[str, None] = {}
    for package in ("numpy", "pandas", "scipy", "sklearn", "sqlalchemy", "transformers", "torch", "distilabel",
                    "argilla", "argilla_server", "presidio_analyzer", "spacy", "datasets", "streamlit"):
        for path in sorted((site / package).rglob("*.py")):
            try:
                text = path.read_text(encoding="utf-8", errors="ignore")
            except OSError:
                continue
            for m in pattern.finditer(text):
                seen.setdefault(m.group(1), None)
    sentences = list(seen)
    rng = np.random.default_rng(seed)
    return [sentences[i] for i in rng.choice(len(sentences), min(limit, len(sentences)), replace=False)]


def make_semantic_docs(n: int, seed: int = 1):
    """``n`` short texts: docstring first lines, plus ``n // 20`` template questions each with a
    paraphrase (a different template for the same request). Returns texts and, per text, the
    index of the text it paraphrases (-1 otherwise)."""
    rng = np.random.default_rng(seed)
    combos = [(v, o, c) for v in VERBS for o in OBJECTS for c in CONTEXTS]
    n_pairs = n // 20
    texts = docstring_sentences(n - 2 * n_pairs)
    source = [-1] * len(texts)
    for k in rng.choice(len(combos), n_pairs, replace=False):
        v, o, c = combos[k]
        texts.append(TEMPLATES[rng.integers(len(TEMPLATES))].format(v=v, o=o, c=c)), source.append(-1)
        t = PARAPHRASE_TEMPLATES[rng.integers(len(PARAPHRASE_TEMPLATES))]
        texts.append(t.format(v=v, o=o, c=c, c_cap=c[0].upper() + c[1:])), source.append(len(texts) - 2)
    order = rng.permutation(len(texts))
    inverse = np.empty(len(texts), dtype=np.int64)
    inverse[order] = np.arange(len(texts))
    return [texts[i] for i in order], np.array([inverse[source[i]] if source[i] >= 0 else -1 for i in order])


# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------


def true_jaccard(a: str, b: str, n: int = 5) -> float:
    from workbench.dedup import normalize_text

    a, b = normalize_text(a), normalize_text(b)
    sa = {a[i : i + n] for i in range(max(1, len(a) - n + 1))}
    sb = {b[i : i + n] for i in range(max(1, len(b) - n + 1))}
    return len(sa & sb) / len(sa | sb)


def planted_caught(texts, source: np.ndarray, ids_dropped: set, threshold: float = 0.7) -> dict:
    """Planted duplicates found (split by their true Jaccard), and unplanted documents dropped."""
    planted = np.flatnonzero(source >= 0)
    # a planted pair counts as found when one of the two went (either may be kept: no scores)
    found = np.array([i in ids_dropped or source[i] in ids_dropped for i in planted], dtype=bool)
    above = np.array([true_jaccard(texts[i], texts[source[i]]) >= threshold for i in planted], dtype=bool)
    involved = np.zeros(len(source), dtype=bool)
    involved[source[planted]] = True
    involved[planted] = True
    other = sum(1 for i in ids_dropped if not involved[i])
    return {"planted": len(planted), "found": int(found.sum()), "above": int(above.sum()),
            "found_above": int((found & above).sum()), "found_below": int((found & ~above).sum()),
            "other_dropped": other}


def describe(q: dict) -> str:
    return (f"planted found {q['found']:,}/{q['planted']:,} (true Jaccard >= 0.7: {q['found_above']:,}/"
            f"{q['above']:,}; below: {q['found_below']:,}/{q['planted'] - q['above']:,}), "
            f"other drops {q['other_dropped']}")


def run_ours(texts, config):
    from workbench.dedup import dedup_candidates

    df = pd.DataFrame({"id": np.arange(len(texts)), "text": texts})
    t0, c0 = time.perf_counter(), time.process_time()
    kept, dropped, report = dedup_candidates(df, config=config)
    report.cpu_seconds = time.process_time() - c0
    return time.perf_counter() - t0, kept, dropped, report


def run_distilabel(texts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import logging

        logging.getLogger("distilabel").setLevel(logging.ERROR)
        from distilabel.steps import MinHashDedup

        step = MinHashDedup(tokenizer="ngrams", n=5, threshold=0.7, num_perm=128)
        step.load()
    t0, c0 = time.perf_counter(), time.process_time()
    rows = next(step.process([{"text": t} for t in texts]))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return seconds, cpu, {i for i, r in enumerate(rows) if not r["keep_row_after_minhash_filtering"]}


def bench_minhash(n: int, n_ref: int, rows: list) -> None:
    from workbench.dedup import DedupConfig

    t0 = time.perf_counter()
    texts, source, kind = make_minhash_docs(n)
    print(f"  generated {n:,} docs (mean {np.mean([len(t) for t in texts]):.0f} chars) in {time.perf_counter() - t0:.1f} s")
    config = DedupConfig(semantic=None)
    seconds, kept, dropped, report = run_ours(texts, config)
    q = planted_caught(texts, source, set(dropped["id"]))
    rows.append((f"MinHash ours, {n:,} docs", seconds, 60.0,
                 f"{report.cpu_seconds:.1f} CPU s; exact {report.seconds['exact']:.1f} s + minhash "
                 f"{report.seconds['minhash']:.1f} s; {describe(q)}"))

    sub = texts[:n_ref]
    sub_source = np.where(source[:n_ref] < n_ref, source[:n_ref], -1)
    t_ours, _, d_ours, r_ours = run_ours(sub, config)
    t_dl, c_dl, d_dl = run_distilabel(sub)
    q_ours = planted_caught(sub, sub_source, set(d_ours["id"]))
    q_dl = planted_caught(sub, sub_source, d_dl)
    rows.append((f"MinHash ours, {n_ref:,} docs", t_ours, None,
                 f"{r_ours.cpu_seconds:.1f} CPU s; {describe(q_ours)}"))
    rows.append((f"distilabel MinHashDedup, {n_ref:,} docs", t_dl, None,
                 f"{c_dl:.1f} CPU s; {describe(q_dl)}; "
                 f"ours is {t_dl / t_ours:.1f}x faster (wall), {c_dl / r_ours.cpu_seconds:.1f}x (CPU)"))


def brute_force_greedy(emb: np.ndarray, threshold: float) -> set:
    """Rows the all-pairs greedy rule drops (row order = priority): exact cosine, chunked."""
    n = len(emb)
    neighbours: list[np.ndarray] = []
    for s in range(0, n, 2048):
        sims = emb[s : s + 2048] @ emb.T
        for k, row in enumerate(sims):
            i = s + k
            neighbours.append(np.flatnonzero(row[:i] >= threshold))
    kept = np.zeros(n, dtype=bool)
    dropped = set()
    for i in range(n):
        if len(neighbours[i]) and kept[neighbours[i]].any():
            dropped.add(i)
        else:
            kept[i] = True
    return dropped


def bench_semantic(n: int, rows: list, batch_size: int, threads: int, precisions: list[str]) -> None:
    import torch

    from workbench import embeddings
    from workbench.dedup import SemanticConfig, priority_ranks, semantic_matches

    torch.set_num_threads(threads)
    texts, source = make_semantic_docs(n)
    cfg = SemanticConfig()
    prio = priority_ranks(None, n)
    planted = np.flatnonzero(source >= 0)
    first: dict = {}
    for precision in precisions:
        t0 = time.perf_counter()
        model = embeddings.load_model(precision=precision)
        t_load = time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        emb = embeddings.embed(texts, model=model, batch_size=batch_size)
        t_embed, c_embed = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        m = semantic_matches(emb, prio, cfg.threshold, None, cfg.docs_per_cluster, cfg.exact_below, cfg.seed, cfg.probes)
        t_cluster, c_cluster = time.perf_counter() - t0, time.process_time() - c0
        ours = set(m.dropped.tolist())
        found = sum(1 for i in planted if i in ours or source[i] in ours)
        label = f"semantic {n:,} docs, {precision}"
        tokens = np.mean([len(model.tokenizer(t)["input_ids"]) for t in texts[:500]])
        rows.append((f"{label}: model load", t_load, None, "once per process"))
        rows.append((f"{label}: embed", t_embed, None,
                     f"{n / t_embed:.0f} docs/s wall; {c_embed:.1f} CPU s ({n / c_embed:.0f} docs per CPU s); "
                     f"{threads} torch threads (OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}), batch {batch_size}, mean {np.mean([len(t) for t in texts]):.0f} chars "
                     f"/ {tokens:.0f} tokens"))
        how = "all pairs" if n < cfg.exact_below else f"k={int(np.ceil(n / cfg.docs_per_cluster))}, probes={cfg.probes}"
        notes = f"{c_cluster:.1f} CPU s; {how}: dropped {len(ours)}; " \
                f"planted paraphrases found {found}/{len(planted)}"
        if not first:
            t0 = time.perf_counter()
            reference = brute_force_greedy(emb, cfg.threshold)
            t_brute = time.perf_counter() - t0
            one = set(semantic_matches(emb, prio, cfg.threshold, None, cfg.docs_per_cluster, cfg.exact_below,
                                       cfg.seed, probes=1).dropped.tolist())
            notes += (f"; all-pairs greedy ({t_brute:.1f} s) dropped {len(reference)}, "
                      f"clustered agrees on {len(ours & reference)} (probes=1: {len(one & reference)})")
            first = {"emb": emb, "dropped": ours}
        else:
            sub = slice(0, 3000)
            delta = np.abs(emb[sub] @ emb[sub].T - first["emb"][sub] @ first["emb"][sub].T)
            notes += (f"; vs {precisions[0]}: max |d cos| {delta.max():.4f} ({min(n, 3000):,} docs), "
                      f"same drops {len(ours & first['dropped'])}, differ {len(ours ^ first['dropped'])}")
        rows.append((f"{label}: cluster+compare", t_cluster, None, notes))
        rows.append((f"{label}: embed + cluster", t_embed + t_cluster, 60.0, f"{c_embed + c_cluster:.1f} CPU s"))


def calibration(rows: list) -> None:
    from workbench import embeddings

    sys.path.insert(0, str(REPO / "tests"))
    from test_dedup import HARD_NEGATIVES, PARAPHRASES

    texts = [t for pair in PARAPHRASES for t in pair] + HARD_NEGATIVES
    e = embeddings.embed(texts)
    cos = e @ e.T
    n = len(PARAPHRASES)
    pos = np.array([cos[2 * i, 2 * i + 1] for i in range(n)])
    mask = np.triu(np.ones_like(cos, dtype=bool), 1)
    for i in range(n):
        mask[2 * i, 2 * i + 1] = False
    neg = cos[mask]
    print("\nCalibration: cosine of the 15 hand-written paraphrase pairs vs every other pair "
          f"({len(neg)} pairs, incl. {len(HARD_NEGATIVES)} topically close different questions)")
    print(f"  paraphrases: min {pos.min():.3f}  median {np.median(pos):.3f}  max {pos.max():.3f}")
    print(f"  others:      max {neg.max():.3f}  99th pct {np.quantile(neg, 0.99):.3f}")
    print("  threshold  paraphrases caught  other pairs above")
    for t in (0.75, 0.78, 0.80, 0.85, 0.90):
        print(f"  {t:9.2f}  {int((pos >= t).sum()):>10}/{n}  {int((neg >= t).sum()):>17}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-minhash", type=int, default=100_000)
    parser.add_argument("--n-distilabel", type=int, default=10_000)
    parser.add_argument("--n-semantic", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the embedding model")
    parser.add_argument("--precisions", default="float32,bfloat16", help="model precisions to time, comma-separated")
    parser.add_argument("--skip-semantic", action="store_true")
    parser.add_argument("--skip-minhash", action="store_true")
    args = parser.parse_args()
    if "DISTILABEL_CACHE_DIR" not in os.environ:  # distilabel writes its cache even unasked
        cache = tempfile.TemporaryDirectory(prefix="bench-dedup-")
        os.environ["DISTILABEL_CACHE_DIR"] = cache.name

    load_before = os.getloadavg()[0]
    rows: list = []
    if not args.skip_minhash:
        print("MinHash")
        bench_minhash(args.n_minhash, args.n_distilabel, rows)
    if not args.skip_semantic:
        print("Semantic")
        bench_semantic(args.n_semantic, rows, args.batch_size, args.threads, args.precisions.split(","))
    load_after = os.getloadavg()[0]

    print(f"\nFigures ({os.cpu_count()} cores; load average {load_before:.1f} before, {load_after:.1f} after)")
    print(f"{'what':<44} {'seconds':>8} {'target':>7}  notes")
    for what, seconds, target, notes in rows:
        t = f"{target:.0f}" if target else ""
        print(f"{what:<44} {seconds:8.2f} {t:>7}  {notes}")
    if not args.skip_semantic:
        calibration(rows)


if __name__ == "__main__":
    main()
