"""One hash for a dataset version, from the SHA-256 of each of its files.

The dataset hash is the SHA-256 of the lines ``"<sha256>  <path>\\n"`` (``sha256sum``'s format),
one per file, sorted by path (POSIX separators, relative to the dataset folder). It changes when
any byte of any file changes, when a file is added, removed or renamed, and never with the order
the files were written in; ``sha256sum -c`` can check the listing it is made from.

>>> dataset_hash({"data/train.parquet": "a" * 64, "README.md": "b" * 64}) == dataset_hash(
...     {"README.md": "b" * 64, "data/train.parquet": "a" * 64})
True
>>> len(dataset_hash({"x": "0" * 64}))
64
"""

from __future__ import annotations

import hashlib
from typing import Mapping

from workbench.errors import BadInput


def listing(files: Mapping[str, str]) -> str:
    """The ``sha256sum`` listing the dataset hash is taken over."""
    for path, digest in files.items():
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise BadInput(f"files: {path!r} has no SHA-256 hex digest ({digest!r})")
        if path.startswith("/") or "\\" in path or ".." in path.split("/"):
            raise BadInput(f"files: {path!r} must be a relative POSIX path inside the dataset folder")
    return "".join(f"{files[p]}  {p}\n" for p in sorted(files))


def dataset_hash(files: Mapping[str, str]) -> str:
    """SHA-256 over :func:`listing` of ``files`` (path -> SHA-256 hex of the file)."""
    if not files:
        raise BadInput("files: a dataset needs at least one file")
    return hashlib.sha256(listing(files).encode("utf-8")).hexdigest()
