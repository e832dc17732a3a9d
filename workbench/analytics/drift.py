"""Annotator drift: agreement over time, control charts and label-distribution shift.

Everything here is a pure function over a tidy *labels* table (one row per judgement) and a
*gold* table; nothing reads files or talks to Argilla.

==================  =================================================================
labels column       meaning
==================  =================================================================
item                the unit judged (record id)
annotator           who judged it
question            which question of the item
value               the answer (a hashable label or a number)
time                when it was given (datetime, or text ``pandas.to_datetime`` reads)
round               calibration round / batch the judgement belongs to
guideline_version   the guideline version the annotator worked under
==================  =================================================================

Gold is a table ``item, question, value``: the accepted answer for gold and calibration items.
Gold items keep flowing into production queues and calibration items are repeated, so each
annotator produces a stream of "agreed with gold" observations over time.

Three questions are answered:

1. **How well does each annotator agree, over time and across guideline versions?**
   :func:`gold_observations` and :func:`team_observations` give one row per judgement
   (agreement with gold; agreement with the leave-one-out majority of the other annotators);
   :func:`agreement_series`, :func:`agreement_by_version` and :func:`rolling_agreement` turn
   them into tidy time series for charts, the guideline version carried along.
2. **Has an annotator's accuracy dropped, durably?** :func:`monitor_gold_agreement` runs a
   one-sided Bernoulli CUSUM (Reynolds & Stoumbos 1999) on the stream of disagreements with
   gold, designed for a given drop (default 15 points) and in-control average run length,
   with exact ARLs from a Markov chain (:func:`design_bernoulli_cusum`). An EWMA chart with
   time-varying limits (Montgomery 2009, section 9.2) is offered for display.
3. **Has an annotator's label distribution moved?** :func:`shift_vs_own_past` (before vs
   after a time or a guideline version) and :func:`shift_vs_team` (the annotator vs everyone
   else in the same period) run a chi-square test of homogeneity (:func:`homogeneity_test`,
   an exact or Monte Carlo fallback for sparse tables), with Cramér's V and the
   Jensen-Shannon distance as effect sizes and Benjamini-Hochberg adjusted p-values.

References
----------
Montgomery, D. C. (2009). *Introduction to Statistical Quality Control*, 6th ed., Wiley.
    Section 9.1 (CUSUM) and 9.2 (EWMA; control limits eq. 9.24-9.25).
Reynolds, M. R., Jr. & Stoumbos, Z. G. (1999). A CUSUM chart for monitoring a proportion when
    inspecting continuously. *Journal of Quality Technology* 31(1), 87-108.
Brook, D. & Evans, D. A. (1972). An approach to the probability distribution of CUSUM run
    length. *Biometrika* 59(3), 539-549.
Gandy, A. & Kvaloy, J. T. (2013). Guaranteed conditional performance of control charts via
    bootstrap methods. *Scandinavian Journal of Statistics* 40(4), 647-668.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1),
    289-300.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.signal import lfilter
from scipy.sparse.linalg import spsolve
from scipy.spatial.distance import jensenshannon

from workbench.analytics.reliability import check_seed
from workbench.errors import BadInput

LABEL_COLUMNS = ("item", "annotator", "question", "value", "time", "round", "guideline_version")
GOLD_COLUMNS = ("item", "question", "value")

__all__ = [
    "GOLD_COLUMNS",
    "LABEL_COLUMNS",
    "BernoulliCusumDesign",
    "ControlChart",
    "HomogeneityResult",
    "agreement_by_version",
    "agreement_series",
    "baseline_accuracy",
    "bernoulli_cusum",
    "bernoulli_cusum_arl",
    "bernoulli_cusum_run_length_cdf",
    "design_bernoulli_cusum",
    "ewma",
    "gold_observations",
    "homogeneity_test",
    "monitor_gold_agreement",
    "rolling_agreement",
    "shift_vs_own_past",
    "shift_vs_own_past_counts",
    "shift_vs_team",
    "shift_vs_team_counts",
    "team_observations",
    "team_votes",
    "validate_gold",
    "validate_labels",
]


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _require_frame(df, required, source):
    if not isinstance(df, pd.DataFrame):
        raise BadInput(f"{source}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise BadInput(
            f"{source}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"required: {', '.join(required)}; found: {', '.join(map(str, df.columns)) or 'none'}"
        )


def _first_null(df, columns, source):
    for col in columns:
        null = df[col].isna().to_numpy()
        if null.any():
            row = df.index[np.argmax(null)]
            raise BadInput(f"{source}: field {col!r} is empty at row {row!r}; every judgement needs one")


def validate_labels(labels: pd.DataFrame, *, source: str = "labels") -> pd.DataFrame:
    """Check a tidy labels table and return it with ``time`` as ``datetime64``.

    Parameters
    ----------
    labels : pandas.DataFrame
        One row per judgement with the columns of :data:`LABEL_COLUMNS`.
    source : str
        What the table came from (a file name); used in error messages.

    Returns
    -------
    pandas.DataFrame
        The table (a shallow copy when ``time`` had to be parsed).

    Raises
    ------
    BadInput
        If a column is missing, the table is empty, a required field is empty, or a time
        cannot be read (the first bad value is named).

    Examples
    --------
    >>> validate_labels(pd.DataFrame({"item": [1]}), source="l.csv")
    Traceback (most recent call last):
    ...
    workbench.errors.BadInput: l.csv: missing column(s) 'annotator', 'question', 'value', 'time', 'round', 'guideline_version'; required: item, annotator, question, value, time, round, guideline_version; found: item
    """
    _require_frame(labels, LABEL_COLUMNS, source)
    if len(labels) == 0:
        raise BadInput(f"{source}: the labels table has no rows")
    _first_null(labels, ("item", "annotator", "question", "value", "time"), source)
    if not pd.api.types.is_datetime64_any_dtype(labels["time"]):
        parsed = pd.to_datetime(labels["time"], errors="coerce")
        bad = parsed.isna().to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise BadInput(
                f"{source}: field 'time' has value {labels['time'].iloc[i]!r} at row {labels.index[i]!r}, "
                "which is not a date/time"
            )
        labels = labels.assign(time=parsed)
    return labels


def validate_gold(gold: pd.DataFrame, *, source: str = "gold") -> pd.DataFrame:
    """Check a gold table (``item, question, value``) and return it without duplicate rows.

    Raises
    ------
    BadInput
        If a column is missing, there is no gold at all, a value is empty, or one
        (item, question) has two different gold values.

    Examples
    --------
    >>> validate_gold(pd.DataFrame({"item": [], "question": [], "value": []}))
    Traceback (most recent call last):
    ...
    workbench.errors.BadInput: gold: no gold values (0 rows); drift against gold needs at least one gold item
    """
    _require_frame(gold, GOLD_COLUMNS, source)
    if len(gold) == 0:
        raise BadInput(f"{source}: no gold values (0 rows); drift against gold needs at least one gold item")
    _first_null(gold, GOLD_COLUMNS, source)
    gold = gold.loc[:, list(GOLD_COLUMNS)].drop_duplicates()
    dup = gold.duplicated(["item", "question"], keep=False).to_numpy()
    if dup.any():
        first = gold.loc[dup].iloc[0]
        values = gold.loc[dup & (gold["item"] == first["item"]).to_numpy() & (gold["question"] == first["question"]).to_numpy(), "value"]
        raise BadInput(
            f"{source}: item {first['item']!r}, question {first['question']!r} has conflicting gold "
            f"values {sorted(map(repr, values))}"
        )
    return gold


# --------------------------------------------------------------------------------------------
# Per-judgement agreement
# --------------------------------------------------------------------------------------------


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Elementwise equality; compares text forms when one side is numeric and the other not."""
    if pd.api.types.is_numeric_dtype(a) != pd.api.types.is_numeric_dtype(b):
        return (a.astype(str).to_numpy() == b.astype(str).to_numpy())
    return (a.to_numpy() == b.to_numpy())


def gold_observations(
    labels: pd.DataFrame,
    gold: pd.DataFrame,
    *,
    numeric_questions=None,
    source: str = "labels",
    gold_source: str = "gold",
) -> pd.DataFrame:
    """One row per judgement of a gold (item, question): did it agree with gold?

    Parameters
    ----------
    labels, gold : pandas.DataFrame
        The tidy labels table and the gold table (see the module docstring).
    numeric_questions : iterable of str, optional
        Questions whose answers are ordinal or interval numbers. ``abs_error`` (the absolute
        difference from gold) is computed for these; for other questions it is NaN. With
        ``None`` it is computed wherever both the answer and the gold value are numbers, which
        is wrong for nominal labels that happen to be coded as numbers: pass the list then.
    source, gold_source : str
        Names used in error messages.

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator, time, guideline_version, round, item, question, value, gold,
        correct (bool), abs_error (float), seq`` sorted by annotator then time; ``seq`` numbers
        each annotator's gold observations 0, 1, 2, ... in time order.

    Raises
    ------
    BadInput
        On an invalid table, or when no judgement falls on a gold (item, question).

    Examples
    --------
    >>> labels = pd.DataFrame({"item": [1, 1, 2], "annotator": ["ann", "bob", "ann"],
    ...     "question": "q", "value": ["x", "y", "x"], "round": 0, "guideline_version": "v1",
    ...     "time": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"])})
    >>> gold = pd.DataFrame({"item": [1], "question": ["q"], "value": ["x"]})
    >>> gold_observations(labels, gold)[["annotator", "item", "correct", "seq"]]
      annotator  item  correct  seq
    0       ann     1     True    0
    1       bob     1    False    0
    """
    labels = validate_labels(labels, source=source)
    gold = validate_gold(gold, source=gold_source)
    cols = ["annotator", "time", "guideline_version", "round", "item", "question", "value"]
    obs = labels.loc[:, cols].merge(gold.rename(columns={"value": "gold"}), on=["item", "question"], how="inner")
    if len(obs) == 0:
        lq = sorted(map(str, labels["question"].unique()))[:5]
        gq = sorted(map(str, gold["question"].unique()))[:5]
        raise BadInput(
            f"{source}: no judgement falls on a gold (item, question) of {gold_source} "
            f"({len(labels)} labels on questions {lq}, {len(gold)} gold values on questions {gq})"
        )
    obs["correct"] = _same(obs["value"], obs["gold"])
    num_v = pd.to_numeric(obs["value"], errors="coerce")
    num_g = pd.to_numeric(obs["gold"], errors="coerce")
    err = (num_v - num_g).abs().astype(float)
    if numeric_questions is not None:
        err = err.where(obs["question"].isin(list(numeric_questions)))
    obs["abs_error"] = err
    obs = obs.sort_values(["annotator", "time", "item", "question"], kind="stable", ignore_index=True)
    obs["seq"] = obs.groupby("annotator", sort=False).cumcount()
    return obs


def value_codes(values: pd.Series, questions: pd.Series):
    """Integer codes of values, numbered separately within each question (keeps the code range small).

    Returns ``codes, question_codes, offsets, uniques``: the value of code ``c`` in question
    ``q`` is ``uniques[offsets[q] + c]``.
    """
    qcodes, qs = pd.factorize(questions)
    vals = values.to_numpy()
    if len(vals) and (qcodes >= 0).all():
        return _value_codes_hashed(vals, qcodes, len(qs))
    return _value_codes_per_question(vals, qcodes, len(qs))


def _value_codes_per_question(vals: np.ndarray, qcodes: np.ndarray, n_questions: int):
    """:func:`value_codes` by one ``pd.factorize`` per question (any values, missing questions
    included): the general way, and the reference its hashed fast path is tested against."""
    codes = np.empty(len(vals), dtype=np.int64)
    offsets = np.zeros(n_questions, dtype=np.int64)
    uniques, n_vals, start = [], [], 0
    for q, idx in enumerate(pd.Series(np.arange(len(vals))).groupby(qcodes, sort=True).indices.values()):
        c, u = pd.factorize(vals[idx], use_na_sentinel=False)
        codes[idx] = c
        offsets[q] = start
        start += len(u)
        uniques.append(np.asarray(u, dtype=object))
        n_vals.append(len(u))
    return codes, qcodes, offsets, np.concatenate(uniques), n_vals


def _value_codes_hashed(vals: np.ndarray, qcodes: np.ndarray, n_q: int):
    """:func:`value_codes` with two hash passes over all rows instead of one factorisation per
    question: the same codes, offsets and first-seen values (tested against the per-question way)."""
    gcodes, guniq = pd.factorize(vals, use_na_sentinel=False)  # (equal values: one code, as per question)
    pair = qcodes.astype(np.int64) * max(len(guniq), 1) + gcodes
    pcodes, pairs = pd.factorize(pair)  # (question, value) pairs in order of first appearance
    pairs = np.asarray(pairs, dtype=np.int64)
    pair_q = pairs // max(len(guniq), 1)
    first_row = np.flatnonzero(~pd.Series(pcodes).duplicated().to_numpy())  # first row of pair 0, 1, 2, ...
    by_q = np.argsort(pair_q, kind="stable")  # per question, its pairs in order of first appearance
    n_vals = np.bincount(pair_q, minlength=n_q)
    offsets = np.concatenate([[0], np.cumsum(n_vals)[:-1]]).astype(np.int64)
    local = np.empty(len(pairs), dtype=np.int64)
    local[by_q] = np.arange(len(pairs)) - offsets[pair_q[by_q]]
    rows = first_row[by_q]
    uniques = np.asarray(vals[rows], dtype=object)  # (as np.asarray(factorize's uniques, dtype=object))
    missing = pd.isna(uniques)
    if missing.any():  # factorize stands for a missing value with its own marker (nan), as per question
        uniques[missing] = np.asarray(np.asarray(guniq, dtype=object)[gcodes[rows[missing]]], dtype=object)
    return local[pcodes], qcodes, offsets, uniques, [int(n) for n in n_vals]


def team_observations(
    labels: pd.DataFrame,
    *,
    within=(),
    items=None,
    min_others: int = 2,
    strict_majority: bool = False,
    source: str = "labels",
    max_cells: int = 20_000_000,
) -> pd.DataFrame:
    """One row per judgement: does it match the majority of the *other* annotators?

    For each judgement of annotator *a* on an item and question, the team answer is the most
    frequent value among the judgements of every other annotator on the same item and
    question (and the same values of the ``within`` columns): leave-one-annotator-out, so an
    annotator never votes on their own reference. Repeated judgements by one other annotator
    (a calibration item seen twice) each count as a vote.

    Parameters
    ----------
    labels : pandas.DataFrame
        The tidy labels table.
    within : sequence of str
        Extra columns that must match for a judgement to be part of the team, for example
        ``("round",)`` to compare within a calibration round only. Default: pool all times.
    items : iterable, optional
        Restrict to these items (for example the calibration items).
    min_others : int
        Fewest other annotators needed for a team answer (default 2).
    strict_majority : bool
        If true, the team answer must have more than half of the other votes; otherwise a
        unique plurality is enough. A tie for first place gives no team answer.
    source : str
        Name used in error messages.
    max_cells : int
        Memory bound for the vectorised count tables (groups x values per block).

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator, time, guideline_version, round, item, question, value,
        team_value, n_others, agrees_team`` sorted by annotator then time. ``agrees_team`` is
        1.0 or 0.0, and NaN where there is no team answer (fewer than ``min_others`` other
        annotators, or a tie); ``team_value`` is then missing. Rows with the same annotator and
        time keep the input order.

    Examples
    --------
    >>> labels = pd.DataFrame({"item": 1, "question": "q", "round": 0, "guideline_version": "v1",
    ...     "annotator": ["a", "b", "c", "d"], "value": ["x", "x", "x", "y"],
    ...     "time": pd.Timestamp("2024-01-01")})
    >>> team_observations(labels)[["annotator", "value", "team_value", "agrees_team"]]
      annotator value team_value  agrees_team
    0         a     x          x          1.0
    1         b     x          x          1.0
    2         c     x          x          1.0
    3         d     y          x          0.0
    """
    labels = validate_labels(labels, source=source)
    within = [within] if isinstance(within, str) else list(within)
    missing = [c for c in within if c not in labels.columns]
    if missing:
        raise BadInput(f"{source}: within= names column(s) {missing} that the table does not have")
    if min_others < 1:
        raise BadInput(f"min_others must be at least 1, got {min_others!r}")
    cols = ["annotator", "time", "guideline_version", "round", "item", "question", "value"]
    df = labels[cols + [c for c in within if c not in cols]]
    if items is not None:
        df = df.loc[df["item"].isin(list(items))]
        if len(df) == 0:
            raise BadInput(f"{source}: none of the given items occurs in the table")
    df.index = pd.RangeIndex(len(df))
    n = len(df)
    g = df.groupby(["item", "question", *within], sort=False).ngroup().to_numpy()
    a, _ = pd.factorize(df["annotator"])
    v, qcodes, offsets, uniques, n_vals = value_codes(df["value"], df["question"])
    team_code, n_others = team_votes(g, a, v, max(n_vals), min_others=min_others, strict_majority=strict_majority,
                                     max_cells=max_cells)
    has = team_code >= 0
    team_value = np.full(n, None, dtype=object)
    team_value[has] = uniques[offsets[qcodes[has]] + team_code[has]]
    agrees = np.where(has, (v == team_code).astype(float), np.nan)
    order = _annotator_time_order(df)
    out = df[cols].take(order)
    out.index = pd.RangeIndex(n)
    out["team_value"] = team_value[order]
    out["n_others"] = n_others[order]
    out["agrees_team"] = agrees[order]
    return out


def team_votes(group, annotator, value, k: int, *, min_others: int = 2, strict_majority: bool = False,
               max_cells: int = 20_000_000) -> tuple[np.ndarray, np.ndarray]:
    """The leave-one-annotator-out team answer of each judgement, on integer codes.

    ``group[i]`` numbers judgement ``i``'s (item, question, ...) group (any non-negative
    integers), ``annotator[i]`` its annotator and ``value[i]`` its answer (``0 <= value < k``,
    numbered within the question). Returns ``(team_code, n_others)``: the code of the other
    annotators' most frequent answer in the group (-1: none, as :func:`team_observations`
    says) and how many other annotators answered there. How the codes are numbered does not
    change the result. This is the arithmetic of :func:`team_observations`, for callers that
    factorise a table's ids once and use them for several views.
    """
    g = np.asarray(group, dtype=np.int64)
    a = np.asarray(annotator, dtype=np.int64)
    v = np.asarray(value, dtype=np.int64)
    n = len(g)
    team_code = np.full(n, -1, dtype=np.int64)
    n_others = np.zeros(n, dtype=np.int64)
    if n == 0:
        return team_code, n_others
    n_groups = int(g.max()) + 1
    n_ann = int(a.max()) + 1
    if n_groups * k <= max_cells and n_groups * n_ann <= max_cells:
        once = np.bincount(g * n_ann + a, minlength=n_groups * n_ann).max() <= 1
        if once:  # every annotator answers once per group: per-group tables are enough
            return _team_votes_once(g, v, k, n_groups, min_others=min_others, strict_majority=strict_majority)
    if n_groups * k <= max_cells:  # one block: every row, in table order
        blocks = [slice(None)]
    else:
        order = np.argsort(g, kind="stable")
        g_sorted = g[order]
        bounds = np.searchsorted(g_sorted, np.arange(0, n_groups + 1, max(1, max_cells // k)))
        bounds = np.unique(np.append(bounds, n))
        blocks = [order[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])]
    for rows in blocks:
        gg = g[rows] - g[rows].min()
        ng = int(gg.max()) + 1
        vv, aa = v[rows], a[rows]
        # (counts of at most n votes: int32 halves the memory traffic of the (pairs x k) tables)
        count_type = np.int32 if n < 2**31 else np.int64
        total = np.bincount(gg * k + vv, minlength=ng * k).reshape(ng, k).astype(count_type)
        # each (group, annotator) pair numbered (by a hash table, in order of appearance)
        p, pairs = pd.factorize(gg * n_ann + aa)
        n_pairs = len(pairs)
        own = np.bincount(p * k + vv, minlength=n_pairs * k).reshape(n_pairs, k).astype(count_type)
        pair_g = np.asarray(pairs, dtype=np.int64) // n_ann
        others = total[pair_g]
        others -= own
        ann_per_group = np.bincount(pair_g, minlength=ng)
        top = others.max(axis=1)
        arg = others.argmax(axis=1)
        unique_top = (others == top[:, None]).sum(axis=1) == 1
        ok = (top > 0) & unique_top & (ann_per_group[pair_g] - 1 >= min_others)
        if strict_majority:
            ok &= 2 * top.astype(np.int64) > others.sum(axis=1, dtype=np.int64)
        team_code[rows] = np.where(ok[p], arg[p], -1)
        n_others[rows] = ann_per_group[pair_g[p]] - 1
    return team_code, n_others


def _team_votes_once(g: np.ndarray, v: np.ndarray, k: int, n_groups: int, *, min_others: int,
                     strict_majority: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`team_votes` when every (group, annotator) pair is one judgement (tested equal to the
    general way): a judgement's other votes are its group's counts minus one vote for its own
    answer, so the most frequent other answer follows from per-group statistics (the largest
    count, where it first occurs, how often it occurs, the next one) without a (judgements x
    answers) table."""
    count_type = np.int32 if len(g) < 2**31 else np.int64
    total = np.bincount(g * k + v, minlength=n_groups * k).reshape(n_groups, k).astype(count_type)
    rows_in_group = np.bincount(g, minlength=n_groups)
    m1 = total.max(axis=1)
    a1 = total.argmax(axis=1)  # first position of the largest count
    c1 = (total == m1[:, None]).sum(axis=1)  # how many answers have it
    rest = total.copy()
    rest[np.arange(n_groups), a1] = -1
    a1b = rest.argmax(axis=1)  # first position of the largest count once a1 is left out
    m_rest = rest.max(axis=1)  # ... and that count
    tv = total.reshape(-1)[g * k + v]  # the group's count of this judgement's own answer
    gm1, gc1, ga1 = m1[g], c1[g], a1[g]
    own_is_top = tv == gm1
    alone_on_top = own_is_top & (gc1 == 1)  # own answer was the only top one: one vote less
    # the others' largest count, whether only one answer has it, and the first answer that does
    top = np.where(alone_on_top, np.maximum(gm1 - 1, m_rest[g]), gm1)
    unique = np.where(own_is_top, np.where(alone_on_top, gm1 - 1 > m_rest[g], gc1 == 2), gc1 == 1)
    arg = np.where(own_is_top & (v == ga1), np.where(alone_on_top, v, a1b[g]), ga1)
    n_others = rows_in_group[g] - 1
    ok = (top > 0) & unique & (n_others >= min_others)
    if strict_majority:
        ok &= 2 * top.astype(np.int64) > n_others  # (the other votes: one per other annotator)
    return np.where(ok, arg, -1).astype(np.int64), n_others.astype(np.int64)


def _annotator_time_order(df: pd.DataFrame) -> np.ndarray:
    """Row order by annotator, then time, ties kept in input order (lexsort on integer keys)."""
    ann, _ = pd.factorize(df["annotator"], sort=True)
    return np.lexsort((df["time"].values.view("int64"), ann))  # .values: datetime64 even when tz-aware


# --------------------------------------------------------------------------------------------
# Time series for charts
# --------------------------------------------------------------------------------------------


def _check_obs(obs, column):
    _require_frame(obs, ("annotator", "time", "guideline_version", column), "observations")


def _version_order(obs):
    """Guideline versions in order of first appearance in time."""
    first = obs.groupby("guideline_version", sort=False)["time"].min().sort_values(kind="stable")
    return {v: i for i, v in enumerate(first.index)}


def agreement_series(obs: pd.DataFrame, *, column: str = "correct", freq: str = "W") -> pd.DataFrame:
    """Agreement rate per annotator per calendar period, split by guideline version.

    Parameters
    ----------
    obs : pandas.DataFrame
        Output of :func:`gold_observations` (``column="correct"``) or
        :func:`team_observations` (``column="agrees_team"``). NaN values are left out.
    column : str
        The 0/1 agreement column to average.
    freq : str
        A pandas frequency for the periods (``"D"``, ``"W"``, ``"MS"``, ``"h"``...). The
        ``period`` label is pandas' bin label: the start of the day, hour or month (``"MS"``),
        but the *end* (Sunday) of the week for ``"W"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator, period, guideline_version, n, rate, se`` (binomial standard
        error), ``mae`` when the observations carry ``abs_error``, and ``version_change``:
        true on the first row of each guideline version after an annotator's first, so a chart
        can mark where the guideline changed. A period that spans a version change has one row
        per version. Sorted by annotator, period and version order.

    Examples
    --------
    >>> obs = pd.DataFrame({"annotator": "a", "guideline_version": ["v1", "v1", "v2"],
    ...     "time": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"]),
    ...     "correct": [True, False, True]})
    >>> agreement_series(obs, freq="D")[["period", "guideline_version", "n", "rate", "version_change"]]
          period guideline_version  n  rate  version_change
    0 2024-01-01                v1  2   0.5           False
    1 2024-01-02                v2  1   1.0            True
    """
    _check_obs(obs, column)
    d = obs.loc[obs[column].notna(), ["annotator", "time", "guideline_version", column]
                + (["abs_error"] if "abs_error" in obs.columns else [])]
    d = d.assign(_x=d[column].astype(float))
    aggs = {"n": ("_x", "size"), "rate": ("_x", "mean")}
    if "abs_error" in d.columns:
        aggs["mae"] = ("abs_error", "mean")
    out = (
        d.groupby(["annotator", pd.Grouper(key="time", freq=freq), "guideline_version"], observed=True, sort=False)
        .agg(**aggs)
        .reset_index()
        .rename(columns={"time": "period"})
    )
    out = out.loc[out["n"] > 0]
    out["se"] = np.sqrt(out["rate"] * (1 - out["rate"]) / out["n"])
    rank = out["guideline_version"].map(_version_order(d))
    out = out.assign(_r=rank).sort_values(["annotator", "period", "_r"], kind="stable", ignore_index=True)
    first_of_version = ~out.duplicated(["annotator", "guideline_version"])
    first_of_annotator = ~out.duplicated(["annotator"])
    out["version_change"] = (first_of_version & ~first_of_annotator).to_numpy()
    cols = ["annotator", "period", "guideline_version", "n", "rate", "se"] + (["mae"] if "mae" in out else [])
    return out.loc[:, cols + ["version_change"]]


def agreement_by_version(obs: pd.DataFrame, *, column: str = "correct") -> pd.DataFrame:
    """Agreement rate per annotator per guideline version (versions in order of first use).

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator, guideline_version, n, rate, se, [mae], first_time, last_time``.
    """
    _check_obs(obs, column)
    d = obs.loc[obs[column].notna()]
    d = d.assign(_x=d[column].astype(float))
    aggs = {"n": ("_x", "size"), "rate": ("_x", "mean"), "first_time": ("time", "min"), "last_time": ("time", "max")}
    if "abs_error" in d.columns:
        aggs["mae"] = ("abs_error", "mean")
    out = d.groupby(["annotator", "guideline_version"], observed=True, sort=False).agg(**aggs).reset_index()
    out["se"] = np.sqrt(out["rate"] * (1 - out["rate"]) / out["n"])
    out = out.assign(_r=out["guideline_version"].map(_version_order(d)))
    out = out.sort_values(["annotator", "_r"], kind="stable", ignore_index=True)
    cols = ["annotator", "guideline_version", "n", "rate", "se"] + (["mae"] if "mae" in out else [])
    return out.loc[:, cols + ["first_time", "last_time"]]


def rolling_agreement(obs: pd.DataFrame, *, column: str = "correct", window: int = 50) -> pd.DataFrame:
    """Per-observation moving agreement rate over each annotator's last ``window`` observations.

    Returns the observations (NaN values of ``column`` dropped, sorted by annotator and time)
    with a ``rolling_rate`` column, NaN until an annotator has ``window`` observations.
    Computed with cumulative sums, no per-row loop.

    Examples
    --------
    >>> obs = pd.DataFrame({"annotator": "a", "guideline_version": "v1",
    ...     "time": pd.date_range("2024-01-01", periods=4, freq="D"), "correct": [1, 0, 1, 1]})
    >>> rolling_agreement(obs, window=2)["rolling_rate"].tolist()
    [nan, 0.5, 0.5, 1.0]
    """
    _check_obs(obs, column)
    if int(window) < 1:
        raise BadInput(f"window must be a positive number of observations, got {window!r}")
    d = obs.loc[obs[column].notna()].sort_values(["annotator", "time"], kind="stable", ignore_index=True)
    x = d[column].astype(float).to_numpy()
    pos = d.groupby("annotator", sort=False).cumcount().to_numpy()
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(len(x))
    ok = pos >= window - 1
    rate = np.full(len(x), np.nan)
    rate[ok] = (c[i[ok] + 1] - c[i[ok] + 1 - window]) / window
    d["rolling_rate"] = rate
    return d


# --------------------------------------------------------------------------------------------
# Bernoulli CUSUM (Reynolds & Stoumbos 1999)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BernoulliCusumDesign:
    """A one-sided Bernoulli CUSUM for an increase of an event rate from ``p0`` to ``p1``.

    The chart works on the integer lattice of Reynolds & Stoumbos (1999): with the reference
    value ``gamma = a / m`` (a rational approximation of the log-likelihood-ratio value), the
    statistic ``T_t = max(0, T_{t-1} + m*y_t - a)`` moves by whole steps, the chart signals
    when ``T_t >= H``, and in original units ``S_t = T_t / m`` and ``h = H / m``. Because the
    state space is finite, the average run lengths are exact (Markov chain of Brook & Evans).

    Attributes
    ----------
    p0, p1 : float
        In-control and out-of-control rates of the monitored event (here: disagreeing with gold).
    gamma : float
        Reference value ``a / m`` actually used.
    m, a, H : int
        Lattice scale, step down per non-event, and integer control limit.
    h : float
        Control limit in units of the statistic, ``H / m``.
    arl0, arl1 : float
        Exact zero-state average run lengths at ``p0`` and at ``p1``.
    """

    p0: float
    p1: float
    gamma: float
    m: int
    a: int
    H: int
    h: float
    arl0: float
    arl1: float


def _llr_gamma(p0: float, p1: float) -> float:
    return math.log((1 - p0) / (1 - p1)) / math.log(p1 * (1 - p0) / (p0 * (1 - p1)))


def _transition(p: float, m: int, a: int, H: int) -> sparse.csr_matrix:
    """Sub-stochastic transition matrix among the non-signalling states 0..H-1."""
    s = np.arange(H)
    up = s + (m - a)
    keep = up < H
    rows = np.concatenate([s[keep], s])
    cols = np.concatenate([up[keep], np.maximum(s - a, 0)])
    vals = np.concatenate([np.full(keep.sum(), p), np.full(H, 1 - p)])
    return sparse.csr_matrix((vals, (rows, cols)), shape=(H, H))


def _arl_lattice(p: float, m: int, a: int, H: int) -> float:
    """Zero-state ARL of the lattice CUSUM: solve (I - Q) L = 1 (Brook & Evans 1972)."""
    lhs = sparse.identity(H, format="csc") - _transition(p, m, a, H).tocsc()
    return float(np.atleast_1d(spsolve(lhs, np.ones(H)))[0])


def bernoulli_cusum_arl(p: float, design: BernoulliCusumDesign) -> float:
    """Exact zero-state average run length of ``design`` when the event rate is ``p``.

    Examples
    --------
    With ``m=2, a=1, H=2`` the chart signals at the first two events in a row; the expected
    wait for two successes in a row is ``(1 + p) / p**2`` (6 for a fair coin):

    >>> d = BernoulliCusumDesign(p0=0.5, p1=0.5, gamma=0.5, m=2, a=1, H=2, h=1.0, arl0=0, arl1=0)
    >>> round(bernoulli_cusum_arl(0.5, d), 10)
    6.0
    """
    return _arl_lattice(float(p), design.m, design.a, design.H)


def bernoulli_cusum_run_length_cdf(p: float, design: BernoulliCusumDesign, n: int) -> np.ndarray:
    """``P(run length <= t)`` for t = 1..n (zero state, event rate ``p``), exactly.

    Useful to turn an ARL into "chance of a false alarm within the next n gold items".
    """
    q = _transition(float(p), design.m, design.a, design.H)
    u = np.ones(design.H)
    out = np.empty(int(n))
    for t in range(int(n)):  # n matrix-vector products; not over data rows
        u = q @ u
        out[t] = 1.0 - u[0]
    return out


@lru_cache(maxsize=4096)
def _design_cached(p0: float, p1: float, arl0: float, max_denominator: int) -> BernoulliCusumDesign:
    # gamma ~ a/m with m in [max_denominator/2, max_denominator] and gcd(a, m) = 1, so the
    # statistic moves on a lattice of step 1/m and the limit can be tuned in steps that fine
    # (a fraction like 1/6 would leave only multiples of 1/6 reachable).
    gamma = _llr_gamma(p0, p1)
    best = None
    for m in range(max(2, max_denominator // 2), max_denominator + 1):
        a = round(gamma * m)
        if 0 < a < m and math.gcd(a, m) == 1:
            err = abs(a / m - gamma)
            if best is None or err < best[0]:
                best = (err, a, m)
    if best is None:
        raise BadInput(f"cannot build a CUSUM for p0={p0!r}, p1={p1!r} (reference value {gamma})")
    _, a, m = best
    # Smallest H whose in-control ARL reaches arl0: double, then bisect (ARL increases with H).
    lo, hi = 0, max(m - a, 1)
    while _arl_lattice(p0, m, a, hi) < arl0:
        lo, hi = hi, hi * 2
        if hi > 5_000_000:
            raise BadInput(f"arl0={arl0!r} is out of reach for p0={p0!r}, p1={p1!r}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _arl_lattice(p0, m, a, mid) >= arl0:
            hi = mid
        else:
            lo = mid
    H = hi
    return BernoulliCusumDesign(
        p0=p0, p1=p1, gamma=a / m, m=m, a=a, H=H, h=H / m,
        arl0=_arl_lattice(p0, m, a, H), arl1=_arl_lattice(p1, m, a, H),
    )


def design_bernoulli_cusum(
    p0: float, p1: float, *, arl0: float = 5000.0, max_denominator: int = 100
) -> BernoulliCusumDesign:
    """Design a Bernoulli CUSUM for a rise of the event rate from ``p0`` to ``p1``.

    The reference value is the log-likelihood-ratio value of Reynolds & Stoumbos (1999),
    ``gamma = ln((1-p0)/(1-p1)) / ln(p1 (1-p0) / (p0 (1-p1)))``, rounded to the nearest
    closest fraction ``a/m`` in lowest terms with ``max_denominator/2 <= m <= max_denominator``
    (so the limit can be tuned in steps of ``1/m``); the limit ``H`` is the smallest whose
    exact in-control ARL is at least ``arl0``.

    Parameters
    ----------
    p0, p1 : float
        In-control and out-of-control event rates, ``0 < p0 < p1 < 1``. To monitor an
        accuracy drop from 0.90 to 0.75, monitor errors with ``p0=0.10, p1=0.25``.
    arl0 : float
        Wanted in-control average run length (observations between false alarms).
    max_denominator : int
        Resolution of the lattice.

    Examples
    --------
    The LLR reference value for 0.10 -> 0.25 is ln(0.9/0.75) / ln(3) = 0.16596:

    >>> d = design_bernoulli_cusum(0.10, 0.25, arl0=1000)
    >>> abs(d.gamma - 0.16596) < 1 / d.m, d.arl0 >= 1000, d.arl1 < d.arl0 / 20
    (True, True, True)
    """
    for name, value in (("p0", p0), ("p1", p1)):
        if not (isinstance(value, (int, float, np.floating)) and 0 < value < 1):
            raise BadInput(f"{name} must be a rate strictly between 0 and 1, got {value!r}")
    if not p1 > p0:
        raise BadInput(f"p1 must exceed p0 (an increase of the event rate), got p0={p0!r}, p1={p1!r}")
    if not arl0 > 1:
        raise BadInput(f"arl0 must exceed 1, got {arl0!r}")
    return _design_cached(float(p0), float(p1), float(arl0), int(max_denominator))


def bernoulli_cusum(y, design: BernoulliCusumDesign, *, s0: float = 0.0) -> np.ndarray:
    """The CUSUM statistic ``S_t = max(0, S_{t-1} + y_t - gamma)`` along the last axis.

    Computed without a loop through Lindley's identity
    ``S_t = C_t - min(-s0, min_{k<=t} C_k)`` with ``C_t`` the cumulative sum of
    ``y_k - gamma``, on the integer lattice (so exact, no rounding drift). No restart after a
    signal: see :func:`monitor_gold_agreement` for that.

    Parameters
    ----------
    y : array_like of 0/1
        Event indicators (1 = the monitored event, for example a disagreement with gold), shape
        ``(n,)`` or ``(replicates, n)``.
    design : BernoulliCusumDesign
    s0 : float
        Starting value (head start), default 0.

    Examples
    --------
    >>> d = design_bernoulli_cusum(0.1, 0.25)
    >>> s = bernoulli_cusum([1, 1, 0, 0], d)
    >>> bool(np.allclose(s, [1 - d.gamma, 2 - 2 * d.gamma, 2 - 3 * d.gamma, 2 - 4 * d.gamma]))
    True
    """
    t = _cusum_lattice(np.asarray(y), design.m, design.a, int(round(s0 * design.m)))
    return t / design.m


def _cusum_lattice(y: np.ndarray, m: int, a: int, t0: int = 0) -> np.ndarray:
    c = np.cumsum(y.astype(np.int64) * m - a, axis=-1)
    floor = np.minimum(np.minimum.accumulate(c, axis=-1), -t0)
    return c - floor


def _cusum_restart(y: np.ndarray, m: int, a: int, H: int, block: int = 128):
    """Lattice CUSUM with reset to 0 after every signal; returns (T, signal mask).

    Closed form over blocks that double in size while no signal occurs; cost O(n + signals * block).
    """
    n = len(y)
    t_out = np.empty(n, dtype=np.int64)
    sig = np.zeros(n, dtype=bool)
    start, t0, w = 0, 0, block
    while start < n:
        stop = min(n, start + w)
        t = _cusum_lattice(y[start:stop], m, a, t0)
        hit = np.flatnonzero(t >= H)
        if len(hit):
            j = hit[0]
            t_out[start:start + j + 1] = t[: j + 1]
            sig[start + j] = True
            start, t0, w = start + j + 1, 0, block
        else:
            t_out[start:stop] = t
            start, t0, w = stop, int(t[-1]), w * 2
    return t_out, sig


# --------------------------------------------------------------------------------------------
# EWMA (Montgomery 2009, section 9.2)
# --------------------------------------------------------------------------------------------


def ewma(x, *, mu0: float, sigma: float, lam: float = 0.1, L: float = 3.0):
    """EWMA statistic and its exact (time-varying) control limits.

    ``z_i = lam * x_i + (1 - lam) * z_{i-1}``, ``z_0 = mu0``, with limits
    ``mu0 +/- L * sigma * sqrt(lam / (2 - lam) * (1 - (1 - lam)**(2 i)))``
    (Montgomery 2009, eqs. 9.22, 9.24, 9.25). Computed with ``scipy.signal.lfilter``.

    Returns
    -------
    z, lcl, ucl : numpy.ndarray

    Examples
    --------
    Montgomery's Example 9.2 (mu0 = 10, sigma = 1, lam = 0.1, L = 2.7) starts with
    x1 = 9.45, x2 = 7.99:

    >>> z, lcl, ucl = ewma([9.45, 7.99], mu0=10, sigma=1, lam=0.1, L=2.7)
    >>> [round(float(v), 4) for v in z], [round(float(v), 2) for v in ucl], [round(float(v), 2) for v in lcl]
    ([9.945, 9.7495], [10.27, 10.36], [9.73, 9.64])
    """
    x = np.asarray(x, dtype=float)
    if not 0 < lam <= 1:
        raise BadInput(f"lam must be in (0, 1], got {lam!r}")
    z, _ = lfilter([lam], [1.0, -(1.0 - lam)], x, zi=[(1.0 - lam) * mu0])
    i = np.arange(1, len(x) + 1)
    width = L * sigma * np.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * i)))
    return z, mu0 - width, mu0 + width


# --------------------------------------------------------------------------------------------
# Monitoring each annotator's gold stream
# --------------------------------------------------------------------------------------------


@dataclass
class ControlChart:
    """Result of :func:`monitor_gold_agreement`.

    Attributes
    ----------
    points : pandas.DataFrame
        One row per gold observation: ``annotator, seq, time, guideline_version, item,
        question, correct, phase`` (``"baseline"`` or ``"monitor"``), ``statistic``, ``limit``
        (constant for CUSUM, time-varying for EWMA), ``alarm`` (true where the chart
        signals). Baseline rows have NaN statistic.
    summary : pandas.DataFrame
        One row per annotator: ``annotator, baseline_accuracy, baseline_source, target_accuracy,
        n_baseline, n_monitored, n_alarms, first_alarm_seq, first_alarm_time,
        first_alarm_version``, and for CUSUM the design's ``h, arl0, arl1``.
    method : str
    params : dict
    """

    points: pd.DataFrame
    summary: pd.DataFrame
    method: str
    params: dict = field(default_factory=dict)

    @property
    def alarms(self) -> pd.DataFrame:
        """The signal points only."""
        return self.points.loc[self.points["alarm"]].reset_index(drop=True)


def baseline_accuracy(window, *, guarantee: float | None = 0.9) -> float:
    """In-control accuracy for a chart, from an annotator's calibration window of 0/1 agreements.

    With ``guarantee=None``: the point estimate ``(k + 1/2) / (n + 1)``. Otherwise the lower
    ``1 - guarantee`` quantile of the Jeffreys posterior ``Beta(k + 1/2, n - k + 1/2)``, so
    that the true accuracy is at least this value with probability about ``guarantee``.

    Examples
    --------
    >>> baseline_accuracy([1] * 9 + [0], guarantee=None)
    0.8636363636363636
    >>> round(baseline_accuracy([1] * 9 + [0], guarantee=0.9), 4) == round(float(stats.beta.ppf(0.1, 9.5, 1.5)), 4)
    True
    """
    x = np.asarray(window)
    n, k = len(x), int(np.count_nonzero(x))
    if n == 0:
        raise BadInput("the calibration window is empty")
    if guarantee is None:
        return (k + 0.5) / (n + 1)
    if not 0 < guarantee < 1:
        raise BadInput(f"guarantee must be in (0, 1) or None, got {guarantee!r}")
    return float(stats.beta.ppf(1 - guarantee, k + 0.5, n - k + 0.5))


def monitor_gold_agreement(
    obs: pd.DataFrame,
    *,
    method: str = "cusum",
    drop: float = 0.15,
    arl0: float = 2000.0,
    baseline=None,
    baseline_n: int = 200,
    baseline_guarantee: float | None = 0.9,
    restart: bool = True,
    lam: float = 0.1,
    L: float = 3.0,
    bar: float | None = None,
) -> ControlChart:
    """Watch each annotator's "agreed with gold" stream for a sustained drop.

    Parameters
    ----------
    obs : pandas.DataFrame
        Output of :func:`gold_observations` (needs ``annotator, time, correct``).
    method : {"cusum", "ewma"}
        ``"cusum"`` (default, recommended): one-sided Bernoulli CUSUM on disagreements with
        gold, designed for a rise of the error rate from ``1 - baseline`` to
        ``1 - baseline + drop`` with in-control ARL ``arl0``. ``"ewma"``: lower-sided EWMA of
        the 0/1 agreement with limits ``mu0 - L sigma sqrt(...)``, ``sigma = sqrt(mu0 (1 - mu0))``
        (normal-theory limits, whose false-alarm rate on 0/1 data is not the nominal one: see
        docs/drift.md).
    drop : float
        Accuracy drop to detect (0.15 = 15 points).
    arl0 : float
        CUSUM in-control average run length, in gold observations.
    baseline : float or dict, optional
        Known in-control accuracy (one number, or per annotator; annotators missing from the
        dict are estimated). Where it is given, every observation is monitored. Otherwise the
        accuracy is estimated from the annotator's first ``baseline_n`` gold observations (the
        calibration window) and monitoring starts after them.
    baseline_n : int
        Size of the calibration window. Annotators with fewer observations get no chart
        (``n_monitored = 0``).
    baseline_guarantee : float or None
        How the estimated baseline is turned into the chart's in-control accuracy. A chart
        designed on an *optimistic* estimate raises false alarms again and again, so by default
        the accuracy used is the lower ``1 - baseline_guarantee`` quantile of the Jeffreys
        posterior ``Beta(k + 1/2, n - k + 1/2)`` (k agreements in the n window observations):
        with probability about ``baseline_guarantee`` the true error rate is at most the
        designed ``p0``, and then the true in-control ARL is at least ``arl0`` (the idea of
        guaranteed conditional performance, Gandy & Kvaloy 2013, here with a parametric bound
        instead of their bootstrap). ``None`` uses the point estimate ``(k + 1/2) / (n + 1)``:
        faster detection, but about half the annotators then get a chart whose real ARL is
        below ``arl0`` (see docs/drift.md).
    restart : bool
        CUSUM only: reset the statistic to 0 after each signal (so every alarm is a fresh
        detection). Without restart only the first crossing of each excursion is an alarm.
    lam, L : float
        EWMA smoothing constant and limit width.
    bar : float, optional
        The task's bar (its gate's minimum gold agreement). An annotator with no more than
        ``baseline_n`` gold observations - a small programme, or someone new - has no window to
        estimate a baseline from; with ``bar`` given, their chart is designed on the bar as the
        in-control accuracy and monitors from their first gold answer (``baseline_source`` "task
        bar"): it alarms when the annotator runs ``drop`` below the bar, so a collapse from 0.85
        to 0.20 at answer 10 alarms within a few answers, and an annotator above the bar alarms
        less often than ``arl0`` says. Without ``bar`` they get no chart (``n_monitored = 0``).

    Returns
    -------
    ControlChart
        The summary's ``design_arl0, design_arl1`` are the chart's run lengths at the accuracy it
        was designed for (the lower bound of the baseline, or the bar); ``arl0_at_estimate,
        arl1_at_estimate`` are its expected run lengths at the annotator's estimated accuracy
        ``(k + 1/2)/(n + 1)`` and that minus ``drop``: what to expect of this chart as it runs
        (longer than the design's, since the design uses a lower bound).
    """
    _check_obs(obs, "correct")
    if method not in ("cusum", "ewma"):
        raise BadInput(f"method must be 'cusum' or 'ewma', got {method!r}")
    if not 0 < drop < 1:
        raise BadInput(f"drop must be between 0 and 1 (0.15 = 15 points), got {drop!r}")
    if baseline_guarantee is not None and not 0 < baseline_guarantee < 1:
        raise BadInput(f"baseline_guarantee must be in (0, 1) or None, got {baseline_guarantee!r}")
    if int(baseline_n) < 1:
        raise BadInput(f"baseline_n must be a positive number of observations, got {baseline_n!r}")
    if bar is not None and not 0 < bar < 1:
        raise BadInput(f"bar must be an accuracy in (0, 1), got {bar!r}")
    d = obs.sort_values(["annotator", "time"], kind="stable", ignore_index=True)
    d = d.loc[:, [c for c in ("annotator", "time", "guideline_version", "item", "question", "correct") if c in d.columns]]
    d.insert(1, "seq", d.groupby("annotator", sort=False).cumcount().to_numpy())
    x_all = d["correct"].to_numpy().astype(np.int64)
    n = len(d)
    stat = np.full(n, np.nan)
    limit = np.full(n, np.nan)
    alarm = np.zeros(n, dtype=bool)
    phase = np.full(n, "monitor", dtype=object)
    rows = []
    for ann, idx in d.groupby("annotator", sort=False).indices.items():
        x = x_all[idx]
        known = baseline.get(ann) if isinstance(baseline, dict) else baseline
        if known is not None:
            if not 0 < known < 1:
                raise BadInput(f"baseline accuracy for annotator {ann!r} must be in (0, 1), got {known!r}")
            acc0, n_base, src = float(known), 0, "given"
        elif bar is not None and len(x) <= baseline_n:  # too few for a window: against the task's bar
            acc0, n_base, src = float(bar), 0, "task bar"
        else:
            n_base = min(int(baseline_n), len(x))
            acc0 = baseline_accuracy(x[:n_base], guarantee=baseline_guarantee)
            src = "estimated" if baseline_guarantee is None else f"estimated, {baseline_guarantee:g} lower bound"
            if len(x) <= baseline_n:
                phase[idx] = "baseline"
                rows.append(dict(annotator=ann, baseline_accuracy=acc0, baseline_source=src,
                                 target_accuracy=np.nan, n_baseline=n_base, n_monitored=0, n_alarms=0))
                continue
        phase[idx[:n_base]] = "baseline"
        mon = idx[n_base:]
        xm = x[n_base:]
        row = dict(annotator=ann, baseline_accuracy=acc0, baseline_source=src, n_baseline=n_base,
                   n_monitored=len(xm))
        if method == "cusum":
            # Error rate p0 kept where a drop of `drop` is still a valid rate and the LLR is finite.
            p0 = min(max(1 - acc0, 0.005), 0.995 - drop)
            row["target_accuracy"] = 1 - (p0 + drop)
            des = design_bernoulli_cusum(round(p0, 4), round(p0 + drop, 4), arl0=arl0)
            if restart:
                t, sig = _cusum_restart(1 - xm, des.m, des.a, des.H)
            else:
                t = _cusum_lattice(1 - xm, des.m, des.a)
                above = t >= des.H
                sig = above & ~np.concatenate([[False], above[:-1]])
            stat[mon] = t / des.m
            limit[mon] = des.h
            alarm[mon] = sig
            est = baseline_accuracy(x, guarantee=None)  # all of the annotator's answers
            p_est = min(max(1 - est, 0.0), 1.0)
            row.update(h=des.h, design_arl0=des.arl0, design_arl1=des.arl1,
                       arl0_at_estimate=bernoulli_cusum_arl(p_est, des),
                       arl1_at_estimate=bernoulli_cusum_arl(min(p_est + drop, 1.0), des))
        else:
            row["target_accuracy"] = acc0 - drop
            sigma = math.sqrt(acc0 * (1 - acc0))
            z, lcl, _ = ewma(xm, mu0=acc0, sigma=sigma, lam=lam, L=L)
            below = z < lcl
            stat[mon] = z
            limit[mon] = lcl
            alarm[mon] = below & ~np.concatenate([[False], below[:-1]])
        rows.append(row)
    d["phase"] = phase
    d["statistic"] = stat
    d["limit"] = limit
    d["alarm"] = alarm
    summary = pd.DataFrame(rows)
    first = d.loc[d["alarm"]].drop_duplicates("annotator")
    counts = d.groupby("annotator", sort=False)["alarm"].sum()
    summary["n_alarms"] = summary["annotator"].map(counts).fillna(0).astype(int)
    first = first.set_index("annotator")
    summary["first_alarm_seq"] = summary["annotator"].map(first["seq"]).astype("Int64")
    summary["first_alarm_time"] = summary["annotator"].map(first["time"])
    summary["first_alarm_version"] = summary["annotator"].map(first["guideline_version"])
    params = dict(drop=drop, arl0=arl0, baseline_n=baseline_n, baseline_guarantee=baseline_guarantee,
                  restart=restart)
    if method == "ewma":
        params.update(lam=lam, L=L)
    return ControlChart(points=d, summary=summary, method=method, params=params)


# --------------------------------------------------------------------------------------------
# Label-distribution shift
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomogeneityResult:
    """A test that the rows of a contingency table share one distribution.

    Attributes
    ----------
    statistic : float
        Pearson chi-square (or G) statistic; NaN for the 2x2 Fisher test.
    pvalue : float
    dof : int
    method : str
        ``"chi2"``, ``"g-test"``, ``"fisher-exact"``, ``"monte-carlo"`` or ``"degenerate"``.
    cramers_v : float
        ``sqrt(X2 / (n (min(r, c) - 1)))`` from the uncorrected Pearson statistic.
    js_distance : float
        Jensen-Shannon distance (base 2, in [0, 1]) between the first two rows' distributions.
    n : int
    min_expected : float
        Smallest expected count under homogeneity.
    """

    statistic: float
    pvalue: float
    dof: int
    method: str
    cramers_v: float
    js_distance: float
    n: int
    min_expected: float


def _pearson(obs):
    """Pearson X2 and expected counts of one table (r, c) or a stack of tables (..., r, c)."""
    n = obs.sum(axis=(-2, -1), keepdims=True)
    exp = obs.sum(axis=-1, keepdims=True) * obs.sum(axis=-2, keepdims=True) / n
    return ((obs - exp) ** 2 / exp).sum(axis=(-2, -1)), exp


def homogeneity_test(
    table,
    *,
    test: str = "pearson",
    correction: bool = True,
    sparse_rule: bool = True,
    n_resamples: int = 9999,
    seed: int = 0,
) -> HomogeneityResult:
    """Chi-square test of homogeneity with effect sizes and a fallback for sparse tables.

    Parameters
    ----------
    table : array_like
        Counts, one row per group (before/after, annotator/team), one column per label.
        All-zero columns and rows are dropped.
    test : {"pearson", "g"}
        Pearson chi-square, or the likelihood-ratio G-test (``lambda_="log-likelihood"``).
    correction : bool
        Yates' continuity correction for 1 degree of freedom, as in
        ``scipy.stats.chi2_contingency`` (its default).
    sparse_rule : bool
        Apply Cochran's rule: if any expected count is below 1 or more than 20% are below 5,
        the asymptotic p-value is not trusted and an exact one is used instead: Fisher's exact
        test for 2x2 tables, otherwise a Monte Carlo permutation test of the Pearson statistic
        under fixed margins (``n_resamples`` tables drawn from the multivariate hypergeometric
        distribution, p = (1 + #{X2* >= X2}) / (1 + n_resamples)). The G-test does not cure
        sparse cells (it is worse than Pearson's there), so it is not used as the fallback.
    n_resamples, seed : int
        Monte Carlo size and seed (results are reproducible).

    Examples
    --------
    Expected counts are all 15, so X2 = 4 * 5**2 / 15 = 6.667 without correction:

    >>> r = homogeneity_test([[10, 20], [20, 10]], correction=False)
    >>> round(r.statistic, 3), round(r.pvalue, 5), r.dof, r.method, round(r.cramers_v, 4)
    (6.667, 0.00982, 1, 'chi2', 0.3333)
    """
    obs = np.asarray(table, dtype=float)
    if obs.ndim != 2 or obs.shape[0] < 2:
        raise BadInput(f"table must be 2-D with at least two rows, got shape {obs.shape}")
    if (obs < 0).any() or not np.isfinite(obs).all():
        raise BadInput("table must hold non-negative finite counts")
    if test not in ("pearson", "g"):
        raise BadInput(f"test must be 'pearson' or 'g', got {test!r}")
    check_seed(seed)
    js = float("nan")
    r0, r1 = obs[0].sum(), obs[1].sum()
    if r0 > 0 and r1 > 0:
        js = float(jensenshannon(obs[0] / r0, obs[1] / r1, base=2))
    obs = obs[obs.sum(axis=1) > 0][:, obs.sum(axis=0) > 0]
    n = int(obs.sum())
    if obs.shape[0] < 2 or obs.shape[1] < 2:
        return HomogeneityResult(0.0, 1.0, 0, "degenerate", 0.0, js, n, float("nan"))
    x2, exp = _pearson(obs)
    dof = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    v = math.sqrt(x2 / (n * (min(obs.shape) - 1)))
    min_exp = float(exp.min())
    sparse_cells = min_exp < 1 or (exp < 5).mean() > 0.2
    if sparse_rule and sparse_cells:
        if obs.shape == (2, 2):
            _, p = stats.fisher_exact(obs.astype(np.int64))
            return HomogeneityResult(float("nan"), float(p), 1, "fisher-exact", v, js, n, min_exp)
        rng = np.random.default_rng(seed)
        colors = obs.sum(axis=0).astype(np.int64)
        sims = np.empty((n_resamples,) + obs.shape)
        remaining = np.broadcast_to(colors, (n_resamples, len(colors))).copy()
        for i, size in enumerate(obs.sum(axis=1).astype(np.int64)[:-1]):
            draw = rng.multivariate_hypergeometric(colors, size, size=n_resamples) if i == 0 else np.stack(
                [rng.multivariate_hypergeometric(rem, size) for rem in remaining])
            sims[:, i] = draw
            remaining = remaining - draw
        sims[:, -1] = remaining
        x2s, _ = _pearson(sims)
        p = (1 + np.count_nonzero(x2s >= x2 - 1e-9 * max(1.0, x2))) / (1 + n_resamples)
        return HomogeneityResult(float(x2), float(p), dof, "monte-carlo", v, js, n, min_exp)
    lam = "log-likelihood" if test == "g" else None
    res = stats.chi2_contingency(obs, correction=correction, lambda_=lam)
    return HomogeneityResult(float(res[0]), float(res[1]), int(res[2]), "g-test" if lam else "chi2", v, js, n, min_exp)


def _bh(p: np.ndarray) -> np.ndarray:
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


_SHIFT_COLS = ["statistic", "pvalue", "dof", "method", "cramers_v", "js_distance", "min_expected"]


def _tests_from_counts(counts: pd.DataFrame, first: str, second: str, keys, kw) -> pd.DataFrame:
    """counts: index (keys..., side), columns = labels. One test per key."""
    rows = []
    for key, block in counts.groupby(level=list(range(len(keys))), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        block = block.droplevel(list(range(len(keys))))
        a = block.loc[first].to_numpy() if first in block.index else np.zeros(block.shape[1])
        b = block.loc[second].to_numpy() if second in block.index else np.zeros(block.shape[1])
        row = dict(zip(keys, key))
        row[f"n_{first}"], row[f"n_{second}"] = int(a.sum()), int(b.sum())
        if a.sum() == 0 or b.sum() == 0:
            row.update(statistic=np.nan, pvalue=np.nan, dof=0, method="no data", cramers_v=np.nan,
                       js_distance=np.nan, min_expected=np.nan)
        else:
            r = homogeneity_test(np.vstack([a, b]), **kw)
            row.update({c: getattr(r, c) for c in _SHIFT_COLS})
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*keys, f"n_{first}", f"n_{second}", *_SHIFT_COLS])
    out["p_adjusted"] = _bh(out["pvalue"].to_numpy(dtype=float))
    return out


def shift_vs_own_past(
    labels: pd.DataFrame,
    *,
    at=None,
    window=None,
    versions=None,
    questions=None,
    source: str = "labels",
    **test_options,
) -> pd.DataFrame:
    """Has each annotator's label distribution moved against their own past?

    Compares, per annotator and question, the labels given *before* and *after* a split,
    with :func:`homogeneity_test`.

    Parameters
    ----------
    labels : pandas.DataFrame
        The tidy labels table.
    at : timestamp-like, optional
        Split time: before = ``time < at``, after = ``time >= at``.
    window : timedelta-like, optional
        With ``at``: only ``[at - window, at)`` against ``[at, at + window)``.
    versions : (old, new), optional
        Instead of ``at``: labels under guideline version ``old`` against those under ``new``.
    questions : iterable of str, optional
        Limit to these questions.
    **test_options
        Passed to :func:`homogeneity_test` (``test``, ``correction``, ``sparse_rule``...).

    Returns
    -------
    pandas.DataFrame
        One row per (annotator, question): ``annotator, question, n_before, n_after,
        statistic, pvalue, dof, method, cramers_v, js_distance, min_expected, p_adjusted``.
        ``p_adjusted`` is Benjamini-Hochberg over all the tests in the table (the family is
        every annotator x question tested in this call). Rows with no data on one side have
        NaN p-values and are left out of the adjustment.
    """
    labels = validate_labels(labels, source=source)
    if (at is None) == (versions is None):
        raise BadInput("give exactly one of at= (a split time) or versions=(old, new)")
    df = labels.loc[:, ["annotator", "question", "value", "time", "guideline_version"]]
    if questions is not None:
        df = df.loc[df["question"].isin(list(questions))]
    if versions is not None:
        if len(versions) != 2:
            raise BadInput(f"versions must be (old, new), got {versions!r}")
        old, new = versions
        for ver in (old, new):
            if not (df["guideline_version"] == ver).any():
                raise BadInput(f"{source}: field 'guideline_version' never has value {ver!r}")
        df = df.loc[df["guideline_version"].isin([old, new])]
        side = np.where(df["guideline_version"] == old, "before", "after")
    else:
        try:
            at = pd.Timestamp(at)
        except (TypeError, ValueError) as exc:
            raise BadInput(f"at={at!r} is not a date/time") from exc
        t = df["time"]
        if window is not None:
            window = pd.Timedelta(window)
            df = df.loc[(t >= at - window) & (t < at + window)]
        side = np.where(df["time"] < at, "before", "after")
    counts = df.assign(_side=side).groupby(["annotator", "question", "_side", "value"], sort=False).size()
    counts = counts.unstack("value", fill_value=0)
    return shift_vs_own_past_counts(counts, **test_options)


def shift_vs_own_past_counts(counts: pd.DataFrame, **test_options) -> pd.DataFrame:
    """:func:`shift_vs_own_past` from the label counts it tests: ``counts`` has the index
    ``(annotator, question, _side)`` (``_side`` "before" or "after") and one column per label, in
    the order ``groupby([...], sort=False).size().unstack("value", fill_value=0)`` gives them (the
    order of the labels decides the Monte Carlo draws). For callers that count on integer codes."""
    return _tests_from_counts(counts, "before", "after", ["annotator", "question"], test_options)


def shift_vs_team(
    labels: pd.DataFrame,
    *,
    start=None,
    end=None,
    questions=None,
    source: str = "labels",
    **test_options,
) -> pd.DataFrame:
    """Does each annotator's label distribution differ from everyone else's in the same period?

    Per annotator and question, the annotator's label counts in ``[start, end)`` are tested
    against the pooled counts of all the other annotators in the same period.

    Returns
    -------
    pandas.DataFrame
        ``annotator, question, n_annotator, n_team, statistic, pvalue, dof, method, cramers_v,
        js_distance, min_expected, p_adjusted`` (Benjamini-Hochberg across the table).

    Notes
    -----
    The annotators may have labelled different items; a difference can then come from the
    items, not the annotator. Restrict ``labels`` to shared items (calibration) to separate
    the two.
    """
    labels = validate_labels(labels, source=source)
    df = labels.loc[:, ["annotator", "question", "value", "time"]]
    if start is not None:
        df = df.loc[df["time"] >= pd.Timestamp(start)]
    if end is not None:
        df = df.loc[df["time"] < pd.Timestamp(end)]
    if questions is not None:
        df = df.loc[df["question"].isin(list(questions))]
    if len(df) == 0:
        raise BadInput(f"{source}: no labels in the chosen period and questions")
    own = df.groupby(["annotator", "question", "value"], sort=False).size().unstack("value", fill_value=0)
    return shift_vs_team_counts(own, **test_options)


def shift_vs_team_counts(own: pd.DataFrame, **test_options) -> pd.DataFrame:
    """:func:`shift_vs_team` from each annotator's label counts: ``own`` has the index
    ``(annotator, question)`` and one column per label, in the order
    ``groupby([...], sort=False).size().unstack("value", fill_value=0)`` gives them (the order of
    the labels decides the Monte Carlo draws). For callers that count on integer codes."""
    total = own.groupby(level="question").sum()
    team = total.reindex(own.index.get_level_values("question")).to_numpy() - own.to_numpy()
    team = pd.DataFrame(team, index=own.index, columns=own.columns)
    both = pd.concat({"annotator": own, "team": team}, names=["_side"])
    both = both.reorder_levels(["annotator", "question", "_side"])
    return _tests_from_counts(both, "annotator", "team", ["annotator", "question"], test_options)


def open_alarms(chart, obs: pd.DataFrame) -> pd.DataFrame:
    """Annotators whose chart signalled in the latest round they have gold judgements in: the
    open drift alarms (the dashboard's Drift page shows them; ``workbench export`` leaves their
    answers out). ``chart`` is :func:`monitor_gold_agreement`'s result on ``obs``
    (:func:`gold_observations`); columns ``annotator, round, first_alarm_time, n_alarms``."""
    if chart is None or chart.alarms.empty:
        return pd.DataFrame(columns=["annotator", "round", "first_alarm_time", "n_alarms"])
    pts = chart.points.merge(obs[["annotator", "seq", "round"]], on=["annotator", "seq"], how="left")
    last = pts.groupby("annotator")["round"].max()
    al = pts[pts["alarm"]]
    al = al[al["round"] == al["annotator"].map(last)]
    if al.empty:
        return pd.DataFrame(columns=["annotator", "round", "first_alarm_time", "n_alarms"])
    out = al.groupby("annotator").agg(round=("round", "max"), first_alarm_time=("time", "min"),
                                      n_alarms=("alarm", "size")).reset_index()
    return out


BAR_COLUMNS = ("annotator", "question", "round", "n_gold", "agreement", "low", "high", "bar", "below_bar")


def against_bar(obs: pd.DataFrame, bars, *, confidence: float = 0.95) -> pd.DataFrame:
    """Each annotator's agreement with gold against the task's own bar, from the first gold answer.

    The CUSUM watches an annotator against their *own* past, so someone poor from the start never
    alarms, and it starts only after a baseline window. This check needs neither: per annotator
    and question, in the latest round the annotator has gold answers in, the share of gold
    answers agreed with and its Wilson score interval; ``below_bar`` is True when the interval's
    upper bound lies below the task's bar (``min_gold_agreement``), i.e. the annotator is below
    the bar at this confidence, however few answers there are (few answers give a wide interval,
    so they flag only a clear shortfall). One look at the current data: looking again after every
    answer raises the false-alarm rate above ``1 - confidence`` (docs/drift.md).

    Parameters
    ----------
    obs : pandas.DataFrame
        :func:`gold_observations` (``annotator, question, round, correct``).
    bars : float or mapping
        The bar, or question -> bar (questions missing from the mapping are left out).
    confidence : float
        Two-sided coverage of the interval.

    >>> obs = pd.DataFrame({"annotator": ["c"] * 10 + ["a"] * 10, "question": "q", "round": 1,
    ...                     "correct": [True] * 2 + [False] * 8 + [True] * 9 + [False]})
    >>> against_bar(obs, 0.75)[["annotator", "n_gold", "agreement", "below_bar"]]
      annotator  n_gold  agreement  below_bar
    0         a      10        0.9      False
    1         c      10        0.2       True
    """
    if not 0 < confidence < 1:
        raise BadInput(f"confidence: must be within (0, 1); got {confidence!r}")
    if obs is None or len(obs) == 0:
        return pd.DataFrame(columns=list(BAR_COLUMNS))
    df = obs[["annotator", "question", "round", "correct"]]
    if not isinstance(bars, (int, float)):
        df = df[df["question"].isin(list(bars))]
    last = df.groupby("annotator")["round"].transform("max")
    df = df[df["round"] == last]
    g = df.groupby(["annotator", "question"], sort=True).agg(round=("round", "max"), n_gold=("correct", "size"),
                                                             k=("correct", "sum")).reset_index()
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    n = g["n_gold"].to_numpy(dtype=float)
    p = g["k"].to_numpy(dtype=float) / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    bar = g["question"].map(lambda q: float(bars) if isinstance(bars, (int, float)) else float(bars[q]))
    out = g.assign(agreement=p, low=np.clip(centre - half, 0, 1), high=np.clip(centre + half, 0, 1), bar=bar)
    out["below_bar"] = out["high"] < out["bar"]
    return out[list(BAR_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# From the history store's tables to the tables the drift functions take
# --------------------------------------------------------------------------------------------


def hashable(value):
    """A hashable form of a stored answer: lists become tuples (dicts as canonical JSON)."""
    if isinstance(value, list):
        return tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else hashable(v) for v in value)
    return value


def _may_hold_lists(values: pd.Series) -> bool:
    """False when no value is a list. Lists are unhashable, so when ``pd.unique`` (C speed) goes
    through, there is none; otherwise each value is checked."""
    if values.dtype != object:
        return False
    try:
        pd.unique(values.to_numpy())
        return False
    except TypeError:
        return bool(values.map(lambda v: isinstance(v, list)).any())


def with_hashable_values(df: pd.DataFrame, column: str = "value") -> pd.DataFrame:
    """``df`` with :func:`hashable` answers in ``column`` (the same frame when none is a list)."""
    if len(df) and _may_hold_lists(df[column]):
        df = df.assign(**{column: df[column].map(hashable)})
    return df


def labels_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """The store's tidy responses as the drift functions' labels table: timed rows only, hashable
    values, integer versions and rounds (-1 where there is none)."""
    timed = tidy["time"].notna()
    df = tidy if timed.all() else tidy.loc[timed]
    df = with_hashable_values(df).copy(deep=False)  # (a new frame sharing the other columns: no deep copy)
    df["guideline_version"] = df["guideline_version"].astype("float").fillna(-1).astype(int)
    df["round"] = df["round"].astype("float").fillna(-1).astype(int)
    return df


def gold_table(gold: pd.DataFrame) -> pd.DataFrame:
    """The store's gold as the drift functions' gold table (``item, question, value``, hashable)."""
    if gold is None or gold.empty:
        return pd.DataFrame(columns=["item", "question", "value"])
    return with_hashable_values(gold[["item", "question", "value"]])


def pooled_bar(bars) -> float | None:
    """The bar of a chart pooled over questions: the lowest of the questions' bars (a pooled
    stream below it is below every question's bar), None without bars.

    >>> pooled_bar({"quality": 0.7, "safety": 0.8}), pooled_bar({})
    (0.7, None)
    """
    values = [float(v) for v in (bars.values() if isinstance(bars, dict) else [bars]) if v is not None]
    return min(values) if values else None


def monitor_gold(labels: pd.DataFrame, gold: pd.DataFrame, question: str | None = None, *, bar: float | None = None):
    """``(obs, chart)``: :func:`gold_observations` and the CUSUM (:func:`monitor_gold_agreement`) of
    every annotator's gold stream, pooled over questions or for one; ``(None, None)`` without gold
    judgements. ``labels`` and ``gold`` as :func:`labels_table` and :func:`gold_table` make them;
    ``bar`` (the task's minimum gold agreement) charts annotators with too few answers for a
    baseline window against the bar."""
    if gold.empty or labels.empty:
        return None, None
    lab = labels if question is None else labels[labels["question"] == question]
    g = gold if question is None else gold[gold["question"] == question]
    if lab.empty or g.empty:
        return None, None
    lab = lab[lab["item"].isin(g["item"].unique())]  # only these meet gold (the same observations, less to check)
    try:
        obs = gold_observations(lab, g)
    except BadInput:
        return None, None
    return obs, monitor_gold_agreement(obs, bar=bar)
