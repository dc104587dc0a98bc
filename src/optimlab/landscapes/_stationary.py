"""Stationary points known only to a few digits, made exact to machine precision."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def newton_polish(
    grad: Callable[[np.ndarray], np.ndarray],
    hessian: Callable[[np.ndarray], np.ndarray],
    guess: tuple[float, ...],
    max_iter: int = 50,
) -> np.ndarray:
    """Refine an approximate stationary point with Newton steps ``x <- x - H(x)^-1 g(x)``.

    Newton's method converges quadratically to a non-degenerate stationary point (minimum,
    maximum or saddle alike) from a guess close enough, so a published 6-digit value
    becomes exact to rounding in a few steps.

    Raises:
        RuntimeError: if the gradient does not vanish within ``max_iter`` steps.
    """
    x = np.array(guess, dtype=np.float64)
    for _ in range(max_iter):
        step = np.linalg.solve(hessian(x), grad(x))
        x = x - step
        if np.max(np.abs(step)) <= 4 * np.finfo(np.float64).eps * max(1.0, np.max(np.abs(x))):
            return x
    raise RuntimeError(f"Newton refinement from {guess} did not converge")
