"""Run an elementwise update rule two ways: plain NumPy, or one fused Numba pass.

A rule is a function of scalars written like the seed formula::

    def rule(p, g, m, v, lr, beta1, ...):   # parameter, gradient, state..., coefficients...
        m = beta1 * m + one_minus_beta1 * g
        ...
        return p, m, v

Called with NumPy arrays it is the readable reference path (one temporary per operation).
Compiled by Numba it becomes the body of one loop over flat contiguous buffers: every
array is read once and written once per step. The loop runs on one thread unless
`set_parallel_threshold` (or the ``OPTIMLAB_PARALLEL_THRESHOLD`` environment variable)
asks for Numba's thread pool on large buffers: that doubles a step measured alone on two
cores, but inside a training loop the pool competes with the BLAS threads of the matrix
products for the same cores: training an MLP got up to 7 times slower (docs/benchmarks.md).

Both paths compute in the parameters' dtype with coefficients cast to that dtype, and
perform the same operations in the same order, so their iterates agree (bit for bit in
practice). Rules contain no numeric literals: every constant (``1 - beta1`` too) arrives
as a coefficient, because a Python literal would silently promote float32 arithmetic to
float64 inside Numba and break that agreement.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

try:
    import numba
    from numba.extending import register_jitable
except ImportError:  # pragma: no cover - exercised in the no-Numba CI job
    numba = None

    def register_jitable(fn: Callable) -> Callable:
        return fn


HAVE_NUMBA = numba is not None
if HAVE_NUMBA:
    # Rules reach the loops as first-class functions, a feature Numba still labels experimental.
    warnings.filterwarnings("ignore", message="First-class function type feature is experimental")

_ENVIRONMENT_VARIABLE = "OPTIMLAB_PARALLEL_THRESHOLD"

__all__ = [
    "HAVE_NUMBA",
    "Rule",
    "has_nonfinite",
    "helper",
    "parallel_threshold",
    "rule",
    "set_parallel_threshold",
]


def _checked_threshold(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"{name} must be a positive whole number of elements (or None to never run "
            f"in parallel), got {value!r}"
        )
    return value


def _threshold_from_environment() -> int | None:
    text = os.environ.get(_ENVIRONMENT_VARIABLE, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = text
    return _checked_threshold(value, f"the environment variable {_ENVIRONMENT_VARIABLE}")


_parallel_threshold: int | None = _threshold_from_environment()


def parallel_threshold() -> int | None:
    """Buffers at least this long run on Numba's thread pool; None (the default): never."""
    return _parallel_threshold


def set_parallel_threshold(elements: int | None) -> None:
    """Run update steps on buffers of at least ``elements`` values on Numba's thread pool.

    Worth it when steps dominate the time (a very large model with cheap gradients); not
    when the gradients come from matrix products, whose BLAS threads then fight the pool
    for the cores. ``None`` restores the default, one thread.
    """
    global _parallel_threshold
    _parallel_threshold = _checked_threshold(elements, "elements")


def _runs_parallel(size: int) -> bool:
    return _parallel_threshold is not None and size >= _parallel_threshold


helper = register_jitable
"""Decorator for a scalar function that rules call: plain Python in NumPy, inlined in Numba."""


def _loop0(fn, p, g, c):  # pragma: no cover - compiled by Numba
    for i in numba.prange(p.size):
        p[i] = fn(p[i], g[i], *c)


def _loop1(fn, p, g, s0, c):  # pragma: no cover - compiled by Numba
    for i in numba.prange(p.size):
        p[i], s0[i] = fn(p[i], g[i], s0[i], *c)


def _loop2(fn, p, g, s0, s1, c):  # pragma: no cover - compiled by Numba
    for i in numba.prange(p.size):
        p[i], s0[i], s1[i] = fn(p[i], g[i], s0[i], s1[i], *c)


def _loop3(fn, p, g, s0, s1, s2, c):  # pragma: no cover - compiled by Numba
    for i in numba.prange(p.size):
        p[i], s0[i], s1[i], s2[i] = fn(p[i], g[i], s0[i], s1[i], s2[i], *c)


_LOOPS = (_loop0, _loop1, _loop2, _loop3)
_compiled_loops: dict[tuple[int, bool], Any] = {}


def _loop(n_state: int, parallel: bool):
    key = (n_state, parallel)
    if key not in _compiled_loops:
        _compiled_loops[key] = numba.njit(parallel=parallel, error_model="numpy")(_LOOPS[n_state])
    return _compiled_loops[key]


class Rule:
    """An elementwise update rule with ``n_state`` state arrays, runnable both ways."""

    def __init__(self, fn: Callable, n_state: int) -> None:
        if not 0 <= n_state < len(_LOOPS):
            raise ValueError(f"a rule has 0 to {len(_LOOPS) - 1} state arrays, got {n_state}")
        self.fn = fn
        self.n_state = n_state
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self._jitted = None

    def __repr__(self) -> str:
        return f"Rule({self.__name__}, n_state={self.n_state})"

    def numpy(
        self, p: np.ndarray, g: np.ndarray, states: Sequence[np.ndarray], coefficients: tuple
    ) -> None:
        """Update ``p`` and ``states`` in place with NumPy array arithmetic."""
        out = self.fn(p, g, *states, *coefficients)
        if self.n_state == 0:
            out = (out,)
        for target, value in zip((p, *states), out):
            target[...] = value

    @property
    def jitted(self):
        """The rule compiled by Numba, for use inside other compiled code."""
        if self._jitted is None:
            self._jitted = numba.njit(error_model="numpy")(self.fn)
        return self._jitted

    def loop(self, parallel: bool = False):
        """The compiled ``loop(fn, p, g, *states, coefficients)`` for this rule's arity."""
        return _loop(self.n_state, parallel)

    def fused(
        self, p: np.ndarray, g: np.ndarray, states: Sequence[np.ndarray], coefficients: tuple
    ) -> None:
        """Update 1-D contiguous ``p`` and ``states`` in place in one compiled pass."""
        self.loop(_runs_parallel(p.size))(self.jitted, p, g, *states, coefficients)


def rule(n_state: int) -> Callable[[Callable], Rule]:
    """Decorator: make a scalar update function a `Rule` with ``n_state`` state arrays."""
    return lambda fn: Rule(fn, n_state)


def _nonfinite_kernel(x):  # pragma: no cover - compiled by Numba
    acc = x.dtype.type(0)
    for i in numba.prange(x.size):
        acc += x[i] - x[i]  # 0 for finite values, NaN for inf or NaN
    return acc != acc or acc != 0


_nonfinite_compiled: dict[bool, Any] = {}


def has_nonfinite(x: np.ndarray) -> bool:
    """True if the 1-D array ``x`` holds an inf or a NaN (one fast pass when Numba is present)."""
    if not HAVE_NUMBA or x.size < 4096:
        return not bool(np.isfinite(x).all())
    parallel = _runs_parallel(x.size)
    if parallel not in _nonfinite_compiled:
        _nonfinite_compiled[parallel] = numba.njit(
            parallel=parallel, error_model="numpy", fastmath={"reassoc"}
        )(_nonfinite_kernel)
    return bool(_nonfinite_compiled[parallel](x))
