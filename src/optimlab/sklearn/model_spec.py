"""The model an estimator trains, as plain values: built at `fit`, compared when training
continues (`partial_fit`), rebuilt when a fitted estimator is unpickled."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimlab.models import MLP, LinearRegression, LogisticRegression, Model, SoftmaxRegression

#: What ``model=`` may name, for each kind of estimator.
CLASSIFIER_MODELS = ("logistic", "softmax", "mlp")
REGRESSOR_MODELS = ("linear", "mlp")


@dataclass(frozen=True)
class ModelSpec:
    """An `optimlab.models` model: its kind (``"linear"``, ``"logistic"``, ``"softmax"``,
    ``"mlp"``), task, sizes, L2 penalty and dtype; ``hidden``, ``activation`` and ``init`` for
    the MLP only."""

    kind: str
    task: str
    n_features: int
    n_outputs: int
    l2: float
    dtype: str
    hidden: tuple[int, ...] = ()
    activation: str | None = None
    init: str | None = None

    def build(self, seed: int | np.random.Generator | None) -> Model:
        """A new model (the MLP's weights drawn from ``seed``; the others start at zero)."""
        if self.kind == "mlp":
            return MLP(
                [self.n_features, *self.hidden, self.n_outputs],
                activation=self.activation,
                task=self.task,
                init=self.init,
                l2=self.l2,
                dtype=self.dtype,
                seed=seed,
            )
        if self.kind == "linear":
            return LinearRegression(self.n_features, self.n_outputs, l2=self.l2, dtype=self.dtype)
        if self.kind == "logistic":
            return LogisticRegression(self.n_features, l2=self.l2, dtype=self.dtype)
        return SoftmaxRegression(self.n_features, self.n_outputs, l2=self.l2, dtype=self.dtype)
