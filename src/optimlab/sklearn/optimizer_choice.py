"""Which optimizer an estimator builds, and with which arguments.

An estimator names its optimizer (``optimizer="Adam"``) and sets its hyperparameters in two
ways: the common ones as constructor parameters of their own (`COMMON`: ``lr``,
``momentum``, ``betas``, ``eps``, ``weight_decay``; None means the optimizer's default),
and any other argument in the dict ``optimizer_params``. A common hyperparameter reaches
only the optimizers that declare it (`Optimizer.fields`), so one search can cross
``momentum`` with SGD and Adam (Adam has no momentum and ignores it); an entry of
``optimizer_params`` that the optimizer does not take is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from optimlab import checks
from optimlab.optim import OPTIMIZERS, Optimizer

#: The hyperparameters an estimator takes as parameters of its own.
COMMON = ("lr", "momentum", "betas", "eps", "weight_decay")


@dataclass(frozen=True)
class OptimizerChoice:
    """An optimizer by name and the arguments it is built with (beyond the parameters)."""

    name: str
    arguments: tuple[tuple[str, Any], ...]

    @property
    def cls(self) -> type[Optimizer]:
        return OPTIMIZERS[self.name]

    def build(self, params: Mapping) -> Optimizer:
        """The optimizer on ``params``; its own checks name any bad value."""
        return self.cls(params, **dict(self.arguments))


def choose_optimizer(
    name: str, common: Mapping[str, Any], optimizer_params: Mapping[str, Any] | None
) -> OptimizerChoice:
    """Check the optimizer's name and the keys of ``optimizer_params``; gather its arguments.

    Args:
        name: a key of `optimlab.optim.OPTIMIZERS`.
        common: the `COMMON` hyperparameters by name, None where not set.
        optimizer_params: further arguments by name (None: none).

    Raises:
        ValueError: an unknown optimizer, an argument it does not take, or one given twice.
    """
    name = checks.choice("optimizer", name, tuple(OPTIMIZERS))
    cls = OPTIMIZERS[name]
    declared = [field for field, spec in cls.fields().items() if not spec.fixed]
    accepted = [*declared, *cls.COMMON_ARGUMENTS]
    extra = dict(optimizer_params or {})
    for key in extra:
        if key not in accepted:
            near = checks.closest(str(key), accepted)
            hint = f" (did you mean {near!r}?)" if near else ""
            raise ValueError(
                f"Invalid optimizer_params: {name} takes no argument {key!r}{hint}; it takes "
                f"{', '.join(accepted)}"
            )
        if common.get(key) is not None:
            raise ValueError(
                f"Invalid optimizer_params: {key!r} is also set as the parameter "
                f"{key}={common[key]!r}; give it once"
            )
    arguments = {key: value for key, value in common.items() if value is not None}
    arguments = {key: value for key, value in arguments.items() if key in declared}
    arguments.update(extra)
    return OptimizerChoice(name, tuple(arguments.items()))
