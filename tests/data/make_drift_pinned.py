"""Generate tests/data/drift_pinned.json: the whole output of the drift functions on seeded
simulated annotators, read by tests/test_drift_pinned.py.

The fixture was first produced from the code *before* the refactor of issue #18 (``drift.py``
split into modules of one concern, ``monitor_gold_agreement`` broken into its steps; no change of
behaviour intended), so the refactor is checked against what the code did, not against itself.
It pins; it does not say the figures are right (tests/test_drift.py checks those against hand
recursions and published values). Regenerate it only for a deliberate change of behaviour, and
say which entries changed and why.

Usage::

    python tests/data/make_drift_pinned.py            # rewrite the fixture
    python tests/data/make_drift_pinned.py --check    # compare only, print the differing keys
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pinned_json import differences, expand_columns, jsonable, pool_columns  # noqa: E402
from workbench.analytics import drift  # noqa: E402
from workbench.analytics.simulate import SimulatedAnnotator, simulate_annotations  # noqa: E402

FIXTURE = HERE / "drift_pinned.json"

#: monitor_gold_agreement's keyword arguments, one run each (every path: estimated, given and
#: per-annotator baselines, the task bar, no restart, the point estimate, EWMA)
MONITOR_RUNS = {
    "default": {},
    "window-100": {"baseline_n": 100},
    "window-100-no-restart": {"baseline_n": 100, "restart": False},
    "given-baseline": {"baseline": 0.85},
    "given-per-annotator": {"baseline": {"stable": 0.9, "dropper": 0.88}},
    "task-bar": {"bar": 0.7},
    "point-estimate": {"baseline_n": 100, "baseline_guarantee": None, "drop": 0.1, "arl0": 500.0},
    "ewma": {"method": "ewma", "lam": 0.2, "L": 2.8},
    "ewma-window-bar": {"method": "ewma", "baseline_n": 100, "bar": 0.75},
}


def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five annotators over 300 items (70% gold, a guideline change at item 150): stable, one whose
    accuracy drops 20 points at item 170, one drifting toward label C, a poor one, and a newcomer
    with the first 40 items only."""
    sim = simulate_annotations(
        [SimulatedAnnotator("stable", 0.9), SimulatedAnnotator("dropper", 0.9, drop=0.2, change_at=170),
         SimulatedAnnotator("shifter", 0.85, shift_label="C", shift_max=0.5), SimulatedAnnotator("poor", 0.6),
         SimulatedAnnotator("newbie", 0.8)],
        n_items=300, gold_fraction=0.7, version_changes=(150,), round_size=50, seed=7,
    )
    labels = sim.labels
    labels = labels[(labels["annotator"] != "newbie") | (labels["item"] < 40)].reset_index(drop=True)
    return labels, sim.gold


def outputs() -> dict:
    """Every pinned output, by key."""
    labels, gold = data()
    obs = drift.gold_observations(labels, gold)
    out: dict = {"gold_observations": obs}
    for key, kw in MONITOR_RUNS.items():
        chart = drift.monitor_gold_agreement(obs, **kw)
        out[f"monitor/{key}"] = {"points": chart.points, "summary": chart.summary, "method": chart.method,
                                 "params": chart.params, "n_alarm_rows": len(chart.alarms)}
    chart = drift.monitor_gold_agreement(obs, baseline_n=100)
    out["open_alarms"] = drift.open_alarms(chart, obs)
    out["against_bar"] = drift.against_bar(obs, {"label": 0.8})
    out["monitor_gold"] = list(drift.monitor_gold(labels, gold, bar=0.7))
    out["team_observations/within-round"] = drift.team_observations(labels, within=("round",))
    out["team_observations/strict"] = drift.team_observations(labels, strict_majority=True, min_others=3)
    team = drift.team_observations(labels)
    out["agreement_series/gold-D"] = drift.agreement_series(obs, freq="D")
    out["agreement_series/team-W"] = drift.agreement_series(team, column="agrees_team")
    out["agreement_by_version"] = drift.agreement_by_version(obs)
    out["rolling_agreement"] = drift.rolling_agreement(obs, window=20)
    out["shift_vs_own_past/versions"] = drift.shift_vs_own_past(labels, versions=("v1", "v2"))
    out["shift_vs_own_past/window"] = drift.shift_vs_own_past(labels, at="2024-01-07", window="2D", test="g")
    out["shift_vs_team"] = drift.shift_vs_team(labels, start="2024-01-03", end="2024-01-10")
    out["homogeneity"] = [drift.homogeneity_test(t, **kw) for t, kw in (
        ([[10, 20], [20, 10]], {"correction": False}),
        ([[3, 1], [0, 4]], {}),
        ([[5, 0, 1], [1, 3, 0], [0, 2, 4]], {"n_resamples": 999, "seed": 3}),
        ([[30, 20, 10], [20, 25, 15]], {"test": "g"}),
    )]
    design = drift.design_bernoulli_cusum(0.1, 0.25, arl0=1000)
    y = (np.random.default_rng(5).random(200) < 0.15).astype(int)
    out["cusum"] = {"design": design, "statistic": drift.bernoulli_cusum(y, design),
                    "arl": drift.bernoulli_cusum_arl(0.2, design),
                    "cdf": drift.bernoulli_cusum_run_length_cdf(0.1, design, 50)}
    out["ewma"] = list(drift.ewma(np.r_[np.ones(30), np.zeros(10)], mu0=0.9, sigma=0.3, lam=0.2, L=3))
    out["baseline_accuracy"] = [drift.baseline_accuracy([1] * 9 + [0], guarantee=g) for g in (None, 0.9, 0.5)]
    return {k: jsonable(v) for k, v in out.items()}


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
    doc = {"note": "Produced by tests/data/make_drift_pinned.py, first from the code before the refactor of"
                   " issue #18; see that script. Long lists (table"
                   " columns) are under 'columns', by digest.", "outputs": pooled, "columns": pool}
    tmp = FIXTURE.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=None, sort_keys=True) + "\n")
    tmp.replace(FIXTURE)
    print(f"wrote {FIXTURE} ({len(got)} outputs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
