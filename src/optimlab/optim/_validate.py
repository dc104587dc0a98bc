"""Checks for hyperparameters: each returns the clean value or raises a ValueError naming it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any


def _number(name: str, value: Any, expected: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"Invalid {name}: {value!r}; it must be {expected}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"Invalid {name}: {value!r}; it must be {expected}")
    return value


def nonnegative(name: str, value: Any) -> float:
    """A finite number >= 0."""
    value = _number(name, value, "a finite number >= 0")
    if value < 0:
        raise ValueError(f"Invalid {name}: {value!r}; it must be a finite number >= 0")
    return value


def positive(name: str, value: Any) -> float:
    """A finite number > 0."""
    value = _number(name, value, "a finite number > 0")
    if value <= 0:
        raise ValueError(f"Invalid {name}: {value!r}; it must be a finite number > 0")
    return value


def unit_interval(name: str, value: Any) -> float:
    """A number in [0, 1)."""
    value = _number(name, value, "a number in [0, 1)")
    if not 0 <= value < 1:
        raise ValueError(f"Invalid {name}: {value!r}; it must be in [0, 1)")
    return value


def closed_unit_interval(name: str, value: Any) -> float:
    """A number in [0, 1]."""
    value = _number(name, value, "a number in [0, 1]")
    if not 0 <= value <= 1:
        raise ValueError(f"Invalid {name}: {value!r}; it must be in [0, 1]")
    return value


def betas(name: str, value: Any) -> tuple[float, float]:
    """A pair of numbers, each in [0, 1)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(f"Invalid {name}: {value!r}; it must be a pair (beta1, beta2) in [0, 1)")
    return unit_interval(f"{name}[0]", value[0]), unit_interval(f"{name}[1]", value[1])


def learning_rate(name: str, value: Any) -> float | Callable[[int], float]:
    """A finite number >= 0, or a schedule: a callable of the 0-based step."""
    if callable(value):
        return value
    return nonnegative(name, value)


def choice(name: str, value: Any, options: Sequence[str]) -> str:
    """One of ``options``."""
    if value not in options:
        raise ValueError(
            f"Invalid {name}: {value!r}; choose one of {', '.join(map(repr, options))}"
        )
    return value


def flag(name: str, value: Any) -> bool:
    """A bool."""
    if not isinstance(value, bool):
        raise ValueError(f"Invalid {name}: {value!r}; it must be True or False")
    return value
