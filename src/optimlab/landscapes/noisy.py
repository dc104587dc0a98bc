"""Stochastic gradients: a landscape whose gradient carries Gaussian noise, as in SGD."""

from __future__ import annotations

from numbers import Integral

import numpy as np

from optimlab import checks
from optimlab.landscapes.base import Landscape
from optimlab.landscapes.wrapped import GradientWrapper


class Noisy(GradientWrapper):
    """``landscape`` with the gradient ``grad f(x) + sigma * xi``, ``xi ~ N(0, I)`` fresh per call.

    A stand-in for a mini-batch gradient: unbiased, with isotropic noise of standard
    deviation ``sigma`` per coordinate. The loss and the Hessian stay exact (so loss
    curves show true progress, not noise), and so do start, bounds and the listed
    stationary points. Deterministic: the same seed and the same sequence of calls give
    the same noise.

    Args:
        landscape: the exact function.
        sigma: noise standard deviation, >= 0 (0 gives the exact gradient).
        seed: an int seed or a ``np.random.Generator`` (used, and advanced, as given).
    """

    def __init__(
        self, landscape: Landscape, sigma: float, seed: int | np.random.Generator = 0
    ) -> None:
        self.sigma = checks.number("sigma", sigma, low=0.0)
        if isinstance(seed, np.random.Generator):
            self.rng = seed
        elif isinstance(seed, Integral) and not isinstance(seed, bool) and seed >= 0:
            self.rng = np.random.default_rng(int(seed))
        else:
            raise ValueError(
                f"seed must be a non-negative int or a np.random.Generator, got {seed!r}"
            )
        name = getattr(landscape, "name", "landscape")
        super().__init__(landscape, f"noisy_{name}")

    @property
    def title(self) -> str:
        """The wrapped function's title, with the noise."""
        return f"{self.landscape.title}, noisy gradient (std {self.sigma:g})"

    def __repr__(self) -> str:
        return f"Noisy({self.landscape!r}, sigma={self.sigma})"

    def adjust(self, g: np.ndarray) -> np.ndarray:
        return g + self.rng.normal(0.0, self.sigma, size=self.dim)
