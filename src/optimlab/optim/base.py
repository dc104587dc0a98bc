"""The root of every optimizer: arguments, parameters, the step protocol, saving and resuming.

An optimizer declares its arguments once (`Hyper` and `Option` class attributes, see
`optimlab.optim.hyper`) and implements `Optimizer._update`. This class does the rest: it
builds the constructor from the declarations, accepts an array, a list or a dict of arrays,
checks gradients against them, refuses non-finite gradients before anything changes,
evaluates a learning-rate schedule (or a rate given to one step), and saves and restores
everything a bit-identical resume needs.

Two bases derive from it: `optimlab.optim.ElementwiseOptimizer` for rules applied value by
value (every first-order method here), and `Newton`'s own, which solves with the Hessian.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from optimlab import checks
from optimlab.optim._kernels import has_nonfinite, runs_parallel
from optimlab.optim._pool import uninterrupted
from optimlab.optim.hyper import MISSING, Field, Hyper, Option
from optimlab.optim.tree import Tree, check_same_structure, leaves, rebuild

CONVENTIONS = ("pytorch", "keras")
NONFINITE_POLICIES = ("raise", "skip", "ignore")


def apply_nonfinite_policy(owner: Any, message: str, stacklevel: int) -> None:
    """Apply ``owner.nonfinite`` to a step that cannot be taken: ``"raise"`` raises
    ``FloatingPointError(message)``; otherwise the step counts in ``owner.skipped_steps``,
    with a warning the first time (saying the step was skipped, without the message's advice
    to skip). ``stacklevel``: of the user's call, counted from the caller of this function.
    Shared by `Optimizer` and the PyTorch adapter."""
    if owner.nonfinite == "raise":
        raise FloatingPointError(message)
    if owner.skipped_steps == 0:
        skipped = message.replace("; the parameters", "; skipped: the parameters")
        warnings.warn(
            skipped.replace(", or pass nonfinite='skip' to skip such steps", ""),
            RuntimeWarning,
            stacklevel=stacklevel + 1,
        )
    owner.skipped_steps += 1


class Optimizer(ABC):
    """Base class of every optimizer in `optimlab.optim`.

    Args:
        params: a float ndarray, a list of them or a dict of them; updated in place.
            All must share one dtype (float32 or float64) and be C-contiguous.
        *args, **kwargs: the optimizer's own arguments (see each class).
        convention: ``"pytorch"`` (default) or ``"keras"``: the defaults and formulas of
            that framework, where they differ (see docs/conventions.md).
        nonfinite: what a step does with a gradient holding inf or NaN: ``"raise"``
            (default) a FloatingPointError naming the parameter and the step, ``"skip"``
            the step (counted in `skipped_steps`), or ``"ignore"`` (no check, fastest).

    Attributes:
        step_count: updates applied so far (t of the formulas after the update).
        skipped_steps: steps refused under ``nonfinite="skip"``.
    """

    #: The conventions this optimizer implements.
    SUPPORTED_CONVENTIONS: ClassVar[tuple[str, ...]] = CONVENTIONS
    #: True when `step` needs ``closure=f`` (the gradient at another point, or a Hessian).
    needs_closure: ClassVar[bool] = False
    #: True when the closure must also return the Hessian.
    needs_hessian: ClassVar[bool] = False
    #: The declared arguments, in signature order (built from the class attributes).
    FIELDS: ClassVar[dict[str, Field]] = {}
    #: Names of the hyperparameters (`Hyper`), saved by `state_dict` as ``hyper/NAME``.
    HYPERPARAMETERS: ClassVar[tuple[str, ...]] = ()
    #: Names of the saved options, required to match on load (``option/NAME``).
    OPTIONS: ClassVar[tuple[str, ...]] = ()
    #: Keyword-only arguments every optimizer of this base takes, with their defaults.
    COMMON_ARGUMENTS: ClassVar[dict[str, Any]] = {"convention": "pytorch", "nonfinite": "raise"}
    #: Whether the class has scalar state to advance after each update (`_advance`).
    _ADVANCES: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, Field] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Field):
                    fields[name] = value  # a redeclaration keeps the first position
        positional = [f for f in fields.values() if not f.keyword_only and not f.fixed]
        keyword = [f for f in fields.values() if f.keyword_only and not f.fixed]
        cls.FIELDS = {f.name: f for f in [*positional, *keyword]} | {
            f.name: f for f in fields.values() if f.fixed
        }
        cls.HYPERPARAMETERS = tuple(n for n, f in cls.FIELDS.items() if isinstance(f, Hyper))
        cls.OPTIONS = tuple(n for n, f in cls.FIELDS.items() if isinstance(f, Option) and f.saved)
        cls.__signature__ = cls._signature()
        cls._ADVANCES = cls._advance is not Optimizer._advance

    @classmethod
    def _signature(cls) -> inspect.Signature:
        kind = inspect.Parameter
        parameters = [kind("params", kind.POSITIONAL_OR_KEYWORD, annotation="Tree")]
        for field in cls.FIELDS.values():
            if not field.fixed:
                where = kind.KEYWORD_ONLY if field.keyword_only else kind.POSITIONAL_OR_KEYWORD
                parameters.append(kind(field.name, where, default=field.default))
        for name, default in cls.COMMON_ARGUMENTS.items():
            parameters.append(kind(name, kind.KEYWORD_ONLY, default=default))
        return inspect.Signature(parameters)

    def __init__(self, params: Tree, *args: Any, **kwargs: Any) -> None:
        common = {
            name: kwargs.pop(name, default) for name, default in self.COMMON_ARGUMENTS.items()
        }
        given = self._bind(args, kwargs)
        self.convention = checks.choice("convention", common["convention"], CONVENTIONS)
        if self.convention not in self.SUPPORTED_CONVENTIONS:
            raise ValueError(
                f"{type(self).__name__} has no {self.convention} convention; it supports "
                f"{', '.join(self.SUPPORTED_CONVENTIONS)}"
            )
        self.nonfinite = checks.choice("nonfinite", common["nonfinite"], NONFINITE_POLICIES)
        self._set_common(common)
        self.params = params
        self._names, self._arrays = leaves(params)
        self._check_params()
        self._shapes = [a.shape for a in self._arrays]
        self._dtype = self._arrays[0].dtype
        self._offsets = np.concatenate([[0], np.cumsum([a.size for a in self._arrays])]).astype(int)
        self._size = int(self._offsets[-1])
        for name, field in self.FIELDS.items():
            value = field.resolve(type(self).__name__, self.convention, given.get(name, MISSING))
            setattr(self, name, value)
        self._state: dict[str, np.ndarray] = {}
        self.step_count = 0
        self.skipped_steps = 0
        self._setup()

    def _set_common(self, common: dict[str, Any]) -> None:
        """Store the base's extra common arguments (a subclass hook)."""

    def _bind(self, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The arguments given, by name, after checking them against the signature."""
        cls = type(self).__name__
        positional = [n for n, f in self.FIELDS.items() if not f.keyword_only and not f.fixed]
        if len(args) > len(positional):
            raise TypeError(
                f"{cls}() takes at most {len(positional)} arguments after params "
                f"({', '.join(positional)}), got {len(args)}"
            )
        given = dict(zip(positional, args))
        accepted = [n for n, f in self.FIELDS.items() if not f.fixed]
        for name, value in kwargs.items():
            if name not in accepted:
                near = checks.closest(name, [*accepted, *self.COMMON_ARGUMENTS])
                hint = f" (did you mean {near!r}?)" if near else ""
                raise TypeError(
                    f"{cls}() got an unexpected argument {name!r}{hint}; it takes "
                    f"{', '.join([*accepted, *self.COMMON_ARGUMENTS])}"
                )
            if name in given:
                raise TypeError(f"{cls}() got two values for {name!r}")
            given[name] = value
        return given

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

    # -- what subclasses provide ---------------------------------------------------------

    def _setup(self) -> None:
        """Check settings that depend on each other and allocate state (a subclass hook)."""

    @abstractmethod
    def _update(
        self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None, lr: float, extra: tuple
    ) -> bool:
        """Apply update number ``step_count + 1`` at rate ``lr``.

        The gradient arrays are already checked (structure, shape, dtype, finiteness);
        ``g_flat`` is them as one flat buffer when `_flat_gradient` gave one; ``extra`` is
        what the closure returned beyond ``(loss, grads)``. Return False if no step was
        taken (the step count then does not advance).
        """

    def _flat_gradient(self, g_arrays: list[np.ndarray]) -> np.ndarray | None:
        """The gradient as one flat buffer, when this optimizer works on one (a hook)."""
        return None

    def _evaluation_point(self) -> Tree:
        """Where a closure is evaluated: the parameters (Nesterov: its look-ahead point)."""
        return self.params

    # -- the public interface ------------------------------------------------------------

    @classmethod
    def fields(cls) -> dict[str, Field]:
        """The declared arguments by name (`Hyper` and `Option`), in signature order."""
        return dict(cls.FIELDS)

    def hyperparameters(self) -> dict[str, Any]:
        """The current value of every argument (hyperparameters and options), by name."""
        return {name: getattr(self, name) for name in self.FIELDS}

    @property
    def dtype(self) -> np.dtype:
        """The parameters' dtype (every computation of the step is done in it)."""
        return self._dtype

    def owns(self, params: Tree) -> bool:
        """True when ``params`` are the very arrays this optimizer updates (same structure,
        each array the same memory, shape and strides), e.g. ``opt.owns(model.params)``."""
        try:
            names, arrays = leaves(params)
        except TypeError:
            return False
        return names == self._names and all(
            isinstance(a, np.ndarray)
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.shape == b.shape
            and a.strides == b.strides
            and a.dtype == b.dtype
            for a, b in zip(arrays, self._arrays)
        )

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

    # -- where the model is evaluated ---------------------------------------------------

    @property
    def training(self) -> bool:
        """False while the parameters sit at the evaluation point (after `eval`)."""
        return True

    def eval(self) -> None:
        """Put the parameters where the model is evaluated. For most optimizers that is the
        iterate itself and nothing moves; Schedule-Free moves them to its average x. `fit`
        evaluates every epoch this way and ends with the parameters there."""

    def train(self) -> None:
        """Put the parameters back where gradients are taken (undo `eval`)."""

    @contextlib.contextmanager
    def evaluating(self) -> Iterator[None]:
        """The parameters at the evaluation point for the duration of a ``with`` block."""
        was_training = self.training
        self.eval()
        try:
            yield
        finally:
            if was_training:
                self.train()

    def learning_rate(self, step: int | None = None) -> float:
        """The learning rate used for the update with 0-based index ``step`` (default: next)."""
        lr = self.lr
        if not callable(lr):
            return lr
        step = self.step_count if step is None else step
        lr = lr(step)
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)):
            lr = math.nan
        if not math.isfinite(lr) or lr < 0:
            raise ValueError(
                f"the learning-rate schedule returned {lr!r} for step {step}; "
                "a schedule must return a finite number >= 0"
            )
        return float(lr)

    def step(
        self, grads: Tree | None = None, closure: Callable | None = None, *, lr: float | None = None
    ) -> Any:
        """Apply one update.

        Args:
            grads: gradients with the same structure, keys and shapes as ``params``.
            closure: instead of ``grads``, a function ``f(params) -> (loss, grads)``
                evaluated at the current parameters (Newton: ``(loss, grads, hessian)``).
            lr: the learning rate of this update only, instead of ``self.lr`` (which is
                left as it is): how a training loop applies its own schedule.

        Returns:
            The closure's loss, or None when ``grads`` were given.
        """
        if lr is not None:
            lr = checks.nonnegative("lr", lr)
        if closure is None and grads is not None and not self.needs_closure:
            self._apply(grads, lr)  # the common case, without the checks of `_gradients`
            return None
        loss, grads, extra = self._gradients(grads, closure)
        self._apply(grads, lr, extra)
        return loss

    def _gradients(self, grads: Tree | None, closure: Callable | None) -> tuple[Any, Tree, tuple]:
        if (grads is None) == (closure is None):
            raise TypeError("step() takes either grads or closure=f, exactly one of them")
        if closure is None:
            if self.needs_closure:
                raise TypeError(self._closure_needed())
            return None, grads, ()
        result = closure(self._evaluation_point())
        if not isinstance(result, tuple) or len(result) < 2 + self.needs_hessian:
            expected = "(loss, grads, hessian)" if self.needs_hessian else "(loss, grads)"
            raise TypeError(f"closure(params) must return {expected}")
        return result[0], result[1], tuple(result[2:])

    def _closure_needed(self) -> str:
        return f"{type(self).__name__} needs step(closure=f) with f(params) -> (loss, grads)"

    def _apply(self, grads: Tree, lr: float | None, extra: tuple = ()) -> bool:
        """Check ``grads`` and apply the update; return False if the step was skipped."""
        g_arrays = check_same_structure(self.params, grads, self._names, self._shapes)
        g_flat = self._flat_gradient(g_arrays)
        if self.nonfinite != "ignore" and self._nonfinite_found(g_arrays, g_flat):
            self._refuse_nonfinite(g_arrays, stacklevel=4)
            return False
        rate = self.learning_rate() if lr is None else lr
        if runs_parallel(self._size):
            # A long update runs in chunks between which Python could stop: Ctrl-C waits.
            with uninterrupted():
                return self._update_and_count(g_arrays, g_flat, rate, extra)
        return self._update_and_count(g_arrays, g_flat, rate, extra)

    def _update_and_count(
        self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None, lr: float, extra: tuple
    ) -> bool:
        count = self.step_count
        try:
            if not self._update(g_arrays, g_flat, lr, extra):
                return False
            self.record_steps(1)
        except KeyboardInterrupt:
            # Python delivers a Ctrl-C that came during a compiled update right after it:
            # an update that was made is counted, so the state stays one of whole steps.
            if self.step_count == count and self._update_made():
                self.record_steps(1)
            raise
        return True

    def _update_made(self) -> bool:
        """Whether the update of the step under way has been made (a subclass hook: one
        whose update is a single compiled call can tell after an interrupt)."""
        return False

    def record_steps(self, n: int) -> None:
        """Count ``n`` updates as applied (by `step`, or by an engine that ran this optimizer's
        rule itself, such as a compiled training epoch), advancing any scalar state."""
        if self._ADVANCES:
            for t in range(self.step_count + 1, self.step_count + n + 1):
                self._advance(t)
        self.step_count += n

    def _advance(self, t: int) -> None:
        """Update scalar state after update number ``t`` was applied (a subclass hook)."""

    def _nonfinite_found(self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None) -> bool:
        """Whether the gradient holds an inf or a NaN, checked before the update (a subclass
        whose `_update` checks it itself returns False)."""
        if g_flat is not None:
            return has_nonfinite(g_flat)
        return any(has_nonfinite(self._in_dtype(g).reshape(-1)) for g in g_arrays)

    def _in_dtype(self, g: np.ndarray) -> np.ndarray:
        """``g`` in the parameters' dtype (itself when it already is): a value too large for
        it becomes inf, which the non-finite check then finds."""
        with np.errstate(over="ignore"):
            return np.asarray(g, dtype=self._dtype)

    def _refuse_nonfinite(self, g_arrays: list[np.ndarray], stacklevel: int) -> None:
        """Apply the ``nonfinite`` policy to a gradient found to hold an inf or a NaN in the
        parameters' dtype, naming the parameter (``stacklevel``: of the user's call, for the
        warning)."""
        cast = [self._in_dtype(g) for g in g_arrays]
        bad = next(i for i, g in enumerate(cast) if not np.isfinite(g).all())
        name = self._names[bad]
        where = f"parameter {name!r}" if name else "the parameter"
        if isinstance(self.params, (list, tuple)):  # a list's names are its positions
            where = f"params[{name}]"
        count = int(np.size(cast[bad]) - np.isfinite(cast[bad]).sum())
        what = "non-finite value(s) (inf or NaN)"
        if np.isfinite(g_arrays[bad]).all():  # finite, but not in the parameters' dtype
            what = f"value(s) too large for {self._dtype} (inf once converted)"
        message = (
            f"step {self.step_count + 1}: the gradient of {where} holds {count} {what}; the "
            "parameters were not changed. Lower the learning rate or clip the gradients, "
            "or pass nonfinite='skip' to skip such steps"
        )
        self._refuse_step(message, stacklevel=stacklevel + 1)

    def _refuse_step(self, message: str, stacklevel: int) -> None:
        """Apply the ``nonfinite`` policy to a step that cannot be taken
        (`apply_nonfinite_policy`)."""
        apply_nonfinite_policy(self, message, stacklevel)

    # -- saving and resuming -------------------------------------------------------------

    def _extra_state(self) -> dict[str, float]:
        """Scalar state beyond the arrays (e.g. NAdam's running momentum product)."""
        return {}

    def _load_extra_state(self, values: Mapping[str, float]) -> None:
        """Restore what `_extra_state` returned."""

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: plain arrays and numbers, savable with ``np.savez``.

        Keys: ``optimizer``, ``convention``, ``step``, ``skipped_steps``, ``hyper/NAME`` for
        each numeric hyperparameter (a schedule is code and is not saved: construct the
        optimizer with the same schedule), ``option/NAME`` for each structural option,
        ``state/NAME`` for each state buffer (flat, in the parameters' order), and
        ``scalar/NAME`` for scalar state.
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
        """Restore a `state_dict` (for example ``dict(np.load(path))``).

        Everything is checked before anything is changed: a state that does not fit raises
        ``ValueError`` and leaves this optimizer as it was.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"state must be a dict (from state_dict()), got {type(state).__name__}")
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
        counters = self._checked_counters(state)
        hypers = self._checked_hyperparameters(state)
        scalars = self._checked_scalars(state)
        for key in expected:
            np.copyto(self._state[key[len("state/") :]], state[key])
        for hyper, value in hypers.items():
            setattr(self, hyper, value)
        self._load_extra_state(scalars)
        self.step_count, self.skipped_steps = counters

    def _checked_counters(self, state: Mapping[str, Any]) -> tuple[int, int]:
        counters = []
        for key, default in (("step", None), ("skipped_steps", 0)):
            value = state.get(key, default)
            if value is None:
                raise ValueError("this state has no 'step' entry; pass what state_dict() returned")
            array = np.asarray(value)
            if array.ndim or array.dtype.kind not in "iu" or array < 0:
                raise ValueError(f"state[{key!r}] must be an integer >= 0, got {value!r}")
            counters.append(int(array))
        return counters[0], counters[1]

    def _checked_hyperparameters(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The saved hyperparameters, each validated (none is set yet)."""
        values = {}
        for hyper in self.HYPERPARAMETERS:
            key = f"hyper/{hyper}"
            if key in state and not callable(getattr(self, hyper)):
                array = np.asarray(state[key])
                if array.dtype.kind not in "fiu":
                    raise ValueError(f"{key} must hold numbers, got {state[key]!r}")
                value = tuple(array.tolist()) if array.ndim else float(array)
                values[hyper] = self.FIELDS[hyper].check(hyper, value)
        return values

    def _checked_scalars(self, state: Mapping[str, Any]) -> dict[str, float]:
        values = {}
        for key, value in state.items():
            if key.startswith("scalar/"):
                number = float(np.asarray(value))
                if not math.isfinite(number):
                    raise ValueError(f"{key} must be a finite number, got {value!r}")
                values[key[len("scalar/") :]] = number
        expected = set(self._extra_state())
        if set(values) != expected:
            raise ValueError(
                f"scalar state {sorted(values)} does not match this optimizer's {sorted(expected)}"
            )
        return values

    def __repr__(self) -> str:
        hypers = ", ".join(f"{h}={getattr(self, h)!r}" for h in self.HYPERPARAMETERS)
        return f"{type(self).__name__}({hypers})"


class ClosureSearch:
    """For optimizers that evaluate the closure again during a step (Newton's line search,
    L-BFGS's iterations): keeps the closure as ``self._closure`` and the loss at the start
    as ``self._loss`` while the step runs. Put it before the optimizer's base class."""

    _closure: Callable | None = None
    _loss: float = math.nan

    def step(
        self, grads: Tree | None = None, closure: Callable | None = None, *, lr: float | None = None
    ) -> Any:
        """One step; returns the loss at the starting point (see `Optimizer.step`)."""
        self._closure = closure
        try:
            return super().step(grads, closure, lr=lr)
        finally:
            self._closure = None

    def _gradients(self, grads: Tree | None, closure: Callable | None) -> tuple[Any, Tree, tuple]:
        loss, grads, extra = super()._gradients(grads, closure)
        self._loss = float(loss)
        return loss, grads, extra
