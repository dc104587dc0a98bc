"""AdaBelief: Adam dividing by the spread of the gradient around its mean (Zhuang et al. 2020)."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=2)
def adabelief_rule(
    p,
    g,
    m,
    s,
    b1,
    one_minus_b1,
    b2,
    one_minus_b2,
    eps_root,
    momentum_weight,
    momentum_correction,
    gradient_weight,
    gradient_correction,
    bias_correction2,
    lr,
    eps,
):
    """m <- b1 m + (1-b1) g;  s <- b2 s + (1-b2)(g - m)^2 + eps_root;
    w <- w - eta m^ / (sqrt(s / (1 - b2^t)) + eps)."""
    m = one_minus_b1 * g + b1 * m
    error = g - m
    s = one_minus_b2 * (error * error) + b2 * s + eps_root
    m_hat = momentum_weight * (m / momentum_correction)
    m_hat = m_hat + gradient_weight * (g / gradient_correction)
    return p - lr * (m_hat / (np.sqrt(s / bias_correction2) + eps)), m, s


class AdaBelief(ElementwiseOptimizer):
    r"""AdaBelief (Zhuang et al. 2020), Optax's form (``optax.adabelief``).

        m_t = b1 m_{t-1} + (1 - b1) g_t
        s_t = b2 s_{t-1} + (1 - b2) (g_t - m_t)^2 + eps_root
        w_{t+1} = w_t - eta m_t / (1 - b1^t) / (sqrt(s_t / (1 - b2^t)) + eps)

    Adam divides by the root mean square of g; AdaBelief by how far g strays from its
    running mean m (its "belief"): a gradient close to the prediction gets a large step, a
    surprising one a small step. As in Optax, eps_root is added to the state s itself.
    ``nesterov=True`` replaces m_t / (1 - b1^t) by
    b1 m_t / (1 - b1^(t+1)) + (1 - b1) g_t / (1 - b1^t).

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule (Optax's ``learning_rate``, which has no default).
            Default 1e-3.
        b1: decay of the first moment, in [0, 1). Default 0.9.
        b2: decay of the second moment, in [0, 1). Default 0.999.
        eps: > 0, added to the root. Default 1e-16 (Optax; the paper uses 1e-8).
        eps_root: >= 0, added to s at every step. Default 1e-16 (Optax; the paper 0).
        nesterov: Nesterov momentum.

    Source: optax.adabelief / optax.scale_by_belief (Optax 0.2.8).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 1e-3)
    b1 = Hyper(checks.unit_interval, 0.9)
    b2 = Hyper(checks.unit_interval, 0.999)
    eps = Hyper(checks.positive, 1e-16)
    eps_root = Hyper(checks.nonnegative, 1e-16)
    nesterov = Option(checks.flag, False, keyword_only=True)

    def _setup(self) -> None:
        self._allocate("mu", "nu")

    def rule_at(self, t: int, lr: float) -> RuleStep:
        b1, b2 = self.b1, self.b2
        bias_correction1 = 1.0 - b1**t
        if self.nesterov:
            momentum = {"momentum_weight": b1, "momentum_correction": 1.0 - b1 ** (t + 1)}
            gradient = {"gradient_weight": 1.0 - b1, "gradient_correction": bias_correction1}
        else:
            momentum = {"momentum_weight": 1.0, "momentum_correction": bias_correction1}
            gradient = {"gradient_weight": 0.0, "gradient_correction": 1.0}
        return adabelief_rule.bind(
            b1=b1,
            one_minus_b1=1.0 - b1,
            b2=b2,
            one_minus_b2=1.0 - b2,
            eps_root=self.eps_root,
            **momentum,
            **gradient,
            bias_correction2=1.0 - b2**t,
            lr=lr,
            eps=self.eps,
        )
