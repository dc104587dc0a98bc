"""Checks of the plain data the plots take: each raises ValueError naming the argument."""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np


def named(mapping: object, name: str) -> dict[str, object]:
    """A non-empty dict with string keys (one entry per curve or path)."""
    if not isinstance(mapping, Mapping):
        raise ValueError(f"{name} must be a dict {{label: data}}, got {type(mapping).__name__}")
    if not mapping:
        raise ValueError(f"{name} is empty: pass at least one {{label: data}} entry")
    for key in mapping:
        if not isinstance(key, str):
            raise ValueError(f"{name} keys are legend labels and must be str, got {key!r}")
    return dict(mapping)


def real_array(values: object, where: str, ndim: int) -> np.ndarray:
    """``values`` as a float64 array with ``ndim`` dimensions and at least one row."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where} must hold real numbers: {error}") from error
    if array.ndim != ndim:
        shape = "(n,)" if ndim == 1 else "(n, k)"
        raise ValueError(f"{where} must have shape {shape}, got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{where} is empty")
    return array


def curve(values: object, where: str, diverged_at_once: bool = False) -> tuple[np.ndarray, bool]:
    """A 1-D curve cut before its first non-finite value, and whether it was cut.

    A non-finite value marks divergence: what follows is not drawn. With
    ``diverged_at_once``, a curve that is empty or starts with a non-finite value (a run
    that diverged before recording a value) is ``(empty, True)`` instead of an error.
    """
    if diverged_at_once and np.size(values) == 0:
        return np.empty(0), True
    array = real_array(values, where, ndim=1)
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size and bad[0] == 0:
        if diverged_at_once:
            return array[:0], True
        raise ValueError(f"{where}[0] is {array[0]}: a curve must start with a finite value")
    return (array[: bad[0]], True) if bad.size else (array, False)


def path(values: object, where: str, dim: int = 2) -> tuple[np.ndarray, bool]:
    """A ``(T, dim)`` trajectory cut before its first non-finite row, and whether it was cut."""
    array = real_array(values, where, ndim=2)
    if array.shape[1] != dim:
        raise ValueError(f"{where} must have shape (T, {dim}), got shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array).all(axis=1))
    if bad.size and bad[0] == 0:
        raise ValueError(f"{where}[0] (the start) must be finite, got {array[0]}")
    return (array[: bad[0]], True) if bad.size else (array, False)


def integer(value: object, name: str, minimum: int, maximum: int | None = None) -> int:
    """An int in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be >= {minimum}{upper}, got {value}")
    return int(value)


def positive(value: object, name: str) -> float:
    """A finite float > 0."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return float(value)


def beta(value: object, name: str) -> float:
    """An EWMA weight of the past, in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1) (the EWMA's beta), got {value!r}")
    return float(value)


def flag(value: object, name: str) -> bool:
    """True or False."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


def optional_text(value: object, name: str) -> str | None:
    """None, or a str (a title or an axis label)."""
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be a str (or None for the default), got {value!r}")
    return value
