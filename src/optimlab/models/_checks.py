"""Input validation shared by the models: features X and the targets of each task.

Each check returns the array in the form the model computes with (X cast to the model's
dtype; targets as a 2-D float array or 1-D integer labels) or raises an error that names
the argument and the fix.
"""

from __future__ import annotations

import numpy as np

from optimlab.losses import check_labels
from optimlab.optim import has_nonfinite

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_dtype(dtype: object) -> np.dtype:
    """Return ``dtype`` as float32 or float64, or raise."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}") from err
    if resolved not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {resolved}")
    return resolved


def all_finite(array: np.ndarray) -> bool:
    """True if no value is inf or NaN (one pass without a temporary for contiguous floats)."""
    if array.dtype.kind == "f" and array.flags.c_contiguous:
        return not has_nonfinite(array.reshape(-1))
    return bool(np.isfinite(array).all())


def check_features(X: np.ndarray, n_features: int, dtype: np.dtype) -> np.ndarray:
    """Return ``X`` as a finite 2-D array of ``dtype`` with ``n_features`` columns."""
    X = np.asarray(X)
    if X.dtype.kind not in "fiub":
        raise TypeError(f"X must be numeric, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(
            f"X must be 2-D (n_samples, n_features), got shape {X.shape}; "
            "reshape one sample with X.reshape(1, -1)"
        )
    if X.shape[0] == 0:
        raise ValueError("X is empty; need at least one sample")
    if X.shape[1] != n_features:
        raise ValueError(f"X has {X.shape[1]} features but the model expects {n_features}")
    X = X.astype(dtype, copy=False)
    if not all_finite(X):
        raise ValueError(
            f"X contains NaN or inf (or values too large for {dtype}); clean or impute them"
        )
    return X


def _check_length(y: np.ndarray, n_samples: int) -> None:
    if y.ndim == 0 or y.shape[0] != n_samples:
        length = "a scalar" if y.ndim == 0 else f"{y.shape[0]} samples"
        raise ValueError(f"y has {length} but X has {n_samples} rows; they must match")


def check_regression_y(
    y: np.ndarray, n_samples: int, n_outputs: int, dtype: np.dtype
) -> np.ndarray:
    """Return regression targets as a finite ``(n, n_outputs)`` array of ``dtype``.

    Accepts ``(n,)`` or ``(n, 1)`` for one output and ``(n, n_outputs)`` otherwise.
    """
    y = np.asarray(y)
    _check_length(y, n_samples)
    if y.dtype.kind not in "fiub":
        raise TypeError(f"y must be numeric, got dtype {y.dtype}")
    if y.ndim == 1 and n_outputs == 1:
        y = y.reshape(-1, 1)
    if y.shape != (n_samples, n_outputs):
        raise ValueError(f"y must have shape ({n_samples}, {n_outputs}), got {y.shape}")
    y = y.astype(dtype, copy=False)
    if not all_finite(y):
        raise ValueError(f"y contains NaN or inf (or values too large for {dtype})")
    return y


def check_binary_y(y: np.ndarray, n_samples: int, dtype: np.dtype) -> np.ndarray:
    """Return binary labels (values 0 and 1) as an ``(n, 1)`` array of ``dtype``."""
    y = np.asarray(y)
    _check_length(y, n_samples)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D binary labels, got shape {y.shape}")
    if y.dtype.kind not in "fiub":
        raise TypeError(f"y must hold the labels 0 and 1, got dtype {y.dtype}")
    if not np.all((y == 0) | (y == 1)):
        bad = y[(y != 0) & (y != 1)][0]
        raise ValueError(
            f"y must hold only the labels 0 and 1 for a binary task, found {bad.item()!r}; "
            "encode the positive class as 1"
        )
    return y.astype(dtype).reshape(-1, 1)


def check_class_y(y: np.ndarray, n_samples: int, n_classes: int) -> np.ndarray:
    """Return class labels ``0..K-1`` as 1-D ``intp``; accepts labels or one-hot rows."""
    y = np.asarray(y)
    _check_length(y, n_samples)
    if y.ndim == 2:
        if y.shape[1] != n_classes:
            raise ValueError(f"one-hot y must have {n_classes} columns, got {y.shape[1]}")
        if y.dtype.kind not in "fiub" or not (
            np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1)
        ):
            raise ValueError("2-D y must be one-hot: each row has a single 1 and 0 elsewhere")
        return np.argmax(y, axis=1).astype(np.intp)
    return check_labels(y, n_classes, "y")
