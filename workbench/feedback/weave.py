"""W&B Weave call exports with their feedback: one ``CallSchema`` per line.

Schema: Weave's ``CallSchema`` (Call schema reference,
https://docs.wandb.ai/weave/guides/tracking/call-schema-reference; ``weave.trace_server.
trace_server_interface.CallSchema``): ``id``, ``op_name``, ``trace_id``, ``parent_id``,
``started_at``, ``ended_at``, ``attributes``, ``inputs``, ``output``, ``summary``, ...; calls
queried with ``include_feedback=True`` (``client.get_calls(include_feedback=True)`` or the
``calls/stream_query`` endpoint) carry their feedback in ``summary.weave.feedback`` (a list of
``{id, feedback_type, payload, created_at, ...}``; wandb/weave,
``weave/trace_server/calls_query_builder`` / ``feedback`` tests), written one call per line.

What becomes what: a root call (no ``parent_id``) is an interaction. Prompt: the last user
message of ``inputs.messages``, else ``inputs.prompt|input|question|query|text``, else the only
text input; output: a text ``output``, else ``output.choices[0].message.content``, else
``output.content|text|answer|response|output``. Model version: ``attributes.model_version``,
else ``inputs.model``, else the first model of ``summary.usage``; topic: ``attributes.topic``.
Feedback: a reaction (``feedback_type`` ``wandb.reaction.1``) 👍 or 👎 (any skin tone) is a
thumb; a feedback of type ``edit`` or ``correction`` (or ``wandb.annotation.edit``) whose
payload holds text (``payload.value|edit|correction|output|text``) is an edit; one of type
``rejected``/``rejection`` is a rejection. Notes (``wandb.note.1``), other reactions and scorer
results are skipped.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from workbench.errors import describe
from workbench.feedback.events import (
    Interaction, RecordProblem, Signal, check_text, first_text, get, last_turn, message_text, optional_text,
    parse_time, require_id,
)

SOURCE = "weave"
_EDIT_TYPES = frozenset({"edit", "correction", "wandb.annotation.edit", "wandb.annotation.correction"})
_REJECT_TYPES = frozenset({"rejected", "rejection", "wandb.annotation.rejected"})


def looks_like(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return ""
    for name in ("id", "op_name", "started_at", "inputs"):
        if name not in obj:
            return name
    return None


def _detone(emoji: str) -> str:
    return "".join(c for c in emoji if not (0x1F3FB <= ord(c) <= 0x1F3FF) and unicodedata.category(c) != "Mn"
                   and c != "\ufe0f")


def _prompt(inputs: Any) -> tuple[str | None, str]:
    if not isinstance(inputs, dict):
        return None, "inputs"
    text = last_turn(inputs.get("messages"), "user")
    if text is not None:
        return text, "inputs.messages"
    text, key = first_text(inputs, ("prompt", "input", "question", "query", "text"))
    if text is not None:
        return text, f"inputs.{key}"
    texts = [v for k, v in inputs.items() if isinstance(v, str) and k not in ("model", "self")]
    return (texts[0] if len(texts) == 1 else None), "inputs"


def _output(output: Any) -> tuple[str | None, str]:
    if isinstance(output, str):
        return output, "output"
    if isinstance(output, dict):
        text = message_text(get(output, "choices.0.message"))
        if text is not None:
            return text, "output.choices.0.message.content"
        text, key = first_text(output, ("content", "text", "answer", "response", "output"))
        if text is not None:
            return text, f"output.{key}"
    return None, "output"


def _payload_text(payload: Any) -> str | None:
    if isinstance(payload, str):
        return payload
    text, _ = first_text(payload, ("value", "edit", "correction", "output", "text"))
    return text


def _feedback(item: Any, call_id: str, field: str) -> tuple[list, list[str]]:
    if not isinstance(item, dict):
        raise RecordProblem(field, f"is {describe(item)}, not a feedback object")
    ftype = item.get("feedback_type")
    if not isinstance(ftype, str):
        raise RecordProblem(f"{field}.feedback_type", "missing" if ftype is None else f"is {describe(ftype)}, not text")
    fid = require_id(item.get("id"), f"{field}.id")
    payload = item.get("payload") or {}
    if ftype == "wandb.reaction.1":
        emoji = payload.get("emoji") if isinstance(payload, dict) else None
        label = {"👍": 1, "👎": 0}.get(_detone(emoji) if isinstance(emoji, str) else "")
        if label is None:
            return [], ["a reaction other than thumbs up or down"]
        return [Signal(SOURCE, fid, call_id, "thumbs", parse_time(item.get("created_at"), f"{field}.created_at"),
                       label=label)], []
    if ftype.casefold() in _EDIT_TYPES:
        text = _payload_text(payload)
        if text is None:
            raise RecordProblem(f"{field}.payload", f"is {describe(payload)} holding no edited text")
        edit = check_text(text, f"{field}.payload", required=True)
        return [Signal(SOURCE, fid, call_id, "edit", parse_time(item.get("created_at"), f"{field}.created_at"),
                       edit=edit)], []
    if ftype.casefold() in _REJECT_TYPES:
        return [Signal(SOURCE, fid, call_id, "rejection", parse_time(item.get("created_at"), f"{field}.created_at"))], []
    return [], [f"feedback of type {ftype[:40]!r}"]


def parse(obj: Any) -> tuple[list, list[str]]:
    if not isinstance(obj, dict):
        raise RecordProblem("", f"expected a JSON object (a Weave call), got {describe(obj)}")
    missing = looks_like(obj)
    if missing:
        raise RecordProblem(missing, "missing: not a Weave call (id, op_name, started_at, inputs)")
    cid = require_id(obj.get("id"), "id")
    if obj.get("parent_id"):
        return [], ["child call (its root call is imported)"]
    when = parse_time(obj.get("started_at"), "started_at")
    prompt, pfield = _prompt(obj.get("inputs"))
    output, ofield = _output(obj.get("output"))
    if prompt is None:
        raise RecordProblem(pfield, "an output but no prompt" if output is not None else "no prompt (no user message or prompt input)")
    prompt = check_text(prompt, pfield, required=True)
    output = check_text(output, ofield, required=False)
    model = None
    for path in ("attributes.model_version", "inputs.model"):
        if get(obj, path) is not None:
            model = optional_text(get(obj, path), path)
            break
    usage = get(obj, "summary.usage")
    if model is None and isinstance(usage, dict) and usage:
        model = optional_text(next(iter(usage)), "summary.usage")
    items: list = [Interaction(SOURCE, cid, prompt, output, when, model,
                               optional_text(get(obj, "attributes.topic"), "attributes.topic"))]
    skipped: list[str] = []
    feedback = get(obj, "summary.weave.feedback") or []
    if not isinstance(feedback, list):
        raise RecordProblem("summary.weave.feedback", f"is {describe(feedback)}, not a list")
    for i, item in enumerate(feedback):
        more, why = _feedback(item, cid, f"summary.weave.feedback.{i}")
        items += more
        skipped += why
    return items, skipped
