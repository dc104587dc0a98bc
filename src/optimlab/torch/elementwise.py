"""The torch form of every elementwise optimlab optimizer: its rule, run on the tensors.

`ElementwiseTorchOptimizer` keeps PyTorch's layout, one state dict per parameter
(``{"step": tensor, "exp_avg": tensor shaped like p, ...}``, the state names of the optimlab
class, which are torch.optim's), and asks the optimlab class for each update:
``rule_at(t, lr)`` gives the rule and its coefficients for update number t of a group at
its current rate. The parameters of a group that share a device, a dtype and a step count
are then updated together by one engine (`optimlab.torch.engines`):

* CPU tensors (default): the rule's compiled Numba loop on the tensors' own memory, one pass
  per tensor (``fused=True`` asks for it explicitly);
* other devices, or ``foreach=True`` / ``fused=False``: the rule's function with every
  operation one ``torch._foreach_*`` call over the group;
* other devices with ``fused=True``: that function compiled by ``torch.compile``.

Optimizers that need the gradient at another point (`optimlab.optim.Nesterov`, the
look-ahead form) take a PyTorch closure; the point is given by `EVALUATION_POINTS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NamedTuple

import numpy as np
import torch

from optimlab import checks
from optimlab.optim import Nesterov, Optimizer
from optimlab.optim.rules import HAVE_NUMBA
from optimlab.torch.base import (
    GroupRules,
    GroupWork,
    TorchOptimizer,
    closure_result,
    scalar_dtype,
)
from optimlab.torch.engines import compiled_foreach, in_dtype, run_foreach, run_numba
from optimlab.torch.host import HostArrays
from optimlab.torch.translate import TensorList

__all__ = ["EVALUATION_POINTS", "ElementwiseTorchOptimizer", "StateLayout", "evaluation_point"]


def _nesterov_lookahead(
    rules: GroupRules, p: TensorList, states: dict[str, TensorList], dtype: torch.dtype
) -> TensorList:
    """w - gamma v, as `optimlab.optim.Nesterov.lookahead` computes it."""
    return p - in_dtype(rules.proxy.momentum, dtype) * states["velocity"]


EVALUATION_POINTS: dict[type, Callable[..., TensorList]] = {Nesterov: _nesterov_lookahead}
"""Where the closure of an optimizer that needs one (``needs_closure``) is evaluated:
``point(rules, params, states_by_name, dtype) -> TensorList``. An elementwise optimizer that
needs a closure and has no entry here runs in `optimlab.torch.host` instead."""


def evaluation_point(cls: type) -> Callable[..., TensorList] | None:
    """The entry of `EVALUATION_POINTS` for ``cls`` or its nearest base, or None."""
    return next((EVALUATION_POINTS[k] for k in cls.__mro__ if k in EVALUATION_POINTS), None)


class StateLayout:
    """What an elementwise rule keeps per parameter: its state names (in the rule's order),
    their initial values, and the scalar state (e.g. NAdam's ``mu_product``)."""

    def __init__(self, rules: GroupRules) -> None:
        buffers = rules.proxy.state_buffers
        self.names = tuple(buffers)
        self.initial = tuple(float(b[0]) for b in buffers.values())
        self.scalars = tuple(rules.scalar_initial)
        self.scalar_initial = tuple(rules.scalar_initial.values())


class _Record:
    """A parameter's state tensors and, on the CPU, NumPy views of its memory (cached: a
    view costs microseconds to make, and the step is a few microseconds in all).

    ``flat`` holds 1-D views of the parameter and its state when all are contiguous (the
    compiled loop's input), ``shaped`` the views as shaped (any strides)."""

    __slots__ = ("flat", "kind", "ptr", "scalars", "shaped", "state", "step", "tensors")

    def __init__(self, p: torch.Tensor, state: dict[str, Any], layout: StateLayout) -> None:
        self.state = state
        self.tensors = tuple(state[name] for name in layout.names)
        self.ptr = p.data_ptr()
        self.kind = (p.device, p.dtype)
        self.step = state["step"].numpy()
        self.scalars = tuple(state[name].numpy() for name in layout.scalars)
        self.shaped = self.flat = None
        if p.device.type == "cpu":
            arrays = (p.detach().numpy(), *(s.numpy() for s in self.tensors))
            self.shaped = arrays
            if all(a.flags.c_contiguous for a in arrays):
                self.flat = tuple(a.reshape(-1) for a in arrays)

    def current(self, p: torch.Tensor, state: dict[str, Any], names: tuple[str, ...]) -> bool:
        if state is not self.state or p.data_ptr() != self.ptr:
            return False
        return all(state[name] is tensor for name, tensor in zip(names, self.tensors))

    def clock(self, scalars: bool) -> tuple[int, tuple]:
        """(updates done, scalar state) of this parameter."""
        if not scalars:
            return int(self.step), ()
        return int(self.step), tuple(float(s) for s in self.scalars)

    def views(self, g: np.ndarray) -> tuple[np.ndarray, ...]:
        """``(p, g, *states)`` as NumPy views for the Numba engine."""
        if self.flat is not None and g.flags.c_contiguous:
            return (self.flat[0], g.reshape(-1), *self.flat[1:])
        return (self.shaped[0], g, *self.shaped[1:])


class _HostInstance(NamedTuple):
    """Parameters held by an instance of the optimlab class on host arrays of them."""

    instance: Optimizer
    host: HostArrays
    params: list[torch.Tensor]
    layout: StateLayout


class ElementwiseTorchOptimizer(TorchOptimizer):
    """The torch form of an `optimlab.optim.ElementwiseOptimizer` (see the module docstring).

    Args:
        params, *args, **kwargs, convention, nonfinite: as `TorchOptimizer`.
        fused: run the rule as one compiled pass: Numba on CPU tensors (default there),
            ``torch.compile`` on other devices; False: the foreach form everywhere.
        foreach: True: the foreach form everywhere (as ``fused=False``).
    """

    COMMON_ARGUMENTS: ClassVar[dict[str, Any]] = {
        **TorchOptimizer.COMMON_ARGUMENTS,
        "fused": None,
        "foreach": None,
    }

    def _set_common(self, common: dict[str, Any]) -> None:
        self.fused = checks.optional(checks.flag, "fused", common["fused"])
        self.foreach = checks.optional(checks.flag, "foreach", common["foreach"])
        if self.fused and self.foreach:
            raise ValueError("fused=True and foreach=True cannot be used together; pick one")
        self._records: dict[torch.Tensor, _Record] = {}
        self._layouts: dict[int, tuple[GroupRules, StateLayout]] = {}
        self._held: list[_HostInstance] = []

    def _common_state(self) -> dict[str, Any]:
        return {"fused": self.fused, "foreach": self.foreach}

    def _forget_views(self) -> None:
        self._records = {}
        self._layouts = {}
        self._held = []

    def engine(self, device: torch.device) -> str:
        """The engine that updates tensors on ``device``: ``"numba"``, ``"foreach"`` or
        ``"compiled"``."""
        if self.foreach or self.fused is False:
            return "foreach"
        if device.type == "cpu":
            if HAVE_NUMBA:
                return "numba"
            if self.fused:
                raise ValueError(
                    "fused=True on CPU tensors needs Numba: pip install numba, or pass foreach=True"
                )
            return "foreach"
        return "compiled" if self.fused else "foreach"

    # -- the step ------------------------------------------------------------------------

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Apply one update to every parameter that has a gradient.

        Args:
            closure: a function that recomputes the loss and its gradients (zero_grad,
                forward, backward) and returns the loss; optional, except for optimizers
                that need the gradient at another point (`Nesterov`), which call it there.

        Returns:
            The closure's loss, or None without a closure.
        """
        with torch.no_grad():
            self._refuse_step_at_evaluation_point()
            if self.needs_closure:
                loss = self._closure_at_evaluation_point(closure)
            else:
                loss = closure_result(closure)
            work = []
            for index, group in enumerate(self.param_groups):
                rules = self.group_rules(group)
                item = self._gradients(group, index)
                if item.params:
                    work.append((item, rules))
            if not work:
                return loss
            if self._refuse_nonfinite([item for item, _ in work]):
                return loss
            for item, rules in work:
                self._update_group(item, rules)
        return loss

    def _layout(self, rules: GroupRules) -> StateLayout:
        entry = self._layouts.get(id(rules))
        if entry is None or entry[0] is not rules:
            entry = (rules, StateLayout(rules))
            self._layouts[id(rules)] = entry
        return entry[1]

    def _record(self, p: torch.Tensor, layout: StateLayout) -> _Record:
        """The parameter's state (created on its first update) and its cached views."""
        state = self.state[p]
        record = self._records.get(p)
        if record is not None and record.current(p, state, layout.names):
            return record
        if not state:
            state["step"] = torch.tensor(0.0, dtype=scalar_dtype())
            for name, initial in zip(layout.names, layout.initial):
                state[name] = torch.full_like(p, initial, memory_format=torch.preserve_format)
            for name, initial in zip(layout.scalars, layout.scalar_initial):
                state[name] = torch.tensor(initial, dtype=torch.float64)
        for name in layout.names:
            tensor = state.get(name)
            if not isinstance(tensor, torch.Tensor) or (
                tensor.shape != p.shape or tensor.dtype != p.dtype or tensor.device != p.device
            ):
                raise ValueError(
                    f"the state {name!r} of a parameter of shape {tuple(p.shape)} is "
                    f"{_describe(tensor)}; it must be a {p.dtype} tensor of that shape on "
                    f"{p.device} (was the parameter moved or converted after its state was "
                    "created? build the optimizer after model.to(...))"
                )
        record = _Record(p, state, layout)
        self._records[p] = record
        return record

    def _update_group(self, item: GroupWork, rules: GroupRules) -> None:
        layout = self._layout(rules)
        records = [self._record(p, layout) for p in item.params]
        has_scalars = bool(layout.scalars)
        clocks = [r.clock(has_scalars) for r in records]
        kind, clock = records[0].kind, clocks[0]
        if all(r.kind == kind for r in records) and clocks.count(clock) == len(clocks):
            partitions = {(kind, clock): range(len(records))}  # the usual case: one pass
        else:
            partitions = {}
            for i, (r, c) in enumerate(zip(records, clocks)):
                partitions.setdefault((r.kind, c), []).append(i)
        for ((device, dtype), (done, scalars)), members in partitions.items():
            t = done + 1
            if has_scalars:
                rules.set_clock(done, scalars)
            engine = self.engine(device)
            step, coefficients = rules.step_at(t, rules.rate(t), _NUMPY[dtype])
            if engine == "numba":
                views = [records[i].views(item.arrays[i]) for i in members]
                run_numba(step, views, coefficients)
            else:
                ps = [item.params[i] for i in members]
                gs = [item.grads[i] for i in members]
                states = [
                    [records[i].tensors[k] for i in members] for k in range(len(layout.names))
                ]
                run = compiled_foreach if engine == "compiled" else run_foreach
                run(step, ps, gs, states)
            new_scalars = rules.advance() if has_scalars else ()
            for i in members:
                record = records[i]
                record.step[...] = t
                for view, value in zip(record.scalars, new_scalars):
                    view[...] = value

    # -- optimizers that evaluate the gradient elsewhere (Nesterov) -----------------------

    def _closure_needed(self) -> str:
        return (
            f"{type(self).__name__} needs the gradient at its evaluation point: call "
            "step(closure) with a closure that recomputes the loss and its gradients "
            "(optimizer.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); return "
            "loss); it is called there"
            + (
                ". SGD(params, lr, momentum, nesterov=True) needs only the gradient at w"
                if self.OPTIMLAB is Nesterov
                else ""
            )
        )

    def _closure_at_evaluation_point(self, closure: Callable[[], Any] | None) -> Any:
        """Move the parameters to the evaluation point, call the closure, move them back."""
        if closure is None:
            raise TypeError(self._closure_needed())
        point = evaluation_point(self.OPTIMLAB)
        saved = []
        for group in self.param_groups:
            rules = self.group_rules(group)
            layout = self._layout(rules)
            with_state = [p for p in group["params"] if self.state.get(p)]
            by_kind: dict[tuple, list] = {}
            for p in with_state:
                by_kind.setdefault((p.device, p.dtype), []).append(p)
            for (_, dtype), params in by_kind.items():
                records = [self._record(p, layout) for p in params]
                states = {
                    name: TensorList([r.tensors[k] for r in records])
                    for k, name in enumerate(layout.names)
                }
                moved = point(rules, TensorList(params), states, dtype)
                for p, value in zip(params, moved.tensors):
                    saved.append((p, p.clone()))
                    p.copy_(value)
        try:
            return closure_result(closure)
        finally:
            for p, original in saved:
                p.copy_(original)

    # -- the evaluation point (Schedule-Free) -----------------------------------------------

    def _move(self, to_evaluation: bool) -> None:
        """Each set of parameters that share a step count gets an instance of the optimlab
        class on host arrays of them, with their state, and that instance moves them (its
        own ``eval`` / ``train``); the instances made by `eval` are kept, so that `train`
        puts back exactly the values they held."""
        held = self._host_instances() if to_evaluation or not self._held else self._held
        for item in held:
            if to_evaluation:
                item.instance.eval()
            else:
                item.instance.train()
            item.host.copy_out()
            saved = item.instance.state_dict()
            for p in item.params:
                for name in item.layout.scalars:
                    self.state[p][name].fill_(float(saved[f"scalar/{name}"]))
        self._held = held if to_evaluation else []

    def _host_instances(self) -> list[_HostInstance]:
        """The parameters with state, by group, device, dtype, step count and scalar state,
        each set held by an instance of the optimlab class with their state loaded."""
        out = []
        for group in self.param_groups:
            rules = self.group_rules(group)
            layout = self._layout(rules)
            sets: dict[tuple, list[torch.Tensor]] = {}
            for p in group["params"]:
                if self.state.get(p):
                    record = self._record(p, layout)
                    sets.setdefault((record.kind, record.clock(True)), []).append(p)
            for (_, (done, scalars)), params in sets.items():
                host = HostArrays(params)
                instance = GroupRules(self.OPTIMLAB, group, self.convention, host.arrays).proxy
                saved = instance.state_dict()
                saved["step"] = np.int64(done)
                for name in layout.names:
                    pieces = [self.state[p][name].detach().cpu().numpy() for p in params]
                    flat = np.concatenate([piece.reshape(-1) for piece in pieces])
                    saved[f"state/{name}"] = flat.astype(instance.dtype)
                for name, value in zip(layout.scalars, scalars):
                    saved[f"scalar/{name}"] = np.float64(value)
                instance.load_state_dict(saved)
                out.append(_HostInstance(instance, host, params, layout))
        return out

    def _at_evaluation_point_after_loading(self) -> bool:
        if not self.moves_for_evaluation():
            return False
        return any(not item.instance.training for item in self._host_instances())

    # -- resuming ------------------------------------------------------------------------

    def _check_loaded_group(
        self,
        group: dict[str, Any],
        index: int,
        rules: GroupRules,
        originals: Mapping[torch.Tensor, Mapping[str, Any]],
    ) -> None:
        layout = StateLayout(rules)
        for i, p in enumerate(group["params"]):
            state = self.state.get(p)
            if not state:
                continue
            where = f"the state of parameter {i} of group {index}"
            missing = [n for n in ("step", *layout.names, *layout.scalars) if n not in state]
            if missing:
                raise ValueError(
                    f"{where} has no {missing}; this optimizer keeps "
                    f"{['step', *layout.names, *layout.scalars]} (were options such as "
                    "amsgrad, centered or momentum the same?)"
                )
            for name in layout.names:
                if tuple(state[name].shape) != tuple(p.shape):
                    raise ValueError(
                        f"{where}: {name!r} has shape {tuple(state[name].shape)}, the "
                        f"parameter {tuple(p.shape)}"
                    )
            steps = float(state["step"])
            if not (steps >= 0 and steps == int(steps)):
                raise ValueError(f"{where}: 'step' must be a whole number >= 0, got {steps}")
            state["step"] = torch.tensor(float(steps), dtype=scalar_dtype())
            for name in layout.scalars:
                exact = originals.get(p, {}).get(name, state[name])
                value = float(exact)
                if not np.isfinite(value):
                    raise ValueError(f"{where}: {name!r} must be finite, got {value}")
                state[name] = torch.tensor(value, dtype=torch.float64)
            for name in layout.names:
                state[name] = state[name].contiguous() if p.is_contiguous() else state[name]


_NUMPY = {torch.float32: np.dtype(np.float32), torch.float64: np.dtype(np.float64)}


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)} on {value.device}"
    return "missing" if value is None else type(value).__name__
