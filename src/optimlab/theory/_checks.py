"""Argument checks for `optimlab.theory`: each raises ValueError naming the argument."""

from __future__ import annotations

import math
from numbers import Integral, Real


def finite_number(value: object, name: str, minimum: float | None = None) -> float:
    """``value`` as a float after checking it is a finite real number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    return number


def positive_number(value: object, name: str) -> float:
    """``value`` as a float after checking it is finite and > 0."""
    number = finite_number(value, name)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {number}")
    return number


def count(value: object, name: str, minimum: int = 1) -> int:
    """``value`` as an int after checking it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)
