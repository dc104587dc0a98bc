"""Rastrigin's function: a bowl covered in regularly spaced local minima."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimlab import checks
from optimlab.landscapes.base import Landscape

_TWO_PI = 2.0 * np.pi


class Rastrigin(Landscape):
    """``f(x) = A dim + sum_i (x_i^2 - A cos(2 pi x_i))``.

    Global minimum 0 at the origin; a local minimum near every integer lattice point, so
    plain gradient descent stops in the first one it meets. Listed minima: the global one
    only. Window ``[-5.12, 5.12]^dim`` (the customary domain); start
    ``(-4.2, 4.2, -4.2, ...)``, our choice: on the slope of a local minimum far from 0.

    Args:
        dim: number of coordinates, >= 1.
        A: ripple amplitude, >= 0 (0 leaves the bowl ``sum x_i^2``).
        start: override the start point.
    """

    name = "rastrigin"

    def __init__(self, dim: int = 2, A: float = 10.0, start: Sequence[float] | None = None) -> None:
        dim = checks.integer("dim", dim, low=1)
        self.A = checks.number("A", A, low=0.0)
        default_start = np.resize([-4.2, 4.2], dim)
        super().__init__(
            dim=dim,
            start=default_start if start is None else start,
            bounds=((-5.12, 5.12),) * dim,
            minima=[np.zeros(dim)],
        )

    def __repr__(self) -> str:
        return f"Rastrigin(dim={self.dim}, A={self.A})"

    def _value(self, z: np.ndarray) -> np.ndarray:
        return self.A * self.dim + np.sum(z**2 - self.A * np.cos(_TWO_PI * z), axis=0)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return 2.0 * x + _TWO_PI * self.A * np.sin(_TWO_PI * x)

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return np.diag(2.0 + _TWO_PI**2 * self.A * np.cos(_TWO_PI * x))
