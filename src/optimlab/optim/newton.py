"""Newton-Raphson: scale the gradient by the inverse Hessian (seed 000)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg

from optimlab.optim import _validate as check
from optimlab.optim._tree import Tree, check_same_structure, rebuild
from optimlab.optim.base import Hyper, Optimizer


class Newton(Optimizer):
    r"""Newton-Raphson with the seed's three forms, and an optional backtracking line search.

        exact:   w_{t+1} = w_t - H(w_t)^{-1} grad L(w_t)              (method="solve"; an
                 ill-conditioned H, reciprocal condition number below machine epsilon, is
                 refused as singular rather than solved into noise)
        pinv:    w_{t+1} = w_t - H(w_t)^+ grad L(w_t)                 (method="pinv")
        damped:  w_{t+1} = w_t - (H(w_t) + lambda I)^{-1} grad L(w_t) (damping=lambda > 0)

    Damping combines with either method. The pseudo-inverse ignores directions whose
    singular value is below ``rcond`` times the largest (scipy.linalg.pinv's ``rtol``), so
    a singular Hessian (a duplicated feature, a redundant softmax class) still gives a step.
    ``line_search=True`` backtracks: the step length s starts at ``lr`` and halves until
    L(w - s d) <= L(w) - c s g.d (Armijo, c = 1e-4), for up to 30 halvings (then no step is
    taken, with a warning); this makes the method safe far from the optimum. Each step
    costs O(P^2) memory and O(P^3) time for P parameters, which is why deep learning uses
    first-order methods instead.

    `step` needs ``closure=f`` with ``f(params) -> (loss, grads, hessian)``; the Hessian is a
    (P, P) array over the parameters flattened in order (as `packed` lays them out).

    Args:
        params: the arrays to optimize (updated in place).
        lr: step length multiplier (1.0: the full Newton step).
        damping: lambda >= 0 added to the Hessian's diagonal.
        method: ``"solve"`` (a linear solve; fails on a singular matrix) or ``"pinv"``.
        line_search: backtrack on the closure's loss.
        rcond: relative cutoff of the pseudo-inverse.
    """

    HYPERPARAMETERS = ("lr", "damping")
    SUPPORTED_CONVENTIONS = ("pytorch",)
    OPTIONS = ("method", "line_search")
    needs_closure = True
    needs_hessian = True
    lr = Hyper(check.learning_rate)
    damping = Hyper(check.nonnegative)

    def __init__(
        self,
        params: Tree,
        lr: Any = 1.0,
        damping: float = 0.0,
        method: str = "solve",
        line_search: bool = False,
        *,
        rcond: float = 1e-10,
        **options: Any,
    ) -> None:
        options.setdefault("fused", False)
        super().__init__(params, **options)
        self.lr = lr
        self.damping = damping
        self.method = check.choice("method", method, ("solve", "pinv"))
        self.line_search = check.flag("line_search", line_search)
        self.rcond = check.positive("rcond", rcond)
        self.last_step_length = None

    def step(self, grads: Tree | None = None, closure: Callable | None = None) -> Any:
        """Take one Newton step; returns the loss at the starting point."""
        if closure is None or grads is not None:
            raise TypeError(
                "Newton needs the Hessian: call step(closure=f) with "
                "f(params) -> (loss, grads, hessian)"
            )
        result = closure(self.params)
        if not isinstance(result, tuple) or len(result) != 3:
            raise TypeError("Newton's closure must return (loss, grads, hessian)")
        loss, grads, hessian = result
        self._closure = closure
        self._loss = float(loss)
        self._hessian = np.asarray(hessian, dtype=np.float64)
        self._apply(grads)
        return loss

    def _direction(self, g: np.ndarray) -> np.ndarray:
        n = g.size
        H = self._hessian
        if H.shape != (n, n):
            raise ValueError(f"the closure's hessian has shape {H.shape}; expected ({n}, {n})")
        if not np.isfinite(H).all():
            raise FloatingPointError(f"step {self.step_count + 1}: the Hessian is not finite")
        H = 0.5 * (H + H.T)  # a Hessian is symmetric; average away rounding asymmetry
        if self.damping:
            H = H + self.damping * np.eye(n)
        if self.method == "pinv":
            return scipy.linalg.pinv(H, rtol=self.rcond) @ g
        try:
            with warnings.catch_warnings():
                # an ill-conditioned solve returns noise: treat it as singular
                warnings.simplefilter("error", scipy.linalg.LinAlgWarning)
                return scipy.linalg.solve(H, g, assume_a="sym")
        except (
            np.linalg.LinAlgError,
            scipy.linalg.LinAlgError,
            scipy.linalg.LinAlgWarning,
        ) as error:
            raise np.linalg.LinAlgError(
                f"step {self.step_count + 1}: the Hessian is singular ({error}); use "
                "method='pinv' or damping > 0"
            ) from error

    def _step_length(self, flat: np.ndarray, g: np.ndarray, d: np.ndarray, lr: float) -> float:
        if not self.line_search:
            return lr
        slope = float(g @ d)
        trial = [np.empty_like(a) for a in self._arrays]
        length = lr
        for _ in range(30):
            candidate = flat - length * d
            for a, start, stop in zip(trial, self._offsets[:-1], self._offsets[1:]):
                a.reshape(-1)[...] = candidate[start:stop]
            loss = float(self._closure(rebuild(self.params, trial))[0])
            if np.isfinite(loss) and loss <= self._loss - 1e-4 * length * slope:
                return length
            length *= 0.5
        warnings.warn(
            f"step {self.step_count + 1}: the line search found no decrease in 30 halvings; "
            "the parameters were not changed",
            RuntimeWarning,
            stacklevel=3,
        )
        return 0.0

    def _apply(self, grads: Tree) -> bool:
        g_arrays = check_same_structure(self.params, grads, self._names, self._shapes)
        g = np.concatenate([np.asarray(a, dtype=np.float64).reshape(-1) for a in g_arrays])
        if self.nonfinite != "ignore" and self._refuse_nonfinite(g_arrays, None):
            return False
        lr = self.learning_rate()
        flat = np.concatenate([a.reshape(-1).astype(np.float64) for a in self._arrays])
        d = self._direction(g)
        length = self._step_length(flat, g, d, lr)
        self.last_step_length = length
        new = flat - length * d
        for a, start, stop in zip(self._arrays, self._offsets[:-1], self._offsets[1:]):
            a.reshape(-1)[...] = new[start:stop]
        self.step_count += 1
        return True

    def _update(self, t: int, lr: float) -> tuple:
        raise TypeError("Newton has no elementwise rule; it solves with the Hessian")
