"""Labelling tasks: what annotators see, what they answer, and how agreement is judged.

A task is declared in ``tasks/<name>.yaml``::

    name: medical-qa-rating
    title: Medical Q&A rating
    description: Rate and critique answers to health questions.
    guideline: medical-qa-rating        # folder guidelines/medical-qa-rating/ (v1.md, v2.md, ...)
    overlap: 3                          # annotators per record in production
    fields:
      - {name: instruction, type: text, title: User question}
      - {name: response, type: markdown, title: Assistant answer}
    questions:
      - name: quality
        kind: rating                    # label | multi_label | rating | ranking | span | text
        values: [1, 2, 3, 4, 5]
        level: interval                 # how agreement is computed (see LEVELS_BY_KIND)
      - name: safety
        kind: label
        labels: [safe, needs-caveat, unsafe]
        ordinal: true
        order: as-listed                # or an explicit list, lowest first
        level: ordinal
    metadata:
      - {name: source, kind: terms, options: [gen-a, gen-b]}
      - {name: judge_quality, kind: float, min: 1, max: 5, visible_for_annotators: false}
    vectors:
      - {name: response_embedding, dimensions: 384}
    calibration:
      set_size: 40
      gold_rate: 0.05                   # share of gold items mixed into production
      min_gold_agreement: 0.75          # per annotator, on the gold items
      min_review_accuracy: 0.80         # optional: per annotator, against expert review (docs/review.md)
      thresholds:                       # per question; defaults 0.800 / 0.667
        safety: {alpha_reliable: 0.800, alpha_tentative: 0.667}
    coverage:                           # target mix of a terms property (or a list of such plans)
      property: source
      tolerance: 0.05                   # default 0.05; docs/coverage.md
      target: {gen-a: 0.5, gen-b: 0.5}

:func:`validate_task_file` reads the file through yaml's node tree so that every problem is
reported with its file, line and field (``tasks/x.yaml:14: questions[2].labels: duplicate label
'unsafe'``); it reports all problems, not the first. :func:`load_task` raises :class:`BadInput`
listing them.
"""

from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import BadInput
from workbench.guidelines import Guideline, Problem, problems_error, read_text_file, validate_guideline
from workbench.safe_load import LimitedLoader, compose_yaml, yaml_error_line, yaml_error_message

QUESTION_KINDS = ("label", "multi_label", "rating", "ranking", "span", "text")
FIELD_TYPES = ("text", "markdown")
METADATA_KINDS = ("terms", "integer", "float")

#: Agreement levels allowed per question kind; the first is the default.
LEVELS_BY_KIND: dict[str, tuple[str, ...]] = {
    "label": ("nominal", "ordinal"),
    "multi_label": ("masi", "jaccard"),
    "rating": ("interval", "ordinal", "ratio", "nominal"),
    "ranking": ("kendall_tau",),
    "span": ("span_f1",),
    "text": ("none",),
}
LEVELS = tuple(sorted({lv for lvs in LEVELS_BY_KIND.values() for lv in lvs}))

DEFAULT_ALPHA_RELIABLE = 0.800
DEFAULT_ALPHA_TENTATIVE = 0.667
DEFAULT_MIN_GOLD_AGREEMENT = 0.75

# Limits of argilla-server 2.8 (api/schemas/v1/questions.py), checked here so that a task that
# validates can also be created in Argilla.
RATING_MIN, RATING_MAX = 0, 10
RATING_MAX_ITEMS = 11
LABEL_MIN_ITEMS = 2
SPAN_MIN_ITEMS = 1
RANKING_MIN_ITEMS, RANKING_MAX_ITEMS = 2, 50
VISIBLE_LABELS_MIN = 3

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PROP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

_TASK_KEYS = {"name", "title", "description", "guideline", "overlap", "fields", "questions", "metadata", "vectors", "calibration",
              "export", "coverage"}
_FIELD_KEYS = {"name", "title", "type", "required", "description"}
_QUESTION_KEYS = {
    "name", "title", "description", "kind", "required", "labels", "values", "ordinal", "order",
    "level", "field", "allow_overlapping", "visible_labels", "use_markdown",
}
_META_KEYS = {"name", "title", "kind", "options", "min", "max", "visible_for_annotators"}
_VECTOR_KEYS = {"name", "title", "dimensions"}
_CAL_KEYS = {"set_size", "gold_rate", "min_gold_agreement", "min_review_accuracy", "thresholds"}
_EXPORT_KEYS = {"prompt", "completion", "accept", "rank_by", "min_margin", "aggregation", "tie", "min_answers",
                "min_item_agreement", "holdout_sources", "superseded_guidelines", "edit"}
_THRESH_KEYS = {"alpha_reliable", "alpha_tentative", "min_gold_agreement"}
_COVERAGE_KEYS = {"property", "tolerance", "target"}
#: How far from 1 a coverage plan's shares may sum (rounding of decimal shares written by hand).
COVERAGE_SUM_TOLERANCE = 1e-9
DEFAULT_COVERAGE_TOLERANCE = 0.05


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A record field shown to annotators."""

    name: str
    title: str
    type: str = "text"  # "text" or "markdown"
    required: bool = True
    description: str | None = None

    @property
    def use_markdown(self) -> bool:
        return self.type == "markdown"


@dataclass(frozen=True)
class Label:
    """One option of a label, multi_label, span or ranking question."""

    value: str
    text: str


@dataclass(frozen=True)
class Question:
    """A question annotators answer about each record.

    ``labels`` holds the options of label, multi_label, span and ranking questions in display
    order; ``values`` the integer scale of a rating question. ``order`` is the ordinal order
    (lowest first) of an ordinal label question, or the scale of a rating question.
    """

    name: str
    kind: str
    title: str
    level: str
    required: bool = True
    description: str | None = None
    labels: tuple[Label, ...] = ()
    values: tuple[int, ...] = ()
    ordinal: bool = False
    order: tuple[str, ...] | tuple[int, ...] | None = None
    field: str | None = None
    allow_overlapping: bool = False
    visible_labels: int | None = None
    use_markdown: bool = False

    @property
    def label_values(self) -> tuple[str, ...]:
        return tuple(lb.value for lb in self.labels)

    @property
    def categories(self) -> tuple:
        """The answer categories in their natural order (ordinal order, scale, or as listed)."""
        if self.kind == "rating":
            return self.values
        if self.order is not None:
            return tuple(self.order)
        return self.label_values

    @property
    def has_agreement(self) -> bool:
        return self.level != "none"


@dataclass(frozen=True)
class MetadataProperty:
    name: str
    kind: str  # terms | integer | float
    title: str
    options: tuple | None = None
    min: float | int | None = None
    max: float | int | None = None
    visible_for_annotators: bool = True


@dataclass(frozen=True)
class Vector:
    name: str
    dimensions: int
    title: str


@dataclass(frozen=True)
class Thresholds:
    """Calibration thresholds of one question."""

    alpha_reliable: float = DEFAULT_ALPHA_RELIABLE
    alpha_tentative: float = DEFAULT_ALPHA_TENTATIVE
    min_gold_agreement: float = DEFAULT_MIN_GOLD_AGREEMENT


@dataclass(frozen=True)
class CalibrationPolicy:
    """How a task is calibrated before production and monitored during it.

    ``thresholds`` has one entry per question that has an agreement level (questions the YAML
    does not mention get the defaults). ``gold_rate`` is the share of gold items mixed into
    production batches.
    """

    set_size: int = 40
    gold_rate: float = 0.05
    thresholds: tuple[tuple[str, Thresholds], ...] = ()
    #: per annotator and question, the least accuracy against expert review (docs/review.md) for
    #: production to stay open; None: no such bar
    min_review_accuracy: float | None = None

    def min_gold_agreements(self) -> dict[str, float]:
        """Question -> its minimum gold agreement (the gate's bar), for every gated question."""
        return {q: t.min_gold_agreement for q, t in self.thresholds}

    def for_question(self, name: str) -> Thresholds:
        for q, t in self.thresholds:
            if q == name:
                return t
        raise BadInput(f"calibration.thresholds: no question named {name!r} (known: {', '.join(q for q, _ in self.thresholds)})")


@dataclass(frozen=True)
class ExportPolicy:
    """How a task's accepted labels become training data (``workbench export``; docs/export.md).

    ``prompt`` / ``completion`` name the fields that become the user and assistant turns.
    ``accept`` maps a question to the final answers that make a record a good example (a tuple of
    values, or ``("min", x)`` / ``("max", x)`` bounds for ratings; for multi-label questions the
    labels that must not be in the final set, as ``("none_of", labels)``). ``rank_by`` is the rating
    question that orders the answers to one prompt for DPO pairs (``min_margin`` the smallest
    difference in it between chosen and rejected), or a ranking question whose values are answer
    fields of one record. ``edit`` is a text question where annotators write an improved answer
    (a DPO pair: the edit over the original). ``holdout_sources`` maps a metadata property to
    the values that mark a record as human-written or logged (eligible for the holdout).
    """

    prompt: str | None = None
    completion: str | None = None
    accept: tuple[tuple[str, str, tuple], ...] = ()  # (question, "in"|"min"|"max"|"none_of", values)
    rank_by: str | None = None
    edit: str | None = None
    min_margin: float = 1.0
    aggregation: str = "majority"
    tie: str | tuple[tuple[str, str], ...] = "drop"  # one rule, or (question, rule) pairs
    min_answers: int = 1
    min_item_agreement: float = 0.0
    holdout_sources: tuple[tuple[str, tuple], ...] = ()
    superseded_guidelines: tuple[int, ...] = ()


@dataclass(frozen=True)
class CoveragePlan:
    """The target mix of one terms metadata property (``coverage:`` in the task file; docs/coverage.md).

    ``target`` holds ``(value, share)`` pairs in the file's order; the shares sum to 1. A value the
    plan does not name has target share 0. ``tolerance`` is how far (in share, absolute) a
    category's share may lie from its target before it counts as under- or over-represented.
    """

    property: str
    target: tuple[tuple[str, float], ...]
    tolerance: float = DEFAULT_COVERAGE_TOLERANCE

    def shares(self) -> dict[str, float]:
        return dict(self.target)


@dataclass(frozen=True)
class Task:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    questions: tuple[Question, ...]
    guideline: str
    overlap: int = 1
    metadata: tuple[MetadataProperty, ...] = ()
    vectors: tuple[Vector, ...] = ()
    calibration: CalibrationPolicy = CalibrationPolicy()
    export: ExportPolicy = ExportPolicy()
    coverage: tuple[CoveragePlan, ...] = ()
    source: Path | None = field(default=None, compare=False)
    guideline_path: Path | None = field(default=None, compare=False)

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise BadInput(f"{self.source or self.name}: questions: no question named {name!r} (known: {', '.join(q.name for q in self.questions)})")

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise BadInput(f"{self.source or self.name}: fields: no field named {name!r} (known: {', '.join(f.name for f in self.fields)})")

    def load_guideline(self) -> Guideline:
        from workbench.guidelines import load_guideline

        if self.guideline_path is None:
            raise BadInput(f"{self.source or self.name}: guideline: {self.guideline!r} was not resolved to a folder")
        return load_guideline(self.guideline_path)


# --------------------------------------------------------------------------------------------
# YAML with line numbers
# --------------------------------------------------------------------------------------------


class _Doc:
    """Plain Python data from a YAML node tree, plus the line of every path in it."""

    def __init__(self, shown: str):
        self.shown = shown
        self.lines: dict[tuple, int] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: tuple = ()) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for knode, vnode in node.value:
                key = self._scalar(knode)
                if not isinstance(key, (str, int, float, bool)):
                    self.add(path, f"mapping keys must be plain names, got {key!r}", line=knode.start_mark.line + 1)
                    continue
                if key in out:
                    self.add(path + (key,), f"key {key!r} given twice (the second would silently win)", line=knode.start_mark.line + 1)
                    continue
                out[key] = self.build(vnode, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    @staticmethod
    def _scalar(node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return _construct_scalar(node)
        return node

    def line(self, path: tuple) -> int | None:
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)

    def add(self, path: tuple, message: str, *, line: int | None = None) -> None:
        self.problems.append(Problem(self.shown, line if line is not None else self.line(path), fmt_path(path), message))


_SCALAR_LOADER = LimitedLoader("")  # a SafeLoader that reports unreadable values as YAML errors


def _construct_scalar(node: yaml.ScalarNode) -> Any:
    """Resolve a scalar node to the Python value yaml.safe_load would give."""
    try:
        return _SCALAR_LOADER.construct_object(node, deep=True)
    finally:
        _SCALAR_LOADER.constructed_objects.clear()


def fmt_path(path: tuple) -> str:
    """``("questions", 2, "labels")`` -> ``"questions[2].labels"``.

    >>> fmt_path(("questions", 2, "labels", 3))
    'questions[2].labels[3]'
    """
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", int: "an integer", float: "a number", bool: "true/false"}.get(type(value), type(value).__name__)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def default_guidelines_dir(task_file: Path) -> Path:
    """``<project>/guidelines`` for ``<project>/tasks/x.yaml``."""
    return Path(task_file).resolve().parent.parent / "guidelines"


def validate_task_file(path: Path | str, *, guidelines_dir: Path | str | None = None, shown: str | None = None) -> tuple[Task | None, list[Problem]]:
    """Read and check a task YAML file.

    Parameters
    ----------
    path : path-like
        The task file.
    guidelines_dir : path-like, optional
        Where guideline folders live; default ``guidelines/`` next to the file's ``tasks/`` folder.
    shown : str, optional
        How to name the file in problems (default: the path as given).

    Returns
    -------
    (Task or None, list of Problem)
        The task when there is no problem, else None and every problem found.
    """
    path = Path(path)
    shown = shown or str(path)
    text, unread = read_text_file(path, shown)
    if text is None:
        return None, unread
    try:
        nodes = compose_yaml(text, all_documents=True)  # nesting and aliases limited
    except yaml.YAMLError as exc:
        return None, [Problem(shown, yaml_error_line(exc), "", yaml_error_message(exc))]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [Problem(shown, 1, "", "empty file: expected a task mapping (name, fields, questions, ...)")]
    if len(nodes) > 1:
        return None, [Problem(shown, nodes[1].start_mark.line + 1, "", "more than one YAML document: one task per file")]
    doc = _Doc(shown)
    try:
        data = doc.build(nodes[0])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(shown, mark.line + 1 if mark else None, "", f"malformed YAML: {getattr(exc, 'problem', exc)}")]
    if not isinstance(data, dict):
        return None, [Problem(shown, 1, "", f"expected a mapping (name, fields, questions, ...), got {_type_name(data)}")]
    gdir = Path(guidelines_dir) if guidelines_dir is not None else default_guidelines_dir(path)
    task = _check_task(doc, data, path, gdir)
    if doc.problems:
        return None, sorted(doc.problems, key=lambda p: (p.line or 0))
    return task, []


def _text(doc: _Doc, data: dict, key: str, path: tuple, *, required: bool, default: str | None = None) -> str | None:
    if key not in data or data[key] is None:
        if required:
            doc.add(path, f"missing '{key}'")
        return default
    value = data[key]
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or not str(value).strip():
        doc.add(path + (key,), f"{value!r} must be non-empty text")
        return default
    return str(value).strip()


def _bool(doc: _Doc, data: dict, key: str, path: tuple, default: bool) -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        doc.add(path + (key,), f"{value!r} must be true or false")
        return default
    return value


def _number(doc: _Doc, data: dict, key: str, path: tuple, default: Any, *, lo: float | None = None, hi: float | None = None,
            integer: bool = False, lo_open: bool = False, hi_open: bool = False) -> Any:
    if key not in data or data[key] is None:
        return default
    value = data[key]
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type:
        doc.add(path + (key,), f"{value!r} must be {'an integer' if integer else 'a number'}")
        return default
    bad = (lo is not None and (value <= lo if lo_open else value < lo)) or (hi is not None and (value >= hi if hi_open else value > hi))
    if bad:
        lb = "(" if lo_open else "["
        rb = ")" if hi_open else "]"
        rng = f"{lb}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{rb}"
        doc.add(path + (key,), f"{value!r} is outside {rng}")
        return default
    return value


def _unknown_keys(doc: _Doc, data: dict, allowed: set, path: tuple, what: str) -> None:
    for key in data:
        if key not in allowed:
            doc.add(path + (key,), f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})")


def _list(doc: _Doc, data: dict, key: str, path: tuple, *, required: bool) -> list:
    value = data.get(key)
    if value is None:
        if required:
            doc.add(path, f"missing '{key}' (a list)")
        return []
    if not isinstance(value, list):
        doc.add(path + (key,), f"must be a list, got {_type_name(value)}")
        return []
    return value


def _check_task(doc: _Doc, data: dict, path: Path, gdir: Path) -> Task | None:
    root: tuple = ()
    _unknown_keys(doc, data, _TASK_KEYS, root, "a task")
    name = _text(doc, data, "name", root, required=True)
    if name is not None:
        if not _NAME.match(name):
            doc.add(("name",), f"{name!r} must be lowercase letters, digits, '-' or '_'")
        elif name != path.stem:
            doc.add(("name",), f"{name!r} differs from the file name {path.name!r}: name the file {name}.yaml")
    title = _text(doc, data, "title", root, required=False, default=name)
    description = _text(doc, data, "description", root, required=False, default="")
    overlap = data.get("overlap", 1)
    if isinstance(overlap, bool) or not isinstance(overlap, int):
        doc.add(("overlap",), f"{overlap!r} must be an integer (annotators per record)")
        overlap = 1
    elif overlap < 1:
        doc.add(("overlap",), f"{overlap} must be at least 1 (annotators per record)")
        overlap = 1

    # Names must be unique across fields, questions, metadata and vectors (Argilla's rule).
    names: dict[str, tuple] = {}

    def claim(item: Any, p: tuple, what: str) -> None:
        n = item.get("name") if isinstance(item, dict) else None
        if not isinstance(n, str) or not n.strip():
            return
        n = n.strip()
        if n in names:
            doc.add(p + ("name",), f"duplicate name {n!r} ({what}); already used at {fmt_path(names[n])} (line {doc.line(names[n])})")
        else:
            names[n] = p

    def checked(key: str, what: str, check, *, required: bool) -> list:
        """The entries of list ``key`` that ``check`` accepts, each name claimed as a ``what``."""
        out = []
        for i, entry in enumerate(_list(doc, data, key, root, required=required)):
            claim(entry, (key, i), what)
            got = check(doc, entry, (key, i))
            if got is not None:
                out.append(got)
        return out

    fields = checked("fields", "field", _check_field, required=True)
    if "fields" in data and isinstance(data["fields"], list) and not data["fields"]:
        doc.add(("fields",), "at least one field is needed")
    field_names = {f.name for f in fields}

    questions = []
    span_fields: dict[str, int] = {}
    for i, qd in enumerate(_list(doc, data, "questions", root, required=True)):
        claim(qd, ("questions", i), "question")
        q = _check_question(doc, qd, ("questions", i), field_names)
        if q is not None:
            if q.kind == "span" and q.field:
                if q.field in span_fields:
                    doc.add(("questions", i, "field"), f"field {q.field!r} already has a span question (questions[{span_fields[q.field]}]); Argilla allows one per field")
                span_fields[q.field] = i
            questions.append(q)
    qlist = data.get("questions")
    if isinstance(qlist, list):
        if not qlist:
            doc.add(("questions",), "at least one question is needed")
        elif questions and not any(q.required for q in questions) and len(questions) == len(qlist):
            doc.add(("questions",), "at least one question must be required (Argilla will not publish the dataset otherwise)")

    metadata = checked("metadata", "metadata property", _check_metadata, required=False)
    vectors = checked("vectors", "vector", _check_vector, required=False)

    guideline = _text(doc, data, "guideline", root, required=True)
    guideline_path = None
    if guideline is not None:
        guideline_path = _check_guideline_ref(doc, guideline, gdir)

    calibration = _check_calibration(doc, data.get("calibration"), ("calibration",), questions, qlist)
    export = _check_export(doc, data.get("export"), ("export",), fields, questions,
                           {m.name for m in metadata})
    coverage = _check_coverage(doc, data.get("coverage"), ("coverage",), metadata, data.get("metadata"))

    if doc.problems or name is None or guideline is None:
        return None
    return Task(
        name=name,
        title=title or name,
        description=description or "",
        fields=tuple(fields),
        questions=tuple(questions),
        guideline=guideline,
        overlap=overlap,
        metadata=tuple(metadata),
        vectors=tuple(vectors),
        calibration=calibration,
        export=export,
        coverage=coverage,
        source=path,
        guideline_path=guideline_path,
    )


def _check_guideline_ref(doc: _Doc, ref: str, gdir: Path) -> Path | None:
    p = ("guideline",)
    if "/" in ref or "\\" in ref or ref in (".", ".."):
        doc.add(p, f"{ref!r} must be a guideline id (a folder name under {gdir}), not a path")
        return None
    folder = gdir / ref
    if not folder.is_dir():
        known = sorted(d.name for d in gdir.iterdir() if d.is_dir()) if gdir.is_dir() else []
        doc.add(p, f"guideline {ref!r} does not exist: no folder {folder}" + (f" (known: {', '.join(known)})" if known else ""))
        return None
    if not any(folder.glob("v*.md")):
        doc.add(p, f"guideline {ref!r} has no versions: {folder} has no v1.md, v2.md, ...")
        return None
    _, problems = validate_guideline(folder)
    if problems:
        doc.add(p, f"guideline {ref!r} is invalid ({len(problems)} problem{'s' if len(problems) > 1 else ''}): " + "; ".join(str(x) for x in problems))
        return None
    return folder


def _open_entry(doc: _Doc, data: Any, p: tuple, what: str, shape: str, keys: set, *, check_name: bool = True) -> tuple[bool, str | None]:
    """The checks every named list entry (field, question, metadata property, vector) starts with.

    Returns ``(False, None)`` when ``data`` is not a mapping (nothing else can be checked), else
    ``(True, name)`` with ``name`` None when it is missing or not text. Problems go into ``doc``.
    """
    if not isinstance(data, dict):
        doc.add(p, f"{what} must be a mapping with {shape}, got {_type_name(data)}")
        return False, None
    _unknown_keys(doc, data, keys, p, what)
    name = _text(doc, data, "name", p, required=True)
    if check_name and name is not None and not _PROP_NAME.match(name):
        doc.add(p + ("name",), f"{name!r} must start with a letter or '_' and use letters, digits, '_' or '-'")
    return True, name


def _kind(doc: _Doc, data: dict, p: tuple, kinds: tuple, what: str) -> str | None:
    """The entry's ``kind``, or None (with the problem recorded) when it is missing or unknown."""
    kind = data.get("kind")
    if kind is None:
        doc.add(p, f"missing 'kind' (one of: {', '.join(kinds)})")
        return None
    if kind not in kinds:
        doc.add(p + ("kind",), f"unknown {what} kind {kind!r} (allowed: {', '.join(kinds)})")
        return None
    return kind


def _check_field(doc: _Doc, fd: Any, p: tuple) -> Field | None:
    before = len(doc.problems)
    ok, name = _open_entry(doc, fd, p, "a field", "name/type/title", _FIELD_KEYS)
    if not ok:
        return None
    ftype = fd.get("type", "text")
    if ftype not in FIELD_TYPES:
        doc.add(p + ("type",), f"unknown field type {ftype!r} (allowed: {', '.join(FIELD_TYPES)})")
    title = _text(doc, fd, "title", p, required=False, default=name)
    required = _bool(doc, fd, "required", p, True)
    description = _text(doc, fd, "description", p, required=False)
    if len(doc.problems) > before or name is None:
        return None
    return Field(name=name, title=title or name, type=ftype, required=required, description=description)


def _check_labels(doc: _Doc, qd: dict, key: str, p: tuple, *, min_items: int, max_items: int | None = None) -> tuple[Label, ...]:
    raw = qd.get(key)
    if raw is None:
        doc.add(p, f"a {qd.get('kind')} question needs '{key}'")
        return ()
    if not isinstance(raw, list):
        doc.add(p + (key,), f"must be a list, got {_type_name(raw)}")
        return ()
    labels: list[Label] = []
    seen: dict[str, int] = {}
    for j, item in enumerate(raw):
        ip = p + (key, j)
        if isinstance(item, dict):
            bad = set(item) - {"value", "text"}
            if bad or "value" not in item:
                doc.add(p + (key,), f"option {j} must be text or {{value: ..., text: ...}}, got keys {sorted(map(str, item))}", line=doc.line(ip))
                continue
            value, text = item["value"], item.get("text", item["value"])
        else:
            value, text = item, item
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
            doc.add(p + (key,), f"option {j}: {value!r} must be non-empty text", line=doc.line(ip))
            continue
        value = str(value).strip()
        if value in seen:
            doc.add(p + (key,), f"duplicate label {value!r} (option {j}; already option {seen[value]})", line=doc.line(ip))
            continue
        if len(value) > 200:
            doc.add(p + (key,), f"label {value[:30]!r}... is {len(value)} characters; Argilla allows 200", line=doc.line(ip))
            continue
        seen[value] = j
        labels.append(Label(value=value, text=str(text).strip() or value))
    if len(raw) < min_items:
        doc.add(p + (key,), f"{len(raw)} option{'s' if len(raw) != 1 else ''}; a {qd.get('kind')} question needs at least {min_items}")
    if max_items is not None and len(raw) > max_items:
        doc.add(p + (key,), f"{len(raw)} options; Argilla allows at most {max_items}")
    return tuple(labels)


def _check_question(doc: _Doc, qd: Any, p: tuple, field_names: set[str]) -> Question | None:
    before = len(doc.problems)
    ok, name = _open_entry(doc, qd, p, "a question", "name/kind/...", _QUESTION_KEYS)
    kind = _kind(doc, qd, p, QUESTION_KINDS, "question") if ok else None
    if kind is None:
        return None
    title = _text(doc, qd, "title", p, required=False, default=name)
    description = _text(doc, qd, "description", p, required=False)
    required = _bool(doc, qd, "required", p, True)
    ordinal = _bool(doc, qd, "ordinal", p, False)

    labels: tuple[Label, ...] = ()
    values: tuple[int, ...] = ()
    order: tuple[str, ...] | tuple[int, ...] | None = None
    span_field = None
    allow_overlapping = False
    visible = None
    use_markdown = False

    irrelevant = {
        "label": {"values", "field", "allow_overlapping", "use_markdown"},
        "multi_label": {"values", "field", "allow_overlapping", "use_markdown", "ordinal", "order"},
        "rating": {"labels", "field", "allow_overlapping", "visible_labels", "use_markdown", "order"},
        "ranking": {"labels", "field", "allow_overlapping", "visible_labels", "use_markdown", "ordinal", "order"},
        "span": {"values", "use_markdown", "ordinal", "order"},
        "text": {"labels", "values", "field", "allow_overlapping", "visible_labels", "ordinal", "order"},
    }[kind]
    for key in sorted(irrelevant & set(qd)):
        doc.add(p + (key,), f"'{key}' does not apply to a {kind} question")

    if kind in ("label", "multi_label", "span"):
        labels = _check_labels(doc, qd, "labels", p, min_items=SPAN_MIN_ITEMS if kind == "span" else LABEL_MIN_ITEMS, max_items=500)
        if "visible_labels" in qd and qd["visible_labels"] is not None:
            visible = _number(doc, qd, "visible_labels", p, None, integer=True, lo=VISIBLE_LABELS_MIN)
            if visible is not None and labels and visible > len(labels):
                doc.add(p + ("visible_labels",), f"{visible} is more than the {len(labels)} labels")
                visible = None
    if kind == "ranking":
        labels = _check_labels(doc, qd, "values", p, min_items=RANKING_MIN_ITEMS, max_items=RANKING_MAX_ITEMS)
    if kind == "rating":
        raw = qd.get("values")
        if raw is None:
            doc.add(p, f"a rating question needs 'values' (integers in [{RATING_MIN}, {RATING_MAX}], e.g. [1, 2, 3, 4, 5])")
        elif not isinstance(raw, list):
            doc.add(p + ("values",), f"must be a list of integers, got {_type_name(raw)}")
        else:
            vals: list[int] = []
            for j, v in enumerate(raw):
                ip = p + ("values", j)
                if isinstance(v, bool) or not isinstance(v, int):
                    doc.add(p + ("values",), f"{v!r} is not an integer", line=doc.line(ip))
                elif not RATING_MIN <= v <= RATING_MAX:
                    doc.add(p + ("values",), f"{v} is outside [{RATING_MIN}, {RATING_MAX}] (Argilla's rating range)", line=doc.line(ip))
                elif v in vals:
                    doc.add(p + ("values",), f"duplicate value {v}", line=doc.line(ip))
                else:
                    vals.append(v)
            if len(raw) < 2:
                doc.add(p + ("values",), f"{len(raw)} value{'s' if len(raw) != 1 else ''}; a rating needs at least 2")
            elif len(raw) > RATING_MAX_ITEMS:
                doc.add(p + ("values",), f"{len(raw)} values; Argilla allows at most {RATING_MAX_ITEMS}")
            elif vals and vals != sorted(vals):
                doc.add(p + ("values",), f"{raw} must be listed in increasing order")
            values = tuple(vals)
            order = values
    if kind == "span":
        span_field = _text(doc, qd, "field", p, required=True)
        if span_field is not None and span_field not in field_names:
            doc.add(p + ("field",), f"{span_field!r} is not a field of this task (fields: {', '.join(sorted(field_names)) or 'none'})")
        allow_overlapping = _bool(doc, qd, "allow_overlapping", p, False)
    if kind == "text":
        use_markdown = _bool(doc, qd, "use_markdown", p, False)

    allowed_levels = LEVELS_BY_KIND[kind]
    level = qd.get("level")
    if level is None:
        level = "ordinal" if (kind == "label" and ordinal) else allowed_levels[0]
    elif level not in allowed_levels:
        known = level in LEVELS
        doc.add(p + ("level",), f"{'level' if known else 'unknown level'} {level!r} {'does not apply to' if known else 'for'} a {kind} question (allowed: {', '.join(allowed_levels)})")

    if kind == "label":
        if level == "ordinal" and not ordinal and "ordinal" not in qd:
            ordinal = True
        if level == "ordinal" and "ordinal" in qd and not ordinal:
            doc.add(p + ("level",), "level 'ordinal' needs 'ordinal: true' and an order")
        if ordinal:
            raw_order = qd.get("order")
            values_listed = [lb.value for lb in labels]
            if raw_order is None:
                doc.add(p, "ordinal question without an order: add 'order: as-listed' (labels are listed lowest first) or 'order: [lowest, ..., highest]'")
            elif raw_order == "as-listed":
                order = tuple(values_listed)
            elif isinstance(raw_order, list):
                names_in = [str(x) for x in raw_order]
                missing = [v for v in values_listed if v not in names_in]
                extra = [v for v in names_in if v not in values_listed]
                dups = sorted({v for v in names_in if names_in.count(v) > 1})
                if extra:
                    doc.add(p + ("order",), f"{extra} {'is' if len(extra) == 1 else 'are'} not among the labels {values_listed}")
                if missing:
                    doc.add(p + ("order",), f"order leaves out {missing}")
                if dups:
                    doc.add(p + ("order",), f"order repeats {dups}")
                if not (extra or missing or dups):
                    order = tuple(names_in)
            else:
                doc.add(p + ("order",), f"{raw_order!r} must be 'as-listed' or a list of the labels, lowest first")
        elif "order" in qd:
            doc.add(p + ("order",), "'order' given but 'ordinal' is not true")
    if kind == "rating" and ordinal is False and "ordinal" in qd:
        doc.add(p + ("ordinal",), "a rating is always ordered; drop 'ordinal: false' or use kind: label")

    if len(doc.problems) > before or name is None:
        return None
    return Question(
        name=name, kind=kind, title=title or name, level=level, required=required, description=description,
        labels=labels, values=values, ordinal=(ordinal or kind == "rating"), order=order, field=span_field,
        allow_overlapping=allow_overlapping, visible_labels=visible, use_markdown=use_markdown,
    )


def _check_metadata(doc: _Doc, md: Any, p: tuple) -> MetadataProperty | None:
    before = len(doc.problems)
    ok, name = _open_entry(doc, md, p, "a metadata property", "name/kind", _META_KEYS)
    kind = _kind(doc, md, p, METADATA_KINDS, "metadata") if ok else None
    if kind is None:
        return None
    title = _text(doc, md, "title", p, required=False, default=name)
    visible = _bool(doc, md, "visible_for_annotators", p, True)
    options = None
    lo = hi = None
    if kind == "terms":
        for key in ("min", "max"):
            if key in md:
                doc.add(p + (key,), f"'{key}' does not apply to a terms property")
        if "options" in md and md["options"] is not None:
            raw = md["options"]
            if not isinstance(raw, list) or not raw:
                doc.add(p + ("options",), "must be a non-empty list")
            else:
                dup = sorted({str(x) for x in raw if raw.count(x) > 1})
                if dup:
                    doc.add(p + ("options",), f"duplicate option(s) {dup}")
                options = tuple(raw)
    else:
        if "options" in md:
            doc.add(p + ("options",), f"'options' does not apply to a {kind} property")
        integer = kind == "integer"
        lo = _number(doc, md, "min", p, None, integer=integer)
        hi = _number(doc, md, "max", p, None, integer=integer)
        if lo is not None and hi is not None and lo >= hi:
            doc.add(p + ("max",), f"max {hi} must be greater than min {lo}")
    if len(doc.problems) > before or name is None:
        return None
    return MetadataProperty(name=name, kind=kind, title=title or name, options=options, min=lo, max=hi, visible_for_annotators=visible)


def _check_vector(doc: _Doc, vd: Any, p: tuple) -> Vector | None:
    before = len(doc.problems)
    ok, name = _open_entry(doc, vd, p, "a vector", "name/dimensions", _VECTOR_KEYS, check_name=False)
    if not ok:
        return None
    if "dimensions" not in vd:
        doc.add(p, "missing 'dimensions' (a positive integer, e.g. 384)")
    dims = _number(doc, vd, "dimensions", p, None, integer=True, lo=1)
    title = _text(doc, vd, "title", p, required=False, default=name)
    if len(doc.problems) > before or name is None or dims is None:
        return None
    return Vector(name=name, dimensions=dims, title=title or name)


def _check_thresholds(doc: _Doc, td: Any, p: tuple, base: Thresholds) -> Thresholds:
    if not isinstance(td, dict):
        doc.add(p, f"must be a mapping with alpha_reliable/alpha_tentative/min_gold_agreement, got {_type_name(td)}")
        return base
    _unknown_keys(doc, td, _THRESH_KEYS, p, "thresholds")
    before = len(doc.problems)
    rel = _number(doc, td, "alpha_reliable", p, base.alpha_reliable, lo=-1, hi=1)
    ten = _number(doc, td, "alpha_tentative", p, base.alpha_tentative, lo=-1, hi=1)
    gold = _number(doc, td, "min_gold_agreement", p, base.min_gold_agreement, lo=0, hi=1)
    if len(doc.problems) > before:
        return base
    if ten > rel:
        key = "alpha_tentative" if "alpha_tentative" in td else "alpha_reliable"
        doc.add(p + (key,), f"alpha_tentative {ten} is above alpha_reliable {rel}: the tentative bar must not exceed the reliable one")
        return base
    return Thresholds(alpha_reliable=float(rel), alpha_tentative=float(ten), min_gold_agreement=float(gold))


def _check_calibration(doc: _Doc, cd: Any, p: tuple, questions: list[Question], qlist: Any) -> CalibrationPolicy:
    agreeing = [q for q in questions if q.has_agreement]
    if cd is None:
        return CalibrationPolicy(thresholds=tuple((q.name, Thresholds()) for q in agreeing))
    if not isinstance(cd, dict):
        doc.add(p, f"must be a mapping (set_size, gold_rate, min_gold_agreement, thresholds), got {_type_name(cd)}")
        return CalibrationPolicy()
    _unknown_keys(doc, cd, _CAL_KEYS, p, "calibration")
    set_size = _number(doc, cd, "set_size", p, 40, integer=True, lo=1)
    gold_rate = _number(doc, cd, "gold_rate", p, 0.05, lo=0, hi=1, hi_open=True)
    min_review = _number(doc, cd, "min_review_accuracy", p, None, lo=0, hi=1)
    min_gold = _number(doc, cd, "min_gold_agreement", p, DEFAULT_MIN_GOLD_AGREEMENT, lo=0, hi=1)
    base = Thresholds(min_gold_agreement=float(min_gold))
    tdata = cd.get("thresholds") or {}
    per: dict[str, Thresholds] = {}
    if not isinstance(tdata, dict):
        doc.add(p + ("thresholds",), f"must be a mapping of question name -> thresholds, got {_type_name(tdata)}")
        tdata = {}
    if "default" in tdata:
        base = _check_thresholds(doc, tdata["default"], p + ("thresholds", "default"), base)
    by_name = {q.name: q for q in questions}
    declared = {qd.get("name") for qd in qlist if isinstance(qd, dict)} if isinstance(qlist, list) else set()
    for qname, td in tdata.items():
        if qname == "default":
            continue
        tp = p + ("thresholds", qname)
        if qname not in declared:
            doc.add(tp, f"no question named {qname!r} (questions: {', '.join(sorted(map(str, declared))) or 'none'})", line=doc.line(tp))
            continue
        q = by_name.get(qname)
        if q is not None and not q.has_agreement:
            doc.add(tp, f"question {qname!r} is a {q.kind} question with level 'none': no agreement to threshold")
            continue
        per[qname] = _check_thresholds(doc, td, tp, base)
    thresholds = tuple((q.name, per.get(q.name, base)) for q in agreeing)
    return CalibrationPolicy(set_size=set_size, gold_rate=float(gold_rate), thresholds=thresholds,
                             min_review_accuracy=None if min_review is None else float(min_review))


def _default_field(names: list[str], wanted: tuple[str, ...]) -> str | None:
    return next((n for n in wanted if n in names), None)


def _check_export(doc: _Doc, ed: Any, p: tuple, fields: list[Field], questions: list[Question],
                  metadata_names: set[str]) -> ExportPolicy:
    fnames = [f.name for f in fields]
    by_name = {q.name: q for q in questions}
    defaults: dict[str, Any] = dict(prompt=_default_field(fnames, ("prompt", "instruction", "question", "input", "text")),
                    completion=_default_field(fnames, ("completion", "response", "answer", "output")))
    if ed is None:
        return ExportPolicy(**defaults)
    if not isinstance(ed, dict):
        doc.add(p, f"must be a mapping ({', '.join(sorted(_EXPORT_KEYS))}), got {_type_name(ed)}")
        return ExportPolicy(**defaults)
    _unknown_keys(doc, ed, _EXPORT_KEYS, p, "export")
    out: dict[str, Any] = dict(defaults)
    for key in ("prompt", "completion"):
        if key in ed:
            value = ed[key]
            if value not in fnames:
                doc.add(p + (key,), f"{value!r} is not a field of the task (fields: {', '.join(fnames)})")
            else:
                out[key] = value
    accept = []
    ad = ed.get("accept") or {}
    if not isinstance(ad, dict):
        doc.add(p + ("accept",), f"must be a mapping of question -> accepted answers, got {_type_name(ad)}")
        ad = {}
    for qname, rule in ad.items():
        qp = p + ("accept", qname)
        q = by_name.get(qname)
        if q is None:
            doc.add(qp, f"no question named {qname!r} (questions: {', '.join(by_name)})")
            continue
        if q.kind not in ("label", "rating", "multi_label"):
            doc.add(qp, f"question {qname!r} is a {q.kind} question: only label, rating and multi_label answers "
                        "can decide acceptance")
            continue
        allowed = q.values if q.kind == "rating" else q.label_values
        if isinstance(rule, list):
            if q.kind == "multi_label":
                doc.add(qp, "a multi_label question takes {none_of: [labels]} (labels that must not be chosen), "
                            "got a list")
                continue
            bad = [v for v in rule if v not in allowed]
            if bad or not rule:
                doc.add(qp, f"{bad[0] if bad else rule!r} is not an answer of {qname!r} "
                            f"(answers: {', '.join(map(str, allowed))})")
                continue
            accept.append((qname, "in", tuple(rule)))
        elif isinstance(rule, dict) and len(rule) == 1 and next(iter(rule)) in ("min", "max", "none_of"):
            op, value = next(iter(rule.items()))
            if op == "none_of":
                if q.kind != "multi_label" or not isinstance(value, list) or any(v not in allowed for v in value):
                    doc.add(qp + (op,), f"none_of takes a list of labels of a multi_label question "
                                        f"(labels: {', '.join(map(str, allowed))}), got {value!r}")
                    continue
                accept.append((qname, op, tuple(value)))
            else:
                if q.kind != "rating" or isinstance(value, bool) or not isinstance(value, (int, float)):
                    doc.add(qp + (op,), f"{op} takes a number on a rating question, got {value!r} "
                                        f"on a {q.kind} question")
                    continue
                accept.append((qname, op, (value,)))
        else:
            doc.add(qp, f"must be a list of accepted answers, or {{min: N}}, {{max: N}} (ratings) or "
                        f"{{none_of: [labels]}} (multi_label); got {rule!r}")
    out["accept"] = tuple(accept)
    if "rank_by" in ed:
        q = by_name.get(ed["rank_by"])
        if q is None or q.kind not in ("rating", "ranking"):
            choices = ", ".join(n for n, x in by_name.items() if x.kind in ("rating", "ranking")) or "none"
            doc.add(p + ("rank_by",), f"{ed['rank_by']!r} must name a rating or ranking question "
                                      f"(ratings and rankings: {choices})")
        elif q.kind == "ranking" and any(v not in fnames for v in q.label_values):
            doc.add(p + ("rank_by",), f"ranking question {q.name!r} ranks {', '.join(q.label_values)}: for DPO pairs "
                                      f"its values must be the fields holding the answers (fields: {', '.join(fnames)})")
        else:
            out["rank_by"] = q.name
    if "edit" in ed:
        q = by_name.get(ed["edit"])
        if q is None or q.kind != "text":
            doc.add(p + ("edit",), f"{ed['edit']!r} must name a text question where annotators write the improved "
                                   f"answer (text questions: {', '.join(n for n, x in by_name.items() if x.kind == 'text') or 'none'})")
        else:
            out["edit"] = q.name
    if "min_margin" in ed:
        out["min_margin"] = float(_number(doc, ed, "min_margin", p, 1.0, lo=0))
    if "aggregation" in ed:
        if ed["aggregation"] not in ("majority", "dawid-skene"):
            doc.add(p + ("aggregation",), f"{ed['aggregation']!r} is not one of majority, dawid-skene")
        else:
            out["aggregation"] = ed["aggregation"]
    rules = ("drop", "lowest", "highest")
    if "tie" in ed:
        td = ed["tie"]
        if isinstance(td, dict):
            pairs = []
            for qname, rule in td.items():
                if qname != "default" and qname not in by_name:
                    doc.add(p + ("tie", qname), f"no question named {qname!r} (questions: {', '.join(by_name)})")
                elif rule not in rules:
                    doc.add(p + ("tie", qname), f"{rule!r} is not one of {', '.join(rules)}")
                else:
                    pairs.append((qname, rule))
            default = dict(pairs).pop("default", "drop")
            out["tie"] = tuple((q.name, dict(pairs).get(q.name, default)) for q in questions
                               if q.kind in ("label", "rating", "multi_label"))
        elif td not in rules:
            doc.add(p + ("tie",), f"{td!r} is not one of {', '.join(rules)}, nor a mapping of question -> rule")
        else:
            out["tie"] = td
    if "min_answers" in ed:
        out["min_answers"] = int(_number(doc, ed, "min_answers", p, 1, integer=True, lo=1))
    if "min_item_agreement" in ed:
        out["min_item_agreement"] = float(_number(doc, ed, "min_item_agreement", p, 0.0, lo=0, hi=1))
    hs = ed.get("holdout_sources") or {}
    if not isinstance(hs, dict):
        doc.add(p + ("holdout_sources",), f"must be a mapping of metadata property -> values, got {_type_name(hs)}")
        hs = {}
    sources = []
    for prop, values in hs.items():
        if prop not in metadata_names and prop not in ("instruction_source", "response_source", "origin"):
            doc.add(p + ("holdout_sources", prop), f"{prop!r} is not a metadata property of the task")
        elif not isinstance(values, list) or not values:
            doc.add(p + ("holdout_sources", prop), f"must be a list of values, got {values!r}")
        else:
            sources.append((prop, tuple(values)))
    out["holdout_sources"] = tuple(sources)
    sup = ed.get("superseded_guidelines") or []
    if not isinstance(sup, list) or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in sup):
        doc.add(p + ("superseded_guidelines",), f"must be a list of guideline version numbers, got {sup!r}")
    else:
        out["superseded_guidelines"] = tuple(sup)
    return ExportPolicy(**out)


def _check_coverage(doc: _Doc, cd: Any, p: tuple, metadata: list[MetadataProperty], mlist: Any) -> tuple[CoveragePlan, ...]:
    """``coverage:``: one plan (a mapping) or a list of plans, each ``{property, tolerance, target}``.

    Checked: the property is a terms metadata property of the task (and is planned once), the
    tolerance lies in (0, 1), every share is a number in [0, 1], the shares sum to 1 (within
    :data:`COVERAGE_SUM_TOLERANCE`), and, when the property declares ``options``, every value is
    one of them.
    """
    if cd is None:
        return ()
    if isinstance(cd, dict):
        entries = [(p, cd)]
    elif isinstance(cd, list) and cd:
        entries = [(p + (i,), e) for i, e in enumerate(cd)]
    else:
        doc.add(p, f"must be a mapping {{property, tolerance, target}} or a non-empty list of them, got {_type_name(cd)}")
        return ()
    props = {m.name: m for m in metadata}
    declared = {md.get("name") for md in mlist if isinstance(md, dict)} if isinstance(mlist, list) else set()
    terms = ", ".join(m.name for m in metadata if m.kind == "terms") or "none"
    plans: list[CoveragePlan] = []
    planned: dict[str, tuple] = {}
    for ep, e in entries:
        before = len(doc.problems)
        if not isinstance(e, dict):
            doc.add(ep, f"a coverage plan must be a mapping {{property, tolerance, target}}, got {_type_name(e)}")
            continue
        _unknown_keys(doc, e, _COVERAGE_KEYS, ep, "a coverage plan")
        prop = _text(doc, e, "property", ep, required=True)
        mp = props.get(prop) if prop is not None else None
        if prop is not None:
            if prop not in declared:
                doc.add(ep + ("property",), f"{prop!r} is not a metadata property of the task "
                                            f"(terms properties: {terms}); declare it under metadata:")
            elif mp is not None and mp.kind != "terms":
                doc.add(ep + ("property",), f"{prop!r} is {'an' if mp.kind == 'integer' else 'a'} {mp.kind} property: a coverage plan is over the "
                                            f"values of a terms property (terms properties: {terms})")
            elif prop in planned:
                doc.add(ep + ("property",), f"{prop!r} already has a coverage plan at {fmt_path(planned[prop])} "
                                            f"(line {doc.line(planned[prop])}): one plan per property")
            else:
                planned[prop] = ep
        tolerance = _number(doc, e, "tolerance", ep, DEFAULT_COVERAGE_TOLERANCE, lo=0, hi=1, lo_open=True, hi_open=True)
        target = e.get("target")
        shares: list[tuple[str, float]] = []
        if target is None:
            doc.add(ep, "missing 'target' (a mapping of property value -> share, the shares summing to 1)")
        elif not isinstance(target, dict) or not target:
            doc.add(ep + ("target",), f"must be a non-empty mapping of property value -> share, got {_type_name(target)}")
        else:
            options = [str(o) for o in mp.options] if mp is not None and mp.kind == "terms" and mp.options else None
            ok_values = True
            for value, share in target.items():
                vp = ep + ("target", value)
                if options is not None and str(value) not in options:
                    doc.add(vp, f"{str(value)!r} is not a value of metadata property {prop!r} "
                                f"(options: {', '.join(options)})")
                    ok_values = False
                elif isinstance(share, bool) or not isinstance(share, (int, float)):
                    doc.add(vp, f"share {share!r} of {str(value)!r} must be a number in [0, 1]")
                    ok_values = False
                elif share < 0 or share > 1 or share != share:
                    doc.add(vp, f"share {share!r} of {str(value)!r} is {'negative' if share < 0 else 'above 1' if share > 1 else 'not a number'}: "
                                "a share is a number in [0, 1]")
                    ok_values = False
                else:
                    shares.append((str(value), float(share)))
            if ok_values:
                total = math.fsum(s for _, s in shares)
                if abs(total - 1.0) > COVERAGE_SUM_TOLERANCE:
                    doc.add(ep + ("target",), f"the shares sum to {total:.12g}, not 1 (within {COVERAGE_SUM_TOLERANCE:g}): "
                                              f"{', '.join(f'{v} {s:g}' for v, s in shares)}")
        if len(doc.problems) == before and prop is not None:
            plans.append(CoveragePlan(property=prop, target=tuple(shares), tolerance=float(tolerance)))
    return tuple(plans)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_task(path: Path | str, *, guidelines_dir: Path | str | None = None) -> Task:
    """Load and validate one task file.

    Raises
    ------
    BadInput
        Listing every problem (``file:line: field: message``).
    """
    task, problems = validate_task_file(path, guidelines_dir=guidelines_dir)
    if problems:
        raise problems_error(problems)
    assert task is not None  # validate_task_file returns None only with problems
    return task


def load_tasks(directory: Path | str, *, guidelines_dir: Path | str | None = None) -> dict[str, Task]:
    """Load every ``*.yaml`` / ``*.yml`` task in ``directory``, keyed by task name (sorted).

    Raises
    ------
    BadInput
        Listing every problem of every file.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise BadInput(f"{directory}: tasks folder does not exist")
    problems: list[Problem] = []
    tasks: dict[str, Task] = {}
    for f in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        task, probs = validate_task_file(f, guidelines_dir=guidelines_dir)
        problems.extend(probs)
        if task is not None:
            tasks[task.name] = task
    if problems:
        raise problems_error(problems)
    return dict(sorted(tasks.items()))


_fallback_noticed = False


def project_dir() -> Path:
    """The folder holding ``tasks/`` and ``guidelines/``.

    ``WORKBENCH_PROJECT_DIR`` if set; else the current directory if it has a ``tasks/`` folder;
    else the source checkout this package runs from (which ships the demo tasks), saying so once
    per process on stderr.
    """
    env = os.environ.get("WORKBENCH_PROJECT_DIR")
    if env:
        return Path(env).expanduser().resolve()
    cwd = Path.cwd()
    if (cwd / "tasks").is_dir():
        return cwd
    checkout = Path(__file__).resolve().parent.parent
    global _fallback_noticed
    if not _fallback_noticed:  # once per process: the dashboard asks on every rerun
        _fallback_noticed = True
        print(f"workbench: no tasks/ folder in {cwd}; using the tasks in {checkout / 'tasks'} "
              "(set WORKBENCH_PROJECT_DIR to choose the project folder)", file=sys.stderr)
    return checkout


def find_task(name_or_path: str, *, project: Path | None = None) -> Task:
    """A task given its file path or its name (looked up as ``<project>/tasks/<name>.yaml``)."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.is_file():
        return load_task(p)
    project = project or project_dir()
    f = project / "tasks" / f"{name_or_path}.yaml"
    if not f.exists():
        known = sorted(x.stem for x in (project / "tasks").glob("*.yaml")) if (project / "tasks").is_dir() else []
        raise BadInput(f"task: no task named {name_or_path!r} in {project / 'tasks'}" + (f" (known: {', '.join(known)})" if known else ""))
    return load_task(f)
