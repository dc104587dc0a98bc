"""Record an optimizer's path on a landscape (plain data for the plots)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from optimlab.landscapes import Landscape
from optimlab.optim import Newton
from optimlab.viz._inputs import integer


def run_on_landscape(
    landscape: Landscape, optimizer_factory: Callable[[np.ndarray], Any], steps: int
) -> np.ndarray:
    """The iterates x_0, x_1, ..., x_steps of an optimizer on a landscape.

    ``optimizer_factory(x)`` builds the optimizer on ``x`` (a fresh copy of
    ``landscape.start``, updated in place), e.g. ``lambda x: Adam(x, lr=0.1)``. Each step
    is ``opt.step(closure=landscape.closure(...))`` (with the Hessian for `Newton`).

    A run **diverges** when an iterate or its value is not finite, or the optimizer
    refuses a non-finite gradient (FloatingPointError) or cannot solve its Newton system
    (a singular Hessian, LinAlgError): the run stops there and the remaining rows are NaN,
    which the plots draw as a divergence mark.

    Returns:
        Array of shape ``(steps + 1, dim)``: row 0 is the start, row k the k-th iterate.
    """
    if not isinstance(landscape, Landscape):
        raise ValueError(
            f"landscape must be a Landscape (e.g. Rosenbrock()), got {type(landscape).__name__}"
        )
    if not callable(optimizer_factory):
        raise ValueError(
            "optimizer_factory must be a callable x -> optimizer, e.g. lambda x: Adam(x, lr=0.1)"
        )
    steps = integer(steps, "steps", minimum=1)
    x = landscape.start
    optimizer = optimizer_factory(x)
    if not callable(getattr(optimizer, "step", None)):
        raise ValueError(
            f"optimizer_factory returned {type(optimizer).__name__}, which has no step(); "
            "return an optimizer built on x"
        )
    objective = landscape.closure(with_hessian=isinstance(optimizer, Newton))
    path = np.full((steps + 1, landscape.dim), np.nan)
    path[0] = x
    for k in range(1, steps + 1):
        try:
            optimizer.step(closure=objective)
        except (FloatingPointError, np.linalg.LinAlgError):
            break
        if not _finite_point(landscape, x):
            break
        path[k] = x
    return path


def _finite_point(landscape: Landscape, x: np.ndarray) -> bool:
    if not np.isfinite(x).all():
        return False
    with np.errstate(all="ignore"):
        return bool(np.isfinite(landscape.value_grid(*x)))
