"""Push a task's candidates to Argilla, once.

The dataset is ``<task>-candidates`` in the task's workspace (config ``dataset``/``workspace``
override), created with the task's settings (:func:`workbench.dataset_settings.settings_for`)
plus the candidate metadata properties of :data:`CANDIDATE_METADATA` (added to an existing
dataset when missing; Argilla allows new metadata properties on a published dataset).

Each candidate becomes one record:

* fields: the candidate texts the config maps onto the task's fields (``instruction`` and
  ``response`` map onto fields of the same name by default);
* suggestions: the judge's rating (and rationale) on the questions the config names, with the
  agent ``judge:<model>``; DEITA scores on a rating question when the config asks for it
  (``deita-quality:<model>`` ...). Argilla keeps one suggestion per question, so each question
  takes one source;
* metadata: source kinds, origin, generator, licence, PII flag and count, judge and DEITA scores
  (scores hidden from annotators, as the guideline asks), and any task metadata the config maps;
* vector ``prompt_embedding``: the prompt's all-MiniLM-L6-v2 embedding (384 numbers,
  :mod:`workbench.embeddings`), for Argilla's "find similar" and for the dedup of later pushes;
* id: derived from the field values (:func:`workbench.rounds.item_id`), so the same candidate has
  the same id here and in every round.

Before anything is sent the dataset's record ids are read: a record that exists is never sent
again (no upsert: its ``updated_at`` does not move), so re-running a push sends nothing and a push
that was interrupted resumes where it stopped.

Duplicates (:func:`workbench.dedup.dedup_candidates`: exact, MinHash, semantic) are found among
prompts: a prompt that duplicates another candidate prompt or a prompt already in the dataset is
held back with all its answers (written to ``<task>/duplicates.jsonl``). The answers of one
prompt always travel together: once one of them is in the dataset the others are pushed without
a duplicate check, which keeps an interrupted push's decisions stable.

A push may be limited (``limit``: at most that many new records; the rest wait for a later push).
Which ones: the first in the pool's order (first-come), or, with ``fill_to_plan``, those that bring
the dataset's mix closest to the task's coverage plan (:func:`choose_records`, the functional
core's :func:`~workbench.analytics.coverage.fill_toward_target`; docs/coverage.md), counting the
records already in the dataset.

Prompts are embedded once per push and only when new: the records already in the dataset are
compared through the vectors stored on them (read back with the ids), and the embeddings the
semantic dedup computes for the new prompts are the vectors pushed. Only records without a stored
vector (pushed with ``vectors=False``, or before vectors were pushed) have their text embedded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from workbench.candidates import storage
from workbench.candidates.genconfig import CandidateConfig
from workbench.candidates.sources import SOURCE_KINDS
from workbench.errors import BadInput
from workbench.tasks import Task

if TYPE_CHECKING:
    import argilla as rg
    import numpy as np

BATCH_SIZE = 100
#: Name of the vector holding each record's prompt embedding.
PROMPT_VECTOR = "prompt_embedding"
ORIGINS = ("seed", "self-instruct", "evol-instruct")

#: (name, kind, title, options, visible_for_annotators)
CANDIDATE_METADATA: tuple[tuple[str, str, str, Any, bool], ...] = (
    ("instruction_source", "terms", "Prompt source (logs / curated / synthetic)", list(SOURCE_KINDS), True),
    ("response_source", "terms", "Answer source (logs / curated / synthetic)", list(SOURCE_KINDS), True),
    ("origin", "terms", "Prompt origin (seed / self-instruct / evol-instruct)", list(ORIGINS), True),
    ("generator", "terms", "Answer written by", None, True),
    ("licence", "terms", "Licence note", None, True),
    ("pii_flagged", "terms", "PII was redacted", ["yes", "no"], True),
    ("pii_entities", "integer", "PII items redacted", None, True),
    ("judge_score", "float", "LLM judge rating", None, False),
    ("deita_complexity", "float", "DEITA instruction complexity (normalised 0-1)", None, False),
    ("deita_quality", "float", "DEITA answer quality (normalised 0-1)", None, False),
    ("deita_score", "float", "DEITA score (complexity x quality)", None, False),
)


@dataclass
class PushReport:
    task: str
    dataset: str
    workspace: str
    candidates: int = 0
    pushed: int = 0
    already: int = 0
    duplicates: int = 0
    duplicates_by_stage: dict = field(default_factory=dict)
    created: bool = False
    seconds: float = 0.0
    #: prompts embedded by this push (prompts already in the dataset are read back, not embedded)
    embedded: int = 0
    dedup: str = ""
    #: new records a ``limit`` left for a later push
    held_back: int = 0
    #: with a limit: how the records were chosen and the dataset's mix against the plan
    selection: str = ""

    def summary(self) -> str:
        lines = [f"task {self.task}: {self.pushed} record{'s' if self.pushed != 1 else ''} pushed to dataset {self.dataset} "
                 f"(workspace {self.workspace}{', created' if self.created else ''}); {self.already} already there; "
                 f"{self.candidates} candidates in all; {self.embedded} prompt{'s' if self.embedded != 1 else ''} embedded; "
                 f"{self.seconds:.1f} s"]
        if self.duplicates:
            # duplicates counts candidates (records); the stages count prompts, each with all its answers
            per = ", ".join(f"{k} {v}" for k, v in self.duplicates_by_stage.items() if v)
            n = sum(self.duplicates_by_stage.values())
            lines.append(f"  {self.duplicates} candidate{'s' if self.duplicates != 1 else ''} held back as duplicates: the answers "
                         f"of {n} duplicate prompt{'s' if n != 1 else ''} ({per}); see {storage.task_dir(self.task) / 'duplicates.jsonl'}")
        elif self.dedup:
            lines.append(f"  {self.dedup}")
        if self.selection:
            lines.append(f"  {self.selection}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Candidate -> record content (pure)
# --------------------------------------------------------------------------------------------


def _norm(score: float | None, scale: float | None) -> float | None:
    """A DEITA score on 1..scale as a value in [0, 1].

    >>> _norm(1, 5), _norm(5, 5), _norm(None, 5)
    (0.0, 1.0, None)
    """
    if score is None or not scale or scale <= 1:
        return None
    return max(0.0, min(1.0, (float(score) - 1.0) / (float(scale) - 1.0)))


def candidate_values(c: dict) -> dict[str, Any]:
    """Every value a candidate offers to fields, metadata and suggestions (see genconfig)."""
    s = c.get("scores") or {}
    cx = _norm(s.get("complexity"), s.get("complexity_scale"))
    q = _norm(s.get("quality"), s.get("quality_scale"))
    return {
        "instruction": c["instruction"], "response": c["response"], "judge_rationale": s.get("judge_rationale"),
        "judge": s.get("judge"), "deita_complexity": cx, "deita_quality": q,
        "deita_score": cx * q if cx is not None and q is not None else None,
        "response_words": len(c["response"].split()), "instruction_words": len(c["instruction"].split()),
        "instruction_source": c.get("instruction_source"), "response_source": c.get("response_source"),
        "origin": c.get("origin"), "generator": c.get("generator"), "licence": c.get("licence"),
        "pii_flagged": "yes" if (c.get("pii") or {}).get("flagged") else "no",
        "pii_entities": sum(((c.get("pii") or {}).get("counts") or {}).values()),
    }


def _agent(source: str, c: dict) -> str:
    s = c.get("scores") or {}
    if source.startswith("judge"):
        return f"judge:{s.get('judge_model') or '?'}"
    if source == "deita_complexity":
        return f"deita-complexity:{s.get('complexity_model') or '?'}"
    return f"deita-quality:{s.get('quality_model') or '?'}" if source == "deita_quality" else f"deita:{s.get('quality_model') or '?'}"


def record_content(task: Task, cfg: CandidateConfig, c: dict) -> tuple[dict, dict, list[tuple[str, Any, str]]] | str:
    """(fields, metadata, suggestions as (question, value, agent)) of a candidate, or why it cannot be a record."""
    values = candidate_values(c)
    fields = {}
    for f in task.fields:
        src = cfg.fields.get(f.name)
        if src is None:
            continue
        v = values.get(src)
        if (v is None or not str(v).strip()) and f.required:
            return f"field {f.name!r} ({src}) is empty"
        if v is not None:
            fields[f.name] = str(v)
    meta: dict[str, Any] = {}
    for name, kind, _, options, _ in CANDIDATE_METADATA:
        v = {"judge_score": values["judge"]}.get(name, values.get(name))
        if v is None or (options is not None and v not in options):
            continue
        meta[name] = int(v) if kind == "integer" else float(v) if kind == "float" else str(v)
    for pname, src in cfg.metadata.items():
        prop = next(m for m in task.metadata if m.name == pname)
        v = values.get(src)
        if v is None:
            continue
        if prop.kind == "terms":
            if prop.options and v not in prop.options:
                continue
            meta[pname] = str(v)
        else:
            v = int(round(v)) if prop.kind == "integer" else float(v)
            if (prop.min is not None and v < prop.min) or (prop.max is not None and v > prop.max):
                continue
            meta[pname] = v
    suggestions = []
    for qname, src in cfg.suggestions.items():
        q = task.question(qname)
        v = values.get(src)
        if v is None:
            continue
        if q.kind == "rating":
            if src.startswith("deita"):  # a 0-1 score onto the question's scale
                scale = list(q.values)
                v = scale[int(round(float(v) * (len(scale) - 1)))]
            v = int(v)
            if v not in q.values:
                continue
        elif not str(v).strip():
            continue
        suggestions.append((qname, v, _agent(src, c)))
    return fields, meta, suggestions


def metadata_properties(task: Task, client: rg.Argilla) -> list:
    """The candidate metadata properties a dataset of ``task`` lacks by default, as SDK objects."""
    import argilla as rg

    out = []
    for name, kind, title, options, visible in CANDIDATE_METADATA:
        existing = next((m for m in task.metadata if m.name == name), None)
        if existing is not None:
            if existing.kind != kind:
                raise BadInput(f"task {task.name!r}: metadata property {name!r} is {existing.kind}, but candidates "
                               f"push it as {kind}; rename the task's property")
            continue
        if kind == "terms":
            out.append(rg.TermsMetadataProperty(name=name, title=title, options=options, visible_for_annotators=visible, client=client))
        elif kind == "integer":
            out.append(rg.IntegerMetadataProperty(name=name, title=title, visible_for_annotators=visible, client=client))
        else:
            out.append(rg.FloatMetadataProperty(name=name, title=title, visible_for_annotators=visible, client=client))
    return out


# --------------------------------------------------------------------------------------------
# Push
# --------------------------------------------------------------------------------------------


def vector_fields(task: Task, client: rg.Argilla) -> list:
    """The prompt-embedding vector setting, as SDK objects, unless the task declares it itself."""
    import argilla as rg

    from workbench.embeddings import DIMENSION, MODEL_NAME

    own = next((v for v in task.vectors if v.name == PROMPT_VECTOR), None)
    if own is not None:
        if own.dimensions != DIMENSION:
            raise BadInput(f"task {task.name!r}: vector {PROMPT_VECTOR!r} has {own.dimensions} dimensions, but candidates "
                           f"push {DIMENSION}-dimensional {MODEL_NAME} prompt embeddings into it; rename the task's vector")
        return []
    taken = {f.name for f in task.fields} | {q.name for q in task.questions} | {m.name for m in task.metadata}
    if PROMPT_VECTOR in taken:
        raise BadInput(f"task {task.name!r}: the name {PROMPT_VECTOR!r} is taken by a field, question or metadata "
                       "property, but candidates push their prompt embeddings under it; rename it")
    return [rg.VectorField(name=PROMPT_VECTOR, title=f"Prompt embedding ({MODEL_NAME.split('/')[-1]})",
                           dimensions=DIMENSION, _client=client)]


def _add_missing(ds, properties, wanted) -> None:
    """Create on the existing dataset ``ds`` each of ``wanted`` (metadata properties or vector
    fields) whose name its settings collection ``properties`` does not have yet."""
    have = {p.name for p in properties}
    for p in wanted:
        if p.name not in have:
            properties.add(p)
            p.dataset = ds
            p.create()


def _dataset(cl, task: Task, name: str, workspace: str):
    import argilla as rg

    from workbench.argilla_client import ensure_dataset, quiet
    from workbench.dataset_settings import settings_for

    props = metadata_properties(task, cl)
    vecs = vector_fields(task, cl)
    settings = settings_for(task, None, client=cl)
    for p in props:
        settings.metadata.add(p)
    for v in vecs:
        settings.vectors.add(v)
    ds, created = ensure_dataset(cl, name, workspace, settings)
    if not created:
        _add_missing(ds, ds.settings.metadata, props)
        _add_missing(ds, ds.settings.vectors, vecs)
        ds = quiet(cl.datasets, name=name, workspace=workspace)
    if not isinstance(ds, rg.Dataset):  # pragma: no cover - the SDK returns a Dataset
        raise BadInput(f"dataset {name!r} in workspace {workspace!r} could not be read back")
    return ds, created


def _existing(ds, text_field: str | None, with_vectors: bool,
              metadata: dict | None = None) -> tuple[dict[str, str | None], dict[str, list]]:
    """id -> text of ``text_field`` (None when not asked) of every record of the dataset, and
    id -> stored prompt vector of the records that have one (read when ``with_vectors``); fills
    ``metadata`` (id -> the record's metadata) when given."""
    texts: dict[str, str | None] = {}
    vectors: dict[str, list] = {}
    for r in ds.records(batch_size=1000, with_suggestions=False, with_responses=False,
                        with_vectors=[PROMPT_VECTOR] if with_vectors else False):
        rid = str(r.id)
        texts[rid] = r.fields.get(text_field) if text_field else None
        if metadata is not None:
            metadata[rid] = dict(r.metadata or {})
        if with_vectors:
            v = r.vectors.get(PROMPT_VECTOR) if r.vectors else None
            if v is not None:
                vectors[rid] = v
    return texts, vectors


class PromptEmbeddings:
    """Prompt text -> unit embedding, each text embedded at most once.

    Seeded with the vectors stored on records already in the dataset; texts not seen yet go to
    ``embedder`` in one call per request. ``embedded`` counts the texts embedded.
    """

    def __init__(self, embedder: Callable, known: dict | None = None) -> None:
        self.embedder = embedder
        self.known: dict = dict(known or {})
        self.embedded = 0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        from workbench.embeddings import DIMENSION

        missing = list(dict.fromkeys(t for t in texts if t not in self.known))
        if missing:
            vecs = np.asarray(self.embedder(missing), dtype=np.float32)
            self.embedded += len(missing)
            self.known.update(zip(missing, vecs))
        if not len(texts):
            return np.empty((0, DIMENSION), dtype=np.float32)
        return np.stack([np.asarray(self.known[t], dtype=np.float32) for t in texts])


def _default_embedder(cfg: CandidateConfig) -> Callable:
    from workbench import embeddings
    from workbench.dedup import SemanticConfig

    sem = getattr(cfg.dedup, "semantic", None) or SemanticConfig()
    return lambda texts: embeddings.embed(texts, batch_size=sem.batch_size, precision=sem.precision)


def push_candidates(cl: rg.Argilla, task: Task, cfg: CandidateConfig, *, dataset: str | None = None, workspace: str | None = None,
                    dedup: bool = True, embedder: Callable | None = None, batch_size: int = BATCH_SIZE,
                    on_batch: Callable[[int], None] | None = None, vectors: bool = True, limit: int | None = None,
                    fill_to_plan: bool = False, seed: int = 0) -> PushReport:
    """Push the task's stored candidates that the dataset lacks (see the module docstring).

    Parameters
    ----------
    cl : argilla.Argilla
    task : Task
    cfg : CandidateConfig
    dataset, workspace : str, optional
        Default: the config's, else ``<task>-candidates`` in workspace ``<task>``.
    dedup : bool
        Hold back duplicate prompts (:func:`workbench.dedup.dedup_candidates`).
    embedder : callable, optional
        Texts -> unit embeddings, for the semantic stage and the prompt vectors (default:
        all-MiniLM-L6-v2). Called only with prompts that have no vector in the dataset yet.
    batch_size : int
        Records per request.
    on_batch : callable, optional
        Called with the number of records pushed so far after each batch.
    vectors : bool
        Push each prompt's embedding as the record's ``prompt_embedding`` vector.
    limit : int, optional
        At most this many new records (default: all).
    fill_to_plan : bool
        Choose the ``limit`` records toward the task's coverage plan instead of first-come
        (:func:`choose_records`); needs ``limit`` and a plan.
    seed : int
        Breaks ties in ``fill_to_plan``'s choice.

    Returns
    -------
    PushReport
    """
    import argilla as rg

    from workbench.rounds import item_id

    check_selection(task, limit, fill_to_plan)
    t0 = time.perf_counter()
    name = dataset or cfg.dataset or f"{task.name}-candidates"
    ws = workspace or cfg.workspace or task.name
    report = PushReport(task.name, name, ws)
    cands = storage.read_candidates(task.name)
    report.candidates = len(cands)
    if not cands:
        raise BadInput(f"task {task.name!r}: no candidates to push: run `workbench candidates generate {task.name}` first")

    built: list[tuple[str, dict, dict, dict, list]] = []  # (id, candidate, fields, metadata, suggestions)
    for c in cands:
        res = record_content(task, cfg, c)
        if isinstance(res, str):
            raise BadInput(f"{storage.task_dir(task.name) / 'candidates.jsonl'}: candidate {c.get('id', '?')[:12]}: {res}")
        f, m, s = res
        built.append((item_id(task, f), c, f, m, s))

    text_field = next((k for k, v in cfg.fields.items() if v == "instruction"), None)
    with storage.locked(task.name):
        ds, created = _dataset(cl, task, name, ws)
        report.created = created
        existing_meta: dict[str, dict] = {}
        existing, stored = ({}, {}) if created else _existing(ds, text_field, with_vectors=True, metadata=existing_meta)
        # prompt -> vector from the records already there: neither dedup nor the push re-embeds them
        known = {existing[rid]: v for rid, v in stored.items() if existing.get(rid)}
        prompt_vectors = PromptEmbeddings(embedder or _default_embedder(cfg), known)
        ours = {rid for rid, *_ in built}
        report.already = sum(1 for rid in ours if rid in existing)

        # prompts whose answers are partly in the dataset: complete them, no dedup
        by_prompt: dict[str, list[int]] = {}
        for i, (_, c, *_rest) in enumerate(built):
            by_prompt.setdefault(c["instruction"], []).append(i)
        started = {p for p, idx in by_prompt.items() if any(built[i][0] in existing for i in idx)}
        fresh = [p for p in by_prompt if p not in started]
        dropped_prompts: dict[str, dict] = {}
        if dedup and cfg.dedup is not None and fresh and text_field is not None:
            dropped_prompts = _dedup_prompts(task, fresh, by_prompt, built, existing, ours, prompt_vectors, report, cfg.dedup)
        elif not dedup or cfg.dedup is None:
            report.dedup = "dedup: off"

        todo = [b for b in built if b[0] not in existing and b[1]["instruction"] not in dropped_prompts]
        seen: set[str] = set()
        unique = []
        for b in todo:  # the first of each record id
            if b[0] not in seen:
                seen.add(b[0])
                unique.append(b)
        todo = unique
        if dropped_prompts:
            rows = [{"record_id": b[0], **b[1], "duplicate": dropped_prompts[b[1]["instruction"]]} for b in built
                    if b[1]["instruction"] in dropped_prompts and b[0] not in existing]
            storage.write_jsonl(storage.task_dir(task.name) / "duplicates.jsonl", rows)
            report.duplicates = len(rows)
        if limit is not None:
            picked, report.selection = choose_records(task, [b[3] for b in todo], list(existing_meta.values()), limit,
                                                      fill_to_plan=fill_to_plan, seed=seed)
            report.held_back = len(todo) - len(picked)
            todo = [todo[i] for i in sorted(picked)]

        pushed = 0
        for start in range(0, len(todo), batch_size):
            batch = todo[start:start + batch_size]
            vecs = prompt_vectors([c["instruction"] for _, c, *_ in batch]) if vectors else [None] * len(batch)
            records = [rg.Record(id=rid, fields=f, metadata=m,
                                 suggestions=[rg.Suggestion(question_name=q, value=v, agent=a, type="model") for q, v, a in s],
                                 vectors=None if vec is None else {PROMPT_VECTOR: [float(x) for x in vec]})
                       for (rid, _, f, m, s), vec in zip(batch, vecs)]
            ds.records.log(records, batch_size=len(records))
            pushed += len(batch)
            if on_batch is not None:
                on_batch(pushed)
        report.pushed = pushed
    report.embedded = prompt_vectors.embedded
    report.seconds = time.perf_counter() - t0
    return report


def check_selection(task: Task, limit: int | None, fill_to_plan: bool) -> None:
    """BadInput for a limit that is not a positive integer, and for ``fill_to_plan`` without a limit
    or without a coverage plan."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise BadInput(f"--limit: {limit!r} must be a positive integer")
    if fill_to_plan and limit is None:
        raise BadInput("--fill-to-plan: needs --limit N (how many records to choose toward the plan; without a "
                       "limit every candidate is pushed and there is nothing to choose)")
    if fill_to_plan and not task.coverage:
        raise BadInput(f"--fill-to-plan: task {task.name!r} has no coverage plan: add `coverage:` to "
                       f"{task.source or 'its task file'} (docs/coverage.md)")


def choose_records(task: Task, new: Sequence[dict], existing: Sequence[dict], limit: int, *,
                   fill_to_plan: bool, seed: int = 0) -> tuple[list[int], str]:
    """Which of the ``new`` records (their metadata, in pool order) a push limited to ``limit`` sends,
    and a line saying how they were chosen.

    First-come: the first ``limit``. ``fill_to_plan``: :func:`~workbench.analytics.coverage.fill_toward_target`
    over the task's plans, counting the ``existing`` records (metadata of those in the dataset).
    The line gives the dataset's mix after the push and its distance to the plan (total variation),
    and, with ``fill_to_plan``, what first-come would have given.
    """
    from workbench.analytics.coverage import MISSING, count_values, fill_toward_target, mix_distance

    check_selection(task, limit, fill_to_plan)
    first = list(range(min(limit, len(new))))
    plans = task.coverage
    if fill_to_plan:
        cats = [[(m or {}).get(p.property, MISSING) for p in plans] for m in new]
        picked = fill_toward_target(cats, [p.shares() for p in plans], limit,
                                    existing=[count_values(existing, p.property) for p in plans], seed=seed)
    else:
        picked = first
    how = f"limit {limit}: {len(picked)} of {len(new)} new records chosen " \
          + ("toward the coverage plan" if fill_to_plan else "first-come (pool order)")
    if not plans:
        return picked, how

    def after(chosen: Sequence[int]) -> list[tuple[str, dict, float]]:
        out = []
        for p in plans:
            counts = count_values([*existing, *(new[i] for i in chosen)], p.property)
            out.append((p.property, counts, mix_distance(counts, p.shares())))
        return out

    mine = after(picked)
    parts = []
    for prop, counts, dist in mine:
        n = sum(counts.values()) or 1
        parts.append(f"{prop} " + ", ".join(f"{v} {c / n:.0%}" for v, c in counts.items()) + f" (distance to plan {dist:.3f})")
    how += "; the dataset's mix after the push: " + "; ".join(parts)
    if fill_to_plan:
        how += "; first-come would give distance " + ", ".join(f"{d:.3f}" for _, _, d in after(first))
    return picked, how


def _best_score(built, idx: Sequence[int]) -> float:
    best = None
    for i in idx:
        s = (built[i][1].get("scores") or {})
        v = s.get("judge") if s.get("judge") is not None else s.get("deita")
        if v is not None and (best is None or v > best):
            best = float(v)
    return best if best is not None else float("nan")


def _dedup_prompts(task: Task, fresh: list[str], by_prompt: dict, built, existing: dict, ours: set,
                   embedder, report: PushReport, config) -> dict[str, dict]:
    """Prompts (of ``fresh``) that duplicate another prompt or one in the dataset -> why."""
    import pandas as pd

    from workbench.dedup import ExistingRecords, dedup_candidates

    df = pd.DataFrame({"id": fresh, "text": fresh, "score": [_best_score(built, by_prompt[p]) for p in fresh]})
    ex_items = [(rid, text) for rid, text in existing.items() if text]
    ex = None
    if ex_items:
        texts = [t for _, t in ex_items]
        # the stored vectors (embedding only the texts of records without one)
        emb = embedder(texts) if config.semantic is not None else None
        ex = ExistingRecords(ids=[i for i, _ in ex_items], texts=texts, embeddings=emb)
    kept, dropped, rep = dedup_candidates(df, text_column="text", score_column="score", id_column="id",
                                          existing=ex, config=config, embedder=embedder)
    report.duplicates_by_stage = {k: v for k, v in rep.removed.items()}
    report.dedup = f"dedup: {rep.n_input} new prompts, {rep.n_removed} duplicates"
    out = {}
    for row in dropped.itertuples(index=False):
        of_existing = bool(row.duplicate_of_existing)
        if of_existing:  # the id of a record in the dataset
            records, prompt = [str(row.duplicate_of)], existing.get(row.duplicate_of) or ""
        else:  # a prompt of this push: the records of its answers
            prompt = str(row.duplicate_of)
            records = [built[i][0] for i in by_prompt.get(prompt, ())]
        out[row.text] = {"stage": row.dedup_stage, "similarity": None if pd.isna(row.dedup_similarity) else float(row.dedup_similarity),
                         "of_existing_record": of_existing, "duplicate_of": records,
                         "duplicate_of_prompt": prompt[:200]}
    return out
