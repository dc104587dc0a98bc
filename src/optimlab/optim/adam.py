"""Adam and AdamW: momentum plus RMSProp, with bias correction."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optimlab.optim import _validate as check
from optimlab.optim._kernels import rule
from optimlab.optim._prelude import prelude
from optimlab.optim._tree import Tree
from optimlab.optim.base import Hyper, Optimizer


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


class Adam(Optimizer):
    r"""Adam (Kingma and Ba 2015; seed 000, seed 002, seed 004 Algorithm 8.7).

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
    * ``bias_correction=False``: m^ = m, v^ = v (seed 004's code snippet).
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

    DEFAULTS = {
        "pytorch": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
        "keras": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "weight_decay": 0.0},
    }
    HYPERPARAMETERS = ("lr", "betas", "eps", "weight_decay")
    OPTIONS = ("amsgrad", "maximize", "bias_correction", "decoupled_weight_decay")
    lr = Hyper(check.learning_rate)
    betas = Hyper(check.betas)
    eps = Hyper(check.positive)
    weight_decay = Hyper(check.nonnegative)

    def __init__(
        self,
        params: Tree,
        lr: Any = None,
        betas: tuple[float, float] | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        bias_correction: bool = True,
        decoupled_weight_decay: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(params, **options)
        d = self._resolve_defaults(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        self.lr, self.betas, self.eps = d["lr"], d["betas"], d["eps"]
        self.weight_decay = d["weight_decay"]
        self.amsgrad = check.flag("amsgrad", amsgrad)
        self.maximize = check.flag("maximize", maximize)
        self._refuse_under_keras(maximize=maximize)
        self.bias_correction = check.flag("bias_correction", bias_correction)
        self.decoupled_weight_decay = check.flag("decoupled_weight_decay", decoupled_weight_decay)
        self._allocate("exp_avg", "exp_avg_sq", *(["max_exp_avg_sq"] if amsgrad else []))

    def _bias_corrections(self, t: int) -> tuple[float, float]:
        beta1, beta2 = self.betas
        if not self.bias_correction:
            return 1.0, 1.0
        return 1.0 - beta1**t, 1.0 - beta2**t

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr) and not self.bias_correction

    def _update(self, t: int, lr: float) -> tuple:
        beta1, beta2 = self.betas
        bias_correction1, bias_correction2 = self._bias_corrections(t)
        eps = self.eps
        if self.convention == "keras":
            eps = eps / math.sqrt(bias_correction2)  # epsilon hat, moved onto sqrt(v^)
        coefficients = (
            beta1,
            1.0 - beta1,
            beta2,
            1.0 - beta2,
            lr / bias_correction1,
            math.sqrt(bias_correction2),
            eps,
            *self._prelude_coefficients(lr, self.decoupled_weight_decay),
        )
        return (amsgrad_rule if self.amsgrad else adam_rule), coefficients


class AdamW(Adam):
    r"""AdamW (Loshchilov and Hutter 2019; seed 003): Adam with decoupled weight decay.

        w <- w (1 - eta lambda),  then the Adam step (the decay skips the adaptive scaling)

    Like PyTorch, Optax and Keras, the decay is multiplied by the full learning rate eta
    (the paper multiplies it by the schedule multiplier only). Default lambda: 1e-2
    (PyTorch), 4e-3 (Keras). Arguments as `Adam`.
    """

    DEFAULTS = {
        "pytorch": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2},
        "keras": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "weight_decay": 4e-3},
    }

    def __init__(
        self,
        params: Tree,
        lr: Any = None,
        betas: tuple[float, float] | None = None,
        eps: float | None = None,
        weight_decay: float | None = None,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        bias_correction: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            bias_correction=bias_correction,
            decoupled_weight_decay=True,
            **options,
        )
