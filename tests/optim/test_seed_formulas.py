"""Each algorithm against its seed formula, iterated by hand in plain Python floats.

The objective is the 2-D quadratic L(w) = 0.5 (a w1^2 + b w2^2) (a ravine for a >> b), whose
gradient is (a w1, b w2). Every loop below is written from the seed document's equations
with plain floats and math.sqrt, independently of optimlab's code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab import optim

A, B = 10.0, 1.0
W0 = (1.5, -2.0)
STEPS = 40


def grad(w):
    return [A * w[0], B * w[1]]


def run(opt_factory, steps=STEPS):
    w = np.array(W0)
    opt = opt_factory(w)
    for _ in range(steps):
        opt.step(np.array(grad(w)))
    return w


def check(ours, expected):
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-14)


def test_gradient_descent_seed_000():
    # w_{t+1} = w_t - eta grad L(w_t)
    eta, w = 0.05, list(W0)
    for _ in range(STEPS):
        g = grad(w)
        w = [w[i] - eta * g[i] for i in range(2)]
    check(run(lambda p: optim.SGD(p, lr=eta)), w)


def test_momentum_ema_seeds_000_002():
    # m_t = beta m_{t-1} + (1 - beta) g_t;  w_{t+1} = w_t - eta m_t
    eta, beta, w, m = 0.1, 0.9, list(W0), [0.0, 0.0]
    for _ in range(STEPS):
        g = grad(w)
        m = [beta * m[i] + (1 - beta) * g[i] for i in range(2)]
        w = [w[i] - eta * m[i] for i in range(2)]
    check(run(lambda p: optim.Momentum(p, lr=eta, beta=beta)), w)


def test_momentum_classic_seed_004():
    # v <- alpha v - eps g;  theta <- theta + v   (Algorithm 8.2)
    eps_lr, alpha, w, v = 0.02, 0.8, list(W0), [0.0, 0.0]
    for _ in range(STEPS):
        g = grad(w)
        v = [alpha * v[i] - eps_lr * g[i] for i in range(2)]
        w = [w[i] + v[i] for i in range(2)]
    check(run(lambda p: optim.Momentum(p, lr=eps_lr, beta=alpha, form="classic")), w)
    check(run(lambda p: optim.SGD(p, lr=eps_lr, momentum=alpha)), w)


def test_nesterov_lookahead_seed_002():
    # theta~ = theta - gamma v;  v = gamma v + eta grad(theta~);  theta = theta - v
    eta, gamma, w, v = 0.02, 0.9, list(W0), [0.0, 0.0]
    for _ in range(STEPS):
        look = [w[i] - gamma * v[i] for i in range(2)]
        g = grad(look)
        v = [gamma * v[i] + eta * g[i] for i in range(2)]
        w = [w[i] - v[i] for i in range(2)]
    x = np.array(W0)
    opt = optim.Nesterov(x, lr=eta, momentum=gamma)
    for _ in range(STEPS):
        opt.step(closure=lambda p: (None, np.array(grad(p))))
    check(x, w)


def test_nesterov_seed_004_sign_convention():
    # theta~ = theta + alpha v;  v = alpha v - eps g(theta~);  theta = theta + v  (Alg. 8.3)
    eps_lr, alpha, w, v = 0.02, 0.9, list(W0), [0.0, 0.0]
    for _ in range(STEPS):
        g = grad([w[i] + alpha * v[i] for i in range(2)])
        v = [alpha * v[i] - eps_lr * g[i] for i in range(2)]
        w = [w[i] + v[i] for i in range(2)]
    x = np.array(W0)
    opt = optim.Nesterov(x, lr=eps_lr, momentum=alpha)
    for _ in range(STEPS):
        opt.step(closure=lambda p: (None, np.array(grad(p))))
    check(x, w)


def test_adagrad_seed_000_eps_inside():
    # G_t = sum of g^2;  w_{t+1} = w_t - eta / sqrt(G_t + eps) * g_t
    eta, eps, w, G = 0.5, 1e-8, list(W0), [0.0, 0.0]
    for _ in range(STEPS):
        g = grad(w)
        G = [G[i] + g[i] ** 2 for i in range(2)]
        w = [w[i] - eta / math.sqrt(G[i] + eps) * g[i] for i in range(2)]
    check(run(lambda p: optim.Adagrad(p, lr=eta, eps=eps, eps_inside=True)), w)


def test_adagrad_seed_004_delta_outside():
    # r <- r + g*g;  dtheta = -eps / (delta + sqrt(r)) * g   (Algorithm 8.4, delta = 1e-7)
    eta, delta, w, r = 0.5, 1e-7, list(W0), [0.0, 0.0]
    for _ in range(STEPS):
        g = grad(w)
        r = [r[i] + g[i] * g[i] for i in range(2)]
        w = [w[i] - eta / (delta + math.sqrt(r[i])) * g[i] for i in range(2)]
    check(run(lambda p: optim.Adagrad(p, lr=eta, eps=delta)), w)


def test_rmsprop_seed_000_eps_inside():
    # v_t = beta v_{t-1} + (1 - beta) g^2;  w_{t+1} = w_t - eta / sqrt(v_t + eps) g_t
    eta, beta, eps, w, v = 0.01, 0.9, 1e-6, list(W0), [0.0, 0.0]
    for _ in range(STEPS):
        g = grad(w)
        v = [beta * v[i] + (1 - beta) * g[i] ** 2 for i in range(2)]
        w = [w[i] - eta / math.sqrt(v[i] + eps) * g[i] for i in range(2)]
    check(run(lambda p: optim.RMSprop(p, lr=eta, alpha=beta, eps=eps, eps_inside=True)), w)


def test_adadelta_seed_001():
    # E[g2] = rho E[g2] + (1-rho) g^2; dx = RMS[dx]_{t-1} / RMS[g]_t * g;
    # E[dx2] = rho E[dx2] + (1-rho) dx^2;  w = w - dx   (RMS[y] = sqrt(E[y^2] + eps))
    rho, eps, w, Eg, Edx = 0.95, 1e-6, list(W0), [0.0, 0.0], [0.0, 0.0]
    for _ in range(STEPS):
        g = grad(w)
        Eg = [rho * Eg[i] + (1 - rho) * g[i] ** 2 for i in range(2)]
        dx = [math.sqrt(Edx[i] + eps) / math.sqrt(Eg[i] + eps) * g[i] for i in range(2)]
        Edx = [rho * Edx[i] + (1 - rho) * dx[i] ** 2 for i in range(2)]
        w = [w[i] - dx[i] for i in range(2)]
    check(run(lambda p: optim.Adadelta(p, lr=1.0, rho=rho, eps=eps)), w)


@pytest.mark.parametrize("bias_correction", [True, False])
def test_adam_seed_000(bias_correction):
    # m, v EMAs;  m^ = m / (1 - b1^t), v^ = v / (1 - b2^t);  w -= eta m^ / (sqrt(v^) + eps)
    eta, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    w, m, v = list(W0), [0.0, 0.0], [0.0, 0.0]
    for t in range(1, STEPS + 1):
        g = grad(w)
        m = [b1 * m[i] + (1 - b1) * g[i] for i in range(2)]
        v = [b2 * v[i] + (1 - b2) * g[i] ** 2 for i in range(2)]
        c1, c2 = (1 - b1**t, 1 - b2**t) if bias_correction else (1.0, 1.0)
        w = [w[i] - eta * (m[i] / c1) / (math.sqrt(v[i] / c2) + eps) for i in range(2)]
    check(run(lambda p: optim.Adam(p, lr=eta, bias_correction=bias_correction)), w)


def test_adam_keras_epsilon_hat_seed_002():
    # Keras defaults quoted by seed 002 (epsilon 1e-7), with eps added to sqrt(v) before the
    # bias correction: w -= eta sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
    eta, b1, b2, eps = 0.05, 0.9, 0.999, 1e-7
    w, m, v = list(W0), [0.0, 0.0], [0.0, 0.0]
    for t in range(1, STEPS + 1):
        g = grad(w)
        m = [b1 * m[i] + (1 - b1) * g[i] for i in range(2)]
        v = [b2 * v[i] + (1 - b2) * g[i] ** 2 for i in range(2)]
        alpha = eta * math.sqrt(1 - b2**t) / (1 - b1**t)
        w = [w[i] - alpha * m[i] / (math.sqrt(v[i]) + eps) for i in range(2)]
    ours = run(lambda p: optim.Adam(p, lr=eta, convention="keras"))
    np.testing.assert_allclose(ours, w, rtol=1e-12)


def test_adamw_seed_003():
    # theta = theta - eta mhat / (sqrt(vhat) + eps) - eta weight_decay theta
    eta, b1, b2, eps, lam = 0.05, 0.9, 0.999, 1e-8, 0.1
    w, m, v = list(W0), [0.0, 0.0], [0.0, 0.0]
    for t in range(1, STEPS + 1):
        g = grad(w)
        m = [b1 * m[i] + (1 - b1) * g[i] for i in range(2)]
        v = [b2 * v[i] + (1 - b2) * g[i] ** 2 for i in range(2)]
        mh = [m[i] / (1 - b1**t) for i in range(2)]
        vh = [v[i] / (1 - b2**t) for i in range(2)]
        w = [w[i] - eta * mh[i] / (math.sqrt(vh[i]) + eps) - eta * lam * w[i] for i in range(2)]
    check(run(lambda p: optim.AdamW(p, lr=eta, weight_decay=lam)), w)


def test_lion_by_hand():
    # c = b1 m + (1-b1) g;  w -= eta (sign(c) + lambda w);  m = b2 m + (1-b2) g
    eta, b1, b2, lam, w, m = 0.01, 0.9, 0.99, 0.1, list(W0), [0.0, 0.0]
    for _ in range(STEPS):
        g = grad(w)
        c = [b1 * m[i] + (1 - b1) * g[i] for i in range(2)]
        w = [w[i] - eta * (math.copysign(1.0, c[i]) * (c[i] != 0) + lam * w[i]) for i in range(2)]
        m = [b2 * m[i] + (1 - b2) * g[i] for i in range(2)]
    check(run(lambda p: optim.Lion(p, lr=eta, weight_decay=lam)), w)


def test_inverse_time_schedule_seed_000():
    # eta_t = eta0 / (1 + t), t counting updates from 0
    from optimlab.schedules import InverseTime

    eta0, w = 0.15, list(W0)
    for t in range(STEPS):
        g = grad(w)
        w = [w[i] - eta0 / (1 + t) * g[i] for i in range(2)]
    check(run(lambda p: optim.SGD(p, lr=InverseTime(eta0))), w)


def newton_closure(p):
    """L = 0.25 x^4 + 0.5 y^2 + x y: gradient and Hessian by hand."""
    x, y = p
    return (
        0.25 * x**4 + 0.5 * y**2 + x * y,
        np.array([x**3 + y, y + x]),
        np.array([[3 * x**2, 1.0], [1.0, 1.0]]),
    )


def test_newton_seed_000_by_hand():
    # w_{t+1} = w_t - H^{-1} g, with the 2x2 inverse written out
    w = [2.0, 1.0]
    for _ in range(6):
        x, y = w
        g = [x**3 + y, y + x]
        h11, h12, h22 = 3 * x**2, 1.0, 1.0
        det = h11 * h22 - h12 * h12
        w = [x - (h22 * g[0] - h12 * g[1]) / det, y - (-h12 * g[0] + h11 * g[1]) / det]
    p = np.array([2.0, 1.0])
    opt = optim.Newton(p)
    for _ in range(6):
        opt.step(closure=newton_closure)
    np.testing.assert_allclose(p, w, rtol=1e-12)


def test_damped_newton_seed_000_by_hand():
    # w_{t+1} = w_t - (H + lambda I)^{-1} g
    lam, w = 0.5, [2.0, 1.0]
    for _ in range(6):
        x, y = w
        g = [x**3 + y, y + x]
        h11, h12, h22 = 3 * x**2 + lam, 1.0, 1.0 + lam
        det = h11 * h22 - h12 * h12
        w = [x - (h22 * g[0] - h12 * g[1]) / det, y - (-h12 * g[0] + h11 * g[1]) / det]
    p = np.array([2.0, 1.0])
    opt = optim.Newton(p, damping=lam)
    for _ in range(6):
        opt.step(closure=newton_closure)
    np.testing.assert_allclose(p, w, rtol=1e-12)
