"""LAMB: Adam's step rescaled per layer by a trust ratio (You et al. 2020)."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.hyper import Hyper
from optimlab.optim.matrix import PerArrayOptimizer, norm


def trust_ratio(p: np.ndarray, update: np.ndarray, coefficient: float, eps: float) -> float:
    """coefficient ||p|| / (||update|| + eps), or 1 when either norm is 0 (a fresh zero
    layer, a zero update), as Optax's ``scale_by_trust_ratio``."""
    p_norm, u_norm = norm(p), norm(update)
    if p_norm == 0.0 or u_norm == 0.0:
        return 1.0
    return coefficient * p_norm / (u_norm + eps)


class LAMB(PerArrayOptimizer):
    r"""LAMB (You et al. 2020), Optax's form (``optax.lamb``).

    For each parameter array (layer) w:

        m_t = b1 m_{t-1} + (1 - b1) g_t,    v_t = b2 v_{t-1} + (1 - b2) g_t^2
        u_t = m_t / (1 - b1^t) / (sqrt(v_t / (1 - b2^t) + eps_root) + eps) + lambda w_t
        w_{t+1} = w_t - eta (||w_t|| / ||u_t||) u_t

    Adam's direction (with decoupled weight decay), its length set per layer by the trust
    ratio ||w|| / ||u|| (1 when either norm is 0): every layer moves by the same fraction
    eta of its own norm, whatever the scale of its gradients. Built for very large batches.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule (Optax's ``learning_rate``, which has no default).
            Default 1e-3.
        b1: decay of the first moment, in [0, 1). Default 0.9.
        b2: decay of the second moment, in [0, 1). Default 0.999.
        eps: > 0. Default 1e-6.
        eps_root: >= 0, inside the root. Default 0.
        weight_decay: lambda >= 0 (Optax's mask is not offered: every array decays).

    Source: optax.lamb (Optax 0.2.8).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 1e-3)
    b1 = Hyper(checks.unit_interval, 0.9)
    b2 = Hyper(checks.unit_interval, 0.999)
    eps = Hyper(checks.positive, 1e-6)
    eps_root = Hyper(checks.nonnegative, 0.0)
    weight_decay = Hyper(checks.nonnegative, 0.0)

    def _setup(self) -> None:
        for index, p in enumerate(self._arrays):
            self._allocate_slot("mu", index, p.shape)
            self._allocate_slot("nu", index, p.shape)

    def _update_array(self, index: int, p: np.ndarray, g: np.ndarray, lr: float, t: int) -> None:
        m, v = self._slot("mu", index), self._slot("nu", index)
        m[...] = (1.0 - self.b1) * g + self.b1 * m
        v[...] = (1.0 - self.b2) * (g * g) + self.b2 * v
        m_hat = m / (1.0 - self.b1**t)
        v_hat = v / (1.0 - self.b2**t)
        update = m_hat / (np.sqrt(v_hat + self.eps_root) + self.eps) + self.weight_decay * p
        p -= (update * trust_ratio(p, update, 1.0, 0.0)) * lr
