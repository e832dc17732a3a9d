"""A task's whole history prepared for the Annotator, Drift and Guidelines views, and the fast
paths on it: the labels' ids as integer codes (:class:`HistoryCodes`), the team majority per
answer, answers as text, count tables and shift tests counted on the codes.

Every fast path here equals the plain pandas computation it replaces (tested in
``tests/test_dashboard_fast_paths.py``). Pure: plain data in, tables out; no Streamlit, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.analytics import shift_vs_own_past, shift_vs_team, team_observations
from workbench.analytics.drift import gold_table, labels_table, monitor_gold, pooled_bar, \
    shift_vs_own_past_counts, shift_vs_team_counts, team_votes, value_codes
from workbench.errors import BadInput


def rounds_label(rounds) -> str:
    """Round numbers as the pages write them: ``"round 1"``, ``"rounds 2-6"``, ``"rounds 1, 3-4"``
    (empty for none)."""
    nums = sorted({int(r) for r in rounds if not pd.isna(r)})
    if not nums:
        return ""
    runs, start = [], nums[0]
    for a, b in zip(nums, nums[1:] + [None]):
        if b is None or b != a + 1:
            runs.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ("round " if len(nums) == 1 else "rounds ") + ", ".join(runs)



def label_text(value) -> str:
    """An answer as text: ``("a", "b")`` -> ``"a+b"``."""
    if isinstance(value, (list, tuple, frozenset, set)):
        return "+".join(map(str, value)) or "(none)"
    return str(value)



@dataclass
class TaskHistory:
    """A task's whole history prepared for the drift functions (computed once per store version).

    ``team_obs`` (each answer against the other annotators' majority) and ``labels_text`` (answers
    as text) are computed on first use and kept: only the Annotator and Drift views need them.
    """

    labels: pd.DataFrame
    gold: pd.DataFrame
    gold_obs: pd.DataFrame | None
    chart: object | None
    rounds: pd.DataFrame
    annotators: tuple
    _team: object = field(default=None, repr=False)
    _texts: object = field(default=None, repr=False)
    _codes: object = field(default=None, repr=False)
    _team_rows: object = field(default=None, repr=False)
    _text_codes: object = field(default=None, repr=False)
    _team_problem: object = field(default=None, repr=False)

    @property
    def team_obs(self) -> pd.DataFrame | None:
        if self._team is None:
            team = False
            if len(self.labels):
                try:
                    team = team_observations(self.labels, within=("round",))
                except BadInput:
                    team = False
            self._team = team
        return None if self._team is False else self._team

    @property
    def team_problem(self) -> str:
        """Why there are no team observations (the analytics core's message), empty when there are
        or when the history has no answers."""
        if self._team_problem is None:
            self._team_problem = ""
            if len(self.labels):
                try:
                    team_observations(self.labels, within=("round",))
                except BadInput as exc:
                    self._team_problem = str(exc)
        return self._team_problem

    def team_obs_of(self, annotator: str) -> pd.DataFrame | None:
        """``team_obs[team_obs["annotator"] == annotator]`` (the same rows, order and index, tested),
        without building the table for every annotator: the team answers are computed once for
        all judgements on the history's integer codes, and only this annotator's rows are made."""
        c = self.codes
        if c is None:
            t = self.team_obs
            return None if t is None else t[t["annotator"] == annotator]
        arrays = self._team_arrays()
        if arrays is None:
            return None
        team_value, n_others, agrees = arrays
        try:
            code = c.annotators.index(annotator)
        except ValueError:
            code = -1
        mine = np.flatnonzero(c.annotator == code) if code >= 0 else np.zeros(0, dtype=np.int64)
        mine = mine[np.argsort(c.time[mine].view("int64"), kind="stable")]  # by time, ties in table order
        offset = int(np.count_nonzero(c.annotator < code)) if code >= 0 else 0  # the rows of those sorted before
        out = self.labels[list(TEAM_COLUMNS)].take(mine)
        out.index = pd.RangeIndex(offset, offset + len(mine))
        out["team_value"] = team_value[mine]
        out["n_others"] = n_others[mine]
        out["agrees_team"] = agrees[mine]
        return out

    def _team_arrays(self):
        """(team value, other annotators, agrees) per labels row, on the codes; None where
        :func:`team_observations` refuses the table."""
        if self._team_rows is None:
            labels, c = self.labels, self.codes
            self._team_rows = False
            if len(labels) and not labels["value"].isna().any() and not labels["time"].isna().any():
                rnd, _ = pd.factorize(labels["round"])
                group = (c.item * len(c.questions) + c.question) * (int(rnd.max()) + 1) + rnd
                group, _ = pd.factorize(group)  # (dense group numbers: small count tables)
                v, qcodes, offsets, uniques, n_vals = value_codes(labels["value"], labels["question"])
                team_code, n_others = team_votes(group, c.annotator, v, max(n_vals), min_others=2)
                has = team_code >= 0
                team_value = np.full(len(labels), None, dtype=object)
                team_value[has] = uniques[offsets[qcodes[has]] + team_code[has]]
                agrees = np.where(has, (v == team_code).astype(float), np.nan)
                self._team_rows = (team_value, n_others, agrees)
        return self._team_rows or None

    @property
    def codes(self) -> "HistoryCodes | None":
        """The labels' ids as integers (computed on first use and kept), None when the ids do not
        sort (mixed types): the views then take the slower way over the names."""
        if self._codes is None:
            self._codes = history_codes(self.labels) or False
        return self._codes or None

    @property
    def labels_text(self) -> pd.DataFrame:
        if self._texts is None:
            if len(self.labels):
                codes, texts = label_text_codes(self.labels["value"])
                self._text_codes = (codes, texts)
                out = self.labels.copy(deep=False)
                out["value"] = pd.Series(texts[codes], index=out.index, dtype=object)
                self._texts = out
            else:
                self._texts = self.labels
        return self._texts

    @property
    def text_codes(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(codes, texts)``: the answers as text, ``texts[codes]``, per labels row (codes numbered
        in order of first appearance); None for an empty history."""
        _ = self.labels_text  # (computing it sets the codes)
        return self._text_codes

    def texts(self) -> pd.DataFrame:
        return self.labels_text


#: The columns of :func:`team_observations`' table before its team columns.
TEAM_COLUMNS = ("annotator", "time", "guideline_version", "round", "item", "question", "value")

#: The columns of a task's history the dashboard works with (the drift functions' labels table).
HISTORY_LABEL_COLUMNS = ("item", "annotator", "question", "value", "time", "round", "guideline_version")


@dataclass(frozen=True)
class HistoryCodes:
    """A task's labels table with its ids factorised once: ``item[k]`` is row ``k``'s position in
    ``items`` (sorted), likewise ``annotator`` / ``annotators`` and ``question`` / ``questions``;
    ``time`` the row's time (``datetime64[ns]``, UTC), ``version`` its guideline version."""

    item: np.ndarray
    items: tuple
    annotator: np.ndarray
    annotators: tuple
    question: np.ndarray
    questions: tuple
    time: np.ndarray
    version: np.ndarray


def _sorted_codes(series: pd.Series):
    """``pd.factorize(series, sort=True)`` for ids of one plain kind (texts or whole numbers),
    codes as int64 and the ids as a tuple; TypeError for a missing id or ids of mixed kinds (their
    sorted order restricted to a subset need not be that subset's sorted order)."""
    codes, uniques = pd.factorize(series)
    if (codes < 0).any():
        raise TypeError("missing id")
    kind = pd.api.types.infer_dtype(uniques, skipna=False)
    if kind not in ("string", "integer", "empty"):
        raise TypeError("ids of mixed kinds")
    values = np.asarray(uniques)
    if (kind == "string" and len(values) * max(map(len, values), default=0) <= 25_000_000  # (<= 100 MB as UCS-4)
            and not any("\x00" in u for u in values)):
        # numpy sorts fixed-width text in C, in code point order as Python compares str
        # (only a trailing NUL would be lost: such ids take pandas' way)
        order = np.argsort(values.astype(str), kind="stable")
    elif kind == "integer":
        order = np.argsort(values, kind="stable")
    else:
        codes, uniques = pd.factorize(series, sort=True)
        return codes.astype(np.int64), tuple(uniques.tolist())
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], tuple(values[order].tolist())


def history_codes(labels: pd.DataFrame) -> HistoryCodes | None:
    """:class:`HistoryCodes` of a labels table (:func:`~workbench.analytics.drift.labels_table`); None when an id column has
    a missing value or ids of mixed kinds, or a time or version is missing or not of its type (the
    views then work on the names, as before)."""
    if not pd.api.types.is_datetime64_any_dtype(labels["time"]) or labels["time"].isna().any():
        return None
    if not pd.api.types.is_integer_dtype(labels["guideline_version"]) or labels["guideline_version"].isna().any():
        return None
    try:
        item, items = _sorted_codes(labels["item"])
        ann, annotators = _sorted_codes(labels["annotator"])
        q, questions = _sorted_codes(labels["question"])
        version = labels["guideline_version"].to_numpy(dtype=np.int64)
    except (TypeError, ValueError):
        return None
    return HistoryCodes(item=item, items=items, annotator=ann, annotators=annotators, question=q, questions=questions,
                        time=labels["time"].values, version=version)



def label_text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, texts)`` with ``texts[codes]`` equal to ``values.map(label_text)``: each distinct
    value's text computed once, distinct texts numbered in order of first appearance (values that
    read the same, such as 1 and "1", share a code)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = np.array([label_text(u) for u in uniques], dtype=object)
    if not len(texts):
        return codes.astype(np.int64), texts
    tcodes, tuniques = pd.factorize(texts)
    return tcodes.astype(np.int64)[codes], np.asarray(tuniques, dtype=object)


def label_texts(values: pd.Series) -> pd.Series:
    """``values.map(label_text)``, computed once per distinct value (values must be hashable)."""
    codes, texts = label_text_codes(values)
    return pd.Series(texts[codes] if len(codes) else np.array([], dtype=object), index=values.index, dtype=object)


def with_label_texts(labels: pd.DataFrame) -> pd.DataFrame:
    if not len(labels):
        return labels
    out = labels.copy(deep=False)  # (a new frame sharing the other columns: no deep copy)
    out["value"] = label_texts(labels["value"])
    return out


def _counts_table(keys, value_codes: np.ndarray, value_names, value_name: str = "value") -> pd.DataFrame:
    """``df.groupby([*names, value_name], sort=False).size().unstack(value_name, fill_value=0)`` on
    integer codes: ``keys`` is ``[(name, codes, names_of_codes), ...]``. As pandas builds it, the
    rows are the key combinations that occur, ordered by each key's order of first appearance,
    and the columns the values in order of first appearance (tested against pandas)."""
    def ranked(codes, names):
        first = pd.unique(codes)  # the codes in order of first appearance
        lookup = np.zeros(int(first.max()) + 1, dtype=np.int64)
        lookup[first] = np.arange(len(first))
        return lookup[codes], pd.Index([names[k] for k in first], dtype=object)

    ranks, levels = [], []
    for _, codes, names in keys:
        r, level = ranked(codes, names)
        ranks.append(r)
        levels.append(level)
    v_rank, columns = ranked(value_codes, value_names)
    sizes = [len(level) for level in levels]
    row = np.ravel_multi_index(ranks, sizes)
    n_rows, n_values = int(np.prod(sizes)), len(columns)
    counts = np.bincount(row * n_values + v_rank, minlength=n_rows * n_values).reshape(n_rows, n_values)
    used = np.flatnonzero(np.bincount(row, minlength=n_rows))
    index = pd.MultiIndex(levels=levels, codes=list(np.unravel_index(used, sizes)), names=[k[0] for k in keys])
    return pd.DataFrame(counts[used], index=index, columns=columns.rename(value_name))


def _question_rows(history: TaskHistory, question: str | None) -> np.ndarray | None:
    """Rows of ``question`` (None: every row) on the codes."""
    c = history.codes
    if question is None:
        return np.arange(len(c.item))
    if question not in c.questions:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(c.question == c.questions.index(question))


def count_annotators(history: TaskHistory, question: str | None = None) -> int:
    """``labels["annotator"].nunique()`` (of one question's rows, or all), on the codes when there are."""
    labels, c = history.labels, history.codes
    if c is None:
        lab = labels if question is None else labels[labels["question"] == question]
        return int(lab["annotator"].nunique())
    rows = _question_rows(history, question)
    return int(np.count_nonzero(np.bincount(c.annotator[rows], minlength=len(c.annotators))))


def shift_team(history: TaskHistory, question: str | None = None) -> pd.DataFrame:
    """``shift_vs_team`` of the history's answers as text (one question, or all): the same table
    (tested), counted on the integer codes instead of grouping two million texts."""
    texts = history.texts()
    c = history.codes
    rows = _question_rows(history, question) if c is not None else None
    if c is None or not len(rows):
        return shift_vs_team(texts if question is None else texts[texts["question"] == question])
    tcodes, tnames = history.text_codes
    own = _counts_table([("annotator", c.annotator[rows], c.annotators), ("question", c.question[rows], c.questions)],
                        tcodes[rows], tnames)
    return shift_vs_team_counts(own)


def shift_own_past(history: TaskHistory, versions: tuple, question: str | None = None) -> pd.DataFrame:
    """``shift_vs_own_past(..., versions=versions)`` of the history's answers as text (one
    question, or all): the same table (tested), counted on the integer codes."""
    texts = history.texts()
    c = history.codes
    rows = _question_rows(history, question) if c is not None else None
    old, new = versions
    if c is not None and len(rows):
        ver = c.version[rows]
        if not ((ver == old).any() and (ver == new).any()):
            rows = None  # (the core names the missing version)
        else:
            rows = rows[(ver == old) | (ver == new)]
    if c is None or rows is None or not len(rows):
        return shift_vs_own_past(texts if question is None else texts[texts["question"] == question],
                                 versions=versions)
    tcodes, tnames = history.text_codes
    side = np.where(c.version[rows] == old, 0, 1)
    counts = _counts_table([("annotator", c.annotator[rows], c.annotators),
                            ("question", c.question[rows], c.questions), ("_side", side, ("before", "after"))],
                           tcodes[rows], tnames)
    return shift_vs_own_past_counts(counts)




def build_task_history(tidy: pd.DataFrame, gold: pd.DataFrame, rounds: pd.DataFrame, bars: dict) -> TaskHistory:
    """A task's :class:`TaskHistory` from its answers (``tidy``, :data:`HISTORY_LABEL_COLUMNS`), its
    gold answers and rounds (as the store gives them) and the task's gold bars per question."""
    labels = labels_table(tidy)
    gold = gold_table(gold)
    obs, chart = monitor_gold(labels, gold, bar=pooled_bar(bars))
    return TaskHistory(labels=labels, gold=gold, gold_obs=obs, chart=chart, rounds=rounds,
                       annotators=tuple(sorted(labels["annotator"].unique())))
