"""Newton-Raphson: exact on quadratics, pinv on singular Hessians, damping and line search."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab import optim


def quadratic(A, b):
    """L = 0.5 w^T A w - b^T w, minimised by A w = b."""
    return lambda w: (0.5 * w @ A @ w - b @ w, A @ w - b, A)


def test_one_step_solves_a_quadratic():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(5, 5))
    A, b = M @ M.T + 5 * np.eye(5), rng.normal(size=5)
    w = np.zeros(5)
    optim.Newton(w).step(closure=quadratic(A, b))
    np.testing.assert_allclose(w, np.linalg.solve(A, b), rtol=1e-12)


def test_singular_hessian_needs_pinv():
    # a duplicated coordinate: L = 0.5 (w1 + w2 - 2)^2, Hessian [[1, 1], [1, 1]] (rank 1)
    def closure(w):
        return (0.5 * (w.sum() - 2) ** 2, np.full(2, w.sum() - 2), np.ones((2, 2)))

    with pytest.raises(np.linalg.LinAlgError, match="method='pinv' or damping"):
        optim.Newton(np.zeros(2)).step(closure=closure)
    w = np.zeros(2)
    optim.Newton(w, method="pinv").step(closure=closure)
    np.testing.assert_allclose(w, [1.0, 1.0], rtol=1e-12)  # the minimum-norm minimiser


def test_quadratic_convergence_on_a_smooth_convex_function():
    # L = sum(exp(w) - 2 w): minimum at log 2; errors should square at each step
    def closure(w):
        return (np.sum(np.exp(w) - 2 * w), np.exp(w) - 2, np.diag(np.exp(w)))

    w = np.array([1.0, 0.0])
    opt = optim.Newton(w)
    errors = []
    for _ in range(5):
        opt.step(closure=closure)
        errors.append(np.abs(w - np.log(2)).max())
    # order q from three consecutive errors: log(e2 / e1) / log(e1 / e0)
    orders = [
        np.log(errors[i + 2] / errors[i + 1]) / np.log(errors[i + 1] / errors[i]) for i in range(2)
    ]
    assert all(1.9 < q < 2.1 for q in orders), orders


def test_line_search_rescues_a_start_far_away():
    # L = sqrt(1 + w^2): the plain Newton step w -> -w^3 diverges for |w| > 1
    def closure(w):
        return (
            np.sqrt(1 + w @ w),
            w / np.sqrt(1 + w @ w),
            np.array([[1 / (1 + w[0] ** 2) ** 1.5]]),
        )

    plain = np.array([2.0])
    opt = optim.Newton(plain)
    for _ in range(3):
        opt.step(closure=closure)
    assert abs(plain[0]) > 100
    w = np.array([2.0])
    opt = optim.Newton(w, line_search=True)
    for _ in range(30):
        opt.step(closure=closure)
    assert abs(w[0]) < 1e-8


def test_bad_hessian_shape_is_reported():
    with pytest.raises(ValueError, match=r"hessian has shape \(3, 3\); expected \(2, 2\)"):
        optim.Newton(np.zeros(2)).step(closure=lambda w: (0.0, w, np.eye(3)))
