"""The calibration gate: alpha vs thresholds, each annotator vs gold, the store shell and the CLI."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from workbench import demo, demo_data
from workbench.gate import evaluate_gate, format_gate, gate_for_task
from workbench.tasks import CalibrationPolicy, Field, Question, Task, Thresholds, find_task


def _task(reliable=0.8, tentative=0.667, min_gold=0.75, questions=None, thresholds=None) -> Task:
    questions = questions or (Question("q", "rating", "Q", "interval", values=(1, 2, 3, 4, 5)),)
    thresholds = thresholds or tuple((q.name, Thresholds(reliable, tentative, min_gold)) for q in questions)
    return Task(name="t", title="t", description="", guideline="t", fields=(Field("text", "Text"),),
                questions=questions, calibration=CalibrationPolicy(thresholds=thresholds))


def _tidy(answers: dict[str, list], question: str = "q") -> pd.DataFrame:
    rows = [(f"i{i}", a, question, v) for a, vals in answers.items() for i, v in enumerate(vals) if v is not None]
    return pd.DataFrame(rows, columns=["item", "annotator", "question", "value"])


def _gold(values: list, question: str = "q") -> pd.DataFrame:
    return pd.DataFrame({"item": [f"i{i}" for i in range(len(values))], "question": question, "value": values})


@pytest.fixture(scope="module")
def medical():
    return find_task("medical-qa-rating")


@pytest.fixture(scope="module")
def calibration_items():
    records = demo_data.generate_records(demo.N_RECORDS, seed=demo.DEMO_SEED)
    return demo_data.select_calibration_items(records, 40, seed=demo.DEMO_SEED)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inconsistent_annotator_is_named_on_every_question(medical, calibration_items, seed):
    sim = demo_data.simulate_calibration_responses(calibration_items, inconsistent="chloe", seed=seed)
    result = evaluate_gate(medical, sim.responses, sim.gold, n_boot=200)
    assert not result.passed
    assert "chloe" in result.failing_annotators
    failed = {(a.annotator, a.question) for a in result.annotators if not a.passed}
    assert {("chloe", q) for q in ("quality", "safety", "issues")} <= failed
    assert any(r.startswith("chloe: quality: agreement with gold") for r in result.reasons)
    # text questions have no agreement level and are not gated
    assert [q.question for q in result.questions] == ["quality", "safety", "issues"]


def test_gold_agreement_is_exact_match_share(medical, calibration_items):
    sim = demo_data.simulate_calibration_responses(calibration_items, inconsistent="chloe", seed=3)
    result = evaluate_gate(medical, sim.responses, sim.gold, n_boot=0)
    gold = {(r.item, r.question): r.value for r in sim.gold.itertuples()}
    for a in result.annotators:
        mine = sim.responses[(sim.responses.annotator == a.annotator) & (sim.responses.question == a.question)]
        same = [gold[(r.item, a.question)] == r.value for r in mine.itertuples()]
        assert a.n_gold == len(same)
        assert a.agreement == pytest.approx(np.mean(same))
        # safety has its own stricter bar in the task file
        assert a.min_gold_agreement == (0.85 if a.question == "safety" else 0.75)
        assert a.passed == (np.mean(same) >= a.min_gold_agreement)


def test_alpha_is_krippendorffs_and_the_threshold_is_inclusive():
    answers = {"x": [1, 2, 3, 4, 5, 1, 2, 3], "y": [1, 2, 3, 4, 4, 1, 2, 3], "z": [2, 2, 3, 4, 5, 1, 3, 3]}
    reference = krippendorff.alpha(reliability_data=np.array(list(answers.values()), dtype=float),
                                   level_of_measurement="interval")
    gold = _gold([1, 2, 3, 4, 5, 1, 2, 3])
    at = evaluate_gate(_task(reliable=reference, tentative=0.5, min_gold=0.6), _tidy(answers), gold, n_boot=0)
    assert at.questions[0].alpha == pytest.approx(reference, abs=1e-12)
    assert at.passed, at.reasons
    above = evaluate_gate(_task(reliable=reference + 1e-6, tentative=0.5, min_gold=0.6), _tidy(answers), gold, n_boot=0)
    assert not above.passed
    assert above.reasons[0].startswith("q: alpha ") and "below alpha_reliable" in above.reasons[0]
    assert above.failing_annotators == ()


def test_lower_bound_criterion_is_stricter():
    rng = np.random.default_rng(5)
    truth = rng.integers(1, 6, size=30)
    answers = {a: [int(np.clip(v + (rng.random() < 0.25) * rng.choice([-1, 1]), 1, 5)) for v in truth] for a in "xyz"}
    df, gold = _tidy(answers), _gold([int(v) for v in truth])
    point = evaluate_gate(_task(reliable=0.0, tentative=0.0, min_gold=0.0), df, gold, n_boot=300, seed=1)
    q = point.questions[0]
    assert q.low < q.alpha < q.high
    threshold = (q.low + q.alpha) / 2  # between the lower bound and the point estimate
    by_point = evaluate_gate(_task(reliable=threshold, tentative=0.0, min_gold=0.0), df, gold, n_boot=300, seed=1)
    by_lower = evaluate_gate(_task(reliable=threshold, tentative=0.0, min_gold=0.0), df, gold, n_boot=300, seed=1,
                             criterion="lower")
    assert by_point.passed and not by_lower.passed
    assert "lower bound" in by_lower.reasons[0]


def test_without_gold_the_gate_cannot_pass():
    answers = {"x": [1, 2, 3, 4, 5], "y": [1, 2, 3, 4, 5]}
    result = evaluate_gate(_task(), _tidy(answers), None, n_boot=0)
    assert result.questions[0].passed  # perfect agreement...
    assert not result.passed  # ...but no gold to check the annotators against
    assert any("no gold answers" in r for r in result.reasons)
    # gold exists, but one annotator answered none of the gold items
    answers = {"x": [1, 2, 3, 4, 5, None, None], "y": [1, 2, 3, 4, 5, 1, 2], "w": [None] * 5 + [1, 2]}
    gold = _gold([1, 2, 3, 4, 5])
    result = evaluate_gate(_task(min_gold=0.5), _tidy(answers), gold, n_boot=0)
    assert result.failing_annotators == ("w",)
    assert any(r.startswith("w: q: answered no gold item") for r in result.reasons)


def test_per_question_thresholds_come_from_the_task():
    from workbench.tasks import Label

    questions = (
        Question("a", "label", "A", "nominal", labels=(Label("p", "p"), Label("n", "n"))),
        Question("b", "label", "B", "nominal", labels=(Label("p", "p"), Label("n", "n"))),
    )
    thresholds = (("a", Thresholds(0.0, 0.0, 0.8)), ("b", Thresholds(0.0, 0.0, 0.9)))
    task = _task(questions=questions, thresholds=thresholds)
    truth = ["p", "n"] * 5
    off = ["n", "n"] + truth[2:]  # 9 of 10 right
    df = pd.concat([_tidy({"x": truth, "y": off}, "a"), _tidy({"x": truth, "y": off}, "b")])
    gold = pd.concat([_gold(truth, "a"), _gold(truth, "b")])
    result = evaluate_gate(task, df, gold, n_boot=0)
    verdicts = {(a.annotator, a.question): a.passed for a in result.annotators}
    assert verdicts == {("x", "a"): True, ("y", "a"): True, ("x", "b"): True, ("y", "b"): True}
    thresholds = (("a", Thresholds(0.0, 0.0, 0.8)), ("b", Thresholds(0.0, 0.0, 0.95)))
    result = evaluate_gate(_task(questions=questions, thresholds=thresholds), df, gold, n_boot=0)
    assert [(a.annotator, a.question) for a in result.annotators if not a.passed] == [("y", "b")]
    assert result.reasons == ("y: b: agreement with gold 0.900 is below min_gold_agreement 0.950 (9 of 10 gold items exact)",)


def test_empty_round_and_bad_criterion():
    from workbench.errors import BadInput

    empty = pd.DataFrame(columns=["item", "annotator", "question", "value"])
    result = evaluate_gate(_task(), empty, None)
    assert not result.passed and "no submitted responses" in result.reasons[0]
    with pytest.raises(BadInput, match="criterion"):
        evaluate_gate(_task(), empty, None, criterion="median")


def test_json_is_strict_and_complete(medical, calibration_items):
    sim = demo_data.simulate_calibration_responses(calibration_items, inconsistent="chloe", seed=0)
    result = evaluate_gate(medical, sim.responses, sim.gold, n_boot=100, dataset="d", round_number=1)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["passed"] is False and "chloe" in data["failing_annotators"]
    assert {q["question"] for q in data["questions"]} == {"quality", "safety", "issues"}
    assert len(data["annotators"]) == 9
    text = format_gate(result)
    assert text.startswith("gate medical-qa-rating: FAIL") and "chloe" in text


# --------------------------------------------------------------------------------------------
# The shell: read the latest calibration round from the store; the CLI's exit codes
# --------------------------------------------------------------------------------------------


def _store_with_round(store, task: str, sim, *, round_number: int, kind: str, dataset: str, gold=True):
    from workbench.store import ResponseRow

    store.record_round(task=task, round=round_number, kind=kind, dataset=dataset, workspace=task,
                       dataset_id=f"id-{dataset}", guideline_version=1)
    rows = []
    for (item, annotator), grp in sim.responses.groupby(["item", "annotator"]):
        values = {r.question: r.value for r in grp.itertuples()}
        rows.append(ResponseRow(record_id=f"r-{item}", item=item, user_id=f"u-{annotator}", annotator=annotator,
                                response_id=f"{item}-{annotator}", status="submitted", values=values,
                                inserted_at=grp["time"].iloc[0], updated_at=grp["time"].iloc[0]))
    store.write_dataset_sync(dataset_id=f"id-{dataset}", name=dataset, workspace=task, responses=rows,
                             suggestions=[], watermark=None)
    if gold:
        for r in sim.gold.itertuples():
            store.set_gold(task=task, item=r.item, question=r.question, value=r.value, set_by="expert")


def test_store_shell_judges_the_latest_calibration_round_and_cli_exit_codes(tmp_path, monkeypatch, medical,
                                                                              calibration_items):
    from workbench.cli import main
    from workbench.store import HistoryStore

    url = f"sqlite:///{tmp_path / 'history.db'}"
    monkeypatch.setenv("WORKBENCH_STORE_URL", url)
    store = HistoryStore(url)
    runner = CliRunner()

    none = gate_for_task(store, medical)
    assert not none.passed and "no calibration round" in none.reasons[0]
    assert runner.invoke(main, ["gate", "medical-qa-rating"]).exit_code == 1

    bad = demo_data.simulate_calibration_responses(calibration_items, inconsistent="chloe", seed=0)
    _store_with_round(store, "medical-qa-rating", bad, round_number=1, kind="calibration", dataset="cal-r1")
    direct = evaluate_gate(medical, bad.responses, bad.gold, n_boot=0)
    via_store = gate_for_task(store, medical, n_boot=0)
    assert via_store.dataset == "cal-r1" and via_store.round == 1
    assert [q.alpha for q in via_store.questions] == pytest.approx([q.alpha for q in direct.questions])
    assert via_store.failing_annotators == direct.failing_annotators
    out = runner.invoke(main, ["gate", "medical-qa-rating", "--json", "--n-boot", "50"])
    assert out.exit_code == 1
    assert "chloe" in json.loads(out.output)["failing_annotators"]

    # A recalibration round where everyone agrees with gold: the latest calibration round decides.
    good = bad.gold.assign(annotator="ana")
    good = pd.concat([good, bad.gold.assign(annotator="ben")])
    good["time"] = pd.Timestamp("2026-04-01", tz="UTC")
    sim = demo_data.SimulatedCalibration(responses=good, gold=bad.gold)
    _store_with_round(store, "medical-qa-rating", sim, round_number=3, kind="recalibration", dataset="recal-r3",
                      gold=False)
    # a production round recorded later does not count as calibration
    store.record_round(task="medical-qa-rating", round=4, kind="production", dataset="prod-r4",
                       workspace="medical-qa-rating", dataset_id="id-prod", guideline_version=1)
    result = gate_for_task(store, medical, n_boot=0)
    assert result.dataset == "recal-r3" and result.kind == "recalibration"
    assert result.passed, result.reasons
    out = runner.invoke(main, ["gate", "medical-qa-rating", "--n-boot", "50"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("gate medical-qa-rating: PASS")
    assert runner.invoke(main, ["gate", "no-such-task"]).exit_code == 2
