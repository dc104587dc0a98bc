"""NAdam: Adam with Nesterov momentum (Dozat 2016)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=2)
def nadam_rule(
    p,
    g,
    m,
    v,
    grad_coef,
    momentum_coef,
    beta1,
    one_minus_beta1,
    beta2,
    one_minus_beta2,
    bias_correction2,
    eps,
    sign,
    weight_decay,
    keep,
):
    """w <- w - c_g g / d - c_m m / d,  d = sqrt(v / (1 - beta2^t)) + eps."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    m = beta1 * m + one_minus_beta1 * g
    v = beta2 * v + one_minus_beta2 * g * g
    denom = np.sqrt(v / bias_correction2) + eps
    return p - grad_coef * (g / denom) - momentum_coef * (m / denom), m, v


class NAdam(ElementwiseOptimizer):
    r"""NAdam (Dozat 2016): Adam whose momentum looks one step ahead.

        mu_t = beta1 (1 - 0.5 * 0.96^(t psi)),   P_t = mu_1 ... mu_t
        m_t, v_t as in Adam,   d_t = sqrt(v_t / (1 - beta2^t)) + eps
        w_{t+1} = w_t - eta (1 - mu_t) / (1 - P_t) g_t / d_t
                      - eta mu_{t+1} / (1 - P_t mu_{t+1}) m_t / d_t

    psi is ``momentum_decay``: 4e-3 in PyTorch and the paper, 1 in Keras
    (``convention="keras"``, where mu_t = beta1 (1 - 0.5 * 0.96^t)). The product P_t is
    scalar state, saved by `state_dict`.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 2e-3 (PyTorch), 1e-3 (Keras).
        betas: (beta1, beta2). Default (0.9, 0.999).
        eps: > 0. Default 1e-8 (PyTorch), 1e-7 (Keras).
        weight_decay: L2 coefficient (decoupled with ``decoupled_weight_decay`` or Keras).
        momentum_decay: psi >= 0.
        decoupled_weight_decay: shrink w by eta lambda instead of adding lambda w to g.
        maximize: ascend instead of descend.
    """

    lr = Hyper(checks.learning_rate, 2e-3, keras=1e-3)
    betas = Hyper(checks.betas, (0.9, 0.999))
    eps = Hyper(checks.positive, 1e-8, keras=1e-7)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    momentum_decay = Hyper(checks.nonnegative, 4e-3, keras=1.0)
    decoupled_weight_decay = Option(checks.flag, False)
    maximize = Option(checks.flag, False, keyword_only=True, pytorch_only=True)

    def _setup(self) -> None:
        self.mu_product = 1.0
        self._allocate("exp_avg", "exp_avg_sq")

    def _mu(self, t: int) -> float:
        return self.betas[0] * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def rule_at(self, t: int, lr: float) -> RuleStep:
        beta1, beta2 = self.betas
        mu, mu_next = self._mu(t), self._mu(t + 1)
        mu_product = self._mu_product_through(t)
        sign, weight_decay, keep = self._prelude(lr, self.decoupled_weight_decay)
        return nadam_rule.bind(
            grad_coef=lr * (1.0 - mu) / (1.0 - mu_product),
            momentum_coef=lr * mu_next / (1.0 - mu_product * mu_next),
            beta1=beta1,
            one_minus_beta1=1.0 - beta1,
            beta2=beta2,
            one_minus_beta2=1.0 - beta2,
            bias_correction2=1.0 - beta2**t,
            eps=self.eps,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )

    def _mu_product_through(self, t: int) -> float:
        """P_t = mu_1 ... mu_t, from the stored P_{step_count} (t > step_count)."""
        product = self.mu_product
        for k in range(self.step_count + 1, t + 1):
            product *= self._mu(k)
        return product

    def _advance(self, t: int) -> None:
        self.mu_product *= self._mu(t)

    def _extra_state(self) -> dict[str, float]:
        return {"mu_product": self.mu_product}

    def _load_extra_state(self, values: Mapping[str, float]) -> None:
        self.mu_product = values["mu_product"]
