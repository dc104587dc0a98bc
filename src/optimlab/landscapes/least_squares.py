"""Sums of squared residuals, ``f = sum_k r_k(x)^2``: Beale, Booth and Himmelblau."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from optimlab.landscapes.base import Landscape


class SumOfSquares(Landscape):
    """``f(x) = sum_k r_k(x)^2`` from hand-written residuals and their derivatives.

    With ``J`` the Jacobian of the residuals and ``H_k`` the Hessian of ``r_k``:
    ``grad f = 2 J^T r`` and ``hess f = 2 (J^T J + sum_k r_k H_k)``. Where every residual
    vanishes, f = 0 is the global minimum value.
    """

    def _value(self, z: np.ndarray) -> np.ndarray:
        return np.sum(self._residuals(z) ** 2, axis=0)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return 2.0 * self._jacobian(x).T @ self._residuals(x)

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        jacobian = self._jacobian(x)
        curvature = np.einsum("k,kij->ij", self._residuals(x), self._residual_hessians(x))
        return 2.0 * (jacobian.T @ jacobian + curvature)

    @abstractmethod
    def _residuals(self, z: np.ndarray) -> np.ndarray:
        """The residuals at points stacked on axis 0: shape ``(m, ...)`` for ``z (dim, ...)``."""

    @abstractmethod
    def _jacobian(self, x: np.ndarray) -> np.ndarray:
        """``d r_k / d x_i`` at one point, shape ``(m, dim)``."""

    @abstractmethod
    def _residual_hessians(self, x: np.ndarray) -> np.ndarray:
        """The Hessian of each residual at one point, shape ``(m, dim, dim)``."""
