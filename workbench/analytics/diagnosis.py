"""Why is agreement low? Tell an ambiguous guideline from annotators who deviate.

For a question whose alpha is below the reliability threshold, :func:`diagnose` looks for two
patterns that call for different remedies:

**Ambiguous guideline** (fix the guideline, or the label set)
    The disagreement is *concentrated on items*: a minority of items carries far more of the
    disagreement than annotator noise spread over the items would put there, and on those
    items many annotators split between the same few labels.
**Annotator deviation** (retrain, or re-check those annotators)
    One or a few annotators are far from the rest: their values lie much further from the
    other values of the same items than everyone else's do, alpha rises clearly without them,
    and, when gold values exist, they also agree less with gold than the team does.

Either, both, or neither can hold. "Neither" (diffuse disagreement) is a finding too: every
annotator is about equally far from the others and no small set of items holds the
disagreement, which points at the construct or the guideline as a whole (or random noise),
not at a few items or people.

Decision rule
-------------
Let ``alpha`` be the question's alpha at its level, ``delta`` the level's distance and ``D_e``
the expected disagreement.

1. **Band.** ``alpha >= reliable`` (0.800, Krippendorff 2004) is *reliable*: no diagnosis is
   needed and none is made. ``tentative <= alpha < reliable`` (0.667) is *tentative* and
   lower is *unreliable*; both are diagnosed. Undefined alpha (no variation) has its own
   verdict.
2. **Annotator deviation.** For annotator ``a`` let ``r_a`` be their mean distance to the other
   values of the same items, divided by ``D_e`` (see
   :func:`~workbench.analytics.breakdowns.annotator_disagreement`). Its robust z-score is
   ``z_a = (r_a - median r) / max(1.4826 MAD(r), z_floor)``; the floor keeps a team of
   near-identical annotators from turning tiny differences into large scores. In a team
   smaller than ``small_team`` (5) the MAD of a handful of values is no measure of spread (with
   three annotators it is one difference, in effect how differently the odd one out happens to
   disagree with each of the other two, so the score is noise-driven both ways: a clear
   deviant is missed and a noisy consistent trio is sometimes flagged). There
   ``z_a = (r_a - median of the others' r) / max(SE, z_floor)``, where ``SE`` is the standard
   deviation of that excess over ``excess_draws`` bootstrap resamples of the items (``D_e``
   recomputed in each; the distance matrix kept): the excess must stand out from what
   sampling the items would give. ``a`` is
   flagged when (i) there are at least three annotators, (ii) ``z_a >= z_min`` (3.5, the
   Iglewicz-Hoaglin outlier cut-off) and (iii) leaving ``a`` out raises alpha by at least
   ``min_gain`` (0.05). With gold values, a flagged annotator whose gold accuracy is not at
   least ``gold_gap`` below the team's median is reported as "deviates from the team but not
   from gold" and does *not* count as a deviation (retraining them would be the wrong fix).
   With only two annotators, disagreement cannot be pinned on one of them unless gold exists;
   then an annotator whose gold accuracy is ``gold_gap`` below the other's is flagged.
3. **Item concentration.** An item is *split* when at least ``split_share`` (1/3) of its
   values, and at least two, differ from its centre (the modal value; the median for ordinal,
   interval and ratio levels). The number of split items is compared with a *null model* in
   which disagreement comes only from each annotator's own noise, the same for every item of
   a class: every present value is redrawn from the distribution of that annotator's values
   over the items with the same centre (so each annotator keeps their own error rates and
   systematic confusions, items keep their number of values and their centre), simulated
   ``null_draws`` times. Disagreement is *concentrated* when the split items are at least
   ``min_ratio`` (1.3) times as many as the null's mean, more than the null's 95th
   percentile, at least ``min_split_items`` (3), and hold at least
   ``min_mass_share`` (20%) of the observed disagreement (the items' shares of alpha's
   ``D_o``, ``n_u' delta n_u / (m_u - 1)``). This is an over-dispersion test: noise spread
   evenly over the items splits few of them (the number of dissenters per item is close to
   binomial), while items that the guideline leaves open split many annotators at once. The
   null adapts to the number of values per item (missing values), to each annotator's error
   rates and to label frequencies. A single annotator who flips labels adds one dissent to
   many items, and the null keeps that annotator's flips, so it does not look concentrated.
   The null's rates are estimated from the data, open items included, so the test loses power
   as the share of open items grows (with a third of the items open it still flags them on
   simulated data; with open items hidden among heavy uniform noise it may not). Splits need
   four or more values per item to be told from single dissents (with three, only three-way
   splits count). Fewer than ``min_items`` pairable items: not tested. The items listed are the split items, most disputed first; the label pairs listed
   are those most split on in them, with how many different annotators gave each side.
4. **Verdict.** deviation and concentration -> ``BOTH``; only one -> that one; neither ->
   ``DIFFUSE`` (or ``INCONCLUSIVE`` when there were too few items or annotators to test).

All thresholds are fields of :class:`Thresholds`.

References
----------
Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology, 2nd ed., ch. 11
(alpha >= .800 reliable; .667 <= alpha < .800 for tentative conclusions).
Iglewicz, B. & Hoaglin, D. (1993). How to Detect and Handle Outliers (modified z-score 3.5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import pandas as pd

from workbench.analytics.alpha import krippendorff_alpha
from workbench.analytics.breakdowns import (
    _consensus_from_counts,
    _label,
    _method_for,
    align_gold,
    annotator_disagreement,
    confused_pairs,
    format_labels,
    gold_agreement,
    item_value_counts,
    leave_one_out,
    level_distance,
)
from workbench.analytics.reliability import as_reliability_data, check_seed
from workbench.errors import BadInput

__all__ = ["Diagnosis", "Thresholds", "Verdict", "band", "diagnose"]


class Verdict(str, Enum):
    """What the disagreement of a question comes from."""

    RELIABLE = "reliable"
    AMBIGUOUS_GUIDELINE = "ambiguous_guideline"
    ANNOTATOR_DEVIATION = "annotator_deviation"
    BOTH = "both"
    DIFFUSE = "diffuse"
    INCONCLUSIVE = "inconclusive"
    UNDEFINED = "undefined"

    @property
    def title(self) -> str:
        return {
            "reliable": "reliable: no diagnosis needed",
            "ambiguous_guideline": "ambiguous guideline: disagreement concentrated on some items and labels",
            "annotator_deviation": "annotator deviation: retraining needed",
            "both": "ambiguous guideline and annotator deviation",
            "diffuse": "neither: disagreement is spread across items and annotators",
            "inconclusive": "inconclusive: too little data to locate the disagreement",
            "undefined": "alpha undefined",
        }[self.value]


@dataclass(frozen=True)
class Thresholds:
    """Cut-offs of the reliability bands and of the diagnosis (see the module notes).

    Attributes
    ----------
    reliable : float
        alpha at or above which data count as reliable (Krippendorff: 0.800).
    tentative : float
        alpha at or above which tentative conclusions are acceptable (0.667).
    z_min : float
        Robust z-score of an annotator's relative disagreement that flags them (3.5).
    z_floor : float
        Smallest scale (in units of relative disagreement, i.e. of ``D_e``) for the robust z.
    small_team : int
        Teams with fewer annotators than this (but at least three) score the excess
        disagreement against its item-resampling standard error instead of the team's MAD (5).
    excess_draws : int
        Bootstrap resamples of the items for that standard error (200).
    min_gain : float
        Alpha must rise at least this much without a flagged annotator.
    gold_gap : float
        A flagged annotator's gold accuracy must be this much below the team's median.
    split_share : float
        An item is *split* when at least this share of its values (and at least two values)
        differ from its centre (modal value; median for ordered levels). Default 1/3.
    min_ratio : float
        Split items must be at least this many times as many as under the null model (1.3).
    min_split_items : int
        ... and at least this many (3).
    min_mass_share : float
        ... and hold at least this share of the observed disagreement (0.2).
    null_draws : int
        Simulations of the null model.
    min_items : int
        Fewer pairable items than this: concentration is not tested.
    max_listed : int
        Items / pairs / confusions listed in the explanation.
    max_table : int
        Rows kept in the disputed-items evidence table (most disputed first).
    seed : int
        Seed of the null simulations (results are reproducible).
    """

    reliable: float = 0.800
    tentative: float = 0.667
    z_min: float = 3.5
    z_floor: float = 0.03
    small_team: int = 5
    excess_draws: int = 200
    min_gain: float = 0.05
    gold_gap: float = 0.15
    split_share: float = 1 / 3
    min_ratio: float = 1.3
    min_split_items: int = 3
    min_mass_share: float = 0.2
    null_draws: int = 20
    min_items: int = 20
    max_listed: int = 10
    max_table: int = 200
    seed: int = 0

    def __post_init__(self):
        if not (-1 <= self.tentative <= self.reliable <= 1):
            raise BadInput(
                f"thresholds: need -1 <= tentative <= reliable <= 1; got tentative={self.tentative!r},"
                f" reliable={self.reliable!r}"
            )
        if not (0 < self.split_share <= 0.5):
            raise BadInput(f"thresholds: split_share must lie in (0, 0.5]; got {self.split_share!r}")
        if self.null_draws < 1:
            raise BadInput(f"thresholds: null_draws must be >= 1; got {self.null_draws!r}")
        if self.excess_draws < 2:
            raise BadInput(f"thresholds: excess_draws must be >= 2; got {self.excess_draws!r}")
        check_seed(self.seed, "thresholds: seed")


def band(alpha, thresholds: Thresholds = Thresholds()) -> str:
    """``"reliable"``, ``"tentative"``, ``"unreliable"`` or ``"undefined"`` for an alpha.

    >>> band(0.7598), band(0.81), band(0.5), band(None)
    ('tentative', 'reliable', 'unreliable', 'undefined')
    """
    if alpha is None or not np.isfinite(alpha):
        return "undefined"
    if alpha >= thresholds.reliable:
        return "reliable"
    if alpha >= thresholds.tentative:
        return "tentative"
    return "unreliable"


@dataclass(frozen=True)
class Diagnosis:
    """The diagnosis of one question.

    Attributes
    ----------
    verdict : Verdict
    band : str
        Reliability band of alpha.
    alpha : float or None
    explanation : str
        Plain-language account with the figures behind the verdict.
    deviating : tuple
        Annotators flagged as deviating.
    ambiguous_items : tuple
        Items flagged as disputed beyond the null model (most disputed first).
    confused_labels : tuple of (str, str)
        Label pairs most split on in those items.
    concentration : dict
        ``tested``, ``n_items`` (pairable), ``n_split`` (split items), ``null_split`` (mean
        under the null model), ``null_split_q95``, ``ratio``, ``split_mass_share`` (share of the
        observed disagreement in split items), ``split_item_share``.
    evidence : dict of str -> pandas.DataFrame
        ``annotators`` (relative disagreement, robust z, alpha without, gold accuracy, flags),
        ``disputed_items``, ``confused_pairs``, ``confusions`` (what each deviating annotator
        says where gold / the others say something else).
    """

    verdict: Verdict
    band: str
    alpha: float | None
    explanation: str
    deviating: tuple = ()
    ambiguous_items: tuple = ()
    confused_labels: tuple = ()
    concentration: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        """JSON-ready form (NaN becomes None)."""
        return {
            "verdict": self.verdict.value,
            "title": self.verdict.title,
            "band": self.band,
            "alpha": self.alpha,
            "explanation": self.explanation,
            "deviating": [_json_scalar(a) for a in self.deviating],
            "ambiguous_items": [_json_scalar(i) for i in self.ambiguous_items],
            "confused_labels": [list(p) for p in self.confused_labels],
            "concentration": {k: _json_scalar(v) for k, v in self.concentration.items()},
            "evidence": {k: frame_records(v) for k, v in self.evidence.items()},
        }


def _json_scalar(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, frozenset):
        return sorted(map(str, value))
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def frame_records(frame: pd.DataFrame) -> list:
    """DataFrame -> list of JSON-ready dicts (NaN -> None, numpy scalars -> Python)."""
    if frame is None:
        return []
    frame = frame.reset_index() if frame.index.name is not None else frame
    return [{str(k): _json_scalar(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _fmt(x, digits=2) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _item_mass(counts: np.ndarray, delta: np.ndarray) -> np.ndarray:
    c = counts.astype(float)
    m = c.sum(axis=1)
    return np.einsum("ij,jk,ik->i", c, delta, c) / (m - 1.0)


def _centre(counts: np.ndarray, method: str) -> np.ndarray:
    """Code of each item's centre: its modal value, or its (lower) median value."""
    if method == "majority":
        return counts.argmax(axis=1)
    m = counts.sum(axis=1)
    return (counts.cumsum(axis=1) >= ((m + 1) // 2)[:, None]).argmax(axis=1)


def _split(counts: np.ndarray, method: str, share: float) -> np.ndarray:
    """Items where at least ``share`` of the values (and at least two) differ from the centre."""
    m = counts.sum(axis=1)
    centre = _centre(counts, method)
    dissent = m - counts[np.arange(len(counts)), centre]
    return dissent >= np.maximum(2, np.ceil(share * m - 1e-9))


def _null_splits(codes: np.ndarray, counts: np.ndarray, method: str, share: float, draws: int, rng) -> np.ndarray:
    """Split indicators under the null model, shape (draws, n_items).

    ``codes`` (annotators x items) and ``counts`` (items x V) cover the pairable items. Each
    present value is redrawn from its annotator's distribution of values over the items with
    the same centre, by inverse-CDF sampling (one uniform number per value).
    """
    v = counts.shape[1]
    centre = _centre(counts, method)
    ann, item = np.nonzero(codes >= 0)
    values = codes[ann, item].astype(np.int64)
    group = ann.astype(np.int64) * v + centre[item]
    n_groups = codes.shape[0] * v
    table = np.bincount(group * v + values, minlength=n_groups * v).reshape(n_groups, v).astype(float)
    cdf = np.cumsum(table, axis=1)
    totals = cdf[:, -1:].copy()
    totals[totals == 0] = 1.0
    cdf = cdf / totals
    cdf[:, -1] = 1.0 + 1e-12  # every uniform number lands in some category
    cell_cdf = cdf[group]
    out = np.empty((draws, len(counts)), dtype=bool)
    n_items = len(counts)
    for r in range(draws):
        u = rng.random(len(values))
        drawn = (u[:, None] >= cell_cdf).sum(axis=1)
        sim = np.bincount(item.astype(np.int64) * v + drawn, minlength=n_items * v).reshape(n_items, v)
        out[r] = _split(sim, method, share)
    return out


def _concentration(codes, counts, delta, method, th: Thresholds, rng):
    mass = _item_mass(counts, delta)
    total = mass.sum()
    split = _split(counts, method, th.split_share)
    null = _null_splits(codes, counts, method, th.split_share, th.null_draws, rng)
    null_counts = null.sum(axis=1)
    observed = int(split.sum())
    expected = float(null_counts.mean())
    q95 = float(np.quantile(null_counts, 0.95))
    stats = {
        "tested": True,
        "n_items": int(len(counts)),
        "n_split": observed,
        "null_split": expected,
        "null_split_q95": q95,
        "ratio": observed / expected if expected > 0 else (float("inf") if observed else 1.0),
        "split_mass_share": float(mass[split].sum() / total) if total > 0 else 0.0,
        "split_item_share": observed / len(counts) if len(counts) else 0.0,
    }
    concentrated = (
        observed >= th.min_split_items
        and observed > q95
        and observed >= th.min_ratio * expected
        and stats["split_mass_share"] >= th.min_mass_share
    )
    return concentrated, stats, mass, split


def _excess_resampled(rd, delta: np.ndarray, draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each annotator's excess relative disagreement and its standard error over resampled items.

    The excess of ``a`` is ``r_a`` (mean distance to the other values of the same items, over
    ``D_e``; as :func:`~workbench.analytics.breakdowns.annotator_disagreement`) minus the median
    ``r`` of the other annotators. Its standard error is the standard deviation over ``draws``
    bootstrap resamples of the pairable items, ``D_e`` recomputed from each resample's values.
    Returns ``(excess, se)``, one value per annotator (NaN where undefined).
    """
    counts = item_value_counts(rd)
    m = counts.sum(axis=1)
    keep = m >= 2
    codes, counts, m = rd.codes[:, keep], counts[keep].astype(float), m[keep]
    n_ann, n_items = codes.shape
    if n_items == 0:
        nan = np.full(n_ann, np.nan)
        return nan, nan
    present = codes >= 0
    to_others = counts @ delta  # (items, V): summed distance of a value to the item's values
    dist = np.zeros(codes.shape)
    ann_i, item_i = np.nonzero(present)
    dist[ann_i, item_i] = to_others[item_i, codes[ann_i, item_i]] / (m[item_i] - 1.0)
    weight_present = present.T.astype(float)

    def excess(w: np.ndarray) -> np.ndarray:  # w: (B, items) item weights -> (B, annotators)
        marg = w @ counts
        n = marg.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            d_e = np.einsum("bi,ij,bj->b", marg, delta, marg) / (n * (n - 1.0))
            rel = (w @ dist.T) / (w @ weight_present) / np.where(d_e > 0, d_e, np.nan)[:, None]
        out = np.full(rel.shape, np.nan)
        for a in range(n_ann):
            others = np.delete(rel, a, axis=1)
            ok = np.isfinite(others).any(axis=1)
            out[ok, a] = rel[ok, a] - np.nanmedian(others[ok], axis=1)
        return out

    observed = excess(np.ones((1, n_items)))[0]
    rng = np.random.default_rng([seed, n_items])
    w = rng.multinomial(n_items, np.full(n_items, 1.0 / n_items), size=draws).astype(float)
    resampled = excess(w)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(resampled).sum(axis=0) >= 2
        se = np.where(finite, np.nanstd(np.where(np.isfinite(resampled), resampled, np.nan), axis=0, ddof=1), np.nan)
    return observed, se


def _split_annotators(rd, positions, a, b) -> tuple[int, int]:
    """Distinct annotators who gave label code a (resp. b) in items where both were given."""
    codes = rd.codes[:, positions]
    both = ((codes == a).any(axis=0)) & ((codes == b).any(axis=0))
    sub = codes[:, both]
    return int((sub == a).any(axis=1).sum()), int((sub == b).any(axis=1).sum())


def diagnose(
    data,
    level: str = "nominal",
    *,
    distance=None,
    gold=None,
    thresholds: Thresholds = Thresholds(),
    alpha: float | None = None,
    loo: pd.DataFrame | None = None,
    gold_table: pd.DataFrame | None = None,
    disagreement: pd.DataFrame | None = None,
) -> Diagnosis:
    """Decide whether low agreement comes from ambiguous items/labels, deviating annotators, both or neither.

    Parameters
    ----------
    data : ReliabilityData or array-like
        The question's reliability data (human annotators only).
    level, distance
        Level of measurement / custom distance, as for alpha.
    gold : optional
        Gold values (mapping item -> value, Series, or table with ``item`` and ``value``).
    thresholds : Thresholds
    alpha, loo, gold_table, disagreement : optional
        Already computed alpha, :func:`~workbench.analytics.breakdowns.leave_one_out`,
        :func:`~workbench.analytics.breakdowns.gold_agreement` and
        :func:`~workbench.analytics.breakdowns.annotator_disagreement` tables (to avoid
        recomputing them).

    Returns
    -------
    Diagnosis

    Examples
    --------
    Annotator 2 says 2 where the others say 1, on every fourth of 40 items:

    >>> d = diagnose([[1, 2, 3, 1] * 10, [1, 2, 3, 1] * 10, [1, 2, 3, 2] * 10])
    >>> d.verdict.value, d.band, d.deviating
    ('annotator_deviation', 'tentative', (2,))
    >>> d.explanation.split(". ")[1].split(";")[0]
    'Annotator 2 deviates from the rest: alpha without them rises from 0.75 to 1.00'

    On 20 items (five dissents) that is not yet beyond what resampling the items gives:

    >>> diagnose([[1, 2, 3, 1] * 5, [1, 2, 3, 1] * 5, [1, 2, 3, 2] * 5]).deviating
    ()
    """
    th = thresholds
    rd = as_reliability_data(data)
    if alpha is None:
        try:
            alpha = krippendorff_alpha(rd, level, distance=distance)
        except BadInput as exc:
            return Diagnosis(Verdict.UNDEFINED, "undefined", None, f"{exc}. Nothing to diagnose.")
    if alpha is None or not np.isfinite(alpha):
        return Diagnosis(Verdict.UNDEFINED, "undefined", None, "Alpha is undefined. Nothing to diagnose.")
    b = band(alpha, th)
    if b == "reliable":
        return Diagnosis(
            Verdict.RELIABLE,
            b,
            float(alpha),
            f"alpha = {alpha:.3f} >= {th.reliable:.3f}: the data are reliable; no diagnosis needed.",
        )

    # ---- annotators
    ann = (annotator_disagreement(rd, level, distance=distance) if disagreement is None else disagreement).copy()
    ann = ann[["annotator", "n_annotations", "n_pairable", "disagreement", "relative"]]
    rel = ann["relative"].to_numpy()
    med = np.nanmedian(rel)
    mad = 1.4826 * np.nanmedian(np.abs(rel - med))
    ann["robust_z"] = (rel - med) / max(mad, th.z_floor)
    small = 3 <= rd.n_annotators < th.small_team
    if small:
        excess, se = _excess_resampled(rd, level_distance(rd, level, distance=distance), th.excess_draws, th.seed)
        ann["excess"] = excess
        ann["excess_se"] = se
        ann["z"] = excess / np.maximum(se, th.z_floor)
    else:
        ann["z"] = ann["robust_z"]
    if loo is None:
        loo = leave_one_out(rd, level, distance=distance, alpha=alpha)
    ann["alpha_without"] = loo["alpha_without"].to_numpy()
    ann["alpha_change"] = loo["change"].to_numpy()
    if gold is not None and gold_table is None:
        gold_table = gold_agreement(rd, gold)
    has_gold = gold_table is not None and (gold_table["n_gold"] > 0).any()
    if has_gold:
        ann["n_gold"] = gold_table["n_gold"].to_numpy()
        ann["gold_accuracy"] = gold_table["accuracy"].to_numpy()
    enough_annotators = rd.n_annotators >= 3
    flagged = np.zeros(rd.n_annotators, dtype=bool)
    if enough_annotators:
        flagged = (ann["z"].fillna(-np.inf).to_numpy() >= th.z_min) & (ann["alpha_change"].fillna(-np.inf).to_numpy() >= th.min_gain)
    gold_cleared = np.zeros(rd.n_annotators, dtype=bool)
    team_gold = np.full(rd.n_annotators, np.nan)
    if has_gold:
        acc = ann["gold_accuracy"].to_numpy()
        for i in range(rd.n_annotators):
            others = np.delete(acc, i)
            team_gold[i] = np.nanmedian(others) if np.isfinite(others).any() else np.nan
        gap = team_gold - acc
        if enough_annotators:
            gold_cleared = flagged & np.isfinite(gap) & (gap < th.gold_gap)
            flagged = flagged & ~gold_cleared
        else:
            flagged = np.isfinite(gap) & (gap >= th.gold_gap)
        ann["team_gold_accuracy"] = team_gold
    ann["flagged"] = flagged
    deviating = [rd.annotators[i] for i in np.flatnonzero(flagged)]

    # ---- items
    rng = np.random.default_rng(th.seed)
    delta = level_distance(rd, level, distance=distance)
    counts_all = item_value_counts(rd)
    m = counts_all.sum(axis=1)
    positions = np.flatnonzero(m >= 2)
    counts = counts_all[positions]
    concentrated = False
    disputed = pd.DataFrame(columns=["item", "n_values", "labels", "mass_share"])
    pairs = confused_pairs(rd, top=th.max_listed)
    split_sides = []
    if len(positions) >= th.min_items:
        concentrated, conc, mass, split = _concentration(
            rd.codes[:, positions], counts, delta, _method_for(level, rd), th, rng
        )
        order = np.argsort(-mass, kind="stable")
        hot_all = order[split[order]]
        hot = hot_all[: th.max_table]
        total = mass.sum()
        disputed = pd.DataFrame({
            "item": [rd.items[positions[i]] for i in hot],
            "n_values": m[positions[hot]],
            "labels": [format_labels(rd.categories, counts[i]) for i in hot],
            "mass_share": mass[hot] / total if total > 0 else 0.0,
        })
        if concentrated and len(hot):
            pairs = confused_pairs(rd, items=positions[hot_all], top=th.max_listed)
            cat_index = {_label(c): i for i, c in enumerate(rd.categories)}
            split_sides = [
                _split_annotators(rd, positions[hot_all], cat_index[a], cat_index[b_])
                for a, b_ in zip(pairs["label_a"], pairs["label_b"])
            ]
            pairs = pairs.assign(
                annotators_a=[s[0] for s in split_sides], annotators_b=[s[1] for s in split_sides]
            )
        concentrated = concentrated and len(hot) > 0
    else:
        conc = {"tested": False, "n_items": int(len(positions))}

    # ---- what deviating annotators say
    confusions = _deviation_confusions(rd, deviating, gold, level, th) if deviating else pd.DataFrame()

    if concentrated and deviating:
        verdict = Verdict.BOTH
    elif concentrated:
        verdict = Verdict.AMBIGUOUS_GUIDELINE
    elif deviating:
        verdict = Verdict.ANNOTATOR_DEVIATION
    elif not conc["tested"]:
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.DIFFUSE

    text = _explain(
        verdict, b, alpha, th, rd, level, ann, deviating, gold_cleared, conc, disputed, pairs, confusions,
        enough_annotators, has_gold,
    )
    confused_labels = tuple(zip(pairs["label_a"].head(3), pairs["label_b"].head(3))) if concentrated else ()
    return Diagnosis(
        verdict=verdict,
        band=b,
        alpha=float(alpha),
        explanation=text,
        deviating=tuple(deviating),
        ambiguous_items=tuple(disputed["item"]) if concentrated else (),
        confused_labels=confused_labels,
        concentration=conc,
        evidence={
            "annotators": ann,
            "disputed_items": disputed,
            "confused_pairs": pairs,
            "confusions": confusions,
        },
    )


def _deviation_confusions(rd, deviating, gold, level, th) -> pd.DataFrame:
    """For each deviating annotator: 'says X where gold (or the others) say Y, N times'."""
    rows = []
    full = gcodes = None
    if gold is not None:
        full, gcodes, _ = align_gold(rd, gold)
        if not (gcodes >= 0).any():
            full = None
    all_counts = item_value_counts(rd)
    for name in deviating:
        a = rd.annotators.index(name)
        if full is not None:
            cats, own, ref, kind = full.categories, full.codes[a], gcodes, "gold"
        else:
            own = rd.codes[a]
            counts = all_counts.copy()
            has = own >= 0
            counts[np.flatnonzero(has), own[has]] -= 1
            cats, ref, kind = rd.categories, _consensus_from_counts(counts, _method_for(level, rd)), "the others' consensus"
        v = len(cats)
        both = (own >= 0) & (ref >= 0)
        n_both = int(both.sum())
        wrong = both & (own != ref)
        table = np.bincount(own[wrong].astype(np.int64) * v + ref[wrong], minlength=v * v).reshape(v, v)
        flat = np.argsort(-table, axis=None, kind="stable")[: th.max_listed]
        for f in flat:
            said, expected = divmod(int(f), v)
            if table[said, expected] == 0:
                break
            rows.append({
                "annotator": name,
                "says": _label(cats[said]),
                "reference": kind,
                "reference_says": _label(cats[expected]),
                "count": int(table[said, expected]),
                "of_compared": n_both,
            })
    return pd.DataFrame(rows)


def _explain(verdict, b, alpha, th, rd, level, ann, deviating, gold_cleared, conc, disputed, pairs, confusions, enough_annotators, has_gold) -> str:
    parts = []
    if b == "tentative":
        parts.append(
            f"alpha = {alpha:.3f}: tentative ({th.tentative:.3f} <= alpha < {th.reliable:.3f}); usable for"
            " tentative conclusions only."
        )
    else:
        parts.append(f"alpha = {alpha:.3f}: unreliable (below {th.tentative:.3f}).")
    by_name = ann.set_index("annotator")
    if deviating:
        for name in deviating:
            row = by_name.loc[name]
            s = (
                f"Annotator {name!r} deviates from the rest: alpha without them rises from {alpha:.2f} to"
                f" {row['alpha_without']:.2f}; their disagreement with the others is"
                f" {row['relative']:.2f} of chance level"
                + (f" vs {row['relative'] - row['excess']:.2f} for the others (z = {row['z']:.1f} against resampling"
                   f" the items: a team of {rd.n_annotators} is too small for a robust spread)"
                   if "excess" in ann.columns
                   else f" vs a team median of {np.nanmedian(ann['relative']):.2f} (robust z = {row['z']:.1f})")
            )
            if has_gold and np.isfinite(row.get("gold_accuracy", np.nan)):
                s += f"; their agreement with gold is {row['gold_accuracy']:.2f} vs team {row['team_gold_accuracy']:.2f}"
            s += "."
            if len(confusions):
                mine = confusions[confusions["annotator"] == name].head(3)
                if len(mine):
                    said = "; ".join(
                        f"says {r.says!r} where {r.reference} says {r.reference_says!r}"
                        f" {r.count} time{'s' if r.count != 1 else ''}"
                        for r in mine.itertuples()
                    )
                    s += f" Their confusions: {said}."
            parts.append(s)
        parts.append("Retrain (or re-check the work of) " + ", ".join(map(repr, deviating)) + ".")
    cleared = [rd.annotators[i] for i in np.flatnonzero(gold_cleared)]
    if cleared:
        parts.append(
            f"{', '.join(map(repr, cleared))} differ from the team but agree with gold about as well as the"
            " team does: check the guideline and gold values rather than retraining them."
        )
    if conc.get("tested"):
        share_text = (
            f"{conc['n_split']} of {conc['n_items']} items are split (at least {th.split_share:.0%} of their"
            f" values, and two or more, away from the item's {'median' if _method_for(level, rd) == 'median' else 'majority'})"
            f" and hold {conc['split_mass_share']:.0%} of the disagreement; annotator noise spread evenly over"
            f" the items would split about {conc['null_split']:.0f} (simulated, 95% up to {conc['null_split_q95']:.0f})"
        )
        if verdict in (Verdict.AMBIGUOUS_GUIDELINE, Verdict.BOTH):
            items = list(disputed["item"].head(th.max_listed))
            more = len(disputed) - len(items)
            s = f"Disagreement is concentrated on items: {share_text}"
            s += f" (most disputed: {', '.join(map(repr, items))}{', ...' if more > 0 else ''})"
            if len(pairs):
                top = pairs.iloc[0]
                s += (
                    f"; in them annotators split mostly between {top['label_a']!r} and {top['label_b']!r}"
                    f" ({top['share']:.0%} of the disagreeing pairs"
                )
                if "annotators_a" in pairs.columns:
                    s += f"; {top['annotators_a']} annotators gave {top['label_a']!r} and {top['annotators_b']} gave {top['label_b']!r}"
                s += ")"
            s += ". Clarify the guideline for these items and the boundary between these labels."
            parts.append(s)
        else:
            parts.append(f"Disagreement is not concentrated on items: {share_text}.")
    else:
        parts.append(
            f"Only {conc['n_items']} items have two or more values (fewer than {th.min_items}): too few to tell"
            " whether the disagreement sits on particular items."
        )
    if not deviating and not cleared:
        if enough_annotators:
            zmax = np.nanmax(ann["z"]) if ann["z"].notna().any() else np.nan
            gmax = np.nanmax(ann["alpha_change"]) if ann["alpha_change"].notna().any() else np.nan
            zname = "z against resampling the items" if "excess" in ann.columns else "robust z"
            parts.append(
                f"No annotator stands out (largest {zname} = {_fmt(zmax, 1)}, needed {th.z_min}; largest gain in"
                f" alpha without one annotator = {_fmt(gmax)}, needed {th.min_gain})."
            )
        elif not has_gold:
            parts.append("With two annotators and no gold, disagreement cannot be attributed to either of them.")
        else:
            parts.append("Neither annotator agrees with gold clearly worse than the other.")
    if verdict == Verdict.DIFFUSE:
        parts.append(
            "Neither pattern is concentrated: the disagreement is spread evenly, as random noise or an unclear"
            " construct would spread it. Neither retraining one person nor fixing a few items will help;"
            " revisit the label definitions as a whole and calibrate the team together."
        )
    return " ".join(parts)
