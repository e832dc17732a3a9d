"""The candidates config of a task: LLM backends, what to generate, how to judge and push.

Read from ``--config FILE`` or ``<project>/candidates/<task>.yaml``. An annotated example ships
inside the package (``workbench/candidates/example.yaml``, package data: :func:`example_text`;
``workbench candidates example`` writes it out); ``docs/candidates.md`` describes every key. Every problem
is a :class:`~workbench.errors.BadInput` naming the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from workbench.candidates.llm import LLMSpec, parse_llm
from workbench.candidates.sources import SOURCE_KINDS
from workbench.errors import BadInput
from workbench.safe_load import load_yaml
from workbench.tasks import Task, project_dir

if TYPE_CHECKING:
    from workbench.dedup import DedupConfig

JUDGE_STYLES = ("rubric", "ultrafeedback")
#: The annotated example config, package data of ``workbench.candidates``.
EXAMPLE_NAME = "example.yaml"
#: The example config for the local model (``workbench.candidates.local_model``), package data too.
EXAMPLE_LOCAL_NAME = "example-local.yaml"

#: What a candidate carries, by kind: usable as task fields (text), metadata and suggestions.
TEXT_VALUES = ("instruction", "response", "judge_rationale")
NUMBER_VALUES = ("judge", "deita_quality", "deita_complexity", "deita_score", "response_words", "instruction_words")
TERMS_VALUES = ("instruction_source", "response_source", "origin", "generator", "licence", "pii_flagged")

_TOP = {"llms", "seeds", "self_instruct", "evol_instruct", "teachers", "judge", "deita", "batch_size", "pii",
        "fields", "suggestions", "metadata", "dataset", "workspace", "dedup"}


@dataclass(frozen=True)
class SelfInstructSettings:
    llm: str
    num_instructions: int = 3
    criteria: str | None = None


@dataclass(frozen=True)
class EvolInstructSettings:
    llm: str
    num_evolutions: int = 1
    seed: int = 42


@dataclass(frozen=True)
class JudgeSettings:
    llm: str
    style: str = "rubric"
    question: str = ""  # the rating question judged (the config reader always names one)
    rationale_question: str | None = None


@dataclass(frozen=True)
class DeitaSettings:
    llm: str
    filtering: bool = False
    diversity_threshold: float = 0.04
    data_budget: int | None = None


@dataclass(frozen=True)
class CandidateConfig:
    source: str
    llms: Mapping[str, LLMSpec]
    teachers: tuple[str, ...]
    judge: JudgeSettings | None = None
    self_instruct: SelfInstructSettings | None = None
    evol_instruct: EvolInstructSettings | None = None
    deita: DeitaSettings | None = None
    seed_sources: tuple[str, ...] = SOURCE_KINDS
    batch_size: int = 50
    pii: Mapping[str, Any] = field(default_factory=dict)
    fields: Mapping[str, str] = field(default_factory=dict)
    suggestions: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, str] = field(default_factory=dict)
    dataset: str | None = None
    workspace: str | None = None
    dedup: DedupConfig | None = None  # None for no dedup

    def llm(self, name: str) -> LLMSpec:
        return self.llms[name]


def default_path(task: Task) -> Path:
    return project_dir() / "candidates" / f"{task.name}.yaml"


def example_text(local: bool = False) -> str:
    """The annotated example config shipped with the package (read with ``importlib.resources``,
    so it is found in an installed wheel as in a checkout); ``local``: the one for the local model
    served by ``workbench candidates serve-local``."""
    from importlib.resources import files

    return files("workbench.candidates").joinpath(EXAMPLE_LOCAL_NAME if local else EXAMPLE_NAME).read_text(encoding="utf-8")


def _mapping(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadInput(f"{where}: expected a mapping, got {value!r:.60}")
    return dict(value)


def _at(where: str, key: str) -> str:
    """``file: section.key``, or ``file: key`` for a top-level key (``where`` ending in ':').

    >>> _at("c.yaml: judge", "llm"), _at("c.yaml:", "batch_size")
    ('c.yaml: judge.llm', 'c.yaml: batch_size')
    """
    return f"{where} {key}" if where.endswith(":") else f"{where}.{key}"


def _keys(d: Mapping, allowed: set[str], where: str) -> None:
    unknown = sorted(set(d) - allowed)
    if unknown:
        raise BadInput(f"{_at(where, unknown[0])}: unknown setting (known: {', '.join(sorted(allowed))})")


def _int(d: Mapping, key: str, default: int, where: str, lo: int = 1) -> int:
    value = d.get(key, default)  # an explicit null is refused: the setting needs a number
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise BadInput(f"{_at(where, key)}: {value!r} must be a whole number >= {lo}")
    return value


def _optional_int(d: Mapping, key: str, where: str, lo: int = 1) -> int | None:
    return None if d.get(key) is None else _int(d, key, lo, where, lo)


def _llm_ref(d: Mapping, where: str, llms: Mapping[str, LLMSpec]) -> str:
    name = d.get("llm")
    if name is None:
        raise BadInput(f"{where}.llm: missing: name one of the backends under llms: ({', '.join(llms) or 'none defined'})")
    if name not in llms:
        raise BadInput(f"{where}.llm: {name!r} is not defined under llms: (defined: {', '.join(llms) or 'none'})")
    return name


def load_config(task: Task, path: Path | str | None = None) -> CandidateConfig:
    """Read and check the candidates config of ``task`` (see the module docstring)."""
    p = Path(path) if path is not None else default_path(task)
    if not p.is_file():
        if path is None:
            raise BadInput(
                f"{p}: no candidates config for task {task.name!r}: create it (start from the annotated example: "
                f"`workbench candidates example --output {p}`; keys in docs/candidates.md) or pass --config FILE")
        raise BadInput(f"{p}: --config: file does not exist")
    data = load_yaml(p)  # nesting and aliases limited; BadInput naming file and line
    return parse_config(task, data, str(p))


def parse_config(task: Task, data: Any, source: str) -> CandidateConfig:
    """Check a parsed config mapping against ``task``."""
    if not isinstance(data, Mapping):
        raise BadInput(f"{source}: expected a mapping (llms, teachers, judge, ...), got {type(data).__name__}")
    _keys(data, _TOP, f"{source}:")
    raw_llms = _mapping(data.get("llms"), f"{source}: llms")
    if not raw_llms:
        raise BadInput(f"{source}: llms: missing: define at least one backend (kind, model, base_url, api_key_env)")
    llms = {str(name): parse_llm(str(name), spec, source) for name, spec in raw_llms.items()}

    teachers = data.get("teachers")
    if isinstance(teachers, str):
        teachers = [teachers]
    if not teachers or not isinstance(teachers, list):
        raise BadInput(f"{source}: teachers: missing: list the backends that answer the prompts, e.g. [teacher-a, teacher-b]")
    for t in teachers:
        if t not in llms:
            raise BadInput(f"{source}: teachers: {t!r} is not defined under llms: (defined: {', '.join(llms)})")
    if len(set(teachers)) != len(teachers):
        raise BadInput(f"{source}: teachers: a backend is listed twice")

    seeds = _mapping(data.get("seeds"), f"{source}: seeds")
    _keys(seeds, {"sources"}, f"{source}: seeds")
    seed_sources = seeds.get("sources", list(SOURCE_KINDS))
    if isinstance(seed_sources, str):
        seed_sources = [seed_sources]
    if not isinstance(seed_sources, list) or not seed_sources or any(s not in SOURCE_KINDS for s in seed_sources):
        raise BadInput(f"{source}: seeds.sources: {seed_sources!r}: list some of {', '.join(SOURCE_KINDS)}")

    si = None
    if data.get("self_instruct") is not None:
        d = _mapping(data["self_instruct"], f"{source}: self_instruct")
        _keys(d, {"llm", "num_instructions", "criteria"}, f"{source}: self_instruct")
        crit = d.get("criteria")
        if crit is not None and (not isinstance(crit, str) or not crit.strip()):
            raise BadInput(f"{source}: self_instruct.criteria: must be non-empty text")
        si = SelfInstructSettings(_llm_ref(d, f"{source}: self_instruct", llms),
                                  _int(d, "num_instructions", 3, f"{source}: self_instruct"), crit)
    ei = None
    if data.get("evol_instruct") is not None:
        d = _mapping(data["evol_instruct"], f"{source}: evol_instruct")
        _keys(d, {"llm", "num_evolutions", "seed"}, f"{source}: evol_instruct")
        ei = EvolInstructSettings(_llm_ref(d, f"{source}: evol_instruct", llms),
                                  _int(d, "num_evolutions", 1, f"{source}: evol_instruct"),
                                  _int(d, "seed", 42, f"{source}: evol_instruct", lo=0))

    judge = None
    if data.get("judge") is not None:
        d = _mapping(data["judge"], f"{source}: judge")
        _keys(d, {"llm", "style", "question", "rationale_question"}, f"{source}: judge")
        style = d.get("style", "rubric")
        if style not in JUDGE_STYLES:
            raise BadInput(f"{source}: judge.style: {style!r} is not one of {', '.join(JUDGE_STYLES)}")
        ratings = [q for q in task.questions if q.kind == "rating"]
        qname = d.get("question") or (ratings[0].name if ratings else None)
        if qname is None:
            raise BadInput(f"{source}: judge.question: task {task.name!r} has no rating question for the judge to answer")
        q = next((q for q in task.questions if q.name == qname), None)
        if q is None or q.kind != "rating":
            raise BadInput(f"{source}: judge.question: {qname!r} is not a rating question of task {task.name!r} "
                           f"(rating questions: {', '.join(r.name for r in ratings) or 'none'})")
        if style == "ultrafeedback" and list(q.values) != [1, 2, 3, 4, 5]:
            raise BadInput(f"{source}: judge.style: ultrafeedback rates 1-5, but question {qname!r} takes "
                           f"{list(q.values)}; use style: rubric")
        rq = d.get("rationale_question")
        if rq is not None:
            rqq = next((x for x in task.questions if x.name == rq), None)
            if rqq is None or rqq.kind != "text":
                raise BadInput(f"{source}: judge.rationale_question: {rq!r} is not a text question of task {task.name!r}")
        judge = JudgeSettings(_llm_ref(d, f"{source}: judge", llms), style, qname, rq)

    deita = None
    if data.get("deita") is not None:
        d = _mapping(data["deita"], f"{source}: deita")
        _keys(d, {"llm", "filtering", "diversity_threshold", "data_budget"}, f"{source}: deita")
        filt = d.get("filtering", False)
        if not isinstance(filt, bool):
            raise BadInput(f"{source}: deita.filtering: {filt!r} must be true or false")
        thr = d.get("diversity_threshold", 0.04)
        if isinstance(thr, bool) or not isinstance(thr, (int, float)) or not 0 <= thr <= 2:
            raise BadInput(f"{source}: deita.diversity_threshold: {thr!r} must be a cosine distance in [0, 2]")
        deita = DeitaSettings(_llm_ref(d, f"{source}: deita", llms), filt, float(thr),
                              _optional_int(d, "data_budget", f"{source}: deita"))

    batch_size = _int(data, "batch_size", 50, f"{source}:")
    pii = _mapping(data.get("pii"), f"{source}: pii")
    if pii:
        from workbench.pii import PiiConfig

        PiiConfig.from_mapping(pii, source=f"{source}: pii")  # refuse a bad PII config before any work

    # ---- mapping onto the task's dataset ----------------------------------------------------
    fields = {str(k): str(v) for k, v in _mapping(data.get("fields"), f"{source}: fields").items()}
    task_fields = {f.name: f for f in task.fields}
    for k, v in fields.items():
        if k not in task_fields:
            raise BadInput(f"{source}: fields.{k}: task {task.name!r} has no field {k!r} (fields: {', '.join(task_fields)})")
        if v not in TEXT_VALUES:
            raise BadInput(f"{source}: fields.{k}: {v!r} is not a candidate text (one of {', '.join(TEXT_VALUES)})")
    for f in task.fields:
        if f.name not in fields and f.name in ("instruction", "response"):
            fields[f.name] = f.name
        if f.name not in fields and f.required:
            raise BadInput(f"{source}: fields.{f.name}: missing: say which candidate text fills the task's field "
                           f"{f.name!r} ({' | '.join(TEXT_VALUES)})")

    suggestions = {str(k): str(v) for k, v in _mapping(data.get("suggestions"), f"{source}: suggestions").items()}
    if judge is not None:
        suggestions.setdefault(judge.question, "judge")
        if judge.rationale_question:
            suggestions.setdefault(judge.rationale_question, "judge_rationale")
    for qname, value in suggestions.items():
        q = next((q for q in task.questions if q.name == qname), None)
        if q is None:
            raise BadInput(f"{source}: suggestions.{qname}: task {task.name!r} has no question {qname!r}")
        if q.kind == "rating" and value not in ("judge", "deita_quality", "deita_complexity", "deita_score"):
            raise BadInput(f"{source}: suggestions.{qname}: a rating question takes judge, deita_quality, "
                           f"deita_complexity or deita_score, not {value!r}")
        if q.kind == "text" and value != "judge_rationale":
            raise BadInput(f"{source}: suggestions.{qname}: a text question takes judge_rationale, not {value!r}")
        if q.kind not in ("rating", "text"):
            raise BadInput(f"{source}: suggestions.{qname}: only rating and text questions get suggestions from candidates")
        if value.startswith("judge") and judge is None:
            raise BadInput(f"{source}: suggestions.{qname}: {value!r} needs a judge: section")
        if value.startswith("deita") and deita is None:
            raise BadInput(f"{source}: suggestions.{qname}: {value!r} needs a deita: section")

    metadata = {str(k): str(v) for k, v in _mapping(data.get("metadata"), f"{source}: metadata").items()}
    for pname, value in metadata.items():
        prop = next((m for m in task.metadata if m.name == pname), None)
        if prop is None:
            raise BadInput(f"{source}: metadata.{pname}: task {task.name!r} has no metadata property {pname!r}")
        ok = NUMBER_VALUES if prop.kind in ("integer", "float") else TERMS_VALUES
        if value not in ok:
            raise BadInput(f"{source}: metadata.{pname}: a {prop.kind} property takes one of {', '.join(ok)}, not {value!r}")

    for key in ("dataset", "workspace"):
        name = data.get(key)
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise BadInput(f"{source}: {key}: {name!r} must be a name")

    dedup = _dedup(data.get("dedup", True), source)

    return CandidateConfig(source=source, llms=llms, teachers=tuple(teachers), judge=judge, self_instruct=si,
                           evol_instruct=ei, deita=deita, seed_sources=tuple(seed_sources), batch_size=batch_size,
                           pii=pii, fields=fields, suggestions=suggestions, metadata=metadata,
                           dataset=data.get("dataset"), workspace=data.get("workspace"), dedup=dedup)


def _dedup(value: Any, source: str) -> DedupConfig | None:
    """``dedup: true`` (default stages), ``false``, or thresholds (null turns a stage off)."""
    from workbench.dedup import DedupConfig, MinHashConfig, SemanticConfig

    if value is True:
        return DedupConfig()
    if value is False or value is None:
        return None
    d = _mapping(value, f"{source}: dedup")
    _keys(d, {"minhash_threshold", "semantic_threshold"}, f"{source}: dedup")
    out: dict[str, Any] = {}
    for key, cls, stage in (("minhash_threshold", MinHashConfig, "minhash"), ("semantic_threshold", SemanticConfig, "semantic")):
        if key in d and d[key] is None:
            out[stage] = None
            continue
        v = d.get(key, cls().threshold)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
            raise BadInput(f"{source}: dedup.{key}: {v!r} must be a similarity in (0, 1], or null to skip the stage")
        out[stage] = cls(threshold=float(v))
    return DedupConfig(**out)
