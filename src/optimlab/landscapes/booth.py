"""Booth's function: a convex quadratic with a tilted, moderately elongated bowl."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimlab.landscapes.least_squares import SumOfSquares

_JACOBIAN = np.array([[1.0, 2.0], [2.0, 1.0]])


class Booth(SumOfSquares):
    """Booth's function (2-D).

    ``f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2``. Global minimum 0 at ``(1, 3)``; the
    Hessian is the constant ``[[10, 8], [8, 10]]`` (eigenvalues 2 and 18, condition number
    9, long axis along ``(1, -1)``). Window ``[-10, 10]^2`` is the usual search domain;
    there is no customary start, ours is ``(-5, -5)``, off both axes of the bowl.

    Args:
        start: override the start point.
    """

    name = "booth"

    def __init__(self, start: Sequence[float] | None = None) -> None:
        super().__init__(
            dim=2,
            start=(-5.0, -5.0) if start is None else start,
            bounds=((-10.0, 10.0), (-10.0, 10.0)),
            minima=[(1.0, 3.0)],
        )

    def _residuals(self, z: np.ndarray) -> np.ndarray:
        x, y = z[0], z[1]
        return np.stack([x + 2.0 * y - 7.0, 2.0 * x + y - 5.0])

    def _jacobian(self, x: np.ndarray) -> np.ndarray:
        return _JACOBIAN.copy()

    def _residual_hessians(self, x: np.ndarray) -> np.ndarray:
        return np.zeros((2, 2, 2))
