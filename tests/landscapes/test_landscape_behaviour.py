"""What the landscapes are for: behaviours of plain gradient descent written in the test."""

import numpy as np
import pytest

from optimlab.landscapes import Quadratic, Saddle, TwoBasin


def gradient_descent(landscape, lr, steps):
    f = landscape.closure(with_hessian=False)
    x = landscape.start
    for _ in range(steps):
        x -= lr * f(x)[1]
    return x


@pytest.mark.parametrize("dim", [1, 2])
def test_two_basin_small_rate_stays_and_large_rate_jumps(dim):
    landscape = TwoBasin(dim=dim)
    stays = gradient_descent(landscape, lr=0.02, steps=2000)
    jumps = gradient_descent(landscape, lr=0.5, steps=200)
    np.testing.assert_allclose(stays, landscape.near_minimum, atol=1e-8)
    np.testing.assert_allclose(jumps, landscape.far_minimum, atol=1e-8)


def test_two_basin_rates_straddle_the_stability_limits():
    # GD is stable at a minimum only when lr < 2 / curvature there.
    landscape = TwoBasin(dim=1)
    sharp = landscape.hessian(landscape.near_minimum)[0, 0]
    wide = landscape.hessian(landscape.far_minimum)[0, 0]
    assert 0.02 < 2.0 / sharp < 0.5 < 2.0 / wide


def test_quadratic_gd_with_step_one_over_l_contracts_by_one_minus_mu_over_l():
    landscape = Quadratic(condition_number=20.0, angle=0.3)
    f = landscape.closure(with_hessian=False)
    x = landscape.start
    errors = []
    for _ in range(30):
        x -= f(x)[1] / landscape.L
        errors.append(np.linalg.norm(x))
    # The steep component vanishes after one step; the shallow one shrinks by 1 - 1/20.
    np.testing.assert_allclose(np.array(errors[2:]) / errors[1:-1], 1.0 - 1.0 / 20.0, rtol=1e-10)


def test_newton_step_lands_on_the_quadratic_minimum():
    landscape = Quadratic(condition_number=1e3, dim=4, angle=1.0)
    _, grads, hessian = landscape.closure()(landscape.start)
    x = landscape.start - np.linalg.solve(hessian, grads)
    np.testing.assert_allclose(x, 0.0, atol=1e-12)


def test_gradient_descent_lingers_at_the_saddle_then_escapes():
    landscape = Saddle()
    f = landscape.closure(with_hessian=False)
    x = landscape.start
    path = []
    for _ in range(60):
        x -= 0.1 * f(x)[1]
        path.append(x.copy())
    distances = np.linalg.norm(path, axis=1)
    assert distances.min() < 0.05
    assert abs(path[-1][1]) > 1.0
    assert f(x)[0] < 0.0
