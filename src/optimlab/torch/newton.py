"""Newton-Raphson on torch models: the Hessian from ``torch.func``, the step from optimlab.

`NewtonTorchOptimizer` runs `optimlab.optim.Newton` itself (its solve, pseudo-inverse,
damping, line search and refusals) on the parameters, as `optimlab.torch.host` runs any
optimlab optimizer; what it adds is the Hessian. Its closure is a function of the
parameters, ``closure(params) -> loss`` (``params`` a list of tensors shaped like the
parameters, in order), so that ``torch.func`` can differentiate it twice: the gradient by
``torch.func.grad_and_value``, the Hessian by ``torch.func.hessian``, over the parameters
flattened in order. Both are computed only when the step needs them (a line search's trial
points need only the loss).

The Hessian of P parameters has P^2 entries and costs P Hessian-vector products, so models
are limited to `NEWTON_MAX_PARAMETERS` parameters (a 4096 x 4096 float64 Hessian is
128 MiB); larger ones are refused when the optimizer is built.

For a ``torch.nn.Module``, ``torch.func.functional_call`` turns the model into such a
function::

    names = [name for name, _ in model.named_parameters()]
    def loss_at(params):
        out = torch.func.functional_call(model, dict(zip(names, params)), (X,))
        return torch.nn.functional.cross_entropy(out, y)
    opt = Newton(model.parameters(), damping=1e-4)
    opt.step(loss_at)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from optimlab.optim.tree import leaves
from optimlab.torch.host import Evaluations, HostRules, HostTorchOptimizer

__all__ = ["NEWTON_MAX_PARAMETERS", "NewtonTorchOptimizer"]

NEWTON_MAX_PARAMETERS = 4096
"""The most parameters (in all) the torch form of Newton takes: its Hessian is P x P."""


class _Derivatives:
    """The gradient and Hessian of ``loss`` at ``theta``, computed on first use."""

    def __init__(self, loss: Callable[[torch.Tensor], torch.Tensor], theta: torch.Tensor) -> None:
        self.loss = loss
        self.theta = theta
        self._gradient: np.ndarray | None = None
        self._hessian: np.ndarray | None = None

    def gradient(self) -> np.ndarray:
        if self._gradient is None:
            with torch.enable_grad():
                g = torch.func.grad(self.loss)(self.theta)
            self._gradient = g.detach().cpu().numpy()
        return self._gradient

    def hessian(self) -> np.ndarray:
        if self._hessian is None:
            with torch.enable_grad(), warnings.catch_warnings():
                # torch.func's forward mode touches torch.jit.script, which warns of its
                # own deprecation: not the user's concern
                warnings.filterwarnings("ignore", "`torch.jit.script` is deprecated")
                h = torch.func.hessian(self.loss)(self.theta)
            self._hessian = h.detach().cpu().numpy()
        return self._hessian


class _Lazy:
    """An array computed when NumPy first asks for it (``np.asarray(lazy)``)."""

    def __init__(self, compute: Callable[[], np.ndarray]) -> None:
        self._compute = compute

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        value = self._compute()
        return value if dtype is None else value.astype(dtype, copy=False)


class NewtonTorchOptimizer(HostTorchOptimizer):
    """The torch form of `optimlab.optim.Newton` (see the module docstring).

    ``step(closure)`` takes ``closure(params) -> loss``, a function of the parameters as
    a list of tensors, and returns the loss at the starting point.
    """

    @classmethod
    def usage(cls, optimizer: type) -> str:
        return (
            "Call ``opt.step(closure)`` with ``closure(params) -> loss``, a function of the "
            "parameters (a list of tensors in order; for a module, build it with "
            "``torch.func.functional_call``): torch.func differentiates it twice. At most "
            f"{NEWTON_MAX_PARAMETERS:,} parameters."
        )

    def _check_group(self, group: dict[str, Any], index: int) -> None:
        super()._check_group(group, index)
        total = sum(p.numel() for g in self.param_groups for p in g["params"])
        if total > NEWTON_MAX_PARAMETERS:
            gib = 8 * total**2 / 2**30
            raise ValueError(
                f"Newton builds the P x P Hessian; these parameters have P = {total:,} "
                f"values (a {gib:.3g} GiB float64 Hessian), more than the "
                f"{NEWTON_MAX_PARAMETERS:,} it takes "
                "(optimlab.torch.NEWTON_MAX_PARAMETERS); use a first-order optimizer or a "
                "smaller model"
            )

    def _closure_needed(self) -> str:
        return (
            "Newton needs step(closure) with closure(params) -> loss, a function of the "
            "parameters (a list of tensors in order; for a module use "
            "torch.func.functional_call), which torch.func differentiates twice"
        )

    def _numpy_closure(self, closure: Callable[[list], Any], rules: HostRules) -> Evaluations:
        """``f(arrays) -> (loss, grads, hessian)`` for `optimlab.optim.Newton`."""
        params = rules.host.params
        shapes = [p.shape for p in params]
        sizes = [p.numel() for p in params]
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        device, dtype = params[0].device, params[0].dtype

        def loss_of(theta: torch.Tensor) -> torch.Tensor:
            pieces = torch.split(theta, sizes)
            loss = closure([piece.view(shape) for piece, shape in zip(pieces, shapes)])
            if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
                raise TypeError(
                    "Newton's closure(params) must return the loss as a one-element tensor, "
                    f"got {type(loss).__name__}"
                )
            return loss.reshape(())

        def at(point: Any) -> tuple[torch.Tensor, list, Any]:
            arrays = leaves(point)[1]
            theta = torch.cat(
                [torch.from_numpy(np.ascontiguousarray(a)).reshape(-1) for a in arrays]
            ).to(device=device, dtype=dtype)
            with torch.no_grad():
                loss = loss_of(theta)
            derivatives = _Derivatives(loss_of, theta)
            grads = [
                _Lazy(
                    lambda i=i: derivatives.gradient()[offsets[i] : offsets[i + 1]].reshape(
                        shapes[i]
                    )
                )
                for i in range(len(params))
            ]
            return loss, grads, _Lazy(derivatives.hessian)

        return Evaluations(at)

    @property
    def last_step_length(self) -> float | None:
        """The step length the last step used (the line search's choice), or None."""
        if not self.param_groups:
            return None
        return self.group_rules(self.param_groups[0]).proxy.last_step_length
