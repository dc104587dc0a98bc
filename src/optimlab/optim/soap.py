"""SOAP: Adam run in the eigenbasis of Shampoo's preconditioner (Vyas et al. 2024)."""

from __future__ import annotations

import math

import numpy as np

from optimlab import checks
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.matrix import PerArrayOptimizer


def rotate(X: np.ndarray, bases: list[np.ndarray | None], back: bool = False) -> np.ndarray:
    """X with each axis k expressed in the basis Q_k: X x_k Q_k^T for every k (``back``:
    X x_k Q_k, the inverse). A None basis leaves its axis as it is. For a matrix,
    Q_L^T X Q_R (and Q_L X Q_R^T back)."""
    for axis, Q in enumerate(bases):
        if Q is not None:
            X = np.moveaxis(np.tensordot(X, Q.T if back else Q, axes=([axis], [0])), -1, axis)
    return X


def covariance_along(G: np.ndarray, axis: int) -> np.ndarray:
    """G_(k) G_(k)^T: the products of G's slices along ``axis`` (sum over all other axes)."""
    unfolded = np.moveaxis(G, axis, 0).reshape(G.shape[axis], -1)
    return unfolded @ unfolded.T


def eigenbasis(GG: np.ndarray) -> np.ndarray:
    """The eigenvectors of the symmetric ``GG``, by decreasing eigenvalue (1e-30 is added to
    the diagonal, as the reference implementation does)."""
    _, vectors = np.linalg.eigh(GG + 1e-30 * np.eye(GG.shape[0], dtype=GG.dtype))
    return vectors[:, ::-1].copy()


class SOAP(PerArrayOptimizer):
    r"""SOAP (Vyas et al. 2024): Shampoo's preconditioner, with Adam in its eigenbasis.

    For a matrix G_t (a 2-D parameter's gradient), Shampoo keeps L = E[G G^T] and
    R = E[G^T G]. SOAP diagonalises them, L = Q_L D_L Q_L^T and R = Q_R D_R Q_R^T, rotates
    the gradient into that basis and runs Adam there, where the coordinates are nearly
    uncorrelated:

        G'_t = Q_L^T G_t Q_R                        (rotate in)
        m_t = b1 m_{t-1} + (1 - b1) G_t             (first moment, in the original basis)
        v_t = b2 v_{t-1} + (1 - b2) G'_t^2          (second moment, in the eigenbasis)
        W_{t+1} = W_t - eta_t Q_L [(Q_L^T m_t Q_R) / (sqrt(v_t) + eps)] Q_R^T
        W_{t+1} <- W_{t+1} (1 - eta lambda)         (decoupled weight decay)
        L <- s L + (1 - s) G_t G_t^T,   R <- s R + (1 - s) G_t^T G_t   (s = shampoo_beta)

    with eta_t = eta sqrt(1 - b2^k) / (1 - b1^k), k = t - 1. The bases come from an
    eigendecomposition on the first update (which only builds them: the parameters do not
    move) and are refreshed every ``precondition_frequency`` updates by one step of power
    iteration and a QR decomposition (v is permuted to follow the reordered eigenvalues).
    Every axis of an array gets a basis (the same construction for more than two axes),
    except axes longer than ``max_precondition_dim`` and, unless ``precondition_1d``, the
    axis of a vector: with no basis at all the update is Adam's (the first update still
    only builds the state).

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 3e-3.
        betas: (b1, b2). Default (0.95, 0.95).
        shampoo_beta: s in [0, 1), the decay of L and R (None: b2, fixed at construction).
        eps: > 0. Default 1e-8.
        weight_decay: lambda >= 0 (decoupled). Default 0.01.
        precondition_frequency: updates between basis refreshes (an integer >= 1). Default 10.
        max_precondition_dim: longest axis given a basis (an integer >= 1). Default 10000.
        precondition_1d: give vectors a basis too. Default False.
        correct_bias: Adam's bias correction of the step. Default True.

    Source: SOAP in pytorch-optimizer 4.1.0 (which follows the authors' implementation);
    its ``merge_dims``, ``normalize_gradient`` and ``data_format`` options are not offered.
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 3e-3)
    betas = Hyper(checks.betas, (0.95, 0.95))
    shampoo_beta = Hyper(
        lambda name, value: checks.optional(checks.unit_interval, name, value), None
    )
    eps = Hyper(checks.positive, 1e-8)
    weight_decay = Hyper(checks.nonnegative, 1e-2)
    precondition_frequency = Option(lambda name, value: checks.integer(name, value, low=1), 10)
    max_precondition_dim = Option(lambda name, value: checks.integer(name, value, low=1), 10000)
    precondition_1d = Option(checks.flag, False)
    correct_bias = Option(checks.flag, True)

    def _setup(self) -> None:
        if self.shampoo_beta is None:
            self.shampoo_beta = self.betas[1]
        for index, p in enumerate(self._arrays):
            self._allocate_slot("exp_avg", index, p.shape)
            self._allocate_slot("exp_avg_sq", index, p.shape)
            for axis in self._preconditioned_axes(p):
                n = p.shape[axis]
                self._allocate_slot(f"GG{axis}", index, (n, n))
                self._allocate_slot(f"Q{axis}", index, (n, n))

    def _preconditioned_axes(self, p: np.ndarray) -> list[int]:
        if p.ndim == 1 and not self.precondition_1d:
            return []
        return [axis for axis, n in enumerate(p.shape) if n <= self.max_precondition_dim]

    def _bases(self, index: int, p: np.ndarray) -> list[np.ndarray | None]:
        axes = self._preconditioned_axes(p)
        return [self._slot(f"Q{k}", index) if k in axes else None for k in range(p.ndim)]

    def _update_array(self, index: int, p: np.ndarray, g: np.ndarray, lr: float, t: int) -> None:
        if t > 1:
            self._adam_in_eigenbasis(index, p, g, lr, t - 1)
        self._update_preconditioner(index, p, g, t - 1)

    def _adam_in_eigenbasis(
        self, index: int, p: np.ndarray, g: np.ndarray, lr: float, k: int
    ) -> None:
        beta1, beta2 = self.betas
        step_size = lr
        if self.correct_bias:
            step_size *= math.sqrt(1.0 - beta2**k) / (1.0 - beta1**k)
        bases = self._bases(index, p)
        m, v = self._slot("exp_avg", index), self._slot("exp_avg_sq", index)
        rotated = rotate(g, bases)
        m += (1.0 - beta1) * (g - m)
        v += (1.0 - beta2) * (rotated * rotated - v)
        direction = rotate(rotate(m, bases) / (np.sqrt(v) + self.eps), bases, back=True)
        p -= step_size * direction
        if self.weight_decay:
            p *= 1.0 - self.weight_decay * lr

    def _update_preconditioner(self, index: int, p: np.ndarray, g: np.ndarray, k: int) -> None:
        """L and R (GG) take in this gradient; the bases are built on the first update and
        refreshed every ``precondition_frequency`` updates after it."""
        s = self.shampoo_beta
        v = self._slot("exp_avg_sq", index)
        for axis in self._preconditioned_axes(p):
            GG, Q = self._slot(f"GG{axis}", index), self._slot(f"Q{axis}", index)
            GG += (1.0 - s) * (covariance_along(g, axis) - GG)
            if k == 0:
                Q[...] = eigenbasis(GG)
            elif k % self.precondition_frequency == 0:
                product = GG @ Q
                order = np.argsort(-np.einsum("ij,ij->j", Q, product), kind="stable")
                v[...] = np.take(v, order, axis=axis)
                Q[...] = np.linalg.qr(product[:, order])[0]
