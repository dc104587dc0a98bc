"""AdaDelta: no learning rate; the step is RMS of past updates over RMS of gradients."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=2)
def adadelta_rule(p, g, Eg2, Edx2, lr, rho, one_minus_rho, eps, sign, weight_decay, keep):
    """E[g^2] <- rho E[g^2] + (1-rho) g^2;  dx = sqrt(E[dx^2]+eps)/sqrt(E[g^2]+eps) g;
    E[dx^2] <- rho E[dx^2] + (1-rho) dx^2;  w <- w - eta dx."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    Eg2 = rho * Eg2 + one_minus_rho * g * g
    delta = np.sqrt(Edx2 + eps) / np.sqrt(Eg2 + eps) * g
    Edx2 = rho * Edx2 + one_minus_rho * delta * delta
    return p - lr * delta, Eg2, Edx2


class Adadelta(ElementwiseOptimizer):
    r"""AdaDelta (Zeiler 2012): the units of the update match those of w.

        E[g^2]_t  = rho E[g^2]_{t-1} + (1 - rho) g_t^2
        dx_t      = sqrt(E[dx^2]_{t-1} + eps) / sqrt(E[g^2]_t + eps) * g_t
        E[dx^2]_t = rho E[dx^2]_{t-1} + (1 - rho) dx_t^2
        w_{t+1}   = w_t - eta dx_t

    The paper has no learning rate (eta = 1, PyTorch's default). eps sets the size of
    the first steps (about eta sqrt(eps / (1 - rho))). ``convention="keras"``: eta 1e-3,
    rho 0.95, eps 1e-7 (far slower; pass lr=1.0 to reproduce the paper), decoupled decay.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 1.0 (PyTorch), 1e-3 (Keras).
        rho: decay rate in [0, 1). Default 0.9 (PyTorch), 0.95 (Keras).
        eps: > 0. Default 1e-6 (PyTorch), 1e-7 (Keras).
        weight_decay: L2 coefficient (decoupled under Keras).
        maximize: ascend instead of descend.
    """

    lr = Hyper(checks.learning_rate, 1.0, keras=1e-3)
    rho = Hyper(checks.unit_interval, 0.9, keras=0.95)
    eps = Hyper(checks.positive, 1e-6, keras=1e-7)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    maximize = Option(checks.flag, False, keyword_only=True, pytorch_only=True)

    def _setup(self) -> None:
        self._allocate("square_avg", "acc_delta")

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr)

    def rule_at(self, t: int, lr: float) -> RuleStep:
        sign, weight_decay, keep = self._prelude(lr)
        return adadelta_rule.bind(
            lr=lr,
            rho=self.rho,
            one_minus_rho=1.0 - self.rho,
            eps=self.eps,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )
