"""Run an elementwise update rule two ways: plain NumPy, or one fused Numba pass.

A rule is a function of scalars written like the textbook formula::

    def rule(p, g, m, v, lr, beta1, ...):   # parameter, gradient, state..., coefficients...
        m = beta1 * m + one_minus_beta1 * g
        ...
        return p, m, v

Called with NumPy arrays it is the readable reference path (one temporary per operation).
Compiled by Numba it becomes the body of one loop over flat contiguous buffers: every
array is read once and written once per step.

Threads. Buffers of at least `DEFAULT_PARALLEL_THRESHOLD` values (2^21, about two million) are
split into chunks that every core takes its share of (`optimlab.optim._pool`), smaller ones
run on the calling thread; `set_parallel_threshold` (or the ``OPTIMLAB_PARALLEL_THRESHOLD``
environment variable, ``none`` for never) moves the line. Below that, a step's buffers fit
in a large L3 cache, one core already runs it at cache speed, and handing chunks to other
threads costs more than it gains (measured: docs/benchmarks.md).

Both paths compute in the parameters' dtype with coefficients cast to that dtype, and
perform the same operations in the same order, so their iterates agree (bit for bit in
practice). Rules contain no numeric literals: every constant (``1 - beta1`` too) arrives
as a coefficient, because a Python literal would silently promote float32 arithmetic to
float64 inside Numba and break that agreement.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from optimlab.optim._pool import run_in_chunks

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
    "NO_CHECK",
    "compile_loop",
    "has_nonfinite",
    "helper",
    "parallel_threshold",
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
        value = float(text.replace("_", ""))  # 1e6 and 1_000_000 too
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 1 and value == int(value)):
        raise ValueError(
            f"the environment variable {_ENVIRONMENT_VARIABLE} must be a positive whole "
            f"number of values (such as 1048576 or 1e6) or 'none', got {text!r}"
        )
    return int(value)


#: Buffers at least this long are shared among the cores by default.
DEFAULT_PARALLEL_THRESHOLD = 1 << 21

_parallel_threshold: int | None = _threshold_from_environment()


def parallel_threshold() -> int | None:
    """Buffers at least this long are shared among the cores; None: never."""
    return _parallel_threshold


def set_parallel_threshold(elements: int | None) -> None:
    """Share update steps on buffers of at least ``elements`` values among the cores
    (default `DEFAULT_PARALLEL_THRESHOLD`); ``None``: always on the calling thread."""
    global _parallel_threshold
    _parallel_threshold = _checked_threshold(elements, "elements")


helper = register_jitable
"""Decorator for a scalar function that rules call: plain Python in NumPy, inlined in Numba."""


def _nonfinite_kernel(x):  # pragma: no cover - compiled by Numba
    acc = x.dtype.type(0)
    for i in range(x.size):
        acc += x[i] - x[i]  # 0 for finite values, NaN for inf or NaN
    return acc != acc or acc != 0


if HAVE_NUMBA:  # compiled on first use; "reassoc" lets the sum run in vector lanes
    _nonfinite_jit = numba.njit(nogil=True, error_model="numpy", fastmath={"reassoc"})(
        _nonfinite_kernel
    )


#: The ``flags`` of a compiled loop that should not check the gradient. Loops write 1 to its
#: second value, which nobody reads here: sharing it is harmless.
NO_CHECK = np.zeros(2, dtype=np.int64)


def compile_loop(fn: Callable, n_state: int, n_coefficients: int) -> Any:
    """One compiled pass of the compiled rule ``fn`` over flat buffers:
    ``loop(p, g, *states, coefficients, flags) -> bool``, with the coefficients as one array
    in the parameters' dtype (unpacked into a fixed-size tuple once, outside the loop) and
    ``flags`` two int64 values (see `NO_CHECK`). With ``flags[0]`` set it first reads ``g``
    and, if it holds an inf or a NaN, returns False having written nothing (the check and
    the update of a short buffer in one call); otherwise it updates, sets ``flags[1]`` (so
    that a caller interrupted just after the call can still tell the update was made) and
    returns True. It releases the GIL, so threads can run it on different chunks of a
    buffer at once.

    Each rule gets a loop of its own, with ``fn`` bound at compile time: calling a loop is one
    dispatch on plain arrays, about 0.3 us, where passing the rule as a first-class function
    cost about 5 us per call.
    """
    if not 0 <= n_state <= MAX_STATE:
        raise ValueError(f"a rule has 0 to {MAX_STATE} state arrays, got {n_state}")
    k = n_coefficients
    nonfinite = _nonfinite_jit
    if n_state == 0:

        def loop(p, g, c, flags):  # pragma: no cover - compiled by Numba
            if flags[0] and nonfinite(g):
                return False
            coefficients = to_fixed_tuple(c, k)
            for i in range(p.size):
                p[i] = fn(p[i], g[i], *coefficients)
            flags[1] = 1
            return True

    elif n_state == 1:

        def loop(p, g, s0, c, flags):  # pragma: no cover - compiled by Numba
            if flags[0] and nonfinite(g):
                return False
            coefficients = to_fixed_tuple(c, k)
            for i in range(p.size):
                p[i], s0[i] = fn(p[i], g[i], s0[i], *coefficients)
            flags[1] = 1
            return True

    elif n_state == 2:

        def loop(p, g, s0, s1, c, flags):  # pragma: no cover - compiled by Numba
            if flags[0] and nonfinite(g):
                return False
            coefficients = to_fixed_tuple(c, k)
            for i in range(p.size):
                p[i], s0[i], s1[i] = fn(p[i], g[i], s0[i], s1[i], *coefficients)
            flags[1] = 1
            return True

    else:

        def loop(p, g, s0, s1, s2, c, flags):  # pragma: no cover - compiled by Numba
            if flags[0] and nonfinite(g):
                return False
            coefficients = to_fixed_tuple(c, k)
            for i in range(p.size):
                p[i], s0[i], s1[i], s2[i] = fn(p[i], g[i], s0[i], s1[i], s2[i], *coefficients)
            flags[1] = 1
            return True

    return numba.njit(nogil=True, error_model="numpy")(loop)


def runs_parallel(size: int) -> bool:
    """True when a buffer of ``size`` values is shared among the cores."""
    return _parallel_threshold is not None and size >= _parallel_threshold


def has_nonfinite(x: np.ndarray) -> bool:
    """True if the 1-D array ``x`` holds an inf or a NaN (one fast pass when Numba is present)."""
    if not HAVE_NUMBA or x.size < 4096:
        return not bool(np.isfinite(x).all())
    if runs_parallel(x.size):
        return run_in_chunks(lambda lo, hi: _nonfinite_jit(x[lo:hi]), x.size)
    return bool(_nonfinite_jit(x))
