"""Candidate generation for a task: one distilabel pipeline from seeds to judged, scored candidates.

::

    seeds (pool, already redacted)
      -> SelfInstruct            new prompts in the seed's context            [optional]
      -> EvolInstruct            a harder rewrite of the seed                 [optional]
      -> families                redact new prompts; seed + its variants
      -> ComplexityScorer        DEITA instruction complexity within a family [deita]
      -> instructions            one row per prompt
      -> TextGeneration x N      one answer per teacher ("mix teachers")
      -> responses               redact answers; the seed's own answer joins them
      -> QualityScorer           DEITA answer quality among a prompt's answers [deita]
      -> UltraFeedback           judge, overall-rating aspect                 [judge.style: ultrafeedback]
      -> candidates              one row per (prompt, answer)
      -> RubricJudge             judge with the task's guideline as rubric   [judge.style: rubric]
    then, in this process: DeitaFiltering (optional), rejects, the candidate file.

The steps of our own (families, instructions, responses, candidates, the rubric judge) are the
classes of :mod:`workbench.candidates.steps`, each with its declared input and output columns;
that module imports distilabel, so it is imported only when a pipeline is built.

PII: seeds were redacted at ingest, and every text an LLM writes is redacted by the ``families``
and ``responses`` steps before any other LLM sees it or it is stored; a judge's raw output is
redacted before it goes into a rejects file. So no prompt sent to any backend holds a text that
skipped redaction.

Failures are per record: a timed-out or refused request, or output a task cannot parse, puts the
affected prompt or answer in ``<task>/rejects.jsonl`` with the stage, model and reason (the LLM
wrappers of :mod:`workbench.candidates.llm` turn a failed request into a marked output instead of
failing the whole batch). Everything else carries on.

distilabel specifics handled here (see docs/candidates.md):

* its cache goes under the Workbench home (``home/distilabel-cache/<run>``), never ``~/.cache``;
  a pipeline whose middle step changed was seen to come back "cached" and empty, so every run
  uses ``use_cache=False`` and a fresh cache folder;
* the run is offline: ``HF_HUB_OFFLINE``, ``HF_DATASETS_OFFLINE``, ``HF_HUB_DISABLE_TELEMETRY``;
  the Distiset's citation lookup (a web request whenever ``bs4`` is installed) is switched off;
  the ``datasets`` cache used to build the Distiset lives in the run folder; ``pipeline.draw()``
  (a web service) is never called.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from workbench import config as wconfig
from workbench.candidates import import_distilabel, storage
from workbench.candidates.genconfig import CandidateConfig
from workbench.candidates.llm import build_llm
from workbench.candidates.outputs import excerpt, llm_failure, raw_output, redactor_for
from workbench.candidates.rubric import guideline_section, judge_template
from workbench.demo_data import record_id
from workbench.errors import BadInput, ServiceError, WorkbenchError
from workbench.tasks import Task

if TYPE_CHECKING:
    from distilabel.pipeline import Pipeline



@dataclass
class GenerateReport:
    task: str
    run_id: str
    seeds: int = 0
    candidates: int = 0
    already: int = 0
    #: candidates of this run with the same prompt and answer as another of this run (seeds that repeat a prompt)
    repeated: int = 0
    rejected: Counter = field(default_factory=Counter)
    filtered: int = 0
    seeds_retry: int = 0
    seconds: float = 0.0
    cache_dir: str = ""
    rejects_path: str = ""

    def summary(self) -> str:
        lines = [f"task {self.task}: run {self.run_id}: {self.seeds} seed{'s' if self.seeds != 1 else ''} -> "
                 f"{self.candidates} new candidate{'s' if self.candidates != 1 else ''}"
                 + "".join(f" ({n} {what})" for n, what in ((self.already, "already stored"),
                                                              (self.repeated, "repeated in this run")) if n)
                 + f" in {self.seconds:.1f} s"]
        if self.filtered:
            lines.append(f"  DEITA filtering left out {self.filtered}")
        if self.rejected:
            per = ", ".join(f"{k} {v}" for k, v in sorted(self.rejected.items()))
            lines.append(f"  kept aside: {sum(self.rejected.values())} ({per}): {self.rejects_path}")
        if self.seeds_retry:
            lines.append(f"  {self.seeds_retry} seed{'s' if self.seeds_retry != 1 else ''} gave no candidate and will be retried next run")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Environment: offline, cache under the home, no citation fetch
# --------------------------------------------------------------------------------------------

OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


@contextlib.contextmanager
def distilabel_environment(run_dir: Path) -> Iterator[None]:
    """Run distilabel offline, with every cache under ``run_dir`` (inside the Workbench home).

    * ``HF_HUB_OFFLINE``, ``HF_DATASETS_OFFLINE``, ``HF_HUB_DISABLE_TELEMETRY`` (and the rest of
      :data:`workbench.config.OFFLINE_ENV`) are set;
    * ``DISTILABEL_CACHE_DIR`` points at the home's ``distilabel-cache``;
    * the Distiset's citation lookup is replaced by one that returns nothing: distilabel fetches
      BibTeX from arxiv2bibtex.org for every step with an arXiv reference when ``bs4`` imports;
    * the ``datasets`` cache the Distiset is built through is ``run_dir/hf-datasets``;
    * distilabel logs warnings and errors only, unless ``DISTILABEL_LOG_LEVEL`` is set;
    * a step whose predecessor's last batch came out empty still gets that (empty) batch
      (:func:`pass_empty_last_batches`), so the run ends instead of waiting forever.
    """
    saved_env = {k: os.environ.get(k) for k in (*OFFLINE, *wconfig.OFFLINE_ENV, "DISTILABEL_CACHE_DIR", "DISTILABEL_LOG_LEVEL")}
    for k, v in {**wconfig.OFFLINE_ENV, **OFFLINE}.items():
        os.environ[k] = v
    os.environ["DISTILABEL_CACHE_DIR"] = str(storage.cache_root())
    os.environ.setdefault("DISTILABEL_LOG_LEVEL", "WARNING")
    import_distilabel()
    import datasets.config as dsconfig
    import distilabel.distiset as distiset_mod

    import datasets

    from distilabel.pipeline.batch_manager import _BatchManagerStep

    saved_cache = dsconfig.HF_DATASETS_CACHE
    saved_grab = distiset_mod._grab_citations
    saved_ready = _BatchManagerStep._ready_to_create_batch_normal
    bars = datasets.is_progress_bar_enabled()
    dsconfig.HF_DATASETS_CACHE = Path(run_dir) / "hf-datasets"
    distiset_mod._grab_citations = no_citations
    _BatchManagerStep._ready_to_create_batch_normal = pass_empty_last_batches(saved_ready)
    datasets.disable_progress_bars()  # "Generating train split" bars on stdout
    try:
        yield
    finally:
        if bars:
            datasets.enable_progress_bars()
        dsconfig.HF_DATASETS_CACHE = saved_cache
        distiset_mod._grab_citations = saved_grab
        _BatchManagerStep._ready_to_create_batch_normal = saved_ready
        for k, old in saved_env.items():
            if old is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = old


def pass_empty_last_batches(ready: Any) -> Any:
    """``_BatchManagerStep._ready_to_create_batch_normal`` that is also ready when every
    predecessor's last batch arrived and what is left of it is empty.

    distilabel 1.5.3 never builds a batch from an empty last batch ("no more batches to be
    created"), so the step never sends its own last batch and ``Pipeline.run`` waits forever. Our
    steps drop rows (a failed request, unparseable output), so when every request of the last
    batch fails - an unreachable endpoint - the batch they pass on is empty. With this, the step
    gets the empty batch, passes an empty last batch on, and the run ends.
    """

    @functools.wraps(ready)
    def ready_or_empty_last(self: Any) -> bool:
        if ready(self):
            return True
        if not self.data:
            return False
        for step_name, batches in self.data.items():
            if (step_name not in self.last_batch_received or not batches
                    or batches[0].seq_no != self.next_expected_seq_no[step_name][0]
                    or any(len(b.data[0]) for b in batches) or not batches[-1].last_batch):
                return False
        return True

    return ready_or_empty_last


def no_citations(dag: Any) -> list[str]:
    """Stands in for ``distilabel.distiset._grab_citations``: no web lookup, no citations."""
    return []


def clear_cache() -> tuple[int, int]:
    """Remove everything under ``home/distilabel-cache``; returns (entries, bytes) removed."""
    root = storage.cache_root()
    n, size = 0, 0
    for entry in root.iterdir():
        n += 1
        if entry.is_dir() and not entry.is_symlink():
            size += sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
            shutil.rmtree(entry)
        else:
            size += entry.stat().st_size
            entry.unlink()
    return n, size


# --------------------------------------------------------------------------------------------
# Steps of our own: workbench.candidates.steps (imported when a pipeline is built: distilabel is
# slow to import)
# --------------------------------------------------------------------------------------------


def steps() -> dict[str, type]:
    """The pipeline's own distilabel step classes (:mod:`workbench.candidates.steps`), by name.

    Imports that module, and with it distilabel.
    """
    from workbench.candidates import steps as step_classes

    return {name: getattr(step_classes, name) for name in step_classes.__all__}


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------


def rubric_for(task: Task, question: str) -> str:
    """The guideline's section for ``question`` (latest version), or the question itself."""
    q = task.question(question)
    body = ""
    try:
        body = task.load_guideline().latest.body
    except BadInput:
        body = ""
    section = guideline_section(body, [q.name, q.title]) if body else None
    if section:
        return section
    scale = ", ".join(str(v) for v in q.values)
    return f"{q.title}\n{q.description or ''}\nScale: {scale} (higher is better)."


def build_pipeline(task: Task, cfg: CandidateConfig, seeds: list[dict], *, run_id: str, run_dir: Path,
                   rejects_path: Path) -> Pipeline:
    """The distilabel ``Pipeline`` of one generation run over ``seeds`` (see the module docstring)."""
    import_distilabel()
    from distilabel.pipeline import Pipeline
    from distilabel.steps import LoadDataFromDicts
    from distilabel.steps.tasks import ComplexityScorer, EvolInstruct, QualityScorer, SelfInstruct, TextGeneration, UltraFeedback

    from workbench.candidates.steps import Candidates, Families, Instructions, Responses, RubricJudge

    common = {"pii": dict(cfg.pii), "rejects_path": str(rejects_path), "run_id": run_id}
    bs = cfg.batch_size
    llms = {name: build_llm(spec) for name, spec in cfg.llms.items()}
    with Pipeline(name=f"workbench-{task.name}", description=f"Workbench candidates for {task.name}",
                  cache_dir=run_dir / "cache") as pipeline:
        chain = LoadDataFromDicts(name="load_seeds", data=seeds, batch_size=bs)
        last = chain
        if cfg.self_instruct:
            si = SelfInstruct(name="self_instruct", llm=llms[cfg.self_instruct.llm], input_batch_size=bs,
                              num_instructions=cfg.self_instruct.num_instructions,
                              application_description=f"{task.title}: {' '.join(task.description.split())}",
                              input_mappings={"input": "instruction"},
                              output_mappings={"instructions": "self_instructions", "model_name": "self_instruct_model"},
                              add_raw_input=False,
                              **({"criteria_for_query_generation": cfg.self_instruct.criteria} if cfg.self_instruct.criteria else {}))
            last = last >> si
        if cfg.evol_instruct:
            ev = EvolInstruct(name="evol_instruct", llm=llms[cfg.evol_instruct.llm], input_batch_size=bs,
                              num_evolutions=cfg.evol_instruct.num_evolutions, seed=cfg.evol_instruct.seed,
                              output_mappings={"model_name": "evol_model"})
            last = last >> ev
        fam = Families(name="families", use_self_instruct=cfg.self_instruct is not None,
                       use_evol_instruct=cfg.evol_instruct is not None,
                       num_instructions=cfg.self_instruct.num_instructions if cfg.self_instruct else 0,
                       input_batch_size=bs, **common)
        last = last >> fam
        if cfg.deita:
            cx = ComplexityScorer(name="complexity", llm=llms[cfg.deita.llm], input_batch_size=bs, add_raw_input=False,
                                  input_mappings={"instructions": "family"},
                                  output_mappings={"scores": "complexity_scores", "model_name": "complexity_model"})
            last = last >> cx
        last = last >> Instructions(name="instructions", scored=cfg.deita is not None, input_batch_size=bs, **common)
        for i, teacher in enumerate(cfg.teachers):
            tg = TextGeneration(name=f"teacher_{i}", llm=llms[teacher], input_batch_size=bs, add_raw_input=False,
                                add_raw_output=False,
                                output_mappings={"generation": f"answer_{i}", "model_name": f"answer_model_{i}"})
            last = last >> tg
        last = last >> Responses(name="responses", teachers=len(cfg.teachers), input_batch_size=bs, **common)
        if cfg.deita:
            qs = QualityScorer(name="quality", llm=llms[cfg.deita.llm], input_batch_size=bs, add_raw_input=False,
                               output_mappings={"scores": "quality_scores", "model_name": "quality_model"})
            last = last >> qs
        uf = cfg.judge is not None and cfg.judge.style == "ultrafeedback"
        if uf and cfg.judge is not None:
            u = UltraFeedback(name="ultrafeedback", llm=llms[cfg.judge.llm], aspect="overall-rating", input_batch_size=bs,
                              add_raw_input=False, input_mappings={"generations": "responses"},
                              output_mappings={"ratings": "uf_ratings", "rationales": "uf_rationales", "model_name": "uf_model"})
            last = last >> u
        last = last >> Candidates(name="candidates", scored=cfg.deita is not None, ultrafeedback=uf,
                                  input_batch_size=bs, **common)
        if cfg.judge is not None and cfg.judge.style == "rubric":
            q = task.question(cfg.judge.question)
            template = judge_template(task_title=task.title, task_description=task.description, question_title=q.title,
                                      values=q.values, rubric=rubric_for(task, q.name))
            judge = RubricJudge(name="judge", llm=llms[cfg.judge.llm], template=template,
                                columns=["instruction", "response"], values=list(q.values), input_batch_size=bs,
                                add_raw_input=False, output_mappings={"model_name": "judge_model"})
            last = last >> judge
    return pipeline


def seed_rows(task: Task, cfg: CandidateConfig, limit: int | None) -> tuple[list[dict], dict[str, dict]]:
    """The pipeline's input rows (pool records of the config's sources not yet done for the task)
    and the pool by id."""
    pool = storage.read_pool()
    done = storage.read_done(task.name)
    todo = [r for r in pool.values() if r["source"] in cfg.seed_sources and r["id"] not in done]
    if limit is not None:
        todo = todo[:limit]
    rows = [{"seed_id": r["id"], "instruction": r["instruction"], "response": r.get("response") or "",
             "seed_source": r["source"]} for r in todo]
    return rows, pool


def _counts(*jsons: Any) -> dict[str, int]:
    total: Counter = Counter()
    for j in jsons:
        if isinstance(j, str) and j:
            total.update(json.loads(j))
        elif isinstance(j, dict):
            total.update(j)
    return dict(sorted(total.items()))


def _candidate(task: Task, row: dict, pool: dict[str, dict], run_id: str, judge_style: str | None, now: str) -> dict:
    seed = pool.get(row["seed_id"], {})
    # prompts derived from a seed carry its redactions (placeholders) too, so they inherit its counts
    seed_counts = (seed.get("pii") or {}).get("counts", {})
    counts = _counts(seed_counts, row.get("instruction_pii"), row.get("response_pii_one"))
    cx, q = row.get("complexity_score"), row.get("quality_score")
    return {
        "id": record_id({"instruction": row["instruction"], "response": row["response"]}),
        "task": task.name,
        "seed_id": row["seed_id"],
        "instruction": row["instruction"],
        "response": row["response"],
        "origin": row["origin"],
        "instruction_source": row["seed_source"] if row["origin"] == "seed" else "synthetic",
        "instruction_model": row.get("instruction_model") or "",
        "response_source": row.get("response_source") or "synthetic",
        "generator": row.get("generator") or "",
        "licence": seed.get("licence", ""),
        "pii": {"flagged": bool(counts), "counts": counts},
        "scores": {
            "complexity": cx, "complexity_scale": row.get("complexity_scale") if cx is not None else None,
            "complexity_model": row.get("complexity_model") or None,
            "quality": q, "quality_scale": row.get("quality_scale") if q is not None else None,
            "quality_model": row.get("quality_model") or None,
            "deita": cx * q if cx is not None and q is not None else None,
            "judge": row.get("judge_rating"), "judge_rationale": row.get("judge_rationale"),
            "judge_model": row.get("judge_model") or None, "judge_style": judge_style,
        },
        "run": run_id,
        "created_at": now,
    }


def deita_filter(candidates: list[dict], *, diversity_threshold: float, data_budget: int | None,
                 embedder: Callable[[list[str]], Any] | None = None) -> tuple[list[dict], list[dict]]:
    """distilabel's ``DeitaFiltering`` over ``candidates`` (all with DEITA scores); embeddings of
    prompt and answer by all-MiniLM-L6-v2 (:func:`workbench.embeddings.embed`) unless ``embedder``
    is given. Returns (kept, left out), the left-out ones with their nearest-neighbour distance."""
    import_distilabel()
    from distilabel.steps import DeitaFiltering

    if len(candidates) < 2:  # no neighbour to be diverse from
        return list(candidates), []
    if embedder is None:
        from workbench.embeddings import embed

        embedder = embed
    vectors = embedder([f"{c['instruction']}\n\n{c['response']}" for c in candidates])
    rows = [{"id": c["id"], "evol_instruction_score": c["scores"]["complexity"],
             "evol_response_score": c["scores"]["quality"], "embedding": [float(x) for x in v]}
            for c, v in zip(candidates, vectors)]
    step = DeitaFiltering(data_budget=data_budget or len(rows), diversity_threshold=diversity_threshold)
    step.load()
    selected = next(step.process(rows))
    dist = {r["id"]: float(r["nearest_neighbor_distance"]) for r in rows}
    kept_ids = {r["id"] for r in selected}
    kept = [c for c in candidates if c["id"] in kept_ids]
    left = [{**c, "deita_filter": {"nearest_neighbor_distance": dist[c["id"]], "diversity_threshold": diversity_threshold,
                                   "data_budget": data_budget}} for c in candidates if c["id"] not in kept_ids]
    return kept, left


def generate(task: Task, cfg: CandidateConfig, *, limit: int | None = None) -> GenerateReport:
    """Expand, answer, judge and score the task's unprocessed seeds; store candidates and rejects.

    Returns
    -------
    GenerateReport

    Raises
    ------
    BadInput
        No seed in the pool for the task's seed sources.
    ServiceError
        The pipeline itself failed, or every request failed (an unreachable endpoint).
    """
    t0 = time.perf_counter()
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    tdir = storage.task_dir(task.name)
    rejects_path = tdir / "rejects.jsonl"
    report = GenerateReport(task.name, run_id, rejects_path=str(rejects_path))
    check_api_keys(cfg)  # an unset key variable is reported before anything starts
    with storage.locked(task.name):
        seeds, pool = seed_rows(task, cfg, limit)
        if not seeds:
            srcs = ", ".join(cfg.seed_sources)
            if not any(r["source"] in cfg.seed_sources for r in pool.values()):
                raise BadInput(f"task {task.name!r}: no seeds in the pool from sources {srcs}: ingest some with "
                               "`workbench candidates ingest FILE --source logs|curated --licence TEXT`")
            report.seconds = time.perf_counter() - t0
            return report
        report.seeds = len(seeds)
        run_dir = storage.cache_root() / run_id
        run_dir.mkdir(parents=True)
        report.cache_dir = str(run_dir)
        run_rejects = run_dir / "rejects.jsonl"
        redactor_for(dict(cfg.pii), warm=True)
        with distilabel_environment(run_dir):
            pipeline = build_pipeline(task, cfg, seeds, run_id=run_id, run_dir=run_dir, rejects_path=run_rejects)
            stopped = _watch_stop(pipeline)
            try:
                distiset = pipeline.run(use_cache=False)
            except Exception as exc:  # distilabel's own failure (a step could not load, ...)
                raise ServiceError(f"task {task.name!r}: the distilabel pipeline failed: {exc} "
                                   f"(log: {run_dir / 'cache'})") from exc
        if stopped:
            # Ctrl-C (or a step that failed unhandled) makes distilabel stop early and return what
            # the last step had written: a seed whose prompts were only partly answered would be
            # marked done with part of its candidates, and the rest never generated
            raise Interrupted(f"task {task.name!r}: generate was interrupted; nothing was stored and no seed was "
                              f"marked done: run it again to process the {len(seeds)} seed{'s' if len(seeds) != 1 else ''} "
                              f"(log: {run_dir / 'cache'})")
        rows = []
        if distiset is not None and "default" in distiset:
            rows = distiset["default"]["train"].to_list()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        style = cfg.judge.style if cfg.judge else None
        judge_rejects = []
        candidates = []
        for row in rows:
            if style == "rubric" and row.get("judge_rating") is None:
                judge_rejects.append({"stage": "judge", "seed_id": row["seed_id"], "instruction": row["instruction"],
                                      "origin": row["origin"], "response": row["response"], "generator": row.get("generator"),
                                      "model": row.get("judge_model") or "", "reason": row.get("judge_error") or "no output",
                                      # a failed request has no output of the model's to keep
                                      "raw_output": None if llm_failure(raw_output(row, "judge")) is not None
                                      or str(row.get("judge_error", "")).startswith(("timed out", "cannot connect", "HTTP"))
                                      else excerpt(raw_output(row, "judge")), "run": run_id, "rejected_at": now})
                continue
            candidates.append(_candidate(task, row, pool, run_id, style, now))
        if judge_rejects:
            _redact_entries(judge_rejects, cfg)
            storage.append_jsonl(run_rejects, judge_rejects)
        filtered: list[dict] = []
        if cfg.deita and cfg.deita.filtering:
            candidates, filtered = deita_filter(candidates, diversity_threshold=cfg.deita.diversity_threshold,
                                                data_budget=cfg.deita.data_budget)
            if filtered:
                storage.append_jsonl(tdir / "filtered.jsonl", filtered)
        report.filtered = len(filtered)
        run_rej = storage.read_jsonl(run_rejects)
        if run_rej:
            storage.append_jsonl(rejects_path, run_rej)
        report.rejected = Counter(r["stage"] for r in run_rej)

        have = {c["id"] for c in storage.read_candidates(task.name)}
        new, seen = [], set()
        for c in candidates:
            if c["id"] in have:
                report.already += 1
                continue
            if c["id"] in seen:
                report.repeated += 1
                continue
            seen.add(c["id"])
            new.append(c)
        storage.append_jsonl(tdir / "candidates.jsonl", new)
        report.candidates = len(new)
        produced = {c["seed_id"] for c in candidates} | {c["seed_id"] for c in filtered}
        done = storage.read_done(task.name)
        for s in seeds:
            if s["seed_id"] in produced:
                done[s["seed_id"]] = run_id
        storage.write_done(task.name, done)
        report.seeds_retry = sum(1 for s in seeds if s["seed_id"] not in produced)
    report.seconds = time.perf_counter() - t0
    if not candidates and not filtered and run_rej:
        reasons = Counter(r["reason"] for r in run_rej).most_common(1)[0][0]
        raise ServiceError(f"task {task.name!r}: no candidate: every request failed or was unusable "
                           f"({len(run_rej)} kept aside in {rejects_path}; most common: {reasons})")
    return report


class Interrupted(WorkbenchError):
    """The run was stopped before it ended (Ctrl-C): exit code 130, as for SIGINT."""

    exit_code = 130


def _watch_stop(pipeline: Any) -> list:
    """A list that gets an entry when distilabel stops ``pipeline`` early: its SIGINT handler (and
    a step failing unhandled) calls ``pipeline._stop()``, and ``run`` then returns normally with
    the partial output; the flag distilabel keeps is reset before ``run`` returns."""
    stops: list = []
    stop = pipeline._stop

    def watched(*args: Any, **kwargs: Any) -> Any:
        stops.append(True)
        return stop(*args, **kwargs)

    pipeline._stop = watched
    return stops


def check_api_keys(cfg: CandidateConfig) -> None:
    """Refuse a config whose ``openai`` backend names a key variable that is not set (naming the
    config file, the backend and the variable, never a value)."""
    from workbench.candidates.llm import api_key

    for spec in cfg.llms.values():
        if spec.kind == "openai":
            try:
                api_key(spec)
            except BadInput as exc:
                raise BadInput(f"{cfg.source}: {exc}") from None


def _redact_entries(entries: list[dict], cfg: CandidateConfig) -> None:
    redactor = redactor_for(dict(cfg.pii))
    keys = ("instruction", "response", "raw_output")
    texts = [e[k] for e in entries for k in keys if isinstance(e.get(k), str) and e.get(k)]
    red = iter(redactor.redact_batch(texts, n_process=1) if texts else [])
    for e in entries:
        for k in keys:
            if isinstance(e.get(k), str) and e.get(k):
                e[k] = next(red).text


def config_summary(cfg: CandidateConfig) -> str:
    """One line per stage: which backend does what."""
    parts = []
    if cfg.self_instruct:
        parts.append(f"self-instruct x{cfg.self_instruct.num_instructions} by {cfg.llms[cfg.self_instruct.llm].label}")
    if cfg.evol_instruct:
        parts.append(f"evol-instruct x{cfg.evol_instruct.num_evolutions} by {cfg.llms[cfg.evol_instruct.llm].label}")
    parts.append("answers by " + ", ".join(cfg.llms[t].label for t in cfg.teachers))
    if cfg.judge:
        parts.append(f"judge ({cfg.judge.style}, question {cfg.judge.question}) by {cfg.llms[cfg.judge.llm].label}")
    if cfg.deita:
        parts.append(f"DEITA scores by {cfg.llms[cfg.deita.llm].label}" + (" + filtering" if cfg.deita.filtering else ""))
    return "; ".join(parts)


__all__ = ["GenerateReport", "build_pipeline", "check_api_keys", "clear_cache", "deita_filter", "distilabel_environment", "generate",
           "no_citations", "redactor_for", "rubric_for", "seed_rows", "steps"]

