"""Facts about a run's training data that the diagnosis weighs: the features' and the
target's scale, constant features, and what a linear model and a nearest-neighbour rule
can reach on it (how much the data rewards a non-linear model)."""

from __future__ import annotations

import warnings

import numpy as np
from threadpoolctl import threadpool_limits

#: At most this many training rows enter the nearest-neighbour probe (a fixed random subset).
PROBE_ROWS = 1000
#: Neighbours of the nearest-neighbour probe.
NEIGHBOURS = 10
#: The linear probe's penalty when the run has none: scikit-learn's C (weak: ~no penalty).
UNPENALISED_C = 1e6


def constant_columns(X: np.ndarray) -> np.ndarray:
    """Indices of the columns whose every value is equal."""
    return np.flatnonzero(X.min(axis=0) == X.max(axis=0)) if X.size else np.array([], int)


def feature_rms(X: np.ndarray) -> tuple[float, float] | None:
    """The smallest and largest root-mean-square ``sqrt(mean_i x_ij^2)`` over the
    non-constant columns (the scale an optimizer sees, offset included); None if none."""
    varying = np.setdiff1d(np.arange(X.shape[1]), constant_columns(X))
    if varying.size == 0:
        return None
    rms = np.sqrt(np.mean(np.square(X[:, varying], dtype=np.float64), axis=0))
    return float(rms.min()), float(rms.max())


def linear_best_metric(X: np.ndarray, y: np.ndarray, task: str, l2: float) -> float:
    """The training metric (accuracy, or R^2 for regression) of the best linear model of the
    task on ``(X, y)`` with the run's L2 penalty, fitted to convergence by scikit-learn.

    optimlab's losses are means plus ``l2 / 2 ||W||^2``; scikit-learn's logistic loss is
    ``C`` times a sum plus ``1/2 ||w||^2`` and ridge's a sum plus ``alpha ||w||^2``, so the
    same objective has ``C = 1 / (n l2)`` and ``alpha = n l2 / 2``. Without a penalty the
    features are standardised first (the same model class, better conditioned for the
    solver).
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression, Ridge

    n = X.shape[0]
    if l2 == 0:
        X = _standardised(X)
    if task == "regression":
        estimator = Ridge(alpha=n * l2 / 2.0)
    else:
        c = UNPENALISED_C if l2 == 0 else 1.0 / (n * l2)
        estimator = LogisticRegression(C=c, max_iter=500)
    # one BLAS thread: these matrices are small, and on a busy machine more threads wait
    # for each other far longer than they compute (10-100x slower, measured)
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
        return float(estimator.score(X, y))


def neighbour_metric(X: np.ndarray, y: np.ndarray, task: str) -> float:
    """Leave-one-out metric of a ``NEIGHBOURS``-nearest-neighbour rule on standardised
    features (majority vote, or the neighbours' mean for regression), on at most
    ``PROBE_ROWS`` rows: what a flexible, non-linear model can reach on unseen points."""
    rng = np.random.default_rng(0)
    if X.shape[0] > PROBE_ROWS:
        keep = rng.choice(X.shape[0], PROBE_ROWS, replace=False)
        X, y = X[keep], y[keep]
    Z = _standardised(X)
    squared = np.sum(Z * Z, axis=1)
    with threadpool_limits(1):  # see linear_best_metric
        distance = squared[:, None] + squared[None, :] - 2.0 * Z @ Z.T
    np.fill_diagonal(distance, np.inf)  # leave each point out of its own neighbours
    k = min(NEIGHBOURS, X.shape[0] - 1)
    nearest = np.argpartition(distance, k - 1, axis=1)[:, :k]
    if task == "regression":
        target = np.asarray(y, dtype=np.float64).reshape(len(y), -1)[:, 0]
        predicted = target[nearest].mean(axis=1)
        total = np.sum((target - target.mean()) ** 2)
        return float(1.0 - np.sum((target - predicted) ** 2) / total) if total > 0 else 0.0
    labels = np.asarray(y).astype(np.int64).reshape(len(y))
    votes = np.zeros((labels.size, labels.max() + 1))
    np.add.at(votes, (np.repeat(np.arange(labels.size), k), labels[nearest].ravel()), 1.0)
    return float(np.mean(votes.argmax(axis=1) == labels))


def _standardised(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    spread = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
