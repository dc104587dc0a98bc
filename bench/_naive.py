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


def adamax(
    p: np.ndarray,
    g: np.ndarray,
    s: dict,
    t: int,
    lr: float,
    betas: tuple[float, float],
    eps: float,
) -> None:
    """m <- b1 m + (1-b1) g; u <- max(b2 u, |g| + eps); w <- w - eta/(1-b1^t) m/u."""
    beta1, beta2 = betas
    _zeros(s, p, "m", "u")
    s["m"] = beta1 * s["m"] + (1 - beta1) * g
    s["u"] = np.maximum(beta2 * s["u"], np.abs(g) + eps)
    p -= lr / (1 - beta1**t) * s["m"] / s["u"]


def asgd(
    p: np.ndarray,
    g: np.ndarray,
    s: dict,
    t: int,
    lr: float,
    lambd: float,
    alpha: float,
    t0: float,
) -> None:
    """eta_t = eta / (1 + lambd eta (t-1))^alpha; w <- w (1 - lambd eta_t) - eta_t g;
    ax <- ax + mu_t (w - ax), mu_t = 1 / max(1, t - 1 - t0)."""
    _zeros(s, p, "ax")
    eta = lr / (1 + lambd * lr * (t - 1)) ** alpha
    mu = 1 / max(1, t - 1 - t0)
    p *= 1 - lambd * eta
    p -= eta * g
    s["ax"] = p.copy() if mu == 1 else s["ax"] + mu * (p - s["ax"])


def rprop(
    p: np.ndarray,
    g: np.ndarray,
    s: dict,
    t: int,
    lr: float,
    etas: tuple[float, float],
    step_sizes: tuple[float, float],
) -> None:
    """Step sizes grown by eta+ where g keeps its sign, shrunk by eta- where it flips (and no
    step there); w <- w - s sign(g)."""
    _zeros(s, p, "prev")
    if "size" not in s:
        s["size"] = np.full_like(p, lr)
    product = g * s["prev"]
    factor = np.where(product > 0, etas[1], np.where(product < 0, etas[0], 1.0))
    s["size"] = np.clip(s["size"] * factor, *step_sizes).astype(p.dtype)
    g = np.where(product < 0, 0, g)
    p -= np.sign(g) * s["size"]
    s["prev"] = g


def adabelief(
    p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float, b1: float, b2: float, eps: float
) -> None:
    """m <- b1 m + (1-b1) g; s <- b2 s + (1-b2)(g - m)^2 + eps; w <- w - eta m^/(sqrt(s^) + eps)
    (eps_root = eps, Optax's default)."""
    _zeros(s, p, "m", "s")
    s["m"] = b1 * s["m"] + (1 - b1) * g
    s["s"] = b2 * s["s"] + (1 - b2) * (g - s["m"]) ** 2 + eps
    p -= lr * (s["m"] / (1 - b1**t)) / (np.sqrt(s["s"] / (1 - b2**t)) + eps)


def yogi(
    p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float, b1: float, b2: float, eps: float
) -> None:
    """m as Adam; v <- v - (1-b2) sign(v - g^2) g^2 (both start at 1e-6)."""
    if "m" not in s:
        s["m"], s["v"] = np.full_like(p, 1e-6), np.full_like(p, 1e-6)
    s["m"] = b1 * s["m"] + (1 - b1) * g
    s["v"] = s["v"] - (1 - b2) * np.sign(s["v"] - g * g) * g * g
    p -= lr * (s["m"] / (1 - b1**t)) / (np.sqrt(s["v"] / (1 - b2**t)) + eps)


def schedule_free_sgd(
    p: np.ndarray, g: np.ndarray, s: dict, t: int, lr: float, momentum: float
) -> None:
    """c = 1/t; y <- y + c (z - y) + eta (beta (1 - c) - 1) g; z <- z - eta g."""
    if "z" not in s:
        s["z"] = p.copy()
    c = 1 / t
    p += c * (s["z"] - p)
    p += lr * (momentum * (1 - c) - 1) * g
    s["z"] = s["z"] - lr * g


def schedule_free_adamw(
    p: np.ndarray,
    g: np.ndarray,
    s: dict,
    t: int,
    lr: float,
    betas: tuple[float, float],
    eps: float,
) -> None:
    """v as Adam's; the Schedule-Free SGD step on g / (sqrt(v / (1 - b2^t)) + eps)."""
    _zeros(s, p, "v")
    s["v"] = betas[1] * s["v"] + (1 - betas[1]) * g * g
    schedule_free_sgd(p, g / (np.sqrt(s["v"] / (1 - betas[1] ** t)) + eps), s, t, lr, betas[0])
