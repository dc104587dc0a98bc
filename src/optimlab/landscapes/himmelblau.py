"""Himmelblau's function: four global minima, so the start decides which one is found."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

from optimlab.landscapes._stationary import newton_polish
from optimlab.landscapes.least_squares import SumOfSquares

# Approximate saddles and local maximum (6 digits, as tabulated in the literature);
# `newton_polish` refines them to machine precision.
_SADDLE_GUESSES = (
    (0.086678, 2.884255),
    (-3.073026, -0.081353),
    (3.385154, 0.073852),
    (-0.127961, -1.953715),
)
_MAXIMUM_GUESS = (-0.270845, -0.923039)


def _minimizers() -> list[tuple[float, float]]:
    """The four zeros of both residuals, in closed form.

    ``x^2 + y - 11 = 0`` gives ``y = 11 - x^2``; then ``x + y^2 - 7 = 0`` becomes
    ``x^4 - 22 x^2 + x + 114 = (x - 3)(x^3 + 3x^2 - 13x - 38) = 0``: x = 3 and the three
    real roots of the cubic.
    """
    roots = np.roots([1.0, 3.0, -13.0, -38.0]).real
    return [(3.0, 2.0)] + [(float(x), float(11.0 - x * x)) for x in sorted(roots, reverse=True)]


class Himmelblau(SumOfSquares):
    """Himmelblau's function (2-D).

    ``f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2``. Four global minima with f = 0:
    ``(3, 2)``, ``(3.584428, -1.848127)``, ``(-2.805118, 3.131313)``,
    ``(-3.779310, -3.283186)``; four saddles and one local maximum near
    ``(-0.270845, -0.923039)`` (f = 181.617). Window ``[-5, 5]^2`` is the usual domain;
    there is no customary start, ours is the origin, from which GD reaches ``(3, 2)``.

    Args:
        start: override the start point.
    """

    name = "himmelblau"

    def __init__(self, start: Sequence[float] | None = None) -> None:
        polish = partial(newton_polish, self._grad, self._hessian)
        super().__init__(
            dim=2,
            start=(0.0, 0.0) if start is None else start,
            bounds=((-5.0, 5.0), (-5.0, 5.0)),
            minima=_minimizers(),
            saddles=[polish(guess) for guess in _SADDLE_GUESSES],
            maxima=[polish(_MAXIMUM_GUESS)],
        )

    def _residuals(self, z: np.ndarray) -> np.ndarray:
        x, y = z[0], z[1]
        return np.stack([x**2 + y - 11.0, x + y**2 - 7.0])

    def _jacobian(self, x: np.ndarray) -> np.ndarray:
        u, y = x
        return np.array([[2.0 * u, 1.0], [1.0, 2.0 * y]])

    def _residual_hessians(self, x: np.ndarray) -> np.ndarray:
        return np.array([[[2.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]]])
