"""Expert review rounds against the session's Argilla: sample, access, sync, accuracy, export.

One scenario, grouped because the embedded server is slow to work with: a task with three
annotators and one expert is calibrated, a production round is answered (by the owner on the
annotators' behalf) and synced; a review round is refused on bad input, then created; the expert
answers it; sync brings the reviews into the store; the accuracy against review is compared with
a brute-force count, and the export takes the expert's corrections.
"""

from __future__ import annotations

import csv
import math

import pytest
import requests
from argilla_helpers import login
from scipy.stats import norm
from test_rounds import _calibrated, _dataset, _set_gold, _team, program, run  # noqa: F401 (fixture)

pytestmark = pytest.mark.argilla


def _passwords(p) -> dict:
    out = {}
    for f in (p.root / "secrets").glob("new-users-*.csv"):
        rows = [r for r in f.read_text().splitlines() if not r.startswith("#")]
        out.update({r["username"]: r["password"] for r in csv.DictReader(rows)})
    return out


def _answers(p):
    """What each annotator answers on a production item: a the truth, b the truth but a wrong
    safety on every third item, c a quality one point off on every other item."""
    truth = {r.id: r.truth for r in p.records}

    def answer(who: str, item: str, k: int) -> dict:
        t = truth[item]
        q, s = t.quality, t.safety
        if who == "b" and k % 3 == 0:
            s = "unsafe" if s != "unsafe" else "safe"
        if who == "c" and k % 2 == 0:
            q = q + 1 if q < 5 else q - 1
        return {"quality": q, "safety": s, "issues": ["none"]}
    return answer


def test_review_round_end_to_end(program, client):
    import argilla as rg

    from workbench.review import accuracy_for_task, review_answers, sampled_for
    from workbench.tasks import find_task

    p = program
    # a team without an expert first: the review round is refused, nothing created
    _calibrated(p)
    _set_gold(p, p.calibration)
    run("round", "create", p.name, "--kind", "production", "--items", p.prod_items, "--force-reason", "test")
    prod = _dataset(client, p.name, f"{p.name}-production-r2")
    users = {x: client.users(f"{p.prefix}-{x}") for x in ("a", "b", "c")}
    answer = _answers(p)
    gold_ids = {r.id for r in p.calibration}
    recs = list(prod.records())
    prod.records.log([rg.Record(id=str(r.id), fields=dict(r.fields), metadata=dict(r.metadata), responses=[
        rg.Response(q, v, user_id=users[x].id, status="submitted")
        for x in ("a", "b", "c") for q, v in answer(x, str(r.id), k).items()]) for k, r in enumerate(recs)])
    run("sync")

    before_ws = {w.name for w in client.workspaces.list()}
    before_rounds = len(p.store.rounds())
    refused = run("round", "create", p.name, "--kind", "review", ok=False)
    assert refused.exit_code == 2 and "no user with role 'expert'" in refused.output
    _team(p, ("a", "b", "c"), experts=("exp",))
    for args, says in ((("--margin", "0.7"), "--margin: 0.7 must be a number strictly between 0 and 0.5"),
                       (("--confidence", "1"), "--confidence: 1.0 must be a number strictly between 0 and 1"),
                       (("--per-annotator", "0"), "--per-annotator: 0 must be a whole number, at least 1"),
                       (("--per-annotator", "5", "--margin", "0.1"), "give one of them"),
                       (("--by-label", "critique"), "--by-label: 'critique' is not a label or rating question")):
        out = run("round", "create", p.name, "--kind", "review", *args, ok=False)
        assert out.exit_code == 2 and says in out.output, out.output
        assert "Traceback" not in out.output
    assert {w.name for w in client.workspaces.list()} == before_ws
    assert len(p.store.rounds()) == before_rounds

    # the round: margin 0.1 at 90%, stratified by safety
    out = run("round", "create", p.name, "--kind", "review", "--margin", "0.1", "--confidence", "0.9",
              "--by-label", "safety")
    n_prod = len([r for r in recs if str(r.id) not in gold_ids])
    z = norm.ppf(0.95)
    n0 = z * z * 0.25 / 0.01  # Cochran's n0, then the finite-population correction by hand
    n_expected = math.ceil(n0 / (1 + (n0 - 1) / n_prod))
    assert n_prod == 50 and n_expected == 29
    for x in ("a", "b", "c"):
        assert f"{p.prefix}-{x}" in out.output
        line = next(ln for ln in out.output.splitlines() if ln.strip().startswith(f"{p.prefix}-{x} "))
        assert line.split()[1:] == [str(n_prod), str(n_expected)], line
    assert "n0 = z^2 p(1-p) / m^2" in out.output and "Cochran" in out.output

    review_ws = f"{p.name}-review"
    ds = _dataset(client, review_ws, f"{p.name}-review-r1")
    assert ds is not None and _dataset(client, p.name, f"{p.name}-review-r1") is None
    assert {u.username for u in client.workspaces(review_ws).users} == {f"{p.prefix}-exp"}
    assert ds.settings.distribution.min_submitted == 1
    # an annotator can neither list nor open the review dataset; the expert can
    pw = _passwords(p)
    for who, sees in (("a", False), ("exp", True)):
        token = login(client.api_url, f"{p.prefix}-{who}", pw[f"{p.prefix}-{who}"])
        h = {"Authorization": f"Bearer {token}"}
        names = {d["name"] for d in requests.get(f"{client.api_url}/api/v1/me/datasets", headers=h).json()["items"]}
        assert (ds.name in names) is sees
        got = requests.get(f"{client.api_url}/api/v1/datasets/{ds.id}", headers=h)
        assert (got.status_code == 200) is sees, got.status_code

    review_recs = list(ds.records(with_suggestions=True))
    drawn = {str(r.id): list(r.metadata["review_for"]) for r in review_recs}
    assert not set(drawn) & gold_ids  # gold items measure annotators already
    per = {f"{p.prefix}-{x}": sum(f"{p.prefix}-{x}" in v for v in drawn.values()) for x in ("a", "b", "c")}
    assert per == {a: n_expected for a in per}
    k_of = {str(r.id): k for k, r in enumerate(recs)}
    for r in review_recs:
        first = drawn[str(r.id)][0]
        sug = {s.question_name: (s.value, s.agent) for s in r.suggestions}
        want = answer(first.rsplit("-", 1)[1], str(r.id), k_of[str(r.id)])
        assert sug == {q: (v, first) for q, v in want.items()}

    # the expert answers every record with the truth; sync (--task includes the review round)
    truth = {r.id: r.truth for r in p.records}
    exp = client.users(f"{p.prefix}-exp")
    ds.records.log([rg.Record(id=str(r.id), fields=dict(r.fields), metadata=dict(r.metadata), responses=[
        rg.Response(q, v, user_id=exp.id, status="submitted") for q, v in
        {"quality": truth[str(r.id)].quality, "safety": truth[str(r.id)].safety, "issues": ["none"]}.items()])
        for r in review_recs])
    run("sync", "--task", p.name)
    reviews = review_answers(p.store, p.name)
    assert len(reviews) == 3 * len(review_recs) and set(reviews["expert"]) == {f"{p.prefix}-exp"}
    assert sampled_for(p.store, p.name).groupby("annotator").size().to_dict() == per
    # the task's own rounds do not hold the expert's answers
    assert f"{p.prefix}-exp" not in set(p.store.tidy(task=p.name)["annotator"])

    acc = accuracy_for_task(p.store, find_task(p.name), confidence=0.9)
    for x in ("a", "b", "c"):
        for q in ("quality", "safety"):
            items = [i for i, who in drawn.items() if f"{p.prefix}-{x}" in who]
            brute = sum(answer(x, i, k_of[i])[q] == getattr(truth[i], q) for i in items)
            row = acc[(acc["annotator"] == f"{p.prefix}-{x}") & (acc["question"] == q)].iloc[0]
            assert (row.n_reviewed, row.n_accepted) == (len(items), brute)
    assert acc.set_index(["annotator", "question"]).loc[(f"{p.prefix}-a", "quality"), "accuracy"] == 1.0
    assert acc.set_index(["annotator", "question"]).loc[(f"{p.prefix}-c", "quality"), "accuracy"] < 0.75

    # a second review round of the same task is r2 in the same workspace, nothing else changes
    out = run("round", "create", p.name, "--kind", "review", "--per-annotator", "3")
    assert f"{p.name}-review-r2" in out.output
    assert p.store.rounds(f"{p.name}-review")["kind"].tolist() == ["review", "review"]
