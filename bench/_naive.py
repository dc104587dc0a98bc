"""The naive NumPy formulas: each optimizer as plain array expressions with temporaries.

This is the code one writes first from the papers (and from PyTorch's documented
algorithms): every operation allocates a new array and makes a pass over memory. It is the
baseline the fused kernel is measured against. Each function applies update number ``t``
(1-based) to ``p`` in place and keeps its state arrays in the dict ``s`` (created on the
first step); hyperparameters use PyTorch's names and defaults.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

NaiveStep = Callable[..., None]


def _zeros(s: dict, p: np.ndarray, *names: str) -> None:
    for name in names:
        if name not in s:
            s[name] = np.zeros_like(p)


def sgd(p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float) -> None:
    """w <- w - eta g."""
    p -= lr * g


def sgd_momentum(p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float, momentum: float) -> None:
    """buf <- mu buf + g (buf = g on the first step); w <- w - eta buf."""
    s["buf"] = g.copy() if t == 1 else momentum * s["buf"] + g
    p -= lr * s["buf"]


def momentum_ema(p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float, beta: float) -> None:
    """v <- beta v + (1 - beta) g; w <- w - eta v."""
    _zeros(s, p, "v")
    s["v"] = beta * s["v"] + (1 - beta) * g
    p -= lr * s["v"]


def adagrad(p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float, eps: float) -> None:
    """G <- G + g^2; w <- w - eta g / (sqrt(G) + eps)."""
    _zeros(s, p, "G")
    s["G"] = s["G"] + g * g
    p -= lr * g / (np.sqrt(s["G"]) + eps)


def rmsprop(
    p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float, alpha: float, eps: float
) -> None:
    """v <- alpha v + (1 - alpha) g^2; w <- w - eta g / (sqrt(v) + eps)."""
    _zeros(s, p, "v")
    s["v"] = alpha * s["v"] + (1 - alpha) * g * g
    p -= lr * g / (np.sqrt(s["v"]) + eps)


def adadelta(
    p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float, rho: float, eps: float
) -> None:
    """E[g^2] <- rho E[g^2] + (1-rho) g^2; dx = sqrt(E[dx^2]+eps) / sqrt(E[g^2]+eps) g; ..."""
    _zeros(s, p, "Eg2", "Edx2")
    s["Eg2"] = rho * s["Eg2"] + (1 - rho) * g * g
    dx = np.sqrt(s["Edx2"] + eps) / np.sqrt(s["Eg2"] + eps) * g
    s["Edx2"] = rho * s["Edx2"] + (1 - rho) * dx * dx
    p -= lr * dx


def adam(
    p: np.ndarray,
    g: np.ndarray,
    s: dict,
    t: int,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float = 0.0,
) -> None:
    """m, v moving averages of g and g^2; w <- w - eta m^ / (sqrt(v^) + eps)."""
    beta1, beta2 = betas
    _zeros(s, p, "m", "v")
    s["m"] = beta1 * s["m"] + (1 - beta1) * g
    s["v"] = beta2 * s["v"] + (1 - beta2) * g * g
    m_hat = s["m"] / (1 - beta1**t)
    v_hat = s["v"] / (1 - beta2**t)
    p -= lr * m_hat / (np.sqrt(v_hat) + eps)


def adamw(
    p: np.ndarray,
    g: np.ndarray,
    s: dict,
    t: int,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
) -> None:
    """w <- w - eta lambda w, then the Adam step."""
    p -= lr * weight_decay * p
    adam(p, g, s, t, lr, betas, eps)


def nadam(
    p: np.ndarray,
    g: np.ndarray,
    s: dict,
    t: int,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    momentum_decay: float,
) -> None:
    """Adam's moments; w <- w - eta (1-mu_t)/(1-P_t) g/d - eta mu_{t+1}/(1-P_t mu_{t+1}) m/d."""
    beta1, beta2 = betas
    _zeros(s, p, "m", "v")
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    s["mu_product"] = s.get("mu_product", 1.0) * mu
    s["m"] = beta1 * s["m"] + (1 - beta1) * g
    s["v"] = beta2 * s["v"] + (1 - beta2) * g * g
    denom = np.sqrt(s["v"] / (1 - beta2**t)) + eps
    p -= lr * (1 - mu) / (1 - s["mu_product"]) * g / denom
    p -= lr * mu_next / (1 - s["mu_product"] * mu_next) * s["m"] / denom


def radam(
    p: np.ndarray,
    g: np.ndarray,
    s: dict,
    t: int,
    lr: float,
    betas: tuple[float, float],
    eps: float,
) -> None:
    """Adam's moments; rectified step once rho_t > 5, else w <- w - eta m^."""
    beta1, beta2 = betas
    _zeros(s, p, "m", "v")
    s["m"] = beta1 * s["m"] + (1 - beta1) * g
    s["v"] = beta2 * s["v"] + (1 - beta2) * g * g
    m_hat = s["m"] / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t > 5:
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        p -= lr * m_hat * r * math.sqrt(1 - beta2**t) / (np.sqrt(s["v"]) + eps)
    else:
        p -= lr * m_hat


def lion(
    p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float, betas: tuple[float, float]
) -> None:
    """c = b1 m + (1-b1) g; w <- w - eta sign(c); m <- b2 m + (1-b2) g."""
    beta1, beta2 = betas
    _zeros(s, p, "m")
    p -= lr * np.sign(beta1 * s["m"] + (1 - beta1) * g)
    s["m"] = beta2 * s["m"] + (1 - beta2) * g
