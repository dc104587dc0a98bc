"""Argument checks shared by the landscapes: each raises ValueError naming the argument."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np


def finite_real(value: object, name: str, minimum: float | None = None) -> float:
    """Return ``value`` as a float after checking it is a finite real number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    return number


def positive_real(value: object, name: str) -> float:
    """Return ``value`` as a float after checking it is finite and > 0."""
    number = finite_real(value, name)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {number}")
    return number


def dimension(value: object, name: str = "dim", minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def point(x: object, dim: int, name: str = "x") -> np.ndarray:
    """Return ``x`` as a new float64 array of shape ``(dim,)``, finite, or raise ValueError."""
    try:
        array = np.array(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of {dim} real numbers, got {x!r}") from error
    if array.shape != (dim,):
        raise ValueError(f"{name} must have shape ({dim},), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {array}")
    return array
