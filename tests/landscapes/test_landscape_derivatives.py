"""Exact gradients and Hessians against central finite differences; grids against points."""

import numpy as np
import pytest

from optimlab.landscapes import Rosenbrock


def random_points(landscape, count, seed=0):
    rng = np.random.default_rng(seed)
    low, high = np.array(landscape.bounds).T
    return rng.uniform(low, high, size=(count, landscape.dim))


def central_difference(function, x, h=1e-5):
    """d function / d x_i by (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i), h_i = h (1 + |x_i|)."""
    columns = []
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h * (1.0 + abs(x[i]))
        difference = np.asarray(function(x + step)) - np.asarray(function(x - step))
        columns.append(difference / (2 * step[i]))
    return np.stack(columns, axis=-1)


def test_gradient_matches_finite_differences(landscape):
    for x in random_points(landscape, 6):
        grad = landscape.grad(x)
        numeric = central_difference(landscape.value, x)
        scale = 1.0 + np.max(np.abs(numeric))
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7 * scale)


def test_hessian_matches_finite_differences_of_gradient(landscape):
    for x in random_points(landscape, 6, seed=1):
        hessian = landscape.hessian(x)
        numeric = central_difference(landscape.grad, x)
        scale = 1.0 + np.max(np.abs(numeric))
        np.testing.assert_allclose(hessian, numeric, rtol=1e-6, atol=1e-7 * scale)
        np.testing.assert_array_equal(hessian, hessian.T)


def test_value_grid_equals_pointwise_value(landscape):
    rng = np.random.default_rng(2)
    low, high = np.array(landscape.bounds).T
    if landscape.dim == 2:
        X, Y = np.meshgrid(np.linspace(low[0], high[0], 7), np.linspace(low[1], high[1], 5))
        coords = [X, Y]
    else:
        coords = [rng.uniform(lo, hi, size=(4, 3)) for lo, hi in zip(low, high)]
    grid = landscape.value_grid(*coords)
    assert grid.shape == coords[0].shape
    expected = np.vectorize(lambda *p: landscape.value(np.array(p)))(*coords)
    np.testing.assert_allclose(grid, expected, rtol=1e-13, atol=1e-12)


def test_closure_returns_value_grad_and_hessian(landscape):
    x = random_points(landscape, 1, seed=3)[0]
    loss, grads, hessian = landscape.closure()(x.copy())
    assert isinstance(loss, float)
    assert loss == pytest.approx(landscape.value(x), rel=1e-15)
    np.testing.assert_allclose(hessian, landscape.hessian(x), rtol=1e-15)
    assert grads.shape == (landscape.dim,)
    assert len(landscape.closure(with_hessian=False)(x.copy())) == 2


def test_closure_keeps_float32_and_leaves_params_alone(landscape):
    params = landscape.start.astype(np.float32)
    before = params.copy()
    loss, grads, hessian = landscape.closure()(params)
    assert grads.dtype == np.float32 and hessian.dtype == np.float32
    np.testing.assert_array_equal(params, before)
    assert loss == pytest.approx(landscape.value(before.astype(np.float64)), rel=1e-12)


def test_closure_lets_divergence_show_as_non_finite_loss(recwarn):
    loss, _ = Rosenbrock().closure(with_hessian=False)(np.array([1e200, np.inf]))
    assert not np.isfinite(loss)
    assert not any(issubclass(w.category, RuntimeWarning) for w in recwarn)
