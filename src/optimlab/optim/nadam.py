"""NAdam: Adam with Nesterov momentum (Dozat 2016)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from optimlab.optim import _validate as check
from optimlab.optim._kernels import rule
from optimlab.optim._prelude import prelude
from optimlab.optim._tree import Tree
from optimlab.optim.base import Hyper, Optimizer


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


class NAdam(Optimizer):
    r"""NAdam (beyond the seeds): Adam whose momentum looks one step ahead.

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

    DEFAULTS = {
        "pytorch": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "momentum_decay": 4e-3},
        "keras": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-7, "momentum_decay": 1.0},
    }
    HYPERPARAMETERS = ("lr", "betas", "eps", "weight_decay", "momentum_decay")
    OPTIONS = ("decoupled_weight_decay", "maximize")
    lr = Hyper(check.learning_rate)
    betas = Hyper(check.betas)
    eps = Hyper(check.positive)
    weight_decay = Hyper(check.nonnegative)
    momentum_decay = Hyper(check.nonnegative)

    def __init__(
        self,
        params: Tree,
        lr: Any = None,
        betas: tuple[float, float] | None = None,
        eps: float | None = None,
        weight_decay: float = 0.0,
        momentum_decay: float | None = None,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(params, **options)
        d = self._resolve_defaults(lr=lr, betas=betas, eps=eps, momentum_decay=momentum_decay)
        self.lr, self.betas, self.eps = d["lr"], d["betas"], d["eps"]
        self.momentum_decay = d["momentum_decay"]
        self.weight_decay = weight_decay
        self.decoupled_weight_decay = check.flag("decoupled_weight_decay", decoupled_weight_decay)
        self.maximize = check.flag("maximize", maximize)
        self._refuse_under_keras(maximize=maximize)
        self.mu_product = 1.0
        self._allocate("exp_avg", "exp_avg_sq")

    def _mu(self, t: int) -> float:
        return self.betas[0] * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def _update(self, t: int, lr: float) -> tuple:
        beta1, beta2 = self.betas
        mu, mu_next = self._mu(t), self._mu(t + 1)
        self.mu_product *= mu
        grad_coef = lr * (1.0 - mu) / (1.0 - self.mu_product)
        momentum_coef = lr * mu_next / (1.0 - self.mu_product * mu_next)
        return nadam_rule, (
            grad_coef,
            momentum_coef,
            beta1,
            1.0 - beta1,
            beta2,
            1.0 - beta2,
            1.0 - beta2**t,
            self.eps,
            *self._prelude_coefficients(lr, self.decoupled_weight_decay),
        )

    def _extra_state(self) -> dict[str, float]:
        return {"mu_product": self.mu_product}

    def _load_extra_state(self, values: Mapping[str, float]) -> None:
        self.mu_product = values["mu_product"]
