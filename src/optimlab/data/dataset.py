"""`Dataset`: a feature matrix, its targets and what they mean."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimlab.data.validation import check_Xy


@dataclass(frozen=True)
class Dataset:
    """Features and targets of one data set, checked with `check_Xy` on creation.

    Attributes:
        X: features, float64, shape ``(n_samples, n_features)``.
        y: targets: float64 for ``"regression"``, int64 labels 0..K-1 otherwise.
        task: ``"regression"``, ``"binary"`` or ``"multiclass"``.
        feature_names: one name per column of X.
        target_name: what y is.
        n_classes: K for classification, None for regression.
        name: the data set's name (a built-in name or the CSV file's stem).
        class_labels: the original label of each class index (``class_labels[k]`` is the
            label that became ``k``), or None for regression.
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    feature_names: tuple[str, ...]
    target_name: str
    n_classes: int | None
    name: str
    class_labels: tuple | None = None

    def __post_init__(self) -> None:
        n_classes = self.n_classes if self.task == "multiclass" else None
        X, y = check_Xy(self.X, self.y, self.task, n_classes)
        object.__setattr__(self, "X", X.astype(np.float64, copy=False))
        object.__setattr__(
            self, "y", y if self.task != "regression" else y.astype(np.float64, copy=False)
        )
        object.__setattr__(self, "feature_names", tuple(self.feature_names))
        if len(self.feature_names) != X.shape[1]:
            raise ValueError(
                f"feature_names has {len(self.feature_names)} names for {X.shape[1]} columns of X"
            )
        if (self.task == "regression") != (self.n_classes is None):
            raise ValueError(
                f"n_classes must be None for regression and an int for classification, got "
                f"n_classes={self.n_classes!r} for task {self.task!r}"
            )
        if self.task == "binary" and self.n_classes != 2:
            raise ValueError(f"a binary data set has n_classes=2, got {self.n_classes}")
        if self.class_labels is not None and len(self.class_labels) != self.n_classes:
            raise ValueError(
                f"class_labels has {len(self.class_labels)} labels for n_classes={self.n_classes}"
            )

    @property
    def n_samples(self) -> int:
        """Number of rows of X."""
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        """Number of columns of X."""
        return self.X.shape[1]
