"""Argument checks for every package: one door, one argument order, one exception policy.

Every check is called ``check(name, value, ...)`` and returns the clean value (a float, an
int, a bool, one of the choices), or raises with a message that names the argument, says
what it must be and shows what it got::

    Invalid lr: lr must be a finite number >= 0, got -0.1

The policy:

* a value of the wrong type (a string where a number belongs, a float where an integer
  belongs, ``True`` where a number belongs) raises `ArgumentTypeError`, a ``TypeError``;
* a value of the right type that is not acceptable (negative, not finite, out of range,
  not one of the choices) raises ``ValueError``.

`ArgumentTypeError` is also a ``ValueError``, so that a caller who catches ``ValueError``
for every bad argument (as every optimlab entry point did before this module) still
catches it.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

__all__ = [
    "ArgumentTypeError",
    "betas",
    "choice",
    "closed_unit_interval",
    "closest",
    "flag",
    "integer",
    "learning_rate",
    "nonnegative",
    "number",
    "optional",
    "positive",
    "unit_interval",
]

T = TypeVar("T")


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type: a ``TypeError`` (and a ``ValueError``, see the module
    docstring)."""


def _refuse(name: str, value: Any, expected: str, kind: type[Exception] = ValueError) -> None:
    raise kind(f"Invalid {name}: {value!r}; {name} must be {expected}")


def number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number within the given bounds (inclusive unless ``*_open``).

    Raises:
        ArgumentTypeError: not a real number (a bool is not a number here).
        ValueError: not finite ("must be finite"), or outside the bounds ("must be > 0",
            "must be in [0, 1)").
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _refuse(name, value, "a real number", ArgumentTypeError)
    result = float(value)
    if not math.isfinite(result):
        _refuse(name, value, "finite")
    too_low = low is not None and (result <= low if low_open else result < low)
    too_high = high is not None and (result >= high if high_open else result > high)
    if too_low or too_high:
        _refuse(name, value, _range_text(low, high, low_open, high_open))
    return result


def _range_text(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        return f"in {left}{low:g}, {high:g}{right}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    return f"{'<' if high_open else '<='} {high:g}"


def positive(name: str, value: Any) -> float:
    """A finite number > 0."""
    return number(name, value, low=0.0, low_open=True)


def nonnegative(name: str, value: Any) -> float:
    """A finite number >= 0."""
    return number(name, value, low=0.0)


def unit_interval(name: str, value: Any) -> float:
    """A number in [0, 1) (a decay rate such as beta, rho, alpha or a momentum)."""
    return number(name, value, low=0.0, high=1.0, high_open=True)


def closed_unit_interval(name: str, value: Any) -> float:
    """A number in [0, 1] (a fraction, a dampening)."""
    return number(name, value, low=0.0, high=1.0)


def integer(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (Python or NumPy, not a bool) within the given inclusive bounds.

    Raises:
        ArgumentTypeError: not an integer (``2.0`` is refused: counts are whole numbers).
        ValueError: outside the bounds ("must be an integer >= 0", "must be a positive
            integer").
    """
    if low == 1 and high is None:
        expected = "a positive integer"
    elif low is not None and high is not None:
        expected = f"an integer from {low} to {high}"
    elif low is not None:
        expected = f"an integer >= {low}"
    elif high is not None:
        expected = f"an integer <= {high}"
    else:
        expected = "an integer"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _refuse(name, value, "an integer", ArgumentTypeError)
    result = int(value)
    if (low is not None and result < low) or (high is not None and result > high):
        _refuse(name, value, expected)
    return result


def flag(name: str, value: Any) -> bool:
    """``True`` or ``False`` (not 0, 1 or a string)."""
    if not isinstance(value, bool):
        _refuse(name, value, "True or False", ArgumentTypeError)
    return value


def betas(name: str, value: Any) -> tuple[float, float]:
    """A pair ``(beta1, beta2)``, each in [0, 1)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        _refuse(name, value, "a pair (beta1, beta2) in [0, 1)", ArgumentTypeError)
    if len(value) != 2:
        _refuse(name, value, "a pair (beta1, beta2) in [0, 1)")
    return unit_interval(f"{name}[0]", value[0]), unit_interval(f"{name}[1]", value[1])


def learning_rate(name: str, value: Any) -> float | Callable[[int], float]:
    """A finite number >= 0, or a schedule: a callable of the 0-based step."""
    if callable(value):
        return value
    return nonnegative(name, value)


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option most like ``word`` (case-insensitive), or None when none is close."""
    options = list(options)
    lowered = {option.lower(): option for option in options}
    match = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def choice(name: str, value: Any, options: Sequence[T]) -> T:
    """One of ``options``, a string option matched in any case (``"Cosine"`` gives
    ``"cosine"``); the error lists them and suggests the closest one.

    Raises:
        ValueError: ``value`` is not one of the options.
    """
    if value in options:
        return value
    if isinstance(value, str):
        same = [o for o in options if isinstance(o, str) and o.lower() == value.lower()]
        if len(same) == 1:
            return same[0]
    shown = ", ".join(map(repr, options))
    hint = ""
    if isinstance(value, str):
        near = closest(value, [str(option) for option in options])
        if near is not None:
            hint = f" (did you mean {near!r}?)"
    raise ValueError(f"Invalid {name}: {value!r}; {name} must be one of {shown}{hint}")


def optional(check: Callable[..., T], name: str, value: Any, *args: Any, **kwargs: Any) -> T | None:
    """``None``, or ``check(name, value, ...)``."""
    return None if value is None else check(name, value, *args, **kwargs)
