"""Expert review rounds: a sized sample of production output in front of the task's experts.

``workbench round create TASK --kind review [--per-annotator N | --margin M --confidence C]
[--by-label QUESTION]`` (:func:`create_review_round`, reached through
:func:`workbench.rounds.create_round`):

* reads from the history store every submitted production record of each annotator of the task
  (gold items left out: they measure annotators already), sizes each annotator's sample
  (:func:`workbench.analytics.review_sample.sample_sizes`: Cochran's formula with the
  finite-population correction, or a fixed number) and draws it
  (:func:`~workbench.analytics.review_sample.stratified_sample`, by annotator and, with
  ``--by-label``, by the annotator's answer to that question);
* creates the Argilla dataset ``<task>-review-r<N>`` in its **own workspace** ``<task>-review``,
  whose only members are the task's experts (roster role ``expert``): annotators are not added,
  and an annotator found there is removed, so they never see the dataset nor learn that a record
  is under review. One record per sampled item (an item drawn for two annotators is reviewed
  once), with the task's fields, metadata and questions; the answers of the annotator it was
  drawn for are shown as suggestions (agent: the annotator's username) for the expert to accept
  or correct. A hidden metadata property ``review_for`` lists every annotator the item was drawn
  for; ``min_submitted`` is 1 (one expert per record);
* records the round in the store under the task key ``<task>-review`` (kind ``review``), so that
  the task's own views (agreement, drift, gate, export) never count an expert's review as an
  annotator's answer, and a dashboard user who is not a member of ``<task>-review`` does not see
  it. :func:`workbench.sync.sync` pulls it like any round (``--task TASK`` includes it).

Reading the reviews back (:mod:`workbench.review_store`, re-exported here): :func:`review_answers` (the expert's current answer per item and
question), :func:`sampled_for` (which annotator each item was drawn for), :func:`accuracy_for_task`
(each annotator's accuracy against expert review, with Wilson's interval) and
:func:`review_gold_rows` (the expert's answers as rows of kind ``review`` for the export's final
labels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


from workbench.analytics import review_sample as core
from workbench.errors import BadInput
from workbench.review_store import (FINAL_KINDS, REVIEW_KIND, SAMPLED_FOR,  # noqa: F401 (re-exported)
                                    accuracy_for_task, production_answers, production_ids, review_answers,
                                    review_gold_rows, review_task, sampled_for)
from workbench.tasks import Task

#: Question kinds whose answer is shown to the expert as a suggestion (ranking and span answers are not).
SUGGESTED_KINDS = ("label", "multi_label", "rating", "text")
BATCH_SIZE = 100
PREFACE = ("> **Expert review.** Each record is a production record answered by an annotator; their answers are "
           "shown as suggestions. Accept them when they are right, correct them when they are not, then submit.")


@dataclass
class ReviewReport:
    task: str
    number: int
    dataset: str
    workspace: str
    dataset_id: str
    guideline_version: int
    experts: tuple
    sizes: dict  # annotator -> (records N, sample n)
    rule: str
    n_records: int
    logged: int
    resumed: bool
    by_label: str | None = None
    notes: list = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            f"{'resumed' if self.resumed else 'created'} review round {self.number} of {self.task}: dataset "
            f"{self.dataset} in workspace {self.workspace} (guideline v{self.guideline_version}), "
            f"visible to the experts {', '.join(self.experts)} only",
            f"  sample size: {self.rule}",
            f"  {'annotator':<20} {'records N':>9} {'sample n':>8}",
        ]
        lines += [f"  {a:<20} {N:>9} {n:>8}" for a, (N, n) in self.sizes.items()]
        lines.append(f"  {self.n_records} records to review ({sum(n for _, n in self.sizes.values())} draws; an item "
                     f"drawn for several annotators is reviewed once), {self.logged} logged now"
                     + (f"; stratified by the annotator's answer to {self.by_label}" if self.by_label else ""))
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _check_request(task: Task, *, per_annotator, margin, confidence, expected_accuracy, by_label) -> tuple[float, str]:
    """Validate the sizing options (BadInput naming the option); returns (p, the rule in words)."""
    p = 0.5 if expected_accuracy is None else core.check_share("--expected-accuracy", expected_accuracy, lo=0, hi=1)
    if per_annotator is not None:
        if margin is not None or confidence is not None:
            raise BadInput("--per-annotator and --margin/--confidence: give one of them (a fixed number of records "
                           "per annotator, or a margin and a confidence)")
        core.sample_sizes({}, per_annotator=per_annotator)
        rule = f"--per-annotator {per_annotator}: that many records per annotator (all of them when fewer)"
    else:
        margin = 0.05 if margin is None else margin
        confidence = 0.95 if confidence is None else confidence
        core.cochran_n0(margin, confidence, p)  # validates margin, confidence and p
        rule = f"margin {margin:g} at confidence {confidence:g}: " + core.formula_text(margin, confidence, p)
    if by_label is not None:
        q = next((q for q in task.questions if q.name == by_label), None)
        single = [q.name for q in task.questions if q.kind in ("label", "rating")]
        if q is None or q.kind not in ("label", "rating"):
            raise BadInput(f"--by-label: {by_label!r} is not a label or rating question of task {task.name!r} "
                           f"({task.source or 'task file'}; label and rating questions: {', '.join(single) or 'none'})")
    return p, rule


def create_review_round(cl, store, task: Task, *, per_annotator: int | None = None, margin: float | None = None,
                        confidence: float | None = None, expected_accuracy: float | None = None,
                        by_label: str | None = None, seed: int = 0, roster=None,
                        on_batch: Callable[[int], None] | None = None) -> ReviewReport:
    """Create (or resume) the next review round of ``task`` (see the module docstring).

    Raises
    ------
    BadInput
        Bad sizing options, no roster or no expert for the task in it, an expert missing from
        Argilla, no guideline published, no production round or no annotator with a submitted
        production record. Nothing is created then.
    """
    import argilla as rg

    from workbench import argilla_client
    from workbench.argilla_client import quiet
    from workbench.dataset_settings import settings_for
    from workbench.roster import known_task_names, last_synced_roster, role_of
    from workbench.rounds import dataset_name, task_key

    p, rule = _check_request(task, per_annotator=per_annotator, margin=margin, confidence=confidence,
                             expected_accuracy=expected_accuracy, by_label=by_label)
    if per_annotator is None:
        margin = 0.05 if margin is None else margin
        confidence = 0.95 if confidence is None else confidence
    key = review_task(task.name)
    if key in known_task_names():
        raise BadInput(f"task {task.name!r}: a task named {key!r} exists in the project, but {key!r} is the "
                       "workspace and store key of this task's review rounds: rename that task")
    if any(m.name == SAMPLED_FOR for m in task.metadata):
        raise BadInput(f"{task.source or task.name}: metadata: {SAMPLED_FOR!r} is reserved for review rounds")
    roster = roster if roster is not None else last_synced_roster()
    if roster is None:
        raise BadInput(f"task {task.name!r}: no roster: a review round goes to the task's experts; run "
                       "`workbench users sync ROSTER` (or pass --roster FILE)")
    experts = roster.experts(task.name)
    if not experts:
        raise BadInput(f"{roster.source}: no user with role 'expert' for task {task.name!r}: a review round needs one "
                       f"(add `- {{username: NAME, role: expert, tasks: [{task.name}]}}` and run `workbench users sync`)")
    expert_users = {}
    for e in experts:
        u = quiet(cl.users, e)
        if u is None:
            raise BadInput(f"{roster.source}: expert {e!r} of task {task.name!r} has no Argilla account: run "
                           "`workbench users sync ROSTER` first")
        expert_users[e] = u
    version = store.guideline_version_at(task_key(task.name), _now())
    if version is None:
        raise BadInput(f"task {task.name!r}: no guideline version is published for it: run "
                       f"`workbench guidelines publish {task.name} VERSION` first")
    gversion = task.load_guideline().get(version)

    if not production_ids(store, task.name):
        raise BadInput(f"task {task.name!r}: no production round in the history store: a review samples production "
                       f"records (`workbench round create {task.name} --kind production`, then `workbench sync`)")
    answers = production_answers(store, task)
    not_annotators = {e.username for e in roster if e.role != "annotator"}
    answers = answers[~answers["annotator"].isin(not_annotators)]
    records = answers.drop_duplicates(["annotator", "item"])[["annotator", "item"]]
    if by_label is not None:
        lab = answers[answers["question"] == by_label].drop_duplicates(["annotator", "item"])
        records = records.merge(lab[["annotator", "item", "value"]].rename(columns={"value": "stratum"}),
                                on=["annotator", "item"], how="left")
    population = records.groupby("annotator").size().to_dict()
    notes: list[str] = []
    everyone = sorted(set(roster.annotators(task.name)) | set(population))
    empty = [a for a in everyone if not population.get(a)]
    if not population:
        raise BadInput(f"task {task.name!r}: no annotator has a submitted production record in the history store "
                       f"(annotators: {', '.join(everyone) or 'none'}): answer a production round and run "
                       "`workbench sync` first")
    if empty:
        notes.append(f"skipped (no submitted production record): {', '.join(empty)}")
    sizes = core.sample_sizes(population, per_annotator=per_annotator, margin=margin, confidence=confidence, p=p)
    drawn = core.stratified_sample(records, sizes, seed=seed, stratum="stratum" if by_label else None)
    drawn_for = drawn.groupby("item", sort=False)["annotator"].agg(lambda s: sorted(map(str, s)))
    items = sorted(drawn_for.index, key=str)

    # content of the records as synced (latest round's copy of each item)
    content = store.records(dataset=production_ids(store, task.name))
    content = content.sort_values("round", kind="stable").drop_duplicates("item", keep="last").set_index("item")
    missing = [i for i in items if i not in content.index]
    if missing:
        raise BadInput(f"task {task.name!r}: {len(missing)} sampled records have no stored content: run "
                       "`workbench sync` (this version of Workbench stores fields and metadata)")
    kinds = {q.name: q.kind for q in task.questions}
    shown = answers[answers["question"].map(kinds).isin(SUGGESTED_KINDS)]
    by_pair = {(a, i, q): v for a, i, q, v in zip(shown["annotator"], shown["item"], shown["question"], shown["value"])}
    meta_names = {m.name for m in task.metadata}
    planned = []
    for item in items:
        row = content.loc[item]
        who = drawn_for[item]
        first = who[0]
        suggestions = [rg.Suggestion(question_name=q.name, value=by_pair[(first, item, q.name)], agent=first, type="human")
                       for q in task.questions if (first, item, q.name) in by_pair and by_pair[(first, item, q.name)] is not None]
        meta = {k: v for k, v in dict(row["metadata"] or {}).items() if k in meta_names and v is not None}
        meta[SAMPLED_FOR] = who
        planned.append((item, dict(row["fields"]), meta, suggestions))

    # ---- writes: workspace (experts only), dataset, records, then the round
    rounds = store.rounds(key)
    number = int(rounds["round"].max()) + 1 if len(rounds) else 1
    name = dataset_name(task.name, REVIEW_KIND, number)
    settings = settings_for(task, gversion, client=cl)
    settings.guidelines = PREFACE + "\n\n" + settings.guidelines
    settings.metadata.add(rg.TermsMetadataProperty(name=SAMPLED_FOR, title="Drawn for",
                                                   options=sorted(map(str, population)),
                                                   visible_for_annotators=False, client=cl))
    settings.distribution = rg.TaskDistribution(min_submitted=1)
    ws = argilla_client.ensure_workspace(cl, key)
    members = {u.username: u for u in ws.users}
    for e, u in expert_users.items():
        if e not in members:
            u.add_to_workspace(ws)
    removed = sorted(n for n, u in members.items() if n not in expert_users and role_of(u) == "annotator")
    for n in removed:
        members[n].remove_from_workspace(ws)
    if removed:
        notes.append(f"removed from workspace {key} (not experts of the task): {', '.join(removed)}")
    ds, created = argilla_client.ensure_dataset(cl, name, key, settings)
    have = set() if created else {str(r.id) for r in ds.records(batch_size=500)}
    todo = [t for t in planned if t[0] not in have]
    logged = 0
    for start in range(0, len(todo), BATCH_SIZE):
        batch = todo[start:start + BATCH_SIZE]
        ds.records.log([rg.Record(id=i, fields=f, metadata=m, suggestions=s) for i, f, m, s in batch])
        logged += len(batch)
        if on_batch is not None:
            on_batch(logged)
    store.record_round(task=key, round=number, kind=REVIEW_KIND, dataset=name, workspace=key,
                       dataset_id=str(ds.id), guideline_version=version)
    return ReviewReport(task.name, number, name, key, str(ds.id), version, tuple(experts),
                        {a: (int(population[a]), int(sizes[a])) for a in sorted(population, key=str)}, rule,
                        len(planned), logged, resumed=not created, by_label=by_label, notes=notes)


def _now():
    from workbench.store import utcnow

    return utcnow()
