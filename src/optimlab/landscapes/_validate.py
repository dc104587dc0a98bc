"""The point check shared by the landscapes (scalar arguments use `optimlab.checks`)."""

from __future__ import annotations

import numpy as np


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
