"""Muon: momentum orthogonalised by a Newton-Schulz iteration, for 2-D parameters (Jordan et
al. 2024); AdamW for the others."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.optim.adam import adam_rule
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.matrix import PerArrayOptimizer

#: PyTorch's Newton-Schulz coefficients (a, b, c), from Jordan et al. 2024.
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
PRECISIONS = ("bfloat16", "full")
ADJUST_LR = ("original", "match_rms_adamw")


def round_to_bfloat16(x: np.ndarray) -> np.ndarray:
    """``x`` rounded to the nearest bfloat16 value (ties to even), returned as float32.

    bfloat16 keeps float32's 8 exponent bits and 7 of its 23 mantissa bits. Adding just
    under half of the dropped unit (one more when the kept part is odd) and clearing the 16
    dropped bits rounds to nearest even. A float64 input is first rounded to float32, as
    PyTorch converts it. Finite inputs only.
    """
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    odd = (bits >> np.uint32(16)) & np.uint32(1)
    return ((bits + np.uint32(0x7FFF) + odd) & np.uint32(0xFFFF0000)).view(np.float32)


def newton_schulz(
    G: np.ndarray, coefficients: tuple[float, float, float], steps: int, eps: float, precision: str
) -> np.ndarray:
    """The orthogonalisation of ``G`` (2-D): about U V^T for G = U S V^T.

    X_0 = G / max(||G||_F, eps) (so every singular value is <= 1), then ``steps`` times

        A = X X^T,    B = b A + c A A,    X <- a X + B X

    on the wide orientation (X transposed when it has more rows than columns, so A is the
    smaller Gram matrix). The quintic's coefficients push every singular value towards 1
    (to about 0.7 to 1.2 with PyTorch's, fast rather than exact). ``precision="bfloat16"``
    rounds to bfloat16 after every operation, as PyTorch computes it (products accumulated
    in float32); ``"full"`` computes in G's dtype.
    """
    a, b, c = coefficients
    tall = G.shape[0] > G.shape[1]
    if precision == "full":
        X = (G.T if tall else G) / max(float(np.linalg.norm(G)), eps)
        for _ in range(steps):
            A = X @ X.T
            B = b * A + c * (A @ A)
            X = a * X + B @ X
        return X.T if tall else X
    rounded = round_to_bfloat16
    X = rounded(G.T if tall else G)
    scale = rounded(np.maximum(np.linalg.norm(X), np.float32(eps)))
    X = rounded(X / scale)
    a, b, c = np.float32(a), np.float32(b), np.float32(c)
    for _ in range(steps):
        A = rounded(X @ X.T)
        B = rounded(b * A + c * (A @ A))
        X = rounded(a * X + B @ X)
    return X.T if tall else X


def _coefficients(name: str, value: Any) -> tuple[float, float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or len(value) != 3:
        raise checks.ArgumentTypeError(
            f"Invalid {name}: {value!r}; {name} must be three numbers (a, b, c)"
        )
    return tuple(checks.number(f"{name}[{i}]", v) for i, v in enumerate(value))


def _adjust_lr_fn(name: str, value: Any) -> str:
    """None means "original" (PyTorch's default)."""
    return checks.choice(name, "original" if value is None else value, ADJUST_LR)


def _optional_rate(name: str, value: Any) -> float | None:
    return checks.optional(checks.positive, name, value)


class Muon(PerArrayOptimizer):
    r"""Muon (Jordan et al. 2024), PyTorch's form (``torch.optim.Muon``), for 2-D arrays;
    AdamW for the others.

    For each 2-D parameter array W (a weight matrix):

        B_t = mu B_{t-1} + (1 - mu) G_t                  (momentum, an average)
        M_t = (1 - mu) G_t + mu B_t   (nesterov)   or   B_t
        O_t = NS(M_t)                                    (`newton_schulz`: about U V^T)
        W_{t+1} = W_t (1 - eta lambda) - eta' O_t

    where eta' = eta sqrt(max(1, A/B)) for an A x B array (``adjust_lr_fn="original"``) or
    0.2 eta sqrt(max(A, B)) (``"match_rms_adamw"``, to reuse AdamW's rate and decay). The
    step replaces the momentum's singular values by about 1: every direction of the matrix
    moves by the same amount, however skewed the gradient's spectrum.

    PyTorch's Muon refuses other arrays; its documentation pairs it with AdamW for them.
    Here every array that is not 2-D (biases, vectors, scalars, higher-dimensional kernels)
    gets that AdamW, with ``adamw_*`` settings and the rate ``adamw_lr`` (default: the same
    rate as Muon, and any schedule given to the step applies to both).

    Note that optimlab's models store a weight matrix as (inputs, outputs), the transpose of
    PyTorch's Linear: the "original" adjustment sees A = inputs, B = outputs.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 1e-3.
        weight_decay: lambda >= 0 (decoupled, times eta). Default 0.1.
        momentum: mu in [0, 1). Default 0.95.
        nesterov: Nesterov momentum. Default True.
        ns_coefficients: (a, b, c) of the quintic. Default (3.4445, -4.7750, 2.0315).
        eps: > 0, floors ||M||_F. Default 1e-7.
        ns_steps: Newton-Schulz iterations (an integer from 1 to 99). Default 5.
        adjust_lr_fn: "original" (or None) or "match_rms_adamw".
        ns_precision: "bfloat16" (PyTorch's: every operation rounded to bfloat16) or
            "full" (the parameters' dtype).
        adamw_lr: the AdamW arrays' rate (None: lr). adamw_betas, adamw_eps,
            adamw_weight_decay: their betas (0.9, 0.999), eps 1e-8 and decay 0.01
            (torch.optim.AdamW's defaults).

    Source: torch.optim.Muon (PyTorch 2.13), paired with torch.optim.AdamW.
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 1e-3)
    weight_decay = Hyper(checks.nonnegative, 0.1)
    momentum = Hyper(checks.unit_interval, 0.95)
    nesterov = Option(checks.flag, True)
    ns_coefficients = Hyper(_coefficients, NS_COEFFICIENTS)
    eps = Hyper(checks.positive, 1e-7)
    ns_steps = Option(lambda name, value: checks.integer(name, value, low=1, high=99), 5)
    adjust_lr_fn = Option(_adjust_lr_fn, None)
    ns_precision = Option(
        lambda name, value: checks.choice(name, value, PRECISIONS), "bfloat16", keyword_only=True
    )
    adamw_lr = Option(_optional_rate, None, keyword_only=True, saved=False)
    adamw_betas = Hyper(checks.betas, (0.9, 0.999), keyword_only=True)
    adamw_eps = Hyper(checks.positive, 1e-8, keyword_only=True)
    adamw_weight_decay = Hyper(checks.nonnegative, 1e-2, keyword_only=True)

    def _setup(self) -> None:
        for index, p in enumerate(self._arrays):
            if p.ndim == 2:
                self._allocate_slot("momentum_buffer", index, p.shape)
            else:
                self._allocate_slot("exp_avg", index, p.shape)
                self._allocate_slot("exp_avg_sq", index, p.shape)

    def _update_array(self, index: int, p: np.ndarray, g: np.ndarray, lr: float, t: int) -> None:
        if p.ndim != 2:
            self._adamw(index, p, g, lr, t)
            return
        mu = self.momentum
        buf = self._slot("momentum_buffer", index)
        buf += (1.0 - mu) * (g - buf)
        direction = g + mu * (buf - g) if self.nesterov else buf
        update = newton_schulz(
            direction, self.ns_coefficients, self.ns_steps, self.eps, self.ns_precision
        )
        rows, cols = p.shape
        if self.adjust_lr_fn == "original":
            adjusted = lr * math.sqrt(max(1.0, rows / cols))
        else:
            adjusted = lr * 0.2 * math.sqrt(max(rows, cols))
        p *= 1.0 - lr * self.weight_decay
        p -= adjusted * update.astype(p.dtype, copy=False)

    def _adamw(self, index: int, p: np.ndarray, g: np.ndarray, lr: float, t: int) -> None:
        """The AdamW step of a non-2-D array (`optimlab.optim.AdamW`'s rule). A rate given
        to this update (a schedule in `fit`) scales ``adamw_lr`` as it scales ``lr``."""
        if self.adamw_lr is not None:
            own = self.learning_rate()
            lr = self.adamw_lr * (lr / own if own else 1.0)
        beta1, beta2 = self.adamw_betas
        step = adam_rule.bind(
            beta1=beta1,
            one_minus_beta1=1.0 - beta1,
            beta2=beta2,
            one_minus_beta2=1.0 - beta2,
            step_size=lr / (1.0 - beta1**t),
            sqrt_bias_correction2=math.sqrt(1.0 - beta2**t),
            eps=self.adamw_eps,
            sign=1.0,
            weight_decay=0.0,
            keep=1.0 - lr * self.adamw_weight_decay,
        )
        states = [self._slot(name, index).reshape(-1) for name in ("exp_avg", "exp_avg_sq")]
        step.rule.numpy(p.reshape(-1), g.reshape(-1), states, step.coefficients)
