"""The memory bound of an optimizer step: the fastest code that moves the same bytes.

An elementwise optimizer with k state arrays reads the parameter, the gradient and the k
states and writes the parameter and the k states back: (2 + k) reads and (1 + k) writes per
element (Adam, k = 2: 4 reads and 3 writes). No update with that traffic can run faster than
the fastest code that does only that traffic with trivial arithmetic, so the bound is
measured, in the same run and on the same sizes, as the fastest of several candidates:

* ``numba-prange``: one parallel Numba loop, ``s_j <- s_j + c g``, ``p <- p + c (g + sum s_j)``
  with a run-time ``c = 0`` (values stay put; nothing can be optimized away);
* ``numba-prange-fastmath``: the same compiled with ``fastmath``;
* ``numba-serial``: the same on one core (no thread wake-up: wins on small buffers);
* ``optimlab-loop``: optimlab's own fused loop (`optimlab.optim.rules.Rule`) running a
  rule with the same trivial body: our loop, dispatch and chunk pool, without the optimizer's
  arithmetic;
* ``numpy-ufunc``: ``np.maximum(x, g, out=x)`` for x = p and each state (this reads g once per
  written array: at least the same traffic, so still a valid bound candidate);
* ``torch-ufunc``: the same with ``torch.maximum(..., out=...)`` on all cores (if torch is
  installed).

Every candidate owns its own arrays (C-contiguous float32, like the optimizer's buffers).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numba
import numpy as np

from optimlab.optim.rules import Rule

# The prange candidates run on Numba's workqueue layer unless told otherwise: OpenMP's threads
# would spin after each loop and slow down the contender timed next.
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

_compiled: dict[tuple, Callable] = {}


def _prange_kernel(k: int, parallel: bool, fastmath: bool) -> Callable:
    """A Numba loop over ``i`` updating ``p`` and the ``k`` rows of ``s`` (k is compiled in)."""
    key = ("prange", k, parallel, fastmath)
    if key not in _compiled:

        def kernel(p, g, s, c):  # pragma: no cover - compiled by Numba
            for i in numba.prange(p.size):
                gi = g[i]
                total = gi
                for j in range(k):
                    s[j, i] = s[j, i] + c * gi
                    total += s[j, i]
                p[i] = p[i] + c * total

        _compiled[key] = numba.njit(parallel=parallel, fastmath=fastmath)(kernel)
    return _compiled[key]


def _trivial_rule(k: int) -> Rule:
    """An optimlab `Rule` with k state arrays and the same trivial body as the kernels."""
    key = ("rule", k)
    if key not in _compiled:
        if k == 0:

            def body(p, g, c):
                return p + c * g
        elif k == 1:

            def body(p, g, s0, c):
                s0 = s0 + c * g
                return p + c * (g + s0), s0
        elif k == 2:

            def body(p, g, s0, s1, c):
                s0 = s0 + c * g
                s1 = s1 + c * g
                return p + c * (g + s0 + s1), s0, s1
        elif k == 3:

            def body(p, g, s0, s1, s2, c):
                s0 = s0 + c * g
                s1 = s1 + c * g
                s2 = s2 + c * g
                return p + c * (g + s0 + s1 + s2), s0, s1, s2
        else:
            raise ValueError(f"state arrays k must be 0 to 3, got {k}")
        _compiled[key] = Rule(body, k)
    return _compiled[key]


def parallel_probe(n: int = 10_000) -> Callable[[], None]:
    """A microsecond-long two-thread kernel: slow only when another process holds a core."""
    kernel = _prange_kernel(0, parallel=True, fastmath=False)
    p, g, s = np.zeros(n, np.float32), np.zeros(n, np.float32), np.zeros((0, n), np.float32)
    zero = np.float32(0.0)
    return lambda: kernel(p, g, s, zero)


def candidates(
    n: int, k: int, rng: np.random.Generator, dtype: type = np.float32
) -> dict[str, Callable[[], None]]:
    """Every bound candidate for n elements and k state arrays, as ready-to-call steps.

    Args:
        n: elements per array.
        k: state arrays (the optimizer reads 2 + k arrays and writes 1 + k).
        rng: source of the arrays' values.
        dtype: element type.

    Returns:
        Candidate name -> a function doing one pass of that traffic over its own arrays.
    """

    def arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            rng.standard_normal(n).astype(dtype),
            rng.standard_normal(n).astype(dtype),
            rng.standard_normal((k, n)).astype(dtype),
        )

    zero = dtype(0.0)
    steps: dict[str, Callable[[], None]] = {}
    kernels = {
        "numba-prange": _prange_kernel(k, parallel=True, fastmath=False),
        "numba-prange-fastmath": _prange_kernel(k, parallel=True, fastmath=True),
        "numba-serial": _prange_kernel(k, parallel=False, fastmath=False),
    }
    for name, kernel in kernels.items():
        p, g, s = arrays()
        steps[name] = lambda kernel=kernel, p=p, g=g, s=s: kernel(p, g, s, zero)

    p, g, s = arrays()
    rule, rows = _trivial_rule(k), list(s)
    steps["optimlab-loop"] = lambda p=p, g=g: rule.fused(p, g, rows, (zero,))

    p, g, s = arrays()
    written = [p, *s]

    def numpy_ufunc() -> None:
        for x in written:
            np.maximum(x, g, out=x)

    steps["numpy-ufunc"] = numpy_ufunc

    try:
        import torch
    except ImportError:
        return steps
    p, g, s = arrays()
    t_written = [torch.from_numpy(x) for x in (p, *s)]
    t_g = torch.from_numpy(g)

    def torch_ufunc() -> None:
        for x in t_written:
            torch.maximum(x, t_g, out=x)

    steps["torch-ufunc"] = torch_ufunc
    return steps


def traffic_bytes(k: int, itemsize: int = 4) -> int:
    """Bytes moved per element by a step with k state arrays: (2 + k) reads + (1 + k) writes."""
    return ((2 + k) + (1 + k)) * itemsize
