"""Generate tests/data/gate_pinned.json: the whole result of the calibration gate
(``evaluate_gate``: every field of the ``GateResult``, its ``to_dict`` and the report
``format_gate`` prints) on a grid of seeded rounds, read by tests/test_gate_pinned.py.

The fixture was first produced from the code *before* the refactor of issue #18
(``evaluate_gate`` split into steps with typed evidence; no behaviour change intended), so that
the refactor is checked against what the code did, not against itself. Regenerate it only for a
deliberate change of behaviour, and say which entries changed and why (``--only`` rewrites the
entries whose key contains a given text and keeps the rest as they are).

Usage::

    python tests/data/make_gate_pinned.py            # rewrite the whole fixture
    python tests/data/make_gate_pinned.py --check    # compare only, print the differing keys
    python tests/data/make_gate_pinned.py --only review/

The rounds are simulated here, with their own seeded generator (not the demo's), on a task
built here (not read from tasks/): a rating question (interval), an ordinal label question, a
multi-label question (MASI) and a text question (not gated). The grid: a team that passes, and
one failing on each check (alpha, alpha's lower bound, an annotator against gold, no gold, an
annotator who answered no gold item, fewer than two annotators, alpha undefined, an empty round,
expert review below its bar, on its point estimate and on its interval), each passing team with
and without gold and with and without review, the ``n_boot=0`` gate that a production round
asks for before it opens (and may then be forced past), the shell's answers for a task without
a calibration round and for its latest one, and the two bad inputs. Two seeds where a result
depends on the draw.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pinned_json import jsonable  # noqa: E402

from workbench.errors import BadInput  # noqa: E402
from workbench.gate import evaluate_gate, format_gate, gate_for_task  # noqa: E402
from workbench.tasks import CalibrationPolicy, Field, Label, Question, Task, Thresholds  # noqa: E402

FIXTURE = Path(__file__).with_name("gate_pinned.json")

SCALE = (1, 2, 3, 4, 5)
SAFETY = ("safe", "needs-caveat", "unsafe")
ISSUES = ("none", "factual-error", "missing-caveat", "overconfident", "off-topic")


def make_task(*, bars: dict | None = None, min_review_accuracy: float | None = None) -> Task:
    """The task every run judges: three gated questions and a text one. ``bars`` overrides a
    question's thresholds (``{"quality": [reliable, tentative, min_gold]}``)."""
    questions = (
        Question("quality", "rating", "Quality", "interval", values=SCALE),
        Question("safety", "label", "Safety", "ordinal", labels=tuple(Label(v, v) for v in SAFETY), ordinal=True,
                 order=SAFETY),
        Question("issues", "multi_label", "Issues", "masi", labels=tuple(Label(v, v) for v in ISSUES)),
        Question("critique", "text", "Critique", "none", required=False),
    )
    defaults = {"quality": [0.8, 0.667, 0.75], "safety": [0.8, 0.667, 0.85], "issues": [0.7, 0.6, 0.75]}
    defaults.update(bars or {})
    thresholds = tuple((q, Thresholds(*v)) for q, v in defaults.items())
    return Task(name="pinned-gate", title="Pinned gate", description="", guideline="pinned-gate",
                fields=(Field("text", "Text"),), questions=questions,
                calibration=CalibrationPolicy(thresholds=thresholds, min_review_accuracy=min_review_accuracy))


def simulate(*, n_items: int = 40, annotators=("ana", "ben", "chloe"), noise: float = 0.08, deviant: str | None = None,
             seed: int = 0, versions=(1,), only_items: dict | None = None, constant: bool = False):
    """A calibration round and its truth: tidy responses (with a text question, times and
    guideline versions) and the true answer of every item and question.

    Each annotator answers each item; with probability ``noise`` (0.55 for the ``deviant``, who
    also rates a point too high) an answer moves off the truth: a rating by one point, a label
    to a neighbour, a set of labels by one label more or less. ``only_items`` restricts an
    annotator to some items (``{"dan": [0, 1]}``); ``constant`` gives every answer the same
    value (alpha undefined)."""
    rng = np.random.default_rng(seed)
    items = [f"it{i:03d}" for i in range(n_items)]
    truth = {}
    for it in items:
        k = rng.integers(0, 3)
        truth[(it, "quality")] = int(SCALE[min(4, max(0, int(rng.integers(0, 5))))])
        truth[(it, "safety")] = SAFETY[int(k)]
        labels = sorted(rng.choice(ISSUES[1:], size=int(rng.integers(0, 3)), replace=False).tolist())
        truth[(it, "issues")] = labels or ["none"]
    rows = []
    for a_i, a in enumerate(annotators):
        p = 0.55 if a == deviant else noise
        mine = only_items.get(a, range(n_items)) if only_items else range(n_items)
        for i in mine:
            it = items[i]
            version = versions[i % len(versions)]
            t0 = pd.Timestamp("2026-03-02 09:00", tz="UTC") + pd.Timedelta(minutes=7 * i + a_i)
            q = truth[(it, "quality")]
            if constant:
                q = 3
            elif rng.random() < p:
                q = int(np.clip(q + (1 if a == deviant else rng.choice([-1, 1])), 1, 5))
            s = truth[(it, "safety")]
            if constant:
                s = "safe"
            elif rng.random() < p:
                s = SAFETY[min(2, SAFETY.index(s) + 1)] if a == deviant else SAFETY[int(rng.integers(0, 3))]
            iss = list(truth[(it, "issues")])
            if constant:
                iss = ["none"]
            elif rng.random() < p:
                extra = str(rng.choice(ISSUES[1:]))
                iss = sorted(set(iss) - {"none"} ^ {extra}) or ["none"]
            rows += [(it, a, "quality", q, t0, version), (it, a, "safety", s, t0, version),
                     (it, a, "issues", iss, t0, version)]
            if i % 5 == 0:
                rows.append((it, a, "critique", f"note {i}", t0, version))
    responses = pd.DataFrame(rows, columns=["item", "annotator", "question", "value", "time", "guideline_version"])
    return responses, truth, items


def gold_table(truth: dict, items: list, spec: str) -> pd.DataFrame | None:
    """Gold: ``none`` (None), ``empty`` (a table with no row), ``all``, ``half`` (every other
    item), ``quality`` (that question only)."""
    if spec == "none":
        return None
    if spec == "empty":
        return pd.DataFrame(columns=["item", "question", "value"])
    keep = {"all": items, "half": items[::2], "quality": items}[spec]
    qs = ("quality",) if spec == "quality" else ("quality", "safety", "issues")
    return pd.DataFrame([(it, q, truth[(it, q)]) for it in keep for q in qs], columns=["item", "question", "value"])


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def review_table(spec: list | None) -> pd.DataFrame | None:
    """Accuracy against expert review (``review_accuracy``'s columns) from ``[annotator,
    question, n_reviewed, n_accepted, interval?]`` rows; ``interval`` false leaves it NaN."""
    if spec is None:
        return None
    rows = []
    for annotator, question, n, k, *interval in spec:
        low, high = _wilson(k, n) if n and (not interval or interval[0]) else (math.nan, math.nan)
        rows.append((annotator, question, n, k, n - k, k / n if n else math.nan, low, high))
    return pd.DataFrame(rows, columns=["annotator", "question", "n_reviewed", "n_accepted", "n_corrected", "accuracy",
                                       "low", "high"])


class FakeStore:
    """What :func:`workbench.gate.gate_for_task` reads of the history store: rounds, tidy, gold."""

    def __init__(self, rounds: pd.DataFrame, responses: dict, gold: pd.DataFrame | None):
        self._rounds, self._responses, self._gold = rounds, responses, gold

    def rounds(self, task):
        return self._rounds

    def tidy(self, task, dataset):
        return self._responses[dataset]

    def gold(self, task):
        return self._gold if self._gold is not None else pd.DataFrame(columns=["item", "question", "value"])


PASSING_BARS = {"safety": [0.6, 0.5, 0.7], "issues": [0.5, 0.4, 0.7], "quality": [0.7, 0.6, 0.7]}
GOOD_REVIEW = [["ana", "quality", 50, 47], ["ben", "quality", 50, 45], ["chloe", "quality", 40, 38],
               ["ana", "safety", 50, 46], ["ben", "safety", 50, 48], ["chloe", "safety", 40, 39]]
BAD_REVIEW = GOOD_REVIEW[:2] + [["chloe", "quality", 40, 29], ["chloe", "safety", 40, 30],
                                ["ben", "critique", 10, 1], ["dan", "quality", 3, 1, False]]


def grid() -> list[dict]:
    """The runs: keyword arguments of :func:`run`, with a key naming each."""
    runs = []

    def add(key, **kw):
        runs.append({"key": key, **kw})

    for seed in (1, 2):
        for gold in ("all", "none"):
            for review in ("none", "good"):
                for criterion in ("point", "lower"):
                    add(f"pass-team/{gold}-gold/{review}-review/{criterion}/seed={seed}", seed=seed, gold=gold,
                        review=review, criterion=criterion, bars=PASSING_BARS,
                        min_review_accuracy=0.8 if review != "none" else None)
    for seed in (1, 2):
        add(f"fail-gold/deviant/seed={seed}", seed=seed, deviant="chloe", bars=PASSING_BARS)
        add(f"fail-gold/deviant/lower/seed={seed}", seed=seed, deviant="chloe", criterion="lower")
        add(f"fail-alpha/noisy-team/seed={seed}", seed=seed, noise=0.45,
            bars={"quality": [0.8, 0.667, 0.0], "safety": [0.8, 0.667, 0.0], "issues": [0.7, 0.6, 0.0]})
        add(f"fail-alpha/default-bars/seed={seed}", seed=seed + 2, noise=0.2)
    for criterion in ("point", "lower"):  # the bars between alpha's lower bound and alpha
        add(f"fail-lower/bound-below-bar/{criterion}", seed=3, noise=0.15, criterion=criterion, n_items=25,
            bars={"quality": [0.85, 0.6, 0.5], "safety": [0.7, 0.5, 0.5], "issues": [0.6, 0.4, 0.5]})
    add("fail-lower/interval-undefined/n_boot=0", seed=1, criterion="lower", n_boot=0, bars=PASSING_BARS)
    add("gold/half", seed=1, gold="half", bars=PASSING_BARS)
    add("gold/quality-only", seed=1, gold="quality", bars=PASSING_BARS)
    add("gold/empty-table", seed=1, gold="empty", bars=PASSING_BARS)
    add("gold/annotator-answered-no-gold-item", seed=1, gold="half", bars=PASSING_BARS,
        annotators=["ana", "ben", "chloe", "dan"], only_items={"dan": [1, 3, 5, 7, 9, 11]})
    add("one-annotator/on-every-question", seed=1, annotators=["ana"], bars=PASSING_BARS)
    add("one-annotator/on-one-question", seed=1, drop_answers=[["ben", "safety"], ["chloe", "safety"]],
        bars=PASSING_BARS)
    add("alpha-undefined/constant-answers", seed=1, constant=True, bars=PASSING_BARS)
    add("empty-round", seed=1, empty=True)
    add("empty-round/with-review", seed=1, empty=True, review="bad", min_review_accuracy=0.8)
    for criterion in ("point", "lower"):
        add(f"review/below-bar/{criterion}", seed=1, review="bad", min_review_accuracy=0.8, bars=PASSING_BARS,
            criterion=criterion)
        add(f"review/below-bar/with-deviant/{criterion}", seed=2, deviant="chloe", review="bad",
            min_review_accuracy=0.8, criterion=criterion)
    add("review/bar-set-no-review-yet", seed=1, review="none", min_review_accuracy=0.8, bars=PASSING_BARS)
    add("review/bar-set-empty-review", seed=1, review="empty", min_review_accuracy=0.8, bars=PASSING_BARS)
    add("review/no-bar-review-ignored", seed=1, review="bad", bars=PASSING_BARS)
    for seed in (1, 2):  # what a production round asks before it opens (and may be forced past)
        add(f"before-production/n_boot=0/pass/seed={seed}", seed=seed, n_boot=0, bars=PASSING_BARS)
        add(f"before-production/n_boot=0/fail/seed={seed}", seed=seed, n_boot=0, deviant="ben")
    add("meta/recalibration-two-versions", seed=2, versions=[1, 2], bars=PASSING_BARS, kind="recalibration",
        round_number=3, dataset="pinned-gate-r3", ci=0.9, n_boot=150, boot_seed=7)
    add("meta/no-versions", seed=2, versions=None, bars=PASSING_BARS, kind=None, round_number=None, dataset=None)
    add("shell/no-calibration-round", seed=1, shell="no-round")
    add("shell/latest-calibration-round", seed=1, shell="latest", bars=PASSING_BARS)
    add("bad-input/criterion", seed=1, criterion="median")
    add("bad-input/missing-columns", seed=1, drop_columns=["annotator", "value"])
    return runs


def run(key=None, *, seed, gold="all", review="none", criterion="point", bars=None, min_review_accuracy=None,
        deviant=None, noise=0.08, n_items=40, annotators=("ana", "ben", "chloe"), only_items=None, constant=False,
        versions=(1,), empty=False, n_boot=100, boot_seed=0, ci=0.95, kind="calibration", round_number=1,
        dataset="pinned-gate-r1", shell=None, drop_columns=None, drop_answers=None) -> dict:
    """One gate, JSON-ready: ``result`` (every field), ``dict`` (``to_dict``) and ``text``
    (``format_gate``), or ``error`` (the BadInput message)."""
    task = make_task(bars=bars, min_review_accuracy=min_review_accuracy)
    responses, truth, items = simulate(n_items=n_items, annotators=tuple(annotators), noise=noise, deviant=deviant,
                                       seed=seed, versions=tuple(versions or (1,)), only_items=only_items,
                                       constant=constant)
    if versions is None:
        responses = responses.drop(columns=["guideline_version"])
    for annotator, question in drop_answers or ():
        responses = responses[~((responses["annotator"] == annotator) & (responses["question"] == question))]
    if empty:
        responses = responses.iloc[:0]
    if drop_columns:
        responses = responses.drop(columns=drop_columns)
    g = gold_table(truth, items, gold)
    rev = review_table({"none": None, "empty": GOOD_REVIEW[:0], "good": GOOD_REVIEW, "bad": BAD_REVIEW}[review])
    try:
        if shell == "no-round":
            store = FakeStore(pd.DataFrame(columns=["round", "kind", "dataset", "created_at"]), {}, g)
            result = gate_for_task(store, task, criterion=criterion, n_boot=n_boot)
        elif shell == "latest":
            rounds = pd.DataFrame({
                "round": [1, 2, 3, 4], "kind": ["calibration", "recalibration", "production", "review"],
                "dataset": ["d1", "d2", "d3", "d4"],
                "created_at": pd.to_datetime(["2026-03-01", "2026-03-08", "2026-03-15", "2026-03-22"])})
            other, _, _ = simulate(seed=seed + 100, deviant="chloe")
            store = FakeStore(rounds, {"d1": other, "d2": responses}, g)
            result = gate_for_task(store, task, criterion=criterion, n_boot=n_boot, seed=boot_seed)
        else:
            result = evaluate_gate(task, responses, g, round_number=round_number, dataset=dataset, kind=kind,
                                   criterion=criterion, n_boot=n_boot, ci=ci, seed=boot_seed, review=rev)
    except BadInput as e:
        return {"error": str(e)}
    return json.loads(json.dumps({"result": jsonable(result), "dict": result.to_dict(), "text": format_gate(result)}))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="compare with the fixture, write nothing")
    p.add_argument("--only", default=None, help="recompute only the entries whose key contains this")
    args = p.parse_args(argv)
    old = {e["key"]: e for e in json.loads(FIXTURE.read_text())["runs"]} if FIXTURE.exists() else {}
    entries, changed = [], []
    for r in grid():
        if args.only is not None and args.only not in r["key"] and r["key"] in old:
            entries.append(old[r["key"]])
            continue
        out = run(**r)
        if r["key"] in old and old[r["key"]]["out"] != out:
            changed.append(r["key"])
        entries.append({**r, "out": out})
    for key in changed:
        print(f"changed: {key}")
    if args.check:
        return 1 if changed else 0
    note = ("Produced by tests/data/make_gate_pinned.py, first from the code before the refactor of issue #18;"
            " see that script.")
    tmp = FIXTURE.with_suffix(".json.tmp")
    lines = [json.dumps(e, sort_keys=True) for e in entries]  # one run a line: a change shows as its line
    tmp.write_text('{"note": ' + json.dumps(note) + ',\n "runs": [\n' + ",\n".join(lines) + "\n]}\n")
    tmp.replace(FIXTURE)
    print(f"wrote {FIXTURE} ({len(entries)} runs, {len(changed)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
