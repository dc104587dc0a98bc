"""The engines that apply one rule step to the tensors of a parameter group.

Each takes the `RuleStep` an optimlab optimizer returns from ``rule_at(t, lr)`` (the rule
and its coefficients) and runs the rule's own function:

* `run_numba` (CPU tensors): the rule's compiled Numba loop, the kernel `optimlab.optim`
  runs, on NumPy views of the tensors' memory: one pass per tensor that reads and writes
  each value once. Its iterates equal `optimlab.optim`'s bit for bit.
* `run_foreach` (any device): the rule rebuilt by `optimlab.torch.translate.on_tensors`
  with every operation one ``torch._foreach_*`` call over all tensors of the group.
* `compiled_foreach` (any device, for CUDA): the same function compiled by
  ``torch.compile``, which fuses the operations into one kernel per tensor.

Coefficients are converted to the parameters' dtype first, as `optimlab.optim` does (a flag
stays a Python bool, which rules only test).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from optimlab.optim import RuleStep
from optimlab.torch.translate import TensorList, on_tensors

__all__ = ["compiled_foreach", "dtype_coefficients", "in_dtype", "run_foreach", "run_numba"]

_NUMPY_DTYPES = {torch.float32: np.float32, torch.float64: np.float64}


def in_dtype(value: float, dtype: torch.dtype) -> float:
    """``value`` rounded to ``dtype`` (a Python float holding that dtype's number)."""
    return float(_NUMPY_DTYPES[dtype](value))


def dtype_coefficients(step: RuleStep, dtype: torch.dtype) -> tuple:
    """The coefficients rounded to ``dtype`` (as Python floats; flags stay bools)."""
    cast = _NUMPY_DTYPES[dtype]
    return tuple(c if isinstance(c, bool) else float(cast(c)) for c in step.coefficients)


def run_numba(
    step: RuleStep, arrays: Sequence[tuple[np.ndarray, ...]], coefficients: np.ndarray
) -> None:
    """Apply ``step`` in place to ``(p, g, *states)`` NumPy views, one tuple per tensor
    (``coefficients``: ``step.array`` in the views' dtype).

    Views that are 1-D and contiguous run the rule's compiled loop (`optimlab.optim.Rule.fused`,
    shared among the cores from `optimlab.optim.parallel_threshold` values on); others (a
    tensor with unusual strides) run the NumPy formula on their shaped views.
    """
    rule = step.rule
    for views in arrays:
        p = views[0]
        if p.ndim == 1 and views[1].ndim == 1:
            rule.fused(p, views[1], views[2:], coefficients)
        else:
            rule.numpy(p, views[1], views[2:], step.coefficients)


def _apply(
    fn: Callable,
    ps: list[torch.Tensor],
    gs: list[torch.Tensor],
    states: list[list[torch.Tensor]],
    coefficients: Sequence[Any],
) -> None:
    out = fn(TensorList(ps), TensorList(gs), *map(TensorList, states), *coefficients)
    out = out if isinstance(out, tuple) else (out,)
    for target, value in zip((ps, *states), out):
        if any(v is not t for v, t in zip(value.tensors, target)):
            torch._foreach_copy_(target, value.tensors)


def run_foreach(
    step: RuleStep,
    ps: list[torch.Tensor],
    gs: list[torch.Tensor],
    states: list[list[torch.Tensor]],
) -> None:
    """Apply ``step`` in place to the tensors ``ps`` and ``states`` (one list per state, in
    the rule's order) with gradients ``gs``, all of one device and dtype."""
    fn = on_tensors(step.rule.fn)
    _apply(fn, ps, gs, states, dtype_coefficients(step, ps[0].dtype))


_compiled: dict[Any, Callable] = {}


def compiled_foreach(
    step: RuleStep,
    ps: list[torch.Tensor],
    gs: list[torch.Tensor],
    states: list[list[torch.Tensor]],
) -> None:
    """`run_foreach` compiled by ``torch.compile`` (one compiled function per rule; the
    coefficients are graph inputs, so a new learning rate or bias correction does not
    recompile; a flag such as "first step" selects one of two graphs).

    The first call of each rule and tensor layout compiles (tens of seconds on a CPU);
    meant for CUDA, where the fused kernels save the memory passes of the foreach form.
    """
    rule = step.rule
    with warnings.catch_warnings():
        # importing and running inductor touches torch.jit, which warns of its deprecation
        warnings.filterwarnings("ignore", "`torch.jit.script", DeprecationWarning)
        if rule not in _compiled:
            fn = on_tensors(rule.fn)

            def update(ps, gs, states, coefficients):  # pragma: no cover - traced by dynamo
                _apply(fn, ps, gs, states, coefficients)

            _compiled[rule] = torch.compile(update, fullgraph=False, dynamic=False)
        _compiled[rule](ps, gs, states, list(dtype_coefficients(step, ps[0].dtype)))
