"""Random number generators passed in explicitly: a seed or a `numpy.random.Generator`."""

from __future__ import annotations

import numpy as np

Seed = int | np.random.Generator | None


def as_rng(seed: Seed) -> np.random.Generator:
    """Return ``np.random.default_rng(seed)``; a Generator is returned as it is (shared)."""
    if isinstance(seed, bool) or not (
        seed is None or isinstance(seed, (int, np.integer, np.random.Generator))
    ):
        raise TypeError(f"seed must be an int, a numpy Generator or None, got {seed!r}")
    return np.random.default_rng(seed)


def sklearn_seed(seed: Seed) -> int | None:
    """Return an int ``random_state`` for scikit-learn, drawn from ``seed`` if it is a Generator.

    scikit-learn takes ints or legacy RandomState objects, not Generators, so a Generator
    gives one integer draw; ``None`` stays ``None`` (fresh entropy), an int stays itself.
    """
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**32 - 1))
    as_rng(seed)  # type check only
    return None if seed is None else int(seed)
