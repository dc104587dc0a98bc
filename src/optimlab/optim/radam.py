"""RAdam: Adam with the variance of its adaptive rate rectified (Liu et al. 2020)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optimlab.optim import _validate as check
from optimlab.optim._kernels import rule
from optimlab.optim._prelude import prelude
from optimlab.optim._tree import Tree
from optimlab.optim.base import Hyper, Optimizer


@rule(n_state=2)
def radam_rule(
    p,
    g,
    m,
    v,
    lr,
    beta1,
    one_minus_beta1,
    beta2,
    one_minus_beta2,
    bias_correction1,
    bias_correction2_sqrt,
    rectification,
    rectify,
    eps,
    sign,
    weight_decay,
    keep,
):
    """Rectified: w - eta m^ r sqrt(1-b2^t) / (sqrt(v) + eps); early steps: w - eta m^."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    m = beta1 * m + one_minus_beta1 * g
    v = beta2 * v + one_minus_beta2 * g * g
    m_hat = m / bias_correction1
    if rectify:
        adaptive = bias_correction2_sqrt / (np.sqrt(v) + eps)
        return p - m_hat * lr * adaptive * rectification, m, v
    return p - m_hat * lr, m, v


class RAdam(Optimizer):
    r"""RAdam (beyond the seeds): Adam without warmup, by rectifying the early steps.

        rho_inf = 2 / (1 - beta2) - 1,   rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        if rho_t > 5:
            w_{t+1} = w_t - eta m^_t r_t sqrt(1 - beta2^t) / (sqrt(v_t) + eps)
        else:
            w_{t+1} = w_t - eta m^_t          (momentum SGD while v is unreliable)

    The threshold and the eps placement follow PyTorch (Optax rectifies at rho_t >= 5).
    With beta2 = 0.999 the first rectified step is t = 6.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 1e-3.
        betas: (beta1, beta2). Default (0.9, 0.999).
        eps: > 0. Default 1e-8.
        weight_decay: L2 coefficient (decoupled with ``decoupled_weight_decay``).
        decoupled_weight_decay: shrink w by eta lambda instead of adding lambda w to g.
        maximize: ascend instead of descend.
    """

    HYPERPARAMETERS = ("lr", "betas", "eps", "weight_decay")
    SUPPORTED_CONVENTIONS = ("pytorch",)
    OPTIONS = ("decoupled_weight_decay", "maximize")
    lr = Hyper(check.learning_rate)
    betas = Hyper(check.betas)
    eps = Hyper(check.positive)
    weight_decay = Hyper(check.nonnegative)

    def __init__(
        self,
        params: Tree,
        lr: Any = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(params, **options)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.weight_decay = weight_decay
        self.decoupled_weight_decay = check.flag("decoupled_weight_decay", decoupled_weight_decay)
        self.maximize = check.flag("maximize", maximize)
        self._allocate("exp_avg", "exp_avg_sq")

    def _update(self, t: int, lr: float) -> tuple:
        beta1, beta2 = self.betas
        bias_correction2 = 1.0 - beta2**t
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * t * beta2**t / bias_correction2
        rectify = rho_t > 5.0
        rectification = (
            math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            if rectify
            else 1.0
        )
        return radam_rule, (
            lr,
            beta1,
            1.0 - beta1,
            beta2,
            1.0 - beta2,
            1.0 - beta1**t,
            math.sqrt(bias_correction2),
            rectification,
            rectify,
            self.eps,
            *self._prelude_coefficients(lr, self.decoupled_weight_decay),
        )
