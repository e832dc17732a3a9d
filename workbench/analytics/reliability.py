"""Tidy annotation tables and their reshaping into reliability data.

The functional core works on one *tidy* table of annotations, one row per judgement:

==========  ===============================================================
column      meaning
==========  ===============================================================
item        the unit being judged (record id)
annotator   who judged it
question    which question of the item (one agreement figure per question)
value       the answer: a label, a number, or a set of labels (multi-label)
==========  ===============================================================

Optional columns ``time``, ``round`` and ``guideline_version`` are kept as they are.

Agreement coefficients need, per question, Krippendorff's *reliability data* matrix
(Krippendorff 2011, section A): annotators (coders) in rows, items (units) in columns, a
value or a gap in each cell. :class:`ReliabilityData` stores it as integer codes into a tuple
of distinct values (the *categories*), ``-1`` marking a missing judgement, so every
coefficient can work with integer arithmetic and ``numpy.bincount``.

References
----------
Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.errors import BadInput

TIDY_COLUMNS = ("item", "annotator", "question", "value")


def check_seed(seed, name: str = "seed"):
    """``seed`` unchanged if numpy can seed a generator with it (None, a non-negative integer or a
    ``numpy.random.Generator``); else ``BadInput`` naming ``name`` and the value.

    >>> check_seed(3), check_seed(None)
    (3, None)
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise BadInput(f"{name}: must be a non-negative integer; got {seed!r}")
    if seed < 0:
        raise BadInput(f"{name}: must be a non-negative integer; got {seed!r}")
    return seed


def show_value(value: object) -> str:
    """Short printable form of a value for error messages (at most 80 characters; a set of
    labels sorted, so that the message does not depend on the set's order)."""
    if isinstance(value, frozenset):
        text = "{" + ", ".join(sorted(repr(v) for v in value)) + "}"
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def is_number(value: object) -> bool:
    """True for real numbers (Python's and numpy's, NaN included), not for bools."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return True
    return False


def _normalise_value(value, as_sets: bool):
    """Make a value hashable: numpy scalars -> Python, containers -> frozenset / tuple."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        seq = value.tolist() if isinstance(value, np.ndarray) else value
        seq = [v.item() if isinstance(v, np.generic) else v for v in seq]
        seq = [tuple(v) if isinstance(v, list) else v for v in seq]
        if as_sets or isinstance(value, (set, frozenset)):
            return frozenset(seq)
        return tuple(seq)
    return value


def _check_columns(df, required, source):
    if not isinstance(df, pd.DataFrame):
        raise BadInput(f"{source}: expected a table (pandas DataFrame), got {type(df).__name__}")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise BadInput(
            f"{source}: missing column(s) {', '.join(repr(c) for c in missing)}"
            f" (columns present: {', '.join(repr(str(c)) for c in df.columns) or 'none'})"
        )
    if len(df) == 0:
        raise BadInput(f"{source}: the table is empty (no annotations)")


def _check_duplicates(df, keys, source):
    key = np.zeros(len(df), dtype=np.int64)
    for col in keys:
        codes, uniq = pd.factorize(df[col])
        key = key * (len(uniq) + 1) + (codes + 1)
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if dup.any():
        first = int(np.flatnonzero(dup)[0])
        same = np.flatnonzero(key == key[first])
        row = df.iloc[first]
        where = ", ".join(f"{k}={_plain(row[k])!r}" for k in keys)
        raise BadInput(
            f"{source}: duplicate annotation for {where} (rows {', '.join(str(df.index[i]) for i in same[:5])});"
            f" {int(dup.sum())} rows are duplicated in all. Each annotator may answer a question of an"
            " item only once."
        )


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


_SCALAR_KINDS = {"string", "integer", "floating", "mixed-integer-float", "decimal", "empty"}


def _needs_normalising(values) -> bool:
    """False when every value is already a hashable plain scalar (fast path for big tables)."""
    return pd.api.types.infer_dtype(values, skipna=True) not in _SCALAR_KINDS


def validate_annotations(df: pd.DataFrame, *, source: str = "annotations") -> pd.DataFrame:
    """Check a tidy annotation table and return it in canonical form.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per judgement with the columns of :data:`TIDY_COLUMNS`.
    source : str
        What the table came from (a file name, a dataset name); used in error messages.

    Returns
    -------
    pandas.DataFrame
        A copy with a fresh index, rows whose ``value`` is missing (None/NaN) removed, numpy
        scalars turned into Python scalars, lists/tuples into ``tuple`` and sets into
        ``frozenset`` (so values are hashable; :func:`to_reliability_data` decides whether a
        tuple is a set of labels or an ordering).

    Raises
    ------
    BadInput
        If a required column is missing, the table is empty, an ``item``/``annotator``/
        ``question`` cell is empty, or an (item, annotator, question) triple occurs twice (the
        first duplicate is named).

    Examples
    --------
    >>> df = pd.DataFrame({"item": [1, 1], "annotator": ["a", "a"], "question": ["q", "q"],
    ...                    "value": ["x", "y"]})
    >>> validate_annotations(df, source="votes.csv")
    Traceback (most recent call last):
    ...
    workbench.errors.BadInput: votes.csv: duplicate annotation for item=1, annotator='a', question='q' (rows 0, 1); 2 rows are duplicated in all. Each annotator may answer a question of an item only once.
    """
    _check_columns(df, TIDY_COLUMNS, source)
    for col in ("item", "annotator", "question"):
        null = df[col].isna()
        if null.any():
            row = df.index[null.to_numpy().argmax()]
            raise BadInput(f"{source}: column {col!r} is empty in row {row}")
    _check_duplicates(df, ("item", "annotator", "question"), source)
    out = df[~df["value"].isna()].reset_index(drop=True)
    if len(out) == 0:
        raise BadInput(f"{source}: every 'value' is missing (no annotations)")
    if out["value"].dtype == object and _needs_normalising(out["value"]):
        out = out.copy()
        out["value"] = [_normalise_value(v, as_sets=False) for v in out["value"]]
    return out


@dataclass(frozen=True)
class ReliabilityData:
    """Reliability data for one question: annotators x items, coded as integers.

    Attributes
    ----------
    codes : numpy.ndarray
        ``int32`` array of shape ``(n_annotators, n_items)``; ``codes[i, j]`` indexes
        :attr:`categories`, ``-1`` marks a missing judgement.
    categories : tuple
        The distinct values. Numbers are in numeric order (integral floats become ints);
        labels in the order given with ``order=`` (else sorted as strings); sets (multi-label
        answers, ``frozenset``) by size then content.
    annotators : tuple
        Annotator names, one per row of :attr:`codes`.
    items : tuple
        Item ids, one per column of :attr:`codes`.
    ordered : bool
        True when the order of :attr:`categories` is meaningful (numbers, or an explicit
        ``order=``); ordinal coefficients refuse unordered labels.

    Examples
    --------
    >>> rd = from_wide([[1, 2, None], [1, 3, 3]])
    >>> rd.codes
    array([[ 0,  1, -1],
           [ 0,  2,  2]], dtype=int32)
    >>> rd.categories
    (1, 2, 3)
    >>> rd.values_matrix()
    array([[ 1.,  2., nan],
           [ 1.,  3.,  3.]])
    """

    codes: np.ndarray
    categories: tuple
    annotators: tuple
    items: tuple
    ordered: bool = False

    def __post_init__(self):
        codes = np.asarray(self.codes)
        if codes.ndim != 2:
            raise BadInput(f"reliability data: codes must be 2-D (annotators x items), got shape {codes.shape}")
        if codes.shape != (len(self.annotators), len(self.items)):
            raise BadInput(
                f"reliability data: codes have shape {codes.shape} but there are"
                f" {len(self.annotators)} annotators and {len(self.items)} items"
            )
        if codes.size and (codes.min() < -1 or codes.max() >= len(self.categories)):
            raise BadInput(
                f"reliability data: codes must lie in -1..{len(self.categories) - 1};"
                f" found {int(codes.min())}..{int(codes.max())}"
            )
        object.__setattr__(self, "codes", np.ascontiguousarray(codes, dtype=np.int32))

    @property
    def n_annotators(self) -> int:
        """Number of annotators (rows)."""
        return int(self.codes.shape[0])

    @property
    def n_items(self) -> int:
        """Number of items (columns)."""
        return int(self.codes.shape[1])

    @property
    def numeric(self) -> bool:
        """True when every category is a number."""
        return all(is_number(c) for c in self.categories)

    def category_values(self) -> np.ndarray:
        """The categories as a float array (numeric categories only).

        Raises
        ------
        BadInput
            If a category is not a number (the first such value is named).
        """
        for c in self.categories:
            if not is_number(c):
                raise BadInput(f"value {show_value(c)} is not a number; this needs numeric values")
        return np.asarray(self.categories, dtype=float)

    def values_matrix(self) -> np.ndarray:
        """Return the values as floats, annotators x items, ``nan`` where missing.

        Raises
        ------
        BadInput
            If a category is not a number.
        """
        values = np.append(self.category_values(), np.nan)
        return values[self.codes]  # code -1 picks the trailing nan

    def select_items(self, columns) -> "ReliabilityData":
        """Reliability data restricted to (or resampled at) the given item positions.

        Repeated positions repeat the item (as in a bootstrap resample); categories are kept.
        """
        columns = np.asarray(columns, dtype=np.intp)
        return ReliabilityData(
            codes=self.codes[:, columns],
            categories=self.categories,
            annotators=self.annotators,
            items=tuple(self.items[i] for i in columns),
            ordered=self.ordered,
        )


def _sort_key(value):
    if is_number(value):
        return (0, float(value), "")
    if isinstance(value, str):
        return (1, 0.0, value)
    if isinstance(value, frozenset):
        return (2, float(len(value)), repr(sorted(map(repr, value))))
    if isinstance(value, tuple):
        return (3, float(len(value)), repr(value))
    return (4, 0.0, repr(value))


def _tidy_numbers(uniques: list) -> list:
    """Integral floats become ints when every number is integral (1.0 -> 1)."""
    if uniques and all(is_number(u) and float(u).is_integer() for u in uniques):
        return [int(u) for u in uniques]
    return uniques


def _unique_numbers(values: np.ndarray):
    """Sorted distinct numbers and int32 codes; O(n) for whole numbers in a modest range."""
    if len(values):
        lo, hi = values.min(), values.max()
        if hi - lo < 1_000_000 and (values.dtype.kind in "iu" or np.array_equal(values, np.floor(values))):
            offsets = (values - lo).astype(np.int64, copy=False)
            used = np.bincount(offsets, minlength=int(hi - lo) + 1) > 0
            lookup = (np.cumsum(used, dtype=np.int64) - 1).astype(np.int32)
            uniq = (np.flatnonzero(used) + lo).astype(values.dtype)
            return uniq, lookup[offsets]
    uniq, inverse = np.unique(values, return_inverse=True)
    return uniq, inverse.astype(np.int32).reshape(-1)


def _encode(values: np.ndarray, order=None, as_sets: bool = True, source: str = "values"):
    """Encode a 1-D array of present (non-missing) values.

    Returns ``(codes int32, categories tuple, ordered bool)``.
    """
    if values.dtype.kind in "iuf":
        if values.dtype.kind == "f" and not np.isfinite(values).all():
            bad = values[~np.isfinite(values)][0]
            raise BadInput(f"{source}: value {bad!r} is not a finite number")
        uniq, codes = _unique_numbers(values)
        uniques = _tidy_numbers([u.item() for u in uniq])
        categories, ordered = uniques, True
    else:
        if _needs_normalising(values):
            normalised = [_normalise_value(v, as_sets) for v in values]
            if as_sets and any(isinstance(v, frozenset) for v in normalised):
                normalised = [v if isinstance(v, frozenset) else frozenset([v]) for v in normalised]
            obj = np.empty(len(normalised), dtype=object)
            obj[:] = normalised
        else:
            obj = values
        obj = as_text_if_mixed(obj)
        try:
            codes, uniq = pd.factorize(obj)
        except TypeError as exc:  # unhashable value
            raise BadInput(f"{source}: value cannot be used as an answer ({exc})") from None
        uniq = [_plain(u) for u in uniq]
        uniques = list(uniq)
        if all(is_number(u) for u in uniques):
            uniques = sorted(uniques)
            ordered = True
        else:
            uniques = sorted(uniques, key=_sort_key)
            ordered = False
        remap = {u: i for i, u in enumerate(uniques)}
        perm = np.array([remap[u] for u in uniq], dtype=np.int32)
        codes = perm[codes]
        categories = _tidy_numbers(uniques) if ordered else uniques
    if order is not None:
        order = [_normalise_value(v, as_sets) for v in order]
        if len(set(order)) != len(order):
            seen: set = set()
            for dup in order:
                if dup in seen:
                    break
                seen.add(dup)
            raise BadInput(f"order: value {show_value(dup)} is listed twice")
        position = {v: i for i, v in enumerate(order)}
        missing = [c for c in categories if c not in position]
        if missing:
            raise BadInput(
                f"{source}: value {show_value(missing[0])} is not in the given order"
                f" ({', '.join(show_value(v) for v in order)})"
            )
        perm = np.array([position[c] for c in categories], dtype=np.int32)
        codes = perm[codes] if len(codes) else codes
        categories, ordered = list(order), True
    return np.asarray(codes, dtype=np.int32), tuple(categories), ordered


# pandas' inferred kinds (skipna=False) of arrays that hold no str, or nothing but str
_NO_MIX_KINDS = frozenset({"string", "empty", "integer", "floating", "mixed-integer-float", "decimal", "boolean",
                           "bytes", "complex"})


def mixes_numbers_and_text(values) -> bool:
    """Whether a question's values hold both numbers and text (``1`` and ``"n/a"``)."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind != "O":  # numbers, or fixed-width text only
            return False
        if values.ndim == 1 and pd.api.types.infer_dtype(values, skipna=False) in _NO_MIX_KINDS:
            return False  # decided in C: the loop below would find no str, or only str
    has_number = has_text = False
    for v in values:
        if isinstance(v, str):
            has_text = True
        elif is_number(v):
            has_number = True
        if has_number and has_text:
            return True
    return False


def as_text_if_mixed(values: np.ndarray) -> np.ndarray:
    """The value coding rule, the same in the Python API and the CLI: a question's values are
    **numbers** when every one of them is a number (then ``1``, ``1.0`` and, in a CSV, ``"01"`` are
    one value); when numbers and text are mixed, **every value is a label compared as its text**
    (``str(v)``: ``1`` and ``"1"`` are one label, ``1`` and ``1.0`` two). Before this rule, ``1``
    and ``"1"`` were silently two categories. Missing answers are ``None``/NaN, never text such
    as ``"n/a"`` (the CLI's ``--missing`` declares such markers).

    >>> list(as_text_if_mixed(np.array([1, "1", 1.0, "n/a"], dtype=object)))
    ['1', '1', '1.0', 'n/a']
    >>> list(as_text_if_mixed(np.array([1, 1.0, 2], dtype=object)))
    [1, 1.0, 2]
    """
    if not mixes_numbers_and_text(values):
        return values
    out = np.empty(len(values), dtype=object)
    out[:] = [str(v) if is_number(v) else v for v in values]
    return out


def _factorize_ids(series: pd.Series):
    if isinstance(series.dtype, pd.CategoricalDtype):
        # what pandas.factorize(sort=True) gives for a categorical (the categories in use, in
        # category order), from the codes alone: O(n), no hashing
        codes = series.cat.codes.to_numpy()
        absent = codes < 0
        has_absent = bool(absent.any())
        used = np.bincount(codes[~absent] if has_absent else codes, minlength=len(series.cat.categories)) > 0
        rank = (np.cumsum(used) - 1).astype(np.intp)
        out = rank[codes]
        if has_absent:
            out[absent] = -1
        return out, tuple(series.cat.categories[used].tolist())
    try:
        codes, uniq = pd.factorize(series, sort=True)
    except TypeError:
        codes, uniq = pd.factorize(series, sort=False)
    return codes, tuple(uniq.tolist())


def to_reliability_data(df: pd.DataFrame, *, order=None, as_sets: bool = True) -> ReliabilityData:
    """Reshape the tidy rows of ONE question into :class:`ReliabilityData`.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy rows with ``item``, ``annotator`` and ``value`` (``question``, if present, must
        hold a single value). Rows with a missing value are ignored.
    order : sequence, optional
        The ordinal order of the labels, lowest first. Every observed value must be in it;
        labels nobody used are kept as categories (they change Gwet's AC1/AC2, which count
        categories, but not alpha).
    as_sets : bool
        If True (default), tuple/list/set values are multi-label answers and become
        ``frozenset`` (a plain label among them becomes a one-element set); if False they are
        kept as ordered tuples (rankings, spans).

    Returns
    -------
    ReliabilityData
        Annotators and items are sorted (when comparable).

    Raises
    ------
    BadInput
        Missing columns, rows of several questions, a duplicate (item, annotator), or a value
        outside ``order``.

    Examples
    --------
    >>> df = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": ["a", "b", "a", "b"],
    ...                    "value": ["good", "bad", "good", "good"]})
    >>> rd = to_reliability_data(df, order=["bad", "good"])
    >>> rd.categories, rd.annotators, rd.items
    (('bad', 'good'), ('a', 'b'), (1, 2))
    >>> rd.codes
    array([[1, 1],
           [0, 1]], dtype=int32)
    """
    source = "annotations"
    _check_columns(df, ("item", "annotator", "value"), source)
    if "question" in df.columns:
        questions = pd.unique(df["question"])
        if len(questions) > 1:
            raise BadInput(
                f"{source}: rows of {len(questions)} questions ({', '.join(repr(q) for q in questions[:5])});"
                " agreement is computed per question: select one question first"
            )
        source = f"question {questions[0]!r}"
    item_codes, items = _factorize_ids(df["item"])
    ann_codes, annotators = _factorize_ids(df["annotator"])
    cell = ann_codes.astype(np.int64) * len(items) + item_codes
    if np.bincount(cell, minlength=len(items) * len(annotators)).max(initial=0) > 1:
        _check_duplicates(df, ("item", "annotator"), source)  # names the first duplicate
    return _from_codes(item_codes, items, ann_codes, annotators, df["value"].to_numpy(), order=order,
                       as_sets=as_sets, source=source)


def _from_codes(item_codes, items: tuple, ann_codes, annotators: tuple, values: np.ndarray, *, order, as_sets: bool,
                source: str) -> ReliabilityData:
    """The reliability data of rows given as item and annotator positions (into ``items`` and
    ``annotators``, at most one row per pair) and their values (missing ones are left out)."""
    present = ~pd.isna(values)
    codes_1d, categories, ordered = _encode(values[present], order=order, as_sets=as_sets, source=source)
    codes = np.full((len(annotators), len(items)), -1, dtype=np.int32)
    codes[np.asarray(ann_codes)[present], np.asarray(item_codes)[present]] = codes_1d
    return ReliabilityData(codes=codes, categories=categories, annotators=annotators, items=items, ordered=ordered)


def reliability_data_from_codes(item_codes, items, ann_codes, annotators, values, *, order=None,
                                as_sets: bool = True, source: str = "annotations") -> ReliabilityData:
    """:func:`to_reliability_data` for rows already coded as integers, for callers that factorise
    item and annotator names once for many tables (a task's whole history) instead of per table.

    ``items`` and ``annotators`` are every id the codes can point at, **sorted** (as
    :func:`to_reliability_data` sorts them); ``item_codes[k]`` / ``ann_codes[k]`` are row ``k``'s
    positions in them; ``values`` the rows' answers. Only the ids that occur are kept, in the
    same order, so the result equals ``to_reliability_data`` of the same rows with the names
    (tested). An (item, annotator) pair may occur only once: this is not checked here.
    """
    used_items, item_pos = _used_codes(item_codes, len(items))
    used_anns, ann_pos = _used_codes(ann_codes, len(annotators))
    items = tuple(items[i] for i in used_items)
    annotators = tuple(annotators[i] for i in used_anns)
    values = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    return _from_codes(item_pos, items, ann_pos, annotators, values, order=order, as_sets=as_sets, source=source)


def _used_codes(codes, n: int):
    """The distinct codes (ascending) and each code's position among them, in O(n) (no sort)."""
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size and (codes.min() < 0 or codes.max() >= n):
        raise BadInput(f"codes must lie in 0..{n - 1}; found {int(codes.min())}..{int(codes.max())}")
    used = np.bincount(codes, minlength=n) > 0
    return np.flatnonzero(used), (np.cumsum(used) - 1)[codes]


def _parse_number(text: str):
    value = float(text)
    return int(value) if value.is_integer() and math.isfinite(value) else value


def _grid(matrix_like) -> np.ndarray:
    """A 2-D array of cells; cells may themselves be tuples or sets (kept as objects)."""
    if isinstance(matrix_like, np.ndarray) and (matrix_like.dtype != object or matrix_like.ndim == 2):
        return matrix_like
    try:
        grid = np.asarray(matrix_like)
    except ValueError:  # ragged: rows of tuples of different lengths
        grid = None
    if grid is not None and grid.ndim == 2:
        return grid
    rows = [list(row) for row in matrix_like]
    lengths = {len(row) for row in rows}
    if len(lengths) > 1:
        raise BadInput(f"reliability data rows have different lengths: {sorted(lengths)}")
    out = np.empty((len(rows), lengths.pop() if lengths else 0), dtype=object)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            out[i, j] = cell
    return out


def from_wide(matrix_like, missing=(".", "", None), *, order=None, as_sets: bool = True) -> ReliabilityData:
    """Build :class:`ReliabilityData` from a wide matrix.

    Parameters
    ----------
    matrix_like : array-like or pandas.DataFrame
        Either annotators x items (nested lists or an array; rows are annotators, the layout
        of the ``krippendorff`` package), or a DataFrame with one column per annotator and one
        row per item (the index gives the item ids).
    missing : tuple
        Cell values that mean "no judgement", in addition to NaN.
    order : sequence, optional
        Ordinal order of the labels, as for :func:`to_reliability_data`.
    as_sets : bool
        As for :func:`to_reliability_data`.

    Returns
    -------
    ReliabilityData
        If every present value is a number, or every present value is a string that parses as
        a number (e.g. read from CSV), the categories are numbers.

    Examples
    --------
    >>> rd = from_wide(pd.DataFrame({"ann1": ["1", ".", "2"], "ann2": ["1", "3", "2"]}))
    >>> rd.annotators, rd.items, rd.categories
    (('ann1', 'ann2'), (0, 1, 2), (1, 2, 3))
    """
    if isinstance(matrix_like, pd.DataFrame):
        annotators = tuple(v.item() if isinstance(v, np.generic) else v for v in matrix_like.columns)
        items = tuple(v.item() if isinstance(v, np.generic) else v for v in matrix_like.index)
        if matrix_like.dtypes.map(lambda d: d.kind in "iuf").all() if len(matrix_like.columns) else False:
            grid = matrix_like.to_numpy(dtype=float).T
        else:
            grid = matrix_like.to_numpy(dtype=object).T
    else:
        grid = _grid(matrix_like)
        if grid.ndim != 2:
            raise BadInput(f"reliability data must be 2-D (annotators x items); got shape {grid.shape}")
        annotators = tuple(range(grid.shape[0]))
        items = tuple(range(grid.shape[1]))
    if grid.ndim != 2:
        raise BadInput(f"reliability data must be 2-D (annotators x items); got shape {grid.shape}")
    if grid.dtype.kind == "b":
        grid = grid.astype(object)
    if grid.dtype.kind in "iuf":
        present = ~np.isnan(grid) if grid.dtype.kind == "f" else np.ones(grid.shape, dtype=bool)
        flat = grid[present]
    else:
        marks = {m for m in missing if m is not None}

        def is_gap(v):
            if _is_missing(v):
                return True
            try:
                return v in marks
            except TypeError:  # unhashable (a list): a real answer
                return False

        present = np.array([[not is_gap(v) for v in row] for row in grid], dtype=bool).reshape(grid.shape)
        flat = grid[present]
        if len(flat) and all(isinstance(v, str) for v in flat):
            try:
                parsed = [_parse_number(v) for v in flat]
            except ValueError:
                parsed = None
            if parsed is not None:
                flat = np.empty(len(parsed), dtype=object)
                flat[:] = parsed
    codes_1d, categories, ordered = _encode(flat, order=order, as_sets=as_sets, source="reliability data")
    codes = np.full(grid.shape, -1, dtype=np.int32)
    codes[present] = codes_1d
    return ReliabilityData(codes=codes, categories=categories, annotators=annotators, items=items, ordered=ordered)


def as_reliability_data(data) -> ReliabilityData:
    """Accept :class:`ReliabilityData` or an annotators x items array (``nan`` = missing).

    Examples
    --------
    >>> as_reliability_data([[1.0, float("nan")], [2.0, 2.0]]).codes
    array([[ 0, -1],
           [ 1,  1]], dtype=int32)
    """
    if isinstance(data, ReliabilityData):
        return data
    if isinstance(data, pd.DataFrame):
        raise BadInput(
            "expected reliability data (annotators x items) or a ReliabilityData; for a tidy table"
            " use to_reliability_data(), for one column per annotator use from_wide()"
        )
    return from_wide(data, missing=(None,))
