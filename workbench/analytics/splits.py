"""The holdout split of an export: seeded, stratified by label, stable, never synthetic.

:func:`holdout_split` decides, per *unit* (an item, or every item sharing one prompt: answers to
the same prompt never straddle train and test), whether it goes to the holdout (``test``):

1. Only **eligible** units can: those whose records all come from people (logged traffic or
   human-curated sets, as the task's ``holdout_sources`` or the candidate metadata say), never
   generated candidates. A model is then measured on what people wrote.
2. A unit that was in the holdout of an earlier export of the task **stays** there (if it is
   still exported and eligible): a test item never moves into training.
3. Each **stratum** (the unit's label) is then topped up to ``round(fraction x eligible units of
   the stratum)`` with the eligible units that have the smallest seeded hash
   ``u = blake2b(seed, key)``. The hash depends only on the seed and the unit's key, so with the
   same inputs the split is the same, and a new export adds new units without moving old ones.

Returns a boolean array (True = holdout) in the order of ``keys``.

>>> import numpy as np
>>> keys = [f"k{i}" for i in range(10)]
>>> h = holdout_split(keys, ["a"] * 5 + ["b"] * 5, np.ones(10, bool), fraction=0.4, seed=1)
>>> int(h[:5].sum()), int(h[5:].sum())
(2, 2)
>>> bool((holdout_split(keys, ["a"] * 5 + ["b"] * 5, np.ones(10, bool), fraction=0.4, seed=1) == h).all())
True
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.errors import BadInput


def unit_hash(key: str, seed: int) -> float:
    """The seeded position of a unit in [0, 1): blake2b of ``seed`` and ``key``.

    >>> 0 <= unit_hash("abc", 0) < 1, unit_hash("abc", 0) == unit_hash("abc", 0) != unit_hash("abc", 1)
    (True, True)
    """
    digest = hashlib.blake2b(f"{seed}\x1f{key}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0 ** 64


def holdout_split(keys: Sequence[str], strata: Sequence, eligible: np.ndarray, *, fraction: float, seed: int = 0,
                  previous: Iterable[str] = ()) -> np.ndarray:
    """Which units go to the holdout (see the module docstring).

    Parameters
    ----------
    keys : sequence of str
        One key per unit (unique).
    strata : sequence
        The label of each unit (stratification).
    eligible : numpy.ndarray of bool
        Whether each unit may be held out (human-written or logged).
    fraction : float
        Target share of each stratum's eligible units, in [0, 1).
    seed : int
    previous : iterable of str
        Keys that were in an earlier export's holdout.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction < 1:
        raise BadInput(f"holdout: must be a share in [0, 1); got {fraction!r}")
    keys = list(keys)
    if len(set(keys)) != len(keys):
        raise BadInput("holdout_split: keys must be unique (one per unit)")
    eligible = np.asarray(eligible, dtype=bool)
    if not (len(keys) == len(strata) == len(eligible)):
        raise BadInput(f"holdout_split: {len(keys)} keys, {len(strata)} strata, {len(eligible)} eligibility flags")
    out = np.zeros(len(keys), dtype=bool)
    if not len(keys):
        return out
    prev = set(previous)
    out |= eligible & np.fromiter((k in prev for k in keys), dtype=bool, count=len(keys))
    u = np.fromiter((unit_hash(k, seed) for k in keys), dtype=float, count=len(keys))
    frame = pd.DataFrame({"stratum": pd.Series(list(strata), dtype=object).map(repr), "u": u,
                          "eligible": eligible, "held": out})
    for _, g in frame[frame["eligible"]].groupby("stratum", sort=True):
        target = int(round(fraction * len(g)))
        need = target - int(g["held"].sum())
        if need > 0:
            fresh = g[~g["held"]].sort_values("u", kind="stable").index[:need]
            out[fresh.to_numpy()] = True
    return out
