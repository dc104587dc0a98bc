"""Adam and AdamW: momentum plus RMSProp, with bias correction."""

from __future__ import annotations

import math

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=2)
def adam_rule(
    p,
    g,
    m,
    v,
    beta1,
    one_minus_beta1,
    beta2,
    one_minus_beta2,
    step_size,
    sqrt_bias_correction2,
    eps,
    sign,
    weight_decay,
    keep,
):
    """m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  w <- w - eta m^ / (sqrt(v^) + eps),

    computed as w - (eta / (1-b1^t)) m / (sqrt(v) / sqrt(1-b2^t) + eps): two divisions per
    element instead of four, the order PyTorch uses."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    m = beta1 * m + one_minus_beta1 * g
    v = beta2 * v + one_minus_beta2 * g * g
    denom = np.sqrt(v) / sqrt_bias_correction2 + eps
    return p - step_size * (m / denom), m, v


@rule(n_state=3)
def amsgrad_rule(
    p,
    g,
    m,
    v,
    v_max,
    beta1,
    one_minus_beta1,
    beta2,
    one_minus_beta2,
    step_size,
    sqrt_bias_correction2,
    eps,
    sign,
    weight_decay,
    keep,
):
    """As `adam_rule`, dividing by the running maximum of v: v_max <- max(v_max, v)."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    m = beta1 * m + one_minus_beta1 * g
    v = beta2 * v + one_minus_beta2 * g * g
    v_max = np.maximum(v_max, v)
    denom = np.sqrt(v_max) / sqrt_bias_correction2 + eps
    return p - step_size * (m / denom), m, v, v_max


class Adam(ElementwiseOptimizer):
    r"""Adam (Kingma and Ba 2015; Goodfellow et al., Algorithm 8.7).

        m_t = beta1 m_{t-1} + (1 - beta1) g_t           (first moment, momentum)
        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2         (second moment, RMSProp)
        m^_t = m_t / (1 - beta1^t),  v^_t = v_t / (1 - beta2^t)     (bias correction)
        w_{t+1} = w_t - eta m^_t / (sqrt(v^_t) + eps)

    t counts updates from 1; bias corrections are computed in float64 and folded into the
    step size and the denominator as PyTorch does: w - (eta / (1 - beta1^t)) m_t /
    (sqrt(v_t) / sqrt(1 - beta2^t) + eps), the same number written with fewer divisions.
    Variants:

    * ``amsgrad=True``: divide by the running maximum of v_t (the raw v, as PyTorch and
      Keras do), bias-corrected afterwards.
    * ``bias_correction=False``: m^ = m, v^ = v (the code snippet of the
      lecture slides "Optimizers").
    * ``weight_decay``: L2, added to the gradient (PyTorch Adam); with
      ``decoupled_weight_decay=True`` the parameter is shrunk instead, w <- w (1 - eta lambda)
      (that is `AdamW`).
    * ``convention="keras"``: eps 1e-7 added to sqrt(v) before bias correction ("epsilon
      hat": the same formula with eps_t = eps / sqrt(1 - beta2^t)), and weight decay
      decoupled (Keras ``Adam(weight_decay=...)`` is AdamW).

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 1e-3.
        betas: (beta1, beta2), each in [0, 1). Default (0.9, 0.999).
        eps: > 0. Default 1e-8 (PyTorch), 1e-7 (Keras).
        weight_decay: lambda >= 0.
        amsgrad: use AMSGrad.
        maximize: ascend instead of descend.
        bias_correction: divide the moments by (1 - beta^t).
        decoupled_weight_decay: shrink w by eta lambda instead of adding lambda w to g.
    """

    lr = Hyper(checks.learning_rate, 1e-3)
    betas = Hyper(checks.betas, (0.9, 0.999))
    eps = Hyper(checks.positive, 1e-8, keras=1e-7)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    amsgrad = Option(checks.flag, False)
    maximize = Option(checks.flag, False, keyword_only=True, pytorch_only=True)
    bias_correction = Option(checks.flag, True, keyword_only=True)
    decoupled_weight_decay = Option(checks.flag, False, keyword_only=True)

    def _setup(self) -> None:
        self._allocate("exp_avg", "exp_avg_sq", *(["max_exp_avg_sq"] if self.amsgrad else []))

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr) and not self.bias_correction

    def rule_at(self, t: int, lr: float) -> RuleStep:
        beta1, beta2 = self.betas
        bias_correction1, bias_correction2 = (
            (1.0 - beta1**t, 1.0 - beta2**t) if self.bias_correction else (1.0, 1.0)
        )
        eps = self.eps
        if self.convention == "keras":
            eps = eps / math.sqrt(bias_correction2)  # epsilon hat, moved onto sqrt(v^)
        sign, weight_decay, keep = self._prelude(lr, self.decoupled_weight_decay)
        return (amsgrad_rule if self.amsgrad else adam_rule).bind(
            beta1=beta1,
            one_minus_beta1=1.0 - beta1,
            beta2=beta2,
            one_minus_beta2=1.0 - beta2,
            step_size=lr / bias_correction1,
            sqrt_bias_correction2=math.sqrt(bias_correction2),
            eps=eps,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )


class AdamW(Adam):
    r"""AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay.

        w <- w (1 - eta lambda),  then the Adam step (the decay skips the adaptive scaling)

    Like PyTorch, Optax and Keras, the decay is multiplied by the full learning rate eta
    (the paper multiplies it by the schedule multiplier only). Default lambda: 1e-2
    (PyTorch), 4e-3 (Keras). Arguments as `Adam`, less ``decoupled_weight_decay`` (always
    True).
    """

    weight_decay = Hyper(checks.nonnegative, 1e-2, keras=4e-3)
    decoupled_weight_decay = Option(checks.flag, True, fixed=True)
