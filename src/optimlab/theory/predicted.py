"""What theory predicts: rates of gradient descent and heavy ball on a quadratic, and
AdaGrad's decaying effective learning rate.

On ``f(x) = 0.5 x^T A x`` with the eigenvalues of A in [mu, L] (kappa = L / mu), each
eigen-direction evolves on its own, so a method's rate is the worst rate over lambda in
[mu, L] (the spectral radius of its iteration matrix).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from optimlab import checks


def gd_rate(mu: float, L: float, lr: float) -> float:
    """Gradient descent's contraction per step on a quadratic: ``max |1 - lr lambda|``.

    ``x_{k+1} = (I - lr A) x_k``, and over lambda in [mu, L] the maximum of
    ``|1 - lr lambda|`` sits at an end: ``max(|1 - lr mu|, |1 - lr L|)``.

    - ``lr = 1/L``: ``1 - mu/L = 1 - 1/kappa``.
    - ``lr = 2/(mu + L)`` (the best fixed step): ``(kappa - 1)/(kappa + 1)``.
    - ``lr > 2/L``: the rate exceeds 1 and the steep direction diverges.

    Args:
        mu: smallest curvature, > 0.
        L: largest curvature, >= mu.
        lr: step size, >= 0.
    """
    mu, L = _curvatures(mu, L)
    lr = checks.number("lr", lr, low=0.0)
    return max(abs(1.0 - lr * mu), abs(1.0 - lr * L))


def heavy_ball_optimal(mu: float, L: float) -> tuple[float, float, float]:
    """Polyak's heavy ball with its optimal parameters on a quadratic: (lr, momentum, rate).

    ``x_{k+1} = x_k - lr grad f(x_k) + momentum (x_k - x_{k-1})``, which is
    ``SGD(x, lr=lr, momentum=momentum)`` (PyTorch form, no dampening). With

        lr = 4 / (sqrt(L) + sqrt(mu))^2,
        momentum = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2

    every eigenvalue of the iteration matrix has modulus sqrt(momentum), so

        rate = (sqrt(kappa) - 1) / (sqrt(kappa) + 1),

    against GD's ``1 - 1/kappa``: about ``sqrt(kappa)`` times fewer steps. At lambda = mu and
    lambda = L the eigenvalue is double, so the error there is ``(a + b k) rate^k``: the
    measured rate approaches ``rate`` from above, slowly (a polynomial factor).

    Args:
        mu: smallest curvature, > 0.
        L: largest curvature, >= mu.
    """
    mu, L = _curvatures(mu, L)
    root_mu, root_L = math.sqrt(mu), math.sqrt(L)
    rate = (root_L - root_mu) / (root_L + root_mu)
    return 4.0 / (root_L + root_mu) ** 2, rate**2, rate


def adagrad_effective_rates(
    grads: ArrayLike, lr: float, eps: float = 1e-10, eps_inside: bool = False
) -> np.ndarray:
    """AdaGrad's per-coordinate effective learning rate at each step.

    With ``G_t = sum_{s<=t} g_s^2`` (per coordinate), AdaGrad's step is
    ``eta_t * g_t`` with

        eta_t = lr / (sqrt(G_t) + eps)       (eps_inside=False, PyTorch's default)
        eta_t = lr / sqrt(G_t + eps)         (eps_inside=True, the course notes' form)

    G_t never decreases, so eta_t only decays: for gradients of constant size |g| it is
    ``lr / (|g| sqrt(t))``, which is why AdaGrad can stall before reaching the minimum.

    Args:
        grads: the gradients, shape ``(T,)`` for one coordinate or ``(T, P)`` for P.
        lr: base learning rate, >= 0.
        eps: > 0.
        eps_inside: put eps inside the square root.

    Returns:
        eta_t, the shape of ``grads``.
    """
    lr = checks.number("lr", lr, low=0.0)
    eps = checks.positive("eps", eps)
    if not isinstance(eps_inside, bool):
        raise ValueError(f"eps_inside must be True or False, got {eps_inside!r}")
    g = np.asarray(grads, dtype=np.float64)
    if g.ndim not in (1, 2) or g.shape[0] == 0:
        raise ValueError(
            f"grads must have shape (T,) or (T, P) with T >= 1 steps, got shape {g.shape}"
        )
    if not np.isfinite(g).all():
        raise ValueError("grads must be finite (AdaGrad refuses a non-finite gradient)")
    accumulated = np.cumsum(g * g, axis=0)
    if eps_inside:
        return lr / np.sqrt(accumulated + eps)
    return lr / (np.sqrt(accumulated) + eps)


def _curvatures(mu: object, L: object) -> tuple[float, float]:
    mu = checks.positive("mu", mu)
    L = checks.number("L", L)
    if mu > L:
        raise ValueError(f"L (largest curvature) must be >= mu (smallest), got L={L}, mu={mu}")
    return mu, L
