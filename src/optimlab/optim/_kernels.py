"""Run an elementwise update rule two ways: plain NumPy, or one fused Numba pass.

A rule is a function of scalars written like the textbook formula::

    def rule(p, g, m, v, lr, beta1, ...):   # parameter, gradient, state..., coefficients...
        m = beta1 * m + one_minus_beta1 * g
        ...
        return p, m, v

Called with NumPy arrays it is the readable reference path (one temporary per operation).
Compiled by Numba it becomes the body of one loop over flat contiguous buffers: every
array is read once and written once per step.

Threads. Buffers of at least `DEFAULT_PARALLEL_THRESHOLD` values (2^20, about a million) run
on Numba's thread pool, smaller ones on one thread; `set_parallel_threshold` (or the
``OPTIMLAB_PARALLEL_THRESHOLD`` environment variable, ``none`` for never) moves the line.
Below a million values a step takes well under a millisecond and threads do not pay for
their start. The pool uses Numba's ``workqueue`` threading layer (unless the
``NUMBA_THREADING_LAYER`` environment variable or ``numba.config`` chose another before
optimlab's first parallel step): its idle threads sleep, where OpenMP's spin for a while
after each parallel region and, inside a training loop, take the cores from the BLAS
threads of the next matrix products (training an MLP got up to 7 times slower,
docs/benchmarks.md). The workqueue layer does not allow two parallel regions at once, so
optimlab's parallel calls hold one lock.

Both paths compute in the parameters' dtype with coefficients cast to that dtype, and
perform the same operations in the same order, so their iterates agree (bit for bit in
practice). Rules contain no numeric literals: every constant (``1 - beta1`` too) arrives
as a coefficient, because a Python literal would silently promote float32 arithmetic to
float64 inside Numba and break that agreement.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import numba
    from numba.extending import register_jitable
    from numba.np.unsafe.ndarray import to_fixed_tuple
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
    "MAX_STATE",
    "compile_loop",
    "has_nonfinite",
    "helper",
    "parallel_threshold",
    "run_locked",
    "runs_parallel",
    "set_parallel_threshold",
]

#: The most state arrays a rule may have.
MAX_STATE = 3


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
        return DEFAULT_PARALLEL_THRESHOLD
    if text.lower() == "none":
        return None
    try:
        value = int(text)
    except ValueError:
        value = text
    return _checked_threshold(value, f"the environment variable {_ENVIRONMENT_VARIABLE}")


#: Buffers at least this long run on Numba's thread pool by default.
DEFAULT_PARALLEL_THRESHOLD = 1 << 20

_parallel_threshold: int | None = _threshold_from_environment()
_pool_lock = threading.Lock()


def parallel_threshold() -> int | None:
    """Buffers at least this long run on Numba's thread pool; None: never."""
    return _parallel_threshold


def set_parallel_threshold(elements: int | None) -> None:
    """Run update steps on buffers of at least ``elements`` values on Numba's thread pool
    (default `DEFAULT_PARALLEL_THRESHOLD`); ``None``: always on one thread."""
    global _parallel_threshold
    _parallel_threshold = _checked_threshold(elements, "elements")


def _prefer_sleeping_threads() -> None:
    """Ask for Numba's workqueue layer (idle threads sleep), unless a layer was chosen."""
    if "NUMBA_THREADING_LAYER" not in os.environ and numba.config.THREADING_LAYER == "default":
        numba.config.THREADING_LAYER = "workqueue"


def run_locked(function: Callable, *args: Any) -> Any:
    """Call a parallel compiled function, one at a time across threads (the workqueue
    layer aborts the process on concurrent parallel regions)."""
    with _pool_lock:
        return function(*args)


helper = register_jitable
"""Decorator for a scalar function that rules call: plain Python in NumPy, inlined in Numba."""


def compile_loop(fn: Callable, n_state: int, n_coefficients: int, parallel: bool) -> Any:
    """One compiled pass of the compiled rule ``fn`` over flat buffers:
    ``loop(p, g, *states, coefficients)``, with the coefficients as one array in the
    parameters' dtype (unpacked into a fixed-size tuple once, outside the loop).

    Each rule gets loops of its own, with ``fn`` bound at compile time: calling a loop is one
    dispatch on plain arrays, about 0.3 us, where passing the rule as a first-class function
    cost about 5 us per call.
    """
    if not 0 <= n_state <= MAX_STATE:
        raise ValueError(f"a rule has 0 to {MAX_STATE} state arrays, got {n_state}")
    k = n_coefficients
    if n_state == 0:

        def loop(p, g, c):  # pragma: no cover - compiled by Numba
            coefficients = to_fixed_tuple(c, k)
            for i in numba.prange(p.size):
                p[i] = fn(p[i], g[i], *coefficients)

    elif n_state == 1:

        def loop(p, g, s0, c):  # pragma: no cover - compiled by Numba
            coefficients = to_fixed_tuple(c, k)
            for i in numba.prange(p.size):
                p[i], s0[i] = fn(p[i], g[i], s0[i], *coefficients)

    elif n_state == 2:

        def loop(p, g, s0, s1, c):  # pragma: no cover - compiled by Numba
            coefficients = to_fixed_tuple(c, k)
            for i in numba.prange(p.size):
                p[i], s0[i], s1[i] = fn(p[i], g[i], s0[i], s1[i], *coefficients)

    else:

        def loop(p, g, s0, s1, s2, c):  # pragma: no cover - compiled by Numba
            coefficients = to_fixed_tuple(c, k)
            for i in numba.prange(p.size):
                p[i], s0[i], s1[i], s2[i] = fn(p[i], g[i], s0[i], s1[i], s2[i], *coefficients)

    if parallel:
        _prefer_sleeping_threads()
    return numba.njit(parallel=parallel, error_model="numpy")(loop)


def runs_parallel(size: int) -> bool:
    """True when a buffer of ``size`` values is updated on Numba's thread pool."""
    return _parallel_threshold is not None and size >= _parallel_threshold


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
    parallel = runs_parallel(x.size)
    if parallel not in _nonfinite_compiled:
        if parallel:
            _prefer_sleeping_threads()
        _nonfinite_compiled[parallel] = numba.njit(
            parallel=parallel, error_model="numpy", fastmath={"reassoc"}
        )(_nonfinite_kernel)
    if parallel:
        return bool(run_locked(_nonfinite_compiled[parallel], x))
    return bool(_nonfinite_compiled[parallel](x))
