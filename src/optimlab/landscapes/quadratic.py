"""A convex quadratic with a chosen condition number: the ravine."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimlab import checks
from optimlab.landscapes.base import Landscape


class Quadratic(Landscape):
    """``f(x) = 0.5 x^T A x`` with ``A = R diag(lambda) R^T``, ``lambda`` from 1 to kappa.

    The eigenvalues are ``linspace(1, condition_number, dim)``, so ``mu = 1`` (smallest
    curvature) and ``L = condition_number`` (largest); ``R`` rotates the first two
    coordinates by ``angle`` radians, turning an axis-aligned ravine into a diagonal one.
    The only minimum is 0 at the origin. Gradient descent with step ``1/L`` contracts the
    error by ``1 - mu/L`` per step; heavy-ball momentum with its optimal parameters by
    ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``; Newton's method lands on 0 in one step.

    The start is ``R (-3, 1, 1, ..., 1)``: far along the flat direction and off the valley
    floor in the steep ones (our choice; there is no customary start). Window ``[-4, 4]``.

    Args:
        condition_number: kappa = L / mu, >= 1 (a 1-D quadratic needs exactly 1).
        dim: number of coordinates, >= 1.
        angle: rotation of the (x0, x1) plane in radians (needs dim >= 2 unless 0).
        start: override the start point.
    """

    name = "quadratic"

    def __init__(
        self,
        condition_number: float = 10.0,
        dim: int = 2,
        angle: float = 0.0,
        start: Sequence[float] | None = None,
    ) -> None:
        kappa = checks.number("condition_number", condition_number, low=1.0)
        dim = checks.integer("dim", dim, low=1)
        angle = checks.number("angle", angle)
        if dim == 1 and kappa != 1.0:
            raise ValueError(
                f"a 1-D quadratic has one eigenvalue, so condition_number must be 1, got {kappa}"
            )
        if dim == 1 and angle != 0.0:
            raise ValueError(f"angle rotates two coordinates and needs dim >= 2, got dim={dim}")
        self.condition_number = kappa
        self.angle = angle
        self.eigenvalues = np.linspace(1.0, kappa, dim)
        rotation = np.eye(dim)
        if dim >= 2:
            c, s = np.cos(angle), np.sin(angle)
            rotation[:2, :2] = [[c, -s], [s, c]]
        matrix = rotation @ np.diag(self.eigenvalues) @ rotation.T
        self._matrix = 0.5 * (matrix + matrix.T)  # exactly symmetric despite rounding
        default_start = rotation @ np.array([-3.0] + [1.0] * (dim - 1))
        super().__init__(
            dim=dim,
            start=default_start if start is None else start,
            bounds=((-4.0, 4.0),) * dim,
            minima=[np.zeros(dim)],
        )

    @property
    def mu(self) -> float:
        """The smallest eigenvalue of A (strong convexity constant): 1."""
        return float(self.eigenvalues[0])

    @property
    def L(self) -> float:  # noqa: N802 (the standard name of the smoothness constant)
        """The largest eigenvalue of A (Lipschitz constant of the gradient): kappa."""
        return float(self.eigenvalues[-1])

    @property
    def matrix(self) -> np.ndarray:
        """A, the constant Hessian (a copy)."""
        return self._matrix.copy()

    def __repr__(self) -> str:
        return (
            f"Quadratic(condition_number={self.condition_number}, dim={self.dim}, "
            f"angle={self.angle})"
        )

    def _value(self, z: np.ndarray) -> np.ndarray:
        return 0.5 * np.einsum("i...,ij,j...->...", z, self._matrix, z)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return self._matrix @ x

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return self._matrix.copy()
