"""One row per judgement: did it agree with gold, and with the rest of the team?

:func:`gold_observations` joins the labels with gold; :func:`team_observations` compares each
judgement with the leave-one-annotator-out majority of the other annotators on the same item and
question (:func:`team_votes` is its arithmetic on integer codes, vectorised with ``bincount``;
:func:`value_codes` numbers the answers within each question).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from workbench.analytics.drift.validation import validate_gold, validate_labels
from workbench.errors import BadInput

__all__ = ["ValueCodes", "gold_observations", "team_observations", "team_votes", "value_codes",
           "value_codes_per_question"]

#: What :func:`value_codes` returns: ``(codes, question_codes, offsets, uniques, n_values)``.
ValueCodes = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[int]]


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Elementwise equality; compares text forms when one side is numeric and the other not."""
    if pd.api.types.is_numeric_dtype(a) != pd.api.types.is_numeric_dtype(b):
        return (a.astype(str).to_numpy() == b.astype(str).to_numpy())
    return (a.to_numpy() == b.to_numpy())


def gold_observations(
    labels: pd.DataFrame,
    gold: pd.DataFrame,
    *,
    numeric_questions: Iterable[str] | None = None,
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


def value_codes(values: pd.Series, questions: pd.Series) -> ValueCodes:
    """Integer codes of values, numbered separately within each question (keeps the code range small).

    Returns ``codes, question_codes, offsets, uniques, n_values``: the value of code ``c`` in
    question ``q`` is ``uniques[offsets[q] + c]``, and question ``q`` has ``n_values[q]`` values.
    """
    qcodes, qs = pd.factorize(questions)
    vals = values.to_numpy()
    if len(vals) and (qcodes >= 0).all():
        return _value_codes_hashed(vals, qcodes, len(qs))
    return value_codes_per_question(vals, qcodes, len(qs))


def value_codes_per_question(vals: np.ndarray, qcodes: np.ndarray, n_questions: int) -> ValueCodes:
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


def _value_codes_hashed(vals: np.ndarray, qcodes: np.ndarray, n_q: int) -> ValueCodes:
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
    within: str | Sequence[str] = (),
    items: Iterable[Hashable] | None = None,
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


def team_votes(group: ArrayLike, annotator: ArrayLike, value: ArrayLike, k: int, *, min_others: int = 2,
               strict_majority: bool = False, max_cells: int = 20_000_000) -> tuple[np.ndarray, np.ndarray]:
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
        blocks: list[slice | np.ndarray] = [slice(None)]
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
