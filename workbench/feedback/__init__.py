"""Production feedback: thumbs, edits and rejections from a deployed model, imported once,
redacted, and turned into seeds for the next round (docs/feedback.md).

Modules: :mod:`~workbench.feedback.events` (interactions, signals, shared field readers),
one parser per source format (:mod:`~workbench.feedback.langsmith`,
:mod:`~workbench.feedback.helicone`, :mod:`~workbench.feedback.weave`, and
:mod:`~workbench.feedback.mapping` for plain JSON lines with a declared mapping),
:mod:`~workbench.feedback.store` (the feedback tables), :mod:`~workbench.feedback.importer`
(streamed import with PII redaction), :mod:`~workbench.feedback.seeds` (DPO pairs, KTO rows
and seed prompts) and :mod:`~workbench.feedback.review` (seeds pushed to an Argilla review dataset). The computations (edit sizes, trivial edits, rates with intervals) are in
:mod:`workbench.analytics.feedback`.
"""
