"""Plain JSON lines with a declared mapping: which field of a record holds what.

The mapping is a YAML file; each value is the dotted path of a field in the records
(``output.text``, ``messages.0.content``)::

    id: event_id             # required: the record's own id in your logs (re-imports add nothing twice)
    prompt: request.prompt   # required: what the user asked
    timestamp: ts            # required: when (ISO 8601 with a timezone, or epoch seconds)
    output: response.text    # the model's answer
    edit: user_final_text    # the text the user kept after editing the answer
    score: thumb             # the user's thumb: true/false, 1/0, 1/-1, up/down, thumbs_up/thumbs_down, 👍/👎
    rejected: dismissed      # true when the user threw the answer away
    model_version: model     # which model (version) answered
    topic: intent            # a topic or intent label, if your logs have one
    timezone: UTC            # optional: read timestamps without a timezone as UTC

A record gives one interaction (``id``) and a signal per signal field it fills (``score``:
thumbs, ``edit``: edit, ``rejected``: rejection).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import BadInput, describe
from workbench.feedback.events import (
    Interaction, RecordProblem, Signal, check_text, get, optional_text, parse_time, require_id,
)
from workbench.safe_load import load_yaml

SOURCE = "jsonl"
REQUIRED = ("id", "prompt", "timestamp")
OPTIONAL = ("output", "edit", "score", "rejected", "model_version", "topic")
SETTINGS = ("timezone",)
_UP = frozenset({"up", "thumbs_up", "thumbsup", "positive", "good", "👍", "+1", "yes", "true"})
_DOWN = frozenset({"down", "thumbs_down", "thumbsdown", "negative", "bad", "👎", "-1", "no", "false"})


@dataclass(frozen=True)
class Mapping:
    fields: dict  # role -> dotted path
    naive_utc: bool = False
    source: str = "mapping"

    @classmethod
    def from_dict(cls, data: Any, shown: str = "mapping") -> "Mapping":
        if not isinstance(data, dict):
            raise BadInput(f"{shown}: expected a mapping of field roles to field names (id: ..., prompt: ..., "
                           f"timestamp: ...), got {describe(data)}")
        unknown = sorted(str(k) for k in data if k not in REQUIRED + OPTIONAL + SETTINGS)
        if unknown:
            raise BadInput(f"{shown}: unknown key {unknown[0]!r} (known: {', '.join(REQUIRED + OPTIONAL + SETTINGS)})")
        missing = [k for k in REQUIRED if data.get(k) in (None, "")]
        if missing:
            raise BadInput(f"{shown}: missing field {missing[0]!r}: name the field of your records that holds "
                           f"{ {'id': 'the event id', 'prompt': 'the prompt', 'timestamp': 'the time'}[missing[0]] }"
                           f" (required: {', '.join(REQUIRED)})")
        fields = {}
        for k in REQUIRED + OPTIONAL:
            v = data.get(k)
            if v is None:
                continue
            if not isinstance(v, str) or not v.strip():
                raise BadInput(f"{shown}: field {k!r} must name a field of the records (a dotted path), got {describe(v)}")
            fields[k] = v.strip()
        tz = data.get("timezone")
        if tz is not None and (not isinstance(tz, str) or tz.strip().upper() not in ("UTC", "Z", "+00:00")):
            raise BadInput(f"{shown}: timezone: only UTC is supported for timestamps without a timezone, got {describe(tz)}")
        return cls(fields, naive_utc=tz is not None, source=shown)

    @classmethod
    def from_file(cls, path: Path | str) -> "Mapping":
        path = Path(path)
        if not path.is_file():
            raise BadInput(f"{path}: --mapping: file does not exist")
        return cls.from_dict(load_yaml(path), str(path))


def score_label(value: Any, field: str) -> int:
    """1 (up) or 0 (down).

    >>> score_label(True, "s"), score_label(-1, "s"), score_label("👍", "s")
    (1, 0, 1)
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and value in (1, 0, -1):
        return 1 if value == 1 else 0
    if isinstance(value, str) and value.strip().casefold() in _UP:
        return 1
    if isinstance(value, str) and value.strip().casefold() in _DOWN:
        return 0
    raise RecordProblem(field, f"{describe(value)} is not a thumb (true/false, 1/0, 1/-1, up/down)")


def _truthy(value: Any, field: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().casefold() in ("true", "yes", "1", "false", "no", "0", ""):
        return value.strip().casefold() in ("true", "yes", "1")
    raise RecordProblem(field, f"{describe(value)} is not true/false")


def make_parser(mapping: Mapping):
    f = mapping.fields

    def looks_like(obj: Any) -> str | None:
        if not isinstance(obj, dict):
            return ""
        for role in REQUIRED:
            if get(obj, f[role]) is None:
                return f[role]
        return None

    def parse(obj: Any) -> tuple[list, list[str]]:
        if not isinstance(obj, dict):
            raise RecordProblem("", f"expected a JSON object, got {describe(obj)}")
        rid = require_id(get(obj, f["id"]), f["id"])
        when = parse_time(get(obj, f["timestamp"]), f["timestamp"], naive_utc=mapping.naive_utc)
        output = check_text(get(obj, f["output"]), f["output"], required=False) if "output" in f else None
        prompt_value = get(obj, f["prompt"])
        if prompt_value is None or (isinstance(prompt_value, str) and not prompt_value.strip()):
            raise RecordProblem(f["prompt"], "an output but no prompt" if output is not None else "missing prompt")
        prompt = check_text(prompt_value, f["prompt"], required=True)
        model = optional_text(get(obj, f["model_version"]), f["model_version"]) if "model_version" in f else None
        topic = optional_text(get(obj, f["topic"]), f["topic"]) if "topic" in f else None
        items: list = [Interaction(SOURCE, rid, prompt, output, when, model, topic)]
        if "score" in f and get(obj, f["score"]) is not None:
            items.append(Signal(SOURCE, f"{rid}:thumbs", rid, "thumbs", when, label=score_label(get(obj, f["score"]), f["score"])))
        if "edit" in f and get(obj, f["edit"]) is not None:
            edit = check_text(get(obj, f["edit"]), f["edit"], required=False)
            if edit is not None:
                if output is None:
                    raise RecordProblem(f.get("output", "output"), "an edit but no model output to compare it with")
                items.append(Signal(SOURCE, f"{rid}:edit", rid, "edit", when, edit=edit))
        if "rejected" in f and _truthy(get(obj, f["rejected"]), f["rejected"]):
            items.append(Signal(SOURCE, f"{rid}:rejection", rid, "rejection", when))
        return items, []

    return looks_like, parse
