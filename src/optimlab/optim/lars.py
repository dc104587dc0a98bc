"""LARS: momentum SGD with each layer's step scaled by a trust ratio (You et al. 2017)."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.lamb import trust_ratio
from optimlab.optim.matrix import PerArrayOptimizer


class LARS(PerArrayOptimizer):
    r"""LARS (You et al. 2017), Optax's form (``optax.lars``).

    For each parameter array (layer) w:

        u_t = g_t + lambda w_t
        r_t = c ||w_t|| / (||u_t|| + eps)         (1 when either norm is 0)
        b_t = mu b_{t-1} + eta r_t u_t             (the rate inside the momentum buffer)
        w_{t+1} = w_t - b_t      (Nesterov: w_t - (eta r_t u_t + mu b_t))

    The trust ratio gives each layer a step proportional to its own norm, which is what
    lets SGD train with very large batches.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule (Optax's ``learning_rate``, which has no default).
            Default 0.1.
        weight_decay: lambda >= 0. Default 0.
        trust_coefficient: c > 0. Default 0.001.
        eps: >= 0, added to ||u||. Default 0.
        momentum: mu in [0, 1). Default 0.9.
        nesterov: Nesterov momentum.

    Optax's masks (which arrays decay, which get the trust ratio) are not offered: every
    array gets both, Optax's default.

    Source: optax.lars (Optax 0.2.8).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 0.1)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    trust_coefficient = Hyper(checks.positive, 0.001)
    eps = Hyper(checks.nonnegative, 0.0)
    momentum = Hyper(checks.unit_interval, 0.9)
    nesterov = Option(checks.flag, False)

    def _setup(self) -> None:
        for index, p in enumerate(self._arrays):
            self._allocate_slot("trace", index, p.shape)

    def _update_array(self, index: int, p: np.ndarray, g: np.ndarray, lr: float, t: int) -> None:
        buf = self._slot("trace", index)
        update = g + self.weight_decay * p
        step = (update * trust_ratio(p, update, self.trust_coefficient, self.eps)) * lr
        buf[...] = step + self.momentum * buf
        p -= step + self.momentum * buf if self.nesterov else buf
