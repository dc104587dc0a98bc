"""Binary logistic regression (the classic practical): ``P(y = 1 | x) = sigmoid(x w + b)``."""

from __future__ import annotations

import numpy as np

from optimlab.losses import sigmoid, unchecked_bce
from optimlab.models._affine import AffineModel
from optimlab.models._base import Params
from optimlab.models._checks import check_binary_y


class LogisticRegression(AffineModel):
    """Binary logistic regression on the mean binary cross-entropy.

    Labels: ``y`` of shape ``(n,)`` (or ``(n, 1)``) holding 0 and 1 (ints, floats or bools).
    Loss: ``L = (1/n) sum_i [log(1 + e^{z_i}) - y_i z_i] + l2/2 ||W||^2`` with
    ``z_i = x_i W + b`` (the log-loss, in a form that never overflows; the penalty
    skips the intercept). Gradient: ``dL/dW = (1/n) X^T (sigmoid(z) - y) + l2 W``.
    Hessian: ``(1/n) Xd^T diag(s_i (1 - s_i)) Xd + l2 D`` with ``s = sigmoid(z)``,
    ``Xd = [X, 1]``: positive semi-definite, singular only for degenerate features (e.g. a
    duplicated column) with ``l2 = 0``, or numerically once the data are separated.

    Parameters: ``W`` of shape ``(n_features, 1)`` and ``b`` of shape ``(1,)``.

    Args:
        n_features: number of input columns.
        fit_intercept: learn ``b``.
        l2: L2 penalty strength on ``W`` (>= 0).
        init: ``"zeros"`` (default) or ``"normal"`` (``W ~ N(0, 1/n_features)`` from ``seed``).
        dtype: ``np.float64`` or ``np.float32``.
        seed: an int or ``np.random.Generator`` for ``init="normal"``.
    """

    task = "binary"

    def __init__(
        self,
        n_features: int,
        *,
        fit_intercept: bool = True,
        l2: float = 0.0,
        init: str = "zeros",
        dtype: object = np.float64,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(
            n_features, 1, fit_intercept=fit_intercept, l2=l2, init=init, dtype=dtype, seed=seed
        )

    def predict_proba(self, X: np.ndarray, params: Params | None = None) -> np.ndarray:
        """``P(y = 1 | x)`` for each row, shape ``(n,)``."""
        return sigmoid(self._outputs(self._check_features(X), self._resolve(params))[:, 0])

    def predict(self, X: np.ndarray, params: Params | None = None) -> np.ndarray:
        """Class labels: 1 where ``x w + b > 0`` (probability above 1/2), else 0."""
        logits = self._outputs(self._check_features(X), self._resolve(params))[:, 0]
        return (logits > 0).astype(np.intp)

    def _check_y(self, y: np.ndarray, n_samples: int) -> np.ndarray:
        return check_binary_y(y, n_samples, self.dtype)

    def _loss_and_grad(
        self, X: np.ndarray, y: np.ndarray, params: Params
    ) -> tuple[float, dict[str, np.ndarray]]:
        loss, dZ = unchecked_bce(self._outputs(X, params), y, X.shape[0])
        return loss + self._penalty(params), self._backward(X, dZ, params)

    def _hessian(self, X: np.ndarray, y: np.ndarray, params: Params) -> np.ndarray:
        s = sigmoid(self._outputs(X, params)[:, 0])
        curvature = s * (1.0 - s) / X.shape[0]  # d^2 loss / d z_i^2, >= 0
        return self._add_l2(self._gram(X, np.sqrt(curvature)))
