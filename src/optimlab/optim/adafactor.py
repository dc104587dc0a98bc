"""Adafactor: adaptive rates from factored second moments, sized to the parameters (Shazeer
and Stern 2018)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.matrix import PerArrayOptimizer, norm


def _eps_pair(name: str, value: Any) -> tuple[float | None, float]:
    """(eps1 or None, eps2), each >= 0."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or len(value) != 2:
        raise checks.ArgumentTypeError(
            f"Invalid {name}: {value!r}; {name} must be a pair (eps1 or None, eps2)"
        )
    return (
        checks.optional(checks.nonnegative, f"{name}[0]", value[0]),
        checks.nonnegative(f"{name}[1]", value[1]),
    )


class Adafactor(PerArrayOptimizer):
    r"""Adafactor (Shazeer and Stern 2018), PyTorch's form (``torch.optim.Adafactor``).

    For an array of two or more dimensions (rows i, columns j of its last two), the second
    moment is kept as its row and column means only, O(n + m) numbers instead of O(n m):

        beta2_t = 1 - t^d                         (d = beta2_decay < 0: beta2_t -> 1)
        R_t = beta2_t R_{t-1} + (1 - beta2_t) mean_j g_t^2      (row means)
        C_t = beta2_t C_{t-1} + (1 - beta2_t) mean_i g_t^2      (column means)
        V_t = R_t C_t / mean_i R_t                              (rank-1 estimate of v)

    (a vector keeps the full v_t = beta2_t v_{t-1} + (1 - beta2_t) g_t^2). Then

        u_t = g_t / sqrt(max(V_t, eps1^2))
        rho_t = min(eta, 1 / sqrt(t)),    alpha_t = max(eps2, RMS(w_t)) rho_t
        w_{t+1} = w_t (1 - eta lambda) - alpha_t u_t / max(1, RMS(u_t) / clip)

    The step is relative to the parameters' scale (RMS(w)), and the update clipped to RMS
    ``d``. No first moment is kept (the paper's beta1 = 0, as PyTorch).

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule; it caps the relative step rho_t. Default 1e-2.
        beta2_decay: d <= 0, the decay exponent of beta2_t. Default -0.8.
        eps: (eps1, eps2): eps1 >= 0 floors V (None: the machine epsilon of the
            parameters' dtype, resolved at construction), eps2 >= 0 floors RMS(w).
            Default (None, 1e-3).
        d: the clipping threshold of RMS(u), >= 1. Default 1.
        weight_decay: lambda >= 0 (decoupled, times eta). Default 0.
        maximize: ascend instead of descend.

    Source: torch.optim.Adafactor (PyTorch 2.13).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 1e-2)
    beta2_decay = Hyper(lambda name, value: checks.number(name, value, high=0.0), -0.8)
    eps = Hyper(_eps_pair, (None, 1e-3))
    d = Hyper(lambda name, value: checks.number(name, value, low=1.0), 1.0)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    maximize = Option(checks.flag, False, keyword_only=True)

    def _setup(self) -> None:
        if self.eps[0] is None:
            self.eps = (float(np.finfo(self._dtype).eps), self.eps[1])
        for index, p in enumerate(self._arrays):
            if p.ndim > 1:
                self._allocate_slot("row_var", index, (*p.shape[:-1], 1))
                self._allocate_slot("col_var", index, (*p.shape[:-2], 1, p.shape[-1]))
            else:
                self._allocate_slot("variance", index, p.shape)

    def _update_array(self, index: int, p: np.ndarray, g: np.ndarray, lr: float, t: int) -> None:
        if self.maximize:
            g = -g
        eps1 = float(np.finfo(self._dtype).eps) if self.eps[0] is None else self.eps[0]
        weight = t**self.beta2_decay  # 1 - beta2_t
        rho = min(lr, 1.0 / math.sqrt(t))
        alpha = max(self.eps[1], norm(p) / math.sqrt(p.size)) * rho
        if self.weight_decay:
            p *= 1.0 - lr * self.weight_decay
        if p.ndim > 1:
            rows, cols = self._slot("row_var", index), self._slot("col_var", index)
            rows += weight * (np.mean(g * g, axis=-1, keepdims=True) - rows)
            cols += weight * (np.mean(g * g, axis=-2, keepdims=True) - cols)
            row_mean = np.maximum(np.mean(rows, axis=-2, keepdims=True), eps1)
            estimate = rows * cols / row_mean
        else:
            variance = self._slot("variance", index)
            variance += weight * (g * g - variance)
            estimate = variance
        update = g / np.sqrt(np.maximum(estimate, eps1 * eps1))
        denominator = max(1.0, norm(update) / (math.sqrt(update.size) * self.d))
        p -= (alpha / denominator) * update
