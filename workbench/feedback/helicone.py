"""Helicone request exports: one ``HeliconeRequest`` per line.

Schema: the ``HeliconeRequest`` object of Helicone's request query API
(``POST /v1/request/query-clickhouse``, OpenAPI ``components.schemas.HeliconeRequest``,
https://docs.helicone.ai/rest/request/post-v1requestquery-clickhouse), which the export tool
``@helicone/export --format jsonl --include-body`` (Helicone repository,
``examples/export/typescript``) writes one per line, with ``request_body`` and ``response_body``
filled from the signed body URL. Fields read:

``request_id`` (the source id, required), ``request_created_at`` (time; the API sends ISO 8601
with ``Z``), ``request_body`` (the provider request: OpenAI-style ``messages``, the prompt is the
last user message; or ``prompt``), ``response_body`` (``choices[0].message.content`` or
``choices[0].text``; Anthropic-style ``content[*].text``), ``llmSchema`` (Helicone's normalised
``request.messages`` / ``response.messages``, used when the bodies are absent),
``response_model`` / ``request_model`` / ``model`` (model version), ``request_properties`` or
``properties`` (custom properties: ``topic``, ``model_version``, case-insensitive),
``feedback_rating`` (boolean: the user's thumb), ``feedback_id`` and ``feedback_created_at``.

Helicone records no edits or rejections; a custom property ``rejected`` = ``true`` marks a
rejection.
"""

from __future__ import annotations

from typing import Any

from workbench.errors import describe
from workbench.feedback.events import (
    Interaction, RecordProblem, Signal, check_text, get, last_turn, message_text, optional_text, parse_time, require_id,
)

SOURCE = "helicone"


def looks_like(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return ""
    for name in ("request_id", "request_created_at"):
        if name not in obj:
            return name
    return None


def _prompt(obj: dict) -> tuple[str | None, str]:
    body = obj.get("request_body")
    if isinstance(body, dict):
        text = last_turn(body.get("messages"), "user")
        if text is not None:
            return text, "request_body.messages"
        if isinstance(body.get("prompt"), str):
            return body["prompt"], "request_body.prompt"
        if isinstance(body.get("input"), str):
            return body["input"], "request_body.input"
    text = last_turn(get(obj, "llmSchema.request.messages"), "user")
    return text, ("llmSchema.request.messages" if text is not None else "request_body.messages")


def _output(obj: dict) -> tuple[str | None, str]:
    body = obj.get("response_body")
    if isinstance(body, dict):
        text = message_text(get(body, "choices.0.message"))
        if text is not None:
            return text, "response_body.choices.0.message.content"
        if isinstance(get(body, "choices.0.text"), str):
            return get(body, "choices.0.text"), "response_body.choices.0.text"
        if isinstance(body.get("content"), list):  # Anthropic messages
            text = message_text({"content": body["content"]})
            if text is not None:
                return text, "response_body.content"
    text = last_turn(get(obj, "llmSchema.response.messages"), "assistant")
    return text, ("llmSchema.response.messages" if text is not None else "response_body")


def _property(obj: dict, name: str) -> Any:
    for field in ("request_properties", "properties"):
        props = obj.get(field)
        if isinstance(props, dict):
            for k, v in props.items():
                if isinstance(k, str) and k.casefold().replace("-", "_") in (name, f"helicone_property_{name}"):
                    return v
    return None


def parse(obj: Any) -> tuple[list, list[str]]:
    if not isinstance(obj, dict):
        raise RecordProblem("", f"expected a JSON object (a Helicone request), got {describe(obj)}")
    missing = looks_like(obj)
    if missing:
        raise RecordProblem(missing, "missing: not a Helicone request export (request_id, request_created_at)")
    rid = require_id(obj.get("request_id"), "request_id")
    when = parse_time(obj.get("request_created_at"), "request_created_at")
    prompt, pfield = _prompt(obj)
    output, ofield = _output(obj)
    if prompt is None:
        raise RecordProblem(pfield, "an output but no prompt (no user message)" if output is not None else "no prompt (no user message)")
    prompt = check_text(prompt, pfield, required=True)
    output = check_text(output, ofield, required=False)
    version = _property(obj, "model_version")
    model = optional_text(version, "request_properties.model_version") if version is not None else None
    for field in ("response_model", "request_model", "model"):
        if model is None and obj.get(field):
            model = optional_text(obj[field], field)
    topic = optional_text(_property(obj, "topic"), "request_properties.topic")
    items: list = [Interaction(SOURCE, rid, prompt, output, when, model, topic)]
    rating = obj.get("feedback_rating")
    if rating is not None:
        if not isinstance(rating, bool):
            raise RecordProblem("feedback_rating", f"is {describe(rating)}, not true/false")
        fwhen = parse_time(obj["feedback_created_at"], "feedback_created_at") if obj.get("feedback_created_at") else when
        fid = require_id(obj["feedback_id"], "feedback_id") if obj.get("feedback_id") is not None else f"{rid}:feedback"
        items.append(Signal(SOURCE, fid, rid, "thumbs", fwhen, label=int(rating)))
    rejected = _property(obj, "rejected")
    if rejected is True or (isinstance(rejected, str) and rejected.strip().casefold() in ("true", "1", "yes")):
        items.append(Signal(SOURCE, f"{rid}:rejected", rid, "rejection", when))
    return items, []
