"""Noisy gradients: reproducible under a seed, with the requested spread."""

import numpy as np
import pytest

from optimlab.landscapes import Himmelblau, Noisy, Rosenbrock


def draws(landscape, x, count):
    return np.array([landscape.grad(x) for _ in range(count)])


def test_same_seed_same_noise_and_other_seed_other_noise():
    x = np.array([0.3, -0.7])
    first = draws(Noisy(Rosenbrock(), sigma=0.5, seed=7), x, 20)
    np.testing.assert_array_equal(first, draws(Noisy(Rosenbrock(), sigma=0.5, seed=7), x, 20))
    assert not np.allclose(first, draws(Noisy(Rosenbrock(), sigma=0.5, seed=8), x, 20))
    generator = np.random.default_rng(7)
    np.testing.assert_array_equal(first, draws(Noisy(Rosenbrock(), 0.5, generator), x, 20))


def test_noise_has_the_requested_standard_deviation_and_zero_mean():
    sigma, count = 2.5, 4000
    exact = Himmelblau()
    x = np.array([1.0, -1.0])
    noise = draws(Noisy(exact, sigma=sigma, seed=0), x, count) - exact.grad(x)
    np.testing.assert_allclose(noise.std(axis=0), sigma, rtol=0.05)
    assert np.all(np.abs(noise.mean(axis=0)) < 4 * sigma / np.sqrt(count))
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.1


def test_loss_hessian_and_points_stay_exact():
    exact = Rosenbrock(a=1.5, b=20.0)
    noisy = Noisy(exact, sigma=3.0, seed=1)
    x = np.array([0.1, 0.2])
    assert noisy.value(x) == exact.value(x)
    np.testing.assert_array_equal(noisy.hessian(x), exact.hessian(x))
    np.testing.assert_array_equal(noisy.start, exact.start)
    np.testing.assert_array_equal(noisy.minima[0], exact.minima[0])
    assert noisy.bounds == exact.bounds and noisy.name == "noisy_rosenbrock"
    loss, grads = noisy.closure(with_hessian=False)(x.copy())
    assert loss == exact.value(x)
    assert not np.allclose(grads, exact.grad(x))


def test_zero_sigma_gives_the_exact_gradient():
    x = np.array([0.5, 2.0])
    np.testing.assert_array_equal(Noisy(Himmelblau(), 0.0, seed=3).grad(x), Himmelblau().grad(x))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"landscape": "rosenbrock", "sigma": 1.0}, "landscape must be a Landscape"),
        ({"landscape": Rosenbrock(), "sigma": -1.0}, "sigma must be >= 0"),
        ({"landscape": Rosenbrock(), "sigma": float("nan")}, "sigma must be finite"),
        ({"landscape": Rosenbrock(), "sigma": 1.0, "seed": -1}, "seed must be"),
        ({"landscape": Rosenbrock(), "sigma": 1.0, "seed": 1.5}, "seed must be"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Noisy(**kwargs)
