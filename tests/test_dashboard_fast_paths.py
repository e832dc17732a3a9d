"""The dashboard's fast paths on integer codes equal the computations they replace.

Each fast path (per-version alphas, team observations of one annotator, label shift tests, the
count tables behind them, reliability data from codes) is compared with the former pandas
computation on varied random histories: several rounds and guideline versions (one missing),
items answered again in later rounds under the same version (so the latest answer must win),
equal times, missing answers, values that read the same as text (1 and "1"), multi-label
answers, an ordinal question with a value outside its order, a question answered by one
annotator only, and tables sparse enough for the exact and Monte Carlo tests.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from workbench.analytics import shift_vs_own_past, shift_vs_team, team_observations, to_reliability_data
from workbench.analytics.drift import labels_table
from workbench.analytics.reliability import reliability_data_from_codes
from workbench.dashboard import data, history

QS = {
    "q": SimpleNamespace(name="q", kind="label", level="nominal", categories=("a", "b", "c", 1, "1")),
    "p": SimpleNamespace(name="p", kind="rating", level="interval", categories=()),
    "o": SimpleNamespace(name="o", kind="label", level="ordinal", categories=("lo", "mid", "hi")),
    "m": SimpleNamespace(name="m", kind="multi_label", level="masi", categories=("x", "y", "z")),
    "solo": SimpleNamespace(name="solo", kind="label", level="nominal", categories=("a", "b")),
}


def random_labels(seed: int, *, n_items: int = 30, n_ann: int = 6, n_rounds: int = 3, missing: bool = False,
                  outside_order: bool = False) -> pd.DataFrame:
    """A labels table as the dashboard builds it (:func:`workbench.analytics.drift.labels_table` of a tidy read)."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2026-01-05 09:00", tz="UTC")
    anns = [f"ann{k}" for k in rng.permutation(n_ann)]  # not in sorted order in the table
    rows = []
    for rnd in range(1, n_rounds + 1):
        # a third of the items come back in later rounds (same item, maybe the same guideline version)
        items = [f"it-{k:03d}" for k in rng.choice(n_items * 2, n_items, replace=False)]
        for i, item in enumerate(items):
            who = [a for a in anns if rng.random() < 0.8] or anns[:1]
            for a in who:
                when = t0 + pd.Timedelta(days=7 * rnd, minutes=int(rng.integers(0, 20)))  # coarse: equal times
                gv = None if rng.random() < 0.05 else (rnd + (rng.random() < 0.2)) // 2 + 1
                truth = i % 3
                answers = {
                    "q": ["a", "b", "c", 1, "1"][truth if rng.random() < 0.7 else int(rng.integers(0, 5))],
                    "p": int(np.clip(truth + 2 + rng.choice([-1, 0, 0, 1]), 1, 5)),
                    "o": ["lo", "mid", "hi"][truth if rng.random() < 0.75 else int(rng.integers(0, 3))],
                    "m": tuple(sorted(set(rng.choice(["x", "y", "z"], int(rng.integers(1, 3))).tolist()))),
                }
                if a == anns[0]:
                    answers["solo"] = "a" if rng.random() < 0.5 else "b"
                if outside_order and rng.random() < 0.02:
                    answers["o"] = "extreme"
                if missing and rng.random() < 0.05:
                    answers["q"] = None
                for q, v in answers.items():
                    rows.append(dict(item=item, annotator=a, question=q, value=v, time=when, round=rnd,
                                     guideline_version=gv))
    df = pd.DataFrame(rows)
    df = df.sample(frac=1, random_state=seed).reset_index(drop=True)  # no helpful order
    df["round"] = df["round"].astype("Int64")
    df["guideline_version"] = df["guideline_version"].astype("Int64")
    return labels_table(df)


def history_of(labels: pd.DataFrame) -> data.TaskHistory:
    return data.TaskHistory(labels=labels, gold=pd.DataFrame(columns=["item", "question", "value"]), gold_obs=None,
                            chart=None, rounds=pd.DataFrame(), annotators=tuple(sorted(labels["annotator"].unique())))


CASES = [dict(seed=s) for s in range(4)] + [dict(seed=10, missing=True), dict(seed=11, outside_order=True),
                                            dict(seed=12, n_items=6, n_ann=3), dict(seed=13, n_items=120, n_rounds=5)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_alphas_by_version_on_codes_equal_the_pandas_computation(case):
    labels = random_labels(**case)
    hist = history_of(labels)
    fast = data.alphas_by_version(hist, QS, n_boot=50)
    slow = data.alphas_by_version_slow(labels, QS, n_boot=50)
    assert hist.codes is not None and len(slow) >= 8
    assert slow["alpha"].notna().sum() >= 4 and (slow["note"] != "").any()  # both kinds of rows are compared
    pd.testing.assert_frame_equal(fast, slow)


def test_alphas_by_version_resolve_repeated_answers_by_time():
    """An item answered twice under one version by the same annotator: the later answer counts,
    as the former sort by time and drop of duplicates said (here it decides the alpha)."""
    t = pd.Timestamp("2026-01-05", tz="UTC")
    rows = []
    for item in ("i1", "i2", "i3", "i4"):
        for a in ("x", "y", "z"):
            rows.append(dict(item=item, annotator=a, question="q", value="a" if item != "i4" else "b", time=t,
                             round=1, guideline_version=1))
    rows.append(dict(item="i1", annotator="z", question="q", value="b", time=t + pd.Timedelta(hours=1), round=2,
                     guideline_version=1))
    rows.insert(0, dict(item="i2", annotator="y", question="q", value="b", time=t - pd.Timedelta(hours=1), round=2,
                        guideline_version=1))
    labels = labels_table(pd.DataFrame(rows).astype({"round": "Int64", "guideline_version": "Int64"}))
    fast = data.alphas_by_version(history_of(labels), QS, n_boot=20)
    slow = data.alphas_by_version_slow(labels, QS, n_boot=20)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["n_items"].tolist() == [4] and fast["alpha"].iloc[0] < 1


def test_no_codes_for_tables_the_fast_paths_cannot_take():
    labels = random_labels(4)
    assert data.history_codes(labels) is not None
    assert data.history_codes(labels.assign(time=labels["time"].astype(str))) is None
    assert data.history_codes(labels.assign(guideline_version=labels["guideline_version"].astype(float)
                                            .where(labels.index > 0))) is None
    assert data.history_codes(labels.assign(annotator=labels["annotator"].where(labels.index > 0))) is None


def test_alphas_by_version_fall_back_when_ids_are_of_mixed_kinds():
    labels = random_labels(3)
    labels = labels.assign(item=[k if k % 2 else str(k) for k in labels["item"].str[3:].astype(int)])
    hist = history_of(labels)
    assert hist.codes is None
    pd.testing.assert_frame_equal(data.alphas_by_version(hist, QS, n_boot=20),
                                  data.alphas_by_version_slow(labels, QS, n_boot=20))


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_team_observations_of_one_annotator_equal_the_whole_table_cut(case):
    labels = random_labels(**case)
    hist = history_of(labels)
    try:
        full = team_observations(labels, within=("round",))
    except Exception:  # noqa: BLE001  (missing values: the core refuses the table)
        full = None
    assert (full is None) == case.get("missing", False)
    for ann in (*hist.annotators, "nobody"):
        got = hist.team_obs_of(ann)
        if full is None:
            assert got is None
            continue
        want = full[full["annotator"] == ann]
        pd.testing.assert_frame_equal(got, want)
        assert ann == "nobody" or (len(got) and got["agrees_team"].notna().any())


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_shift_tests_on_codes_equal_the_pandas_computation(case):
    labels = random_labels(**case)
    hist = history_of(labels)
    texts = hist.texts()
    methods = set()
    for question in (None, "q", "p", "m", "solo", "absent"):
        lab = texts if question is None else texts[texts["question"] == question]
        for fast, slow in (
            (lambda: data.shift_team(hist, question), lambda: shift_vs_team(lab)),
            (lambda: data.shift_own_past(hist, (1, 2), question), lambda: shift_vs_own_past(lab, versions=(1, 2))),
            (lambda: data.shift_own_past(hist, (2, 9), question), lambda: shift_vs_own_past(lab, versions=(2, 9))),
        ):
            try:
                want = slow()
            except Exception as exc:  # noqa: BLE001
                with pytest.raises(type(exc), match=str(exc)[:40].replace("(", r"\(").replace("[", r"\[")):
                    fast()
                continue
            got = fast()
            pd.testing.assert_frame_equal(got, want)
            methods |= set(want["method"])
    assert len(methods) >= 2  # asymptotic and exact/Monte Carlo tests were compared


def test_counts_table_equals_pandas_groupby_unstack():
    rng = np.random.default_rng(5)
    n = 500
    df = pd.DataFrame({"annotator": rng.choice(["c", "a", "b", "d"], n), "question": rng.choice(["q2", "q1"], n),
                       "side": rng.choice(["before", "after"], n), "value": rng.choice(["z", "x", "y", "w", "v"], n)})
    df = df[~((df["annotator"] == "d") & (df["question"] == "q1"))]  # a combination that never occurs
    for keys in (["annotator", "question"], ["annotator", "question", "side"], ["side"]):
        want = df.groupby([*keys, "value"], sort=False).size().unstack("value", fill_value=0)
        coded = []
        for k in keys:
            codes, names = pd.factorize(df[k], sort=True)
            coded.append((k, codes, list(names)))
        vcodes, vnames = pd.factorize(df["value"], sort=True)
        got = history._counts_table(coded, vcodes, list(vnames))
        if len(keys) == 1:  # (pandas gives a flat index for one key)
            got.index = got.index.get_level_values(0)
        pd.testing.assert_frame_equal(got, want, check_names=True)


def test_reliability_data_from_codes_equals_to_reliability_data():
    labels = random_labels(7, missing=True)
    c = data.history_codes(labels)
    for q, order in (("q", None), ("p", None), ("o", ["lo", "mid", "hi"]), ("m", None)):
        one = labels[(labels["question"] == q) & (labels["round"] == 2)].drop_duplicates(["item", "annotator"])
        rows = one.index.to_numpy()
        got = reliability_data_from_codes(c.item[rows], c.items, c.annotator[rows], c.annotators,
                                          one["value"].to_numpy(), order=order)
        want = to_reliability_data(one[["item", "annotator", "value"]], order=order)
        assert got.items == want.items and got.annotators == want.annotators
        assert got.categories == want.categories and got.ordered == want.ordered
        np.testing.assert_array_equal(got.codes, want.codes)


def test_label_text_codes_equal_the_former_texts():
    labels = random_labels(8, missing=True)
    codes, texts = data.label_text_codes(labels["value"])
    # the former computation: each distinct value's text (a missing value reads "nan", as before)
    u_codes, uniques = pd.factorize(labels["value"], use_na_sentinel=False)
    former = np.array([data.label_text(u) for u in uniques], dtype=object)[u_codes]
    assert list(texts[codes]) == list(former)
    present = labels["value"].notna().to_numpy()
    assert list(texts[codes][present]) == [data.label_text(v) for v in labels["value"][present]]
    assert len(set(texts)) == len(texts) and "1" in set(texts)  # 1 and "1" read the same: one code
    assert list(data.label_texts(labels["value"])) == list(former)


def test_annotator_and_drift_views_on_codes_equal_those_on_names():
    """The views with the fast paths equal the views of a history without codes (ids that do not
    sort), which take the former pandas way everywhere; the Guidelines table too."""
    labels = random_labels(2)
    fast = history_of(labels)
    slow = history_of(labels)
    object.__setattr__(slow, "_codes", False)  # as for ids that do not sort
    assert fast.codes is not None and slow.codes is None
    src = data.Source("sqlite:///unused.db")
    for ann in fast.annotators:
        a = data.annotator_view(fast, ann, viewer_name="lead", viewer_role="owner")
        b = data.annotator_view(slow, ann, viewer_name="lead", viewer_role="owner")
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), (ann, f.name))
        assert len(a.shift) and len(a.team_series)
    for q in (None, "q", "p"):
        a, b = data.drift_view(src, fast, q), data.drift_view(src, slow, q)
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), (q, f.name))
        assert len(a.shift_team) and len(a.shift_versions)
    pd.testing.assert_frame_equal(data.alphas_by_version(fast, QS, n_boot=30), data.alphas_by_version(slow, QS, n_boot=30))
    assert data.task_meta(fast) == data.task_meta(slow) and len(data.task_meta(fast).n_items) == 5
    for ann in (fast.annotators[0], "nobody"):
        a, b = data.label_distribution(fast, ann), data.label_distribution(slow, ann)
        pd.testing.assert_frame_equal(a, b)
        assert len(a) == 0 if ann == "nobody" else len(a) > 10


def _same(a, b, where):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), obj=str(where))
    else:
        assert a == b, (where, a, b)


def _value_codes_per_question(values: pd.Series, questions: pd.Series):
    """The general way (one factorisation per question), the reference for the hashed path."""
    from workbench.analytics.drift import _value_codes_per_question as general

    qcodes, qs = pd.factorize(questions)
    return general(values.to_numpy(), qcodes, len(qs))


@pytest.mark.parametrize("seed", range(4))
def test_value_codes_by_hashing_equal_those_per_question(seed):
    from workbench.analytics.drift import value_codes as _value_codes

    labels = random_labels(seed, missing=seed == 1)
    rng = np.random.default_rng(seed)
    tables = [labels, labels[labels["question"] == "p"],  # ints only (an int64 column below)
              pd.DataFrame({"question": rng.choice(["b", "a"], 300), "value": rng.choice([1, 1.0, True, "1", 2.5], 300)})]
    for df in tables:
        values = df["value"] if len(tables) and df is not tables[1] else df["value"].astype(np.int64)
        got = _value_codes(values, df["question"])
        want = _value_codes_per_question(values, df["question"])
        for g, w in zip(got, want):
            if isinstance(w, list):
                assert g == w
            elif w.dtype == object:  # (nan stands for a missing value: compared by type and repr)
                assert [(type(v), repr(v)) for v in g] == [(type(v), repr(v)) for v in w]
            else:
                np.testing.assert_array_equal(g, w)



def _team_reference(labels: pd.DataFrame, min_others: int, strict: bool):
    """Leave-one-annotator-out team answers row by row (plain Python: the definition)."""
    from collections import Counter

    groups = {}
    for i, r in enumerate(labels.itertuples()):
        groups.setdefault((r.item, r.question, r.round), []).append(i)
    values, anns = labels["value"].tolist(), labels["annotator"].tolist()
    team, n_others = [None] * len(labels), [0] * len(labels)
    for rows in groups.values():
        for i in rows:
            others = [j for j in rows if anns[j] != anns[i]]
            n_others[i] = len({anns[j] for j in others})
            votes = Counter(values[j] for j in others).most_common()
            if n_others[i] < min_others or not votes or (len(votes) > 1 and votes[0][1] == votes[1][1]):
                continue
            if strict and 2 * votes[0][1] <= len(others):
                continue
            team[i] = votes[0][0]
    return team, n_others


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("repeats", [False, True])
@pytest.mark.parametrize("seed", [5, 6])
def test_team_votes_equal_the_definition_whatever_the_blocks(strict, repeats, seed):
    """Without repeated judgements team_votes takes its per-group shortcut (the first size of
    block); with them, and with small blocks, the table per (group, annotator)."""
    labels = random_labels(seed, n_items=12, n_ann=5)
    if repeats:  # repeated judgements by one annotator count as votes
        labels = pd.concat([labels, labels.iloc[:40].assign(time=labels["time"].iloc[:40] + pd.Timedelta(hours=1))],
                           ignore_index=True)
    team, n_others = _team_reference(labels, 2, strict)
    for max_cells in (20_000_000, 7, 1):
        got = team_observations(labels, within=("round",), strict_majority=strict, max_cells=max_cells)
        back = got.sort_values(["annotator", "time"], kind="stable")  # (already in that order)
        assert back.index.equals(got.index)
        order = np.lexsort((labels["time"].values.view("int64"), pd.factorize(labels["annotator"], sort=True)[0]))
        assert [repr(v) for v in got["team_value"]] == [repr(team[i]) for i in order]
        assert got["n_others"].tolist() == [n_others[i] for i in order]
        assert 0 < got["agrees_team"].notna().sum() < len(got)


def test_team_votes_per_group_shortcut_equals_the_pair_table():
    """Random groups with few answers and many ties: the shortcut for one judgement per
    (group, annotator) equals the general table (forced by a block size that rules it out)."""
    from workbench.analytics.drift import team_votes

    rng = np.random.default_rng(9)
    for k in (1, 2, 3, 5):
        n_groups, n_ann = 400, 7
        g = np.repeat(np.arange(n_groups), n_ann)
        a = np.tile(np.arange(n_ann), n_groups)
        keep = rng.random(len(g)) < 0.7
        g, a = g[keep], a[keep]
        v = rng.integers(0, k, len(g))
        for strict in (False, True):
            for min_others in (1, 2, 4):
                fast = team_votes(g, a, v, k, min_others=min_others, strict_majority=strict)
                general = team_votes(g, a, v, k, min_others=min_others, strict_majority=strict,
                                     max_cells=n_groups * k - 1 if n_groups * k > n_groups * n_ann else n_groups * n_ann - 1)
                np.testing.assert_array_equal(fast[0], general[0])
                np.testing.assert_array_equal(fast[1], general[1])
                assert (fast[0] >= 0).any() and (fast[0] < 0).any()


def test_sorted_codes_equal_pandas_sorted_factorisation():
    rng = np.random.default_rng(11)
    alphabet = list("abcXYZ019 _-é€😀") + ["\x01"]
    texts = ["".join(rng.choice(alphabet, int(rng.integers(0, 6)))) for _ in range(3000)]
    for values in (texts, [f"item-{k}" for k in rng.integers(0, 500, 2000)], rng.integers(-50, 50, 1000).tolist(),
                   texts[:50] + ["a\x00", "a"], []):
        series = pd.Series(values, dtype=object)
        if not len(series):
            continue
        codes, ids = history._sorted_codes(series)
        want_codes, want_ids = pd.factorize(series, sort=True)
        np.testing.assert_array_equal(codes, want_codes)
        assert ids == tuple(want_ids.tolist())
    with pytest.raises(TypeError):
        history._sorted_codes(pd.Series(["a", 1], dtype=object))



def test_names_and_labels_in_charts_are_shown_as_typed_not_as_html():
    """Issue #14: Plotly reads <a href> in labels and Argilla allows any username, so a name could
    put a link (or markup) into a lead's chart. Every name and label is HTML-escaped."""
    import pandas as pd

    from workbench.dashboard import charts

    evil = '<a href="http://evil.example/x">ana</a>'
    m = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=[evil, "ben"], columns=[evil, "ben"])
    points = pd.DataFrame({"annotator": [evil, evil], "phase": "monitor", "statistic": [0.1, 0.2], "limit": 3.0,
                           "alarm": [False, True], "time": pd.date_range("2026-01-05", periods=2)})
    dist = pd.DataFrame({"question": "q", "who": [evil], "value": ["<b>label</b>"], "share": [1.0], "n": [3]})
    figures = [charts.pair_heatmap(m, m.astype(int), f"agreement of {evil}"),
               charts.count_heatmap(m, "confusion", "given", "gold"),
               charts.control_chart(points, pd.DataFrame(), pd.DataFrame(columns=["time", "guideline_version"]), "c"),
               charts.distribution_bars(dist, "q"),
               charts.judge_bars(pd.DataFrame({"annotator": [evil], "measured": ["judge"], "kappa": [0.5]}),
                                 "kappa", "judges")]
    for fig in figures:
        text = fig.to_json()
        assert "<a href" not in text and "\\u003ca href" not in text and "<b>label" not in text, text[:300]
        assert "&lt;a href" in text or "&lt;b&gt;label" in text
