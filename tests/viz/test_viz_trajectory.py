"""run_on_landscape: iterates against closed forms, and divergence marked by NaN rows."""

import numpy as np
import pytest

from optimlab.landscapes import Quadratic, Rosenbrock
from optimlab.optim import SGD, Newton
from optimlab.viz import run_on_landscape


def test_gradient_descent_iterates_match_the_matrix_power():
    landscape = Quadratic(condition_number=10.0, angle=0.4)
    lr = 0.05
    path = run_on_landscape(landscape, lambda x: SGD(x, lr=lr), steps=30)
    assert path.shape == (31, 2)
    step = np.eye(2) - lr * landscape.matrix  # x_{k+1} = (I - lr A) x_k
    expected = [np.linalg.matrix_power(step, k) @ landscape.start for k in range(31)]
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-14)


def test_newton_gets_the_hessian_and_solves_the_quadratic_in_one_step():
    landscape = Quadratic(condition_number=50.0, dim=3, angle=0.3)
    path = run_on_landscape(landscape, Newton, steps=2)
    np.testing.assert_allclose(path[0], landscape.start)
    np.testing.assert_allclose(path[1:], 0.0, atol=1e-12)


def test_a_diverging_run_stops_and_the_rest_is_nan():
    # lr = 0.05 > 2/L = 0.02: the steep direction grows by |1 - 0.05 * 100| = 4 per step
    # until the loss overflows.
    landscape = Quadratic(condition_number=100.0)
    path = run_on_landscape(landscape, lambda x: SGD(x, lr=0.05), steps=600)
    assert path.shape == (601, 2)
    finite = np.isfinite(path).all(axis=1)
    first_bad = int(np.argmin(finite))
    assert 0 < first_bad < 600
    assert not np.isfinite(path[first_bad:]).any()
    step = np.eye(2) - 0.05 * landscape.matrix
    np.testing.assert_allclose(
        path[20], np.linalg.matrix_power(step, 20) @ landscape.start, rtol=1e-10
    )
    assert np.abs(path[first_bad - 1]).max() > 1e100  # it really had blown up


def test_a_refused_non_finite_gradient_counts_as_divergence():
    class RefusesOnTheThirdStep:
        def __init__(self, x):
            self.x, self.calls = x, 0

        def step(self, closure):
            self.calls += 1
            if self.calls == 3:
                raise FloatingPointError("non-finite gradient")
            self.x += 1.0

    path = run_on_landscape(Rosenbrock(), RefusesOnTheThirdStep, steps=5)
    np.testing.assert_allclose(path[:3], [[-1.2, 1.0], [-0.2, 2.0], [0.8, 3.0]])
    assert np.isnan(path[3:]).all()


def test_sgd_blowing_up_on_rosenbrock_is_caught():
    path = run_on_landscape(Rosenbrock(), lambda x: SGD(x, lr=0.01), steps=50)
    assert np.isnan(path[-1]).all() and np.isfinite(path[:3]).all()


def test_the_start_is_not_modified():
    landscape = Rosenbrock()
    run_on_landscape(landscape, lambda x: SGD(x, lr=1e-3), steps=3)
    np.testing.assert_array_equal(landscape.start, [-1.2, 1.0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rosenbrock", lambda x: SGD(x, lr=0.1), 5), "Landscape"),
        ((Rosenbrock(), "SGD", 5), "optimizer_factory"),
        ((Rosenbrock(), lambda x: x, 5), "step"),
        ((Rosenbrock(), lambda x: SGD(x, lr=0.1), 0), "steps"),
        ((Rosenbrock(), lambda x: SGD(x, lr=0.1), 2.5), "steps"),
    ],
)
def test_bad_input_raises(args, message):
    with pytest.raises(ValueError, match=message):
        run_on_landscape(*args)


def test_a_singular_newton_system_stops_the_run():
    # the saddle x^2 - y^2 has the constant Hessian diag(2, -2); with damping 2 it is
    # diag(4, 0), singular: the first step cannot be taken
    from optimlab.landscapes import Saddle

    path = run_on_landscape(Saddle(), lambda x: Newton(x, damping=2.0), steps=3)
    np.testing.assert_array_equal(path[0], Saddle().start)
    assert np.isnan(path[1:]).all()
