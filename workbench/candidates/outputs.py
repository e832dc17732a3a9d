"""What the pipeline's LLM tasks leave in a row, read without distilabel; and the PII redactor.

The step classes (:mod:`workbench.candidates.steps`) and the run itself
(:func:`workbench.candidates.pipeline.generate`) both read a row's failure mark (a failed request,
turned into a marked output by :mod:`workbench.candidates.llm`), its raw output (in
``distilabel_metadata``) and cut it to an excerpt for a rejects file; and both redact with the
process's one redactor per PII config. None of this imports distilabel, so the pipeline module
can use it without paying for that import.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from workbench.candidates.llm import ERROR_MARK

if TYPE_CHECKING:
    from workbench.pii import PiiRedactor

__all__ = ["RAW_EXCERPT", "excerpt", "llm_failure", "raw_output", "redactor_for"]

#: Characters of a model's raw output kept in a rejects file.
RAW_EXCERPT = 300

_REDACTORS: dict[str, PiiRedactor] = {}


def excerpt(text: Any) -> str:
    """``text`` as a string of at most :data:`RAW_EXCERPT` characters (``...`` marks a cut).

    >>> excerpt("x" * 301)[-5:], excerpt(None)
    ('xx...', '')
    """
    s = "" if text is None else str(text)
    return s if len(s) <= RAW_EXCERPT else s[:RAW_EXCERPT] + "..."


def llm_failure(value: Any) -> str | None:
    """The reason when ``value`` is a failed request's marked output, else None.

    >>> llm_failure(ERROR_MARK + "timed out after 1 s"), llm_failure("Rating: 4")
    ('timed out after 1 s', None)
    """
    if isinstance(value, str) and value.startswith(ERROR_MARK):
        return value[len(ERROR_MARK):]
    return None


def raw_output(row: dict[str, Any], step: str) -> Any:
    """The raw output distilabel kept for ``step`` in ``row`` (``distilabel_metadata``), or None."""
    meta = row.get("distilabel_metadata") or {}
    return meta.get(f"raw_output_{step}") if isinstance(meta, dict) else None


def redactor_for(pii: dict[str, Any], *, warm: bool = False) -> PiiRedactor:
    """The process's PII redactor for a config (built once per config).

    :func:`~workbench.candidates.pipeline.generate` builds and warms it (spaCy and Presidio loaded)
    before the pipeline starts, so that the step processes distilabel forks inherit it instead of
    loading their own.
    """
    from workbench.pii import PiiConfig, PiiRedactor

    key = json.dumps(pii, sort_keys=True, default=str)
    red = _REDACTORS.get(key)
    if red is None:
        red = _REDACTORS[key] = PiiRedactor(PiiConfig.from_mapping({**pii, "n_process": 1}))
    if warm:
        red.analyzer  # noqa: B018 - loads the analyzer now
    return red
