"""Lion: the sign of an interpolated momentum (Chen et al. 2023)."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=1)
def lion_rule(
    p, g, m, lr, beta1, one_minus_beta1, beta2, one_minus_beta2, sign, weight_decay, keep
):
    """c = b1 m + (1-b1) g;  w <- w (1 - eta lambda) - eta sign(c);  m <- b2 m + (1-b2) g."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    c = beta1 * m + one_minus_beta1 * g
    p = p - lr * np.sign(c)
    m = beta2 * m + one_minus_beta2 * g
    return p, m


class Lion(ElementwiseOptimizer):
    r"""Lion (Chen et al. 2023): every coordinate moves by exactly eta (or 0).

        c_t = beta1 m_{t-1} + (1 - beta1) g_t
        w_{t+1} = w_t - eta (sign(c_t) + lambda w_t)
        m_t = beta2 m_{t-1} + (1 - beta2) g_t

    sign(0) = 0. Weight decay is decoupled. Not in torch.optim; Optax and Keras agree on
    this form. Use a learning rate 3-10x smaller than Adam's.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 1e-4 (PyTorch-style), 1e-3 (Keras).
        betas: (beta1, beta2). Default (0.9, 0.99).
        weight_decay: lambda >= 0 (decoupled).
        maximize: ascend instead of descend.
    """

    lr = Hyper(checks.learning_rate, 1e-4, keras=1e-3)
    betas = Hyper(checks.betas, (0.9, 0.99))
    weight_decay = Hyper(checks.nonnegative, 0.0)
    maximize = Option(checks.flag, False, keyword_only=True, pytorch_only=True)

    def _setup(self) -> None:
        self._allocate("exp_avg")

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr)

    def rule_at(self, t: int, lr: float) -> RuleStep:
        beta1, beta2 = self.betas
        sign, weight_decay, keep = self._prelude(lr, decoupled=True)
        return lion_rule.bind(
            lr=lr,
            beta1=beta1,
            one_minus_beta1=1.0 - beta1,
            beta2=beta2,
            one_minus_beta2=1.0 - beta2,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )
