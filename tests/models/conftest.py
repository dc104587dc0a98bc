"""Finite-difference oracles for the model tests (central differences in float64)."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.optim import flat_view

STEP = 1e-6


def _flat(arrays: dict) -> np.ndarray:
    return flat_view(list(arrays.values())).copy()


def _unflatten(template: dict, flat: np.ndarray) -> dict:
    out, start = {}, 0
    for name, value in template.items():
        out[name] = flat[start : start + value.size].reshape(value.shape)
        start += value.size
    return out


def numerical_gradient(model, X, y) -> np.ndarray:
    """Central differences of model.loss_and_grad's loss, in the flat parameter order."""
    theta = _flat(model.params)
    grad = np.empty_like(theta)
    for j in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[j] += STEP
        minus[j] -= STEP
        f_plus = model.loss_and_grad(X, y, _unflatten(model.params, plus))[0]
        f_minus = model.loss_and_grad(X, y, _unflatten(model.params, minus))[0]
        grad[j] = (f_plus - f_minus) / (2 * STEP)
    return grad


def numerical_hessian(model, X, y) -> np.ndarray:
    """Central differences of the analytic gradient, column by column."""
    theta = _flat(model.params)
    H = np.empty((theta.size, theta.size))
    for j in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[j] += STEP
        minus[j] -= STEP
        g_plus = _flat(model.loss_and_grad(X, y, _unflatten(model.params, plus))[1])
        g_minus = _flat(model.loss_and_grad(X, y, _unflatten(model.params, minus))[1])
        H[:, j] = (g_plus - g_minus) / (2 * STEP)
    return H


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


@pytest.fixture
def fd():
    """The finite-difference helpers, as one namespace."""

    class FiniteDifferences:
        gradient = staticmethod(numerical_gradient)
        hessian = staticmethod(numerical_hessian)
        error = staticmethod(relative_error)
        flat = staticmethod(_flat)

    return FiniteDifferences
