"""AdaGrad: per-parameter rates scaled by the sum of all past squared gradients."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, helper, rule


@helper
def root(s, eps, eps_inside):
    """sqrt(s + eps) with epsilon inside the root, else sqrt(s) + eps."""
    return np.sqrt(s + eps) if eps_inside else np.sqrt(s) + eps


@rule(n_state=1)
def adagrad_rule(p, g, G, lr, eps, eps_inside, sign, weight_decay, keep):
    """G <- G + g^2;  w <- w - eta g / (sqrt(G) + eps)   (or / sqrt(G + eps))."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    G = G + g * g
    return p - lr * (g / root(G, eps, eps_inside)), G


class Adagrad(ElementwiseOptimizer):
    r"""AdaGrad (Duchi et al. 2011): big accumulated gradients, small steps.

        G_t = G_{t-1} + g_t^2,     w_{t+1} = w_t - eta_t g_t / (sqrt(G_t) + eps)

    with eta_t = eta / (1 + (t - 1) lr_decay) (PyTorch). Variants:

    * ``eps_inside=True``: w - eta g / sqrt(G + eps), as Yadav 2025, "Deep Learning
      Optimization Algorithms" and "Optimizers in Deep Learning" write it.
      The default (False) puts eps outside, as PyTorch and Goodfellow et al.
      (Algorithm 8.4, ``delta + sqrt(r)``) do.
    * ``initial_accumulator_value``: G_0 (PyTorch 0; Keras and Optax 0.1).
    * ``convention="keras"``: lr 1e-3, G_0 = 0.1, eps 1e-7 inside the root, decoupled
      weight decay.

    Args:
        params: the arrays to optimize (updated in place).
        lr: learning rate eta >= 0 or a schedule. Default 1e-2 (PyTorch), 1e-3 (Keras).
        lr_decay: >= 0 (PyTorch only).
        weight_decay: L2 coefficient (decoupled under Keras).
        initial_accumulator_value: G_0 >= 0.
        eps: > 0. Default 1e-10 (PyTorch), 1e-7 (Keras).
        eps_inside: put eps inside the square root.
        maximize: ascend instead of descend.
    """

    lr = Hyper(checks.learning_rate, 1e-2, keras=1e-3)
    lr_decay = Hyper(checks.nonnegative, 0.0, pytorch_only=True)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    initial_accumulator_value = Option(checks.nonnegative, 0.0, keras=0.1, saved=False)
    eps = Hyper(checks.positive, 1e-10, keras=1e-7)
    eps_inside = Option(checks.flag, False, keras=True, keyword_only=True)
    maximize = Option(checks.flag, False, keyword_only=True, pytorch_only=True)

    def _setup(self) -> None:
        self._allocate("sum", initial=self.initial_accumulator_value)

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr) and self.lr_decay == 0

    def rule_at(self, t: int, lr: float) -> RuleStep:
        sign, weight_decay, keep = self._prelude(lr)
        return adagrad_rule.bind(
            lr=lr / (1 + (t - 1) * self.lr_decay),
            eps=self.eps,
            eps_inside=self.eps_inside,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )
