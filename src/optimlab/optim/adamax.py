"""Adamax: Adam with the infinity norm in place of the second moment (Kingma and Ba 2015)."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=2)
def adamax_rule(
    p, g, m, u, beta1, one_minus_beta1, beta2, eps, step_size, sign, weight_decay, keep
):
    """m <- b1 m + (1-b1) g;  u <- max(b2 u, |g| + eps);  w <- w - (eta / (1-b1^t)) m / u."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    m = beta1 * m + one_minus_beta1 * g
    u = np.maximum(beta2 * u, np.abs(g) + eps)
    return p - step_size * (m / u), m, u


class Adamax(ElementwiseOptimizer):
    r"""Adamax (Kingma and Ba 2015, Section 7.1): the L-infinity variant of Adam.

        m_t = beta1 m_{t-1} + (1 - beta1) g_t
        u_t = max(beta2 u_{t-1}, |g_t| + eps)
        w_{t+1} = w_t - eta / (1 - beta1^t) * m_t / u_t

    u_t needs no bias correction: it is a running maximum, not an average. As in PyTorch,
    eps is added to |g| inside the maximum (the paper has no eps), which keeps u_t > 0.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 2e-3 (PyTorch, the paper).
        betas: (beta1, beta2). Default (0.9, 0.999).
        eps: > 0. Default 1e-8.
        weight_decay: L2 coefficient (added to the gradient).
        maximize: ascend instead of descend.

    Source: torch.optim.Adamax (PyTorch 2.13).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 2e-3)
    betas = Hyper(checks.betas, (0.9, 0.999))
    eps = Hyper(checks.positive, 1e-8)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    maximize = Option(checks.flag, False, keyword_only=True)

    def _setup(self) -> None:
        self._allocate("exp_avg", "exp_inf")

    def rule_at(self, t: int, lr: float) -> RuleStep:
        beta1, beta2 = self.betas
        sign, weight_decay, keep = self._prelude(lr)
        return adamax_rule.bind(
            beta1=beta1,
            one_minus_beta1=1.0 - beta1,
            beta2=beta2,
            eps=self.eps,
            step_size=lr / (1.0 - beta1**t),
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )
