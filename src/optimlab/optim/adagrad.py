"""AdaGrad: per-parameter rates scaled by the sum of all past squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab.optim import _validate as check
from optimlab.optim._kernels import helper, rule
from optimlab.optim._prelude import prelude
from optimlab.optim._tree import Tree
from optimlab.optim.base import Hyper, Optimizer


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


class Adagrad(Optimizer):
    r"""AdaGrad (Duchi et al. 2011): big accumulated gradients, small steps.

        G_t = G_{t-1} + g_t^2,     w_{t+1} = w_t - eta_t g_t / (sqrt(G_t) + eps)

    with eta_t = eta / (1 + (t - 1) lr_decay) (PyTorch). Variants:

    * ``eps_inside=True``: w - eta g / sqrt(G + eps), as seeds 000, 001 and 002 write it.
      The default (False) puts eps outside, as PyTorch and seed 004 (``delta + sqrt(r)``) do.
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

    DEFAULTS = {
        "pytorch": {
            "lr": 1e-2,
            "initial_accumulator_value": 0.0,
            "eps": 1e-10,
            "eps_inside": False,
        },
        "keras": {"lr": 1e-3, "initial_accumulator_value": 0.1, "eps": 1e-7, "eps_inside": True},
    }
    HYPERPARAMETERS = ("lr", "lr_decay", "weight_decay", "eps")
    OPTIONS = ("eps_inside", "maximize")
    lr = Hyper(check.learning_rate)
    lr_decay = Hyper(check.nonnegative)
    weight_decay = Hyper(check.nonnegative)
    eps = Hyper(check.positive)

    def __init__(
        self,
        params: Tree,
        lr: Any = None,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float | None = None,
        eps: float | None = None,
        *,
        eps_inside: bool | None = None,
        maximize: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(params, **options)
        d = self._resolve_defaults(
            lr=lr,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            eps_inside=eps_inside,
        )
        self.lr, self.eps = d["lr"], d["eps"]
        self.lr_decay = lr_decay
        self.weight_decay = weight_decay
        self.eps_inside = check.flag("eps_inside", d["eps_inside"])
        self.maximize = check.flag("maximize", maximize)
        self._refuse_under_keras(lr_decay=lr_decay, maximize=maximize)
        initial = check.nonnegative("initial_accumulator_value", d["initial_accumulator_value"])
        self._allocate("sum", initial=initial)

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr) and self.lr_decay == 0

    def _update(self, t: int, lr: float) -> tuple:
        sign, l2, keep = self._prelude_coefficients(lr)
        clr = lr / (1 + (t - 1) * self.lr_decay)
        return adagrad_rule, (clr, self.eps, self.eps_inside, sign, l2, keep)
