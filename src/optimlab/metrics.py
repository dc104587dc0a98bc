"""Evaluation metrics: accuracy, R^2 and log-loss, agreeing with scikit-learn's definitions."""

from __future__ import annotations

import numpy as np

from optimlab.losses import check_labels


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of samples whose predicted label equals the true label.

    Args:
        y_true: true labels, shape ``(n,)``.
        y_pred: predicted labels, shape ``(n,)``.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    _check_pair(y_true, y_pred, "y_pred")
    if y_true.ndim != 1:
        raise ValueError(f"y_true must be 1-D labels, got shape {y_true.shape}")
    return float(np.mean(y_true == y_pred))


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination ``R^2 = 1 - sum (y - yhat)^2 / sum (y - mean(y))^2``.

    For ``(n, k)`` targets, the mean of the k per-output scores. An output whose targets
    are constant scores 1.0 if predicted exactly and 0.0 otherwise (scikit-learn's
    ``force_finite=True``).

    Args:
        y_true: true values, shape ``(n,)`` or ``(n, k)``, n >= 2.
        y_pred: predictions, same shape.
    """
    y_true = _finite_float(y_true, "y_true")
    y_pred = _finite_float(y_pred, "y_pred")
    _check_pair(y_true, y_pred, "y_pred")
    if y_true.ndim not in (1, 2) or y_true.shape[0] < 2:
        raise ValueError(f"r2_score needs n >= 2 samples in 1-D or 2-D, got {y_true.shape}")
    ss_res = np.sum((y_true - y_pred) ** 2, axis=0)
    ss_tot = np.sum((y_true - y_true.mean(axis=0)) ** 2, axis=0)
    constant = ss_tot == 0
    safe_tot = np.where(constant, 1.0, ss_tot)
    scores = np.where(constant, np.where(ss_res == 0, 1.0, 0.0), 1.0 - ss_res / safe_tot)
    return float(np.mean(scores))


def log_loss(y_true: np.ndarray, proba: np.ndarray) -> float:
    """Mean negative log-likelihood ``-(1/n) sum_i log p_i[y_i]`` of predicted probabilities.

    Probabilities are clipped to ``[eps, 1 - eps]`` (eps of their dtype), as scikit-learn does,
    so a confident wrong prediction costs a large finite amount.

    Args:
        y_true: class labels in ``0..K-1``, shape ``(n,)``.
        proba: ``P(y = 1)`` for binary problems, shape ``(n,)``; or class probabilities,
            shape ``(n, K)``, rows summing to 1.
    """
    proba = _finite_float(proba, "proba")
    if proba.ndim == 1:
        proba = np.stack([1.0 - proba, proba], axis=1)
    if proba.ndim != 2 or proba.shape[0] == 0:
        raise ValueError(f"proba must be (n,) or (n, K) with n >= 1, got shape {proba.shape}")
    labels = check_labels(y_true, proba.shape[1], "y_true")
    if labels.shape[0] != proba.shape[0]:
        raise ValueError(f"y_true has {labels.shape[0]} labels but proba has {proba.shape[0]}")
    if np.any((proba < 0) | (proba > 1)) or not np.allclose(proba.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("proba must hold probabilities in [0, 1] whose rows sum to 1")
    eps = np.finfo(proba.dtype).eps
    picked = np.clip(proba[np.arange(labels.shape[0]), labels], eps, 1 - eps)
    return float(-np.mean(np.log(picked)))


def _finite_float(a: np.ndarray, argument: str) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind not in "fiub":
        raise TypeError(f"{argument} must be numeric, got dtype {a.dtype}")
    a = a if a.dtype.kind == "f" else a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{argument} contains NaN or inf")
    return a


def _check_pair(y_true: np.ndarray, y_pred: np.ndarray, argument: str) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{argument} has shape {y_pred.shape} but y_true has {y_true.shape}")
    if y_true.size == 0:
        raise ValueError("y_true is empty; need at least one sample")
