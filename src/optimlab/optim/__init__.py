"""Optimizers of the seed documents, on NumPy arrays, updated in place."""

from optimlab.optim._flat import flat_view, packed

__all__ = ["flat_view", "packed"]
