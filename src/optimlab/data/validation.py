"""Input checks shared by the data module and the training code: `check_Xy` and friends.

Every check raises ``ValueError`` (``TypeError`` for a non-numeric array) with a message that
names the argument, the problem and where it is, before any work is done.
"""

from __future__ import annotations

import operator

import numpy as np

TASKS = ("regression", "binary", "multiclass")

_SHOWN = 5  # how many offending rows or columns a message lists


def check_task(task: str) -> str:
    """Return ``task`` if it is one of `TASKS`, else raise ``ValueError`` listing them."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(map(repr, TASKS))}, got {task!r}")
    return task


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int if it is an integer >= 1, else raise naming ``name``."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, got {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} must be a positive integer, got {number}")
    return number


def check_non_negative(value: object, name: str) -> float:
    """Return ``value`` as a float if it is finite and >= 0, else raise naming ``name``."""
    number = float(value)  # type: ignore[arg-type]
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return number


def listed(indices: np.ndarray) -> str:
    """Format the first few of ``indices`` for an error message: ``'3, 8, 9 and 2 more'``."""
    shown = ", ".join(str(i) for i in indices[:_SHOWN])
    more = len(indices) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _as_float_array(a: object, name: str) -> np.ndarray:
    array = np.asarray(a)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold numbers, got dtype {array.dtype}; convert or drop "
            "non-numeric columns first"
        )
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    return array


def check_Xy(  # noqa: N802 (X is a matrix, as in scikit-learn)
    X: object, y: object, task: str, n_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Check a feature matrix and its targets before training, and return them as arrays.

    Args:
        X: features, shape ``(n_samples, n_features)``.
        y: targets, shape ``(n_samples,)``; ``(n_samples, n_outputs)`` is allowed for
            regression.
        task: ``"regression"``, ``"binary"`` (labels in {0, 1}) or ``"multiclass"``
            (labels in 0..K-1).
        n_classes: K for ``"multiclass"``; if given, labels must be below it.

    Returns:
        ``(X, y)``: X as a float array (float32 and float64 are kept, other numbers become
        float64); y as X's float dtype for regression, as int64 labels for classification.

    Raises:
        ValueError: X not 2-D, no samples or no features, lengths that differ, NaN or inf
            (the message names rows and columns), or labels that do not fit the task.
        TypeError: X or y does not hold numbers.
    """
    check_task(task)
    X = _as_float_array(X, "X")
    if X.ndim != 2:
        hint = " (use X.reshape(-1, 1) for a single feature)" if X.ndim == 1 else ""
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}{hint}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X is empty (shape {X.shape}); training needs samples and features")
    y = _as_float_array(y, "y")
    if y.ndim == 0 or y.ndim > 2 or (y.ndim == 2 and task != "regression"):
        raise ValueError(f"y must be 1-D (n_samples,) for task {task!r}, got shape {y.shape}")
    if len(y) != len(X):
        raise ValueError(
            f"X and y have different numbers of samples: X has {len(X)} rows, y has {len(y)}"
        )
    bad = ~np.isfinite(X)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        columns = np.flatnonzero(bad.any(axis=0))
        raise ValueError(
            f"X contains NaN or inf in {bad.sum()} cells: rows {listed(rows)}; "
            f"columns {listed(columns)}; remove or impute those values"
        )
    bad_y = ~np.isfinite(y) if y.ndim == 1 else ~np.isfinite(y).all(axis=1)
    if bad_y.any():
        raise ValueError(
            f"y contains NaN or inf at rows {listed(np.flatnonzero(bad_y))}; remove those samples"
        )
    if task == "regression":
        return X, y.astype(X.dtype, copy=False)
    return X, _check_labels(y, task, n_classes)


def _check_labels(y: np.ndarray, task: str, n_classes: int | None) -> np.ndarray:
    not_integer = y != np.round(y)
    if not_integer.any():
        rows = np.flatnonzero(not_integer)
        raise ValueError(
            f"y must hold integer class labels for task {task!r}, got {y[rows[0]]:g} at "
            f"rows {listed(rows)}"
        )
    if task == "binary":
        low, high = 0, 1
        expected = "0 or 1"
    else:
        if n_classes is not None:
            n_classes = check_positive_int(n_classes, "n_classes")
        low, high = 0, (n_classes - 1 if n_classes is not None else np.inf)
        expected = f"0..{n_classes - 1}" if n_classes is not None else "integers >= 0"
    outside = (y < low) | (y > high)
    if outside.any():
        rows = np.flatnonzero(outside)
        values = listed(np.unique(y[rows]).astype(np.int64))
        raise ValueError(
            f"y labels for task {task!r} must be {expected}; found {values} at rows "
            f"{listed(rows)} (map your labels to 0..K-1 first)"
        )
    return y.astype(np.int64)
