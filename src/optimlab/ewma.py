"""Exponentially weighted moving average (EWMA) of a series ("Optimizers in Deep
Learning").

The course notes' recursion, with ``beta`` the weight kept from the past (``alpha = 1 -
beta`` is the weight of the new point, pandas' ``alpha``):

    v_0 = 0,   v_t = beta * v_{t-1} + (1 - beta) * x_t,   t = 1, 2, ...

Starting at 0 biases the first values towards 0 (v_1 = alpha x_1). Three fixes, all offered:

- ``debias=True`` divides by ``1 - beta^t`` (Adam's bias correction). This is exactly the
  average with weights ``beta^i`` normalised to sum to 1, i.e. pandas' ``adjust=True``
  (its default, used by the course notes' ``df['Close'].ewm(alpha=0.9).mean()``).
- ``adjust=True`` asks for pandas' adjusted weights by name (same numbers as ``debias=True``).
- ``start="first"`` starts the recursion at ``y_1 = x_1`` instead of ``v_0 = 0``: this is
  pandas' ``adjust=False``.

So ``ewma(x, alpha=a, adjust=A, start="first")`` equals pandas
``Series(x).ewm(alpha=a, adjust=A).mean()`` (to rounding) for both values of ``A``.

Note on the course notes' wording: a larger ``beta`` means *more* smoothing and a slower response;
its table describes pandas' ``alpha`` (the weight of the new point), not ``beta``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import ArrayLike
from scipy.signal import lfilter

from optimlab import checks

__all__ = ["EWMA", "ewma"]

STARTS = ("zero", "first")


def _beta(beta: object) -> float:
    return checks.unit_interval("beta", beta)


def _beta_from(beta: object, alpha: object) -> float:
    if (beta is None) == (alpha is None):
        raise ValueError("pass exactly one of beta (weight of the past) and alpha = 1 - beta")
    if beta is not None:
        return _beta(beta)
    return 1.0 - checks.number("alpha", alpha, low=0.0, high=1.0, low_open=True)


def _check_mode(start: str, adjust: bool, debias: bool) -> None:
    checks.choice("start", start, STARTS)
    if adjust and debias:
        raise ValueError(
            "adjust=True and debias=True are the same average (weights beta^i normalised); "
            "pass only one"
        )
    if start == "first" and (adjust or debias):
        raise ValueError(
            'start="first" has no zero-start bias to correct; it applies only with '
            "adjust=False and debias=False (pandas adjust=False)"
        )


def _bias_correction(beta: float, t: np.ndarray | int) -> np.ndarray | float:
    """``1 - beta^t`` for t >= 1, accurate for beta close to 1."""
    if beta == 0.0:
        return np.ones_like(t, dtype=np.float64) if isinstance(t, np.ndarray) else 1.0
    return -np.expm1(t * math.log(beta))


def ewma(
    x: ArrayLike,
    beta: float | None = None,
    *,
    alpha: float | None = None,
    adjust: bool = False,
    debias: bool = False,
    start: str = "zero",
) -> np.ndarray:
    """EWMA of a 1-D series, one output per input point (float64).

    - default (``start="zero"``): ``v_t = beta v_{t-1} + (1 - beta) x_t``, ``v_0 = 0`` (the
      course notes).
    - ``debias=True`` or ``adjust=True``: ``v_t / (1 - beta^t)`` = pandas ``adjust=True``.
    - ``start="first"``: ``y_1 = x_1``, then the same recursion = pandas ``adjust=False``.

    Args:
        x: finite real values, 1-D, non-empty.
        beta: weight of the past, in [0, 1). Exactly one of ``beta`` and ``alpha``.
        alpha: weight of the new point, ``1 - beta``, in (0, 1] (pandas' name).
        adjust: pandas' adjusted weights (same numbers as ``debias``).
        debias: divide the zero-start average by ``1 - beta^t`` (Adam's bias correction).
        start: "zero" (v_0 = 0) or "first" (y_1 = x_1).
    """
    beta = _beta_from(beta, alpha)
    _check_mode(start, adjust, debias)
    series = _series(x)

    if start == "first":
        # y_1 = x_1 is the zero-start recursion run from the state v = x_1 before x_2.
        smoothed = np.empty_like(series)
        smoothed[0] = series[0]
        smoothed[1:], _ = lfilter([1.0 - beta], [1.0, -beta], series[1:], zi=[beta * series[0]])
        return smoothed
    # v_t - beta v_{t-1} = (1 - beta) x_t with v_0 = 0: a first-order recursive filter.
    smoothed = lfilter([1.0 - beta], [1.0, -beta], series)
    if adjust or debias:
        smoothed /= _bias_correction(beta, np.arange(1, series.size + 1))
    return smoothed


def _series(x: ArrayLike) -> np.ndarray:
    series = np.asarray(x)
    if series.ndim != 1:
        raise ValueError(f"x must be a 1-D series, got shape {series.shape}; flatten it first")
    if series.size == 0:
        raise ValueError("x is empty: pass at least one value")
    if series.dtype.kind not in "biuf":
        raise TypeError(f"x must hold real numbers, got dtype {series.dtype}")
    series = series.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(series))
    if bad.size:
        raise ValueError(
            f"x[{bad[0]}] is {series[bad[0]]}: x must be finite ({bad.size} non-finite values); "
            "drop or fill them first"
        )
    return series


class EWMA:
    """Streaming EWMA for training loops (e.g. smoothing a loss curve).

    ``update(x)`` adds one point and returns the current average; ``value`` reads it. Same
    numbers as `ewma` on the points seen so far, with the same ``debias``/``start`` options.

    Example:
        >>> smooth = EWMA(0.5, debias=True)
        >>> smooth.update(1.0), smooth.update(2.0)
        (1.0, 1.6666666666666667)
    """

    def __init__(self, beta: float, *, debias: bool = False, start: str = "zero") -> None:
        self.beta = _beta(beta)
        _check_mode(start, False, debias)
        self.debias = debias
        self.start = start
        self.count = 0
        self._v = 0.0

    def __repr__(self) -> str:
        return (
            f"EWMA(beta={self.beta!r}, debias={self.debias!r}, start={self.start!r}, "
            f"count={self.count})"
        )

    def update(self, x: float) -> float:
        """Add one finite point and return the new average."""
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
            raise ValueError(f"x must be a finite real number, got {x!r} (update {self.count + 1})")
        if self.count == 0 and self.start == "first":
            self._v = float(x)
        else:
            self._v = self.beta * self._v + (1.0 - self.beta) * float(x)
        self.count += 1
        return self.value

    @property
    def value(self) -> float:
        """The current average (raises before the first update)."""
        if self.count == 0:
            raise RuntimeError("EWMA has no value before the first update(x)")
        if self.debias:
            return self._v / float(_bias_correction(self.beta, self.count))
        return self._v
