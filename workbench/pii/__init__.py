"""PII detection and redaction with Presidio: what annotators see is always redacted text.

The public API is :class:`PiiConfig` and :class:`PiiRedactor` (with the spans, results and
constants that go with them), from :mod:`workbench.pii.redaction`, re-exported here. The modules,
from the bottom up; each imports only modules listed before it, never one listed after it
(``tests/test_layers.py`` checks):

:mod:`~workbench.pii.patterns`
    Shared name and cue regexes, curated word lists (``NOT_NAMES``, ``LANGUAGE_WORDS``, ``ROLES``),
    spaCy label sets and the helper that builds a Presidio result.
:mod:`~workbench.pii.wordlists`
    Word lists loaded from installed packages: given names, English word counts, place names.
:mod:`~workbench.pii.recognizers`
    Pattern and cue recognisers (phones, URLs, IPs, IBANs, SSNs, dates of birth, card data,
    street addresses, person and place cues).
:mod:`~workbench.pii.gazetteers`
    List-based recognisers: given names and place names.
:mod:`~workbench.pii.registry`
    Which recognisers Workbench adds and replaces, their gates, the context enhancer.
:mod:`~workbench.pii.ner`
    spaCy NER run only on windows around capitalised words.
:mod:`~workbench.pii.redaction`
    :class:`PiiConfig`, :class:`PiiRedactor`, span merging, chunking of long texts.

Importing this package loads neither Presidio nor spaCy: the redactor imports the modules that
do when it first needs them.
"""

from workbench.pii.redaction import (
    CHUNK_OVERLAP, CHUNKED_PASS_CHARS, DEFAULT_ALLOW_LIST, DEFAULT_ENTITIES, DEFAULT_MODEL, DEFAULT_THRESHOLDS,
    KEY_ENV, MAX_CHUNK_CHARS, MAX_RUN_CHARS, NER_ENTITIES, NER_SCOPES, NUMBER_MIN, OPERATORS, SALT_ENV,
    SUPPORTED_ENTITIES, WINDOWED_NER_ENTITIES, WORKBENCH_ENTITIES, PiiConfig, PiiRedactor, RecordRedaction,
    RedactionResult, Span, analysis_copy, chunk_bounds, config_summary, merge_spans, name_repeats, replace_spans,
)

__all__ = [
    "CHUNK_OVERLAP", "CHUNKED_PASS_CHARS", "DEFAULT_ALLOW_LIST", "DEFAULT_ENTITIES", "DEFAULT_MODEL",
    "DEFAULT_THRESHOLDS", "KEY_ENV", "MAX_CHUNK_CHARS", "MAX_RUN_CHARS", "NER_ENTITIES", "NER_SCOPES", "NUMBER_MIN",
    "OPERATORS", "SALT_ENV", "SUPPORTED_ENTITIES", "WINDOWED_NER_ENTITIES", "WORKBENCH_ENTITIES", "PiiConfig",
    "PiiRedactor", "RecordRedaction", "RedactionResult", "Span", "analysis_copy", "chunk_bounds", "config_summary",
    "merge_spans", "name_repeats", "replace_spans",
]
