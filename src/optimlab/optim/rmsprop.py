"""RMSProp: AdaGrad with a leaky (exponentially weighted) average of squared gradients."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, helper, rule


@helper
def rms(v, eps, eps_inside):
    """sqrt(v) + eps, or sqrt(v + eps) with epsilon inside the root."""
    return np.sqrt(v + eps) if eps_inside else np.sqrt(v) + eps


@helper
def centered_rms(v, g_avg, zero, eps, eps_inside):
    """The same on v - g_avg^2, clamped at 0 (rounding can make it slightly negative)."""
    return rms(np.maximum(v - g_avg * g_avg, zero), eps, eps_inside)


@rule(n_state=1)
def rmsprop_rule(p, g, v, lr, alpha, one_minus_alpha, eps, eps_inside, sign, weight_decay, keep):
    """v <- a v + (1 - a) g^2;  w <- w - eta g / (sqrt(v) + eps)."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    v = alpha * v + one_minus_alpha * g * g
    return p - lr * (g / rms(v, eps, eps_inside)), v


@rule(n_state=2)
def rmsprop_centered_rule(
    p, g, v, g_avg, lr, alpha, one_minus_alpha, eps, eps_inside, zero, sign, weight_decay, keep
):
    """As `rmsprop_rule`, dividing by sqrt(v - g_avg^2) with g_avg <- a g_avg + (1 - a) g."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    v = alpha * v + one_minus_alpha * g * g
    g_avg = alpha * g_avg + one_minus_alpha * g
    return p - lr * (g / centered_rms(v, g_avg, zero, eps, eps_inside)), v, g_avg


@rule(n_state=2)
def rmsprop_momentum_rule(
    p,
    g,
    v,
    buf,
    step_size,
    scale,
    momentum,
    alpha,
    one_minus_alpha,
    eps,
    eps_inside,
    sign,
    weight_decay,
    keep,
):
    """buf <- mu buf + s g / rms;  w <- w - a buf  (PyTorch s=1, a=eta; Keras s=eta, a=1)."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    v = alpha * v + one_minus_alpha * g * g
    buf = momentum * buf + scale * (g / rms(v, eps, eps_inside))
    return p - step_size * buf, v, buf


@rule(n_state=3)
def rmsprop_centered_momentum_rule(
    p,
    g,
    v,
    g_avg,
    buf,
    step_size,
    scale,
    momentum,
    alpha,
    one_minus_alpha,
    eps,
    eps_inside,
    zero,
    sign,
    weight_decay,
    keep,
):
    """Centered RMSProp with momentum (both options together)."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    v = alpha * v + one_minus_alpha * g * g
    g_avg = alpha * g_avg + one_minus_alpha * g
    buf = momentum * buf + scale * (g / centered_rms(v, g_avg, zero, eps, eps_inside))
    return p - step_size * buf, v, g_avg, buf


class RMSprop(ElementwiseOptimizer):
    r"""RMSProp (Hinton 2012): divide by a running root mean square of the gradients.

        v_t = alpha v_{t-1} + (1 - alpha) g_t^2,     w_{t+1} = w_t - eta g_t / (sqrt(v_t) + eps)

    (alpha is the course notes' beta or rho.) Variants:

    * ``eps_inside=True``: w - eta g / sqrt(v + eps), as the course notes and the Deep
      Learning book (Algorithm 8.5) write it; default False, as PyTorch does.
    * ``centered=True``: divide by sqrt(v - gbar^2) with gbar the running mean of g (clamped
      at 0 before the root; PyTorch and Keras do not clamp and can return NaN).
    * ``momentum=mu``: buf = mu buf + g / rms, w = w - eta buf (PyTorch; Keras keeps eta
      inside the buffer).
    * ``convention="keras"``: lr 1e-3, rho 0.9, eps 1e-7 inside the root, decoupled decay.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 1e-2 (PyTorch), 1e-3 (Keras).
        alpha: decay rate in [0, 1). Default 0.99 (PyTorch), 0.9 (Keras, the course notes).
        eps: > 0. Default 1e-8 (PyTorch), 1e-7 (Keras).
        weight_decay: L2 coefficient (decoupled under Keras).
        momentum: mu in [0, 1).
        centered: divide by the centered second moment.
        eps_inside: put eps inside the square root.
        maximize: ascend instead of descend.
    """

    lr = Hyper(checks.learning_rate, 1e-2, keras=1e-3)
    alpha = Hyper(checks.unit_interval, 0.99, keras=0.9)
    eps = Hyper(checks.positive, 1e-8, keras=1e-7)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    momentum = Hyper(checks.unit_interval, 0.0)
    centered = Option(checks.flag, False)
    eps_inside = Option(checks.flag, False, keras=True, keyword_only=True)
    maximize = Option(checks.flag, False, keyword_only=True, pytorch_only=True)

    def _setup(self) -> None:
        self._has_momentum = self.momentum > 0
        names = ["square_avg"] + ["grad_avg"] * self.centered
        self._allocate(*names, *["momentum_buffer"] * self._has_momentum)

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr)

    def rule_at(self, t: int, lr: float) -> RuleStep:
        if self.momentum > 0 and not self._has_momentum:
            raise ValueError(
                "momentum was 0 at construction, so RMSprop keeps no momentum "
                "buffer; construct it with momentum > 0"
            )
        sign, weight_decay, keep = self._prelude(lr)
        common = {
            "alpha": self.alpha,
            "one_minus_alpha": 1.0 - self.alpha,
            "eps": self.eps,
            "eps_inside": self.eps_inside,
            "sign": sign,
            "weight_decay": weight_decay,
            "keep": keep,
        }
        centered = {"zero": 0.0} if self.centered else {}
        if not self._has_momentum:
            chosen = rmsprop_centered_rule if self.centered else rmsprop_rule
            return chosen.bind(lr=lr, **common, **centered)
        step_size, scale = (1.0, lr) if self.convention == "keras" else (lr, 1.0)
        chosen = rmsprop_centered_momentum_rule if self.centered else rmsprop_momentum_rule
        return chosen.bind(
            step_size=step_size, scale=scale, momentum=self.momentum, **common, **centered
        )
