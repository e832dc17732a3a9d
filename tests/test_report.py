"""The per-question report against published figures, the krippendorff package and the data."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest

from workbench.analytics.diagnosis import Thresholds, Verdict
from workbench.analytics.report import question_report, report
from workbench.errors import BadInput

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"


@pytest.fixture(scope="module")
def hayes() -> pd.DataFrame:
    wide = pd.read_csv(REFERENCE / "hayes-krippendorff-2007.csv", dtype=str, keep_default_na=False)
    long = wide.melt(id_vars="Unit", var_name="annotator", value_name="value").rename(columns={"Unit": "item"})
    long = long[long["value"] != "."].copy()
    long["value"] = long["value"].astype(int)
    long["question"] = "hayes"
    return long.reset_index(drop=True)


def test_hayes_krippendorff_published_figures(hayes):
    rep = question_report(hayes, level="ordinal", n_boot=500, seed=3)
    assert round(rep.alpha.value, 4) == 0.7598  # Hayes & Krippendorff (2007)
    assert rep.alpha.low < rep.alpha.value < rep.alpha.high
    coef = {c.key: c for c in rep.coefficients}
    assert round(coef["percent_agreement"].value, 3) == 0.625  # Gwet (2015)
    assert round(coef["gwet_ac1"].value, 4) == 0.5093  # Gwet (2015)
    assert rep.n_items == 40 and rep.n_annotators == 5
    assert rep.n_annotations == len(hayes)
    assert rep.band == "tentative"
    nominal = question_report(hayes, level="nominal", n_boot=0)
    assert round(nominal.alpha.value, 3) == 0.477
    assert nominal.alpha.low is None and nominal.ci is None


def test_coefficients_are_labelled_with_their_weighting(hayes):
    rep = question_report(hayes, level="ordinal", n_boot=0)
    labels = {c.key: c.label for c in rep.coefficients}
    assert rep.alpha.label == "Krippendorff's alpha (ordinal)"
    assert "ordinal weights" in labels["gwet_ac2"] and "not Krippendorff's ordinal distance" in labels["gwet_ac2"]
    assert labels["gwet_ac1"] == "Gwet's AC1 (unweighted)"
    assert labels["fleiss_kappa"] == "Fleiss' kappa (unweighted)"
    assert labels["mean_cohen_kappa"].startswith("Cohen's kappa (unweighted), mean over 10 annotator pairs")
    interval = question_report(hayes, level="interval", n_boot=0)
    assert "quadratic weights" in {c.key: c.label for c in interval.coefficients}["gwet_ac2"]


def test_breakdowns_in_the_report_match_the_data(hayes):
    rep = question_report(hayes, level="ordinal", n_boot=0)
    m = hayes.pivot(index="annotator", columns="item", values="value").to_numpy(dtype=float)
    annotators = sorted(hayes["annotator"].unique())
    t = rep.annotators.set_index("annotator")
    for i, a in enumerate(annotators):
        expected = krippendorff.alpha(reliability_data=np.delete(m, i, axis=0), level_of_measurement="ordinal")
        assert t.loc[a, "alpha_without"] == pytest.approx(expected, abs=1e-9)
        assert t.loc[a, "n_annotations"] == (hayes["annotator"] == a).sum()
    assert list(rep.labels["label"]) == ["0", "1", "2", "3"]
    assert len(rep.disputed_items) <= 20
    top = rep.disputed_items.iloc[0]
    values = sorted(hayes.loc[hayes["item"] == top["item"], "value"])
    assert len(values) == top["n_values"] and len(set(values)) > 1


def test_undefined_alpha_is_a_note_never_nan():
    df = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": ["a", "b", "a", "b"], "value": ["x"] * 4})
    rep = question_report(df, level="nominal", n_boot=100, seed=0)
    assert rep.alpha.value is None
    assert "alpha is undefined" in rep.alpha.note and "'x'" in rep.alpha.note
    assert rep.band == "undefined" and rep.diagnosis.verdict is Verdict.UNDEFINED
    text = json.dumps(rep.to_dict(), allow_nan=False)  # raises on NaN
    assert "NaN" not in text
    data = json.loads(text)
    assert data["alpha"]["value"] is None and data["alpha"]["note"].startswith("alpha is undefined")
    for c in data["coefficients"]:
        assert c["value"] is not None or c["note"]


def test_report_over_questions_with_levels_and_gold():
    rng = np.random.default_rng(1)
    items = np.arange(120)
    truth = rng.integers(0, 3, 120)
    rows = []
    for a in ["ann", "bob", "cy", "llm"]:
        ok = rng.random(120) < (0.9 if a != "llm" else 0.8)
        lab = np.where(ok, truth, (truth + 1) % 3)
        rows.append(pd.DataFrame({"item": items, "annotator": a, "question": "label",
                                  "value": np.array(["no", "maybe", "yes"])[lab]}))
        rows.append(pd.DataFrame({"item": items, "annotator": a, "question": "stars",
                                  "value": np.clip(truth + 1 + rng.integers(-1, 2, 120), 1, 5)}))
    df = pd.concat(rows, ignore_index=True)
    gold = pd.DataFrame({"item": items[:40], "question": "label", "value": np.array(["no", "maybe", "yes"])[truth[:40]]})
    reps = report(
        df,
        {"label": {"level": "ordinal", "order": ["no", "maybe", "yes"]}, "stars": "interval"},
        gold=gold,
        n_boot=200,
        seed=2,
        raters=["llm"],
    )
    assert list(reps) == ["label", "stars"]
    lab = reps["label"]
    assert lab.n_annotators == 3  # the llm is not part of the team
    humans = df[(df["question"] == "label") & (df["annotator"] != "llm")]
    rank = {"no": 0, "maybe": 1, "yes": 2}
    codes = humans.pivot(index="annotator", columns="item", values="value").apply(lambda col: col.map(rank))
    expected = krippendorff.alpha(reliability_data=codes.to_numpy(dtype=float), level_of_measurement="ordinal")
    assert lab.alpha.value == pytest.approx(expected, abs=1e-12)
    # gold breakdown: accuracy over the 40 gold items
    t = lab.annotators.set_index("annotator")
    ann = humans[(humans["annotator"] == "ann") & (humans["item"] < 40)].sort_values("item")["value"].to_numpy()
    assert t.loc["ann", "gold_accuracy"] == pytest.approx((ann == gold["value"].to_numpy()).mean())
    assert lab.gold_confusion.to_numpy().sum() == 3 * 40
    # the llm, measured like a human against the humans' consensus
    ra = lab.raters["llm"]
    assert ra.rater_row["annotator"] == "llm" and ra.method == "median"
    with_llm = df[df["question"] == "label"].pivot(index="annotator", columns="item", values="value")
    with_llm = with_llm.apply(lambda col: col.map(rank)).to_numpy(dtype=float)
    assert lab.rater_alpha["llm"].value == pytest.approx(
        krippendorff.alpha(reliability_data=with_llm, level_of_measurement="ordinal"), abs=1e-12
    )
    # the stars question has no gold rows: no gold columns
    assert "gold_accuracy" not in reps["stars"].annotators.columns
    json.dumps({q: r.to_dict() for q, r in reps.items()}, allow_nan=False)


def test_report_errors_name_the_question_and_value():
    df = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": ["a", "b", "a", "b"], "question": "q",
                       "value": ["x", "y", "x", "x"]})
    with pytest.raises(BadInput, match="question 'q' has no level"):
        report(df, {"other": "nominal"})
    with pytest.raises(BadInput, match="interval-level agreement needs numbers; value 'x' is not a number"):
        report(df, "interval")
    with pytest.raises(BadInput, match="ordinal level needs ordered values"):
        report(df, "ordinal")
    with pytest.raises(BadInput, match="at least two annotators; found 1"):
        question_report(df[df["annotator"] == "a"], level="nominal")
    with pytest.raises(BadInput, match="rater 'llm' is not among the annotators"):
        question_report(df, level="nominal", raters=["llm"])
    with pytest.raises(BadInput, match="duplicate annotation"):
        report(pd.concat([df, df.iloc[:1]]), "nominal")


def test_thresholds_flow_into_band_and_diagnosis(hayes):
    rep = question_report(hayes, level="ordinal", n_boot=0, thresholds=Thresholds(reliable=0.75, tentative=0.6))
    assert rep.band == "reliable" and rep.diagnosis.verdict is Verdict.RELIABLE
