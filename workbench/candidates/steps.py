"""The pipeline's own distilabel steps, each with its declared input and output columns.

::

    Families       redact SelfInstruct / EvolInstruct prompts; a family = seed + variants
    Instructions   one row per prompt, with its DEITA complexity
    Responses      redact the teachers' answers; with the seed's own, the prompt's answers
    Candidates     one row per (prompt, answer), with DEITA quality and UltraFeedback's rating
    RubricJudge    TextGeneration with the task's guideline as rubric; reads Rating/Rationale

The first four are redacting steps (:class:`RedactingStep`): every text an LLM wrote is redacted before the next
step sees it, and whatever fails (a failed request, output that cannot be parsed) goes to the
run's rejects file, redacted too, while the rest carries on (docs/candidates.md).

Importing this module imports distilabel (slow, a few seconds): only the pipeline module does,
when a pipeline is built (:func:`workbench.candidates.pipeline.build_pipeline`), so that
``workbench --help`` and every other command never pay for it. (No ``from __future__ import
annotations`` here: distilabel finds ``process``'s input by its real ``StepInput`` annotation.)
"""

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workbench.candidates import import_distilabel, storage
from workbench.candidates.outputs import excerpt, llm_failure, raw_output, redactor_for
from workbench.candidates.rubric import parse_judgement

import_distilabel()  # before distilabel's first import: keeps the process's excepthook

from distilabel.steps import Step, StepInput  # noqa: E402
from distilabel.steps.tasks import TextGeneration  # noqa: E402
from distilabel.typing import StepColumns, StepOutput  # noqa: E402
from pydantic import Field, PrivateAttr  # noqa: E402

__all__ = ["Candidates", "Families", "Instructions", "RedactingStep", "Responses", "RubricJudge"]

#: A list marker SelfInstruct may put before a prompt ("1.", "2)", "-", "*", "\u2022").
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[-*\u2022])\s+")


class RedactingStep(Step):
    """A step that redacts LLM output (Workbench's PII redactor) and keeps failures aside.

    Attributes:
        - pii: the PII config (``PiiConfig.from_mapping``), not serialised with the pipeline.
        - rejects_path: the run's rejects file (JSON lines), appended to by :meth:`reject`.
        - run_id: the run the rejects belong to.
    """

    pii: dict = Field(default_factory=dict, exclude=True)
    rejects_path: str = ""
    run_id: str = ""
    _redactor: Any = PrivateAttr(None)

    def load(self) -> None:
        super().load()
        self._redactor = redactor_for(self.pii)

    def redact(self, texts: list[str]) -> list:
        return self._redactor.redact_batch(texts, n_process=1) if texts else []

    def reject(self, entries: list[dict]) -> None:
        """Append to the rejects file, every text redacted first."""
        if not entries:
            return
        keys = ("instruction", "response", "raw_output")
        texts = [e[k] for e in entries for k in keys if isinstance(e.get(k), str) and e.get(k)]
        red = iter(self.redact(texts))
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        out = []
        for e in entries:
            e = dict(e)
            for k in keys:
                if isinstance(e.get(k), str) and e.get(k):
                    e[k] = next(red).text
            out.append({**e, "run": self.run_id, "rejected_at": now})
        storage.append_jsonl(Path(self.rejects_path), out)

class Families(RedactingStep):
    """Redact the prompts SelfInstruct / EvolInstruct wrote; a family = the seed and its variants.

    A failed request, or SelfInstruct output without ``num_instructions`` lines, puts the seed's
    variants of that stage in the rejects file; the seed itself always stays in its family.

    Attributes:
        - use_self_instruct, use_evol_instruct: whether those steps ran before this one.
        - num_instructions: the prompts SelfInstruct was asked for.

    Input columns:
        - seed_id (`str`): the seed's pool id.
        - instruction (`str`): the seed's prompt.
        - self_instructions (`List[str]`, with ``use_self_instruct``): SelfInstruct's prompts.
        - evolved_instruction (`str`, with ``use_evol_instruct``): EvolInstruct's rewrite.

    Output columns:
        - family (`List[str]`): the seed's prompt and its new variants (redacted), no repeats.
        - family_origins (`List[str]`): ``seed``, ``self-instruct`` or ``evol-instruct`` for each.
        - family_models (`List[str]`): the model that wrote each ("" for the seed).
        - family_pii (`List[str]`): each one's redaction counts by entity, as JSON.
    """

    use_self_instruct: bool = False
    use_evol_instruct: bool = False
    num_instructions: int = 3

    @property
    def inputs(self) -> StepColumns:
        cols = ["seed_id", "instruction"]
        if self.use_self_instruct:
            cols.append("self_instructions")
        if self.use_evol_instruct:
            cols.append("evolved_instruction")
        return cols

    @property
    def outputs(self) -> StepColumns:
        return ["family", "family_origins", "family_models", "family_pii"]

    def process(self, inputs: StepInput) -> StepOutput:  # type: ignore[override]
        rejects: list[dict] = []
        pending: list[tuple[int, str, str, str]] = []  # (row, text, origin, model)
        for i, row in enumerate(inputs):
            base = {"stage": "", "seed_id": row["seed_id"], "instruction": row["instruction"]}
            if self.use_self_instruct:
                model = row.get("self_instruct_model") or ""
                lines = row.get("self_instructions")
                raw = raw_output(row, "self_instruct")
                failure = llm_failure(raw) or next((llm_failure(x) for x in lines or [] if llm_failure(x)), None)
                if failure:
                    rejects.append({**base, "stage": "self-instruct", "model": model, "reason": failure})
                elif not lines or len(lines) != self.num_instructions:
                    rejects.append({**base, "stage": "self-instruct", "model": model,
                                    "raw_output": excerpt(raw if raw is not None else "\n".join(lines or [])),
                                    "reason": f"unparseable output: expected {self.num_instructions} queries, one per "
                                              f"line; got {len(lines or [])} line{'s' if len(lines or []) != 1 else ''}"})
                else:
                    for line in lines:
                        text = _NUMBERING.sub("", line).strip()
                        if text:
                            pending.append((i, text, "self-instruct", model))
            if self.use_evol_instruct:
                model = row.get("evol_model") or ""
                evolved = row.get("evolved_instruction")
                failure = llm_failure(evolved)
                if failure:
                    rejects.append({**base, "stage": "evol-instruct", "model": model, "reason": failure})
                elif not evolved or not str(evolved).strip():
                    rejects.append({**base, "stage": "evol-instruct", "model": model, "reason": "empty output"})
                else:
                    pending.append((i, str(evolved).strip(), "evol-instruct", model))
        redacted = self.redact([t for _, t, _, _ in pending])
        extra: dict[int, list] = {}
        for (i, _, origin, model), res in zip(pending, redacted):
            extra.setdefault(i, []).append((res.text, origin, model, json.dumps(res.counts_by_entity, sort_keys=True)))
        out = []
        for i, row in enumerate(inputs):
            members = [(row["instruction"], "seed", "", "{}")]
            seen = {row["instruction"]}
            for m in extra.get(i, []):
                if m[0] not in seen:
                    seen.add(m[0])
                    members.append(m)
            out.append({**{k: v for k, v in row.items() if k != "distilabel_metadata"},
                        "family": [m[0] for m in members], "family_origins": [m[1] for m in members],
                        "family_models": [m[2] for m in members], "family_pii": [m[3] for m in members]})
        self.reject(rejects)
        yield out

class Instructions(RedactingStep):
    """One row per prompt of each family, with its DEITA complexity when scored.

    A failed or unparseable ComplexityScorer output puts the whole family in the rejects file.

    Attributes:
        - scored: whether ComplexityScorer ran before this step.

    Input columns:
        - seed_id, seed_source (`str`): the seed's pool id and source.
        - response (`str`): the seed's own answer ("" when it has none).
        - family, family_origins, family_models, family_pii (`List[str]`): from :class:`Families`.
        - complexity_scores (`List[float]`, when ``scored``): one per family member.
        - complexity_model (`str`, when ``scored``).

    Output columns:
        - instruction (`str`): the prompt.
        - origin (`str`): ``seed``, ``self-instruct`` or ``evol-instruct``.
        - instruction_model (`str`), instruction_pii (`str`, JSON counts).
        - complexity_score (`float` or None), complexity_scale (`int`: family size + 1),
          complexity_model (`str`).
        - seed_response (`str`): the seed's own answer, on the seed's own prompt only.
    """

    scored: bool = False

    @property
    def inputs(self) -> StepColumns:
        cols = ["seed_id", "seed_source", "response", "family", "family_origins", "family_models", "family_pii"]
        return cols + (["complexity_scores", "complexity_model"] if self.scored else [])

    @property
    def outputs(self) -> StepColumns:
        return ["instruction", "origin", "instruction_model", "instruction_pii", "complexity_score",
                "complexity_scale", "complexity_model", "seed_response"]

    def process(self, inputs: StepInput) -> StepOutput:  # type: ignore[override]
        out, rejects = [], []
        for row in inputs:
            fam = list(row["family"])
            scores: list[Any] = row.get("complexity_scores") if self.scored else [None] * len(fam)
            if self.scored:
                raw = raw_output(row, "complexity")
                failure = llm_failure(raw)
                if failure or not scores or len(scores) != len(fam) or any(s is None for s in scores):
                    reason = failure or (f"unparseable output: expected '[i] Score: n' for {len(fam)} prompts")
                    for text, origin in zip(fam, row["family_origins"]):
                        rejects.append({"stage": "complexity", "seed_id": row["seed_id"], "instruction": text,
                                        "origin": origin, "model": row.get("complexity_model") or "",
                                        "reason": reason, "raw_output": None if failure else excerpt(raw)})
                    continue
            for j, text in enumerate(fam):
                out.append({
                    "seed_id": row["seed_id"], "seed_source": row["seed_source"], "instruction": text,
                    "origin": row["family_origins"][j], "instruction_model": row["family_models"][j],
                    "instruction_pii": row["family_pii"][j],
                    "complexity_score": None if scores[j] is None else float(scores[j]),
                    "complexity_scale": len(fam) + 1,
                    "complexity_model": (row.get("complexity_model") or "") if self.scored else "",
                    "seed_response": (row.get("response") or "") if row["family_origins"][j] == "seed" else "",
                })
        self.reject(rejects)
        yield out

class Responses(RedactingStep):
    """Redact the teachers' answers; with the seed's own answer they are the prompt's answers.

    A failed request or an empty answer goes to the rejects file; a prompt left with no answer at
    all is dropped.

    Attributes:
        - teachers: how many TextGeneration steps ran before this one.

    Input columns:
        - instruction (`str`), seed_response (`str`), seed_source (`str`).
        - answer_<i>, answer_model_<i> (`str`): teacher ``i``'s answer and model, for each teacher.

    Output columns:
        - responses (`List[str]`): the answers (redacted), the seed's own first.
        - response_models (`List[str]`): who wrote each (the seed's source for its own answer).
        - response_sources (`List[str]`): ``synthetic`` or the seed's source.
        - response_pii (`List[str]`): each answer's redaction counts by entity, as JSON.
    """

    teachers: int = 1

    @property
    def inputs(self) -> StepColumns:
        cols = ["instruction", "seed_response", "seed_source"]
        for i in range(self.teachers):
            cols += [f"answer_{i}", f"answer_model_{i}"]
        return cols

    @property
    def outputs(self) -> StepColumns:
        return ["responses", "response_models", "response_sources", "response_pii"]

    def process(self, inputs: StepInput) -> StepOutput:  # type: ignore[override]
        rejects, pending = [], []
        for r, row in enumerate(inputs):
            for i in range(self.teachers):
                text, model = row.get(f"answer_{i}"), row.get(f"answer_model_{i}") or ""
                failure = llm_failure(text)
                if failure or not text or not str(text).strip():
                    rejects.append({"stage": "teacher", "seed_id": row["seed_id"], "instruction": row["instruction"],
                                    "origin": row["origin"], "model": model, "reason": failure or "empty answer"})
                else:
                    pending.append((r, str(text).strip(), model))
        redacted = self.redact([t for _, t, _ in pending])
        answers: dict[int, list] = {}
        for (r, _, model), res in zip(pending, redacted):
            answers.setdefault(r, []).append((res.text, model, "synthetic", json.dumps(res.counts_by_entity, sort_keys=True)))
        out = []
        for r, row in enumerate(inputs):
            items = []
            if row.get("seed_response"):
                items.append((row["seed_response"], row["seed_source"], row["seed_source"], "{}"))
            items += answers.get(r, [])
            if not items:
                continue
            keep = {k: v for k, v in row.items() if not k.startswith("answer_") and k != "distilabel_metadata"}
            out.append({**keep, "responses": [x[0] for x in items], "response_models": [x[1] for x in items],
                        "response_sources": [x[2] for x in items], "response_pii": [x[3] for x in items]})
        self.reject(rejects)
        yield out

class Candidates(RedactingStep):
    """One row per (prompt, answer), with DEITA quality and the UltraFeedback judgement when scored.

    A failed or unparseable QualityScorer output rejects all of the prompt's answers; a missing
    or off-scale UltraFeedback rating rejects that answer.

    Attributes:
        - scored: whether QualityScorer ran before this step.
        - ultrafeedback: whether UltraFeedback ran before this step.

    Input columns:
        - instruction (`str`), responses, response_models, response_sources, response_pii
          (`List[str]`): from :class:`Responses`.
        - quality_scores (`List[float]`), quality_model (`str`): when ``scored``.
        - uf_ratings (`List[int]`), uf_rationales (`List[str]`), uf_model (`str`): when ``ultrafeedback``.

    Output columns:
        - response, generator, response_source (`str`), response_pii_one (`str`, JSON counts).
        - quality_score (`float` or None), quality_scale (`int`: answers + 1), quality_model (`str`).
        - judge_rating (`int` or None), judge_rationale (`str` or None), judge_model (`str`).
    """

    scored: bool = False
    ultrafeedback: bool = False

    @property
    def inputs(self) -> StepColumns:
        cols = ["instruction", "responses", "response_models", "response_sources", "response_pii"]
        if self.scored:
            cols += ["quality_scores", "quality_model"]
        if self.ultrafeedback:
            cols += ["uf_ratings", "uf_rationales", "uf_model"]
        return cols

    @property
    def outputs(self) -> StepColumns:
        return ["response", "generator", "response_source", "response_pii_one", "quality_score", "quality_scale",
                "quality_model", "judge_rating", "judge_rationale", "judge_model"]

    def process(self, inputs: StepInput) -> StepOutput:  # type: ignore[override]
        out, rejects = [], []
        for row in inputs:
            n = len(row["responses"])
            bad: dict[int, tuple[str, str, Any]] = {}  # answer index -> (stage, reason, raw)
            qs: list[Any] = [None] * n
            if self.scored:
                raw = raw_output(row, "quality")
                failure = llm_failure(raw)
                qs = row.get("quality_scores") or []
                if failure or len(qs) != n or any(q is None for q in qs):
                    reason = failure or f"unparseable output: expected '[i] Score: n' for {n} answers"
                    for j in range(n):
                        bad[j] = ("quality", reason, None if failure else raw)
                    qs = [None] * n
            ratings: list[Any] = [None] * n
            rationales: list[Any] = [None] * n
            if self.ultrafeedback:
                raw = raw_output(row, "ultrafeedback")
                failure = llm_failure(raw)
                ratings = list(row.get("uf_ratings") or [])
                rationales = list(row.get("uf_rationales") or [])
                ratings += [None] * (n - len(ratings))
                rationales += [None] * (n - len(rationales))
                for j in range(n):
                    if failure or ratings[j] is None or not 1 <= int(ratings[j]) <= 5:
                        bad.setdefault(j, ("judge", failure or f"unparseable output: no 'Rating: n' for text {j + 1}",
                                            None if failure else raw))
            for j in range(n):
                base = {"seed_id": row["seed_id"], "instruction": row["instruction"], "origin": row["origin"],
                        "response": row["responses"][j], "generator": row["response_models"][j]}
                if j in bad:
                    stage, reason, raw = bad[j]
                    model = row.get("quality_model") if stage == "quality" else row.get("uf_model")
                    rejects.append({**base, "stage": stage, "model": model or "", "reason": reason,
                                    "raw_output": None if raw is None else excerpt(raw)})
                    continue
                keep = {k: v for k, v in row.items() if k not in (
                    "responses", "response_models", "response_sources", "response_pii", "quality_scores",
                    "uf_ratings", "uf_rationales", "distilabel_metadata")}
                out.append({**keep, "response": row["responses"][j], "generator": row["response_models"][j],
                            "response_source": row["response_sources"][j], "response_pii_one": row["response_pii"][j],
                            "quality_score": None if qs[j] is None else float(qs[j]), "quality_scale": n + 1,
                            "quality_model": (row.get("quality_model") or "") if self.scored else "",
                            "judge_rating": None if ratings[j] is None else int(ratings[j]),
                            "judge_rationale": rationales[j],
                            "judge_model": (row.get("uf_model") or "") if self.ultrafeedback else ""})
        self.reject(rejects)
        yield out

class RubricJudge(TextGeneration):
    """distilabel's TextGeneration with the task's rubric as template; reads ``Rating``/``Rationale``.

    Attributes:
        - values: the question's scale; a rating off it is an unparseable output.

    Input columns:
        - the template's ``columns`` (``instruction`` and ``response``).

    Output columns:
        - judge_rating (`int` or None), judge_rationale (`str` or None).
        - judge_error (`str` or None): why there is no rating (a failed request, unparseable output).
        - model_name (`str`).
    """

    values: list[int] = Field(default_factory=list)

    @property
    def outputs(self) -> StepColumns:
        return ["judge_rating", "judge_rationale", "judge_error", "model_name"]

    def format_output(self, output: str | None, input: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[override]
        failure = llm_failure(output)
        if failure:
            return {"judge_rating": None, "judge_rationale": None, "judge_error": failure}
        res = parse_judgement(output, self.values)
        if isinstance(res, str):
            return {"judge_rating": None, "judge_rationale": None, "judge_error": f"unparseable output: {res}"}
        return {"judge_rating": res.rating, "judge_rationale": res.rationale, "judge_error": None}
