"""Any optimizer of optimlab.optim runs on any landscape through ``step(closure=f)``."""

import numpy as np
import pytest

from optimlab.landscapes import LANDSCAPES, Himmelblau, Quadratic, Rosenbrock, get_landscape
from optimlab.optim import OPTIMIZERS, Adam, Newton


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_steps_on_every_landscape(optimizer):
    for name in LANDSCAPES:
        landscape = get_landscape(name)
        x = landscape.start
        lr = 1.0 if optimizer == "Newton" else 1e-3
        opt = OPTIMIZERS[optimizer](x, lr=lr)
        loss = opt.step(closure=landscape.closure())
        assert loss == landscape.value(landscape.start)
        if optimizer == "SOAP":  # its first update only builds its preconditioner
            opt.step(closure=landscape.closure())
        assert x.shape == (landscape.dim,) and not np.array_equal(x, landscape.start)


def test_newton_solves_the_quadratic_in_one_step():
    landscape = Quadratic(condition_number=1e4, dim=3, angle=0.5)
    x = landscape.start
    Newton(x).step(closure=landscape.closure())
    np.testing.assert_allclose(x, 0.0, atol=1e-12)


def test_newton_from_himmelblau_origin_finds_the_local_maximum():
    # Newton's method seeks a stationary point, whatever its Hessian signature.
    landscape = Himmelblau()
    x = landscape.start
    opt = Newton(x)
    for _ in range(20):
        opt.step(closure=landscape.closure())
    np.testing.assert_allclose(x, landscape.maxima[0], atol=1e-10)


def test_adam_reaches_the_rosenbrock_minimum():
    landscape = Rosenbrock()
    x = landscape.start
    opt = Adam(x, lr=0.02)
    f = landscape.closure(with_hessian=False)
    for _ in range(3000):
        opt.step(closure=f)
    np.testing.assert_allclose(x, landscape.minima[0], atol=1e-2)
