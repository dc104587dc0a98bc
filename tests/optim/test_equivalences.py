"""The documented identities between forms of momentum and Nesterov hold numerically."""

from __future__ import annotations

import numpy as np

from optimlab import optim
from optimlab.landscapes import Rosenbrock


def rosenbrock_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def test_nesterov_lookahead_equals_sgd_nesterov_under_change_of_variables():
    """phi = w - gamma v of the look-ahead form follows SGD(nesterov=True) exactly."""
    lr, gamma = 1e-3, 0.9
    w = np.array([-1.2, 1.0])
    look = optim.Nesterov(w, lr=lr, momentum=gamma)
    phi = np.array([-1.2, 1.0])
    sgd = optim.SGD(phi, lr=lr, momentum=gamma, nesterov=True)
    for _ in range(200):
        look.step(closure=lambda p: (None, rosenbrock_grad(p)))
        sgd.step(rosenbrock_grad(phi))
        np.testing.assert_allclose(w - gamma * look.state["velocity"], phi, rtol=1e-9, atol=1e-12)


def test_ema_and_classic_momentum_agree_when_rates_match():
    """eta_classic = (1 - beta) eta_ema gives the same iterates (seed 000 vs seed 004)."""
    beta, eta = 0.9, 2e-3
    a, b = np.array([-1.2, 1.0]), np.array([-1.2, 1.0])
    ema = optim.Momentum(a, lr=eta, beta=beta)
    classic = optim.Momentum(b, lr=(1 - beta) * eta, beta=beta, form="classic")
    for _ in range(300):
        ema.step(rosenbrock_grad(a))
        classic.step(rosenbrock_grad(b))
    np.testing.assert_allclose(a, b, rtol=1e-9)


def test_pytorch_dampening_is_not_the_ema():
    """SGD(dampening=beta) differs from the EMA by beta^t g_1 (its buffer starts at g_1)."""
    beta, eta = 0.9, 0.1
    g = np.array([1.0, -2.0])
    a, b = np.zeros(2), np.zeros(2)
    ema, torch_like = (
        optim.Momentum(a, lr=eta, beta=beta),
        optim.SGD(b, lr=eta, momentum=beta, dampening=beta),
    )
    ema.step(g)
    torch_like.step(g)
    np.testing.assert_allclose(a, -eta * (1 - beta) * g)
    np.testing.assert_allclose(b, -eta * g)


def test_landscape_closure_drives_nesterov():
    f = Rosenbrock()
    x = np.array(f.start, dtype=float)
    opt = optim.Nesterov(x, lr=1e-3, momentum=0.9)
    first = f.value(x)
    for _ in range(500):
        opt.step(closure=f.closure())
    assert f.value(x) < first
