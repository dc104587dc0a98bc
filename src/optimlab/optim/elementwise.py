"""The base of optimizers whose update is an elementwise rule (every first-order method here).

A subclass declares its arguments (`Hyper`, `Option`), allocates its state in `_setup`
(``self._allocate("exp_avg", "exp_avg_sq")``), and implements `rule_at`: which `Rule` runs
for update number t at rate lr, with which coefficients, bound by name. This class runs the
rule in one fused pass over a flat buffer when the parameters live in one (see `packed`), or
once per array otherwise, and offers the public seam other engines drive the same rule
through:

* `rule_at(t, lr)`: the rule and its coefficients for one update (pure: asking twice changes
  nothing);
* `flat_params` and `state_buffers`: the parameters and state as flat buffers, in the
  rule's order;
* `constant_coefficients`: whether every update after the first runs the same coefficients;
* `record_steps(n)`: count updates an engine applied itself.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np

from optimlab import checks
from optimlab.optim._flat import flat_view
from optimlab.optim._kernels import HAVE_NUMBA
from optimlab.optim.base import Optimizer
from optimlab.optim.rules import RuleStep
from optimlab.optim.tree import Tree


class ElementwiseOptimizer(Optimizer):
    """An optimizer whose update is a `Rule` applied to every value independently.

    Args:
        params, convention, nonfinite: as `Optimizer`.
        fused: run the compiled one-pass kernel (default: when Numba is installed) or,
            with False, the plain NumPy formula. Both give the same iterates.
    """

    COMMON_ARGUMENTS: ClassVar[dict[str, Any]] = {**Optimizer.COMMON_ARGUMENTS, "fused": None}

    def _set_common(self, common: dict[str, Any]) -> None:
        fused = HAVE_NUMBA if common["fused"] is None else common["fused"]
        if fused and not HAVE_NUMBA:
            raise ValueError("fused=True needs Numba: pip install numba, or pass fused=False")
        self.fused = checks.flag("fused", fused)

    def __init__(self, params: Tree, *args: Any, **kwargs: Any) -> None:
        self._grad_buffer: np.ndarray | None = None
        self._flags = np.zeros(2, dtype=np.int64)  # the fused loop's (see compile_loop)
        self._reused: tuple = (None, None, None)  # (key, rule step, coefficient array)
        super().__init__(params, *args, **kwargs)
        self._flat = flat_view(self._arrays)

    def _allocate(self, *names: str, initial: float = 0.0) -> None:
        """Create state arrays, one flat buffer each (``initial`` for the first name)."""
        total = int(self._offsets[-1])
        for i, name in enumerate(names):
            self._state[name] = np.full(total, initial if i == 0 else 0.0, dtype=self._dtype)

    # -- the public seam -----------------------------------------------------------------

    @abstractmethod
    def rule_at(self, t: int, lr: float) -> RuleStep:
        """The rule and its coefficients for update number ``t`` (1-based) at rate ``lr``.

        Pure: it reads the hyperparameters and any scalar state and changes nothing, so an
        engine may ask for several steps ahead (a compiled epoch asks for t and t + 1).
        """

    @property
    def constant_coefficients(self) -> bool:
        """True when, at a constant learning rate, every update after the first runs the same
        rule with the same coefficients (no bias correction, no decay with t), so a compiled
        loop may apply many updates without returning to Python."""
        return False

    @property
    def flat_params(self) -> np.ndarray | None:
        """The parameters as one flat buffer (writing it writes them), or None when they do
        not lie back to back in memory (build them with `packed` to get one)."""
        return self._flat

    @property
    def state_buffers(self) -> dict[str, np.ndarray]:
        """The state arrays as flat buffers, by name, in the order the rule takes them
        (the arrays themselves: an engine that runs the rule updates them in place)."""
        return dict(self._state)

    # -- the step ------------------------------------------------------------------------

    def _update(
        self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None, lr: float, extra: tuple
    ) -> bool:
        step, coefficients = self._coefficients(self.step_count + 1, lr)
        states = list(self._state.values())
        flags = self._flags  # (check g first, set once the update is made)
        flags[0], flags[1] = self.nonfinite != "ignore", 0
        if g_flat is not None:
            if not self.fused:
                step.rule.numpy(self._flat, g_flat, states, coefficients)
            elif not step.rule.fused(self._flat, g_flat, states, coefficients, self._flags):
                # the fused loop found an inf or a NaN in g before writing anything
                self._refuse_nonfinite(g_arrays, stacklevel=6)
                return False
            return True
        for i, (p, g) in enumerate(zip(self._arrays, g_arrays)):  # not in one buffer
            lo, hi = self._offsets[i], self._offsets[i + 1]
            g = np.ascontiguousarray(self._in_dtype(g)).reshape(-1)
            run = step.rule.fused if self.fused else step.rule.numpy
            run(p.reshape(-1), g, [s[lo:hi] for s in states], coefficients)
        return True

    def _update_made(self) -> bool:
        return bool(self._flags[1])

    def _nonfinite_found(self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None) -> bool:
        if g_flat is not None and self.fused:
            return False  # the fused loop checks g itself before it writes (`_update`)
        return super()._nonfinite_found(g_arrays, g_flat)

    def _coefficients(self, t: int, lr: float) -> tuple[RuleStep, Any]:
        """`rule_at(t, lr)` and its coefficients for the engine (an array in the parameters'
        dtype for the fused path), reused while nothing they depend on changes: under
        `constant_coefficients`, the hyperparameters (``hyper_version``), the rate and
        whether this is the first update."""
        key, step, coefficients = self._reused
        if key is not None and key == (self.hyper_version, lr, t == 1):
            return step, coefficients
        step = self.rule_at(t, lr)
        coefficients = step.array(self._dtype) if self.fused else step.coefficients
        key = (self.hyper_version, lr, t == 1) if self.constant_coefficients else None
        self._reused = (key, step, coefficients)
        return step, coefficients

    def _flat_gradient(self, g_arrays: list[np.ndarray]) -> np.ndarray | None:
        """The gradient as one flat buffer in the parameters' dtype (gathered if need be),
        when the parameters are one buffer."""
        if self._flat is None:
            return None
        if len(g_arrays) == 1:
            g = g_arrays[0]
            if g.dtype == self._dtype and g.flags.c_contiguous:
                return g if g.ndim == 1 else g.reshape(-1)
        flat = flat_view(g_arrays)
        if flat is not None and flat.dtype == self._dtype:
            return flat
        if self._grad_buffer is None:
            self._grad_buffer = np.empty(int(self._offsets[-1]), dtype=self._dtype)
        with np.errstate(over="ignore"):  # too large for the dtype: inf, which the check finds
            np.concatenate(
                [g.reshape(-1) for g in g_arrays], out=self._grad_buffer, casting="same_kind"
            )
        return self._grad_buffer

    def _prelude(self, lr: float, decoupled: bool = False) -> tuple[float, float, float]:
        """The coefficients ``(sign, weight_decay, keep)`` of
        `optimlab.optim.prelude.prelude`: maximize's sign, and weight decay as L2 (PyTorch) or
        decoupled, ``keep = 1 - lr * weight_decay`` (AdamW, Lion, every Keras optimizer).
        A tuple, passed on by name (``sign=sign, ...``): merging a dict into the binding
        cost more than the rest of a bias-corrected rule's coefficients."""
        sign = -1.0 if getattr(self, "maximize", False) else 1.0
        weight_decay = getattr(self, "weight_decay", 0.0)
        if decoupled or self.convention == "keras":
            return sign, 0.0, 1.0 - lr * weight_decay
        return sign, weight_decay, 1.0
