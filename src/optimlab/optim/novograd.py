"""NovoGrad: momentum on gradients normalised by a per-layer second moment (Ginsburg et al.
2019)."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.hyper import Hyper
from optimlab.optim.matrix import PerArrayOptimizer, norm


class NovoGrad(PerArrayOptimizer):
    r"""NovoGrad (Ginsburg et al. 2019), Optax's form (``optax.novograd``).

    For each parameter array (layer) w, with one scalar second moment v per layer:

        v_1 = ||g_1||^2,                 v_t = b2 v_{t-1} + (1 - b2) ||g_t||^2
        u_t = g_t / (sqrt(v_t + eps_root) + eps) + lambda w_t
        m_1 = u_1,                       m_t = b1 m_{t-1} + u_t
        w_{t+1} = w_t - eta m_t

    Adam's second moment kept per layer instead of per value (a number per layer, not an
    array), and weight decay added to the normalised gradient.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule (Optax's ``learning_rate``, which has no default).
            Default 1e-3.
        b1: momentum, in [0, 1). Default 0.9.
        b2: decay of the per-layer second moment, in [0, 1). Default 0.25.
        eps: > 0. Default 1e-6.
        eps_root: >= 0, inside the root. Default 0.
        weight_decay: lambda >= 0. Default 0.

    Source: optax.novograd / optax.scale_by_novograd (Optax 0.2.8).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 1e-3)
    b1 = Hyper(checks.unit_interval, 0.9)
    b2 = Hyper(checks.unit_interval, 0.25)
    eps = Hyper(checks.positive, 1e-6)
    eps_root = Hyper(checks.nonnegative, 0.0)
    weight_decay = Hyper(checks.nonnegative, 0.0)

    def _setup(self) -> None:
        for index, p in enumerate(self._arrays):
            self._allocate_slot("mu", index, p.shape)
            self._allocate_slot("nu", index, ())

    def _update_array(self, index: int, p: np.ndarray, g: np.ndarray, lr: float, t: int) -> None:
        m, v = self._slot("mu", index), self._slot("nu", index)
        squared_norm = norm(g) ** 2
        v[...] = squared_norm if t == 1 else (1.0 - self.b2) * squared_norm + self.b2 * v
        update = g / (np.sqrt(v + self.eps_root) + self.eps) + self.weight_decay * p
        m[...] = update if t == 1 else self.b1 * m + update
        p -= lr * m
