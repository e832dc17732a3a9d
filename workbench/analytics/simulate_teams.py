"""Seeded simulated calibration teams whose trouble is known by construction.

The diagnosis (:mod:`workbench.analytics.diagnosis`) must tell five situations apart; this
module makes each of them on demand, for the tests and for ``bench/bench_diagnosis.py``:

``deviant``
    One annotator deviates: half the seeds a *confuser* (says label ``B`` wherever the truth
    is the most frequent label ``A``, otherwise as accurate as the team), the other half a
    *sloppy* annotator (accuracy 0.50-0.60, errors uniform over the other labels). The
    others are right with probability 0.85-0.90 and, when wrong, pick another label at
    random.
``ambiguous``
    The guideline leaves a share of the items (default 30%) open between two plausible
    labels: on those items every annotator picks one of the two at random (probability
    1/2 each). Elsewhere the team is as above (0.85-0.90), with nobody deviating.
``both``
    ``deviant`` and ``ambiguous`` together (the deviant also follows their own rule on
    the open items).
``agree``
    Everyone is right with probability 0.95-0.98; no open items.
``noise``
    Everyone is right with probability 0.60-0.75, errors uniform over the other labels; no
    open items, nobody singled out.

Labels: 3, 4 or 5 (drawn per seed unless given), with frequencies drawn from a symmetric
Dirichlet(3) distribution; the open pair is two labels drawn at random. The gold value of
an open item is one of its two labels.

:func:`judge` says whether a diagnosis is *right* for the team, by the definitions below
(the same ones the benchmark prints):

=============  ==============================================================================
case           right verdict
=============  ==============================================================================
deviant        ``annotator_deviation`` naming exactly the deviant; no items named
ambiguous      ``ambiguous_guideline``, nobody named, and at least 2/3 of the items named open
both           ``both``, naming exactly the deviant, at least 2/3 of the items named open
agree          ``reliable``, or (alpha below the reliable band by chance) ``diffuse``; nobody
               and no items named
noise          ``diffuse``; nobody and no items named
=============  ==============================================================================

``undetermined`` never counts as right: it is honest, but it is not the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.analytics.reliability import ReliabilityData, check_seed
from workbench.errors import BadInput

__all__ = ["CASES", "SimulatedTeam", "gold_sample", "judge", "simulate_team"]

CASES = ("deviant", "ambiguous", "both", "agree", "noise")
NAMES = ("ana", "ben", "chloe", "dan", "eve", "fay", "gus", "hal", "ivy", "jo")


@dataclass(frozen=True)
class SimulatedTeam:
    """A simulated calibration round and what is wrong with it.

    Attributes
    ----------
    case : str
        One of :data:`CASES`.
    data : ReliabilityData
        Annotators x items, every annotator on every item.
    gold : dict
        item -> true label (for an open item: one of its two labels).
    deviant : str or None
        The deviating annotator's name.
    deviant_kind : str or None
        ``"confuser"`` or ``"sloppy"``.
    open_items : frozenset
        Items the guideline leaves open.
    open_pair : tuple
        The two labels the open items split between (empty without open items).
    """

    case: str
    data: ReliabilityData
    gold: dict
    deviant: str | None = None
    deviant_kind: str | None = None
    open_items: frozenset = frozenset()
    open_pair: tuple = ()


def _noisy(rng, truth: np.ndarray, accuracy: np.ndarray, k: int) -> np.ndarray:
    """Values of annotators (rows) who are right with ``accuracy`` and else pick another label."""
    right = rng.random((len(accuracy), len(truth))) < accuracy[:, None]
    other = (truth[None, :] + rng.integers(1, k, (len(accuracy), len(truth)))) % k
    return np.where(right, truth[None, :], other)


def simulate_team(
    case: str,
    *,
    n_annotators: int = 3,
    n_items: int = 80,
    n_labels: int | None = None,
    open_share: float = 0.3,
    deviant_kind: str | None = None,
    seed: int = 0,
) -> SimulatedTeam:
    """One simulated team of the given case (see the module notes).

    Examples
    --------
    >>> t = simulate_team("ambiguous", n_annotators=3, n_items=60, seed=1)
    >>> t.data.codes.shape, len(t.open_items), len(t.open_pair)
    ((3, 60), 18, 2)
    """
    if case not in CASES:
        raise BadInput(f"case: expected one of {', '.join(CASES)}; got {case!r}")
    if not 2 <= n_annotators <= len(NAMES):
        raise BadInput(f"n_annotators: expected 2 to {len(NAMES)}; got {n_annotators!r}")
    if deviant_kind not in (None, "confuser", "sloppy"):
        raise BadInput(f"deviant_kind: expected 'confuser' or 'sloppy'; got {deviant_kind!r}")
    rng = np.random.default_rng([check_seed(seed), n_annotators, n_items, CASES.index(case)])
    k = int(n_labels) if n_labels is not None else int(rng.integers(3, 6))
    labels = tuple(f"L{j}" for j in range(k))
    freq = rng.dirichlet(np.full(k, 3.0))
    truth = rng.choice(k, size=n_items, p=freq)
    if case == "agree":
        acc = rng.uniform(0.95, 0.98, n_annotators)
    elif case == "noise":
        acc = rng.uniform(0.60, 0.75, n_annotators)
    else:
        acc = rng.uniform(0.85, 0.90, n_annotators)

    open_items = np.array([], dtype=int)
    pair: tuple[int, ...] = ()
    if case in ("ambiguous", "both"):
        pair = tuple(int(x) for x in rng.choice(k, 2, replace=False))
        open_items = rng.choice(n_items, int(round(open_share * n_items)), replace=False)
        truth[open_items] = np.where(rng.random(len(open_items)) < 0.5, pair[0], pair[1])

    deviant = kind = None
    if case in ("deviant", "both"):
        deviant = int(rng.integers(n_annotators))
        kind = deviant_kind or ("confuser" if seed % 2 == 0 else "sloppy")
        if kind == "sloppy":
            acc[deviant] = rng.uniform(0.50, 0.60)
    codes = _noisy(rng, truth, acc, k)
    if len(open_items):
        codes[:, open_items] = np.where(
            rng.random((n_annotators, len(open_items))) < 0.5, pair[0], pair[1])
    if kind == "confuser":
        a = int(np.bincount(truth, minlength=k).argmax())
        b = int((a + rng.integers(1, k)) % k)
        codes[deviant] = np.where(codes[deviant] == a, b, codes[deviant])

    names = NAMES[:n_annotators]
    items = tuple(f"item-{j:03d}" for j in range(n_items))
    rd = ReliabilityData(codes=codes.astype(np.int32), categories=labels, annotators=names, items=items)
    return SimulatedTeam(
        case=case,
        data=rd,
        gold={items[j]: labels[truth[j]] for j in range(n_items)},
        deviant=names[deviant] if deviant is not None else None,
        deviant_kind=kind,
        open_items=frozenset(items[j] for j in open_items),
        open_pair=tuple(labels[p] for p in pair),
    )


def gold_sample(team: SimulatedTeam, share: float, *, seed: int = 0, error: float = 0.0) -> dict:
    """Gold on a seeded random ``share`` of the team's items (all of them at 1): a round whose
    expert labelled only part of the calibration items. The same items for the same team,
    share and seed; a smaller share's items are a subset of a larger one's. With ``error``,
    that share of the gold values (seeded) is replaced by another label at random: an expert
    who errs.

    >>> t = simulate_team("both", n_annotators=3, n_items=60, seed=1)
    >>> len(gold_sample(t, 0.25)), len(gold_sample(t, 1.0))
    (15, 60)
    >>> set(gold_sample(t, 0.25)) <= set(gold_sample(t, 0.5))
    True
    """
    if not 0 <= share <= 1:
        raise BadInput(f"share: expected a share of the items in [0, 1]; got {share!r}")
    if not 0 <= error <= 1:
        raise BadInput(f"error: expected a share of the gold values in [0, 1]; got {error!r}")
    items = team.data.items
    order = np.random.default_rng([check_seed(seed), len(items), 7]).permutation(len(items))
    keep = sorted(order[: int(round(share * len(items)))])
    gold = {items[j]: team.gold[items[j]] for j in keep}
    if error > 0:
        labels = team.data.categories
        rng = np.random.default_rng([check_seed(seed), len(items), 11])
        for item in gold:
            wrong, shift = rng.random() < error, int(rng.integers(1, len(labels)))
            if wrong:
                gold[item] = labels[(labels.index(gold[item]) + shift) % len(labels)]
    return gold


def named_open_share(team: SimulatedTeam, diagnosis) -> float:
    """Share of the items the diagnosis names that are open by construction (NaN: none named)."""
    named = set(diagnosis.ambiguous_items)
    return len(named & team.open_items) / len(named) if named else float("nan")


def judge(team: SimulatedTeam, diagnosis, *, min_precision: float = 2 / 3, check_items: bool = True) -> bool:
    """Whether ``diagnosis`` is the right one for ``team`` (definitions in the module notes).

    With ``check_items=False`` the items named under ``ambiguous`` and ``both`` are not
    checked (only that some are named): the verdict and the people.
    """
    v = diagnosis.verdict.value
    named_people = tuple(diagnosis.deviating)
    named_items = tuple(diagnosis.ambiguous_items)
    if not check_items:
        min_precision = 0.0
    if team.case == "deviant":
        return v == "annotator_deviation" and named_people == (team.deviant,) and not named_items
    if team.case == "ambiguous":
        return (v == "ambiguous_guideline" and not named_people and bool(named_items)
                and named_open_share(team, diagnosis) >= min_precision)
    if team.case == "both":
        return (v == "both" and named_people == (team.deviant,) and bool(named_items)
                and named_open_share(team, diagnosis) >= min_precision)
    if team.case == "agree":
        return v in ("reliable", "diffuse") and not named_people and not named_items
    return v == "diffuse" and not named_people and not named_items
