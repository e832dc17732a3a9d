"""Seeded simulated annotators, for testing and benchmarking the drift analytics.

Three behaviours cover what :mod:`workbench.analytics.drift` must tell apart:

* a **stable** annotator answers correctly with a fixed probability;
* a **dropping** annotator loses ``drop`` accuracy (for example 15 points) from a known item on;
* a **shifting** annotator slowly drifts toward one label: the chance of answering that label
  whatever the truth grows linearly from 0 to ``shift_max`` over the run.

A wrong answer is uniform over the other labels. Everything is vectorised with numpy and
driven by one ``numpy.random.Generator`` seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analytics.reliability import check_seed
from workbench.errors import BadInput

__all__ = ["SimulatedAnnotator", "SimulatedData", "simulate_annotations", "simulate_gold_stream"]


@dataclass(frozen=True)
class SimulatedAnnotator:
    """How one simulated annotator behaves.

    Attributes
    ----------
    name : str
    accuracy : float
        Probability of the correct answer before any change.
    drop : float
        Accuracy lost from item ``change_at`` on (0.15 = 15 points).
    change_at : int, optional
        Index of the first item (in time order) answered with the lower accuracy.
    shift_label : hashable, optional
        Label the annotator drifts toward.
    shift_max : float
        Probability, at the last item, of answering ``shift_label`` whatever the truth; it
        grows linearly from 0 at the first item.
    """

    name: str
    accuracy: float = 0.9
    drop: float = 0.0
    change_at: int | None = None
    shift_label: object = None
    shift_max: float = 0.0


@dataclass(frozen=True)
class SimulatedData:
    """A simulated labels table (tidy, see :mod:`workbench.analytics.drift`) and its gold table."""

    labels: pd.DataFrame
    gold: pd.DataFrame
    truth: pd.DataFrame


def simulate_annotations(
    annotators,
    *,
    n_items: int = 1000,
    labels=("A", "B", "C"),
    label_probs=None,
    gold_fraction: float = 1.0,
    question: str = "label",
    start="2024-01-01",
    step="1h",
    version_changes=(),
    round_size: int = 50,
    seed: int = 0,
) -> SimulatedData:
    """Every annotator labels every item, items in time order, one question.

    Parameters
    ----------
    annotators : sequence of SimulatedAnnotator
    n_items : int
        Items, labelled in order; item ``i`` is labelled at ``start + i * step`` (plus a few
        seconds per annotator, so times differ).
    labels : sequence
        The label set; true labels are drawn with ``label_probs`` (uniform by default).
    gold_fraction : float
        Share of items that are gold (chosen at random); all items are in ``truth``.
    version_changes : sequence of int
        Item indices where the guideline version goes up (``v1``, ``v2``, ...).
    round_size : int
        Items per round (``round = i // round_size``).
    seed : int

    Returns
    -------
    SimulatedData

    Examples
    --------
    >>> sim = simulate_annotations([SimulatedAnnotator("a", accuracy=1.0)], n_items=5, seed=1)
    >>> bool((sim.labels["value"].to_numpy() == sim.truth["value"].to_numpy()).all())
    True
    """
    annotators = list(annotators)
    if not annotators:
        raise BadInput("simulate_annotations needs at least one annotator")
    k = len(labels)
    if k < 2:
        raise BadInput(f"labels needs at least two labels, got {labels!r}")
    rng = np.random.default_rng(check_seed(seed))
    n = int(n_items)
    truth = rng.choice(k, size=n, p=label_probs)
    i = np.arange(n)
    version = np.searchsorted(np.sort(np.asarray(version_changes, dtype=np.int64)), i, side="right")
    t0 = pd.Timestamp(start)
    step = pd.Timedelta(step)
    label_arr = np.asarray(labels, dtype=object)
    frames = []
    for j, ann in enumerate(annotators):
        if not (0 <= ann.accuracy <= 1 and 0 <= ann.accuracy - ann.drop <= 1):
            raise BadInput(f"annotator {ann.name!r}: accuracy {ann.accuracy!r} minus drop {ann.drop!r} is not a probability")
        acc = np.full(n, ann.accuracy)
        if ann.change_at is not None and ann.drop:
            acc[ann.change_at:] -= ann.drop
        correct = rng.random(n) < acc
        wrong = (truth + rng.integers(1, k, size=n)) % k
        code = np.where(correct, truth, wrong)
        if ann.shift_label is not None and ann.shift_max > 0:
            target = list(labels).index(ann.shift_label)
            p_shift = ann.shift_max * i / max(n - 1, 1)
            code = np.where(rng.random(n) < p_shift, target, code)
        frames.append(pd.DataFrame({
            "item": i,
            "annotator": ann.name,
            "question": question,
            "value": label_arr[code],
            "time": t0 + step * i + pd.Timedelta(seconds=j),
            "round": i // int(round_size),
            "guideline_version": np.char.add("v", (version + 1).astype(str)),
        }))
    labels_df = pd.concat(frames, ignore_index=True)
    truth_df = pd.DataFrame({"item": i, "question": question, "value": label_arr[truth]})
    is_gold = rng.random(n) < gold_fraction
    return SimulatedData(labels=labels_df, gold=truth_df.loc[is_gold].reset_index(drop=True), truth=truth_df)


def simulate_gold_stream(
    n: int,
    accuracy: float,
    *,
    drop: float = 0.0,
    change_at: int | None = None,
    replicates: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Bernoulli "agreed with gold" indicators (1 = agreed), optionally with a drop at ``change_at``.

    Returns an ``int8`` array of shape ``(n,)``, or ``(replicates, n)``.

    Examples
    --------
    >>> x = simulate_gold_stream(200_000, 0.9, drop=0.15, change_at=100_000, seed=3)
    >>> round(float(x[:100_000].mean()), 2), round(float(x[100_000:].mean()), 2)
    (0.9, 0.75)
    """
    rng = np.random.default_rng(check_seed(seed))
    shape = (int(n),) if replicates is None else (int(replicates), int(n))
    p = np.full(int(n), float(accuracy))
    if change_at is not None and drop:
        p[int(change_at):] -= drop
    return (rng.random(shape) < p).astype(np.int8)
