"""Train/validation split and standardisation fitted on the training split only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimlab.data._rng import Seed, sklearn_seed
from optimlab.data.validation import listed


def train_val_split(
    X: object,
    y: object,
    val_fraction: float = 0.2,
    seed: Seed = None,
    stratify: bool = False,
    labels: Sequence | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into training and validation sets (scikit-learn's ``train_test_split``).

    The validation set has ``ceil(val_fraction * n_samples)`` rows.

    Args:
        X: features, shape ``(n_samples, n_features)``.
        y: targets, shape ``(n_samples,)`` (or ``(n_samples, n_outputs)``).
        val_fraction: share of the rows that go to validation, in (0, 1).
        seed: int, Generator or None.
        stratify: keep each class's share of the rows in both splits (``y`` holds class
            labels; every class needs at least 2 samples).
        labels: with ``stratify``, the original label of each class (``labels[k]`` for
            ``y == k``), to name a class in an error; None names it by its value in ``y``.

    Returns:
        ``(X_train, X_val, y_train, y_val)``.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}; they must match")
    val_fraction = float(val_fraction)
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    n_val = int(np.ceil(val_fraction * len(X)))
    if n_val >= len(X):
        raise ValueError(
            f"val_fraction={val_fraction} of {len(X)} samples leaves no training samples; "
            "use a smaller val_fraction or more data"
        )
    if stratify:
        classes, counts = np.unique(y, return_counts=True)
        if counts.min() < 2:
            rare = classes[counts.argmin()]
            name = rare.item() if labels is None else labels[int(rare)]
            raise ValueError(
                f"too few samples to put every class in both the training and the validation "
                f"split: class {name!r} has {counts.min()} sample, at least 2 are needed; add "
                "samples of it or remove it"
            )
        if n_val < len(classes) or len(X) - n_val < len(classes):
            raise ValueError(
                f"{len(classes)} classes need at least {len(classes)} samples (one per class) "
                f"in both the training and the validation split, got {len(X) - n_val} and "
                f"{n_val}; add samples or change val_fraction"
            )
    from sklearn.model_selection import train_test_split

    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=n_val, random_state=sklearn_seed(seed), stratify=y if stratify else None
    )
    return X_train, X_val, y_train, y_val


class Standardizer:
    """Feature scaling ``z = (x - mean) / scale``, with statistics from the data given to `fit`.

    Fit it on the training split only, then transform training and validation data with
    the same statistics. ``scale`` is the population standard deviation (``ddof=0``), as in
    scikit-learn's ``StandardScaler``, computed without overflow for any finite values
    (a column of magnitude 1e200 is standardised like any other). A constant column (every
    value equal) gets ``mean`` equal to its value and ``scale = 1``, so it becomes exactly 0
    instead of NaN (and a validation value ``v`` becomes ``v - constant``);
    `inverse_transform` gives the constant back; `constant_columns_` marks those columns.

    Attributes (after `fit`):
        mean_: column means, float64, shape ``(n_features,)``.
        scale_: column standard deviations (1 for constant columns).
        constant_columns_: boolean mask of the constant columns.
    """

    def fit(self, X: object) -> Standardizer:
        """Compute the column means and standard deviations of ``X``; return ``self``."""
        X = self._check(X, "fit")
        constant = X.min(axis=0) == X.max(axis=0)
        # Each column is computed divided by a power of two near its largest magnitude
        # (exact), so that squares neither overflow (1e200) nor underflow (1e-200).
        power = np.frexp(np.abs(X).max(axis=0).astype(np.float64))[1]
        unit = np.ldexp(X.astype(np.float64), -power)
        mean = np.ldexp(unit.mean(axis=0), power)
        mean[constant] = X[0, constant]  # exact, so the column becomes exactly 0
        scale = np.ldexp(unit.std(axis=0), power)
        scale[constant] = 1.0
        self.mean_, self.scale_, self.constant_columns_ = mean, scale, constant
        return self

    def transform(self, X: object) -> np.ndarray:
        """Return ``(X - mean_) / scale_`` in X's float dtype (float64 for integer input)."""
        X = self._check_fitted(X, "transform")
        return ((X - self.mean_) / self.scale_).astype(X.dtype, copy=False)

    def fit_transform(self, X: object) -> np.ndarray:
        """`fit` on ``X``, then return its `transform`."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: object) -> np.ndarray:
        """Return ``Z * scale_ + mean_``: the original features of standardised data."""
        Z = self._check_fitted(Z, "inverse_transform")
        return (Z * self.scale_ + self.mean_).astype(Z.dtype, copy=False)

    @staticmethod
    def _check(X: object, method: str) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise TypeError(f"Standardizer.{method}: X must hold numbers, got dtype {X.dtype}")
        if X.dtype.kind != "f":
            X = X.astype(np.float64)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(
                f"Standardizer.{method}: X must be 2-D with at least one row, got shape {X.shape}"
            )
        if not np.isfinite(X).all():
            rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
            raise ValueError(
                f"Standardizer.{method}: X contains NaN or inf at rows {listed(rows)}; "
                "remove or impute those values"
            )
        return X

    def _check_fitted(self, X: object, method: str) -> np.ndarray:
        if not hasattr(self, "mean_"):
            raise RuntimeError(f"Standardizer.{method}: call fit(X_train) first")
        X = self._check(X, method)
        if X.shape[1] != len(self.mean_):
            raise ValueError(
                f"Standardizer.{method}: X has {X.shape[1]} columns, but the Standardizer "
                f"was fitted on {len(self.mean_)}"
            )
        return X
