"""RMSProp: AdaGrad with a leaky (exponentially weighted) average of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab.optim import _validate as check
from optimlab.optim._kernels import helper, rule
from optimlab.optim._prelude import prelude
from optimlab.optim._tree import Tree
from optimlab.optim.base import Hyper, Optimizer


@helper
def rms(v, eps, eps_inside):
    """sqrt(v) + eps, or sqrt(v + eps) with epsilon inside the root."""
    return np.sqrt(v + eps) if eps_inside else np.sqrt(v) + eps


@helper
def centered_rms(v, g_avg, zero, eps, eps_inside):
    """The same on v - g_avg^2, clamped at 0 (rounding can make it slightly negative)."""
    return rms(np.maximum(v - g_avg * g_avg, zero), eps, eps_inside)


@rule(n_state=1)
def rmsprop_rule(p, g, v, lr, alpha, one_minus_alpha, eps, eps_inside, sign, weight_decay, keep):
    """v <- a v + (1 - a) g^2;  w <- w - eta g / (sqrt(v) + eps)."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    v = alpha * v + one_minus_alpha * g * g
    return p - lr * (g / rms(v, eps, eps_inside)), v


@rule(n_state=2)
def rmsprop_centered_rule(
    p, g, v, g_avg, lr, alpha, one_minus_alpha, eps, eps_inside, zero, sign, weight_decay, keep
):
    """As `rmsprop_rule`, dividing by sqrt(v - g_avg^2) with g_avg <- a g_avg + (1 - a) g."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    v = alpha * v + one_minus_alpha * g * g
    g_avg = alpha * g_avg + one_minus_alpha * g
    return p - lr * (g / centered_rms(v, g_avg, zero, eps, eps_inside)), v, g_avg


@rule(n_state=2)
def rmsprop_momentum_rule(
    p,
    g,
    v,
    buf,
    step_size,
    scale,
    momentum,
    alpha,
    one_minus_alpha,
    eps,
    eps_inside,
    sign,
    weight_decay,
    keep,
):
    """buf <- mu buf + s g / rms;  w <- w - a buf  (PyTorch s=1, a=eta; Keras s=eta, a=1)."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    v = alpha * v + one_minus_alpha * g * g
    buf = momentum * buf + scale * (g / rms(v, eps, eps_inside))
    return p - step_size * buf, v, buf


@rule(n_state=3)
def rmsprop_centered_momentum_rule(
    p,
    g,
    v,
    g_avg,
    buf,
    step_size,
    scale,
    momentum,
    alpha,
    one_minus_alpha,
    eps,
    eps_inside,
    zero,
    sign,
    weight_decay,
    keep,
):
    """Centered RMSProp with momentum (both options together)."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    v = alpha * v + one_minus_alpha * g * g
    g_avg = alpha * g_avg + one_minus_alpha * g
    buf = momentum * buf + scale * (g / centered_rms(v, g_avg, zero, eps, eps_inside))
    return p - step_size * buf, v, g_avg, buf


class RMSprop(Optimizer):
    r"""RMSProp (Hinton 2012): divide by a running root mean square of the gradients.

        v_t = alpha v_{t-1} + (1 - alpha) g_t^2,     w_{t+1} = w_t - eta g_t / (sqrt(v_t) + eps)

    (alpha is the seeds' beta or rho.) Variants:

    * ``eps_inside=True``: w - eta g / sqrt(v + eps), as seeds 000, 001, 002 and the Deep
      Learning book (Algorithm 8.5) write it; default False, as PyTorch and seed 003 do.
    * ``centered=True``: divide by sqrt(v - gbar^2) with gbar the running mean of g (clamped
      at 0 before the root; PyTorch and Keras do not clamp and can return NaN).
    * ``momentum=mu``: buf = mu buf + g / rms, w = w - eta buf (PyTorch; Keras keeps eta
      inside the buffer).
    * ``convention="keras"``: lr 1e-3, rho 0.9, eps 1e-7 inside the root, decoupled decay.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 1e-2 (PyTorch), 1e-3 (Keras).
        alpha: decay rate in [0, 1). Default 0.99 (PyTorch), 0.9 (Keras, the seeds).
        eps: > 0. Default 1e-8 (PyTorch), 1e-7 (Keras).
        weight_decay: L2 coefficient (decoupled under Keras).
        momentum: mu in [0, 1).
        centered: divide by the centered second moment.
        eps_inside: put eps inside the square root.
        maximize: ascend instead of descend.
    """

    DEFAULTS = {
        "pytorch": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "eps_inside": False},
        "keras": {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "eps_inside": True},
    }
    HYPERPARAMETERS = ("lr", "alpha", "eps", "weight_decay", "momentum")
    OPTIONS = ("centered", "eps_inside", "maximize")
    lr = Hyper(check.learning_rate)
    alpha = Hyper(check.unit_interval)
    eps = Hyper(check.positive)
    weight_decay = Hyper(check.nonnegative)
    momentum = Hyper(check.unit_interval)

    def __init__(
        self,
        params: Tree,
        lr: Any = None,
        alpha: float | None = None,
        eps: float | None = None,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        eps_inside: bool | None = None,
        maximize: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(params, **options)
        d = self._resolve_defaults(lr=lr, alpha=alpha, eps=eps, eps_inside=eps_inside)
        self.lr, self.alpha, self.eps = d["lr"], d["alpha"], d["eps"]
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.centered = check.flag("centered", centered)
        self.eps_inside = check.flag("eps_inside", d["eps_inside"])
        self.maximize = check.flag("maximize", maximize)
        self._refuse_under_keras(maximize=maximize)
        self._has_momentum = momentum > 0
        names = ["square_avg"] + ["grad_avg"] * centered + ["momentum_buffer"] * self._has_momentum
        self._allocate(*names)

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr)

    def _update(self, t: int, lr: float) -> tuple:
        if self.momentum > 0 and not self._has_momentum:
            raise ValueError(
                "momentum was 0 at construction, so RMSprop keeps no momentum "
                "buffer; construct it with momentum > 0"
            )
        sign, l2, keep = self._prelude_coefficients(lr)
        step_size, scale = (1.0, lr) if self.convention == "keras" else (lr, 1.0)
        decay = (self.alpha, 1.0 - self.alpha)
        tail = (sign, l2, keep)
        if self._has_momentum:
            head = (step_size, scale, self.momentum, *decay, self.eps, self.eps_inside)
            if self.centered:
                return rmsprop_centered_momentum_rule, (*head, 0.0, *tail)
            return rmsprop_momentum_rule, (*head, *tail)
        if self.centered:
            return rmsprop_centered_rule, (lr, *decay, self.eps, self.eps_inside, 0.0, *tail)
        return rmsprop_rule, (lr, *decay, self.eps, self.eps_inside, *tail)
