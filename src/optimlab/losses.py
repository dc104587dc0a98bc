"""Losses on predictions or logits, in numerically stable form, with their gradients.

Every loss returns ``(loss, grad)``: the loss as a Python float and its gradient with
respect to the predictions (MSE) or the logits (the cross-entropies), same shape and dtype
as those. Conventions:

- ``reduction="mean"`` (default) averages the per-sample loss over the ``n`` samples (rows);
  ``reduction="sum"`` adds them. Yadav 2025 writes the squared error and the cross-entropy
  as sums over samples; its practicals, Goodfellow et al.'s algorithms and this library's models use
  the mean, so that the learning rate does not depend on the batch size.
- A per-sample loss adds over its outputs or classes (the usual task/loss table), so for one
  output ``mse`` is ``mean_i (yhat_i - y_i)^2``, exactly the practicals' MSE.
- MSE is unhalved by default (``half=False``, gradient ``2 (yhat - y) / n``); ``half=True``
  gives the textbook ``1/2 sum_k (yhat_k - y_k)^2`` per sample (gradient ``(yhat - y) / n``).

The cross-entropies never form ``log(sigmoid(z))`` or ``log(softmax(z))`` directly; they use
``log(1 + e^z) = logaddexp(0, z)`` and ``log_softmax(z) = z - logsumexp(z)``, so logits of
+-1000 give finite, exact losses and gradients.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import special

Reduction = Literal["mean", "sum"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + e^-z)``, without overflow for any ``z``; keeps its dtype.

    Computed by `scipy.special.expit`, which never evaluates ``e^-z`` for large negative ``z``.
    """
    return special.expit(_as_float(z, "z"))


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log softmax(z) = z - max(z) - log(sum(exp(z - max(z))))`` along ``axis``."""
    z = _as_float(z, "z")
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """``softmax(z)_k = exp(z_k - max(z)) / sum_j exp(z_j - max(z))`` along ``axis``."""
    z = _as_float(z, "z")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def mse(
    pred: np.ndarray, target: np.ndarray, *, reduction: Reduction = "mean", half: bool = False
) -> tuple[float, np.ndarray]:
    """Squared error ``L = c * sum_i sum_k (pred_ik - target_ik)^2`` (``/ n`` for the mean).

    ``c = 1`` by default (the practicals' MSE) or ``c = 1/2`` with ``half=True`` (the textbook's).

    Args:
        pred: predictions, shape ``(n,)`` (one output) or ``(n, k)``.
        target: targets, same shape as ``pred``.
        reduction: ``"mean"`` over the n samples (default) or ``"sum"``.
        half: use ``c = 1/2`` instead of 1.

    Returns:
        ``(loss, dL/dpred)`` with ``dL/dpred = 2c (pred - target)`` (``/ n`` for the mean).
    """
    pred = _as_float(pred, "pred")
    target = _as_float(target, "target", pred.dtype)
    _check_same_shape(pred, target, "pred")
    _check_finite(target, "target")
    n = _check_reduction(reduction, pred)
    return unchecked_mse(pred, target, n if reduction == "mean" else 1, 0.5 if half else 1.0)


def binary_cross_entropy_with_logits(
    logits: np.ndarray, target: np.ndarray, *, reduction: Reduction = "mean"
) -> tuple[float, np.ndarray]:
    """Binary cross-entropy of ``sigmoid(logits)`` against targets in [0, 1].

    Per element ``-y log s(z) - (1 - y) log(1 - s(z)) = log(1 + e^z) - y z``, computed as
    ``logaddexp(0, z) - y z``; the gradient is ``s(z) - y`` (``/ n`` for the mean, with
    ``n = len(logits)``).

    Args:
        logits: ``z``, shape ``(n,)`` or ``(n, k)`` (k independent binary outputs).
        target: ``y``, same shape, values in [0, 1] (usually the labels 0 and 1).
        reduction: ``"mean"`` over the n samples (default) or ``"sum"``.

    Returns:
        ``(loss, dL/dlogits)``.
    """
    logits = _as_float(logits, "logits")
    target = _as_float(target, "target", logits.dtype)
    _check_same_shape(logits, target, "logits")
    _check_finite(target, "target")
    if np.any((target < 0) | (target > 1)):
        raise ValueError("target must lie in [0, 1] (binary labels 0/1 or probabilities)")
    n = _check_reduction(reduction, logits)
    return unchecked_bce(logits, target, n if reduction == "mean" else 1)


def cross_entropy_with_logits(
    logits: np.ndarray, target: np.ndarray, *, reduction: Reduction = "mean"
) -> tuple[float, np.ndarray]:
    """Categorical cross-entropy of ``softmax(logits)`` against class labels.

    Per sample ``-sum_k y_k log softmax(z)_k``, with ``log softmax`` computed by log-sum-exp;
    the gradient is ``softmax(z) - y`` (``/ n`` for the mean).

    Args:
        logits: ``z``, shape ``(n, K)``.
        target: integer class labels in ``0..K-1``, shape ``(n,)`` (any numeric dtype with
            integer values), or one-hot / probability rows, shape ``(n, K)``, each row
            non-negative and summing to 1.
        reduction: ``"mean"`` over the n samples (default) or ``"sum"``.

    Returns:
        ``(loss, dL/dlogits)``.
    """
    logits = _as_float(logits, "logits")
    if logits.ndim != 2:
        raise ValueError(f"logits must be 2-D (n_samples, n_classes), got shape {logits.shape}")
    target = np.asarray(target)
    n = _check_reduction(reduction, logits)
    scale = n if reduction == "mean" else 1
    if target.ndim == 1:
        if target.shape[0] != logits.shape[0]:
            raise ValueError(
                f"target has {target.shape[0]} labels but logits has {logits.shape[0]} rows"
            )
        return unchecked_cross_entropy(logits, check_labels(target, logits.shape[1]), scale)
    target = _as_float(target, "target", logits.dtype)
    _check_same_shape(logits, target, "logits")
    _check_finite(target, "target")
    if np.any(target < 0) or not np.allclose(target.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(
            "2-D target rows must be one-hot or probabilities (non-negative, summing to 1); "
            "pass integer class labels as a 1-D array instead"
        )
    return unchecked_cross_entropy_probs(logits, target, scale)


def check_labels(y: np.ndarray, n_classes: int, argument: str = "target") -> np.ndarray:
    """Return 1-D class labels as ``intp`` after checking they are integers in ``0..K-1``."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{argument} must be 1-D class labels, got shape {y.shape}")
    if y.dtype.kind in "iu":
        labels = y.astype(np.intp, copy=False)
    elif y.dtype.kind in "fb":
        if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
            raise ValueError(f"{argument} contains NaN or inf")
        labels = y.astype(np.intp)
        if np.any(labels != y):
            raise ValueError(f"{argument} class labels must be whole numbers 0..{n_classes - 1}")
    else:
        raise TypeError(f"{argument} must hold numeric class labels, got dtype {y.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)][0]
        raise ValueError(
            f"{argument} holds label {bad}, outside 0..{n_classes - 1} for {n_classes} classes; "
            "encode the classes as 0..K-1"
        )
    return labels


# Unchecked kernels: for callers that validated their inputs once (the models): no checks,
# ``n`` samples, the gradient computed in place where possible.


def unchecked_mse(
    pred: np.ndarray, target: np.ndarray, n: int, c: float
) -> tuple[float, np.ndarray]:
    diff = pred - target
    loss = c * float(np.vdot(diff, diff)) / n
    diff *= 2.0 * c / n
    return loss, diff


def unchecked_bce(logits: np.ndarray, target: np.ndarray, n: int) -> tuple[float, np.ndarray]:
    loss = float(np.sum(np.logaddexp(0.0, logits)) - np.vdot(target, logits)) / n
    grad = sigmoid(logits)
    grad -= target
    grad /= n
    return loss, grad


def unchecked_cross_entropy(
    logits: np.ndarray, labels: np.ndarray, n: int
) -> tuple[float, np.ndarray]:
    log_p = log_softmax(logits)
    rows = np.arange(logits.shape[0])
    loss = -float(np.sum(log_p[rows, labels])) / n
    grad = np.exp(log_p, out=log_p)
    grad[rows, labels] -= 1.0
    grad /= n
    return loss, grad


def unchecked_cross_entropy_probs(
    logits: np.ndarray, target: np.ndarray, n: int
) -> tuple[float, np.ndarray]:
    log_p = log_softmax(logits)
    loss = -float(np.vdot(target, log_p)) / n
    grad = np.exp(log_p, out=log_p)
    grad -= target
    grad /= n
    return loss, grad


def _as_float(a: np.ndarray, argument: str, dtype: np.dtype | None = None) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind not in "fiub":
        raise TypeError(f"{argument} must be numeric, got dtype {a.dtype}")
    if dtype is not None:
        return a.astype(dtype, copy=False)
    return a if a.dtype.kind == "f" else a.astype(np.float64)


def _check_same_shape(a: np.ndarray, target: np.ndarray, argument: str) -> None:
    if a.shape != target.shape:
        raise ValueError(f"target has shape {target.shape} but {argument} has shape {a.shape}")


def _check_finite(a: np.ndarray, argument: str) -> None:
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{argument} contains NaN or inf")


def _check_reduction(reduction: str, a: np.ndarray) -> int:
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    if a.ndim == 0 or a.shape[0] == 0:
        raise ValueError(f"need at least one sample, got an array of shape {a.shape}")
    return a.shape[0]
