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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.errors import BadInput

TIDY_COLUMNS = ("item", "annotator", "question", "value")
OPTIONAL_COLUMNS = ("time", "round", "guideline_version")


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
        A copy with rows whose ``value`` is missing (None/NaN) removed, numpy scalars turned
        into Python scalars and lists turned into tuples (so values are hashable).

    Raises
    ------
    BadInput
        If a required column is missing, the table is empty, or an (item, annotator,
        question) triple occurs twice (the first duplicate is named).
    """
    raise NotImplementedError


@dataclass(frozen=True)
class ReliabilityData:
    """Reliability data for one question: annotators x items, coded as integers.

    Attributes
    ----------
    codes : numpy.ndarray
        ``int32`` array of shape ``(n_annotators, n_items)``; ``codes[i, j]`` indexes
        :attr:`categories`, ``-1`` marks a missing judgement.
    categories : tuple
        The distinct values. Numbers are in numeric order; labels in the order given with
        ``order=`` (or sorted as strings when no order is given); sets by size then content.
    annotators : tuple
        Annotator names, one per row of :attr:`codes`.
    items : tuple
        Item ids, one per column of :attr:`codes`.
    ordered : bool
        True when the order of :attr:`categories` is meaningful (numbers, or an explicit
        ``order=``); ordinal coefficients refuse unordered labels.
    """

    codes: np.ndarray
    categories: tuple
    annotators: tuple
    items: tuple
    ordered: bool = False

    @property
    def n_annotators(self) -> int:
        """Number of annotators (rows)."""
        return int(self.codes.shape[0])

    @property
    def n_items(self) -> int:
        """Number of items (columns)."""
        return int(self.codes.shape[1])

    def values_matrix(self) -> np.ndarray:
        """Return the values as floats, annotators x items, ``nan`` where missing.

        Raises
        ------
        BadInput
            If a category is not a number.
        """
        raise NotImplementedError


def to_reliability_data(df: pd.DataFrame, *, order=None, as_sets: bool = True) -> ReliabilityData:
    """Reshape the tidy rows of ONE question into :class:`ReliabilityData`.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy rows (``item``, ``annotator``, ``value``; ``question`` if present must hold a
        single value).
    order : sequence, optional
        The ordinal order of the labels, lowest first. Every observed value must be in it;
        unobserved labels are kept as categories.
    as_sets : bool
        If True (default), tuple/list/set values are multi-label answers and become
        ``frozenset``; if False they are kept as ordered tuples (rankings, spans).

    Returns
    -------
    ReliabilityData
    """
    raise NotImplementedError


def from_wide(matrix_like, missing=(".", "", None)) -> ReliabilityData:
    """Build :class:`ReliabilityData` from a wide matrix.

    Parameters
    ----------
    matrix_like : array-like or pandas.DataFrame
        Either annotators x items (nested lists or an array; rows are annotators), or a
        DataFrame with one column per annotator and one row per item (the index gives the
        item ids).
    missing : tuple
        Cell values that mean "no judgement", in addition to NaN.

    Returns
    -------
    ReliabilityData
        If every present value is a number or a string that parses as a number, the
        categories are numbers.
    """
    raise NotImplementedError
