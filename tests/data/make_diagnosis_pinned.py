"""Generate tests/data/diagnosis_pinned.json: the whole result of ``diagnose`` on a grid of
seeded simulated teams, read by tests/test_diagnosis_pinned.py.

The fixture was first produced from the code *before* the refactor of issue #18 (the
diagnosis split into steps with typed evidence; no behaviour change intended), so that the
refactor is checked against what the code did, not against itself. Regenerate it only for a
deliberate change of behaviour, and say which cells changed and why (``--only`` rewrites the
entries whose key contains a given text and keeps the rest as they are).

Usage::

    python tests/data/make_diagnosis_pinned.py            # rewrite the whole fixture
    python tests/data/make_diagnosis_pinned.py --check    # compare only, print the differing keys
    python tests/data/make_diagnosis_pinned.py --only both/3x60/gold-all

The grid: the five cases of bench/bench_diagnosis.py (``simulate_teams.CASES``), 3, 4 and 5
annotators, 60 and 80 items, without gold and with gold on every item, two seeds each (an even
and an odd one: a confuser and a sloppy deviant), plus a few runs down the other paths (gold on
a quarter of the items, ``gold_in_model=False``, two annotators, an ordinal level).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from workbench.analytics.diagnosis import Thresholds, diagnose  # noqa: E402
from workbench.analytics.simulate_teams import CASES, gold_sample, simulate_team  # noqa: E402

FIXTURE = Path(__file__).with_name("diagnosis_pinned.json")


def grid() -> list[dict]:
    """The runs: keyword arguments of :func:`run`, with a key naming each."""
    runs = []
    for c, case in enumerate(CASES):
        for n_ann in (3, 4, 5):
            for n_items in (60, 80):
                for gold in (0.0, 1.0):
                    for seed in (2 * c + n_ann, 2 * c + n_ann + 11):  # one even, one odd
                        runs.append({"case": case, "n_annotators": n_ann, "n_items": n_items, "gold_share": gold,
                                     "seed": seed})
    for case in CASES:  # the other paths: partial gold, gold after the fit only, two annotators, ordinal
        runs.append({"case": case, "n_annotators": 3, "n_items": 60, "gold_share": 0.25, "seed": 5})
        runs.append({"case": case, "n_annotators": 4, "n_items": 60, "gold_share": 1.0, "seed": 6,
                     "thresholds": {"gold_in_model": False}})
        runs.append({"case": case, "n_annotators": 2, "n_items": 60, "gold_share": 0.0, "seed": 7})
        runs.append({"case": case, "n_annotators": 2, "n_items": 60, "gold_share": 1.0, "seed": 8})
        runs.append({"case": case, "n_annotators": 3, "n_items": 80, "gold_share": 0.0, "seed": 9, "level": "ordinal"})
    for r in runs:
        extra = "".join(f"/{k}={v}" for k, v in sorted(r.get("thresholds", {}).items()))
        level = f"/{r['level']}" if "level" in r else ""
        gold = {0.0: "no-gold", 1.0: "gold-all"}.get(r["gold_share"], f"gold-{r['gold_share']:g}")
        r["key"] = f"{r['case']}/{r['n_annotators']}x{r['n_items']}/{gold}/seed={r['seed']}{level}{extra}"
    return runs


def run(case, n_annotators, n_items, gold_share, seed, level="nominal", thresholds=None, key=None) -> dict:
    """One diagnosis, JSON-ready (``Diagnosis.to_dict``)."""
    team = simulate_team(case, n_annotators=n_annotators, n_items=n_items, seed=seed)
    gold = gold_sample(team, gold_share, seed=seed) if gold_share > 0 else None
    data = team.data if level == "nominal" else replace(team.data, ordered=True)  # L0 < L1 < ...
    d = diagnose(data, level, gold=gold, thresholds=Thresholds(**(thresholds or {})))
    return json.loads(json.dumps(d.to_dict()))


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
        result = run(**r)
        if r["key"] in old and old[r["key"]]["result"] != result:
            changed.append(r["key"])
        entries.append({**r, "result": result})
    for key in changed:
        print(f"changed: {key}")
    if args.check:
        return 1 if changed else 0
    doc = {"note": "Produced by tests/data/make_diagnosis_pinned.py, first from the code before the refactor of"
                   " issue #18; see that script.", "runs": entries}
    tmp = FIXTURE.with_suffix(".json.tmp")
    lines = [json.dumps(e, sort_keys=True) for e in entries]  # one run a line: a change shows as its line
    tmp.write_text('{"note": ' + json.dumps(doc["note"]) + ',\n "runs": [\n' + ",\n".join(lines) + "\n]}\n")
    tmp.replace(FIXTURE)
    print(f"wrote {FIXTURE} ({len(entries)} runs, {len(changed)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
