"""L-BFGS: quasi-Newton steps from a short history of gradient changes (Nocedal 1980; Liu and
Nocedal 1989), with PyTorch's optional strong-Wolfe line search."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.optim.base import ClosureSearch
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.matrix import MatrixOptimizer
from optimlab.optim.tree import check_same_structure

LINE_SEARCHES = (None, "strong_wolfe")
#: The Wolfe conditions' constants: sufficient decrease c1 and curvature c2 (PyTorch's).
WOLFE_C1, WOLFE_C2 = 1e-4, 0.9
#: The line search stops shrinking its bracket below this width (PyTorch's, not the
#: optimizer's tolerance_change).
BRACKET_TOLERANCE = 1e-9
#: Curvature pairs with s.y below this are not kept (they would break positive definiteness).
MIN_CURVATURE = 1e-10


class _NonFiniteError(Exception):
    """A closure evaluation inside the step returned an inf or a NaN."""


def cubic_minimum(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2,
    clipped to ``bounds`` (default: between x1 and x2); their midpoint when the cubic has
    no minimum."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    discriminant = d1 * d1 - g1 * g2
    if discriminant < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(discriminant)
    if x1 <= x2:
        point = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        point = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(point, low), high)


def _int_at_least_1(name: str, value: Any) -> int:
    return checks.integer(name, value, low=1)


class LBFGS(ClosureSearch, MatrixOptimizer):
    r"""L-BFGS (Nocedal 1980; Liu and Nocedal 1989), PyTorch's algorithm (``torch.optim.LBFGS``).

    Newton's step -H^{-1} g without the Hessian: the last m pairs s_i = w_{i+1} - w_i,
    y_i = g_{i+1} - g_i define an approximation of H^{-1}, applied to g by the two-loop
    recursion (O(m n) per iteration, for n parameters):

        q = -g;  for i newest to oldest:  a_i = rho_i s_i.q,  q -= a_i y_i
        r = gamma q   (gamma = s.y / y.y of the newest pair, 1 at first)
        for i oldest to newest:  b = rho_i y_i.r,  r += (a_i - b) s_i      (rho_i = 1 / y_i.s_i)
        w <- w + t r

    One `step` runs up to ``max_iter`` such iterations (PyTorch's design: a step is an
    optimisation), each evaluating the closure once, or several times with the line search.
    The step length t is ``lr`` (the first iteration ever: min(1, 1/||g||_1) lr), or, with
    ``line_search_fn="strong_wolfe"``, the length satisfying the strong Wolfe conditions
    (sufficient decrease c1 = 1e-4, curvature c2 = 0.9) found by bracketing and cubic
    interpolation. Iterations stop early when max|g| <= tolerance_grad, when the direction
    is not a descent direction by more than tolerance_change, when the step or the loss
    change falls below tolerance_change, or after ``max_eval`` closure evaluations.

    `step` needs ``closure=f`` with ``f(params) -> (loss, grads)`` and returns the loss at
    the starting point. Every evaluation after the first is checked for inf and NaN too: one
    undoes the whole step (parameters and state) before ``nonfinite`` applies.

    Args:
        params: the arrays to optimize (updated in place).
        lr: the step length (without line search) or the line search's first guess. Default 1.
        max_iter: iterations per step (an integer >= 1). Default 20.
        max_eval: closure evaluations per step (default: max_iter * 5 // 4).
        tolerance_grad: >= 0. Default 1e-7.
        tolerance_change: >= 0. Default 1e-9.
        history_size: m, the pairs kept (an integer >= 1). Default 100.
        line_search_fn: None or "strong_wolfe".

    Memory: two (m, n) arrays of history, allocated at construction (PyTorch grows to the
    same size after m iterations).

    Source: torch.optim.LBFGS (PyTorch 2.13).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    needs_closure = True
    lr = Hyper(checks.learning_rate, 1.0)
    max_iter = Option(_int_at_least_1, 20)
    max_eval = Option(
        lambda name, value: checks.optional(_int_at_least_1, name, value), None, saved=False
    )
    tolerance_grad = Hyper(checks.nonnegative, 1e-7)
    tolerance_change = Hyper(checks.nonnegative, 1e-9)
    history_size = Option(_int_at_least_1, 100)
    line_search_fn = Option(
        lambda name, value: checks.choice(name, value, LINE_SEARCHES), None, saved=False
    )

    def _setup(self) -> None:
        n, m = int(self._offsets[-1]), self.history_size
        self._evaluation_budget = self.max_eval or self.max_iter * 5 // 4
        self._allocate_global("direction", (n,))
        self._allocate_global("previous_gradient", (n,))
        self._allocate_global("steps", (m, n))
        self._allocate_global("gradient_changes", (m, n))
        self._allocate_global("inverse_curvatures", (m,))
        self.iterations = 0
        self.function_evaluations = 0
        self.step_length = 0.0
        self.hessian_scale = 1.0
        self.history_length = 0
        self.history_start = 0

    def _closure_needed(self) -> str:
        return (
            "LBFGS evaluates the loss several times per step: call step(closure=f) with "
            "f(params) -> (loss, grads)"
        )

    # -- the parameters as one vector --------------------------------------------------

    def _flat(self) -> np.ndarray:
        return np.concatenate([a.reshape(-1) for a in self._arrays])

    def _set(self, flat: np.ndarray) -> None:
        for a, start, stop in zip(self._arrays, self._offsets[:-1], self._offsets[1:]):
            a.reshape(-1)[...] = flat[start:stop]

    def _move(self, t: float, d: np.ndarray) -> None:
        for a, start, stop in zip(self._arrays, self._offsets[:-1], self._offsets[1:]):
            a.reshape(-1)[...] += t * d[start:stop]

    def _evaluate(self) -> tuple[float, np.ndarray]:
        """The closure's loss and gradient (flat) at the current parameters."""
        result = self._closure(self.params)
        if not isinstance(result, tuple) or len(result) < 2:
            raise TypeError("closure(params) must return (loss, grads)")
        arrays = check_same_structure(self.params, result[1], self._names, self._shapes)
        g = np.concatenate([np.asarray(a, dtype=self._dtype).reshape(-1) for a in arrays])
        loss = float(result[0])
        if self.nonfinite != "ignore" and not (math.isfinite(loss) and np.isfinite(g).all()):
            raise _NonFiniteError
        return loss, g

    def _evaluate_along(self, x: np.ndarray, t: float, d: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and gradient at x + t d; the parameters are left at x."""
        self._move(t, d)
        try:
            return self._evaluate()
        finally:
            self._set(x)

    # -- one step ----------------------------------------------------------------------

    def _update(
        self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None, lr: float, extra: tuple
    ) -> bool:
        g = np.concatenate([np.asarray(a, dtype=self._dtype).reshape(-1) for a in g_arrays])
        if np.max(np.abs(g)) <= self.tolerance_grad:
            self.function_evaluations += 1
            return False  # already optimal: nothing moves
        saved = (self._flat(), {k: v.copy() for k, v in self._state.items()}, self._scalars())
        self.function_evaluations += 1
        try:
            self._iterate(self._loss, g, lr)
        except _NonFiniteError:
            self._set(saved[0])
            for key, value in saved[1].items():
                np.copyto(self._state[key], value)
            self._restore_scalars(saved[2])
            return self._refuse_inner_nonfinite()
        return True

    def _refuse_inner_nonfinite(self) -> bool:
        self._refuse_step(
            f"step {self.step_count + 1}: the closure returned a non-finite loss or gradient "
            "at a point L-BFGS tried; the parameters and the state were restored. Lower lr, "
            "use line_search_fn='strong_wolfe', or pass nonfinite='skip' to skip such steps",
            stacklevel=6,
        )
        return False

    def _iterate(self, loss: float, g: np.ndarray, lr: float) -> None:
        d = self._state["direction"]
        previous_gradient = self._state["previous_gradient"]
        t = self.step_length
        evaluations, n_iter = 1, 0
        while n_iter < self.max_iter:
            n_iter += 1
            self.iterations += 1
            if self.iterations == 1:
                d[...] = -g
                self.history_length, self.history_start, self.hessian_scale = 0, 0, 1.0
            else:
                self._remember(g - previous_gradient, d * t)
                d[...] = self._two_loop(g)
            previous_gradient[...] = g
            previous_loss = loss
            t = min(1.0, 1.0 / float(np.sum(np.abs(g)))) * lr if self.iterations == 1 else lr
            slope = float(g @ d)
            if slope > -self.tolerance_change:
                break
            if self.line_search_fn is None:
                self._move(t, d)
                spent = 0
                if n_iter != self.max_iter:
                    loss, g = self._evaluate()
                    spent = 1
            else:
                x = self._flat()
                budget = self._evaluation_budget - evaluations
                loss, g, t, spent = self._strong_wolfe(x, t, d, loss, g, slope, budget)
                self._move(t, d)
            evaluations += spent
            self.function_evaluations += spent
            if n_iter == self.max_iter or evaluations >= self._evaluation_budget:
                break
            if np.max(np.abs(g)) <= self.tolerance_grad:
                break
            if np.max(np.abs(d * t)) <= self.tolerance_change:
                break
            if abs(loss - previous_loss) < self.tolerance_change:
                break
        self.step_length = t

    def _remember(self, y: np.ndarray, s: np.ndarray) -> None:
        """Keep the pair (s, y) if its curvature s.y is positive enough (dropping the oldest
        when the history is full), and rescale the initial inverse Hessian to s.y / y.y."""
        ys = float(y @ s)
        if ys <= MIN_CURVATURE:
            return
        m = self.history_size
        if self.history_length == m:
            slot = self.history_start
            self.history_start = (self.history_start + 1) % m
        else:
            slot = (self.history_start + self.history_length) % m
            self.history_length += 1
        self._state["gradient_changes"][slot] = y
        self._state["steps"][slot] = s
        self._state["inverse_curvatures"][slot] = 1.0 / ys
        self.hessian_scale = ys / float(y @ y)

    def _two_loop(self, g: np.ndarray) -> np.ndarray:
        """-H g by the two-loop recursion over the history, oldest pair first."""
        m = self.history_size
        order = [(self.history_start + i) % m for i in range(self.history_length)]
        S, Y = self._state["steps"], self._state["gradient_changes"]
        rho = self._state["inverse_curvatures"]
        q = -g
        alphas = {}
        for i in reversed(order):
            alphas[i] = float(S[i] @ q) * rho[i]
            q = q - alphas[i] * Y[i]
        r = q * self.hessian_scale
        for i in order:
            beta = float(Y[i] @ r) * rho[i]
            r = r + (alphas[i] - beta) * S[i]
        return r

    def _strong_wolfe(
        self,
        x: np.ndarray,
        t: float,
        d: np.ndarray,
        f: float,
        g: np.ndarray,
        slope: float,
        budget: int,
    ) -> tuple[float, np.ndarray, float, int]:
        """A step length along d satisfying the strong Wolfe conditions, found by
        bracketing then zooming with cubic interpolation (at most ``budget`` evaluations).

        Returns the loss, gradient and length of the best point found, and the evaluations
        spent; the parameters are left at x.
        """
        d_norm = float(np.max(np.abs(d)))
        f_new, g_new = self._evaluate_along(x, t, d)
        spent, trials = 1, 0
        slope_new = float(g_new @ d)
        t_prev, f_prev, g_prev, slope_prev = 0.0, f, g, slope
        done = False
        bracket: list[float] = []
        values: list[float] = []
        gradients: list[np.ndarray] = []
        slopes: list[float] = []
        while trials < budget:  # bracketing: grow t until the conditions fail or hold
            if f_new > f + WOLFE_C1 * t * slope or (trials > 1 and f_new >= f_prev):
                bracket, values = [t_prev, t], [f_prev, f_new]
                gradients, slopes = [g_prev, g_new], [slope_prev, slope_new]
                break
            if abs(slope_new) <= -WOLFE_C2 * slope:
                bracket, values, gradients, done = [t], [f_new], [g_new], True
                break
            if slope_new >= 0:
                bracket, values = [t_prev, t], [f_prev, f_new]
                gradients, slopes = [g_prev, g_new], [slope_prev, slope_new]
                break
            bounds = (t + 0.01 * (t - t_prev), t * 10)
            t_prev, t = t, cubic_minimum(t_prev, f_prev, slope_prev, t, f_new, slope_new, bounds)
            f_prev, g_prev, slope_prev = f_new, g_new, slope_new
            f_new, g_new = self._evaluate_along(x, t, d)
            spent += 1
            slope_new = float(g_new @ d)
            trials += 1
        if trials == budget:
            bracket, values, gradients = [0.0, t], [f, f_new], [g, g_new]
        low, high = (0, 1) if values[0] <= values[-1] else (1, 0)
        insufficient = False
        while not done and trials < budget:  # zoom: shrink the bracket around a good point
            if abs(bracket[1] - bracket[0]) * d_norm < BRACKET_TOLERANCE:
                break
            t = cubic_minimum(bracket[0], values[0], slopes[0], bracket[1], values[1], slopes[1])
            top, bottom = max(bracket), min(bracket)
            margin = 0.1 * (top - bottom)
            if min(top - t, t - bottom) < margin:  # too close to an end of the bracket
                if insufficient or t >= top or t <= bottom:
                    t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
                    insufficient = False
                else:
                    insufficient = True
            else:
                insufficient = False
            f_new, g_new = self._evaluate_along(x, t, d)
            spent += 1
            slope_new = float(g_new @ d)
            trials += 1
            if f_new > f + WOLFE_C1 * t * slope or f_new >= values[low]:
                bracket[high], values[high] = t, f_new
                gradients[high], slopes[high] = g_new, slope_new
                low, high = (0, 1) if values[0] <= values[1] else (1, 0)
            else:
                if abs(slope_new) <= -WOLFE_C2 * slope:
                    done = True
                elif slope_new * (bracket[high] - bracket[low]) >= 0:
                    bracket[high], values[high] = bracket[low], values[low]
                    gradients[high], slopes[high] = gradients[low], slopes[low]
                bracket[low], values[low] = t, f_new
                gradients[low], slopes[low] = g_new, slope_new
        return values[low], gradients[low], bracket[low], spent

    # -- scalar state --------------------------------------------------------------------

    def _scalars(self) -> dict[str, float]:
        return {
            "iterations": self.iterations,
            "function_evaluations": self.function_evaluations,
            "step_length": self.step_length,
            "hessian_scale": self.hessian_scale,
            "history_length": self.history_length,
            "history_start": self.history_start,
        }

    def _restore_scalars(self, values: Mapping[str, float]) -> None:
        self.iterations = int(values["iterations"])
        self.function_evaluations = int(values["function_evaluations"])
        self.step_length = float(values["step_length"])
        self.hessian_scale = float(values["hessian_scale"])
        self.history_length = int(values["history_length"])
        self.history_start = int(values["history_start"])

    def _extra_state(self) -> dict[str, float]:
        return {name: float(value) for name, value in self._scalars().items()}

    def _load_extra_state(self, values: Mapping[str, float]) -> None:
        self._restore_scalars(values)


__all__ = ["LBFGS", "cubic_minimum"]
