"""Stochastic gradients: a landscape whose gradient carries Gaussian noise, as in SGD."""

from __future__ import annotations

from numbers import Integral

import numpy as np

from optimlab import checks
from optimlab.landscapes.base import Landscape


class Noisy(Landscape):
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
        if not isinstance(landscape, Landscape):
            raise ValueError(
                f"landscape must be a Landscape (e.g. Rosenbrock()), got {type(landscape).__name__}"
            )
        self.sigma = checks.number("sigma", sigma, low=0.0)
        if isinstance(seed, np.random.Generator):
            self.rng = seed
        elif isinstance(seed, Integral) and not isinstance(seed, bool) and seed >= 0:
            self.rng = np.random.default_rng(int(seed))
        else:
            raise ValueError(
                f"seed must be a non-negative int or a np.random.Generator, got {seed!r}"
            )
        self.landscape = landscape
        self.name = f"noisy_{landscape.name}"
        self.axis_labels = landscape.axis_labels
        super().__init__(
            dim=landscape.dim,
            start=landscape.start,
            bounds=landscape.bounds,
            minima=landscape.minima,
            saddles=landscape.saddles,
            maxima=landscape.maxima,
        )

    @property
    def title(self) -> str:
        """The wrapped function's title, with the noise."""
        return f"{self.landscape.title}, noisy gradient (std {self.sigma:g})"

    def __repr__(self) -> str:
        return f"Noisy({self.landscape!r}, sigma={self.sigma})"

    def _value(self, z: np.ndarray) -> np.ndarray:
        return self.landscape._value(z)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return self.landscape._grad(x) + self.rng.normal(0.0, self.sigma, size=self.dim)

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return self.landscape._hessian(x)
