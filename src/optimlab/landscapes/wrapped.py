"""A landscape whose gradient is changed on the way out (noise, clipping): everything else is
the wrapped landscape's."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from optimlab.landscapes.base import Landscape


class GradientWrapper(Landscape):
    """``landscape`` with ``adjust(grad f(x))`` as its gradient.

    The value, the Hessian, the start, the window, the known stationary points, the axis
    labels and the title stay the wrapped landscape's own, so loss curves show true progress.
    Subclasses define `adjust`.

    Args:
        landscape: the exact function.
        name: the registry-style name of the wrapped function (e.g. ``"noisy_rosenbrock"``).
    """

    def __init__(self, landscape: Landscape, name: str) -> None:
        if not isinstance(landscape, Landscape):
            raise ValueError(
                f"landscape must be a Landscape (e.g. Rosenbrock()), got {type(landscape).__name__}"
            )
        self.landscape = landscape
        self.name = name
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
        """The wrapped function's title."""
        return self.landscape.title

    @abstractmethod
    def adjust(self, g: np.ndarray) -> np.ndarray:
        """The gradient handed out, from the exact one ``g`` (which it may change in place)."""

    def _value(self, z: np.ndarray) -> np.ndarray:
        return self.landscape._value(z)

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return self.adjust(self.landscape._grad(x))

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return self.landscape._hessian(x)
