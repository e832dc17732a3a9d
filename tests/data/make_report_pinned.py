"""Generate tests/data/report_pinned.json: the whole :class:`QuestionReport` of
``question_report`` (and ``report``) on seeded data down each of its paths, read by
tests/test_report_pinned.py.

The fixture was first produced from the code *before* the refactor of issue #18
(``question_report`` broken into its steps; no change of behaviour intended), so the refactor
is checked against what the code did, not against itself. It pins; it does not say the figures
are right (tests/test_report.py checks those against published values and the krippendorff
package). Regenerate it only for a deliberate change of behaviour, and say which entries changed
and why.

Usage::

    python tests/data/make_report_pinned.py            # rewrite the fixture
    python tests/data/make_report_pinned.py --check    # compare only, print the differing paths
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pinned_json import differences, expand_columns, jsonable, pool_columns  # noqa: E402
from workbench.analytics.diagnosis import Thresholds  # noqa: E402
from workbench.analytics.report import question_report, report  # noqa: E402

FIXTURE = HERE / "report_pinned.json"


def hayes() -> pd.DataFrame:
    wide = pd.read_csv(HERE / "reference" / "hayes-krippendorff-2007.csv", dtype=str, keep_default_na=False)
    long = wide.melt(id_vars="Unit", var_name="annotator", value_name="value").rename(columns={"Unit": "item"})
    long = long[long["value"] != "."].copy()
    long["value"] = long["value"].astype(int)
    long["question"] = "hayes"
    return long.reset_index(drop=True)


def team(seed: int = 1, n: int = 60) -> tuple[pd.DataFrame, np.ndarray]:
    """Four annotators (the last one an LLM judge) on ``n`` items, labels no/maybe/yes and a
    1-5 rating, some answers missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n)
    rows = []
    for a, acc in (("ann", 0.9), ("bob", 0.8), ("cy", 0.6), ("llm", 0.75)):
        ok = rng.random(n) < acc
        lab = np.where(ok, truth, (truth + rng.integers(1, 3, n)) % 3)
        keep = rng.random(n) < 0.9
        rows.append(pd.DataFrame({"item": np.arange(n), "annotator": a, "question": "label",
                                  "value": np.array(["no", "maybe", "yes"])[lab]})[keep])
        rows.append(pd.DataFrame({"item": np.arange(n), "annotator": a, "question": "stars",
                                  "value": np.clip(truth + 1 + rng.integers(-1, 2, n), 1, 5)})[keep])
    return pd.concat(rows, ignore_index=True), truth


def sets(seed: int = 4, n: int = 30) -> pd.DataFrame:
    """Set-valued answers (multi-label) of three annotators."""
    rng = np.random.default_rng(seed)
    tags = np.array(["a", "b", "c", "d"])
    rows = [{"item": i, "annotator": who, "question": "tags",
             "value": sorted(tags[rng.random(4) < 0.4].tolist()) or ["a"]}
            for i in range(n) for who in ("x", "y", "z")]
    return pd.DataFrame(rows)


def dump(rep) -> dict:
    """The report as JSON: its ``to_dict`` and every field, tables with their dtypes."""
    fields = {f.name: getattr(rep, f.name) for f in dataclasses.fields(rep)}
    fields["pairwise"] = None if rep.pairwise is None else {"long": rep.pairwise.long(),
                                                             "kappa_label": rep.pairwise.kappa_label}
    fields["raters"] = {name: {"method": ra.method, "kappa_label": ra.kappa_label, "table": ra.table,
                               "rater_row": ra.rater_row} for name, ra in rep.raters.items()}
    fields["diagnosis"] = rep.diagnosis.to_dict()
    return {"to_dict": jsonable(json.loads(json.dumps(rep.to_dict(), allow_nan=False))), "fields": jsonable(fields)}


def outputs() -> dict:
    """Every pinned report, by key."""
    h = hayes()
    df, truth = team()
    label = df[df["question"] == "label"]
    stars = df[df["question"] == "stars"]
    gold = pd.DataFrame({"item": np.arange(25), "question": "label",
                         "value": np.array(["no", "maybe", "yes"])[truth[:25]]})
    order = ["no", "maybe", "yes"]
    same = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": ["a", "b", "a", "b"], "value": ["x"] * 4})
    mixed = pd.DataFrame({"item": [1, 1, 2, 2, 3, 3], "annotator": ["a", "b"] * 3, "question": "m",
                          "value": [1, "1", 2, 2, "n/a", 1]})
    cases = {
        "hayes/ordinal/boot": lambda: question_report(h, level="ordinal", n_boot=200, seed=3),
        "hayes/nominal/no-boot": lambda: question_report(h, level="nominal", n_boot=0),
        "hayes/interval/thresholds": lambda: question_report(
            h, level="interval", n_boot=0, thresholds=Thresholds(reliable=0.75, tentative=0.6), top_items=5),
        "hayes/ratio/named": lambda: question_report(h, level="ratio", n_boot=50, seed=1, ci=0.9, question="renamed"),
        "label/ordinal/gold/rater": lambda: question_report(label, level="ordinal", order=order, gold=gold, raters=["llm"],
                                                           n_boot=100, seed=2),
        "label/nominal/gold-series": lambda: question_report(
            label, level="nominal", gold=gold.set_index("item")["value"], n_boot=0),
        "label/nominal/gold-mapping-misses": lambda: question_report(
            label, level="nominal", gold={1000 + i: "no" for i in range(5)}, n_boot=0),
        "stars/interval/rater": lambda: question_report(stars, level="interval", raters=["llm"], n_boot=0),
        "stars/custom-distance": lambda: question_report(
            stars, level="nominal", distance=lambda a, b: abs(a - b) ** 1.5, n_boot=30, seed=0),
        "tags/jaccard": lambda: question_report(sets(), level="jaccard", n_boot=0),
        "tags/masi/boot": lambda: question_report(sets(), level="masi", n_boot=50, seed=4),
        "undefined-alpha": lambda: question_report(same, level="nominal", n_boot=100, seed=0),
        "mixed-values": lambda: question_report(mixed, level="nominal", n_boot=0),
    }
    out = {key: dump(make()) for key, make in cases.items()}
    reps = report(df, {"label": {"level": "ordinal", "order": order}, "stars": ("interval", None)}, gold=gold,
                  n_boot=0, raters=["llm"])
    out["report/two-questions"] = {q: dump(r) for q, r in reps.items()}
    return out


def read_fixture() -> dict:
    """The fixture's outputs, by key, as :func:`outputs` gives them."""
    doc = json.loads(FIXTURE.read_text())
    return expand_columns(doc["outputs"], doc["columns"])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="compare with the fixture, write nothing")
    args = p.parse_args(argv)
    got = outputs()
    if args.check:
        old = read_fixture()
        diff = differences(old, got)
        for line in diff:
            print(line)
        return 1 if diff else 0
    pool: dict = {}
    pooled = pool_columns(got, pool)
    doc = {"note": "Produced by tests/data/make_report_pinned.py, first from the code before the refactor of"
                   " issue #18; see that script. Long lists (table"
                   " columns) are under 'columns', by digest.", "outputs": pooled, "columns": pool}
    tmp = FIXTURE.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=None, sort_keys=True) + "\n")
    tmp.replace(FIXTURE)
    print(f"wrote {FIXTURE} ({len(got)} outputs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
