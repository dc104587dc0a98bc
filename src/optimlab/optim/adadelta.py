"""AdaDelta: no learning rate; the step is RMS of past updates over RMS of gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab.optim import _validate as check
from optimlab.optim._kernels import rule
from optimlab.optim._prelude import prelude
from optimlab.optim._tree import Tree
from optimlab.optim.base import Hyper, Optimizer


@rule(n_state=2)
def adadelta_rule(p, g, Eg2, Edx2, lr, rho, one_minus_rho, eps, sign, weight_decay, keep):
    """E[g^2] <- rho E[g^2] + (1-rho) g^2;  dx = sqrt(E[dx^2]+eps)/sqrt(E[g^2]+eps) g;
    E[dx^2] <- rho E[dx^2] + (1-rho) dx^2;  w <- w - eta dx."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    Eg2 = rho * Eg2 + one_minus_rho * g * g
    delta = np.sqrt(Edx2 + eps) / np.sqrt(Eg2 + eps) * g
    Edx2 = rho * Edx2 + one_minus_rho * delta * delta
    return p - lr * delta, Eg2, Edx2


class Adadelta(Optimizer):
    r"""AdaDelta (Zeiler 2012; seed 001): the units of the update match those of w.

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

    DEFAULTS = {
        "pytorch": {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
        "keras": {"lr": 1e-3, "rho": 0.95, "eps": 1e-7},
    }
    HYPERPARAMETERS = ("lr", "rho", "eps", "weight_decay")
    OPTIONS = ("maximize",)
    lr = Hyper(check.learning_rate)
    rho = Hyper(check.unit_interval)
    eps = Hyper(check.positive)
    weight_decay = Hyper(check.nonnegative)

    def __init__(
        self,
        params: Tree,
        lr: Any = None,
        rho: float | None = None,
        eps: float | None = None,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(params, **options)
        d = self._resolve_defaults(lr=lr, rho=rho, eps=eps)
        self.lr, self.rho, self.eps = d["lr"], d["rho"], d["eps"]
        self.weight_decay = weight_decay
        self.maximize = check.flag("maximize", maximize)
        self._refuse_under_keras(maximize=maximize)
        self._allocate("square_avg", "acc_delta")

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr)

    def _update(self, t: int, lr: float) -> tuple:
        sign, l2, keep = self._prelude_coefficients(lr)
        return adadelta_rule, (lr, self.rho, 1.0 - self.rho, self.eps, sign, l2, keep)
