"""From a :class:`~workbench.tasks.Task` to Argilla dataset settings, and what may change later.

:func:`settings_for` builds the ``argilla.Settings`` (SDK 2.8) of a task: fields, questions with
their labels in order, metadata properties, vectors, the guideline text stamped with its
version, and the overlap distribution.

:func:`diff_settings` compares a task with the settings of a dataset that already exists and
sorts every difference into *allowed* (argilla-server 2.8 accepts the update on a published
dataset) and *refused* (the server rejects it; a new dataset is needed). The rules come from
argilla-server 2.8.0's update schemas and validators:

* dataset (``DatasetUpdate``): ``guidelines``, ``distribution`` (``min_submitted >= 1``; the rq
  worker then recomputes every record's status) and ``allow_extra_metadata`` can change;
* fields (``FieldUpdate``, ``contexts.datasets``): ``title`` and ``use_markdown`` can change; the
  type cannot; ``required`` is not updatable; fields cannot be added or deleted once published;
* questions (``QuestionUpdate``, ``validators.questions``): ``title`` and ``description`` can
  change; ``required`` is not updatable; questions cannot be added or deleted once published;
  the type cannot change. Label, multi-label and span questions keep the *same set* of option
  values (same count, same values) but may reorder them and change their display texts and
  ``visible_options``; multi-label ``options_order`` may change; a span question's field cannot
  change and ``allow_overlapping`` may be switched on but not off. Rating and ranking options
  cannot change at all (their update schema has no ``options``: the server answers 200 and
  keeps the old ones). Text questions may toggle
  ``use_markdown``;
* metadata properties (``MetadataPropertyUpdate``): ``title`` and ``visible_for_annotators``
  can change; new properties can be added and old ones deleted on a published dataset; their
  kind, terms options and numeric bounds cannot change;
* vectors (``VectorSettingsUpdate``): ``title`` can change; vectors can be added (up to the
  server maximum) and deleted; ``dimensions`` cannot change.

Everything here is pure: no server is contacted. ``argilla`` SDK objects need a client only to
be *created*; when none is given an offline stand-in is used that never connects (and is not
made the SDK's default client).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import argilla as rg

from workbench.errors import BadInput
from workbench.guidelines import GuidelineVersion, render_for_argilla
from workbench.tasks import Question, Task

_offline_client = None


def offline_client() -> rg.Argilla:
    """An ``argilla.Argilla`` that never connects, for building settings objects without a server.

    It is not registered as the SDK default client. Any request made with it fails (it points
    at a closed port); attach the settings to a dataset created with a real client to use them.
    """
    global _offline_client
    if _offline_client is None:
        from argilla._api._client import APIClient

        class _OfflineArgilla(rg.Argilla):
            def _validate_connection(self) -> None:  # no server to validate against
                return None

        client = _OfflineArgilla.__new__(_OfflineArgilla)
        # APIClient.__init__ builds the HTTP client without Argilla.__init__'s _set_default().
        APIClient.__init__(client, api_url="http://127.0.0.1:9", api_key="offline", retries=0)
        _offline_client = client
    return _offline_client


def _labels_dict(q: Question) -> dict[str, str]:
    """Option value -> display text, in display order (ordinal order for ordinal questions)."""
    by_value = {lb.value: lb.text for lb in q.labels}
    # a label question's order holds its label values (strings)
    ordered = [str(v) for v in q.order] if (q.kind == "label" and q.order) else [lb.value for lb in q.labels]
    return {v: by_value[v] for v in ordered}


def _description(q: Question) -> str | None:
    parts = [q.description] if q.description else []
    if q.kind == "label" and q.order:
        parts.append("Ordered: " + " < ".join(str(v) for v in q.order) + ".")
    return " ".join(parts) or None


def question_for(q: Question, *, client: rg.Argilla) -> Any:
    """The ``argilla`` question object for one task question."""
    common = dict(name=q.name, title=q.title, description=_description(q), required=q.required, client=client)
    if q.kind == "label":
        return rg.LabelQuestion(labels=_labels_dict(q), visible_labels=q.visible_labels, **common)
    if q.kind == "multi_label":
        return rg.MultiLabelQuestion(labels=_labels_dict(q), visible_labels=q.visible_labels, labels_order="natural", **common)
    if q.kind == "rating":
        return rg.RatingQuestion(values=list(q.values), **common)
    if q.kind == "ranking":
        return rg.RankingQuestion(values=_labels_dict(q), **common)
    if q.kind == "span":
        return rg.SpanQuestion(field=q.field, labels=_labels_dict(q), allow_overlapping=q.allow_overlapping, visible_labels=q.visible_labels, **common)
    if q.kind == "text":
        return rg.TextQuestion(use_markdown=q.use_markdown, **common)
    raise BadInput(f"questions.{q.name}.kind: {q.kind!r} has no Argilla question type")  # pragma: no cover - validated earlier


def settings_for(task: Task, guideline_version: GuidelineVersion | int | str | None, *, client: rg.Argilla | None = None) -> rg.Settings:
    """The Argilla dataset settings of ``task`` under one guideline version.

    Parameters
    ----------
    task : Task
        A validated task.
    guideline_version : GuidelineVersion, int, str or None
        The version whose text becomes the dataset guidelines (a version object, or its number
        in the task's guideline; None for the latest).
    client : argilla.Argilla, optional
        The client the objects are bound to; an offline stand-in by default.

    Returns
    -------
    argilla.Settings
    """
    client = client or offline_client()
    if not isinstance(guideline_version, GuidelineVersion):
        g = task.load_guideline()
        guideline_version = g.latest if guideline_version is None else g.get(guideline_version)
    if guideline_version.guideline_id != task.guideline:
        raise BadInput(
            f"guideline_version: {guideline_version.guideline_id} v{guideline_version.version} "
            f"is not a version of task {task.name!r}'s guideline {task.guideline!r}"
        )
    fields = [
        rg.TextField(name=f.name, title=f.title, use_markdown=f.use_markdown, required=f.required, client=client)
        for f in task.fields
    ]
    questions = [question_for(q, client=client) for q in task.questions]
    metadata = []
    for m in task.metadata:
        if m.kind == "terms":
            metadata.append(rg.TermsMetadataProperty(name=m.name, title=m.title, options=list(m.options) if m.options else None,
                                                     visible_for_annotators=m.visible_for_annotators, client=client))
        elif m.kind == "integer":
            metadata.append(rg.IntegerMetadataProperty(name=m.name, title=m.title, min=m.min, max=m.max,
                                                       visible_for_annotators=m.visible_for_annotators, client=client))
        else:
            metadata.append(rg.FloatMetadataProperty(name=m.name, title=m.title,
                                                     min=None if m.min is None else float(m.min),
                                                     max=None if m.max is None else float(m.max),
                                                     visible_for_annotators=m.visible_for_annotators, client=client))
    vectors = [rg.VectorField(name=v.name, title=v.title, dimensions=v.dimensions, _client=client) for v in task.vectors]
    return rg.Settings(
        fields=fields,
        questions=questions,
        metadata=metadata,
        vectors=vectors,
        guidelines=render_for_argilla(guideline_version),
        allow_extra_metadata=False,
        distribution=rg.TaskDistribution(min_submitted=task.overlap),
    )


# --------------------------------------------------------------------------------------------
# What may change after a dataset exists
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsChange:
    """One difference between the wanted settings and a dataset's current settings."""

    target: str  # e.g. "questions.safety.labels", "guidelines", "fields.response.title"
    old: Any
    new: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.target}: {_short(self.old)} -> {_short(self.new)} ({self.reason})"


#: Records one difference: ``(target, old, new, reason)``.
_Note = Callable[[str, Any, Any, str], None]


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _as_dict(settings: Any) -> dict:
    if isinstance(settings, dict):
        return settings
    if hasattr(settings, "serialize"):
        return settings.serialize()
    raise BadInput(f"existing_settings: expected argilla.Settings or its serialize() dict, got {type(settings).__name__}")


def _by_name(items: list[dict] | None) -> dict[str, dict]:
    return {item["name"]: item for item in (items or [])}


def _options(settings: dict) -> list[tuple[Any, Any]]:
    return [(o.get("value"), o.get("text", o.get("value"))) for o in settings.get("options") or []]


def _meta_settings(item: dict) -> dict:
    s = dict(item.get("settings") or {})
    s.pop("visible_for_annotators", None)
    if s.get("type") == "terms":
        return {"type": "terms", "values": s.get("values")}
    return {"type": s.get("type"), "min": s.get("min"), "max": s.get("max")}


def compare_settings(wanted: Any, existing: Any) -> tuple[list[SettingsChange], list[SettingsChange]]:
    """Sort the differences between two settings (``argilla.Settings`` or their ``serialize()``
    dicts) into those argilla-server 2.8 allows on a published dataset and those it refuses."""
    new, old = _as_dict(wanted), _as_dict(existing)
    allowed: list[SettingsChange] = []
    refused: list[SettingsChange] = []

    def ok(target: str, a: Any, b: Any, reason: str) -> None:
        allowed.append(SettingsChange(target, a, b, reason))

    def no(target: str, a: Any, b: Any, reason: str) -> None:
        refused.append(SettingsChange(target, a, b, reason))

    # Dataset-level attributes.
    if (new.get("guidelines") or "").strip() != (old.get("guidelines") or "").strip():  # the SDK strips it
        ok("guidelines", old.get("guidelines"), new.get("guidelines"), "dataset guidelines are updatable")
    nd, od = (new.get("distribution") or {}), (old.get("distribution") or {})
    if nd.get("min_submitted") != od.get("min_submitted"):
        ok("distribution.min_submitted", od.get("min_submitted"), nd.get("min_submitted"),
           "updatable; the server then recomputes every record's status")
    if bool(new.get("allow_extra_metadata")) != bool(old.get("allow_extra_metadata")):
        ok("allow_extra_metadata", old.get("allow_extra_metadata"), new.get("allow_extra_metadata"), "updatable")

    # Fields.
    nf, of = _by_name(new.get("fields")), _by_name(old.get("fields"))
    for name in nf.keys() - of.keys():
        no(f"fields.{name}", None, nf[name]["settings"].get("type"), "fields cannot be added to a published dataset")
    for name in of.keys() - nf.keys():
        no(f"fields.{name}", of[name]["settings"].get("type"), None, "fields cannot be deleted from a published dataset")
    for name in sorted(nf.keys() & of.keys()):
        a, b = of[name], nf[name]
        t = f"fields.{name}"
        if a["settings"].get("type") != b["settings"].get("type"):
            no(f"{t}.type", a["settings"].get("type"), b["settings"].get("type"), "a field's type cannot change")
            continue
        if a.get("title") != b.get("title"):
            ok(f"{t}.title", a.get("title"), b.get("title"), "field titles are updatable")
        if a["settings"].get("use_markdown") != b["settings"].get("use_markdown"):
            ok(f"{t}.use_markdown", a["settings"].get("use_markdown"), b["settings"].get("use_markdown"), "updatable")
        if bool(a.get("required")) != bool(b.get("required")):
            no(f"{t}.required", a.get("required"), b.get("required"), "'required' is not updatable")

    # Questions.
    nq, oq = _by_name(new.get("questions")), _by_name(old.get("questions"))
    for name in nq.keys() - oq.keys():
        no(f"questions.{name}", None, nq[name]["settings"].get("type"), "questions cannot be added to a published dataset")
    for name in oq.keys() - nq.keys():
        no(f"questions.{name}", oq[name]["settings"].get("type"), None, "questions cannot be deleted from a published dataset")
    for name in sorted(nq.keys() & oq.keys()):
        _compare_question(f"questions.{name}", oq[name], nq[name], ok, no)

    # Metadata properties.
    nm, om = _by_name(new.get("metadata")), _by_name(old.get("metadata"))
    for name in sorted(nm.keys() - om.keys()):
        ok(f"metadata.{name}", None, nm[name]["settings"].get("type"), "metadata properties can be added to a published dataset")
    for name in sorted(om.keys() - nm.keys()):
        ok(f"metadata.{name}", om[name]["settings"].get("type"), None, "can be deleted, but its values on every record are lost")
    for name in sorted(nm.keys() & om.keys()):
        a, b = om[name], nm[name]
        t = f"metadata.{name}"
        sa, sb = _meta_settings(a), _meta_settings(b)
        if sa["type"] != sb["type"]:
            no(f"{t}.kind", sa["type"], sb["type"], "a metadata property's kind cannot change (delete and re-create it, losing its values)")
            continue
        for key in ("values", "min", "max"):
            if key in sa and sa.get(key) != sb.get(key):
                what = "options" if key == "values" else key
                no(f"{t}.{what}", sa.get(key), sb.get(key), f"metadata '{what}' is not updatable (only title and visibility are)")
        if a.get("title") != b.get("title"):
            ok(f"{t}.title", a.get("title"), b.get("title"), "updatable")
        if bool(a.get("visible_for_annotators")) != bool(b.get("visible_for_annotators")):
            ok(f"{t}.visible_for_annotators", a.get("visible_for_annotators"), b.get("visible_for_annotators"), "updatable")

    # Vectors.
    nv, ov = _by_name(new.get("vectors")), _by_name(old.get("vectors"))
    for name in sorted(nv.keys() - ov.keys()):
        ok(f"vectors.{name}", None, nv[name].get("dimensions"), "vector settings can be added to a published dataset (server maximum applies)")
    for name in sorted(ov.keys() - nv.keys()):
        ok(f"vectors.{name}", ov[name].get("dimensions"), None, "can be deleted, with every record's vector")
    for name in sorted(nv.keys() & ov.keys()):
        a, b = ov[name], nv[name]
        if a.get("dimensions") != b.get("dimensions"):
            no(f"vectors.{name}.dimensions", a.get("dimensions"), b.get("dimensions"), "vector dimensions cannot change")
        if a.get("title") != b.get("title"):
            ok(f"vectors.{name}.title", a.get("title"), b.get("title"), "updatable")

    return allowed, refused


def _compare_question(t: str, a: dict, b: dict, ok: _Note, no: _Note) -> None:
    sa, sb = a.get("settings") or {}, b.get("settings") or {}
    ta, tb = sa.get("type"), sb.get("type")
    if ta != tb:
        no(f"{t}.type", ta, tb, "a question's type cannot change")
        return
    if a.get("title") != b.get("title"):
        ok(f"{t}.title", a.get("title"), b.get("title"), "question titles are updatable")
    if (a.get("description") or None) != (b.get("description") or None):
        ok(f"{t}.description", a.get("description"), b.get("description"), "question descriptions are updatable")
    if bool(a.get("required")) != bool(b.get("required")):
        no(f"{t}.required", a.get("required"), b.get("required"), "'required' is not updatable")

    oa, ob = _options(sa), _options(sb)
    if ta in ("label_selection", "multi_label_selection", "span"):
        va, vb = [v for v, _ in oa], [v for v, _ in ob]
        if sorted(map(str, va)) != sorted(map(str, vb)):
            added = [v for v in vb if v not in va]
            removed = [v for v in va if v not in vb]
            detail = ", ".join(x for x in (f"added {added}" if added else "", f"removed {removed}" if removed else "") if x)
            no(f"{t}.labels", va, vb, f"label values cannot be added, removed or renamed ({detail})")
        else:
            if va != vb:
                ok(f"{t}.labels", va, vb, "same labels in a new order: updatable")
            ta_text, tb_text = dict(oa), dict(ob)
            changed = {v: (ta_text[v], tb_text[v]) for v in vb if ta_text.get(v) != tb_text.get(v)}
            if changed:
                ok(f"{t}.label_texts", {v: x for v, (x, _) in changed.items()}, {v: y for v, (_, y) in changed.items()},
                   "label display texts are updatable")
        if sa.get("visible_options") != sb.get("visible_options"):
            ok(f"{t}.visible_labels", sa.get("visible_options"), sb.get("visible_options"), "updatable")
    if ta == "multi_label_selection" and (sa.get("options_order") or "natural") != (sb.get("options_order") or "natural"):
        ok(f"{t}.labels_order", sa.get("options_order"), sb.get("options_order"), "updatable")
    if ta == "span":
        if sa.get("field") != sb.get("field"):
            no(f"{t}.field", sa.get("field"), sb.get("field"), "a span question's field cannot change")
        if bool(sa.get("allow_overlapping")) != bool(sb.get("allow_overlapping")):
            if sb.get("allow_overlapping"):
                ok(f"{t}.allow_overlapping", False, True, "overlapping spans can be switched on")
            else:
                no(f"{t}.allow_overlapping", True, False, "cannot be switched off: existing responses may overlap")
    if ta in ("rating", "ranking") and oa != ob:
        what = "values"
        no(f"{t}.{what}", [v for v, _ in oa], [v for v, _ in ob],
           f"{ta} options cannot change after the dataset exists (the server silently ignores them in an update)")
    if ta == "text" and bool(sa.get("use_markdown")) != bool(sb.get("use_markdown")):
        ok(f"{t}.use_markdown", sa.get("use_markdown"), sb.get("use_markdown"), "updatable")


def diff_settings(task: Task, existing_settings: Any, guideline_version: GuidelineVersion | int | str | None = None
                  ) -> tuple[list[SettingsChange], list[SettingsChange]]:
    """What it takes to bring an existing dataset in line with ``task``: ``(changes_allowed, changes_refused)``.

    Parameters
    ----------
    task : Task
        The task as it is now declared.
    existing_settings : argilla.Settings or dict
        The dataset's current settings (``dataset.settings`` or its ``serialize()``).
    guideline_version : GuidelineVersion, int, str or None
        The guideline version the dataset should show; None compares everything but the
        guideline text (the current text is kept).

    Returns
    -------
    (list of SettingsChange, list of SettingsChange)
        Changes argilla-server 2.8 accepts on a published dataset, and changes it refuses
        (those need a new dataset).
    """
    existing = _as_dict(existing_settings)
    if guideline_version is None:
        wanted = _as_dict(settings_for(task, None))
        wanted = {**wanted, "guidelines": existing.get("guidelines")}
    else:
        wanted = settings_for(task, guideline_version)
    return compare_settings(wanted, existing)
