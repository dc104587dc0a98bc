"""A real model's loss as a landscape: logistic regression with two weights on iris.

The data are the 100 versicolor and virginica flowers of the iris data set (bundled with
scikit-learn), described by petal length and petal width, each standardised to mean 0 and
standard deviation 1; the label is 1 for virginica. The model has two weights and no
intercept, ``P(virginica | x) = sigmoid(w1 x1 + w2 x2)``, so its loss is a surface over
``(w1, w2)`` and its decision line ``w1 x1 + w2 x2 = 0`` passes through the centre of the
data. The classes overlap a little, so the loss has one finite minimizer.

The gradient is the model's own (`optimlab.models.LogisticRegression`) on a batch drawn
by `optimlab.data.BatchSampler` at each call: the whole set (batch gradient descent), a
mini-batch, or one sample (stochastic). The loss and the Hessian are always over the whole
set, so curves show true progress and Newton its exact step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimlab import checks
from optimlab.data import BatchSampler, load_dataset
from optimlab.landscapes import Landscape
from optimlab.models import LogisticRegression
from optimlab.play.stepping import SAMPLINGS

__all__ = ["SAMPLINGS", "LogisticLandscape", "logistic_data"]

FEATURES = ("petal length", "petal width")
CLASSES = ("versicolor", "virginica")


def logistic_data() -> tuple[np.ndarray, np.ndarray]:
    """The standardised data: ``X`` of shape (100, 2) and labels ``y`` (1 = virginica)."""
    iris = load_dataset("iris")
    keep = iris.y > 0
    X = np.asarray(iris.X[keep][:, 2:4], dtype=np.float64)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.ascontiguousarray(X), (iris.y[keep] == 2).astype(np.float64)


class LogisticLandscape(Landscape):
    """The mean cross-entropy of two-weight logistic regression on iris, over ``(w1, w2)``.

    ``L(w) = (1/n) sum_i [log(1 + exp(x_i . w)) - y_i x_i . w]``.

    Args:
        sampling: one of `SAMPLINGS`.
        batch_size: samples per mini-batch (``sampling="minibatch"``), 1 to 100.
        seed: seeds the batch order.
        start: the start point, default (-1, -2.5).
    """

    name = "logistic"
    title = "Logistic regression's loss (mean cross-entropy)"
    axis_labels = ("w1", "w2")

    def __init__(
        self,
        sampling: str = "full",
        batch_size: int = 10,
        seed: int = 0,
        start: Sequence[float] = (-1.0, -2.5),
    ) -> None:
        self.sampling = checks.choice("sampling", sampling, SAMPLINGS)
        self.X, self.y = logistic_data()
        n = len(self.y)
        self.batch_size = checks.integer("batch_size", batch_size, low=1, high=n)
        size = {"full": None, "minibatch": self.batch_size, "stochastic": 1}[self.sampling]
        self.sampler = BatchSampler(n, batch_size=size, mode=self.sampling, seed=seed)
        self.model = LogisticRegression(2, fit_intercept=False)
        self.X, self.y = self.model.validate(self.X, self.y)
        self._batches = iter(())
        minimum = self._minimizer()
        super().__init__(dim=2, start=start, bounds=((-2.0, 8.0), (-3.0, 7.0)), minima=[minimum])

    def __repr__(self) -> str:
        return f"LogisticLandscape(sampling={self.sampling!r}, batch_size={self.batch_size})"

    def _value(self, z: np.ndarray) -> np.ndarray:
        logits = np.tensordot(self.X, z, axes=(1, 0))  # (n, ...)
        target = self.y.reshape((-1,) + (1,) * (logits.ndim - 1))
        return np.mean(np.logaddexp(0.0, logits) - target * logits, axis=0)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        batch = self._next_batch()
        _, grads = self.model.loss_and_grad(
            self.X[batch], self.y[batch], {"W": x.reshape(2, 1)}, check=False
        )
        return grads["W"].reshape(2).copy()

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return self.model.hessian(self.X, self.y, {"W": x.reshape(2, 1)})

    def _next_batch(self) -> np.ndarray:
        batch = next(self._batches, None)
        if batch is None:
            self._batches = self.sampler.epoch()
            batch = next(self._batches)
        return batch

    def _minimizer(self) -> np.ndarray:
        """Newton's method on the whole set from w = 0, to the precision floor."""
        w = np.zeros(2)
        params = {"W": w.reshape(2, 1)}
        for _ in range(50):
            _, grads = self.model.loss_and_grad(self.X, self.y, params, check=False)
            step = np.linalg.solve(self.model.hessian(self.X, self.y, params), grads["W"].ravel())
            w -= step
            if np.abs(step).max() < 1e-15:
                break
        return w.copy()
