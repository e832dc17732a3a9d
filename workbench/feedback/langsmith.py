"""LangSmith runs and feedback, as the ``langsmith`` SDK's schema objects serialise to JSON.

Schema: ``langsmith.schemas.Run`` / ``RunBase`` and ``langsmith.schemas.Feedback`` /
``FeedbackBase`` (langsmith-sdk, ``python/langsmith/schemas.py``; 0.15.1 is what the tests build
their data with), serialised one object per line by the SDK's own serialiser
(``langsmith._internal._serde.dumps_json``, or ``model_dump_json()``): e.g. what
``for run in client.list_runs(...)`` and ``client.list_feedback(run_ids=...)`` give, written as
JSON lines. A line is one of:

* a **Run**: ``id``, ``name``, ``run_type``, ``start_time``, ``inputs``, ``outputs``, ``extra``
  (``extra.metadata``), ``parent_run_id``, ``error``, ...;
* a **Feedback**: ``id``, ``run_id`` (or ``trace_id``), ``key``, ``score``, ``value``,
  ``correction``, ``created_at``, ``feedback_source`` (``{"type": "api"|"model"|...}``);
* ``{"run": <Run>, "feedback": [<Feedback>, ...]}``: a run with its feedback.

What becomes what:

* a *root* run (no ``parent_run_id``) is an interaction: the prompt is the last user message of
  ``inputs.messages`` (OpenAI or LangChain message form), else ``inputs.prompt|input|question|
  query|instruction|text``, else ``inputs.prompts[-1]``, else the only text in ``inputs``; the
  output is the first generation of ``outputs.generations``, else ``outputs.output|answer|
  content|text|response|result``, else the last assistant message of ``outputs.messages`` or
  ``outputs.choices[0].message``, else the only text in ``outputs``. Model version:
  ``extra.metadata.model_version``, ``revision_id``, ``ls_model_name``, else
  ``extra.invocation_params.model|model_name``; topic: ``extra.metadata.topic``. Child runs are
  skipped (their root carries the user's exchange and the feedback);
* a feedback with a ``correction`` is an **edit** (the correction's text, or its
  ``output|content|text|answer|response``); a feedback whose ``key`` names a rejection
  (``rejected``, ``rejection``, ``reject``, ``dismissed``) with a true or missing score is a
  **rejection**; a feedback with a binary score (true/false, 1/0) or a ``value`` of
  ``up``/``down``/``thumbs_up``/``thumbs_down``/``positive``/``negative`` is a **thumb**.
  Feedback from a model (``feedback_source.type == "model"``: an evaluator) is skipped, as is a
  score on another scale.

LangSmith keeps and serves its times in UTC (``Run.__init__`` reads a naive ``start_time`` or
``end_time`` as UTC), so a LangSmith time without a timezone (``start_time``, a feedback's
``created_at``) is read as UTC; a time in the future is still refused.
"""

from __future__ import annotations

from typing import Any

from workbench.errors import describe
from workbench.feedback.events import (
    Interaction, RecordProblem, Signal, check_text, first_text, get, last_turn, message_text, optional_text,
    parse_time, require_id,
)

SOURCE = "langsmith"
REJECTION_KEYS = frozenset({"rejected", "rejection", "reject", "dismissed"})
_PROMPT_KEYS = ("prompt", "input", "question", "query", "instruction", "text")
_OUTPUT_KEYS = ("output", "answer", "content", "text", "response", "result")
_UP = frozenset({"up", "thumbs_up", "positive", "good", "👍"})
_DOWN = frozenset({"down", "thumbs_down", "negative", "bad", "👎"})


def looks_like(obj: Any) -> str | None:
    """None when ``obj`` has the shape of a line of this format, else the missing field."""
    if not isinstance(obj, dict):
        return ""
    if "run" in obj and isinstance(obj.get("run"), dict):
        return looks_like(obj["run"])
    if "key" in obj and ("run_id" in obj or "trace_id" in obj):
        return None  # a Feedback
    for name in ("id", "run_type", "start_time", "inputs"):
        if name not in obj:
            return name
    return None


def _only_text(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    texts = [v for v in obj.values() if isinstance(v, str)]
    return texts[0] if len(texts) == 1 else None


def prompt_of(inputs: Any) -> tuple[str | None, str]:
    """``(prompt, field)`` of a run's ``inputs``."""
    if not isinstance(inputs, dict):
        return None, "inputs"
    text = last_turn(inputs.get("messages"), "user")
    if text is not None:
        return text, "inputs.messages"
    text, key = first_text(inputs, _PROMPT_KEYS)
    if text is not None:
        return text, f"inputs.{key}"
    prompts = inputs.get("prompts")
    if isinstance(prompts, list) and prompts and isinstance(prompts[-1], str):
        return prompts[-1], "inputs.prompts"
    return _only_text(inputs), "inputs"


def output_of(outputs: Any) -> tuple[str | None, str]:
    """``(output, field)`` of a run's ``outputs``."""
    if not isinstance(outputs, dict):
        return None, "outputs"
    gens = outputs.get("generations")
    if isinstance(gens, list) and gens:
        first = gens[0][0] if isinstance(gens[0], list) and gens[0] else gens[0]
        if isinstance(first, dict):
            text = first.get("text") if isinstance(first.get("text"), str) and first.get("text") else message_text(first.get("message"))
            if text is not None:
                return text, "outputs.generations"
    text, key = first_text(outputs, _OUTPUT_KEYS)
    if text is not None:
        return text, f"outputs.{key}"
    text = last_turn(outputs.get("messages"), "assistant")
    if text is not None:
        return text, "outputs.messages"
    text = message_text(get(outputs, "choices.0.message"))
    if text is not None:
        return text, "outputs.choices"
    return _only_text(outputs), "outputs"


def _model_version(run: dict) -> str | None:
    for path in ("extra.metadata.model_version", "extra.metadata.revision_id", "extra.metadata.ls_model_name",
                 "extra.invocation_params.model", "extra.invocation_params.model_name"):
        v = get(run, path)
        if v is not None:
            return optional_text(v, path)
    return None


def parse_run(run: dict, prefix: str = "") -> tuple[list, list[str]]:
    rid = require_id(run.get("id"), f"{prefix}id")
    if run.get("parent_run_id"):
        return [], ["child run (its root run is imported)"]
    when = parse_time(run.get("start_time"), f"{prefix}start_time", naive_utc=True)
    prompt, pfield = prompt_of(run.get("inputs"))
    output, ofield = output_of(run.get("outputs"))
    if prompt is None:
        if output is not None:
            raise RecordProblem(f"{prefix}{pfield}", "an output but no prompt (no user message or prompt text in the inputs)")
        raise RecordProblem(f"{prefix}{pfield}", "no prompt (no user message or prompt text in the inputs)")
    prompt = check_text(prompt, f"{prefix}{pfield}", required=True)
    output = check_text(output, f"{prefix}{ofield}", required=False)
    return [Interaction(SOURCE, rid, prompt, output, when, _model_version(run),
                        optional_text(get(run, "extra.metadata.topic"), f"{prefix}extra.metadata.topic"))], []


def thumb_label(score: Any, value: Any) -> int | None:
    """1 (up), 0 (down) or None (not a thumb).

    >>> thumb_label(True, None), thumb_label(0, None), thumb_label(None, "thumbs_down"), thumb_label(0.7, None)
    (1, 0, 0, None)
    """
    if isinstance(score, bool):
        return int(score)
    if isinstance(score, (int, float)) and score in (0, 1):
        return int(score)
    if isinstance(value, str):
        v = value.strip().casefold()
        if v in _UP:
            return 1
        if v in _DOWN:
            return 0
    return None


def correction_text(correction: Any) -> str | None:
    if isinstance(correction, str):
        return correction
    text, _ = first_text(correction, ("output", "content", "text", "answer", "response"))
    if text is None and isinstance(correction, dict):
        text = last_turn(correction.get("messages"), "assistant")
    return text


def parse_feedback(fb: dict, prefix: str = "") -> tuple[list, list[str]]:
    fid = require_id(fb.get("id"), f"{prefix}id")
    target = fb.get("run_id") if fb.get("run_id") is not None else fb.get("trace_id")
    run_id = require_id(target, f"{prefix}run_id")
    key = fb.get("key")
    if not isinstance(key, str):
        raise RecordProblem(f"{prefix}key", "missing" if key is None else f"is {describe(key)}, not text")
    if get(fb, "feedback_source.type") == "model":
        return [], [f"feedback from a model (key {key[:40]!r})"]
    when = parse_time(fb.get("created_at"), f"{prefix}created_at", naive_utc=True)
    score, value = fb.get("score"), fb.get("value")
    if fb.get("correction") is not None:
        text = correction_text(fb["correction"])
        if text is None:
            raise RecordProblem(f"{prefix}correction", f"is {describe(fb['correction'])} holding no text")
        edit = check_text(text, f"{prefix}correction", required=True)
        return [Signal(SOURCE, fid, run_id, "edit", when, edit=edit)], []
    if key.strip().casefold() in REJECTION_KEYS:
        if score is None or score is True or score == 1:
            return [Signal(SOURCE, fid, run_id, "rejection", when)], []
        return [], [f"rejection key with score {describe(score)} (not rejected)"]
    label = thumb_label(score, value)
    if label is None:
        return [], [f"feedback key {key[:40]!r} with score {describe(score)} (not a thumb, edit or rejection)"]
    return [Signal(SOURCE, fid, run_id, "thumbs", when, label=label)], []


def parse(obj: Any) -> tuple[list, list[str]]:
    """The interactions and signals of one line, and what was skipped (with why)."""
    if not isinstance(obj, dict):
        raise RecordProblem("", f"expected a JSON object (a Run or a Feedback), got {describe(obj)}")
    if isinstance(obj.get("run"), dict):
        items, skipped = parse_run(obj["run"], "run.")
        fbs = obj.get("feedback") or []
        if not isinstance(fbs, list):
            raise RecordProblem("feedback", f"is {describe(fbs)}, not a list of Feedback")
        for i, fb in enumerate(fbs):
            if not isinstance(fb, dict):
                raise RecordProblem(f"feedback.{i}", f"is {describe(fb)}, not a Feedback")
            more, why = parse_feedback(fb, f"feedback.{i}.")
            items += more
            skipped += why
        return items, skipped
    if "key" in obj and ("run_id" in obj or "trace_id" in obj):
        return parse_feedback(obj)
    missing = looks_like(obj)
    if missing:
        raise RecordProblem(missing, "missing: not a LangSmith Run (id, run_type, start_time, inputs) nor a Feedback (id, run_id, key)")
    return parse_run(obj)
