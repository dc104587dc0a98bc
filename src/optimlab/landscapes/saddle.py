"""The saddle ``x^2 - y^2``: a stationary point that is not a minimum."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimlab.landscapes.base import Landscape

_HESSIAN = np.diag([2.0, -2.0])


class Saddle(Landscape):
    """``f(x, y) = x^2 - y^2`` (2-D), unbounded below, so no minima.

    The origin is stationary with Hessian ``diag(2, -2)``: indefinite, a saddle. Along x
    it is a minimum, along y a maximum. Start ``(1, 0.001)`` sits almost on the x axis:
    gradient descent first slides toward the saddle, where the gradient nearly vanishes
    ("Optimizers in Deep Learning": "weights don't get updated"), and only the small y offset,
    growing by a factor ``1 + 2 lr`` per step, lets it escape. Our choice of start; window
    ``[-1.5, 1.5]^2``.

    Args:
        start: override the start point (``y = 0`` exactly never escapes).
    """

    name = "saddle"

    def __init__(self, start: Sequence[float] | None = None) -> None:
        super().__init__(
            dim=2,
            start=(1.0, 0.001) if start is None else start,
            bounds=((-1.5, 1.5), (-1.5, 1.5)),
            saddles=[(0.0, 0.0)],
        )

    def _value(self, z: np.ndarray) -> np.ndarray:
        return z[0] ** 2 - z[1] ** 2

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return np.array([2.0 * x[0], -2.0 * x[1]])

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return _HESSIAN.copy()
