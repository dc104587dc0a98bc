"""Predicted rates: closed forms by hand, and spectral radii computed by NumPy."""

import math

import numpy as np
import pytest

from optimlab.optim import Adagrad
from optimlab.theory import adagrad_effective_rates, gd_rate, heavy_ball_optimal


def test_gd_rate_by_hand():
    assert gd_rate(1.0, 100.0, 1 / 100) == pytest.approx(0.99)  # 1 - mu/L
    assert gd_rate(1.0, 100.0, 2 / 101) == pytest.approx(99 / 101)  # (kappa-1)/(kappa+1)
    assert gd_rate(1.0, 100.0, 0.03) == pytest.approx(2.0)  # |1 - 3|: lr > 2/L diverges
    assert gd_rate(2.0, 2.0, 0.5) == 0.0  # one curvature, lr = 1/L: exact in one step


@pytest.mark.parametrize("lr", [0.001, 0.01, 0.0198, 0.025])
def test_gd_rate_is_the_spectral_radius_of_i_minus_lr_a(lr):
    rng = np.random.default_rng(0)
    eigenvalues = np.r_[1.0, rng.uniform(1.0, 100.0, size=6), 100.0]
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    A = q @ np.diag(eigenvalues) @ q.T
    radius = np.abs(np.linalg.eigvals(np.eye(8) - lr * A)).max()
    assert gd_rate(1.0, 100.0, lr) == pytest.approx(radius, rel=1e-10)


def test_heavy_ball_optimal_by_hand():
    lr, momentum, rate = heavy_ball_optimal(1.0, 100.0)
    # sqrt(L) = 10, sqrt(mu) = 1: lr = 4/11^2, momentum = (9/11)^2, rate = 9/11.
    assert (lr, momentum, rate) == pytest.approx((4 / 121, 81 / 121, 9 / 11))
    assert heavy_ball_optimal(3.0, 3.0) == pytest.approx((1 / 3, 0.0, 0.0))


@pytest.mark.parametrize(("mu", "L"), [(1.0, 100.0), (0.5, 20.0), (2.0, 2000.0)])
def test_heavy_ball_rate_is_the_spectral_radius_of_its_iteration(mu, L):
    # Per eigenvalue lam, (x_{k+1}, x_k) = [[1 + m - lr lam, -m], [1, 0]] (x_k, x_{k-1}).
    lr, momentum, rate = heavy_ball_optimal(mu, L)
    radii = [
        np.abs(np.linalg.eigvals([[1 + momentum - lr * lam, -momentum], [1.0, 0.0]])).max()
        for lam in np.linspace(mu, L, 201)
    ]
    # Double eigenvalues at mu and L: eigvals is accurate there only to ~sqrt(machine eps).
    assert max(radii) == pytest.approx(rate, rel=1e-6)
    assert rate == pytest.approx((math.sqrt(L / mu) - 1) / (math.sqrt(L / mu) + 1))
    assert rate < gd_rate(mu, L, 1 / L)


def test_adagrad_effective_rate_for_a_constant_gradient():
    t = np.arange(1, 6)
    eta = adagrad_effective_rates(np.full(5, 2.0), lr=0.1, eps=1e-10)
    np.testing.assert_allclose(eta, 0.1 / (2.0 * np.sqrt(t) + 1e-10), rtol=1e-15)
    inside = adagrad_effective_rates(np.full(5, 2.0), lr=0.1, eps=1e-3, eps_inside=True)
    np.testing.assert_allclose(inside, 0.1 / np.sqrt(4.0 * t + 1e-3), rtol=1e-15)
    assert np.all(np.diff(eta) < 0)  # it only decays


def test_adagrad_effective_rates_match_adagrads_steps():
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(20, 3))
    x = np.zeros(3)
    optimizer = Adagrad(x, lr=0.5, eps=1e-10)
    steps = []
    for g in grads:
        before = x.copy()
        optimizer.step(g)
        steps.append(before - x)
    eta = adagrad_effective_rates(grads, lr=0.5, eps=1e-10)
    np.testing.assert_allclose(np.array(steps), eta * grads, rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gd_rate(0.0, 1.0, 0.1), "mu"),
        (lambda: gd_rate(2.0, 1.0, 0.1), "L"),
        (lambda: gd_rate(1.0, math.inf, 0.1), "L"),
        (lambda: gd_rate(1.0, 2.0, -0.1), "lr"),
        (lambda: gd_rate(True, 2.0, 0.1), "mu"),
        (lambda: heavy_ball_optimal(-1.0, 2.0), "mu"),
        (lambda: adagrad_effective_rates([1.0], lr=-1.0), "lr"),
        (lambda: adagrad_effective_rates([1.0], lr=1.0, eps=0.0), "eps"),
        (lambda: adagrad_effective_rates([], lr=1.0), "grads"),
        (lambda: adagrad_effective_rates(np.ones((2, 2, 2)), lr=1.0), "grads"),
        (lambda: adagrad_effective_rates([1.0, math.nan], lr=1.0), "finite"),
        (lambda: adagrad_effective_rates([1.0], lr=1.0, eps_inside=1), "eps_inside"),
    ],
)
def test_bad_arguments_raise_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()
