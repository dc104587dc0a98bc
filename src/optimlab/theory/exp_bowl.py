"""A smooth, strictly convex, non-quadratic bowl for watching Newton's quadratic convergence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimlab.landscapes.base import Landscape

_SHEAR = np.array([[1.0, 0.5], [0.0, 1.0]])
_MINIMIZER = np.array([0.5, -0.5])


class ExpBowl(Landscape):
    """``f(x) = sum_i (exp(u_i) - u_i - 1)`` with ``u = M (x - c)``, ``M = [[1, 0.5], [0, 1]]``.

    Convex and smooth, with its only minimum 0 at ``c = (0.5, -0.5)``:

        grad f = M^T (exp(u) - 1),      hess f = M^T diag(exp(u)) M  (positive definite).

    Unlike a quadratic, its Hessian changes from point to point and its third derivative
    is not 0 at the minimum, so Newton's method takes several steps and its error shows
    order exactly 2: in ``u`` each Newton step is ``u <- u - 1 + exp(-u) ~ u^2 / 2``. The
    shear M couples the two coordinates (our construction). Start ``(-1, 1)``, window
    ``[-2, 2]^2``.
    """

    name = "exp_bowl"

    def __init__(self, start: Sequence[float] | None = None) -> None:
        super().__init__(
            dim=2,
            start=(-1.0, 1.0) if start is None else start,
            bounds=((-2.0, 2.0), (-2.0, 2.0)),
            minima=[_MINIMIZER],
        )

    def _u(self, z: np.ndarray) -> np.ndarray:
        shifted = z - _MINIMIZER.reshape((2,) + (1,) * (z.ndim - 1))
        return np.einsum("ij,j...->i...", _SHEAR, shifted)

    def _value(self, z: np.ndarray) -> np.ndarray:
        u = self._u(z)
        return np.sum(np.expm1(u) - u, axis=0)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return _SHEAR.T @ np.expm1(self._u(x))

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return _SHEAR.T @ np.diag(np.exp(self._u(x))) @ _SHEAR
