"""Stochastic gradient descent, with optional momentum and Nesterov momentum (PyTorch's SGD)."""

from __future__ import annotations

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=0)
def sgd_rule(p, g, lr, sign, weight_decay, keep):
    """w <- w - eta g."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    return p - lr * g


@rule(n_state=1)
def sgd_momentum_rule(
    p,
    g,
    buf,
    step_size,
    scale,
    momentum,
    one_minus_dampening,
    first,
    nesterov,
    sign,
    weight_decay,
    keep,
):
    """buf <- mu buf + (1 - tau) s g  (buf = s g on the first step); w <- w - a d.

    d = s g + mu buf with Nesterov, else buf. PyTorch: s = 1, a = eta (the learning rate
    outside the buffer). Keras: s = eta, a = 1 (the rate inside the buffer, ``v = mu v - eta g;
    w += v`` with buf = -v), which differs from PyTorch only when the rate changes.
    """
    p, g = prelude(p, g, sign, weight_decay, keep)
    buf = scale * g if first else momentum * buf + one_minus_dampening * scale * g
    direction = scale * g + momentum * buf if nesterov else buf
    return p - step_size * direction, buf


class SGD(ElementwiseOptimizer):
    r"""Gradient descent: batch, stochastic or mini-batch depending on the gradient you pass.

    Without momentum (Goodfellow et al., Algorithm 8.1):

        w_{t+1} = w_t - eta g_t

    With momentum mu and dampening tau (PyTorch; the classic heavy ball of Goodfellow et
    Algorithm 8.2, ``v = a v - eps g; w = w + v``, gives the same iterates with v = -eta buf
    at a constant rate; under a schedule it equals ``convention="keras"``):

        buf_1 = g_1,   buf_t = mu buf_{t-1} + (1 - tau) g_t,   w_{t+1} = w_t - eta buf_t

    With ``nesterov=True`` the step uses g_t + mu buf_t instead of buf_t: Nesterov's
    momentum in the form frameworks use (the gradient at w). `Nesterov` is the textbook
    look-ahead form; the two give the same iterates under phi = w - mu v.

    Options: ``weight_decay`` (L2, added to the gradient: g + lambda w), ``maximize``.
    ``convention="keras"``: Keras's SGD, ``v = mu v - eta g; w = w + v`` (Nesterov:
    ``w = w + mu v - eta g``), default lr 0.01, weight decay decoupled
    (``w = w - eta lambda w`` before the step), no dampening.

    Args:
        params: the arrays to optimize (updated in place).
        lr: learning rate eta >= 0, or a schedule (a callable of the 0-based step).
            Default 1e-3 (PyTorch), 0.01 (Keras).
        momentum: mu in [0, 1) (0: plain gradient descent).
        dampening: tau in [0, 1] (PyTorch only).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        weight_decay: lambda >= 0.
        maximize: ascend instead of descend (PyTorch only).
    """

    lr = Hyper(checks.learning_rate, 1e-3, keras=0.01)
    momentum = Hyper(checks.unit_interval, 0.0)
    dampening = Hyper(checks.closed_unit_interval, 0.0, pytorch_only=True)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    nesterov = Option(checks.flag, False)
    maximize = Option(checks.flag, False, keyword_only=True, pytorch_only=True)

    def _setup(self) -> None:
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening = 0")
        self._has_momentum = self.momentum > 0
        if self._has_momentum:
            self._allocate("momentum_buffer")

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr)

    def rule_at(self, t: int, lr: float) -> RuleStep:
        sign, weight_decay, keep = self._prelude(lr)
        if not self._has_momentum:
            if self.momentum > 0:
                raise ValueError(
                    "momentum was 0 at construction, so SGD keeps no momentum "
                    "buffer; construct SGD with momentum > 0 to use momentum"
                )
            return sgd_rule.bind(lr=lr, sign=sign, weight_decay=weight_decay, keep=keep)
        step_size, scale = (1.0, lr) if self.convention == "keras" else (lr, 1.0)
        return sgd_momentum_rule.bind(
            step_size=step_size,
            scale=scale,
            momentum=self.momentum,
            one_minus_dampening=1.0 - self.dampening,
            first=t == 1,
            nesterov=self.nesterov,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )
