"""ExpBowl: derivatives against finite differences, its minimum, and Newton's closed form."""

import numpy as np
import pytest

from optimlab.optim import Newton
from optimlab.theory import ExpBowl

SHEAR = np.array([[1.0, 0.5], [0.0, 1.0]])
MINIMIZER = np.array([0.5, -0.5])
POINTS = [(-1.0, 1.0), (0.3, -0.2), (1.5, -1.7), (0.5, -0.5)]


def central_gradient(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


@pytest.mark.parametrize("point", POINTS)
def test_gradient_and_hessian_match_finite_differences(point):
    bowl, x = ExpBowl(), np.array(point)
    np.testing.assert_allclose(bowl.grad(x), central_gradient(bowl.value, x), atol=1e-7)
    hessian = np.array(central_gradient(bowl.grad, x)).T
    np.testing.assert_allclose(bowl.hessian(x), hessian, atol=1e-6)


def test_value_by_hand_and_the_minimum():
    bowl = ExpBowl()
    u = SHEAR @ (np.array([-1.0, 1.0]) - MINIMIZER)  # (-0.75, 1.5)
    assert bowl.value((-1.0, 1.0)) == pytest.approx(np.sum(np.exp(u) - u - 1))
    assert bowl.minima[0].tolist() == MINIMIZER.tolist()
    assert bowl.value(MINIMIZER) == 0.0
    np.testing.assert_array_equal(bowl.grad(MINIMIZER), 0.0)


def test_convex_everywhere_on_its_window():
    bowl = ExpBowl()
    X, Y = np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-2, 2, 9))
    assert (bowl.value_grid(X, Y) >= 0).all()
    for x in np.column_stack([X.ravel(), Y.ravel()]):
        assert np.linalg.eigvalsh(bowl.hessian(x)).min() > 0


def test_newton_follows_u_minus_1_plus_exp_minus_u_in_sheared_coordinates():
    # Newton is affine invariant: in u = M (x - c) each coordinate takes the 1-D Newton
    # step of exp(u) - u - 1, u <- u - (e^u - 1)/e^u = u - 1 + e^-u ~ u^2 / 2.
    bowl = ExpBowl()
    x = bowl.start
    optimizer = Newton(x)
    u = SHEAR @ (x - MINIMIZER)
    for _ in range(4):
        optimizer.step(closure=bowl.closure())
        u = u - 1 + np.exp(-u)
        np.testing.assert_allclose(SHEAR @ (x - MINIMIZER), u, rtol=1e-10, atol=1e-15)
