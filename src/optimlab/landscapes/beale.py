"""Beale's function: a flat plateau, steep walls and a narrow curved valley."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimlab.landscapes.least_squares import SumOfSquares

_CONSTANTS = np.array([1.5, 2.25, 2.625])


class Beale(SumOfSquares):
    """Beale's function (2-D).

    ``f(x, y) = (1.5 - x + x y)^2 + (2.25 - x + x y^2)^2 + (2.625 - x + x y^3)^2``, that is
    ``r_k = c_k - x + x y^k`` for ``k = 1, 2, 3``. Global minimum 0 at ``(3, 0.5)``; a saddle
    at ``(0, 1)`` (on the line ``x = 0`` f is constant). Start ``(3, 4)`` and window
    ``[-4.5, 4.5]^2`` follow Louis Tiao's widely copied visualisation post, where the
    start was chosen because optimizers with too much momentum overshoot from there.

    Args:
        start: override the start point.
    """

    name = "beale"

    def __init__(self, start: Sequence[float] | None = None) -> None:
        super().__init__(
            dim=2,
            start=(3.0, 4.0) if start is None else start,
            bounds=((-4.5, 4.5), (-4.5, 4.5)),
            minima=[(3.0, 0.5)],
            saddles=[(0.0, 1.0)],
        )

    def _residuals(self, z: np.ndarray) -> np.ndarray:
        x, y = z[0], z[1]
        return np.stack([c - x + x * y**k for k, c in enumerate(_CONSTANTS, start=1)])

    def _jacobian(self, x: np.ndarray) -> np.ndarray:
        u, y = x
        return np.array(
            [
                [y - 1.0, u],
                [y**2 - 1.0, 2.0 * u * y],
                [y**3 - 1.0, 3.0 * u * y**2],
            ]
        )

    def _residual_hessians(self, x: np.ndarray) -> np.ndarray:
        u, y = x
        return np.array(
            [
                [[0.0, 1.0], [1.0, 0.0]],
                [[0.0, 2.0 * y], [2.0 * y, 2.0 * u]],
                [[0.0, 3.0 * y**2], [3.0 * y**2, 6.0 * u * y]],
            ]
        )
