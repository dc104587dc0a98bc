"""Two basins of different depth: a small learning rate stays, a large one jumps (Yadav 2025)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

from optimlab import checks
from optimlab.landscapes._stationary import newton_polish
from optimlab.landscapes.base import Landscape

# g(x) = 0.5 Q (x - C)^2 - DEPTH exp(-x^2 / (2 WIDTH^2)): a wide parabola around C with a
# narrow Gaussian dip at 0 that carves a shallow local basin into its side.
_Q, _C, _DEPTH, _WIDTH = 1.0, 4.0, 6.0, 0.5
# Stationary points of g to three digits, refined by Newton's method.
_NEAR_GUESS, _BARRIER_GUESS, _FAR_GUESS = 0.169, 1.029, 4.0


class TwoBasin(Landscape):
    """A non-convex function with a narrow shallow basin beside a wide deep one.

    ``g(x) = 0.5 (x - 4)^2 - 6 exp(-x^2 / 0.5)``; ``f(x) = g(x)`` in 1-D and
    ``f(x, y) = g(x) + 0.5 y^2`` in 2-D. Minima: the far, global one near x = 4 (f ~ 0,
    curvature ~1) and the near, local one at x ~ 0.169 (f ~ 1.67, curvature ~21),
    separated by a barrier at x ~ 1.029 (a maximum in 1-D, a saddle in 2-D).

    From the start x = -1 (inside the near basin), gradient descent with step ``lr``
    is stable at a minimum only if ``lr < 2 / curvature``: a small rate (e.g. 0.02)
    settles in the near basin; a large one (e.g. 0.5, stable only in the wide basin)
    leaves it in its first step and settles in the far basin: the lecture slides' "small learning
    rate stays; large learning rate jumps to next basin". Our own construction.

    Args:
        dim: 1 (the lecture slides' curve) or 2 (for contour plots; y is a plain 0.5 y^2 bowl).
        start: override the start point (default -1, and y = 1 in 2-D).
    """

    name = "two_basin"

    def __init__(self, dim: int = 2, start: Sequence[float] | None = None) -> None:
        dim = checks.integer("dim", dim, low=1)
        if dim > 2:
            raise ValueError(f"dim must be 1 or 2, got {dim}")
        rest = (0.0,) * (dim - 1)
        polish = partial(newton_polish, self._grad, self._hessian)
        barrier = polish((_BARRIER_GUESS, *rest))
        super().__init__(
            dim=dim,
            start=(-1.0, 1.0)[:dim] if start is None else start,
            bounds=((-2.0, 6.0), (-2.0, 2.0))[:dim],
            minima=[polish((_FAR_GUESS, *rest)), polish((_NEAR_GUESS, *rest))],
            saddles=[barrier] if dim == 2 else [],
            maxima=[barrier] if dim == 1 else [],
        )

    @property
    def near_minimum(self) -> np.ndarray:
        """The shallow local minimum whose basin holds the default start."""
        return self._minima[1].copy()

    @property
    def far_minimum(self) -> np.ndarray:
        """The deep global minimum in the wide basin."""
        return self._minima[0].copy()

    def _value(self, z: np.ndarray) -> np.ndarray:
        x = z[0]
        g = 0.5 * _Q * (x - _C) ** 2 - _DEPTH * np.exp(-(x**2) / (2.0 * _WIDTH**2))
        return g + 0.5 * np.sum(z[1:] ** 2, axis=0)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        u = x[0]
        dip = _DEPTH / _WIDTH**2 * np.exp(-(u**2) / (2.0 * _WIDTH**2))
        grad = x.copy()
        grad[0] = _Q * (u - _C) + dip * u
        return grad

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        u = x[0]
        dip = _DEPTH / _WIDTH**2 * np.exp(-(u**2) / (2.0 * _WIDTH**2))
        hessian = np.eye(x.size)
        hessian[0, 0] = _Q + dip * (1.0 - u**2 / _WIDTH**2)
        return hessian
