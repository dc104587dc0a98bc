"""The root of every optimlab.torch optimizer: arguments, parameter groups, gradient checks.

`TorchOptimizer` is a ``torch.optim.Optimizer`` built around one optimlab optimizer class
(`TorchOptimizer.OPTIMLAB`). From that class's declarations (`optimlab.optim.Optimizer.fields`)
it takes the constructor's signature, the defaults of each convention and every argument's
check; each parameter group gets a `GroupRules`: a small instance of the optimlab class
holding that group's hyperparameters, which validates them whenever they change (a
scheduler writing ``group["lr"]`` included) and computes what the update needs. So the
arguments, their defaults, their checks and their error messages are optimlab's own.

Subclasses (`optimlab.torch.elementwise`, `optimlab.torch.host`) implement the step.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any, ClassVar, NamedTuple

import numpy as np
import torch

from optimlab import checks
from optimlab.optim import Optimizer, RuleStep, apply_nonfinite_policy, has_nonfinite
from optimlab.optim.hyper import MISSING, Hyper

__all__ = [
    "CONVENTIONS",
    "NONFINITE_POLICIES",
    "GroupRules",
    "GroupWork",
    "TorchOptimizer",
    "closure_result",
    "scalar_dtype",
]

CONVENTIONS = ("pytorch", "keras")
NONFINITE_POLICIES = ("raise", "skip", "ignore")
_PARAMETER_DTYPES = (torch.float32, torch.float64)


def scalar_dtype() -> torch.dtype:
    """The dtype of ``state["step"]``: float64 under ``torch.set_default_dtype(torch.float64)``,
    else float32 (as torch.optim stores it)."""
    return torch.float64 if torch.get_default_dtype() == torch.float64 else torch.float32


def _same(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are the same value of the same type (a float equal to
    the previous one, a tuple of equal floats)."""
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError, RuntimeError):
        return False


def _plain(value: Any) -> Any:
    """A one-element tensor as a Python number (PyTorch allows ``lr=torch.tensor(0.01)``)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return value


class GroupWork(NamedTuple):
    """The parameters of one group that a step updates (those with a gradient), their
    gradients, their positions in the group, and the gradients of CPU tensors as NumPy
    views of their memory (None for other devices)."""

    index: int
    params: list[torch.Tensor]
    grads: list[torch.Tensor]
    indices: list[int]
    arrays: list[np.ndarray | None]


class GroupRules:
    """One parameter group's hyperparameters, held by an instance of the optimlab class.

    The instance (``proxy``) is built on a one-element NumPy array: it never updates
    anything itself; it validates the group's values (its declarations check each one,
    its ``_setup`` checks those that depend on each other) and answers ``rule_at``.

    Args:
        cls: the optimlab optimizer class.
        group: the parameter group (its values are read, not changed).
        convention: ``"pytorch"`` or ``"keras"``.
        arrays: the NumPy arrays the instance holds (default: one element; an optimizer
            that runs the whole optimlab class, `optimlab.torch.host`, gives the group's).
        nonfinite: the instance's policy for non-finite gradients.
    """

    def __init__(
        self,
        cls: type[Optimizer],
        group: Mapping[str, Any],
        convention: str,
        arrays: Any = None,
        nonfinite: str = "ignore",
    ) -> None:
        fields = cls.fields()
        self.names = tuple(n for n, f in fields.items() if not f.fixed)
        self.hyper_names = tuple(n for n in self.names if isinstance(fields[n], Hyper))
        self.option_names = tuple(n for n in self.names if n not in self.hyper_names)
        values = {name: _plain(group[name]) for name in self.names}
        extra = {"fused": False} if "fused" in cls.COMMON_ARGUMENTS else {}
        self.proxy = cls(
            np.zeros(1) if arrays is None else arrays,
            **values,
            convention=convention,
            nonfinite=nonfinite,
            **extra,
        )
        self.raw = {name: group[name] for name in self.names}
        saved = self.proxy.state_dict()
        self.scalar_initial = {
            key[len("scalar/") :]: float(value)
            for key, value in saved.items()
            if key.startswith("scalar/")
        }
        self.clock: tuple = (0, tuple(self.scalar_initial.values()))
        self._reused: tuple = (None, None, None)

    def clean_values(self) -> dict[str, Any]:
        """The group's values as the checks returned them (``betas`` a tuple of floats)."""
        values = self.proxy.hyperparameters()
        return {name: values[name] for name in self.names}

    def sync(self, group: Mapping[str, Any]) -> None:
        """Take the group's current hyperparameters (validating the changed ones).

        Raises:
            ValueError: a value is invalid, or an option (fixed at construction) changed.
        """
        raw = self.raw
        for name in self.hyper_names:
            value = group[name]
            if value is not raw[name]:
                if not _same(value, raw[name]):  # a scheduler writes a new float each step
                    setattr(self.proxy, name, _plain(value))
                raw[name] = value
        for name in self.option_names:
            value = group[name]
            if value is not raw[name]:
                if value != getattr(self.proxy, name):
                    raise ValueError(
                        f"{name} is fixed when a parameter group is added (it was "
                        f"{getattr(self.proxy, name)!r}, the group now says {value!r}); add "
                        f"a new parameter group or build a new optimizer with {name}={value!r}"
                    )
                raw[name] = value

    def step_at(self, t: int, lr: float, dtype: np.dtype) -> tuple[RuleStep, np.ndarray]:
        """``rule_at(t, lr)`` of the proxy and its coefficients as an array of ``dtype``,
        reused while nothing they depend on changes (when the optimizer says its
        coefficients are constant: same hyperparameters, rate and first-step flag)."""
        proxy = self.proxy
        key = None
        if proxy.constant_coefficients:
            key = (getattr(proxy, "hyper_version", None), lr, t == 1, dtype)
            if key == self._reused[0]:
                return self._reused[1], self._reused[2]
        step = proxy.rule_at(t, lr)
        coefficients = step.array(dtype)
        self._reused = (key, step, coefficients)
        return step, coefficients

    def rate(self, t: int) -> float:
        """The learning rate of update number ``t`` (the group's ``lr``, or its schedule at
        the 0-based step t - 1)."""
        return self.proxy.learning_rate(t - 1)

    def set_clock(self, done: int, scalars: tuple) -> None:
        """Make the proxy's step count ``done`` and its scalar state ``scalars`` (through its
        public `state_dict` / `load_state_dict`), when they differ from what it holds."""
        if (done, scalars) == self.clock:
            return
        saved = self.proxy.state_dict()
        saved["step"] = np.int64(done)
        for name, value in zip(self.scalar_initial, scalars):
            saved[f"scalar/{name}"] = np.float64(value)
        self.proxy.load_state_dict(saved)
        self.clock = (done, scalars)

    def advance(self) -> tuple:
        """Count one update on the proxy; return its scalar state after it."""
        self.proxy.record_steps(1)
        saved = self.proxy.state_dict()
        scalars = tuple(float(saved[f"scalar/{name}"]) for name in self.scalar_initial)
        self.clock = (self.proxy.step_count, scalars)
        return scalars


class TorchOptimizer(torch.optim.Optimizer):
    """A ``torch.optim.Optimizer`` whose arguments are those of an optimlab optimizer.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of parameter-group
            dicts (each may set its own hyperparameters), as for every torch optimizer.
        *args, **kwargs: the optimlab optimizer's arguments, same names, order and defaults.
        convention: ``"pytorch"`` (default) or ``"keras"``, as in `optimlab.optim`.
        nonfinite: a gradient with inf or NaN: ``"raise"`` (default) a FloatingPointError
            before anything changes, ``"skip"`` the step (counted in `skipped_steps`), or
            ``"ignore"`` (no check).

    Attributes:
        skipped_steps: steps refused under ``nonfinite="skip"``.
    """

    #: The optimlab optimizer this class runs.
    OPTIMLAB: ClassVar[type[Optimizer]]
    #: Keyword-only arguments beyond the optimlab class's declarations, with defaults.
    COMMON_ARGUMENTS: ClassVar[dict[str, Any]] = {"convention": "pytorch", "nonfinite": "raise"}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "OPTIMLAB" in vars(cls):
            cls.needs_closure = cls.OPTIMLAB.needs_closure
            cls.__signature__ = cls._signature()

    @classmethod
    def _signature(cls) -> inspect.Signature:
        kind = inspect.Parameter
        parameters = [kind("params", kind.POSITIONAL_OR_KEYWORD)]
        for field in cls.OPTIMLAB.fields().values():
            if not field.fixed:
                where = kind.KEYWORD_ONLY if field.keyword_only else kind.POSITIONAL_OR_KEYWORD
                parameters.append(kind(field.name, where, default=field.default))
        for name, default in cls.COMMON_ARGUMENTS.items():
            parameters.append(kind(name, kind.KEYWORD_ONLY, default=default))
        return inspect.Signature(parameters)

    @classmethod
    def usage(cls, optimizer: type[Optimizer]) -> str:
        """One sentence on how a training loop calls the torch form of ``optimizer``."""
        if optimizer.needs_closure:
            return (
                "Call ``opt.step(closure)`` with a closure that zeroes the gradients, "
                "computes the loss, calls ``loss.backward()`` and returns the loss: it is "
                "called where the optimizer needs the gradient."
            )
        return "Use it as any torch optimizer: ``opt.zero_grad(); loss.backward(); opt.step()``."

    @classmethod
    def fields(cls) -> dict[str, Any]:
        """The declared arguments by name (those of the optimlab class)."""
        return cls.OPTIMLAB.fields()

    def __init__(self, params: Iterable[Any], *args: Any, **kwargs: Any) -> None:
        common = {n: kwargs.pop(n, default) for n, default in self.COMMON_ARGUMENTS.items()}
        given = self._bind(args, kwargs)
        name = type(self).__name__
        self.convention = checks.choice("convention", common["convention"], CONVENTIONS)
        if self.convention not in self.OPTIMLAB.SUPPORTED_CONVENTIONS:
            raise ValueError(
                f"{name} has no {self.convention} convention; it supports "
                f"{', '.join(self.OPTIMLAB.SUPPORTED_CONVENTIONS)}"
            )
        self.nonfinite = checks.choice("nonfinite", common["nonfinite"], NONFINITE_POLICIES)
        self._set_common(common)
        defaults = {
            field_name: field.resolve(name, self.convention, given.get(field_name, MISSING))
            for field_name, field in self.OPTIMLAB.fields().items()
            if not field.fixed
        }
        defaults["convention"] = self.convention
        defaults.update(self._clean_defaults(defaults))
        self.skipped_steps = 0
        self._at_evaluation_point = False
        self._rules: dict[int, tuple[dict, GroupRules]] = {}
        if isinstance(params, Mapping):
            raise TypeError(
                "params must be an iterable of tensors or of parameter-group dicts, got a "
                "dict; pass model.parameters(), model.named_parameters() or a list of dicts"
            )
        super().__init__(params, defaults)

    def _set_common(self, common: dict[str, Any]) -> None:
        """Store the subclass's extra common arguments (a hook)."""

    def _clean_defaults(self, defaults: dict[str, Any]) -> dict[str, Any]:
        """The defaults validated (each alone and together) and cleaned."""
        return GroupRules(self.OPTIMLAB, defaults, self.convention).clean_values()

    def _bind(self, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
        cls = type(self).__name__
        fields = self.OPTIMLAB.fields()
        positional = [n for n, f in fields.items() if not f.keyword_only and not f.fixed]
        accepted = [n for n, f in fields.items() if not f.fixed]
        if len(args) > len(positional):
            raise TypeError(
                f"{cls}() takes at most {len(positional)} arguments after params "
                f"({', '.join(positional)}), got {len(args)}"
            )
        given = dict(zip(positional, args))
        for name, value in kwargs.items():
            if name not in accepted:
                everything = [*accepted, *self.COMMON_ARGUMENTS]
                near = checks.closest(name, everything)
                hint = f" (did you mean {near!r}?)" if near else ""
                raise TypeError(
                    f"{cls}() got an unexpected argument {name!r}{hint}; it takes "
                    f"{', '.join(everything)}"
                )
            if name in given:
                raise TypeError(f"{cls}() got two values for {name!r}")
            given[name] = value
        return given

    # -- parameter groups ----------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (its own hyperparameters override the defaults).

        Raises:
            TypeError: a parameter is not a float32 or float64 tensor (complex, half,
                integer, sparse).
            ValueError: a hyperparameter is invalid; the group is not added.
        """
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        try:
            self._check_group(group, len(self.param_groups) - 1)
            rules = self._make_rules(group)
            group.update(rules.clean_values())
            if group["convention"] != self.convention:
                raise ValueError(
                    f"convention is {self.convention!r} for the whole optimizer; a group "
                    f"cannot say {group['convention']!r}"
                )
        except Exception:
            self.param_groups.pop()
            raise
        self._rules[id(group)] = (group, rules)

    def _check_group(self, group: dict[str, Any], index: int) -> None:
        """Refuse parameters this optimizer cannot update (a subclass may add checks)."""
        name = type(self).__name__
        for i, p in enumerate(group["params"]):
            where = f"parameter {i} of group {index}"
            if p.is_complex():
                raise TypeError(
                    f"{name}: {where} is complex ({p.dtype}); optimlab.torch updates real "
                    "float32 or float64 parameters: keep the real and imaginary parts as two "
                    "real parameters"
                )
            if p.layout != torch.strided:
                raise TypeError(f"{name}: {where} has layout {p.layout}; use a dense tensor")
            if p.dtype not in _PARAMETER_DTYPES:
                raise TypeError(
                    f"{name}: {where} has dtype {p.dtype}; optimlab.torch updates float32 "
                    "or float64 parameters (keep float32 master weights and train in "
                    "lower precision with torch.autocast)"
                )

    def _make_rules(self, group: dict[str, Any]) -> GroupRules:
        """A new `GroupRules` for ``group`` (validates its values)."""
        return GroupRules(self.OPTIMLAB, group, self.convention)

    def group_rules(self, group: dict[str, Any]) -> GroupRules:
        """The `GroupRules` of ``group``, synchronised with its current values."""
        entry = self._rules.get(id(group))
        if entry is None or entry[0] is not group:
            entry = (group, self._make_rules(group))
            self._rules[id(group)] = entry
        entry[1].sync(group)
        return entry[1]

    def hyperparameters(self, group: int = 0) -> dict[str, Any]:
        """The current value of every argument of parameter group ``group``, by name."""
        values = self.param_groups[group]
        return {name: values[name] for name in self.fields() if name in values}

    def engine(self, device: torch.device) -> str:
        """What updates tensors on ``device``: ``"host"`` here (the optimlab class itself on
        NumPy arrays of the parameters); the elementwise optimizers have other engines."""
        return "host"

    # -- where the model is evaluated ----------------------------------------------------

    @classmethod
    def moves_for_evaluation(cls) -> bool:
        """True when the optimlab class evaluates the model elsewhere than at the parameters
        it trains (it overrides `optimlab.optim.Optimizer.eval`: Schedule-Free)."""
        return cls.OPTIMLAB.eval is not Optimizer.eval

    @property
    def training(self) -> bool:
        """False while the parameters sit at the evaluation point (after `eval`)."""
        return not self._at_evaluation_point

    def eval(self) -> None:
        """Put the parameters where the model is evaluated, as ``optimlab.optim``'s
        ``eval`` (and the ``schedulefree`` package's ``optimizer.eval()``): Schedule-Free
        moves them to its average x; for the other optimizers nothing moves. Call it with
        ``model.eval()`` before evaluating, saving or returning the model."""
        if self._at_evaluation_point or not self.moves_for_evaluation():
            return
        with torch.no_grad():
            self._move(to_evaluation=True)
        self._at_evaluation_point = True

    def train(self) -> None:
        """Put the parameters back where gradients are taken (undo `eval`; exactly the
        values they had, unless the state was loaded at the evaluation point)."""
        if not self._at_evaluation_point:
            return
        with torch.no_grad():
            self._move(to_evaluation=False)
        self._at_evaluation_point = False

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

    def _move(self, to_evaluation: bool) -> None:
        """Move every group's parameters to the evaluation point or back (a hook; only
        called when `moves_for_evaluation`)."""
        raise NotImplementedError(f"{type(self).__name__} cannot move its parameters")

    def _at_evaluation_point_after_loading(self) -> bool:
        """Whether a loaded state leaves the parameters at the evaluation point (a hook)."""
        return False

    def _refuse_step_at_evaluation_point(self) -> None:
        if self._at_evaluation_point:
            raise RuntimeError(
                f"{type(self).__name__} has its parameters at the evaluation point x (after "
                "opt.eval()); call opt.train() before taking gradients and stepping"
            )

    # -- gradients -----------------------------------------------------------------------

    def _gradients(self, group: dict[str, Any], index: int) -> GroupWork:
        """The group's parameters that have a gradient, those gradients (dense) and their
        positions in the group."""
        work = GroupWork(index, [], [], [], [])
        for i, p in enumerate(group["params"]):
            g = p.grad
            if g is None:
                continue
            if g.layout != torch.strided:
                raise TypeError(
                    f"{type(self).__name__} does not support sparse gradients (parameter {i} "
                    f"of group {index}); use dense ones, e.g. nn.Embedding(..., sparse=False)"
                )
            work.params.append(p)
            work.grads.append(g)
            work.indices.append(i)
            if g.is_cpu:
                work.arrays.append((g.detach() if g.requires_grad else g).numpy())
            else:
                work.arrays.append(None)
        return work

    def _refuse_nonfinite(self, work: Sequence[GroupWork]) -> bool:
        """Apply the ``nonfinite`` policy to every gradient of the step, before any update;
        return True when the step is to be skipped."""
        if self.nonfinite == "ignore":
            return False
        bad = _first_nonfinite(work)
        if bad is None:
            return False
        index, i, g = bad
        count = int(g.numel() - torch.isfinite(g).sum().item())
        done = self.state.get(self.param_groups[index]["params"][i], {}).get("step", 0)
        message = (
            f"step {int(done) + 1}: the gradient of parameter {i} of group {index} (shape "
            f"{tuple(g.shape)}) holds {count} non-finite value(s) (inf or NaN); the "
            "parameters were not changed. Lower the learning rate or clip the gradients "
            "(torch.nn.utils.clip_grad_norm_), or pass nonfinite='skip' to skip such steps"
        )
        apply_nonfinite_policy(self, message, stacklevel=4)
        return True

    # -- saving and resuming ---------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.update(
            convention=self.convention,
            nonfinite=self.nonfinite,
            skipped_steps=self.skipped_steps,
            _at_evaluation_point=self._at_evaluation_point,
        )
        state.update(self._common_state())
        return state

    def _common_state(self) -> dict[str, Any]:
        """The subclass's settings to keep when pickled (a hook)."""
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._rules = {}
        self._forget_views()

    def _forget_views(self) -> None:
        """Drop caches that refer to state tensors (a hook)."""

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a `state_dict` (PyTorch's layout: ``{"state": ..., "param_groups": ...}``).

        The loaded groups and state are checked (every hyperparameter, every state tensor's
        name and shape, the step counts) before the optimizer uses them; if anything does
        not fit, a ValueError is raised and the optimizer is left as it was. A setting the
        saved groups lack (a checkpoint of ``torch.optim.Adam`` has no ``bias_correction``)
        keeps its current value.
        """
        if not isinstance(state_dict, Mapping) or not {"state", "param_groups"} <= set(state_dict):
            raise ValueError(
                "state_dict must be what state_dict() returned: a dict with 'state' and "
                "'param_groups'"
            )
        before = (self.state, self.param_groups, dict(self._rules))
        super().load_state_dict(dict(state_dict))
        try:
            self._rules = {}
            saved_ids = list(chain.from_iterable(g["params"] for g in state_dict["param_groups"]))
            ours = list(chain.from_iterable(g["params"] for g in self.param_groups))
            originals = {
                p: state_dict["state"].get(i, {}) for i, p in zip(saved_ids, ours) if i is not None
            }
            for index, (group, previous) in enumerate(zip(self.param_groups, before[1])):
                for name, value in previous.items():
                    group.setdefault(name, value)  # a torch.optim checkpoint lacks our options
                if group["convention"] != self.convention:
                    raise ValueError(
                        f"this state was saved under convention={group['convention']!r}, "
                        f"not {self.convention!r}"
                    )
                group["convention"] = self.convention
                rules = self._make_rules(group)
                group.update(rules.clean_values())
                self._rules[id(group)] = (group, rules)
                self._check_loaded_group(group, index, rules, originals)
        except Exception as error:
            self.state, self.param_groups, self._rules = before
            if isinstance(error, (KeyError, TypeError)):
                raise ValueError(f"this state does not fit this optimizer: {error}") from error
            raise
        self._forget_views()
        self._at_evaluation_point = self._at_evaluation_point_after_loading()

    def _check_loaded_group(
        self,
        group: dict[str, Any],
        index: int,
        rules: GroupRules,
        originals: Mapping[torch.Tensor, Mapping[str, Any]],
    ) -> None:
        """Check (and normalise) the loaded state of one group's parameters (a hook)."""


def _first_nonfinite(work: Sequence[GroupWork]) -> tuple[int, int, torch.Tensor] | None:
    """(group index, parameter index, gradient) of the first gradient holding inf or NaN."""
    others = []
    for item in work:
        for i, g, a in zip(item.indices, item.grads, item.arrays):
            if a is None:
                others.append((item.index, i, g))
            elif has_nonfinite(a.reshape(-1)) if a.flags.c_contiguous else not np.isfinite(a).all():
                return item.index, i, g
    if others:
        finite = torch.stack([torch.isfinite(g).all().to("cpu") for _, _, g in others])
        if not bool(finite.all()):
            return others[int((~finite).nonzero()[0])]
    return None


def closure_result(closure: Callable[[], Any] | None) -> Any:
    """Evaluate a PyTorch-style closure with gradients enabled (None without one)."""
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()
