"""Gradient descent with momentum, in its two textbook forms (EMA and classic)."""

from __future__ import annotations

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.rules import RuleStep, rule

FORMS = ("ema", "classic")


@rule(n_state=1)
def momentum_ema_rule(p, g, v, lr, beta, one_minus_beta):
    """v <- beta v + (1 - beta) g;  w <- w - eta v."""
    v = beta * v + one_minus_beta * g
    return p - lr * v, v


@rule(n_state=1)
def momentum_classic_rule(p, g, v, lr, beta):
    """v <- beta v - eta g;  w <- w + v."""
    v = beta * v - lr * g
    return p + v, v


class Momentum(ElementwiseOptimizer):
    r"""Gradient descent with momentum, as the course notes write it.

    ``form="ema"`` (default; Yadav 2025, "Optimizers in Deep Learning"): the velocity is an
    exponentially weighted average of the gradients,

        v_t = beta v_{t-1} + (1 - beta) g_t,      w_{t+1} = w_t - eta v_t

    (beta = 0 is plain gradient descent). ``form="classic"`` (Goodfellow et al., Algorithm 8.2, the
    Deep Learning book, Keras): the learning rate sits inside the velocity,

        v_t = beta v_{t-1} - eta g_t,             w_{t+1} = w_t + v_t

    Both start from v_0 = 0 and neither is bias-corrected. At a constant rate they give the same
    iterates when eta_classic = (1 - beta) eta_ema, and the classic form equals `SGD` with
    momentum beta (under a schedule it equals ``SGD(convention="keras")``).

    Args:
        params: the arrays to optimize (updated in place).
        lr: learning rate eta >= 0, or a schedule. Default 0.01.
        beta: momentum coefficient in [0, 1). Default 0.9.
        form: ``"ema"`` or ``"classic"``.
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 0.01)
    beta = Hyper(checks.unit_interval, 0.9)
    form = Option(lambda name, value: checks.choice(name, value, FORMS), "ema", keyword_only=True)

    def _setup(self) -> None:
        self._allocate("velocity")

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr)

    def rule_at(self, t: int, lr: float) -> RuleStep:
        if self.form == "ema":
            return momentum_ema_rule.bind(lr=lr, beta=self.beta, one_minus_beta=1.0 - self.beta)
        return momentum_classic_rule.bind(lr=lr, beta=self.beta)
