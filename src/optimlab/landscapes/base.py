"""The `Landscape` base: a test function with exact derivatives, known points and a window."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np

from optimlab.landscapes._validate import point

Bounds = tuple[tuple[float, float], ...]
Closure = Callable[[np.ndarray], tuple]


class Landscape(ABC):
    """A function ``f: R^dim -> R`` with exact gradient and Hessian, for studying optimizers.

    Subclasses write the formula once, vectorised (``_value``), and the gradient and
    Hessian by hand at one point (``_grad``, ``_hessian``). The public methods check their
    input and call these.

    Attributes:
        name: the registry name (``get_landscape(name)`` builds this function).
        dim: the number of coordinates.
        bounds: a plotting window, one ``(low, high)`` pair per coordinate; it always
            contains ``start`` and every listed minimum.
    """

    name: str = "landscape"

    def __init__(
        self,
        dim: int,
        start: Sequence[float] | np.ndarray,
        bounds: Bounds,
        minima: Sequence[Sequence[float] | np.ndarray] = (),
        saddles: Sequence[Sequence[float] | np.ndarray] = (),
        maxima: Sequence[Sequence[float] | np.ndarray] = (),
    ) -> None:
        self.dim = dim
        self._start = point(start, dim, "start")
        self._minima = [point(m, dim, "minimum") for m in minima]
        self._saddles = [point(s, dim, "saddle") for s in saddles]
        self._maxima = [point(m, dim, "maximum") for m in maxima]
        self.bounds = _window(bounds, [self._start, *self._minima])

    @property
    def title(self) -> str:
        """How figures name this function: ``"two_basin"`` -> ``"Two basin"``."""
        name = self.name.replace("_", " ")
        return name[:1].upper() + name[1:]

    #: How figures label the two coordinates.
    axis_labels: tuple[str, str] = ("x", "y")

    @property
    def start(self) -> np.ndarray:
        """The standard start point (a fresh copy, safe to update in place)."""
        return self._start.copy()

    @property
    def minima(self) -> list[np.ndarray]:
        """Known minimizers (stationary, positive definite Hessian); global ones first."""
        return [m.copy() for m in self._minima]

    @property
    def saddles(self) -> list[np.ndarray]:
        """Known saddle points (stationary, indefinite Hessian)."""
        return [s.copy() for s in self._saddles]

    @property
    def maxima(self) -> list[np.ndarray]:
        """Known local maximizers (stationary, negative definite Hessian)."""
        return [m.copy() for m in self._maxima]

    def value(self, x: Sequence[float] | np.ndarray) -> float:
        """f(x) at a point ``x`` of shape ``(dim,)``."""
        return float(self._value(point(x, self.dim)))

    def grad(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        """The gradient of f at ``x``, shape ``(dim,)``."""
        return self._grad(point(x, self.dim))

    def hessian(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        """The Hessian of f at ``x``, shape ``(dim, dim)``, symmetric."""
        return self._hessian(point(x, self.dim))

    def value_grid(self, *coords: np.ndarray) -> np.ndarray:
        """f over a grid, without Python loops: ``value_grid(X, Y)`` for a 2-D function.

        Args:
            *coords: ``dim`` arrays of one shape (as ``np.meshgrid`` returns), the k-th
                holding coordinate k of every grid point.

        Returns:
            An array of that shape with f at each grid point.
        """
        if len(coords) != self.dim:
            raise ValueError(
                f"value_grid takes one coordinate array per dimension: {self.name} has "
                f"dim={self.dim}, got {len(coords)} arrays"
            )
        arrays = [np.asarray(c, dtype=np.float64) for c in coords]
        if any(a.shape != arrays[0].shape for a in arrays):
            shapes = [a.shape for a in arrays]
            raise ValueError(f"value_grid coordinate arrays must share one shape, got {shapes}")
        if not all(np.all(np.isfinite(a)) for a in arrays):
            raise ValueError("value_grid coordinate arrays must be finite")
        return np.asarray(self._value(np.stack(arrays)), dtype=np.float64)

    def closure(self, with_hessian: bool = True) -> Closure:
        """An objective ``f(params)`` for the optimizers' ``step(closure=f)``.

        ``params`` is a 1-D float array of shape ``(dim,)`` (the array the optimizer updates
        in place). The closure returns ``(loss, grads, hessian)``, or ``(loss, grads)`` when
        ``with_hessian`` is False; ``grads`` and ``hessian`` have the dtype of ``params``.
        Non-finite params are not rejected: a diverged run gets a non-finite loss, which
        the training loop detects, and no overflow warnings.

        Example:
            ``x = land.start; opt = Adam(x, lr=0.1); opt.step(closure=land.closure())``
        """
        dim = self.dim

        def objective(params: np.ndarray) -> tuple:
            if not isinstance(params, np.ndarray) or params.dtype.kind != "f":
                raise ValueError(f"params must be a float ndarray, got {type(params).__name__}")
            if params.shape != (dim,):
                raise ValueError(f"params must have shape ({dim},), got shape {params.shape}")
            x = params.astype(np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                loss = float(self._value(x))
                grads = self._grad(x).astype(params.dtype)
                if not with_hessian:
                    return loss, grads
                return loss, grads, self._hessian(x).astype(params.dtype)

        return objective

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dim={self.dim})"

    @abstractmethod
    def _value(self, z: np.ndarray) -> np.ndarray:
        """f at points stacked on axis 0: ``z`` has shape ``(dim, ...)``, result ``(...)``."""

    @abstractmethod
    def _grad(self, x: np.ndarray) -> np.ndarray:
        """The gradient at one checked float64 point of shape ``(dim,)``."""

    @abstractmethod
    def _hessian(self, x: np.ndarray) -> np.ndarray:
        """The Hessian at one checked float64 point of shape ``(dim,)``."""


def _window(bounds: Bounds, points: list[np.ndarray]) -> Bounds:
    """Widen each ``(low, high)`` of ``bounds`` to hold ``points`` with a 10% margin."""
    widened = []
    for axis, (low, high) in enumerate(bounds):
        coords = [p[axis] for p in points]
        lo, hi = min(low, *coords), max(high, *coords)
        margin = 0.1 * (hi - lo) if (lo, hi) != (low, high) else 0.0
        widened.append((float(lo - margin), float(hi + margin)))
    return tuple(widened)
