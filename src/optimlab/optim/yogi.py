"""Yogi: Adam whose second moment moves additively, by the sign of its gap to g^2 (Zaheer et
al. 2018)."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=2)
def yogi_rule(
    p, g, m, v, b1, one_minus_b1, one_minus_b2, bias_correction1, bias_correction2, lr, eps
):
    """m <- b1 m + (1-b1) g;  v <- v - (1-b2) sign(v - g^2) g^2;
    w <- w - eta m^ / (sqrt(v^) + eps)."""
    m = one_minus_b1 * g + b1 * m
    g2 = g * g
    v = v - one_minus_b2 * np.sign(v - g2) * g2
    m_hat = m / bias_correction1
    return p - lr * (m_hat / (np.sqrt(v / bias_correction2) + eps)), m, v


class Yogi(ElementwiseOptimizer):
    r"""Yogi (Zaheer et al. 2018), Optax's form (``optax.yogi``).

        m_t = b1 m_{t-1} + (1 - b1) g_t
        v_t = v_{t-1} - (1 - b2) sign(v_{t-1} - g_t^2) g_t^2
        w_{t+1} = w_t - eta m_t / (1 - b1^t) / (sqrt(v_t / (1 - b2^t)) + eps)

    Adam's v_t = v_{t-1} - (1 - b2)(v_{t-1} - g_t^2) moves v by a fraction of the gap, so one
    large gradient inflates it at once and the effective rate collapses; Yogi moves it by
    (1 - b2) g_t^2 in the gap's direction, so v changes at a bounded pace. As in Optax, both
    m and v start at ``initial_accumulator_value`` (1e-6), not 0.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule (Optax's ``learning_rate``, which has no default).
            Default 1e-2 (the paper's recommendation).
        b1: decay of the first moment, in [0, 1). Default 0.9.
        b2: decay of the second moment, in [0, 1). Default 0.999.
        eps: > 0. Default 1e-3 (Optax, the paper).
        initial_accumulator_value: > 0, the initial m and v. Default 1e-6.

    Source: optax.yogi / optax.scale_by_yogi (Optax 0.2.8).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 1e-2)
    b1 = Hyper(checks.unit_interval, 0.9)
    b2 = Hyper(checks.unit_interval, 0.999)
    eps = Hyper(checks.positive, 1e-3)
    initial_accumulator_value = Option(checks.positive, 1e-6, keyword_only=True, saved=False)

    def _setup(self) -> None:
        self._allocate("mu", "nu", initial=self.initial_accumulator_value)
        self._state["nu"][...] = self.initial_accumulator_value

    def rule_at(self, t: int, lr: float) -> RuleStep:
        return yogi_rule.bind(
            b1=self.b1,
            one_minus_b1=1.0 - self.b1,
            one_minus_b2=1.0 - self.b2,
            bias_correction1=1.0 - self.b1**t,
            bias_correction2=1.0 - self.b2**t,
            lr=lr,
            eps=self.eps,
        )
