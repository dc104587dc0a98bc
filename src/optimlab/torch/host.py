"""Any optimlab optimizer inside torch training, run whole on NumPy arrays of the parameters.

`HostTorchOptimizer` gives each parameter group an instance of the optimlab class itself,
holding NumPy arrays of the group's parameters: views of the tensors' memory for contiguous
CPU tensors (updated in place, nothing copied), copies otherwise (copied in before and out
after each step). The optimlab optimizer then does everything its own way: the same code,
so the same iterates. This covers every optimlab optimizer that is not elementwise, and
any new one, without a line of torch code; what it costs is a copy to and from the host for
tensors on another device.

The state is exposed in PyTorch's layout after every step: each parameter's slice of every
state buffer the size of the group (``state[p]["NAME"]``, shaped like p) and its
``"step"``; buffers of other sizes and scalar state go to the group's first parameter (as
``torch.optim.LBFGS`` does).

A closure is PyTorch's: it recomputes the loss and its gradients (zero_grad, forward,
backward) and returns the loss. When the optimlab optimizer asks for the gradient at
another point (a line search, a look-ahead), the parameters are moved there for the call
and moved back. Optimizers that need a closure take one parameter group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

from optimlab.optim import Optimizer
from optimlab.optim.tree import leaves
from optimlab.torch.base import GroupRules, TorchOptimizer, closure_result, scalar_dtype

__all__ = ["Evaluations", "HostArrays", "HostRules", "HostTorchOptimizer"]


class HostArrays:
    """NumPy arrays holding a group's parameters: views of contiguous CPU tensors, copies
    of the others."""

    def __init__(self, params: list[torch.Tensor]) -> None:
        self.params = params
        self.pointers = [p.data_ptr() for p in params]
        self.shared = all(p.device.type == "cpu" and p.is_contiguous() for p in params)
        if self.shared:
            self.arrays = [p.detach().numpy() for p in params]
        else:
            self.arrays = [p.detach().cpu().numpy().copy() for p in params]
        self.sizes = [p.numel() for p in params]
        self.total = sum(self.sizes)

    def check(self, index: int) -> None:
        if [p.data_ptr() for p in self.params] != self.pointers:
            raise ValueError(
                f"the parameters of group {index} were moved or replaced after the optimizer "
                "was built; build the optimizer after model.to(...)"
            )

    def copy_in(self) -> None:
        """The tensors' current values into the arrays (nothing to do for views)."""
        if not self.shared:
            for a, p in zip(self.arrays, self.params):
                a[...] = p.detach().cpu().numpy()

    def copy_out(self) -> None:
        """The arrays' values into the tensors (nothing to do for views)."""
        if not self.shared:
            for a, p in zip(self.arrays, self.params):
                p.copy_(torch.from_numpy(a))

    def set_point(self, arrays: list[np.ndarray]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Write ``arrays`` into the tensors; return what to restore afterwards."""
        saved = []
        for a, own, p in zip(arrays, self.arrays, self.params):
            if a is own and self.shared:
                continue
            saved.append((p, p.detach().clone()))
            p.copy_(torch.from_numpy(np.ascontiguousarray(a)))
        return saved

    def gradients(self) -> list[np.ndarray]:
        """The tensors' gradients as NumPy arrays (zeros where a gradient is None)."""
        out = []
        for a, p in zip(self.arrays, self.params):
            g = p.grad
            if g is None:
                out.append(np.zeros_like(a))
            elif g.device.type == "cpu":
                out.append(g.detach().numpy())
            else:
                out.append(g.detach().cpu().numpy())
        return out


class Evaluations:
    """A closure in optimlab's form, ``f(arrays) -> (loss, grads, ...)``, built on a function
    that returns the loss as the user's closure did; remembers that first loss (a tensor,
    returned by ``step`` as torch optimizers return theirs)."""

    def __init__(self, evaluate: Callable[[Any], tuple]) -> None:
        self.evaluate = evaluate
        self.first: Any = None

    def __call__(self, point: Any) -> tuple:
        loss, *rest = self.evaluate(point)
        if self.first is None:
            self.first = loss
        if isinstance(loss, torch.Tensor):
            loss = loss.detach()
        return (float(loss), *rest)


class HostRules(GroupRules):
    """A group's `GroupRules` whose instance of the optimlab class holds the group's
    parameters (``host.arrays``) and is the one that updates them."""

    def __init__(
        self,
        cls: type[Optimizer],
        group: Mapping[str, Any],
        convention: str,
        host: HostArrays,
        nonfinite: str,
    ) -> None:
        super().__init__(cls, group, convention, arrays=host.arrays, nonfinite=nonfinite)
        self.host = host


class HostTorchOptimizer(TorchOptimizer):
    """The torch form of an optimlab optimizer that runs whole on the host (see the module
    docstring). Arguments as `TorchOptimizer`."""

    def _clean_defaults(self, defaults: dict[str, Any]) -> dict[str, Any]:
        # each value alone; the combination is checked by the optimizer each group builds
        fields = self.OPTIMLAB.fields()
        return {
            name: value if callable(value) else fields[name].check(name, value)
            for name, value in defaults.items()
            if name in fields
        }

    def _check_group(self, group: dict[str, Any], index: int) -> None:
        super()._check_group(group, index)
        if self.needs_closure and index > 0:
            raise ValueError(
                f"{type(self).__name__} evaluates the loss of all parameters together, so it "
                "takes one parameter group; give every parameter the same hyperparameters"
            )

    def _make_rules(self, group: dict[str, Any]) -> HostRules:
        # gradients from p.grad are checked for the whole step before any group moves;
        # a closure's gradients are checked by the optimlab optimizer that asks for them
        nonfinite = self.nonfinite if self.needs_closure else "ignore"
        return HostRules(
            self.OPTIMLAB, group, self.convention, HostArrays(group["params"]), nonfinite
        )

    def step(self, closure: Callable[..., Any] | None = None) -> Any:
        """Apply one update of the optimlab optimizer to every group.

        Args:
            closure: a function that recomputes the loss and its gradients and returns the
                loss (required by optimizers that evaluate the gradient elsewhere).

        Returns:
            The closure's loss (at the starting point), or None without a closure.
        """
        with torch.no_grad():
            self._refuse_step_at_evaluation_point()
            if self.needs_closure and closure is None:
                raise TypeError(self._closure_needed())
            work = [
                (index, group, self.group_rules(group))
                for index, group in enumerate(self.param_groups)
            ]
            if self.needs_closure:
                return self._step_with_closure(closure, *work[0])
            loss = closure_result(closure)
            gradients = [self._gradients(group, index) for index, group, _ in work]
            if self._refuse_nonfinite(gradients):
                return loss
            for index, group, rules in work:
                rules.host.check(index)
                rules.host.copy_in()
                rules.proxy.step(rules.host.gradients())
                rules.host.copy_out()
                self._expose_state(group, rules)
        return loss

    def _step_with_closure(
        self, closure: Callable[..., Any], index: int, group: dict[str, Any], rules: HostRules
    ) -> Any:
        rules.host.check(index)
        rules.host.copy_in()
        optimizer = rules.proxy
        skipped = optimizer.skipped_steps
        evaluate = self._numpy_closure(closure, rules)
        loss = optimizer.step(closure=evaluate)
        self.skipped_steps += optimizer.skipped_steps - skipped
        rules.host.copy_out()
        self._expose_state(group, rules)
        return loss if evaluate.first is None else evaluate.first

    def _closure_needed(self) -> str:
        return (
            f"{type(self).__name__} needs step(closure) with a closure that recomputes the "
            "loss and its gradients (optimizer.zero_grad(); loss = loss_fn(model(x), y); "
            "loss.backward(); return loss)"
        )

    def _numpy_closure(self, closure: Callable[[], Any], rules: HostRules) -> Evaluations:
        """The optimlab form of a PyTorch closure: ``f(arrays) -> (loss, grads)``, which
        moves the parameters to ``arrays`` for the call and back."""
        host = rules.host

        def at(point: Any) -> tuple[float, list[np.ndarray]]:
            saved = host.set_point(leaves(point)[1])
            try:
                loss = closure_result(closure)
                grads = [np.array(g, copy=True) for g in host.gradients()]
            finally:
                for p, original in saved:
                    p.copy_(original)
            return loss, grads

        return Evaluations(at)

    # -- the evaluation point ---------------------------------------------------------------

    def _move(self, to_evaluation: bool) -> None:
        for index, group in enumerate(self.param_groups):
            rules = self.group_rules(group)
            rules.host.check(index)
            rules.host.copy_in()
            if to_evaluation:
                rules.proxy.eval()
            else:
                rules.proxy.train()
            rules.host.copy_out()
            self._expose_state(group, rules)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A pickled or copied optimizer: each group's optimlab instance is rebuilt on the
        copied parameters and takes the copied state (as `load_state_dict` gives it)."""
        super().__setstate__(state)
        for index, group in enumerate(self.param_groups):
            self._check_loaded_group(group, index, self.group_rules(group), {})

    def _at_evaluation_point_after_loading(self) -> bool:
        return any(not self.group_rules(group).proxy.training for group in self.param_groups)

    # -- state in PyTorch's layout --------------------------------------------------------

    def _expose_state(self, group: dict[str, Any], rules: HostRules) -> None:
        """Write the optimlab optimizer's state into ``self.state`` (PyTorch's layout)."""
        host = rules.host
        saved = rules.proxy.state_dict()
        step = float(saved["step"])
        first = group["params"][0]
        offsets = np.concatenate([[0], np.cumsum(host.sizes)])
        for i, p in enumerate(group["params"]):
            state = self.state[p]
            state["step"] = torch.tensor(step, dtype=scalar_dtype())
            for key, value in saved.items():
                if not key.startswith("state/"):
                    continue
                name = key[len("state/") :]
                buffer = np.asarray(value)
                if buffer.size == host.total:
                    piece = buffer.reshape(-1)[offsets[i] : offsets[i + 1]].reshape(p.shape)
                    state[name] = torch.from_numpy(piece.copy()).to(p.device)
                elif p is first:
                    state[name] = torch.from_numpy(buffer.copy())
            if p is first:
                for key, value in saved.items():
                    if key.startswith("scalar/"):
                        state[key[len("scalar/") :]] = torch.tensor(
                            float(value), dtype=torch.float64
                        )

    def _check_loaded_group(
        self,
        group: dict[str, Any],
        index: int,
        rules: HostRules,
        originals: Mapping[torch.Tensor, Mapping[str, Any]],
    ) -> None:
        params = group["params"]
        first = self.state.get(params[0])
        if not first:
            return
        host = rules.host
        saved = rules.proxy.state_dict()
        if "step" not in first:
            raise ValueError(f"the state of group {index} has no 'step'")
        saved["step"] = np.int64(int(float(first["step"])))
        for key in [k for k in saved if k.startswith(("state/", "scalar/"))]:
            name = key.split("/", 1)[1]
            if key.startswith("scalar/"):
                value = originals.get(params[0], {}).get(name, first.get(name))
                if value is None:
                    raise ValueError(f"the state of group {index} has no {name!r}")
                saved[key] = np.float64(float(value))
                continue
            buffer = np.asarray(saved[key])
            if buffer.size == host.total:
                pieces = []
                for i, p in enumerate(params):
                    tensor = self.state.get(p, {}).get(name)
                    if tensor is None or tuple(tensor.shape) != tuple(p.shape):
                        raise ValueError(
                            f"the state {name!r} of parameter {i} of group {index} is missing "
                            "or has the wrong shape"
                        )
                    pieces.append(tensor.detach().cpu().numpy().reshape(-1))
                saved[key] = np.concatenate(pieces).astype(buffer.dtype).reshape(buffer.shape)
            else:
                tensor = first.get(name)
                if tensor is None:
                    raise ValueError(f"the state of group {index} has no {name!r}")
                saved[key] = tensor.detach().cpu().numpy().astype(buffer.dtype)
        rules.proxy.load_state_dict(saved)
        self._expose_state(group, rules)
