"""A small latent-class model of annotators and items, for the calibration diagnosis.

The model is Dawid & Skene's (1979) latent-class model in its *one-coin* form, with three
extensions that the diagnosis needs:

* **Annotators.** Each item ``i`` has a latent true value ``z_i`` drawn from the prevalence
  ``f``. Annotator ``a`` gives the true value with probability ``p_a`` (their *accuracy*)
  and otherwise a wrong value ``l`` with probability ``K[z, l]``: the *error kernel*, shared
  by the team. For nominal labels the kernel is uniform over the other labels (the
  symmetric one-coin model); for ordered values and sets it decays with the level's
  distance, ``K[z, l] ~ exp(-lambda d(z, l))`` (``d`` the square root of the level's
  distance, scaled to [0, 1]), ``lambda`` fitted by maximum likelihood over a grid, so that
  a near miss is the usual error of a rating scale. So ``P(x = l | z) = E_a[z, l]`` with
  ``E_a = p_a I + (1 - p_a) K``.
* **Own confusions.** Chosen annotators (those the diagnosis flags) get a full confusion
  matrix ``E_a`` of their own instead, as in the original Dawid-Skene model, with a prior
  worth two answers per true value at the team's one-coin rates: a systematic confusion
  that one annotator has and the others do not is then theirs, not evidence about items.
* **Open items.** Optionally, items may be *open* between two labels ``(j, k)`` (the
  guideline does not decide between them). Each annotator then answers as if the true value
  were ``j`` or ``k``, at random and independently of the others:
  ``P(x = l | open) = (E_a[j, l] + E_a[k, l]) / 2``. Each open pair has its own share of
  the items. This is the item-difficulty idea of MACE-like models (Hovy et al. 2013),
  narrowed to what a guideline can leave open.
* **Anchors.** Optionally, rows whose accuracy is held fixed instead of estimated (the
  diagnosis enters an expert's gold values as one such row, at 0.95). An anchor is an
  observer like the others, one-coin with the team's kernel, and on an open item it too
  takes either label of the pair; but the fit cannot make it the one who errs, so it pins
  the clear items' true values wherever it has a value. Anchors do not enter the kernel's
  estimate or the team rate behind the own matrices' prior.

The parameters are estimated by expectation-maximisation (Dempster, Laird & Rubin 1977),
started from the items' vote shares (or from an earlier fit), with small pseudo-counts (two
right answers and one wrong per annotator, +0.5 per state) so that no estimate sits on 0 or
1. For an open item the M-step splits its mass between ``j`` and ``k`` per annotator, in
proportion to how well each explains that annotator's value. Everything is vectorised numpy
on an (annotators x items) code matrix with ``-1`` for a missing value; a fit of 80 items x
5 annotators x 5 labels takes a few milliseconds, and :func:`bootstrap_error_rates` refits
100 resamples at once.

References
----------
Dawid, A. P. & Skene, A. M. (1979). Maximum likelihood estimation of observer error-rates
using the EM algorithm. Applied Statistics 28(1), 20-28.
Dempster, A. P., Laird, N. M. & Rubin, D. B. (1977). Maximum likelihood from incomplete data
via the EM algorithm. JRSS B 39(1), 1-38.
Hovy, D., Berg-Kirkpatrick, T., Vaswani, A. & Hovy, E. (2013). Learning whom to trust with
MACE. NAACL-HLT, 1120-1130.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = ["LatentClassFit", "apply_fit", "bootstrap_error_rates", "error_kernel", "expected_confusions",
           "fit_latent_class"]

OWN_PRIOR = 2.0
LAMBDA_GRID = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)


@dataclass(frozen=True)
class LatentClassFit:
    """A fitted latent-class model (see the module notes).

    Attributes
    ----------
    accuracy : numpy.ndarray
        ``p_a`` per annotator (rows of the code matrix).
    prevalence : numpy.ndarray
        ``f``: share of the clear items with each true value (sums to 1).
    kernel : numpy.ndarray
        ``V x V`` error kernel, zero diagonal, rows summing to 1 (a row of a value that has
        no other value is all zero).
    kernel_decay : float
        ``lambda`` (0 for nominal labels).
    open_pairs : tuple of (int, int)
        Label-code pairs items may be open between (empty: no open class).
    open_share : numpy.ndarray
        Share of the items open between each pair (same order).
    own_confusion : tuple of int
        Annotators with a confusion matrix of their own.
    emissions : numpy.ndarray
        ``(annotators, V, V)``: P(value | true value) of each annotator.
    posterior : numpy.ndarray
        ``(items, V + len(open_pairs))``: probability of each item's state, first the true
        values of a clear item, then each open pair.
    item_errors : numpy.ndarray
        ``(annotators, items)``: posterior probability that the value is not what the
        annotator answered as true (for a clear item its true value; for an open item the
        label of its pair they took it for, so a value outside the pair is an error); NaN
        where missing. Its row means are close to ``1 - accuracy`` (the M-step's estimate,
        less its pseudo-counts).
    loglik : float
        Log-likelihood at the estimate.
    iterations : int
    converged : bool
    fixed_accuracy : tuple of (int, float)
        Rows whose accuracy was held fixed (an *anchor*, e.g. an expert's gold values), with it.
    """

    accuracy: np.ndarray
    prevalence: np.ndarray
    kernel: np.ndarray
    kernel_decay: float
    open_pairs: tuple
    open_share: np.ndarray
    own_confusion: tuple
    emissions: np.ndarray
    posterior: np.ndarray
    item_errors: np.ndarray
    loglik: float
    iterations: int
    converged: bool
    fixed_accuracy: tuple = ()

    @property
    def error_rate(self) -> np.ndarray:
        """``1 - p_a``: how often each annotator gives a value other than the item's own
        (for an annotator with their own matrix: prevalence-weighted off-diagonal mass)."""
        return 1.0 - self.accuracy

    @property
    def open_posterior(self) -> np.ndarray:
        """Probability that each item is open (any pair)."""
        v = len(self.prevalence)
        return self.posterior[:, v:].sum(axis=1)


def error_kernel(distance: np.ndarray, decay: float) -> np.ndarray:
    """Row-normalised ``exp(-decay * d)`` off the diagonal, ``d`` the distance scaled to [0, 1].

    >>> error_kernel(np.array([[0, 1, 4], [1, 0, 1], [4, 1, 0.]]), 0.0).round(2)
    array([[0. , 0.5, 0.5],
           [0.5, 0. , 0.5],
           [0.5, 0.5, 0. ]])
    """
    d = np.sqrt(np.clip(np.asarray(distance, dtype=float), 0, None))
    top = d.max()
    if top > 0:
        d = d / top
    w = np.exp(-decay * d)
    np.fill_diagonal(w, 0.0)
    s = w.sum(axis=1, keepdims=True)
    return np.divide(w, s, out=np.zeros_like(w), where=s > 0)


def _emission_matrices(p: np.ndarray, kernel: np.ndarray, own: dict) -> np.ndarray:
    """P(value | true value) per annotator, ``(annotators, V, V)``: one-coin, or their own matrix."""
    v = kernel.shape[0]
    e = (1.0 - p)[:, None, None] * kernel[None, :, :]
    idx = np.arange(v)
    e[:, idx, idx] = p[:, None]
    for a, matrix in own.items():
        e[a] = matrix
    return e


def _state_loglik(onehot: np.ndarray, emis: np.ndarray, pairs: tuple) -> np.ndarray:
    """``(items, states)``: sum over the annotators present of log P(value | state).

    ``onehot`` is ``(annotators, items, V)`` (all zero where missing). An open item's value
    is drawn as if its true value were either label of its pair, at random:
    ``(E[j, x] + E[k, x]) / 2``.
    """
    log_e = np.log(np.maximum(emis, 1e-300))
    out = np.einsum("aiv,azv->iz", onehot, log_e)
    if pairs:
        j = np.array([p[0] for p in pairs])
        k = np.array([p[1] for p in pairs])
        log_open = np.log(np.maximum(0.5 * (emis[:, j, :] + emis[:, k, :]), 1e-300))  # (a, M, V)
        out = np.concatenate([out, np.einsum("aiv,amv->im", onehot, log_open)], axis=1)
    return out


def _answered_as(q: np.ndarray, onehot: np.ndarray, emis: np.ndarray, pairs: tuple) -> np.ndarray:
    """``(annotators, items, V)``: posterior of the true value each annotator answered *as if*
    true. A clear item's is its posterior; an open item's mass goes to the label of its pair
    that better explains the annotator's value."""
    v = emis.shape[1]
    t = np.broadcast_to(q[None, :, :v], onehot.shape[:2] + (v,)).copy()
    for m, (j, k) in enumerate(pairs):
        wj = onehot @ np.ascontiguousarray(emis[:, j, :])[:, :, None]  # (a, i, 1)
        wk = onehot @ np.ascontiguousarray(emis[:, k, :])[:, :, None]
        tot = np.maximum(wj + wk, 1e-300)
        t[:, :, j] += q[None, :, v + m] * (wj / tot)[:, :, 0]
        t[:, :, k] += q[None, :, v + m] * (wk / tot)[:, :, 0]
    return t


def _item_errors(q, onehot, emis, pairs, present) -> np.ndarray:
    t = _answered_as(q, onehot, emis, pairs)
    return np.where(present, 1.0 - np.einsum("aiv,aiv->ai", t, onehot), np.nan)


def expected_confusions(codes: np.ndarray, fit: LatentClassFit) -> np.ndarray:
    """``(annotators, V, V)``: expected counts of (value answered as true, value given) per row
    of ``codes`` at the fit (for an open item, the label of its pair the value is read as).

    >>> codes = np.array([[0, 1, 2, 0] * 10, [0, 1, 2, 0] * 10, [0, 1, 2, 1] * 10])
    >>> expected_confusions(codes, fit_latent_class(codes, 3))[2].round()
    array([[10., 10.,  0.],
           [ 0., 10.,  0.],
           [ 0.,  0., 10.]])
    """
    codes = np.asarray(codes)
    v = len(fit.prevalence)
    onehot = (codes[:, :, None] == np.arange(v)[None, None, :]).astype(float)
    t = _answered_as(fit.posterior, onehot, fit.emissions, fit.open_pairs)
    return np.einsum("aiz,aiv->azv", t, onehot)


def apply_fit(codes: np.ndarray, fit: LatentClassFit) -> LatentClassFit:
    """The fit with its item posterior and errors recomputed for ``codes`` (the same annotators,
    any items) at the fitted parameters: one E-step. Used to fit on a sample of a large round
    and read every item.

    >>> codes = np.array([[0, 1, 2, 0] * 10, [0, 1, 2, 0] * 10, [0, 1, 2, 0, 1, 2, 0, 1] * 5])
    >>> fit = fit_latent_class(codes[:, :20], 3)
    >>> apply_fit(codes, fit).posterior.shape
    (40, 3)
    """
    codes = np.asarray(codes)
    v = len(fit.prevalence)
    onehot = (codes[:, :, None] == np.arange(v)[None, None, :]).astype(float)
    prior = np.concatenate([fit.prevalence * (1.0 - fit.open_share.sum()), fit.open_share])
    ll = _state_loglik(onehot, fit.emissions, fit.open_pairs) + np.log(np.maximum(prior, 1e-300))[None, :]
    ll -= ll.max(axis=1, keepdims=True)
    q = np.exp(ll)
    q /= q.sum(axis=1, keepdims=True)
    errors = _item_errors(q, onehot, fit.emissions, fit.open_pairs, codes >= 0)
    return replace(fit, posterior=q, item_errors=errors)


def fit_latent_class(
    codes: np.ndarray,
    n_values: int,
    *,
    distance: np.ndarray | None = None,
    open_pairs: tuple = (),
    own_confusion: tuple = (),
    fixed_accuracy: dict | None = None,
    start: LatentClassFit | None = None,
    max_iter: int = 300,
    tol: float = 1e-6,
) -> LatentClassFit:
    """Fit the model to an (annotators x items) code matrix (``-1`` = missing).

    Parameters
    ----------
    codes : numpy.ndarray
        Integer codes ``0 .. n_values - 1``, ``-1`` for a missing value.
    n_values : int
        Number of distinct values ``V``.
    distance : numpy.ndarray, optional
        ``V x V`` level distance; None (or all off-diagonal distances equal) gives the
        uniform kernel of nominal labels.
    open_pairs : tuple of (int, int)
        Pairs items may be open between.
    own_confusion : tuple of int
        Annotators (rows) who get a confusion matrix of their own, as in Dawid & Skene
        (1979), instead of the one-coin accuracy and the team's kernel: their systematic
        confusions are then theirs, not evidence about the items. Each row of their matrix
        has a prior worth two answers at the team's one-coin rates.
    fixed_accuracy : dict of int -> float, optional
        Rows whose accuracy is held at the given value instead of estimated (one-coin, the
        team's kernel): an *anchor* such as an expert's gold values, entered as one more
        row. An anchor is an observer like the others (on an open item they too take either
        label of the pair at random), but the fit cannot make them the one who errs. Anchors
        do not enter the kernel's or the own matrices' team rates.
    start : LatentClassFit, optional
        A fit of the same data to start from (its item posterior, with a little mass moved
        to each open pair); by default the items' vote shares.
    max_iter, tol
        EM stops when the log-likelihood changes by less than ``tol`` (relative).

    Examples
    --------
    Three annotators, the third wrong on every other item:

    >>> codes = np.array([[0, 1, 2, 0] * 10, [0, 1, 2, 0] * 10, [0, 1, 2, 0, 1, 2, 0, 1] * 5])
    >>> fit = fit_latent_class(codes, 3)
    >>> fit.error_rate.round(2)
    array([0.02, 0.02, 0.49])
    """
    codes = np.asarray(codes)
    n, n_items = codes.shape
    v = int(n_values)
    pairs = tuple((int(j), int(k)) for j, k in open_pairs)
    own_set = tuple(sorted({int(a) for a in own_confusion}))
    fixed = _fixed_rows(fixed_accuracy, n, own_set)
    one_coin = np.array([a not in own_set for a in range(n)])
    learner = one_coin & ~np.isin(np.arange(n), [a for a, _ in fixed])
    s = v + len(pairs)
    present = codes >= 0
    n_a = present.sum(axis=1)
    onehot = (codes[:, :, None] == np.arange(v)[None, None, :]).astype(float)  # zero where missing
    counts = onehot.sum(axis=0)  # (items, V)

    dist = np.asarray(distance, dtype=float) if distance is not None else None
    graded = dist is not None and v > 2 and np.ptp(dist[~np.eye(v, dtype=bool)]) > 1e-12
    grid = LAMBDA_GRID if graded else (0.0,)
    base = dist if dist is not None else 1.0 - np.eye(v)
    kernels = np.stack([error_kernel(base, lam) for lam in grid])
    log_kernels = np.log(np.maximum(kernels, 1e-300))
    kernel, decay = kernels[0], grid[0]

    q = np.zeros((n_items, s))
    if start is not None:
        q0 = start.posterior[:, :v]
        q[:, :v] = q0 / np.maximum(q0.sum(axis=1, keepdims=True), 1e-300)
        for m_, pair in enumerate(pairs):
            q[:, v + m_] = start.posterior[:, v + start.open_pairs.index(pair)] if pair in start.open_pairs else 0.0
    else:
        m = counts.sum(axis=1, keepdims=True)
        q[:, :v] = np.divide(counts, m, out=np.full_like(counts, 1.0 / v), where=m > 0)
    if pairs:
        fresh = [v + m_ for m_, pair in enumerate(pairs) if start is None or pair not in start.open_pairs]
        if fresh:
            q[:, :v] *= 0.9
            q[:, fresh] += 0.1 / len(fresh)
        q /= q.sum(axis=1, keepdims=True)
    idx = np.arange(v)
    emis = np.zeros((n, v, v))
    emis[:, idx, idx] = 0.8
    emis += 0.2 * kernel[None]
    p = np.full(n, 0.8)
    loglik_old = loglik = -np.inf
    converged = False
    it = 0
    state_prior = np.full(s, 1.0 / s)
    for it in range(1, max_iter + 1):  # noqa: B007 (read after the loop)
        # ---- M-step: state shares, accuracies (or own matrices), kernel decay
        weight = q.sum(axis=0) + 0.5
        state_prior = weight / weight.sum()
        t = _answered_as(q, onehot, emis, pairs)
        tables = np.einsum("aiz,aiv->azv", t, onehot)  # expected (true value, value) counts
        agree = np.einsum("azz->a", tables)
        p = (agree + 2.0) / (n_a + 3.0)
        for a, acc in fixed:
            p[a] = acc
        if len(grid) > 1:
            wrong = tables[learner].sum(axis=0)
            wrong[idx, idx] = 0.0
            best = int(np.argmax(np.einsum("zv,gzv->g", wrong, log_kernels)))
            kernel, decay = kernels[best], grid[best]
        emis = (1.0 - p)[:, None, None] * kernel[None, :, :]
        emis[:, idx, idx] = p[:, None]
        if own_set:
            team_p = float(np.mean(p[learner])) if learner.any() else float(np.mean(p))
            prior = OWN_PRIOR * (team_p * np.eye(v) + (1.0 - team_p) * kernel)
            prev = state_prior[:v] / state_prior[:v].sum()
            for a in own_set:
                mat = tables[a] + prior
                emis[a] = mat / mat.sum(axis=1, keepdims=True)
                p[a] = float(np.diag(emis[a]) @ prev)
        # ---- E-step
        ll = _state_loglik(onehot, emis, pairs) + np.log(state_prior)[None, :]
        top = ll.max(axis=1, keepdims=True)
        w = np.exp(ll - top)
        tot = w.sum(axis=1, keepdims=True)
        q = w / tot
        loglik = float((np.log(tot) + top).sum())
        if abs(loglik - loglik_old) < tol * max(1.0, abs(loglik)):
            converged = True
            break
        loglik_old = loglik
    prev = state_prior[:v] / state_prior[:v].sum()
    errors = _item_errors(q, onehot, emis, pairs, present)
    return LatentClassFit(
        accuracy=p,
        prevalence=prev,
        kernel=kernel,
        kernel_decay=float(decay),
        open_pairs=pairs,
        open_share=(state_prior[v:] if pairs else np.zeros(0)),
        own_confusion=own_set,
        emissions=emis,
        posterior=q,
        item_errors=errors,
        loglik=loglik,
        iterations=it,
        converged=converged,
        fixed_accuracy=fixed,
    )


def _fixed_rows(fixed_accuracy, n: int, own: tuple) -> tuple:
    """``((row, accuracy), ...)`` sorted, checked: rows in range, not own-matrix rows, 0 < p < 1."""
    out = []
    for a, acc in sorted((fixed_accuracy or {}).items()):
        a, acc = int(a), float(acc)
        if not 0 <= a < n or a in own or not 0.0 < acc < 1.0:
            raise ValueError(f"fixed_accuracy: row {a} with accuracy {acc} (rows 0..{n - 1}, not own-matrix rows,"
                             " accuracy in (0, 1))")
        out.append((a, acc))
    return tuple(out)


def bootstrap_error_rates(codes: np.ndarray, fit: LatentClassFit, weights: np.ndarray, *, iterations: int = 10,
                          max_cells: int = 2_000_000) -> np.ndarray:
    """Error rates ``1 - p_a`` refitted on bootstrap resamples of the items: ``(draws, annotators)``.

    ``weights`` is ``(draws, items)``: how many times each item is drawn in each resample
    (multinomial counts). Each resample is refitted by ``iterations`` steps of weighted EM
    started from ``fit``, all resamples at once (arrays ``(draws, annotators, V, V)``), with
    the fit's structure (open pairs, own matrices) and kernel held fixed. Refitting matters:
    with three annotators each one's values weigh a third of every item's posterior, so a
    bootstrap that kept the posterior fixed would understate how uncertain an error rate is.
    An error is as in :attr:`LatentClassFit.item_errors`; its weighted mean is the rate.
    Resamples are processed in chunks of at most ``max_cells`` array cells (memory).

    Examples
    --------
    >>> codes = np.array([[0, 1, 2, 0] * 10, [0, 1, 2, 0] * 10, [0, 1, 2, 0, 1, 2, 0, 1] * 5])
    >>> fit = fit_latent_class(codes, 3)
    >>> w = np.random.default_rng(0).multinomial(40, np.full(40, 1 / 40), size=50).astype(float)
    >>> bootstrap_error_rates(codes, fit, w).mean(axis=0).round(1)
    array([0. , 0. , 0.5])
    """
    codes = np.asarray(codes)
    w = np.asarray(weights, dtype=float)
    n, n_items = codes.shape
    v = len(fit.prevalence)
    chunk = max(1, int(max_cells // max(1, n * n_items * (v + len(fit.open_pairs)))))
    if w.shape[0] > chunk:
        return np.concatenate([bootstrap_error_rates(codes, fit, w[lo:lo + chunk], iterations=iterations,
                                                     max_cells=max_cells) for lo in range(0, w.shape[0], chunk)])
    pairs = fit.open_pairs
    present = codes >= 0
    onehot = (codes[:, :, None] == np.arange(v)[None, None, :]).astype(float)  # (a, i, V)
    n_a = w @ present.T.astype(float)  # (B, a)
    one_coin = np.array([a not in fit.own_confusion for a in range(n)])
    learner = one_coin & ~np.isin(np.arange(n), [a for a, _ in fit.fixed_accuracy])
    idx = np.arange(v)
    draws = w.shape[0]
    emis = np.broadcast_to(fit.emissions, (draws,) + fit.emissions.shape).copy()  # (B, a, V, V)
    q = np.broadcast_to(fit.posterior, (draws,) + fit.posterior.shape).copy()  # (B, i, S)
    j = np.array([p[0] for p in pairs], dtype=np.intp)
    k = np.array([p[1] for p in pairs], dtype=np.intp)

    def value_loglik(log_rows):  # (B, a, R, V) -> (B, i, R): sum over annotators of log P(value | row)
        return (onehot[None] @ log_rows.transpose(0, 1, 3, 2)).sum(axis=1)

    def pair_weights(emis):  # per open pair: P(value | j) / (P(value | j) + P(value | k)), (B, a, i, M)
        wj = onehot[None] @ emis[:, :, j, :].transpose(0, 1, 3, 2)
        wk = onehot[None] @ emis[:, :, k, :].transpose(0, 1, 3, 2)
        return wj / np.maximum(wj + wk, 1e-300)

    def tables_of(q, emis):  # weighted expected (true value, value) counts per annotator: (B, a, V, V)
        qw = (q[:, :, :v] * w[:, :, None]).transpose(0, 2, 1)[:, None]  # (B, 1, V, i)
        tables = qw @ onehot[None]
        if pairs:
            share_j = pair_weights(emis)
            for m_ in range(len(pairs)):
                mass = (q[:, :, v + m_] * w)[:, None, :]  # (B, 1, i)
                to_j = (mass * share_j[..., m_])[:, :, None, :]  # (B, a, 1, i)
                to_k = (mass * (1.0 - share_j[..., m_]))[:, :, None, :]
                tables[:, :, j[m_], :] += (to_j @ onehot[None])[:, :, 0, :]
                tables[:, :, k[m_], :] += (to_k @ onehot[None])[:, :, 0, :]
        return tables

    for _ in range(iterations):
        weight = (w[:, :, None] * q).sum(axis=1) + 0.5
        prior = weight / weight.sum(axis=1, keepdims=True)
        tables = tables_of(q, emis)
        agree = np.trace(tables, axis1=2, axis2=3)
        p = (agree + 2.0) / (n_a + 3.0)
        for a, acc in fit.fixed_accuracy:
            p[:, a] = acc
        new = (1.0 - p)[:, :, None, None] * fit.kernel[None, None]
        new[:, :, idx, idx] = p[:, :, None]
        if fit.own_confusion:
            team_p = p[:, learner].mean(axis=1) if learner.any() else p.mean(axis=1)
            base = team_p[:, None, None] * np.eye(v) + (1.0 - team_p)[:, None, None] * fit.kernel[None]
            for a in fit.own_confusion:
                mat = tables[:, a] + OWN_PRIOR * base
                new[:, a] = mat / mat.sum(axis=2, keepdims=True)
        emis = new
        ll = value_loglik(np.log(np.maximum(emis, 1e-300)))  # (B, i, V)
        if pairs:
            open_rows = np.log(np.maximum(0.5 * (emis[:, :, j, :] + emis[:, :, k, :]), 1e-300))
            ll = np.concatenate([ll, value_loglik(open_rows)], axis=2)
        ll += np.log(prior)[:, None, :]
        ll -= ll.max(axis=2, keepdims=True)
        q = np.exp(ll)
        q /= q.sum(axis=2, keepdims=True)
    # error of each present value: 1 - posterior that the value is what the annotator answered as true
    right = (q[:, None, :, :v] * onehot[None]).sum(axis=3)  # (B, a, i)
    if pairs:
        share_j = pair_weights(emis)
        for m_ in range(len(pairs)):
            on_j = onehot[None, :, :, j[m_]]
            on_k = onehot[None, :, :, k[m_]]
            right += q[:, None, :, v + m_] * (share_j[..., m_] * on_j + (1.0 - share_j[..., m_]) * on_k)
    num = (((1.0 - right) * present[None]) * w[:, None, :]).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / n_a
