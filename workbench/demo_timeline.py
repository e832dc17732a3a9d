"""The demo's simulated weeks: which records go into which round and week, who answers what, when.

``workbench up`` (:mod:`workbench.demo`) loads the demo project with a past: :data:`HISTORY_WEEKS`
weeks of simulated work that end the day before the demo was first loaded (the *anchor day*), so
that every page of the dashboard has something to show from the first minute. This module plans
that past; it does no I/O. The same seed and anchor day give the same plan, and the answers do not
depend on the anchor day at all (only their times move with it).

Times are UTC. Day 0 is the anchor day less ``7 * HISTORY_WEEKS`` days:

============================  ===============================================================
when                          what
============================  ===============================================================
day -3                        the expert (``dr-lee``) answers the calibration set: its gold
day 0, 08:00                  guideline v1 published; round 1 (calibration, v1) created
day 0, from 09:00             the calibration session: the 80 items, every annotator;
                              ``chloe`` systematically lenient (the gate fails on her)
day 1                         the expert answers :data:`GOLD_POOL` held-out production
                              candidates (``gold template`` / ``gold import``)
day 2                         round 2 (production, v1) opened past the failing gate
week w, day 7w - 1, 09:00     one production session: :data:`PER_WEEK` ordinary records and
                              :data:`GOLD_PER_WEEK` gold items, every annotator on every record
                              (the task's overlap is the team); weeks 1-3 in round 2
day 21                        guideline v2 published; round 3 (production, v2) opened
weeks 4-6                     round 3; from week :data:`DRIFT_WEEK` ``ben`` drifts (answers
                              as leniently as ``chloe``, who was never retrained)
============================  ===============================================================

Round 3 keeps records nobody has answered yet (ordinary and gold), so that a visitor can annotate.
The answers come from :func:`workbench.demo_data.simulate_calibration_responses` (the same model
of good and lenient annotators as the calibration round and the dashboard's pre-sync demo history,
:mod:`workbench.dashboard.demo_history`), the LLM judge's suggestions from
:func:`workbench.demo_data.judge_suggestions`. Gold is mixed in at 25% of a session, far above the
task's 5%, so that six weeks are enough for the drift charts to show something.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from workbench import demo_data

HISTORY_WEEKS = 6
#: Production weeks of each production round (round number -> weeks).
PRODUCTION_WEEKS = {2: (1, 2, 3), 3: (4, 5, 6)}
PER_WEEK = 24  # ordinary records answered per production week
GOLD_PER_WEEK = 8  # gold items answered per production week
GOLD_PENDING = 8  # gold items of round 3 nobody has answered yet
GOLD_POOL = GOLD_PER_WEEK * 6 + GOLD_PENDING  # held-out candidates the expert answered (day 1)
V2_WEEK = 4  # guideline v2 is published at the start of this week, and round 3 opens under it
DRIFTING = "ben"
DRIFT_WEEK = 5  # the drifting annotator answers leniently from this week on
SESSION_HOUR = 9


@dataclass(frozen=True)
class PlannedRound:
    """One round of the demo: its Argilla dataset, the guideline version it was created under, when,
    its records in the order they are logged (gold items mixed in), and the weeks it ran."""

    number: int
    kind: str
    dataset: str
    guideline_version: int
    created_at: dt.datetime
    records: tuple
    gold: frozenset
    weeks: tuple = ()

    @property
    def ids(self) -> set[str]:
        return {r.id for r in self.records}


@dataclass(frozen=True)
class DemoTimeline:
    """The demo's planned past (see the module notes).

    ``responses``: one row per judgement, ``item, annotator, question, value, time, round,
    guideline_version, week`` (week 0: the calibration session). ``gold``: ``item, question,
    value, set_at``. ``suggestions``: ``(round, record, question, value, score)``.
    ``publications``: task-wide guideline publications, ``(version, published_at)``.
    """

    anchor_day: dt.date
    start: dt.datetime
    rounds: tuple
    responses: pd.DataFrame
    gold: pd.DataFrame
    suggestions: tuple
    publications: tuple

    def round(self, number: int) -> PlannedRound:
        return next(r for r in self.rounds if r.number == number)

    @property
    def end(self) -> dt.datetime:
        """The last simulated answer."""
        return self.responses["time"].max().to_pydatetime()

    def response_times(self, number: int) -> dict[tuple[str, str], dt.datetime]:
        """``(item, annotator) -> time`` of round ``number``'s simulated answers."""
        r = self.responses[self.responses["round"] == number].drop_duplicates(["item", "annotator"])
        return {(i, a): t.to_pydatetime() for i, a, t in zip(r["item"], r["annotator"], r["time"])}

    def record_times(self, number: int) -> dict[str, tuple[dt.datetime, dt.datetime]]:
        """``item -> (inserted_at, updated_at)`` of round ``number``'s records: logged when the round
        was created (a millisecond apart, in logging order), updated when their last answer came
        (records nobody answered: when they were logged)."""
        rnd = self.round(number)
        last: dict[str, dt.datetime] = {}
        for (item, _), t in self.response_times(number).items():
            last[item] = max(t, last.get(item, t))
        out = {}
        for k, rec in enumerate(rnd.records):
            logged = rnd.created_at + dt.timedelta(milliseconds=k)
            out[rec.id] = (logged, last.get(rec.id, logged))
        return out

    def suggestion_time(self, number: int) -> dt.datetime:
        """When the LLM judge's suggestions were logged with round ``number``'s records."""
        return self.round(number).created_at + dt.timedelta(minutes=5)


def history_start(anchor_day: dt.date) -> dt.datetime:
    """Day 0 of the demo's past, midnight UTC: :data:`HISTORY_WEEKS` weeks before ``anchor_day``."""
    midnight = dt.datetime(anchor_day.year, anchor_day.month, anchor_day.day, tzinfo=dt.timezone.utc)
    return midnight - dt.timedelta(weeks=HISTORY_WEEKS)


def session_start(start: dt.datetime, week: int) -> dt.datetime:
    """When production week ``week`` (1..:data:`HISTORY_WEEKS`) is answered: day ``7 * week - 1``."""
    return start + dt.timedelta(days=7 * week - 1, hours=SESSION_HOUR)


def plan(anchor_day: dt.date, calibration: Sequence, production: Sequence, *, task: str, annotators: Sequence[str],
         inconsistent: str, seed: int, latest_version: int) -> DemoTimeline:
    """The demo's past ending the day before ``anchor_day`` (see the module notes).

    ``calibration``: the calibration set (round 1, as ever); ``production``: the other records, of
    which :data:`GOLD_POOL` become held-out gold (a stratified pick,
    :func:`~workbench.demo_data.select_calibration_items`) and the rest ordinary production items.
    Round 3 runs under ``latest_version`` (the task's latest guideline).
    """
    from workbench.rounds import dataset_name, mix_production

    annotators = tuple(annotators)
    start = history_start(anchor_day)
    gold_pool = demo_data.select_calibration_items(list(production), GOLD_POOL, seed=seed)
    gold_ids = {r.id for r in gold_pool}
    regular = [r for r in production if r.id not in gold_ids]
    n_weeks = {n: len(w) for n, w in PRODUCTION_WEEKS.items()}

    rounds = [PlannedRound(1, "calibration", dataset_name(task, "calibration", 1), 1,
                           start + dt.timedelta(hours=8, minutes=30), tuple(calibration), frozenset(), (0,))]
    batches: dict[int, tuple[list, list]] = {}  # week -> (ordinary, gold) records answered that week
    used_regular = used_gold = 0
    for number, weeks in PRODUCTION_WEEKS.items():
        last = number == max(PRODUCTION_WEEKS)
        reg_end = len(regular) if last else used_regular + PER_WEEK * n_weeks[number]
        gold_end = len(gold_pool) if last else used_gold + GOLD_PER_WEEK * n_weeks[number]
        reg, gold = regular[used_regular:reg_end], gold_pool[used_gold:gold_end]
        for k, week in enumerate(weeks):
            batches[week] = (reg[k * PER_WEEK:(k + 1) * PER_WEEK], gold[k * GOLD_PER_WEEK:(k + 1) * GOLD_PER_WEEK])
        used_regular, used_gold = reg_end, gold_end
        name = dataset_name(task, "production", number)
        version = 1 if weeks[0] < V2_WEEK else latest_version
        opened = (start + dt.timedelta(days=2, hours=8) if weeks[0] == 1
                  else start + dt.timedelta(days=7 * (weeks[0] - 1), hours=8, minutes=30))
        rounds.append(PlannedRound(number, "production", name, version, opened, tuple(mix_production(name, reg, gold)),
                                   frozenset(r.id for r in gold), tuple(weeks)))

    frames = []
    cal = demo_data.simulate_calibration_responses(
        list(calibration), annotators=annotators, inconsistent=inconsistent, seed=seed, round=1, guideline_version=1,
        start=start + dt.timedelta(hours=SESSION_HOUR), include_critique=True)
    frames.append(cal.responses.assign(week=0))
    for rnd in rounds[1:]:
        for week in rnd.weeks:
            reg, gold = batches[week]
            deviating = [inconsistent] + ([DRIFTING] if week >= DRIFT_WEEK else [])
            sim = demo_data.simulate_calibration_responses(
                reg + gold, annotators=annotators, inconsistent=deviating, seed=seed * 1000 + week, round=rnd.number,
                guideline_version=rnd.guideline_version, start=session_start(start, week), include_critique=True)
            frames.append(sim.responses.assign(week=week))
    responses = pd.concat(frames, ignore_index=True)

    gold = pd.concat([
        demo_data.expert_gold(list(calibration)).assign(set_at=start - dt.timedelta(days=3) + dt.timedelta(hours=10)),
        demo_data.expert_gold(gold_pool).assign(set_at=start + dt.timedelta(days=1, hours=10)),
    ], ignore_index=True)[["item", "question", "value", "set_at"]]

    suggestions: list[tuple[int, demo_data.DemoRecord, str, Any, float]] = []
    for rnd in rounds[1:]:
        rng = np.random.default_rng([seed, rnd.number])
        suggestions.extend((rnd.number, rec, q, v, s) for rec, q, v, s in demo_data.judge_suggestions(rnd.records, rng))

    publications = ((1, start + dt.timedelta(hours=8)),
                    (latest_version, start + dt.timedelta(days=7 * (V2_WEEK - 1), hours=8)))
    return DemoTimeline(anchor_day=anchor_day, start=start, rounds=tuple(rounds), responses=responses, gold=gold,
                        suggestions=tuple(suggestions), publications=publications)
