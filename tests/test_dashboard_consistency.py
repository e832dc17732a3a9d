"""The same number, the same everywhere (issue #13): pages that show the same figure show the same string.

Each test renders two pages (or a page and the data it describes) with Streamlit's AppTest on the
demo history and compares: alpha and its interval on the Calibration and Guidelines pages, the
items a figure rests on, what a control chart draws on the Drift and Annotator pages, the z the
diagnosis quotes against the tables beside it, and the "Most disputed items" being disputed.
Sign-in uses the stand-in for Argilla's auth endpoints of ``test_dashboard_apptest``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import numpy as np
import pandas as pd
import pytest
from test_dashboard_apptest import _app, _open, _sign_in, demo_store_url, env, fake_argilla  # noqa: F401 (fixtures)

from workbench.analytics.drift import monitor_gold
from workbench.dashboard import data
from workbench.dashboard.demo_history import DEMO_ANNOTATORS, DEMO_TASK, DEMO_WORKSPACE, fill_demo_store
from workbench.store import HistoryStore, ResponseRow

QUESTIONS = ("quality", "safety", "issues")


@pytest.fixture(scope="module")
def demo_url(demo_store_url):
    return demo_store_url


@pytest.fixture()
def lead(env):
    """An AppTest signed in as the owner, on the demo history (test_dashboard_apptest's fake Argilla)."""
    return _sign_in(_app(), "lead")


def _plain(markdown: str) -> str:
    """Markdown as read: escapes and bold marks removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("**", "")


def _table(at, *columns) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert found, f"no table with columns {columns}: {[list(d.value.columns) for d in at.dataframe]}"
    return found[0]


def _captions(at, start: str = "Based on ") -> list[str]:
    return [c.value for c in at.caption if c.value.startswith(start)]


def _single_round_versions(url: str) -> dict[int, int]:
    """Guideline version -> its round, for the versions run in exactly one round (from the store)."""
    rounds = HistoryStore(url).rounds(DEMO_TASK)
    per = rounds.groupby("guideline_version")["round"].agg(list)
    return {int(v): int(rs[0]) for v, rs in per.items() if len(rs) == 1}


# ------------------------------------------------------------------------------ alpha and its interval


def test_alpha_its_interval_and_its_items_read_the_same_on_the_calibration_and_guidelines_pages(lead, demo_url):
    """Guideline v1 of the demo ran in round 1 only: the Guidelines page's v1 row and the Calibration
    page's round 1 rest on the same answers, so they show the same alpha, the same interval (one
    bootstrap: same resamples, same seed, same rounding) and the same items."""
    single = _single_round_versions(demo_url)
    assert single == {1: 1}
    guide = _table(_open(lead, "guidelines", task=DEMO_TASK), "guideline_version", "alpha", "low", "high")
    for version, round_no in single.items():
        _open(lead, "calibration", task=DEMO_TASK, round=str(round_no))
        summary = _table(lead, "question", "alpha", "low", "high", "alpha_reliable")
        for q in QUESTIONS:
            g = guide[(guide["guideline_version"] == version) & (guide["question"] == q)].iloc[0]
            c = summary[summary["question"] == q].iloc[0]
            # the same figures, rounded as the pages show them
            for col in ("alpha", "low", "high"):
                assert f"{g[col]:.3f}" == f"{c[col]:.3f}", (q, col, g[col], c[col])
            # the same text: the table cells of both pages and the Calibration page's sentence
            text = c["alpha (95% CI)"]
            assert text == g["alpha (95% CI)"] == f"{c['alpha']:.3f} (95% CI {c['low']:.3f} to {c['high']:.3f})"
            # the same items, described the same way
            assert int(g["n_items"]) == int(c["items"]), q
            assert g["sample"] == c["sample"] == f"{int(c['items'])} items of round {round_no}", q
            _open(lead, "calibration", task=DEMO_TASK, round=str(round_no), question=q)
            sentence = next(_plain(m.value) for m in lead.markdown if "Krippendorff's alpha" in m.value)
            assert f"= {text};" in sentence, (text, sentence)
            assert f"Based on {c['sample']} and 3 annotators." in sentence, sentence


def test_the_guidelines_chart_counts_items_not_items_times_questions(lead, demo_url):
    """The per-version chart rests on the task's distinct items (320 in the demo: 80 calibration
    items of rounds 1-2, 240 production items of rounds 3-6), not on the sum of each version's and
    question's items (1,200); each gold-accuracy row says how many answers and how many items."""
    store = HistoryStore(demo_url)
    tidy = store.tidy(task=DEMO_TASK)
    n_items, rounds = tidy["item"].nunique(), sorted(tidy["round"].unique())
    _open(lead, "guidelines", task=DEMO_TASK)
    chart = [c for c in _captions(lead) if "pools the rounds" in c]
    assert chart and chart[0].startswith(
        f"Based on {n_items} items of rounds {rounds[0]}-{rounds[-1]} and {len(DEMO_ANNOTATORS)} annotators;"), chart
    gold = _table(lead, "question", "guideline_version", "gold_accuracy")
    answers = tidy.merge(store.gold(DEMO_TASK)[["item", "question"]], on=["item", "question"])
    for rec in gold.itertuples():
        mine = answers[(answers["question"] == rec.question) & (answers["guideline_version"] == rec.guideline_version)]
        assert (rec.n_answers, rec.n_items) == (len(mine), mine["item"].nunique()), rec


# ------------------------------------------------------------------------------ control charts


def _monitored(url: str, question: str | None):
    """The monitored points of the demo's CUSUM charts (pooled, or one question), with their round:
    what the chart draws, from the drift functions themselves."""
    source = data.Source(url)
    history = data.task_history(source, DEMO_TASK)
    bar = data._bars(DEMO_TASK)
    if question is None:
        obs, chart = monitor_gold(history.labels, history.gold, bar=data.pooled_bar(bar))
    else:
        obs, chart = monitor_gold(history.labels, history.gold, question, bar=bar.get(question))
    mon = chart.points[chart.points["phase"] == "monitor"]
    return mon.merge(obs[["annotator", "seq", "round"]], on=["annotator", "seq"], how="left")


def _rounds_text(rounds) -> str:
    rs = sorted({int(r) for r in rounds})
    assert rs == list(range(rs[0], rs[-1] + 1))
    return f"round {rs[0]}" if len(rs) == 1 else f"rounds {rs[0]}-{rs[-1]}"


@pytest.mark.parametrize("question", [None, "quality"])
def test_the_drift_chart_says_what_it_draws(lead, demo_url, question):
    """The Drift chart's caption counts the answers and the items of the points it draws (the monitored
    ones), from the rounds they come from; not the gold items of the whole history beside the
    monitored answers."""
    mon = _monitored(demo_url, question)
    _open(lead, "drift", task=DEMO_TASK, **({"question": question} if question else {}))
    caption = next(c for c in _captions(lead) if "monitored" in c)
    items = int(re.search(r"(\d+) (?:gold )?items?\b", caption).group(1))
    answers = int(re.search(r"(\d+) (?:monitored )?gold answers", caption).group(1))
    summary = _table(lead, "annotator", "n_monitored", "n_baseline")
    assert answers == int(summary["n_monitored"].sum()) == len(mon), caption
    assert items == mon["item"].nunique(), (caption, mon["item"].nunique())
    assert f"{answers} monitored gold answers on {items} gold items of {_rounds_text(mon['round'])}" in caption


def test_the_annotator_page_describes_the_chart_as_the_drift_page_counts_it(lead, demo_url):
    """Each annotator's page says how many gold answers their chart monitors, on how many items: the
    Drift page's n_monitored for them, the same phrase in the status line and under the chart."""
    mon = _monitored(demo_url, None)
    _open(lead, "drift", task=DEMO_TASK)
    summary = _table(lead, "annotator", "n_monitored")
    per_annotator = dict(zip(summary["annotator"], summary["n_monitored"]))
    for name in DEMO_ANNOTATORS:
        mine = mon[mon["annotator"] == name]
        phrase = (f"{per_annotator[name]} monitored gold answers on {mine['item'].nunique()} gold items of "
                  f"{_rounds_text(mine['round'])}")
        _open(lead, "annotator", task=DEMO_TASK, annotator=name)
        chart = [c for c in _captions(lead) if "dotted limit" in c]
        assert chart and chart[0].startswith(f"Based on {phrase} by 1 annotator;"), (name, chart, phrase)
        status = [s.value for s in lead.success if "No open drift alarm" in s.value]
        if name != "ben":  # (ben's chart signalled: an alarm instead of the status line)
            assert status == [f"No open drift alarm ({phrase})."], (name, status)


# ------------------------------------------------------------------------------ the diagnosis's z


def test_a_z_in_the_diagnosis_text_is_the_z_in_the_table_beside_it(lead):
    """The diagnosis quotes each annotator's z (the latent-class model's error-rate gap over its
    resampling standard error). A table beside it with a z column shows that number for that
    annotator, rounded the same way; the annotators table's other statistic (the robust z-score of
    relative disagreement, 42 for chloe on quality) goes by its own name, never plain z or robust_z."""
    quoted_somewhere = False
    for q in QUESTIONS:
        _open(lead, "calibration", task=DEMO_TASK, round="1", question=q)
        text = " ".join(_plain(m.value) for m in lead.markdown)
        quoted = re.findall(r"'([^']+)'[^']*?\bz = (-?\d+\.\d)\b", text)
        tables = [d.value for d in lead.dataframe if "annotator" in d.value.columns]
        assert not [t for t in tables if "robust_z" in t.columns], q
        for name, z in quoted:
            quoted_somewhere = True
            shown = [t.set_index("annotator")["z"] for t in tables if "z" in t.columns]
            assert shown, (q, name, z)
            assert all(f"{s[name]:.1f}" == z for s in shown), (q, name, z, shown)
    assert quoted_somewhere  # (the demo's round 1: chloe on quality)


# ------------------------------------------------------------------------------ disputed items


def _demo_with_round7(tmp_path_factory, name: str, n_items: int, values_of) -> str:
    """The demo history plus a recalibration round 7 on the first ``n_items`` gold items, where
    ``values_of(k, item, annotator, gold_values)`` gives each annotator's answers."""
    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'history.db'}"
    store = HistoryStore(url)
    fill_demo_store(store)
    gold = store.gold(DEMO_TASK)
    items = sorted(gold["item"].unique())[:n_items]
    when = dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.timezone.utc)
    dataset, ds_id = f"{DEMO_TASK}-recalibration-r7", str(uuid.uuid4())
    store.record_round(task=DEMO_TASK, round=7, kind="recalibration", dataset=dataset, workspace=DEMO_WORKSPACE,
                       dataset_id=ds_id, guideline_version=2, created_at=when)
    truth = {(i, q): v for i, q, v in zip(gold["item"], gold["question"], gold["value"])}
    rows = []
    for k, item in enumerate(items):
        for name_ in DEMO_ANNOTATORS:
            values = values_of(k, item, name_, {q: truth[(item, q)] for q in QUESTIONS})
            values = {q: (list(v) if isinstance(v, (list, tuple)) else (int(v) if q == "quality" else v))
                      for q, v in values.items()}
            at = when + dt.timedelta(minutes=k)
            rows.append(ResponseRow(record_id=f"r7-{item}", item=item, user_id=f"u-{name_}", annotator=name_,
                                    response_id=f"r7-{item}-{name_}", status="submitted", values=values,
                                    inserted_at=at, updated_at=at))
    store.write_dataset_sync(dataset_id=ds_id, name=dataset, workspace=DEMO_WORKSPACE, responses=rows, suggestions=[],
                             watermark=when + dt.timedelta(days=1))
    store.close()
    return url


@pytest.fixture(scope="module")
def ambiguous_url(tmp_path_factory):
    """The demo history plus a recalibration round 7 of 60 items where everyone gives the expert's
    answer, except on safety for 18 items (30%), where each annotator picks "safe" or "unsafe" at
    random: an ambiguous guideline the diagnosis lists items for (safety is ordinal: a split
    between neighbours would leave alpha reliable, and no diagnosis is made)."""
    rng = np.random.default_rng(7)

    def values_of(k, item, annotator, gold_values):
        if k % 10 < 3:
            return {**gold_values, "safety": "safe" if rng.random() < 0.5 else "unsafe"}
        return gold_values

    return _demo_with_round7(tmp_path_factory, "ambiguous", 60, values_of)


@pytest.fixture(scope="module")
def nearly_unanimous_url(tmp_path_factory):
    """The demo history plus a recalibration round 7 of 30 items where everyone gives the expert's
    answer except chloe on 3 items: 3 disputed items per question, fewer than the 20 listed."""
    def other(q, v):
        if q == "quality":
            return 1 if int(v) >= 3 else 5
        if q == "safety":
            return "unsafe" if v == "safe" else "safe"
        return ["off-topic"] if list(v) != ["off-topic"] else ["none"]

    def values_of(k, item, annotator, gold_values):
        if annotator == "chloe" and k < 3:
            return {q: other(q, v) for q, v in gold_values.items()}
        return gold_values

    return _demo_with_round7(tmp_path_factory, "unanimous", 30, values_of)


def _disputed(labels: str) -> bool:
    """Whether a ``labels`` cell ("2 x2, 4 x1", "{a, b} x2, {c} x1") holds more than one value."""
    return len(re.findall(r" x\d+(?=, |$)", str(labels))) > 1


def test_most_disputed_items_are_disputed(lead, monkeypatch, nearly_unanimous_url):
    """With 3 disputed items in a round, "Most disputed items" lists those 3, not 17 unanimous ones
    after them; and a round where every item is unanimous would say so."""
    monkeypatch.setenv("WORKBENCH_STORE_URL", nearly_unanimous_url)
    for q in QUESTIONS:
        _open(lead, "calibration", task=DEMO_TASK, round="7", question=q)
        assert not lead.exception
        table = _table(lead, "item", "labels", "disagreeing_pairs")
        assert len(table) == 3, (q, table[["labels", "disagreeing_pairs"]])
        assert all(_disputed(x) for x in table["labels"]), (q, list(table["labels"]))
        assert (table["disagreeing_pairs"] > 0).all(), q


def test_the_items_behind_a_diagnosis_show_the_labels_given(lead, monkeypatch, ambiguous_url):
    """The items a diagnosis lists (the likeliest open items) each show the labels the annotators
    gave, the same text as wherever else the item is listed: not blank when the item is not also
    among the 20 most disputed."""
    monkeypatch.setenv("WORKBENCH_STORE_URL", ambiguous_url)
    rnd, question = "7", "safety"
    _open(lead, "calibration", task=DEMO_TASK, round=rnd, question=question)
    behind = [d.value for d in lead.dataframe if "labels given" in d.value.columns]
    assert behind, "the diagnosis of a round with 30% open safety items lists no items"
    behind = behind[0]
    assert (behind["labels given"].str.len() > 0).all(), behind[behind["labels given"] == ""]["item"].tolist()
    most = _table(lead, "item", "labels", "disagreeing_pairs").set_index("item")["labels"]
    both = behind[behind["item"].isin(most.index)]
    assert len(both) and (both["labels given"] == most[both["item"]].to_numpy()).all()
    # each label count adds up to the round's answers to the item
    tidy = HistoryStore(ambiguous_url).tidy(task=DEMO_TASK, round=int(rnd))
    answers = tidy[tidy["question"] == question].groupby("item").size()
    for item, labels in zip(behind["item"], behind["labels given"]):
        assert sum(map(int, re.findall(r" x(\d+)(?=, |$)", labels))) == answers[item], (item, labels)

