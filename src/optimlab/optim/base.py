"""The optimizer base class: parameters, state, validation, the step, saving and resuming.

An optimizer subclass says three things: its hyperparameters (validated `Hyper` fields),
its state arrays (allocated once, as flat buffers), and, for update number t, which
elementwise `Rule` to run with which coefficients. This class does the rest: it accepts an
array, a list or a dict of arrays; checks gradients against them; refuses non-finite
gradients before touching anything; evaluates a learning-rate schedule; runs the rule in
one fused pass over a flat buffer when the parameters live in one (see `packed`), or once
per array otherwise; and saves and restores everything needed for a bit-identical resume.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from optimlab.optim import _validate as check
from optimlab.optim._flat import flat_view
from optimlab.optim._kernels import HAVE_NUMBA, Rule, has_nonfinite
from optimlab.optim._tree import Tree, check_same_structure, leaves, rebuild

CONVENTIONS = ("pytorch", "keras")
NONFINITE_POLICIES = ("raise", "skip", "ignore")


class Hyper:
    """A hyperparameter attribute, validated whenever it is set (also between steps)."""

    def __init__(self, validator: Callable[[str, Any], Any]) -> None:
        self.validator = validator

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        return self if obj is None else obj.__dict__[self.name]

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = self.validator(self.name, value)


class Optimizer(ABC):
    """Base class of every optimizer in `optimlab.optim`.

    Args:
        params: a float ndarray, a list of them or a dict of them; updated in place.
            All must share one dtype (float32 or float64) and be C-contiguous.
        convention: ``"pytorch"`` (default) or ``"keras"``: the defaults and formulas of
            that framework, where they differ (see docs/conventions.md).
        nonfinite: what a step does with a gradient holding inf or NaN: ``"raise"``
            (default) a FloatingPointError naming the parameter and the step, ``"skip"``
            the step (counted in `skipped_steps`), or ``"ignore"`` (no check, fastest).
        fused: run the compiled one-pass kernel (default: when Numba is installed) or,
            with False, the plain NumPy formula. Both give the same iterates.

    Attributes:
        step_count: updates applied so far (t of the formulas after the update).
        skipped_steps: steps refused under ``nonfinite="skip"``.
    """

    #: Hyperparameter defaults by convention; ``None`` arguments are filled from here.
    DEFAULTS: ClassVar[dict[str, dict[str, Any]]] = {}
    #: Names of the hyperparameters saved by `state_dict`.
    HYPERPARAMETERS: ClassVar[tuple[str, ...]] = ()
    #: The conventions this optimizer implements.
    SUPPORTED_CONVENTIONS: ClassVar[tuple[str, ...]] = CONVENTIONS
    #: Structural options: saved by `state_dict` and required to match on load.
    OPTIONS: ClassVar[tuple[str, ...]] = ()
    #: True when `step` needs ``closure=f`` (the gradient at another point, or a Hessian).
    needs_closure: ClassVar[bool] = False
    #: True when the closure must also return the Hessian.
    needs_hessian: ClassVar[bool] = False

    def __init__(
        self,
        params: Tree,
        *,
        convention: str = "pytorch",
        nonfinite: str = "raise",
        fused: bool | None = None,
    ) -> None:
        self.convention = check.choice("convention", convention, CONVENTIONS)
        if convention not in self.SUPPORTED_CONVENTIONS:
            raise ValueError(
                f"{type(self).__name__} has no {convention} convention; it supports "
                f"{', '.join(self.SUPPORTED_CONVENTIONS)}"
            )
        self.nonfinite = check.choice("nonfinite", nonfinite, NONFINITE_POLICIES)
        if fused is None:
            fused = HAVE_NUMBA
        if fused and not HAVE_NUMBA:
            raise ValueError("fused=True needs Numba: pip install numba, or pass fused=False")
        self.fused = check.flag("fused", fused)
        self.params = params
        self._names, self._arrays = leaves(params)
        self._check_params()
        self._shapes = [a.shape for a in self._arrays]
        self._dtype = self._arrays[0].dtype
        self._sizes = [a.size for a in self._arrays]
        self._offsets = np.concatenate([[0], np.cumsum(self._sizes)]).astype(int)
        self._flat = flat_view(self._arrays)
        self._state: dict[str, np.ndarray] = {}
        self._grad_buffer: np.ndarray | None = None
        self.step_count = 0
        self.skipped_steps = 0

    # -- construction helpers for subclasses ---------------------------------------------

    def _check_params(self) -> None:
        if not self._arrays:
            raise ValueError("params is empty; pass at least one array to optimize")
        for name, a in zip(self._names, self._arrays):
            where = f"params[{name!r}]" if name else "params"
            if not isinstance(a, np.ndarray):
                raise TypeError(f"{where} must be a NumPy array, got {type(a).__name__}")
            if a.dtype not in (np.float32, np.float64):
                raise TypeError(
                    f"{where} has dtype {a.dtype}; optimizers update float32 or float64 arrays "
                    "(convert with a.astype(np.float64))"
                )
            if not a.flags.c_contiguous or not a.flags.writeable:
                raise ValueError(
                    f"{where} must be a writeable C-contiguous array, updated in place "
                    "(pass np.ascontiguousarray(a) and keep a reference to it)"
                )
        dtypes = {a.dtype for a in self._arrays}
        if len(dtypes) > 1:
            raise TypeError(
                f"params mix dtypes {sorted(map(str, dtypes))}; use one optimizer per dtype"
            )

    def _resolve_defaults(self, **given: Any) -> dict[str, Any]:
        """Fill arguments left as None from `DEFAULTS` of the chosen convention."""
        table = self.DEFAULTS.get(self.convention, {})
        return {k: (table[k] if v is None else v) for k, v in given.items()}

    def _refuse_under_keras(self, **options: Any) -> None:
        """Refuse PyTorch-only options (given a truthy value) under the Keras convention."""
        used = [name for name, value in options.items() if value]
        if self.convention == "keras" and used:
            raise ValueError(
                f"Keras's {type(self).__name__} has no {', '.join(used)}; "
                "use convention='pytorch' for it"
            )

    def _allocate(self, *names: str, initial: float = 0.0) -> None:
        """Create state arrays, one flat buffer each (``initial`` for the first name)."""
        total = int(self._offsets[-1])
        for i, name in enumerate(names):
            self._state[name] = np.full(total, initial if i == 0 else 0.0, dtype=self._dtype)

    # -- what subclasses provide ---------------------------------------------------------

    @abstractmethod
    def _update(self, t: int, lr: float) -> tuple[Rule, tuple]:
        """Return the rule for update number ``t`` (1-based) and its coefficients."""

    def _prelude_coefficients(self, lr: float, decoupled: bool = False) -> tuple:
        """``(sign, l2, keep)`` for `prelude`: maximize, and weight decay as L2 (PyTorch) or
        decoupled, ``keep = 1 - lr * weight_decay`` (AdamW, Lion, every Keras optimizer)."""
        sign = -1.0 if getattr(self, "maximize", False) else 1.0
        weight_decay = getattr(self, "weight_decay", 0.0)
        if decoupled or self.convention == "keras":
            return sign, 0.0, 1.0 - lr * weight_decay
        return sign, weight_decay, 1.0

    @property
    def constant_coefficients(self) -> bool:
        """True when, at a constant learning rate, every update after the first runs the same
        rule with the same coefficients (no bias correction, no decay with t), so a compiled
        loop may apply many updates without returning to Python."""
        return False

    def _extra_state(self) -> dict[str, float]:
        """Scalar state beyond the arrays (e.g. NAdam's running momentum product)."""
        return {}

    def _load_extra_state(self, values: Mapping[str, float]) -> None:
        """Restore what `_extra_state` returned."""

    # -- the step ------------------------------------------------------------------------

    @property
    def state(self) -> dict[str, Tree]:
        """The state arrays by name, each shaped like ``params`` (views: read, don't resize)."""
        return {name: self._views(buffer) for name, buffer in self._state.items()}

    def _views(self, buffer: np.ndarray) -> Tree:
        arrays = [
            buffer[start:stop].reshape(shape)
            for start, stop, shape in zip(self._offsets[:-1], self._offsets[1:], self._shapes)
        ]
        return rebuild(self.params, arrays)

    def learning_rate(self, step: int | None = None) -> float:
        """The learning rate used for the update with 0-based index ``step`` (default: next)."""
        step = self.step_count if step is None else step
        lr = self.lr(step) if callable(self.lr) else self.lr
        if not isinstance(lr, (int, float, np.floating)) or not np.isfinite(lr) or lr < 0:
            raise ValueError(
                f"the learning-rate schedule returned {lr!r} for step {step}; "
                "a schedule must return a finite number >= 0"
            )
        return float(lr)

    def step(self, grads: Tree | None = None, closure: Callable | None = None) -> Any:
        """Apply one update.

        Args:
            grads: gradients with the same structure, keys and shapes as ``params``.
            closure: instead of ``grads``, a function ``f(params) -> (loss, grads)``
                evaluated at the current parameters.

        Returns:
            The closure's loss, or None when ``grads`` were given.
        """
        loss, grads = self._gradients(grads, closure)
        self._apply(grads)
        return loss

    def _gradients(self, grads: Tree | None, closure: Callable | None) -> tuple[Any, Tree]:
        if (grads is None) == (closure is None):
            raise TypeError("step() takes either grads or closure=f, exactly one of them")
        if closure is None:
            return None, grads
        result = closure(self.params)
        if not isinstance(result, tuple) or len(result) < 2:
            raise TypeError("closure(params) must return (loss, grads) or (loss, grads, hessian)")
        return result[0], result[1]

    def _apply(self, grads: Tree) -> bool:
        """Check ``grads`` and run the rule; return False if the step was skipped."""
        g_arrays = check_same_structure(self.params, grads, self._names, self._shapes)
        g_flat = self._flat_gradient(g_arrays) if self._flat is not None else None
        if self.nonfinite != "ignore" and self._refuse_nonfinite(g_arrays, g_flat):
            return False
        t = self.step_count + 1
        rule, coefficients = self._update(t, self.learning_rate(t - 1))
        coefficients = self._cast(coefficients)
        run = rule.fused if self.fused else rule.numpy
        states = list(self._state.values())
        if g_flat is not None:
            run(self._flat, g_flat, states, coefficients)
        else:
            for i, (p, g) in enumerate(zip(self._arrays, g_arrays)):
                lo, hi = self._offsets[i], self._offsets[i + 1]
                g = np.ascontiguousarray(g, dtype=self._dtype).reshape(-1)
                run(p.reshape(-1), g, [s[lo:hi] for s in states], coefficients)
        self.step_count = t
        return True

    def _cast(self, coefficients: tuple) -> tuple:
        """Coefficients in the parameters' dtype (flags stay bools), as the rules expect."""
        cast = self._dtype.type
        return tuple(
            cast(c) if isinstance(c, float) and not isinstance(c, bool) else c for c in coefficients
        )

    def _flat_gradient(self, g_arrays: list[np.ndarray]) -> np.ndarray:
        """The gradient as one flat buffer in the parameters' dtype (gathered if need be)."""
        flat = flat_view(g_arrays)
        if flat is not None and flat.dtype == self._dtype:
            return flat
        if self._grad_buffer is None:
            self._grad_buffer = np.empty(int(self._offsets[-1]), dtype=self._dtype)
        np.concatenate(
            [g.reshape(-1) for g in g_arrays], out=self._grad_buffer, casting="same_kind"
        )
        return self._grad_buffer

    def _refuse_nonfinite(self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None) -> bool:
        if g_flat is not None:
            if not has_nonfinite(g_flat):
                return False
        elif not any(has_nonfinite(g.reshape(-1)) for g in g_arrays):
            return False
        bad = next(i for i, g in enumerate(g_arrays) if not np.isfinite(g).all())
        where = f"parameter {self._names[bad]!r}" if self._names[bad] else "the parameter"
        count = int(np.size(g_arrays[bad]) - np.isfinite(g_arrays[bad]).sum())
        message = (
            f"step {self.step_count + 1}: the gradient of {where} holds {count} non-finite "
            "value(s) (inf or NaN); the parameters were not changed. Lower the learning rate "
            "or clip the gradients, or pass nonfinite='skip' to skip such steps"
        )
        if self.nonfinite == "raise":
            raise FloatingPointError(message)
        if self.skipped_steps == 0:
            warnings.warn(
                message.replace("; the parameters", "; skipped: the parameters"),
                RuntimeWarning,
                stacklevel=4,
            )
        self.skipped_steps += 1
        return True

    # -- saving and resuming -------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: plain arrays and numbers, savable with ``np.savez``.

        Keys: ``optimizer``, ``convention``, ``step``, ``skipped_steps``, ``hyper/NAME`` for
        each numeric hyperparameter (a schedule is code and is not saved: construct the
        optimizer with the same schedule), ``state/NAME`` for each state buffer (flat, in
        the parameters' order), and ``scalar/NAME`` for scalar state.
        """
        out: dict[str, Any] = {
            "optimizer": type(self).__name__,
            "convention": self.convention,
            "step": np.int64(self.step_count),
            "skipped_steps": np.int64(self.skipped_steps),
        }
        for name in self.HYPERPARAMETERS:
            value = getattr(self, name)
            if not callable(value):
                out[f"hyper/{name}"] = np.asarray(value, dtype=np.float64)
        for name in self.OPTIONS:
            out[f"option/{name}"] = getattr(self, name)
        for name, buffer in self._state.items():
            out[f"state/{name}"] = buffer.copy()
        for name, value in self._extra_state().items():
            out[f"scalar/{name}"] = np.float64(value)
        return out

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a `state_dict` (for example ``dict(np.load(path))``); checks it fits first."""
        name = str(np.asarray(state.get("optimizer", "")))
        if name != type(self).__name__:
            raise ValueError(
                f"this state is from {name or 'an unknown optimizer'}, not {type(self).__name__}"
            )
        saved = str(np.asarray(state.get("convention", self.convention)))
        if saved != self.convention:
            raise ValueError(
                f"this state was saved under convention={saved!r}, not {self.convention!r}"
            )
        for option in self.OPTIONS:
            key = f"option/{option}"
            if key in state and np.asarray(state[key]).item() != getattr(self, option):
                raise ValueError(
                    f"this state was saved with {option}={np.asarray(state[key]).item()!r}; "
                    f"this optimizer has {option}={getattr(self, option)!r}"
                )
        expected = {f"state/{k}" for k in self._state}
        found = {k for k in state if k.startswith("state/")}
        if expected != found:
            raise ValueError(
                f"state arrays {sorted(found)} do not match this optimizer's {sorted(expected)} "
                "(were options such as amsgrad, centered or momentum the same?)"
            )
        for key in expected:
            value = np.asarray(state[key])
            target = self._state[key[len("state/") :]]
            if value.shape != target.shape or value.dtype != target.dtype:
                raise ValueError(
                    f"{key} has shape {value.shape} and dtype {value.dtype}; these parameters "
                    f"need shape {target.shape} and dtype {target.dtype}"
                )
        for key in expected:
            np.copyto(self._state[key[len("state/") :]], state[key])
        for hyper in self.HYPERPARAMETERS:
            key = f"hyper/{hyper}"
            if key in state and not callable(getattr(self, hyper)):
                value = np.asarray(state[key])
                setattr(self, hyper, tuple(value.tolist()) if value.ndim else float(value))
        self._load_extra_state(
            {k[len("scalar/") :]: float(v) for k, v in state.items() if k.startswith("scalar/")}
        )
        self.step_count = int(state["step"])
        self.skipped_steps = int(state.get("skipped_steps", 0))

    def __repr__(self) -> str:
        hypers = ", ".join(f"{h}={getattr(self, h)!r}" for h in self.HYPERPARAMETERS)
        return f"{type(self).__name__}({hypers})"
