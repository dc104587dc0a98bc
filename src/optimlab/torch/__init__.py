"""Every optimlab optimizer as a ``torch.optim.Optimizer`` (needs ``pip install optimlab[torch]``).

For each optimizer of `optimlab.optim` there is a class of the same name here, with the
same arguments, defaults, conventions and options, that trains PyTorch models as
``torch.optim`` optimizers do::

    from optimlab.torch import Adam
    opt = Adam(model.parameters(), lr=1e-3, eps_inside=True)   # or convention="keras"
    for x, y in loader:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

Parameter groups, ``add_param_group``, ``zero_grad``, ``step(closure)``, ``state_dict`` /
``load_state_dict`` (PyTorch's layout) and the schedulers of ``torch.optim.lr_scheduler``
work as with torch's own optimizers. The arithmetic is optimlab's: each update runs the
optimizer's own rule on the tensors (see `optimlab.torch.elementwise`), so the iterates are
those of `optimlab.optim` (bit for bit on CPU tensors).

`torch_optimizer` builds the class for any optimlab optimizer, including new ones:
elementwise optimizers run their rule on the tensors; `optimlab.optim.Newton` gets its
Hessian from ``torch.func`` (`optimlab.torch.newton`); any other runs whole on NumPy arrays
of the parameters (`optimlab.torch.host`). `OPTIMIZERS` holds one class per entry of
`optimlab.optim.OPTIMIZERS`.

`Task` is what the lab trains on a torch model (``optimlab compare --task ...``,
``RunSpec(task=...)``): see `optimlab.torch.task`, the built-in tasks of
`optimlab.torch.tasks` and the runner `optimlab.torch.lab`. See docs/torch.md.
"""

from __future__ import annotations

try:
    import torch  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised without torch
    raise ImportError(
        "optimlab.torch needs PyTorch: pip install 'optimlab[torch]' (or pip install torch)"
    ) from error

from optimlab import optim
from optimlab.optim import ElementwiseOptimizer, Newton
from optimlab.torch.base import GroupRules, TorchOptimizer
from optimlab.torch.elementwise import (
    EVALUATION_POINTS,
    ElementwiseTorchOptimizer,
    evaluation_point,
)
from optimlab.torch.host import HostTorchOptimizer
from optimlab.torch.newton import NEWTON_MAX_PARAMETERS, NewtonTorchOptimizer
from optimlab.torch.task import Task

ADAPTERS: dict[type, type[TorchOptimizer]] = {Newton: NewtonTorchOptimizer}
"""Optimlab classes with an adapter of their own (the others are chosen by `torch_optimizer`)."""

_built: dict[type, type[TorchOptimizer]] = {}


def adapter_for(cls: type[optim.Optimizer]) -> type[TorchOptimizer]:
    """The base a torch form of ``cls`` derives from: its entry in `ADAPTERS`; the
    elementwise adapter for an `optimlab.optim.ElementwiseOptimizer` (that needs no closure,
    or whose evaluation point is in `EVALUATION_POINTS`); otherwise the host adapter."""
    for klass in cls.__mro__:
        if klass in ADAPTERS:
            return ADAPTERS[klass]
    if issubclass(cls, ElementwiseOptimizer) and (
        not cls.needs_closure or evaluation_point(cls) is not None
    ):
        return ElementwiseTorchOptimizer
    return HostTorchOptimizer


def torch_optimizer(cls: type[optim.Optimizer]) -> type[TorchOptimizer]:
    """The ``torch.optim.Optimizer`` subclass that runs the optimlab optimizer ``cls``.

    Its name, signature and defaults are ``cls``'s, its docstring lists them; built once
    per class.

    Raises:
        TypeError: ``cls`` is not an optimlab optimizer class.
    """
    if not (isinstance(cls, type) and issubclass(cls, optim.Optimizer)):
        raise TypeError(f"torch_optimizer needs an optimlab optimizer class, got {cls!r}")
    if cls not in _built:
        base = adapter_for(cls)
        _built[cls] = type(
            cls.__name__,
            (base,),
            {
                "OPTIMLAB": cls,
                "__doc__": _docstring(cls, base),
                "__module__": __name__,
                "__qualname__": cls.__name__,
            },
        )
    return _built[cls]


def _docstring(cls: type[optim.Optimizer], base: type[TorchOptimizer]) -> str:
    """The torch class's docstring: what it is, where its formula is, its arguments."""
    name = cls.__name__
    lines = [
        f"{name} for PyTorch: `optimlab.optim.{name}` as a ``torch.optim.Optimizer``.",
        "",
        f"The update, its variants and its sources: ``help(optimlab.optim.{name})``. "
        + base.usage(cls),
        "",
        "Args:",
        "    params: model.parameters(), model.named_parameters() or parameter-group dicts.",
    ]
    for field in cls.fields().values():
        if field.fixed:
            continue
        default = f"default {field.default!r}"
        if field.keras != field.default:
            default += f" ({field.keras!r} under convention='keras')"
        kind = "keyword-only, " if field.keyword_only else ""
        lines.append(f"    {field.name}: {kind}{default}.")
    for argument, default in base.COMMON_ARGUMENTS.items():
        lines.append(f"    {argument}: keyword-only, default {default!r} (see docs/torch.md).")
    return "\n".join(lines) + "\n"


OPTIMIZERS: dict[str, type[TorchOptimizer]] = {
    name: torch_optimizer(cls) for name, cls in optim.OPTIMIZERS.items()
}
"""Every optimizer of `optimlab.optim.OPTIMIZERS`, in its torch form, by name."""

globals().update(OPTIMIZERS)

__all__ = [
    "ADAPTERS",
    "EVALUATION_POINTS",
    "NEWTON_MAX_PARAMETERS",
    "OPTIMIZERS",
    "ElementwiseTorchOptimizer",
    "GroupRules",
    "HostTorchOptimizer",
    "NewtonTorchOptimizer",
    "Task",
    "TorchOptimizer",
    "adapter_for",
    "torch_optimizer",
    *OPTIMIZERS,
]
