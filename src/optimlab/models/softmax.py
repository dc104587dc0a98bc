"""Multinomial logistic (softmax) regression: ``P(y = k | x) = softmax(x W + b)_k``."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.losses import softmax, unchecked_cross_entropy
from optimlab.models._affine import AffineModel
from optimlab.models._base import Params
from optimlab.models._checks import check_class_y


class SoftmaxRegression(AffineModel):
    """K-class softmax regression on the mean categorical cross-entropy.

    Labels: integer classes ``0..K-1`` of shape ``(n,)`` (any numeric dtype with whole
    values), or one-hot rows of shape ``(n, K)``.
    Loss: ``L = -(1/n) sum_i log softmax(z_i)[y_i] + l2/2 ||W||^2``, ``z_i = x_i W + b``
    (the cross-entropy as a mean; the penalty skips the intercept).
    Gradient: ``dL/dW = (1/n) X^T (P - Y) + l2 W``, ``P`` the softmax, ``Y`` one-hot.
    Hessian: ``(1/n) sum_i kron(xd_i xd_i^T, diag(p_i) - p_i p_i^T) + l2 D``.

    The K-class parametrisation is redundant: adding the same vector to every column of
    ``[W; b]`` leaves every probability unchanged, so with ``l2 = 0`` the Hessian is
    singular (``n_features + 1`` zero eigenvalues, ``n_features`` without intercept) and
    Newton's method needs its pseudo-inverse (or damping) path. ``l2 > 0`` removes the
    weight directions; as the intercept is not penalised, shifting all of ``b`` by one
    constant still leaves one zero eigenvalue (none with ``fit_intercept=False``).

    Parameters: ``W`` of shape ``(n_features, K)`` and ``b`` of shape ``(K,)``.

    Args:
        n_features: number of input columns.
        n_classes: number of classes K >= 2.
        fit_intercept: learn ``b``.
        l2: L2 penalty strength on ``W`` (>= 0).
        init: ``"zeros"`` (default) or ``"normal"`` (``W ~ N(0, 1/n_features)`` from ``seed``).
        dtype: ``np.float64`` or ``np.float32``.
        seed: an int or ``np.random.Generator`` for ``init="normal"``.
    """

    task = "multiclass"

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        *,
        fit_intercept: bool = True,
        l2: float = 0.0,
        init: str = "zeros",
        dtype: object = np.float64,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        n_classes = checks.integer("n_classes", n_classes, low=1)
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2, got {n_classes}")
        self.n_classes = n_classes
        super().__init__(
            n_features,
            n_classes,
            fit_intercept=fit_intercept,
            l2=l2,
            init=init,
            dtype=dtype,
            seed=seed,
        )

    def predict_proba(self, X: np.ndarray, params: Params | None = None) -> np.ndarray:
        """Class probabilities, shape ``(n, K)``, rows summing to 1."""
        return softmax(self._outputs(self._check_features(X), self._resolve(params)))

    def predict(self, X: np.ndarray, params: Params | None = None) -> np.ndarray:
        """The most probable class for each row, shape ``(n,)``."""
        return np.argmax(self._outputs(self._check_features(X), self._resolve(params)), axis=1)

    def _check_y(self, y: np.ndarray, n_samples: int) -> np.ndarray:
        return check_class_y(y, n_samples, self.n_classes)

    def _loss_and_grad(
        self, X: np.ndarray, y: np.ndarray, params: Params
    ) -> tuple[float, dict[str, np.ndarray]]:
        loss, dZ = unchecked_cross_entropy(self._outputs(X, params), y, X.shape[0])
        return loss + self._penalty(params), self._backward(X, dZ, params)

    def _hessian(self, X: np.ndarray, y: np.ndarray, params: Params) -> np.ndarray:
        design = self._design(X)
        n, width = design.shape
        K = self.n_classes
        P = softmax(self._outputs(X, params))
        # -(1/n) sum_i (xd_i (x) p_i)(xd_i (x) p_i)^T: the -p p^T part, all blocks at once.
        outer = (design[:, :, None] * P[:, None, :]).reshape(n, width * K)
        H = -(outer.T @ outer) / n
        # +(1/n) sum_i p_ia xd_i xd_i^T on the diagonal blocks (a, a): the diag(p) part.
        blocks = H.reshape(width, K, width, K)
        for a in range(K):
            blocks[:, a, :, a] += (design.T @ (P[:, a : a + 1] * design)) / n
        return self._add_l2(H)
