"""Rosenbrock's function: a curved, narrow, flat-bottomed valley."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from optimlab import checks
from optimlab.landscapes.base import Landscape


class Rosenbrock(Landscape):
    """``f(x) = sum_{i<dim-1} [b (x_{i+1} - x_i^2)^2 + (a - x_i)^2]``.

    In 2-D, ``f(x, y) = (a - x)^2 + b (y - x^2)^2`` with its global minimum 0 at
    ``(a, a^2)``, at the bottom of a parabolic valley that is easy to reach and slow to
    follow. In n-D (then ``a`` must be 1) the global minimum is 0 at ``(1, ..., 1)``; for
    4 <= dim <= 7 there is also a local minimum near ``(-1, 1, ..., 1)``, not listed.

    Start: ``(-1.2, 1)``, Rosenbrock's own 1960 start and the textbook one, repeated as
    ``(-1.2, 1, -1.2, 1, ...)`` in n-D; many animations start at ``(-2, 2)`` instead:
    pass ``start=(-2, 2)``.

    Args:
        a: the valley's target, any finite number (must be 1 when dim > 2).
        b: the valley's steepness, > 0.
        dim: number of coordinates, >= 2.
        start: override the start point.
    """

    name = "rosenbrock"

    def __init__(
        self,
        a: float = 1.0,
        b: float = 100.0,
        dim: int = 2,
        start: Sequence[float] | None = None,
    ) -> None:
        self.a = checks.number("a", a)
        self.b = checks.positive("b", b)
        dim = checks.integer("dim", dim, low=2)
        if dim > 2 and self.a != 1.0:
            raise ValueError(
                f"a must be 1 when dim > 2 (the n-D minimizer is known in closed form, all "
                f"ones, only then), got a={self.a}"
            )
        minimum = (self.a, self.a**2) if dim == 2 else (1.0,) * dim
        default_start = np.resize([-1.2, 1.0], dim)
        bounds = ((-2.5, 2.5), (-1.5, 3.5)) if dim == 2 else ((-2.5, 3.5),) * dim
        super().__init__(
            dim=dim,
            start=default_start if start is None else start,
            bounds=bounds,
            minima=[minimum],
        )

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a}, b={self.b}, dim={self.dim})"

    def _value(self, z: np.ndarray) -> np.ndarray:
        head, tail = z[:-1], z[1:]
        return np.sum(self.b * (tail - head**2) ** 2 + (self.a - head) ** 2, axis=0)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        head, tail = x[:-1], x[1:]
        valley = tail - head**2
        grad = np.zeros(self.dim)
        grad[:-1] += -4.0 * self.b * head * valley - 2.0 * (self.a - head)
        grad[1:] += 2.0 * self.b * valley
        return grad

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        head, tail = x[:-1], x[1:]
        diagonal = np.zeros(self.dim)
        diagonal[:-1] += 2.0 - 4.0 * self.b * tail + 12.0 * self.b * head**2
        diagonal[1:] += 2.0 * self.b
        off_diagonal = -4.0 * self.b * head
        return np.diag(diagonal) + np.diag(off_diagonal, 1) + np.diag(off_diagonal, -1)
