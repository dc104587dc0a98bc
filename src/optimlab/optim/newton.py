"""Newton-Raphson: scale the gradient by the inverse Hessian (Yadav 2025, section 3.1)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.linalg

from optimlab import checks
from optimlab.optim.base import ClosureSearch, Optimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.tree import rebuild

METHODS = ("solve", "pinv")


class Newton(ClosureSearch, Optimizer):
    r"""Newton-Raphson in its three textbook forms, and an optional backtracking line search.

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

    SUPPORTED_CONVENTIONS = ("pytorch",)
    needs_closure = True
    needs_hessian = True
    lr = Hyper(checks.learning_rate, 1.0)
    damping = Hyper(checks.nonnegative, 0.0)
    method = Option(lambda name, value: checks.choice(name, value, METHODS), "solve")
    line_search = Option(checks.flag, False)
    rcond = Option(checks.positive, 1e-10, keyword_only=True, saved=False)

    def _setup(self) -> None:
        self.last_step_length: float | None = None

    def _closure_needed(self) -> str:
        return (
            "Newton needs the Hessian: call step(closure=f) with "
            "f(params) -> (loss, grads, hessian)"
        )

    def _direction(self, g: np.ndarray, hessian: Any) -> np.ndarray:
        n = g.size
        H = np.asarray(hessian, dtype=np.float64)
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
            stacklevel=4,
        )
        return 0.0

    def _update(
        self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None, lr: float, extra: tuple
    ) -> bool:
        g = np.concatenate([np.asarray(a, dtype=np.float64).reshape(-1) for a in g_arrays])
        flat = np.concatenate([a.reshape(-1).astype(np.float64) for a in self._arrays])
        d = self._direction(g, extra[0])
        length = self._step_length(flat, g, d, lr)
        self.last_step_length = length
        new = flat - length * d
        for a, start, stop in zip(self._arrays, self._offsets[:-1], self._offsets[1:]):
            a.reshape(-1)[...] = new[start:stop]
        return True
