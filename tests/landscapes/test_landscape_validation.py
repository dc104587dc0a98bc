"""Bad arguments and bad points raise ValueError naming the argument."""

import numpy as np
import pytest

from optimlab.landscapes import Beale, Quadratic, Rastrigin, Rosenbrock, Saddle, TwoBasin

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Quadratic(condition_number=0.5), "condition_number must be >= 1"),
        (lambda: Quadratic(condition_number=NAN), "condition_number must be finite"),
        (lambda: Quadratic(condition_number=INF), "condition_number must be finite"),
        (lambda: Quadratic(condition_number="10"), "condition_number must be a real number"),
        (lambda: Quadratic(dim=0), "dim must be a positive integer"),
        (lambda: Quadratic(dim=2.0), "dim must be an integer"),
        (lambda: Quadratic(dim=True), "dim must be an integer"),
        (lambda: Quadratic(condition_number=4.0, dim=1), "condition_number must be 1"),
        (lambda: Quadratic(condition_number=1.0, dim=1, angle=0.5), "needs dim >= 2"),
        (lambda: Quadratic(angle=INF), "angle must be finite"),
        (lambda: Rosenbrock(b=0.0), "b must be > 0"),
        (lambda: Rosenbrock(b=-1.0), "b must be > 0"),
        (lambda: Rosenbrock(a=NAN), "a must be finite"),
        (lambda: Rosenbrock(dim=1), "dim must be an integer >= 2"),
        (lambda: Rosenbrock(a=2.0, dim=3), "a must be 1 when dim > 2"),
        (lambda: Rastrigin(dim=0), "dim must be a positive integer"),
        (lambda: Rastrigin(A=-1.0), "A must be >= 0"),
        (lambda: TwoBasin(dim=3), "dim must be 1 or 2"),
        (lambda: Rosenbrock(start=(1.0, 2.0, 3.0)), r"start must have shape \(2,\)"),
        (lambda: Saddle(start=(NAN, 0.0)), "start must be finite"),
    ],
)
def test_bad_constructor_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize("method", ["value", "grad", "hessian"])
@pytest.mark.parametrize(
    ("x", "match"),
    [
        ([1.0, 2.0, 3.0], r"x must have shape \(2,\)"),
        ([[1.0, 2.0]], r"x must have shape \(2,\)"),
        ([NAN, 0.0], "x must be finite"),
        ([INF, 0.0], "x must be finite"),
        (["a", "b"], "x must be an array of 2 real numbers"),
    ],
)
def test_bad_points(method, x, match):
    with pytest.raises(ValueError, match=match):
        getattr(Beale(), method)(x)


def test_bad_grids():
    X, Y = np.meshgrid(np.linspace(0, 1, 3), np.linspace(0, 1, 4))
    with pytest.raises(ValueError, match="one coordinate array per dimension"):
        Beale().value_grid(X)
    with pytest.raises(ValueError, match="must share one shape"):
        Beale().value_grid(X, Y[:2])
    with pytest.raises(ValueError, match="must be finite"):
        Beale().value_grid(X, np.full_like(Y, NAN))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (np.zeros(3), r"params must have shape \(2,\)"),
        ([0.0, 0.0], "params must be a float ndarray"),
        (np.zeros(2, dtype=np.int64), "params must be a float ndarray"),
    ],
)
def test_bad_closure_params(params, match):
    with pytest.raises(ValueError, match=match):
        Rosenbrock().closure()(params)
