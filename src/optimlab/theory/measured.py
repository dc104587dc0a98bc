"""Measured convergence: the linear rate and the order of an error sequence e_0, e_1, ...

The errors are any non-negative measure of distance to the solution (``||x_k - x*||`` or
``f(x_k) - f*``). Two things make raw sequences misleading, and both are handled here:

- the **precision floor**: once e_k reaches rounding level, the ratios e_{k+1}/e_k are
  noise. Only the *reliable prefix* is used: the values before the first one at or below
  ``floor`` (default ``1e-13 * max(errors)``, about 500 machine epsilons relative to the
  largest error).
- the **transient**: the first steps are dominated by fast-decaying components (the
  steep directions of a ravine); the asymptotic rate shows only later. `linear_rate`
  drops the first ``transient`` fraction (default half) of the reliable steps.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from optimlab import checks

RELATIVE_FLOOR = 1e-13


def reliable_errors(errors: ArrayLike, floor: float | None = None) -> np.ndarray:
    """The errors before the first one at or below ``floor`` (the precision floor).

    Args:
        errors: a 1-D sequence of finite, non-negative errors, at least one.
        floor: errors at or below it (>= 0) count as rounding noise. Default
            ``1e-13 * max(errors)``; exact zeros are always cut.

    Returns:
        The reliable prefix ``errors[:j]`` as float64, ``j`` the first index with
        ``errors[j] <= floor`` (all of them if none is).
    """
    series = _error_series(errors)
    if floor is None:
        floor = RELATIVE_FLOOR * float(series.max())
    floor = checks.number("floor", floor, low=0.0)
    at_floor = np.flatnonzero(series <= floor)
    return series[: at_floor[0]] if at_floor.size else series


def linear_rate(errors: ArrayLike, transient: float = 0.5, floor: float | None = None) -> float:
    """The measured linear rate r of ``e_{k+1} ~ r e_k``: a geometric mean over the tail.

    On the reliable prefix e_0..e_{n-1} (see `reliable_errors`), the first
    ``m = floor(transient * (n - 1))`` steps are dropped and

        r = (prod_{k=m}^{n-2} e_{k+1} / e_k)^(1 / (n-1-m)) = (e_{n-1} / e_m)^(1 / (n-1-m)).

    For ``e_k = c r^k`` this is r exactly; a transient that has died out by step m does
    not affect it. r < 1 converges, r -> 0 is superlinear, r > 1 diverges.

    Args:
        errors: 1-D, finite, non-negative; at least two reliable values.
        transient: fraction of the reliable steps dropped at the start, in [0, 1).
        floor: the precision floor (see `reliable_errors`).

    Raises:
        ValueError: bad input, or fewer than two errors above the floor (e.g. a method
            that solved the problem exactly in one step).
    """
    transient = checks.number("transient", transient, low=0.0)
    if transient >= 1.0:
        raise ValueError(f"transient must be in [0, 1), got {transient}")
    reliable = reliable_errors(errors, floor)
    steps = reliable.size - 1
    if steps < 1:
        raise ValueError(
            "linear_rate needs at least two errors above the precision floor, got "
            f"{reliable.size}; the run reached the floor at once (record more steps or "
            "lower floor)"
        )
    first = int(np.floor(transient * steps))
    return float(np.exp((np.log(reliable[-1]) - np.log(reliable[first])) / (steps - first)))


def convergence_order(errors: ArrayLike, window: int = 3, floor: float | None = None) -> float:
    """The measured order q of ``e_{k+1} ~ C e_k^q``: 1 linear, 2 quadratic.

    Each triple of consecutive reliable errors gives

        q_k = log(e_{k+1} / e_k) / log(e_k / e_{k-1}),

    exactly q when ``e_{k+1} = C e_k^q`` holds. The estimates improve as e_k -> 0, so the
    result is the median of the last ``window`` of them before the precision floor
    (triples with e_k = e_{k-1} carry no information and are skipped).

    Args:
        errors: 1-D, finite, non-negative; at least three reliable values.
        window: how many of the last estimates to take the median of, >= 1.
        floor: the precision floor (see `reliable_errors`).

    Raises:
        ValueError: bad input, or fewer than three errors above the floor.
    """
    window = checks.integer("window", window, low=1)
    reliable = reliable_errors(errors, floor)
    if reliable.size < 3:
        raise ValueError(
            "convergence_order needs at least three errors above the precision floor, got "
            f"{reliable.size} (record more steps, or start further from the solution)"
        )
    log_ratios = np.diff(np.log(reliable))
    previous, following = log_ratios[:-1], log_ratios[1:]
    informative = previous != 0.0
    if not informative.any():
        raise ValueError("convergence_order: the errors never change, so no order can be measured")
    estimates = following[informative] / previous[informative]
    return float(np.median(estimates[-window:]))


def _error_series(errors: ArrayLike) -> np.ndarray:
    try:
        series = np.asarray(errors, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"errors must be a 1-D sequence of real numbers: {error}") from error
    if series.ndim != 1:
        raise ValueError(f"errors must be 1-D (one error per iteration), got shape {series.shape}")
    if series.size == 0:
        raise ValueError("errors is empty: pass one error per iteration")
    bad = np.flatnonzero(~np.isfinite(series))
    if bad.size:
        raise ValueError(
            f"errors[{bad[0]}] is {series[bad[0]]}: errors must be finite (a diverged run has "
            "no convergence rate; cut the sequence where it diverged)"
        )
    negative = np.flatnonzero(series < 0)
    if negative.size:
        raise ValueError(
            f"errors[{negative[0]}] is {series[negative[0]]}: errors are distances, >= 0 "
            "(pass |f - f*| or ||x - x*||)"
        )
    return series
