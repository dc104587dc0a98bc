"""RAdam: Adam with the variance of its adaptive rate rectified (Liu et al. 2020)."""

from __future__ import annotations

import math

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, rule


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


class RAdam(ElementwiseOptimizer):
    r"""RAdam (Liu et al. 2020): Adam without warmup, by rectifying the early steps.

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

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 1e-3)
    betas = Hyper(checks.betas, (0.9, 0.999))
    eps = Hyper(checks.positive, 1e-8)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    decoupled_weight_decay = Option(checks.flag, False)
    maximize = Option(checks.flag, False, keyword_only=True)

    def _setup(self) -> None:
        self._allocate("exp_avg", "exp_avg_sq")

    def rule_at(self, t: int, lr: float) -> RuleStep:
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
        sign, weight_decay, keep = self._prelude(lr, self.decoupled_weight_decay)
        return radam_rule.bind(
            lr=lr,
            beta1=beta1,
            one_minus_beta1=1.0 - beta1,
            beta2=beta2,
            one_minus_beta2=1.0 - beta2,
            bias_correction1=1.0 - beta1**t,
            bias_correction2_sqrt=math.sqrt(bias_correction2),
            rectification=rectification,
            rectify=rectify,
            eps=self.eps,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )
