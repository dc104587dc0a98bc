"""Linear regression: ``yhat = X W + b`` under the mean squared error."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.losses import unchecked_mse
from optimlab.models._affine import AffineModel
from optimlab.models._base import Params
from optimlab.models._checks import check_regression_y


class LinearRegression(AffineModel):
    """Multiple linear regression trained on the mean squared error.

    Loss: ``L(W, b) = (1/n) sum_i ||x_i W + b - y_i||^2 + l2/2 ||W||^2`` (the MSE of the
    practicals of Yadav 2025: a mean over samples, not halved; the penalty skips the intercept).
    Gradient: ``dL/dW = (2/n) X^T (XW + b - y) + l2 W``, ``dL/db = (2/n) sum_i (x_i W + b - y_i)``.
    Hessian: ``(2/n) Xd^T Xd`` (``Xd = [X, 1]``) for each output, plus ``l2`` on the weights;
    constant in the parameters, so one Newton step lands on `ols_solution`.

    Args:
        n_features: number of input columns p.
        n_outputs: number of targets k; ``y`` is ``(n,)`` when k = 1, else ``(n, k)``.
        fit_intercept: learn ``b`` (else the model is ``X W``).
        l2: L2 penalty strength on ``W`` (>= 0).
        init: ``"zeros"`` (default) or ``"normal"`` (``W ~ N(0, 1/p)``, drawn from ``seed``).
        dtype: ``np.float64`` or ``np.float32`` for parameters, gradients and computation.
        seed: an int or ``np.random.Generator`` for ``init="normal"``.

    Example:
        >>> model = LinearRegression(n_features=3)
        >>> loss, grads = model.loss_and_grad(X, y)        # grads["W"]: (3, 1), grads["b"]: (1,)
        >>> model.set_params(model.ols_solution(X, y))      # the closed-form fit
    """

    task = "regression"

    def __init__(
        self,
        n_features: int,
        n_outputs: int = 1,
        *,
        fit_intercept: bool = True,
        l2: float = 0.0,
        init: str = "zeros",
        dtype: object = np.float64,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(
            n_features,
            checks.integer("n_outputs", n_outputs, low=1),
            fit_intercept=fit_intercept,
            l2=l2,
            init=init,
            dtype=dtype,
            seed=seed,
        )

    def predict(self, X: np.ndarray, params: Params | None = None) -> np.ndarray:
        """Predictions ``X W + b``: shape ``(n,)`` for one output, else ``(n, k)``."""
        Z = self._outputs(self._check_features(X), self._resolve(params))
        return Z[:, 0] if self.n_outputs == 1 else Z

    def ols_solution(self, X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        """The exact minimiser of this model's loss on ``(X, y)``, as a params dict.

        The normal equations' closed form ``w = (Xd^T Xd)^-1 Xd^T y`` (with ``l2 > 0``, the ridge
        form ``(Xd^T Xd + (n l2 / 2) D)^-1 Xd^T y``, D = identity on the weights, 0 on the
        intercept), solved by ``numpy.linalg.lstsq`` on the stacked system instead of
        forming the inverse: this is stable when ``Xd^T Xd`` is ill-conditioned and returns
        the minimum-norm solution when it is singular. Computed in float64, then cast to
        the model's dtype. Load it with ``model.set_params(...)``.
        """
        X, y = self.validate(X, y)
        design = self._design(X).astype(np.float64)
        targets = y.astype(np.float64)
        if self.l2:
            ridge = np.zeros((self.n_features, design.shape[1]))
            ridge[:, : self.n_features] = np.sqrt(X.shape[0] * self.l2 / 2) * np.eye(
                self.n_features
            )
            design = np.vstack([design, ridge])
            targets = np.vstack([targets, np.zeros((self.n_features, self.n_outputs))])
        coef = np.linalg.lstsq(design, targets, rcond=None)[0].astype(self.dtype)
        solution = {"W": coef[: self.n_features]}
        if self.fit_intercept:
            solution["b"] = coef[self.n_features]
        return solution

    def _check_y(self, y: np.ndarray, n_samples: int) -> np.ndarray:
        return check_regression_y(y, n_samples, self.n_outputs, self.dtype)

    def _loss_and_grad(
        self, X: np.ndarray, y: np.ndarray, params: Params
    ) -> tuple[float, dict[str, np.ndarray]]:
        loss, dZ = unchecked_mse(self._outputs(X, params), y, X.shape[0], 1.0)
        return loss + self._penalty(params), self._backward(X, dZ, params)

    def _hessian(self, X: np.ndarray, y: np.ndarray, params: Params) -> np.ndarray:
        gram = (2.0 / X.shape[0]) * self._gram(X)
        H = np.kron(gram, np.eye(self.n_outputs, dtype=self.dtype))
        return self._add_l2(H)
