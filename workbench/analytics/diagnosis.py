"""Why is agreement low? Tell an ambiguous guideline from annotators who deviate.

For a question whose alpha is below the reliability threshold, :func:`diagnose` looks for two
patterns that call for different remedies:

**Ambiguous guideline** (fix the guideline, or the label set)
    Some items are *open* between two labels: the guideline does not decide between them, so
    every annotator, good or not, picks either. The disagreement then sits on those items and
    that label pair, and it is the whole team's, not one person's.
**Annotator deviation** (retrain, or re-check those annotators)
    One or a few annotators are wrong far more often than the rest of the team, alpha rises
    clearly without them, and, when gold values exist, they also agree less with gold.

Either, both, or neither can hold. "Neither" (diffuse disagreement) is a finding too: every
annotator errs about as often as the others and no label pair takes more of the
disagreement than their errors spread at random would put there. When the evidence points
at a label pair but cannot say whether the items are open or one annotator reads the
boundary differently, the verdict is *undetermined*, with what would separate the two.

Method
------
The evidence is a latent-class model of annotators and items
(:mod:`workbench.analytics.latent_class`): Dawid & Skene's (1979) model in its one-coin
form (each annotator gives an item's true value with their own accuracy ``p_a``, else a
wrong value drawn from an error kernel shared by the team: uniform over the other labels for
nominal data, decaying with the level's distance for ordered values and sets), optionally
with *open* items between a label pair (an open item's value is either label of the pair,
at random), and optionally with a confusion matrix of their own for the annotators found to
deviate (so that one person's systematic confusion is not read as open items). Fitted by EM.

**Gold in the model.** Where the round has gold values (on every item or on some), they
enter the model as one more observer whose accuracy is held at ``gold_accuracy`` (0.95)
instead of estimated: an *anchor* the fit cannot blame. On an open item the expert, like any
careful reader, gives either label of the pair (``(G[j, x] + G[k, x]) / 2``), so gold does not
pin an open item's value; it pins the clear items' values, and with them what each
annotator's error rate is, how often the team splits on a pair by mere error, and whose
systematic confusion a split is. Gold is not an annotator: it has no error rate, is never
flagged and is not in alpha. ``gold_in_model=False`` uses gold only after the fit, as
before.

1. **Band.** ``alpha >= reliable`` (0.800, Krippendorff 2004) is *reliable*: no diagnosis is
   needed and none is made. ``tentative <= alpha < reliable`` (0.667) is *tentative* and
   lower is *unreliable*; both are diagnosed. Undefined alpha (no variation) has its own
   verdict.
2. **Annotator errors.** From the fitted model, ``e_a`` is annotator ``a``'s mean posterior
   probability that their value is not the item's true value (for an open item: neither
   label of its pair), and ``t_a`` the median ``e`` of the other annotators. ``a`` is
   flagged as deviating when (i) ``e_a >= error_ratio * t_a`` (2: twice as often wrong as
   the team), (ii) ``e_a - t_a >= error_gap`` (0.12: wrong on 12 more items in 100), (iii)
   that gap is at least ``z_min`` (2.5) standard errors, the standard deviation of the gap
   over ``excess_draws`` (100) bootstrap resamples of the items, the model refitted on each,
   and (iv) alpha rises by at least ``min_gain`` (0.05) without them. (i) keeps a team that
   is noisy as a whole from having its noisiest member blamed, (ii) and (iii) keep sampling
   noise in a good team (40-80 items, 5-15% errors: a 2x ratio happens by chance in a third
   of such teams) from blaming anyone.
   With gold in the model, an annotator who meets (i), (ii) and (iv) but not (iii) is flagged
   when their agreement with gold, on every gold item, is below the others' (one-sided
   Fisher test, Bonferroni over the annotators, ``gold_p`` 0.01): gold is the truth where it
   exists, while the z must also allow for the model's doubt about which items are open.
   **2b. Own confusions (gold in the model).** A systematic confusion (one annotator gives
   ``k`` for most ``j`` items) raises the overall error rate by little. Each annotator whose
   absence raises alpha by ``min_gain`` is refitted with (or, if they have one, without) a
   confusion matrix of their own; they are flagged when the likelihood ratio is significant
   (``chi2`` with ``V (V - 1) - 1`` degrees of freedom, Bonferroni over the annotators,
   ``<= carrier_p``) and their own matrix gives ``k`` for ``j`` at least ``carrier_share``
   (0.5) of the time on at least five items. Without gold this is step 5's undetermined case.
   With gold values, a flagged annotator whose gold accuracy is neither ``gold_gap`` below
   the team's median nor significantly below the rest's (one-sided Fisher test, 5%: a
   confusion confined to one boundary lowers overall accuracy by little) is reported as
   "deviates from the team but not from gold" and does *not* count as a deviation. With gold
   in the model the flag already weighs every gold value, so gold clears it only when it
   sides with the annotator against the team: they agree with gold more often than the rest
   (one-sided Fisher test, 5%); an own-matrix flag, already tested against gold, is not
   cleared. (The looser rule cleared real deviants wherever gold was scarce: with gold on 15
   of 60 items it cleared deviants at z = 3-5.) With only
   two annotators the model is not identified and disagreement cannot be pinned on one of
   them unless gold exists; then an annotator whose gold accuracy is ``gold_gap`` below the
   other's is flagged.
3. **Open items.** Label pairs are screened by how many annotator pairs split between them
   beyond the fitted model's expectation; the ``screen_pairs`` (3) best of those in excess
   are each fitted as an open pair and the best is kept when its likelihood-ratio statistic
   ``LR = 2 (log L_open - log L)`` is significant at ``open_alpha`` (0.02) after a
   Bonferroni correction over the label pairs that were split at least once, with the
   boundary null ``P(LR >= x) = chi2_1(x) / 2`` (the open share is 0 under the null; Self &
   Liang 1987), and when the items it puts there hold at least ``min_mass_share`` (20%) of
   the observed disagreement. Further pairs are added the same way (forward selection, at
   most ``max_open_pairs``). Items whose posterior probability of being open is at least
   ``open_posterior`` (1/2) are listed, most likely first.
4. **Rounds.** Deviation changes what the items show and open items change how often each
   annotator looks wrong, so steps 2-3 alternate: fit without open items, flag deviants on
   (i), (ii) and (iv), give them their own confusion matrix, select open pairs, refit, flag
   again, until the flagged set is stable (at most ``max_rounds``); then (iii) is checked,
   and if it clears someone the open pairs are selected again without their matrix. For
   ordered values and sets the first round also flags on the uniform kernel: a decaying
   kernel can explain a deviant away (the team's near misses become the truth and the
   deviant the most accurate; seen on the demo's safety question).
5. **Whose split?** On the items open with probability >= ``open_posterior``, each
   non-flagged annotator's counts of the pair's two labels are compared with the rest's
   (Fisher's exact test, Bonferroni over the annotators). Open items make everyone give
   both labels; one annotator's own reading of the boundary makes their side differ. When
   ``p <= carrier_p`` (0.01) and their share of a label differs from the rest's by at least
   ``carrier_share`` (0.5), the evidence cannot tell open items from that annotator's
   reading: the verdict is ``UNDETERMINED``, naming the items that gold values or another
   annotator would settle. With gold on at least five of those items, the annotator is
   flagged instead when their agreement with gold there is ``gold_gap`` below the rest's;
   when it is ``gold_gap`` *above* the rest's, the rest of the team reads the boundary
   differently from gold: the pair is the team's (the guideline), and that annotator is not
   blamed.
6. **Verdict.** an open pair carried by one annotator and not settled -> ``UNDETERMINED``;
   deviation and open items -> ``BOTH``; only one -> that one; neither -> ``DIFFUSE``
   (``INCONCLUSIVE`` when fewer than ``min_items`` items have two or more values); two
   annotators, neither named by gold -> ``UNDETERMINED``. A round with more than ``max_model_items``
   items is fitted on a seeded sample of them and every item is read at the fit.

With three annotators an item split two to one cannot, on its own, be told from a team that
confuses the two labels on any item (the model is not identified at that level; only the
label pair is): both point at the guideline's boundary between the two labels, and the
listed items are the likeliest open ones, which the explanation says. With two annotators
beside a deviating one, a split item is one against one. Wherever the evidence falls short
of separating the causes, the explanation says what came close and what more data would
separate them: gold on the items the others split on (naming them, and those of them still
without gold), another annotator on them, or more items. With gold on every listed item it
says so, and names only another annotator.

The item *split* statistics of earlier versions (items where a third of the values leave
the item's centre, against a null that redraws each annotator's values) are still reported
in :attr:`Diagnosis.concentration` as description; they no longer decide the verdict
(a 2-to-1 split never counted, so three annotators never showed an ambiguous guideline).

All thresholds are fields of :class:`Thresholds`. Measured on simulated teams in
``bench/bench_diagnosis.py`` and docs/diagnosis.md.

References
----------
Dawid, A. P. & Skene, A. M. (1979). Maximum likelihood estimation of observer error-rates
using the EM algorithm. Applied Statistics 28(1), 20-28.
Hovy, D., Berg-Kirkpatrick, T., Vaswani, A. & Hovy, E. (2013). Learning whom to trust with
MACE. NAACL-HLT.
Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology, 2nd ed., ch. 11
(alpha >= .800 reliable; .667 <= alpha < .800 for tentative conclusions).
Self, S. G. & Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood estimators and
likelihood ratio tests under nonstandard conditions. JASA 82(398), 605-610.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import partial
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from workbench.analytics.alpha import krippendorff_alpha
from workbench.analytics.breakdowns import (
    align_gold,
    annotator_disagreement,
    confused_pairs,
    format_labels,
    gold_agreement,
    item_value_counts,
    leave_one_out,
    level_distance,
)
# public helpers of breakdowns, under the short names this module's body reads
from workbench.analytics.breakdowns import canonical_value as _canon
from workbench.analytics.breakdowns import category_text as _label
from workbench.analytics.breakdowns import consensus_from_counts as _consensus_from_counts
from workbench.analytics.breakdowns import consensus_method as _method_for
from workbench.analytics.latent_class import (
    LatentClassFit,
    apply_fit,
    bootstrap_error_rates,
    expected_confusions,
    fit_latent_class,
)
from workbench.analytics.records import frame_records, json_scalar
from workbench.analytics.reliability import ReliabilityData, as_reliability_data, check_seed
from workbench.errors import BadInput

__all__ = ["Band", "Diagnosis", "Level", "Thresholds", "Verdict", "band", "diagnose"]

#: Levels of measurement (``workbench.analytics.alpha.LEVELS``).
Level = Literal["nominal", "ordinal", "interval", "ratio", "jaccard", "masi"]
#: Reliability bands of alpha (:func:`band`).
Band = Literal["reliable", "tentative", "unreliable", "undefined"]


class Verdict(str, Enum):
    """What the disagreement of a question comes from."""

    RELIABLE = "reliable"
    AMBIGUOUS_GUIDELINE = "ambiguous_guideline"
    ANNOTATOR_DEVIATION = "annotator_deviation"
    BOTH = "both"
    DIFFUSE = "diffuse"
    UNDETERMINED = "undetermined"
    INCONCLUSIVE = "inconclusive"
    UNDEFINED = "undefined"

    # The property deliberately shadows the inherited str.title() method (typeshed types it as a method, and
    # mypy rejects a property overriding a method): an API kept as it is.
    @property
    def title(self) -> str:  # type: ignore[override]
        return {
            "reliable": "reliable: no diagnosis needed",
            "ambiguous_guideline": "ambiguous guideline: disagreement concentrated on some items and labels",
            "annotator_deviation": "annotator deviation: retraining needed",
            "both": "ambiguous guideline and annotator deviation",
            "diffuse": "neither: disagreement is spread across items and annotators",
            "undetermined": "undetermined: the data cannot tell an ambiguous guideline from one annotator",
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
    error_ratio : float
        A deviating annotator is wrong at least this many times as often as the team's median (2).
    error_gap : float
        ... on at least this share of the items more (0.12).
    z_min : float
        ... and that gap is at least this many bootstrap standard errors (2.5).
    excess_draws : int
        Bootstrap resamples of the items for that standard error (100).
    min_gain : float
        Alpha must rise at least this much without a flagged annotator (0.05).
    gold_gap : float
        A flagged annotator's gold accuracy must be this much below the team's median (0.15).
    gold_accuracy : float
        Gold values enter the latent-class model as one more observer whose accuracy is held at
        this (0.95): an anchor the fit cannot blame (see the module notes).
    gold_in_model : bool
        Whether gold values enter the model at all (True); False uses them only after the fit
        (to confirm or clear deviants and settle undetermined pairs), as before issue #13's
        gold work.
    gold_p : float
        With gold in the model, an annotator who meets every condition of a deviation but the
        bootstrap z is flagged when, on the gold items they rated, they agree with gold less
        than the others at this level (one-sided Fisher, Bonferroni over the annotators; 0.01).
    open_alpha : float
        Family-wise level of the open-pair likelihood-ratio test (0.02, Bonferroni over pairs).
    min_mass_share : float
        The items of an open pair must hold at least this share of the disagreement (0.2).
    screen_pairs : int
        Label pairs fitted as open pairs at each step (the best by excess splits; 3).
    max_open_pairs : int
        Open pairs selected at most (3).
    open_posterior : float
        An item is listed when its posterior probability of being open is at least this (0.5).
    carrier_share : float
        On an open pair's items, one annotator's share of one label differs from the rest's by
        at least this (0.5) ...
    carrier_p : float
        ... with a Fisher p-value (Bonferroni over annotators) at most this (0.01): their
        reading of the boundary, or open items? Undetermined, unless gold settles it.
    max_rounds : int
        Rounds of flagging deviants and selecting open pairs (3).
    max_model_items : int
        Rounds with more items fit the model on a seeded random sample of this many (2000)
        and read every item at the fitted parameters.
    split_share : float
        Descriptive split statistics: an item is *split* when at least this share of its
        values (and at least two) differ from its centre (1/3).
    null_draws : int
        Simulations of the descriptive split statistics' null model (20).
    min_items : int
        Fewer pairable items than this: open items are not tested (20).
    max_listed : int
        Items / pairs / confusions listed in the explanation.
    max_table : int
        Rows kept in the disputed-items evidence table.
    seed : int
        Seed of the bootstrap and the simulations (results are reproducible).
    """

    reliable: float = 0.800
    tentative: float = 0.667
    error_ratio: float = 2.0
    error_gap: float = 0.12
    z_min: float = 2.5
    excess_draws: int = 100
    min_gain: float = 0.05
    gold_gap: float = 0.15
    gold_accuracy: float = 0.95
    gold_in_model: bool = True
    gold_p: float = 0.01
    open_alpha: float = 0.02
    min_mass_share: float = 0.2
    screen_pairs: int = 3
    max_open_pairs: int = 3
    open_posterior: float = 0.5
    carrier_share: float = 0.5
    carrier_p: float = 0.01
    max_rounds: int = 3
    max_model_items: int = 2000
    split_share: float = 1 / 3
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
        if not (0 < self.open_alpha < 1):
            raise BadInput(f"thresholds: open_alpha must lie in (0, 1); got {self.open_alpha!r}")
        if not (0 < self.gold_p < 1):
            raise BadInput(f"thresholds: gold_p must lie in (0, 1); got {self.gold_p!r}")
        if not (0.5 < self.gold_accuracy < 1):
            raise BadInput(f"thresholds: gold_accuracy must lie in (0.5, 1); got {self.gold_accuracy!r}")
        if not (0 < self.open_posterior <= 1):
            raise BadInput(f"thresholds: open_posterior must lie in (0, 1]; got {self.open_posterior!r}")
        if self.error_ratio < 1:
            raise BadInput(f"thresholds: error_ratio must be >= 1; got {self.error_ratio!r}")
        for name in ("screen_pairs", "max_rounds", "max_model_items"):
            if getattr(self, name) < 1:
                raise BadInput(f"thresholds: {name} must be >= 1; got {getattr(self, name)!r}")
        check_seed(self.seed, "thresholds: seed")


def band(alpha: float | None, thresholds: Thresholds = Thresholds()) -> Band:
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
        Items likely open (most likely first): under ``AMBIGUOUS_GUIDELINE`` / ``BOTH`` the
        items to clarify, under ``UNDETERMINED`` the items that gold or another annotator
        would settle.
    confused_labels : tuple of (str, str)
        The label pairs items are open between.
    concentration : dict
        ``tested``, ``n_items`` (pairable), ``open_pairs`` (``"a / b"``), ``lr``, ``p_value``
        and ``pairs_tested`` of the best pair tried, ``open_items`` (expected number of open
        items), ``open_mass_share`` (their share of the disagreement), ``undetermined_pairs``
        (pairs one annotator carries; who is in ``evidence["open_pairs"]``: this dict holds no
        names, so that a redacted view may keep it); and, as description only, the item split
        statistics ``n_split``, ``null_split``, ``null_split_q95``, ``ratio``,
        ``split_mass_share``, ``split_item_share``.
    evidence : dict of str -> pandas.DataFrame
        ``annotators`` (model error rate, team median, ratio, gap and its z, relative
        disagreement, alpha without, gold accuracy, flags), ``open_pairs`` (each pair tried
        and kept, with its test), ``disputed_items`` (item, values, share of the
        disagreement, probability open), ``confused_pairs``, ``confusions`` (what each
        deviating annotator says where gold / the others say something else).
    """

    verdict: Verdict
    band: Band
    alpha: float | None
    explanation: str
    deviating: tuple = ()
    ambiguous_items: tuple = ()
    confused_labels: tuple = ()
    concentration: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict:
        """JSON-ready form (NaN becomes None; :mod:`workbench.analytics.records`)."""
        return {
            "verdict": self.verdict.value,
            "title": self.verdict.title,
            "band": self.band,
            "alpha": self.alpha,
            "explanation": self.explanation,
            "deviating": [json_scalar(a) for a in self.deviating],
            "ambiguous_items": [json_scalar(i) for i in self.ambiguous_items],
            "confused_labels": [list(p) for p in self.confused_labels],
            "concentration": {k: json_scalar(v) for k, v in self.concentration.items()},
            "evidence": {k: frame_records(v) for k, v in self.evidence.items()},
        }


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



# --------------------------------------------------------------------------------------------
# Evidence from the latent-class model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnotatorErrors:
    """How often each annotator is wrong, by the model, against the rest of the team (step 2).

    All arrays have one entry per annotator (row of the reliability data).

    Attributes
    ----------
    error : numpy.ndarray
        ``e_a``: mean posterior probability that their value is not the item's true value.
    team : numpy.ndarray
        ``t_a``: median ``e`` of the other annotators.
    ratio, gap : numpy.ndarray
        ``e_a / t_a`` (``t_a`` floored at 0.01) and ``e_a - t_a``.
    z : numpy.ndarray
        The gap over its item-bootstrap standard error (NaN when no annotator meets the other
        conditions: the bootstrap is then not run).
    flagged : numpy.ndarray
        bool: all four conditions of step 2 hold (before any gold check); with gold in the
        model, (iii) may instead be met by gold (``gold_p``).
    gold_p : numpy.ndarray or None
        With gold in the model, for an annotator who meets (i), (ii) and (iv) but not the z:
        one-sided Fisher test of their agreement with gold against the others', on every gold
        item, Bonferroni over the annotators (NaN where not run).
    """

    error: np.ndarray
    team: np.ndarray
    ratio: np.ndarray
    gap: np.ndarray
    z: np.ndarray
    flagged: np.ndarray
    gold_p: np.ndarray | None = None


@dataclass(frozen=True)
class OpenPair:
    """One label pair tried as open (step 3).

    Attributes
    ----------
    pair : tuple of (int, int)
        Category codes, lower first.
    lr : float
        Likelihood-ratio statistic against the model without this pair.
    p_value : float
        Bonferroni-corrected boundary p-value, ``min(1, pairs_tested * chi2_1.sf(lr) / 2)``.
    pairs_tested : int
        Label pairs split at least once (the Bonferroni factor).
    open_items : float
        Expected number of items open between the pair (posterior sum).
    mass_share : float
        Posterior-weighted share of the observed disagreement on those items.
    kept : bool
        Significant and material: selected.
    """

    pair: tuple
    lr: float
    p_value: float
    pairs_tested: int
    open_items: float
    mass_share: float
    kept: bool


@dataclass(frozen=True)
class Attribution:
    """The model after the rounds of step 4: the fit, the annotators' errors, the open pairs.

    Attributes
    ----------
    fit : LatentClassFit
        The final fit (with the kept open pairs and the flagged annotators' own matrices).
    errors : AnnotatorErrors
    pairs : tuple of OpenPair
        Pairs kept, in the order selected.
    tried : OpenPair or None
        The best pair that was not kept (what the data came closest to), if any.
    rounds : int
    tested_items : bool
        Whether open items were tested (enough pairable items).
    """

    fit: LatentClassFit
    errors: AnnotatorErrors
    pairs: tuple
    tried: OpenPair | None
    rounds: int
    tested_items: bool
    confusions: OwnConfusions | None = None


@dataclass(frozen=True)
class OwnConfusions:
    """Does an annotator's own confusion matrix fit far better than the team's error pattern?
    Tested only with gold in the model (step 2b), one entry per annotator.

    Attributes
    ----------
    lr : numpy.ndarray
        ``2 (log L with their own matrix - log L without)``, the open pairs as fitted.
    p_value : numpy.ndarray
        ``chi2_df(lr)`` with ``df = V (V - 1) - 1``, Bonferroni over the annotators.
    cell : list
        Their commonest confusion ``(true value, value given)`` by their own matrix, or None.
    rate : numpy.ndarray
        How often they give that value for that true value (their own matrix's entry).
    count : numpy.ndarray
        Expected number of items on which they did.
    flagged : numpy.ndarray
        bool: ``p_value <= carrier_p``, ``rate >= carrier_share``, ``count >=``
        :data:`MIN_CONFUSION_ITEMS` and alpha rises by ``min_gain`` without them.
    """

    lr: np.ndarray
    p_value: np.ndarray
    cell: list
    rate: np.ndarray
    count: np.ndarray
    flagged: np.ndarray


@dataclass(frozen=True)
class Carrier:
    """Whose split is it? The sides the annotators take on the items of an open pair (step 5).

    Attributes
    ----------
    pair : tuple of (int, int)
        Category codes ``(j, k)``.
    sides : numpy.ndarray
        ``(annotators, 2)``: how often each non-flagged annotator gave ``j`` and ``k`` on the
        items open with probability >= ``open_posterior`` (zeros for flagged annotators).
    carrier : int or None
        The annotator whose side differs from the rest's, when one does.
    share_gap : float
        That annotator's share of ``j`` minus the rest's (signed; NaN when untested).
    p_value : float
        Fisher's exact test of that annotator against the rest, Bonferroni over the annotators
        tested (NaN when fewer than two annotators or no values).
    gold : tuple or None
        ``(items, carrier_agrees, rest_agree_share)`` on those items with gold values: how
        many there are, how often the carrier agrees with gold, and the rest's share.
    resolved : bool
        Gold settles it against the carrier: their confusion, not open items.
    with_gold : bool
        Gold settles it the other way: gold agrees with the carrier, and the rest of the team
        reads that boundary differently from gold (a shared reading, not the carrier's).
    """

    pair: tuple
    sides: np.ndarray
    carrier: int | None
    share_gap: float
    p_value: float
    gold: tuple | None = None
    resolved: bool = False
    with_gold: bool = False


def _annotator_errors(codes: np.ndarray, fit: LatentClassFit, gains: np.ndarray, th: Thresholds, *,
                      test: bool = True, gold_row: np.ndarray | None = None) -> AnnotatorErrors:
    """Step 2: each annotator's model error rate against the team's, with a bootstrap z.

    The bootstrap resamples the items (``excess_draws`` multinomial draws) and refits the
    model on each (:func:`~workbench.analytics.latent_class.bootstrap_error_rates`). It runs
    only when ``test`` and some annotator meets the other three conditions; without ``test``
    those annotators are flagged provisionally (the rounds of step 4 use that).
    """
    n = len(gains)  # annotator rows; an anchor (gold) row after them is not an annotator
    err = fit.item_errors[:n]
    n_items = err.shape[1]
    has = np.isfinite(err)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = np.where(has, err, 0.0).sum(axis=1) / has.sum(axis=1)
    team = _others_median(e[None, :])[0]
    gap = e - team
    ratio = e / np.maximum(team, 0.01)
    gains = np.where(np.isfinite(gains), gains, -np.inf)
    material = (ratio >= th.error_ratio) & (gap >= th.error_gap) & (gains >= th.min_gain)
    z = np.full(n, np.nan)
    if not test:
        return AnnotatorErrors(error=e, team=team, ratio=ratio, gap=gap, z=z, flagged=material)
    if material.any():  # the bootstrap costs more than everything else: only when it can decide
        rng = np.random.default_rng([th.seed, n_items, n])
        w = rng.multinomial(n_items, np.full(n_items, 1.0 / n_items), size=th.excess_draws).astype(float)
        eb = bootstrap_error_rates(codes, fit, w)[:, :n]
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.nanstd(eb - _others_median(eb), axis=0, ddof=1)
            z = gap / np.maximum(se, 1e-3)
    flagged = material & (np.nan_to_num(z, nan=-np.inf) >= th.z_min)
    gold_p = None
    if gold_row is not None and (material & ~flagged).any():
        # gold is the truth on the items it has; the z must also allow for the model's doubt about
        # the truth (which items are open, what a clear item's value is). Every gold item counts:
        # on an open one gold is either label, for everyone alike (a test on the items the model
        # holds clear would be biased: a good annotator's slip inside the pair makes an item look
        # open and drops it, so the others look better than they are)
        n_gold, acc = _gold_accuracy(codes[:n], gold_row)
        gold_p = np.full(n, np.nan)
        for a in np.flatnonzero(material & ~flagged):
            right = np.rint(n_gold * np.nan_to_num(acc))
            r_rest, n_rest = right.sum() - right[a], n_gold.sum() - n_gold[a]
            if n_gold[a] == 0 or n_rest == 0:
                continue
            table = [[right[a], n_gold[a] - right[a]], [r_rest, n_rest - r_rest]]
            gold_p[a] = min(1.0, n * float(stats.fisher_exact(table, alternative="less")[1]))
        flagged = flagged | (material & (np.nan_to_num(gold_p, nan=1.0) <= th.gold_p))
    return AnnotatorErrors(error=e, team=team, ratio=ratio, gap=gap, z=z, flagged=flagged, gold_p=gold_p)


def _others_median_1d(x: np.ndarray) -> np.ndarray:
    """For each entry, the median of the other (finite) entries (NaN when none)."""
    x = np.asarray(x, dtype=float)
    return np.array([np.nanmedian(np.delete(x, i)) if np.isfinite(np.delete(x, i)).any() else np.nan
                     for i in range(len(x))])


def _others_median(e: np.ndarray) -> np.ndarray:
    """Row-wise median of the other columns, for every column: ``(B, n) -> (B, n)``."""
    out = np.full(e.shape, np.nan)
    finite = bool(np.isfinite(e).all())
    for a in range(e.shape[1]):
        others = np.delete(e, a, axis=1)
        if finite:
            out[:, a] = np.median(others, axis=1)
            continue
        ok = np.isfinite(others).any(axis=1)
        out[ok, a] = np.nanmedian(others[ok], axis=1)
    return out


def _pair_screen(codes: np.ndarray, fit: LatentClassFit) -> tuple[list, int]:
    """Label pairs split more often than the model expects, most in excess first, and how
    many pairs were split at all.

    For every two annotators who rated an item, a split between ``j`` and ``k`` is counted;
    the model's expectation is ``sum_z f_z (E_a[z, j] E_b[z, k] + E_a[z, k] E_b[z, j])`` per
    item both rated. The score is ``(observed - expected) / sqrt(expected + 1)``.
    """
    n = codes.shape[0]
    v = len(fit.prevalence)
    present = codes >= 0
    obs = np.zeros((v, v))
    exp = np.zeros((v, v))
    emis = fit.emissions
    for a in range(n):
        for b in range(a + 1, n):
            both = present[a] & present[b]
            if not both.any():
                continue
            m = emis[a].T @ (fit.prevalence[:, None] * emis[b])
            exp += both.sum() * (m + m.T)
            np.add.at(obs, (codes[a, both], codes[b, both]), 1.0)
            np.add.at(obs, (codes[b, both], codes[a, both]), 1.0)
    iu = np.triu_indices(v, k=1)
    split = obs[iu] > 0
    score = (obs[iu] - exp[iu]) / np.sqrt(exp[iu] + 1.0)
    order = [(int(iu[0][i]), int(iu[1][i])) for i in np.argsort(-score, kind="stable") if split[i] and score[i] > 0]
    return order, int(split.sum())


def _select_open_pairs(codes, n_values, distance, own, base: LatentClassFit, mass: np.ndarray,
                       th: Thresholds, fixed: dict | None = None) -> tuple[tuple, LatentClassFit, OpenPair | None]:
    """Step 3: forward selection of open pairs by likelihood ratio (see the module notes)."""
    order, n_tested = _pair_screen(codes, base)
    total = mass.sum()
    kept: list[OpenPair] = []
    current, tried = base, None
    for _ in range(th.max_open_pairs):
        chosen = tuple(p.pair for p in kept)
        candidates = [p for p in order if p not in chosen][: th.screen_pairs]
        if not candidates:
            break
        fits = [fit_latent_class(codes, n_values, distance=distance, open_pairs=chosen + (p,), own_confusion=own,
                                 fixed_accuracy=fixed, start=current) for p in candidates]
        best = max(range(len(fits)), key=lambda i: fits[i].loglik)
        fit = fits[best]
        lr = 2.0 * (fit.loglik - current.loglik)
        p_value = min(1.0, n_tested * 0.5 * float(stats.chi2.sf(lr, 1))) if lr > 0 else 1.0
        post = fit.posterior[:, n_values + len(chosen)]
        share = float(post @ mass / total) if total > 0 else 0.0
        ok = p_value <= th.open_alpha and share >= th.min_mass_share
        pair = OpenPair(candidates[best], float(lr), p_value, n_tested, float(post.sum()), share, ok)
        if not ok:
            tried = pair
            break
        kept.append(pair)
        current = fit
    return tuple(kept), current, tried


#: An own confusion (step 2b) must rest on at least this many items, like a carrier's gold check.
MIN_CONFUSION_ITEMS = 5


def _own_confusions(codes, n_values, distance, fit: LatentClassFit, own: tuple, gains: np.ndarray,
                    th: Thresholds, fixed: dict) -> OwnConfusions:
    """Step 2b (gold in the model): each annotator's own confusion matrix against the team's
    one-coin errors, by likelihood ratio at the fitted open pairs (see the module notes).

    For an annotator without their own matrix the model is refitted with it; for one with,
    without it. A systematic confusion (one person reads a label boundary their own way, e.g.
    ``'safe'`` for most ``'caveat'`` items) raises the overall error rate by little, so the
    error-rate conditions of step 2 miss it; against a gold anchor the matrix shows it.
    """
    n = len(gains)
    v = n_values
    lr = np.full(n, np.nan)
    rate = np.full(n, np.nan)
    count = np.full(n, np.nan)
    cells: list[tuple[int, int] | None] = [None] * n
    gains = np.where(np.isfinite(gains), gains, -np.inf)
    tables_fit = expected_confusions(codes, fit)
    off = ~np.eye(v, dtype=bool)
    for a in range(n):
        if gains[a] < th.min_gain:  # could not be flagged: spare the fit
            continue
        if a in own:
            alt = fit_latent_class(codes, v, distance=distance, open_pairs=fit.open_pairs,
                                   own_confusion=tuple(b for b in own if b != a), fixed_accuracy=fixed, start=fit)
            lr[a] = 2.0 * (fit.loglik - alt.loglik)
            with_own, tables = fit, tables_fit
        else:
            with_own = fit_latent_class(codes, v, distance=distance, open_pairs=fit.open_pairs,
                                        own_confusion=tuple(sorted(own + (a,))), fixed_accuracy=fixed, start=fit)
            lr[a] = 2.0 * (with_own.loglik - fit.loglik)
            tables = expected_confusions(codes, with_own)
        e = np.where(off, with_own.emissions[a], -1.0)
        j, k = np.unravel_index(int(np.argmax(e)), e.shape)
        cells[a] = (int(j), int(k))
        rate[a] = float(with_own.emissions[a, j, k])
        count[a] = float(tables[a, j, k])
    df = max(1, v * (v - 1) - 1)
    with np.errstate(invalid="ignore"):
        p_value = np.where(np.isfinite(lr), np.minimum(1.0, n * stats.chi2.sf(np.maximum(lr, 0.0), df)), np.nan)
        flagged = ((p_value <= th.carrier_p) & (rate >= th.carrier_share) & (count >= MIN_CONFUSION_ITEMS)
                   & (gains >= th.min_gain))
    return OwnConfusions(lr=lr, p_value=p_value, cell=cells, rate=rate, count=count, flagged=flagged)


def _attribute(rd, distance, gains: np.ndarray, mass: np.ndarray, test_items: bool, th: Thresholds,
               gold_codes: np.ndarray | None = None) -> Attribution:
    """Steps 2-4: alternate flagging deviants and selecting open pairs until the flags settle.

    The rounds flag on the three material conditions; the bootstrap z is checked on the
    settled model, and if it clears someone, the open pairs are selected once more without
    their own matrix. A round with more than ``max_model_items`` items is fitted on a seeded
    sample of them; the returned fit reads every item.

    ``gold_codes`` (one code per item of ``rd``'s categories, ``-1`` where none): the gold
    values enter the model as one more observer, after the annotators, whose accuracy is held
    at ``gold_accuracy`` (an anchor; see the module notes). The fit then has one row more
    than ``rd`` has annotators; the errors and flags are the annotators' only.
    """
    all_codes, v = rd.codes, len(rd.categories)
    fixed = None
    if gold_codes is not None and (gold_codes >= 0).any():
        all_codes = np.vstack([all_codes, np.asarray(gold_codes, dtype=all_codes.dtype)[None, :]])
        fixed = {rd.n_annotators: th.gold_accuracy}
    sample = np.arange(rd.n_items)
    if rd.n_items > th.max_model_items:
        rng = np.random.default_rng([th.seed, rd.n_items])
        sample = np.sort(rng.choice(rd.n_items, th.max_model_items, replace=False))
    codes, mass = all_codes[:, sample], mass[sample]
    fit = first = fit_latent_class(codes, v, distance=distance, fixed_accuracy=fixed)
    pairs, tried = (), None

    def model(own, start):  # -> (open pairs, fit, best pair not kept)
        base = (fit_latent_class(codes, v, distance=distance, own_confusion=own, fixed_accuracy=fixed, start=start)
                if own else first)
        if not test_items:
            return (), base, None
        return _select_open_pairs(codes, v, distance, own, base, mass, th, fixed)

    errors = _annotator_errors(codes, fit, gains, th, test=False)
    flags = errors.flagged
    if distance is not None:
        # a graded kernel can also explain a deviant away: the team's adjacent "errors" become
        # the truth and the deviant the most accurate (seen on the demo's safety question); the
        # uniform kernel cannot, so its provisional flags are added for the first round
        uniform = fit_latent_class(codes, v, fixed_accuracy=fixed)
        flags = flags | _annotator_errors(codes, uniform, gains, th, test=False).flagged
    n = rd.n_annotators
    conf = None

    def own_flags(errors, own):  # step 2 (error rates) and, with gold in the model, step 2b (own matrices)
        nonlocal conf
        if fixed is None:
            return errors.flagged
        conf = _own_confusions(codes, v, distance, fit, own, gains, th, fixed)
        return errors.flagged | conf.flagged

    rounds = 0
    for rounds in range(1, th.max_rounds + 1):  # noqa: B007 (read after the loop)
        own = tuple(int(a) for a in np.flatnonzero(flags))
        pairs, fit, tried = model(own, fit)
        errors = _annotator_errors(codes, fit, gains, th, test=False)
        flags = own_flags(errors, own)
        if tuple(int(a) for a in np.flatnonzero(flags)) == own:
            break
    gold_row = codes[n] if fixed is not None else None
    errors = _annotator_errors(codes, fit, gains, th, gold_row=gold_row)
    by_matrix = conf.flagged if conf is not None else np.zeros(n, dtype=bool)
    confirmed = tuple(int(a) for a in np.flatnonzero(errors.flagged | by_matrix))
    if confirmed != own:
        pairs, fit, tried = model(confirmed, fit)
        errors = _annotator_errors(codes, fit, gains, th, gold_row=gold_row)
        own_flags(errors, confirmed)  # step 2b again, at the final fit
        rounds += 1
    if conf is not None:
        errors = replace(errors, flagged=errors.flagged | conf.flagged)
    if len(sample) < rd.n_items:
        fit = apply_fit(all_codes, fit)
    return Attribution(fit=fit, errors=errors, pairs=pairs, tried=tried, rounds=rounds, tested_items=test_items,
                       confusions=conf)


def _carrier(codes: np.ndarray, posterior_open: np.ndarray, pair: tuple, flagged: np.ndarray, th: Thresholds,
             gold_codes: np.ndarray | None = None) -> Carrier:
    """Step 5: is the split of an open pair one annotator's?

    On the items open with probability >= ``open_posterior``, each non-flagged annotator's
    counts of the pair's two labels are compared with the rest's (Fisher's exact test,
    Bonferroni over the annotators). Items that are open split every annotator about evenly
    (each picks either label at random); one annotator's own reading of the boundary shows as
    their side differing from everyone else's. The annotator with the smallest p-value carries
    the split when ``p <= carrier_p`` and their share of ``j`` differs from the rest's by at
    least ``carrier_share``. With gold values on at least five of those items, the carrier is
    *resolved* as deviating when their agreement with gold there is ``gold_gap`` below the
    rest's, and the pair is the *team's* reading (``with_gold``) when it is ``gold_gap`` above.
    """
    j, k = pair
    likely = posterior_open >= th.open_posterior
    keep = np.flatnonzero(~flagged)
    sides = np.zeros((codes.shape[0], 2), dtype=np.int64)
    sub = codes[:, likely]
    sides[keep, 0] = (sub[keep] == j).sum(axis=1)
    sides[keep, 1] = (sub[keep] == k).sum(axis=1)
    tested = [a for a in keep if sides[a].sum() > 0]
    if len(tested) < 2:
        return Carrier(pair, sides, None, float("nan"), float("nan"))
    best: tuple[float, int | np.integer | None, float] = (np.inf, None, float("nan"))
    total = sides[tested].sum(axis=0)
    for a in tested:
        rest = total - sides[a]
        if rest.sum() == 0:
            continue
        p = float(stats.fisher_exact([sides[a], rest])[1])
        gap = sides[a, 0] / sides[a].sum() - rest[0] / rest.sum()
        if p < best[0]:
            best = (p, a, gap)
    p_value = min(1.0, best[0] * len(tested))
    carried = best[1] is not None and p_value <= th.carrier_p and abs(best[2]) >= th.carrier_share
    who = int(best[1]) if carried and best[1] is not None else None  # (carried implies best[1] is set)
    gold = None
    resolved = with_gold = False
    if who is not None and gold_codes is not None:
        g = gold_codes[likely]
        mine = sub[who]
        has = (g >= 0) & (mine >= 0)
        others = np.array([x for x in tested if x != who], dtype=np.intp)
        rest_vals = sub[others][:, has]
        rest_has = rest_vals >= 0
        if has.sum() >= 5 and rest_has.any():
            agree = int((mine[has] == g[has]).sum())
            rest_share = float((rest_vals == g[has][None, :])[rest_has].mean())
            gold = (int(has.sum()), agree, rest_share)
            resolved = rest_share - agree / has.sum() >= th.gold_gap
            with_gold = agree / has.sum() - rest_share >= th.gold_gap
    return Carrier(pair, sides, who, float(best[2]), p_value, gold, resolved, with_gold)


def _gold_accuracy(codes: np.ndarray, gold_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per annotator (rows of ``codes``): gold items rated and the share agreeing with gold."""
    both = (codes >= 0) & (gold_codes >= 0)[None, :]
    n = both.sum(axis=1)
    hits = (both & (codes == gold_codes[None, :])).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return n, np.where(n > 0, hits / n, np.nan)


def _gold_codes(rd, gold) -> np.ndarray:
    """Gold values as codes of ``rd``'s own categories (``-1`` where none, or where gold gives a
    value no annotator gave: the model has no state for it)."""
    full, codes, _ = align_gold(rd, gold)
    position = {_canon(c): i for i, c in enumerate(rd.categories)}
    to_rd = np.array([position.get(_canon(c), -1) for c in full.categories], dtype=np.int64)
    return np.where(codes >= 0, to_rd[np.maximum(codes, 0)], -1).astype(np.int64)


def _worse_on_gold(n_gold: np.ndarray, accuracy: np.ndarray, level: float = 0.05) -> np.ndarray:
    """Per annotator: is their gold accuracy lower than the rest's pooled, by a one-sided
    Fisher exact test at ``level``? A deviation confined to one label boundary lowers overall
    gold accuracy by less than ``gold_gap`` and must not be cleared for that."""
    return _gold_comparison(n_gold, accuracy, "less", level)


def _gold_comparison(n_gold: np.ndarray, accuracy: np.ndarray, alternative: str, level: float = 0.05) -> np.ndarray:
    """Per annotator: one-sided Fisher exact test of their gold accuracy against the rest's
    pooled (``alternative`` "less" or "greater"), significant at ``level``."""
    n = np.nan_to_num(np.asarray(n_gold, dtype=float))
    right = np.rint(n * np.nan_to_num(np.asarray(accuracy, dtype=float)))
    out = np.zeros(len(n), dtype=bool)
    for a in range(len(n)):
        r_rest, n_rest = right.sum() - right[a], n.sum() - n[a]
        if n[a] == 0 or n_rest == 0:
            continue
        table = [[right[a], n[a] - right[a]], [r_rest, n_rest - r_rest]]
        out[a] = float(stats.fisher_exact(table, alternative=alternative)[1]) <= level
    return out


#: The null split counts are simulated on at most this many items (a seeded sample), then scaled
#: to the round: they are descriptive (no decision rests on them), and on a 200,000-item file the
#: full simulation was most of the report's time.
NULL_SPLIT_ITEMS = 20_000


def _split_statistics(codes, counts, method: str, th: Thresholds, rng) -> tuple[dict[str, float], np.ndarray]:
    """Descriptive item split statistics (earlier versions' concentration test; no decision).
    The expected number of split items under the null model is simulated on a sample of
    :data:`NULL_SPLIT_ITEMS` items when the round has more, and scaled by n / sample."""
    split = _split(counts, method, th.split_share)
    n = len(counts)
    if n > NULL_SPLIT_ITEMS:
        sample = np.sort(rng.choice(n, NULL_SPLIT_ITEMS, replace=False))
        null = _null_splits(codes[:, sample], counts[sample], method, th.split_share, th.null_draws, rng)
        null_counts = null.sum(axis=1) * (n / NULL_SPLIT_ITEMS)
    else:
        null = _null_splits(codes, counts, method, th.split_share, th.null_draws, rng)
        null_counts = null.sum(axis=1)
    observed = int(split.sum())
    expected = float(null_counts.mean())
    return {
        "n_split": observed,
        "null_split": expected,
        "null_split_q95": float(np.quantile(null_counts, 0.95)),
        "ratio": observed / expected if expected > 0 else (float("inf") if observed else 1.0),
        "split_item_share": observed / len(counts) if len(counts) else 0.0,
    }, split


def _split_annotators(rd, positions, a, b) -> tuple[int, int]:
    """Distinct annotators who gave label code a (resp. b) in items where both were given."""
    codes = rd.codes[:, positions]
    both = ((codes == a).any(axis=0)) & ((codes == b).any(axis=0))
    sub = codes[:, both]
    return int((sub == a).any(axis=1).sum()), int((sub == b).any(axis=1).sum())


def _annotator_table(rd, level, distance, disagreement, loo, gold_table, att: Attribution | None) -> pd.DataFrame:
    ann = (annotator_disagreement(rd, level, distance=distance) if disagreement is None else disagreement).copy()
    ann = ann[["annotator", "n_annotations", "n_pairable", "disagreement", "relative", "robust_z"]]
    if att is not None:
        er = att.errors
        ann["error_rate"] = er.error
        ann["team_error_rate"] = er.team
        ann["error_ratio"] = er.ratio
        ann["error_gap"] = er.gap
        ann["z"] = er.z
        if er.gold_p is not None:
            ann["gold_p"] = er.gold_p
    if att is not None and att.confusions is not None:
        c = att.confusions
        ann["own_confusion_truth"] = [_label(rd.categories[x[0]]) if x else None for x in c.cell]
        ann["own_confusion_says"] = [_label(rd.categories[x[1]]) if x else None for x in c.cell]
        ann["own_confusion_rate"] = c.rate
        ann["own_confusion_items"] = c.count
        ann["own_confusion_lr"] = c.lr
        ann["own_confusion_p"] = c.p_value
        ann["own_confusion_flag"] = c.flagged
    ann["alpha_without"] = loo["alpha_without"].to_numpy()
    ann["alpha_change"] = loo["change"].to_numpy()
    if gold_table is not None and (gold_table["n_gold"] > 0).any():
        ann["n_gold"] = gold_table["n_gold"].to_numpy()
        ann["gold_accuracy"] = gold_table["accuracy"].to_numpy()
    return ann


# --------------------------------------------------------------------------------------------
# The steps of diagnose, and the evidence each passes on
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundEvidence:
    """What every step reads: the round's data with the tables computed once (step 1).

    Attributes
    ----------
    rd : ReliabilityData
    level : str
    distance : callable or None
        The custom distance, as given.
    delta : numpy.ndarray
        ``V x V`` level distance alpha uses.
    counts : numpy.ndarray
        ``(items, V)`` value counts.
    n_values : numpy.ndarray
        Values per item.
    pairable : numpy.ndarray
        Positions of the items with two or more values.
    mass : numpy.ndarray
        Each item's share of the observed disagreement, unnormalised (0 for unpairable items).
    test_items : bool
        At least ``min_items`` pairable items: open items are tested.
    enough_annotators : bool
        Three or more annotators: the latent-class model is identified.
    loo : pandas.DataFrame
        :func:`~workbench.analytics.breakdowns.leave_one_out`.
    gold : object or None
        Gold values as given.
    gold_table : pandas.DataFrame or None
        :func:`~workbench.analytics.breakdowns.gold_agreement`.
    has_gold : bool
        Some annotator rated a gold item.
    gold_codes : numpy.ndarray or None
        Gold as codes of ``rd``'s categories (``-1`` where none), when ``has_gold``.
    """

    rd: ReliabilityData
    level: Level
    distance: object
    delta: np.ndarray
    counts: np.ndarray
    n_values: np.ndarray
    pairable: np.ndarray
    mass: np.ndarray
    test_items: bool
    enough_annotators: bool
    loo: pd.DataFrame
    gold: object
    gold_table: pd.DataFrame | None
    has_gold: bool
    gold_codes: np.ndarray | None

    @property
    def gains(self) -> np.ndarray:
        """Alpha's change without each annotator."""
        return self.loo["change"].to_numpy(dtype=float)


@dataclass(frozen=True)
class AnnotatorFlags:
    """Who is flagged after gold has had its say (step 6, before step 5's carriers).

    Attributes
    ----------
    table : pandas.DataFrame
        The ``annotators`` evidence table (without its ``flagged`` column).
    flagged : numpy.ndarray
        bool per annotator: the model's flags less those gold cleared (with two annotators:
        gold's own verdict).
    gold_cleared : numpy.ndarray
        bool per annotator: flagged by the model, cleared by gold.
    """

    table: pd.DataFrame
    flagged: np.ndarray
    gold_cleared: np.ndarray


@dataclass(frozen=True)
class OpenItems:
    """The open pairs kept, whose split each is, and the items listed (steps 3 and 5).

    Attributes
    ----------
    pairs : tuple of OpenPair
        Kept by the model, in the order selected.
    carriers : tuple of Carrier
        One per pair.
    shared : tuple of int
        Indices (into ``pairs``) of the team's pairs: nobody carries them, or gold sides with
        the one who does.
    unsettled : tuple of int
        Pairs one annotator carries and gold does not settle.
    p_open : numpy.ndarray
        Per item: the posterior probability of being open between a listed pair.
    order : numpy.ndarray
        Items listed (``p_open >= open_posterior``), most likely first.
    """

    pairs: tuple
    carriers: tuple
    shared: tuple
    unsettled: tuple
    p_open: np.ndarray
    order: np.ndarray

    @property
    def listed(self) -> tuple:
        """The pairs whose items are listed: the team's, then the unsettled ones."""
        return self.shared + self.unsettled

    def resolved_carriers(self) -> list[int]:
        """Annotators gold names as carrying a pair (their confusion, not open items)."""
        return [c.carrier for c in self.carriers if c.resolved]


@dataclass(frozen=True)
class Findings:
    """Everything the explanation reads (step 7)."""

    verdict: Verdict
    band: Band
    alpha: float
    round: RoundEvidence
    attribution: Attribution | None
    annotators: pd.DataFrame
    deviating: tuple
    gold_cleared: np.ndarray
    open_items: OpenItems
    concentration: dict
    disputed: pd.DataFrame
    confused_pairs: pd.DataFrame
    confusions: pd.DataFrame


def _round_evidence(rd: ReliabilityData, level: Level, *, distance, gold, alpha: float, loo: pd.DataFrame | None,
                    gold_table: pd.DataFrame | None, th: Thresholds) -> RoundEvidence:
    """Step 1: the tables every later step reads, computed once."""
    if loo is None:
        loo = leave_one_out(rd, level, distance=distance, alpha=alpha)
    if gold is not None and gold_table is None:
        gold_table = gold_agreement(rd, gold)
    has_gold = gold_table is not None and bool((gold_table["n_gold"] > 0).any())
    delta = level_distance(rd, level, distance=distance)
    counts = item_value_counts(rd)
    n_values = counts.sum(axis=1)
    pairable = np.flatnonzero(n_values >= 2)
    mass = np.zeros(rd.n_items)
    if len(pairable):
        mass[pairable] = _item_mass(counts[pairable], delta)
    return RoundEvidence(
        rd=rd, level=level, distance=distance, delta=delta, counts=counts, n_values=n_values, pairable=pairable,
        mass=mass, test_items=len(pairable) >= th.min_items, enough_annotators=rd.n_annotators >= 3, loo=loo,
        gold=gold, gold_table=gold_table, has_gold=has_gold,
        gold_codes=_gold_codes(rd, gold) if has_gold and gold is not None else None,
    )


def _model_evidence(ev: RoundEvidence, th: Thresholds) -> Attribution | None:
    """Steps 2-4: the latent-class model's errors and open pairs (None with two annotators)."""
    if not ev.enough_annotators:
        return None
    model_distance = None if ev.level == "nominal" and ev.distance is None else ev.delta
    return _attribute(ev.rd, model_distance, ev.gains, ev.mass, ev.test_items, th,
                      ev.gold_codes if th.gold_in_model else None)


def _flag_annotators(ev: RoundEvidence, att: Attribution | None, disagreement: pd.DataFrame | None,
                     th: Thresholds) -> AnnotatorFlags:
    """Step 6 (gold after the model): the annotators table, and the flags gold clears or (two
    annotators) sets."""
    rd = ev.rd
    ann = _annotator_table(rd, ev.level, ev.distance, disagreement, ev.loo, ev.gold_table, att)
    flagged = att.errors.flagged.copy() if att is not None else np.zeros(rd.n_annotators, dtype=bool)
    gold_cleared = np.zeros(rd.n_annotators, dtype=bool)
    if not ev.has_gold:
        return AnnotatorFlags(table=ann, flagged=flagged, gold_cleared=gold_cleared)
    acc = ann["gold_accuracy"].to_numpy()
    n_gold = ann["n_gold"].to_numpy()
    team_gold = _others_median_1d(acc)
    ann["team_gold_accuracy"] = team_gold
    gap = team_gold - acc
    if att is not None and att.confusions is not None:
        # gold in the model: a flag already weighs every gold value, so gold clears it only when it
        # sides with the annotator against the team: they agree with gold more often than the rest
        # (one-sided Fisher, 5%). "Not significantly worse on gold" cleared real deviants wherever
        # gold was scarce (15 gold items: deviants at z = 3-5), and so did "at least the team's
        # median on the items the model holds clear" (a deviant's slips inside an open pair make
        # items look open and drop out). An own matrix (step 2b) is not cleared.
        better = _gold_comparison(n_gold, acc, "greater")
        gold_cleared = flagged & ~att.confusions.flagged & better
    elif ev.enough_annotators:
        worse = _worse_on_gold(n_gold, acc)
        gold_cleared = flagged & np.isfinite(gap) & (gap < th.gold_gap) & ~worse
    else:
        flagged = np.isfinite(gap) & (gap >= th.gold_gap)
    return AnnotatorFlags(table=ann, flagged=flagged & ~gold_cleared, gold_cleared=gold_cleared)


def _open_items(ev: RoundEvidence, att: Attribution | None, th: Thresholds) -> OpenItems:
    """Steps 3 and 5: the kept pairs, whose split each is, and the items to list."""
    rd = ev.rd
    v = len(rd.categories)
    kept: tuple[OpenPair, ...] = ()
    carriers: tuple[Carrier, ...] = ()
    if att is not None:
        kept = att.pairs
        carriers = tuple(_carrier(rd.codes, att.fit.posterior[:, v + i], p.pair, att.errors.flagged, th,
                                  ev.gold_codes) for i, p in enumerate(kept))
    shared = tuple(i for i, c in enumerate(carriers) if c.carrier is None or c.with_gold)
    unsettled = tuple(i for i, c in enumerate(carriers)
                      if c.carrier is not None and not (c.resolved or c.with_gold))
    listed = shared + unsettled
    if listed and att is not None:  # (pairs are listed only from an attribution)
        p_open = att.fit.posterior[:, [v + i for i in listed]].sum(axis=1)
        likely = np.flatnonzero(p_open >= th.open_posterior)
        order = likely[np.lexsort((-ev.mass[likely], -p_open[likely]))]
    else:
        p_open = np.zeros(rd.n_items)
        order = np.array([], dtype=np.intp)
    return OpenItems(pairs=kept, carriers=carriers, shared=shared, unsettled=unsettled, p_open=p_open, order=order)


def _disputed_table(ev: RoundEvidence, items: OpenItems, th: Thresholds) -> pd.DataFrame:
    """The ``disputed_items`` evidence: the listed items, most likely open first."""
    rd, hot = ev.rd, items.order[: th.max_table]
    total = ev.mass.sum()
    return pd.DataFrame({
        "item": [rd.items[i] for i in hot],
        "n_values": ev.n_values[hot],
        "labels": [format_labels(rd.categories, ev.counts[i]) for i in hot],
        "mass_share": ev.mass[hot] / total if total > 0 else 0.0,
        "p_open": items.p_open[hot],
    })


def _confused_pairs_table(ev: RoundEvidence, items: OpenItems, th: Thresholds) -> pd.DataFrame:
    """The ``confused_pairs`` evidence: on the listed items (with how many annotators gave each
    label) when there are some, else on every item."""
    rd, order = ev.rd, items.order
    if not len(order):
        return confused_pairs(rd, top=th.max_listed)
    pairs = confused_pairs(rd, items=order, top=th.max_listed)
    cat_index = {_label(c): i for i, c in enumerate(rd.categories)}
    sides = [_split_annotators(rd, order, cat_index[a], cat_index[b])
             for a, b in zip(pairs["label_a"], pairs["label_b"])]
    return pairs.assign(annotators_a=[s[0] for s in sides], annotators_b=[s[1] for s in sides])


def _side_text(rd: ReliabilityData, c: Carrier) -> str:
    """``"ana 5/1, ben 3/3"``: each tested annotator's counts of the pair's two labels."""
    return ", ".join(f"{rd.annotators[a]} {int(c.sides[a, 0])}/{int(c.sides[a, 1])}"
                     for a in range(rd.n_annotators) if c.sides[a].sum() > 0)


def _open_pair_table(rd: ReliabilityData, att: Attribution | None, items: OpenItems) -> pd.DataFrame:
    """The ``open_pairs`` evidence: each pair kept, with whose split it is, then the best one not kept."""
    def row(p: OpenPair, *, kept: bool, sides: str, side_p: float, carried_by, settled: bool) -> dict:
        return {"label_a": _label(rd.categories[p.pair[0]]), "label_b": _label(rd.categories[p.pair[1]]),
                "lr": p.lr, "p_value": p.p_value, "pairs_tested": p.pairs_tested, "open_items": p.open_items,
                "mass_share": p.mass_share, "kept": kept, "sides": sides, "side_p_value": side_p,
                "carried_by": carried_by, "settled_by_gold": settled}

    rows = [row(p, kept=p.kept, sides=_side_text(rd, c), side_p=c.p_value,
                carried_by=rd.annotators[c.carrier] if c.carrier is not None else None, settled=bool(c.resolved))
            for p, c in zip(items.pairs, items.carriers)]
    if att is not None and att.tried is not None:
        rows.append(row(att.tried, kept=False, sides="", side_p=np.nan, carried_by=None, settled=False))
    return pd.DataFrame(rows)


def _pair_label(rd: ReliabilityData, pair: tuple, sep: str = " / ") -> str:
    return sep.join(_label(rd.categories[c]) for c in pair)


def _concentration(ev: RoundEvidence, att: Attribution | None, items: OpenItems, th: Thresholds) -> dict:
    """The ``concentration`` summary: the open pairs' test and, as description, the split statistics."""
    rd = ev.rd
    conc: dict[str, object] = {"tested": bool(ev.test_items), "n_items": int(len(ev.pairable))}
    if not ev.test_items:
        return conc
    pos = ev.pairable
    split_stats, split = _split_statistics(rd.codes[:, pos], ev.counts[pos], _method_for(ev.level, rd), th,
                                           np.random.default_rng(th.seed))
    kept = items.pairs
    best = kept[0] if kept else (att.tried if att is not None else None)
    total = ev.mass.sum()
    conc.update({
        "open_pairs": [_pair_label(rd, kept[i].pair) for i in items.shared],
        "lr": best.lr if best is not None else None,
        "p_value": best.p_value if best is not None else None,
        "pairs_tested": best.pairs_tested if best is not None else None,
        "open_items": float(sum(kept[i].open_items for i in items.shared)),
        "open_mass_share": float(sum(kept[i].mass_share for i in items.shared)),
        "n_listed": int(len(items.order)),
        "undetermined_pairs": [_pair_label(rd, kept[i].pair) for i in items.unsettled],
        **split_stats,
        "split_mass_share": float(ev.mass[pos][split].sum() / total) if total > 0 else 0.0,
    })
    return conc


def _verdict(ev: RoundEvidence, items: OpenItems, deviating: tuple) -> Verdict:
    """Step 7: the verdict from what the steps found."""
    if items.unsettled:
        return Verdict.UNDETERMINED
    if items.shared and deviating:
        return Verdict.BOTH
    if items.shared:
        return Verdict.AMBIGUOUS_GUIDELINE
    if deviating:
        return Verdict.ANNOTATOR_DEVIATION
    if not ev.enough_annotators and ev.test_items:
        return Verdict.UNDETERMINED
    if not ev.test_items:
        return Verdict.INCONCLUSIVE
    return Verdict.DIFFUSE


def _band_verdict(rd: ReliabilityData, level: Level, distance, alpha: float | None,
                  th: Thresholds) -> tuple[float, Band, Diagnosis | None]:
    """Step 0: alpha and its band; the whole diagnosis when there is nothing to diagnose
    (alpha undefined, or reliable)."""
    if alpha is None:
        try:
            alpha = krippendorff_alpha(rd, level, distance=distance)
        except BadInput as exc:
            return np.nan, "undefined", Diagnosis(Verdict.UNDEFINED, "undefined", None, f"{exc}. Nothing to diagnose.")
    if alpha is None or not np.isfinite(alpha):
        return np.nan, "undefined", Diagnosis(Verdict.UNDEFINED, "undefined", None,
                                              "Alpha is undefined. Nothing to diagnose.")
    b = band(alpha, th)
    if b == "reliable":
        text = f"alpha = {alpha:.3f} >= {th.reliable:.3f}: the data are reliable; no diagnosis needed."
        return alpha, b, Diagnosis(Verdict.RELIABLE, b, float(alpha), text)
    return alpha, b, None


def diagnose(
    data: ReliabilityData | ArrayLike,
    level: Level = "nominal",
    *,
    distance: Callable | ArrayLike | None = None,
    gold: Mapping | pd.Series | pd.DataFrame | None = None,
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

    On 12 items (three dissents) that is not yet beyond what resampling the items gives:

    >>> diagnose([[1, 2, 3, 1] * 3, [1, 2, 3, 1] * 3, [1, 2, 3, 2] * 3]).deviating
    ()
    """
    th = thresholds
    rd = as_reliability_data(data)
    alpha, b, done = _band_verdict(rd, level, distance, alpha, th)
    if done is not None:
        return done
    ev = _round_evidence(rd, level, distance=distance, gold=gold, alpha=alpha, loo=loo, gold_table=gold_table,
                         th=th)
    att = _model_evidence(ev, th)
    flags = _flag_annotators(ev, att, disagreement, th)
    items = _open_items(ev, att, th)
    flagged = flags.flagged.copy()
    flagged[items.resolved_carriers()] = True  # gold says it is the carrier's confusion, not open items
    ann = flags.table
    ann["flagged"] = flagged
    deviating = tuple(rd.annotators[i] for i in np.flatnonzero(flagged))
    disputed = _disputed_table(ev, items, th)
    findings = Findings(
        verdict=_verdict(ev, items, deviating),
        band=b,
        alpha=float(alpha),
        round=ev,
        attribution=att,
        annotators=ann,
        deviating=deviating,
        gold_cleared=flags.gold_cleared,
        open_items=items,
        concentration=_concentration(ev, att, items, th),
        disputed=disputed,
        confused_pairs=_confused_pairs_table(ev, items, th),
        confusions=_deviation_confusions(rd, deviating, gold, level, th) if deviating else pd.DataFrame(),
    )
    return Diagnosis(
        verdict=findings.verdict,
        band=b,
        alpha=float(alpha),
        explanation=_explain(findings, th),
        deviating=deviating,
        ambiguous_items=tuple(disputed["item"]) if items.listed else (),
        confused_labels=tuple((_label(rd.categories[items.pairs[i].pair[0]]),
                               _label(rd.categories[items.pairs[i].pair[1]])) for i in items.listed),
        concentration=findings.concentration,
        evidence={
            "annotators": ann,
            "open_pairs": _open_pair_table(rd, att, items),
            "disputed_items": disputed,
            "confused_pairs": findings.confused_pairs,
            "confusions": findings.confusions,
        },
    )


def _deviation_confusions(rd, deviating, gold, level, th) -> pd.DataFrame:
    """For each deviating annotator: 'says X where gold (or the others) say Y, N times'."""
    rows = []
    full: ReliabilityData | None = None
    gcodes: np.ndarray | None = None
    if gold is not None:
        full, gcodes, _ = align_gold(rd, gold)
        if not (gcodes >= 0).any():
            full = None
    all_counts = item_value_counts(rd)
    for name in deviating:
        a = rd.annotators.index(name)
        if full is not None and gcodes is not None:  # (set together)
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



def _pct(x) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.0f}%"


def _p_text(p) -> str:
    return "n/a" if p is None or not np.isfinite(p) else ("p < 0.0001" if p < 1e-4 else f"p = {p:.2g}")


def _code_label(rd: ReliabilityData, code: int) -> str:
    return _label(rd.categories[code])


def _explain(f: Findings, th: Thresholds) -> str:
    """The verdict's explanation in words and figures: the band, the people, the items, and
    (when nobody is named) what came close and what more data would tell."""
    parts = _explain_band(f, th)
    parts += _explain_people(f, th)
    parts += _explain_items(f, th)
    if not f.deviating and not f.gold_cleared.any():
        parts += _explain_nobody(f, th)
    if f.verdict == Verdict.DIFFUSE:
        parts += _explain_diffuse(f, th)
    return " ".join(parts)


def _explain_band(f: Findings, th: Thresholds) -> list[str]:
    alpha = f.alpha
    if f.band == "tentative":
        return [
            f"alpha = {alpha:.3f}: tentative ({th.tentative:.3f} <= alpha < {th.reliable:.3f}); usable for"
            " tentative conclusions only."
        ]
    return [f"alpha = {alpha:.3f}: unreliable (below {th.tentative:.3f})."]


def _explain_people(f: Findings, th: Thresholds) -> list[str]:
    """Each deviating annotator with the evidence; those gold cleared; carriers gold sides with."""
    rd, ann, att, alpha = f.round.rd, f.annotators, f.attribution, f.alpha
    carriers, deviating, confusions = f.open_items.carriers, f.deviating, f.confusions
    has_gold, gold_cleared = f.round.has_gold, f.gold_cleared
    label = partial(_code_label, rd)
    parts = []

    by_name = ann.set_index("annotator")
    by_gold = {rd.annotators[c.carrier]: c for c in carriers if c.resolved}
    for name in deviating:
        row = by_name.loc[name]
        s = (f"Annotator {name!r} deviates from the rest: alpha without them rises from {alpha:.2f} to"
             f" {row['alpha_without']:.2f}")
        c = by_gold.get(name)
        if c is not None:
            a = rd.annotators.index(name)
            n_gold, agree, rest_share = c.gold
            s += (f"; on the items split between {label(c.pair[0])!r} and {label(c.pair[1])!r} they take one side"
                  f" ({int(c.sides[a, 0])} vs {int(c.sides[a, 1])}) where the others take both ({_p_text(c.p_value)}),"
                  f" and gold agrees with them on {agree} of {n_gold} of those items vs {_pct(rest_share)} for the"
                  " others: their own reading of that boundary, not open items")
        elif "error_rate" in ann.columns and np.isfinite(row.get("error_rate", np.nan)):
            s += (f"; by the latent-class model their value is wrong on {_pct(row['error_rate'])} of the items vs"
                  f" {_pct(row['team_error_rate'])} for the others ({row['error_ratio']:.1f} times as often; z ="
                  f" {row['z']:.1f} against resampling the items)")
            if np.isfinite(row.get("gold_p", np.nan)) and not row["z"] >= th.z_min:
                s += (f"; the z falls short of {th.z_min:g}, but gold confirms it: they agree with gold less often"
                      f" than the others (one-sided Fisher, {_p_text(row['gold_p'])} after Bonferroni over the"
                      " annotators)")
        if row.get("own_confusion_flag", False):
            s += (f"; with gold in the model, a confusion matrix of their own fits far better than the team's error"
                  f" pattern (likelihood ratio {row['own_confusion_lr']:.1f}, {_p_text(row['own_confusion_p'])}):"
                  f" they give {row['own_confusion_says']!r} for {row['own_confusion_truth']!r} on"
                  f" {_pct(row['own_confusion_rate'])} of such items (about {row['own_confusion_items']:.0f}), their"
                  " own reading of that boundary, not open items")
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
    if deviating:
        parts.append("Retrain (or re-check the work of) " + ", ".join(map(repr, deviating)) + ".")
    cleared = [rd.annotators[i] for i in np.flatnonzero(gold_cleared)]
    if cleared:
        how = "better than" if att is not None and att.confusions is not None else "about as well as"
        parts.append(
            f"{', '.join(map(repr, cleared))} differ from the team but agree with gold {how} the"
            " team does: check the guideline and gold values rather than retraining them."
        )
    for c in carriers:
        if c.with_gold:
            who = rd.annotators[c.carrier]
            n_gold, agree, rest_share = c.gold
            la, lb = label(c.pair[0]), label(c.pair[1])
            parts.append(
                f"{who!r} differ from the team but agree with gold on the items split between {la!r} and {lb!r}"
                f" (gold agrees with {who!r} on {agree} of {n_gold} of them, with the others on {_pct(rest_share)} of"
                f" their values): the rest of the team reads that boundary differently from gold. Do not retrain"
                f" {who!r}; clarify the boundary for the team (and check those gold values)."
            )
    return parts


def _explain_items(f: Findings, th: Thresholds) -> list[str]:
    """The open pairs (the team's, or carried by one annotator), or why no items are named."""
    rd, att, conc, disputed, pairs = f.round.rd, f.attribution, f.concentration, f.disputed, f.confused_pairs
    carriers, kept, deviating = f.open_items.carriers, f.open_items.pairs, f.deviating
    gold_codes, enough_annotators = f.round.gold_codes, f.round.enough_annotators
    label = partial(_code_label, rd)
    parts = []
    items = list(disputed["item"].head(th.max_listed))
    more = len(disputed) - len(items)
    item_text = f"{', '.join(map(repr, items))}{', ...' if more > 0 else ''}"

    def pair_figures(p):
        return (f"likelihood ratio {p.lr:.1f}, {_p_text(p.p_value)} after Bonferroni over {p.pairs_tested} label"
                f" pairs; about {p.open_items:.0f} of {rd.n_items} items, holding {100 * p.mass_share:.1f}% of the"
                " disagreement")

    def pair_test(p):
        return f"{label(p.pair[0])!r} vs {label(p.pair[1])!r} ({pair_figures(p)})"

    model_text = ("a latent-class model in which some items are open between two labels (each annotator takes"
                  " either at random) fits better than annotator noise alone: ")
    shared = [i for i, c in enumerate(carriers) if c.carrier is None or c.with_gold]
    unsettled = [c for c in carriers if c.carrier is not None and not (c.resolved or c.with_gold)]
    if unsettled:
        for c in unsettled:
            p = kept[carriers.index(c)]
            who = rd.annotators[c.carrier]
            la, lb = label(c.pair[0]), label(c.pair[1])
            sides = ", ".join(f"{rd.annotators[a]} {int(c.sides[a, 0])}/{int(c.sides[a, 1])}"
                              for a in range(rd.n_annotators) if c.sides[a].sum() > 0)
            s = (f"The disagreement concentrates on {la!r} vs {lb!r}: {model_text}{pair_test(p)}. But on those items"
                 f" {who!r} takes one side where the others take both ({la!r}/{lb!r} given: {sides};"
                 f" {_p_text(c.p_value)}), and {who!r} is not clearly less accurate overall. The data cannot tell"
                 f" whether these items are open or {who!r} reads the boundary between {la!r} and {lb!r} differently"
                 " from the others (or both)")
            if c.gold is not None:
                n_gold, agree, rest_share = c.gold
                s += (f" (gold, on {n_gold} of them, agrees with {who!r} on {agree} and with the others on"
                      f" {_pct(rest_share)} of their values: not decisive)")
            s += (". Gold values on these items, or another annotator on them, would separate the two:"
                  f" {item_text}.")
            parts.append(s)
    if shared:
        s = f"Disagreement is concentrated on items: {model_text}{'; '.join(pair_test(kept[i]) for i in shared)}."
        s += f" Most likely open: {item_text}"
        if len(pairs):
            top = pairs.iloc[0]
            s += (f"; in them annotators split mostly between {top['label_a']!r} and {top['label_b']!r}"
                  f" ({top['share']:.0%} of the disagreeing pairs")
            if "annotators_a" in pairs.columns:
                s += (f"; {top['annotators_a']} annotators gave {top['label_a']!r} and {top['annotators_b']} gave"
                      f" {top['label_b']!r}")
            s += ")"
        s += ". Clarify the guideline for these items and the boundary between these labels."
        n_good = rd.n_annotators - len(deviating)
        if n_good <= 2:
            s += (
                f" With only {n_good} annotators beside {', '.join(map(repr, deviating))}, an item they split on is"
                " one against one and cannot, on their values alone, be told from a slip by either. The items"
                " listed are the likeliest open ones, not certain ones: "
            )
        elif n_good <= 3:
            s += (
                f" With {n_good} annotators beside any deviating ones, an item split two to one cannot be told from"
                " a team that confuses these labels on any item; either way the boundary needs work. The items"
                " listed are the likeliest open ones, not certain ones: "
            )
        if n_good <= 3:
            s += _what_would_confirm(rd, list(disputed["item"]), gold_codes)
        parts.append(s)
    if not kept and conc.get("tested"):
        tried = att.tried if att is not None else None
        if tried is not None and tried.p_value <= th.open_alpha:
            parts.append(
                f"Disagreement is not concentrated on items: the label pair that comes closest, {pair_test(tried)},"
                " takes more disagreement than annotator noise would, but too little of it (needed"
                f" {100 * th.min_mass_share:.0f}%) to call the guideline ambiguous."
            )
        elif tried is not None:
            parts.append(
                "No label pair takes more of the disagreement than annotator noise puts there (the closest is"
                f" {label(tried.pair[0])!r} vs {label(tried.pair[1])!r}: {pair_figures(tried)}): disagreement is"
                " not concentrated on items."
            )
            if deviating and (tried.p_value <= 10 * th.open_alpha or rd.n_annotators - len(deviating) <= 2):
                parts.append(_open_items_short(rd, tried, deviating, th, gold_codes))
        elif enough_annotators:
            parts.append("No label pair is split more often than annotator noise predicts: disagreement is not"
                         " concentrated on items.")
    elif not conc.get("tested"):
        parts.append(
            f"Only {conc['n_items']} items have two or more values (fewer than {th.min_items}): too few to tell"
            " whether the disagreement sits on particular items."
        )

    return parts


def _explain_nobody(f: Findings, th: Thresholds) -> list[str]:
    """Nobody named (nor cleared by gold): who came closest, and what would tell."""
    rd, att, ann, verdict = f.round.rd, f.attribution, f.annotators, f.verdict
    gold_codes, enough_annotators, has_gold = f.round.gold_codes, f.round.enough_annotators, f.round.has_gold
    parts = []
    if enough_annotators and att is not None:
        e = att.errors
        i = int(np.nanargmax(np.where(np.isfinite(e.gap), e.gap, -np.inf)))
        gmax = np.nanmax(ann["alpha_change"]) if ann["alpha_change"].notna().any() else np.nan
        z = f", z = {_fmt(e.z[i], 1)}" if np.isfinite(e.z[i]) else ""
        parts.append(
            f"No annotator stands out (most often wrong by the model: {rd.annotators[i]!r},"
            f" {_pct(e.error[i])} vs {_pct(e.team[i])} for the others, {e.ratio[i]:.1f} times as often and"
            f" {_fmt(e.gap[i])} more{z}; needed {th.error_ratio:g} times, {th.error_gap:g} more and z"
            f" {th.z_min:g}; largest gain in alpha without one annotator = {_fmt(gmax, 3)}, needed {th.min_gain})."
        )
        if verdict != Verdict.DIFFUSE:  # DIFFUSE names its near misses below
            short = _short_of_z(att, ann, th)
            if short:
                parts.append(_deviant_short(rd, short, th, gold_codes))
        conflict = _who_conflict(rd, att, ann, th)
        if conflict:
            parts.append(
                f"The model and alpha point at different annotators: {conflict}. With {rd.n_annotators}"
                " annotators and this much disagreement the data do not say who deviates: "
                + ("gold values on some of the items (each one's agreement with gold), or another annotator,"
                   " would tell." if gold_codes is None else
                   "gold on more of the items, or another annotator, would tell." if (gold_codes < 0).any() else
                   "another annotator, or more items, would tell."))
    elif not has_gold:
        parts.append(
            "With two annotators and no gold, disagreement cannot be attributed to either of them, nor told"
            " apart from items the guideline leaves open: add a third annotator (on a sample of the items) or"
            " gold values."
        )
    else:
        parts.append(
            "Neither annotator agrees with gold clearly worse than the other, and with two annotators items the"
            " guideline leaves open cannot be told from noise: add a third annotator (on a sample of the items)."
        )
    return parts


def _explain_diffuse(f: Findings, th: Thresholds) -> list[str]:
    """Diffuse: what came close, or the advice for spread disagreement."""
    rd, att, ann = f.round.rd, f.attribution, f.annotators
    parts = []
    close = _near_misses(rd, att, ann, th)
    if close:
        parts.append(
            "Neither pattern is concentrated enough to act on, but the evidence is not clean: "
            + " and ".join(close) + " came close. More items, or another annotator (or gold) on the disputed"
            " items, would tell whether that is chance; until then revisit the label definitions with the team"
            " rather than retraining anyone."
        )
    else:
        parts.append(
            "Neither pattern is concentrated: the disagreement is spread evenly, as random noise or an unclear"
            " construct would spread it. Neither retraining one person nor fixing a few items will help;"
            " revisit the label definitions as a whole and calibrate the team together."
        )
    return parts



def _gold_missing(rd, items, gold_codes) -> list:
    """Those of ``items`` (names) without a gold value."""
    if gold_codes is None:
        return list(items)
    index = {item: i for i, item in enumerate(rd.items)}
    return [it for it in items if gold_codes[index[it]] < 0]


def _item_list(items, th_listed=10) -> str:
    shown = ", ".join(map(repr, items[:th_listed]))
    return shown + (", ..." if len(items) > th_listed else "")


def _what_would_confirm(rd, items, gold_codes) -> str:
    """The end of a sentence: what more data would confirm the listed open items."""
    if gold_codes is None:
        return "another annotator or gold on them would confirm."
    missing = _gold_missing(rd, items, gold_codes)
    if not missing:
        return ("gold on each of them is already in the model (on an open item the expert, too, takes either label);"
                " another annotator on them would confirm.")
    return (f"{len(missing)} of them have no gold value ({_item_list(missing)}); gold there, or another annotator,"
            " would confirm.")


def _open_items_short(rd, tried, deviating, th, gold_codes) -> str:
    """A deviation found, no open pair kept: with two annotators beside the deviant, or a pair
    that came close, say that open items are not ruled out and what would tell."""
    j, k = tried.pair
    keep = [a for a in range(rd.n_annotators) if rd.annotators[a] not in deviating]
    sub = rd.codes[keep]
    split = np.flatnonzero((sub == j).any(axis=0) & (sub == k).any(axis=0))
    items = [rd.items[i] for i in split]
    la, lb = _label(rd.categories[j]), _label(rd.categories[k])
    n_good = len(keep)
    s = (f"With {', '.join(map(repr, deviating))} set aside, {n_good} annotator{'s' if n_good != 1 else ''} remain to"
         " show items the guideline leaves open")
    s += (", too few to show them reliably" if n_good <= 2 else "")
    if tried.p_value <= 10 * th.open_alpha:
        s += (f"; the split between {la!r} and {lb!r} came close ({_p_text(tried.p_value)}), so open items there"
              " cannot be ruled out.")
    else:
        s += f" (the closest label pair, {la!r} vs {lb!r}, is at {_p_text(tried.p_value)})."
    if not items:
        return s + " More items, another annotator or gold values would tell."
    where = f"{len(items)} items where the others split between {la!r} and {lb!r} ({_item_list(items)})"
    missing = _gold_missing(rd, items, gold_codes)
    if gold_codes is None:
        return s + f" Gold values on the {where}, or another annotator on them, would tell whether they are open."
    if missing:
        return s + (f" Of the {where}, {len(missing)} have no gold value: gold there, or another annotator on them,"
                    " would tell whether they are open.")
    return s + f" Gold on the {where} is already in the model; another annotator on them, or more items, would tell."


def _short_of_z(att, ann, th) -> list:
    """Annotators who meet every condition of a deviation but the bootstrap z (not flagged)."""
    e = att.errors
    gains = ann["alpha_change"].to_numpy(dtype=float)
    short = (e.ratio >= th.error_ratio) & (e.gap >= th.error_gap) & (np.nan_to_num(gains) >= th.min_gain)
    return [int(a) for a in np.flatnonzero(short & ~e.flagged)]


def _deviant_short(rd, short, th, gold_codes) -> str:
    """Annotators short of the z only: what would tell a deviation from an unlucky sample."""
    names = ", ".join(map(repr, (rd.annotators[a] for a in short)))
    s = (f"{names} meet{'s' if len(short) == 1 else ''} every condition of a deviation but the z: with"
         f" {rd.n_items} items an error rate that high can be chance.")
    if gold_codes is None:
        return s + (" Gold values on some of the items (their agreement with gold against the others'), or more"
                    " items, would tell whether they deviate.")
    missing = int((gold_codes < 0).sum())
    if missing:
        return s + (f" Gold on more of the items ({missing} have none), or more items, would tell whether they"
                    " deviate.")
    return s + " Gold on every item did not settle it; more items would tell whether they deviate."


def _near_misses(rd, att, ann, th) -> list:
    """What fell short of a finding but not by much: a label pair at ``p <= 10 * open_alpha``,
    annotators who meet every condition but the bootstrap z."""
    out: list[str] = []
    if att is None:
        return out
    t = att.tried
    if t is not None and t.p_value <= 10 * th.open_alpha:
        out.append(f"the split between {_label(rd.categories[t.pair[0]])!r} and {_label(rd.categories[t.pair[1]])!r}"
                   f" ({_p_text(t.p_value)})")
    e = att.errors
    for a in _short_of_z(att, ann, th):
        out.append(f"{rd.annotators[a]!r}'s error rate ({_pct(e.error[a])} vs {_pct(e.team[a])},"
                   f" z = {_fmt(e.z[a], 1)})")
    if _who_conflict(rd, att, ann, th):
        out.append("an annotator (the model and alpha disagree on who, see above)")
    return out


def _who_conflict(rd, att, ann, th) -> str:
    """When nobody is flagged but the model and alpha blame different annotators: the model's
    most-wrong annotator (twice the team's rate and 0.12 more) is not the one without whom
    alpha rises by ``min_gain``. Three annotators, open items and a sloppy one can fit a model
    that takes the odd one out for the only reliable one. Empty when they agree or nothing is
    material."""
    if att is None:
        return ""
    e = att.errors
    gains = ann["alpha_change"].to_numpy(dtype=float)
    if not np.isfinite(gains).any() or e.flagged.any():
        return ""
    g = int(np.nanargmax(gains))
    m = int(np.nanargmax(np.where(np.isfinite(e.gap), e.gap, -np.inf)))
    if g == m or gains[g] < th.min_gain or not (e.ratio[m] >= th.error_ratio and e.gap[m] >= th.error_gap):
        return ""
    return (f"by the model {rd.annotators[m]!r} is most often wrong ({_pct(e.error[m])} vs {_pct(e.team[m])}), but"
            f" alpha rises most without {rd.annotators[g]!r} ({gains[g]:+.3f}; by the model they are wrong on"
            f" {_pct(e.error[g])})")
