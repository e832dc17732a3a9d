"""What every source format is read into: interactions, signals, and records kept aside.

An **interaction** is one answer a deployed model gave: the prompt it answered, its output, when,
and which model version (and topic, when the source has one). A **signal** is what a user did
about an interaction:

``thumbs``
    a thumbs up (``label`` 1) or down (``label`` 0);
``edit``
    the user changed the output: ``edit`` holds the text the user kept;
``rejection``
    the user threw the output away (dismissed, regenerated, refused to send it).

Signals point at their interaction by its id, so an interaction and its signals may come from
different lines or different files, in any order (a LangSmith feedback export next to a runs
export). Ids are content ids of the *source's own* ids (``source:kind:source_id``), never of the
text: the same run imported twice, from the same file or an overlapping one, gets the same id and
is stored once.

Parsers raise :class:`RecordProblem` (field and reason; a reason never quotes text, see
:func:`workbench.errors.describe`) for one record; the importer keeps that record aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, overload

from workbench.errors import describe
from workbench.raw_store import content_id

KINDS = ("thumbs", "edit", "rejection")

#: A timestamp later than now by more than this is refused (clocks of two machines disagree a little).
FUTURE_SLACK = timedelta(minutes=5)

_ISO_Z = re.compile(r"[zZ]$")


class RecordProblem(Exception):
    """One record cannot be read: ``field`` (dotted path, may be empty) and ``reason``."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Interaction:
    source: str
    source_id: str
    prompt: str
    output: str | None
    occurred_at: datetime
    model_version: str | None = None
    topic: str | None = None

    @property
    def id(self) -> str:
        return interaction_id(self.source, self.source_id)


@dataclass(frozen=True)
class Signal:
    source: str
    source_id: str
    interaction_source_id: str
    kind: str
    occurred_at: datetime
    label: int | None = None  # thumbs: 1 up, 0 down
    edit: str | None = None  # edit: the text the user kept

    @property
    def id(self) -> str:
        return content_id(f"{self.source}:signal:{self.kind}:{self.source_id}", prefix="fs")

    @property
    def interaction_id(self) -> str:
        return interaction_id(self.source, self.interaction_source_id)


def interaction_id(source: str, source_id: str) -> str:
    """The stored id of an interaction: a content id of its source and the source's own id.

    >>> interaction_id("langsmith", "r1") == interaction_id("langsmith", "r1") != interaction_id("weave", "r1")
    True
    """
    return content_id(f"{source}:interaction:{source_id}", prefix="fi")


# -- field access -------------------------------------------------------------------------------


def get(obj: Any, path: str) -> Any:
    """The value at a dotted ``path`` of nested mappings (and list indexes), or None.

    >>> get({"a": {"b": [{"c": 1}]}}, "a.b.0.c"), get({"a": 1}, "a.x")
    (1, None)
    """
    cur = obj
    for part in path.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.lstrip("-").isdigit() and -len(cur) <= int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return None
        if cur is None:
            return None
    return cur


def require_id(value: Any, field: str) -> str:
    """A source id: a non-empty string or an integer, as text."""
    if value is None:
        raise RecordProblem(field, "missing")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordProblem(field, f"is {describe(value)}, not an id")
    text = str(value).strip()
    if not text or len(text) > 200:
        raise RecordProblem(field, "empty" if not text else f"an id of {len(text)} characters (at most 200)")
    return text


def optional_text(value: Any, field: str) -> str | None:
    """A short label (model version, topic): text or a number, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordProblem(field, f"is {describe(value)}, not text")
    return str(value).strip()[:200] or None


def parse_time(value: Any, field: str, *, naive_utc: bool = False, now: datetime | None = None) -> datetime:
    """An aware UTC datetime from ISO 8601 text (or epoch seconds).

    A time without a timezone is refused unless ``naive_utc`` (the format defines its times as
    UTC); a time more than :data:`FUTURE_SLACK` after ``now`` is refused.

    >>> parse_time("2026-01-02T03:04:05Z", "t").isoformat()
    '2026-01-02T03:04:05+00:00'
    >>> parse_time("2026-01-02T03:04:05", "t")
    Traceback (most recent call last):
    ...
    workbench.feedback.events.RecordProblem: t: timestamp without a timezone (add Z or +00:00, or declare the timezone in the mapping)
    """
    if value is None or value == "":
        raise RecordProblem(field, "missing timestamp")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            when = datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise RecordProblem(field, f"{describe(value)} is not a timestamp") from None
    elif isinstance(value, str):
        text = _ISO_Z.sub("+00:00", value.strip())
        try:
            when = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            raise RecordProblem(field, f"{describe(value)}: not an ISO 8601 timestamp") from None
        if when.tzinfo is None:
            if not naive_utc:
                raise RecordProblem(field, "timestamp without a timezone (add Z or +00:00, or declare the timezone in the mapping)")
            when = when.replace(tzinfo=timezone.utc)
        when = when.astimezone(timezone.utc)
    else:
        raise RecordProblem(field, f"is {describe(value)}, not a timestamp")
    now = now or datetime.now(timezone.utc)
    if when > now + FUTURE_SLACK:
        raise RecordProblem(field, f"timestamp in the future ({when.isoformat(timespec='seconds')})")
    return when


# -- texts of chat messages -------------------------------------------------------------------


def _content_text(content: Any) -> str | None:
    """The text of a message's ``content``: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        found = [p if isinstance(p, str) else p.get("text") for p in content if isinstance(p, (str, dict))]
        parts = [p for p in found if isinstance(p, str)]
        return "\n".join(parts) if parts else None
    return None


def message_role(message: Any) -> str | None:
    """The role of a chat message: OpenAI style (``role``), LangChain's serialised form
    (``{"lc": 1, "id": [..., "HumanMessage"], "kwargs": {...}}``) or its dict form (``type``)."""
    if not isinstance(message, dict):
        return None
    if "role" in message:
        role = message.get("role")
    elif message.get("lc") is not None and isinstance(message.get("id"), list) and message["id"]:
        role = {"HumanMessage": "user", "AIMessage": "assistant", "SystemMessage": "system",
                "AIMessageChunk": "assistant", "HumanMessageChunk": "user"}.get(str(message["id"][-1]))
    else:
        role = message.get("type")
    return {"human": "user", "ai": "assistant", "model": "assistant"}.get(role, role) if isinstance(role, str) else None


def message_text(message: Any) -> str | None:
    if isinstance(message, str):
        return message
    if not isinstance(message, dict):
        return None
    if isinstance(message.get("kwargs"), dict):  # LangChain's serialised message
        return _content_text(message["kwargs"].get("content"))
    if "content" in message:
        return _content_text(message["content"])
    return _content_text(message.get("text"))


def last_turn(messages: Any, role: str) -> str | None:
    """The text of the last message of ``role`` in a list of chat messages (nested lists, as
    LangChain's ``[[...]]`` batches, are flattened)."""
    if not isinstance(messages, list):
        return None
    flat: list = []
    for m in messages:
        flat.extend(m if isinstance(m, list) else [m])
    for m in reversed(flat):
        if message_role(m) == role:
            text = message_text(m)
            if text is not None:
                return text
    return None


def first_text(obj: Any, keys: tuple[str, ...]) -> tuple[str | None, str | None]:
    """``(text, key)`` of the first of ``keys`` in ``obj`` holding text (or a chat message)."""
    if not isinstance(obj, dict):
        return None, None
    for k in keys:
        v = obj.get(k)
        if isinstance(v, str):
            return v, k
        if isinstance(v, dict):
            text = message_text(v)
            if text is not None:
                return text, k
    return None, None


@overload
def check_text(value: Any, field: str, *, required: Literal[True]) -> str: ...
@overload
def check_text(value: Any, field: str, *, required: bool) -> str | None: ...
def check_text(value: Any, field: str, *, required: bool) -> str | None:
    """Text that can be stored: not empty (unless optional), valid Unicode."""
    if value is None:
        if required:
            raise RecordProblem(field, "missing")
        return None
    if not isinstance(value, str):
        raise RecordProblem(field, f"is {describe(value)}, not text")
    if not value.strip():
        if required:
            raise RecordProblem(field, "empty")
        return None
    if re.search("[\ud800-\udfff]", value):
        raise RecordProblem(field, "holds unpaired surrogate characters (not valid Unicode text)")
    return value
